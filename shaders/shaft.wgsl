// Shaft pass: the client's hair shafts under the skin, seen through it like a dot, and the
// follicle openings. Each instance is one piece of a shaft (at its own mid depth), its bulb or
// its opening: an elongated Gaussian footprint in the skin's tangent plane, through the same
// depth optics as the dots (shared/optics.wgsl: the light reaching depth z, the per-channel
// blur, the peak thickness) with the hair's melanin in place of carbon ink. Fragments add the
// optical thickness −ln(1 − a) of their darkening a per channel into the shaft target, and the
// composite multiplies the skin's diffuse light by e^(−Σ): the product of the pieces'
// transmittances, order-independent like the dots' density. Summed as thickness, the half
// float target's rounding stays small (render::Targets::shafts). The before/after split,
// which only hides the dots, keeps the hair.
// Module: the prelude, shared/{hash,math,scar,view,optics,footprint}.wgsl and this file.

@group(0) @binding(1) var skin_distance: texture_2d<f32>;

// One piece (mirrors crate::hair::Shaft).
struct Shaft {
    centre: vec3f,
    depth_mm: f32,
    normal: vec3f,
    width_mm: f32,
    axis: vec3f,
    length_mm: f32,
    absorptance: vec3f,
    kind: u32,
}

// A piece as the frame draws it (mirrors render::shaft::ShaftDraw): what depends on the view
// alone, worked out once per piece by `prepare` rather than once per corner by the vertex
// shader (six corners a piece: the vertex work was the pass's cost on a CPU driver, ~190 ms
// for the default client whatever the size).
struct ShaftDraw {
    // xyz: the surface point above the piece's middle; w: SHAFT_DRAWN_NOT (facing away or hair
    // off), SHAFT_DRAWN_PER_SAMPLE, or SHAFT_DRAWN_BROAD (per output pixel).
    centre: vec4f,
    // Tangent axes of the footprint, scaled to its drawn half extent (mm).
    along: vec4f,
    across: vec4f,
    inv_2s2_along: vec4f,
    inv_2s2_across: vec4f,
    m0: vec4f,
    peak: vec4f,
}

@group(0) @binding(2) var<storage, read> pieces: array<Shaft>;
@group(0) @binding(3) var<storage, read_write> prepared: array<ShaftDraw>;
@group(0) @binding(4) var<storage, read> drawn: array<ShaftDraw>;
// The runs of pieces this frame draws (the groups whose roots can face the eye): x the first
// piece, y how many pieces the runs before hold, z how many this one does.
@group(0) @binding(5) var<storage, read> runs: array<vec4u>;

// One thread per piece drawn: only those are prepared (the draw reads no other).
@compute @workgroup_size(WORKGROUP_SIZE)
fn prepare(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let k = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
    var i = arrayLength(&pieces);
    for (var r = 0u; r < arrayLength(&runs); r++) {
        let run = runs[r];
        if (k >= run.y && k < run.y + run.z) {
            i = run.x + (k - run.y);
            break;
        }
    }
    if (i >= arrayLength(&pieces)) {
        return;
    }
    let s = pieces[i];
    var o: ShaftDraw;
    let to_eye = view.eye.xyz - s.centre;
    let dist = length(to_eye);
    if (view.hair.w < 0.5 || dot(s.normal, to_eye) <= 0.0) {
        o.centre = vec4f(s.centre, SHAFT_DRAWN_NOT);
        prepared[i] = o;
        return;
    }
    let cos_view = max(dot(s.normal, to_eye / dist), 0.05);
    let px_per_mm = view.proj.x / dist * sqrt(cos_view);
    let opening = s.kind == SHAFT_KIND_OPENING;
    // A round shaft's shadow has its cross-section's area per length: σ₀ = w/√(2π) across; a
    // piece is a Gaussian of σ = half its length along, so the pieces of a shaft join smoothly.
    let s0_across = s.width_mm * 0.39894228;
    let s0_along = 0.5 * s.length_mm;
    let area = s.width_mm * s.length_mm;
    let gain = select(HAIR_SHAFT_GAIN, 1.0, opening);
    var wide = vec2f(0.0);
    var narrowest = 1e9;
    for (var c = 0; c < 3; c++) {
        let k = OPTICS_BLUR_KAPPA_RGB[c] * s.depth_mm;
        let sa = sqrt(s0_across * s0_across + k * k);
        let sb = sqrt(s0_along * s0_along + k * k);
        // Peak thickness: the piece's area (times its gain) spread over the footprint.
        let m0 = gain * area / (TAU * sa * sb);
        // Thinner than the smallest drawn σ: widen it, keeping its area (footprint.wgsl).
        let across = keep_area(sa, m0, px_per_mm, view.proj.z);
        let along = keep_area(sb, across.y, px_per_mm, view.proj.z);
        o.inv_2s2_across[c] = 0.5 / (across.x * across.x);
        o.inv_2s2_along[c] = 0.5 / (along.x * along.x);
        o.m0[c] = along.y;
        narrowest = min(narrowest, min(along.x, across.x));
        // Out to where the coverage is negligible (footprint.wgsl): a dense, deep bulb
        // otherwise shows its quad's square edge close up.
        wide = max(wide, vec2f(along.x, across.x) * extent_sigmas(along.y));
    }
    // At the surface the opening is a shadowed pit; below it the hair's melanin seen through
    // the skin above.
    o.peak = vec4f(select(optics_reach(s.depth_mm) * s.absorptance, s.absorptance, opening), 0.0);
    // Blurred over half an output pixel or more in every channel: drawn once per output
    // pixel, where its Gaussian still sums to its area (render::shaft::BROAD_MIN_PX).
    let broad = view.mode.z > 1.5
        && narrowest * px_per_mm >= SHAFT_BROAD_MIN_PX * view.mode.z;
    o.centre = vec4f(s.centre, select(SHAFT_DRAWN_PER_SAMPLE, SHAFT_DRAWN_BROAD, broad));
    o.along = vec4f(s.axis * wide.x, wide.x);
    o.across = vec4f(cross(s.normal, s.axis) * wide.y, wide.y);
    prepared[i] = o;
}

struct VsOut {
    @builtin(position) clip: vec4f,
    // Position in the footprint, mm: along the axis, across it.
    @location(0) local: vec2f,
    @location(1) world: vec3f,
    @location(2) @interpolate(flat) inv_2s2_along: vec3f,
    @location(3) @interpolate(flat) inv_2s2_across: vec3f,
    @location(4) @interpolate(flat) m0: vec3f,
    @location(5) @interpolate(flat) peak: vec3f,
    // Position in units of the drawn half extents: the footprint ends at radius 1.
    @location(6) unit: vec2f,
}

// The pieces drawn as `kind` says; the others are put off screen.
fn vs_piece(vi: u32, ii: u32, kind: f32) -> VsOut {
    var o: VsOut;
    let d = drawn[ii];
    if (abs(d.centre.w - kind) > 0.5) {
        o.clip = vec4f(2.0, 2.0, 2.0, 1.0);
        return o;
    }
    // One triangle round the unit circle, in units of the drawn half extents: every channel's
    // footprint ends inside that circle (`prepare` sizes both axes by the same count of σ).
    // On a CPU driver a piece's cost is its vertices and triangles, not its pixels: one
    // triangle of three vertices instead of a quad's two of six.
    let corners = array<vec2f, 3>(vec2f(0.0, 2.0), vec2f(-1.7320508, -1.0), vec2f(1.7320508, -1.0));
    let c = corners[vi];
    let world = d.centre.xyz + d.along.xyz * c.x + d.across.xyz * c.y;
    o.clip = view.view_proj * vec4f(world, 1.0);
    o.local = c * vec2f(d.along.w, d.across.w);
    o.unit = c;
    o.world = world;
    o.inv_2s2_along = d.inv_2s2_along.xyz;
    o.inv_2s2_across = d.inv_2s2_across.xyz;
    o.m0 = d.m0.xyz;
    o.peak = d.peak.xyz;
    return o;
}

@vertex
fn vs_samples(@builtin(vertex_index) vi: u32, @builtin(instance_index) ii: u32) -> VsOut {
    return vs_piece(vi, ii, SHAFT_DRAWN_PER_SAMPLE);
}

@vertex
fn vs_broad(@builtin(vertex_index) vi: u32, @builtin(instance_index) ii: u32) -> VsOut {
    return vs_piece(vi, ii, SHAFT_DRAWN_BROAD);
}

// `s`: samples a side of this target's pixel (1: the target is per sample).
fn fs_piece(in: VsOut, s: i32) -> vec4f {
    // Outside the footprint's circle (two fifths of the triangle): nothing to add.
    if (dot(in.unit, in.unit) > 1.0) {
        discard;
    }
    // Hidden by the head (as the dots: view distances in mm, a tolerance of a pixel or two),
    // read at a middle sample of this pixel.
    let px = vec2i(in.clip.xy) * s + vec2i(s / 2);
    let skin = view_distance(textureLoad(skin_distance, px, 0));
    let mine = length(view.eye.xyz - in.world);
    if (mine > skin + view.proj.y + 2.0 * mine * f32(s) / view.proj.x) {
        discard;
    }
    let g = exp(-in.local.x * in.local.x * in.inv_2s2_along
        - in.local.y * in.local.y * in.inv_2s2_across);
    let coverage = 1.0 - exp(-in.m0 * g);
    let a = min(in.peak * coverage, vec3f(0.999));
    return vec4f(-log(1.0 - a), 0.0);
}

@fragment
fn fs_samples(in: VsOut) -> @location(0) vec4f {
    return fs_piece(in, 1);
}

@fragment
fn fs_broad(in: VsOut) -> @location(0) vec4f {
    return fs_piece(in, i32(view.mode.z));
}
