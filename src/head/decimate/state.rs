//! The working state of one decimation: the mesh as it is, the original beside it, and the
//! checks and the collapse.
use super::queue::Queue;
use super::{DecimateReport, Decimated};
use super::{FILED_NORMAL_COS, MAX_NORMAL_TURN_COS, MAX_REGION_POINTS, REVERSE_STEPS};
use glam::{DVec3, Vec3};

/// A symmetric quadric `Σ (n·p + d)²` over planes, upper triangle of the 4×4 matrix.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Quadric([f64; 10]);

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

/// Buffers [`State::check`] reuses from one collapse to the next (no allocation per check).
#[derive(Default)]
pub(super) struct Scratch {
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
    /// The far ends of the new edges at v whose points are checked already.
    spokes: Vec<u32>,
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

/// Squared distance from `p` to the segment `ab` (a point where `a` = `b`).
pub(crate) fn point_segment_distance_sq(p: Vec3, a: Vec3, b: Vec3) -> f32 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_squared().max(f32::MIN_POSITIVE)).clamp(0.0, 1.0);
    (p - (a + t * ab)).length_squared()
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
        let seg = |a, b| point_segment_distance_sq(p, a, b);
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
pub(super) struct State<'a> {
    pub(super) pos: &'a [Vec3],
    /// The original surface's unit vertex normals.
    pub(super) vnormal: Vec<Vec3>,
    pub(super) tris: Vec<[u32; 3]>,
    pub(super) alive: Vec<bool>,
    /// Alive triangles around each vertex.
    pub(super) vtris: Vec<Vec<u32>>,
    pub(super) locked: Vec<bool>,
    pub(super) removed: Vec<bool>,
    pub(super) quadric: Vec<Quadric>,
    /// Vertices nothing may collapse onto (a part's vertices on its cuts); empty on the whole
    /// mesh.
    pub(super) held: Vec<bool>,
    /// Each vertex's quadric at itself (see [`State::cost`]).
    pub(super) own_cost: Vec<f64>,
    /// Removed original vertices whose nearest decimated triangle this is.
    pub(super) points: Vec<Vec<u32>>,
    /// Distinct neighbours of each vertex, kept up to date by [`State::collapse`]: reading
    /// them from the triangles costs a memory read per triangle, and it is done for every
    /// vertex around every collapse.
    pub(super) ring: Vec<Vec<u32>>,
    pub(super) bound_sq: f32,
    pub(super) alive_count: usize,
    /// The original triangles, and those around each original vertex (CSR: the triangles of
    /// vertex w are `orig_around[orig_first[w]..orig_first[w + 1]]`).
    pub(super) orig: Vec<OrigTri>,
    pub(super) orig_first: Vec<u32>,
    pub(super) orig_around: Vec<u32>,
}

/// An original triangle as the bound is measured against it: its corners, and a sphere around
/// it (a point farther than the bound from the sphere is farther from the triangle, without
/// the exact distance). One record, so a test reads one place in memory, not four.
pub(super) struct OrigTri {
    centre: Vec3,
    radius: f32,
    corners: [Vec3; 3],
}

impl State<'_> {
    fn normal(&self, t: [u32; 3]) -> Vec3 {
        let [a, b, c] = t.map(|i| self.pos[i as usize]);
        (b - a).cross(c - a)
    }

    /// Distinct neighbours of `v` into `out`.
    fn neighbours(&self, v: u32, out: &mut Vec<u32>) {
        out.clear();
        out.extend_from_slice(&self.ring[v as usize]);
    }

    /// Targets of `u` with their costs, cheapest first.
    pub(super) fn candidates(&self, u: u32, nb: &mut Vec<u32>) -> Vec<(f64, u32)> {
        self.neighbours(u, nb);
        let mut c: Vec<(f64, u32)> = nb.iter().map(|&v| (self.cost(u, v), v)).collect();
        c.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        c
    }

    /// The cost of `u → v`: the summed quadrics of both ends at v (v's own part kept, since
    /// v's quadric changes only when something collapses onto it).
    fn cost(&self, u: u32, v: u32) -> f64 {
        (self.quadric[u as usize].eval(self.pos[v as usize]) + self.own_cost[v as usize]).max(0.0)
    }

    /// `quadric[v]` at v, for every vertex.
    fn own_costs(&mut self) {
        self.own_cost = (0..self.pos.len())
            .map(|v| self.quadric[v].eval(self.pos[v]))
            .collect();
    }

    /// Queues `u` at the cost of its cheapest collapse, or takes it off the queue when it
    /// cannot collapse.
    fn push(&self, queue: &mut Queue, u: u32) {
        if self.locked[u as usize] || self.removed[u as usize] {
            queue.remove(u);
            return;
        }
        let cost = self.ring[u as usize]
            .iter()
            .map(|&v| self.cost(u, v))
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
    #[inline(never)]
    pub(super) fn check(&self, u: u32, v: u32, nu: &[u32], s: &mut Scratch) -> bool {
        // A vertex on a part's cut has neighbours the part does not see: the topology checks
        // below could not judge a collapse onto it (the whole mesh does, later).
        if self.held.get(v as usize).copied().unwrap_or(false) {
            return false;
        }
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
        self.files_within(u, s) && self.covers(u, v, changed, s)
    }

    /// Files every point the collapse touches under its nearest new triangle (`s.assign`), or
    /// false when one is out of the bound or faces away.
    #[inline(never)]
    fn files_within(&self, u: u32, s: &mut Scratch) -> bool {
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
            // Of triangles equally near (a point nearest to an edge or a corner they share),
            // the one that faces most the way the surface did at the point: the choice then
            // does not depend on the order the triangles are listed in. (`gaps` is reused for
            // the distances.)
            let np = self.vnormal[p as usize];
            let facing = |k: usize| {
                let [a, b, c] = s.corners[k];
                let n = (b - a).cross(c - a);
                n.dot(np) / n.length()
            };
            let mut best = (f32::INFINITY, usize::MAX);
            let mut tied = false;
            let mut reach = f32::INFINITY;
            for k in std::iter::once(first).chain((0..s.corners.len()).filter(|&k| k != first)) {
                // (a little slack, so that rounding never prunes a triangle exactly as
                // near as the best: ties are broken by facing, below)
                let r = (s.spheres[k].1 + reach) * 1.0001;
                if s.gaps[k] > r * r {
                    s.gaps[k] = f32::INFINITY; // not as near as the best: no tie either
                    continue;
                }
                let d = point_triangle_distance_sq(
                    pp,
                    s.corners[k][0],
                    s.corners[k][1],
                    s.corners[k][2],
                );
                s.gaps[k] = d;
                if d < best.0 {
                    best = (d, k);
                    reach = d.sqrt();
                    tied = false;
                } else if d == best.0 {
                    tied = true;
                }
            }
            // (a NaN distance fails too)
            if best.0.is_nan() || best.0 > self.bound_sq {
                return false;
            }
            let mut face = facing(best.1);
            if tied {
                for k in 0..s.corners.len() {
                    if k != best.1 && s.gaps[k] == best.0 {
                        let f = facing(k);
                        if f > face {
                            (best.1, face) = (k, f);
                        }
                    }
                }
            }
            // The triangle a vertex is filed under faces the way the surface did there: a
            // triangle bridging a fold (lying close to skin that faces the other way) is not
            // the surface that skin is near to. (A degenerate one, NaN, fails too.)
            if face.is_nan() || face <= FILED_NORMAL_COS {
                return false;
            }
            s.assign.push((p, s.fan[best.1]));
        }
        true
    }

    /// Whether the changed triangles lie within the bound of the original surface.
    #[inline(never)]
    fn covers(&self, u: u32, v: u32, changed: usize, s: &mut Scratch) -> bool {
        let after = |t: u32| self.tris[t as usize].map(|w| if w == u { v } else { w });
        // The other way: the changed triangles must lie within the bound of the original
        // surface. Checked at the points the tests sample ([`surface_samples`], 4 steps a
        // side) against a patch of original triangles: those around the corners of the
        // triangles around v after the collapse, around every original vertex filed under
        // them, and around u. A nearer original triangle outside the patch only makes the
        // check refuse more (conservative). Each point tries, in order, the original triangle
        // that held for the point before, those around the nearest original vertex on or filed
        // under its triangle, and only then the whole patch (gathered when first needed): the
        // first two are in the patch, so the order changes the cost, not the answer.
        //
        // Every edge of the mesh as it is already had its points checked, with the triangle
        // that made it (or it is original), and the points on an edge are the same whichever
        // triangle they are computed in (the corner with weight 0 adds exactly 0). So only the
        // points on edges the collapse makes (v to a vertex not yet its neighbour), each once,
        // and those inside the changed triangles are checked.
        s.spokes.clear();
        let bound = self.bound_sq.sqrt();
        let within = |q: Vec3, o: u32| {
            let o = &self.orig[o as usize];
            if o.centre.distance_squared(q) > (o.radius + bound) * (o.radius + bound) {
                return false;
            }
            let [x, y, z] = o.corners;
            point_triangle_distance_sq(q, x, y, z) <= self.bound_sq
        };
        let mut last = u32::MAX;
        let mut patch_ready = false;
        for f in 0..changed {
            let t = s.fan[f];
            let [a, b, c] = s.corners[f];
            let ids = after(t);
            // Whether the points on the edge opposite each corner are to be checked here.
            let fresh = |x: u32, y: u32, s: &Scratch| {
                let w = if x == v {
                    y
                } else if y == v {
                    x
                } else {
                    return false; // the edge opposite v was u's, unchanged
                };
                !self.ring[v as usize].contains(&w) && !s.spokes.contains(&w)
            };
            let check_edge = [
                fresh(ids[1], ids[2], s),
                fresh(ids[0], ids[2], s),
                fresh(ids[0], ids[1], s),
            ];
            for (e, &yes) in check_edge.iter().enumerate() {
                if yes {
                    let w = ids[(e + 1) % 3] ^ ids[(e + 2) % 3] ^ v;
                    s.spokes.push(w);
                }
            }
            s.near.clear();
            s.near.extend(ids);
            s.near
                .extend(s.assign.iter().filter(|&&(_, at)| at == t).map(|&(p, _)| p));
            for i in 0..=REVERSE_STEPS {
                for j in 0..=REVERSE_STEPS - i {
                    let k = REVERSE_STEPS - i - j;
                    if i == REVERSE_STEPS || j == REVERSE_STEPS || k == REVERSE_STEPS {
                        continue; // a corner: an original vertex
                    }
                    // On the edge opposite the corner of weight 0.
                    let on_edge = [i, j, k].iter().position(|&x| x == 0);
                    if on_edge.is_some_and(|e| !check_edge[e]) {
                        continue;
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
                        if s.gathering == 0 || s.mark.len() != self.orig.len() {
                            s.mark.clear();
                            s.mark.resize(self.orig.len(), 0);
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
                        // Every point the collapse files (u among them): the triangles
                        // about them are the ones tried first above, and with them in the
                        // patch the answer does not depend on the order points are tried.
                        for k in 0..s.assign.len() {
                            add(s.assign[k].0, s);
                        }
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
        // Only edges at u change: its neighbours lose u and gain v (the two on the edge uv
        // have it already), and v gains u's neighbours.
        let nu = std::mem::take(&mut self.ring[u as usize]);
        for &w in &nu {
            if w == v {
                continue;
            }
            let r = &mut self.ring[w as usize];
            if r.contains(&v) {
                r.retain(|&x| x != u);
            } else if let Some(x) = r.iter_mut().find(|x| **x == u) {
                *x = v;
            }
        }
        let rv = &mut self.ring[v as usize];
        rv.retain(|&x| x != u);
        for &w in &nu {
            if w != v && !rv.contains(&w) {
                rv.push(w);
            }
        }
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
        self.own_cost[v as usize] = self.quadric[v as usize].eval(self.pos[v as usize]);
    }
}

/// Whether the triangles `around` vertex `v` form one closed fan: going from each triangle to
/// the next across their shared edge at v comes back to the first after visiting them all.
/// Two fans meeting at one vertex (a bowtie, as welding a scan can make) have as many
/// neighbours as triangles too, but are two cycles, and such a vertex must not move.
fn one_closed_fan(v: u32, around: &[u32], tris: &[[u32; 3]], wedges: &mut Vec<(u32, u32)>) -> bool {
    // Each triangle's two corners after v, in its winding order: (a, b) for (v, a, b). With
    // consistent winding, the triangle across the edge v–a has it as (v, c, a).
    wedges.clear();
    for &t in around {
        let tri = tris[t as usize];
        let Some(k) = tri.iter().position(|&w| w == v) else {
            return false;
        };
        wedges.push((tri[(k + 1) % 3], tri[(k + 2) % 3]));
    }
    let Some(&(mut at, start)) = wedges.first() else {
        return true; // no triangles: nothing to hold (an unreferenced or removed vertex)
    };
    // Around from the first triangle until back at it: one fan visits every triangle.
    let mut visited = 1;
    while at != start {
        match wedges.iter().find(|&&(_, b)| b == at) {
            Some(&(a, _)) if visited < wedges.len() => at = a,
            _ => return false,
        }
        visited += 1;
    }
    visited == wedges.len()
}

/// Area-weighted unit vertex normals of the original surface: what "facing the right way"
/// means. Computed once for the whole mesh, so that a part judges its vertices on its cut
/// exactly as the whole does.
pub(super) fn vertex_normals(pos: &[Vec3], tris: &[[u32; 3]]) -> Vec<Vec3> {
    let mut vnormal = vec![Vec3::ZERO; pos.len()];
    for tri in tris {
        let [a, b, c] = tri.map(|w| pos[w as usize]);
        let n = (b - a).cross(c - a);
        for w in tri {
            vnormal[*w as usize] += n;
        }
    }
    for n in &mut vnormal {
        *n = n.normalize_or_zero();
    }
    vnormal
}

/// Work counts for the debug log: queue entries taken, collapses checked, collapses done.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct Work {
    pub(super) pops: usize,
    pub(super) checks: usize,
    pub(super) collapses: usize,
}

impl Work {
    pub(super) fn add(&mut self, o: &Work) {
        self.pops += o.pops;
        self.checks += o.checks;
        self.collapses += o.collapses;
    }
}

impl<'a> State<'a> {
    /// The state of a mesh not yet decimated: `tris` (valid, no repeated corner) over `pos`,
    /// with the original surface's unit normal at each vertex ([`vertex_normals`], of the
    /// whole mesh when this is a part of it).
    pub(super) fn new(
        pos: &'a [Vec3],
        tris: Vec<[u32; 3]>,
        vnormal: Vec<Vec3>,
        bound_sq: f32,
    ) -> State<'a> {
        let nv = pos.len();
        let mut vtris: Vec<Vec<u32>> = vec![Vec::new(); nv];
        for (t, tri) in tris.iter().enumerate() {
            for &w in tri {
                vtris[w as usize].push(t as u32);
            }
        }
        // Lock every vertex on an edge that is not shared by exactly two oppositely wound
        // triangles (boundaries, seams, non-manifold or inconsistently wound edges), and every
        // vertex whose triangles do not form one closed fan ([`one_closed_fan`]).
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
            let [a, b, c] = tri.map(|w| pos[w as usize].as_dvec3());
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
        let orig = tris
            .iter()
            .map(|t| {
                let corners = t.map(|w| pos[w as usize]);
                let (centre, radius) = sphere(corners);
                OrigTri {
                    centre,
                    radius,
                    corners,
                }
            })
            .collect();
        let mut st = State {
            orig,
            orig_first,
            orig_around,
            vnormal,
            pos,
            tris,
            alive: vec![true; ntris],
            vtris,
            locked,
            removed: vec![false; nv],
            quadric,
            held: Vec::new(),
            own_cost: Vec::new(),
            points: vec![Vec::new(); ntris],
            ring: Vec::new(),
            bound_sq,
            alive_count: ntris,
        };
        st.build_rings();
        st.own_costs();
        st
    }

    /// Neighbour rings from the triangles as they are, locking every vertex whose triangles
    /// do not form one closed fan.
    fn build_rings(&mut self) {
        let (vtris, tris, locked) = (&self.vtris, &self.tris, &mut self.locked);
        let mut wedges = Vec::new();
        self.ring = (0..self.pos.len())
            .map(|v| {
                let mut nb = Vec::new();
                for &t in &vtris[v] {
                    for w in tris[t as usize] {
                        if w as usize != v && !nb.contains(&w) {
                            nb.push(w);
                        }
                    }
                }
                if !one_closed_fan(v as u32, &vtris[v], tris, &mut wedges) {
                    locked[v] = true;
                }
                nb
            })
            .collect();
    }

    /// A queue of every vertex that may collapse.
    pub(super) fn queue_all(&self) -> Queue {
        let mut queue = Queue::new(self.pos.len());
        for v in 0..self.pos.len() as u32 {
            self.push(&mut queue, v);
        }
        queue
    }

    /// Takes over what decimating the parts left (`self` is the whole mesh, not yet
    /// decimated); returns the queue of the vertices whose collapses the parts could not
    /// judge, and the parts' work.
    ///
    /// A part ran until none of its vertices could collapse, so a vertex left stays unable
    /// to until something it looks at changes or looks different from the whole mesh. A check
    /// of `u → v` looks at the triangles about u and v and the original triangles about their
    /// corners: it can see a cut only if a vertex on a cut (one the parts share) is within
    /// two edges of u. Those vertices are queued; the rest would fail as they did.
    /// `on_cut` marks those vertices (as [`super::decimate_parts`] found them).
    pub(super) fn resume(&mut self, parts: Vec<super::Part>, on_cut: &[bool]) -> (Queue, Work) {
        let nv = self.pos.len();
        let mut work = Work::default();
        self.quadric.fill(Quadric::default());
        self.tris.clear();
        self.points.clear();
        for part in parts {
            work.add(&part.work);
            for (w, q) in &part.quadric {
                self.quadric[*w as usize].add(q);
            }
            for &w in &part.removed {
                self.removed[w as usize] = true;
            }
            self.tris.extend(part.tris);
            self.points.extend(part.points);
        }
        self.own_costs();
        let ntris = self.tris.len();
        self.alive = vec![true; ntris];
        self.alive_count = ntris;
        for vt in &mut self.vtris {
            vt.clear();
        }
        for (t, tri) in self.tris.iter().enumerate() {
            for &w in tri {
                self.vtris[w as usize].push(t as u32);
            }
        }
        self.build_rings();
        // Within two edges of a shared vertex.
        let mut near = vec![false; nv];
        for v in 0..nv {
            if on_cut[v] && !self.removed[v] {
                near[v] = true;
                for &w in &self.ring[v] {
                    near[w as usize] = true;
                    for &x in &self.ring[w as usize] {
                        near[x as usize] = true;
                    }
                }
            }
        }
        let mut queue = Queue::new(nv);
        for v in 0..nv as u32 {
            if near[v as usize] {
                self.push(&mut queue, v);
            }
        }
        (queue, work)
    }

    /// Collapses the cheapest allowed collapse first until none is left on the queue or the
    /// mesh has `target` triangles or fewer.
    pub(super) fn run(&mut self, queue: &mut Queue, target: usize) -> Work {
        let (mut nu, mut ring) = (Vec::new(), Vec::new());
        let mut scratch = Scratch::default();
        let mut work = Work::default();
        while self.alive_count > target {
            let Some(u) = queue.pop() else {
                break;
            };
            work.pops += 1;
            let cands = self.candidates(u, &mut nu);
            let Some(v) = cands.iter().find_map(|&(_, v)| {
                work.checks += 1;
                self.check(u, v, &nu, &mut scratch).then_some(v)
            }) else {
                continue; // nothing allowed now; its neighbourhood changing re-queues it
            };
            work.collapses += 1;
            self.collapse(u, v, &scratch.assign);
            // A check of x → y reads the triangles about y and the original ones about their
            // corners, so the collapse can change the answer for any x within two edges of v:
            // all of them are queued again (those that could not collapse before too).
            ring.clear();
            ring.push(v);
            for &w in &self.ring[v as usize] {
                ring.push(w);
                ring.extend_from_slice(&self.ring[w as usize]);
            }
            ring.sort_unstable();
            ring.dedup();
            for &w in &ring {
                self.push(queue, w);
            }
        }
        work
    }

    /// The decimated mesh: the vertices not collapsed away (unreferenced ones too: they are
    /// not ours to drop), renumbered in order, and the triangles left.
    pub(super) fn finish(&self, triangles_before: usize, start: std::time::Instant) -> Decimated {
        let nv = self.pos.len();
        let mut remap = vec![u32::MAX; nv];
        let mut kept = Vec::with_capacity(nv);
        for (v, slot) in remap.iter_mut().enumerate() {
            if !self.removed[v] {
                *slot = kept.len() as u32;
                kept.push(v as u32);
            }
        }
        let mut out = Vec::with_capacity(self.alive_count * 3);
        let mut max_dev_sq = 0.0f32;
        for (t, tri) in self.tris.iter().enumerate() {
            if self.alive[t] {
                out.extend(tri.map(|w| remap[w as usize]));
                let [a, b, c] = tri.map(|w| self.pos[w as usize]);
                for &p in &self.points[t] {
                    max_dev_sq =
                        max_dev_sq.max(point_triangle_distance_sq(self.pos[p as usize], a, b, c));
                }
            }
        }
        let report = DecimateReport {
            triangles_before,
            triangles_after: out.len() / 3,
            vertices_before: nv,
            vertices_after: kept.len(),
            max_deviation_mm: max_dev_sq.sqrt(),
            locked_vertices: self.locked.iter().filter(|&&l| l).count(),
            seconds: start.elapsed().as_secs_f64(),
        };
        Decimated {
            kept,
            indices: out,
            report,
        }
    }
}
