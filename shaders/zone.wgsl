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

fn zone_sample(z: ZoneParams, p: vec3f) -> ZoneSample {
    let dx = p.x - z.center.x;
    let dz = p.z - z.center.z;
    let phi = atan2(dx, dz);
    let cos_phi = dz / max(sqrt(dx * dx + dz * dz), 1e-6);
    let above = p.y - boundary_at(phi, u32(z.limits.w));
    let ramp = smooth01(above / z.center.w);
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
