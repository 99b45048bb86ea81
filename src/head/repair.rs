//! Making a raw scan usable: scanners and photogrammetry apps write meshes with duplicate
//! vertices (one copy per triangle or per texture chunk), zero-area and repeated triangles,
//! inconsistent winding, non-manifold edges, holes, and floating debris around the head.
//! Nothing here fails on such input; what was changed is counted in [`RepairReport`].
//!
//! Steps, each linear or n·log n in the triangle count (a few million triangles take a second
//! or two on one core):
//!
//! 1. Weld vertices at the same position (to 10⁻⁴ of the median edge length, a scale that
//!    stray vertices far away cannot change, unlike the bounding box's), so that triangles
//!    written separately become connected.
//! 2. Drop degenerate triangles (two corners on one vertex, or zero area) and repeated ones
//!    (the same three vertices, in any order).
//! 3. Spikes: triangles reaching a vertex far outside the box that holds the middle 98% of
//!    the vertices (a depth-map outlier pulled out of the surface stays connected to it, so
//!    step 4 cannot drop it, and its kilometre-long triangles would set the head's box, its
//!    units and its alignment). They are dropped and counted.
//! 4. Connected components (through shared vertices): keep the largest by area among those
//!    with a fair share of the triangles (a lone stray triangle spanning a kilometre has the
//!    largest area of all), and others only when they are a sizeable part near it; drop the
//!    rest as debris, counting apart the strays far from the head (photogrammetry writes
//!    such points and triangles), which [`RepairReport::warnings`] names.
//! 5. Orientation: triangles across each manifold edge (used by exactly two triangles) are
//!    made to agree; each patch so joined is then turned to face away from the centre of
//!    its component (a head is star-shaped enough from its centre). Non-manifold edges (three
//!    or more triangles) and boundary edges (holes, the neck opening) are counted, not mended:
//!    the renderer draws both faces and dots only need triangles.
use super::obj::Units;
use super::raw::RawMesh;
use glam::{DVec3, Vec3};
use std::collections::HashMap;

/// A component smaller than this share of the largest one's area is debris.
pub const DEBRIS_AREA_SHARE: f64 = 0.05;
/// A sizeable component further than this share of the largest one's size from its bounding
/// box is debris too (a piece of the room, the chair, another person's arm).
pub const DEBRIS_DISTANCE_SHARE: f32 = 0.2;

/// A vertex further outside the middle-98% box than this share of that box's diagonal is a
/// spike's tip: a head, a bust's shoulders or a neck stub lie within the box or just beyond
/// it, nothing of the subject lies half a head size further out.
pub const SPIKE_SHARE_OF_ROBUST_EXTENT: f64 = 0.5;

/// The weld quantum as a share of the median edge length.
pub const WELD_SHARE_OF_MEDIAN_EDGE: f64 = 1e-4;
/// The main part has at least this share of the largest part's triangle count: a few huge
/// triangles (a stray spanning the room) outweigh the head in area, never in count.
pub const MAIN_MIN_TRIANGLE_SHARE: f64 = 0.01;

/// What the repair did, for the report `scalp render` prints.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RepairReport {
    pub input_vertices: usize,
    pub input_triangles: usize,
    /// Vertices merged into another at the same position.
    pub welded_vertices: usize,
    /// Triangles dropped: two corners on one vertex, or zero area.
    pub degenerate_triangles: usize,
    /// Triangles dropped as repeats of another (same three vertices).
    pub duplicate_triangles: usize,
    /// Connected parts kept, and parts near the head dropped as debris with their triangles
    /// and their share of the area near the head.
    pub components_kept: usize,
    pub fragments_removed: usize,
    pub fragment_triangles_removed: usize,
    pub fragment_area_share: f64,
    /// Parts far from the head (beyond [`DEBRIS_DISTANCE_SHARE`] of its size), dropped as
    /// strays: their count, their triangles, and how far the furthest lies from the head's
    /// bounding box, in the head's sizes.
    pub strays_removed: usize,
    pub stray_triangles_removed: usize,
    pub stray_farthest_head_sizes: f64,
    /// Spikes (see [`SPIKE_SHARE_OF_ROBUST_EXTENT`]): their tips, the triangles dropped with
    /// them, and how far the furthest tip lies outside the head's middle-98% box, in head
    /// sizes.
    pub spike_vertices: usize,
    pub spike_triangles_removed: usize,
    pub spike_farthest_head_sizes: f64,
    /// Triangles whose winding was reversed to agree with their neighbours and face outward.
    pub flipped_triangles: usize,
    /// Edges used by three or more triangles.
    pub non_manifold_edges: usize,
    /// Edges used by one triangle only, and the closed loops they form (holes and openings
    /// such as the neck).
    pub boundary_edges: usize,
    pub boundary_loops: usize,
    /// Manifold edges whose triangles could not be made to agree (a Möbius-like twist).
    pub orientation_conflicts: usize,
}

impl RepairReport {
    /// One line saying what was repaired, or that nothing needed it.
    pub fn describe(&self) -> String {
        let mut parts = Vec::new();
        if self.welded_vertices > 0 {
            parts.push(format!(
                "welded {} duplicate vertices",
                self.welded_vertices
            ));
        }
        if self.degenerate_triangles > 0 {
            parts.push(format!(
                "dropped {} degenerate triangles",
                self.degenerate_triangles
            ));
        }
        if self.duplicate_triangles > 0 {
            parts.push(format!(
                "dropped {} repeated triangles",
                self.duplicate_triangles
            ));
        }
        if self.spike_triangles_removed > 0 {
            parts.push(format!(
                "dropped {} spike triangles ({} tips far out)",
                self.spike_triangles_removed, self.spike_vertices
            ));
        }
        if self.fragments_removed > 0 {
            parts.push(format!(
                "dropped {} loose fragments ({} triangles, {:.1}% of the area)",
                self.fragments_removed,
                self.fragment_triangles_removed,
                100.0 * self.fragment_area_share
            ));
        }
        if self.strays_removed > 0 {
            parts.push(format!(
                "dropped {} stray parts far away ({} triangles)",
                self.strays_removed, self.stray_triangles_removed
            ));
        }
        if self.flipped_triangles > 0 {
            parts.push(format!(
                "turned {} triangles to face outward",
                self.flipped_triangles
            ));
        }
        let mut found = Vec::new();
        if self.boundary_loops > 0 {
            found.push(format!(
                "{} open boundaries (holes, the neck; {} edges)",
                self.boundary_loops, self.boundary_edges
            ));
        }
        if self.non_manifold_edges > 0 {
            found.push(format!("{} non-manifold edges", self.non_manifold_edges));
        }
        let mut line = if parts.is_empty() {
            "nothing to repair".to_string()
        } else {
            parts.join(", ")
        };
        if !found.is_empty() {
            line += &format!("; left as they are: {}", found.join(", "));
        }
        line
    }

    /// What the user should be told of: strays far away, and much of the surface dropped.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.stray_triangles_removed > 0 {
            out.push(format!(
                "dropped {} stray {} ({} {}) lying up to {} head sizes away from the head \
                 (photogrammetry debris); they did not count for its size",
                self.stray_triangles_removed,
                if self.stray_triangles_removed == 1 {
                    "triangle"
                } else {
                    "triangles"
                },
                self.strays_removed,
                if self.strays_removed == 1 {
                    "part"
                } else {
                    "parts"
                },
                significant(self.stray_farthest_head_sizes)
            ));
        }
        if self.spike_triangles_removed > 0 {
            out.push(format!(
                "dropped {} {} joined to the head but reaching {} {} up to {} head sizes \
                 beyond it (scanner spikes); they did not count for its size",
                self.spike_triangles_removed,
                if self.spike_triangles_removed == 1 {
                    "triangle"
                } else {
                    "triangles"
                },
                self.spike_vertices,
                if self.spike_vertices == 1 {
                    "vertex"
                } else {
                    "vertices"
                },
                significant(self.spike_farthest_head_sizes)
            ));
        }
        if self.fragment_area_share > 0.3 {
            out.push(format!(
                "{:.0}% of the scan's surface was dropped as loose fragments: is the head the \
                 largest part of the file?",
                100.0 * self.fragment_area_share
            ));
        }
        out
    }
}

/// A positive number in words a person reads: 3 significant digits, powers of ten beyond
/// 10⁶ or below 10⁻³.
pub fn significant(x: f64) -> String {
    if x != 0.0 && !(1e-3..1e6).contains(&x.abs()) {
        format!("{x:.2e}")
    } else {
        let digits = (2 - x.abs().max(1e-300).log10().floor() as i32).clamp(0, 6) as usize;
        format!("{x:.digits$}")
    }
}

/// A repaired mesh, still in the file's units and axes.
#[derive(Clone, Debug, Default)]
pub struct Repaired {
    /// Welded positions that kept triangles use.
    pub positions: Vec<Vec3>,
    /// Triangles over `positions`, wound consistently and outward.
    pub triangles: Vec<[u32; 3]>,
    /// `vt` index of each corner of each triangle (same order as its positions), or
    /// [`super::raw::NO_UV`].
    pub uv_corners: Vec<[u32; 3]>,
    /// Material of each triangle (see [`RawMesh::tri_material`]).
    pub material: Vec<u32>,
    /// Linear RGB and weight of each position (the first raw vertex welded into it), or empty when the
    /// scan has no vertex colours.
    pub colours: Vec<[f32; 4]>,
    pub report: RepairReport,
}

/// Repairs a raw mesh (see the module documentation). The result may have no triangles when
/// every input triangle was degenerate; the caller says so.
pub fn repair(raw: &RawMesh) -> Repaired {
    let mut report = RepairReport {
        input_vertices: raw.positions.len(),
        input_triangles: raw.triangle_count(),
        ..Default::default()
    };
    // 1. Weld.
    let (weld, positions, welded_src) = weld(raw, &mut report);
    // 2. Degenerate and repeated triangles. `tri_src`: each kept triangle's in `raw`.
    let (mut tris, mut tri_src) = proper_triangles(raw, &weld, &positions, &mut report);
    drop_repeated(&mut tris, &mut tri_src, &mut report);
    // 3. Spikes.
    drop_spikes(&mut tris, &mut tri_src, &positions, &mut report);
    // 4. Components through shared vertices; debris dropped.
    let mut comps = components(&positions, &tris);
    let keep_comp = keep_components(&comps, &mut report);
    if report.fragments_removed + report.strays_removed > 0 {
        let keep: Vec<bool> = comps
            .of_tri
            .iter()
            .map(|&c| keep_comp[c as usize])
            .collect();
        retain_marked(&mut tris, &keep);
        retain_marked(&mut tri_src, &keep);
        retain_marked(&mut comps.of_tri, &keep);
    }
    // 5. Orientation over manifold edges.
    let adj = manifold_neighbours(&tris, positions.len(), &mut report);
    let flip = orient(&tris, &positions, &comps, &adj, &mut report);
    finish(raw, positions, &welded_src, tris, &tri_src, &flip, report)
}

/// Drops the triangles that reach a spike's tip (see [`SPIKE_SHARE_OF_ROBUST_EXTENT`]).
fn drop_spikes(
    tris: &mut Vec<[u32; 3]>,
    tri_src: &mut Vec<u32>,
    positions: &[Vec3],
    report: &mut RepairReport,
) {
    let mut used = vec![false; positions.len()];
    for t in tris.iter() {
        for &i in t {
            used[i as usize] = true;
        }
    }
    let kept: Vec<Vec3> = (0..positions.len())
        .filter(|&i| used[i])
        .map(|i| positions[i])
        .collect();
    let Some((lo, hi)) = robust_box(&kept) else {
        return;
    };
    let size = (hi - lo).length();
    if size <= 0.0 {
        return;
    }
    let reach = SPIKE_SHARE_OF_ROBUST_EXTENT * size;
    // How far outside the box each vertex lies, where that is beyond reach.
    let outside = |p: Vec3| {
        let p = p.as_dvec3();
        let gap = (lo - p).max(p - hi).max(DVec3::ZERO).length();
        (gap > reach).then_some(gap)
    };
    let tip: Vec<Option<f64>> = (0..positions.len())
        .map(|i| if used[i] { outside(positions[i]) } else { None })
        .collect();
    // Triangles joining a tip to the surface. Those with every corner far out are not joined
    // to the head once these go: the components step drops them as strays.
    let keep: Vec<bool> = tris
        .iter()
        .map(|t| {
            let far = t.iter().filter(|&&i| tip[i as usize].is_some()).count();
            far == 0 || far == 3
        })
        .collect();
    let mut counted = vec![false; positions.len()];
    for (t, _) in tris.iter().zip(&keep).filter(|(_, k)| !**k) {
        report.spike_triangles_removed += 1;
        for &i in t {
            if let (Some(gap), false) = (tip[i as usize], counted[i as usize]) {
                counted[i as usize] = true;
                report.spike_vertices += 1;
                report.spike_farthest_head_sizes = report.spike_farthest_head_sizes.max(gap / size);
            }
        }
    }
    if report.spike_triangles_removed == 0 {
        return;
    }
    retain_marked(tris, &keep);
    retain_marked(tri_src, &keep);
}

/// Welds vertices at the same position: the welded vertex of each raw position that corners
/// use (`u32::MAX` for others), the welded positions, and the raw position each welded one
/// was first taken from. The quantum is relative to the median edge length, so that units do
/// not matter and a stray vertex a kilometre away (which makes the bounding box a kilometre
/// wide) cannot weld the head's vertices together.
fn weld(raw: &RawMesh, report: &mut RepairReport) -> (Vec<u32>, Vec<Vec3>, Vec<u32>) {
    let quantum = (median_edge(raw) * WELD_SHARE_OF_MEDIAN_EDGE).max(f64::MIN_POSITIVE);
    let mut weld: Vec<u32> = vec![u32::MAX; raw.positions.len()];
    let mut cells: HashMap<[i64; 3], u32> = HashMap::with_capacity(raw.positions.len());
    let mut positions: Vec<Vec3> = Vec::with_capacity(raw.positions.len());
    let mut src: Vec<u32> = Vec::with_capacity(raw.positions.len());
    for c in raw.corners.iter() {
        let v = c[0] as usize;
        if weld[v] != u32::MAX {
            continue;
        }
        let p = raw.positions[v];
        let key = [p.x, p.y, p.z].map(|x| weld_key(x, quantum));
        let id = *cells.entry(key).or_insert_with(|| {
            positions.push(p);
            src.push(v as u32);
            (positions.len() - 1) as u32
        });
        weld[v] = id;
    }
    drop(cells);
    let used = weld.iter().filter(|&&w| w != u32::MAX).count();
    report.welded_vertices = used - positions.len();
    (weld, positions, src)
}

/// A coordinate's weld cell. Beyond 2⁶² quanta from the origin (a stray far out) the cell
/// would saturate i64 and join unrelated points: there the coordinate's own bits are the key,
/// below every rounded cell, as only equal coordinates are that close in f32 there.
fn weld_key(x: f32, quantum: f64) -> i64 {
    let q = (x as f64 / quantum).round();
    if q.abs() < (1u64 << 62) as f64 {
        q as i64
    } else {
        i64::MIN + i64::from(x.to_bits())
    }
}

/// The median length of the triangles' edges of nonzero length, in f64 (the size of f32
/// coordinates near their limit overflows f32); 0 when there is none.
fn median_edge(raw: &RawMesh) -> f64 {
    let mut lengths: Vec<f64> = raw
        .corners
        .chunks_exact(3)
        .flat_map(|c| {
            let p = [0, 1, 2].map(|k| raw.positions[c[k][0] as usize].as_dvec3());
            [(p[0], p[1]), (p[1], p[2]), (p[2], p[0])].map(|(a, b)| a.distance(b))
        })
        .filter(|l| *l > 0.0 && l.is_finite())
        .collect();
    if lengths.is_empty() {
        return 0.0;
    }
    let mid = lengths.len() / 2;
    *lengths.select_nth_unstable_by(mid, f64::total_cmp).1
}

/// The triangles over welded vertices that have three distinct corners and nonzero area, and
/// the raw triangle each came from.
fn proper_triangles(
    raw: &RawMesh,
    weld: &[u32],
    positions: &[Vec3],
    report: &mut RepairReport,
) -> (Vec<[u32; 3]>, Vec<u32>) {
    let mut tris: Vec<[u32; 3]> = Vec::with_capacity(raw.triangle_count());
    let mut tri_src: Vec<u32> = Vec::with_capacity(raw.triangle_count());
    for (t, c) in raw.corners.chunks_exact(3).enumerate() {
        let ids = [
            weld[c[0][0] as usize],
            weld[c[1][0] as usize],
            weld[c[2][0] as usize],
        ];
        if ids[0] == ids[1] || ids[1] == ids[2] || ids[0] == ids[2] {
            report.degenerate_triangles += 1;
            continue;
        }
        let [a, b, c] = ids.map(|i| positions[i as usize].as_dvec3());
        if (b - a).cross(c - a).length() == 0.0 {
            report.degenerate_triangles += 1;
            continue;
        }
        tris.push(ids);
        tri_src.push(t as u32);
    }
    (tris, tri_src)
}

/// Drops triangles over the same three vertices as an earlier one (in any order).
fn drop_repeated(tris: &mut Vec<[u32; 3]>, tri_src: &mut Vec<u32>, report: &mut RepairReport) {
    let mut keys: Vec<([u32; 3], u32)> = tris
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut k = *t;
            k.sort_unstable();
            (k, i as u32)
        })
        .collect();
    keys.sort_unstable();
    let mut keep = vec![true; tris.len()];
    for w in keys.windows(2) {
        if w[0].0 == w[1].0 {
            keep[w[1].1 as usize] = false;
            report.duplicate_triangles += 1;
        }
    }
    if report.duplicate_triangles > 0 {
        retain_marked(tris, &keep);
        retain_marked(tri_src, &keep);
    }
}

/// Keeps the items whose `keep` mark (by their index before) is set.
fn retain_marked<T>(items: &mut Vec<T>, keep: &[bool]) {
    let mut i = 0;
    items.retain(|_| {
        i += 1;
        keep[i - 1]
    });
}

/// Connected parts of a mesh: each triangle's, and each part's area and bounding box.
struct Components {
    of_tri: Vec<u32>,
    area: Vec<f64>,
    triangles: Vec<usize>,
    lo: Vec<Vec3>,
    hi: Vec<Vec3>,
}

/// The connected parts, through shared vertices, numbered in order of their first triangle.
fn components(positions: &[Vec3], tris: &[[u32; 3]]) -> Components {
    let mut uf = UnionFind::new(positions.len());
    for t in tris {
        uf.union(t[0], t[1]);
        uf.union(t[1], t[2]);
    }
    let area = |t: &[u32; 3]| -> f64 {
        let [a, b, c] = t.map(|i| positions[i as usize].as_dvec3());
        0.5 * (b - a).cross(c - a).length()
    };
    let mut comp_of_root: HashMap<u32, usize> = HashMap::new();
    let mut comps = Components {
        of_tri: Vec::with_capacity(tris.len()),
        area: Vec::new(),
        triangles: Vec::new(),
        lo: Vec::new(),
        hi: Vec::new(),
    };
    for t in tris {
        let root = uf.find(t[0]);
        let next = comps.area.len();
        let c = *comp_of_root.entry(root).or_insert(next);
        if c == next {
            comps.area.push(0.0);
            comps.triangles.push(0);
            comps.lo.push(Vec3::splat(f32::INFINITY));
            comps.hi.push(Vec3::splat(f32::NEG_INFINITY));
        }
        comps.area[c] += area(t);
        comps.triangles[c] += 1;
        for &i in t {
            comps.lo[c] = comps.lo[c].min(positions[i as usize]);
            comps.hi[c] = comps.hi[c].max(positions[i as usize]);
        }
        comps.of_tri.push(c as u32);
    }
    comps
}

/// Which parts to keep: the largest by area among those with a fair share of the triangles,
/// and others only when they are a sizeable part near it. Counts the rest as fragments, and
/// those of them far away as strays.
fn keep_components(comps: &Components, report: &mut RepairReport) -> Vec<bool> {
    if comps.area.is_empty() {
        // No triangles survived the earlier steps: nothing to choose from (the caller refuses
        // an empty mesh with its own message).
        return Vec::new();
    }
    let most_triangles = comps.triangles.iter().copied().max().unwrap_or(0);
    let main = (0..comps.area.len())
        .filter(|&c| comps.triangles[c] as f64 >= MAIN_MIN_TRIANGLE_SHARE * most_triangles as f64)
        .max_by(|&a, &b| comps.area[a].total_cmp(&comps.area[b]))
        .unwrap_or(0);
    let (main_lo, main_hi) = (comps.lo[main].as_dvec3(), comps.hi[main].as_dvec3());
    // In f64: boxes near f32's limit overflow it.
    let size = (main_hi - main_lo).length();
    let margin = DVec3::splat(f64::from(DEBRIS_DISTANCE_SHARE) * size);
    let keep: Vec<bool> = (0..comps.area.len())
        .map(|c| c == main || (near(comps, c, main, margin) && sizeable(comps, c, main)))
        .collect();
    // Shares of the area near the head: a stray's area says nothing of the scan's surface.
    let near_area: f64 = (0..comps.area.len())
        .filter(|&c| near(comps, c, main, margin))
        .map(|c| comps.area[c])
        .sum();
    for (c, &k) in keep.iter().enumerate() {
        if k {
            report.components_kept += 1;
        } else if near(comps, c, main, margin) {
            report.fragments_removed += 1;
            report.fragment_triangles_removed += comps.triangles[c];
            report.fragment_area_share += comps.area[c] / near_area.max(f64::MIN_POSITIVE);
        } else {
            // How far the part's box lies outside the head's, in head sizes.
            let (lo, hi) = (comps.lo[c].as_dvec3(), comps.hi[c].as_dvec3());
            let gap = (main_lo - hi).max(lo - main_hi).max(DVec3::ZERO).length();
            report.strays_removed += 1;
            report.stray_triangles_removed += comps.triangles[c];
            report.stray_farthest_head_sizes = report
                .stray_farthest_head_sizes
                .max(gap / size.max(f64::MIN_POSITIVE));
        }
    }
    keep
}

/// Whether part `c`'s box reaches within `margin` of the main part's.
fn near(comps: &Components, c: usize, main: usize, margin: DVec3) -> bool {
    let (main_lo, main_hi) = (comps.lo[main].as_dvec3(), comps.hi[main].as_dvec3());
    let (lo, hi) = (comps.lo[c].as_dvec3(), comps.hi[c].as_dvec3());
    lo.cmple(main_hi + margin).all() && hi.cmpge(main_lo - margin).all()
}

/// Whether part `c` has a sizeable share of the main part's area.
fn sizeable(comps: &Components, c: usize, main: usize) -> bool {
    comps.area[c] >= DEBRIS_AREA_SHARE * comps.area[main]
}

/// Each triangle's neighbours across manifold edges, as compressed rows: (other triangle,
/// whether the two run the same way along the edge, which means one of them is wound the
/// other way round).
struct Neighbours {
    start: Vec<u32>,
    list: Vec<(u32, bool)>,
}

impl Neighbours {
    fn of(&self, t: usize) -> &[(u32, bool)] {
        &self.list[self.start[t] as usize..self.start[t + 1] as usize]
    }
}

/// The neighbours across manifold edges (used by exactly two triangles); counts boundary edges,
/// the loops they form, and non-manifold edges.
fn manifold_neighbours(
    tris: &[[u32; 3]],
    vertices: usize,
    report: &mut RepairReport,
) -> Neighbours {
    // Each directed edge (a → b) of a triangle is keyed by its undirected vertex pair; sorting
    // brings the triangles of one edge together.
    let mut edges: Vec<(u64, u32)> = Vec::with_capacity(3 * tris.len());
    for (t, tri) in tris.iter().enumerate() {
        for k in 0..3 {
            let (a, b) = (tri[k], tri[(k + 1) % 3]);
            let key = (u64::from(a.min(b)) << 32) | u64::from(a.max(b));
            // The low bit says the direction the triangle runs along the edge.
            edges.push((key, ((t as u32) << 1) | u32::from(a < b)));
        }
    }
    edges.sort_unstable();
    let mut adj_start = vec![0u32; tris.len() + 1];
    let mut pairs: Vec<(u32, u32, bool)> = Vec::new();
    let mut boundary_uf: Option<UnionFind> = None;
    let mut boundary_vertices: Vec<u32> = Vec::new();
    let mut i = 0;
    while i < edges.len() {
        let mut j = i + 1;
        while j < edges.len() && edges[j].0 == edges[i].0 {
            j += 1;
        }
        match j - i {
            1 => {
                report.boundary_edges += 1;
                let key = edges[i].0;
                let (a, b) = ((key >> 32) as u32, key as u32);
                let uf = boundary_uf.get_or_insert_with(|| UnionFind::new(vertices));
                uf.union(a, b);
                boundary_vertices.push(a);
            }
            2 => {
                let (t1, d1) = (edges[i].1 >> 1, edges[i].1 & 1);
                let (t2, d2) = (edges[i + 1].1 >> 1, edges[i + 1].1 & 1);
                pairs.push((t1, t2, d1 == d2));
                adj_start[t1 as usize] += 1;
                adj_start[t2 as usize] += 1;
            }
            _ => report.non_manifold_edges += 1,
        }
        i = j;
    }
    drop(edges);
    if let Some(uf) = boundary_uf.as_mut() {
        let mut roots: Vec<u32> = boundary_vertices.iter().map(|&v| uf.find(v)).collect();
        roots.sort_unstable();
        roots.dedup();
        report.boundary_loops = roots.len();
    }
    // Compressed adjacency lists.
    let mut acc = 0u32;
    for s in adj_start.iter_mut() {
        let n = *s;
        *s = acc;
        acc += n;
    }
    let mut fill = adj_start.clone();
    let mut adj: Vec<(u32, bool)> = vec![(0, false); acc as usize];
    for &(t1, t2, same) in &pairs {
        adj[fill[t1 as usize] as usize] = (t2, same);
        fill[t1 as usize] += 1;
        adj[fill[t2 as usize] as usize] = (t1, same);
        fill[t2 as usize] += 1;
    }
    Neighbours {
        start: adj_start,
        list: adj,
    }
}

/// Which triangles to turn over (1) so that neighbours agree and each patch so joined faces
/// away from the centre of its component; counts the edges that cannot agree.
fn orient(
    tris: &[[u32; 3]],
    positions: &[Vec3],
    comps: &Components,
    adj: &Neighbours,
    report: &mut RepairReport,
) -> Vec<u8> {
    // Component centres (area-weighted), the reference for "outward".
    let mut centre = vec![DVec3::ZERO; comps.area.len()];
    for (t, tri) in tris.iter().enumerate() {
        let [a, b, c] = tri.map(|i| positions[i as usize].as_dvec3());
        centre[comps.of_tri[t] as usize] +=
            (a + b + c) / 3.0 * (0.5 * (b - a).cross(c - a).length());
    }
    for (c, a) in centre.iter_mut().zip(&comps.area) {
        *c /= a.max(f64::MIN_POSITIVE);
    }
    const UNSEEN: u8 = 2;
    let mut flip = vec![UNSEEN; tris.len()];
    let mut queue: Vec<u32> = Vec::new();
    let mut patch: Vec<u32> = Vec::new();
    for seed in 0..tris.len() {
        if flip[seed] != UNSEEN {
            continue;
        }
        flip[seed] = 0;
        queue.clear();
        patch.clear();
        queue.push(seed as u32);
        while let Some(t) = queue.pop() {
            patch.push(t);
            let ft = flip[t as usize];
            for &(n, same) in adj.of(t as usize) {
                let want = ft ^ u8::from(same);
                match flip[n as usize] {
                    UNSEEN => {
                        flip[n as usize] = want;
                        queue.push(n);
                    }
                    f if f != want => report.orientation_conflicts += 1,
                    _ => {}
                }
            }
        }
        // Outward: the patch's signed volume seen from its component's centre is positive.
        let o = centre[comps.of_tri[seed] as usize];
        let mut volume = 0.0f64;
        for &t in &patch {
            let [a, b, c] = tris[t as usize].map(|i| positions[i as usize].as_dvec3() - o);
            let v = a.dot(b.cross(c));
            volume += if flip[t as usize] == 1 { -v } else { v };
        }
        if volume < 0.0 {
            for &t in &patch {
                flip[t as usize] ^= 1;
            }
        }
    }
    // Each conflict was seen from both of its triangles.
    report.orientation_conflicts /= 2;
    flip
}

/// Turns the flipped triangles over, carries each triangle's texture corners and material
/// from `raw`, and keeps only the vertices kept triangles use, in order of first use.
fn finish(
    raw: &RawMesh,
    positions: Vec<Vec3>,
    welded_src: &[u32],
    mut tris: Vec<[u32; 3]>,
    tri_src: &[u32],
    flip: &[u8],
    mut report: RepairReport,
) -> Repaired {
    let mut uv_corners: Vec<[u32; 3]> = Vec::with_capacity(tris.len());
    let mut material: Vec<u32> = Vec::with_capacity(tris.len());
    for (t, tri) in tris.iter_mut().enumerate() {
        let src = tri_src[t] as usize;
        let mut uv = [0, 1, 2].map(|k| raw.corners[3 * src + k][1]);
        if flip[t] == 1 {
            tri.swap(1, 2);
            uv.swap(1, 2);
            report.flipped_triangles += 1;
        }
        uv_corners.push(uv);
        material.push(raw.tri_material.get(src).copied().unwrap_or(u32::MAX));
    }
    let mut remap = vec![u32::MAX; positions.len()];
    let mut compact = Vec::new();
    let mut colours = Vec::new();
    let has_colours = raw.colours.len() == raw.positions.len() && !raw.colours.is_empty();
    for tri in &mut tris {
        for i in tri.iter_mut() {
            if remap[*i as usize] == u32::MAX {
                remap[*i as usize] = compact.len() as u32;
                compact.push(positions[*i as usize]);
                if has_colours {
                    colours.push(raw.colours[welded_src[*i as usize] as usize]);
                }
            }
            *i = remap[*i as usize];
        }
    }
    Repaired {
        positions: compact,
        triangles: tris,
        uv_corners,
        material,
        colours,
        report,
    }
}

/// What a scan in none of mm, cm or m is scaled by before alignment, and why.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Rescale {
    /// The scan's size across, in its own units (see [`robust_extent`]).
    pub extent: f64,
    /// What its coordinates were multiplied by.
    pub factor: f64,
}

/// A scan in unknown units is scaled to measure this across (mm): a head with some neck.
pub const RESCALED_EXTENT_MM: f64 = 300.0;
/// The sizes across, in file units, that one of mm, cm or m makes a head of 50 mm to 2 m;
/// outside these no unit fits, and the scan is scaled to a head's size.
pub const UNIT_GUESS_EXTENT: (f64, f64) = (0.05, 2000.0);

impl Rescale {
    /// How the scale was found, for the alignment's report.
    pub fn note(&self) -> String {
        format!(
            "none of mm, cm or m: the scan measures {} units across and was scaled ×{} to \
             {RESCALED_EXTENT_MM} mm",
            significant(self.extent),
            significant(self.factor)
        )
    }

    pub fn warning(&self) -> String {
        format!(
            "the scan measures {} units across, a head in none of mm, cm or m: it was scaled \
             ×{} to a head's size; give the units if that is wrong",
            significant(self.extent),
            significant(self.factor)
        )
    }
}

/// The size of a mesh across, robust to a few stray vertices: the diagonal of the box that
/// holds the middle 98% of the vertices on each axis (the whole box when that is flat), in
/// f64 (a box near f32's limit overflows f32).
pub fn robust_extent(positions: &[Vec3]) -> f64 {
    match robust_box(positions) {
        Some((lo, hi)) if (hi - lo).length() > 0.0 => (hi - lo).length(),
        Some(_) => {
            let (lo, hi) = positions
                .iter()
                .fold((DVec3::INFINITY, DVec3::NEG_INFINITY), |(l, h), p| {
                    (l.min(p.as_dvec3()), h.max(p.as_dvec3()))
                });
            (hi - lo).length()
        }
        None => 0.0,
    }
}

/// The box that holds the middle 98% of the vertices on each axis, in f64; `None` for no
/// vertices.
pub fn robust_box(positions: &[Vec3]) -> Option<(DVec3, DVec3)> {
    if positions.is_empty() {
        return None;
    }
    let n = positions.len();
    let (lo_k, hi_k) = (n / 100, n - 1 - n / 100);
    let (mut lo, mut hi) = (DVec3::ZERO, DVec3::ZERO);
    let mut axis: Vec<f64> = Vec::with_capacity(n);
    for a in 0..3 {
        axis.clear();
        axis.extend(positions.iter().map(|p| f64::from(p[a])));
        lo[a] = *axis.select_nth_unstable_by(lo_k, f64::total_cmp).1;
        hi[a] = *axis.select_nth_unstable_by(hi_k, f64::total_cmp).1;
    }
    Some((lo, hi))
}

/// Whether and how much to scale a repaired scan before alignment, from its size across
/// (`extent`, file units) and the units when given: `None` when a unit of mm, cm or m makes
/// it a head (or the units are given and do); a factor to a head's size when none does; an
/// error, naming the size found and the range allowed, when it is beyond what f32 can carry
/// ([`crate::limits::SCAN_SIZE_UNITS`]) or the given units make it no head
/// ([`crate::limits::HEAD_SIZE_MM`]).
pub fn rescale_for(extent: f64, units: Option<Units>) -> Result<Option<Rescale>, String> {
    let (lo, hi) = crate::limits::SCAN_SIZE_UNITS;
    if !(lo..=hi).contains(&extent) {
        return Err(format!(
            "the scan measures {} units across (the middle 98% of its vertices); scalp reads \
             scans from {lo:e} to {hi:e} units across",
            significant(extent)
        ));
    }
    if let Some(u) = units {
        let mm = extent * f64::from(u.mm_per_unit());
        let (lo, hi) = crate::limits::HEAD_SIZE_MM;
        if !(lo..=hi).contains(&mm) {
            return Err(format!(
                "in the given units ({}) the head measures {} mm across, and a head measures \
                 {lo}–{hi} mm: are the units right? (leave them out to have them found)",
                u.name(),
                significant(mm)
            ));
        }
        return Ok(None);
    }
    let (lo, hi) = UNIT_GUESS_EXTENT;
    Ok((!(lo..=hi).contains(&extent)).then(|| Rescale {
        extent,
        factor: RESCALED_EXTENT_MM / extent,
    }))
}

/// Disjoint sets with path halving and union by size.
struct UnionFind {
    parent: Vec<u32>,
    size: Vec<u32>,
}

impl UnionFind {
    fn new(n: usize) -> Self {
        UnionFind {
            parent: (0..n as u32).collect(),
            size: vec![1; n],
        }
    }

    fn find(&mut self, mut x: u32) -> u32 {
        while self.parent[x as usize] != x {
            let p = self.parent[x as usize];
            self.parent[x as usize] = self.parent[p as usize];
            x = p;
        }
        x
    }

    fn union(&mut self, a: u32, b: u32) {
        let (mut a, mut b) = (self.find(a), self.find(b));
        if a == b {
            return;
        }
        if self.size[a as usize] < self.size[b as usize] {
            std::mem::swap(&mut a, &mut b);
        }
        self.parent[b as usize] = a;
        self.size[a as usize] += self.size[b as usize];
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::head::obj::read_obj_raw_str;
    use std::path::Path;

    fn raw(text: &str) -> RawMesh {
        read_obj_raw_str(text, Path::new("t.obj"), usize::MAX).unwrap()
    }

    /// An octahedron around the origin as separate triangles (every vertex written once per
    /// triangle, as STL converters do), some wound inward.
    fn soup_octahedron(offset: Vec3, scale: f32, flip_some: bool) -> String {
        let v = [
            Vec3::X,
            Vec3::NEG_X,
            Vec3::Y,
            Vec3::NEG_Y,
            Vec3::Z,
            Vec3::NEG_Z,
        ];
        let faces = [
            [0, 2, 4],
            [2, 1, 4],
            [1, 3, 4],
            [3, 0, 4],
            [2, 0, 5],
            [1, 2, 5],
            [3, 1, 5],
            [0, 3, 5],
        ];
        let mut s = String::new();
        for (k, f) in faces.iter().enumerate() {
            let mut f = *f;
            if flip_some && k % 3 == 0 {
                f.swap(1, 2);
            }
            for i in f {
                let p = v[i] * scale + offset;
                s += &format!("v {} {} {}\n", p.x, p.y, p.z);
            }
            s += "f -3 -2 -1\n";
        }
        s
    }

    fn outward(r: &Repaired) -> bool {
        let c = r.positions.iter().copied().sum::<Vec3>() / r.positions.len() as f32;
        r.triangles.iter().all(|t| {
            let [a, b, cc] = t.map(|i| r.positions[i as usize]);
            (b - a).cross(cc - a).dot((a + b + cc) / 3.0 - c) > 0.0
        })
    }

    #[test]
    fn soup_is_welded_oriented_and_closed() {
        let r = repair(&raw(&soup_octahedron(Vec3::ZERO, 100.0, true)));
        assert_eq!(r.positions.len(), 6);
        assert_eq!(r.triangles.len(), 8);
        assert_eq!(r.report.welded_vertices, 24 - 6);
        assert_eq!(r.report.flipped_triangles, 3);
        assert_eq!(r.report.boundary_edges, 0);
        assert_eq!(r.report.non_manifold_edges, 0);
        assert!(outward(&r));
    }

    #[test]
    fn all_inward_is_turned_outward() {
        let text = soup_octahedron(Vec3::ZERO, 1.0, false)
            .lines()
            .map(|l| {
                if l.starts_with('f') {
                    "f -1 -2 -3".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect::<Vec<_>>()
            .join("\n");
        let r = repair(&raw(&text));
        assert_eq!(r.report.flipped_triangles, 8);
        assert!(outward(&r));
    }

    #[test]
    fn debris_is_dropped_and_a_near_sizeable_part_is_kept() {
        let mut text = soup_octahedron(Vec3::ZERO, 100.0, false);
        // Far, small: debris. Near, tiny: debris. Near, sizeable (an ear cut loose): kept.
        text += &soup_octahedron(Vec3::new(900.0, 0.0, 0.0), 3.0, false);
        text += &soup_octahedron(Vec3::new(0.0, 120.0, 0.0), 1.0, false);
        text += &soup_octahedron(Vec3::new(0.0, 0.0, 130.0), 40.0, false);
        let r = repair(&raw(&text));
        assert_eq!(r.report.components_kept, 2);
        // The far one is a stray, the near tiny one a fragment.
        assert_eq!(r.report.fragments_removed, 1);
        assert_eq!(r.report.fragment_triangles_removed, 8);
        assert_eq!(r.report.strays_removed, 1);
        assert_eq!(r.report.stray_triangles_removed, 8);
        assert_eq!(r.triangles.len(), 16);
        let d = r.report.describe();
        assert!(
            d.contains("1 loose fragments") && d.contains("1 stray parts"),
            "{d}"
        );
    }

    #[test]
    fn degenerate_repeated_holes_and_fins_are_counted() {
        let mut text = soup_octahedron(Vec3::ZERO, 10.0, false);
        // Repeat a face (reversed), a face with a repeated vertex, a zero-area sliver, and a fin
        // on an existing edge (non-manifold).
        text += "f 1 3 2\nf 1 1 2\nv 0 0 0\nv 20 0 0\nv 40 0 0\nf -3 -2 -1\n";
        text += "v 0 30 30\nf 1 2 -1\n";
        let r = repair(&raw(&text));
        assert_eq!(r.report.duplicate_triangles, 1);
        assert_eq!(r.report.degenerate_triangles, 2);
        assert_eq!(r.report.non_manifold_edges, 1);
        assert_eq!(r.triangles.len(), 9);
        // The fin's two free edges are one open boundary.
        assert_eq!(r.report.boundary_edges, 2);
        assert_eq!(r.report.boundary_loops, 1);
    }

    #[test]
    fn a_hole_is_a_boundary_loop() {
        let text: String = soup_octahedron(Vec3::ZERO, 10.0, false)
            .lines()
            .take(4 * 7)
            .map(|l| format!("{l}\n"))
            .collect();
        let r = repair(&raw(&text));
        assert_eq!(r.triangles.len(), 7);
        assert_eq!(r.report.boundary_edges, 3);
        assert_eq!(r.report.boundary_loops, 1);
        assert!(outward(&r));
    }

    /// A stray part far away (up to 10⁷ mm, within f32's whole numbers) no longer sets
    /// the weld quantum: the head's vertices stay apart and the stray is counted as such.
    #[test]
    fn a_far_stray_neither_welds_the_head_nor_counts_for_its_size() {
        for far in [1e5f32, 1e6, 1e7] {
            let mut text = soup_octahedron(Vec3::ZERO, 100.0, false);
            // Two vertices 0.5 apart that must stay apart.
            text += "v 0 0 0.5\nv 0 1 0.5\nv 1 0 0.5\nf -3 -2 -1\n";
            text += &soup_octahedron(Vec3::new(far, 0.0, 0.0), 1.0, false);
            let r = repair(&raw(&text));
            assert_eq!(r.report.strays_removed, 1, "{far}");
            assert_eq!(r.report.stray_triangles_removed, 8, "{far}");
            assert!(r.report.stray_farthest_head_sizes > 0.5 * far as f64 / 400.0);
            // The octahedron's 6 vertices (24 written) and the small triangle's 3.
            assert_eq!(r.report.welded_vertices, 18 + 18, "{far}");
            let w = r.report.warnings().join(" ");
            assert!(w.contains("dropped 8 stray triangles (1 part)"), "{w}");
        }
    }

    /// An OBJ of a flat n × n grid of squares `step` mm a side, two triangles each.
    fn grid_obj(n: u32, step: f32) -> String {
        let mut text = String::new();
        for y in 0..=n {
            for x in 0..=n {
                text += &format!("v {} {} 0\n", step * x as f32, step * y as f32);
            }
        }
        for y in 0..n {
            for x in 0..n {
                let v = 1 + x + (n + 1) * y;
                let (r, d) = (v + 1, v + n + 1);
                text += &format!("f {v} {r} {}\nf {v} {} {d}\n", d + 1, d + 1);
            }
        }
        text
    }

    /// One huge triangle (a stray spanning a kilometre) outweighs the head in area but not in
    /// triangle count: the head stays the main part.
    #[test]
    fn a_huge_lone_triangle_is_not_the_head() {
        // A 20 × 20 grid of 800 triangles, 100 mm across (its 441 vertices are enough that the
        // stray's three lie outside the middle 98%, as in any scan).
        let mut text = grid_obj(20, 5.0);
        text += "v 5000 0 0\nv 1e6 0 0\nv 5000 1e6 0\nf -3 -2 -1\n";
        let r = repair(&raw(&text));
        assert_eq!(r.triangles.len(), 800);
        assert_eq!(r.report.stray_triangles_removed, 1);
    }

    /// A spike: a vertex pulled far out of the surface and still joined to it by two
    /// triangles. It is not a part of its own, so only the spike step can drop it; nearby
    /// relief (a nose half a head size out would not be one) stays.
    #[test]
    fn a_spike_joined_to_the_head_is_dropped_and_near_relief_kept() {
        // A 20 × 20 grid, 200 mm across, with an extra vertex joined to the corner at vertex 1
        // and its neighbour 2.
        let grid = |extra: &str| grid_obj(20, 10.0) + extra;
        for far in ["1e6", "1e3", "-500"] {
            let r = repair(&raw(&grid(&format!(
                "v 100 100 {far}\nf 1 2 -1\nf 2 3 -1\n"
            ))));
            assert_eq!(r.triangles.len(), 800, "{far}");
            assert_eq!(r.positions.len(), 441, "{far}");
            assert_eq!(r.report.spike_vertices, 1, "{far}");
            assert_eq!(r.report.spike_triangles_removed, 2, "{far}");
            let w = r.report.warnings().join(" ");
            assert!(w.contains("dropped 2 triangles joined to the head"), "{w}");
        }
        // 60 mm out of a 283 mm box: relief, kept.
        let r = repair(&raw(&grid("v 100 100 60\nf 1 2 -1\nf 2 3 -1\n")));
        assert_eq!(r.triangles.len(), 802);
        assert_eq!(r.report.spike_vertices, 0);
        assert!(r.report.warnings().is_empty());
    }

    #[test]
    fn weld_keys_far_out_do_not_saturate_into_one() {
        let q = 1e-4;
        assert_ne!(weld_key(1e30, q), weld_key(2e30, q));
        assert_eq!(weld_key(1e30, q), weld_key(1e30, q));
        assert_ne!(weld_key(-1e30, q), weld_key(1e30, q));
        assert_eq!(weld_key(1.0, 1e-4), 10_000);
    }

    #[test]
    fn sizes_in_no_unit_are_rescaled_and_beyond_f32_refused() {
        assert_eq!(rescale_for(250.0, None), Ok(None));
        assert_eq!(rescale_for(0.25, None), Ok(None));
        let r = rescale_for(2.5e-7, None).unwrap().unwrap();
        assert!((r.factor * 2.5e-7 - RESCALED_EXTENT_MM).abs() < 1e-9);
        assert!(
            r.warning().contains("2.50e-7 units across"),
            "{}",
            r.warning()
        );
        let r = rescale_for(2.5e32, None).unwrap().unwrap();
        assert!(r.warning().contains("2.50e32"), "{}", r.warning());
        let e = rescale_for(1e-33, None).unwrap_err();
        assert!(e.contains("1.00e-33") && e.contains("1e-30 to 1e36"), "{e}");
        let e = rescale_for(f64::INFINITY, None).unwrap_err();
        assert!(e.contains("inf"), "{e}");
        let e = rescale_for(2.5e-7, Some(Units::M)).unwrap_err();
        assert!(e.contains("2.50e-4 mm") && e.contains("20–5000 mm"), "{e}");
        assert_eq!(rescale_for(25.0, Some(Units::Cm)), Ok(None));
    }

    #[test]
    fn robust_extent_ignores_one_vertex_in_a_hundred() {
        let mut pts: Vec<Vec3> = (0..1000)
            .map(|i| Vec3::new((i % 10) as f32, (i / 10 % 10) as f32, (i / 100) as f32))
            .collect();
        let plain = robust_extent(&pts);
        pts[0] = Vec3::splat(1e9);
        assert_eq!(robust_extent(&pts), plain);
        assert_eq!(significant(0.00123), "0.00123");
        assert_eq!(significant(0.000123), "1.23e-4");
        assert_eq!(significant(123.456), "123");
        assert_eq!(significant(2.5e-7), "2.50e-7");
    }
}
