// The treated-zone lookup (mirrors Zone::sample in src/zone.rs). Needs `boundary` bound, so
// only the generation pass includes it.

// Which parts of the lookup the pipeline is built for (src/dots/variant.rs): a CPU driver runs
// both sides of every branch, so parts a plan does not use are compiled out.
override ZONE_PATCHES: bool = true;
override ZONE_CUSTOM: bool = true;
override ZONE_SCARS: bool = true;

struct ZoneSample {
    above_mm: f32,
    ramp: f32,
    zone: u32,
    // The built-in zone under any custom or scar zone.
    region: u32,
    density: f32,
}

fn boundary_at(phi: f32, n: u32) -> f32 {
    let t = (phi + PI) / TAU * f32(n);
    let tf = floor(t);
    let i0 = u32((i32(tf) % i32(n) + i32(n)) % i32(n));
    let i1 = (i0 + 1u) % n;
    let f = t - tf;
    let b0 = bitcast<f32>(boundary[i0]);
    let b1 = bitcast<f32>(boundary[i1]);
    return b0 + (b1 - b0) * f;
}

// How far inside the nearest alopecia patch `p` is, mm (negative outside); mirrors
// Zone::patch_inside_mm.
fn patch_inside(z: ZoneGpu, p: vec3f) -> f32 {
    let c = vec3f(z.center.x, z.patch_info.y, z.center.z);
    let d = p - c;
    let r = max(length(d), 1e-3);
    let q = d / r;
    var best = -3.4e38;
    for (var k = 0u; k < u32(z.patch_info.x); k++) {
        let a = z.patches[2u * k];
        let b = z.patches[2u * k + 1u];
        let e2 = cross(a.xyz, b.xyz);
        if (dot(q, a.xyz) <= 0.0) {
            continue;
        }
        let u = dot(q, b.xyz) * r / (0.5 * a.w);
        let v = dot(q, e2) * r / (0.5 * b.w);
        best = max(best, (1.0 - sqrt(u * u + v * v)) * 0.5 * min(a.w, b.w));
    }
    return best;
}

// Even-odd point-in-polygon in the gnomonic plane (mirrors zone::in_polygon).
fn custom_inside(z: ZoneGpu, k: u32, x: f32, y: f32) -> bool {
    let base = k * ZONE_CUSTOM_ROWS;
    let n = u32(z.custom[base].w);
    var inside = false;
    var j = n - 1u;
    for (var i = 0u; i < n; i++) {
        let ra = z.custom[base + 2u + i / 2u];
        let rb = z.custom[base + 2u + j / 2u];
        let a = select(ra.xy, ra.zw, (i % 2u) == 1u);
        let b = select(rb.xy, rb.zw, (j % 2u) == 1u);
        if ((a.y > y) != (b.y > y) && x < (b.x - a.x) * (y - a.y) / (b.y - a.y) + a.x) {
            inside = !inside;
        }
        j = i;
    }
    return inside;
}

// Which custom zone `p` lies in (the first listed wins), or 0xFFFFFFFF (mirrors
// Zone::custom_at).
fn custom_zone(z: ZoneGpu, p: vec3f) -> u32 {
    let c = vec3f(z.center.x, z.patch_info.y, z.center.z);
    let d = p - c;
    let len = length(d);
    var q = vec3f(0.0);
    if (len > 0.0) {
        q = d / len;
    }
    for (var k = 0u; k < u32(z.shape.w); k++) {
        let dir = z.custom[k * ZONE_CUSTOM_ROWS].xyz;
        let e1 = z.custom[k * ZONE_CUSTOM_ROWS + 1u].xyz;
        let w = dot(q, dir);
        if (w < 0.1) {
            continue;
        }
        if (custom_inside(z, k, dot(q, e1) / w, dot(q, cross(dir, e1)) / w)) {
            return k;
        }
    }
    return 0xFFFFFFFFu;
}

fn zone_sample(z: ZoneGpu, p: vec3f) -> ZoneSample {
    let dx = p.x - z.center.x;
    let dz = p.z - z.center.z;
    let phi = atan2(dx, dz);
    let cos_phi = dz / max(sqrt(dx * dx + dz * dz), 1e-6);
    var above = p.y - boundary_at(phi, u32(z.limits.w));
    var ramp = smooth01(above / z.center.w);
    // Alopecia: only the patches are treated, wherever they are on the scalp.
    if (ZONE_PATCHES && z.patch_info.x > 0.5) {
        above = patch_inside(z, p);
        ramp = smooth01(above / z.patch_info.z);
    } else if (z.patch_info.w > 0.5) {
        // Scars only: the scalp round them keeps its hair.
        above = -1e9;
        ramp = 0.0;
    }
    let front = cos_phi > z.limits.y;
    var zone = ZONE_SIDES;
    if (front && above < z.center.w + z.limits.x) {
        zone = ZONE_HAIRLINE;
    } else if (p.y > z.shape.y || cos_phi > 0.7) {
        if (p.z < z.shape.z && p.y > z.shape.y) {
            zone = ZONE_CROWN;
        } else {
            zone = ZONE_TOP;
        }
    } else if (cos_phi < z.limits.z) {
        zone = ZONE_BACK;
    }
    let region = zone;
    var custom = 0xFFFFFFFFu;
    if (ZONE_CUSTOM) {
        custom = custom_zone(z, p);
    }
    if (custom != 0xFFFFFFFFu) {
        zone = ZONE_CUSTOM0 + custom;
    }
    // Scars are treated wherever they are, over the hairline's ramp.
    var scar = -3.4e38;
    if (ZONE_SCARS) {
        scar = scar_zone_inside(z.scars, p);
    }
    if (scar > 0.0) {
        zone = ZONE_SCAR;
        above = max(above, scar);
        ramp = max(ramp, smooth01(scar / z.scars.zone.y));
    }
    var density = 0.0;
    if (above > 0.0) {
        density = zone_density(z, zone) * ramp;
    }
    return ZoneSample(above, ramp, zone, region, density);
}
