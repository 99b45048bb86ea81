//! Loading Wavefront OBJ meshes into head space (millimetres, +Y up, face toward +Z).
//!
//! Any OBJ a scanner or a modelling tool writes is accepted: triangles, quads and n-gons
//! (fan-triangulated), with or without normals (`vn`) and texture coordinates (`vt`),
//! negative (relative) indices, several objects (`o`) and groups (`g`). Everything is
//! merged into one [`Mesh`]. Texture coordinates, materials, smoothing groups, vertex
//! colours, lines (`l`), points (`p`) and curves are read past and ignored.
//!
//! # How a file is read
//!
//! 1. A pre-scan of the text, line by line, checks every `v`, `vn`, `vt` and `f` statement
//!    and counts vertices and triangles, so that every error names its 1-based line and
//!    an oversized mesh is refused before anything is allocated for it (a polygon of n
//!    vertices counts as n − 2 triangles; see [`LoadOptions::max_triangles`]).
//! 2. [`tobj`] then parses a normalised stream of the same statements (absolute indices,
//!    no texture coordinates, no object or group breaks, so vertices shared between
//!    groups or UV islands stay shared and computed normals stay smooth across them),
//!    triangulating with `single_index: true`.
//! 3. Units and up axis are converted (below), zero-area triangles are dropped (with a
//!    warning that says how many), unused vertices are removed, and normals are
//!    renormalised. When the file has no normals, or normals that do not match its
//!    vertices, they are computed with [`Mesh::compute_normals`]; single zero or
//!    non-finite normals are replaced by computed ones. The mesh is not recentred.
//!
//! # Units and up axis heuristic
//!
//! When [`LoadOptions::units`] or [`LoadOptions::up`] is not given it is guessed from the
//! axis-aligned bounding box of the vertices the faces use, in the file's own units:
//!
//! - **Units** ([`guess_units`]), from the largest extent L of the box:
//!   L < 1 → metres (×1000); 1 ≤ L < 60 → centimetres (×10); L ≥ 60 → millimetres (×1).
//!   An adult head, with or without neck, measures 150–350 mm in its largest extent
//!   (0.15–0.35 m, 15–35 cm), so these bands are unambiguous for heads.
//! - **Up axis** ([`guess_up`]): if the Z extent exceeds the Y extent by more than 10%
//!   the file is taken as Z-up (typical of Blender and 3D-scanner exports), otherwise
//!   as Y-up. A Z-up file is rotated by (x, y, z) → (x, z, −y), normals too: Blender's
//!   front view looks along +Y at a face pointing −Y, and this rotation makes its up +Y
//!   and its face +Z.
//!
//! What was guessed is logged at `info` level; give the options to override a guess.
use super::Mesh;
use crate::error::{Result, ScalpError};
use glam::Vec3;
use std::fmt::Write as _;
use std::io::{BufRead, Read};
use std::path::Path;

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum Units {
    Mm,
    Cm,
    M,
}

impl Units {
    /// How many millimetres one unit of the file is.
    pub fn mm_per_unit(self) -> f32 {
        match self {
            Units::Mm => 1.0,
            Units::Cm => 10.0,
            Units::M => 1000.0,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Units::Mm => "millimetres",
            Units::Cm => "centimetres",
            Units::M => "metres",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum UpAxis {
    Y,
    Z,
}

#[derive(Clone, Debug)]
pub struct LoadOptions {
    /// Units of the file; None: guessed from the bounding box.
    pub units: Option<Units>,
    /// Up axis of the file; None: guessed from the bounding box.
    pub up: Option<UpAxis>,
    /// Refuse meshes with more triangles than this.
    pub max_triangles: usize,
}

impl Default for LoadOptions {
    fn default() -> Self {
        LoadOptions {
            units: None,
            up: None,
            max_triangles: 20_000_000,
        }
    }
}

/// Guesses a file's units from the largest extent of its bounding box, in file units:
/// below 1 → metres, 1 up to 60 → centimetres, 60 and above → millimetres (see the
/// module documentation). A non-finite extent gives millimetres (no scaling).
pub fn guess_units(extent: f32) -> Units {
    if extent < 1.0 {
        Units::M
    } else if extent < 60.0 {
        Units::Cm
    } else {
        Units::Mm
    }
}

/// Guesses a file's up axis from its bounding-box extent: Z-up when the Z extent exceeds
/// the Y extent by more than 10%, otherwise Y-up (see the module documentation).
pub fn guess_up(extent: Vec3) -> UpAxis {
    if extent.z > 1.1 * extent.y {
        UpAxis::Z
    } else {
        UpAxis::Y
    }
}

/// Reads an OBJ file and converts it to a head-space mesh (see the module documentation).
pub fn load_obj(path: &Path, opts: &LoadOptions) -> Result<Mesh> {
    let bytes = std::fs::read(path).map_err(|source| ScalpError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(e) => {
            let at = e.utf8_error().valid_up_to();
            let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
            return Err(mesh_err(
                path,
                Some(line),
                format!(
                    "not a text OBJ file: invalid UTF-8 at byte {at} (binary data, or a \
                     format other than Wavefront OBJ?)"
                ),
            ));
        }
    };
    load_obj_str(&text, path, opts)
}

/// Converts the text of an OBJ file to a head-space mesh; `name` is only used in error
/// messages and log lines.
pub fn load_obj_str(text: &str, name: &Path, opts: &LoadOptions) -> Result<Mesh> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(mesh_err(
            name,
            Some(line),
            format!("not a text OBJ file: NUL byte at byte {at} (binary data?)"),
        ));
    }

    // 1. Pre-scan: validate every statement and count, allocating nothing.
    let mut scan = Scan::default();
    for (i, raw) in text.split('\n').enumerate() {
        scan.line(raw, None)
            .map_err(|message| mesh_err(name, Some(i + 1), message))?;
    }
    if scan.faces == 0 {
        let hint = if scan.v == 0 {
            "; is this a Wavefront OBJ file?"
        } else {
            ""
        };
        return Err(mesh_err(
            name,
            None,
            format!(
                "contains no faces (only {} {}){hint}",
                scan.v,
                plural(scan.v, "vertex", "vertices")
            ),
        ));
    }
    if scan.triangles > opts.max_triangles as u64 {
        return Err(mesh_err(
            name,
            None,
            format!(
                "mesh has {} triangles, more than the limit of {}; decimate it first",
                scan.triangles, opts.max_triangles
            ),
        ));
    }
    // tobj makes one output vertex per distinct (position, normal) pair that faces use.
    let max_vertices = if scan.face_normals {
        scan.corners
    } else {
        scan.v.min(scan.corners)
    };
    if max_vertices > u64::from(u32::MAX) {
        return Err(mesh_err(
            name,
            None,
            format!(
                "mesh has up to {max_vertices} vertices, more than 32-bit indices can address \
                 ({}); decimate it first",
                u32::MAX
            ),
        ));
    }

    // 2. tobj parses the normalised statements.
    let mut reader = Normalised {
        lines: text.split('\n'),
        line_no: 0,
        scan: Scan::default(),
        buf: String::new(),
        pos: 0,
        fault: None,
    };
    // `..Default::default()` covers fields that exist only with tobj's optional features.
    #[allow(clippy::needless_update)]
    let tobj_opts = tobj::LoadOptions {
        single_index: true,
        triangulate: true,
        ignore_points: true,
        ignore_lines: true,
        ..Default::default()
    };
    let parsed = tobj::load_obj_buf(&mut reader, &tobj_opts, |_: &Path| Ok(Default::default()));
    if let Some((line, message)) = reader.fault.take() {
        return Err(mesh_err(name, Some(line), message));
    }
    let (models, _materials) = parsed.map_err(|e| {
        mesh_err(
            name,
            None,
            format!("the OBJ parser (tobj) failed after the pre-scan passed: {e}"),
        )
    })?;

    // Merge all models into one indexed mesh.
    let total: usize = models.iter().map(|m| m.mesh.positions.len() / 3).sum();
    if total as u64 > u64::from(u32::MAX) {
        return Err(mesh_err(
            name,
            None,
            format!("mesh has {total} vertices, more than 32-bit indices can address"),
        ));
    }
    let mut positions: Vec<Vec3> = Vec::with_capacity(total);
    let mut normals: Vec<Vec3> = Vec::with_capacity(total);
    let mut normals_match = true;
    let mut indices: Vec<u32> = Vec::new();
    for model in &models {
        let m = &model.mesh;
        let base = positions.len() as u32; // ≤ total ≤ u32::MAX, checked above
        let count = m.positions.len() / 3;
        positions.extend(
            m.positions
                .chunks_exact(3)
                .map(|p| Vec3::new(p[0], p[1], p[2])),
        );
        if normals_match && m.normals.len() == m.positions.len() {
            normals.extend(
                m.normals
                    .chunks_exact(3)
                    .map(|n| Vec3::new(n[0], n[1], n[2])),
            );
        } else {
            normals_match = false;
        }
        if m.indices.len() % 3 != 0 || m.indices.iter().any(|&i| i as usize >= count) {
            return Err(mesh_err(
                name,
                None,
                "the OBJ parser (tobj) returned inconsistent indices".to_string(),
            ));
        }
        indices.extend(m.indices.iter().map(|&i| base + i));
    }
    if !normals_match {
        normals.clear();
    }
    if positions.is_empty() || indices.is_empty() {
        return Err(mesh_err(
            name,
            None,
            format!(
                "contains no usable faces (only {} {})",
                scan.v,
                plural(scan.v, "vertex", "vertices")
            ),
        ));
    }

    // 3. Units and up axis.
    let (lo, hi) = bounds(&positions);
    let extent = hi - lo;
    let units = match opts.units {
        Some(u) => u,
        None => {
            let u = guess_units(extent.max_element());
            log::info!(
                "{}: units guessed as {} (largest bounding-box extent {} in file units); \
                 set the `units` load option to override",
                name.display(),
                u.name(),
                extent.max_element()
            );
            u
        }
    };
    let up = match opts.up {
        Some(u) => u,
        None => {
            let u = guess_up(extent);
            log::info!(
                "{}: up axis guessed as {:?} (extent x {} y {} z {} in file units); \
                 set the `up` load option to override",
                name.display(),
                u,
                extent.x,
                extent.y,
                extent.z
            );
            u
        }
    };
    let scale = units.mm_per_unit();
    let rotate = |v: Vec3| match up {
        UpAxis::Y => v,
        UpAxis::Z => Vec3::new(v.x, v.z, -v.y),
    };
    for p in &mut positions {
        *p = rotate(*p) * scale;
    }
    for n in &mut normals {
        *n = rotate(*n);
    }
    if !positions.iter().all(|p| p.is_finite()) {
        return Err(mesh_err(
            name,
            None,
            format!(
                "coordinates overflow after converting {} to millimetres; are the units right?",
                units.name()
            ),
        ));
    }

    // Drop zero-area triangles, then vertices no triangle uses.
    let triangles = indices.len() / 3;
    let mut kept: Vec<u32> = Vec::with_capacity(indices.len());
    let mut degenerate = 0usize;
    for t in indices.chunks_exact(3) {
        let [a, b, c] = [0, 1, 2].map(|k| positions[t[k] as usize]);
        let cross = (b - a).cross(c - a);
        if cross.abs().max_element() > 0.0 {
            kept.extend_from_slice(t);
        } else {
            degenerate += 1;
        }
    }
    drop(indices);
    if kept.is_empty() {
        return Err(mesh_err(
            name,
            None,
            format!(
                "all {triangles} {} are degenerate (zero area after conversion to millimetres)",
                plural(triangles as u64, "triangle", "triangles")
            ),
        ));
    }
    if degenerate > 0 {
        log::warn!(
            "{}: dropped {degenerate} degenerate (zero-area) {} of {triangles}",
            name.display(),
            plural(degenerate as u64, "triangle", "triangles")
        );
    }
    let mut remap = vec![u32::MAX; positions.len()];
    let mut new_positions = Vec::new();
    let mut new_normals = Vec::new();
    for i in &mut kept {
        let old = *i as usize;
        if remap[old] == u32::MAX {
            remap[old] = new_positions.len() as u32;
            new_positions.push(positions[old]);
            if let Some(n) = normals.get(old) {
                new_normals.push(*n);
            }
        }
        *i = remap[old];
    }
    let given_normals = new_normals;
    let mut mesh = Mesh {
        positions: new_positions,
        normals: Vec::new(),
        indices: kept,
    };

    // Normals: renormalise the file's, compute missing or unusable ones.
    if given_normals.len() == mesh.positions.len() {
        let bad = given_normals
            .iter()
            .filter(|n| n.try_normalize().is_none())
            .count();
        if bad == 0 {
            mesh.normals = given_normals.iter().map(|n| n.normalize()).collect();
        } else {
            log::warn!(
                "{}: {bad} of {} normals are zero or not finite; computing those from the faces",
                name.display(),
                given_normals.len()
            );
            mesh.compute_normals();
            for (out, n) in mesh.normals.iter_mut().zip(&given_normals) {
                if let Some(n) = n.try_normalize() {
                    *out = n;
                }
            }
        }
    } else {
        if scan.vn > 0 {
            log::warn!(
                "{}: normals do not cover every face vertex; computing all normals from the faces",
                name.display()
            );
        }
        mesh.compute_normals();
    }

    // 4. Final sanity: finite and non-empty.
    if mesh.positions.is_empty()
        || mesh.indices.is_empty()
        || mesh.normals.len() != mesh.positions.len()
        || !mesh.positions.iter().all(|p| p.is_finite())
        || !mesh.normals.iter().all(|n| n.is_finite())
    {
        return Err(mesh_err(
            name,
            None,
            "the converted mesh is empty or not finite".to_string(),
        ));
    }
    log::debug!(
        "{}: loaded {} vertices, {} triangles ({}, {:?}-up)",
        name.display(),
        mesh.positions.len(),
        mesh.triangle_count(),
        units.name(),
        up
    );
    Ok(mesh)
}

/// `vt` index of a face corner that has no texture coordinate.
pub const NO_UV: u32 = u32::MAX;
/// Material index of faces before any `usemtl`.
pub const NO_MATERIAL: u32 = u32::MAX;

/// An OBJ file as written: positions in the file's own units and axes, texture coordinates,
/// triangles (fan-triangulated polygons) as corners, and the materials faces use. This is
/// what the scan path ([`crate::head::scan`]) repairs and aligns; nothing is converted,
/// welded or dropped here.
#[derive(Clone, Debug, Default)]
pub struct RawObj {
    pub positions: Vec<Vec3>,
    /// (u, v) of every `vt` statement, in file order.
    pub uvs: Vec<[f32; 2]>,
    /// Three corners per triangle: (position index, `vt` index or [`NO_UV`]), 0-based.
    pub corners: Vec<[u32; 2]>,
    /// Material of each triangle: an index into `materials`, or [`NO_MATERIAL`].
    pub tri_material: Vec<u32>,
    /// Names given to `usemtl`, in order of first use.
    pub materials: Vec<String>,
    /// `mtllib` file names with the 1-based line that named them.
    pub mtllibs: Vec<(String, usize)>,
    current_material: u32,
    face_buf: Vec<[u32; 2]>,
    line: usize,
}

impl RawObj {
    pub fn triangle_count(&self) -> usize {
        self.corners.len() / 3
    }
}

/// Reads an OBJ file's statements as written (see [`RawObj`]), in one pass: every statement
/// is checked as [`load_obj_str`] checks it, with the same line-numbered errors, and a mesh
/// over `max_triangles` is refused as soon as the count passes the limit.
pub fn read_obj_raw(path: &Path, max_triangles: usize) -> Result<RawObj> {
    let bytes = std::fs::read(path).map_err(|source| ScalpError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let text = std::str::from_utf8(&bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        mesh_err(
            path,
            Some(line),
            format!(
                "not a text OBJ file: invalid UTF-8 at byte {at} (binary data, or a \
                 format other than Wavefront OBJ?)"
            ),
        )
    })?;
    read_obj_raw_str(text, path, max_triangles)
}

/// [`read_obj_raw`] of text already in memory; `name` is only used in error messages.
pub fn read_obj_raw_str(text: &str, name: &Path, max_triangles: usize) -> Result<RawObj> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(mesh_err(
            name,
            Some(line),
            format!("not a text OBJ file: NUL byte at byte {at} (binary data?)"),
        ));
    }
    // A rough size hint from the text length (a vertex line is ~30 bytes, a face ~25) saves
    // most reallocations on multi-million-triangle scans without over-reserving much.
    let hint = text.len() / 60;
    let mut raw = RawObj {
        current_material: NO_MATERIAL,
        ..Default::default()
    };
    raw.positions.reserve(hint);
    raw.corners.reserve(3 * hint);
    let mut scan = Scan {
        collect: Some(Box::new(raw)),
        ..Default::default()
    };
    for (i, line) in text.split('\n').enumerate() {
        if let Some(c) = scan.collect.as_deref_mut() {
            c.line = i + 1;
        }
        scan.line(line, None)
            .map_err(|message| mesh_err(name, Some(i + 1), message))?;
        if scan.triangles > max_triangles as u64 {
            return Err(mesh_err(
                name,
                Some(i + 1),
                format!(
                    "mesh has more than {max_triangles} triangles (the limit); decimate it first"
                ),
            ));
        }
    }
    if scan.v > u64::from(u32::MAX) || scan.vt > u64::from(u32::MAX) - 1 {
        return Err(mesh_err(
            name,
            None,
            format!(
                "mesh has {} vertices and {} texture coordinates, more than 32-bit indices \
                 can address; decimate it first",
                scan.v, scan.vt
            ),
        ));
    }
    let mut raw = *scan.collect.take().unwrap_or_default();
    if raw.corners.is_empty() {
        let hint = if scan.v == 0 {
            "; is this a Wavefront OBJ file?"
        } else {
            ""
        };
        return Err(mesh_err(
            name,
            None,
            format!(
                "contains no faces (only {} {}){hint}",
                scan.v,
                plural(scan.v, "vertex", "vertices")
            ),
        ));
    }
    raw.face_buf = Vec::new();
    raw.positions.shrink_to_fit();
    raw.corners.shrink_to_fit();
    Ok(raw)
}

pub(crate) fn mesh_err(path: &Path, line: Option<usize>, message: String) -> ScalpError {
    ScalpError::Mesh {
        path: path.to_path_buf(),
        line,
        message,
    }
}

fn plural(n: u64, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 {
        one
    } else {
        many
    }
}

fn bounds(points: &[Vec3]) -> (Vec3, Vec3) {
    let mut lo = Vec3::splat(f32::INFINITY);
    let mut hi = Vec3::splat(f32::NEG_INFINITY);
    for p in points {
        lo = lo.min(*p);
        hi = hi.max(*p);
    }
    (lo, hi)
}

/// Counts and checks OBJ statements one line at a time; optionally writes the normalised
/// statement that tobj will parse (`v x y z`, `vn x y z`, `f a b c` or `f a//n b//n c//n`
/// with absolute indices; nothing for any other statement).
#[derive(Default)]
struct Scan {
    v: u64,
    vn: u64,
    vt: u64,
    faces: u64,
    triangles: u64,
    corners: u64,
    /// Some face vertex refers to a normal.
    face_normals: bool,
    /// When set, the statements are also kept (the scan path, [`read_obj_raw`]).
    collect: Option<Box<RawObj>>,
}

/// What went wrong with one index of a face vertex.
enum IndexError {
    /// Not a whole number: the whole token is reported.
    Syntax,
    Message(String),
}

const MAX_WORDS: usize = 8;

impl Scan {
    fn line(&mut self, raw: &str, mut out: Option<&mut String>) -> std::result::Result<(), String> {
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
            "v" => {
                if n < 3 {
                    return Err(format!(
                        "vertex has {n} {}, expected 3 (x y z)",
                        if n == 1 { "number" } else { "numbers" }
                    ));
                }
                if !matches!(n, 3 | 4 | 6) {
                    return Err(format!(
                        "vertex has {n} numbers, expected x y z, optionally followed by w or \
                         by r g b"
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
                if n == 6 {
                    for (k, channel) in ["r", "g", "b"].into_iter().enumerate() {
                        let token = w[3 + k];
                        if token.parse::<f32>().is_err() {
                            return Err(format!(
                                "vertex colour {channel} `{token}` is not a number"
                            ));
                        }
                    }
                }
                self.v += 1;
                if let Some(c) = self.collect.as_deref_mut() {
                    c.positions.push(Vec3::from(xyz));
                }
                if let Some(out) = out.as_deref_mut() {
                    if n == 4 {
                        let _ = writeln!(out, "v {} {} {}", xyz[0], xyz[1], xyz[2]);
                    } else {
                        let _ = writeln!(out, "v {} {} {}", w[0], w[1], w[2]);
                    }
                }
            }
            "vn" => {
                if n != 3 {
                    return Err(format!("normal has {n} numbers, expected 3 (x y z)"));
                }
                for (k, axis) in ["x", "y", "z"].into_iter().enumerate() {
                    if w[k].parse::<f32>().is_err() {
                        return Err(format!(
                            "normal component {axis} `{}` is not a number",
                            w[k]
                        ));
                    }
                }
                self.vn += 1;
                if let Some(out) = out.as_deref_mut() {
                    let _ = writeln!(out, "vn {} {} {}", w[0], w[1], w[2]);
                }
            }
            "vt" => {
                if n == 0 || n > 3 {
                    return Err(format!(
                        "texture coordinate has {n} numbers, expected 1 to 3 (u [v [w]])"
                    ));
                }
                let mut uv = [0f32; 2];
                for (k, axis) in ["u", "v", "w"].into_iter().take(n).enumerate() {
                    let x = w[k].parse::<f32>().map_err(|_| {
                        format!("texture coordinate {axis} `{}` is not a number", w[k])
                    })?;
                    if k < 2 {
                        uv[k] = x;
                    }
                }
                self.vt += 1;
                if let Some(c) = self.collect.as_deref_mut() {
                    // A NaN or infinite UV would poison the sampler: clamp it to 0.
                    c.uvs.push(uv.map(|x| if x.is_finite() { x } else { 0.0 }));
                }
            }
            "f" => {
                if n < 3 {
                    return Err(format!(
                        "face has only {n} {}; a face needs at least 3",
                        if n == 1 { "vertex" } else { "vertices" }
                    ));
                }
                if let Some(out) = out.as_deref_mut() {
                    out.push('f');
                }
                if let Some(c) = self.collect.as_deref_mut() {
                    c.face_buf.clear();
                }
                for token in words {
                    let (v, vt, vn) = self.face_vertex(token)?;
                    if let Some(out) = out.as_deref_mut() {
                        let _ = match vn {
                            Some(vn) => write!(out, " {v}//{vn}"),
                            None => write!(out, " {v}"),
                        };
                    }
                    if let Some(c) = self.collect.as_deref_mut() {
                        // Absolute 1-based indices ≤ the counts so far, which fit in u32 (the
                        // vertex count is checked against u32 before the mesh is built).
                        let vt = vt.map_or(NO_UV, |t| (t - 1) as u32);
                        c.face_buf.push([(v - 1) as u32, vt]);
                    }
                }
                if let Some(c) = self.collect.as_deref_mut() {
                    // Fan triangulation, as tobj does for the plain path.
                    let RawObj {
                        face_buf,
                        corners,
                        tri_material,
                        current_material,
                        ..
                    } = c;
                    for k in 1..face_buf.len() - 1 {
                        corners.extend_from_slice(&[face_buf[0], face_buf[k], face_buf[k + 1]]);
                        tri_material.push(*current_material);
                    }
                }
                if let Some(out) = out {
                    out.push('\n');
                }
                self.faces += 1;
                self.triangles += n as u64 - 2;
                self.corners += n as u64;
            }
            "usemtl" | "mtllib" => {
                if let Some(c) = self.collect.as_deref_mut() {
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
            }
            // o, g, s, l, p, curv, ...: not needed for the head mesh.
            _ => {}
        }
        Ok(())
    }

    /// Resolves one face vertex `v`, `v/vt`, `v//vn` or `v/vt/vn` to absolute 1-based
    /// position and normal indices.
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

/// The text's statements, normalised by [`Scan::line`], as a `BufRead` for tobj.
struct Normalised<'a> {
    lines: std::str::Split<'a, char>,
    line_no: usize,
    scan: Scan,
    buf: String,
    pos: usize,
    /// The first error (line, message); the pre-scan makes this unreachable in practice.
    fault: Option<(usize, String)>,
}

impl Read for Normalised<'_> {
    fn read(&mut self, dst: &mut [u8]) -> std::io::Result<usize> {
        let src = self.fill_buf()?;
        let n = src.len().min(dst.len());
        dst[..n].copy_from_slice(&src[..n]);
        self.consume(n);
        Ok(n)
    }
}

impl BufRead for Normalised<'_> {
    fn fill_buf(&mut self) -> std::io::Result<&[u8]> {
        while self.pos >= self.buf.len() {
            self.buf.clear();
            self.pos = 0;
            let Some(raw) = self.lines.next() else {
                return Ok(&[]);
            };
            self.line_no += 1;
            if let Err(message) = self.scan.line(raw, Some(&mut self.buf)) {
                self.fault = Some((self.line_no, message.clone()));
                return Err(std::io::Error::new(
                    std::io::ErrorKind::InvalidData,
                    message,
                ));
            }
        }
        Ok(&self.buf.as_bytes()[self.pos..])
    }

    fn consume(&mut self, amount: usize) {
        self.pos = (self.pos + amount).min(self.buf.len());
    }
}
