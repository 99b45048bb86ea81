//! Decimation of big scans: quadric-error (Garland–Heckbert 1997) *half-edge* collapses under a
//! hard bound on the real distance to the original surface.
//!
//! - **Half-edge collapse**: a vertex collapses onto one of its neighbours, so every vertex that
//!   survives is an original vertex, unmoved. Any per-vertex attribute (normal, texture uv,
//!   vertex colour) carries over exactly: [`Decimated::kept`] says which original vertices
//!   survive, [`Decimated::apply`] picks their values out of any per-vertex slice.
//! - **Order**: the cheapest collapse first by the summed plane quadrics of both ends, evaluated
//!   at the surviving end. The quadric only orders the work; it is not a distance.
//! - **Bound**: every removed original vertex is kept on a list of the decimated triangle
//!   nearest to it. A collapse is done only if every vertex on the lists of the triangles it
//!   changes (and the collapsing vertex itself) stays within [`DecimateOptions::max_deviation_mm`]
//!   of the new triangles around the surviving vertex: the true point-to-triangle distance. So
//!   every original vertex lies within the bound of the decimated surface, always. The other
//!   way, every changed triangle must lie within the bound of the original surface at the
//!   points [`max_deviation`] samples (a barycentric grid of 4 steps a side), measured against
//!   the original triangles around its corners and the vertices filed under the collapse's
//!   triangles; a nearer original triangle outside that patch only makes a collapse refused.
//! - **Kept as they are**: vertices on open boundaries (a scan's rim, UV seams where a textured
//!   mesh is split) and on non-manifold or inconsistently wound edges never move or go, so
//!   boundaries neither tear nor shift. A collapse is refused when it would make the mesh
//!   non-manifold (the link condition), duplicate a triangle, or turn any triangle by more than
//!   [`MAX_NORMAL_TURN_COS`] (so none flips).
use super::Mesh;
use glam::{DVec3, Vec3};
use std::cmp::Ordering;

/// Scans with more triangles than this are decimated when loaded. 500 k is about five times the
/// built-in head (103 k), whose density every CPU stage and GPU pass is sized for; its mean
/// edge on a head (~0.8 mm) is already finer than the spacing of the SMP dots it carries. Above
/// it, loading, the layout, the GPU upload and the viewer all grow with the triangle count for
/// no visible gain: the shape stays within [`MAX_DEVIATION_MM`].
pub const DECIMATE_ABOVE_TRIANGLES: usize = 500_000;

/// The largest distance, mm, from any original vertex to the decimated surface: 0.05 mm is a
/// third of an SMP dot's diameter (0.16 mm) and about what a good structured-light head scan is
/// accurate to, so it is below anything the renders or the layout can show.
pub const MAX_DEVIATION_MM: f32 = 0.05;

/// A collapse may turn a triangle's normal by at most acos(0.5) = 60°: far from a flip, loose
/// enough not to block the collapses the distance bound allows on curved skin.
pub const MAX_NORMAL_TURN_COS: f32 = 0.5;

/// A decimated triangle faces within acos(0.9) = 26° of the original surface's normal at its
/// corners and at every original vertex filed under it. Over a smooth head, triangles that keep
/// within [`MAX_DEVIATION_MM`] turn by a few degrees at most; a triangle that turns more spans a
/// crease or a fold (the ear's rim, a nostril), where lying near every original vertex does
/// not keep it near the original surface in between.
pub const FILED_NORMAL_COS: f32 = 0.9;

/// A collapse is refused when the original vertices filed under the triangles it changes
/// number this many or more: each must be checked against the new triangles, so this bounds
/// the cost of a collapse (and the reduction, to roughly this factor on smooth skin).
pub const MAX_REGION_POINTS: usize = 48;

/// Steps a side of the barycentric grid of points at which a changed triangle is checked to
/// lie within the bound of the original surface (as [`max_deviation`] samples it).
const REVERSE_STEPS: u32 = 4;

/// How far to decimate.
#[derive(Clone, Debug, PartialEq)]
pub struct DecimateOptions {
    /// Largest distance, mm, from an original vertex to the decimated surface.
    pub max_deviation_mm: f32,
    /// Stop once the mesh has this many triangles or fewer (0: as far as the bound allows).
    pub target_triangles: usize,
}

impl Default for DecimateOptions {
    fn default() -> Self {
        DecimateOptions {
            max_deviation_mm: MAX_DEVIATION_MM,
            target_triangles: 0,
        }
    }
}

/// What decimating did.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct DecimateReport {
    pub triangles_before: usize,
    pub triangles_after: usize,
    pub vertices_before: usize,
    pub vertices_after: usize,
    /// The largest distance, mm, from a removed original vertex to the decimated triangle it is
    /// filed under (point to triangle, the number the bound holds; its distance to the whole
    /// surface is at most this).
    pub max_deviation_mm: f32,
    /// Vertices never moved or removed: boundaries, seams, non-manifold edges.
    pub locked_vertices: usize,
    pub seconds: f64,
}

/// A decimated mesh as a selection of the original's vertices and new triangles over them.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Decimated {
    /// Original vertex ids of the vertices kept, ascending.
    pub kept: Vec<u32>,
    /// Three indices per triangle, into `kept`.
    pub indices: Vec<u32>,
    pub report: DecimateReport,
}

impl Decimated {
    /// The values of a per-vertex attribute (normals, uvs, colours) at the kept vertices.
    /// An attribute shorter than the mesh (missing) gives an empty result.
    pub fn apply<T: Clone>(&self, per_vertex: &[T]) -> Vec<T> {
        if self.kept.iter().any(|&k| k as usize >= per_vertex.len()) {
            return Vec::new();
        }
        self.kept
            .iter()
            .map(|&k| per_vertex[k as usize].clone())
            .collect()
    }

    /// The decimated mesh: kept positions and normals (the original vertex normals, exactly),
    /// new triangles. Normals are recomputed only when the mesh had none that fit.
    pub fn apply_to_mesh(&self, mesh: &Mesh) -> Mesh {
        let mut out = Mesh {
            positions: self.apply(&mesh.positions),
            normals: if mesh.normals.len() == mesh.positions.len() {
                self.apply(&mesh.normals)
            } else {
                Vec::new()
            },
            indices: self.indices.clone(),
        };
        if out.normals.len() != out.positions.len() {
            out.compute_normals();
        }
        out
    }
}

/// Decimates `mesh` when it has more than [`DECIMATE_ABOVE_TRIANGLES`] triangles, with the
/// default bound; `None` (leave it as it is) otherwise. Apply the result to the mesh with
/// [`Decimated::apply_to_mesh`] and to every other per-vertex attribute with
/// [`Decimated::apply`].
pub fn decimate_if_big(mesh: &Mesh) -> Option<Decimated> {
    (mesh.triangle_count() > DECIMATE_ABOVE_TRIANGLES)
        .then(|| decimate(&mesh.positions, &mesh.indices, &DecimateOptions::default()))
}

/// A symmetric quadric `Σ (n·p + d)²` over planes, upper triangle of the 4×4 matrix.
#[derive(Clone, Copy, Debug, Default)]
struct Quadric([f64; 10]);

impl Quadric {
    fn plane(n: DVec3, d: f64, w: f64) -> Quadric {
        Quadric([
            w * n.x * n.x,
            w * n.x * n.y,
            w * n.x * n.z,
            w * n.x * d,
            w * n.y * n.y,
            w * n.y * n.z,
            w * n.y * d,
            w * n.z * n.z,
            w * n.z * d,
            w * d * d,
        ])
    }

    fn add(&mut self, o: &Quadric) {
        for (a, b) in self.0.iter_mut().zip(&o.0) {
            *a += b;
        }
    }

    fn eval(&self, p: Vec3) -> f64 {
        let q = &self.0;
        let (x, y, z) = (f64::from(p.x), f64::from(p.y), f64::from(p.z));
        q[0] * x * x
            + 2.0 * q[1] * x * y
            + 2.0 * q[2] * x * z
            + 2.0 * q[3] * x
            + q[4] * y * y
            + 2.0 * q[5] * y * z
            + 2.0 * q[6] * y
            + q[7] * z * z
            + 2.0 * q[8] * z
            + q[9]
    }
}

/// The collapse queue: at most one entry per vertex (its cheapest collapse's cost), cheapest
/// first, ties by vertex id (deterministic). An indexed binary heap: a vertex whose
/// neighbourhood changed gets its key moved in place, so no stale entries pile up to be popped
/// and skipped (as they did in a lazy heap with a version stamp per vertex).
struct Queue {
    heap: Vec<u32>,
    /// Where each vertex sits in `heap` (`u32::MAX`: not queued).
    at: Vec<u32>,
    cost: Vec<f64>,
}

impl Queue {
    fn new(n: usize) -> Queue {
        Queue {
            heap: Vec::with_capacity(n),
            at: vec![u32::MAX; n],
            cost: vec![0.0; n],
        }
    }

    fn before(&self, a: u32, b: u32) -> bool {
        match self.cost[a as usize].total_cmp(&self.cost[b as usize]) {
            Ordering::Less => true,
            Ordering::Greater => false,
            Ordering::Equal => a < b,
        }
    }

    fn place(&mut self, i: usize, v: u32) {
        self.heap[i] = v;
        self.at[v as usize] = i as u32;
    }

    fn up(&mut self, mut i: usize) {
        let v = self.heap[i];
        while i > 0 {
            let parent = (i - 1) / 2;
            let p = self.heap[parent];
            if !self.before(v, p) {
                break;
            }
            self.place(i, p);
            i = parent;
        }
        self.place(i, v);
    }

    fn down(&mut self, mut i: usize) {
        let v = self.heap[i];
        let n = self.heap.len();
        loop {
            let l = 2 * i + 1;
            if l >= n {
                break;
            }
            let r = l + 1;
            let c = if r < n && self.before(self.heap[r], self.heap[l]) {
                r
            } else {
                l
            };
            if !self.before(self.heap[c], v) {
                break;
            }
            self.place(i, self.heap[c]);
            i = c;
        }
        self.place(i, v);
    }

    /// Queues `v` at `cost`, or moves it there if it is queued.
    fn set(&mut self, v: u32, cost: f64) {
        let old = self.cost[v as usize];
        self.cost[v as usize] = cost;
        let i = self.at[v as usize];
        if i == u32::MAX {
            self.heap.push(v);
            let last = self.heap.len() - 1;
            self.place(last, v);
            self.up(last);
        } else if cost.total_cmp(&old).is_lt() {
            self.up(i as usize);
        } else {
            self.down(i as usize);
        }
    }

    fn remove(&mut self, v: u32) {
        let i = self.at[v as usize];
        if i == u32::MAX {
            return;
        }
        self.at[v as usize] = u32::MAX;
        let Some(last) = self.heap.pop() else {
            return;
        };
        let i = i as usize;
        if i < self.heap.len() {
            self.place(i, last);
            self.up(i);
            let i = self.at[last as usize] as usize;
            self.down(i);
        }
    }

    fn pop(&mut self) -> Option<u32> {
        let v = *self.heap.first()?;
        self.remove(v);
        Some(v)
    }
}

/// Buffers [`State::check`] reuses from one collapse to the next (no allocation per check).
#[derive(Default)]
struct Scratch {
    /// Neighbours of the surviving vertex.
    nv: Vec<u32>,
    /// Triangles around the surviving vertex after the collapse: the changed ones first.
    fan: Vec<u32>,
    /// Their corners after the collapse.
    corners: Vec<[Vec3; 3]>,
    /// (removed original vertex, triangle it is filed under after the collapse).
    assign: Vec<(u32, u32)>,
    /// Original triangles near the collapse (see the reverse check).
    patch: Vec<u32>,
    /// Original vertices on or filed under one changed triangle.
    near: Vec<u32>,
    /// Per original triangle, the number of the last patch gathering that took it.
    mark: Vec<u32>,
    gathering: u32,
    /// A sphere around each triangle of `corners`, and a point's squared distance to each
    /// centre.
    spheres: Vec<(Vec3, f32)>,
    gaps: Vec<f32>,
}

/// Squared distance from `p` to the triangle `abc` (Ericson, "Real-Time Collision Detection",
/// 5.1.5; degenerate triangles fall back to their edges).
pub(crate) fn point_triangle_distance_sq(p: Vec3, a: Vec3, b: Vec3, c: Vec3) -> f32 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return ap.length_squared();
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return bp.length_squared();
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        let v = d1 / (d1 - d3);
        return (p - (a + v * ab)).length_squared();
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return cp.length_squared();
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        let w = d2 / (d2 - d6);
        return (p - (a + w * ac)).length_squared();
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        let w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
        return (p - (b + w * (c - b))).length_squared();
    }
    let denom = va + vb + vc;
    if denom.abs() < f32::MIN_POSITIVE || !denom.is_finite() {
        // Degenerate (collinear corners): the nearest of the three edges.
        let seg = |a: Vec3, b: Vec3| {
            let ab = b - a;
            let t = ((p - a).dot(ab) / ab.length_squared().max(f32::MIN_POSITIVE)).clamp(0.0, 1.0);
            (p - (a + t * ab)).length_squared()
        };
        return seg(a, b).min(seg(b, c)).min(seg(c, a));
    }
    let (v, w) = (vb / denom, vc / denom);
    (p - (a + ab * v + ac * w)).length_squared()
}

/// A sphere around a triangle: its centroid and the distance to its farthest corner.
fn sphere([a, b, c]: [Vec3; 3]) -> (Vec3, f32) {
    let m = (a + b + c) / 3.0;
    let r = m
        .distance_squared(a)
        .max(m.distance_squared(b))
        .max(m.distance_squared(c));
    (m, r.sqrt())
}

/// The working state of one decimation.
struct State<'a> {
    pos: &'a [Vec3],
    /// The original surface's unit vertex normals.
    vnormal: Vec<Vec3>,
    tris: Vec<[u32; 3]>,
    alive: Vec<bool>,
    /// Alive triangles around each vertex.
    vtris: Vec<Vec<u32>>,
    locked: Vec<bool>,
    removed: Vec<bool>,
    quadric: Vec<Quadric>,
    /// Removed original vertices whose nearest decimated triangle this is.
    points: Vec<Vec<u32>>,
    bound_sq: f32,
    alive_count: usize,
    /// The original triangles, and those around each original vertex (CSR: the triangles of
    /// vertex w are `orig_around[orig_first[w]..orig_first[w + 1]]`).
    orig_tris: Vec<[u32; 3]>,
    orig_first: Vec<u32>,
    orig_around: Vec<u32>,
    /// A sphere around each original triangle (centre, radius): a point farther than the
    /// bound from it is farther from the triangle, without the exact distance.
    orig_sphere: Vec<(Vec3, f32)>,
}

impl State<'_> {
    fn normal(&self, t: [u32; 3]) -> Vec3 {
        let [a, b, c] = t.map(|i| self.pos[i as usize]);
        (b - a).cross(c - a)
    }

    /// Distinct neighbours of `v` into `out`.
    fn neighbours(&self, v: u32, out: &mut Vec<u32>) {
        out.clear();
        for &t in &self.vtris[v as usize] {
            for w in self.tris[t as usize] {
                if w != v && !out.contains(&w) {
                    out.push(w);
                }
            }
        }
    }

    /// Targets of `u` with their costs, cheapest first.
    fn candidates(&self, u: u32, nb: &mut Vec<u32>) -> Vec<(f64, u32)> {
        self.neighbours(u, nb);
        let mut c: Vec<(f64, u32)> = nb
            .iter()
            .map(|&v| {
                let mut q = self.quadric[u as usize];
                q.add(&self.quadric[v as usize]);
                (q.eval(self.pos[v as usize]).max(0.0), v)
            })
            .collect();
        c.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        c
    }

    /// Queues `u` at the cost of its cheapest collapse, or takes it off the queue when it
    /// cannot collapse.
    fn push(&self, queue: &mut Queue, u: u32, nb: &mut Vec<u32>) {
        if self.locked[u as usize] || self.removed[u as usize] {
            queue.remove(u);
            return;
        }
        self.neighbours(u, nb);
        let q = self.quadric[u as usize];
        let cost = nb
            .iter()
            .map(|&v| {
                let mut q = q;
                q.add(&self.quadric[v as usize]);
                q.eval(self.pos[v as usize]).max(0.0)
            })
            .fold(f64::INFINITY, f64::min);
        if cost.is_finite() {
            queue.set(u, cost);
        } else {
            queue.remove(u);
        }
    }

    /// The original triangles around original vertex `w`.
    fn around(&self, w: u32) -> &[u32] {
        let (a, b) = (
            self.orig_first[w as usize] as usize,
            self.orig_first[w as usize + 1] as usize,
        );
        &self.orig_around[a..b]
    }

    /// Whether `u → v` keeps the mesh manifold, unflipped and within the bound; if so,
    /// `s.assign` holds the nearest new triangle of every point the collapse touches.
    fn check(&self, u: u32, v: u32, nu: &[u32], s: &mut Scratch) -> bool {
        // Cheapest refusal first: too many filed points to check.
        let region: usize = self.vtris[u as usize]
            .iter()
            .map(|&t| self.points[t as usize].len())
            .sum();
        if region >= MAX_REGION_POINTS {
            return false;
        }
        // Link condition: the common neighbours of u and v are exactly the far corners of the
        // two triangles on the edge uv.
        let mut on_edge = 0;
        for &t in &self.vtris[u as usize] {
            if self.tris[t as usize].contains(&v) {
                on_edge += 1;
            }
        }
        if on_edge != 2 {
            return false;
        }
        self.neighbours(v, &mut s.nv);
        let common = nu.iter().filter(|w| s.nv.contains(w)).count();
        if common != 2 {
            return false;
        }
        let after = |t: u32| self.tris[t as usize].map(|w| if w == u { v } else { w });
        // The changed triangles: no flip, no degenerate, no duplicate of one of v's.
        s.fan.clear();
        s.corners.clear();
        for &t in &self.vtris[u as usize] {
            let tri = self.tris[t as usize];
            if tri.contains(&v) {
                continue;
            }
            let new = after(t);
            let (n0, n1) = (self.normal(tri), self.normal(new));
            let (l0, l1) = (n0.length(), n1.length());
            if !(l1 > 1e-12 && l0 > 0.0) || n0.dot(n1) <= MAX_NORMAL_TURN_COS * l0 * l1 {
                return false;
            }
            // Nor may it face away from the original surface at its corners.
            let smooth: Vec3 = new.iter().map(|&w| self.vnormal[w as usize]).sum();
            if n1.dot(smooth) <= FILED_NORMAL_COS * l1 * smooth.length() {
                return false;
            }
            // The two corners other than v.
            let mut others = [0u32; 2];
            let mut k = 0;
            for w in new {
                if w != v && k < 2 {
                    others[k] = w;
                    k += 1;
                }
            }
            for &st in &self.vtris[v as usize] {
                let st = self.tris[st as usize];
                if !st.contains(&u) && st.contains(&others[0]) && st.contains(&others[1]) {
                    return false;
                }
            }
            s.fan.push(t);
            s.corners.push(new.map(|w| self.pos[w as usize]));
        }
        // The triangles around v after the collapse (changed ones as they will be).
        let changed = s.fan.len();
        for &t in &self.vtris[v as usize] {
            if !self.tris[t as usize].contains(&u) {
                s.fan.push(t);
                s.corners
                    .push(self.tris[t as usize].map(|w| self.pos[w as usize]));
            }
        }
        s.assign.clear();
        let pts = self.vtris[u as usize]
            .iter()
            .flat_map(|&t| self.points[t as usize].iter().copied())
            .chain(std::iter::once(u));
        if s.corners.is_empty() {
            return false;
        }
        s.spheres.clear();
        s.spheres.extend(s.corners.iter().map(|&c| sphere(c)));
        s.gaps.clear();
        s.gaps.resize(s.spheres.len(), 0.0);
        for p in pts {
            let pp = self.pos[p as usize];
            // The nearest triangle: the one whose centroid is nearest first, then only those
            // whose sphere comes nearer than the best distance so far.
            let mut first = 0;
            for k in 0..s.spheres.len() {
                let d2 = s.spheres[k].0.distance_squared(pp);
                s.gaps[k] = d2;
                if d2 < s.gaps[first] {
                    first = k;
                }
            }
            let mut best = (f32::INFINITY, usize::MAX);
            let mut reach = f32::INFINITY;
            for k in std::iter::once(first).chain((0..s.corners.len()).filter(|&k| k != first)) {
                let r = s.spheres[k].1 + reach;
                if s.gaps[k] > r * r {
                    continue;
                }
                let [a, b, c] = s.corners[k];
                let d = point_triangle_distance_sq(pp, a, b, c);
                if d < best.0 || (d == best.0 && k < best.1) {
                    best = (d, k);
                    reach = d.sqrt();
                }
            }
            // (a NaN distance fails too)
            if best.0.is_nan() || best.0 > self.bound_sq {
                return false;
            }
            // The triangle a vertex is filed under faces the way the surface did there: a
            // triangle bridging a fold (lying close to skin that faces the other way) is not
            // the surface that skin is near to.
            let [a, b, c] = s.corners[best.1];
            let n = (b - a).cross(c - a);
            if n.dot(self.vnormal[p as usize]) <= FILED_NORMAL_COS * n.length() {
                return false;
            }
            s.assign.push((p, s.fan[best.1]));
        }
        // The other way: the changed triangles must lie within the bound of the original
        // surface. Checked at the points the tests sample ([`surface_samples`], 4 steps a
        // side) against a patch of original triangles: those around the corners of the
        // triangles around v after the collapse, around every original vertex filed under
        // them, and around u. A nearer original triangle outside the patch only makes the
        // check refuse more (conservative). Each point tries, in order, the original triangle
        // that held for the point before, those around the nearest original vertex on or filed
        // under its triangle, and only then the whole patch (gathered when first needed): the
        // first two are in the patch, so the order changes the cost, not the answer.
        let bound = self.bound_sq.sqrt();
        let within = |q: Vec3, o: u32| {
            let (m, r) = self.orig_sphere[o as usize];
            if m.distance_squared(q) > (r + bound) * (r + bound) {
                return false;
            }
            let [x, y, z] = self.orig_tris[o as usize].map(|w| self.pos[w as usize]);
            point_triangle_distance_sq(q, x, y, z) <= self.bound_sq
        };
        let mut last = u32::MAX;
        let mut patch_ready = false;
        for f in 0..changed {
            let t = s.fan[f];
            let [a, b, c] = s.corners[f];
            s.near.clear();
            s.near.extend(after(t));
            s.near
                .extend(s.assign.iter().filter(|&&(_, at)| at == t).map(|&(p, _)| p));
            for i in 0..=REVERSE_STEPS {
                for j in 0..=REVERSE_STEPS - i {
                    let k = REVERSE_STEPS - i - j;
                    if i == REVERSE_STEPS || j == REVERSE_STEPS || k == REVERSE_STEPS {
                        continue; // a corner: an original vertex
                    }
                    let q = (a * i as f32 + b * j as f32 + c * k as f32) / REVERSE_STEPS as f32;
                    if last != u32::MAX && within(q, last) {
                        continue;
                    }
                    let mut nearest = (f32::INFINITY, u);
                    for &w in &s.near {
                        let d = self.pos[w as usize].distance_squared(q);
                        if d < nearest.0 {
                            nearest = (d, w);
                        }
                    }
                    if let Some(&o) = self.around(nearest.1).iter().find(|&&o| within(q, o)) {
                        last = o;
                        continue;
                    }
                    if !patch_ready {
                        // Each original triangle once (marked with this gathering's number).
                        s.patch.clear();
                        s.gathering = s.gathering.wrapping_add(1);
                        if s.gathering == 0 || s.mark.len() != self.orig_tris.len() {
                            s.mark.clear();
                            s.mark.resize(self.orig_tris.len(), 0);
                            s.gathering = 1;
                        }
                        let add = |w: u32, s: &mut Scratch| {
                            for &o in self.around(w) {
                                if s.mark[o as usize] != s.gathering {
                                    s.mark[o as usize] = s.gathering;
                                    s.patch.push(o);
                                }
                            }
                        };
                        for f in 0..s.fan.len() {
                            let t = s.fan[f];
                            for w in after(t) {
                                add(w, s);
                            }
                            for &p in &self.points[t as usize] {
                                add(p, s);
                            }
                        }
                        add(u, s);
                        patch_ready = true;
                    }
                    match s.patch.iter().find(|&&o| within(q, o)) {
                        Some(&o) => last = o,
                        None => return false,
                    }
                }
            }
        }
        true
    }

    fn collapse(&mut self, u: u32, v: u32, assign: &[(u32, u32)]) {
        self.removed[u as usize] = true;
        let around = std::mem::take(&mut self.vtris[u as usize]);
        for &t in &around {
            self.points[t as usize].clear();
            let tri = self.tris[t as usize];
            if tri.contains(&v) {
                self.alive[t as usize] = false;
                self.alive_count -= 1;
                for w in tri {
                    if w != u {
                        self.vtris[w as usize].retain(|&s| s != t);
                    }
                }
            } else {
                self.tris[t as usize] = tri.map(|w| if w == u { v } else { w });
                self.vtris[v as usize].push(t);
            }
        }
        for &(p, t) in assign {
            self.points[t as usize].push(p);
        }
        let q = self.quadric[u as usize];
        self.quadric[v as usize].add(&q);
    }
}

/// Decimates the triangle mesh (`positions`, three `indices` per triangle) as far as `opts`
/// allow. Triangles with an index out of range, a repeated corner or a non-finite corner are
/// dropped first. Never panics; an empty or tiny mesh comes back as it is (less such triangles).
pub fn decimate(positions: &[Vec3], indices: &[u32], opts: &DecimateOptions) -> Decimated {
    let start = std::time::Instant::now();
    let nv = positions.len();
    let tris: Vec<[u32; 3]> = indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]])
        .filter(|t| {
            t.iter()
                .all(|&i| (i as usize) < nv && positions[i as usize].is_finite())
                && t[0] != t[1]
                && t[1] != t[2]
                && t[0] != t[2]
        })
        .collect();
    let triangles_before = indices.len() / 3;
    let mut vtris: Vec<Vec<u32>> = vec![Vec::new(); nv];
    for (t, tri) in tris.iter().enumerate() {
        for &w in tri {
            vtris[w as usize].push(t as u32);
        }
    }
    // Lock every vertex on an edge that is not shared by exactly two oppositely wound
    // triangles (boundaries, seams, non-manifold or inconsistently wound edges), and every
    // vertex whose triangles do not form one closed fan (as many neighbours as triangles).
    let mut edges: Vec<(u32, u32, i32)> = Vec::with_capacity(tris.len() * 3);
    for tri in &tris {
        for k in 0..3 {
            let (a, b) = (tri[k], tri[(k + 1) % 3]);
            edges.push((a.min(b), a.max(b), if a < b { 1 } else { -1 }));
        }
    }
    edges.sort_unstable();
    let mut locked = vec![false; nv];
    let mut i = 0;
    while i < edges.len() {
        let mut j = i;
        let mut wind = 0;
        while j < edges.len() && edges[j].0 == edges[i].0 && edges[j].1 == edges[i].1 {
            wind += edges[j].2;
            j += 1;
        }
        if j - i != 2 || wind != 0 {
            locked[edges[i].0 as usize] = true;
            locked[edges[i].1 as usize] = true;
        }
        i = j;
    }
    drop(edges);
    let mut quadric = vec![Quadric::default(); nv];
    for tri in &tris {
        let [a, b, c] = tri.map(|w| positions[w as usize].as_dvec3());
        let n = (b - a).cross(c - a);
        let area2 = n.length();
        if area2 > 0.0 {
            let n = n / area2;
            let q = Quadric::plane(n, -n.dot(a), 0.5 * area2);
            for w in tri {
                quadric[*w as usize].add(&q);
            }
        }
    }
    // Area-weighted vertex normals of the original surface: what "facing the right way" means.
    let mut vnormal = vec![Vec3::ZERO; nv];
    for tri in &tris {
        let [a, b, c] = tri.map(|w| positions[w as usize]);
        let n = (b - a).cross(c - a);
        for w in tri {
            vnormal[*w as usize] += n;
        }
    }
    for n in &mut vnormal {
        *n = n.normalize_or_zero();
    }
    let ntris = tris.len();
    let mut orig_first = vec![0u32; nv + 1];
    for tri in &tris {
        for &w in tri {
            orig_first[w as usize + 1] += 1;
        }
    }
    for w in 0..nv {
        orig_first[w + 1] += orig_first[w];
    }
    let mut orig_around = vec![0u32; 3 * ntris];
    let mut fill = orig_first.clone();
    for (t, tri) in tris.iter().enumerate() {
        for &w in tri {
            orig_around[fill[w as usize] as usize] = t as u32;
            fill[w as usize] += 1;
        }
    }
    drop(fill);
    let orig_tris = tris.clone();
    let orig_sphere = tris
        .iter()
        .map(|t| sphere(t.map(|w| positions[w as usize])))
        .collect();
    let mut st = State {
        orig_sphere,
        orig_tris,
        orig_first,
        orig_around,
        vnormal,
        pos: positions,
        tris,
        alive: vec![true; ntris],
        vtris,
        locked,
        removed: vec![false; nv],
        quadric,
        points: vec![Vec::new(); ntris],
        bound_sq: opts.max_deviation_mm.max(0.0).powi(2),
        alive_count: ntris,
    };
    let mut nb = Vec::new();
    for v in 0..nv as u32 {
        st.neighbours(v, &mut nb);
        if nb.len() != st.vtris[v as usize].len() {
            st.locked[v as usize] = true;
        }
    }
    let mut queue = Queue::new(nv);
    for v in 0..nv as u32 {
        st.push(&mut queue, v, &mut nb);
    }
    let set_up = start.elapsed();
    let (mut nu, mut ring) = (Vec::new(), Vec::new());
    let mut scratch = Scratch::default();
    // Work counts for the debug log: queue entries taken, collapses checked, collapses done.
    let (mut pops, mut checks, mut collapses) = (0usize, 0usize, 0usize);
    while st.alive_count > opts.target_triangles {
        let Some(u) = queue.pop() else {
            break;
        };
        pops += 1;
        let cands = st.candidates(u, &mut nu);
        let Some(v) = cands.iter().find_map(|&(_, v)| {
            checks += 1;
            st.check(u, v, &nu, &mut scratch).then_some(v)
        }) else {
            continue; // nothing allowed now; its neighbourhood changing re-queues it
        };
        collapses += 1;
        st.collapse(u, v, &scratch.assign);
        st.neighbours(v, &mut ring);
        ring.push(v);
        for &w in &ring {
            st.push(&mut queue, w, &mut nb);
        }
    }
    // Kept vertices: every one not collapsed away (unreferenced ones too: they are not ours to
    // drop), renumbered in order.
    let mut remap = vec![u32::MAX; nv];
    let mut kept = Vec::with_capacity(nv);
    for (v, slot) in remap.iter_mut().enumerate() {
        if !st.removed[v] {
            *slot = kept.len() as u32;
            kept.push(v as u32);
        }
    }
    let mut out = Vec::with_capacity(st.alive_count * 3);
    let mut max_dev_sq = 0.0f32;
    for (t, tri) in st.tris.iter().enumerate() {
        if st.alive[t] {
            out.extend(tri.map(|w| remap[w as usize]));
            let [a, b, c] = tri.map(|w| positions[w as usize]);
            for &p in &st.points[t] {
                max_dev_sq =
                    max_dev_sq.max(point_triangle_distance_sq(positions[p as usize], a, b, c));
            }
        }
    }
    let report = DecimateReport {
        triangles_before,
        triangles_after: out.len() / 3,
        vertices_before: nv,
        vertices_after: kept.len(),
        max_deviation_mm: max_dev_sq.sqrt(),
        locked_vertices: st.locked.iter().filter(|&&l| l).count(),
        seconds: start.elapsed().as_secs_f64(),
    };
    log::debug!(
        "decimated: {report:?}; set-up {set_up:.2?}, {pops} queue entries taken, {checks} \
         collapses checked, {collapses} done"
    );
    Decimated {
        kept,
        indices: out,
        report,
    }
}

// ---------------------------------------------------------------------------------------------
// Measuring (tests, benches, reports)
// ---------------------------------------------------------------------------------------------

/// Distance from each of `points` to the triangle mesh (`positions`, `indices`), mm, exactly
/// (point to triangle) for distances up to `cap`; `f32::INFINITY` where no triangle is within
/// `cap`. Triangles are binned in a uniform grid, the points queried in parallel.
#[doc(hidden)]
pub fn surface_distances(
    points: &[Vec3],
    positions: &[Vec3],
    indices: &[u32],
    cap: f32,
) -> Vec<f32> {
    let tris: Vec<[Vec3; 3]> = indices
        .chunks_exact(3)
        .filter(|t| t.iter().all(|&i| (i as usize) < positions.len()))
        .map(|t| [0, 1, 2].map(|k| positions[t[k] as usize]))
        .filter(|t| t.iter().all(|p| p.is_finite()))
        .collect();
    if tris.is_empty() {
        return vec![f32::INFINITY; points.len()];
    }
    let mean_edge = tris
        .iter()
        .map(|t| (t[1] - t[0]).length() + (t[2] - t[1]).length() + (t[0] - t[2]).length())
        .sum::<f32>()
        / (3 * tris.len()) as f32;
    let cell = mean_edge.max(cap).max(1e-3);
    let key = |c: [i32; 3]| -> u64 {
        let f = |x: i32| (x as i64 + (1 << 20)) as u64 & 0x1f_ffff;
        f(c[0]) << 42 | f(c[1]) << 21 | f(c[2])
    };
    let cell_of = |p: Vec3| (p / cell).floor().as_ivec3().to_array();
    let mut bins: Vec<(u64, u32)> = Vec::new();
    for (t, tri) in tris.iter().enumerate() {
        let lo = cell_of(tri[0].min(tri[1]).min(tri[2]) - Vec3::splat(cap));
        let hi = cell_of(tri[0].max(tri[1]).max(tri[2]) + Vec3::splat(cap));
        for x in lo[0]..=hi[0] {
            for y in lo[1]..=hi[1] {
                for z in lo[2]..=hi[2] {
                    bins.push((key([x, y, z]), t as u32));
                }
            }
        }
    }
    bins.sort_unstable();
    crate::parallel::map_indices(points.len(), crate::parallel::threads(), |i| {
        let p = points[i];
        if !p.is_finite() {
            return f32::INFINITY;
        }
        let k = key(cell_of(p));
        let s = bins.partition_point(|b| b.0 < k);
        let mut best = cap * cap;
        let mut found = false;
        for &(bk, t) in &bins[s..] {
            if bk != k {
                break;
            }
            let [a, b, c] = tris[t as usize];
            let d = point_triangle_distance_sq(p, a, b, c);
            if d <= best {
                best = d;
                found = true;
            }
        }
        if found {
            best.sqrt()
        } else {
            f32::INFINITY
        }
    })
}

/// Points spread over a triangle mesh's surface: its vertices and, on every triangle, the
/// points at barycentric coordinates (i, j, k)/`n` with i + j + k = `n` inside it.
#[doc(hidden)]
pub fn surface_samples(positions: &[Vec3], indices: &[u32], n: u32) -> Vec<Vec3> {
    let mut out: Vec<Vec3> = positions.to_vec();
    let n = n.max(1);
    for t in indices.chunks_exact(3) {
        if t.iter().any(|&i| i as usize >= positions.len()) {
            continue;
        }
        let [a, b, c] = [0, 1, 2].map(|k| positions[t[k] as usize]);
        for i in 0..=n {
            for j in 0..=n - i {
                let k = n - i - j;
                if i == n || j == n || k == n {
                    continue; // a corner: already in
                }
                out.push((a * i as f32 + b * j as f32 + c * k as f32) / n as f32);
            }
        }
    }
    out
}

/// The symmetric deviation between two meshes, mm: (largest distance from a vertex of `a` to
/// the surface of `b`, largest distance from a sample of `b`'s surface to `a`). Distances are
/// exact up to `cap`; beyond it they count as infinite.
#[doc(hidden)]
pub fn max_deviation(a: &Mesh, b: &Mesh, cap: f32) -> (f32, f32) {
    let max = |d: Vec<f32>| d.into_iter().fold(0.0f32, f32::max);
    let ab = max(surface_distances(
        &a.positions,
        &b.positions,
        &b.indices,
        cap,
    ));
    let samples = surface_samples(&b.positions, &b.indices, 4);
    let ba = max(surface_distances(&samples, &a.positions, &a.indices, cap));
    (ab, ba)
}

/// SplitMix64 of `x`: deterministic noise for the test scan.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One 4:1 subdivision whose new edge points lie on a smooth surface: each edge's midpoint is
/// that of the cubic curve of the PN triangle (Vlachos et al. 2001) through the edge's ends
/// with their vertex normals, so the new points bulge with the surface instead of lying flat.
fn subdivide_smooth(mesh: &Mesh) -> Mesh {
    let (p, n) = (&mesh.positions, &mesh.normals);
    let mut positions = p.clone();
    let mut mid: std::collections::HashMap<(u32, u32), u32> =
        std::collections::HashMap::with_capacity(mesh.indices.len());
    let mut indices = Vec::with_capacity(mesh.indices.len() * 4);
    for t in mesh.indices.chunks_exact(3) {
        let mut m = [0u32; 3];
        for k in 0..3 {
            let (a, b) = (t[k], t[(k + 1) % 3]);
            m[k] = *mid.entry((a.min(b), a.max(b))).or_insert_with(|| {
                let (pa, pb) = (p[a as usize], p[b as usize]);
                let (na, nb) = (n[a as usize], n[b as usize]);
                let b1 = (2.0 * pa + pb - (pb - pa).dot(na) * na) / 3.0;
                let b2 = (2.0 * pb + pa - (pa - pb).dot(nb) * nb) / 3.0;
                positions.push((pa + 3.0 * b1 + 3.0 * b2 + pb) / 8.0);
                (positions.len() - 1) as u32
            });
        }
        indices.extend_from_slice(&[t[0], m[0], m[2], t[1], m[1], m[0], t[2], m[2], m[1]]);
        indices.extend_from_slice(&m);
    }
    let mut out = Mesh {
        positions,
        normals: Vec::new(),
        indices,
    };
    out.compute_normals();
    out
}

/// A stand-in for a big scan: the built-in head subdivided 4:1 `levels` times onto a smooth
/// surface (see `subdivide_smooth`), then every vertex moved along its normal by noise uniform in
/// ±`noise_mm` (a scanner's). Two levels give 1.65 M triangles. Shared by tests and benches.
#[doc(hidden)]
pub fn subdivided_builtin_head(levels: u32, noise_mm: f32) -> Mesh {
    let mut mesh = super::Head::builtin().expect("built-in head").mesh;
    for _ in 0..levels {
        mesh = subdivide_smooth(&mesh);
    }
    for (i, (p, n)) in mesh.positions.iter_mut().zip(&mesh.normals).enumerate() {
        let u = (splitmix(i as u64) >> 40) as f32 / (1u64 << 24) as f32;
        *p += *n * noise_mm * (2.0 * u - 1.0);
    }
    mesh.compute_normals();
    mesh
}
