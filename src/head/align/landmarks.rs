//! Three landmarks given in the scan's own coordinates (nasion and ear tops): reading them,
//! the frame they fix, and a check that left and right were not swapped.
use super::geometry::surface_samples;
use super::icp::{evaluate, Pose};
use super::{closest_units, template, Alignment, Method, QUICK_SAMPLES};
use crate::error::{Result, ScalpError};
use crate::head::obj::Units;
use glam::{DMat3, DVec3, Vec3};
use serde::Deserialize;
use std::path::Path;

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
            let text = crate::limits::read_capped_text(path, crate::limits::MAX_TEXT_FILE_BYTES)
                .map_err(|source| ScalpError::Io {
                    path: path.to_path_buf(),
                    source,
                })?;
            return Self::from_toml_str(&text, path);
        }
        let what = "landmarks";
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

/// Aligns by three landmarks in file coordinates (see the module documentation). `units`:
/// the file's units when known; otherwise those that make the ear tops' distance closest to
/// the built-in head's.
pub fn from_landmarks(lm: &ScanLandmarks, units: Option<Units>) -> Result<Alignment> {
    let tpl = template()?;
    let bad = |m: String| ScalpError::invalid("landmarks", m);
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

#[cfg(test)]
mod tests {
    use super::super::tests::{builtin, to_file, tris};
    use super::*;
    use glam::Quat;

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
}
