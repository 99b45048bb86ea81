//! Existing hair: the client's remaining hair, shaved (issue "Looks real", part 4; issue 14),
//! so SMP can be judged beside it (thinning clients, women, transplant patients, and the
//! clinic's question "will the SMP'd top look like my shaved sides?").
//!
//! A razor-shaved head reads grey-blue because the pigmented shafts stay in the follicles,
//! obliquely under the skin, and are seen through it: the same optics as an SMP dot. So each
//! hair ([`Strand`], grown in [`grow`]) has two parts: the shaft in the skin, from the follicle
//! opening down at 30–60° to its bulb 3–4 mm along (drawn by the shaft pass through the dots'
//! depth optics, `render::shaft`), and the stubble above the skin, the shave length plus what
//! grew back since (drawn by the hair pass, `render::hair`). Hairs grow in follicular units of
//! 1–4 at the natural density times the plan's fraction for each zone, above the natural
//! hairline, along the scalp's flow ([`flow`]) from the crown whorl ([`whorl`]). Everything is
//! drawn from the seeded hash of (seed, unit or hair id), so the same plan grows the same hairs.
pub mod grow;

pub use grow::{grow, Strand};

use crate::zone::ZoneId;
use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use serde::{Deserialize, Serialize};

/// Plan section `[hair]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HairSettings {
    /// Draw the hair the client still has (off for a fully bald head).
    pub enabled: bool,
    /// Hair colour: a name in `optics::HAIR_COLOURS` or "#rrggbb".
    pub color: String,
    /// Share of grey (unpigmented, near-white) hairs, 0–1.
    pub grey: f32,
    /// Natural density, hairs per cm² (in follicular units of 1–4, [`UNIT_MIX`]).
    pub density_per_cm2: f32,
    /// Length the hair was cut to, mm; 0 is a razor shave (the plan also takes "razor").
    #[serde(with = "shave")]
    pub shave_mm: f32,
    /// Days since the shave: the stubble grows back [`REGROWTH_MM_PER_DAY`] a day.
    pub days_since_shave: f32,
    /// Mean shaft diameter, mm.
    pub diameter_mm: f32,
    /// Fraction of the natural density still growing, per zone.
    pub hairline: f32,
    pub top: f32,
    pub crown: f32,
    pub sides: f32,
    pub back: f32,
}

impl Default for HairSettings {
    fn default() -> Self {
        // The default client's fringe: a Norwood 6 keeps the sides and back, razor-shaved the
        // day before; the low end of natural density (1.1 hairs/mm², the calibration's) and a
        // mid shaft diameter (65–85 µm). See docs/calibration.md.
        HairSettings {
            enabled: true,
            color: "dark-brown".into(),
            grey: 0.0,
            density_per_cm2: 110.0,
            shave_mm: 0.0,
            days_since_shave: 1.0,
            diameter_mm: 0.075,
            hairline: 0.0,
            top: 0.0,
            crown: 0.0,
            sides: 1.0,
            back: 1.0,
        }
    }
}

/// `hair.shave_mm`: the string "razor" (0 mm) or a number of mm; written back as "razor" for 0.
mod shave {
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(mm: &f32, s: S) -> Result<S::Ok, S::Error> {
        if *mm == 0.0 {
            s.serialize_str("razor")
        } else {
            s.serialize_f32(*mm)
        }
    }

    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Mm(f64),
        Word(String),
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<f32, D::Error> {
        match Raw::deserialize(d)? {
            Raw::Mm(v) => Ok(v as f32),
            Raw::Word(w) if w == "razor" => Ok(0.0),
            Raw::Word(w) => Err(serde::de::Error::custom(format!(
                "unknown shave {w:?}; allowed: \"razor\" or a length in mm"
            ))),
        }
    }
}

/// How fast scalp hair grows back, mm per day (~1.1 cm a month; Loussouarn 2005 [PR]: 0.35–0.44
/// mm/day on the vertex). Each hair's own rate varies ±[`REGROWTH_JITTER`].
pub const REGROWTH_MM_PER_DAY: f32 = 0.37;
/// Per-hair spread of the regrowth rate (hairs grow at different rates).
pub const REGROWTH_JITTER: f32 = 0.2;
/// Share of units holding 1, 2, 3 and 4 hairs (Headington 1984: mostly 2s and 3s on the scalp).
pub const UNIT_MIX: [f32; 4] = [0.15, 0.5, 0.3, 0.05];
/// Hairs of a unit open within this distance range of the unit's centre, mm, so they sit
/// ~0.1–0.3 mm apart.
pub const UNIT_SPREAD_MM: (f32, f32) = (0.05, 0.15);
/// The follicle's angle to the skin surface, radians (30–60°); the hair leaves the skin along it.
pub const SHAFT_ANGLE: (f32, f32) = (std::f32::consts::FRAC_PI_6, std::f32::consts::FRAC_PI_3);
/// Length of the shaft inside the skin, opening to bulb, mm (anagen scalp follicles; the bulb
/// sits 1.5–3.5 mm deep at those angles, in the deep dermis and upper fat).
pub const SHAFT_MM: (f32, f32) = (3.0, 4.0);
/// Share of scalp hairs resting (telogen) at any time: 10–15% (Kligman 1959 [PR]; anagen
/// 85–90%, catagen ~1%). A resting hair's follicle has shrunk to about a third of its length,
/// its club end is unpigmented and it has no bulb, and it does not grow back after a shave.
pub const TELOGEN_SHARE: f32 = 0.12;
/// A resting follicle's length relative to the growing one's.
pub const TELOGEN_FOLLICLE: f32 = 0.35;
/// Per-hair diameter: the plan's mean × (1 ± this); 0.08 mm gives 70–90 µm (65–85 µm sourced).
pub const DIAMETER_JITTER: f32 = 0.12;
/// Per-hair spread of the cut length: clippers leave hairs 75–125% of the guard length.
pub const LENGTH_JITTER: f32 = 0.25;
/// The emerging stubble narrows a little over its first part; the cut tip is blunt.
pub const EXIT_WIDTH: f32 = 1.12;
/// Curl of the stubble: the bend's sideways offset, as a share of its length (at most).
pub const CURL: f32 = 0.12;
/// Per-hair brightness of pigmented hairs: 0.8–1.2 × the plan's colour.
pub const TONE_SPREAD: (f32, f32) = (0.8, 1.2);
// The hair's optics, which matching the ink to it reads too.
pub use crate::optics::{shaft_absorptance, WHITE_HAIR_ALBEDO};
/// Width over which the hair of one zone gives way to the next's, mm.
pub const BORDER_MM: f32 = 24.0;

impl HairSettings {
    pub fn coverage(&self, zone: ZoneId) -> f32 {
        match zone {
            ZoneId::Hairline => self.hairline,
            ZoneId::Top => self.top,
            ZoneId::Crown => self.crown,
            ZoneId::Sides => self.sides,
            ZoneId::Back => self.back,
            // Hair grows on the built-in zones (Treatment::hairs_as grows it without the
            // plan's scars and custom zones); scar tissue has no follicles.
            ZoneId::Scar => 0.0,
            _ => self.top,
        }
    }

    /// Linear RGB albedo of the hair (validated plans always parse).
    pub fn albedo(&self) -> [f32; 3] {
        let srgb = crate::optics::parse_hair_colour(&self.color).unwrap_or([46, 35, 32]);
        crate::optics::srgb_to_linear(srgb)
    }

    /// Mean stubble length above the skin: the cut length plus what grew back since, mm.
    pub fn stubble_mm(&self) -> f32 {
        self.shave_mm + REGROWTH_MM_PER_DAY * self.days_since_shave
    }
}

/// One hair's stubble on the GPU (`Hair` in hair.wgsl, the instance attributes): a quadratic
/// Bézier from the opening through the bend's control point to the cut tip.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Hair {
    pub root: [f32; 3],
    pub diameter_mm: f32,
    /// The Bézier's control point (the curl and the lean).
    pub bend: [f32; 3],
    /// Width where it leaves the skin relative to the shaft (it narrows to the blunt cut).
    pub exit_width: f32,
    pub tip: [f32; 3],
    /// Length along the hair, mm.
    pub length_mm: f32,
    /// This hair's linear albedo (its tone, or near white when grey).
    pub colour: [f32; 3],
    /// 1 for a pigmented hair, 0 for a grey one.
    pub pigmented: f32,
}

/// Quads along each stubble's curve (a quadratic Bézier): enough for a slight curl.
pub const HAIR_SEGMENTS: u32 = 4;

/// What a [`Shaft`] instance draws.
pub mod shaft_kind {
    /// A piece of the pigmented shaft in the skin, drawn through the depth optics.
    pub const SEGMENT: u32 = 0;
    /// The follicle opening: a small dark pit at the surface.
    pub const OPENING: u32 = 1;
}

/// One piece of a hair under the skin on the GPU (`Shaft` in shaft.wgsl, the instance
/// attributes): an elongated footprint in the skin's tangent plane above it.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Shaft {
    /// The surface point above the piece's middle.
    pub centre: [f32; 3],
    /// Depth of the piece's middle under the surface, mm.
    pub depth_mm: f32,
    pub normal: [f32; 3],
    /// Across the footprint, mm (the shaft's diameter; the opening's).
    pub width_mm: f32,
    /// Unit tangent along the footprint (the hair's flow).
    pub axis: [f32; 3],
    /// Along the footprint, mm (the piece's length projected onto the skin).
    pub length_mm: f32,
    /// Absorptance across the shaft per channel (its melanin), or the opening's darkness.
    pub absorptance: [f32; 3],
    /// [`shaft_kind`].
    pub kind: u32,
}

/// Absorption gain of a shaft in the skin's diffuse light, over its projected cross-section
/// (a dot's is `optics::absorption_gain`, Smoluchowski's 4πDa capture of a small sphere). A
/// shaft is no sub-transport-length sink: it runs 3–4 mm, ~9 transport lengths, through the
/// dermis, so the diffuse field round it is depleted along its whole length; the cylinder's
/// diffusion-limited capture, 2πD/ln(ℓ*/a) per length, with the dots' build-up would give it
/// ~×12 at depth and a razor-shaved zone ~30% darker than bald skin, four times what a
/// shaved head shows (docs/design.md §3.6). The shaft is drawn with its geometric shadow.
pub const SHAFT_GAIN: f32 = 1.0;

/// Pieces each shaft is drawn in, each at its own mid depth: a Gaussian along each piece with
/// σ = half its length leaves a ripple of ~1% along the shaft.
pub const SHAFT_PIECES: usize = 4;
/// The bulb: a wider pigmented knob at the deep end, diameter relative to the shaft's.
pub const BULB_WIDTH: f32 = 2.5;
/// The bulb's length along the follicle, mm.
pub const BULB_MM: f32 = 0.3;
/// The follicle opening's diameter relative to the shaft (the infundibulum round it) and its
/// darkness: a shallow shadowed pit that shows only at close range.
pub const OPENING_WIDTH: f32 = 1.6;
pub const OPENING_DARKNESS: f32 = 0.25;

/// Where the crown whorl sits: a little behind and below the vertex (the top of the skull).
pub fn whorl(head: &crate::head::Head) -> Vec3 {
    let lm = &head.landmarks;
    let back = (lm.occipital - lm.vertex).normalize_or_zero();
    lm.vertex + back * 40.0 + Vec3::new(6.0, 0.0, 0.0)
}

/// The direction hair grows along the skin at `p` (unit, tangent to `n`).
pub fn flow(p: Vec3, n: Vec3, whorl: Vec3) -> Vec3 {
    let tangent = |v: Vec3| (v - v.dot(n) * n).normalize_or_zero();
    let radial = tangent(p - whorl);
    // Clockwise whorl seen from above: a spiral component that dies away from the crown.
    let dist = (p - whorl).length();
    let swirl = 1.1 * (-dist / 35.0).exp();
    let spiral = n.cross(radial);
    let mut dir = radial * swirl.cos() + spiral * swirl.sin();
    // On the sides and the back (normal near horizontal) hair falls downward.
    let side = (1.0 - n.y.abs()).clamp(0.0, 1.0);
    let down = tangent(Vec3::NEG_Y);
    dir = (dir + down * (1.4 * side * side)).normalize_or_zero();
    if dir == Vec3::ZERO {
        tangent(Vec3::Z)
    } else {
        dir
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flow_is_tangent_and_points_forward_on_top_and_down_on_the_sides() {
        let whorl = Vec3::new(0.0, 100.0, -40.0);
        // Front of the top of the head, normal up-forward: hair runs forward.
        let n = Vec3::new(0.0, 0.9, 0.44).normalize();
        let d = flow(Vec3::new(0.0, 95.0, 40.0), n, whorl);
        assert!(d.dot(n).abs() < 1e-5 && d.z > 0.5, "{d}");
        // Side of the head, normal +X: hair runs down.
        let d = flow(Vec3::new(75.0, 40.0, 0.0), Vec3::X, whorl);
        assert!(d.x.abs() < 1e-5 && d.y < -0.5, "{d}");
    }

    #[test]
    fn dark_hair_absorbs_most_light_and_white_hair_almost_none() {
        let dark = shaft_absorptance(crate::optics::srgb_to_linear([46, 35, 32]));
        assert!(dark.iter().all(|a| (0.7..0.9).contains(a)), "{dark:?}");
        let white = shaft_absorptance(WHITE_HAIR_ALBEDO);
        assert!(white.iter().all(|a| *a < 1e-4), "{white:?}");
    }

    #[test]
    fn razor_reads_back_as_zero_and_is_written_as_razor() {
        let s: HairSettings = toml::from_str("shave_mm = \"razor\"").unwrap();
        assert_eq!(s.shave_mm, 0.0);
        let text = toml::to_string(&s).unwrap();
        assert!(text.contains("shave_mm = \"razor\""), "{text}");
        let s: HairSettings = toml::from_str("shave_mm = 1").unwrap();
        assert_eq!(s.shave_mm, 1.0);
        assert!(toml::from_str::<HairSettings>("shave_mm = \"buzz\"").is_err());
    }
}
