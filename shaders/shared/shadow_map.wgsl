// The key light's shadow map (mirrors render::shadow::ShadowGpu) and its filtered lookup.
struct ShadowGpu {
    light_view_proj: mat4x4f,
    params: vec4f,      // x: on (1/0); y: texel size (mm); z: tan(key angular radius); w: depth range (mm)
}

// A Vogel (golden-angle) disc of `n` taps: tap i of n, rotated by `turn` radians, radius ≤ 1.
fn vogel(i: u32, n: u32, turn: f32) -> vec2f {
    let r = sqrt((f32(i) + 0.5) / f32(n));
    let a = f32(i) * 2.39996323 + turn;
    return r * vec2f(cos(a), sin(a));
}

// How much of the key light reaches skin at `p` (normal `n`, cos θ to the light `ndl`): 1 lit,
// 0 in full shadow. Percentage-closer soft shadows: the mean depth of the occluders found
// near the receiver sets the penumbra's width (distance to the occluder × tan of the light's
// angular radius), then that disc is filtered with bilinear comparison taps. `pixel` (the
// fragment's position) rotates the tap pattern from pixel to pixel, which the supersampling
// resolve averages, instead of a fixed pattern's banding. The map is read only through the
// comparison sampler `cmp` (GL joins a texture to one sampler, and its depth textures cannot
// be read raw): the blocker search counts occluders with gathered comparisons, and their mean
// distance comes from counting again at a few distances further up (see below).
fn shadow_visibility(
    map: texture_depth_2d,
    cmp: sampler_comparison,
    s: ShadowGpu,
    p: vec3f,
    n: vec3f,
    ndl: f32,
    pixel: vec2f,
    samples: u32,
) -> f32 {
    // Skin shaded once for `samples`×`samples` supersamples averages each sample's tap
    // rotation, as the samples' own shadings would be: one rotation alone shows as grain
    // wherever the blocker search and the filter see the occluder.
    var seen = 0.0;
    for (var k = 0u; k < samples * samples; k++) {
        let at = pixel + vec2f(f32(k % samples), f32(k / samples)) - 0.5 * f32(samples - 1u);
        seen += shadow_visibility_at(map, cmp, s, p, n, ndl, at);
    }
    return seen / f32(samples * samples);
}

// As seen by one sample at `pixel` (its tap pattern turned by the pixel's noise).
fn shadow_visibility_at(
    map: texture_depth_2d,
    cmp: sampler_comparison,
    s: ShadowGpu,
    p: vec3f,
    n: vec3f,
    ndl: f32,
    pixel: vec2f,
) -> f32 {
    // No map, or skin turned so far from the key that little of its light reaches it.
    if (s.params.x < 0.5 || ndl < SHADOW_FACING_AWAY) {
        return 1.0;
    }
    let texel = s.params.y;
    let range = s.params.w;
    // The normal offset grows where the light grazes the skin, where acne would start.
    let offset = texel * SHADOW_NORMAL_OFFSET_TEXELS * (1.0 + 2.0 * (1.0 - clamp(ndl, 0.0, 1.0)));
    let c = s.light_view_proj * vec4f(p + n * offset, 1.0);
    let uv = vec2f(0.5 + 0.5 * c.x, 0.5 - 0.5 * c.y);
    if (any(uv <= vec2f(0.0)) || any(uv >= vec2f(1.0)) || c.z >= 1.0) {
        return 1.0;
    }
    let z = c.z - SHADOW_DEPTH_BIAS_MM / range;
    let uv_per_mm = 1.0 / (texel * f32(SHADOW_MAP_SIZE));
    // Receiver-plane bias: each tap compares with the depth the skin's own tangent plane has
    // there, not the centre's, or a soft light's wide kernel would find curved skin
    // shadowing itself. The map's axes in head space are the matrix's rows (orthographic).
    let m = s.light_view_proj;
    let across = normalize(vec3f(m[0].x, m[1].x, m[2].x));
    let up = normalize(vec3f(m[0].y, m[1].y, m[2].y));
    let away = normalize(vec3f(m[0].z, m[1].z, m[2].z));
    let facing = max(-dot(n, away), 0.25);
    // Depth change (map units) per uv unit along u and v (v runs against `up`).
    let mm_per_uv = texel * f32(SHADOW_MAP_SIZE);
    let slope = vec2f(dot(n, across), -dot(n, up)) * (mm_per_uv / (facing * range));
    // And a cone: an occluder must stand above the plane by a share of the tap's distance,
    // so the skin's own curvature (an ear's rim) is not taken for one.
    let cone = SHADOW_CONE_SLOPE * mm_per_uv / range;
    // Interleaved gradient noise (Jimenez 2014): a rotation per pixel.
    let turn = gradient_noise_turn(pixel);
    // Blocker search over the widest penumbra this light can make: 4 gathers, 16 depths. A
    // depth d blocks where d < ref; the sampler passes ref ≤ d, so blockers = 4 − passes.
    let search_mm = clamp(SHADOW_MAX_BLOCKER_MM * s.params.z, 1.5 * texel, SHADOW_MAX_PENUMBRA_MM);
    var taps: array<vec2f, 4>;
    var refs: array<f32, 4>;
    var blockers = 0.0;
    // Σ over blockers of (z − their tap's reference): the tangent plane's part of their depth.
    var plane_sum = 0.0;
    for (var i = 0u; i < 4u; i++) {
        let o = vogel(i, 4u, turn) * (search_mm * uv_per_mm);
        let r = z + dot(slope, o) - cone * length(o);
        let b = 4.0 - dot(textureGatherCompare(map, cmp, uv + o, r), vec4f(1.0));
        taps[i] = o;
        refs[i] = r;
        blockers += b;
        plane_sum += b * (z - r);
    }
    if (blockers == 0.0) {
        return 1.0;
    }
    // Everything round it occludes: the penumbra, no wider than the search, is all dark.
    if (blockers == 16.0) {
        return 0.0;
    }
    // The occluders' mean height over the skin: the tangent plane's part, plus the mean of
    // (ref − d) = ∫ F(g) dg / blockers, F(g) the occluders standing more than g above their
    // reference. F is counted at SHADOW_GAP_LEVELS heights spaced evenly in the penumbra they
    // give (a texel … the widest), integrated by trapezoids; counting stops once none is left.
    let tan_r = max(s.params.z, 1e-4);
    let widest = SHADOW_MAX_PENUMBRA_MM / texel;
    var gap_mm = plane_sum * range / blockers;
    var prev_g = 0.0;
    var prev_f = blockers;
    for (var k = 1u; k <= SHADOW_GAP_LEVELS; k++) {
        let g = (texel / tan_r) * pow(widest, f32(k) / f32(SHADOW_GAP_LEVELS));
        var f = 0.0;
        for (var i = 0u; i < 4u; i++) {
            f += 4.0 - dot(textureGatherCompare(map, cmp, uv + taps[i], refs[i] - g / range),
                vec4f(1.0));
        }
        gap_mm += 0.5 * (prev_f + f) * (g - prev_g) / blockers;
        prev_g = g;
        prev_f = f;
        if (f == 0.0) {
            break;
        }
    }
    // Penumbra from the occluders' mean distance to the skin, at least a texel wide.
    let penumbra_mm = clamp(gap_mm * s.params.z, texel, SHADOW_MAX_PENUMBRA_MM);
    var lit = 0.0;
    for (var i = 0u; i < SHADOW_PCF_TAPS; i++) {
        let o = vogel(i, SHADOW_PCF_TAPS, turn) * (penumbra_mm * uv_per_mm);
        lit += textureSampleCompareLevel(map, cmp, uv + o, z + dot(slope, o) - cone * length(o));
    }
    return lit / f32(SHADOW_PCF_TAPS);
}

// Interleaved gradient noise (Jimenez 2014) at `pixel`, as an angle.
fn gradient_noise_turn(pixel: vec2f) -> f32 {
    return TAU * fract(52.9829189 * fract(dot(pixel, vec2f(0.06711056, 0.00583715))));
}
