// Age pass (mirrors src/ageing/mod.rs, the CPU reference): each dot's pigment left and spread at
// time t, from its generated state alone, so scrubbing through the years never regenerates dots.
// Module: the prelude, shared/{hash,dots,ageing}.wgsl and this file.

struct AgeParams {
    t_years: f32,
    clearance_factor: f32,
    touch_up_count: u32,
    pad: u32,
    touch_up_years: vec4f,
    // When each session was, years after the first, four a row (uniform arrays hold 16-byte
    // elements).
    session_years: array<vec4f, 2>,
}

@group(0) @binding(0) var<storage, read> age: AgeParams;
@group(0) @binding(1) var<storage, read> dots: array<Dot>;
@group(0) @binding(2) var<storage, read_write> looks: array<Appearance>;


// Healing marks of a deposit `days` old (crate::ageing::healing): extra variance, extra ink
// share, redness, scab thickness.
fn healing(days: f32, flake_day: f32) -> vec4f {
    if (days < 0.0) {
        return vec4f(0.0);
    }
    let scab = smoothstep(AGEING_SCAB_FORMS_DAYS.x, AGEING_SCAB_FORMS_DAYS.y, days)
        * (1.0 - smoothstep(flake_day - 0.5, flake_day + 0.5, days));
    return vec4f(
        AGEING_SWELLING_MM2 * exp(-days / AGEING_SWELLING_DAYS),
        AGEING_WOUND_INK * exp(-days / AGEING_WOUND_INK_DAYS),
        exp(-days / AGEING_REDNESS_DAYS),
        AGEING_SCAB_THICKNESS * scab,
    );
}

fn remaining(depth: f32, exposure: f32, factor: f32, age_years: f32) -> f32 {
    let days = age_years * AGEING_DAYS_PER_YEAR;
    let f_epi = clamp((AGEING_EPIDERMIS_MM - (depth - AGEING_DEPOSIT_HALF_HEIGHT_MM)) / (2.0 * AGEING_DEPOSIT_HALF_HEIGHT_MM), 0.0, 1.0);
    let epidermal = 1.0 - smoothstep(0.0, AGEING_TURNOVER_DAYS, days);
    let early = 1.0 - AGEING_EARLY_LOSS * (1.0 - exp(-days / AGEING_EARLY_DAYS));
    let uv = exposure * exp(-(depth - AGEING_REFERENCE_DEPTH_MM) / AGEING_UV_DEPTH_MM);
    let k = factor * (AGEING_CLEARANCE_BASE_PER_YEAR + AGEING_CLEARANCE_UV_PER_YEAR * uv);
    return f_epi * epidermal + (1.0 - f_epi) * early * exp(-k * age_years);
}

@compute @workgroup_size(WORKGROUP_SIZE)
fn age_dots(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * WORKGROUP_SIZE;
    if (i >= arrayLength(&dots)) {
        return;
    }
    let d = dots[i];
    let session = d.flags & DOTS_SESSION_MASK;
    var placed_at = 3.4e38;
    if (session < AGEING_MAX_SESSIONS) {
        placed_at = age.session_years[session / 4u][session % 4u];
    }
    let a = age.t_years - placed_at;
    if (a < 0.0) {
        looks[i] = Appearance(0.0, 0.0, 0.0, 0.0);
        return;
    }
    let exposure = f32(d.flags >> DOTS_EXPOSURE_SHIFT) / DOTS_EXPOSURE_STEPS;
    let z = d.depth_mm;
    // Scar tissue takes up a smaller share of each deposit and clears it faster (crate::scar).
    let scar = (d.flags & DOTS_SCAR_TISSUE_BIT) != 0u;
    let retention = select(1.0, SCAR_RETENTION, scar);
    let f = age.clearance_factor * select(1.0, SCAR_CLEARANCE_FACTOR, scar);
    // Deposits: the first when the dot's session was, strength 1; each touch-up tops the site
    // back up to 1 (see crate::ageing::appearance).
    var times = array<f32, AGEING_MAX_TOUCH_UPS + 1u>();
    var strength = array<f32, AGEING_MAX_TOUCH_UPS + 1u>();
    times[0] = placed_at;
    strength[0] = 1.0;
    var n = 1u;
    for (var k = 0u; k < min(age.touch_up_count, AGEING_MAX_TOUCH_UPS); k++) {
        let at = age.touch_up_years[k];
        if (at <= age.t_years && at > placed_at) {
            var left = 0.0;
            for (var j = 0u; j < n; j++) {
                left += strength[j] * remaining(z, exposure, f, at - times[j]);
            }
            times[n] = at;
            strength[n] = max(1.0 - left, 0.0);
            n += 1u;
        }
    }
    var amount = 0.0;
    for (var j = 0u; j < n; j++) {
        amount += strength[j] * remaining(z, exposure, f, age.t_years - times[j]);
    }
    // The newest deposit is the one healing now (a touch-up re-wounds the site).
    let flake = AGEING_SCAB_FLAKES_DAYS.x + (AGEING_SCAB_FLAKES_DAYS.y - AGEING_SCAB_FLAKES_DAYS.x) * rand01(0u, d.id, STREAM_FLAKE);
    let heal = healing((age.t_years - times[n - 1u]) * AGEING_DAYS_PER_YEAR, flake);
    let rel = z / AGEING_REFERENCE_DEPTH_MM;
    // A blowout below the papillary dermis takes up more ink, runs along the collagen when
    // deposited and keeps migrating (crate::ageing::{blowout, spread_mm2}).
    let b = smoothstep(AGEING_BLOWOUT_FROM_MM, AGEING_BLOWOUT_FULL_MM, z);
    looks[i] = Appearance(
        d.pigment * retention * (1.0 + AGEING_BLOWOUT_EXTRA_INK * b) * (amount + strength[n - 1u] * heal.y),
        AGEING_BLOWOUT_INITIAL_MM2 * b
            + 2.0 * (AGEING_SPREAD_MM2_PER_YEAR * rel * rel + AGEING_BLOWOUT_SPREAD_MM2_PER_YEAR * b) * a
            + heal.x,
        heal.z,
        heal.w * d.pigment,
    );
}
