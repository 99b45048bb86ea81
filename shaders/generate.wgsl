// Dot generation (mirrors src/dots/reference.rs): candidates from (seed, id), density thinning,
// and, after the spacing pass, the dots the accepted candidates become.
// Module: the prelude, shared/{hash,math,dots,scar,zone,zone_sample}.wgsl and this file.

@group(0) @binding(0) var<storage, read> params: GenParams;
@group(0) @binding(1) var<storage, read> zp: ZoneGpu;
@group(0) @binding(2) var<storage, read> vertices: array<Vertex>;
// Candidate triangles: three vertex indices and the bits of 1 / the keep intensity their
// candidates were thrown at (src/dots/intensity.rs).
@group(0) @binding(3) var<storage, read> tris: array<vec4u>;
// The hairline boundary table (f32 bits, `zp.limits.w` of them), then the client's hair roots.
@group(0) @binding(4) var<storage, read> boundary: array<u32>;
// The client's hair roots in a hashed grid (src/dots/hair_grid.rs, `HairGrid::gpu_words`):
// header (count, bucket mask, cell edge, exclusion radius, five zone keep factors, where the
// per-triangle lists start, padding, five zone spacing factors, padding), bucket starts,
// roots (3 words each); then, where the layout made them, the lists (src/dots/hair_near.rs): per candidate triangle the end of its
// run (flagged where the triangle takes the cells instead), and the listed roots. Count 0: no
// hair, nothing tested.
// They share the boundary's buffer, so the pass stays within eight storage buffers.
fn hair_word(i: u32) -> u32 {
    return boundary[u32(zp.limits.w) + i];
}

// Per chunk: candidate position + exclusion radius, id, state (`generate` writes the spacing
// pass's first state, `flag_dots` and `index_dots` read its last), the work table (per triangle
// with candidates, the chunk's own first: triangle, first local index, first id; then per
// GENERATE_BLOCK candidates the entry its first lies in, four to a row), each dot's place, the
// dots, each dot's candidate, and the scan totals followed by write_dots' indirect dispatch.
// Each entry point's layout holds only what it uses (src/dots/generate.rs), within the
// storage-buffer limit.
@group(1) @binding(0) var<storage, read_write> cand: array<vec4f>;
@group(1) @binding(1) var<storage, read_write> ids: array<u32>;
@group(1) @binding(2) var<storage, read_write> state: array<u32>;
@group(1) @binding(3) var<storage, read> work: array<vec4u>;
@group(1) @binding(4) var<storage, read_write> places: array<u32>;
@group(1) @binding(5) var<storage, read_write> dots: array<Dot>;
@group(1) @binding(6) var<storage, read_write> dot_of: array<u32>;
@group(1) @binding(7) var<storage, read_write> totals: array<u32>;
// The same totals, read-only: write_dots dispatches from them too, which excludes writing.
@group(1) @binding(8) var<storage, read> dot_totals: array<u32>;

// Which of a plan's features the pipeline is built for (src/dots/variant.rs): a CPU driver runs
// both sides of every branch, so features a plan does not use are compiled out, not skipped.
override GEN_GRID: bool = true;
override GEN_PATCHY: bool = true;
override GEN_HAIR: bool = true;
override GEN_HAIR_LISTS: bool = true;

const UNDECIDED: u32 = 0u;
const ACCEPTED: u32 = 1u;
const REJECTED: u32 = 2u;

struct Candidate {
    position: vec3f,
    normal: vec3f,
    radius: f32,
    zone: u32,
    // Kept by the thinning; the hair test comes after (`generate`).
    kept: bool,
    exposure: f32,
}

// The entry of the work table the first candidate of block b lies in.
fn block_entry(b: u32) -> u32 {
    let w = params.work_tris + b / 4u;
    return work[w][b % 4u];
}

// The work-table entry of local candidate k: the last whose first local index is ≤ k, searched
// between the entries of k's block and the next's (a few triangles, not the whole chunk).
fn work_entry(k: u32) -> vec4u {
    let b = k / GENERATE_BLOCK;
    var lo = block_entry(b);
    var hi = block_entry(b + 1u);
    while (lo < hi) {
        let mid = (lo + hi + 1u) / 2u;
        if (work[mid].y <= k) {
            lo = mid;
        } else {
            hi = mid - 1u;
        }
    }
    return work[lo];
}

struct GridNode {
    position: vec3f,
    key: u32,
}

// Grid spacing (mirrors reference::snap_to_grid): the nearest lattice node in the chart whose
// axis is nearest the direction from the head's centre, jittered per node, back on the
// triangle's plane.
fn snap_to_grid(pos: vec3f, n: vec3f) -> GridNode {
    let d = pos - vec3f(zp.center.x, 0.0, zp.center.z);
    var chart = 0;
    var best = -1.0;
    for (var k = 0; k < 7; k++) {
        let a = abs(dot(d, REFERENCE_GRID_CHARTS[k][0]));
        if (a > best) {
            best = a;
            chart = k;
        }
    }
    let frame = REFERENCE_GRID_CHARTS[chart];
    let axis = frame[0];
    let u = dot(pos, frame[1]);
    let v = dot(pos, frame[2]);
    let pitch = params.grid_pitch_mm;
    let iu = i32(floor(u / pitch + 0.5));
    let iv = i32(floor(v / pitch + 0.5));
    let key = lattice_key(iu, iv, chart);
    let ju = (rand01(params.seed, key, STREAM_GRID_U) - 0.5) * params.grid_jitter;
    let jv = (rand01(params.seed, key, STREAM_GRID_V) - 0.5) * params.grid_jitter;
    let du = (f32(iu) + ju) * pitch - u;
    let dv = (f32(iv) + jv) * pitch - v;
    let delta = frame[1] * du + frame[2] * dv;
    var an = dot(axis, n);
    let limit = 0.2 * length(n);
    if (abs(an) < limit) {
        an = select(-limit, limit, an >= 0.0);
    }
    return GridNode(pos + delta - axis * (dot(delta, n) / an), key);
}

// The factor on the keep probability that makes up for the area the hairs exclude
// (mirrors HairGrid::keep_factor).
fn hair_keep_factor(zone: u32) -> f32 {
    if (!GEN_HAIR || hair_word(0) == 0u || zone > ZONE_BACK) {
        return 1.0;
    }
    return bitcast<f32>(hair_word(4u + zone));
}

// The factor on the minimum distance between dots that fits the density between the hairs
// (mirrors HairGrid::spacing_factor).
fn hair_spacing_factor(zone: u32) -> f32 {
    if (!GEN_HAIR || hair_word(0) == 0u || zone > ZONE_BACK) {
        return 1.0;
    }
    return bitcast<f32>(hair_word(HAIR_GRID_SPACING_WORD + zone));
}

// Whether a dot at p on candidate triangle `tri` would lie within the exclusion radius of a
// hair root (mirrors HairGrid::blocks: the same f32 distance test). Where the layout listed
// the roots near each triangle (src/dots/hair_near.rs), over the triangle's own list: one
// triangle's candidates run side by side, so their loops are the same length. Otherwise (grid
// spacing moves candidates off their triangles), and for a triangle marked too big for a
// list, over the hashed cells the exclusion sphere overlaps, as the reference does.
fn near_hair(p: vec3f, tri: u32) -> bool {
    if (!GEN_HAIR || hair_word(0) == 0u) {
        return false;
    }
    let r = bitcast<f32>(hair_word(3));
    if (GEN_HAIR_LISTS) {
        let table = hair_word(HAIR_NEAR_TABLE_WORD) + tri;
        let last = hair_word(table + 1u);
        if ((last & HAIR_NEAR_CELLS_FLAG) == 0u) {
            let roots = hair_word(HAIR_NEAR_ROOTS_WORD);
            for (var k = hair_word(table) & ~HAIR_NEAR_CELLS_FLAG; k < last; k++) {
                let o = roots + 3u * k;
                let d = p - vec3f(bitcast<f32>(hair_word(o)), bitcast<f32>(hair_word(o + 1u)), bitcast<f32>(hair_word(o + 2u)));
                if (dot(d, d) < r * r) {
                    return true;
                }
            }
            return false;
        }
    }
    let mask = hair_word(1);
    let cell = bitcast<f32>(hair_word(2));
    let lo = vec3i(floor((p - vec3f(r)) / cell));
    let hi = vec3i(floor((p + vec3f(r)) / cell));
    let roots = HAIR_GRID_HEADER_WORDS + mask + 2u;
    for (var x = lo.x; x <= hi.x; x++) {
        for (var y = lo.y; y <= hi.y; y++) {
            for (var z = lo.z; z <= hi.z; z++) {
                let b = HAIR_GRID_HEADER_WORDS + (lattice_key(x, y, z) & mask);
                for (var k = hair_word(b); k < hair_word(b + 1u); k++) {
                    let o = roots + 3u * k;
                    let q = vec3f(bitcast<f32>(hair_word(o)), bitcast<f32>(hair_word(o + 1u)), bitcast<f32>(hair_word(o + 2u)));
                    let d = p - q;
                    if (dot(d, d) < r * r) {
                        return true;
                    }
                }
            }
        }
    }
    return false;
}

fn make_candidate(id: u32, tri: u32) -> Candidate {
    let t = tris[tri];
    let u = rand01(params.seed, id, STREAM_BARY_U);
    let v = rand01(params.seed, id, STREAM_BARY_V);
    let su = sqrt(u);
    let a = 1.0 - su;
    let b = su * (1.0 - v);
    let c = su * v;
    let v0 = vertices[t.x];
    let v1 = vertices[t.y];
    let v2 = vertices[t.z];
    var position = v0.position.xyz * a + v1.position.xyz * b + v2.position.xyz * c;
    let n = v0.normal.xyz * a + v1.normal.xyz * b + v2.normal.xyz * c;
    var normal = vec3f(0.0, 1.0, 0.0);
    if (dot(n, n) > 1e-20) {
        normal = normalize(n);
    }
    // position.w carries each vertex's relative yearly UV dose (src/exposure.rs).
    let exposure = v0.position.w * a + v1.position.w * b + v2.position.w * c;
    // Grid spacing: the candidate moves to its lattice node, and the node draws the thinning.
    var thin = rand01(params.seed, id, STREAM_THIN);
    if (GEN_GRID && params.grid_pitch_mm > 0.0) {
        let g = snap_to_grid(position, cross(v1.position.xyz - v0.position.xyz, v2.position.xyz - v0.position.xyz));
        position = g.position;
        thin = rand01(params.seed, g.key, STREAM_GRID_THIN);
    }
    let s = zone_sample(zp, position);
    // Hair in this built-in zone takes area from the dots (HairGrid::for_hairs); scar tissue
    // has none.
    var hair_factor = hair_keep_factor(s.region);
    var spacing_factor = hair_spacing_factor(s.region);
    if (ZONE_SCARS && (hair_factor != 1.0 || spacing_factor != 1.0) && scar_tissue(zp.scars, position) > 0.5) {
        hair_factor = 1.0;
        spacing_factor = 1.0;
    }
    var keep = s.density * bitcast<f32>(t.w) * hair_factor;
    // Patchy work spares the hairline zone (reference::candidate says why).
    if (GEN_PATCHY && params.patchy > 0.0 && s.zone != ZONE_HAIRLINE) {
        keep *= patchy_intensity(session_of(id, s.zone), position);
    }
    // Before the hair test, which only `generate` makes (`write_dots` knows the answer).
    let kept = thin < keep;
    let radius = spacing_factor * params.alpha / sqrt(max(zone_density(zp, s.zone), 1e-6));
    return Candidate(position, normal, radius, s.zone, kept, exposure);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn generate(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let k = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
    if (k >= params.work_count) {
        return;
    }
    let w = work_entry(k);
    let id = w.z + (k - w.y);
    let c = make_candidate(id, w.x);
    cand[k] = vec4f(c.position, c.radius);
    ids[k] = id;
    // Between the hairs: never within the exclusion radius of a hair root.
    state[k] = select(REJECTED, UNDECIDED, c.kept && !near_hair(c.position, w.x));
}

fn gauss(id: u32, sa: u32, sb: u32) -> f32 {
    let u1 = max(rand01(params.seed, id, sa), 1e-7);
    let u2 = rand01(params.seed, id, sb);
    return sqrt(-2.0 * log(u1)) * cos(TAU * u2);
}

fn session_cum(k: u32) -> f32 {
    return params.session_cum[k / 4u][k % 4u];
}

// Sessions zone `zone` is worked in: the first n of the plan's.
fn zone_sessions(zone: u32) -> u32 {
    return clamp(u32(zp.table[min(zone, ZONE_COUNT - 1u)].z), 1u, params.session_count);
}

// The session candidate `id` of zone `zone` belongs to: the plan's split over the zone's
// first n sessions, renormalised (mirrors reference::session_of).
fn session_of(id: u32, zone: u32) -> u32 {
    let n = zone_sessions(zone);
    let u = rand01(params.seed, id, STREAM_SESSION) * session_cum(n - 1u);
    var session = 0u;
    while (session + 1u < n && u >= session_cum(session)) {
        session += 1u;
    }
    return session;
}

// Patchy density: smooth value noise (mirrors technique::value_noise).
fn value_noise(stream: u32, p: vec3f) -> f32 {
    let q = p / TECHNIQUE_PATCHY_CELL_MM;
    let f = floor(q);
    let i = vec3i(f);
    let t = q - f;
    let s = t * t * (3.0 - 2.0 * t);
    let v000 = rand01(params.seed, lattice_key(i.x, i.y, i.z), stream);
    let v100 = rand01(params.seed, lattice_key(i.x + 1, i.y, i.z), stream);
    let v010 = rand01(params.seed, lattice_key(i.x, i.y + 1, i.z), stream);
    let v110 = rand01(params.seed, lattice_key(i.x + 1, i.y + 1, i.z), stream);
    let v001 = rand01(params.seed, lattice_key(i.x, i.y, i.z + 1), stream);
    let v101 = rand01(params.seed, lattice_key(i.x + 1, i.y, i.z + 1), stream);
    let v011 = rand01(params.seed, lattice_key(i.x, i.y + 1, i.z + 1), stream);
    let v111 = rand01(params.seed, lattice_key(i.x + 1, i.y + 1, i.z + 1), stream);
    let x00 = v000 + (v100 - v000) * s.x;
    let x10 = v010 + (v110 - v010) * s.x;
    let x01 = v001 + (v101 - v001) * s.x;
    let x11 = v011 + (v111 - v011) * s.x;
    let y0 = x00 + (x10 - x00) * s.y;
    let y1 = x01 + (x11 - x01) * s.y;
    return y0 + (y1 - y0) * s.z;
}

// Patchy density (mirrors technique::patchy_field): a field shared by every session and the
// session's own.
fn patchy_field(session: u32, p: vec3f) -> f32 {
    return 0.5 * (value_noise(STREAM_PATCHY_COMMON, p) + value_noise(STREAM_PATCHY_SESSION + session, p));
}

// Patchy density before spacing (mirrors technique::patchy_intensity).
fn patchy_intensity(session: u32, p: vec3f) -> f32 {
    let u = patchy_field(session, p);
    return (1.0 + params.patchy * (2.0 * u - 1.0)) / (1.0 + params.patchy);
}

// Patchy density after spacing: whether accepted candidate i was really deposited (its session
// did not miss the area). Reads the position from the candidate buffer, so counting and writing
// decide alike.
fn deposited(i: u32) -> bool {
    if (!GEN_PATCHY || params.patchy_missed <= 0.0) {
        return true;
    }
    let id = params.cand_start + i;
    let p = cand[i].xyz;
    let zone = zone_sample(zp, p).zone;
    return zone == ZONE_HAIRLINE || patchy_field(session_of(id, zone), p) >= params.patchy_missed;
}

// Whether the chunk's own candidate i becomes a dot.
fn is_dot(i: u32) -> bool {
    return state[i] == ACCEPTED && deposited(i);
}

// 1 for each of the chunk's own candidates that becomes a dot; scan.wgsl turns these into
// places, so the dots are written in id order whatever the thread order.
@compute @workgroup_size(WORKGROUP_SIZE)
fn flag_dots(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
    if (i < params.cand_count) {
        places[i] = select(0u, 1u, is_dot(i));
    }
}

// Each dot's candidate, and write_dots' workgroup count (totals[1] dots, from the places'
// scan), so write_dots runs one thread per dot rather than per candidate.
@compute @workgroup_size(WORKGROUP_SIZE)
fn index_dots(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
    if (i == 0u) {
        totals[GENERATE_DISPATCH_SLOT] = (totals[1] + WORKGROUP_SIZE - 1u) / WORKGROUP_SIZE;
        totals[GENERATE_DISPATCH_SLOT + 1u] = 1u;
        totals[GENERATE_DISPATCH_SLOT + 2u] = 1u;
    }
    if (i < params.cand_count && is_dot(i)) {
        dot_of[places[i]] = i;
    }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn write_dots(@builtin(global_invocation_id) gid: vec3u) {
    let k = gid.x;
    if (k >= dot_totals[1]) {
        return;
    }
    let i = dot_of[k];
    // The chunk's own candidates come first, in id order.
    let id = params.cand_start + i;
    let c = make_candidate(id, work_entry(i).x);
    let session = session_of(id, c.zone);
    // Depth errors hit a share of the dots each (too deep first, then too shallow).
    let e = rand01(params.seed, id, STREAM_ERROR);
    var depth_mm = params.depth_mm;
    var jitter_mm = params.depth_jitter_mm;
    if (e < params.deep_fraction) {
        depth_mm = params.deep_depth_mm;
        jitter_mm = params.deep_jitter_mm;
    } else if (e < params.deep_fraction + params.shallow_fraction) {
        depth_mm = params.shallow_depth_mm;
        jitter_mm = params.shallow_jitter_mm;
    }
    let depth = max(depth_mm + jitter_mm * gauss(id, STREAM_DEPTH_A, STREAM_DEPTH_B), REFERENCE_MIN_DEPTH_MM);
    let big = select(1.0, params.big_factor, ((params.big_zone_mask >> c.zone) & 1u) == 1u);
    let diameter = params.diameter_mm * big
        * clamp(1.0 + params.diameter_jitter * gauss(id, STREAM_DIAM_A, STREAM_DIAM_B), REFERENCE_DIAMETER_FACTOR.x, REFERENCE_DIAMETER_FACTOR.y);
    let pigment = clamp(1.0 + REFERENCE_PIGMENT_JITTER * gauss(id, STREAM_PIGMENT_A, STREAM_PIGMENT_B), REFERENCE_PIGMENT_FACTOR.x, REFERENCE_PIGMENT_FACTOR.y);
    let lighter = params.lighter_first_steps * f32(zone_sessions(c.zone) - 1u - session);
    let zone_shade = params.shade + zp.table[min(c.zone, ZONE_COUNT - 1u)].y;
    let shade = clamp(zone_shade - lighter + 0.5 * (rand01(params.seed, id, STREAM_SHADE) - 0.5), 1.0, 10.0);
    // Scar tissue holds pigment less well (crate::scar); the age pass reads this bit.
    var scar_bit = 0u;
    if (ZONE_SCARS && scar_tissue(zp.scars, c.position) > 0.5) {
        scar_bit = DOTS_SCAR_TISSUE_BIT;
    }
    // Exposure in the high bits, fixed point (crate::ageing::pack_exposure).
    let exposure_bits = u32(clamp(c.exposure, 0.0, DOTS_EXPOSURE_MAX) * DOTS_EXPOSURE_STEPS + 0.5) << DOTS_EXPOSURE_SHIFT;
    dots[k] = Dot(c.position, depth, c.normal, diameter, pigment, shade, id,
        session | (c.zone << DOTS_ZONE_SHIFT) | scar_bit | exposure_bits);
}
