// Minimum spacing between dots (mirrors reference::decide): the chunk's candidates (its own and
// its halo's) sorted into cells of twice the largest exclusion radius, keyed by Morton code;
// one scan of the 8 cells around each candidate records the candidates that outrank it and lie
// too close; then SPACING_ROUNDS cheap synchronous rounds over those lists. Nothing is read back
// in between, and the result does not depend on thread order.
// Module: the prelude, shared/{hash,dots}.wgsl and this file.

@group(0) @binding(0) var<storage, read> params: GenParams;

// Candidate position + exclusion radius, and its id (generate.wgsl writes both).
@group(1) @binding(0) var<storage, read_write> cand: array<vec4f>;
@group(1) @binding(1) var<storage, read_write> ids: array<u32>;
@group(1) @binding(2) var<storage, read> state_in: array<u32>;
@group(1) @binding(3) var<storage, read_write> state_out: array<u32>;
// Per candidate SPACING_LIST words: the number of higher-priority conflicts, then their indices.
@group(1) @binding(4) var<storage, read_write> conflicts: array<u32>;
// Per bucket: the first sorted slot, and one past the last (a cursor while scattering).
@group(1) @binding(5) var<storage, read_write> bucket_start: array<u32>;
@group(1) @binding(6) var<storage, read_write> bucket_end: array<atomic<u32>>;
// The kept candidates by bucket, two entries each: position and exclusion radius (f32 bits),
// then index, priority and id, so the neighbour scan reads one contiguous run per cell and
// hashes nothing.
@group(1) @binding(7) var<storage, read_write> sorted: array<vec4u>;

const UNDECIDED: u32 = 0u;
const ACCEPTED: u32 = 1u;
const REJECTED: u32 = 2u;

fn linear_id(gid: vec3u, nwg: vec3u) -> u32 {
    return gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
}

// Cell coordinates (edge: twice the largest radius) of a point.
fn cell_scaled(p: vec3f) -> vec3f {
    return p / (2.0 * params.cell_size);
}

fn spread_bits(v: u32) -> u32 {
    var x = v & 0x3FFu;
    x = (x | (x << 16u)) & 0x030000FFu;
    x = (x | (x << 8u)) & 0x0300F00Fu;
    x = (x | (x << 4u)) & 0x030C30C3u;
    return (x | (x << 2u)) & 0x09249249u;
}

// The bucket of a cell: the low bits of its Morton code, so cells near each other sit near each
// other in the sorted array.
fn bucket(c: vec3i) -> u32 {
    let u = bitcast<vec3u>(c);
    return (spread_bits(u.x) | (spread_bits(u.y) << 1u) | (spread_bits(u.z) << 2u)) & params.bucket_mask;
}

fn bucket_of(i: u32) -> u32 {
    return bucket(vec3i(floor(cell_scaled(cand[i].xyz))));
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn count_cells(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    if (i < params.work_count && state_in[i] != REJECTED) {
        atomicAdd(&bucket_end[bucket_of(i)], 1u);
    }
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn scatter(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    if (i < params.work_count && state_in[i] != REJECTED) {
        let slot = atomicAdd(&bucket_end[bucket_of(i)], 1u);
        let id = ids[i];
        sorted[2u * slot] = bitcast<vec4u>(cand[i]);
        sorted[2u * slot + 1u] = vec4u(i, rand_u32(params.seed, id, STREAM_PRIORITY), id, 0u);
    }
}

fn outranks(pj: u32, j_id: u32, pi: u32, i_id: u32) -> bool {
    return pj > pi || (pj == pi && j_id < i_id);
}

// Each kept candidate's list of higher-priority candidates closer than the larger of the two
// radii: the 8 cells a ball of the largest radius can touch. Their buckets are always distinct
// (two of the cells differ by one along some axis, so in that axis's lowest bit, which the
// bucket keeps), so no cell is scanned twice. One thread per sorted entry, so the threads of a
// workgroup are kept candidates of the same few cells: they scan the same runs. More than
// SPACING_CONFLICTS: rejected, as in the reference. Writes the state in place (the candidates
// not kept are rejected already).
@compute @workgroup_size(WORKGROUP_SIZE)
fn find_conflicts(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let s0 = linear_id(gid, nwg);
    // The end of the last bucket: how many were kept.
    if (s0 >= atomicLoad(&bucket_end[params.bucket_mask])) {
        return;
    }
    let me = bitcast<vec4f>(sorted[2u * s0]);
    let mine = sorted[2u * s0 + 1u];
    let i = mine.x;
    let f = cell_scaled(me.xyz);
    let c = vec3i(floor(f));
    let side = select(vec3i(-1), vec3i(1), f - floor(f) >= vec3f(0.5));
    var n = 0u;
    let base = i * SPACING_LIST;
    for (var k = 0u; k < 8u; k++) {
        let cc = c + vec3i(select(0, side.x, (k & 1u) != 0u), select(0, side.y, (k & 2u) != 0u), select(0, side.z, (k & 4u) != 0u));
        let b = bucket(cc);
        let end = atomicLoad(&bucket_end[b]);
        for (var s = bucket_start[b]; s < end; s++) {
            let q = bitcast<vec4f>(sorted[2u * s]);
            let d = me.xyz - q.xyz;
            let rr = max(me.w, q.w);
            if (dot(d, d) < rr * rr) {
                let e = sorted[2u * s + 1u];
                if (e.x != i && outranks(e.y, e.z, mine.y, mine.z)) {
                    if (n < SPACING_CONFLICTS) {
                        conflicts[base + 1u + n] = e.x;
                    }
                    n += 1u;
                }
            }
        }
    }
    conflicts[base] = n;
    state_out[i] = select(UNDECIDED, REJECTED, n > SPACING_CONFLICTS);
}

// The candidates still undecided after SPACING_FULL_ROUNDS rounds, listed so that the later
// rounds visit only them: words 0-2 the rounds' indirect dispatch (x, y, z), word 3 the count,
// then the indices (SPACING_LISTED_HEAD words ahead of them). Written by `list_undecided`, read
// by `round_listed`.
@group(1) @binding(8) var<storage, read> listed: array<u32>;
@group(1) @binding(9) var<storage, read_write> listing: array<atomic<u32>>;

// Candidate i's state after one more round: rejected once a listed candidate is accepted,
// accepted once all are rejected.
fn decide(i: u32) -> u32 {
    let s = state_in[i];
    if (s != UNDECIDED) {
        return s;
    }
    let base = i * SPACING_LIST;
    let n = conflicts[base];
    var result = ACCEPTED;
    for (var k = 0u; k < n; k++) {
        let sj = state_in[conflicts[base + 1u + k]];
        if (sj == ACCEPTED) {
            result = REJECTED;
            break;
        }
        if (sj == UNDECIDED) {
            result = UNDECIDED;
        }
    }
    return result;
}

// One round over every candidate.
@compute @workgroup_size(WORKGROUP_SIZE)
fn round(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    if (i < params.work_count) {
        state_out[i] = decide(i);
    }
}

// After the first rounds almost every candidate is decided, yet a round over all of them
// still costs a CPU driver a read and a write each: the undecided are listed once, and the
// state the decided ones keep is copied to the other buffer, so later rounds skip them.
@compute @workgroup_size(WORKGROUP_SIZE)
fn list_undecided(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    if (i == 0u) {
        atomicStore(&listing[1], 1u);
        atomicStore(&listing[2], 1u);
    }
    if (i < params.work_count && state_in[i] == UNDECIDED) {
        let slot = atomicAdd(&listing[3], 1u);
        atomicStore(&listing[SPACING_LISTED_HEAD + slot], i);
        // One workgroup of the later rounds per WORKGROUP_SIZE listed, up to the most one
        // dimension takes (the rounds stride past that).
        if (slot % WORKGROUP_SIZE == 0u && slot / WORKGROUP_SIZE < MAX_GROUPS_PER_DIMENSION) {
            atomicAdd(&listing[0], 1u);
        }
    }
}

// One round over the listed candidates (an indirect dispatch of `listing`'s first words).
@compute @workgroup_size(WORKGROUP_SIZE)
fn round_listed(@builtin(global_invocation_id) gid: vec3u) {
    for (var t = gid.x; t < listed[3]; t += MAX_GROUPS_PER_DIMENSION * WORKGROUP_SIZE) {
        let i = listed[SPACING_LISTED_HEAD + t];
        state_out[i] = decide(i);
    }
}
