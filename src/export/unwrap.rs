//! Texture coordinates for a head that has none (the built-in head, a bare scan): a box
//! projection unwrap. Each triangle goes to the axis its face is most turned to (six classes),
//! the triangles of one class that touch make a chart, each chart is projected flat along its
//! axis (stretch at most √3, where a face is 54.7° off its axis) and the charts are packed on
//! shelves into one square, every chart at the same texels per millimetre, with a gutter
//! between them so that filtering and mipmaps never mix two charts.
use crate::head::Mesh;
use glam::{Vec2, Vec3};

/// A mesh with one texture coordinate per vertex; triangle `i` is the source mesh's triangle
/// `i` (vertices are split where charts meet).
#[derive(Clone, Debug, Default)]
pub struct UvMesh {
    pub positions: Vec<Vec3>,
    pub normals: Vec<Vec3>,
    /// glTF's convention: (0, 0) is the image's top-left corner.
    pub uvs: Vec<Vec2>,
    pub indices: Vec<u32>,
    /// The source mesh's vertex each vertex was made from (what carries its vertex colour).
    pub source: Vec<u32>,
}

impl UvMesh {
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    fn corners(&self, t: usize) -> [usize; 3] {
        std::array::from_fn(|k| self.indices[3 * t + k] as usize)
    }

    /// The chart of each vertex: triangles sharing a vertex are on one chart (vertices are
    /// split where charts meet, here and in a scan's own texture coordinates), numbered from
    /// 0 in order of first appearance.
    pub fn vertex_charts(&self) -> Vec<u32> {
        let n = self.positions.len();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        for t in self.indices.chunks_exact(3) {
            let a = find(&mut parent, t[0]);
            for &v in &t[1..] {
                let b = find(&mut parent, v);
                parent[a.max(b) as usize] = a.min(b);
            }
        }
        let mut number = vec![u32::MAX; n];
        let mut next = 0;
        (0..n as u32)
            .map(|v| {
                let root = find(&mut parent, v) as usize;
                if number[root] == u32::MAX {
                    number[root] = next;
                    next += 1;
                }
                number[root]
            })
            .collect()
    }
}

/// Texels of empty gutter round each chart (at least), in texels of the target size.
pub const GUTTER_TEXELS: f32 = 6.0;

/// The class of a face: its dominant axis (0 x, 1 y, 2 z) and side (0 +, 1 −), as 0–5.
fn face_class(n: Vec3) -> usize {
    let a = n.abs();
    let axis = if a.x >= a.y && a.x >= a.z {
        0
    } else if a.y >= a.z {
        1
    } else {
        2
    };
    axis * 2 + usize::from(n[axis] < 0.0)
}

/// A point seen along its class's axis, in mm; image "up" is +y of the result.
fn project(p: Vec3, class: usize) -> Vec2 {
    match class {
        0 => Vec2::new(-p.z, p.y),
        1 => Vec2::new(p.z, p.y),
        2 => Vec2::new(p.x, -p.z),
        3 => Vec2::new(p.x, p.z),
        4 => Vec2::new(p.x, p.y),
        _ => Vec2::new(-p.x, p.y),
    }
}

fn find(parent: &mut [u32], mut i: u32) -> u32 {
    while parent[i as usize] != i {
        parent[i as usize] = parent[parent[i as usize] as usize];
        i = parent[i as usize];
    }
    i
}

/// One chart: its triangles, class and extent in projected mm.
struct Chart {
    triangles: Vec<u32>,
    class: usize,
    min: Vec2,
    max: Vec2,
}

/// Places rectangles (w, h) on shelves in a square of side `side`; None when they do not fit.
/// Returns each one's lower corner. Rectangles are taken tallest first.
fn shelf_pack(sizes: &[Vec2], side: f32) -> Option<Vec<Vec2>> {
    let mut order: Vec<usize> = (0..sizes.len()).collect();
    order.sort_by(|&a, &b| sizes[b].y.total_cmp(&sizes[a].y).then(a.cmp(&b)));
    let mut at = vec![Vec2::ZERO; sizes.len()];
    let (mut x, mut y, mut shelf) = (0.0f32, 0.0f32, 0.0f32);
    for i in order {
        let s = sizes[i];
        if s.x > side {
            return None;
        }
        if x + s.x > side {
            y += shelf;
            x = 0.0;
            shelf = 0.0;
        }
        if y + s.y > side {
            return None;
        }
        at[i] = Vec2::new(x, y);
        x += s.x;
        shelf = shelf.max(s.y);
    }
    Some(at)
}

/// Unwraps `mesh` for a square texture of `size` texels a side.
pub fn unwrap(mesh: &Mesh, size: u32) -> UvMesh {
    let tri_count = mesh.triangle_count();
    let corner = |t: usize, k: usize| mesh.indices[3 * t + k] as usize;
    let classes: Vec<usize> = (0..tri_count)
        .map(|t| {
            let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[corner(t, k)]);
            face_class((b - a).cross(c - a))
        })
        .collect();
    // Triangles of one class sharing a vertex are one chart.
    let mut parent: Vec<u32> = (0..tri_count as u32).collect();
    let mut first_at = vec![[u32::MAX; 6]; mesh.positions.len()];
    for t in 0..tri_count {
        for k in 0..3 {
            let slot = &mut first_at[corner(t, k)][classes[t]];
            if *slot == u32::MAX {
                *slot = t as u32;
            } else {
                let (a, b) = (find(&mut parent, *slot), find(&mut parent, t as u32));
                parent[a.max(b) as usize] = a.min(b);
            }
        }
    }
    let mut chart_of_root = std::collections::HashMap::new();
    let mut charts: Vec<Chart> = Vec::new();
    for (t, &class) in classes.iter().enumerate() {
        let root = find(&mut parent, t as u32);
        let c = *chart_of_root.entry(root).or_insert_with(|| {
            charts.push(Chart {
                triangles: Vec::new(),
                class,
                min: Vec2::splat(f32::INFINITY),
                max: Vec2::splat(f32::NEG_INFINITY),
            });
            charts.len() - 1
        });
        let chart = &mut charts[c];
        chart.triangles.push(t as u32);
        for k in 0..3 {
            let p = project(mesh.positions[corner(t, k)], chart.class);
            chart.min = chart.min.min(p);
            chart.max = chart.max.max(p);
        }
    }
    // The largest texels per mm at which every chart, with its gutter, fits the square.
    let side = size as f32;
    let fits = |scale: f32| {
        let sizes: Vec<Vec2> = charts
            .iter()
            .map(|c| (c.max - c.min) * scale + Vec2::splat(2.0 * GUTTER_TEXELS))
            .collect();
        shelf_pack(&sizes, side)
    };
    let (mut lo, mut hi) = (0.0f32, side);
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if fits(mid).is_some() {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    let scale = lo;
    let at = fits(scale).unwrap_or_else(|| vec![Vec2::ZERO; charts.len()]);
    let mut out = UvMesh {
        indices: vec![0; mesh.indices.len()],
        ..Default::default()
    };
    let mut new_index: std::collections::HashMap<(usize, usize), u32> = Default::default();
    for (c, chart) in charts.iter().enumerate() {
        for &t in &chart.triangles {
            let t = t as usize;
            for k in 0..3 {
                let v = corner(t, k);
                let i = *new_index.entry((c, v)).or_insert_with(|| {
                    let p = project(mesh.positions[v], chart.class);
                    let texel = at[c] + Vec2::splat(GUTTER_TEXELS) + (p - chart.min) * scale;
                    // Up in the projection is up in the image: v grows downwards.
                    let box_h = (chart.max.y - chart.min.y) * scale;
                    let texel = Vec2::new(
                        texel.x,
                        at[c].y + GUTTER_TEXELS + box_h - (p.y - chart.min.y) * scale,
                    );
                    out.positions.push(mesh.positions[v]);
                    out.normals.push(mesh.normals[v]);
                    out.source.push(v as u32);
                    out.uvs.push(texel / side);
                    (out.positions.len() - 1) as u32
                });
                out.indices[3 * t + k] = i;
            }
        }
    }
    out
}

/// Where a point on the mesh lies in UV space: the triangle it lies on (nearest to it), its UV,
/// the UV's derivative along head space per mm (rows for u and v), and the texels per mm of
/// that triangle at a texture `size` a side.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct UvPoint {
    pub triangle: u32,
    pub uv: Vec2,
    pub du: Vec3,
    pub dv: Vec3,
    pub texels_per_mm: f32,
}

/// Finds the triangle of a [`UvMesh`] under points on its surface: a uniform grid of the
/// triangles' bounding boxes.
pub struct TriangleGrid<'m> {
    mesh: &'m UvMesh,
    origin: Vec3,
    cell: f32,
    dims: [usize; 3],
    starts: Vec<u32>,
    items: Vec<u32>,
}

/// How far beyond its triangle a point may lie and still be placed on it, mm (dots lie on the
/// surface up to rounding).
const SNAP_MM: f32 = 0.5;

impl<'m> TriangleGrid<'m> {
    pub fn new(mesh: &'m UvMesh) -> TriangleGrid<'m> {
        let (mut lo, mut hi) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));
        for p in &mesh.positions {
            lo = lo.min(*p);
            hi = hi.max(*p);
        }
        if mesh.positions.is_empty() {
            (lo, hi) = (Vec3::ZERO, Vec3::ONE);
        }
        lo -= Vec3::splat(SNAP_MM);
        hi += Vec3::splat(SNAP_MM);
        // About one cell per triangle over the box's volume, at least 1 mm.
        let extent = hi - lo;
        let n = mesh.triangle_count().max(1) as f32;
        let cell = (extent.x * extent.y * extent.z / n).cbrt().max(1.0);
        let dims = [0, 1, 2].map(|a| ((extent[a] / cell).ceil() as usize).max(1));
        let cell_of = |p: Vec3| {
            let q = ((p - lo) / cell).floor();
            [0, 1, 2].map(|a| (q[a].max(0.0) as usize).min(dims[a] - 1))
        };
        let index = |c: [usize; 3]| (c[2] * dims[1] + c[1]) * dims[0] + c[0];
        let mut lists: Vec<Vec<u32>> = vec![Vec::new(); dims[0] * dims[1] * dims[2]];
        for t in 0..mesh.triangle_count() {
            let ps = mesh.corners(t).map(|i| mesh.positions[i]);
            let a = cell_of(ps[0].min(ps[1]).min(ps[2]) - Vec3::splat(SNAP_MM));
            let b = cell_of(ps[0].max(ps[1]).max(ps[2]) + Vec3::splat(SNAP_MM));
            for z in a[2]..=b[2] {
                for y in a[1]..=b[1] {
                    for x in a[0]..=b[0] {
                        lists[index([x, y, z])].push(t as u32);
                    }
                }
            }
        }
        let mut starts = Vec::with_capacity(lists.len() + 1);
        let mut items = Vec::new();
        for l in &lists {
            starts.push(items.len() as u32);
            items.extend_from_slice(l);
        }
        starts.push(items.len() as u32);
        TriangleGrid {
            mesh,
            origin: lo,
            cell,
            dims,
            starts,
            items,
        }
    }

    /// The point's place in UV space at a texture `size` a side; None when no triangle lies
    /// within [`SNAP_MM`] of it or its triangle has no area in UV space.
    pub fn locate(&self, p: Vec3, size: u32) -> Option<UvPoint> {
        let mut best: Option<(f32, u32)> = None;
        self.each_near(p, SNAP_MM, |t, d| {
            if best.is_none_or(|(bd, _)| d < bd) {
                best = Some((d, t));
            }
        });
        self.place_on(best?.1, p, size)
    }

    /// The point's place in each other chart within `reach` mm of it (at most `most`,
    /// nearest first): each chart's nearest triangle's map into UV space, carried on to `p`
    /// (a footprint that crosses into a chart is drawn there as it continues from the seam).
    /// `charts`: each vertex's chart ([`UvMesh::vertex_charts`]); `own`: the chart left out.
    pub fn other_charts(
        &self,
        p: Vec3,
        reach: f32,
        size: u32,
        charts: &[u32],
        own: u32,
        most: usize,
    ) -> Vec<(u32, UvPoint)> {
        let mut nearest: Vec<(u32, f32, u32)> = Vec::new();
        self.each_near(p, reach, |t, d| {
            let chart = charts[self.mesh.corners(t as usize)[0]];
            if chart == own {
                return;
            }
            match nearest.iter_mut().find(|n| n.0 == chart) {
                Some(n) if d < n.1 => *n = (chart, d, t),
                Some(_) => {}
                None => nearest.push((chart, d, t)),
            }
        });
        nearest.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        nearest
            .into_iter()
            .take(most)
            .filter_map(|(chart, _, t)| Some((chart, self.place_on(t, p, size)?)))
            .collect()
    }

    /// Calls `f(triangle, squared distance)` for each triangle within `reach` mm of `p`, some
    /// more than once (in several cells). Triangles are listed in every cell their box grown
    /// by [`SNAP_MM`] touches, so within that reach the cell holding `p` is enough.
    fn each_near(&self, p: Vec3, reach: f32, mut f: impl FnMut(u32, f32)) {
        let grow = Vec3::splat((reach - SNAP_MM).max(0.0));
        let a = ((p - grow - self.origin) / self.cell).floor();
        let b = ((p + grow - self.origin) / self.cell).floor();
        if (0..3).any(|k| b[k] < 0.0 || a[k] >= self.dims[k] as f32) {
            return;
        }
        let clamp =
            |q: Vec3| [0, 1, 2].map(|k| q[k].clamp(0.0, self.dims[k] as f32 - 1.0) as usize);
        let (a, b) = (clamp(a), clamp(b));
        for z in a[2]..=b[2] {
            for y in a[1]..=b[1] {
                for x in a[0]..=b[0] {
                    let cell = (z * self.dims[1] + y) * self.dims[0] + x;
                    let range = self.starts[cell] as usize..self.starts[cell + 1] as usize;
                    for &t in &self.items[range] {
                        let ps = self
                            .mesh
                            .corners(t as usize)
                            .map(|i| self.mesh.positions[i]);
                        let d = closest_on_triangle(p, ps).0.distance_squared(p);
                        if d <= reach * reach {
                            f(t, d);
                        }
                    }
                }
            }
        }
    }

    /// `p`'s place in UV space through triangle `t`'s map: the UV of its nearest point on the
    /// triangle, moved on by the map's derivative to `p` itself (in the triangle's plane).
    fn place_on(&self, t: u32, p: Vec3, size: u32) -> Option<UvPoint> {
        let idx = self.mesh.corners(t as usize);
        let ps = idx.map(|i| self.mesh.positions[i]);
        let (closest, bary) = closest_on_triangle(p, ps);
        let uvs = idx.map(|i| self.mesh.uvs[i]);
        let (e1, e2) = (ps[1] - ps[0], ps[2] - ps[0]);
        let (d1, d2) = (uvs[1] - uvs[0], uvs[2] - uvs[0]);
        let (g11, g12, g22) = (e1.dot(e1), e1.dot(e2), e2.dot(e2));
        let det = g11 * g22 - g12 * g12;
        let uv_area = d1.perp_dot(d2).abs();
        if det <= 1e-12 || uv_area <= 1e-20 {
            return None;
        }
        // An offset q in the triangle's plane is a·e1 + b·e2 with (a, b) = G⁻¹(q·e1, q·e2);
        // its UV offset is a·d1 + b·d2.
        let along =
            |d1: f32, d2: f32| ((g22 * d1 - g12 * d2) * e1 + (g11 * d2 - g12 * d1) * e2) / det;
        let (du, dv) = (along(d1.x, d2.x), along(d1.y, d2.y));
        let off = p - closest;
        let uv = uvs[0] * bary.x
            + uvs[1] * bary.y
            + uvs[2] * bary.z
            + Vec2::new(du.dot(off), dv.dot(off));
        let area_3d = 0.5 * det.sqrt();
        Some(UvPoint {
            triangle: t,
            uv,
            du,
            dv,
            texels_per_mm: size as f32 * (0.5 * uv_area / area_3d).sqrt(),
        })
    }
}

/// The point of triangle `t` nearest to `p`, and its barycentric coordinates.
fn closest_on_triangle(p: Vec3, t: [Vec3; 3]) -> (Vec3, Vec3) {
    // Ericson, Real-Time Collision Detection §5.1.5.
    let [a, b, c] = t;
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return (a, Vec3::X);
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return (b, Vec3::Y);
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        let v = d1 / (d1 - d3);
        return (a + ab * v, Vec3::new(1.0 - v, v, 0.0));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return (c, Vec3::Z);
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        let w = d2 / (d2 - d6);
        return (a + ac * w, Vec3::new(1.0 - w, 0.0, w));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        let w = (d4 - d3) / ((d4 - d3) + (d5 - d6));
        return (b + (c - b) * w, Vec3::new(0.0, 1.0 - w, w));
    }
    let denom = 1.0 / (va + vb + vc);
    let (v, w) = (vb * denom, vc * denom);
    (a + ab * v + ac * w, Vec3::new(1.0 - v - w, v, w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn box_mesh() -> Mesh {
        // A 100 × 60 × 40 mm box, two triangles a face, outward.
        let (x, y, z) = (50.0, 30.0, 20.0);
        let mut m = Mesh::default();
        let faces = [
            (Vec3::X, [[x, -y, z], [x, -y, -z], [x, y, -z], [x, y, z]]),
            (
                Vec3::NEG_X,
                [[-x, -y, -z], [-x, -y, z], [-x, y, z], [-x, y, -z]],
            ),
            (Vec3::Y, [[-x, y, z], [x, y, z], [x, y, -z], [-x, y, -z]]),
            (
                Vec3::NEG_Y,
                [[-x, -y, -z], [x, -y, -z], [x, -y, z], [-x, -y, z]],
            ),
            (Vec3::Z, [[-x, -y, z], [x, -y, z], [x, y, z], [-x, y, z]]),
            (
                Vec3::NEG_Z,
                [[x, -y, -z], [-x, -y, -z], [-x, y, -z], [x, y, -z]],
            ),
        ];
        for (n, quad) in faces {
            let base = m.positions.len() as u32;
            for p in quad {
                m.positions.push(Vec3::from(p));
                m.normals.push(n);
            }
            m.indices
                .extend([base, base + 1, base + 2, base, base + 2, base + 3]);
        }
        m
    }

    #[test]
    fn charts_are_inside_the_square_apart_and_evenly_scaled() {
        let mesh = box_mesh();
        let uv = unwrap(&mesh, 1024);
        assert_eq!(uv.triangle_count(), mesh.triangle_count());
        for p in &uv.uvs {
            assert!(
                (0.0..=1.0).contains(&p.x) && (0.0..=1.0).contains(&p.y),
                "{p}"
            );
        }
        // Every triangle keeps its shape: UV area ∝ 3D area at one scale (box faces are flat
        // to their axis, so there is no stretch).
        let ratios: Vec<f32> = (0..uv.triangle_count())
            .map(|t| {
                let [a, b, c] = uv.corners(t);
                let a3 = (uv.positions[b] - uv.positions[a])
                    .cross(uv.positions[c] - uv.positions[a])
                    .length();
                let a2 = (uv.uvs[b] - uv.uvs[a])
                    .perp_dot(uv.uvs[c] - uv.uvs[a])
                    .abs();
                a2 / a3
            })
            .collect();
        for r in &ratios {
            assert!((r / ratios[0] - 1.0).abs() < 1e-3, "{ratios:?}");
        }
        // Six faces, six charts, no two overlapping: each vertex is the box's, split per face.
        assert_eq!(uv.positions.len(), 24);
        // Packing uses a fair share of the square (six boxes with gutters).
        let used: f32 = (0..uv.triangle_count())
            .map(|t| {
                let [a, b, c] = uv.corners(t);
                0.5 * (uv.uvs[b] - uv.uvs[a])
                    .perp_dot(uv.uvs[c] - uv.uvs[a])
                    .abs()
            })
            .sum();
        assert!(used > 0.3, "{used}");
    }

    #[test]
    fn a_point_on_the_surface_finds_its_uv_and_local_scale() {
        let mesh = box_mesh();
        let uv = unwrap(&mesh, 1024);
        let grid = TriangleGrid::new(&uv);
        // The top face's centre, and a point 1 mm along +x from it.
        let a = grid.locate(Vec3::new(0.0, 30.0, 0.0), 1024).unwrap();
        let b = grid.locate(Vec3::new(1.0, 30.0, 0.0), 1024).unwrap();
        let predicted = a.uv + Vec2::new(a.du.x, a.dv.x);
        assert!((predicted - b.uv).length() < 1e-5, "{predicted} {}", b.uv);
        let texels = (b.uv - a.uv).length() * 1024.0;
        assert!(
            (texels / a.texels_per_mm - 1.0).abs() < 1e-3,
            "{texels} {}",
            a.texels_per_mm
        );
        assert!(grid.locate(Vec3::new(0.0, 80.0, 0.0), 1024).is_none());
    }
}
