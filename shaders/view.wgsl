// The view and light uniform shared by the render passes (mirrors render::ViewGpu).
struct View {
    view_proj: mat4x4f,
    view: mat4x4f,
    eye: vec4f,         // w: offset of the stored view distances (mm)
    viewport: vec4f,    // internal width, height, 1/width, 1/height
    proj: vec4f,        // x: focal length in internal pixels; y: depth tolerance (mm); z: min footprint σ (px); w: dots on (1/0)
    key_dir: vec4f,     // direction toward the light
    key_color: vec4f,
    fill_dir: vec4f,
    fill_color: vec4f,
    sky: vec4f,
    ground: vec4f,
    skin_albedo: vec4f, // linear RGB; w: sebum specular strength
    mode: vec4f,        // x: 1 = show the exposure map instead of skin
}

@group(0) @binding(0) var<uniform> view: View;

// Background (nothing drawn) is stored as this many millimetres.
const NO_SURFACE: f32 = 60000.0;

// Decodes a distance written by the skin pass.
fn view_distance(stored: vec4f) -> f32 {
    return view.eye.w + stored.r + stored.g;
}

// Footprints extend to 3σ: beyond that the Gaussian carries 1% of its weight.
const EXTENT: f32 = 3.0;

// A dot's footprint as both splatting paths draw it (src/optics.rs): the tangent frame, the σ it
// is drawn with, its peak optical thickness m0 (coverage M(r) = 1 − e^(−m0·g(r))), and the
// absorptance of full coverage per channel. `visible` is false for dots that cannot be seen.
struct Footprint {
    t: vec3f,
    b: vec3f,
    sigma_draw: f32,
    m0: f32,
    peak: vec3f,
    visible: bool,
}

fn dot_footprint(position: vec3f, n: vec3f, diameter: f32, depth: f32, shade: f32, look: vec2f) -> Footprint {
    var fp: Footprint;
    let to_eye = view.eye.xyz - position;
    let dist = length(to_eye);
    // Dots off, facing away, or with no pigment left (look.x) are never seen.
    fp.visible = view.proj.w >= 0.5 && dot(n, to_eye) > 0.0 && look.x > 0.0;
    if (!fp.visible) {
        return fp;
    }
    var t = cross(n, vec3f(0.0, 1.0, 0.0));
    if (dot(t, t) < 1e-6) {
        t = cross(n, vec3f(1.0, 0.0, 0.0));
    }
    fp.t = normalize(t);
    fp.b = cross(n, fp.t);
    let s_fresh = optics_sigma(diameter, depth);
    let sigma = sqrt(s_fresh * s_fresh + look.y);
    // Spreading (look.y) widens σ at a constant amount of pigment, so it lowers the peak.
    fp.m0 = optics_peak_thickness(diameter, depth, look.x) * (s_fresh * s_fresh) / (sigma * sigma);
    // Sub-pixel dots: widen to at least view.proj.z pixels of σ and lower the peak so the
    // footprint keeps its area (∫M): a head seen from afar keeps its mean darkness and does not
    // shimmer. Foreshortening at grazing angles shrinks the footprint on screen too.
    let cos_view = max(dot(n, to_eye / dist), 0.05);
    let sigma_px = sigma * view.proj.x / dist * sqrt(cos_view);
    fp.sigma_draw = sigma;
    if (sigma_px < view.proj.z) {
        let f = view.proj.z / max(sigma_px, 1e-4);
        fp.sigma_draw = sigma * f;
        fp.m0 = optics_ein_inverse(optics_ein(fp.m0) / (f * f));
    }
    fp.peak = optics_reach(depth) * (1.0 - optics_ink_transmittance(shade));
    return fp;
}
