// Dot pass, compute path: one thread per dot projects its footprint and adds optical density to
// every pixel it covers with integer atomics (fixed point), so the sum is bit-exact and
// independent of thread order. Same optics and visibility rules as splat.wgsl (the raster path);
// the footprint is mapped to the screen by the affine map of its tangent axes.
// Module: the prelude, shared/{hash,math,dots,scar,view,ageing,optics,footprint}.wgsl and this file.

@group(0) @binding(1) var skin_distance: texture_2d<f32>;
@group(0) @binding(2) var<storage, read> dots: array<Dot>;
@group(0) @binding(3) var<storage, read> looks: array<Appearance>;
// Three fixed-point channels per internal pixel.
@group(0) @binding(4) var<storage, read_write> density: array<atomic<u32>>;
@group(0) @binding(5) var density_out: texture_storage_2d<rgba16float, write>;

// SPLAT_COMPUTE_FIXED and SPLAT_COMPUTE_MAX_HALF_PX: src/render/splat_compute.rs says why.

fn to_pixels(p: vec3f) -> vec3f {
    let c = view.view_proj * vec4f(p, 1.0);
    let ndc = c.xy / c.w;
    return vec3f((ndc.x * 0.5 + 0.5) * view.viewport.x, (0.5 - ndc.y * 0.5) * view.viewport.y, c.w);
}

@compute @workgroup_size(64)
fn splat(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * 64u;
    if (i >= arrayLength(&dots)) {
        return;
    }
    let d = dots[i];
    let a = looks[i];
    let look = vec4f(a.amount, a.spread_mm2, a.redness, a.scab);
    let fp = dot_footprint(d.position, d.normal, d.diameter_mm, d.depth_mm, d.shade, look);
    if (!fp.visible) {
        return;
    }
    let t = fp.t;
    let b = fp.b;
    let ext = fp.extent_mm;

    let c = to_pixels(d.position);
    if (c.z <= 0.0) {
        return;
    }
    let pt = to_pixels(d.position + t * ext).xy - c.xy;
    let pb = to_pixels(d.position + b * ext).xy - c.xy;
    let det = pt.x * pb.y - pt.y * pb.x;
    if (abs(det) < 1e-8) {
        return;
    }
    // Pixel offset → (u, v) in units of `ext` along t and b.
    let inv = mat2x2f(vec2f(pb.y, -pt.y), vec2f(-pb.x, pt.x)) * (1.0 / det);
    let half = min(abs(pt) + abs(pb), vec2f(SPLAT_COMPUTE_MAX_HALF_PX));
    let lo = max(vec2i(floor(c.xy - half)), vec2i(0));
    let hi = min(vec2i(ceil(c.xy + half)), vec2i(view.viewport.xy) - 1);
    let width = u32(view.viewport.x);
    for (var y = lo.y; y <= hi.y; y++) {
        for (var x = lo.x; x <= hi.x; x++) {
            let uv = inv * (vec2f(f32(x) + 0.5, f32(y) + 0.5) - c.xy);
            let local = uv * ext;
            let r2 = dot(local, local);
            if (r2 > ext * ext) {
                continue;
            }
            let world = d.position + t * local.x + b * local.y;
            let skin = view_distance(textureLoad(skin_distance, vec2i(x, y), 0));
            let mine = length(view.eye.xyz - world);
            if (mine > skin + view.proj.y + 2.0 * mine / view.proj.x) {
                continue;
            }
            let od = dot_density(fp, r2);
            let base = 3u * (u32(y) * width + u32(x));
            atomicAdd(&density[base], u32(od.x * SPLAT_COMPUTE_FIXED + 0.5));
            atomicAdd(&density[base + 1u], u32(od.y * SPLAT_COMPUTE_FIXED + 0.5));
            atomicAdd(&density[base + 2u], u32(od.z * SPLAT_COMPUTE_FIXED + 0.5));
        }
    }
}

// Turns the fixed-point sums into the optical density target the composite reads.
@compute @workgroup_size(8, 8)
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
