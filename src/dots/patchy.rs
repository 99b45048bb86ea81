//! The noise fields of the patchy-density error and the lattice hash they share with the grid
//! error and the hair grid (mirrored in generate.wgsl). What severity the field is used at is
//! decided once, when the plan is resolved (`crate::worked`); this is only the deposit-time maths.
pub use crate::hash::lattice_key;
use crate::hash::rand01;
use glam::Vec3;

/// Patchy density: cell of the value-noise lattice, mm: blotches ~1.5–3 cm across, what reads as
/// patchy at conversation distance.
pub const PATCHY_CELL_MM: f32 = 16.0;

/// Random-number streams of the noise fields: the common one, then one per session.
pub use crate::hash::stream::{
    PATCHY_COMMON as PATCHY_STREAM_COMMON, PATCHY_SESSION as PATCHY_STREAM_SESSION,
};

/// Smooth value noise in 0..1 over head space, lattice cell [`PATCHY_CELL_MM`].
pub fn value_noise(seed: u32, stream: u32, p: Vec3) -> f32 {
    let q = p / PATCHY_CELL_MM;
    let f = q.floor();
    let (ix, iy, iz) = (f.x as i32, f.y as i32, f.z as i32);
    let t = q - f;
    // t is in [0, 1): smooth01's clamp changes nothing.
    let s = crate::math::smooth01;
    let (sx, sy, sz) = (s(t.x), s(t.y), s(t.z));
    let v =
        |dx: i32, dy: i32, dz: i32| rand01(seed, lattice_key(ix + dx, iy + dy, iz + dz), stream);
    let lerp = |a: f32, b: f32, t: f32| a + (b - a) * t;
    let x00 = lerp(v(0, 0, 0), v(1, 0, 0), sx);
    let x10 = lerp(v(0, 1, 0), v(1, 1, 0), sx);
    let x01 = lerp(v(0, 0, 1), v(1, 0, 1), sx);
    let x11 = lerp(v(0, 1, 1), v(1, 1, 1), sx);
    lerp(lerp(x00, x10, sy), lerp(x01, x11, sy), sz)
}

/// Patchy density: the uneven hand's field for a dot of `session` at `p`, 0–1: the mean of a
/// field shared by every session (the practitioner's habits: an area they tend to under-work)
/// and the session's own.
pub fn patchy_field(seed: u32, session: u32, p: Vec3) -> f32 {
    let shared = value_noise(seed, PATCHY_STREAM_COMMON, p);
    let own = value_noise(seed, PATCHY_STREAM_SESSION + session, p);
    0.5 * (shared + own)
}

/// Patchy density, before spacing: how the uneven hand scales the candidates' thinning
/// probability, for unevenness `a` (0–1): between (1 − a) and (1 + a) times the planned
/// intensity where the field is low or high (the layout throws 1 + a times the candidates, so
/// this returns the factor over 1 + a).
pub fn patchy_intensity(seed: u32, session: u32, p: Vec3, a: f32) -> f32 {
    if a <= 0.0 {
        return 1.0;
    }
    let u = patchy_field(seed, session, p);
    (1.0 + a * (2.0 * u - 1.0)) / (1.0 + a)
}

/// Patchy density, after spacing: whether `session` missed the area at `p` (its field below
/// the threshold `missed`). Since the field is half shared, an area one session missed the
/// others tend to miss too: gaps, not just thin spots. A missed dot leaves a hole in the
/// spaced pattern.
pub fn patchy_missed(seed: u32, session: u32, p: Vec3, missed: f32) -> bool {
    missed > 0.0 && patchy_field(seed, session, p) < missed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn value_noise_is_smooth_and_spans_the_unit_interval() {
        let (mut lo, mut hi) = (1.0f32, 0.0f32);
        for i in 0..2000 {
            let p = glam::Vec3::new(
                i as f32 * 0.37,
                (i % 37) as f32 * 3.1,
                (i % 11) as f32 * 7.0,
            );
            let v = value_noise(3, 40, p);
            lo = lo.min(v);
            hi = hi.max(v);
            let w = value_noise(3, 40, p + glam::Vec3::splat(0.05));
            assert!((v - w).abs() < 0.05, "not smooth at {p}: {v} vs {w}");
        }
        assert!(lo < 0.15 && hi > 0.85, "{lo}..{hi}");
    }
}
