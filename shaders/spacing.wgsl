// Minimum spacing between dots (mirrors the greedy rule in src/dots/reference.rs): a hashed
// grid of linked lists, earlier chunks' dots gathered as fixed obstacles, then synchronous
// rounds in which a candidate decides once every higher-priority neighbour has. The result
// equals the greedy rule in priority order and does not depend on thread order.
// Module: the prelude, shared/{hash,math,dots,scar,zone}.wgsl and this file.

@group(0) @binding(0) var<storage, read> params: GenParams;
@group(0) @binding(1) var<storage, read> zp: ZoneGpu;

@group(1) @binding(0) var<storage, read_write> cand: array<vec4f>;
@group(1) @binding(1) var<storage, read> state_in: array<u32>;
@group(1) @binding(2) var<storage, read_write> state_out: array<u32>;
@group(1) @binding(3) var<storage, read_write> next: array<u32>;
@group(1) @binding(4) var<storage, read_write> heads: array<atomic<u32>>;
// 0: obstacles gathered, 1: undecided after the last round, 2: dots written.
@group(1) @binding(5) var<storage, read_write> counts: array<atomic<u32>>;
@group(1) @binding(6) var<storage, read> prev_dots: array<Dot>;

const UNDECIDED: u32 = 0u;
const ACCEPTED: u32 = 1u;
const REJECTED: u32 = 2u;
const NONE: u32 = 0xFFFFFFFFu;

fn linear_id(gid: vec3u, nwg: vec3u) -> u32 {
    return gid.x + gid.y * nwg.x * 64u;
}

fn cell_of(p: vec3f) -> vec3i {
    return vec3i(floor(p / params.cell_size));
}

fn bucket(c: vec3i) -> u32 {
    return lattice_key(c.x, c.y, c.z) & params.hash_mask;
}

fn obstacle_count() -> u32 {
    return min(atomicLoad(&counts[SPACING_OBSTACLES]), params.obstacle_capacity);
}

@compute @workgroup_size(64)
fn clear_heads(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    if (i <= params.hash_mask) {
        atomicStore(&heads[i], NONE);
    }
}

fn insert(i: u32) {
    let b = bucket(cell_of(cand[i].xyz));
    next[i] = atomicExchange(&heads[b], i);
}

// Candidates of this chunk that survived thinning go into the grid.
@compute @workgroup_size(64)
fn insert_candidates(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    if (i < params.cand_count && state_in[i] != REJECTED) {
        insert(i);
    }
}

// A dot of an earlier chunk is an obstacle if a candidate of this chunk lies within the largest
// exclusion radius of it; it is appended after the candidates, already accepted.
@compute @workgroup_size(64)
fn gather_obstacles(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    if (i >= arrayLength(&prev_dots)) {
        return;
    }
    let d = prev_dots[i];
    let c = cell_of(d.position);
    let r = params.cell_size;
    var near = false;
    for (var dx = -1; dx <= 1 && !near; dx++) {
        for (var dy = -1; dy <= 1 && !near; dy++) {
            for (var dz = -1; dz <= 1 && !near; dz++) {
                var j = atomicLoad(&heads[bucket(c + vec3i(dx, dy, dz))]);
                while (j != NONE) {
                    if (j < params.cand_count) {
                        let e = cand[j].xyz - d.position;
                        if (dot(e, e) < r * r) {
                            near = true;
                            break;
                        }
                    }
                    j = next[j];
                }
            }
        }
    }
    if (near) {
        let k = atomicAdd(&counts[SPACING_OBSTACLES], 1u);
        if (k < params.obstacle_capacity) {
            // 0xFF keeps the scar-tissue bit (Dot::zone masks with DOTS_ZONE_MASK): a scar-tissue
            // obstacle reads the last table row. Kept as it was, behaviour unchanged; to be fixed
            // on its own, with its effect on multi-chunk scar plans measured.
            let zone = (d.flags >> DOTS_ZONE_SHIFT) & 0xFFu;
            cand[params.cand_count + k] = vec4f(d.position, params.alpha / sqrt(zone_density(zp, zone)));
            state_out[params.cand_count + k] = ACCEPTED;
        }
    }
}

@compute @workgroup_size(64)
fn insert_obstacles(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let k = linear_id(gid, nwg);
    if (k < obstacle_count()) {
        insert(params.cand_count + k);
    }
}

fn priority(i: u32) -> u32 {
    return rand_u32(params.seed, params.cand_start + i, STREAM_PRIORITY);
}

@compute @workgroup_size(64)
fn mis_round(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = linear_id(gid, nwg);
    let total = params.cand_count + obstacle_count();
    if (i >= total) {
        return;
    }
    let s = state_in[i];
    if (s != UNDECIDED) {
        state_out[i] = s;
        return;
    }
    let me = cand[i];
    let my_priority = priority(i);
    let c = cell_of(me.xyz);
    var result = ACCEPTED;
    for (var dx = -1; dx <= 1 && result != REJECTED; dx++) {
        for (var dy = -1; dy <= 1 && result != REJECTED; dy++) {
            for (var dz = -1; dz <= 1 && result != REJECTED; dz++) {
                var j = atomicLoad(&heads[bucket(c + vec3i(dx, dy, dz))]);
                while (j != NONE) {
                    if (j != i) {
                        let q = cand[j];
                        let rr = max(me.w, q.w);
                        let e = me.xyz - q.xyz;
                        if (dot(e, e) < rr * rr) {
                            let sj = state_in[j];
                            if (sj == ACCEPTED) {
                                result = REJECTED;
                                break;
                            }
                            if (sj == UNDECIDED) {
                                let pj = priority(j);
                                if (pj > my_priority || (pj == my_priority && j < i)) {
                                    result = UNDECIDED;
                                }
                            }
                        }
                    }
                    j = next[j];
                }
            }
        }
    }
    state_out[i] = result;
    if (result == UNDECIDED) {
        atomicAdd(&counts[SPACING_UNDECIDED], 1u);
    }
}
