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
//! - **In parts**: a big mesh is cut into parts of [`PART_TRIANGLES`], decimated side by side
//!   with their cuts held, then finished about the cuts on the whole mesh. Every check gives
//!   the same answer in a part as on the whole for a vertex more than two edges from a cut
//!   (the same triangles, normals and filings, ties broken by geometry, not by list order), so
//!   the work ends, as it does serially, only when no vertex left can collapse.
//!
//! Files: `state.rs` the mesh as it is and the checks, `queue.rs` the order, `measure.rs`
//! distances for tests and reports.
use super::Mesh;
use glam::Vec3;
use state::{Quadric, State, Work};

mod measure;
mod queue;
mod state;

pub use measure::{max_deviation, subdivided_builtin_head, surface_distances, surface_samples};
pub(crate) use state::{point_segment_distance_sq, point_triangle_distance_sq};

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

/// The triangles of `mesh` decimated within [`MAX_DEVIATION_MM`], each as three of the mesh's
/// own vertex ids (a half-edge collapse keeps every surviving vertex where it was), so a
/// renderer draws them from the vertex buffer it already has. Far fewer triangles for a
/// surface that stays within a third of a dot's diameter of the original: the viewer's
/// previews draw the skin from them ([`crate::render::HeadGpu::set_coarse`]).
pub fn coarse_triangles(mesh: &Mesh) -> Vec<u32> {
    let d = decimate(&mesh.positions, &mesh.indices, &DecimateOptions::default());
    d.indices.iter().map(|&i| d.kept[i as usize]).collect()
}

/// Decimates `mesh` when it has more than [`DECIMATE_ABOVE_TRIANGLES`] triangles, with the
/// default bound; `None` (leave it as it is) otherwise. Apply the result to the mesh with
/// [`Decimated::apply_to_mesh`] and to every other per-vertex attribute with
/// [`Decimated::apply`].
pub fn decimate_if_big(mesh: &Mesh) -> Option<Decimated> {
    (mesh.triangle_count() > DECIMATE_ABOVE_TRIANGLES)
        .then(|| decimate(&mesh.positions, &mesh.indices, &DecimateOptions::default()))
}

/// Meshes with more triangles than this are decimated in parts: each part (about this many
/// triangles, contiguous in space) on its own, in parallel, with its cut edges held, then the
/// whole mesh about the cuts. Fixed, so the result does not depend on the machine's cores.
pub const PART_TRIANGLES: usize = 100_000;

/// Decimates the triangle mesh (`positions`, three `indices` per triangle) as far as `opts`
/// allow. Triangles with an index out of range, a repeated corner or a non-finite corner are
/// dropped first. Never panics; an empty or tiny mesh comes back as it is (less such triangles).
///
/// Every collapse is checked the same way whichever way the work is split: a mesh of more
/// than [`PART_TRIANGLES`] (and no triangle target) is first decimated part by part, then
/// the vertices about the cuts between parts get their turn on the whole mesh. Either way the
/// work ends only when no vertex left can collapse within the bound.
pub fn decimate(positions: &[Vec3], indices: &[u32], opts: &DecimateOptions) -> Decimated {
    let start = std::time::Instant::now();
    let (st, work, parts) = decimate_in_parts(positions, indices, opts, PART_TRIANGLES);
    let out = st.finish(indices.len() / 3, start);
    log::debug!(
        "decimated: {:?}; {parts} part(s), {} queue entries taken, {} collapses checked, {} \
         done",
        out.report,
        work.pops,
        work.checks,
        work.collapses
    );
    out
}

/// [`decimate`] in parts of about `part_triangles` (serially when that makes one part or
/// the work has a triangle target): the state it leaves, its work, and how many parts.
fn decimate_in_parts<'a>(
    positions: &'a [Vec3],
    indices: &[u32],
    opts: &DecimateOptions,
    part_triangles: usize,
) -> (State<'a>, Work, usize) {
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
    let bound_sq = opts.max_deviation_mm.max(0.0).powi(2);
    let parts = tris.len().div_ceil(part_triangles.max(1));
    let vnormal = state::vertex_normals(positions, &tris);
    let (mut st, mut queue, mut work) = if parts >= 2 && opts.target_triangles == 0 {
        // The whole mesh's state is set up beside the parts' work (it needs none of it).
        let (done, mut st) = std::thread::scope(|s| {
            let whole = s.spawn(|| State::new(positions, tris.clone(), vnormal.clone(), bound_sq));
            let done = decimate_parts(positions, &tris, &vnormal, parts, bound_sq);
            let st = whole
                .join()
                .unwrap_or_else(|e| std::panic::resume_unwind(e));
            (done, st)
        });
        let (queue, work) = st.resume(done.0, &done.1);
        (st, queue, work)
    } else {
        let st = State::new(positions, tris, vnormal, bound_sq);
        let queue = st.queue_all();
        (st, queue, Work::default())
    };
    work.add(&st.run(&mut queue, opts.target_triangles));
    (st, work, parts.max(1))
}

/// What decimating one part left, in the whole mesh's vertex ids.
struct Part {
    /// The part's triangles left, and the removed vertices filed under each.
    tris: Vec<[u32; 3]>,
    points: Vec<Vec<u32>>,
    /// Each of the part's vertices' quadric as the part left it (for a vertex on a cut, this
    /// part's share: the whole mesh adds the parts' shares up).
    quadric: Vec<(u32, Quadric)>,
    removed: Vec<u32>,
    work: Work,
}

/// Splits `tris` into `parts` runs contiguous in space (by the Morton code of their centroids)
/// and decimates each as a mesh of its own, in parallel. A part holds the vertices on its cuts
/// (see below), and it measures the bound the other way against its own original triangles
/// only: a subset of the whole surface, so on distance it can only refuse more. Returns the
/// parts, and which vertices are on a cut.
fn decimate_parts(
    positions: &[Vec3],
    tris: &[[u32; 3]],
    vnormal: &[Vec3],
    parts: usize,
    bound_sq: f32,
) -> (Vec<Part>, Vec<bool>) {
    let centroid = |t: &[u32; 3]| t.iter().map(|&w| positions[w as usize]).sum::<Vec3>() / 3.0;
    let (lo, hi) = tris.iter().fold((Vec3::MAX, Vec3::MIN), |(lo, hi), t| {
        let c = centroid(t);
        (lo.min(c), hi.max(c))
    });
    let scale = 2_097_151.0 / (hi - lo).max_element().max(f32::MIN_POSITIVE);
    let mut order: Vec<(u64, u32)> = tris
        .iter()
        .enumerate()
        .map(|(t, tri)| {
            let q = ((centroid(tri) - lo) * scale).clamp(Vec3::ZERO, Vec3::splat(2_097_151.0));
            (morton3(q.x as u32, q.y as u32, q.z as u32), t as u32)
        })
        .collect();
    order.sort_unstable();
    let size = order.len().div_ceil(parts);
    let chunks: Vec<&[(u64, u32)]> = order.chunks(size).collect();
    // The vertices on a cut: used by more than one part. Each part holds them (they do not
    // move, nothing collapses onto them): a part sees only some of their triangles, so it can
    // judge neither their removal nor what a collapse onto them makes. That includes a
    // vertex whose triangles in one part happen to close a fan (a bowtie across a cut).
    const NONE: u32 = u32::MAX;
    const SHARED: u32 = u32::MAX - 1;
    let mut owner = vec![NONE; positions.len()];
    for (k, chunk) in chunks.iter().enumerate() {
        for &(_, t) in chunk.iter() {
            for w in tris[t as usize] {
                let o = &mut owner[w as usize];
                if *o == NONE {
                    *o = k as u32;
                } else if *o != k as u32 {
                    *o = SHARED;
                }
            }
        }
    }
    let done = crate::parallel::map(&chunks, |chunk| {
        // The part as a mesh of its own: its vertices renumbered in the whole's order.
        let mut verts: Vec<u32> = chunk.iter().flat_map(|&(_, t)| tris[t as usize]).collect();
        verts.sort_unstable();
        verts.dedup();
        let local = |w: u32| verts.binary_search(&w).map_or(u32::MAX, |i| i as u32);
        let pos: Vec<Vec3> = verts.iter().map(|&w| positions[w as usize]).collect();
        let part_tris = chunk
            .iter()
            .map(|&(_, t)| tris[t as usize].map(local))
            .collect();
        let normals = verts.iter().map(|&w| vnormal[w as usize]).collect();
        let mut st = State::new(&pos, part_tris, normals, bound_sq);
        st.held = verts.iter().map(|&w| owner[w as usize] == SHARED).collect();
        for (lock, &held) in st.locked.iter_mut().zip(&st.held) {
            *lock |= held;
        }
        let mut queue = st.queue_all();
        let work = st.run(&mut queue, 0);
        let global = |w: u32| verts[w as usize];
        let (mut tris_left, mut points) = (Vec::new(), Vec::new());
        for (t, tri) in st.tris.iter().enumerate() {
            if st.alive[t] {
                tris_left.push(tri.map(global));
                points.push(st.points[t].iter().map(|&p| global(p)).collect());
            }
        }
        Part {
            tris: tris_left,
            points,
            quadric: (0..verts.len())
                .map(|w| (verts[w], st.quadric[w]))
                .collect(),
            removed: (0..verts.len() as u32)
                .filter(|&w| st.removed[w as usize])
                .map(global)
                .collect(),
            work,
        }
    });
    (done, owner.iter().map(|&o| o == SHARED).collect())
}

/// The Morton code of a cell with 21-bit coordinates: nearby cells get nearby codes.
fn morton3(x: u32, y: u32, z: u32) -> u64 {
    let spread = |v: u32| {
        let mut v = u64::from(v) & 0x1f_ffff;
        v = (v | v << 32) & 0x1f_0000_0000_ffff;
        v = (v | v << 16) & 0x1f_0000_ff00_00ff;
        v = (v | v << 8) & 0x100f_00f0_0f00_f00f;
        v = (v | v << 4) & 0x10c3_0c30_c30c_30c3;
        v = (v | v << 2) & 0x1249_2492_4924_9249;
        v
    };
    spread(x) | spread(y) << 1 | spread(z) << 2
}

#[cfg(test)]
mod tests {
    use super::*;

    /// How many vertices left could still collapse within the bound.
    fn collapsible(st: &State) -> usize {
        let (mut nu, mut s) = (Vec::new(), state::Scratch::default());
        (0..st.pos.len() as u32)
            .filter(|&u| !st.locked[u as usize] && !st.removed[u as usize])
            .filter(|&u| {
                let cands = st.candidates(u, &mut nu);
                cands.iter().any(|&(_, v)| st.check(u, v, &nu, &mut s))
            })
            .count()
    }

    #[test]
    fn decimating_in_parts_leaves_no_collapse_undone() {
        let head = crate::head::Head::builtin().expect("built-in head").mesh;
        let opts = DecimateOptions::default();
        let (whole, _, parts) = decimate_in_parts(&head.positions, &head.indices, &opts, 1 << 30);
        assert_eq!(parts, 1);
        assert_eq!(collapsible(&whole), 0, "serially");
        // Eight parts of the built-in head: plenty of cuts to finish about.
        let (cut, _, parts) = decimate_in_parts(&head.positions, &head.indices, &opts, 13_000);
        assert_eq!(parts, 8);
        assert_eq!(collapsible(&cut), 0, "in parts");
        // About as far as serially (the order differs, not the rule).
        let (a, b) = (whole.alive_count as f64, cut.alive_count as f64);
        assert!(
            (a - b).abs() < 0.03 * a,
            "{a} triangles serially, {b} in parts"
        );
        // And the result does not depend on the threads: the parts are fixed by the mesh.
        let again = decimate_in_parts(&head.positions, &head.indices, &opts, 13_000).0;
        assert_eq!(again.tris, cut.tris);
    }

    /// Two closed fans of three triangles meeting at vertex 0 (a bowtie), one fan in each
    /// part: 0 closes a fan in either part, yet it is on the cut and must stay (found in
    /// review: it was removed by one part while the other's triangles still used it).
    #[test]
    fn a_bowtie_across_a_cut_stays_whole() {
        let positions = vec![
            Vec3::new(0.0, 0.0, 0.0),
            Vec3::new(1.0, 0.0, -10.0),
            Vec3::new(0.0, 0.0, 0.02),
            Vec3::new(-1.0, 0.0, -10.0),
            Vec3::new(1.0, 1.0, 10.0),
            Vec3::new(0.0, 0.5, -0.02),
            Vec3::new(-1.0, 1.0, 10.0),
        ];
        let up = |t: [u32; 3]| {
            let [a, b, c] = t.map(|w| positions[w as usize]);
            if (b - a).cross(c - a).y < 0.0 {
                [t[0], t[2], t[1]]
            } else {
                t
            }
        };
        let tris = [
            [0, 1, 2],
            [0, 2, 3],
            [0, 3, 1],
            [0, 4, 5],
            [0, 5, 6],
            [0, 6, 4],
        ]
        .map(up);
        let indices: Vec<u32> = tris.iter().flatten().copied().collect();
        let opts = DecimateOptions::default();
        for part_triangles in [1 << 30, 3] {
            let (st, _, parts) = decimate_in_parts(&positions, &indices, &opts, part_triangles);
            assert_eq!(parts, if part_triangles == 3 { 2 } else { 1 });
            assert!(st.locked[0], "the bowtie's vertex is held ({parts} parts)");
            let out = st.finish(6, std::time::Instant::now());
            assert!(
                out.indices.iter().all(|&i| (i as usize) < out.kept.len()),
                "{parts} parts: {:?} over {:?}",
                out.indices,
                out.kept
            );
            assert!(out.kept.contains(&0));
        }
    }
}
