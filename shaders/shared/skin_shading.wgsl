// The skin's shading, shared by the skin pass (skin.wgsl, a fragment shader) and the deferred
// skin pass (skin_deferred.wgsl, a compute shader over a buffer of visible triangles): the head
// lit by the light preset's key, fill and sky/ground ambient. Writes apart (1) light returned
// from the dermis, which pigment darkens, (2) light that pigment cannot touch: the epidermis'
// own scatter and the sebum sheen on top, and (3) the view distance for the dot pass's depth
// test (see view_distance in view.wgsl). Subsurface scattering of the skin itself comes from a
// pre-integrated lookup (Penner 2011; src/render/skin.rs builds it from the same diffusion
// profile as the pigment optics): diffuse light as a function of N·L and curvature.
@group(0) @binding(1) var sss_lut: texture_2d<f32>;
@group(0) @binding(2) var sss_sampler: sampler;
// A scan's own colour (sRGB texture, read linear) where the vertex weight says so; a 1×1 white
// image and weight 0 on heads without one (src/render/skin.rs ScanTexture).
@group(0) @binding(3) var scan_albedo: texture_2d<f32>;
@group(0) @binding(4) var scan_sampler: sampler;
// The key light's shadow map (src/render/shadow.rs); off (params.x = 0) for a flash.
@group(0) @binding(5) var<storage, read> shadow: ShadowGpu;
// Read through one comparison sampler only, so that GL can bind it (one sampler a texture).
@group(0) @binding(6) var shadow_map: texture_depth_2d;
@group(0) @binding(7) var shadow_compare: sampler_comparison;

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

// Value noise with its gradient (Quilez): x the value in [−1, 1], yzw ∂/∂p in lattice units.
fn noise3_grad(p: vec3f, s: u32) -> vec4f {
    let i = vec3i(floor(p));
    let f = p - floor(p);
    let u = f * f * (3.0 - 2.0 * f);
    let du = 6.0 * f * (1.0 - f);
    let a = lattice(i, s);
    let b = lattice(i + vec3i(1, 0, 0), s);
    let c = lattice(i + vec3i(0, 1, 0), s);
    let d = lattice(i + vec3i(1, 1, 0), s);
    let e = lattice(i + vec3i(0, 0, 1), s);
    let f1 = lattice(i + vec3i(1, 0, 1), s);
    let g = lattice(i + vec3i(0, 1, 1), s);
    let h = lattice(i + vec3i(1, 1, 1), s);
    let k1 = b - a;
    let k2 = c - a;
    let k3 = e - a;
    let k4 = a - b - c + d;
    let k5 = a - c - e + g;
    let k6 = a - b - e + f1;
    let k7 = -a + b + c - d + e - f1 - g + h;
    let value = a + k1 * u.x + k2 * u.y + k3 * u.z + k4 * u.x * u.y + k5 * u.y * u.z
        + k6 * u.z * u.x + k7 * u.x * u.y * u.z;
    let grad = du * vec3f(
        k1 + k4 * u.y + k6 * u.z + k7 * u.y * u.z,
        k2 + k5 * u.z + k4 * u.x + k7 * u.z * u.x,
        k3 + k6 * u.x + k5 * u.y + k7 * u.x * u.y,
    );
    return vec4f(value, grad);
}

// Detail of feature size `mm` drawn in full while a pixel covers less than SKIN_FADE_START of
// it, gone past SKIN_FADE_END: what the supersampled image cannot resolve would be speckle.
fn detail_weight(mm: f32, pixel_mm: f32) -> f32 {
    return 1.0 - smoothstep(SKIN_FADE_START * mm, SKIN_FADE_END * mm, pixel_mm);
}

// The skin's surface at close range: x how much less light it returns (pores' pits, lines'
// furrows), yzw the gradient of its height (mm per mm) that tilts the shading normal. `n` is
// the smooth normal, `pixel_mm` the footprint of a pixel on the skin.
fn skin_surface(p: vec3f, n: vec3f, pixel_mm: f32) -> vec4f {
    var dark = 0.0;
    var grad = vec3f(0.0);
    // Fine relief: three octaves, each offset in space so they do not line up at the origin.
    let scales = SKIN_RELIEF_SCALE_MM;
    let heights = SKIN_RELIEF_HEIGHT_MM;
    for (var o = 0u; o < 3u; o++) {
        let s = scales[o];
        let w = detail_weight(s, pixel_mm);
        if (w > 0.0) {
            let q = noise3_grad(p / s + f32(o) * vec3f(17.3, 5.1, 11.7), STREAM_SKIN_RELIEF);
            grad += (w * heights[o] / s) * q.yzw;
        }
    }
    // Skin lines: furrows along the zero sets of two noises, a net of irregular plateaus.
    // Each furrow is measured in mm from its zero set (|value| / |gradient|), so it keeps its
    // width everywhere; it fades out once a pixel nears half the net's spacing, and before
    // that a furrow thinner than a pixel is widened to one, shallower in proportion (its
    // cross-section kept).
    let lw = detail_weight(0.5 * SKIN_LINES_SCALE_MM, pixel_mm);
    if (lw > 0.0) {
        let width = max(SKIN_LINES_WIDTH_MM, 1.5 * pixel_mm);
        let keep = lw * SKIN_LINES_WIDTH_MM / width;
        for (var k = 0u; k < 2u; k++) {
            let l = noise3_grad(p / SKIN_LINES_SCALE_MM + f32(k) * vec3f(7.7, 3.1, 9.4),
                STREAM_SKIN_LINES);
            let g = l.yzw / SKIN_LINES_SCALE_MM;
            let dist = abs(l.x) / max(length(g), 0.2);
            let t = clamp(dist / width, 0.0, 1.0);
            let furrow = 1.0 - t * t * (3.0 - 2.0 * t);
            // Height −depth·furrow: its slope rises away from the furrow's floor.
            let slope = SKIN_LINES_DEPTH_MM * 6.0 * t * (1.0 - t) / width;
            grad += (keep * slope * sign(l.x)) * normalize(g + vec3f(1e-6));
            dark += keep * SKIN_LINES_DARKENING * furrow;
        }
    }
    // Pores: one candidate per cube (SKIN_PORE_CELL_MM), kept within a slab round the skin;
    // the 8 cubes nearest `p` hold every candidate that can reach it.
    // Pores fade out as a pixel nears a pore's spacing; before that one smaller than a pixel
    // is widened to it with its darkness scaled by the area ratio (as footprint.wgsl's
    // keep_area does for dots), so its mean darkness holds without a one-pixel speckle.
    let pw = detail_weight(4.0 * SKIN_PORE_RADIUS_MM.y, pixel_mm);
    if (pw > 0.0) {
        let cell_mm = SKIN_PORE_CELL_MM;
        let slab = 0.5 * cell_mm - SKIN_PORE_RADIUS_MM.y;
        let base = vec3i(floor(p / cell_mm - 0.5));
        for (var k = 0u; k < 8u; k++) {
            let cell = base + vec3i(vec3u(k & 1u, (k >> 1u) & 1u, (k >> 2u) & 1u));
            let h0 = pcg(bitcast<u32>(cell.x) ^ pcg(bitcast<u32>(cell.y)
                ^ pcg(bitcast<u32>(cell.z) + STREAM_SKIN_PORE)));
            let h1 = pcg(h0);
            let h2 = pcg(h1);
            let h3 = pcg(h2);
            let centre = (vec3f(cell) + vec3f(to_unit(h0), to_unit(h1), to_unit(h2))) * cell_mm;
            let d = centre - p;
            let off = dot(d, n);
            let t = d - off * n;
            let r0 = mix(SKIN_PORE_RADIUS_MM.x, SKIN_PORE_RADIUS_MM.y, to_unit(h3));
            let r = max(r0, 0.75 * pixel_mm);
            let keep = pw * (r0 * r0) / (r * r);
            let q = dot(t, t) / (r * r);
            if (abs(off) < slab && q < 1.0) {
                let bowl = (1.0 - q) * (1.0 - q);
                dark += keep * SKIN_PORE_DARKENING * bowl;
                // Height −depth·bowl: slopes down toward the centre.
                grad -= (keep * 4.0 * SKIN_PORE_DEPTH_MM * (1.0 - q) / (r * r)) * t;
            }
        }
    }
    return vec4f(min(dark, 1.0), grad);
}

// The sebum film's oil, 0 (dry) – 1: oilier along the midline of the top (forehead, vertex,
// crown), drier on the sides and at the back, with a low-frequency variation.
fn sebum_oil(p: vec3f) -> f32 {
    let dir = normalize(p);
    let midline = 1.0 - smoothstep(SKIN_SEBUM_MIDLINE.x, SKIN_SEBUM_MIDLINE.y, abs(dir.x));
    let upper = smoothstep(SKIN_SEBUM_UPPER.x, SKIN_SEBUM_UPPER.y, dir.y);
    let vary = SKIN_SEBUM_NOISE * noise3(p / SKIN_SEBUM_NOISE_MM, STREAM_SKIN_SEBUM);
    return clamp(mix(SKIN_SEBUM_DRY, 1.0, midline * upper) + vary, 0.0, 1.0);
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


// What shading a point of skin takes: the interpolated vertex data there and what the
// neighbouring pixels tell (a fragment shader's derivatives, or the deferred pass's own).
struct SkinSample {
    world: vec3f,
    // The interpolated vertex normal (not normalised) and whether the front face is seen.
    normal: vec3f,
    front: bool,
    exposure: f32,
    // The scan's texture coordinates and weight, its vertex colour and weight, and the
    // texture's colour there (filtered over the pixel's footprint).
    uvw: vec3f,
    colour: vec4f,
    texel: vec3f,
    // The surface's curvature (normal change per millimetre) and a pixel's size on the skin.
    curv: f32,
    pixel_mm: f32,
    // The pixel's position (centre, internal pixels), which turns the shadow's tap pattern.
    pixel: vec2f,
    // The supersamples a side this shading stands for (1: one sample).
    samples: u32,
}

// The view distance past `eye.w` (mm) as the distance target stores it: quarter millimetres
// and the rest, so that two half floats keep it to ~1e-4 mm (float32 targets are not
// renderable everywhere: GL).
fn stored_distance(world: vec3f) -> vec4f {
    let d = length(view.eye.xyz - world) - view.eye.w;
    let hi = floor(d * 4.0) / 4.0;
    return vec4f(hi, d - hi, 0.0, 1.0);
}

fn shade_skin(s: SkinSample) -> FsOut {
    let tex_w = clamp(s.uvw.z, 0.0, 1.0);
    let colour_w = clamp(s.colour.w, 0.0, 1.0);
    // The scan's albedo: texture × vertex colour (glTF's base colour), either standing alone
    // where the other is absent; the model skin where neither is.
    let scan_rgb = mix(vec3f(1.0), s.texel, tex_w) * mix(vec3f(1.0), s.colour.rgb, colour_w);
    let scan_w = max(tex_w, colour_w);

    var n = normalize(s.normal);
    if (!s.front) {
        n = -n;
    }
    let v = normalize(view.eye.xyz - s.world);
    // Skin is not plastic: mottling of its colour over a few centimetres and millimetres,
    // roughness that varies with the sebum, and a fine relief that breaks up the sheen. Octaves
    // finer than a pixel fade out.
    let p = s.world;
    // Scar tissue (src/scar.rs): paler, smoother, without the skin's fine relief and mottling.
    let scar = scar_tissue(view.scars, p);
    let plain = 1.0 - 0.85 * scar;
    let blotch = noise3(p * (1.0 / 22.0), 1u);
    let mottle = noise3(p * (1.0 / 4.0), 2u) * octave_weight(4.0, s.pixel_mm);
    let fine = noise3(p * (1.0 / 0.8), 3u) * octave_weight(0.8, s.pixel_mm);
    let tint = vec3f(1.0 + 0.03 * blotch, 1.0 - 0.02 * blotch, 1.0 - 0.03 * blotch)
        * (1.0 + (0.035 * mottle + 0.02 * fine) * plain);
    // Sebum: oilier skin is shinier and smoother (scar tissue has its own, fixed sheen).
    let oil = sebum_oil(p);
    let skin_roughness = view.epidermis.w
        + mix(SKIN_SEBUM_ROUGHNESS.x, SKIN_SEBUM_ROUGHNESS.y, oil);
    let roughness = clamp(mix(skin_roughness, view.scar_dermis.w, scar), 0.15, 0.8);
    let sheen = view.dermis.w
        * mix(mix(SKIN_SEBUM_STRENGTH.x, SKIN_SEBUM_STRENGTH.y, oil), 1.0, scar);
    // Pores, relief and skin lines, filtered by the pixel's footprint on the skin: the
    // distance over the focal length, stretched where the skin is seen edge-on; the whole
    // output pixel where one shading stands for its supersamples.
    let footprint_mm = length(view.eye.xyz - s.world) / view.proj.x
        / max(abs(dot(n, v)), 0.2) * f32(s.samples);
    let surface = skin_surface(p, n, footprint_mm) * plain;
    let g = surface.yzw - dot(surface.yzw, n) * n;
    let n_spec = normalize(n - g);
    // Scattering under the skin smooths fine relief for diffuse light.
    let n_diff = normalize(n - SKIN_DIFFUSE_RELIEF * g);
    // The exposure map shows the dose alone, without the skin's pits.
    let open = select(1.0 - surface.x, 1.0, view.mode.x > 0.5);

    // The key: a distant light, or a flash at the camera falling off as 1/d².
    let key_dir = key_light(s.world).xyz;
    let key_rgb = key_light_rgb(s.world);
    // Cast shadows (the ears', the head's) from the key only: fill and sky are broad.
    let key_seen = shadow_visibility(
        shadow_map, shadow_compare, shadow, s.world, n, dot(n, key_dir),
        s.pixel, s.samples,
    );
    let irradiance = sss_diffuse(dot(n_diff, key_dir), s.curv) * key_rgb * key_seen
        + sss_diffuse(dot(n_diff, view.fill_dir.xyz), s.curv) * view.fill_color.rgb
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
        dermis = ramp(s.exposure / 2.0);
        epidermis = vec3f(0.0);
    }
    // A soft light spreads the highlight: widen the lobe by the light's angular size.
    let rough_key = sqrt(roughness * roughness + view.key_color.w * view.key_color.w);
    let spec = ggx_spec(n_spec, v, key_dir, rough_key) * key_rgb * key_seen
        + ggx_spec(n_spec, v, view.fill_dir.xyz, sqrt(roughness * roughness + 0.25)) * view.fill_color.rgb;
    var o: FsOut;
    // A pore's pit or a furrow returns less of every kind of light.
    o.diffuse = vec4f(dermis * irradiance * open, 1.0);
    o.specular = vec4f((epidermis * irradiance + spec * sheen) * open, 1.0);
    o.distance = stored_distance(s.world);
    return o;
}
