//! The head: a triangle mesh in head space (millimetres, +Y up, face toward +Z, origin
//! near the centre of the skull) and the scalp landmarks the hairline design refers to.
pub mod align;
pub mod decimate;
pub mod formats;
pub mod gltf;
pub mod obj;
pub mod ply;
pub mod raw;
pub mod repair;
pub mod scan;
pub mod sculpt;
pub mod stl;
pub mod texture;

use crate::error::{Result, ScalpError};
use glam::Vec3;
use serde::{Deserialize, Serialize};
use std::path::{Path, PathBuf};

/// How far a built-in landmark may move along its normal onto a fitted scan, mm: past a
/// sculpted hair mass (~15 mm proud of the skull).
pub const TRANSFER_MAX_MM: f32 = 25.0;
/// How far from that normal line the scan's vertex may be, mm: a few scan edges.
pub const TRANSFER_REACH_MM: f32 = 3.0;

/// An indexed triangle mesh in head space. Normals are per vertex, unit length.
#[derive(Clone, Debug, Default)]
pub struct Mesh {
    pub positions: Vec<Vec3>,
    pub normals: Vec<Vec3>,
    /// Three indices per triangle.
    pub indices: Vec<u32>,
}

impl Mesh {
    pub fn triangle_count(&self) -> usize {
        self.indices.len() / 3
    }

    /// Where the ray from `origin` along `dir` first meets the surface, if it does (one ray,
    /// every triangle: for aiming a camera, not for bulk work).
    pub fn first_hit(&self, origin: Vec3, dir: Vec3) -> Option<Vec3> {
        let dir = dir.normalize_or_zero();
        let mut nearest = f32::INFINITY;
        for t in 0..self.triangle_count() {
            let [a, b, c] = self.triangle(t);
            // Möller–Trumbore.
            let (e1, e2) = (b - a, c - a);
            let p = dir.cross(e2);
            let det = e1.dot(p);
            if det.abs() < 1e-12 {
                continue;
            }
            let s = (origin - a) / det;
            let u = s.dot(p);
            let q = s.cross(e1);
            let v = dir.dot(q);
            let d = e2.dot(q);
            if u >= 0.0 && v >= 0.0 && u + v <= 1.0 && d > 0.0 && d < nearest {
                nearest = d;
            }
        }
        nearest.is_finite().then(|| origin + dir * nearest)
    }

    pub fn triangle(&self, t: usize) -> [Vec3; 3] {
        let i = &self.indices[3 * t..3 * t + 3];
        [
            self.positions[i[0] as usize],
            self.positions[i[1] as usize],
            self.positions[i[2] as usize],
        ]
    }

    /// Area of triangle `t` in mm².
    pub fn triangle_area(&self, t: usize) -> f32 {
        let [a, b, c] = self.triangle(t);
        0.5 * (b - a).cross(c - a).length()
    }

    pub fn bounds(&self) -> (Vec3, Vec3) {
        let mut lo = Vec3::splat(f32::INFINITY);
        let mut hi = Vec3::splat(f32::NEG_INFINITY);
        for p in &self.positions {
            lo = lo.min(*p);
            hi = hi.max(*p);
        }
        (lo, hi)
    }

    /// Smooth per-vertex normals, area-weighted (the cross product's length is twice the area).
    /// Used when a file has no normals or has normals that do not match its vertices.
    pub fn compute_normals(&mut self) {
        let mut n = vec![Vec3::ZERO; self.positions.len()];
        for tri in self.indices.chunks_exact(3) {
            let (a, b, c) = (
                self.positions[tri[0] as usize],
                self.positions[tri[1] as usize],
                self.positions[tri[2] as usize],
            );
            let fn_ = (b - a).cross(c - a);
            for &i in tri {
                n[i as usize] += fn_;
            }
        }
        self.normals = n
            .into_iter()
            .map(|v| v.try_normalize().unwrap_or(Vec3::Y))
            .collect();
    }
}

/// Scalp landmarks in head space (mm). Left and right are the client's own: with the face
/// toward +Z and +Y up, the client's left is +X.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Landmarks {
    /// Midpoint of the brow ridge between the eyebrows (glabella).
    pub glabella: Vec3,
    /// Front hairline point on the midline (trichion) of a natural adult hairline.
    pub front_hairline: Vec3,
    /// Fronto-temporal points where the hairline turns back at the temples.
    pub temple_left: Vec3,
    pub temple_right: Vec3,
    /// Highest point of the skull (vertex); the crown whorl sits just behind it.
    pub vertex: Vec3,
    /// Most posterior point of the back of the head (opisthocranion).
    pub occipital: Vec3,
    /// Top of the attachment of each ear (otobasion superius).
    pub ear_top_left: Vec3,
    pub ear_top_right: Vec3,
}

impl Landmarks {
    /// Parses a landmarks TOML file's text; `path` is only used in error messages.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Self> {
        toml::from_str(text).map_err(|e| ScalpError::Landmarks {
            path: path.to_path_buf(),
            line: e.span().map(|s| text[..s.start].lines().count().max(1)),
            message: e.message().to_string(),
        })
    }

    pub fn to_toml(&self) -> String {
        let v = |p: Vec3| format!("[{:.2}, {:.2}, {:.2}]", p.x, p.y, p.z);
        format!(
            "# Scalp landmarks, head space in millimetres (+Y up, face toward +Z, client's left = +X).\n\
             glabella = {}\nfront_hairline = {}\ntemple_left = {}\ntemple_right = {}\n\
             vertex = {}\noccipital = {}\near_top_left = {}\near_top_right = {}\n",
            v(self.glabella),
            v(self.front_hairline),
            v(self.temple_left),
            v(self.temple_right),
            v(self.vertex),
            v(self.occipital),
            v(self.ear_top_left),
            v(self.ear_top_right)
        )
    }

    /// These landmarks (of `template`, the built-in head) carried onto `mesh`, a scan fitted to
    /// the template (so in head space and overlying it): each moves along the template's normal
    /// there to the scan's surface, its nearest vertex within [`TRANSFER_REACH_MM`] of that line
    /// and [`TRANSFER_MAX_MM`] along it (past a sculpted hair mass); where the scan has none
    /// (cut away), it stays where the template has it. Better than [`Landmarks::estimate`] for
    /// any fitted scan: the estimate reads proportions off the bounding box, which a bust's
    /// shoulders stretch (measured: the brow 10 mm low, the temples 16 mm in, and 25% more dots
    /// as the zone slid down).
    pub fn transferred(&self, template: &Mesh, mesh: &Mesh) -> Landmarks {
        let normals = if template.normals.len() == template.positions.len() {
            template.normals.clone()
        } else {
            let mut t = template.clone();
            t.compute_normals();
            t.normals
        };
        let onto = |p: Vec3| -> Vec3 {
            let Some(k) = (0..template.positions.len()).min_by(|&a, &b| {
                template.positions[a]
                    .distance_squared(p)
                    .total_cmp(&template.positions[b].distance_squared(p))
            }) else {
                return p;
            };
            let n = normals[k].normalize_or_zero();
            mesh.positions
                .iter()
                .copied()
                .filter(|q| q.is_finite())
                .filter(|q| {
                    let along = (*q - p).dot(n);
                    along.abs() <= TRANSFER_MAX_MM
                        && (*q - p - n * along).length() <= TRANSFER_REACH_MM
                })
                .min_by(|a, b| a.distance_squared(p).total_cmp(&b.distance_squared(p)))
                .unwrap_or(p)
        };
        Landmarks {
            glabella: onto(self.glabella),
            front_hairline: onto(self.front_hairline),
            temple_left: onto(self.temple_left),
            temple_right: onto(self.temple_right),
            vertex: onto(self.vertex),
            occipital: onto(self.occipital),
            ear_top_left: onto(self.ear_top_left),
            ear_top_right: onto(self.ear_top_right),
        }
    }

    /// Rough landmarks for a mesh that came without any, from proportions of an adult head
    /// (documented in README): the head is assumed to be in head space already, i.e. upright
    /// and facing +Z. The vertex is the highest vertex; the other points are placed on the
    /// bounding box by average anthropometric ratios and then snapped to the nearest vertex.
    pub fn estimate(mesh: &Mesh) -> Self {
        let (lo, hi) = mesh.bounds();
        let size = hi - lo;
        let cx = 0.5 * (lo.x + hi.x);
        let cz = 0.5 * (lo.z + hi.z);
        // Vertical positions are taken down from the top of the head in units of the head's
        // length L (glabella to back of the skull, ~0.88 of the front–back extent, which includes
        // the nose): a scan may stop anywhere below (neck, shoulders), but the skull's proportions
        // hold. Ratios of an average adult (and of the built-in head): brow 0.54·L below the
        // vertex, ear tops 0.62·L.
        let top = hi.y;
        let length = 0.88 * size.z.max(1.0);
        let brow_y = top - 0.54 * length;
        let ear_y = top - 0.62 * length;
        let cranium_h = top - ear_y;
        // The surface point furthest along `dir` within a thin horizontal slab at height `y`
        // (and near the mid-plane for front/back points): a horizontal ray from inside.
        let extreme = |dir: Vec3, y: f32, midline: bool| -> Vec3 {
            let mut best: Option<Vec3> = None;
            for slab in [2.0f32, 6.0, 20.0, f32::INFINITY] {
                for p in &mesh.positions {
                    if (p.y - y).abs() > slab || (midline && (p.x - cx).abs() > slab.max(4.0)) {
                        continue;
                    }
                    if best.is_none_or(|b| p.dot(dir) > b.dot(dir)) {
                        best = Some(*p);
                    }
                }
                if best.is_some() {
                    break;
                }
            }
            best.unwrap_or(Vec3::new(cx, y, cz))
        };
        let vertex = mesh
            .positions
            .iter()
            .copied()
            .max_by(|a, b| a.y.total_cmp(&b.y))
            .unwrap_or(Vec3::new(cx, top, cz));
        Landmarks {
            glabella: extreme(Vec3::Z, brow_y, true),
            front_hairline: extreme(Vec3::Z, brow_y + 0.55 * cranium_h, true),
            temple_left: extreme(Vec3::new(0.55, 0.0, 0.83), brow_y + 0.47 * cranium_h, false),
            temple_right: extreme(
                Vec3::new(-0.55, 0.0, 0.83),
                brow_y + 0.47 * cranium_h,
                false,
            ),
            vertex,
            occipital: extreme(Vec3::NEG_Z, brow_y + 0.07 * cranium_h, true),
            ear_top_left: extreme(Vec3::X, ear_y, false),
            ear_top_right: extreme(Vec3::NEG_X, ear_y, false),
        }
    }
}

/// A head ready for treatment: its mesh and landmarks, and where it came from.
#[derive(Clone, Debug)]
pub struct Head {
    pub mesh: Mesh,
    pub landmarks: Landmarks,
    /// "built-in" or the path of the file it was loaded from.
    pub source: String,
    /// The scan's own skin colour, when it has one and it is wanted.
    pub texture: Option<texture::SkinTexture>,
    /// What loading a scan did (repair, alignment, texture, timings); None for the built-in.
    pub scan: Option<scan::ScanReport>,
}

/// The committed default head (made by [`sculpt::sculpt_default_head`], see `scalp sculpt`).
pub const DEFAULT_HEAD_OBJ: &str = include_str!("../../assets/head.obj");
pub const DEFAULT_HEAD_LANDMARKS: &str = include_str!("../../assets/head.landmarks.toml");

impl Head {
    /// The built-in default head, parsed from the OBJ embedded in the binary (once per
    /// process: loading a scan asks for it again to carry its landmarks over).
    pub fn builtin() -> Result<Self> {
        static BUILTIN: std::sync::OnceLock<std::result::Result<Head, String>> =
            std::sync::OnceLock::new();
        BUILTIN
            .get_or_init(|| Head::parse_builtin().map_err(|e| e.to_string()))
            .clone()
            .map_err(|e| ScalpError::invalid("built-in head", e))
    }

    fn parse_builtin() -> Result<Self> {
        let name = PathBuf::from("assets/head.obj");
        let mesh = obj::load_obj_str(DEFAULT_HEAD_OBJ, &name, &obj::LoadOptions::default())?;
        let landmarks = Landmarks::from_toml_str(
            DEFAULT_HEAD_LANDMARKS,
            Path::new("assets/head.landmarks.toml"),
        )?;
        Ok(Head {
            mesh,
            landmarks,
            source: "built-in".into(),
            texture: None,
            scan: None,
        })
    }

    /// Loads a head scan from an OBJ file with the default scan options (automatic
    /// alignment, texture on) and the given units, up axis and triangle limit; see
    /// [`Head::load_scan`].
    pub fn load(path: &Path, opts: &obj::LoadOptions) -> Result<Self> {
        Head::load_scan(
            path,
            &scan::ScanOptions {
                load: opts.clone(),
                ..Default::default()
            },
        )
    }

    /// Loads a head scan from an OBJ file: repaired, brought into head space (see
    /// [`align`]) and textured (see [`scan::load_scan`]). Landmarks come from
    /// `<stem>.landmarks.toml` beside it when present (the file is then taken to be in head
    /// space already and is not moved, unless three landmarks are given to align it, which
    /// makes that file's landmarks stale: it is ignored), otherwise a scan fitted to the
    /// built-in head takes the built-in head's ([`Landmarks::transferred`]) and one whose axes
    /// were trusted as they are gets them estimated ([`Landmarks::estimate`]).
    pub fn load_scan(path: &Path, opts: &scan::ScanOptions) -> Result<Self> {
        let lm_path = path.with_extension("landmarks.toml");
        let sidecar = lm_path.exists() && opts.landmarks.is_none();
        let (mesh, texture, mut report) = scan::load_scan(
            path,
            opts,
            sidecar.then_some("a head-space landmarks file is beside it"),
        )?;
        if lm_path.exists() && !sidecar {
            report.warnings.push(format!(
                "{} is ignored: the given landmarks move the scan, so its head-space \
                 landmarks no longer apply",
                lm_path.display()
            ));
        }
        // The one place a scan's warnings reach the user (ScanReport::describe leaves them out).
        for w in &report.warnings {
            log::warn!("{}: {w}", path.display());
        }
        let landmarks = if sidecar {
            let text =
                crate::limits::read_capped_text(&lm_path, crate::limits::MAX_TEXT_FILE_BYTES)
                    .map_err(|source| ScalpError::Io {
                        path: lm_path.clone(),
                        source,
                    })?;
            Landmarks::from_toml_str(&text, &lm_path)?
        } else {
            match report.alignment.method {
                align::Method::Template(_) | align::Method::Landmarks => {
                    let b = Head::builtin()?;
                    b.landmarks.transferred(&b.mesh, &mesh)
                }
                align::Method::AsIs { .. } => Landmarks::estimate(&mesh),
            }
        };
        Ok(Head {
            mesh,
            landmarks,
            source: path.display().to_string(),
            texture,
            scan: Some(report),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The estimate is what a scan without a landmarks file gets; on the built-in head (whose
    /// landmarks are known) it must land near the truth, or the hairline lands on the ears.
    #[test]
    fn estimated_landmarks_are_near_the_built_in_ones() {
        let head = Head::builtin().unwrap();
        let est = Landmarks::estimate(&head.mesh);
        let truth = head.landmarks;
        for (name, e, t) in [
            ("glabella", est.glabella, truth.glabella),
            ("front_hairline", est.front_hairline, truth.front_hairline),
            ("vertex", est.vertex, truth.vertex),
            ("occipital", est.occipital, truth.occipital),
            ("ear_top_left", est.ear_top_left, truth.ear_top_left),
            ("ear_top_right", est.ear_top_right, truth.ear_top_right),
        ] {
            assert!(
                (e.y - t.y).abs() < 8.0,
                "{name}: estimated y {} vs {}",
                e.y,
                t.y
            );
        }
    }
}
