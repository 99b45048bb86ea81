// Skin pass: the head mesh lit by a key, a fill and a sky/ground ambient. Writes diffuse and
// specular radiance apart (pigment darkens only the diffuse part, the sebum sheen stays on top)
// and the view distance for the dot pass's depth test (see view_distance in view.wgsl).

struct VsOut {
    @builtin(position) clip: vec4f,
    @location(0) world: vec3f,
    @location(1) normal: vec3f,
    @location(2) exposure: f32,
}

@vertex
fn vs_main(
    @location(0) position: vec3f,
    @location(1) normal: vec3f,
    @location(2) exposure: f32,
) -> VsOut {
    var o: VsOut;
    o.clip = view.view_proj * vec4f(position, 1.0);
    o.world = position;
    o.normal = normal;
    o.exposure = exposure;
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

struct FsOut {
    @location(0) diffuse: vec4f,
    @location(1) specular: vec4f,
    @location(2) distance: vec4f,
}

// Wrap lighting per channel: light bleeds further round the terminator in red, as subsurface
// scattering in skin does; a cheap stand-in until the full skin model.
fn wrapped(ndl: f32, w: vec3f) -> vec3f {
    return max((vec3f(ndl) + w) / (1.0 + w), vec3f(0.0));
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
    let f = 0.028 + (1.0 - 0.028) * pow(1.0 - max(dot(h, v), 0.0), 5.0);
    return d * g * f / max(4.0 * ndl * ndv, 1e-4) * ndl;
}

@fragment
fn fs_main(in: VsOut, @builtin(front_facing) front: bool) -> FsOut {
    var n = normalize(in.normal);
    if (!front) {
        n = -n;
    }
    let v = normalize(view.eye.xyz - in.world);
    let wrap = vec3f(0.45, 0.25, 0.18);
    let key = wrapped(dot(n, view.key_dir.xyz), wrap) * view.key_color.rgb;
    let fill = wrapped(dot(n, view.fill_dir.xyz), wrap) * view.fill_color.rgb;
    let hemi = mix(view.ground.rgb, view.sky.rgb, 0.5 + 0.5 * n.y);
    var albedo = view.skin_albedo.rgb;
    if (view.mode.x > 0.5) {
        // Exposure map: relative yearly UV dose 0–2 over the ramp, lit softly for the shape.
        albedo = ramp(in.exposure / 2.0);
    }
    var o: FsOut;
    o.diffuse = vec4f(albedo * (key + fill + hemi), 1.0);
    let spec = ggx_spec(n, v, view.key_dir.xyz, 0.42) * view.key_color.rgb
        + ggx_spec(n, v, view.fill_dir.xyz, 0.42) * view.fill_color.rgb;
    o.specular = vec4f(spec * view.skin_albedo.w, 1.0);
    // View distance past `eye.w` (mm), split into quarter millimetres and the rest so that two
    // half floats keep it to ~1e-4 mm: float32 targets are not renderable everywhere (GL).
    let d = length(view.eye.xyz - in.world) - view.eye.w;
    let hi = floor(d * 4.0) / 4.0;
    o.distance = vec4f(hi, d - hi, 0.0, 1.0);
    return o;
}
