// Scars (mirrors src/scar.rs): the GPU mirror and the procedural strip and FUE scars.
struct ScarGpu {
    frame: vec4f,    // x, z: axis of the azimuth; y: radius of the FUE cells (mm); w: seed bits
    strip: vec4f,    // middle height, half length (0: none), half width, end curve (mm)
    fue: vec4f,      // cell size, scar radius, band's lowest and highest height (mm)
    fue_band: vec4f, // x: 1 when any; y: half span round the back (rad)
    zone: vec4f,     // x: margin past the strip (mm); y: zone edge ramp (mm)
}


// Azimuth from the back of the head, horizontal radius, height.
fn scar_polar(s: ScarGpu, p: vec3f) -> vec3f {
    let dx = p.x - s.frame.x;
    let dz = p.z - s.frame.z;
    return vec3f(atan2(-dx, -dz), sqrt(dx * dx + dz * dz), p.y);
}

// Middle height, half width and arc position of the strip where `p` lies.
fn scar_strip_at(s: ScarGpu, p: vec3f) -> vec3f {
    let q = scar_polar(s, p);
    let seed = bitcast<u32>(s.frame.w);
    let arc = q.x * q.y;
    let t = arc / max(s.strip.y, 1e-3);
    let mid = s.strip.x + s.strip.w * t * t;
    let u = arc / SCAR_WAVE_MM + 1000.0;
    let k = floor(u);
    let f = smooth01(u - k);
    let n0 = rand01(seed, u32(k), STREAM_STRIP) * 2.0 - 1.0;
    let n1 = rand01(seed, u32(k + 1.0), STREAM_STRIP) * 2.0 - 1.0;
    let wave = n0 + (n1 - n0) * f;
    let taper = sqrt(clamp((s.strip.y - abs(arc)) / SCAR_TAPER_MM, 0.0, 1.0));
    return vec3f(mid, s.strip.z * (1.0 + SCAR_WAVINESS * wave) * taper, arc);
}

fn fue_key(i: i32, j: i32) -> u32 {
    return pcg((bitcast<u32>(i) * 73856093u) ^ (bitcast<u32>(j) * 19349663u) ^ SCAR_FUE_KEY_SALT);
}

// Distance to the nearest FUE scar's edge (negative inside), or 3.4e38 outside the band.
fn scar_fue_distance(s: ScarGpu, p: vec3f) -> f32 {
    let q = scar_polar(s, p);
    if (s.fue_band.x < 0.5 || abs(q.x) > s.fue_band.y || q.z < s.fue.z || q.z > s.fue.w) {
        return 3.4e38;
    }
    let cell = s.fue.x;
    let u = q.x * s.frame.y / cell;
    let v = (q.z - s.fue.z) / cell;
    let i = floor(u);
    let j = floor(v);
    let key = fue_key(i32(i), i32(j));
    let seed = bitcast<u32>(s.frame.w);
    let size = s.fue.y * (0.85 + 0.3 * rand01(seed, key, STREAM_FUE_SIZE));
    let room = max(1.0 - 2.0 * size / cell, 0.0);
    let cu = i + 0.5 + room * (rand01(seed, key, STREAM_FUE_U) - 0.5);
    let cv = j + 0.5 + room * (rand01(seed, key, STREAM_FUE_V) - 0.5);
    let ds = (u - cu) * cell * q.y / s.frame.y;
    let dy = (v - cv) * cell;
    return sqrt(ds * ds + dy * dy) - size;
}

// Whether there are any scars (ScarGpu::has_any).
fn scars_any(s: ScarGpu) -> bool {
    return s.strip.y > 0.0 || s.fue_band.x > 0.5;
}

// How much of `p` is scar tissue, 0–1 (ScarGpu::tissue).
fn scar_tissue(s: ScarGpu, p: vec3f) -> f32 {
    if (!scars_any(s)) {
        return 0.0;
    }
    var t = 0.0;
    let q = scar_polar(s, p);
    if (s.strip.y > 0.0 && abs(q.x) < 0.5 * PI) {
        let m = scar_strip_at(s, p);
        t = 1.0 - smoothstep(m.y - 0.15, m.y + 0.15, abs(q.z - m.x));
    }
    let d = scar_fue_distance(s, p);
    if (d < 1e30) {
        t = max(t, 1.0 - smoothstep(-0.08, 0.08, d));
    }
    return t;
}

// How far inside the scars' treated zone `p` is, mm (ScarGpu::zone_inside_mm).
fn scar_zone_inside(s: ScarGpu, p: vec3f) -> f32 {
    if (!scars_any(s)) {
        return -3.4e38;
    }
    let q = scar_polar(s, p);
    var inside = -3.4e38;
    if (s.strip.y > 0.0 && abs(q.x) < 0.5 * PI) {
        let m = scar_strip_at(s, p);
        let across = max(m.y, 0.5 * s.strip.z) + s.zone.x - abs(q.z - m.x);
        let along = s.strip.y + s.zone.x - abs(m.z);
        inside = min(across, along);
    }
    if (s.fue_band.x > 0.5) {
        let band = min(min(q.z - s.fue.z, s.fue.w - q.z), (s.fue_band.y - abs(q.x)) * q.y);
        inside = max(inside, band);
    }
    return inside;
}
