//! Hair-transplant scars and the SMP that camouflages them.
//!
//! Two kinds, both on the donor area at the back and sides of the head:
//! - a linear strip scar (FUT): a band 10–25 cm long and 2–10 mm wide across the back of the
//!   head, slightly curved up toward the ears, its width wavering and tapering at the ends;
//! - FUE scars: hundreds to thousands of round pale dots 0.8–1 mm across, one per harvested
//!   graft, spread over the donor band.
//!
//! Scar tissue differs from the skin around it in three ways the engine draws:
//! - paler: mature scars are hypopigmented (fewer working melanocytes) and hypovascular, and
//!   their dense, parallel collagen scatters more, so they read whitish against the scalp;
//! - smoother: no follicles, pores or fine relief, a flattened epidermis, so the sheen is
//!   tighter and there is no texture to break it up;
//! - less pigment-retaining: fibrous, poorly vascularised tissue takes up a smaller share of
//!   each deposit and clears it faster.
//!
//! Those three are model assumptions with round numbers (the constants below), not measured
//! optics; they are stated so that a clinic can judge them.
//!
//! Everything here is procedural and the same on the CPU and the GPU (`scar_*` in
//! shaders/shared/scar.wgsl): the generator asks "is this in a scar zone / in scar tissue?" per dot, the
//! skin pass per pixel.
use crate::hash::{pcg, rand01};
use crate::head::Landmarks;
use crate::math::{smooth01 as smooth, smoothstep};
use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use serde::{Deserialize, Serialize};
use std::f32::consts::PI;

/// Plan section `[scars]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ScarSettings {
    /// Length of a linear strip scar across the back of the head, mm (0: none).
    pub strip_length_mm: f32,
    /// Its width, mm.
    pub strip_width_mm: f32,
    /// Height of its middle relative to the occipital point, mm (negative: below it).
    pub strip_height_mm: f32,
    /// Number of FUE punch scars over the donor band (0: none).
    pub fue_count: u32,
    /// Their diameter, mm.
    pub fue_diameter_mm: f32,
    /// SMP dots per cm² over the scars and a margin round them.
    pub density: f32,
    /// Dilution step of the ink over the scars (0: `dots.shade`).
    pub shade: f32,
    /// Sessions the scars are worked in: the first this many of `sessions.count` (0: all).
    pub sessions: u32,
    /// Treat the scars alone (a client who keeps their hair); false: the scars are a zone of
    /// a full-scalp treatment.
    pub only: bool,
}

impl Default for ScarSettings {
    fn default() -> Self {
        ScarSettings {
            strip_length_mm: 0.0,
            strip_width_mm: 5.0,
            strip_height_mm: -15.0,
            fue_count: 0,
            fue_diameter_mm: 0.9,
            density: 90.0,
            shade: 0.0,
            sessions: 0,
            only: false,
        }
    }
}

impl ScarSettings {
    pub fn any(&self) -> bool {
        self.strip_length_mm > 0.0 || self.fue_count > 0
    }
}

/// Share of a deposit scar tissue takes up and holds, relative to normal dermis.
pub const RETENTION: f32 = 0.7;
/// How much faster scar tissue clears pigment than normal dermis (multiplies the clearance).
/// Scar tissue (few, disordered capillaries and fibroblasts, no adnexa) clears ink fast enough
/// that practitioners touch scars up every 1–2 years instead of 3–6: a strip scar keeps 75–85%
/// of its healed darkening six months on where normal scalp keeps 85–95% (measured on the strip
/// scar's pixels, tests/gpu/darkening.rs; with 1.6 the scar kept about as much as normal skin,
/// since the back of the head sees little sun).
pub const CLEARANCE_FACTOR: f32 = 3.5;
/// Melanin of scar tissue relative to the client's skin (hypopigmentation).
pub const MELANIN_SCALE: f32 = 0.35;
/// Albedo of scar dermis under a melanin-free epidermis: less blood than normal dermis
/// (`optics::DERMIS_ALBEDO` 0.80, 0.55, 0.50), more collagen scatter.
pub const DERMIS_ALBEDO: [f32; 3] = [0.84, 0.68, 0.63];
/// Roughness of the scar's surface sheen (normal skin's sebum layer: 0.42).
pub const ROUGHNESS: f32 = 0.27;
/// SMP goes this far past a strip scar's edges and ends, mm, so the scar's border is covered.
pub const MARGIN_MM: f32 = 3.0;
/// Over this distance the scar zone's density ramps up from its edge, mm.
pub const ZONE_EDGE_MM: f32 = 2.0;
/// A strip scar narrows to nothing over this length at each end, mm.
pub const TAPER_MM: f32 = 14.0;
/// Relative waviness of the strip's width (value noise along it, ~15 mm wavelength).
pub const WAVINESS: f32 = 0.3;
pub const WAVE_MM: f32 = 15.0;
/// How far a strip's ends curve up toward the ears, mm.
const CURVE_MM: f32 = 10.0;
/// The FUE donor band: from this far below the ear tops …
const FUE_BELOW_EAR_MM: f32 = 10.0;
/// … to this far above the occipital point, …
const FUE_ABOVE_OCCIPITAL_MM: f32 = 25.0;
/// … and this far round from the back on each side (from behind one ear to behind the other).
const FUE_HALF_SPAN_DEG: f32 = 110.0;
/// Hash streams of the scars (apart from the dots' and hairs').
pub use crate::hash::stream::{
    FUE_SIZE as STREAM_FUE_SIZE, FUE_U as STREAM_FUE_U, FUE_V as STREAM_FUE_V,
    STRIP as STREAM_STRIP,
};

/// GPU mirror (`ScarGpu` in shaders/shared/scar.wgsl), built by [`Scars::to_gpu`]. 80 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable, PartialEq)]
pub struct ScarGpu {
    /// x, z: the vertical axis azimuths are measured round; y: the horizontal radius FUE cells
    /// are laid out at (mm); w: the seed's bits.
    pub frame: [f32; 4],
    /// Strip: height of its middle (mm), half length (mm, 0: none), half width (mm), how far
    /// its ends curve up (mm).
    pub strip: [f32; 4],
    /// FUE: cell size (mm), scar radius (mm), lowest and highest height of the band (mm).
    pub fue: [f32; 4],
    /// FUE: 1 when there are any, the band's half span round the back (rad); z, w unused.
    pub fue_band: [f32; 4],
    /// x: zone margin past the strip (mm); y: zone edge ramp (mm); z, w unused.
    pub zone: [f32; 4],
}

/// A strip scar on a head.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Strip {
    /// Height of its middle, mm.
    pub mid_y: f32,
    /// Half its length along the arc, mm (0: no strip).
    pub half_length_mm: f32,
    pub half_width_mm: f32,
    /// How far its ends curve up, mm.
    pub curve_mm: f32,
}

/// The FUE scars' donor band on a head: one scar per cell.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct FueBand {
    /// Whether there are any.
    pub any: bool,
    /// Cell edge, mm.
    pub cell_mm: f32,
    /// A scar's radius, mm.
    pub radius_mm: f32,
    /// Lowest and highest height of the band, mm.
    pub y_lo: f32,
    pub y_hi: f32,
    /// Half its span round the back, rad.
    pub half_span: f32,
}

/// The scars of a plan on a head (CPU side; [`Scars::to_gpu`] for the shaders).
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Scars {
    /// The vertical axis azimuths are measured round (x, z; y unused).
    pub centre: Vec3,
    /// The horizontal radius FUE cells are laid out at, mm.
    pub radius_mm: f32,
    pub seed: u32,
    pub strip: Strip,
    pub fue: FueBand,
    /// Zone margin past the strip, mm.
    pub margin_mm: f32,
    /// Zone edge ramp, mm.
    pub zone_edge_mm: f32,
}

impl Scars {
    /// The scars of `s` on a head with these landmarks; `centre` is the zone's axis (x, z).
    pub fn new(s: &ScarSettings, lm: &Landmarks, centre: Vec3, seed: u32) -> Scars {
        let back = lm.occipital - Vec3::new(centre.x, lm.occipital.y, centre.z);
        let r_ref = back.length().max(40.0);
        let ear_y = 0.5 * (lm.ear_top_left.y + lm.ear_top_right.y);
        let (y_lo, y_hi) = (
            ear_y - FUE_BELOW_EAR_MM,
            lm.occipital.y + FUE_ABOVE_OCCIPITAL_MM,
        );
        let half_span = FUE_HALF_SPAN_DEG.to_radians();
        // Cells of the size that gives `fue_count` scars over the band, one per cell.
        let band_area = 2.0 * half_span * r_ref * (y_hi - y_lo).max(1.0);
        let cell = if s.fue_count > 0 {
            (band_area / s.fue_count as f32).sqrt()
        } else {
            1.0
        };
        Scars {
            centre: Vec3::new(centre.x, 0.0, centre.z),
            radius_mm: r_ref,
            seed,
            strip: Strip {
                mid_y: lm.occipital.y + s.strip_height_mm,
                half_length_mm: 0.5 * s.strip_length_mm,
                half_width_mm: 0.5 * s.strip_width_mm,
                curve_mm: CURVE_MM,
            },
            fue: FueBand {
                any: s.fue_count > 0,
                cell_mm: cell,
                radius_mm: 0.5 * s.fue_diameter_mm,
                y_lo,
                y_hi,
                half_span,
            },
            margin_mm: MARGIN_MM,
            zone_edge_mm: ZONE_EDGE_MM,
        }
    }

    /// The GPU mirror, laid out as `Scars` in the shaders.
    pub fn to_gpu(&self) -> ScarGpu {
        let (st, f) = (&self.strip, &self.fue);
        ScarGpu {
            frame: [
                self.centre.x,
                self.radius_mm,
                self.centre.z,
                f32::from_bits(self.seed),
            ],
            strip: [st.mid_y, st.half_length_mm, st.half_width_mm, st.curve_mm],
            fue: [f.cell_mm, f.radius_mm, f.y_lo, f.y_hi],
            fue_band: [f.any as u32 as f32, f.half_span, 0.0, 0.0],
            zone: [self.margin_mm, self.zone_edge_mm, 0.0, 0.0],
        }
    }

    pub fn has_any(&self) -> bool {
        self.strip.half_length_mm > 0.0 || self.fue.any
    }

    /// Azimuth from the back of the head (rad, −π..π, positive toward the client's left), the
    /// horizontal radius (mm) and the height of `p`.
    fn polar(&self, p: Vec3) -> (f32, f32, f32) {
        let (dx, dz) = (p.x - self.centre.x, p.z - self.centre.z);
        // atan2(x, −z): 0 straight behind, +π/2 at the client's left.
        ((-dx).atan2(-dz), (dx * dx + dz * dz).sqrt(), p.y)
    }

    /// Middle height, half width and arc position (mm) of the strip where `p` lies.
    fn strip_at(&self, p: Vec3) -> (f32, f32, f32) {
        let (a, r, _) = self.polar(p);
        let Strip {
            mid_y: y0,
            half_length_mm: half_len,
            half_width_mm: half_w,
            curve_mm: curve,
        } = self.strip;
        let s = a * r;
        let t = s / half_len.max(1e-3);
        let mid = y0 + curve * t * t;
        // Width wavers along the scar and tapers to nothing at the ends.
        let u = s / WAVE_MM + 1000.0;
        let k = u.floor();
        let f = smooth(u - k);
        let n = |i: f32| rand01(self.seed, i as u32, STREAM_STRIP) * 2.0 - 1.0;
        let wave = n(k) + (n(k + 1.0) - n(k)) * f;
        let taper = ((half_len - s.abs()) / TAPER_MM).clamp(0.0, 1.0).sqrt();
        (mid, half_w * (1.0 + WAVINESS * wave) * taper, s)
    }

    /// Distance (mm) from `p` to the nearest FUE scar's centre minus its radius (negative
    /// inside), within the cell `p` falls in. Cells keep their scar a radius from their
    /// edges, so no other cell's scar can be nearer.
    fn fue_distance(&self, p: Vec3) -> f32 {
        let (a, r, y) = self.polar(p);
        let FueBand {
            any,
            cell_mm: cell,
            radius_mm: radius,
            y_lo,
            y_hi,
            half_span,
        } = self.fue;
        if !any || a.abs() > half_span || y < y_lo || y > y_hi {
            return f32::INFINITY;
        }
        let r_ref = self.radius_mm;
        let (u, v) = (a * r_ref / cell, (y - y_lo) / cell);
        let (i, j) = (u.floor(), v.floor());
        let key = fue_key(i as i32, j as i32);
        let seed = self.seed;
        let size = radius * (0.85 + 0.3 * rand01(seed, key, STREAM_FUE_SIZE));
        let room = (1.0 - 2.0 * size / cell).max(0.0);
        let cu = i + 0.5 + room * (rand01(seed, key, STREAM_FUE_U) - 0.5);
        let cv = j + 0.5 + room * (rand01(seed, key, STREAM_FUE_V) - 0.5);
        // Millimetres on the skin: along the arc at this point's own radius, and up.
        let ds = (u - cu) * cell * r / r_ref;
        let dy = (v - cv) * cell;
        (ds * ds + dy * dy).sqrt() - size
    }

    /// How much of `p` is scar tissue, 0–1 (soft over a tenth of a millimetre at the edges).
    /// Mirrors `scar_tissue` in shaders/shared/scar.wgsl.
    pub fn tissue(&self, p: Vec3) -> f32 {
        if !self.has_any() {
            return 0.0;
        }
        let mut t = 0.0f32;
        let (a, _, y) = self.polar(p);
        if self.strip.half_length_mm > 0.0 && a.abs() < 0.5 * PI {
            let (mid, half_w, _) = self.strip_at(p);
            t = 1.0 - smoothstep(half_w - 0.15, half_w + 0.15, (y - mid).abs());
        }
        let d = self.fue_distance(p);
        if d.is_finite() {
            t = t.max(1.0 - smoothstep(-0.08, 0.08, d));
        }
        t
    }

    /// How far inside the scars' treated zone `p` is, mm (negative or −∞ outside): the strip
    /// with a margin round it, and the whole FUE donor band. Mirrors `scar_zone_inside`.
    pub fn zone_inside_mm(&self, p: Vec3) -> f32 {
        if !self.has_any() {
            return f32::NEG_INFINITY;
        }
        let (a, r, y) = self.polar(p);
        let margin = self.margin_mm;
        let mut inside = f32::NEG_INFINITY;
        if self.strip.half_length_mm > 0.0 && a.abs() < 0.5 * PI {
            let (mid, half_w, s) = self.strip_at(p);
            let across = half_w.max(0.5 * self.strip.half_width_mm) + margin - (y - mid).abs();
            let along = self.strip.half_length_mm + margin - s.abs();
            inside = across.min(along);
        }
        if self.fue.any {
            let FueBand { y_lo, y_hi, .. } = self.fue;
            let band = (y - y_lo)
                .min(y_hi - y)
                .min((self.fue.half_span - a.abs()) * r);
            inside = inside.max(band);
        }
        inside
    }
}

/// Salt of the FUE cells' keys, so that they differ from the other lattices' (`lattice_key`).
pub const FUE_KEY_SALT: u32 = 0x5CA2;

/// Key of FUE cell (i, j) (as `fue_key` in shared/scar.wgsl).
fn fue_key(i: i32, j: i32) -> u32 {
    pcg((i as u32).wrapping_mul(73_856_093) ^ (j as u32).wrapping_mul(19_349_663) ^ FUE_KEY_SALT)
}

/// The skin layers of scar tissue on a client of skin `tone`: less melanin, paler dermis.
pub fn tissue_layers(tone: crate::optics::SkinTone) -> crate::optics::SkinLayers {
    let normal = crate::optics::skin_layers(tone.melanin_fraction() * MELANIN_SCALE);
    crate::optics::SkinLayers {
        dermal: std::array::from_fn(|c| {
            normal.dermal[c] * DERMIS_ALBEDO[c] / crate::optics::DERMIS_ALBEDO[c]
        }),
        epidermal: normal.epidermal,
    }
}

/// How many FUE scars the band holds (one per cell).
pub fn count_fue_scars(g: &Scars) -> u32 {
    let f = &g.fue;
    if !f.any {
        return 0;
    }
    let cols = (2.0 * f.half_span * g.radius_mm / f.cell_mm).round() as u32;
    let rows = ((f.y_hi - f.y_lo) / f.cell_mm).round() as u32;
    cols * rows
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lm() -> Landmarks {
        crate::head::Head::builtin().unwrap().landmarks
    }

    #[test]
    fn strip_is_as_long_and_wide_as_planned() {
        let lm = lm();
        let s = ScarSettings {
            strip_length_mm: 180.0,
            strip_width_mm: 6.0,
            ..Default::default()
        };
        let c = Vec3::new(0.0, 0.0, -2.4);
        let g = Scars::new(&s, &lm, c, 7);
        // Walk along the back at the strip's middle height, then across it at the midline.
        let r = 96.0;
        let at = |a: f32, y: f32| Vec3::new(c.x - r * a.sin(), y, c.z - r * a.cos());
        let y0 = g.strip.mid_y;
        let mut along = 0;
        for k in -200..=200 {
            let a = k as f32 * 0.01;
            let t = g.strip_at(at(a, 0.0)).0;
            if g.tissue(at(a, t)) > 0.5 {
                along += 1;
            }
        }
        let len = along as f32 * 0.01 * r;
        assert!((150.0..=185.0).contains(&len), "strip {len} mm long");
        let mut across = 0;
        for k in -200..=200 {
            if g.tissue(at(0.0, y0 + k as f32 * 0.05)) > 0.5 {
                across += 1;
            }
        }
        let w = across as f32 * 0.05;
        assert!((3.5..=8.5).contains(&w), "strip {w} mm wide");
        // The zone covers the scar and a margin.
        assert!(g.zone_inside_mm(at(0.0, y0)) > MARGIN_MM);
        assert!(g.zone_inside_mm(at(0.0, y0 + 20.0)) < 0.0);
        assert!(g.zone_inside_mm(at(PI, y0)) == f32::NEG_INFINITY);
    }

    #[test]
    fn fue_scars_come_in_the_planned_number_and_size() {
        let lm = lm();
        let s = ScarSettings {
            fue_count: 600,
            fue_diameter_mm: 0.9,
            ..Default::default()
        };
        let g = Scars::new(&s, &lm, Vec3::new(0.0, 0.0, -2.4), 3);
        let n = count_fue_scars(&g);
        assert!((540..=660).contains(&n), "{n} cells");
        // Sample a band patch finely: the tissue share equals count × area / band area.
        let r = g.radius_mm;
        let (mut hit, mut all) = (0u32, 0u32);
        for i in 0..400 {
            for j in 0..400 {
                let a = -0.5 + i as f32 * 0.0025;
                let y = g.fue.y_lo + 5.0 + j as f32 * 0.1;
                let p = Vec3::new(-r * a.sin(), y, -2.4 - r * a.cos());
                all += 1;
                hit += (g.tissue(p) > 0.5) as u32;
            }
        }
        let share = hit as f32 / all as f32;
        let cell = g.fue.cell_mm;
        let expect = PI * 0.45 * 0.45 / (cell * cell);
        assert!(
            (share / expect - 1.0).abs() < 0.25,
            "share {share}, expected {expect}"
        );
    }

    #[test]
    fn scar_skin_is_paler_than_the_skin_round_it() {
        for tone in crate::optics::SkinTone::ALL {
            let n = tone.layers().albedo();
            let s = tissue_layers(tone).albedo();
            let lum = |c: [f32; 3]| 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
            assert!(lum(s) > 1.05 * lum(n), "{tone:?}: {s:?} vs {n:?}");
        }
    }
}
