//! The one OBJ statement reader: checks every `v`, `vn`, `vt`, `f`, `usemtl` and `mtllib`
//! line with a message that says what is wrong with it, counts them, and keeps them in a
//! [`RawObj`] when asked (the scan path and the mesh path read through it alike).
use super::{RawObj, NO_NORMAL, NO_UV};
use glam::Vec3;

/// Counts and checks OBJ statements one line at a time, and keeps them in `collect` when set.
#[derive(Default)]
pub(super) struct Scan {
    pub(super) v: u64,
    pub(super) vn: u64,
    pub(super) vt: u64,
    pub(super) faces: u64,
    pub(super) triangles: u64,
    pub(super) corners: u64,
    /// Some face vertex refers to a normal.
    pub(super) face_normals: bool,
    /// Where the statements are kept; None: only checked and counted.
    pub(super) collect: Option<RawObj>,
}

/// What went wrong with one index of a face vertex.
enum IndexError {
    /// Not a whole number: the whole token is reported.
    Syntax,
    Message(String),
}

const MAX_WORDS: usize = 8;

type LineResult = std::result::Result<(), String>;

impl Scan {
    /// Checks, counts and keeps one line; the error message says what is wrong with it.
    pub(super) fn line(&mut self, raw: &str) -> LineResult {
        let content = match raw.find('#') {
            Some(i) => &raw[..i],
            None => raw,
        };
        let mut words = content.split_whitespace();
        let Some(keyword) = words.next() else {
            return Ok(());
        };
        let mut w = [""; MAX_WORDS];
        let mut n = 0usize;
        for word in words.clone() {
            if n < MAX_WORDS {
                w[n] = word;
            }
            n += 1;
        }
        match keyword {
            "v" => self.vertex(&w, n),
            "vn" => self.normal(&w, n),
            "vt" => self.tex_coord(&w, n),
            "f" => self.face(words, n),
            "usemtl" | "mtllib" => {
                self.material(keyword, content);
                Ok(())
            }
            // o, g, s, l, p, curv, ...: not needed for the head mesh.
            _ => Ok(()),
        }
    }

    /// `v x y z`, `v x y z w` (divided by w) or `v x y z r g b` (colour kept in
    /// [`RawObj::colours`]).
    fn vertex(&mut self, w: &[&str; MAX_WORDS], n: usize) -> LineResult {
        if n < 3 {
            return Err(format!(
                "vertex has {n} {}, expected 3 (x y z)",
                if n == 1 { "number" } else { "numbers" }
            ));
        }
        if !matches!(n, 3 | 4 | 6) {
            return Err(format!(
                "vertex has {n} numbers, expected x y z, optionally followed by w or by r g b"
            ));
        }
        let mut xyz = [0f32; 3];
        for (k, axis) in ["x", "y", "z"].into_iter().enumerate() {
            xyz[k] = coordinate(w[k], axis)?;
        }
        if n == 4 {
            let weight: f32 = w[3]
                .parse()
                .map_err(|_| format!("vertex weight w `{}` is not a number", w[3]))?;
            if weight == 0.0 || !weight.is_finite() {
                return Err(format!(
                    "vertex weight w is `{}`; it must be a finite number other than 0",
                    w[3]
                ));
            }
            for (k, axis) in ["x", "y", "z"].into_iter().enumerate() {
                xyz[k] /= weight;
                if !xyz[k].is_finite() {
                    return Err(format!(
                        "vertex coordinate {axis} `{}` divided by w `{}` is infinite",
                        w[k], w[3]
                    ));
                }
            }
        }
        let mut rgb = [0f32; 3];
        if n == 6 {
            for (k, channel) in ["r", "g", "b"].into_iter().enumerate() {
                let token = w[3 + k];
                rgb[k] = match token.parse::<f32>() {
                    Ok(x) if x.is_finite() => x,
                    _ => {
                        return Err(format!(
                            "vertex colour {channel} `{token}` is not a finite number"
                        ))
                    }
                };
            }
        }
        self.v += 1;
        if let Some(c) = self.collect.as_mut() {
            c.positions.push(Vec3::from(xyz));
            // Colours are kept only while every vertex so far has one (see RawObj::colours).
            if n == 6 && c.colours.len() + 1 == c.positions.len() {
                c.colours.push(rgb);
            }
        }
        Ok(())
    }

    /// `vn x y z`.
    fn normal(&mut self, w: &[&str; MAX_WORDS], n: usize) -> LineResult {
        if n != 3 {
            return Err(format!("normal has {n} numbers, expected 3 (x y z)"));
        }
        let mut xyz = [0f32; 3];
        for (k, axis) in ["x", "y", "z"].into_iter().enumerate() {
            xyz[k] = w[k]
                .parse::<f32>()
                .map_err(|_| format!("normal component {axis} `{}` is not a number", w[k]))?;
        }
        self.vn += 1;
        if let Some(c) = self.collect.as_mut().filter(|c| c.keep_normals) {
            c.normals.push(Vec3::from(xyz));
        }
        Ok(())
    }

    /// `vt u [v [w]]`.
    fn tex_coord(&mut self, w: &[&str; MAX_WORDS], n: usize) -> LineResult {
        if n == 0 || n > 3 {
            return Err(format!(
                "texture coordinate has {n} numbers, expected 1 to 3 (u [v [w]])"
            ));
        }
        let mut uv = [0f32; 2];
        for (k, axis) in ["u", "v", "w"].into_iter().take(n).enumerate() {
            let x = w[k]
                .parse::<f32>()
                .map_err(|_| format!("texture coordinate {axis} `{}` is not a number", w[k]))?;
            if k < 2 {
                uv[k] = x;
            }
        }
        self.vt += 1;
        if let Some(c) = self.collect.as_mut() {
            // A NaN or infinite UV would poison the sampler: clamp it to 0.
            c.uvs.push(uv.map(|x| if x.is_finite() { x } else { 0.0 }));
        }
        Ok(())
    }

    /// `f` with `n` face vertices (`words`), split into triangles.
    fn face(&mut self, words: std::str::SplitWhitespace<'_>, n: usize) -> LineResult {
        if n < 3 {
            return Err(format!(
                "face has only {n} {}; a face needs at least 3",
                if n == 1 { "vertex" } else { "vertices" }
            ));
        }
        if let Some(m) =
            crate::limits::exceeded("corners", n as u64, crate::limits::MAX_POLYGON_CORNERS)
        {
            return Err(format!("face has {m}; split it into smaller faces"));
        }
        if let Some(c) = self.collect.as_mut() {
            c.face_buf.clear();
        }
        for token in words {
            let (v, vt, vn) = self.face_vertex(token)?;
            if let Some(c) = self.collect.as_mut() {
                // Absolute 1-based indices ≤ the counts so far, which fit in u32 (the vertex
                // count is checked against u32 before the mesh is built).
                let index = |i: Option<u64>, none: u32| i.map_or(none, |i| (i - 1) as u32);
                c.face_buf
                    .push([(v - 1) as u32, index(vt, NO_UV), index(vn, NO_NORMAL)]);
            }
        }
        if let Some(c) = self.collect.as_mut() {
            c.push_fan();
        }
        self.faces += 1;
        self.triangles += n as u64 - 2;
        self.corners += n as u64;
        Ok(())
    }

    /// `mtllib NAME` (remembered with its line) and `usemtl NAME` (for the faces after it).
    fn material(&mut self, keyword: &str, content: &str) {
        let Some(c) = self.collect.as_mut() else {
            return;
        };
        let rest = content.trim_start()[keyword.len()..].trim();
        if keyword == "mtllib" {
            if !rest.is_empty() {
                c.mtllibs.push((rest.to_string(), c.line));
            }
        } else {
            c.current_material = match c.materials.iter().position(|m| m == rest) {
                Some(i) => i as u32,
                None => {
                    c.materials.push(rest.to_string());
                    (c.materials.len() - 1) as u32
                }
            };
        }
    }

    /// Resolves one face vertex `v`, `v/vt`, `v//vn` or `v/vt/vn` to absolute 1-based
    /// position, texture coordinate and normal indices.
    fn face_vertex(
        &mut self,
        token: &str,
    ) -> std::result::Result<(u64, Option<u64>, Option<u64>), String> {
        let syntax = || {
            format!(
                "cannot read face vertex `{token}`: expected v, v/vt, v//vn or v/vt/vn with \
                 whole-number indices"
            )
        };
        let lift = |e: IndexError| match e {
            IndexError::Syntax => syntax(),
            IndexError::Message(m) => m,
        };
        let mut parts = token.split('/');
        let v = parts.next().unwrap_or("");
        let vt = parts.next().unwrap_or("");
        let vn = parts.next().unwrap_or("");
        if parts.next().is_some() || v.is_empty() {
            return Err(syntax());
        }
        let v = resolve(v, self.v, "vertex", "vertices").map_err(lift)?;
        let vt = if vt.is_empty() {
            None
        } else {
            Some(resolve(vt, self.vt, "texture coordinate", "texture coordinates").map_err(lift)?)
        };
        let vn = if vn.is_empty() {
            None
        } else {
            self.face_normals = true;
            Some(resolve(vn, self.vn, "normal", "normals").map_err(lift)?)
        };
        Ok((v, vt, vn))
    }
}

/// Parses a vertex coordinate; `axis` names it in messages.
fn coordinate(token: &str, axis: &str) -> std::result::Result<f32, String> {
    let x: f32 = token
        .parse()
        .map_err(|_| format!("vertex coordinate {axis} `{token}` is not a number"))?;
    if x.is_nan() {
        Err(format!("vertex coordinate {axis} is NaN (`{token}`)"))
    } else if x.is_infinite() {
        Err(format!("vertex coordinate {axis} is infinite (`{token}`)"))
    } else {
        Ok(x)
    }
}

/// Resolves an OBJ index (1-based, or negative: relative to the `count` elements defined so
/// far) to an absolute 1-based index.
fn resolve(token: &str, count: u64, one: &str, many: &str) -> std::result::Result<u64, IndexError> {
    let k: i64 = token.parse().map_err(|_| IndexError::Syntax)?;
    let defined = match count {
        0 => format!("no {many} are defined so far"),
        1 => format!("only 1 {one} is defined so far"),
        c => format!("only {c} {many} are defined so far"),
    };
    if k == 0 {
        return Err(IndexError::Message(format!(
            "face refers to {one} index 0; OBJ indices start at 1"
        )));
    }
    if k > 0 {
        let k = k as u64;
        if k > count {
            return Err(IndexError::Message(format!(
                "face refers to {one} {k} but {defined}"
            )));
        }
        Ok(k)
    } else {
        let back = k.unsigned_abs();
        if back > count {
            return Err(IndexError::Message(format!(
                "face refers to {one} {k} (relative: counting back from the last) but {defined}"
            )));
        }
        Ok(count - back + 1)
    }
}
