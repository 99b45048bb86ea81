//! Tiny maths shared by several stages, written once. The WGSL twins are the builtin
//! `smoothstep` and `smooth01` in shaders/shared/math.wgsl; both evaluate the same f32
//! expression, so the CPU references stay bit-identical to the passes.

/// Hermite step 3t² − 2t³ of `t` clamped to [0, 1].
#[inline]
pub fn smooth01(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// GLSL/WGSL `smoothstep`: 0 below `e0`, 1 above `e1`, [`smooth01`] between.
#[inline]
pub fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    smooth01((x - e0) / (e1 - e0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ends_and_middle() {
        assert_eq!(smooth01(-1.0), 0.0);
        assert_eq!(smooth01(2.0), 1.0);
        assert_eq!(smooth01(0.5), 0.5);
        assert_eq!(smoothstep(2.0, 4.0, 3.0), 0.5);
        assert_eq!(smoothstep(2.0, 4.0, 5.0), 1.0);
    }
}
