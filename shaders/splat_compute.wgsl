// Dot pass, compute path: one thread per dot projects its footprint and adds optical density to
// every pixel it covers with integer atomics (fixed point), so the sum is bit-exact and
// independent of thread order. Same optics and visibility rules as splat.wgsl (the raster path);
// the footprint is mapped to the screen by the affine map of its tangent axes.
// Two entry points add the same integers: `splat` straight into the density buffer, `splat_shared`
// first into a square of workgroup memory (src/render/splat_compute.rs says when each runs).
// Either leaves a dot with a big box to `splat_big`, where a workgroup shares its pixels.
// Module: the prelude, shared/{hash,math,dots,scar,view,ageing,optics,footprint}.wgsl and this file.

@group(0) @binding(1) var skin_distance: texture_2d<f32>;
@group(0) @binding(2) var<storage, read> dots: array<Dot>;
@group(0) @binding(3) var<storage, read> looks: array<Appearance>;
// Three fixed-point channels per internal pixel.
@group(0) @binding(4) var<storage, read_write> density: array<atomic<u32>>;
@group(0) @binding(5) var density_out: texture_storage_2d<rgba16float, write>;
// Dots whose boxes hold more than SPLAT_COMPUTE_BIG_DOT_PX pixels, left by `splat` and
// `splat_shared` to `splat_big`: word 0 counts them as they are listed, word 1 is how many
// `big_dispatch` handed on, their ids follow.
@group(0) @binding(6) var<storage, read_write> big: array<atomic<u32>>;
// `splat_big`'s indirect dispatch, written by `big_dispatch` (a group of its own: a buffer
// cannot be both written and read as dispatch arguments by one dispatch).
@group(1) @binding(0) var<storage, read_write> big_args: array<u32>;

// SPLAT_COMPUTE_FIXED, SPLAT_COMPUTE_MAX_HALF_PX, SPLAT_COMPUTE_BOX_MARGIN_PX,
// SPLAT_COMPUTE_ROW_SLACK, SPLAT_COMPUTE_BIG_DOT_PX, SPLAT_COMPUTE_BIG_LIST_HEADER,
// SPLAT_COMPUTE_SHARED_PX and SPLAT_COMPUTE_SHARED_MIN_OVERLAP: src/render/splat_compute.rs says
// why.

fn to_pixels(p: vec3f) -> vec3f {
    let c = view.view_proj * vec4f(p, 1.0);
    let ndc = c.xy / c.w;
    return vec3f((ndc.x * 0.5 + 0.5) * view.viewport.x, (0.5 - ndc.y * 0.5) * view.viewport.y, c.w);
}

// What a dot covers on the screen: its footprint, position, centre (pixels), the map from pixel
// offsets to its tangent axes (in units of the footprint's extent) and its pixel box; `ok` is
// false where it draws nothing.
struct Cover {
    ok: bool,
    fp: Footprint,
    position: vec3f,
    centre: vec2f,
    inv: mat2x2f,
    lo: vec2i,
    hi: vec2i,
}

fn dot_cover(i: u32) -> Cover {
    var o: Cover;
    o.ok = false;
    if (i >= arrayLength(&dots)) {
        return o;
    }
    let d = dots[i];
    let a = looks[i];
    let look = vec4f(a.amount, a.spread_mm2, a.redness, a.scab);
    o.fp = dot_footprint(d.position, d.normal, d.diameter_mm, d.depth_mm, d.shade, look);
    if (!o.fp.visible) {
        return o;
    }
    let ext = o.fp.extent_mm;
    let c = to_pixels(d.position);
    if (c.z <= 0.0) {
        return o;
    }
    let pt = to_pixels(d.position + o.fp.t * ext).xy - c.xy;
    let pb = to_pixels(d.position + o.fp.b * ext).xy - c.xy;
    let det = pt.x * pb.y - pt.y * pb.x;
    if (abs(det) < 1e-8) {
        return o;
    }
    o.position = d.position;
    o.centre = c.xy;
    o.inv = mat2x2f(vec2f(pb.y, -pt.y), vec2f(-pb.x, pt.x)) * (1.0 / det);
    // The footprint's disc of radius `ext` is the ellipse c + pt·cos θ + pb·sin θ on the
    // screen; its bounding box reaches sqrt(pt² + pb²) along each axis. Pixel x is visited when
    // its centre x + 0.5 lies in that box (less a margin for rounding): every pixel outside it
    // adds nothing, and a CPU driver pays each visited pixel in full whether it adds or not.
    let half = min(sqrt(pt * pt + pb * pb), vec2f(SPLAT_COMPUTE_MAX_HALF_PX)) + SPLAT_COMPUTE_BOX_MARGIN_PX;
    o.lo = max(vec2i(ceil(c.xy - half - 0.5)), vec2i(0));
    o.hi = min(vec2i(floor(c.xy + half - 0.5)), vec2i(view.viewport.xy) - 1);
    o.ok = all(o.lo <= o.hi);
    return o;
}

// The pixels of row y whose centres lie in the dot's footprint (the ellipse's chord at the
// row's centre line, widened by the margin), within its box: x from .x to .y; empty when
// .x > .y. The box's corners outside the ellipse are a third of a small dot's box.
fn row_span(cv: Cover, y: i32) -> vec2i {
    // |inv·(p − c)|² ≤ 1 along the row: a·a dx² + 2 a·b dx + b·b − 1 ≤ 0.
    let a = cv.inv[0];
    let b = cv.inv[1] * (f32(y) + 0.5 - cv.centre.y);
    let aa = dot(a, a);
    let ab = dot(a, b);
    let disc = ab * ab - aa * (dot(b, b) - SPLAT_COMPUTE_ROW_SLACK);
    if (disc < 0.0) {
        return vec2i(1, 0);
    }
    let r = sqrt(disc);
    let x0 = cv.centre.x + (-ab - r) / aa - 0.5 - SPLAT_COMPUTE_BOX_MARGIN_PX;
    let x1 = cv.centre.x + (-ab + r) / aa - 0.5 + SPLAT_COMPUTE_BOX_MARGIN_PX;
    return vec2i(max(i32(ceil(x0)), cv.lo.x), min(i32(floor(x1)), cv.hi.x));
}

// The fixed-point density a dot adds at pixel (x, y): zero outside its footprint or where the
// skin hides it.
fn pixel_density(cv: Cover, x: i32, y: i32) -> vec3u {
    let ext = cv.fp.extent_mm;
    let uv = cv.inv * (vec2f(f32(x) + 0.5, f32(y) + 0.5) - cv.centre);
    let local = uv * ext;
    let r2 = dot(local, local);
    if (r2 > ext * ext) {
        return vec3u(0u);
    }
    let world = cv.position + cv.fp.t * local.x + cv.fp.b * local.y;
    let skin = view_distance(textureLoad(skin_distance, vec2i(x, y), 0));
    let mine = length(view.eye.xyz - world);
    if (mine > skin + view.proj.y + 2.0 * mine / view.proj.x) {
        return vec3u(0u);
    }
    return vec3u(dot_density(cv.fp, r2) * SPLAT_COMPUTE_FIXED + 0.5);
}

fn box_pixels(cv: Cover) -> u32 {
    let size = vec2u(cv.hi - cv.lo + 1);
    return size.x * size.y;
}

// A big footprint (a close-up's) is drawn by a whole workgroup in `splat_big`, not by its own
// thread: one thread looping over 10⁵ pixels holds up its whole group on a GPU, and lavapipe
// stops every invocation after 65535 loop iterations in all (LP_MAX_TGSI_LOOP_ITERATIONS), which
// cut such footprints off at a row. Lists dot i when its box is big; false when it is drawn
// here (small, or the list full).
fn defer_big(cv: Cover, i: u32) -> bool {
    if (!cv.ok || box_pixels(cv) <= SPLAT_COMPUTE_BIG_DOT_PX) {
        return false;
    }
    let slot = atomicAdd(&big[0], 1u);
    if (slot + SPLAT_COMPUTE_BIG_LIST_HEADER >= arrayLength(&big)) {
        return false;
    }
    atomicStore(&big[slot + SPLAT_COMPUTE_BIG_LIST_HEADER], i);
    return true;
}

fn add_to_buffer(x: i32, y: i32, add: vec3u) {
    let base = 3u * (u32(y) * u32(view.viewport.x) + u32(x));
    atomicAdd(&density[base], add.x);
    atomicAdd(&density[base + 1u], add.y);
    atomicAdd(&density[base + 2u], add.z);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn splat(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
    let cv = dot_cover(i);
    if (!cv.ok || defer_big(cv, i)) {
        return;
    }
    for (var y = cv.lo.y; y <= cv.hi.y; y++) {
        let span = row_span(cv, y);
        for (var x = span.x; x <= span.y; x++) {
            let add = pixel_density(cv, x, y);
            if (any(add != vec3u(0u))) {
                add_to_buffer(x, y, add);
            }
        }
    }
}

// The workgroup's square of pixel sums (three channels each), the box its dots cover (its lower
// corner is the square's) and how many dot-pixel pairs their own boxes hold.
var<workgroup> square: array<atomic<u32>, 3u * SPLAT_COMPUTE_SHARED_PX * SPLAT_COMPUTE_SHARED_PX>;
var<workgroup> box_lo: array<atomic<i32>, 2>;
var<workgroup> box_hi: array<atomic<i32>, 2>;
var<workgroup> pairs: atomic<u32>;
// How deep the dots' boxes must overlap on average for the square to be used (0: always). The
// pipeline sets it from src/render/splat_compute.rs.
override shared_min_overlap: f32 = SPLAT_COMPUTE_SHARED_MIN_OVERLAP;

// Where dots overlap deeply, one workgroup's footprints cover much the same pixels, and the
// atomic adds of thousands of workgroups on one pixel of the buffer queue up. Here a workgroup
// whose dots overlap `shared_min_overlap` deep first adds them into a square of workgroup memory
// over the box they cover (up to SPLAT_COMPUTE_SHARED_PX a side), then adds the square's sums
// to the buffer: one global add per pixel and channel per workgroup. Pixels outside the square,
// and every pixel of a workgroup whose dots barely overlap, go straight to the buffer. The
// pipeline does not zero workgroup memory; the part of the square in use is zeroed here.
@compute @workgroup_size(WORKGROUP_SIZE)
fn splat_shared(
    @builtin(global_invocation_id) gid: vec3u,
    @builtin(local_invocation_index) li: u32,
    @builtin(num_workgroups) nwg: vec3u,
) {
    let n = i32(SPLAT_COMPUTE_SHARED_PX);
    if (li == 0u) {
        atomicStore(&box_lo[0], 0x7fffffff);
        atomicStore(&box_lo[1], 0x7fffffff);
        atomicStore(&box_hi[0], -1);
        atomicStore(&box_hi[1], -1);
        atomicStore(&pairs, 0u);
    }
    workgroupBarrier();
    let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
    var cv = dot_cover(i);
    if (defer_big(cv, i)) {
        cv.ok = false;
    }
    if (cv.ok) {
        atomicMin(&box_lo[0], cv.lo.x);
        atomicMin(&box_lo[1], cv.lo.y);
        atomicMax(&box_hi[0], cv.hi.x);
        atomicMax(&box_hi[1], cv.hi.y);
        let size = cv.hi - cv.lo + 1;
        atomicAdd(&pairs, u32(size.x * size.y));
    }
    workgroupBarrier();
    let corner = vec2i(atomicLoad(&box_lo[0]), atomicLoad(&box_lo[1]));
    // When no dot of the workgroup draws, the box's top is below its corner: no square.
    let whole = max(vec2i(atomicLoad(&box_hi[0]), atomicLoad(&box_hi[1])) - corner + 1, vec2i(0));
    let deep = f32(atomicLoad(&pairs)) >= shared_min_overlap * f32(whole.x * whole.y);
    let wh = select(vec2i(0), min(whole, vec2i(n)), deep && all(whole > vec2i(0)));
    let far = corner + wh - 1;
    for (var k = i32(li); k < 3 * wh.x * wh.y; k += i32(WORKGROUP_SIZE)) {
        let q = vec2i((k / 3) % wh.x, (k / 3) / wh.x);
        atomicStore(&square[3 * (q.y * n + q.x) + k % 3], 0u);
    }
    workgroupBarrier();
    if (cv.ok) {
        for (var y = cv.lo.y; y <= cv.hi.y; y++) {
            let span = row_span(cv, y);
            for (var x = span.x; x <= span.y; x++) {
                let add = pixel_density(cv, x, y);
                if (all(add == vec3u(0u))) {
                    continue;
                }
                if (x <= far.x && y <= far.y) {
                    let q = vec2u(vec2i(x, y) - corner);
                    let base = 3u * (q.y * u32(n) + q.x);
                    atomicAdd(&square[base], add.x);
                    atomicAdd(&square[base + 1u], add.y);
                    atomicAdd(&square[base + 2u], add.z);
                } else {
                    add_to_buffer(x, y, add);
                }
            }
        }
    }
    workgroupBarrier();
    for (var k = i32(li); k < wh.x * wh.y; k += i32(WORKGROUP_SIZE)) {
        let q = vec2i(k % wh.x, k / wh.x);
        let base = 3u * u32(q.y * n + q.x);
        let v = vec3u(atomicLoad(&square[base]), atomicLoad(&square[base + 1u]),
            atomicLoad(&square[base + 2u]));
        if (any(v != vec3u(0u))) {
            add_to_buffer(corner.x + q.x, corner.y + q.y, v);
        }
    }
}

// Hands the big dots listed so far to `splat_big` (at most MAX_GROUPS_PER_DIMENSION groups,
// each drawing every so many) and empties the list for the next chunk's.
@compute @workgroup_size(1)
fn big_dispatch() {
    let n = min(atomicLoad(&big[0]), arrayLength(&big) - SPLAT_COMPUTE_BIG_LIST_HEADER);
    atomicStore(&big[1], n);
    atomicStore(&big[0], 0u);
    big_args[0] = min(n, MAX_GROUPS_PER_DIMENSION);
    big_args[1] = 1u;
    big_args[2] = 1u;
}

// One workgroup a big dot: its WORKGROUP_SIZE threads share the pixels of its box.
@compute @workgroup_size(WORKGROUP_SIZE)
fn splat_big(
    @builtin(workgroup_id) wg: vec3u,
    @builtin(num_workgroups) nwg: vec3u,
    @builtin(local_invocation_index) li: u32,
) {
    let n = atomicLoad(&big[1]);
    for (var k = wg.x; k < n; k += nwg.x) {
        let cv = dot_cover(atomicLoad(&big[k + SPLAT_COMPUTE_BIG_LIST_HEADER]));
        if (!cv.ok) {
            continue;
        }
        let w = u32(cv.hi.x - cv.lo.x + 1);
        let count = box_pixels(cv);
        for (var p = li; p < count; p += WORKGROUP_SIZE) {
            let x = cv.lo.x + i32(p % w);
            let y = cv.lo.y + i32(p / w);
            let add = pixel_density(cv, x, y);
            if (any(add != vec3u(0u))) {
                add_to_buffer(x, y, add);
            }
        }
    }
}

// Turns the fixed-point sums into the optical density target the composite reads.
@compute @workgroup_size(IMAGE_TILE, IMAGE_TILE)
fn resolve(@builtin(global_invocation_id) gid: vec3u) {
    let size = vec2u(view.viewport.xy);
    if (gid.x >= size.x || gid.y >= size.y) {
        return;
    }
    let base = 3u * (gid.y * size.x + gid.x);
    let od = vec3f(
        f32(atomicLoad(&density[base])),
        f32(atomicLoad(&density[base + 1u])),
        f32(atomicLoad(&density[base + 2u])),
    ) / SPLAT_COMPUTE_FIXED;
    textureStore(density_out, vec2i(gid.xy), vec4f(od, 1.0));
}
