// Age pass (mirrors src/ageing.rs): each dot's pigment left and spread at time t, from its
// generated state alone, so scrubbing through the years never regenerates dots.
// Module = common.wgsl + this file.

struct AgeParams {
    t_years: f32,
    clearance_factor: f32,
    touch_up_count: u32,
    pad: u32,
    touch_up_years: vec4f,
    // When each session was, years after the first (crate::ageing::AgeParams::session_years).
    session_a: vec4f,
    session_b: vec4f,
}

@group(0) @binding(0) var<uniform> age: AgeParams;
@group(0) @binding(1) var<storage, read> dots: array<Dot>;
// Per dot (crate::ageing::Appearance): x = pigment left (units of Dot.pigment), y = extra
// footprint variance (mm²), z = redness around the wound, w = scab thickness.
@group(0) @binding(2) var<storage, read_write> looks: array<vec4f>;

const DAYS_PER_YEAR: f32 = 365.25;
const EPIDERMIS_MM: f32 = 0.1;
const DEPOSIT_HALF_HEIGHT_MM: f32 = 0.03;
const TURNOVER_DAYS: f32 = 42.0;
const EARLY_LOSS: f32 = 0.33333334;
const EARLY_DAYS: f32 = 10.0;
const CLEARANCE_BASE_PER_YEAR: f32 = 0.12;
const CLEARANCE_UV_PER_YEAR: f32 = 0.09;
const UV_DEPTH_MM: f32 = 0.3;
const REFERENCE_DEPTH_MM: f32 = 0.35;
const SPREAD_MM2_PER_YEAR: f32 = 0.0001;
const SWELLING_MM2: f32 = 0.012;
const SWELLING_DAYS: f32 = 7.0;
const WOUND_INK: f32 = 0.4;
const WOUND_INK_DAYS: f32 = 4.0;
const REDNESS_DAYS: f32 = 2.5;
const SCAB_FORMS_DAYS: vec2f = vec2f(0.5, 2.0);
const SCAB_FLAKES_DAYS: vec2f = vec2f(5.0, 7.0);
const SCAB_THICKNESS: f32 = 1.5;

// Healing marks of a deposit `days` old (crate::ageing::healing): extra variance, extra ink
// share, redness, scab thickness.
fn healing(days: f32, flake_day: f32) -> vec4f {
    if (days < 0.0) {
        return vec4f(0.0);
    }
    let scab = smoothstep(SCAB_FORMS_DAYS.x, SCAB_FORMS_DAYS.y, days)
        * (1.0 - smoothstep(flake_day - 0.5, flake_day + 0.5, days));
    return vec4f(
        SWELLING_MM2 * exp(-days / SWELLING_DAYS),
        WOUND_INK * exp(-days / WOUND_INK_DAYS),
        exp(-days / REDNESS_DAYS),
        SCAB_THICKNESS * scab,
    );
}
const SCAR_RETENTION: f32 = 0.7;
const SCAR_CLEARANCE_FACTOR: f32 = 1.6;
const BLOWOUT_SPREAD_MM2_PER_YEAR: f32 = 0.01;
const BLOWOUT_FROM_MM: f32 = 0.6;
const BLOWOUT_FULL_MM: f32 = 1.2;

fn remaining(depth: f32, exposure: f32, factor: f32, age_years: f32) -> f32 {
    let days = age_years * DAYS_PER_YEAR;
    let f_epi = clamp((EPIDERMIS_MM - (depth - DEPOSIT_HALF_HEIGHT_MM)) / (2.0 * DEPOSIT_HALF_HEIGHT_MM), 0.0, 1.0);
    let epidermal = 1.0 - smoothstep(0.0, TURNOVER_DAYS, days);
    let early = 1.0 - EARLY_LOSS * (1.0 - exp(-days / EARLY_DAYS));
    let uv = exposure * exp(-(depth - REFERENCE_DEPTH_MM) / UV_DEPTH_MM);
    let k = factor * (CLEARANCE_BASE_PER_YEAR + CLEARANCE_UV_PER_YEAR * uv);
    return f_epi * epidermal + (1.0 - f_epi) * early * exp(-k * age_years);
}

@compute @workgroup_size(64)
fn age_dots(@builtin(global_invocation_id) gid: vec3u, @builtin(num_workgroups) nwg: vec3u) {
    let i = gid.x + gid.y * nwg.x * 64u;
    if (i >= arrayLength(&dots)) {
        return;
    }
    let d = dots[i];
    let session = d.flags & 0xFFu;
    var placed_at = 3.4e38;
    if (session < 4u) {
        placed_at = age.session_a[session];
    } else if (session < 8u) {
        placed_at = age.session_b[session - 4u];
    }
    let a = age.t_years - placed_at;
    if (a < 0.0) {
        looks[i] = vec4f(0.0);
        return;
    }
    let exposure = f32(d.flags >> 16u) / 8192.0;
    let z = d.depth_mm;
    // Scar tissue takes up a smaller share of each deposit and clears it faster (crate::scar).
    let scar = (d.flags & SCAR_TISSUE_BIT) != 0u;
    let retention = select(1.0, SCAR_RETENTION, scar);
    let f = age.clearance_factor * select(1.0, SCAR_CLEARANCE_FACTOR, scar);
    // Deposits: the first when the dot's session was, strength 1; each touch-up tops the site
    // back up to 1 (see crate::ageing::appearance).
    var times = array<f32, 5>(placed_at, 0.0, 0.0, 0.0, 0.0);
    var strength = array<f32, 5>(1.0, 0.0, 0.0, 0.0, 0.0);
    var n = 1u;
    for (var k = 0u; k < min(age.touch_up_count, 4u); k++) {
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
    let flake = SCAB_FLAKES_DAYS.x + (SCAB_FLAKES_DAYS.y - SCAB_FLAKES_DAYS.x) * rand01(0u, d.id, S_FLAKE);
    let heal = healing((age.t_years - times[n - 1u]) * DAYS_PER_YEAR, flake);
    let rel = z / REFERENCE_DEPTH_MM;
    // Blowout migration below the papillary dermis (crate::ageing::spread_mm2).
    let blowout = BLOWOUT_SPREAD_MM2_PER_YEAR * smoothstep(BLOWOUT_FROM_MM, BLOWOUT_FULL_MM, z);
    looks[i] = vec4f(
        d.pigment * retention * (amount + strength[n - 1u] * heal.y),
        2.0 * (SPREAD_MM2_PER_YEAR * rel * rel + blowout) * a + heal.x,
        heal.z,
        heal.w * d.pigment,
    );
}
