// Skin pass: the head lit by the light preset's key, fill and sky/ground ambient. Writes apart
// (1) light returned from the dermis, which pigment darkens, (2) light that pigment cannot touch:
// the epidermis' own scatter and the sebum sheen on top, and (3) the view distance for the dot
// pass's depth test (see view_distance in view.wgsl). Subsurface scattering of the skin itself
// comes from a pre-integrated lookup (Penner 2011; src/render/skin.rs builds it from the same
// diffusion profile as the pigment optics): diffuse light as a function of N·L and curvature.

@group(0) @binding(1) var sss_lut: texture_2d<f32>;
@group(0) @binding(2) var sss_sampler: sampler;
// A scan's own colour (sRGB texture, read linear) where the vertex weight says so; a 1×1 white
// image and weight 0 on heads without one (src/render/skin.rs ScanTexture).
@group(0) @binding(3) var scan_albedo: texture_2d<f32>;
@group(0) @binding(4) var scan_sampler: sampler;

struct VsOut {
    @builtin(position) clip: vec4f,
    @location(0) world: vec3f,
    @location(1) normal: vec3f,
    @location(2) exposure: f32,
    // Texture coordinates (u, v) of the scan and the weight of its texture (0 or 1).
    @location(3) uvw: vec3f,
}

@vertex
fn vs_main(
    @location(0) position: vec3f,
    @location(1) normal: vec3f,
    @location(2) exposure: f32,
    @location(3) uvw: vec3f,
) -> VsOut {
    var o: VsOut;
    o.clip = view.view_proj * vec4f(position, 1.0);
    o.world = position;
    o.normal = normal;
    o.exposure = exposure;
    o.uvw = uvw;
    return o;
}

// A perceptually ordered ramp (dark blue → teal → yellow, after viridis) for 0 ≤ t ≤ 1.
fn ramp(t_in: f32) -> vec3f {
    let t = clamp(t_in, 0.0, 1.0);
    let c0 = vec3f(0.02, 0.01, 0.10);
    let c1 = vec3f(0.05, 0.15, 0.45);
    let c2 = vec3f(0.02, 0.45, 0.40);
    let c3 = vec3f(0.35, 0.75, 0.10);
    let c4 = vec3f(0.95, 0.85, 0.05);
    let x = t * 4.0;
    if (x < 1.0) { return mix(c0, c1, x); }
    if (x < 2.0) { return mix(c1, c2, x - 1.0); }
    if (x < 3.0) { return mix(c2, c3, x - 2.0); }
    return mix(c3, c4, x - 3.0);
}

// Value noise on an integer lattice (the project's hash), smooth-interpolated, in [−1, 1].
fn lattice(c: vec3i, s: u32) -> f32 {
    let h = pcg(bitcast<u32>(c.x) ^ pcg(bitcast<u32>(c.y) ^ pcg(bitcast<u32>(c.z) + s)));
    return to_unit(h) * 2.0 - 1.0;
}

fn noise3(p: vec3f, s: u32) -> f32 {
    let i = vec3i(floor(p));
    let f = p - floor(p);
    let u = f * f * (3.0 - 2.0 * f);
    let x00 = mix(lattice(i, s), lattice(i + vec3i(1, 0, 0), s), u.x);
    let x10 = mix(lattice(i + vec3i(0, 1, 0), s), lattice(i + vec3i(1, 1, 0), s), u.x);
    let x01 = mix(lattice(i + vec3i(0, 0, 1), s), lattice(i + vec3i(1, 0, 1), s), u.x);
    let x11 = mix(lattice(i + vec3i(0, 1, 1), s), lattice(i + vec3i(1, 1, 1), s), u.x);
    return mix(mix(x00, x10, u.y), mix(x01, x11, u.y), u.z);
}

// Fades a noise octave of feature size `mm` out where a pixel covers it (no shimmer).
fn octave_weight(mm: f32, pixel_mm: f32) -> f32 {
    return 1.0 - smoothstep(0.5 * mm, 1.5 * mm, pixel_mm);
}

// Diffuse light per channel from a light at cos θ = `ndl` on skin of curvature `curv` (1/mm).
fn sss_diffuse(ndl: f32, curv: f32) -> vec3f {
    // Rows: √(curvature / SKIN_SSS_MAX_CURVATURE); columns: cos θ.
    let uv = vec2f(ndl * 0.5 + 0.5, sqrt(clamp(curv / SKIN_SSS_MAX_CURVATURE, 0.0, 1.0)));
    return textureSampleLevel(sss_lut, sss_sampler, uv, 0.0).rgb;
}

struct FsOut {
    @location(0) diffuse: vec4f,
    @location(1) specular: vec4f,
    @location(2) distance: vec4f,
}

fn ggx_spec(n: vec3f, v: vec3f, l: vec3f, roughness: f32) -> f32 {
    let h = normalize(v + l);
    let ndh = max(dot(n, h), 0.0);
    let ndl = max(dot(n, l), 0.0);
    let ndv = max(dot(n, v), 1e-3);
    let a = roughness * roughness;
    let a2 = a * a;
    let d = a2 / (PI * pow(ndh * ndh * (a2 - 1.0) + 1.0, 2.0));
    let k = a * 0.5;
    let g = (ndl / (ndl * (1.0 - k) + k)) * (ndv / (ndv * (1.0 - k) + k));
    let f = 0.028 + (1.0 - 0.028) * pow(clamp(1.0 - dot(h, v), 0.0, 1.0), 5.0);
    return d * g * f / max(4.0 * ndl * ndv, 1e-4) * ndl;
}

@fragment
fn fs_main(in: VsOut, @builtin(front_facing) front: bool) -> FsOut {
    // Derivatives first, in uniform control flow: the surface's curvature (normal change per
    // millimetre) and a pixel's size on the skin.
    let dn = length(fwidth(in.normal));
    let dp = max(length(fwidth(in.world)), 1e-5);
    let curv = dn / dp;
    let pixel_mm = dp;
    // OBJ's v runs up the image, texture rows run down.
    let scan_rgb = textureSample(scan_albedo, scan_sampler, vec2f(in.uvw.x, 1.0 - in.uvw.y)).rgb;
    let scan_w = clamp(in.uvw.z, 0.0, 1.0);

    var n = normalize(in.normal);
    if (!front) {
        n = -n;
    }
    let v = normalize(view.eye.xyz - in.world);
    // Skin is not plastic: mottling of its colour over a few centimetres and millimetres,
    // roughness that varies with the sebum, and a fine relief that breaks up the sheen. Octaves
    // finer than a pixel fade out.
    let p = in.world;
    // Scar tissue (src/scar.rs): paler, smoother, without the skin's fine relief and mottling.
    let scar = scar_tissue(view.scars, p);
    let plain = 1.0 - 0.85 * scar;
    let blotch = noise3(p * (1.0 / 22.0), 1u);
    let mottle = noise3(p * (1.0 / 4.0), 2u) * octave_weight(4.0, pixel_mm);
    let fine = noise3(p * (1.0 / 0.8), 3u) * octave_weight(0.8, pixel_mm);
    let tint = vec3f(1.0 + 0.03 * blotch, 1.0 - 0.02 * blotch, 1.0 - 0.03 * blotch)
        * (1.0 + (0.035 * mottle + 0.02 * fine) * plain);
    let skin_roughness = view.epidermis.w + 0.08 * noise3(p * (1.0 / 9.0), 4u);
    let roughness = clamp(mix(skin_roughness, view.scar_dermis.w, scar), 0.15, 0.8);
    let relief = 0.02 * octave_weight(1.2, pixel_mm) * plain;
    let e = 0.12;
    let q = p * (1.0 / 1.2);
    let g = vec3f(
        noise3(q + vec3f(e, 0.0, 0.0), 5u) - noise3(q - vec3f(e, 0.0, 0.0), 5u),
        noise3(q + vec3f(0.0, e, 0.0), 5u) - noise3(q - vec3f(0.0, e, 0.0), 5u),
        noise3(q + vec3f(0.0, 0.0, e), 5u) - noise3(q - vec3f(0.0, 0.0, e), 5u),
    ) / (2.0 * e);
    let n_spec = normalize(n - relief * (g - dot(g, n) * n));

    // The key: a distant light, or a flash at the camera falling off as 1/d².
    let key_dir = key_light(in.world).xyz;
    let key_rgb = key_light_rgb(in.world);
    let irradiance = sss_diffuse(dot(n, key_dir), curv) * key_rgb
        + sss_diffuse(dot(n, view.fill_dir.xyz), curv) * view.fill_color.rgb
        + mix(view.ground.rgb, view.sky.rgb, 0.5 + 0.5 * n.y);
    var dermis = mix(view.dermis.rgb, view.scar_dermis.rgb, scar) * tint;
    var epidermis = mix(view.epidermis.rgb, view.scar_epidermis.rgb, scar);
    // The scan's texture is the skin's whole diffuse albedo as the scanner saw it: split it
    // between the dermis (which pigment darkens) and the epidermis in the model skin's
    // proportion, so dots over it keep their depth-dependent contrast.
    let dermis_share = view.dermis.rgb / max(view.dermis.rgb + view.epidermis.rgb, vec3f(1e-4));
    dermis = mix(dermis, scan_rgb * dermis_share, scan_w);
    epidermis = mix(epidermis, scan_rgb * (1.0 - dermis_share), scan_w);
    if (view.mode.x > 0.5) {
        // Exposure map: relative yearly UV dose 0–2 over the ramp, lit softly for the shape.
        dermis = ramp(in.exposure / 2.0);
        epidermis = vec3f(0.0);
    }
    // A soft light spreads the highlight: widen the lobe by the light's angular size.
    let rough_key = sqrt(roughness * roughness + view.key_color.w * view.key_color.w);
    let spec = ggx_spec(n_spec, v, key_dir, rough_key) * key_rgb
        + ggx_spec(n_spec, v, view.fill_dir.xyz, sqrt(roughness * roughness + 0.25)) * view.fill_color.rgb;
    var o: FsOut;
    o.diffuse = vec4f(dermis * irradiance, 1.0);
    o.specular = vec4f(epidermis * irradiance + spec * view.dermis.w, 1.0);
    // View distance past `eye.w` (mm), split into quarter millimetres and the rest so that two
    // half floats keep it to ~1e-4 mm: float32 targets are not renderable everywhere (GL).
    let d = length(view.eye.xyz - in.world) - view.eye.w;
    let hi = floor(d * 4.0) / 4.0;
    o.distance = vec4f(hi, d - hi, 0.0, 1.0);
    return o;
}
