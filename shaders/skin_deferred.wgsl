enable primitive_index;
// Deferred skin pass: the head rasterised into a buffer of visible triangles (depth and one
// triangle id per pixel, a fragment shader that does nothing else), then shaded by a compute
// shader (shared/skin_shading.wgsl) that rebuilds what a fragment shader is given: the
// perspective-correct barycentrics of the pixel's centre on its triangle, and the derivatives
// from the same triangle's plane at the right and lower neighbours' centres. A GPU built for
// compute runs graphics work on a few of its multiprocessors (an NVIDIA H100 or H200: two of
// its processing clusters), so the costly shading moves to compute; the raster work left is
// the cheapest there is.

struct VisOut {
    @builtin(position) clip: vec4f,
}

@vertex
fn vs_visible(@location(0) position: vec3f) -> VisOut {
    var o: VisOut;
    o.clip = view.view_proj * vec4f(position, 1.0);
    return o;
}

// The triangle's index plus one: 0 is "no skin here".
@fragment
fn fs_visible(@builtin(primitive_index) triangle: u32) -> @location(0) u32 {
    return triangle + 1u;
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
@group(0) @binding(16) var out_distance: texture_storage_2d<rgba16float, write>;

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

@compute @workgroup_size(IMAGE_TILE, IMAGE_TILE)
fn shade(@builtin(global_invocation_id) gid: vec3u) {
    let size = vec2u(view.viewport.xy);
    if (gid.x >= size.x || gid.y >= size.y) {
        return;
    }
    let px = vec2i(gid.xy);
    let id = textureLoad(visible, px, 0).x;
    if (id == 0u) {
        // What the skin pass clears to: no light, and "nothing here" for the composite.
        textureStore(out_diffuse, px, vec4f(0.0));
        textureStore(out_specular, px, vec4f(0.0));
        textureStore(out_distance, px, vec4f(RENDER_NO_SURFACE_MM, 0.0, 0.0, 0.0));
        return;
    }
    let t = 3u * (id - 1u);
    let i = vec3u(indices[t], indices[t + 1u], indices[t + 2u]);
    let p0 = position_of(i.x);
    let p1 = position_of(i.y);
    let p2 = position_of(i.z);
    let c0 = view.view_proj * vec4f(p0, 1.0);
    let c1 = view.view_proj * vec4f(p1, 1.0);
    let c2 = view.view_proj * vec4f(p2, 1.0);
    // The pixel's centre and its right and lower neighbours' in device coordinates (y up).
    let pixel = vec2f(gid.xy) + 0.5;
    let q = vec2f(pixel.x * view.viewport.z * 2.0 - 1.0, 1.0 - pixel.y * view.viewport.w * 2.0);
    let b = barycentrics(c0, c1, c2, q);
    let bx = barycentrics(c0, c1, c2, q + vec2f(2.0 * view.viewport.z, 0.0));
    let by = barycentrics(c0, c1, c2, q - vec2f(0.0, 2.0 * view.viewport.w));
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
    let o = shade_skin(s);
    textureStore(out_diffuse, px, o.diffuse);
    textureStore(out_specular, px, o.specular);
    textureStore(out_distance, px, o.distance);
}
