// Bake pass: the treatment drawn into the head's texture (UV) space, for files a client takes
// home (src/export). Two passes into one additive Rgba16Float target:
//   chart: the mesh's triangles rasterised by their UVs, adding 1 to alpha: which texels lie
//          on the skin (the rest is gutter, filled from its neighbours on the CPU); and each
//          texel's chart + 1 into an R32Uint target;
//   dot:   each dot as a quad in its skin's tangent plane, mapped into UV space through the
//          affine map of a triangle of one chart, adding the same optical density as the 3D
//          render's dot pass (shared/footprint.wgsl), at the texture's texels per millimetre,
//          on that chart's texels only. A dot near a seam is drawn once per chart it reaches
//          (src/export/bake.rs `DotUv`), so each side of the seam gets its part of the dot.
// Module: the prelude, shared/{hash,math,scar,view,optics,footprint}.wgsl and this file.

struct BakeGpu {
    // Texture size in texels (x, y).
    size: vec2f,
    // Smallest σ a footprint is drawn with, in texels.
    min_sigma_texels: f32,
    _pad: f32,
    // The ink tone's per-channel scale of the ink's density (rgb).
    ink: vec4f,
    // The tile drawn now: its first texel (xy) and its size in texels (zw). Large textures
    // are baked a tile at a time, each read back before the next.
    tile: vec4f,
}

@group(0) @binding(2) var<storage, read> bake: BakeGpu;
// Each texel's chart + 1 (0 off the charts), from the chart pass; read by the dot pass.
@group(0) @binding(3) var chart_ids: texture_2d<u32>;

// A texture coordinate (glTF: origin at the image's top left) as a clip-space position.
fn uv_clip(uv: vec2f) -> vec4f {
    let p = (uv * bake.size - bake.tile.xy) / bake.tile.zw;
    return vec4f(p.x * 2.0 - 1.0, 1.0 - p.y * 2.0, 0.0, 1.0);
}

struct ChartOut {
    @builtin(position) clip: vec4f,
    @location(0) @interpolate(flat) chart: u32,
}

@vertex
fn vs_chart(@location(0) uv: vec2f, @location(1) chart: u32) -> ChartOut {
    return ChartOut(uv_clip(uv), chart);
}

struct ChartTexel {
    @location(0) mask: vec4f,
    @location(1) chart: u32,
}

@fragment
fn fs_chart(in: ChartOut) -> ChartTexel {
    return ChartTexel(vec4f(0.0, 0.0, 0.0, 1.0), in.chart);
}

// Dot (shared/dots.wgsl) and its Appearance as instance attributes, as the splat pass reads
// them, then where the dot lies in UV space (src/export/bake.rs `DotUv`).
struct BakeInstance {
    @location(0) position: vec3f,
    @location(1) depth_mm: f32,
    @location(2) normal: vec3f,
    @location(3) diameter_mm: f32,
    @location(4) pigment: f32,
    @location(5) shade: f32,
    @location(6) id: u32,
    @location(7) flags: u32,
    @location(8) look: vec4f,
    // The dot's UV (xy), the texels per millimetre of its triangle (z) and its chart + 1
    // (w; 0: not drawn in this placement).
    @location(9) uv: vec4f,
    // d(u)/d(position) and d(v)/d(position) over its triangle, per mm.
    @location(10) du: vec4f,
    @location(11) dv: vec4f,
}

struct VsOut {
    @builtin(position) clip: vec4f,
    @location(0) local: vec2f,
    @location(1) @interpolate(flat) inv_2s2: vec3f,
    @location(2) @interpolate(flat) m0: vec3f,
    @location(3) @interpolate(flat) peak: vec3f,
    // x: scab thickness, y: its 1/(2σ²), z: redness, w: the quad's half-size (mm).
    @location(4) @interpolate(flat) marks: vec4f,
    // The chart + 1 this placement draws on.
    @location(5) @interpolate(flat) chart: u32,
}

@vertex
fn vs_dot(d: BakeInstance, @builtin(vertex_index) vi: u32) -> VsOut {
    var o: VsOut;
    // Dots with nothing to show, and placements not used (uv.w = 0: no triangle claimed the
    // dot, or no other chart is near it), are not drawn.
    if (d.uv.w < 0.5 || !(d.look.x > 0.0 || d.look.z > 0.0 || d.look.w > 0.0)) {
        o.clip = vec4f(2.0, 2.0, 2.0, 1.0);
        return o;
    }
    let fp = footprint_at(d.normal, d.diameter_mm, d.depth_mm, d.shade, d.look, d.uv.z,
                          bake.min_sigma_texels, bake.ink.rgb);
    let corners = array<vec2f, 4>(
        vec2f(-1.0, -1.0), vec2f(1.0, -1.0), vec2f(1.0, 1.0), vec2f(-1.0, 1.0));
    let c = corners[vi] * fp.extent_mm;
    let offset = fp.t * c.x + fp.b * c.y;
    o.clip = uv_clip(d.uv.xy + vec2f(dot(d.du.xyz, offset), dot(d.dv.xyz, offset)));
    o.local = c;
    o.inv_2s2 = fp.inv_2s2;
    o.m0 = fp.m0;
    o.peak = fp.peak;
    o.marks = vec4f(fp.scab, fp.scab_inv_2s2, fp.redness, fp.extent_mm);
    o.chart = u32(d.uv.w + 0.5);
    return o;
}

@fragment
fn fs_dot(in: VsOut) -> @location(0) vec4f {
    let r2 = dot(in.local, in.local);
    if (r2 > in.marks.w * in.marks.w) {
        discard;
    }
    // Only on this placement's chart: the quad also covers the gutter and, across a seam, the
    // texels of whatever chart is packed beside it.
    if (textureLoad(chart_ids, vec2i(in.clip.xy), 0).r != in.chart) {
        discard;
    }
    var fp: Footprint;
    fp.inv_2s2 = in.inv_2s2;
    fp.m0 = in.m0;
    fp.peak = in.peak;
    fp.scab = in.marks.x;
    fp.scab_inv_2s2 = in.marks.y;
    fp.redness = in.marks.z;
    return vec4f(dot_density(fp, r2), 0.0);
}
