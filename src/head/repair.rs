//! Making a raw scan usable: scanners and photogrammetry apps write meshes with duplicate
//! vertices (one copy per triangle or per texture chunk), zero-area and repeated triangles,
//! inconsistent winding, non-manifold edges, holes, and floating debris around the head.
//! Nothing here fails on such input; what was changed is counted in [`RepairReport`].
//!
//! Steps, each linear or n·log n in the triangle count (a few million triangles take a second
//! or two on one core):
//!
//! 1. Weld vertices at the same position (to 10⁻⁶ of the mesh's size), so that triangles
//!    written separately become connected.
//! 2. Drop degenerate triangles (two corners on one vertex, or zero area) and repeated ones
//!    (the same three vertices, in any order).
//! 3. Connected components (through shared vertices): keep the largest by area, and others
//!    only when they are a sizeable part near it; drop the rest as debris.
//! 4. Orientation: triangles across each manifold edge (used by exactly two triangles) are
//!    made to agree; each patch so joined is then turned to face away from the centre of
//!    its component (a head is star-shaped enough from its centre). Non-manifold edges (three
//!    or more triangles) and boundary edges (holes, the neck opening) are counted, not mended:
//!    the renderer draws both faces and dots only need triangles.
use super::raw::RawMesh;
use glam::{DVec3, Vec3};
use std::collections::HashMap;

/// A component smaller than this share of the largest one's area is debris.
pub const DEBRIS_AREA_SHARE: f64 = 0.05;
/// A sizeable component further than this share of the largest one's size from its bounding
/// box is debris too (a piece of the room, the chair, another person's arm).
pub const DEBRIS_DISTANCE_SHARE: f32 = 0.2;

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
    /// Connected parts kept, and parts dropped as debris with their triangles and their
    /// share of the total area.
    pub components_kept: usize,
    pub fragments_removed: usize,
    pub fragment_triangles_removed: usize,
    pub fragment_area_share: f64,
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
        if self.fragments_removed > 0 {
            parts.push(format!(
                "dropped {} loose fragments ({} triangles, {:.1}% of the area)",
                self.fragments_removed,
                self.fragment_triangles_removed,
                100.0 * self.fragment_area_share
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
    // 3. Components through shared vertices; debris dropped.
    let mut comps = components(&positions, &tris);
    let keep_comp = keep_components(&comps, &mut report);
    if report.fragments_removed > 0 {
        let before = tris.len();
        let keep: Vec<bool> = comps
            .of_tri
            .iter()
            .map(|&c| keep_comp[c as usize])
            .collect();
        retain_marked(&mut tris, &keep);
        retain_marked(&mut tri_src, &keep);
        retain_marked(&mut comps.of_tri, &keep);
        report.fragment_triangles_removed = before - tris.len();
    }
    // 4. Orientation over manifold edges.
    let adj = manifold_neighbours(&tris, positions.len(), &mut report);
    let flip = orient(&tris, &positions, &comps, &adj, &mut report);
    finish(raw, positions, &welded_src, tris, &tri_src, &flip, report)
}

/// Welds vertices at the same position: the welded vertex of each raw position that corners
/// use (`u32::MAX` for others), the welded positions, and the raw position each welded one
/// was first taken from. The quantum is relative to the size
/// of what the faces use, so that units do not matter; positions equal to ~10⁻⁶ of the size
/// are the same point.
fn weld(raw: &RawMesh, report: &mut RepairReport) -> (Vec<u32>, Vec<Vec3>, Vec<u32>) {
    let (lo, hi) = used_bounds(raw);
    // In f64: the size of f32 coordinates near their limit overflows f32.
    let quantum = ((hi.as_dvec3() - lo.as_dvec3()).length() * 1e-6).max(f64::MIN_POSITIVE);
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
        let key = [p.x, p.y, p.z].map(|x| (x as f64 / quantum).round() as i64);
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
        lo: Vec::new(),
        hi: Vec::new(),
    };
    for t in tris {
        let root = uf.find(t[0]);
        let next = comps.area.len();
        let c = *comp_of_root.entry(root).or_insert(next);
        if c == next {
            comps.area.push(0.0);
            comps.lo.push(Vec3::splat(f32::INFINITY));
            comps.hi.push(Vec3::splat(f32::NEG_INFINITY));
        }
        comps.area[c] += area(t);
        for &i in t {
            comps.lo[c] = comps.lo[c].min(positions[i as usize]);
            comps.hi[c] = comps.hi[c].max(positions[i as usize]);
        }
        comps.of_tri.push(c as u32);
    }
    comps
}

/// Which parts to keep: the largest by area, and others only when they are a sizeable part
/// near it. Counts the rest as fragments.
fn keep_components(comps: &Components, report: &mut RepairReport) -> Vec<bool> {
    let total_area: f64 = comps.area.iter().sum();
    let main = (0..comps.area.len())
        .max_by(|&a, &b| comps.area[a].total_cmp(&comps.area[b]))
        .unwrap_or(0);
    let keep_comp: Vec<bool> = (0..comps.area.len())
        .map(|c| {
            if c == main {
                return true;
            }
            let size = (comps.hi[main] - comps.lo[main]).length();
            let margin = Vec3::splat(DEBRIS_DISTANCE_SHARE * size);
            let near = comps.lo[c].cmple(comps.hi[main] + margin).all()
                && comps.hi[c].cmpge(comps.lo[main] - margin).all();
            near && comps.area[c] >= DEBRIS_AREA_SHARE * comps.area[main]
        })
        .collect();
    for (c, &k) in keep_comp.iter().enumerate() {
        if k {
            report.components_kept += 1;
        } else {
            report.fragments_removed += 1;
            report.fragment_area_share += comps.area[c] / total_area.max(f64::MIN_POSITIVE);
        }
    }
    keep_comp
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

/// Bounds of the positions faces use.
fn used_bounds(raw: &RawMesh) -> (Vec3, Vec3) {
    let mut lo = Vec3::splat(f32::INFINITY);
    let mut hi = Vec3::splat(f32::NEG_INFINITY);
    for c in &raw.corners {
        let p = raw.positions[c[0] as usize];
        lo = lo.min(p);
        hi = hi.max(p);
    }
    if lo.x > hi.x {
        (Vec3::ZERO, Vec3::ZERO)
    } else {
        (lo, hi)
    }
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
        assert_eq!(r.report.fragments_removed, 2);
        assert_eq!(r.report.fragment_triangles_removed, 16);
        assert_eq!(r.triangles.len(), 16);
        assert!(r.report.describe().contains("2 loose fragments"));
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
}
