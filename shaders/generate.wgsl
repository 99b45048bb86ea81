// Dot generation (mirrors src/dots/reference.rs): candidates from (seed, id), density thinning,
// and, after the spacing pass, the dots the accepted candidates become.
// Module = common.wgsl + zone.wgsl + this file.

@group(0) @binding(0) var<uniform> params: GenParams;
@group(0) @binding(1) var<uniform> zp: ZoneParams;
@group(0) @binding(2) var<storage, read> vertices: array<Vertex>;
@group(0) @binding(3) var<storage, read> tris: array<vec4u>;
@group(0) @binding(4) var<storage, read> cdf: array<u32>;
@group(0) @binding(5) var<storage, read> boundary: array<f32>;

// Per chunk: candidate position + exclusion radius, state, counters, dots out.
@group(1) @binding(0) var<storage, read_write> cand: array<vec4f>;
@group(1) @binding(1) var<storage, read_write> state: array<u32>;
@group(1) @binding(2) var<storage, read_write> counts: array<atomic<u32>>;
@group(1) @binding(3) var<storage, read_write> dots: array<Dot>;

const UNDECIDED: u32 = 0u;
const ACCEPTED: u32 = 1u;
const REJECTED: u32 = 2u;

struct Candidate {
    position: vec3f,
    normal: vec3f,
    radius: f32,
    zone: u32,
    kept: bool,
    exposure: f32,
}

fn candidate_triangle(id: u32) -> u32 {
    // Blocks of 256 consecutive candidates draw from their own slice of the area table
    // (mirrors reference::candidate_triangle).
    let blocks = (params.cand_count + 255u) / 256u;
    let step = 0xFFFFFFFFu / max(blocks, 1u);
    let k = (id - params.cand_start) / 256u;
    let u = k * step + mul_hi(rand_u32(params.seed, id, S_TRIANGLE), step);
    let goal = params.cdf_base + mul_hi(u, params.cdf_span);
    var lo = params.tri_start;
    var hi = params.tri_end - 1u;
    while (lo < hi) {
        let mid = (lo + hi) / 2u;
        if (cdf[mid] > goal) {
            hi = mid;
        } else {
            lo = mid + 1u;
        }
    }
    return lo;
}

fn make_candidate(id: u32) -> Candidate {
    let t = tris[candidate_triangle(id)];
    let u = rand01(params.seed, id, S_BARY_U);
    let v = rand01(params.seed, id, S_BARY_V);
    let su = sqrt(u);
    let a = 1.0 - su;
    let b = su * (1.0 - v);
    let c = su * v;
    let v0 = vertices[t.x];
    let v1 = vertices[t.y];
    let v2 = vertices[t.z];
    let position = v0.position.xyz * a + v1.position.xyz * b + v2.position.xyz * c;
    let n = v0.normal.xyz * a + v1.normal.xyz * b + v2.normal.xyz * c;
    var normal = vec3f(0.0, 1.0, 0.0);
    if (dot(n, n) > 1e-20) {
        normal = normalize(n);
    }
    // position.w carries each vertex's relative yearly UV dose (src/exposure.rs).
    let exposure = v0.position.w * a + v1.position.w * b + v2.position.w * c;
    let s = zone_sample(zp, position);
    let kept = rand01(params.seed, id, S_THIN) < s.density * params.inv_max_density;
    let radius = params.alpha / sqrt(zone_density(zp, s.zone));
    return Candidate(position, normal, radius, s.zone, kept, exposure);
}

@compute @workgroup_size(64)
fn generate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * 64u;
    if (i >= params.cand_count) {
        return;
    }
    let c = make_candidate(params.cand_start + i);
    cand[i] = vec4f(c.position, c.radius);
    state[i] = select(REJECTED, UNDECIDED, c.kept);
}

fn gauss(id: u32, sa: u32, sb: u32) -> f32 {
    let u1 = max(rand01(params.seed, id, sa), 1e-7);
    let u2 = rand01(params.seed, id, sb);
    return sqrt(-2.0 * log(u1)) * cos(TAU * u2);
}

fn session_cum(k: u32) -> f32 {
    if (k < 4u) {
        return params.session_cum_a[k];
    }
    return params.session_cum_b[k - 4u];
}

@compute @workgroup_size(64)
fn write_dots(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * 64u;
    if (i >= params.cand_count || state[i] != ACCEPTED) {
        return;
    }
    let id = params.cand_start + i;
    let c = make_candidate(id);
    let u = rand01(params.seed, id, S_SESSION);
    var session = 0u;
    while (session + 1u < params.session_count && u >= session_cum(session)) {
        session += 1u;
    }
    let depth = max(params.depth_mm + params.depth_jitter_mm * gauss(id, S_DEPTH_A, S_DEPTH_B), 0.02);
    let diameter = params.diameter_mm
        * clamp(1.0 + params.diameter_jitter * gauss(id, S_DIAM_A, S_DIAM_B), 0.4, 2.5);
    let pigment = clamp(1.0 + 0.12 * gauss(id, S_PIGMENT_A, S_PIGMENT_B), 0.6, 1.4);
    let lighter = params.lighter_first_steps * f32(params.session_count - 1u - session);
    let shade = clamp(params.shade - lighter + 0.5 * (rand01(params.seed, id, S_SHADE) - 0.5), 1.0, 10.0);
    let k = atomicAdd(&counts[2], 1u);
    // Exposure in bits 16–31, fixed point 1/8192 (crate::ageing::pack_exposure).
    let exposure_bits = u32(clamp(c.exposure, 0.0, 7.999) * 8192.0 + 0.5) << 16u;
    dots[k] = Dot(c.position, depth, c.normal, diameter, pigment, shade, id,
        session | (c.zone << 8u) | exposure_bits);
}

@compute @workgroup_size(64)
fn count_accepted(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * 64u;
    if (i < params.cand_count && state[i] == ACCEPTED) {
        atomicAdd(&counts[3], 1u);
    }
}
