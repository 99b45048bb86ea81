// The treated zone's GPU mirror (mirrors src/zone.rs ZoneGpu); ids are ZONE_* in the prelude.

struct ZoneGpu {
    center: vec4f,     // x, z: axis of φ; w: band width (mm)
    shape: vec4f,      // x: largest density (dots/mm²); y: top_y; z: crown_z; w: custom zones
    limits: vec4f,     // x: hairline depth (mm); y: front cos φ; z: back cos φ; w: table length
    patch_info: vec4f, // x: alopecia patches (0: none); y: their centre's height; z: soft edge (mm); w: scars only
    patches: array<vec4f, ZONE_PATCH_ROWS>, // per patch: (direction, width), (horizontal tangent, height)
    table: array<vec4f, ZONE_COUNT>,   // per zone id: dots/mm², shade offset, sessions
    custom: array<vec4f, ZONE_CUSTOM_TABLE_ROWS>,  // per custom zone 8 rows: (centre, corners), (tangent, 0), corners
    scars: ScarGpu,
}

fn zone_density(z: ZoneGpu, zone: u32) -> f32 {
    return z.table[min(zone, ZONE_COUNT - 1u)].x;
}
