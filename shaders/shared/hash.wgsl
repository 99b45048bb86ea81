// The counter-based integer hash (mirrors src/hash.rs; its stream ids are STREAM_* in the
// prelude).

fn pcg(v: u32) -> u32 {
    let state = v * 747796405u + 2891336453u;
    let word = ((state >> ((state >> 28u) + 4u)) ^ state) * 277803737u;
    return (word >> 22u) ^ word;
}

fn rand_u32(seed: u32, id: u32, s: u32) -> u32 {
    return pcg(pcg(id ^ pcg(seed)) + s * 0x9E3779B9u);
}

fn to_unit(h: u32) -> f32 {
    return f32(h >> 8u) * (1.0 / 16777216.0);
}

fn rand01(seed: u32, id: u32, s: u32) -> f32 {
    return to_unit(rand_u32(seed, id, s));
}

fn mul_hi(a: u32, b: u32) -> u32 {
    let a_lo = a & 0xFFFFu;
    let a_hi = a >> 16u;
    let b_lo = b & 0xFFFFu;
    let b_hi = b >> 16u;
    let lo_lo = a_lo * b_lo;
    let hi_lo = a_hi * b_lo;
    let lo_hi = a_lo * b_hi;
    let hi_hi = a_hi * b_hi;
    let cross = (lo_lo >> 16u) + (hi_lo & 0xFFFFu) + (lo_hi & 0xFFFFu);
    return hi_hi + (hi_lo >> 16u) + (lo_hi >> 16u) + (cross >> 16u);
}

// Hash of an integer lattice node (mirrors hash::lattice_key).
fn lattice_key(x: i32, y: i32, z: i32) -> u32 {
    return pcg((bitcast<u32>(x) * 73856093u) ^ (bitcast<u32>(y) * 19349663u) ^ (bitcast<u32>(z) * 83492791u));
}
