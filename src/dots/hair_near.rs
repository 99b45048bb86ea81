//! Per candidate triangle, the client's hair roots a candidate on it can come near. The
//! generation shader tests a candidate against its own triangle's short list instead of
//! hashing the 2×2×2 grid cells round it ([`HairGrid::blocks`], which the CPU reference keeps):
//! a CPU driver runs every lane of a SIMD group through the longest of their cell loops, and
//! that test was three quarters of the candidates' pass. The candidates of one triangle sit in
//! one run of threads, so their loops are the same length. The answer is the same: a list holds
//! every root within the exclusion radius of any point of the triangle, with slack for the f32
//! interpolation of a candidate's position. A triangle too big for a short list (a coarse
//! scan's) is flagged, and its candidates hash the cells as before.
use super::hair_grid::HairGrid;
use crate::head::decimate::{point_segment_distance_sq, point_triangle_distance_sq};
use crate::head::Mesh;
use glam::Vec3;

/// Slack on the exclusion radius, mm: far above the f32 error of a candidate interpolated on a
/// head-sized triangle (~10⁻⁵ mm), far below a root spacing.
const SLACK_MM: f32 = 0.01;

/// Most roots a triangle's list holds; a triangle with more near it takes the hashed cells (a
/// list is worth it while it is shorter than the ~8 cells' roots). The built-in head's
/// triangles (~1.3 mm²) list up to ~20.
pub const MAX_LISTED: usize = 48;
/// Most grid cells a triangle's box may span for its list to be made (beyond: flagged unread).
const MAX_BOX_CELLS: i64 = 512;
/// Set in a triangle's end word: its candidates hash the cells (no list).
pub const CELLS_FLAG: u32 = 1 << 31;

/// Header words of [`HairGrid::gpu_words`] that say where the lists start (0: no lists), as
/// offsets from the hair words' start: the table of per-triangle starts, and the roots.
pub const TABLE_WORD: usize = 9;
pub const ROOTS_WORD: usize = 10;
const _: () = assert!(
    TABLE_WORD > 8
        && ROOTS_WORD > TABLE_WORD
        && ROOTS_WORD < super::hair_grid::SPACING_WORD
        && super::hair_grid::SPACING_WORD + 5 <= super::hair_grid::HEADER_WORDS,
    "the lists' words lie after the keep factors and before the spacing factors, all within \
     the header"
);

/// Triangle `t`'s roots are `roots[starts[t]..starts[t + 1]]` (both without [`CELLS_FLAG`]);
/// `starts[t + 1]` carries the flag where the triangle has no list and takes the cells.
#[derive(Clone, Debug, PartialEq)]
pub struct TriangleRoots {
    pub starts: Vec<u32>,
    pub roots: Vec<[f32; 3]>,
}

/// Whether `q` lies within `reach` of triangle `abc`, erring only towards yes: the f32
/// closest-point distance loses its accuracy on slivers, the distances to the edges do not, and
/// the nearer of the two is never farther than the truth.
fn within(q: Vec3, [a, b, c]: [Vec3; 3], reach: f32) -> bool {
    let r2 = reach * reach;
    point_triangle_distance_sq(q, a, b, c) < r2
        || point_segment_distance_sq(q, a, b) < r2
        || point_segment_distance_sq(q, b, c) < r2
        || point_segment_distance_sq(q, c, a) < r2
}

impl TriangleRoots {
    /// The roots of `grid` near each of `tris` (vertex indices into `mesh`, as
    /// `Layout::tris`).
    pub fn new(grid: &HairGrid, mesh: &Mesh, tris: &[[u32; 4]]) -> TriangleRoots {
        let reach = grid.radius_mm + SLACK_MM;
        // None: too big for a list.
        let per_tri: Vec<Option<Vec<[f32; 3]>>> = crate::parallel::map(tris, |t| {
            let corners = [0, 1, 2].map(|k| mesh.positions[t[k] as usize]);
            let [a, b, c] = corners;
            let (lo, hi) = (a.min(b).min(c) - reach, a.max(b).max(c) + reach);
            let cells = ((hi - lo) / grid.cell_mm + 2.0).as_i64vec3();
            if cells.x * cells.y * cells.z > MAX_BOX_CELLS {
                return None;
            }
            let mut near = Vec::new();
            grid.roots_in_box(lo, hi, |q| {
                if within(Vec3::from_array(*q), corners, reach) {
                    near.push(*q);
                }
            });
            (near.len() <= MAX_LISTED).then_some(near)
        });
        let mut starts = Vec::with_capacity(tris.len() + 1);
        starts.push(0u32);
        let mut roots = Vec::new();
        for near in per_tri {
            let flag = match near {
                Some(near) => {
                    roots.extend(near);
                    0
                }
                None => CELLS_FLAG,
            };
            starts.push(roots.len() as u32 | flag);
        }
        TriangleRoots { starts, roots }
    }

    /// How many triangles take the cells instead of a list.
    pub fn unlisted(&self) -> usize {
        self.starts.iter().filter(|s| *s & CELLS_FLAG != 0).count()
    }

    /// Triangle `t`'s list, or None where it takes the cells.
    pub fn list(&self, t: usize) -> Option<&[[f32; 3]]> {
        let end = self.starts[t + 1];
        (end & CELLS_FLAG == 0)
            .then(|| &self.roots[(self.starts[t] & !CELLS_FLAG) as usize..end as usize])
    }

    /// `hair` (the words of [`HairGrid::gpu_words`]) with the lists appended and the header
    /// pointing at them.
    pub fn append_gpu_words(&self, hair: &mut Vec<u32>) {
        let table = hair.len();
        hair[TABLE_WORD] = table as u32;
        hair[ROOTS_WORD] = (table + self.starts.len()) as u32;
        hair.extend_from_slice(&self.starts);
        hair.extend(self.roots.iter().flatten().map(|f| f.to_bits()));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::rand01;

    #[test]
    fn a_triangles_list_blocks_exactly_what_the_grid_blocks_on_it() {
        // A bumpy 30 mm patch of 2×2 mm quads, roots at 2/mm² on it.
        let n = 15;
        let height = |x: f32, z: f32| 90.0 + 0.8 * (x * 0.7).sin() * (z * 0.5).cos();
        let mut mesh = Mesh::default();
        for j in 0..=n {
            for i in 0..=n {
                let (x, z) = (2.0 * i as f32 - 15.0, 2.0 * j as f32 - 15.0);
                mesh.positions.push(Vec3::new(x, height(x, z), z));
                mesh.normals.push(Vec3::Y);
            }
        }
        let v = |i: u32, j: u32| j * (n + 1) + i;
        let mut tris = Vec::new();
        for j in 0..n {
            for i in 0..n {
                tris.push([v(i, j), v(i + 1, j), v(i + 1, j + 1), 0]);
                tris.push([v(i, j), v(i + 1, j + 1), v(i, j + 1), 0]);
            }
        }
        let roots: Vec<[f32; 3]> = (0..1800)
            .map(|k| {
                let (x, z) = (rand01(5, k, 0) * 30.0 - 15.0, rand01(5, k, 1) * 30.0 - 15.0);
                [x, height(x, z), z]
            })
            .collect();
        let grid = HairGrid::new(&roots, 0.44, [1.0; 5]);
        let near = TriangleRoots::new(&grid, &mesh, &tris);
        assert_eq!(near.starts.len(), tris.len() + 1);
        let (mut blocked, mut tested, mut listed_max) = (0, 0, 0);
        for (t, tri) in tris.iter().enumerate() {
            let list = near.list(t).expect("every 2 mm triangle has a list");
            listed_max = listed_max.max(list.len());
            let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[tri[k] as usize]);
            for k in 0..40 {
                // As generate.wgsl interpolates a candidate.
                let (u, w) = (rand01(9, k, t as u32), rand01(9, k, 7 + t as u32));
                let su = u.sqrt();
                let p = a * (1.0 - su) + b * (su * (1.0 - w)) + c * (su * w);
                let by_list = list.iter().any(|q| {
                    let d = p - Vec3::from_array(*q);
                    d.dot(d) < grid.radius_mm * grid.radius_mm
                });
                assert_eq!(
                    by_list,
                    grid.blocks(p),
                    "triangle {t}, candidate {k} at {p}"
                );
                blocked += by_list as u32;
                tested += 1;
            }
        }
        // About 2 roots/mm² and discs of 0.44 mm: most of the area is blocked, not all.
        assert!(
            blocked > tested / 4 && blocked < tested,
            "{blocked} of {tested}"
        );
        // Lists hold the roots on and just beside a 2 mm² triangle, not a whole neighbourhood.
        assert!(listed_max < 40, "{listed_max}");
    }

    #[test]
    fn a_sliver_keeps_the_roots_beside_its_long_edge_and_a_huge_triangle_takes_the_cells() {
        // A 2 mm sliver 1e-5 mm high, 80 mm out; points 0.40-0.44 mm from its long edge, within
        // a 0.45 mm reach: each must count as near (the f32 closest point alone misjudges
        // slivers by up to a millimetre).
        let base = Vec3::new(81.3, 12.7, 5.9);
        let edge = Vec3::new(2.0, 0.3, -0.5).normalize() * 2.0;
        let up = edge.cross(Vec3::Y).normalize();
        let side = edge.cross(up).normalize();
        let sliver = [base, base + edge, base + edge * 0.5 + up * 1e-5];
        for k in 0..200_000 {
            let along = 0.05 + 0.9 * rand01(11, k, 0);
            let off = 0.40 + 0.04 * rand01(11, k, 1);
            let angle = std::f32::consts::TAU * rand01(11, k, 2);
            let q = base + edge * along + (up * angle.cos() + side * angle.sin()) * off;
            assert!(within(q, sliver, 0.45), "point {k} at {q}");
        }
        // A 60 mm triangle spans far more cells than a list is made for; a small one beside it
        // keeps its list, starting where the flagged one left off.
        let mesh = Mesh {
            positions: vec![
                Vec3::new(-100.0, 0.0, 0.0),
                Vec3::new(-40.0, 0.0, 0.0),
                Vec3::new(-70.0, 0.0, 60.0),
                Vec3::new(0.0, 0.0, 0.0),
                Vec3::new(1.0, 0.0, 0.0),
                Vec3::new(0.0, 0.0, 1.0),
            ],
            normals: vec![Vec3::Y; 6],
            indices: vec![],
        };
        let roots = [[-70.0, 0.0, 10.0], [0.2, 0.0, 0.2], [0.5, 0.3, 0.1]];
        let grid = HairGrid::new(&roots, 0.45, [1.0; 5]);
        let near = TriangleRoots::new(&grid, &mesh, &[[0, 1, 2, 0], [3, 4, 5, 0]]);
        assert!(near.list(0).is_none());
        assert_eq!(near.unlisted(), 1);
        assert_eq!(near.list(1).map(|l| l.len()), Some(2));
    }

    #[test]
    fn the_gpu_words_point_at_the_lists() {
        let grid = HairGrid::new(&[[0.0, 0.0, 0.0], [5.0, 0.0, 0.0]], 0.4, [1.0; 5]);
        let mesh = Mesh {
            positions: vec![Vec3::ZERO, Vec3::X, Vec3::Z, Vec3::new(5.0, 0.0, 0.0)],
            normals: vec![Vec3::Y; 4],
            indices: vec![],
        };
        let near = TriangleRoots::new(&grid, &mesh, &[[0, 1, 2, 0], [3, 1, 2, 0]]);
        assert_eq!(near.starts, vec![0, 1, 2]);
        let mut w = grid.gpu_words();
        let hair_len = w.len();
        near.append_gpu_words(&mut w);
        assert_eq!(w[TABLE_WORD] as usize, hair_len);
        assert_eq!(w[ROOTS_WORD] as usize, hair_len + 3);
        assert_eq!(&w[hair_len..hair_len + 3], &[0, 1, 2]);
        assert_eq!(f32::from_bits(w[hair_len + 6]), 5.0);
    }
}
