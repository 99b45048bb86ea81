// Hair pass: existing hairs (stubble) as thin camera-facing ribbons from root to tip. Each
// fragment adds its hair's optical thickness −ln(1 − α) to `.a` and its lit colour weighted by
// that thickness to `.rgb` (additive blending): order-independent, so hairs never need sorting.
// The composite lays the result over the skin: coverage 1 − e^(−a), colour rgb/a.
// Module: the prelude, shared/{hash,math,scar,view}.wgsl and this file.

@group(0) @binding(1) var skin_distance: texture_2d<f32>;

// One hair (mirrors crate::hair::Hair), the instance buffer.
struct Hair {
    @location(0) root: vec3f,
    @location(1) diameter_mm: f32,
    @location(2) tip: vec3f,
    @location(3) tone: f32,
}

struct VsOut {
    @builtin(position) clip: vec4f,
    @location(0) world: vec3f,
    // Across the ribbon: −1 … 1.
    @location(1) across: f32,
    @location(2) @interpolate(flat) axis: vec3f,
    // x: opacity of the drawn ribbon; y: tone.
    @location(3) @interpolate(flat) look: vec2f,
}

// A hair shaft is dense keratin with melanin: nearly opaque across its middle.
const SHAFT_OPACITY: f32 = 0.92;
// Smallest width a ribbon is drawn with, internal pixels; thinner hairs are drawn this wide and
// proportionally fainter, so their mean darkness holds and they do not shimmer.
const MIN_WIDTH_PX: f32 = 1.2;

@vertex
fn vs_main(h: Hair, @builtin(vertex_index) vi: u32) -> VsOut {
    var o: VsOut;
    if (view.hair.w < 0.5) {
        o.clip = vec4f(2.0, 2.0, 2.0, 1.0);
        return o;
    }
    let axis_v = h.tip - h.root;
    let axis = normalize(axis_v);
    let mid = 0.5 * (h.root + h.tip);
    let to_eye = view.eye.xyz - mid;
    let dist = length(to_eye);
    var side = cross(axis, to_eye / dist);
    if (dot(side, side) < 1e-8) {
        side = cross(axis, vec3f(0.0, 1.0, 0.0));
    }
    side = normalize(side);
    let width_px = h.diameter_mm * view.proj.x / dist;
    let drawn_px = max(width_px, MIN_WIDTH_PX);
    let half_mm = 0.5 * h.diameter_mm * drawn_px / width_px;
    // Corners: 0 root−, 1 root+, 2 tip+, 3 tip−.
    let along = select(0.0, 1.0, vi == 2u || vi == 3u);
    let across = select(-1.0, 1.0, vi == 1u || vi == 2u);
    let world = h.root + axis_v * along + side * (across * half_mm);
    o.clip = view.view_proj * vec4f(world, 1.0);
    o.world = world;
    o.across = across;
    o.axis = axis;
    o.look = vec2f(SHAFT_OPACITY * width_px / drawn_px, h.tone);
    return o;
}

@fragment
fn fs_main(in: VsOut) -> @location(0) vec4f {
    // Behind the head: hidden.
    let px = vec2i(in.clip.xy);
    let skin = view_distance(textureLoad(skin_distance, px, 0));
    let mine = length(view.eye.xyz - in.world);
    if (mine > skin + view.proj.y + 2.0 * mine / view.proj.x) {
        discard;
    }
    // A round shaft seen side-on: thickest through its middle.
    let chord = sqrt(max(1.0 - in.across * in.across, 0.0));
    let alpha = min(in.look.x * (0.35 + 0.65 * chord) * 1.1, 0.995);
    let od = -log(1.0 - alpha);
    // Kajiya–Kay: diffuse ∝ sin(tangent, light), a sharp sheen where the half vector is
    // perpendicular to the shaft.
    let key = key_light(in.world);
    let v = normalize(view.eye.xyz - in.world);
    let tl = dot(in.axis, key.xyz);
    let diffuse = sqrt(max(1.0 - tl * tl, 0.0));
    let h = normalize(key.xyz + v);
    let th = dot(in.axis, h);
    let sheen = pow(sqrt(max(1.0 - th * th, 0.0)), 60.0) * 0.06;
    let albedo = view.hair.rgb * in.look.y;
    let ambient = 0.5 * (view.sky.rgb + view.ground.rgb) + 0.5 * view.fill_color.rgb;
    let key_rgb = key_light_rgb(in.world);
    let color = albedo * (diffuse * key_rgb + ambient) + sheen * key_rgb;
    return vec4f(color * od, od);
}
