//! The counter-based integer hash every random choice comes from. The same functions exist in
//! `shaders/shared/hash.wgsl`; a dot is a pure function of (seed, dot id), so the CPU reference can
//! reproduce any one dot and every adapter draws the same dots.

/// PCG-style 32-bit hash (Jarzynski & Olano 2020, "Hash Functions for GPU Rendering").
#[inline]
pub fn pcg(v: u32) -> u32 {
    let state = v.wrapping_mul(747_796_405).wrapping_add(2_891_336_453);
    let word = ((state >> ((state >> 28) + 4)) ^ state).wrapping_mul(277_803_737);
    (word >> 22) ^ word
}

/// Independent random streams of one dot: stream `s` of id `id` under `seed`.
#[inline]
pub fn rand_u32(seed: u32, id: u32, stream: u32) -> u32 {
    pcg(pcg(id ^ pcg(seed)).wrapping_add(stream.wrapping_mul(0x9E37_79B9)))
}

/// Uniform in [0, 1) with 24 bits, exactly representable in f32 on every device.
#[inline]
pub fn to_unit(h: u32) -> f32 {
    (h >> 8) as f32 * (1.0 / 16_777_216.0)
}

#[inline]
pub fn rand01(seed: u32, id: u32, stream: u32) -> f32 {
    to_unit(rand_u32(seed, id, stream))
}

/// High 32 bits of a 32×32 product, done with 16-bit halves exactly as the WGSL version
/// (WGSL has no 64-bit integers). Maps a uniform u32 onto [0, n) without modulo bias.
#[inline]
pub fn mul_hi(a: u32, b: u32) -> u32 {
    let (a_lo, a_hi) = (a & 0xFFFF, a >> 16);
    let (b_lo, b_hi) = (b & 0xFFFF, b >> 16);
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let cross = (lo_lo >> 16) + (hi_lo & 0xFFFF) + (lo_hi & 0xFFFF);
    hi_hi + (hi_lo >> 16) + (lo_hi >> 16) + (cross >> 16)
}

/// Hash of an integer lattice node (grid spacing, patchy density, the hair-root grid);
/// `lattice_key` in shaders/shared/hash.wgsl.
#[inline]
pub fn lattice_key(x: i32, y: i32, z: i32) -> u32 {
    pcg((x as u32).wrapping_mul(73_856_093)
        ^ (y as u32).wrapping_mul(19_349_663)
        ^ (z as u32).wrapping_mul(83_492_791))
}

/// The one registry of hash streams: each random decision has its own, so adding one never
/// shifts another. The WGSL prelude (src/shaders/prelude.rs) writes every entry of [`ALL`] as
/// `STREAM_<NAME>`, so the passes never spell a stream number.
pub mod stream {
    /// Generation of a dot (ids are candidate ids).
    pub const TRIANGLE: u32 = 0;
    pub const BARY_U: u32 = 1;
    pub const BARY_V: u32 = 2;
    pub const THIN: u32 = 3;
    pub const PRIORITY: u32 = 4;
    pub const SESSION: u32 = 5;
    pub const DEPTH_A: u32 = 6;
    pub const DEPTH_B: u32 = 7;
    pub const DIAM_A: u32 = 8;
    pub const DIAM_B: u32 = 9;
    pub const PIGMENT_A: u32 = 10;
    pub const PIGMENT_B: u32 = 11;
    pub const SHADE: u32 = 12;
    /// Which dots a per-dot technique error hits (src/technique.rs).
    pub const ERROR: u32 = 13;
    /// Grid spacing: the jitter of a lattice node (ids are node keys, not dot ids).
    pub const GRID_U: u32 = 14;
    pub const GRID_V: u32 = 15;
    /// Grid spacing: density thinning per lattice node.
    pub const GRID_THIN: u32 = 16;
    // Appearance and existing hair (numbered from 20, apart from the generation streams).
    /// The day a dot's scab flakes off.
    pub const FLAKE: u32 = 20;
    pub const HAIR_PICK: u32 = 21;
    pub const HAIR_U: u32 = 22;
    pub const HAIR_V: u32 = 23;
    pub const HAIR_LENGTH: u32 = 24;
    pub const HAIR_ANGLE: u32 = 25;
    pub const HAIR_TONE: u32 = 26;
    /// Offset of the zone lookup that dithers the border between zones of hair.
    pub const HAIR_BORDER: u32 = 27;
    /// Follicular units (src/hair/grow.rs): how many hairs a unit holds, where each hair
    /// opens round the unit's centre (angle, distance), how long its shaft is under the skin,
    /// its diameter, its regrowth rate, whether it is grey, and its curl.
    pub const HAIR_UNIT: u32 = 28;
    pub const HAIR_OFFSET_ANGLE: u32 = 29;
    pub const HAIR_OFFSET_MM: u32 = 30;
    pub const HAIR_SHAFT: u32 = 31;
    pub const HAIR_DIAMETER: u32 = 32;
    pub const HAIR_GROWTH: u32 = 33;
    pub const HAIR_GREY: u32 = 34;
    pub const HAIR_CURL: u32 = 35;
    pub const HAIR_TWIST: u32 = 36;
    /// Whether a hair is resting (telogen).
    pub const HAIR_PHASE: u32 = 37;
    /// Patchy density's noise fields (ids are lattice keys): the one every session shares …
    pub const PATCHY_COMMON: u32 = 40;
    /// … and each session's own, `PATCHY_SESSION + session` (up to `ageing::MAX_SESSIONS`).
    pub const PATCHY_SESSION: u32 = 41;
    /// Scars (ids are FUE cell keys or strip wave knots).
    pub const FUE_U: u32 = 50;
    pub const FUE_V: u32 = 51;
    pub const FUE_SIZE: u32 = 52;
    pub const STRIP: u32 = 53;
    /// The skin's surface (render/skin.rs; ids are lattice keys): pores (one per cell), the
    /// sebum's low-frequency variation, the fine relief's octaves (each offset in space, not
    /// in id) and the network of skin lines.
    pub const SKIN_PORE: u32 = 60;
    pub const SKIN_SEBUM: u32 = 61;
    pub const SKIN_RELIEF: u32 = 62;
    pub const SKIN_LINES: u32 = 63;
    /// The hairline's micro zig-zag along its arc (ids are knots), two octaves:
    /// `HAIRLINE_ZIGZAG + octave` (CPU only: the boundary reaches the GPU as a table).
    pub const HAIRLINE_ZIGZAG: u32 = 100;

    /// Every stream by name, for the WGSL prelude and the uniqueness test.
    pub const ALL: [(&str, u32); 46] = [
        ("TRIANGLE", TRIANGLE),
        ("BARY_U", BARY_U),
        ("BARY_V", BARY_V),
        ("THIN", THIN),
        ("PRIORITY", PRIORITY),
        ("SESSION", SESSION),
        ("DEPTH_A", DEPTH_A),
        ("DEPTH_B", DEPTH_B),
        ("DIAM_A", DIAM_A),
        ("DIAM_B", DIAM_B),
        ("PIGMENT_A", PIGMENT_A),
        ("PIGMENT_B", PIGMENT_B),
        ("SHADE", SHADE),
        ("ERROR", ERROR),
        ("GRID_U", GRID_U),
        ("GRID_V", GRID_V),
        ("GRID_THIN", GRID_THIN),
        ("FLAKE", FLAKE),
        ("HAIR_PICK", HAIR_PICK),
        ("HAIR_U", HAIR_U),
        ("HAIR_V", HAIR_V),
        ("HAIR_LENGTH", HAIR_LENGTH),
        ("HAIR_ANGLE", HAIR_ANGLE),
        ("HAIR_TONE", HAIR_TONE),
        ("HAIR_BORDER", HAIR_BORDER),
        ("HAIR_UNIT", HAIR_UNIT),
        ("HAIR_OFFSET_ANGLE", HAIR_OFFSET_ANGLE),
        ("HAIR_OFFSET_MM", HAIR_OFFSET_MM),
        ("HAIR_SHAFT", HAIR_SHAFT),
        ("HAIR_DIAMETER", HAIR_DIAMETER),
        ("HAIR_GROWTH", HAIR_GROWTH),
        ("HAIR_GREY", HAIR_GREY),
        ("HAIR_CURL", HAIR_CURL),
        ("HAIR_TWIST", HAIR_TWIST),
        ("HAIR_PHASE", HAIR_PHASE),
        ("PATCHY_COMMON", PATCHY_COMMON),
        ("PATCHY_SESSION", PATCHY_SESSION),
        ("FUE_U", FUE_U),
        ("FUE_V", FUE_V),
        ("FUE_SIZE", FUE_SIZE),
        ("STRIP", STRIP),
        ("SKIN_PORE", SKIN_PORE),
        ("SKIN_SEBUM", SKIN_SEBUM),
        ("SKIN_RELIEF", SKIN_RELIEF),
        ("SKIN_LINES", SKIN_LINES),
        ("HAIRLINE_ZIGZAG", HAIRLINE_ZIGZAG),
    ];
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ageing::MAX_SESSIONS;

    #[test]
    fn stream_ids_never_overlap() {
        // Each id once, and none inside the per-session patchy range.
        let mut ids: Vec<u32> = stream::ALL.iter().map(|(_, v)| *v).collect();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), stream::ALL.len());
        let sessions = stream::PATCHY_SESSION..stream::PATCHY_SESSION + MAX_SESSIONS as u32;
        for (name, v) in stream::ALL {
            assert!(
                name == "PATCHY_SESSION" || !sessions.contains(&v),
                "{name} = {v} lies in the per-session patchy streams"
            );
        }
    }

    #[test]
    fn mul_hi_matches_u64() {
        let mut x = 12345u32;
        for _ in 0..100_000 {
            x = pcg(x);
            let y = pcg(x ^ 0xABCD);
            assert_eq!(mul_hi(x, y), ((x as u64 * y as u64) >> 32) as u32);
        }
        assert_eq!(mul_hi(u32::MAX, u32::MAX), u32::MAX - 1);
    }

    #[test]
    fn unit_values_are_uniform_and_in_range() {
        let n = 200_000;
        let mut buckets = [0u32; 10];
        for i in 0..n {
            let u = rand01(7, i, 3);
            assert!((0.0..1.0).contains(&u));
            buckets[(u * 10.0) as usize] += 1;
        }
        for b in buckets {
            let expected = n as f32 / 10.0;
            assert!((b as f32 - expected).abs() < 0.03 * expected, "{buckets:?}");
        }
    }

    #[test]
    fn streams_are_independent() {
        // Correlation between two streams of the same ids is near zero.
        let n = 100_000;
        let (mut sx, mut sy, mut sxy) = (0.0f64, 0.0f64, 0.0f64);
        for i in 0..n {
            let x = rand01(1, i, 1) as f64 - 0.5;
            let y = rand01(1, i, 2) as f64 - 0.5;
            sx += x * x;
            sy += y * y;
            sxy += x * y;
        }
        assert!((sxy / (sx * sy).sqrt()).abs() < 0.01);
    }
}
