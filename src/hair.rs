//! Existing hair: the client's remaining hair shaved to stubble (issue "Looks real", part 4), so
//! SMP can be judged blending into it (thinning clients, women, transplant patients).
//!
//! Hairs grow where the scalp is (above the hairline boundary of [`Zone`]), at the natural
//! density times the plan's fraction for each zone, ramping in across the hairline band like
//! the dots. Each hair is a short straight shaft leaving the skin at a shallow angle along the
//! scalp's natural flow: radially away from a clockwise crown whorl (forward on the top, down
//! the sides and the back), bent toward "down" on the sides. Everything is drawn from the seeded
//! hash of (seed, hair id), so the same plan always grows the same hairs.
use crate::hash::{rand01, stream};
use crate::head::Head;
use crate::zone::{Zone, ZoneId, ZoneSample};
use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use serde::{Deserialize, Serialize};

/// Plan section `[hair]`.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HairSettings {
    /// Draw the hair the client still has (off for a fully bald head).
    pub enabled: bool,
    /// Shaved hair colour: a name in `optics::HAIR_COLOURS` or "#rrggbb".
    pub color: String,
    /// Natural density, hairs per cm².
    pub density_per_cm2: f32,
    /// Stubble length, mm.
    pub length_mm: f32,
    /// Shaft diameter, mm.
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
        HairSettings {
            enabled: false,
            color: "dark-brown".into(),
            density_per_cm2: 200.0,
            length_mm: 1.0,
            diameter_mm: 0.08,
            hairline: 0.0,
            top: 0.0,
            crown: 0.0,
            sides: 1.0,
            back: 1.0,
        }
    }
}

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
}

/// One hair on the GPU (`Hair` in hair.wgsl, the instance attributes).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Hair {
    pub root: [f32; 3],
    pub diameter_mm: f32,
    pub tip: [f32; 3],
    /// Brightness of this hair relative to the plan's colour (hairs differ a little).
    pub tone: f32,
}

/// Leaving angle above the skin, radians: shaved stubble stands up more than long hair lies.
const ELEVATION: (f32, f32) = (0.35, 0.75);
/// Width over which the hair of one zone gives way to the next's, mm.
const BORDER_MM: f32 = 24.0;
/// Length jitter: each hair is 70–130% of the plan's length (regrowth is uneven).
const LENGTH_JITTER: f32 = 0.3;

/// Where the crown whorl sits: a little behind and below the vertex (the top of the skull).
pub fn whorl(head: &Head) -> Vec3 {
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

/// Grows the hairs of a plan on a head (CPU; ~100k hairs in well under a second).
pub fn grow(head: &Head, zone: &Zone, settings: &HairSettings, seed: u32) -> Vec<Hair> {
    if !settings.enabled {
        return Vec::new();
    }
    let mesh = &head.mesh;
    let per_mm2 = settings.density_per_cm2 / 100.0;
    let w = whorl(head);
    let max_cov = ZoneId::ALL
        .iter()
        .map(|&z| settings.coverage(z))
        .fold(0.0f32, f32::max);
    if max_cov <= 0.0 {
        return Vec::new();
    }
    let mut out = Vec::new();
    for t in 0..mesh.triangle_count() {
        let [a, b, c] = mesh.triangle(t);
        // Only the scalp: the zone's boundary is the natural hairline all round.
        let centroid = (a + b + c) / 3.0;
        if zone.sample(centroid).above_mm < -2.0 * zone.band_width() {
            continue;
        }
        let expected = mesh.triangle_area(t) * per_mm2 * max_cov;
        let base = (t as u32).wrapping_mul(64);
        let count = expected.floor() as u32
            + u32::from(rand01(seed, base, stream::HAIR_PICK) < expected.fract());
        let normals: [Vec3; 3] =
            std::array::from_fn(|k| mesh.normals[mesh.indices[3 * t + k] as usize]);
        for k in 0..count.min(63) {
            let id = base + 1 + k;
            let (mut u, mut v) = (
                rand01(seed, id, stream::HAIR_U),
                rand01(seed, id, stream::HAIR_V),
            );
            if u + v > 1.0 {
                (u, v) = (1.0 - u, 1.0 - v);
            }
            let p = a + (b - a) * u + (c - a) * v;
            // Zones meet along hard lines; natural hair thins out over a centimetre or so.
            // Looking the zone up a random few millimetres away dithers the border.
            let jitter = Vec3::new(
                rand01(seed, id, stream::HAIR_BORDER) - 0.5,
                rand01(seed, id ^ 0x4000_0000, stream::HAIR_BORDER) - 0.5,
                rand01(seed, id ^ 0x8000_0000, stream::HAIR_BORDER) - 0.5,
            ) * BORDER_MM;
            let s_here = zone.sample(p);
            let s_near = zone.sample(p + jitter);
            let s = ZoneSample {
                zone: s_near.zone,
                ..s_here
            };
            // Thin to this spot's density: its zone's fraction, ramping in over the band.
            let keep = if s.above_mm > 0.0 {
                settings.coverage(s.zone) * s.ramp / max_cov
            } else {
                0.0
            };
            if rand01(seed, id, stream::HAIR_PICK) >= keep {
                continue;
            }
            let n =
                (normals[0] * (1.0 - u - v) + normals[1] * u + normals[2] * v).normalize_or_zero();
            if n == Vec3::ZERO {
                continue;
            }
            let dir = flow(p, n, w);
            let e =
                ELEVATION.0 + (ELEVATION.1 - ELEVATION.0) * rand01(seed, id, stream::HAIR_ANGLE);
            let len = settings.length_mm
                * (1.0 + LENGTH_JITTER * (2.0 * rand01(seed, id, stream::HAIR_LENGTH) - 1.0));
            let tip = p + (dir * e.cos() + n * e.sin()) * len;
            out.push(Hair {
                root: p.into(),
                diameter_mm: settings.diameter_mm,
                tip: tip.into(),
                tone: 0.8 + 0.4 * rand01(seed, id, stream::HAIR_TONE),
            });
        }
    }
    out
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
}
