// Skin pass: the head rasterised and shaded per fragment (shared/skin_shading.wgsl), where
// the deferred skin pass (skin_deferred.wgsl) cannot run.

struct VsOut {
    // Invariant: the depth pre-pass (vs_depth) must put every fragment at the very same depth.
    @builtin(position) @invariant clip: vec4f,
    @location(0) world: vec3f,
    @location(1) normal: vec3f,
    @location(2) exposure: f32,
    // Texture coordinates (u, v) of the scan and the weight of its texture (0 or 1).
    @location(3) uvw: vec3f,
    // The scan's vertex colour (linear RGB) and its weight (0 or 1).
    @location(4) colour: vec4f,
}

@vertex
fn vs_main(
    @location(0) position: vec3f,
    @location(1) normal: vec3f,
    @location(2) exposure: f32,
    @location(3) uvw: vec3f,
    @location(4) colour: vec4f,
) -> VsOut {
    var o: VsOut;
    o.clip = view.view_proj * vec4f(position, 1.0);
    o.world = position;
    o.normal = normal;
    o.exposure = exposure;
    o.uvw = uvw;
    o.colour = colour;
    return o;
}

// The depth pre-pass: the head's nearest surface first, so that the costly shading below runs
// once a pixel instead of once for every face drawn over it (both faces are drawn, and the back
// of the head comes before the front in the index order).
@vertex
fn vs_depth(@location(0) position: vec3f) -> @builtin(position) @invariant vec4f {
    return view.view_proj * vec4f(position, 1.0);
}

@fragment
fn fs_main(in: VsOut, @builtin(front_facing) front: bool) -> FsOut {
    // Derivatives first, in uniform control flow: the surface's curvature (normal change per
    // millimetre) and a pixel's size on the skin.
    let dn = length(fwidth(in.normal));
    let dp = max(length(fwidth(in.world)), 1e-5);
    var s: SkinSample;
    s.world = in.world;
    s.normal = in.normal;
    s.front = front;
    s.exposure = in.exposure;
    s.uvw = in.uvw;
    s.colour = in.colour;
    // OBJ's v runs up the image, texture rows run down.
    s.texel = textureSample(scan_albedo, scan_sampler, vec2f(in.uvw.x, 1.0 - in.uvw.y)).rgb;
    s.curv = dn / dp;
    s.pixel_mm = dp;
    s.pixel = in.clip.xy;
    s.samples = 1u;
    return shade_skin(s);
}
