//! Per candidate triangle, the client's hair roots a candidate on it can come near. The
//! generation shader tests a candidate against its own triangle's short list instead of
//! hashing the 2×2×2 grid cells round it ([`HairGrid::blocks`], which the CPU reference keeps):
//! a CPU driver runs every lane of a SIMD group through the longest of their cell loops, and
//! that test was three quarters of the candidates' pass. The candidates of one triangle sit in
//! one run of threads, so their loops are the same length. The answer is the same: a list holds
//! every root within the exclusion radius of any point of the triangle, with slack for the f32
//! interpolation of a candidate's position.
use super::hair_grid::HairGrid;
use crate::head::decimate::point_triangle_distance_sq;
use crate::head::Mesh;
use glam::Vec3;

/// Slack on the exclusion radius, mm: far above the f32 error of a candidate interpolated on a
/// head-sized triangle (~10⁻⁵ mm), far below a root spacing.
const SLACK_MM: f32 = 0.01;

/// Header words of [`HairGrid::gpu_words`] that say where the lists start (0: no lists), as
/// offsets from the hair words' start: the table of per-triangle starts, and the roots.
pub const TABLE_WORD: usize = 9;
pub const ROOTS_WORD: usize = 10;
const _: () = assert!(
    TABLE_WORD > 8 && ROOTS_WORD > TABLE_WORD && ROOTS_WORD < super::hair_grid::HEADER_WORDS,
    "the lists' words lie after the keep factors, within the header"
);

/// Triangle `t`'s roots are `roots[starts[t]..starts[t + 1]]`.
#[derive(Clone, Debug, PartialEq)]
pub struct TriangleRoots {
    pub starts: Vec<u32>,
    pub roots: Vec<[f32; 3]>,
}

impl TriangleRoots {
    /// The roots of `grid` near each of `tris` (vertex indices into `mesh`, as
    /// `Layout::tris`).
    pub fn new(grid: &HairGrid, mesh: &Mesh, tris: &[[u32; 4]]) -> TriangleRoots {
        let reach = grid.radius_mm + SLACK_MM;
        let per_tri: Vec<Vec<[f32; 3]>> = crate::parallel::map(tris, |t| {
            let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[t[k] as usize]);
            let mut near = Vec::new();
            grid.roots_in_box(a.min(b).min(c) - reach, a.max(b).max(c) + reach, |q| {
                if point_triangle_distance_sq(Vec3::from_array(*q), a, b, c) < reach * reach {
                    near.push(*q);
                }
            });
            near
        });
        let mut starts = Vec::with_capacity(tris.len() + 1);
        starts.push(0u32);
        let mut roots = Vec::new();
        for near in per_tri {
            roots.extend(near);
            starts.push(roots.len() as u32);
        }
        TriangleRoots { starts, roots }
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
            let list = &near.roots[near.starts[t] as usize..near.starts[t + 1] as usize];
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
