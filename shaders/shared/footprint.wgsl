// A dot's footprint as both splatting paths draw it (needs view.wgsl and optics.wgsl).

// How many σ a footprint of peak thickness m0 reaches before its coverage is negligible
// (src/optics.rs `extent_sigmas`).
fn extent_sigmas(m0: f32) -> f32 {
    let edge = OPTICS_FOOTPRINT_EDGE_COVERAGE;
    return max(OPTICS_FOOTPRINT_EXTENT_SIGMAS, sqrt(2.0 * log(max(m0, edge) / edge)));
}

// Healing marks (src/ageing/mod.rs "Healing"): a scab crust over each fresh dot and the
// redness of the skin around each needle wound, both at the surface, so not filtered by depth.

// A dot's footprint as both splatting paths draw it (src/optics.rs): the tangent frame, the
// half-size of the quad that carries it (mm), per channel the σ it is drawn with (as
// 1/(2σ²)), the peak optical thickness m0 (coverage M(r) = 1 − e^(−m0·g(r))) and the
// absorptance of full coverage, plus the healing marks. `visible` is false for dots that
// cannot be seen.
struct Footprint {
    t: vec3f,
    b: vec3f,
    extent_mm: f32,
    inv_2s2: vec3f,
    m0: vec3f,
    peak: vec3f,
    scab: f32,
    scab_inv_2s2: f32,
    redness: f32,
    visible: bool,
}

// Widens σ (mm) to at least the minimum on screen and returns (σ_draw, m0_draw) with the
// footprint's area ∫M kept: sub-pixel dots keep their mean darkness and do not shimmer.
// `min_px` is the smallest σ drawn, in pixels (the view's, or a baked texture's texels).
fn keep_area(sigma: f32, m0: f32, px_per_mm: f32, min_px: f32) -> vec2f {
    let sigma_px = sigma * px_per_mm;
    if (sigma_px >= min_px || m0 <= 0.0) {
        return vec2f(sigma, m0);
    }
    let f = min_px / max(sigma_px, 1e-4);
    return vec2f(sigma * f, optics_ein_inverse(optics_ein(m0) / (f * f)));
}

fn dot_footprint(position: vec3f, n: vec3f, diameter: f32, depth: f32, shade: f32, look: vec4f) -> Footprint {
    var fp: Footprint;
    let to_eye = view.eye.xyz - position;
    let dist = length(to_eye);
    // Dots off, facing away, or with nothing to show (no pigment, no healing mark) are never
    // seen.
    fp.visible = view.proj.w >= 0.5 && dot(n, to_eye) > 0.0
        && (look.x > 0.0 || look.z > 0.0 || look.w > 0.0);
    if (!fp.visible) {
        return fp;
    }
    // Foreshortening at grazing angles shrinks the footprint on screen too.
    let cos_view = max(dot(n, to_eye / dist), 0.05);
    let px_per_mm = view.proj.x / dist * sqrt(cos_view);
    return footprint_at(n, diameter, depth, shade, look, px_per_mm, view.proj.z, view.ink.rgb);
}

// The footprint of a dot drawn at `px_per_mm` pixels a millimetre whatever the view: the screen
// (dot_footprint) or a texture baked over the skin (bake.wgsl). `ink` is the tone's per-channel
// scale of the ink's density.
fn footprint_at(n: vec3f, diameter: f32, depth: f32, shade: f32, look: vec4f, px_per_mm: f32,
                min_px: f32, ink: vec3f) -> Footprint {
    var fp: Footprint;
    fp.visible = true;
    var t = cross(n, vec3f(0.0, 1.0, 0.0));
    if (dot(t, t) < 1e-6) {
        t = cross(n, vec3f(1.0, 0.0, 0.0));
    }
    fp.t = normalize(t);
    fp.b = cross(n, fp.t);
    var widest = 0.0;
    for (var c = 0; c < 3; c++) {
        let s_fresh = optics_sigma_c(diameter, depth, c);
        // Spreading (look.y) widens σ at a constant amount of pigment, so it lowers the peak.
        let s2 = s_fresh * s_fresh + look.y;
        let m0 = optics_peak_thickness_c(diameter, depth, look.x, c) * (s_fresh * s_fresh) / s2;
        let drawn = keep_area(sqrt(s2), m0, px_per_mm, min_px);
        fp.inv_2s2[c] = 0.5 / (drawn.x * drawn.x);
        fp.m0[c] = drawn.y;
        widest = max(widest, drawn.x * extent_sigmas(drawn.y));
    }
    fp.extent_mm = widest;
    fp.peak = optics_reach(depth) * (1.0 - optics_ink_transmittance(shade, ink));
    fp.scab = 0.0;
    fp.redness = 0.0;
    if (look.w > 0.0) {
        let s0 = AGEING_SCAB_SIZE * 0.5 * diameter / 1.41421356;
        let drawn = keep_area(s0, look.w, px_per_mm, min_px);
        fp.scab = drawn.y;
        fp.scab_inv_2s2 = 0.5 / (drawn.x * drawn.x);
        fp.extent_mm = max(fp.extent_mm, OPTICS_FOOTPRINT_EXTENT_SIGMAS * drawn.x);
    }
    if (look.z > 0.005) {
        fp.redness = look.z;
        fp.extent_mm = max(fp.extent_mm, OPTICS_FOOTPRINT_EXTENT_SIGMAS * AGEING_REDNESS_SIGMA_MM);
    }
    return fp;
}

// Optical density (−ln transmittance per channel) a footprint adds at `r2` mm² from its centre.
fn dot_density(fp: Footprint, r2: f32) -> vec3f {
    let coverage = 1.0 - exp(-fp.m0 * exp(-r2 * fp.inv_2s2));
    let a = min(fp.peak * coverage, vec3f(0.999));
    var od = -log(1.0 - a);
    if (fp.scab > 0.0) {
        od += AGEING_SCAB_OD * (1.0 - exp(-fp.scab * exp(-r2 * fp.scab_inv_2s2)));
    }
    if (fp.redness > 0.0) {
        od += AGEING_REDNESS_OD * fp.redness * exp(-r2 * (0.5 / (AGEING_REDNESS_SIGMA_MM * AGEING_REDNESS_SIGMA_MM)));
    }
    return od;
}
