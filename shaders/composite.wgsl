// Composite pass: skin radiance × pigment and shaft transmittance + sheen, tone mapped (Khronos PBR
// Neutral), averaged over the supersamples of each output pixel (anti-aliasing), written to the
// target (the hardware encodes sRGB when the target format is *Srgb; otherwise we do).

struct CompositeGpu {
    ssaa: u32,
    encode_srgb: u32,
    exposure: f32,
    split: f32,         // before/after divider in output pixels (x < split: untreated); < 0: off
    background_top: vec4f,
    background_bottom: vec4f,
}

@group(0) @binding(0) var<storage, read> comp: CompositeGpu;
@group(0) @binding(1) var diffuse_tex: texture_2d<f32>;
@group(0) @binding(2) var specular_tex: texture_2d<f32>;
@group(0) @binding(3) var density_tex: texture_2d<f32>;
@group(0) @binding(4) var distance_tex: texture_2d<f32>;
// Existing hair (hair.wgsl): Σ colour·thickness, Σ thickness.
@group(0) @binding(5) var hair_tex: texture_2d<f32>;
// The hair shafts under the skin (shaft.wgsl): Σ optical thickness per channel, per sample;
// the broad ones' per output pixel.
@group(0) @binding(6) var shaft_tex: texture_2d<f32>;
@group(0) @binding(7) var broad_shaft_tex: texture_2d<f32>;

@vertex
fn vs_main(@builtin(vertex_index) vi: u32) -> @builtin(position) vec4f {
    let x = f32(i32(vi & 1u) * 4 - 1);
    let y = f32(i32(vi >> 1u) * 4 - 1);
    return vec4f(x, y, 0.0, 1.0);
}

// Khronos PBR Neutral tone mapper: linear below ~0.76, a soft shoulder above, hue kept; chosen
// because skin tones survive it without the orange shift of filmic curves.
fn pbr_neutral(c_in: vec3f) -> vec3f {
    let start = 0.8 - 0.04;
    let desat = 0.15;
    let x = min(c_in.r, min(c_in.g, c_in.b));
    let offset = select(0.04, x - 6.25 * x * x, x < 0.08);
    var c = c_in - offset;
    let peak = max(c.r, max(c.g, c.b));
    if (peak < start) {
        return c;
    }
    let d = 1.0 - start;
    let new_peak = 1.0 - d * d / (peak + d - start);
    c = c * (new_peak / peak);
    let g = 1.0 - 1.0 / (desat * (peak - new_peak) + 1.0);
    return mix(c, vec3f(new_peak), g);
}

fn srgb_encode(c: vec3f) -> vec3f {
    let lo = c * 12.92;
    let hi = 1.055 * pow(c, vec3f(1.0 / 2.4)) - 0.055;
    return select(hi, lo, c <= vec3f(0.0031308));
}

@fragment
fn fs_main(@builtin(position) frag: vec4f) -> @location(0) vec4f {
    let s = comp.ssaa;
    let base = vec2u(frag.xy) * s;
    let dims = textureDimensions(diffuse_tex);
    let untreated = comp.split >= 0.0 && frag.x < comp.split;
    // The broad shafts: one value for every sample of this pixel, read once.
    let broad = textureLoad(broad_shaft_tex, vec2u(frag.xy), 0).rgb;
    var sum = vec3f(0.0);
    for (var j = 0u; j < s; j++) {
        for (var i = 0u; i < s; i++) {
            let p = min(base + vec2u(i, j), dims - 1u);
            var radiance: vec3f;
            if (textureLoad(distance_tex, p, 0).r >= RENDER_NO_SURFACE_MM) {
                let t = f32(p.y) / f32(dims.y);
                radiance = mix(comp.background_top.rgb, comp.background_bottom.rgb, t);
            } else {
                let diffuse = textureLoad(diffuse_tex, p, 0).rgb;
                let spec = textureLoad(specular_tex, p, 0).rgb;
                var od = textureLoad(density_tex, p, 0).rgb;
                if (untreated) {
                    od = vec3f(0.0);
                }
                let shafts = textureLoad(shaft_tex, p, 0).rgb + broad;
                radiance = diffuse * exp(-od - shafts) + spec;
            }
            // Hairs over whatever is behind them (they stand out of the skin, and past the
            // silhouette over the background).
            let hair = textureLoad(hair_tex, p, 0);
            if (hair.a > 1e-5) {
                let coverage = 1.0 - exp(-hair.a);
                radiance = mix(radiance, hair.rgb / hair.a, coverage);
            }
            radiance = radiance * comp.exposure;
            sum += clamp(pbr_neutral(max(radiance, vec3f(0.0))), vec3f(0.0), vec3f(1.0));
        }
    }
    var c = sum / f32(s * s);
    if (comp.encode_srgb != 0u) {
        c = srgb_encode(c);
    }
    return vec4f(c, 1.0);
}
