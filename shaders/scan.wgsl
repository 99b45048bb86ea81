// Exclusive prefix sum of a u32 array in place (src/dots/scan.rs): blocks of SCAN_BLOCK values
// are summed, the block sums scanned by one workgroup, then each block rescanned with its offset.
// The total goes to totals[slot]. Used to give each spacing cell its run of slots and each dot
// its place in id order.
// Module: the prelude and this file.

struct ScanParams {
    n: u32,
    blocks: u32,
    slot: u32,
    _pad: u32,
}

@group(0) @binding(0) var<storage, read> sp: ScanParams;
@group(1) @binding(0) var<storage, read_write> data: array<u32>;
@group(1) @binding(1) var<storage, read_write> block_sums: array<u32>;
@group(1) @binding(2) var<storage, read_write> totals: array<u32>;

var<workgroup> partial: array<u32, SCAN_THREADS>;

// Exclusive prefix of v over the workgroup; partial[SCAN_THREADS - 1] is the inclusive total.
fn workgroup_scan(lid: u32, v: u32) -> u32 {
    partial[lid] = v;
    workgroupBarrier();
    for (var o = 1u; o < SCAN_THREADS; o <<= 1u) {
        var add = 0u;
        if (lid >= o) {
            add = partial[lid - o];
        }
        workgroupBarrier();
        partial[lid] += add;
        workgroupBarrier();
    }
    return partial[lid] - v;
}

fn thread_sum(first: u32) -> u32 {
    var s = 0u;
    for (var k = 0u; k < SCAN_PER_THREAD; k++) {
        if (first + k < sp.n) {
            s += data[first + k];
        }
    }
    return s;
}

@compute @workgroup_size(SCAN_THREADS)
fn scan_reduce(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
    let s = thread_sum(wid.x * SCAN_BLOCK + lid.x * SCAN_PER_THREAD);
    let before = workgroup_scan(lid.x, s);
    if (lid.x == SCAN_THREADS - 1u) {
        block_sums[wid.x] = before + s;
    }
}

@compute @workgroup_size(SCAN_THREADS)
fn scan_blocks(@builtin(local_invocation_id) lid: vec3u) {
    let per = (sp.blocks + SCAN_THREADS - 1u) / SCAN_THREADS;
    let first = lid.x * per;
    var s = 0u;
    for (var k = 0u; k < per; k++) {
        if (first + k < sp.blocks) {
            s += block_sums[first + k];
        }
    }
    var acc = workgroup_scan(lid.x, s);
    for (var k = 0u; k < per; k++) {
        if (first + k < sp.blocks) {
            let v = block_sums[first + k];
            block_sums[first + k] = acc;
            acc += v;
        }
    }
    if (lid.x == SCAN_THREADS - 1u) {
        totals[sp.slot] = acc;
    }
}

@compute @workgroup_size(SCAN_THREADS)
fn scan_down(@builtin(workgroup_id) wid: vec3u, @builtin(local_invocation_id) lid: vec3u) {
    let first = wid.x * SCAN_BLOCK + lid.x * SCAN_PER_THREAD;
    let s = thread_sum(first);
    var acc = block_sums[wid.x] + workgroup_scan(lid.x, s);
    for (var k = 0u; k < SCAN_PER_THREAD; k++) {
        if (first + k < sp.n) {
            let v = data[first + k];
            data[first + k] = acc;
            acc += v;
        }
    }
}
