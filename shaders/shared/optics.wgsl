// Pigment optics (mirrors src/optics.rs; its constants are OPTICS_* in the prelude).

fn optics_reach(z: f32) -> vec3f {
    return 0.25 * exp(-z / OPTICS_DIFFUSION_MM) + 0.75 * exp(-z / (3.0 * OPTICS_DIFFUSION_MM));
}

// Per channel: `tone` scales the ink's optical density per channel (1, 1, 1 for neutral carbon
// black; see src/optics.rs ink_tone_scale).
fn optics_ink_transmittance(shade: f32, tone: vec3f) -> vec3f {
    return exp(-OPTICS_INK_K * shade * tone);
}

// Blur growth with depth per channel (OPTICS_BLUR_KAPPA_RGB): red light wanders further
// sideways before it meets the pigment, so a buried dot's shadow is widest in red.
fn optics_sigma_c(diameter: f32, z: f32, c: i32) -> f32 {
    let s0 = 0.5 * diameter / 1.41421356;
    let k = OPTICS_BLUR_KAPPA_RGB[c] * z;
    return sqrt(s0 * s0 + k * k);
}

fn optics_gain(diameter: f32, z: f32) -> f32 {
    let r = max(0.5 * diameter, 0.01);
    let diffuse = 1.0 - exp(-z / OPTICS_TRANSPORT_MFP_MM);
    return 1.0 + OPTICS_FLUENCE_BUILDUP * 4.0 * OPTICS_TRANSPORT_MFP_MM / (3.0 * r) * diffuse;
}

fn optics_peak_thickness_c(diameter: f32, z: f32, amount: f32, c: i32) -> f32 {
    let r = 0.5 * diameter;
    let s = optics_sigma_c(diameter, z, c);
    return amount * optics_gain(diameter, z) * r * r / (2.0 * s * s);
}

// Ein(x) = ∫₀ˣ (1 − e^(−t))/t dt: the area (in units of 2πσ²) of a footprint 1 − e^(−x·g).
fn optics_ein(x_in: f32) -> f32 {
    // Past 8 the series cancels badly in f32; there Ein(x) = ln x + γ + E1(x), E1 < 5e-5.
    if (x_in > 8.0) {
        return log(x_in) + 0.5772157;
    }
    let x = max(x_in, 0.0);
    var term = x;
    var sum = x;
    for (var k = 2; k < 40; k++) {
        term = -term * x / f32(k);
        let add = term / f32(k);
        sum += add;
        // Past its peak the series' terms only shrink: stop once they no longer count (the
        // splat passes call this per vertex; most dots have x well below 1 and stop in a few
        // terms).
        if (f32(k) > x && abs(add) < 1e-7 * abs(sum)) {
            break;
        }
    }
    return sum;
}

// The peak thickness whose footprint area is `area` (inverse of optics_ein, Newton from below,
// stopping once converged).
fn optics_ein_inverse(area: f32) -> f32 {
    var x = area;
    for (var i = 0; i < 8; i++) {
        let f = optics_ein(x) - area;
        let d = select((1.0 - exp(-x)) / x, 1.0, x < 1e-4);
        let step = f / d;
        x = x - step;
        if (abs(step) <= 1e-6 * max(x, 1e-6)) {
            break;
        }
    }
    return max(x, 0.0);
}
