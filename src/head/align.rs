//! Bringing a scan into head space (millimetres, +Y up, face toward +Z, client's left +X,
//! origin at the centre of the skull) whatever its units, orientation and origin.
//!
//! Three ways, in order of precedence:
//!
//! 1. **Three landmarks** given in the scan's own coordinates: nasion (the deepest point of the
//!    bridge of the nose, between the eyes) and the tops of the left and right ears. They fix
//!    the frame exactly: +X from the right ear top to the left, +Z toward the nasion square to
//!    that, pitched and placed as the same three points sit on the built-in head (the ear tops'
//!    midpoint lands on the built-in head's). See [`from_landmarks`].
//! 2. **As is**: the file's axes are trusted (the caller gave `--up`, turned alignment off, or
//!    a landmarks file beside the mesh says it is in head space already). Units and up axis are
//!    the given ones or the bounding-box guesses of [`super::obj`]; nothing is moved.
//! 3. **Automatic** ([`automatic`]): a fit of the scan's surface to the built-in head.
//!    - Units: of millimetres, centimetres and metres, the one that makes the scan's RMS radius
//!      (about its area centroid, which no rotation changes) closest to the built-in head's.
//!      Neighbouring candidates differ tenfold, so a head with or without neck and shoulders
//!      is never ambiguous. A file in none of them (normalised to a unit box, say) shows up
//!      after the fit as a head far from a human size; it is then scaled to the built-in
//!      head's size, with a warning.
//!    - Orientation: a head is mirror-symmetric, so its left–right axis is one of the principal
//!      axes of its surface (PCA, area-weighted); the other two mix front–back with up–down at
//!      an angle that depends on how much neck was scanned. So 72 starting orientations are
//!      tried: each principal axis as ±X, and the remaining plane turned in 30° steps. Each
//!      start is placed by the top of the head (the highest 0.5% of its surface meets the
//!      built-in head's; the centre of the cranium cap below it sets front–back and left–right),
//!      which a neck or shoulders do not move, then refined by a few rounds of ICP. Shape
//!      decides which start is right: the face and nose protrude forward, the neck or the cut
//!      plane is at the bottom, the cranium is widest at the top — a start with any of these
//!      wrong fits the built-in head badly.
//!    - Refinement: the three best distinct starts get a full point-to-plane ICP with a
//!      similarity transform (rotation, translation, uniform scale) against the built-in head's
//!      triangles; pairs further than 3× the median distance (at least 4 mm) are left out, so
//!      hair, shoulders and holes do not pull. The best final fit wins; its rotation and
//!      translation are kept, its scale only tells the head's size relative to the built-in
//!      one (a client's head keeps its own size: the fitted scale is undone about the origin,
//!      the centre of the skull).
//!
//! How the frame was found, the fit's residual and how far the runner-up orientation was are
//! reported ([`Alignment::describe`]); an unsure fit says so and suggests `--landmarks`.
use super::obj::{guess_units, guess_up, Units, UpAxis};
use super::Head;
use crate::error::{Result, ScalpError};
use glam::{DMat3, DVec3, Mat3, Quat, Vec3};
use serde::Deserialize;
use std::path::Path;
use std::sync::OnceLock;

/// Surface samples for the quick look at each starting orientation, and for the full fit.
const QUICK_SAMPLES: usize = 600;
const FULL_SAMPLES: usize = 4000;
/// ICP rounds per starting orientation, and at most for a full fit.
const QUICK_ROUNDS: usize = 8;
const FULL_ROUNDS: usize = 60;
/// Starting orientations refined fully.
const FINALISTS: usize = 3;
/// Height of the cranium cap whose centre places a start front–back and left–right, mm.
const CAP_MM: f64 = 110.0;
/// A sample within this distance of the built-in head counts as fitting it, mm.
pub const INLIER_MM: f32 = 5.0;
/// A fit whose runner-up orientation scores within this factor of it is reported as unsure.
const UNSURE_RATIO: f64 = 1.15;
/// Scan surface further than this below the built-in head's neck cut is not fitted, mm.
const BELOW_NECK_MM: f64 = 15.0;
/// A pose that leaves less than this share of the scan above that level is not a head's.
const MIN_USED_SHARE: f64 = 0.3;
/// Cell size and margin around the built-in head of the nearest-vertex grid, mm.
const GRID_MM: f64 = 2.5;
const GRID_MARGIN_MM: f64 = 60.0;
/// Heads this many times smaller or larger than the built-in one are not taken at face value.
const PLAUSIBLE_SIZE: (f32, f32) = (0.6, 1.67);

/// How the head-space frame was found.
#[derive(Clone, Debug, PartialEq)]
pub enum Method {
    /// The file's axes were trusted; `why` says what said so.
    AsIs {
        up: UpAxis,
        up_guessed: bool,
        why: String,
    },
    /// Three landmarks fixed the frame.
    Landmarks,
    /// Fit to the built-in head.
    Template(TemplateFit),
}

/// The result of an automatic fit.
#[derive(Clone, Debug, PartialEq)]
pub struct TemplateFit {
    /// Starting orientations tried.
    pub starts: usize,
    /// RMS distance to the built-in head of the samples that fit it (within [`INLIER_MM`]).
    pub rms_mm: f32,
    /// Share of the scan's surface within [`INLIER_MM`] of the built-in head.
    pub inlier_share: f32,
    /// The best fit from a clearly different start: its RMS distance (truncated at 10 mm)
    /// and how far its orientation is from the chosen one.
    pub runner_up: Option<(f32, f32)>,
    /// Truncated RMS distance of the chosen fit (the score compared with the runner-up's).
    pub score_mm: f32,
    /// Size of the scan relative to the built-in head (the fitted scale).
    pub relative_size: f32,
    /// Share of the scan's surface above the built-in head's neck cut, which is what is
    /// fitted (shoulders and a long neck are not).
    pub fitted_share: f32,
}

/// A transform from file coordinates to head space: `rotation · (p · mm_per_unit) + translation`.
#[derive(Clone, Debug, PartialEq)]
pub struct Alignment {
    pub mm_per_unit: f32,
    /// How the scale was found, e.g. "centimetres (guessed from the head's size)".
    pub units_note: String,
    pub rotation: Mat3,
    pub translation: Vec3,
    pub method: Method,
    /// Things the user should check (an unsure fit, an implausible size, swapped ears).
    pub warnings: Vec<String>,
}

impl Alignment {
    pub fn apply(&self, p: Vec3) -> Vec3 {
        self.rotation * (p * self.mm_per_unit) + self.translation
    }

    /// Rotation as (unit axis, angle in degrees).
    pub fn axis_angle(&self) -> (Vec3, f32) {
        let (axis, angle) = Quat::from_mat3(&self.rotation).normalize().to_axis_angle();
        (axis, angle.to_degrees())
    }

    /// Lines for `scalp render`: how, the scale, the rotation and translation.
    pub fn describe(&self) -> Vec<String> {
        let how = match &self.method {
            Method::AsIs {
                up,
                up_guessed,
                why,
            } => format!(
                "as the file has it ({why}): {:?}-up{}",
                up,
                if *up_guessed {
                    " (guessed from the bounding box)"
                } else {
                    ""
                }
            ),
            Method::Landmarks => {
                "by the three given landmarks (nasion, ear tops): the frame is exact".to_string()
            }
            Method::Template(f) => {
                let mut s = format!(
                    "automatic, fit to the built-in head from {} starting orientations: \
                     {:.0}% of the surface within {INLIER_MM} mm, RMS {:.2} mm there",
                    f.starts,
                    100.0 * f.inlier_share,
                    f.rms_mm
                );
                if f.fitted_share < 0.98 {
                    s += &format!(
                        " ({:.0}% of the scan, below the neck, not fitted)",
                        100.0 * (1.0 - f.fitted_share)
                    );
                }
                if let Some((score, angle)) = f.runner_up {
                    s += &format!(
                        "; the next best orientation ({angle:.0}° away) fits at {score:.1} mm \
                         against {:.1} mm",
                        f.score_mm
                    );
                }
                s
            }
        };
        let (axis, angle) = self.axis_angle();
        let t = self.translation;
        vec![
            format!("alignment: {how}"),
            format!(
                "scale: ×{} to millimetres ({})",
                trim_float(self.mm_per_unit),
                self.units_note
            ),
            format!(
                "rotation: {angle:.2}° about ({:.3}, {:.3}, {:.3}); then translation \
                 ({:.1}, {:.1}, {:.1}) mm",
                axis.x, axis.y, axis.z, t.x, t.y, t.z
            ),
        ]
    }
}

fn trim_float(x: f32) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// Nasion and ear tops in the scan's own coordinates (file units and axes).
#[derive(Clone, Copy, Debug, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ScanLandmarks {
    pub nasion: Vec3,
    #[serde(alias = "ear_top_left")]
    pub ear_left: Vec3,
    #[serde(alias = "ear_top_right")]
    pub ear_right: Vec3,
}

impl ScanLandmarks {
    /// Reads `nasion=x,y,z;ear_left=x,y,z;ear_right=x,y,z`, or a TOML file of the same three
    /// keys (`nasion = [x, y, z]` …) when `spec` names one.
    pub fn parse(spec: &str) -> Result<Self> {
        let path = Path::new(spec.trim());
        if !spec.contains('=') || path.is_file() {
            let text = std::fs::read_to_string(path).map_err(|source| ScalpError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            return Self::from_toml_str(&text, path);
        }
        let what = "--landmarks";
        let mut found: [Option<Vec3>; 3] = [None; 3];
        for part in spec.split(';').map(str::trim).filter(|p| !p.is_empty()) {
            let Some((name, value)) = part.split_once('=') else {
                return Err(ScalpError::invalid(
                    what,
                    format!("`{part}`: expected NAME=x,y,z"),
                ));
            };
            let k = match name.trim() {
                "nasion" => 0,
                "ear_left" | "ear_top_left" => 1,
                "ear_right" | "ear_top_right" => 2,
                other => {
                    return Err(ScalpError::invalid(
                        what,
                        format!("unknown landmark `{other}`; expected nasion, ear_left, ear_right"),
                    ))
                }
            };
            let nums: Vec<&str> = value.split(',').map(str::trim).collect();
            let xyz: Vec<f32> = nums.iter().filter_map(|n| n.parse().ok()).collect();
            if nums.len() != 3 || xyz.len() != 3 || !xyz.iter().all(|x| x.is_finite()) {
                return Err(ScalpError::invalid(
                    what,
                    format!(
                        "`{}`: expected three finite numbers x,y,z, got `{}`",
                        name.trim(),
                        value.trim()
                    ),
                ));
            }
            if found[k].is_some() {
                return Err(ScalpError::invalid(
                    what,
                    format!("`{}` is given twice", name.trim()),
                ));
            }
            found[k] = Some(Vec3::new(xyz[0], xyz[1], xyz[2]));
        }
        match found {
            [Some(nasion), Some(ear_left), Some(ear_right)] => Ok(ScanLandmarks {
                nasion,
                ear_left,
                ear_right,
            }),
            _ => {
                let missing: Vec<&str> = ["nasion", "ear_left", "ear_right"]
                    .iter()
                    .zip(found)
                    .filter(|(_, f)| f.is_none())
                    .map(|(n, _)| *n)
                    .collect();
                Err(ScalpError::invalid(
                    what,
                    format!("missing {}", missing.join(", ")),
                ))
            }
        }
    }

    /// Parses a landmarks TOML file's text; `path` names it in errors.
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Self> {
        let lm: ScanLandmarks = toml::from_str(text).map_err(|e| ScalpError::Landmarks {
            path: path.to_path_buf(),
            line: e.span().map(|s| text[..s.start].lines().count().max(1)),
            message: e.message().to_string(),
        })?;
        if ![lm.nasion, lm.ear_left, lm.ear_right]
            .iter()
            .all(|p| p.is_finite())
        {
            return Err(ScalpError::Landmarks {
                path: path.to_path_buf(),
                line: None,
                message: "a coordinate is not finite".into(),
            });
        }
        Ok(lm)
    }
}

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
    rms_radius: f64,
    top: f64,
    cap_centre: DVec3,
    cap_radius: f64,
    /// The lowest point of the built-in head (its neck cut), mm.
    bottom: f64,
    pub nasion: Vec3,
    pub ear_left: Vec3,
    pub ear_right: Vec3,
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
        let _ = centroid;
        let (top, cap_centre, cap_radius) = top_and_cap(&samples);
        let bottom = samples.iter().map(|p| p.y).fold(f64::INFINITY, f64::min);
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
        }
    }

    /// The closest point of the surface to `q` (searched on the triangles around the nearest
    /// vertex), the normal of its triangle, and the distance. `fast`: take the vertex from
    /// the precomputed grid, nearly always the nearest one (exact enough to choose and refine
    /// a start, not for the last fraction of a millimetre).
    fn closest(&self, q: DVec3, fast: bool) -> (DVec3, DVec3, f64) {
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

/// Aligns by three landmarks in file coordinates (see the module documentation). `units`:
/// the file's units when known; otherwise those that make the ear tops' distance closest to
/// the built-in head's.
pub fn from_landmarks(lm: &ScanLandmarks, units: Option<Units>) -> Result<Alignment> {
    let tpl = template()?;
    let bad = |m: String| ScalpError::invalid("--landmarks", m);
    let ear_span = lm.ear_left.distance(lm.ear_right);
    if ear_span.is_nan() || ear_span <= 0.0 {
        return Err(bad("ear_left and ear_right are the same point".into()));
    }
    let tpl_span = tpl.ear_left.distance(tpl.ear_right);
    let (scale, units_note) = match units {
        Some(u) => (u.mm_per_unit(), format!("{} (given)", u.name())),
        None => {
            let u = closest_units(ear_span, tpl_span as f64);
            (
                u.mm_per_unit(),
                format!("{} (guessed from the ear tops' distance)", u.name()),
            )
        }
    };
    let (fx, fo) = landmark_frame(lm.nasion, lm.ear_left, lm.ear_right)
        .ok_or_else(|| bad("the nasion lies on the line through the ear tops".into()))?;
    let (tx, to) = landmark_frame(tpl.nasion, tpl.ear_left, tpl.ear_right)
        .ok_or_else(|| bad("the built-in head's landmarks are degenerate".into()))?;
    // rotation · (file frame) = built-in frame; the ear tops' midpoint lands on the built-in's.
    let rotation = (tx * fx.transpose()).as_mat3();
    let translation = to.as_vec3() - rotation * (fo.as_vec3() * scale);
    let mut warnings = Vec::new();
    let span_mm = ear_span * scale;
    if !(0.6 * tpl_span..1.67 * tpl_span).contains(&span_mm) {
        warnings.push(format!(
            "the ear tops are {span_mm:.0} mm apart (an adult's are ~{tpl_span:.0} mm): are \
             the units and the landmarks right?"
        ));
    }
    Ok(Alignment {
        mm_per_unit: scale,
        units_note,
        rotation,
        translation,
        method: Method::Landmarks,
        warnings,
    })
}

/// Orthonormal frame (columns X left, Y up, Z front) and origin (ear tops' midpoint) of three
/// landmarks; None when they are (nearly) collinear.
fn landmark_frame(nasion: Vec3, left: Vec3, right: Vec3) -> Option<(DMat3, DVec3)> {
    let (n, l, r) = (nasion.as_dvec3(), left.as_dvec3(), right.as_dvec3());
    let x = (l - r).try_normalize()?;
    let o = 0.5 * (l + r);
    let f = n - o;
    let z = f - x * f.dot(x);
    if z.length() < 0.05 * (l - r).length() {
        return None;
    }
    let z = z.normalize();
    let y = z.cross(x);
    Some((DMat3::from_cols(x, y, z), o))
}

/// Whether the surface fits the built-in head better with left and right swapped (the head
/// then upside down), as when the ear tops were given the wrong way round. Returns a warning.
pub fn check_landmark_alignment(
    a: &Alignment,
    positions: &[Vec3],
    tris: &[[u32; 3]],
) -> Option<String> {
    let tpl = template().ok()?;
    let pts: Vec<DVec3> = surface_samples(positions, tris, QUICK_SAMPLES, 11)
        .into_iter()
        .map(|p| a.apply(p.as_vec3()).as_dvec3())
        .collect();
    let score = |flip: bool| {
        let q: Vec<DVec3> = pts
            .iter()
            .map(|p| {
                if flip {
                    // Swapping the ears turns the frame 180° about Z (through the ears' middle).
                    let o = 0.5 * (tpl.ear_left + tpl.ear_right).as_dvec3();
                    let d = *p - o;
                    o + DVec3::new(-d.x, -d.y, d.z)
                } else {
                    *p
                }
            })
            .collect();
        evaluate(tpl, &q, &Pose::identity(), true).score
    };
    let (as_given, swapped) = (score(false), score(true));
    (swapped * 2.0 < as_given).then(|| {
        format!(
            "the scan fits the built-in head much better with ear_left and ear_right swapped \
             ({swapped:.1} mm against {as_given:.1} mm): are they the client's own left and right?"
        )
    })
}

/// Converts by units and up axis only (given, or the bounding-box guesses of
/// [`super::obj`]); `why` says why the file's axes are trusted.
pub fn as_is(positions: &[Vec3], units: Option<Units>, up: Option<UpAxis>, why: &str) -> Alignment {
    let mut lo = Vec3::splat(f32::INFINITY);
    let mut hi = Vec3::splat(f32::NEG_INFINITY);
    for p in positions {
        lo = lo.min(*p);
        hi = hi.max(*p);
    }
    let extent = if lo.x <= hi.x { hi - lo } else { Vec3::ONE };
    let (units, units_note) = match units {
        Some(u) => (u, format!("{} (given)", u.name())),
        None => {
            let u = guess_units(extent.max_element());
            (u, format!("{} (guessed from the bounding box)", u.name()))
        }
    };
    let (up_axis, up_guessed) = match up {
        Some(u) => (u, false),
        None => (guess_up(extent), true),
    };
    Alignment {
        mm_per_unit: units.mm_per_unit(),
        units_note,
        rotation: match up_axis {
            UpAxis::Y => Mat3::IDENTITY,
            // (x, y, z) → (x, z, −y), as the OBJ loader converts Z-up files.
            UpAxis::Z => Mat3::from_cols(Vec3::X, Vec3::NEG_Z, Vec3::Y),
        },
        translation: Vec3::ZERO,
        method: Method::AsIs {
            up: up_axis,
            up_guessed,
            why: why.to_string(),
        },
        warnings: Vec::new(),
    }
}

/// The units of `{mm, cm, m}` that bring `size` (file units) closest, on a log scale, to
/// `reference` (mm).
fn closest_units(size: f32, reference: f64) -> Units {
    [Units::Mm, Units::Cm, Units::M]
        .into_iter()
        .min_by(|a, b| {
            let d = |u: &Units| {
                ((size as f64 * u.mm_per_unit() as f64) / reference)
                    .ln()
                    .abs()
            };
            d(a).total_cmp(&d(b))
        })
        .unwrap_or(Units::Mm)
}

/// Fits a repaired scan (file units and axes) to the built-in head; see the module
/// documentation.
pub fn automatic(positions: &[Vec3], tris: &[[u32; 3]], units: Option<Units>) -> Result<Alignment> {
    let tpl = template()?;
    let quick = surface_samples(positions, tris, QUICK_SAMPLES, 1);
    let full = surface_samples(positions, tris, FULL_SAMPLES, 2);
    if full.is_empty() {
        return Err(ScalpError::invalid(
            "alignment",
            "the mesh has no surface area to align",
        ));
    }
    let (centroid, rms) = centroid_rms(&full);
    let (unit, guessed) = match units {
        Some(u) => (u, false),
        None => (closest_units(rms as f32, tpl.rms_radius), true),
    };
    let mm = unit.mm_per_unit() as f64;
    let to_mm = |v: &[DVec3]| -> Vec<DVec3> { v.iter().map(|p| (*p - centroid) * mm).collect() };
    let (quick, full) = (to_mm(&quick), to_mm(&full));
    let axes = principal_axes(&full);

    // Every start: (rotation, its quick fit).
    let starts: Vec<DMat3> = (0..3)
        .flat_map(|a| [1.0f64, -1.0].map(move |s| (a, s)))
        .flat_map(|(a, s)| (0..12).map(move |k| (a, s, k)))
        .map(|(a, s, k)| {
            let x = axes[a] * s;
            let u = axes[(a + 1) % 3];
            let w = x.cross(u);
            let th = (k as f64 * 30.0).to_radians();
            let y = u * th.cos() + w * th.sin();
            let z = x.cross(y);
            DMat3::from_cols(x, y, z).transpose()
        })
        .collect();
    let quick_fits = parallel_map(&starts, |r| {
        let pose = place_by_top(tpl, &quick, *r);
        let pose = icp(tpl, &quick, pose, QUICK_ROUNDS, true, false);
        let e = evaluate(tpl, &quick, &pose, true);
        (pose, e.score)
    });
    let mut order: Vec<usize> = (0..starts.len()).collect();
    order.sort_by(|&a, &b| quick_fits[a].1.total_cmp(&quick_fits[b].1));
    let mut finalists: Vec<Pose> = Vec::new();
    for &i in &order {
        let p = &quick_fits[i].0;
        if finalists.iter().all(|f| angle_between(&f.r, &p.r) > 25.0) {
            finalists.push(p.clone());
        }
        if finalists.len() == FINALISTS {
            break;
        }
    }
    let mut fits = parallel_map(&finalists, |p| {
        let pose = icp(tpl, &full, p.clone(), FULL_ROUNDS, true, true);
        let e = evaluate(tpl, &full, &pose, true);
        (pose, e)
    });
    fits.sort_by(|a, b| a.1.score.total_cmp(&b.1.score));
    // The winner's last rounds with exact closest points.
    let pose = icp(tpl, &full, fits[0].0.clone(), FULL_ROUNDS, false, true);
    let eval = evaluate(tpl, &full, &pose, false);
    let runner_up = fits
        .iter()
        .skip(1)
        .find(|f| angle_between(&f.0.r, &pose.r) > 25.0)
        .map(|f| (f.1.score as f32, angle_between(&f.0.r, &pose.r) as f32));

    let relative_size = (1.0 / pose.s) as f32;
    let mut warnings = Vec::new();
    let plausible = (PLAUSIBLE_SIZE.0..PLAUSIBLE_SIZE.1).contains(&relative_size);
    // q = s·R·(p_mm − c) + t is the fit; the head keeps its own size about the origin:
    // q / s = R·p_mm + (t/s − R·c), unless its size is not to be believed.
    let (mm_per_unit, translation, units_note) = if plausible || !guessed {
        if !plausible {
            warnings.push(format!(
                "the head is {relative_size:.2}× the size of the built-in head in {}: are the \
                 units right?",
                unit.name()
            ));
        }
        let c = centroid * mm;
        (
            mm,
            pose.t / pose.s - pose.r * c,
            format!(
                "{}{}; the head is {relative_size:.2}× the built-in one",
                unit.name(),
                if guessed {
                    " (guessed from the head's size)"
                } else {
                    " (given)"
                }
            ),
        )
    } else {
        warnings.push(format!(
            "the file's units are none of mm, cm or m (as {} the head would be {relative_size:.2}× \
             an average adult's): it was scaled to the built-in head's size; give --units if \
             that is wrong",
            unit.name()
        ));
        let s = pose.s * mm;
        (
            s,
            pose.t - pose.r * (centroid * s),
            "unknown: scaled to the built-in head's size".to_string(),
        )
    };
    let fit = TemplateFit {
        starts: starts.len(),
        rms_mm: eval.inlier_rms as f32,
        inlier_share: eval.inlier_share as f32,
        runner_up,
        score_mm: eval.score as f32,
        relative_size,
        fitted_share: eval.used_share as f32,
    };
    if fit.inlier_share < 0.5 {
        warnings.push(format!(
            "only {:.0}% of the scan lies within {INLIER_MM} mm of the built-in head after \
             alignment: check the picture, or give --landmarks",
            100.0 * fit.inlier_share
        ));
    }
    if let Some((score, angle)) = runner_up {
        if (score as f64) < UNSURE_RATIO * eval.score {
            warnings.push(format!(
                "the alignment is unsure: an orientation {angle:.0}° away fits almost as well \
                 ({score:.1} mm against {:.1} mm); check the picture, or give --landmarks",
                eval.score
            ));
        }
    }
    Ok(Alignment {
        mm_per_unit: mm_per_unit as f32,
        units_note,
        rotation: pose.r.as_mat3(),
        translation: translation.as_vec3(),
        method: Method::Template(fit),
        warnings,
    })
}

/// Runs `f` over `items` on the machine's cores; results in order.
fn parallel_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 16)
        .min(items.len().max(1));
    if threads <= 1 {
        return items.iter().map(&f).collect();
    }
    let chunk = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let handles: Vec<_> = items
            .chunks(chunk)
            .map(|c| {
                let f = &f;
                s.spawn(move || c.iter().map(f).collect::<Vec<R>>())
            })
            .collect();
        handles
            .into_iter()
            .flat_map(|h| h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    })
}

/// q = s·R·p + t for points `p` already centred and in mm.
#[derive(Clone, Debug)]
struct Pose {
    s: f64,
    r: DMat3,
    t: DVec3,
}

impl Pose {
    fn identity() -> Pose {
        Pose {
            s: 1.0,
            r: DMat3::IDENTITY,
            t: DVec3::ZERO,
        }
    }

    fn apply(&self, p: DVec3) -> DVec3 {
        self.r * p * self.s + self.t
    }
}

/// Angle between two rotations, degrees.
fn angle_between(a: &DMat3, b: &DMat3) -> f64 {
    let m = *a * b.transpose();
    let c = ((m.x_axis.x + m.y_axis.y + m.z_axis.z - 1.0) * 0.5).clamp(-1.0, 1.0);
    c.acos().to_degrees()
}

/// Places rotated points by the top of the head: the top 0.5% of the surface on the built-in
/// head's, and the centre of the cranium cap below it on the built-in's.
fn place_by_top(tpl: &Template, pts: &[DVec3], r: DMat3) -> Pose {
    let rotated: Vec<DVec3> = pts.iter().map(|p| r * *p).collect();
    // The size from the cap's girth, twice: the cap's height depends on the size.
    let mut s = 1.0;
    for _ in 0..2 {
        let scaled: Vec<DVec3> = rotated.iter().map(|p| *p * s).collect();
        let (_, _, radius) = top_and_cap(&scaled);
        s = (s * tpl.cap_radius / radius.max(1e-9)).clamp(0.3, 3.0);
    }
    let scaled: Vec<DVec3> = rotated.iter().map(|p| *p * s).collect();
    let (top, cap, _) = top_and_cap(&scaled);
    Pose {
        s,
        r,
        t: DVec3::new(
            tpl.cap_centre.x - cap.x,
            tpl.top - top,
            tpl.cap_centre.z - cap.z,
        ),
    }
}

/// The height below which 99.5% of the points lie, the centroid of the points within
/// [`CAP_MM`] below it, and their RMS horizontal distance from it (the cap's girth).
fn top_and_cap(pts: &[DVec3]) -> (f64, DVec3, f64) {
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

#[derive(Clone, Debug)]
struct Eval {
    /// RMS distance, each sample's distance capped at 10 mm: comparable between fits.
    score: f64,
    inlier_share: f64,
    inlier_rms: f64,
    /// Share of the samples above the built-in head's neck cut (the rest is not fitted).
    used_share: f64,
}

fn evaluate(tpl: &Template, pts: &[DVec3], pose: &Pose, fast: bool) -> Eval {
    let (mut sum, mut inl, mut inl_sum, mut used) = (0.0f64, 0usize, 0.0f64, 0usize);
    for p in pts {
        let q = pose.apply(*p);
        if q.y < tpl.bottom - BELOW_NECK_MM {
            continue;
        }
        used += 1;
        let d = tpl.closest(q, fast).2;
        sum += d.min(10.0).powi(2);
        if d < INLIER_MM as f64 {
            inl += 1;
            inl_sum += d * d;
        }
    }
    let n = used.max(1) as f64;
    let used_share = used as f64 / pts.len().max(1) as f64;
    Eval {
        // A pose that puts most of the scan below the neck explains too little of it.
        score: if used_share < MIN_USED_SHARE {
            10.0
        } else {
            (sum / n).sqrt()
        },
        inlier_share: inl as f64 / n,
        inlier_rms: (inl_sum / inl.max(1) as f64).sqrt(),
        used_share,
    }
}

/// Point-to-plane ICP for a similarity transform; see the module documentation.
fn icp(
    tpl: &Template,
    pts: &[DVec3],
    mut pose: Pose,
    rounds: usize,
    fast: bool,
    scale: bool,
) -> Pose {
    let mut pairs: Vec<(DVec3, DVec3, DVec3, f64)> = Vec::with_capacity(pts.len());
    let mut dist: Vec<f64> = Vec::with_capacity(pts.len());
    for _ in 0..rounds {
        pairs.clear();
        dist.clear();
        for p in pts {
            let q = pose.apply(*p);
            // Shoulders and a long neck are not in the built-in head: not fitted.
            if q.y < tpl.bottom - BELOW_NECK_MM {
                continue;
            }
            let (c, n, d) = tpl.closest(q, fast);
            pairs.push((q, c, n, d));
            dist.push(d);
        }
        if dist.len() < 10 {
            break;
        }
        let mid = dist.len() / 2;
        let median = *dist.select_nth_unstable_by(mid, f64::total_cmp).1;
        let tau = (3.0 * median).clamp(4.0, 30.0);
        // Normal equations of r = n·(q + ω×q + σq + δ − c) over (ω, δ, σ).
        let mut a = [[0.0f64; 7]; 7];
        let mut b = [0.0f64; 7];
        let mut used = 0usize;
        for &(q, c, n, d) in &pairs {
            if d > tau {
                continue;
            }
            used += 1;
            let qn = q.cross(n);
            let j = [
                qn.x,
                qn.y,
                qn.z,
                n.x,
                n.y,
                n.z,
                if scale { n.dot(q) } else { 0.0 },
            ];
            let r = n.dot(q - c);
            for i in 0..7 {
                b[i] -= j[i] * r;
                for k in 0..7 {
                    a[i][k] += j[i] * j[k];
                }
            }
        }
        if used < 10 {
            break;
        }
        // Levenberg damping keeps a weakly constrained direction (a nearly spherical patch
        // turning about its centre) from running away.
        if !scale {
            a[6][6] = 1.0;
        }
        let trace: f64 = (0..7).map(|i| a[i][i]).sum();
        for (i, row) in a.iter_mut().enumerate() {
            row[i] += 1e-6 * trace / 7.0 + 1e-12;
        }
        let Some(x) = solve7(a, b) else { break };
        let mut omega = DVec3::new(x[0], x[1], x[2]);
        if omega.length() > 0.3 {
            omega *= 0.3 / omega.length();
        }
        let delta = DVec3::new(x[3], x[4], x[5]);
        let sigma = x[6].clamp(-0.1, 0.1);
        let rot = if omega.length() > 0.0 {
            DMat3::from_axis_angle(omega.normalize(), omega.length())
        } else {
            DMat3::IDENTITY
        };
        pose = Pose {
            // A start far off may try to shrink onto a patch of the head: keep sizes human.
            s: (pose.s * (1.0 + sigma)).clamp(0.2, 5.0),
            r: rot * pose.r,
            t: (1.0 + sigma) * (rot * pose.t) + delta,
        };
        // 10⁻⁷ rad turns a point 200 mm away by 0.02 µm: converged.
        if omega.length() < 1e-7 && delta.length() < 1e-5 && sigma.abs() < 1e-7 {
            break;
        }
    }
    pose
}

/// Solves a 7×7 linear system by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // index arithmetic reads as the maths does
fn solve7(mut a: [[f64; 7]; 7], mut b: [f64; 7]) -> Option<[f64; 7]> {
    for col in 0..7 {
        let piv = (col..7).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..7 {
            let f = a[row][col] / a[col][col];
            for k in col..7 {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0f64; 7];
    for row in (0..7).rev() {
        let s: f64 = (row + 1..7).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// `n` points spread over the surface by area (stratified, from the project's hash with
/// `seed`: the same mesh gives the same points).
pub fn surface_samples(positions: &[Vec3], tris: &[[u32; 3]], n: usize, seed: u32) -> Vec<DVec3> {
    use crate::hash::rand01;
    let mut cum: Vec<f64> = Vec::with_capacity(tris.len());
    let mut total = 0.0f64;
    for t in tris {
        let [a, b, c] = t.map(|i| positions[i as usize].as_dvec3());
        total += 0.5 * (b - a).cross(c - a).length();
        cum.push(total);
    }
    if total.is_nan() || total <= 0.0 {
        return Vec::new();
    }
    (0..n)
        .map(|i| {
            let u = (i as f64 + rand01(seed, i as u32, 0) as f64) / n as f64 * total;
            let t = cum.partition_point(|&c| c < u).min(tris.len() - 1);
            let [a, b, c] = tris[t].map(|k| positions[k as usize].as_dvec3());
            let (r1, r2) = (
                (rand01(seed, i as u32, 1) as f64).sqrt(),
                rand01(seed, i as u32, 2) as f64,
            );
            a * (1.0 - r1) + b * (r1 * (1.0 - r2)) + c * (r1 * r2)
        })
        .collect()
}

fn centroid_rms(pts: &[DVec3]) -> (DVec3, f64) {
    let n = pts.len().max(1) as f64;
    let c = pts.iter().copied().sum::<DVec3>() / n;
    let rms = (pts.iter().map(|p| p.distance_squared(c)).sum::<f64>() / n).sqrt();
    (c, rms)
}

/// Principal axes of centred points, by decreasing variance (Jacobi eigenvalue iteration on
/// the 3×3 covariance).
fn principal_axes(pts: &[DVec3]) -> [DVec3; 3] {
    let mut m = [[0.0f64; 3]; 3];
    for p in pts {
        let v = [p.x, p.y, p.z];
        for i in 0..3 {
            for k in 0..3 {
                m[i][k] += v[i] * v[k];
            }
        }
    }
    let (vals, vecs) = jacobi_eigen(m);
    let mut idx = [0usize, 1, 2];
    idx.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]));
    idx.map(|i| DVec3::new(vecs[0][i], vecs[1][i], vecs[2][i]).normalize_or(DVec3::X))
}

/// Eigenvalues and eigenvectors (columns) of a symmetric 3×3 matrix.
#[allow(clippy::needless_range_loop)]
fn jacobi_eigen(mut a: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..50 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        if off < 1e-15 * (a[0][0].abs() + a[1][1].abs() + a[2][2].abs() + 1e-300) {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q].abs() < 1e-300 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // A ← JᵀAJ with the rotation J in the (p, q) plane.
            for k in 0..3 {
                let (akp, akq) = (a[k][p], a[k][q]);
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
            }
            for k in 0..3 {
                let (apk, aqk) = (a[p][k], a[q][k]);
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
            }
            for row in v.iter_mut() {
                let (vp, vq) = (row[p], row[q]);
                row[p] = c * vp - s * vq;
                row[q] = s * vp + c * vq;
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2]], v)
}

/// Closest point to `p` on triangle (a, b, c) (Ericson, Real-Time Collision Detection 5.1.5).
pub fn closest_on_triangle(p: DVec3, a: DVec3, b: DVec3, c: DVec3) -> DVec3 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return a;
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return b;
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return a + ab * (d1 / (d1 - d3));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return c;
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return a + ac * (d2 / (d2 - d6));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    }
    let denom = 1.0 / (va + vb + vc);
    a + ab * (vb * denom) + ac * (vc * denom)
}

/// For each cell of a grid around a point set, a point near its centre: the nearest one or
/// nearly (a distance transform that carries the point along, 6-connected, keeping whichever
/// point is truly nearer). Queries outside the grid take its border cell; their distances are
/// large anyway, and ICP leaves such pairs out.
struct NearestGrid {
    lo: DVec3,
    cell: f64,
    dims: [usize; 3],
    nearest: Vec<u32>,
}

impl NearestGrid {
    fn new(pts: &[DVec3], cell: f64, margin: f64) -> NearestGrid {
        let mut lo = DVec3::splat(f64::INFINITY);
        let mut hi = DVec3::splat(f64::NEG_INFINITY);
        for p in pts {
            lo = lo.min(*p);
            hi = hi.max(*p);
        }
        if pts.is_empty() {
            (lo, hi) = (DVec3::ZERO, DVec3::ZERO);
        }
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

    fn lookup(&self, p: DVec3) -> u32 {
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
struct KdTree {
    idx: Vec<u32>,
}

impl KdTree {
    fn new(pts: &[DVec3]) -> KdTree {
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
    fn nearest(&self, pts: &[DVec3], q: DVec3) -> u32 {
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

    fn builtin() -> Head {
        Head::builtin().unwrap()
    }

    fn tris(h: &Head) -> Vec<[u32; 3]> {
        h.mesh
            .indices
            .chunks_exact(3)
            .map(|t| [t[0], t[1], t[2]])
            .collect()
    }

    /// Head space → a file: Z-up, then turned, scaled and moved.
    fn to_file(p: Vec3, rot: Quat, mm_per_unit: f32, offset: Vec3) -> Vec3 {
        let z_up = Vec3::new(p.x, -p.z, p.y);
        rot * z_up / mm_per_unit + offset
    }

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

    #[test]
    fn principal_axes_of_a_box() {
        let pts: Vec<DVec3> = (0..2000)
            .map(|i| {
                let u = DVec3::new(
                    crate::hash::rand01(5, i, 0) as f64 - 0.5,
                    crate::hash::rand01(5, i, 1) as f64 - 0.5,
                    crate::hash::rand01(5, i, 2) as f64 - 0.5,
                );
                let r = DMat3::from_axis_angle(DVec3::new(1.0, 2.0, 3.0).normalize(), 0.7);
                r * (u * DVec3::new(10.0, 30.0, 20.0))
            })
            .collect();
        let axes = principal_axes(&pts);
        let r = DMat3::from_axis_angle(DVec3::new(1.0, 2.0, 3.0).normalize(), 0.7);
        for (a, want) in axes.iter().zip([r.y_axis, r.z_axis, r.x_axis]) {
            assert!(a.dot(want).abs() > 0.99, "{a} vs {want}");
        }
    }

    #[test]
    fn closest_point_on_a_triangle() {
        let (a, b, c) = (DVec3::ZERO, DVec3::X, DVec3::Y);
        let cases = [
            (DVec3::new(0.2, 0.2, 5.0), DVec3::new(0.2, 0.2, 0.0)),
            (DVec3::new(-1.0, -1.0, 0.0), a),
            (DVec3::new(2.0, -0.1, 1.0), b),
            (DVec3::new(0.5, -3.0, 0.0), DVec3::new(0.5, 0.0, 0.0)),
            (DVec3::new(1.0, 1.0, 0.0), DVec3::new(0.5, 0.5, 0.0)),
        ];
        for (p, want) in cases {
            assert!(
                closest_on_triangle(p, a, b, c).distance(want) < 1e-12,
                "{p}"
            );
        }
    }

    #[test]
    fn the_built_in_nasion_is_below_the_glabella_on_the_midline() {
        let h = builtin();
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

    #[test]
    fn units_are_told_by_size() {
        assert_eq!(closest_units(0.09, 90.0), Units::M);
        assert_eq!(closest_units(9.0, 90.0), Units::Cm);
        assert_eq!(closest_units(90.0, 90.0), Units::Mm);
        // With shoulders the radius doubles; still millimetres.
        assert_eq!(closest_units(200.0, 90.0), Units::Mm);
        assert_eq!(closest_units(0.2, 90.0), Units::M);
    }

    /// The CPU core of the automatic alignment on its own: a turned, scaled, moved, Z-up copy
    /// of the built-in head comes back to within a small fraction of a millimetre.
    #[test]
    fn automatic_alignment_undoes_rotation_scale_and_offset() {
        let h = builtin();
        let t = tris(&h);
        for (axis, deg, mm_per_unit, offset) in [
            (
                Vec3::new(0.3, -0.8, 0.5),
                137.0f32,
                1000.0f32,
                Vec3::new(0.4, -1.1, 0.7),
            ),
            (
                Vec3::new(-0.2, 0.1, 0.97),
                200.0,
                10.0,
                Vec3::new(30.0, 2.0, -50.0),
            ),
        ] {
            let rot = Quat::from_axis_angle(axis.normalize(), deg.to_radians());
            let file: Vec<Vec3> = h
                .mesh
                .positions
                .iter()
                .map(|p| to_file(*p, rot, mm_per_unit, offset))
                .collect();
            let a = automatic(&file, &t, None).unwrap();
            assert_eq!(a.mm_per_unit, mm_per_unit, "{:?}", a.describe());
            let worst = file
                .iter()
                .zip(&h.mesh.positions)
                .map(|(f, p)| a.apply(*f).distance(*p))
                .fold(0.0f32, f32::max);
            assert!(
                worst < 0.2,
                "worst vertex {worst} mm off: {:?}",
                a.describe()
            );
            assert!(a.warnings.is_empty(), "{:?}", a.warnings);
        }
    }

    #[test]
    fn three_landmarks_fix_the_frame() {
        let h = builtin();
        let tpl = template().unwrap();
        let rot = Quat::from_axis_angle(Vec3::new(1.0, 1.0, -0.4).normalize(), 2.2);
        let off = Vec3::new(12.0, -40.0, 3.0);
        let f = |p: Vec3| to_file(p, rot, 10.0, off);
        let lm = ScanLandmarks {
            nasion: f(tpl.nasion),
            ear_left: f(tpl.ear_left),
            ear_right: f(tpl.ear_right),
        };
        let a = from_landmarks(&lm, None).unwrap();
        assert_eq!(a.mm_per_unit, 10.0);
        for p in h.mesh.positions.iter().step_by(97) {
            assert!(a.apply(f(*p)).distance(*p) < 0.01);
        }
        let t = tris(&h);
        let file: Vec<Vec3> = h.mesh.positions.iter().map(|p| f(*p)).collect();
        assert_eq!(check_landmark_alignment(&a, &file, &t), None);
        // Ears the wrong way round: the head comes out upside down, and that is noticed.
        let swapped = ScanLandmarks {
            ear_left: lm.ear_right,
            ear_right: lm.ear_left,
            ..lm
        };
        let b = from_landmarks(&swapped, None).unwrap();
        assert!(check_landmark_alignment(&b, &file, &t).is_some());
        // Collinear points are refused.
        let line = ScanLandmarks {
            nasion: Vec3::ZERO,
            ear_left: Vec3::X,
            ear_right: Vec3::NEG_X,
        };
        assert!(from_landmarks(&line, None).is_err());
    }

    #[test]
    fn landmark_specs_parse_and_bad_ones_say_why() {
        let lm = ScanLandmarks::parse("nasion=0,1,2; ear_left=3,4,5;ear_right=-3,4,5").unwrap();
        assert_eq!(lm.ear_left, Vec3::new(3.0, 4.0, 5.0));
        for (spec, needle) in [
            (
                "nasion=0,1;ear_left=3,4,5;ear_right=1,1,1",
                "three finite numbers",
            ),
            ("nasion=0,1,2;ear_left=3,4,5", "missing ear_right"),
            (
                "nose=0,1,2;ear_left=3,4,5;ear_right=1,1,1",
                "unknown landmark `nose`",
            ),
            (
                "nasion=0,1,x;ear_left=3,4,5;ear_right=1,1,1",
                "three finite numbers",
            ),
            ("nasion=0,1,2;nasion=0,1,2", "twice"),
        ] {
            let e = ScanLandmarks::parse(spec).unwrap_err().to_string();
            assert!(e.contains(needle), "{spec}: {e}");
        }
        let e = ScanLandmarks::from_toml_str(
            "nasion = [0, 1, 2]\near_left = [1, 2]\near_right = [0, 0, 0]\n",
            Path::new("lm.toml"),
        )
        .unwrap_err()
        .to_string();
        assert!(e.starts_with("lm.toml:2"), "{e}");
    }

    /// A head that is not the built-in one: longer and narrower, with a layer of hair on the
    /// cranium, on shoulders (a box under the neck); and a scan cut off at the ears. The fit
    /// still finds the orientation to within a couple of degrees.
    #[test]
    fn fit_survives_another_head_with_hair_and_shoulders_and_a_cropped_scan() {
        let h = builtin();
        let t = tris(&h);
        let other = |p: Vec3| {
            let p = p * Vec3::new(0.95, 1.02, 1.06);
            let n = (p - Vec3::new(0.0, 0.0, -5.0)).normalize();
            let hair = ((p.y - 30.0) / 40.0).clamp(0.0, 1.0) * if p.z > 60.0 { 0.3 } else { 1.0 };
            p + n * 8.0 * hair
        };
        let mut pos: Vec<Vec3> = h.mesh.positions.iter().map(|p| other(*p)).collect();
        let mut with_shoulders = t.clone();
        // Shoulders: the top and the front and back of a 420 × 160 × 130 mm box.
        let n = 30u32;
        for face in 0..3 {
            let base = pos.len() as u32;
            for i in 0..=n {
                for j in 0..=n {
                    let (u, v) = (i as f32 / n as f32, j as f32 / n as f32);
                    pos.push(match face {
                        0 => Vec3::new(-210.0 + 420.0 * u, -150.0, -65.0 + 130.0 * v),
                        1 => Vec3::new(-210.0 + 420.0 * u, -150.0 - 160.0 * v, 65.0),
                        _ => Vec3::new(-210.0 + 420.0 * u, -150.0 - 160.0 * v, -65.0),
                    });
                }
            }
            for i in 0..n {
                for j in 0..n {
                    let a = base + i * (n + 1) + j;
                    with_shoulders.push([a, a + 1, a + n + 1]);
                    with_shoulders.push([a + 1, a + n + 2, a + n + 1]);
                }
            }
        }
        let cropped: Vec<[u32; 3]> = t
            .iter()
            .copied()
            .filter(|tr| tr.iter().all(|&i| h.mesh.positions[i as usize].y > -5.0))
            .collect();
        let rot = Quat::from_axis_angle(Vec3::new(0.3, -0.8, 0.5).normalize(), 2.4);
        for (name, tris) in [("other head", &with_shoulders), ("cranium only", &cropped)] {
            let src = if name == "cranium only" {
                &h.mesh.positions
            } else {
                &pos
            };
            let file: Vec<Vec3> = src.iter().map(|p| rot * *p / 10.0).collect();
            let a = automatic(&file, tris, None).unwrap();
            let err = Quat::from_mat3(&(a.rotation * Mat3::from_quat(rot)));
            let deg = err.angle_between(Quat::IDENTITY).to_degrees();
            assert!(deg < 2.0, "{name}: {deg:.2}° off: {:?}", a.describe());
            assert_eq!(a.mm_per_unit, 10.0, "{name}");
        }
    }
}
