//! Nearest-point look-ups over the built-in head's vertices: an exact k-d tree and a grid
//! that answers "nearly always the nearest" in one step.
use glam::DVec3;

/// For each cell of a grid around a point set, a point near its centre: the nearest one or
/// nearly (a distance transform that carries the point along, 6-connected, keeping whichever
/// point is truly nearer). Queries outside the grid take its border cell; their distances are
/// large anyway, and ICP leaves such pairs out.
pub(super) struct NearestGrid {
    lo: DVec3,
    cell: f64,
    dims: [usize; 3],
    nearest: Vec<u32>,
}

impl NearestGrid {
    pub(super) fn new(pts: &[DVec3], cell: f64, margin: f64) -> NearestGrid {
        let (lo, hi) = super::geometry::bounds(pts);
        let lo = lo - DVec3::splat(margin);
        let n = ((hi + DVec3::splat(margin) - lo) / cell).ceil();
        let dims = [n.x as usize + 1, n.y as usize + 1, n.z as usize + 1];
        let mut grid = NearestGrid {
            lo,
            cell,
            dims,
            nearest: vec![u32::MAX; dims[0] * dims[1] * dims[2]],
        };
        let mut dist = vec![f64::INFINITY; grid.nearest.len()];
        let mut queue: std::collections::VecDeque<usize> = std::collections::VecDeque::new();
        for (i, p) in pts.iter().enumerate() {
            let c = grid.index(*p);
            let d = p.distance_squared(grid.centre(c));
            if d < dist[c] {
                if dist[c].is_infinite() {
                    queue.push_back(c);
                }
                dist[c] = d;
                grid.nearest[c] = i as u32;
            }
        }
        let (sx, sy) = (dims[0], dims[0] * dims[1]);
        while let Some(c) = queue.pop_front() {
            let v = grid.nearest[c];
            let (x, y, z) = (c % sx, (c / sx) % dims[1], c / sy);
            let mut push = |nc: usize, q: &mut std::collections::VecDeque<usize>| {
                let d = pts[v as usize].distance_squared(grid.centre(nc));
                if d < dist[nc] {
                    dist[nc] = d;
                    grid.nearest[nc] = v;
                    q.push_back(nc);
                }
            };
            if x > 0 {
                push(c - 1, &mut queue);
            }
            if x + 1 < dims[0] {
                push(c + 1, &mut queue);
            }
            if y > 0 {
                push(c - sx, &mut queue);
            }
            if y + 1 < dims[1] {
                push(c + sx, &mut queue);
            }
            if z > 0 {
                push(c - sy, &mut queue);
            }
            if z + 1 < dims[2] {
                push(c + sy, &mut queue);
            }
        }
        grid
    }

    fn index(&self, p: DVec3) -> usize {
        let g = ((p - self.lo) / self.cell).floor();
        let c = |v: f64, n: usize| (v.max(0.0) as usize).min(n - 1);
        let (x, y, z) = (
            c(g.x, self.dims[0]),
            c(g.y, self.dims[1]),
            c(g.z, self.dims[2]),
        );
        x + self.dims[0] * (y + self.dims[1] * z)
    }

    fn centre(&self, c: usize) -> DVec3 {
        let (sx, sy) = (self.dims[0], self.dims[0] * self.dims[1]);
        let (x, y, z) = (c % sx, (c / sx) % self.dims[1], c / sy);
        self.lo + (DVec3::new(x as f64, y as f64, z as f64) + 0.5) * self.cell
    }

    pub(super) fn lookup(&self, p: DVec3) -> u32 {
        let v = self.nearest[self.index(p)];
        if v == u32::MAX {
            0
        } else {
            v
        }
    }
}

/// A balanced k-d tree over points, stored as a permutation (the median of each range is its
/// node; axes cycle x, y, z with depth).
pub(super) struct KdTree {
    idx: Vec<u32>,
}

impl KdTree {
    pub(super) fn new(pts: &[DVec3]) -> KdTree {
        fn build(pts: &[DVec3], idx: &mut [u32], depth: usize) {
            if idx.len() <= 1 {
                return;
            }
            let mid = idx.len() / 2;
            let axis = depth % 3;
            idx.select_nth_unstable_by(mid, |&a, &b| {
                pts[a as usize][axis].total_cmp(&pts[b as usize][axis])
            });
            let (lo, rest) = idx.split_at_mut(mid);
            build(pts, lo, depth + 1);
            build(pts, &mut rest[1..], depth + 1);
        }
        let mut idx: Vec<u32> = (0..pts.len() as u32).collect();
        build(pts, &mut idx, 0);
        KdTree { idx }
    }

    /// Index of the point nearest to `q` (0 for an empty tree).
    pub(super) fn nearest(&self, pts: &[DVec3], q: DVec3) -> u32 {
        let mut best = (f64::INFINITY, 0u32);
        self.search(pts, q, 0, self.idx.len(), 0, &mut best);
        best.1
    }

    fn search(
        &self,
        pts: &[DVec3],
        q: DVec3,
        lo: usize,
        hi: usize,
        depth: usize,
        best: &mut (f64, u32),
    ) {
        if lo >= hi {
            return;
        }
        let mid = lo + (hi - lo) / 2;
        let i = self.idx[mid];
        let p = pts[i as usize];
        let d2 = p.distance_squared(q);
        if d2 < best.0 {
            *best = (d2, i);
        }
        let axis = depth % 3;
        let diff = q[axis] - p[axis];
        let (near, far) = if diff < 0.0 {
            ((lo, mid), (mid + 1, hi))
        } else {
            ((mid + 1, hi), (lo, mid))
        };
        self.search(pts, q, near.0, near.1, depth + 1, best);
        if diff * diff < best.0 {
            self.search(pts, q, far.0, far.1, depth + 1, best);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kd_tree_finds_the_nearest_point() {
        let pts: Vec<DVec3> = (0..500)
            .map(|i| {
                DVec3::new(
                    crate::hash::rand01(3, i, 0) as f64,
                    crate::hash::rand01(3, i, 1) as f64,
                    crate::hash::rand01(3, i, 2) as f64,
                ) * 100.0
            })
            .collect();
        let kd = KdTree::new(&pts);
        for i in 0..200 {
            let q = DVec3::new(
                crate::hash::rand01(4, i, 0) as f64,
                crate::hash::rand01(4, i, 1) as f64,
                crate::hash::rand01(4, i, 2) as f64,
            ) * 120.0
                - 10.0;
            let brute = (0..pts.len())
                .min_by(|&a, &b| pts[a].distance(q).total_cmp(&pts[b].distance(q)))
                .unwrap();
            assert_eq!(
                pts[kd.nearest(&pts, q) as usize].distance(q),
                pts[brute].distance(q)
            );
        }
    }
}
