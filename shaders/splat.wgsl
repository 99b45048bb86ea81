// Dot pass: each dot is a quad in the skin's tangent plane at its position, carrying a Gaussian
// footprint whose width and colour follow its depth (src/optics.rs). Fragments add optical
// density −ln(1 − a) per channel with additive blending: multiplication of transmittances,
// which is order-independent, so millions of dots never need sorting.
// Module: the prelude, shared/{hash,math,scar,view,optics,footprint}.wgsl and this file.

@group(0) @binding(1) var skin_distance: texture_2d<f32>;

// Dot (shared/dots.wgsl) as instance attributes, then its Appearance.
struct DotInstance {
    @location(0) position: vec3f,
    @location(1) depth_mm: f32,
    @location(2) normal: vec3f,
    @location(3) diameter_mm: f32,
    @location(4) pigment: f32,
    @location(5) shade: f32,
    @location(6) id: u32,
    @location(7) flags: u32,
    // Appearance from the age pass: pigment left, extra footprint variance (mm²), redness, scab.
    @location(8) look: vec4f,
}

struct VsOut {
    @builtin(position) clip: vec4f,
    // Position within the footprint, mm along its tangent axes.
    @location(0) local: vec2f,
    @location(1) world: vec3f,
    @location(2) @interpolate(flat) inv_2s2: vec3f,
    @location(3) @interpolate(flat) m0: vec3f,
    @location(4) @interpolate(flat) peak: vec3f,
    // x: scab thickness, y: its 1/(2σ²), z: redness, w: the quad's half-size (mm).
    @location(5) @interpolate(flat) marks: vec4f,
}

@vertex
fn vs_main(d: DotInstance, @builtin(vertex_index) vi: u32) -> VsOut {
    var o: VsOut;
    let fp = dot_footprint(d.position, d.normal, d.diameter_mm, d.depth_mm, d.shade, d.look);
    if (!fp.visible) {
        // Collapse it before rasterisation.
        o.clip = vec4f(2.0, 2.0, 2.0, 1.0);
        return o;
    }
    // Four corners drawn as two indexed triangles (0 1 2, 0 2 3): the post-transform cache
    // then runs this shader four times per dot instead of six.
    let corners = array<vec2f, 4>(
        vec2f(-1.0, -1.0), vec2f(1.0, -1.0), vec2f(1.0, 1.0), vec2f(-1.0, 1.0));
    let c = corners[vi] * fp.extent_mm;
    let world = d.position + fp.t * c.x + fp.b * c.y;
    o.clip = view.view_proj * vec4f(world, 1.0);
    o.local = c;
    o.world = world;
    o.inv_2s2 = fp.inv_2s2;
    o.m0 = fp.m0;
    o.peak = fp.peak;
    o.marks = vec4f(fp.scab, fp.scab_inv_2s2, fp.redness, fp.extent_mm);
    return o;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4f {
    let r2 = dot(in.local, in.local);
    if (r2 > in.marks.w * in.marks.w) {
        discard;
    }
    // Hidden by the head: compare view distances in millimetres with a tolerance that grows with
    // the pixel's footprint (a flat quad on a curved surface departs from it by a little).
    let px = vec2i(in.clip.xy);
    let skin = view_distance(textureLoad(skin_distance, px, 0));
    let mine = length(view.eye.xyz - in.world);
    let pixel_mm = mine / view.proj.x;
    if (mine > skin + view.proj.y + 2.0 * pixel_mm) {
        discard;
    }
    var fp: Footprint;
    fp.inv_2s2 = in.inv_2s2;
    fp.m0 = in.m0;
    fp.peak = in.peak;
    fp.scab = in.marks.x;
    fp.scab_inv_2s2 = in.marks.y;
    fp.redness = in.marks.z;
    return vec4f(dot_density(fp, r2), 1.0);
}
