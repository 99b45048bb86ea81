//! CPU reference of dot generation: the same integer hash, the same formulas, the same greedy
//! spacing rule as the GPU passes. Tests compare the two; it is also the way to reproduce any
//! one dot from its id.
use super::patchy::{lattice_key, patchy_intensity, patchy_missed};
use super::{Dot, GenParams, Layout};
use crate::hash::{mul_hi, rand01, rand_u32, stream};
use crate::head::Mesh;
use crate::zone::{Zone, ZoneId};
use glam::Vec3;
use std::collections::HashMap;

/// Candidates per block of the area table (see [`candidate_triangle`]).
pub const BLOCK: u32 = 256;
/// The shallowest a dot's jittered depth goes, mm (the needle always opens the skin).
pub const MIN_DEPTH_MM: f32 = 0.02;
/// Limits of a dot's jittered diameter factor (a normal draw would give any size).
pub const DIAMETER_FACTOR: (f32, f32) = (0.4, 2.5);
/// Relative spread of the pigment per dot, and the limits of its factor.
pub const PIGMENT_JITTER: f32 = 0.12;
pub const PIGMENT_FACTOR: (f32, f32) = (0.6, 1.4);

/// A candidate before the spacing rule.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Candidate {
    pub id: u32,
    pub position: Vec3,
    pub normal: Vec3,
    /// Minimum distance to any other accepted dot, mm.
    pub radius: f32,
    pub zone: ZoneId,
    /// Survived the density thinning.
    pub kept: bool,
    pub priority: u32,
    /// Relative yearly UV dose here (interpolated from the vertices).
    pub exposure: f32,
}

/// Which triangle (index into `layout.tris`) candidate `id` of chunk `p` falls on.
///
/// Each block of [`BLOCK`] consecutive candidates draws area-weighted from its own equal slice
/// of the area table. Within a block the candidates are independent, so the spacing rule sees
/// the Poisson-like candidates its calibration assumes; and since the triangles are in Morton
/// order, candidates with nearby ids lie near each other, so the spacing rounds walk memory
/// that is close together (10⁶ dots on lavapipe generate in 9 s instead of 13 s).
pub fn candidate_triangle(layout: &Layout, p: &GenParams, id: u32) -> usize {
    let blocks = p.cand_count.div_ceil(BLOCK);
    let step = u32::MAX / blocks.max(1);
    let k = (id - p.cand_start) / BLOCK;
    let u = k * step + mul_hi(rand_u32(p.seed, id, stream::TRIANGLE), step);
    let target = p.cdf_base + mul_hi(u, p.cdf_span);
    // First triangle whose inclusive cumulative weight exceeds the target.
    let (mut lo, mut hi) = (p.tri_start, p.tri_end - 1);
    while lo < hi {
        let mid = (lo + hi) / 2;
        if layout.cdf[mid as usize] > target {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    lo as usize
}

/// Candidate `id` of chunk `p`; `exposure` holds one relative UV dose per mesh vertex.
pub fn candidate(
    mesh: &Mesh,
    exposure: &[f32],
    layout: &Layout,
    zone: &Zone,
    p: &GenParams,
    id: u32,
) -> Candidate {
    let t = layout.tris[candidate_triangle(layout, p, id)];
    let (i0, i1, i2) = (t[0] as usize, t[1] as usize, t[2] as usize);
    let u = rand01(p.seed, id, stream::BARY_U);
    let v = rand01(p.seed, id, stream::BARY_V);
    let su = u.sqrt();
    let (a, b, c) = (1.0 - su, su * (1.0 - v), su * v);
    let (p0, p1, p2) = (mesh.positions[i0], mesh.positions[i1], mesh.positions[i2]);
    let mut position = p0 * a + p1 * b + p2 * c;
    let n = mesh.normals[i0] * a + mesh.normals[i1] * b + mesh.normals[i2] * c;
    let normal = n.try_normalize().unwrap_or(Vec3::Y);
    let exposure = exposure[i0] * a + exposure[i1] * b + exposure[i2] * c;
    // Grid spacing: the candidate moves to its lattice node, and the node (not the candidate)
    // draws the density thinning, so every candidate of a node agrees.
    let mut thin = rand01(p.seed, id, stream::THIN);
    if p.grid_pitch_mm > 0.0 {
        let (q, key) = snap_to_grid(p, zone, position, (p1 - p0).cross(p2 - p0));
        position = q;
        thin = rand01(p.seed, key, stream::GRID_THIN);
    }
    let s = zone.sample(position);
    // Hair in this built-in zone takes area from the dots (HairGrid::for_hairs); scar tissue
    // has none.
    let mut hair_factor = layout.hair.keep_factor(s.region);
    if hair_factor != 1.0 && zone.scars.tissue(position) > 0.5 {
        hair_factor = 1.0;
    }
    let mut keep_p = s.density_per_mm2 * p.inv_max_density * hair_factor;
    // Patchy work spares the hairline zone: it is worked apart, with a single needle, and an
    // uneven front line is a lesson of its own.
    if p.patchy > 0.0 && s.zone != ZoneId::Hairline {
        keep_p *= patchy_intensity(p.seed, session_of(p, zone, id, s.zone), position, p.patchy);
    }
    // Between the hairs: never within the exclusion radius of a hair root.
    let kept = thin < keep_p && !layout.hair.blocks(position);
    Candidate {
        id,
        position,
        normal,
        radius: p.alpha / zone.zone_density(s.zone).max(1e-6).sqrt(),
        zone: s.zone,
        kept,
        priority: rand_u32(p.seed, id, stream::PRIORITY),
        exposure,
    }
}

/// Grid spacing (as `snap_to_grid` in generate.wgsl): the lattice node nearest to `pos` in a
/// local chart of the surface, moved to the plane of the candidate's triangle (normal
/// `tri_normal`, any length), and the node's key. The chart is the plane across the one of
/// seven axes ([`GRID_CHARTS`]: the three coordinate axes and four diagonals) nearest to the
/// direction from the head's centre, so the skin is never tilted much more than ~35° from its
/// chart and rows and columns run as a practitioner working in rows lays them. Each node has its
/// own jitter, the same for every candidate landing on it; the spacing rule keeps one of them.
/// Moving within the triangle's plane leaves the point within ~0.002 mm of the head (half a
/// pitch on a 90 mm radius).
pub fn snap_to_grid(p: &GenParams, zone: &Zone, pos: Vec3, tri_normal: Vec3) -> (Vec3, u32) {
    let d = pos - Vec3::new(zone.center.x, 0.0, zone.center.z);
    let mut chart = 0usize;
    let mut best = -1.0f32;
    for (k, c) in GRID_CHARTS.iter().enumerate() {
        let a = d.dot(Vec3::from_array(c[0])).abs();
        if a > best {
            best = a;
            chart = k;
        }
    }
    let [axis, eu, ev] = GRID_CHARTS[chart].map(Vec3::from_array);
    let (u, v) = (pos.dot(eu), pos.dot(ev));
    let pitch = p.grid_pitch_mm;
    let iu = (u / pitch + 0.5).floor() as i32;
    let iv = (v / pitch + 0.5).floor() as i32;
    let key = lattice_key(iu, iv, chart as i32);
    let ju = (rand01(p.seed, key, stream::GRID_U) - 0.5) * p.grid_jitter;
    let jv = (rand01(p.seed, key, stream::GRID_V) - 0.5) * p.grid_jitter;
    let du = (iu as f32 + ju) * pitch - u;
    let dv = (iv as f32 + jv) * pitch - v;
    let delta = eu * du + ev * dv;
    // Back onto the triangle's plane along the chart's axis, which keeps the node's chart
    // coordinates.
    let n = tri_normal;
    let an = axis.dot(n);
    let limit = 0.2 * n.length();
    let an = if an.abs() < limit {
        limit.copysign(an)
    } else {
        an
    };
    (pos + delta - axis * (delta.dot(n) / an), key)
}

/// The charts of the grid-spacing error: (axis, u, v), orthonormal, as `GRID_CHARTS` in
/// generate.wgsl. The diagonals' u runs level (⟂ Y), v up the slope.
pub const GRID_CHARTS: [[[f32; 3]; 3]; 7] = {
    const R3: f32 = 0.577_350_26; // 1/√3
    const R2: f32 = 0.707_106_77; // 1/√2
    const R6: f32 = 0.408_248_3; // 1/√6
    const R23: f32 = 0.816_496_6; // √(2/3)
    [
        [[0.0, 1.0, 0.0], [1.0, 0.0, 0.0], [0.0, 0.0, 1.0]],
        [[0.0, 0.0, 1.0], [1.0, 0.0, 0.0], [0.0, 1.0, 0.0]],
        [[1.0, 0.0, 0.0], [0.0, 0.0, 1.0], [0.0, 1.0, 0.0]],
        [[R3, R3, R3], [R2, 0.0, -R2], [-R6, R23, -R6]],
        [[-R3, R3, R3], [R2, 0.0, R2], [R6, R23, -R6]],
        [[R3, R3, -R3], [-R2, 0.0, -R2], [-R6, R23, R6]],
        [[-R3, R3, -R3], [-R2, 0.0, R2], [R6, R23, R6]],
    ]
};

/// Standard normal from two uniforms (Box–Muller), as in generate.wgsl.
fn gauss(seed: u32, id: u32, sa: u32, sb: u32) -> f32 {
    let u1 = rand01(seed, id, sa).max(1e-7);
    let u2 = rand01(seed, id, sb);
    (-2.0 * u1.ln()).sqrt() * (std::f32::consts::TAU * u2).cos()
}

/// Sessions zone `z` is worked in: the first n of the plan's.
pub fn zone_sessions(p: &GenParams, zone: &Zone, z: ZoneId) -> u32 {
    zone.zone_sessions(z).clamp(1, p.session_count.max(1))
}

/// The session candidate `id` of zone `z` belongs to: the plan's split over the zone's first
/// n sessions, renormalised.
pub fn session_of(p: &GenParams, zone: &Zone, id: u32, z: ZoneId) -> u32 {
    let n = zone_sessions(p, zone, z);
    let u = rand01(p.seed, id, stream::SESSION) * p.session_cum[n as usize - 1];
    let mut session = 0u32;
    while session + 1 < n && u >= p.session_cum[session as usize] {
        session += 1;
    }
    session
}

/// The dot an accepted candidate becomes.
pub fn dot_from_candidate(c: &Candidate, p: &GenParams, zone: &Zone) -> Dot {
    let id = c.id;
    let session = session_of(p, zone, id, c.zone);
    // Depth errors hit a share of the dots each (too deep first, then too shallow).
    let e = rand01(p.seed, id, stream::ERROR);
    let (depth_mm, jitter_mm) = if e < p.deep_fraction {
        (p.deep_depth_mm, p.deep_jitter_mm)
    } else if e < p.deep_fraction + p.shallow_fraction {
        (p.shallow_depth_mm, p.shallow_jitter_mm)
    } else {
        (p.depth_mm, p.depth_jitter_mm)
    };
    let depth = (depth_mm + jitter_mm * gauss(p.seed, id, stream::DEPTH_A, stream::DEPTH_B))
        .max(MIN_DEPTH_MM);
    let big = if (p.big_zone_mask >> c.zone as u32) & 1 == 1 {
        p.big_factor
    } else {
        1.0
    };
    let diameter = p.diameter_mm
        * big
        * (1.0 + p.diameter_jitter * gauss(p.seed, id, stream::DIAM_A, stream::DIAM_B))
            .clamp(DIAMETER_FACTOR.0, DIAMETER_FACTOR.1);
    let pigment = (1.0 + PIGMENT_JITTER * gauss(p.seed, id, stream::PIGMENT_A, stream::PIGMENT_B))
        .clamp(PIGMENT_FACTOR.0, PIGMENT_FACTOR.1);
    let lighter = p.lighter_first_steps * (zone_sessions(p, zone, c.zone) - 1 - session) as f32;
    let zone_shade = p.shade + zone.zone_shade_offset(c.zone);
    let shade =
        (zone_shade - lighter + 0.5 * (rand01(p.seed, id, stream::SHADE) - 0.5)).clamp(1.0, 10.0);
    // Scar tissue holds pigment less well (crate::scar); the ageing reads this bit.
    let scar = if zone.scars.tissue(c.position) > 0.5 {
        super::SCAR_TISSUE_BIT
    } else {
        0
    };
    Dot {
        position: c.position.to_array(),
        depth_mm: depth,
        normal: c.normal.to_array(),
        diameter_mm: diameter,
        pigment,
        shade,
        id,
        flags: session | ((c.zone as u32) << 8) | scar | super::pack_exposure(c.exposure),
    }
}

/// Higher priority wins; equal priorities fall to the lower id (as in spacing.wgsl).
pub fn outranks(a: &Candidate, b: &Candidate) -> bool {
    a.priority > b.priority || (a.priority == b.priority && a.id < b.id)
}

fn cell_of(p: Vec3, cell: f32) -> (i32, i32, i32) {
    let c = (p / cell).floor();
    (c.x as i32, c.y as i32, c.z as i32)
}

/// Patchy density: whether accepted candidate `c` was really deposited (its session did not
/// miss the area).
pub fn deposited(c: &Candidate, p: &GenParams, zone: &Zone) -> bool {
    c.zone == ZoneId::Hairline
        || !patchy_missed(
            p.seed,
            session_of(p, zone, c.id, c.zone),
            c.position,
            p.patchy_missed,
        )
}

/// All dots of a plan, sorted by id: chunk after chunk, greedy in priority order against every
/// dot accepted so far.
///
/// Under patchy density some accepted dots are not deposited: within their chunk they still
/// hold their place (the practitioner spaced the pattern, then missed some of it), but later
/// chunks do not see them, as on the GPU, where later chunks only see the dots written.
pub fn generate(mesh: &Mesh, exposure: &[f32], layout: &Layout, zone: &Zone) -> Vec<Dot> {
    let cell = layout.cell_size;
    // (position, exclusion radius, chunk, deposited)
    type Entry = (Vec3, f32, usize, bool);
    let mut grid: HashMap<(i32, i32, i32), Vec<Entry>> = HashMap::new();
    let mut dots = Vec::new();
    for (chunk, p) in layout.params.iter().enumerate() {
        let mut cands: Vec<Candidate> = (0..p.cand_count)
            .map(|k| candidate(mesh, exposure, layout, zone, p, p.cand_start + k))
            .filter(|c| c.kept)
            .collect();
        cands.sort_by(|a, b| b.priority.cmp(&a.priority).then(a.id.cmp(&b.id)));
        for c in cands {
            let (cx, cy, cz) = cell_of(c.position, cell);
            let mut blocked = false;
            'search: for dx in -1..=1 {
                for dy in -1..=1 {
                    for dz in -1..=1 {
                        if let Some(list) = grid.get(&(cx + dx, cy + dy, cz + dz)) {
                            for (q, r, k, shown) in list {
                                if !*shown && *k != chunk {
                                    continue;
                                }
                                let rr = r.max(c.radius);
                                if c.position.distance_squared(*q) < rr * rr {
                                    blocked = true;
                                    break 'search;
                                }
                            }
                        }
                    }
                }
            }
            if !blocked {
                let shown = deposited(&c, p, zone);
                grid.entry((cx, cy, cz))
                    .or_default()
                    .push((c.position, c.radius, chunk, shown));
                if shown {
                    dots.push(dot_from_candidate(&c, p, zone));
                }
            }
        }
    }
    dots.sort_by_key(|d| d.id);
    dots
}

/// Reference for one dot by id, if that candidate survives thinning (spacing aside).
pub fn candidate_by_id(
    mesh: &Mesh,
    exposure: &[f32],
    layout: &Layout,
    zone: &Zone,
    id: u32,
) -> Option<Candidate> {
    let p = layout
        .params
        .iter()
        .find(|p| id >= p.cand_start && id - p.cand_start < p.cand_count)?;
    Some(candidate(mesh, exposure, layout, zone, p, id))
}
