//! Landmark pixels picked on a photo: which landmarks a photo can name, reading them from
//! `"nasion=x,y;ear_left=x,y;…"` or a TOML file (`nasion = [x, y]`), and writing that file.
//! Pixels count from the image's top-left corner, x to the right, y down.
use crate::error::{Result, ScalpError};
use crate::head::Head;
use glam::Vec3;
use std::path::Path;

/// What errors about the points are named by.
pub const WHAT: &str = "points";

/// Largest coordinate accepted while reading (the image check comes later, with its size).
const MAX_COORD: f64 = 1.0e6;

/// A landmark a photo can show, with its place on the head.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum PhotoLandmark {
    /// The deepest point between the forehead and the nose.
    Nasion,
    /// The brow ridge between the eyebrows.
    Glabella,
    /// The front hairline on the midline (trichion), as the plan's built-in head places it.
    Hairline,
    /// Where the hairline turns back at the client's left temple.
    TempleLeft,
    TempleRight,
    /// The highest point of the skull.
    Vertex,
    /// The most posterior point of the back of the head.
    Occipital,
    /// Top of the attachment of the client's left ear.
    EarLeft,
    EarRight,
}

impl PhotoLandmark {
    pub const ALL: [PhotoLandmark; 9] = [
        PhotoLandmark::Nasion,
        PhotoLandmark::Glabella,
        PhotoLandmark::Hairline,
        PhotoLandmark::TempleLeft,
        PhotoLandmark::TempleRight,
        PhotoLandmark::Vertex,
        PhotoLandmark::Occipital,
        PhotoLandmark::EarLeft,
        PhotoLandmark::EarRight,
    ];

    pub fn name(self) -> &'static str {
        match self {
            PhotoLandmark::Nasion => "nasion",
            PhotoLandmark::Glabella => "glabella",
            PhotoLandmark::Hairline => "hairline",
            PhotoLandmark::TempleLeft => "temple_left",
            PhotoLandmark::TempleRight => "temple_right",
            PhotoLandmark::Vertex => "vertex",
            PhotoLandmark::Occipital => "occipital",
            PhotoLandmark::EarLeft => "ear_left",
            PhotoLandmark::EarRight => "ear_right",
        }
    }

    /// The landmark a name means: its own name, or the head's landmark file's name for it.
    pub fn from_name(name: &str) -> Option<PhotoLandmark> {
        let n = name.trim();
        PhotoLandmark::ALL
            .into_iter()
            .find(|l| l.name() == n)
            .or(match n {
                "front_hairline" | "trichion" => Some(PhotoLandmark::Hairline),
                "ear_top_left" => Some(PhotoLandmark::EarLeft),
                "ear_top_right" => Some(PhotoLandmark::EarRight),
                _ => None,
            })
    }

    /// Where it lies on `head`, mm in head space. The nasion is not among a head's landmarks:
    /// on the built-in head it is the alignment template's; on a scan (aligned to that
    /// template) it is where a ray from in front, at the template nasion's height, meets the
    /// scan's face.
    pub fn position(self, head: &Head) -> Result<Vec3> {
        let lm = &head.landmarks;
        Ok(match self {
            PhotoLandmark::Nasion => {
                let n = crate::head::align::template()?.nasion;
                if head.scan.is_none() {
                    n
                } else {
                    let from = Vec3::new(n.x, n.y, n.z + 400.0);
                    head.mesh.first_hit(from, -Vec3::Z).unwrap_or(n)
                }
            }
            PhotoLandmark::Glabella => lm.glabella,
            PhotoLandmark::Hairline => lm.front_hairline,
            PhotoLandmark::TempleLeft => lm.temple_left,
            PhotoLandmark::TempleRight => lm.temple_right,
            PhotoLandmark::Vertex => lm.vertex,
            PhotoLandmark::Occipital => lm.occipital,
            PhotoLandmark::EarLeft => lm.ear_top_left,
            PhotoLandmark::EarRight => lm.ear_top_right,
        })
    }

    fn names() -> String {
        PhotoLandmark::ALL.map(|l| l.name()).join(", ")
    }
}

/// Landmark pixels on one photo, in the order of [`PhotoLandmark::ALL`].
#[derive(Clone, Debug, PartialEq, Default)]
pub struct PhotoPoints {
    pub points: Vec<(PhotoLandmark, [f64; 2])>,
}

impl PhotoPoints {
    pub fn get(&self, l: PhotoLandmark) -> Option<[f64; 2]> {
        self.points.iter().find(|p| p.0 == l).map(|p| p.1)
    }

    /// The points file: one `name = [x, y]` a line.
    pub fn to_toml(&self) -> String {
        let mut s = String::from(
            "# Landmark pixels on the photo: x to the right, y down, from the top-left corner.\n",
        );
        for (l, [x, y]) in &self.points {
            s.push_str(&format!("{} = [{x:.1}, {y:.1}]\n", l.name()));
        }
        s
    }

    /// Adds a point, refusing a landmark given twice and a coordinate that is no pixel.
    fn push(&mut self, l: PhotoLandmark, xy: [f64; 2], at: &str) -> Result<()> {
        if self.get(l).is_some() {
            return Err(ScalpError::invalid(
                WHAT,
                format!("{at}`{}` is given twice", l.name()),
            ));
        }
        if !xy
            .iter()
            .all(|c| c.is_finite() && (0.0..=MAX_COORD).contains(c))
        {
            return Err(ScalpError::invalid(
                WHAT,
                format!(
                    "{at}`{}` = {}, {}: pixel coordinates must be 0 to {MAX_COORD}",
                    l.name(),
                    xy[0],
                    xy[1]
                ),
            ));
        }
        self.points.push((l, xy));
        Ok(())
    }
}

/// Reads landmark pixels from text: `"nasion=x,y;ear_left=x,y;…"` (separated by `;` or new
/// lines), or a TOML points file's text (`nasion = [x, y]` a line; told apart by its `[`).
/// Never panics, whatever the text.
pub fn parse_points(text: &str) -> Result<PhotoPoints> {
    if text.contains('[') {
        return parse_toml(text, None);
    }
    let mut out = PhotoPoints::default();
    for (i, part) in text
        .split([';', '\n'])
        .map(str::trim)
        .filter(|p| !p.is_empty() && !p.starts_with('#'))
        .enumerate()
    {
        let at = format!("point {} ", i + 1);
        let Some((name, value)) = part.split_once('=') else {
            return Err(ScalpError::invalid(
                WHAT,
                format!("{at}`{part}`: expected NAME=x,y"),
            ));
        };
        let l = landmark(name, &at)?;
        let nums: Vec<&str> = value.split(',').map(str::trim).collect();
        let xy: Vec<f64> = nums.iter().filter_map(|n| n.parse().ok()).collect();
        if nums.len() != 2 || xy.len() != 2 {
            return Err(ScalpError::invalid(
                WHAT,
                format!(
                    "{at}`{}`: expected two numbers x,y, got `{}`",
                    name.trim(),
                    value.trim()
                ),
            ));
        }
        out.push(l, [xy[0], xy[1]], &at)?;
    }
    out.points.sort_by_key(|p| p.0);
    Ok(out)
}

fn landmark(name: &str, at: &str) -> Result<PhotoLandmark> {
    PhotoLandmark::from_name(name).ok_or_else(|| {
        ScalpError::invalid(
            WHAT,
            format!(
                "{at}unknown landmark `{}`; expected one of {}",
                name.trim(),
                PhotoLandmark::names()
            ),
        )
    })
}

/// A TOML points file's text; `path` names the file in errors.
fn parse_toml(text: &str, path: Option<&Path>) -> Result<PhotoPoints> {
    let err = |line: Option<usize>, message: String| match path {
        Some(p) => ScalpError::Landmarks {
            path: p.to_path_buf(),
            line,
            message,
        },
        None => ScalpError::invalid(
            WHAT,
            match line {
                Some(l) => format!("line {l}: {message}"),
                None => message,
            },
        ),
    };
    let line_of = |span: Option<std::ops::Range<usize>>| {
        span.map(|s| text[..s.start.min(text.len())].lines().count().max(1))
    };
    let table: toml::Table =
        toml::from_str(text).map_err(|e| err(line_of(e.span()), e.message().trim().to_string()))?;
    // The line a key is on, to name it with a bad value.
    let key_line = |k: &str| {
        text.lines()
            .position(|l| {
                let l = l.trim_start().trim_start_matches('"');
                l.strip_prefix(k).is_some_and(|r| {
                    r.trim_start()
                        .trim_start_matches('"')
                        .trim_start()
                        .starts_with('=')
                })
            })
            .map(|i| i + 1)
    };
    let mut out = PhotoPoints::default();
    for (k, v) in &table {
        let line = key_line(k);
        let l = landmark(k, "").map_err(|e| err(line, strip_what(e)))?;
        let xy = v
            .as_array()
            .filter(|a| a.len() == 2)
            .and_then(|a| {
                let n = |v: &toml::Value| v.as_float().or(v.as_integer().map(|i| i as f64));
                Some([n(&a[0])?, n(&a[1])?])
            })
            .ok_or_else(|| {
                err(
                    line,
                    format!("`{k}`: expected two numbers [x, y], got `{v}`"),
                )
            })?;
        out.push(l, xy, "").map_err(|e| err(line, strip_what(e)))?;
    }
    out.points.sort_by_key(|p| p.0);
    Ok(out)
}

/// An error's message without its "points: " prefix, to be put under a file and line.
fn strip_what(e: ScalpError) -> String {
    match e {
        ScalpError::Invalid { message, .. } => message,
        other => other.to_string(),
    }
}

/// Reads `--points`: the `name=x,y;…` form, or a TOML file when `spec` names one.
pub fn load_points(spec: &str) -> Result<PhotoPoints> {
    let path = Path::new(spec.trim());
    if !spec.contains('=') || path.is_file() {
        let text = std::fs::read_to_string(path).map_err(|source| ScalpError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        return parse_toml(&text, Some(path));
    }
    parse_points(spec)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_forms_give_the_same_points_and_the_file_reads_back() {
        let a = parse_points("nasion=10,20; ear_left = 300.5,40;vertex=5,6").unwrap();
        assert_eq!(a.points.len(), 3);
        assert_eq!(a.get(PhotoLandmark::EarLeft), Some([300.5, 40.0]));
        let b = parse_points("nasion = [10, 20]\near_top_left = [300.5, 40.0]\nvertex = [5, 6]\n")
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(parse_points(&a.to_toml()).unwrap(), a);
    }

    #[test]
    fn bad_points_are_refused_naming_the_point_line_and_range() {
        let e = |t: &str| parse_points(t).unwrap_err().to_string();
        assert!(e("nasion=1,2;nose=3,4").contains("point 2 unknown landmark `nose`"));
        assert!(e("nasion=1,2;nasion=3,4").contains("`nasion` is given twice"));
        assert!(e("nasion=1").contains("expected two numbers"));
        assert!(e("nasion=-1,2").contains("0 to"));
        assert!(e("nasion=nan,2").contains("0 to"));
        let t = e("nasion = [1, 2]\nvertex = [1, \"a\"]\n");
        assert!(t.contains("line 2") && t.contains("vertex"), "{t}");
        let t = e("nasion = [1, 2]\n\nnose = [3, 4]\n");
        assert!(t.contains("line 3") && t.contains("nose"), "{t}");
        let t = e("nasion = [1, 2]\nvertex = [1e9, 2]\n");
        assert!(t.contains("line 2") && t.contains("0 to"), "{t}");
        assert!(e("nasion = [1, 2").contains("line 1"));
    }

    #[test]
    fn odd_text_never_panics() {
        for t in [
            "",
            ";;",
            "=",
            "[",
            "a=[",
            "nasion=,",
            "é=1,2",
            "nasion = [[1]]",
            "\u{0}",
        ] {
            let _ = parse_points(t);
        }
    }
}
