// Shared WGSL: the integer hash, GPU mirrors of the Rust structs, the treated-zone lookup.
// Every pass's module is `common.wgsl` + `<pass>.wgsl` (see src/shaders.rs).

// ---- hash (mirrors src/hash.rs) ----
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

const S_TRIANGLE: u32 = 0u;
const S_BARY_U: u32 = 1u;
const S_BARY_V: u32 = 2u;
const S_THIN: u32 = 3u;
const S_PRIORITY: u32 = 4u;
const S_SESSION: u32 = 5u;
const S_DEPTH_A: u32 = 6u;
const S_DEPTH_B: u32 = 7u;
const S_DIAM_A: u32 = 8u;
const S_DIAM_B: u32 = 9u;
const S_PIGMENT_A: u32 = 10u;
const S_PIGMENT_B: u32 = 11u;
const S_SHADE: u32 = 12u;
const S_FLAKE: u32 = 20u;
const S_ERROR: u32 = 13u;
const S_GRID_U: u32 = 14u;
const S_GRID_V: u32 = 15u;
const S_GRID_THIN: u32 = 16u;

// Hash of an integer lattice node (mirrors technique::lattice_key).
fn lattice_key(x: i32, y: i32, z: i32) -> u32 {
    return pcg((bitcast<u32>(x) * 73856093u) ^ (bitcast<u32>(y) * 19349663u) ^ (bitcast<u32>(z) * 83492791u));
}

const PI: f32 = 3.14159265358979;
const TAU: f32 = 6.28318530717959;

// ---- GPU mirrors ----
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

struct ZoneParams {
    center: vec4f,     // x, z: axis of φ; w: band width (mm)
    shape: vec4f,      // x: largest density (dots/mm²); y: top_y; z: crown_z; w: custom zones
    limits: vec4f,     // x: hairline depth (mm); y: front cos φ; z: back cos φ; w: table length
    patch_info: vec4f, // x: alopecia patches (0: none); y: their centre's height; z: soft edge (mm); w: scars only
    patches: array<vec4f, 16>, // per patch: (direction, width), (horizontal tangent, height)
    table: array<vec4f, 10>,   // per zone id: dots/mm², shade offset, sessions
    custom: array<vec4f, 32>,  // per custom zone 8 rows: (centre, corners), (tangent, 0), corners
    scars: Scars,
}

struct GenParams {
    seed: u32,
    cand_start: u32,
    cand_count: u32,
    tri_start: u32,
    tri_end: u32,
    cdf_base: u32,
    cdf_span: u32,
    session_count: u32,
    alpha: f32,
    inv_max_density: f32,
    depth_mm: f32,
    depth_jitter_mm: f32,
    diameter_mm: f32,
    diameter_jitter: f32,
    shade: f32,
    lighter_first_steps: f32,
    session_cum_a: vec4f,
    session_cum_b: vec4f,
    cell_size: f32,
    hash_mask: u32,
    obstacle_capacity: u32,
    pad: u32,
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

// ---- scars (mirrors src/scar.rs) ----
struct Scars {
    frame: vec4f,    // x, z: axis of the azimuth; y: radius of the FUE cells (mm); w: seed bits
    strip: vec4f,    // middle height, half length (0: none), half width, end curve (mm)
    fue: vec4f,      // cell size, scar radius, band's lowest and highest height (mm)
    fue_band: vec4f, // x: 1 when any; y: half span round the back (rad)
    zone: vec4f,     // x: margin past the strip (mm); y: zone edge ramp (mm)
}

const SCAR_TAPER_MM: f32 = 14.0;
const SCAR_WAVINESS: f32 = 0.3;
const SCAR_WAVE_MM: f32 = 15.0;
const S_FUE_U: u32 = 50u;
const S_FUE_V: u32 = 51u;
const S_FUE_SIZE: u32 = 52u;
const S_STRIP: u32 = 53u;

// Azimuth from the back of the head, horizontal radius, height.
fn scar_polar(s: Scars, p: vec3f) -> vec3f {
    let dx = p.x - s.frame.x;
    let dz = p.z - s.frame.z;
    return vec3f(atan2(-dx, -dz), sqrt(dx * dx + dz * dz), p.y);
}

// Middle height, half width and arc position of the strip where `p` lies.
fn scar_strip_at(s: Scars, p: vec3f) -> vec3f {
    let q = scar_polar(s, p);
    let seed = bitcast<u32>(s.frame.w);
    let arc = q.x * q.y;
    let t = arc / max(s.strip.y, 1e-3);
    let mid = s.strip.x + s.strip.w * t * t;
    let u = arc / SCAR_WAVE_MM + 1000.0;
    let k = floor(u);
    let f = smooth01(u - k);
    let n0 = rand01(seed, u32(k), S_STRIP) * 2.0 - 1.0;
    let n1 = rand01(seed, u32(k + 1.0), S_STRIP) * 2.0 - 1.0;
    let wave = n0 + (n1 - n0) * f;
    let taper = sqrt(clamp((s.strip.y - abs(arc)) / SCAR_TAPER_MM, 0.0, 1.0));
    return vec3f(mid, s.strip.z * (1.0 + SCAR_WAVINESS * wave) * taper, arc);
}

fn fue_key(i: i32, j: i32) -> u32 {
    return pcg((bitcast<u32>(i) * 73856093u) ^ (bitcast<u32>(j) * 19349663u) ^ 0x5CA2u);
}

// Distance to the nearest FUE scar's edge (negative inside), or 3.4e38 outside the band.
fn scar_fue_distance(s: Scars, p: vec3f) -> f32 {
    let q = scar_polar(s, p);
    if (s.fue_band.x < 0.5 || abs(q.x) > s.fue_band.y || q.z < s.fue.z || q.z > s.fue.w) {
        return 3.4e38;
    }
    let cell = s.fue.x;
    let u = q.x * s.frame.y / cell;
    let v = (q.z - s.fue.z) / cell;
    let i = floor(u);
    let j = floor(v);
    let key = fue_key(i32(i), i32(j));
    let seed = bitcast<u32>(s.frame.w);
    let size = s.fue.y * (0.85 + 0.3 * rand01(seed, key, S_FUE_SIZE));
    let room = max(1.0 - 2.0 * size / cell, 0.0);
    let cu = i + 0.5 + room * (rand01(seed, key, S_FUE_U) - 0.5);
    let cv = j + 0.5 + room * (rand01(seed, key, S_FUE_V) - 0.5);
    let ds = (u - cu) * cell * q.y / s.frame.y;
    let dy = (v - cv) * cell;
    return sqrt(ds * ds + dy * dy) - size;
}

// Whether there are any scars (ScarGpu::has_any).
fn scars_any(s: Scars) -> bool {
    return s.strip.y > 0.0 || s.fue_band.x > 0.5;
}

// How much of `p` is scar tissue, 0–1 (ScarGpu::tissue).
fn scar_tissue(s: Scars, p: vec3f) -> f32 {
    if (!scars_any(s)) {
        return 0.0;
    }
    var t = 0.0;
    let q = scar_polar(s, p);
    if (s.strip.y > 0.0 && abs(q.x) < 0.5 * PI) {
        let m = scar_strip_at(s, p);
        t = 1.0 - smoothstep(m.y - 0.15, m.y + 0.15, abs(q.z - m.x));
    }
    let d = scar_fue_distance(s, p);
    if (d < 1e30) {
        t = max(t, 1.0 - smoothstep(-0.08, 0.08, d));
    }
    return t;
}

// How far inside the scars' treated zone `p` is, mm (ScarGpu::zone_inside_mm).
fn scar_zone_inside(s: Scars, p: vec3f) -> f32 {
    if (!scars_any(s)) {
        return -3.4e38;
    }
    let q = scar_polar(s, p);
    var inside = -3.4e38;
    if (s.strip.y > 0.0 && abs(q.x) < 0.5 * PI) {
        let m = scar_strip_at(s, p);
        let across = max(m.y, 0.5 * s.strip.z) + s.zone.x - abs(q.z - m.x);
        let along = s.strip.y + s.zone.x - abs(m.z);
        inside = min(across, along);
    }
    if (s.fue_band.x > 0.5) {
        let band = min(min(q.z - s.fue.z, s.fue.w - q.z), (s.fue_band.y - abs(q.x)) * q.y);
        inside = max(inside, band);
    }
    return inside;
}

const ZONE_HAIRLINE: u32 = 0u;
const ZONE_TOP: u32 = 1u;
const ZONE_CROWN: u32 = 2u;
const ZONE_SIDES: u32 = 3u;
const ZONE_BACK: u32 = 4u;
const ZONE_SCAR: u32 = 5u;
// Dot.flags: bits 0–7 session, 8–14 zone, 15 scar tissue, 16–31 exposure.
const SCAR_TISSUE_BIT: u32 = 0x8000u;
const ZONE_CUSTOM: u32 = 6u;

fn smooth01(t: f32) -> f32 {
    let x = clamp(t, 0.0, 1.0);
    return x * x * (3.0 - 2.0 * x);
}

fn zone_density(z: ZoneParams, zone: u32) -> f32 {
    return z.table[min(zone, 9u)].x;
}

// ---- optics (mirrors src/optics.rs) ----
const OPTICS_DIFFUSION_MM: vec3f = vec3f(0.8, 0.4, 0.3);
const OPTICS_TRANSPORT_MFP_MM: f32 = 0.4;
const OPTICS_FLUENCE_BUILDUP: f32 = 2.5;
const OPTICS_INK_K: f32 = 0.35;

fn optics_reach(z: f32) -> vec3f {
    return 0.25 * exp(-z / OPTICS_DIFFUSION_MM) + 0.75 * exp(-z / (3.0 * OPTICS_DIFFUSION_MM));
}

// Per channel: `tone` scales the ink's optical density per channel (1, 1, 1 for neutral carbon
// black; see src/optics.rs ink_tone_scale).
fn optics_ink_transmittance(shade: f32, tone: vec3f) -> vec3f {
    return exp(-OPTICS_INK_K * shade * tone);
}

// Blur growth with depth per channel (src/optics.rs BLUR_KAPPA_RGB): red light wanders further
// sideways before it meets the pigment, so a buried dot's shadow is widest in red.
const OPTICS_BLUR_KAPPA_RGB: vec3f = vec3f(0.3535534, 0.25, 0.21650635);

fn optics_sigma_c(diameter: f32, z: f32, c: i32) -> f32 {
    let s0 = 0.5 * diameter / 1.41421356;
    let k = OPTICS_BLUR_KAPPA_RGB[c] * z;
    return sqrt(s0 * s0 + k * k);
}

fn optics_gain(diameter: f32, z: f32) -> f32 {
    let r = max(0.5 * diameter, 0.01);
    let diffuse = 1.0 - exp(-z / OPTICS_TRANSPORT_MFP_MM);
    return 1.0 + OPTICS_FLUENCE_BUILDUP * 4.0 * OPTICS_TRANSPORT_MFP_MM / (3.0 * r) * diffuse;
}

fn optics_peak_thickness_c(diameter: f32, z: f32, amount: f32, c: i32) -> f32 {
    let r = 0.5 * diameter;
    let s = optics_sigma_c(diameter, z, c);
    return amount * optics_gain(diameter, z) * r * r / (2.0 * s * s);
}

// Ein(x) = ∫₀ˣ (1 − e^(−t))/t dt: the area (in units of 2πσ²) of a footprint 1 − e^(−x·g).
fn optics_ein(x_in: f32) -> f32 {
    // Past 8 the series cancels badly in f32; there Ein(x) = ln x + γ + E1(x), E1 < 5e-5.
    if (x_in > 8.0) {
        return log(x_in) + 0.5772157;
    }
    let x = max(x_in, 0.0);
    var term = x;
    var sum = x;
    for (var k = 2; k < 40; k++) {
        term = -term * x / f32(k);
        let add = term / f32(k);
        sum += add;
        // Past its peak the series' terms only shrink: stop once they no longer count (the
        // splat passes call this per vertex; most dots have x well below 1 and stop in a few
        // terms).
        if (f32(k) > x && abs(add) < 1e-7 * abs(sum)) {
            break;
        }
    }
    return sum;
}

// The peak thickness whose footprint area is `area` (inverse of optics_ein, Newton from below,
// stopping once converged).
fn optics_ein_inverse(area: f32) -> f32 {
    var x = area;
    for (var i = 0; i < 8; i++) {
        let f = optics_ein(x) - area;
        let d = select((1.0 - exp(-x)) / x, 1.0, x < 1e-4);
        let step = f / d;
        x = x - step;
        if (abs(step) <= 1e-6 * max(x, 1e-6)) {
            break;
        }
    }
    return max(x, 0.0);
}
