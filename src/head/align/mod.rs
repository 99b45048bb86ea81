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
//!    - Cues first ([`Cues`]): what the face itself tells. The left–right **symmetry plane**:
//!      240 candidate normals and the principal axes, each plane through the centroid scored
//!      by how far the mirrored surface lies from the surface, the best four refined by
//!      mirrored-point ICP. The **nose**: the sharpest peak within half a peak radius of that
//!      plane, a peak's sharpness being its mean height above its neighbours within 18 mm
//!      (scaled with the head) in the flattest of six directions around it, over that radius
//!      — an edge, a ridge or the scan's boundary scores nothing, a broad bun, chin or cranium
//!      little — and only a narrow one: beside its tip (0.17–0.24 of the head's size off the
//!      plane, at its height) the surface must lie at least 0.1 of that size behind it, which
//!      a nose's flanks do (20–30 mm) and a chin, a brow or a mask over the lower face does not
//!      (a masked head's 7 mm). The **ears**: the mirrored pair of peaks on the two sides
//!      within reach of the nose, at least half the head's size off the plane and 0.7 of it
//!      behind the nose (not beside the eyes). A sure plane (the next best mirrors 1.5× worse) replaces the 72 starts below by
//!      24: its normal as ±X, turned about it in 30° steps. A sure nose (sharpness at least
//!      0.12, the next peak on the plane at most 0.7 of it) rules out every fit that does not
//!      put it within 35 mm of the built-in head's nose, so a bun or a hair mass cannot turn
//!      the face backwards. After the fit the cues are checked against it (the plane's normal
//!      within 8° of X, the nose within 35 mm, the ears within 50 mm of the built-in head's
//!      ears, anywhere from their tops to their lobes; distances at the built-in head's size);
//!      a disagreement, or two nose-like peaks on the plane, is a warning asking for
//!      `--landmarks`. Without a sure nose (a cranium cut above the brow) the template's shape
//!      decides, as below, and an unsure fit says so.
//!    - **Pitch from the face.** With a sure plane and nose and the ears, the face gives its
//!      whole frame before any fit: X along the plane's normal, the pitch that puts the line
//!      from the ears' centres to the nose tip at the angle it has on the built-in head (the
//!      same cues found there; an ear's centre is the sharpness-weighted middle of its pinna,
//!      so it hardly moves whether its sharpest peak was the helix or the lobe). Up comes from
//!      the **eye sockets**: beside the nose, going up, the frontmost surface dips into the
//!      orbit and rises again to the brow; going down it only recedes. When the dip shows one
//!      way only, that way is up; when a beard or a torso raises one the other way too, both
//!      frames are kept and the fit chooses. The frame is a start of its own, and fits more
//!      than 20° from it are ruled out, so a bun, a topknot or a beard cannot pitch the head;
//!      the fit ending more than 12° from it, or no socket at all beside a nose, is a
//!      disagreement.
//!    - Orientation without a sure symmetry plane: a head is mirror-symmetric, so its left–right axis is one of the principal
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
mod cues;
mod geometry;
mod icp;
mod kdtree;
mod landmarks;
mod template;

pub use geometry::{closest_on_triangle, surface_samples};
pub use landmarks::{check_landmark_alignment, from_landmarks, ScanLandmarks};
pub use template::{template, Template};

use super::obj::{guess_units, guess_up, Units, UpAxis};
use crate::error::{Result, ScalpError};
use geometry::{centroid_rms, principal_axes};
use glam::{DMat3, DVec3, Mat3, Quat, Vec3};
use icp::{angle_between, evaluate, icp, place_by_top, Pose};

/// Surface samples for the quick look at each starting orientation, and for the full fit.
const QUICK_SAMPLES: usize = 600;

const FULL_SAMPLES: usize = 4000;

/// ICP rounds per starting orientation, and at most for a full fit.
const QUICK_ROUNDS: usize = 8;

const FULL_ROUNDS: usize = 60;

/// Starting orientations refined fully.
const FINALISTS: usize = 3;

/// A sample within this distance of the built-in head counts as fitting it, mm.
pub const INLIER_MM: f32 = 5.0;

/// A fit whose runner-up orientation scores within this factor of it is reported as unsure.
const UNSURE_RATIO: f64 = 1.15;

/// A quick or full fit puts a sure nose within this distance of the built-in head's, or it
/// faces the wrong way, mm (in the built-in head's size).
const NOSE_LANDS_QUICK_MM: f64 = 35.0;

/// After the fit, the cues agree with it when the nose lands within this distance of the
/// built-in head's (a shallow face's nose sits 30 mm behind it; a pose 20° off moves it
/// further), the ears within this of its ears (mm, at its size: an ear is some 60 mm
/// long, and its sharpest peak need not be the same spot on two heads), and the symmetry
/// plane's normal within this angle of the X axis.
const NOSE_AGREES_MM: f64 = 35.0;

const EARS_AGREE_MM: f64 = 50.0;

const PLANE_AGREES_DEG: f64 = 8.0;

/// The face's own frame (plane, nose, eye sockets, the nose–ear line; [`Cues::frame_deg`])
/// rules out fits further than this from it, degrees, and disagrees with a chosen fit
/// further than this. Between people the line from the ears to the nose tip varies by a few
/// degrees (as the Frankfort plane does), and the ears' centres are found to some 10 mm.
const FRAME_LANDS_DEG: f64 = 20.0;

const FRAME_AGREES_DEG: f64 = 12.0;

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
    /// What the face itself told, found before the fit.
    pub cues: Cues,
}

/// The cues a face gives to its orientation (see [`automatic`]).
#[derive(Clone, Debug, PartialEq)]
pub struct Cues {
    /// How far the mirrored surface lies from the surface for the best symmetry plane and
    /// for the next best distinct one (truncated RMS, mm).
    pub plane_rms_mm: f32,
    pub next_plane_rms_mm: f32,
    /// The best plane is clearly the one (the next is much worse): it set the starts.
    pub plane_sure: bool,
    /// The nose's sharpness (mean height above its neighbours in the flattest direction over
    /// the neighbourhood's radius) when a nose was found clearly sharper than anything else
    /// on the plane.
    pub nose_sharpness: Option<f32>,
    /// A mirrored pair of peaks (the ears) was found on the two sides of the plane.
    pub ears: bool,
    /// What decided which way the face looks.
    pub decided_by: Decider,
    /// Depth of the eye sockets above the nose (the brow's rise in front of them, mm at the
    /// built-in head's size), when they were found one way from the nose only, and so told
    /// up from down.
    pub sockets_mm: Option<f32>,
    /// When the face gave its frame (a sure plane and nose, the ears; up from the eye sockets
    /// or else from the fit), the pitch set by the line from the ears to the nose: how far
    /// the chosen fit ended from that frame, degrees. The fit only refines it; fits further
    /// than 20° were ruled out.
    pub frame_deg: Option<f32>,
    /// The orientation the template's shape alone preferred, when the cues overruled it: its
    /// angle from the chosen one, degrees.
    pub template_alone_deg: Option<f32>,
    /// The best refined fit the nose ruled out: its score (mm) and angle (degrees).
    pub ruled_out: Option<(f32, f32)>,
    /// Where the cues disagree with each other or with the fit (each asks for landmarks).
    pub disagreements: Vec<String>,
}

/// What decided which way the face looks.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Decider {
    /// The nose (the sharpest peak on the symmetry plane) and the ears beside it.
    NoseAndEars,
    /// The nose; no ear pair was found.
    Nose,
    /// No sure nose: the template's shape alone (the fit to the built-in head).
    TemplateShape,
}

impl Decider {
    pub fn name(self) -> &'static str {
        match self {
            Decider::NoseAndEars => "the nose and the ears",
            Decider::Nose => "the nose",
            Decider::TemplateShape => "the built-in head's shape (no sure nose)",
        }
    }
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
        let mut lines = vec![format!("alignment: {how}")];
        if let Method::Template(f) = &self.method {
            lines.extend(f.cues.describe());
        }
        lines.extend([
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
        ]);
        lines
    }
}

impl Cues {
    /// Lines for `scalp render`: what the face told, and what decided the orientation.
    pub fn describe(&self) -> Vec<String> {
        let plane = if self.plane_sure {
            format!(
                "symmetry plane found (mirrored surface {:.1} mm off it, {:.1} mm for the next \
                 best plane)",
                self.plane_rms_mm, self.next_plane_rms_mm
            )
        } else {
            format!(
                "no clear symmetry plane ({:.1} mm against {:.1} mm for the next best)",
                self.plane_rms_mm, self.next_plane_rms_mm
            )
        };
        let nose = match self.nose_sharpness {
            Some(s) => format!("nose found (sharpness {s:.2})"),
            None => "no nose found".to_string(),
        };
        let ears = if self.ears {
            "ears found"
        } else {
            "no ear pair"
        };
        let sockets = match self.sockets_mm {
            Some(d) => format!("eye sockets found ({d:.0} mm deep)"),
            None => "no eye sockets that tell up".to_string(),
        };
        let mut decided = format!("facing decided by {}", self.decided_by.name());
        decided += &match self.frame_deg {
            Some(d) => format!(
                "; pitch from the line from the ears to the nose (the fit refined it by \
                 {d:.1}°), up from {}",
                if self.sockets_mm.is_some() {
                    "the eye sockets"
                } else {
                    "the fit"
                }
            ),
            None => "; pitch from the fit to the built-in head's shape".to_string(),
        };
        if let Some(a) = self.template_alone_deg {
            decided +=
                &format!("; the built-in head's shape alone preferred an orientation {a:.0}° away");
        }
        if let Some((score, a)) = self.ruled_out {
            decided += &format!(
                "; ruled out by the nose: an orientation {a:.0}° away fitting at {score:.1} mm"
            );
        }
        vec![
            format!("alignment cues: {plane}; {nose}; {sockets}; {ears}"),
            format!("alignment decided: {decided}"),
        ]
    }
}

fn trim_float(x: f32) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
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
    let cue_pts = to_mm(&surface_samples(positions, tris, cues::CUE_SAMPLES, 3));
    // Neighbourhoods scale with the head, but shoulders or a long neck do not make it larger;
    // a head far from a human size in these units (none of mm, cm, m) is taken as it is.
    let ratio = rms * mm / tpl.rms_radius;
    let size = tpl.rms_radius
        * if (0.5..2.5).contains(&ratio) {
            ratio.clamp(0.6, 1.2)
        } else {
            ratio
        };
    let mut found = cues::find(&cue_pts, size, tpl.rms_radius, None);
    if let (Some(n), Some((len, _)), Some((reference, _))) =
        (found.nose, found.ears_to_nose(), tpl.cues.ears_to_nose())
    {
        let reach = cues::FACE_REACH_MM * len / reference;
        let face = to_mm(&face_samples(
            positions,
            tris,
            |p| (p - centroid) * mm,
            n.at,
            reach,
        ));
        found.look_for_sockets(&face, reference);
    }
    let nose = found.sure_nose();
    let starts = if found.plane_sure() {
        plane_orientations(found.plane.normal)
    } else {
        starting_orientations(&principal_axes(&full))
    };
    // The face's own frame, pitch included, is a start of its own, and the fit only refines it.
    let frames = found.frames(&tpl.cues);
    // Blind starts are placed by the top of the head; the face's frames by the face (a
    // topknot's top is not the head's).
    let mut starts: Vec<Pose> = crate::parallel::map(&starts, |r| place_by_top(tpl, &quick, *r));
    starts.extend(
        frames
            .iter()
            .filter_map(|f| found.place_by_face(&tpl.cues, *f)),
    );
    let from_frame = |p: &Pose| {
        frames
            .iter()
            .map(|f| angle_between(&p.r, f))
            .reduce(f64::min)
    };
    // With a sure nose, only poses that put it on the built-in head's nose are heads facing
    // the right way; with the face's frame, only poses near it.
    let lands = |p: &Pose| {
        nose.is_none_or(|n| {
            tpl.cues
                .nose
                .is_none_or(|t| p.apply(n.at).distance(t.at) < NOSE_LANDS_QUICK_MM)
        }) && from_frame(p).is_none_or(|d| d < FRAME_LANDS_DEG)
    };
    let (finalists, template_alone) = finalists(tpl, &quick, &starts, &lands);
    let mut fits = crate::parallel::map(&finalists, |p| {
        let pose = icp(tpl, &full, p.clone(), FULL_ROUNDS, true, true);
        let e = evaluate(tpl, &full, &pose, true);
        (pose, e)
    });
    fits.sort_by(|a, b| a.1.score.total_cmp(&b.1.score));
    // The nose rules out fits that turned away from it during refinement, unless all did.
    let chosen = fits.iter().position(|f| lands(&f.0)).unwrap_or(0);
    // The winner's last rounds with exact closest points.
    let pose = icp(tpl, &full, fits[chosen].0.clone(), FULL_ROUNDS, false, true);
    let eval = evaluate(tpl, &full, &pose, false);
    let others = fits
        .iter()
        .enumerate()
        .filter(|(i, f)| *i != chosen && angle_between(&f.0.r, &pose.r) > 25.0);
    let (mut runner_up, mut ruled_out) = (None, None);
    for (_, f) in others {
        let entry = (f.1.score as f32, angle_between(&f.0.r, &pose.r) as f32);
        if lands(&f.0) {
            runner_up = runner_up.or(Some(entry));
        } else {
            ruled_out = ruled_out.or(Some(entry));
        }
    }
    let template_alone = template_alone
        .map(|p| angle_between(&p.r, &pose.r) as f32)
        .filter(|a| *a > 25.0);
    let frame_deg = from_frame(&pose);
    let cue_report = cue_report(tpl, &found, &pose, frame_deg, template_alone, ruled_out);

    let relative_size = (1.0 / pose.s) as f32;
    let mut warnings = Vec::new();
    let (mm_per_unit, translation, units_note) =
        head_size(&pose, centroid, unit, guessed, relative_size, &mut warnings);
    let fit = TemplateFit {
        starts: starts.len(),
        rms_mm: eval.inlier_rms as f32,
        inlier_share: eval.inlier_share as f32,
        runner_up,
        score_mm: eval.score as f32,
        relative_size,
        fitted_share: eval.used_share as f32,
        cues: cue_report,
    };
    warnings.extend(fit_warnings(&fit, eval.score));
    Ok(Alignment {
        mm_per_unit: mm_per_unit as f32,
        units_note,
        rotation: pose.r.as_mat3(),
        translation: translation.as_vec3(),
        method: Method::Template(fit),
        warnings,
    })
}

/// Samples of the surface whose triangles start within `reach` of `near` (`to_mm` takes a
/// file position to where `near` is), in file coordinates: the face, sampled densely
/// however much of the scan is torso.
fn face_samples(
    positions: &[Vec3],
    tris: &[[u32; 3]],
    to_mm: impl Fn(DVec3) -> DVec3,
    near: DVec3,
    reach: f64,
) -> Vec<DVec3> {
    let face: Vec<[u32; 3]> = tris
        .iter()
        .filter(|t| {
            to_mm(positions[t[0] as usize].as_dvec3()).distance_squared(near) < reach * reach
        })
        .copied()
        .collect();
    surface_samples(positions, &face, cues::FACE_SAMPLES, 5)
}

/// What the cues said and whether the fit agrees with them: the plane's normal must come out
/// along ±X, the nose and the ears on the built-in head's.
fn cue_report(
    tpl: &Template,
    found: &cues::Found,
    pose: &Pose,
    frame_deg: Option<f64>,
    template_alone: Option<f32>,
    ruled_out: Option<(f32, f32)>,
) -> Cues {
    let plane_sure = found.plane_sure();
    let nose = found.sure_nose();
    let mut disagreements = Vec::new();
    if plane_sure {
        let x = (pose.r * found.plane.normal).x.abs().clamp(0.0, 1.0);
        let off = x.acos().to_degrees();
        if off > PLANE_AGREES_DEG {
            disagreements.push(format!(
                "the symmetry plane is {off:.0}° from the fitted head's midline"
            ));
        }
    }
    // Distances in the built-in head's size (the fit's frame), as the thresholds are: a head
    // in unknown units scaled to it must not have its distances inflated by the scale.
    if let (Some(n), Some(t)) = (nose, tpl.cues.nose) {
        let d = pose.apply(n.at).distance(t.at);
        if d > NOSE_AGREES_MM {
            disagreements.push(format!("the nose lands {d:.0} mm from the built-in head's"));
        }
    }
    let ears_found = plane_sure && found.ears.is_some();
    if let (true, Some(e), Some(t)) = (ears_found, found.ears, tpl.cues.ears) {
        // An ear's sharpest peak may be its helix top or its lobe, on the built-in head the
        // lobe: a found peak agrees when it lies near the ear, from its top to that peak.
        let [a, b] = e.map(|p| pose.apply(p.at));
        let (tl, tr) = (tpl.ear_left.as_dvec3(), tpl.ear_right.as_dvec3());
        let near = |p: DVec3, top: DVec3, lobe: DVec3| segment_distance(p, top, lobe);
        let d = (near(a, tl, t[0].at).max(near(b, tr, t[1].at)))
            .min(near(a, tr, t[1].at).max(near(b, tl, t[0].at)));
        if d > EARS_AGREE_MM {
            disagreements.push(format!("the ears land {d:.0} mm from the built-in head's"));
        }
    }
    let sockets = found.sockets.filter(|s| s.tell_up());
    if let (Some(_), false, true) = (nose, found.sockets.is_some_and(|s| s.found()), ears_found) {
        disagreements.push(format!(
            "no eye sockets were found above the nose (the brow rises {:.0} mm in front of \
             where they would be, at least {:.0} expected)",
            found.sockets.map_or(0.0, |s| s.depth_mm),
            cues::SOCKET_MIN_MM
        ));
    }
    if let Some(d) = frame_deg.filter(|d| *d > FRAME_AGREES_DEG) {
        disagreements.push(format!(
            "the fit ended {d:.0}° from the frame the face gives (its plane, nose and ears)"
        ));
    }
    let rival = found.nose.filter(|n| {
        plane_sure
            && n.sharpness >= cues::NOSE_MIN_SHARPNESS
            && found
                .next_peak
                .is_some_and(|p| p.sharpness > cues::NOSE_SURE_RATIO * n.sharpness)
    });
    if rival.is_some() {
        disagreements.push(
            "two peaks on the midline are as sharp as a nose, so the face could be on either"
                .to_string(),
        );
    }
    Cues {
        plane_rms_mm: found.plane.mirror_rms as f32,
        next_plane_rms_mm: found.next_plane_rms as f32,
        plane_sure,
        nose_sharpness: nose.map(|n| n.sharpness as f32),
        ears: ears_found,
        decided_by: match (nose.is_some(), ears_found) {
            (true, true) => Decider::NoseAndEars,
            (true, false) => Decider::Nose,
            _ => Decider::TemplateShape,
        },
        sockets_mm: sockets.map(|s| s.depth_mm as f32),
        frame_deg: frame_deg.map(|d| d as f32),
        template_alone_deg: template_alone.filter(|_| nose.is_some()),
        ruled_out,
        disagreements,
    }
}

/// Distance from `p` to the segment from `a` to `b`.
fn segment_distance(p: DVec3, a: DVec3, b: DVec3) -> f64 {
    let ab = b - a;
    let t = ((p - a).dot(ab) / ab.length_squared().max(1e-12)).clamp(0.0, 1.0);
    p.distance(a + ab * t)
}

/// 24 starting orientations that put the symmetry plane's normal on ±X: the plane turned
/// about it in 30° steps.
fn plane_orientations(normal: DVec3) -> Vec<DMat3> {
    let u0 = if normal.x.abs() < 0.9 {
        DVec3::X
    } else {
        DVec3::Y
    };
    [1.0f64, -1.0]
        .into_iter()
        .flat_map(|s| {
            let x = normal * s;
            turned_about(x, (u0 - x * x.dot(u0)).normalize())
        })
        .collect()
}

/// The 72 starting orientations: each principal axis as ±X, and the remaining plane turned in
/// 30° steps.
fn starting_orientations(axes: &[DVec3; 3]) -> Vec<DMat3> {
    (0..3)
        .flat_map(|a| [1.0f64, -1.0].map(move |s| (a, s)))
        .flat_map(|(a, s)| turned_about(axes[a] * s, axes[(a + 1) % 3]))
        .collect()
}

/// The 12 rotations that put `x` on +X, with `u` (a unit vector square to `x`) turned about it
/// in 30° steps into +Y.
fn turned_about(x: DVec3, u: DVec3) -> impl Iterator<Item = DMat3> {
    let w = x.cross(u);
    (0..12).map(move |k| {
        let th = (k as f64 * 30.0).to_radians();
        let y = u * th.cos() + w * th.sin();
        let z = x.cross(y);
        DMat3::from_cols(x, y, z).transpose()
    })
}

/// Every start placed by the top of the head and given a quick fit; the best [`FINALISTS`]
/// that are more than 25° apart among those `accept`ed (all, if none is), and the best of all
/// (what the template's shape alone would choose).
fn finalists(
    tpl: &Template,
    quick: &[DVec3],
    starts: &[Pose],
    accept: &(dyn Fn(&Pose) -> bool + Sync),
) -> (Vec<Pose>, Option<Pose>) {
    let quick_fits = crate::parallel::map(starts, |start| {
        let pose = icp(tpl, quick, start.clone(), QUICK_ROUNDS, true, false);
        let e = evaluate(tpl, quick, &pose, true);
        (pose, e.score)
    });
    let mut order: Vec<usize> = (0..starts.len()).collect();
    order.sort_by(|&a, &b| quick_fits[a].1.total_cmp(&quick_fits[b].1));
    let best_of_all = order.first().map(|&i| quick_fits[i].0.clone());
    let any_accepted = order.iter().any(|&i| accept(&quick_fits[i].0));
    let mut finalists: Vec<Pose> = Vec::new();
    for &i in &order {
        let p = &quick_fits[i].0;
        if any_accepted && !accept(p) {
            continue;
        }
        if finalists.iter().all(|f| angle_between(&f.r, &p.r) > 25.0) {
            finalists.push(p.clone());
        }
        if finalists.len() == FINALISTS {
            break;
        }
    }
    // A runner-up the cues rule out is still worth reporting: refine the best of them too.
    if let Some(&i) = order.iter().find(|&&i| !accept(&quick_fits[i].0)) {
        let p = &quick_fits[i].0;
        if any_accepted && finalists.iter().all(|f| angle_between(&f.r, &p.r) > 25.0) {
            finalists.push(p.clone());
        }
    }
    (finalists, best_of_all)
}

/// The scale to millimetres, the translation and the note on units of a fitted `pose`: the
/// head keeps its own size unless that size is not to be believed (with guessed units).
fn head_size(
    pose: &Pose,
    centroid: DVec3,
    unit: Units,
    guessed: bool,
    relative_size: f32,
    warnings: &mut Vec<String>,
) -> (f64, DVec3, String) {
    let mm = unit.mm_per_unit() as f64;
    let plausible = (PLAUSIBLE_SIZE.0..PLAUSIBLE_SIZE.1).contains(&relative_size);
    // q = s·R·(p_mm − c) + t is the fit; the head keeps its own size about the origin:
    // q / s = R·p_mm + (t/s − R·c), unless its size is not to be believed.
    if plausible || !guessed {
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
    }
}

/// What the user should check about a fit: little of the scan near the built-in head, or a
/// runner-up orientation nearly as good (`score_mm`: the fit's, unrounded).
fn fit_warnings(fit: &TemplateFit, score_mm: f64) -> Vec<String> {
    let mut warnings = Vec::new();
    if fit.inlier_share < 0.5 {
        warnings.push(format!(
            "only {:.0}% of the scan lies within {INLIER_MM} mm of the built-in head after \
             alignment: check the picture, or give --landmarks",
            100.0 * fit.inlier_share
        ));
    }
    if !fit.cues.disagreements.is_empty() {
        warnings.push(format!(
            "the alignment cues disagree: {}; check the picture, or give --landmarks",
            fit.cues.disagreements.join("; ")
        ));
    }
    if let Some((score, angle)) = fit.runner_up {
        if (score as f64) < UNSURE_RATIO * score_mm {
            warnings.push(format!(
                "the alignment is unsure: an orientation {angle:.0}° away fits almost as well \
                 ({score:.1} mm against {:.1} mm); check the picture, or give --landmarks",
                score_mm
            ));
        }
    }
    warnings
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::head::Head;

    pub(super) fn builtin() -> Head {
        Head::builtin().unwrap()
    }

    pub(super) fn tris(h: &Head) -> Vec<[u32; 3]> {
        h.mesh
            .indices
            .chunks_exact(3)
            .map(|t| [t[0], t[1], t[2]])
            .collect()
    }

    /// Head space → a file: Z-up, then turned, scaled and moved.
    pub(super) fn to_file(p: Vec3, rot: Quat, mm_per_unit: f32, offset: Vec3) -> Vec3 {
        let z_up = Vec3::new(p.x, -p.z, p.y);
        rot * z_up / mm_per_unit + offset
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
