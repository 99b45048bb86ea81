//! The built-in head as the reference shape of the automatic fit: its triangles for closest
//! points, nearest-vertex look-ups, statistics of its surface, and its nasion and ear tops.
use super::cues::{find, Found, Plane, CUE_SAMPLES, FACE_REACH_MM, FACE_SAMPLES};
use super::geometry::{centroid_rms, closest_on_triangle, surface_samples};
use super::kdtree::{KdTree, NearestGrid};
use crate::error::{Result, ScalpError};
use crate::head::Head;
use glam::{DVec3, Vec3};
use std::sync::OnceLock;

/// Height of the cranium cap whose centre places a start front–back and left–right, mm.
const CAP_MM: f64 = 110.0;

/// Cell size and margin around the built-in head of the nearest-vertex grid, mm.
const GRID_MM: f64 = 2.5;

const GRID_MARGIN_MM: f64 = 60.0;

/// The built-in head as the reference shape: its triangles for closest points, a k-d tree of
/// its vertices, statistics of its surface, and its nasion and ear tops.
pub struct Template {
    verts: Vec<DVec3>,
    tris: Vec<[u32; 3]>,
    tri_normal: Vec<DVec3>,
    /// Triangles around each vertex (compressed rows).
    vtri_start: Vec<u32>,
    vtri: Vec<u32>,
    kd: KdTree,
    grid: NearestGrid,
    pub(super) rms_radius: f64,
    pub(super) top: f64,
    pub(super) cap_centre: DVec3,
    pub(super) cap_radius: f64,
    /// The lowest point of the built-in head (its neck cut), mm.
    pub(super) bottom: f64,
    pub nasion: Vec3,
    pub ear_left: Vec3,
    pub ear_right: Vec3,
    /// The cues found on the built-in head as on a scan (its nose and ear peaks), where a
    /// fitted scan's must land.
    pub(super) cues: Found,
}

/// The built-in head as the alignment reference (built once).
pub fn template() -> Result<&'static Template> {
    static T: OnceLock<std::result::Result<Template, String>> = OnceLock::new();
    T.get_or_init(|| {
        Head::builtin()
            .map(|h| Template::new(&h))
            .map_err(|e| e.to_string())
    })
    .as_ref()
    .map_err(|e| ScalpError::invalid("built-in head", e.clone()))
}

impl Template {
    fn new(head: &Head) -> Template {
        let m = &head.mesh;
        let verts: Vec<DVec3> = m.positions.iter().map(|p| p.as_dvec3()).collect();
        let tris: Vec<[u32; 3]> = m
            .indices
            .chunks_exact(3)
            .map(|t| [t[0], t[1], t[2]])
            .collect();
        let tri_normal = tris
            .iter()
            .map(|t| {
                let [a, b, c] = t.map(|i| verts[i as usize]);
                (b - a).cross(c - a).normalize_or_zero()
            })
            .collect();
        let mut vtri_start = vec![0u32; verts.len() + 1];
        for t in &tris {
            for &i in t {
                vtri_start[i as usize + 1] += 1;
            }
        }
        for i in 0..verts.len() {
            vtri_start[i + 1] += vtri_start[i];
        }
        let mut fill = vtri_start.clone();
        let mut vtri = vec![0u32; vtri_start[verts.len()] as usize];
        for (k, t) in tris.iter().enumerate() {
            for &i in t {
                vtri[fill[i as usize] as usize] = k as u32;
                fill[i as usize] += 1;
            }
        }
        let kd = KdTree::new(&verts);
        let grid = NearestGrid::new(&verts, GRID_MM, GRID_MARGIN_MM);
        let samples = surface_samples(&m.positions, &tris, 20_000, 7);
        let (centroid, rms_radius) = centroid_rms(&samples);
        let (top, cap_centre, cap_radius) = top_and_cap(&samples);
        let bottom = samples.iter().map(|p| p.y).fold(f64::INFINITY, f64::min);
        let cue_samples: Vec<DVec3> = surface_samples(&m.positions, &tris, CUE_SAMPLES, 3)
            .iter()
            .map(|p| *p - centroid)
            .collect();
        // The built-in head is symmetric about x = 0.
        let midline = Plane {
            normal: DVec3::X,
            offset: -centroid.x,
            mirror_rms: 0.0,
        };
        let mut cues = find(&cue_samples, rms_radius, rms_radius, Some(midline));
        if let Some(n) = cues.nose {
            let face: Vec<DVec3> = surface_samples(&m.positions, &tris, 4 * FACE_SAMPLES, 5)
                .into_iter()
                .map(|p| p - centroid)
                .filter(|p| p.distance(n.at) < FACE_REACH_MM)
                .collect();
            if let Some((own, _)) = cues.ears_to_nose() {
                cues.look_for_sockets(&face, own);
            }
        }
        cues.shift(centroid);
        let lm = head.landmarks;
        Template {
            nasion: find_nasion(&m.positions, lm.glabella),
            ear_left: lm.ear_top_left,
            ear_right: lm.ear_top_right,
            verts,
            tris,
            tri_normal,
            vtri_start,
            vtri,
            kd,
            grid,
            rms_radius,
            top,
            cap_centre,
            cap_radius,
            bottom,
            cues,
        }
    }

    /// The closest point of the surface to `q` (searched on the triangles around the nearest
    /// vertex), the normal of its triangle, and the distance. `fast`: take the vertex from
    /// the precomputed grid, nearly always the nearest one (exact enough to choose and refine
    /// a start, not for the last fraction of a millimetre).
    pub(super) fn closest(&self, q: DVec3, fast: bool) -> (DVec3, DVec3, f64) {
        let v = if fast {
            self.grid.lookup(q)
        } else {
            self.kd.nearest(&self.verts, q)
        } as usize;
        let mut best = (self.verts[v], DVec3::Y, f64::INFINITY);
        for &t in &self.vtri[self.vtri_start[v] as usize..self.vtri_start[v + 1] as usize] {
            let [a, b, c] = self.tris[t as usize].map(|i| self.verts[i as usize]);
            let p = closest_on_triangle(q, a, b, c);
            let d = p.distance(q);
            if d < best.2 {
                best = (p, self.tri_normal[t as usize], d);
            }
        }
        best
    }
}

/// The height below which 99.5% of the points lie, the centroid of the points within
/// [`CAP_MM`] below it, and their RMS horizontal distance from it (the cap's girth).
pub(super) fn top_and_cap(pts: &[DVec3]) -> (f64, DVec3, f64) {
    if pts.is_empty() {
        return (0.0, DVec3::ZERO, 1.0);
    }
    let mut ys: Vec<f64> = pts.iter().map(|p| p.y).collect();
    let k = ((ys.len() as f64 * 0.995) as usize).min(ys.len() - 1);
    let top = *ys.select_nth_unstable_by(k, f64::total_cmp).1;
    let (mut sum, mut n) = (DVec3::ZERO, 0usize);
    for p in pts.iter().filter(|p| p.y > top - CAP_MM) {
        sum += *p;
        n += 1;
    }
    let centre = sum / n.max(1) as f64;
    let girth = pts
        .iter()
        .filter(|p| p.y > top - CAP_MM)
        .map(|p| (p.x - centre.x).powi(2) + (p.z - centre.z).powi(2))
        .sum::<f64>();
    (top, centre, (girth / n.max(1) as f64).sqrt())
}

/// The built-in head's nasion: on the midline, the deepest point of the profile between the
/// glabella and the nose (the frontmost surface of each 1 mm row, least far forward).
fn find_nasion(positions: &[Vec3], glabella: Vec3) -> Vec3 {
    let rows = 30usize;
    let mut front: Vec<Option<Vec3>> = vec![None; rows];
    for p in positions {
        let below = glabella.y - p.y;
        if p.x.abs() > 1.5 || p.z < 0.0 || !(0.0..rows as f32).contains(&below) {
            continue;
        }
        let r = below as usize;
        if front[r].is_none_or(|f| p.z > f.z) {
            front[r] = Some(*p);
        }
    }
    // Down from the glabella the profile recedes, then the nose comes forward: stop there.
    let mut best = glabella;
    for f in front.into_iter().flatten() {
        if f.z < best.z {
            best = f;
        } else if f.z > best.z + 2.0 {
            break;
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_nasion_is_below_the_glabella_on_the_midline() {
        let h = Head::builtin().unwrap();
        let t = template().unwrap();
        let g = h.landmarks.glabella;
        assert!(t.nasion.x.abs() < 1.5);
        assert!(
            (5.0..30.0).contains(&(g.y - t.nasion.y)),
            "nasion {} glabella {g}",
            t.nasion
        );
        assert!(t.nasion.z < g.z && t.nasion.z > g.z - 20.0);
    }

    /// The built-in head's own cues find its eye sockets above its nose, and ears whose
    /// centres lie near its ear tops.
    #[test]
    fn the_built_in_head_has_eye_sockets_above_its_nose_and_ears_at_its_sides() {
        let t = template().unwrap();
        let s = t.cues.sockets.expect("looked for at the nose");
        eprintln!(
            "sockets {s:?}, pinnae {:?}, ear tops {} {}",
            t.cues.pinnae, t.ear_left, t.ear_right
        );
        assert!(s.tell_up() && s.up.y > 0.95, "{s:?}");
        let [l, r] = t.cues.pinnae.expect("ears");
        assert!(l.distance(t.ear_left.as_dvec3()) < 40.0, "{l}");
        assert!(r.distance(t.ear_right.as_dvec3()) < 40.0, "{r}");
    }
}
