// Hair pass: existing hairs (stubble) as thin camera-facing ribbons along a curve from root to
// tip, narrowing slightly as they emerge, blunt where they were cut. Each
// fragment adds its hair's optical thickness −ln(1 − α) to `.a` and its lit colour weighted by
// that thickness to `.rgb` (additive blending): order-independent, so hairs never need sorting.
// The composite lays the result over the skin: coverage 1 − e^(−a), colour rgb/a.
// Module: the prelude, shared/{hash,math,scar,view}.wgsl and this file.

@group(0) @binding(1) var skin_distance: texture_2d<f32>;

// One hair's stubble (mirrors crate::hair::Hair), the instance buffer: a quadratic Bézier
// root → bend → tip.
struct Hair {
    @location(0) root: vec3f,
    @location(1) diameter_mm: f32,
    @location(2) bend: vec3f,
    @location(3) exit_width: f32,
    @location(4) tip: vec3f,
    @location(5) length_mm: f32,
    @location(6) colour: vec3f,
    @location(7) pigmented: f32,
}

struct VsOut {
    @builtin(position) clip: vec4f,
    @location(0) world: vec3f,
    // Across the ribbon: −1 … 1.
    @location(1) across: f32,
    // The curve's tangent here.
    @location(2) axis: vec3f,
    // Opacity of the drawn ribbon here (thin hairs are drawn wider and fainter).
    @location(3) opacity: f32,
    @location(4) @interpolate(flat) colour: vec4f,
}

// HAIR_SHAFT_OPACITY, HAIR_MIN_WIDTH_PX and HAIR_EXIT_TAPER: src/render/hair.rs says why.

@vertex
fn vs_main(h: Hair, @builtin(vertex_index) vi: u32) -> VsOut {
    var o: VsOut;
    if (view.hair.w < 0.5) {
        o.clip = vec4f(2.0, 2.0, 2.0, 1.0);
        return o;
    }
    // Six vertices per quad, HAIR_SEGMENTS quads along the curve; corners 0 start−, 1 start+,
    // 2 end+, 3 end−.
    let segment = vi / 6u;
    let order = array<u32, 6>(0u, 1u, 2u, 0u, 2u, 3u);
    let corner = order[vi % 6u];
    let end = select(0.0, 1.0, corner == 2u || corner == 3u);
    let t = (f32(segment) + end) / f32(HAIR_SEGMENTS);
    let u = 1.0 - t;
    let p = u * u * h.root + 2.0 * u * t * h.bend + t * t * h.tip;
    let d = 2.0 * u * (h.bend - h.root) + 2.0 * t * (h.tip - h.bend);
    let axis = normalize(d + vec3f(0.0, 1e-7, 0.0));
    let to_eye = view.eye.xyz - p;
    let dist = length(to_eye);
    var side = cross(axis, to_eye / dist);
    if (dot(side, side) < 1e-8) {
        side = cross(axis, vec3f(0.0, 1.0, 0.0));
    }
    side = normalize(side);
    let diameter = h.diameter_mm * mix(h.exit_width, 1.0, smoothstep(0.0, HAIR_EXIT_TAPER, t));
    let width_px = diameter * view.proj.x / dist;
    let drawn_px = max(width_px, HAIR_MIN_WIDTH_PX);
    let half_mm = 0.5 * diameter * drawn_px / width_px;
    let across = select(-1.0, 1.0, corner == 1u || corner == 2u);
    let world = p + side * (across * half_mm);
    o.clip = view.view_proj * vec4f(world, 1.0);
    o.world = world;
    o.across = across;
    o.axis = axis;
    o.opacity = HAIR_SHAFT_OPACITY * width_px / drawn_px;
    o.colour = vec4f(h.colour, h.pigmented);
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
    let alpha = min(in.opacity * (0.35 + 0.65 * chord) * 1.1, 0.995);
    let od = -log(1.0 - alpha);
    // Kajiya–Kay: diffuse ∝ sin(tangent, light), a sharp sheen where the half vector is
    // perpendicular to the shaft.
    let key = key_light(in.world);
    let axis = normalize(in.axis);
    let v = normalize(view.eye.xyz - in.world);
    let tl = dot(axis, key.xyz);
    let diffuse = sqrt(max(1.0 - tl * tl, 0.0));
    let h = normalize(key.xyz + v);
    let th = dot(axis, h);
    let sheen = pow(sqrt(max(1.0 - th * th, 0.0)), 60.0) * 0.06;
    let albedo = in.colour.rgb;
    let ambient = 0.5 * (view.sky.rgb + view.ground.rgb) + 0.5 * view.fill_color.rgb;
    let key_rgb = key_light_rgb(in.world);
    let color = albedo * (diffuse * key_rgb + ambient) + sheen * key_rgb;
    return vec4f(color * od, od);
}
