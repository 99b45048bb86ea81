// The dot stage's GPU mirrors (src/dots/mod.rs `Dot`, `GenParams`; src/dots/generate.rs
// `Vertex`). Dot.flags: the session (DOTS_SESSION_MASK), the zone id from DOTS_ZONE_SHIFT
// (DOTS_ZONE_MASK), the scar-tissue bit (DOTS_SCAR_TISSUE_BIT), the exposure from
// DOTS_EXPOSURE_SHIFT (fixed point, DOTS_EXPOSURE_STEPS per unit).

struct Dot {
    position: vec3f,
    depth_mm: f32,
    normal: vec3f,
    diameter_mm: f32,
    pigment: f32,
    shade: f32,
    id: u32,
    flags: u32,
}

struct Vertex {
    position: vec4f,
    normal: vec4f,
}

struct GenParams {
    seed: u32,
    cand_start: u32,
    cand_count: u32,
    tri_start: u32,
    tri_end: u32,
    work_count: u32,
    work_tris: u32,
    session_count: u32,
    alpha: f32,
    _pad0: u32,
    depth_mm: f32,
    depth_jitter_mm: f32,
    diameter_mm: f32,
    diameter_jitter: f32,
    shade: f32,
    lighter_first_steps: f32,
    // Cumulative session shares, four a row (uniform arrays hold 16-byte elements).
    session_cum: array<vec4f, 2>,
    cell_size: f32,
    bucket_mask: u32,
    _pad: vec2u,
    // Technique errors (src/technique.rs); neutral for correct work.
    big_factor: f32,
    big_zone_mask: u32,
    deep_fraction: f32,
    deep_depth_mm: f32,
    deep_jitter_mm: f32,
    shallow_fraction: f32,
    shallow_depth_mm: f32,
    shallow_jitter_mm: f32,
    grid_pitch_mm: f32,
    grid_jitter: f32,
    patchy: f32,
    patchy_missed: f32,
}
