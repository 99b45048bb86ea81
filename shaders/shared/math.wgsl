// Shared maths (mirrors src/math.rs; `smoothstep` is WGSL's builtin, the same expression).

fn smooth01(t: f32) -> f32 {
    let x = clamp(t, 0.0, 1.0);
    return x * x * (3.0 - 2.0 * x);
}
