enable primitive_index;
// Deferred skin pass: the head rasterised into a buffer of visible triangles (depth, one
// triangle id and the view distance per pixel, a fragment shader that does nothing else), then shaded by a compute
// shader (shared/skin_shading.wgsl) that rebuilds what a fragment shader is given: the
// perspective-correct barycentrics of the pixel's centre on its triangle, and the derivatives
// from the same triangle's plane at the right and lower neighbours' centres. A GPU built for
// compute runs graphics work on a few of its multiprocessors (an NVIDIA H100 or H200: two of
// its processing clusters), so the costly shading moves to compute; the raster work left is
// the cheapest there is.

struct VisOut {
    @builtin(position) clip: vec4f,
    @location(0) world: vec3f,
}

@vertex
fn vs_visible(@location(0) position: vec3f) -> VisOut {
    var o: VisOut;
    o.clip = view.view_proj * vec4f(position, 1.0);
    o.world = position;
    return o;
}

struct Visible {
    // The triangle's index plus one: 0 is "no skin here".
    @location(0) triangle: u32,
    // Each sample's view distance, as the forward skin pass writes it (what the dots, the
    // shafts and the composite read): interpolated here, where it is cheapest.
    @location(1) distance: vec4f,
}

@fragment
fn fs_visible(in: VisOut, @builtin(primitive_index) triangle: u32) -> Visible {
    return Visible(triangle + 1u, stored_distance(in.world));
}

// The head's buffers (render::HeadGpu), read as plain arrays.
@group(0) @binding(8) var<storage, read> indices: array<u32>;
// Position and normal, HEAD_VERTEX_FLOATS a vertex (render::HeadVertex).
@group(0) @binding(9) var<storage, read> vertices: array<f32>;
@group(0) @binding(10) var<storage, read> exposures: array<f32>;
// The scan's (u, v, weight), SCAN_UVW_FLOATS a vertex (render::ScanUvw), and its vertex colours.
@group(0) @binding(11) var<storage, read> uvws: array<f32>;
@group(0) @binding(12) var<storage, read> colours: array<vec4f>;
@group(0) @binding(13) var visible: texture_2d<u32>;
@group(0) @binding(14) var out_diffuse: texture_storage_2d<rgba16float, write>;
@group(0) @binding(15) var out_specular: texture_storage_2d<rgba16float, write>;
// Each sample's view distance, as the visibility pass wrote it.
@group(0) @binding(16) var distance: texture_2d<f32>;
// Samples shaded once per output pixel that lie on another surface than their pixel's shaded
// one: word 0 counts them as they are listed, word 1 is how many `edge_dispatch` handed on,
// then each sample's index (x + y × width).
@group(0) @binding(17) var<storage, read_write> edges: array<atomic<u32>>;
// `shade_edges`' indirect dispatch, written by `edge_dispatch` (a group of its own: a buffer
// read as dispatch arguments cannot be bound writable in the same dispatch).
@group(1) @binding(0) var<storage, read_write> edge_args: array<u32>;

fn position_of(i: u32) -> vec3f {
    let k = HEAD_VERTEX_FLOATS * i;
    return vec3f(vertices[k], vertices[k + 1u], vertices[k + 2u]);
}

fn normal_of(i: u32) -> vec3f {
    let k = HEAD_VERTEX_FLOATS * i + 3u;
    return vec3f(vertices[k], vertices[k + 1u], vertices[k + 2u]);
}

fn uvw_of(i: u32) -> vec3f {
    let k = SCAN_UVW_FLOATS * i;
    return vec3f(uvws[k], uvws[k + 1u], uvws[k + 2u]);
}

fn cross2(a: vec2f, b: vec2f) -> f32 {
    return a.x * b.y - a.y * b.x;
}

// Perspective-correct barycentrics at `q` (normalised device coordinates) of the triangle
// whose clip positions are `c0`…`c2`: screen-space edge functions, each weighted by 1/w.
fn barycentrics(c0: vec4f, c1: vec4f, c2: vec4f, q: vec2f) -> vec3f {
    let a0 = c0.xy / c0.w;
    let a1 = c1.xy / c1.w;
    let a2 = c2.xy / c2.w;
    let l = vec3f(cross2(a1 - q, a2 - q), cross2(a2 - q, a0 - q), cross2(a0 - q, a1 - q))
        / vec3f(c0.w, c1.w, c2.w);
    let sum = l.x + l.y + l.z;
    return l / select(sum, 1e-30, abs(sum) < 1e-30);
}

// The triangle `id` (its index plus one) seen around `pixel` (internal pixels, from the top
// left): what a fragment shader would be given there, its derivatives taken `step` pixels to
// the right and below (1: one sample; s: one output pixel of s×s samples).
fn skin_sample(id: u32, pixel: vec2f, step: f32) -> SkinSample {
    let t = 3u * (id - 1u);
    let i = vec3u(indices[t], indices[t + 1u], indices[t + 2u]);
    let p0 = position_of(i.x);
    let p1 = position_of(i.y);
    let p2 = position_of(i.z);
    let c0 = view.view_proj * vec4f(p0, 1.0);
    let c1 = view.view_proj * vec4f(p1, 1.0);
    let c2 = view.view_proj * vec4f(p2, 1.0);
    // The pixel's centre and its right and lower neighbours' in device coordinates (y up).
    let q = vec2f(pixel.x * view.viewport.z * 2.0 - 1.0, 1.0 - pixel.y * view.viewport.w * 2.0);
    let b = barycentrics(c0, c1, c2, q);
    let bx = barycentrics(c0, c1, c2, q + vec2f(2.0 * step * view.viewport.z, 0.0));
    let by = barycentrics(c0, c1, c2, q - vec2f(0.0, 2.0 * step * view.viewport.w));
    let pos = mat3x3f(p0, p1, p2);
    let nrm = mat3x3f(normal_of(i.x), normal_of(i.y), normal_of(i.z));
    let tex = mat3x3f(uvw_of(i.x), uvw_of(i.y), uvw_of(i.z));
    var s: SkinSample;
    s.world = pos * b;
    s.normal = nrm * b;
    // Counter-clockwise on the screen is the front (the raster pipelines' default).
    let a0 = c0.xy / c0.w;
    s.front = cross2(c1.xy / c1.w - a0, c2.xy / c2.w - a0) > 0.0;
    s.exposure = dot(vec3f(exposures[i.x], exposures[i.y], exposures[i.z]), b);
    s.uvw = tex * b;
    s.colour = mat3x4f(colours[i.x], colours[i.y], colours[i.z]) * b;
    // fwidth, as the fragment shader takes it: |∂/∂x| + |∂/∂y| over one pixel.
    let dn = length(abs(nrm * bx - s.normal) + abs(nrm * by - s.normal));
    let dp = max(length(abs(pos * bx - s.world) + abs(pos * by - s.world)), 1e-5);
    s.curv = dn / dp;
    s.pixel_mm = dp;
    // OBJ's v runs up the image, texture rows run down.
    let flip = vec2f(1.0, -1.0);
    let uv = vec2f(s.uvw.x, 1.0 - s.uvw.y);
    s.texel = textureSampleGrad(scan_albedo, scan_sampler, uv,
        flip * ((tex * bx).xy - s.uvw.xy), flip * ((tex * by).xy - s.uvw.xy)).rgb;
    s.pixel = pixel;
    s.samples = u32(step);
    return s;
}

// Every sample shaded (view.mode.y = 1).
@compute @workgroup_size(IMAGE_TILE, IMAGE_TILE)
fn shade(@builtin(global_invocation_id) gid: vec3u) {
    let size = vec2u(view.viewport.xy);
    if (gid.x >= size.x || gid.y >= size.y) {
        return;
    }
    let px = vec2i(gid.xy);
    let id = textureLoad(visible, px, 0).x;
    if (id == 0u) {
        // What the skin pass clears to: no light (the distance says "nothing here").
        textureStore(out_diffuse, px, vec4f(0.0));
        textureStore(out_specular, px, vec4f(0.0));
        return;
    }
    let o = shade_skin(skin_sample(id, vec2f(gid.xy) + 0.5, 1.0));
    textureStore(out_diffuse, px, o.diffuse);
    textureStore(out_specular, px, o.specular);
}

// Shaded once per output pixel of s×s samples (view.mode.y = s), as multisampling does: the
// coverage and each sample's view distance stay per sample; the light is worked out once, at
// the output pixel's centre on the triangle of its covered sample nearest that centre, and
// stored in each covered sample on that surface. A sample on another one (an occlusion edge:
// farther or nearer than two pixels' slope allows) is listed for `shade_edges`, which shades
// it on its own, as a second primitive in a pixel gets its own shading under multisampling.
// About a quarter of the shading at 2× supersampling.
@compute @workgroup_size(IMAGE_TILE, IMAGE_TILE)
fn shade_per_pixel(@builtin(global_invocation_id) gid: vec3u) {
    let s = u32(view.mode.y);
    let size = vec2u(view.viewport.xy);
    let out_size = size / s;
    if (gid.x >= out_size.x || gid.y >= out_size.y) {
        return;
    }
    let centre = (vec2f(gid.xy) + 0.5) * f32(s);
    var nearest = 0u;
    var nearest_px = vec2i(0);
    var nearest_d2 = 1e30;
    for (var j = 0u; j < s; j++) {
        for (var i = 0u; i < s; i++) {
            let px = vec2i(gid.xy * s + vec2u(i, j));
            let id = textureLoad(visible, px, 0).x;
            let at = vec2f(px) + 0.5;
            let d2 = dot(at - centre, at - centre);
            if (id != 0u && d2 < nearest_d2) {
                nearest = id;
                nearest_px = px;
                nearest_d2 = d2;
            }
        }
    }
    var lit: FsOut;
    var d0 = 0.0;
    if (nearest != 0u) {
        lit = shade_skin(skin_sample(nearest, centre, f32(s)));
        d0 = view_distance(textureLoad(distance, nearest_px, 0));
    }
    // As the dots' test of the skin in front of them: SKIN_TOLERANCE_MM and two pixels' slope.
    let tolerance = view.proj.y + 2.0 * f32(s) * d0 / view.proj.x;
    for (var j = 0u; j < s; j++) {
        for (var i = 0u; i < s; i++) {
            let px = vec2i(gid.xy * s + vec2u(i, j));
            let id = textureLoad(visible, px, 0).x;
            var o = lit;
            if (id == 0u) {
                // What the skin pass clears to: no light (the distance says "nothing here").
                o.diffuse = vec4f(0.0);
                o.specular = vec4f(0.0);
            } else if (abs(view_distance(textureLoad(distance, px, 0)) - d0) > tolerance) {
                let k = atomicAdd(&edges[0], 1u);
                if (k < arrayLength(&edges) - SKIN_DEFERRED_EDGE_LIST_HEADER) {
                    atomicStore(&edges[k + SKIN_DEFERRED_EDGE_LIST_HEADER],
                        u32(px.x) + u32(px.y) * size.x);
                }
                // Past the list's end it keeps its pixel's light.
            }
            textureStore(out_diffuse, px, o.diffuse);
            textureStore(out_specular, px, o.specular);
        }
    }
}

// One thread: hands the listed edge samples to `shade_edges` and empties the list for the
// next frame.
@compute @workgroup_size(1)
fn edge_dispatch() {
    let n = min(atomicLoad(&edges[0]), arrayLength(&edges) - SKIN_DEFERRED_EDGE_LIST_HEADER);
    atomicStore(&edges[1], n);
    atomicStore(&edges[0], 0u);
    edge_args[0] = min((n + WORKGROUP_SIZE - 1u) / WORKGROUP_SIZE, MAX_GROUPS_PER_DIMENSION);
    edge_args[1] = 1u;
    edge_args[2] = 1u;
}

// Each listed edge sample shaded on its own.
@compute @workgroup_size(WORKGROUP_SIZE)
fn shade_edges(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let n = atomicLoad(&edges[1]);
    let width = u32(view.viewport.x);
    for (var k = gid.x; k < n; k += nwg.x * WORKGROUP_SIZE) {
        let at = atomicLoad(&edges[k + SKIN_DEFERRED_EDGE_LIST_HEADER]);
        let px = vec2i(vec2u(at % width, at / width));
        let o = shade_skin(skin_sample(textureLoad(visible, px, 0).x, vec2f(px) + 0.5, 1.0));
        textureStore(out_diffuse, px, o.diffuse);
        textureStore(out_specular, px, o.specular);
    }
}
