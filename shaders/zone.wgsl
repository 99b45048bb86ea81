// The treated-zone lookup (mirrors Zone::sample in src/zone.rs). Needs `boundary` bound.

struct ZoneSample {
    above_mm: f32,
    ramp: f32,
    zone: u32,
    density: f32,
}

fn boundary_at(phi: f32, n: u32) -> f32 {
    let t = (phi + PI) / TAU * f32(n);
    let tf = floor(t);
    let i0 = u32((i32(tf) % i32(n) + i32(n)) % i32(n));
    let i1 = (i0 + 1u) % n;
    let f = t - tf;
    return boundary[i0] + (boundary[i1] - boundary[i0]) * f;
}

// How far inside the nearest alopecia patch `p` is, mm (negative outside); mirrors
// Zone::patch_inside_mm.
fn patch_inside(z: ZoneParams, p: vec3f) -> f32 {
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

fn zone_sample(z: ZoneParams, p: vec3f) -> ZoneSample {
    let dx = p.x - z.center.x;
    let dz = p.z - z.center.z;
    let phi = atan2(dx, dz);
    let cos_phi = dz / max(sqrt(dx * dx + dz * dz), 1e-6);
    var above = p.y - boundary_at(phi, u32(z.limits.w));
    var ramp = smooth01(above / z.center.w);
    // Alopecia: only the patches are treated, wherever they are on the scalp.
    if (z.patch_info.x > 0.5) {
        above = patch_inside(z, p);
        ramp = smooth01(above / z.patch_info.z);
    }
    let front = cos_phi > z.limits.y;
    var zone = ZONE_SIDES;
    if (front && above < z.center.w + z.limits.x) {
        zone = ZONE_HAIRLINE;
    } else if (p.y > z.density_b.z || cos_phi > 0.7) {
        if (p.z < z.density_b.w && p.y > z.density_b.z) {
            zone = ZONE_CROWN;
        } else {
            zone = ZONE_TOP;
        }
    } else if (cos_phi < z.limits.z) {
        zone = ZONE_BACK;
    }
    var density = 0.0;
    if (above > 0.0) {
        density = zone_density(z, zone) * ramp;
    }
    return ZoneSample(above, ramp, zone, density);
}
