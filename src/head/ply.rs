//! PLY scans (structured-light scanners, MeshLab, photogrammetry tools): ASCII and binary
//! (little- and big-endian), read into a [`RawMesh`].
//!
//! Read: the `vertex` element's `x y z` (any scalar type), its colour (`red green blue`, also
//! `r g b` or `diffuse_red …`; integers scaled by their type's maximum, floats taken as 0–1,
//! sRGB) and texture coordinates (`s t`, `u v`, `texture_u texture_v`, `texture_s
//! texture_t`); the `face` element's `vertex_indices` (or `vertex_index`) list of any count
//! and index types, split into triangles (a fan, balanced when large), and its `texcoord` list (MeshLab: two numbers per
//! corner); a `tristrips` element's strips (−1 restarts). `comment TextureFile NAME` (MeshLab's
//! convention) names the texture, beside the file. Every other element and property is read
//! past. Every error names the file and the line (ASCII, header) or the byte offset (binary).
use super::obj::mesh_err;
use super::raw::{srgb_to_linear, ImageSource, RawMaterial, RawMesh, NO_MATERIAL, NO_UV};
use crate::error::Result;
use glam::Vec3;
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Scalar {
    I8,
    U8,
    I16,
    U16,
    I32,
    U32,
    F32,
    F64,
}

impl Scalar {
    fn parse(s: &str) -> Option<Scalar> {
        Some(match s {
            "char" | "int8" => Scalar::I8,
            "uchar" | "uint8" => Scalar::U8,
            "short" | "int16" => Scalar::I16,
            "ushort" | "uint16" => Scalar::U16,
            "int" | "int32" => Scalar::I32,
            "uint" | "uint32" => Scalar::U32,
            "float" | "float32" => Scalar::F32,
            "double" | "float64" => Scalar::F64,
            _ => return None,
        })
    }

    fn size(self) -> usize {
        match self {
            Scalar::I8 | Scalar::U8 => 1,
            Scalar::I16 | Scalar::U16 => 2,
            Scalar::I32 | Scalar::U32 | Scalar::F32 => 4,
            Scalar::F64 => 8,
        }
    }

    /// The largest value of an integer type (colours are scaled by it); 1 for floats.
    fn full_scale(self) -> f64 {
        match self {
            Scalar::I8 => 127.0,
            Scalar::U8 => 255.0,
            Scalar::I16 => 32767.0,
            Scalar::U16 => 65535.0,
            Scalar::I32 => i32::MAX as f64,
            Scalar::U32 => u32::MAX as f64,
            Scalar::F32 | Scalar::F64 => 1.0,
        }
    }

    fn is_integer(self) -> bool {
        !matches!(self, Scalar::F32 | Scalar::F64)
    }
}

#[derive(Clone, Debug)]
enum Property {
    Scalar(Scalar),
    /// A list: the count's type and the items'.
    List(Scalar, Scalar),
}

#[derive(Clone, Debug)]
struct Element {
    name: String,
    count: u64,
    props: Vec<(String, Property)>,
    /// 1-based header line of the element, for messages.
    line: usize,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Encoding {
    Ascii,
    Little,
    Big,
}

struct Header {
    encoding: Encoding,
    elements: Vec<Element>,
    texture_files: Vec<String>,
    /// Byte offset of the data, and the number of header lines.
    data_start: usize,
    lines: usize,
}

/// Whether these bytes begin like a PLY file.
pub fn is_ply(bytes: &[u8]) -> bool {
    bytes.starts_with(b"ply\n") || bytes.starts_with(b"ply\r\n")
}

fn parse_header(bytes: &[u8], name: &Path) -> Result<Header> {
    if !is_ply(bytes) {
        return Err(mesh_err(
            name,
            Some(1),
            "not a PLY file: it does not begin with the line `ply`".into(),
        ));
    }
    let mut header = Header {
        encoding: Encoding::Ascii,
        elements: Vec::new(),
        texture_files: Vec::new(),
        data_start: 0,
        lines: 0,
    };
    let mut pos = 0usize;
    let mut format_seen = false;
    let mut line_no = 0usize;
    loop {
        line_no += 1;
        let Some(len) = bytes[pos..].iter().position(|&b| b == b'\n') else {
            return Err(mesh_err(
                name,
                Some(line_no),
                "the header has no `end_header` line (file cut short?)".into(),
            ));
        };
        let raw_line = &bytes[pos..pos + len];
        pos += len + 1;
        let line = String::from_utf8_lossy(raw_line);
        let line = line.trim_end_matches('\r');
        let err = |m: String| mesh_err(name, Some(line_no), m);
        let mut w = line.split_whitespace();
        match w.next() {
            Some("ply") if line_no == 1 => {}
            Some("format") => {
                header.encoding = match w.next() {
                    Some("ascii") => Encoding::Ascii,
                    Some("binary_little_endian") => Encoding::Little,
                    Some("binary_big_endian") => Encoding::Big,
                    other => {
                        return Err(err(format!(
                            "unknown format `{}`; expected ascii, binary_little_endian or \
                             binary_big_endian",
                            other.unwrap_or("")
                        )))
                    }
                };
                format_seen = true;
            }
            Some("comment") => {
                let rest = line.trim_start()["comment".len()..].trim();
                if let Some(file) = rest.strip_prefix("TextureFile") {
                    let file = file.trim();
                    if !file.is_empty() {
                        header.texture_files.push(file.to_string());
                    }
                }
            }
            Some("obj_info") | None => {}
            Some("element") => {
                let (Some(ename), Some(count)) = (w.next(), w.next()) else {
                    return Err(err("`element` needs a name and a count".into()));
                };
                let count: u64 = count.parse().map_err(|_| {
                    err(format!(
                        "element `{ename}` count `{count}` is not a whole number"
                    ))
                })?;
                header.elements.push(Element {
                    name: ename.to_string(),
                    count,
                    props: Vec::new(),
                    line: line_no,
                });
            }
            Some("property") => {
                let Some(el) = header.elements.last_mut() else {
                    return Err(err("`property` before any `element`".into()));
                };
                let words: Vec<&str> = w.collect();
                let ty = |s: &str| {
                    Scalar::parse(s).ok_or_else(|| {
                        err(format!(
                            "unsupported property type `{s}` (expected char, uchar, short, \
                             ushort, int, uint, float, double or int8 … float64)"
                        ))
                    })
                };
                let prop = match words.as_slice() {
                    ["list", c, i, pname] => (pname.to_string(), Property::List(ty(c)?, ty(i)?)),
                    [t, pname] => (pname.to_string(), Property::Scalar(ty(t)?)),
                    _ => return Err(err(format!("malformed property line `{line}`"))),
                };
                if let Property::List(c, _) = prop.1 {
                    if !c.is_integer() {
                        return Err(err(format!(
                            "list `{}` has a non-integer count type",
                            prop.0
                        )));
                    }
                }
                el.props.push(prop);
            }
            Some("end_header") => break,
            Some(other) => return Err(err(format!("unknown header keyword `{other}`"))),
        }
    }
    if !format_seen {
        return Err(mesh_err(
            name,
            Some(2),
            "the header has no `format` line".into(),
        ));
    }
    header.data_start = pos;
    header.lines = line_no;
    Ok(header)
}

/// Where values come from: words of ASCII lines, or bytes.
struct Cursor<'a> {
    bytes: &'a [u8],
    pos: usize,
    encoding: Encoding,
    /// ASCII: the current line's number and its remaining words.
    line: usize,
    words: std::str::SplitAsciiWhitespace<'a>,
}

impl<'a> Cursor<'a> {
    /// Where the cursor is, for messages: "line N" or "byte N".
    fn at(&self) -> String {
        match self.encoding {
            Encoding::Ascii => format!("line {}", self.line),
            _ => format!("byte {}", self.pos),
        }
    }

    /// Next ASCII word, moving to later lines as needed.
    fn word(&mut self) -> std::result::Result<&'a str, String> {
        loop {
            if let Some(w) = self.words.next() {
                return Ok(w);
            }
            if self.pos >= self.bytes.len() {
                return Err(format!("data ends at line {} (file cut short?)", self.line));
            }
            let rest = &self.bytes[self.pos..];
            let len = rest.iter().position(|&b| b == b'\n').unwrap_or(rest.len());
            let line = std::str::from_utf8(&rest[..len])
                .map_err(|_| format!("line {} is not text", self.line + 1))?;
            self.pos += len + 1;
            self.line += 1;
            self.words = line.split_ascii_whitespace();
        }
    }

    fn read(&mut self, ty: Scalar) -> std::result::Result<f64, String> {
        if self.encoding == Encoding::Ascii {
            let w = self.word()?;
            let x: f64 = w
                .parse()
                .map_err(|_| format!("line {}: `{w}` is not a number", self.line))?;
            return Ok(x);
        }
        let n = ty.size();
        let Some(b) = self.bytes.get(self.pos..self.pos + n) else {
            return Err(format!(
                "data ends at byte {} in the middle of a value (file cut short?)",
                self.bytes.len()
            ));
        };
        self.pos += n;
        let mut a = [0u8; 8];
        a[..n].copy_from_slice(b);
        if self.encoding == Encoding::Big {
            a[..n].reverse();
        }
        Ok(match ty {
            Scalar::I8 => a[0] as i8 as f64,
            Scalar::U8 => a[0] as f64,
            Scalar::I16 => i16::from_le_bytes([a[0], a[1]]) as f64,
            Scalar::U16 => u16::from_le_bytes([a[0], a[1]]) as f64,
            Scalar::I32 => i32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::U32 => u32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::F32 => f32::from_le_bytes([a[0], a[1], a[2], a[3]]) as f64,
            Scalar::F64 => f64::from_le_bytes(a),
        })
    }

    /// A list's count: a whole number of at most `max`.
    fn count(&mut self, ty: Scalar, what: &str, max: usize) -> std::result::Result<usize, String> {
        let at = self.at();
        let c = self.read(ty)?;
        if c < 0.0 || c.fract() != 0.0 || c > max as f64 {
            return Err(format!(
                "{at}: {what} list count {c} is not a whole number from 0 to {max}"
            ));
        }
        Ok(c as usize)
    }
}

/// What the vertex element's properties mean.
#[derive(Default)]
struct VertexLayout {
    xyz: [Option<usize>; 3],
    rgb: [Option<usize>; 3],
    uv: [Option<usize>; 2],
}

impl VertexLayout {
    fn of(el: &Element) -> VertexLayout {
        let mut l = VertexLayout::default();
        for (k, (pname, prop)) in el.props.iter().enumerate() {
            if !matches!(prop, Property::Scalar(_)) {
                continue;
            }
            match pname.as_str() {
                "x" => l.xyz[0] = Some(k),
                "y" => l.xyz[1] = Some(k),
                "z" => l.xyz[2] = Some(k),
                "red" | "r" | "diffuse_red" => l.rgb[0] = Some(k),
                "green" | "g" | "diffuse_green" => l.rgb[1] = Some(k),
                "blue" | "b" | "diffuse_blue" => l.rgb[2] = Some(k),
                "s" | "u" | "texture_u" | "texture_s" => l.uv[0] = Some(k),
                "t" | "v" | "texture_v" | "texture_t" => l.uv[1] = Some(k),
                _ => {}
            }
        }
        l
    }
}

/// Reads a PLY file's bytes; `name` is for messages and its folder for the texture.
pub fn read_ply(bytes: &[u8], name: &Path, max_triangles: usize) -> Result<RawMesh> {
    let header = parse_header(bytes, name)?;
    let data = &bytes[header.data_start..];
    let mut cur = Cursor {
        bytes,
        pos: header.data_start,
        encoding: header.encoding,
        line: header.lines,
        words: "".split_ascii_whitespace(),
    };
    // The least bytes one record of an element takes: refuses counts the file cannot hold
    // before anything is allocated for them.
    let min_size = |el: &Element| -> u64 {
        match header.encoding {
            Encoding::Ascii => el.props.len() as u64 * 2,
            _ => el
                .props
                .iter()
                .map(|(_, p)| match p {
                    Property::Scalar(s) => s.size() as u64,
                    Property::List(c, _) => c.size() as u64,
                })
                .sum(),
        }
    };
    // The limits first: a header that claims too much is told so, whatever follows it.
    for el in &header.elements {
        if matches!(el.name.as_str(), "face" | "tristrips") && el.count > max_triangles as u64 {
            return Err(mesh_err(
                name,
                Some(el.line),
                format!(
                    "element `{}` counts {} records, more than the limit of {max_triangles} \
                     triangles; decimate it first",
                    el.name, el.count
                ),
            ));
        }
        if el.name == "vertex" {
            if let Some(m) =
                crate::limits::exceeded("vertices", el.count, crate::limits::MAX_VERTICES)
            {
                return Err(mesh_err(
                    name,
                    Some(el.line),
                    format!("element `vertex` counts {m}; decimate it first"),
                ));
            }
        }
    }
    for el in &header.elements {
        if el.count.saturating_mul(min_size(el).max(1)) > data.len() as u64 + 1 {
            return Err(mesh_err(
                name,
                Some(el.line),
                format!(
                    "element `{}` counts {} records, more than the {} bytes of data can hold \
                     (file cut short, or a wrong count?)",
                    el.name,
                    el.count,
                    data.len()
                ),
            ));
        }
    }
    let err_at = |m: String| -> crate::error::ScalpError {
        // ASCII data errors carry their line in the message too; keep it in the error's line.
        let line = m
            .strip_prefix("line ")
            .and_then(|r| r.split(|c: char| !c.is_ascii_digit()).next())
            .and_then(|n| n.parse().ok());
        match (line, m.split_once(": ")) {
            (Some(l), Some((_, rest))) => mesh_err(name, Some(l), rest.to_string()),
            _ => mesh_err(name, line, m),
        }
    };
    let mut raw = RawMesh::default();
    let mut vertex_count: Option<usize> = None;
    let mut vertex_uv = false;
    let mut face_uv = false;
    let mut any_colour = false;
    let mut poly: Vec<u32> = Vec::new();
    let mut values: Vec<f64> = Vec::new();
    for el in &header.elements {
        let count = el.count as usize;
        match el.name.as_str() {
            "vertex" => {
                let lay = VertexLayout::of(el);
                let Some(xyz) = lay.xyz.iter().copied().collect::<Option<Vec<usize>>>() else {
                    return Err(mesh_err(
                        name,
                        Some(el.line),
                        "element `vertex` has no x, y and z properties".into(),
                    ));
                };
                let rgb: Option<Vec<usize>> = lay.rgb.iter().copied().collect();
                let uv: Option<Vec<usize>> = lay.uv.iter().copied().collect();
                any_colour = rgb.is_some();
                vertex_uv = uv.is_some();
                raw.positions.reserve(count);
                for v in 0..count {
                    read_record(&mut cur, el, &mut values).map_err(&err_at)?;
                    let at = cur.at();
                    let p = Vec3::new(
                        values[xyz[0]] as f32,
                        values[xyz[1]] as f32,
                        values[xyz[2]] as f32,
                    );
                    if !p.is_finite() {
                        return Err(err_at(format!(
                            "{at}: vertex {v} is not finite ({}, {}, {})",
                            values[xyz[0]], values[xyz[1]], values[xyz[2]]
                        )));
                    }
                    raw.positions.push(p);
                    if let Some(rgb) = &rgb {
                        raw.colours.push([0, 1, 2, 3].map(|k| {
                            if k == 3 {
                                return 0.0;
                            }
                            let i = rgb[k];
                            let scale = match el.props[i].1 {
                                Property::Scalar(s) => s.full_scale(),
                                Property::List(..) => 1.0,
                            };
                            let c = (values[i] / scale) as f32;
                            srgb_to_linear(if c.is_finite() { c } else { 0.0 })
                        }));
                        if let Some(c) = raw.colours.last_mut() {
                            c[3] = 1.0;
                        }
                    }
                    if let Some(uv) = &uv {
                        let t = [values[uv[0]] as f32, values[uv[1]] as f32];
                        raw.uvs.push(if t.iter().all(|x| x.is_finite()) {
                            t
                        } else {
                            [0.0; 2]
                        });
                    }
                }
                vertex_count = Some(count);
            }
            "face" | "tristrips" => {
                let Some(nv) = vertex_count else {
                    return Err(mesh_err(
                        name,
                        Some(el.line),
                        format!("element `{}` comes before the vertices", el.name),
                    ));
                };
                let idx_prop = el.props.iter().position(|(n, p)| {
                    matches!(p, Property::List(..))
                        && (n == "vertex_indices" || n == "vertex_index")
                });
                let Some(idx_prop) = idx_prop else {
                    return Err(mesh_err(
                        name,
                        Some(el.line),
                        format!(
                            "element `{}` has no `vertex_indices` list property",
                            el.name
                        ),
                    ));
                };
                let tc_prop = el
                    .props
                    .iter()
                    .position(|(n, p)| matches!(p, Property::List(..)) && n == "texcoord");
                for f in 0..count {
                    let at = cur.at();
                    let mut face_uvs: Vec<[f32; 2]> = Vec::new();
                    for (k, (pname, prop)) in el.props.iter().enumerate() {
                        match *prop {
                            Property::Scalar(s) => {
                                cur.read(s).map_err(&err_at)?;
                            }
                            Property::List(c, item) => {
                                let n = cur
                                    .count(c, pname, crate::limits::MAX_POLYGON_CORNERS as usize)
                                    .map_err(&err_at)?;
                                if k == idx_prop {
                                    poly.clear();
                                    for _ in 0..n {
                                        let at = cur.at();
                                        let i = cur.read(item).map_err(&err_at)?;
                                        let restart = el.name == "tristrips" && i == -1.0;
                                        if !restart
                                            && (i < 0.0 || i.fract() != 0.0 || i >= nv as f64)
                                        {
                                            return Err(err_at(format!(
                                                "{at}: {} {f} has vertex index {i}, out of \
                                                 range (there are {nv} vertices)",
                                                el.name
                                            )));
                                        }
                                        poly.push(if restart { u32::MAX } else { i as u32 });
                                    }
                                } else if Some(k) == tc_prop {
                                    for _ in 0..n / 2 {
                                        let u = cur.read(item).map_err(&err_at)? as f32;
                                        let v = cur.read(item).map_err(&err_at)? as f32;
                                        face_uvs.push(if u.is_finite() && v.is_finite() {
                                            [u, v]
                                        } else {
                                            [0.0; 2]
                                        });
                                    }
                                    if n % 2 == 1 {
                                        cur.read(item).map_err(&err_at)?;
                                    }
                                } else {
                                    for _ in 0..n {
                                        cur.read(item).map_err(&err_at)?;
                                    }
                                }
                            }
                        }
                    }
                    let corner_uv = face_uvs.len() == poly.len() && !poly.is_empty();
                    face_uv |= corner_uv;
                    let base = raw.uvs.len() as u32;
                    if corner_uv {
                        raw.uvs.extend_from_slice(&face_uvs);
                    }
                    let uv_of = |k: usize, v: u32| {
                        if corner_uv {
                            base + k as u32
                        } else if vertex_uv {
                            v
                        } else {
                            NO_UV
                        }
                    };
                    if el.name == "face" {
                        super::raw::polygon_triangles(poly.len(), |t| {
                            for j in t {
                                raw.corners.push([poly[j], uv_of(j, poly[j])]);
                            }
                        });
                    } else {
                        // Strips: every three in a row, alternating winding; −1 restarts.
                        let mut run = 0usize;
                        for j in 0..poly.len() {
                            if poly[j] == u32::MAX {
                                run = 0;
                                continue;
                            }
                            run += 1;
                            if run >= 3 {
                                let (a, b) = if run % 2 == 1 {
                                    (j - 2, j - 1)
                                } else {
                                    (j - 1, j - 2)
                                };
                                for j in [a, b, j] {
                                    raw.corners.push([poly[j], uv_of(j, poly[j])]);
                                }
                            }
                        }
                    }
                    if raw.triangle_count() > max_triangles {
                        return Err(err_at(format!(
                            "{at}: mesh has more than {max_triangles} triangles (the limit); \
                             decimate it first"
                        )));
                    }
                }
            }
            _ => {
                for _ in 0..count {
                    read_record(&mut cur, el, &mut values).map_err(&err_at)?;
                }
            }
        }
    }
    if vertex_count.is_none() {
        return Err(mesh_err(
            name,
            None,
            "the file has no `vertex` element".into(),
        ));
    }
    if raw.corners.is_empty() {
        return Err(mesh_err(
            name,
            None,
            format!(
                "contains no faces (only {} vertices); a point cloud cannot be used, mesh it \
                 first (e.g. MeshLab's surface reconstruction)",
                raw.positions.len()
            ),
        ));
    }
    if !any_colour {
        raw.colours.clear();
    }
    if !vertex_uv && !face_uv {
        raw.uvs.clear();
    }
    if let Some(file) = header.texture_files.first() {
        if !raw.uvs.is_empty() {
            let dir = name.parent().unwrap_or(Path::new("."));
            raw.materials.push(RawMaterial {
                name: file.clone(),
                image: Some(ImageSource::File(dir.join(file.replace('\\', "/")))),
            });
        }
    }
    let material = if raw.materials.is_empty() {
        NO_MATERIAL
    } else {
        0
    };
    raw.tri_material = vec![material; raw.triangle_count()];
    Ok(raw)
}

/// Reads one record of `el` into `values` (lists are read past; a scalar's value at its index).
fn read_record(
    cur: &mut Cursor,
    el: &Element,
    values: &mut Vec<f64>,
) -> std::result::Result<(), String> {
    values.clear();
    for (pname, prop) in &el.props {
        match *prop {
            Property::Scalar(s) => values.push(cur.read(s)?),
            Property::List(c, item) => {
                let n = cur.count(c, pname, 1 << 20)?;
                for _ in 0..n {
                    cur.read(item)?;
                }
                values.push(f64::NAN);
            }
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    const SQUARE: &str = "ply\nformat ascii 1.0\ncomment TextureFile skin.png\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\nproperty uchar red\nproperty uchar green\nproperty uchar blue\nproperty float s\nproperty float t\nelement face 1\nproperty list uchar uint vertex_indices\nend_header\n0 0 0 255 0 0 0 0\n1 0 0 0 255 0 1 0\n1 1 0 0 0 255 1 1\n0 1 0 255 255 255 0 1\n4 0 1 2 3\n";

    #[test]
    fn ascii_quads_colours_uvs_and_the_texture_file() {
        let raw = read_ply(SQUARE.as_bytes(), Path::new("/scans/sq.ply"), 10).unwrap();
        assert_eq!(raw.triangle_count(), 2);
        assert_eq!(raw.colours[0], [1.0, 0.0, 0.0, 1.0]);
        assert_eq!(raw.uvs[2], [1.0, 1.0]);
        assert_eq!(raw.corners[4], [2, 2]);
        assert_eq!(
            raw.materials[0].image,
            Some(ImageSource::File("/scans/skin.png".into()))
        );
        assert_eq!(raw.tri_material, vec![0, 0]);
    }

    #[test]
    fn tristrips_restart_and_alternate() {
        let text = "ply\nformat ascii 1.0\nelement vertex 5\nproperty float x\nproperty float y\nproperty float z\nelement tristrips 1\nproperty list int int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n1 1 0\n2 2 0\n7 0 1 2 3 -1 2 3\n";
        let raw = read_ply(text.as_bytes(), Path::new("s.ply"), 10).unwrap();
        let tris: Vec<[u32; 3]> = raw
            .corners
            .chunks(3)
            .map(|c| [c[0][0], c[1][0], c[2][0]])
            .collect();
        assert_eq!(tris, vec![[0, 1, 2], [2, 1, 3]]);
    }

    /// A binary square: 4 float vertices and 1 face whose list count is a u32.
    const SQUARE_HEADER_BINARY: &[u8] = b"ply\nformat binary_little_endian 1.0\nelement vertex 4\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uint int vertex_indices\nend_header\n";

    #[test]
    fn counts_past_the_limit_or_the_data_are_refused_before_allocating() {
        let text = "ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\nproperty double x\nproperty double y\nproperty double z\nelement face 5\nproperty list uchar int vertex_indices\nend_header\n";
        let e = read_ply(text.as_bytes(), Path::new("big.ply"), 10).unwrap_err();
        assert!(e.to_string().contains("big.ply:3"), "{e}");
        // The vertex limit names the count and the limit; one vertex fewer meets the data
        // check instead.
        let over = crate::limits::MAX_VERTICES + 1;
        let e = read_ply(
            text.replace("4000000000", &over.to_string()).as_bytes(),
            Path::new("big.ply"),
            10,
        )
        .unwrap_err()
        .to_string();
        assert!(
            e.contains(&format!("{over} vertices"))
                && e.contains(&format!("limit of {}", crate::limits::MAX_VERTICES)),
            "{e}"
        );
        let e = read_ply(
            text.replace("4000000000", &(over - 1).to_string())
                .as_bytes(),
            Path::new("big.ply"),
            10,
        )
        .unwrap_err()
        .to_string();
        assert!(e.contains("bytes of data can hold"), "{e}");
        // A face list over the corner limit.
        let corners = crate::limits::MAX_POLYGON_CORNERS + 1;
        let mut bin = SQUARE_HEADER_BINARY.to_vec();
        for k in 0..4u8 {
            for x in [k & 1, k >> 1, 0] {
                bin.extend((x as f32).to_le_bytes());
            }
        }
        bin.extend((corners as u32).to_le_bytes());
        let e = read_ply(&bin, Path::new("c.ply"), 10)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains(&corners.to_string())
                && e.contains(&crate::limits::MAX_POLYGON_CORNERS.to_string()),
            "{e}"
        );
        let e = read_ply(
            SQUARE.replace("face 1", "face 11").as_bytes(),
            Path::new("f.ply"),
            10,
        )
        .unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        let mut bin = b"ply\nformat binary_big_endian 1.0\nelement vertex 3\nproperty double x\nproperty float y\nproperty int16 z\nproperty float u\nproperty float v\nelement face 1\nproperty list uint8 uint16 vertex_index\nproperty list uchar float texcoord\nend_header\n".to_vec();
        for k in 0..3u8 {
            bin.extend((k as f64).to_be_bytes());
            bin.extend((k as f32 * 0.5).to_be_bytes());
            bin.extend((k as i16).to_be_bytes());
            bin.extend([0u8; 8]);
        }
        bin.push(3);
        for k in 0..3u16 {
            bin.extend(k.to_be_bytes());
        }
        bin.push(6);
        bin.extend([0u8; 24]);
        assert!(read_ply(&bin, Path::new("b.ply"), 10).is_ok());
        for file in [bin, SQUARE.as_bytes().to_vec()] {
            crate::head::raw::read_odd_variants(
                &file,
                0x9e37_79b9,
                3000,
                2,
                |r| (r >> 8) as u8,
                |f| {
                    let _ = read_ply(f, Path::new("t.ply"), 10);
                },
            );
        }
    }
}
