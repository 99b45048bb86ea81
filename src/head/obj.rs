//! Loading Wavefront OBJ meshes into head space (millimetres, +Y up, face toward +Z).
//!
//! Any OBJ a scanner or a modelling tool writes is accepted: triangles, quads and n-gons
//! (split by [`super::raw::polygon_triangles`]: a fan, balanced when large), with or without normals (`vn`) and texture coordinates (`vt`),
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
//! 2. The same reader as for scans ([`read_obj_raw`]) then keeps the statements, with
//!    absolute indices and polygons split into triangles. One mesh vertex is made per distinct
//!    (position, normal) pair that faces use, in order of first use; texture coordinates,
//!    objects and groups do not split vertices, so vertices shared between groups or UV
//!    islands stay shared and computed normals stay smooth across them.
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
use super::raw::{srgb_to_linear, RawMaterial, RawMesh};
use super::Mesh;
use crate::error::{Result, ScalpError};
use glam::Vec3;
use statements::Scan;
use std::collections::HashMap;
use std::path::Path;

mod statements;

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
            max_triangles: crate::limits::MAX_TRIANGLES as usize,
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
    let text = read_text(path)?;
    load_obj_str(&text, path, opts)
}

/// Converts the text of an OBJ file to a head-space mesh; `name` is only used in error
/// messages and log lines.
pub fn load_obj_str(text: &str, name: &Path, opts: &LoadOptions) -> Result<Mesh> {
    let text = plain_text(text, name)?;
    // 1. Check and count every statement first, allocating nothing, so that an oversized
    // mesh is refused before anything is allocated for it.
    let counts = read_statements(text, name, None, None)?;
    check_mesh_counts(&counts, name, opts.max_triangles)?;
    // 2. Read the statements again, keeping them, and make the mesh's vertices.
    let raw = read_statements(text, name, Some(RawObj::new(true)), None)?
        .collect
        .unwrap_or_default();
    let (mut positions, mut normals, indices) = vertices_by_normal(&raw);
    drop(raw);
    // 3. Units and up axis, then what conversion leaves unusable.
    let (units, up) = units_and_up(&positions, name, opts);
    to_head_space(&mut positions, &mut normals, units, up, name)?;
    let indices = drop_degenerate(&positions, indices, name)?;
    let (positions, given_normals, indices) = compact(&positions, &normals, indices);
    let mut mesh = Mesh {
        positions,
        normals: Vec::new(),
        indices,
    };
    set_normals(&mut mesh, &given_normals, counts.vn > 0, name);
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

/// The file's bytes as text, or an error naming the line of the first byte that is not UTF-8
/// outside a comment.
fn read_text(path: &Path) -> Result<String> {
    let bytes = std::fs::read(path).map_err(|source| ScalpError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let bytes = match String::from_utf8(bytes) {
        Ok(text) => return Ok(text),
        Err(e) => e.into_bytes(),
    };
    decode_lines(&bytes).map_err(|(line, at)| {
        mesh_err(
            path,
            Some(line),
            format!(
                "not a text OBJ file: invalid UTF-8 at byte {at} (binary data, or a \
                 format other than Wavefront OBJ?)"
            ),
        )
    })
}

/// Text of a file that is not all UTF-8: exporters write comments in the machine's code page
/// (Latin-1, Windows-1252), which must not cost the client's scan, so a comment is read as
/// Latin-1 (every byte a character; comments are skipped anyway). Anything else that is not
/// UTF-8 is binary or another format: Err((line, byte offset)).
fn decode_lines(bytes: &[u8]) -> std::result::Result<String, (usize, usize)> {
    let mut text = String::with_capacity(bytes.len());
    let mut start = 0;
    for (k, line) in bytes.split(|&b| b == b'\n').enumerate() {
        let body = match line.iter().position(|&b| b == b'#') {
            Some(hash) => &line[..hash],
            None => line,
        };
        match std::str::from_utf8(body) {
            Ok(s) => {
                text.push_str(s);
                text.extend(line[body.len()..].iter().map(|&b| b as char));
            }
            Err(e) => return Err((k + 1, start + e.valid_up_to())),
        }
        text.push('\n');
        start += line.len() + 1;
    }
    text.pop();
    Ok(text)
}

/// The text without a byte-order mark; an error when it holds a NUL byte (binary data).
fn plain_text<'a>(text: &'a str, name: &Path) -> Result<&'a str> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    if let Some(at) = text.find('\0') {
        let line = text[..at].matches('\n').count() + 1;
        return Err(mesh_err(
            name,
            Some(line),
            format!("not a text OBJ file: NUL byte at byte {at} (binary data?)"),
        ));
    }
    Ok(text)
}

/// Reads every statement of `text` (see [`Scan::line`]), keeping them in `keep` when given.
/// With a `limit`, the reading stops as soon as the triangles pass it.
fn read_statements(
    text: &str,
    name: &Path,
    keep: Option<RawObj>,
    limit: Option<usize>,
) -> Result<Scan> {
    let mut scan = Scan {
        collect: keep,
        ..Default::default()
    };
    for (i, line) in text.split('\n').enumerate() {
        if let Some(c) = scan.collect.as_mut() {
            c.line = i + 1;
        }
        scan.line(line)
            .map_err(|message| mesh_err(name, Some(i + 1), message))?;
        if let Some(max) = limit.filter(|&max| scan.triangles > max as u64) {
            return Err(mesh_err(
                name,
                Some(i + 1),
                format!("mesh has more than {max} triangles (the limit); decimate it first"),
            ));
        }
    }
    Ok(scan)
}

/// The error for a file without faces.
fn no_faces(scan: &Scan, name: &Path) -> ScalpError {
    let hint = if scan.v == 0 {
        "; is this a Wavefront OBJ file?"
    } else {
        ""
    };
    mesh_err(
        name,
        None,
        format!(
            "contains no faces (only {} {}){hint}",
            scan.v,
            plural(scan.v, "vertex", "vertices")
        ),
    )
}

/// Refuses a mesh without faces, over the triangle limit, or with more vertices than 32-bit
/// indices address.
fn check_mesh_counts(scan: &Scan, name: &Path, max_triangles: usize) -> Result<()> {
    if scan.faces == 0 {
        return Err(no_faces(scan, name));
    }
    if scan.triangles > max_triangles as u64 {
        return Err(mesh_err(
            name,
            None,
            format!(
                "mesh has {} triangles, more than the limit of {}; decimate it first",
                scan.triangles, max_triangles
            ),
        ));
    }
    if let Some(m) = crate::limits::exceeded("vertices", scan.v, crate::limits::MAX_VERTICES) {
        return Err(mesh_err(
            name,
            None,
            format!("mesh has {m}; decimate it first"),
        ));
    }
    // One mesh vertex per distinct (position, normal) pair that faces use.
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
    Ok(())
}

/// One vertex per distinct (position, normal) pair that the corners use, in order of first
/// use (the built-in head's vertex order follows from this), and the triangles over them.
/// The normals are every vertex's, or none when some vertex has none.
fn vertices_by_normal(raw: &RawObj) -> (Vec<Vec3>, Vec<Vec3>, Vec<u32>) {
    let mut slot: HashMap<(u32, u32), u32> = HashMap::with_capacity(raw.positions.len());
    let mut positions = Vec::with_capacity(raw.positions.len());
    let mut normals = Vec::with_capacity(raw.positions.len());
    let mut every_normal = true;
    let mut indices = Vec::with_capacity(raw.corners.len());
    for (c, &vn) in raw.corners.iter().zip(&raw.corner_normals) {
        let id = *slot.entry((c[0], vn)).or_insert_with(|| {
            positions.push(raw.positions[c[0] as usize]);
            match raw.normals.get(vn as usize) {
                Some(n) => normals.push(*n),
                None => every_normal = false,
            }
            (positions.len() - 1) as u32
        });
        indices.push(id);
    }
    if !every_normal {
        normals.clear();
    }
    (positions, normals, indices)
}

/// The units and up axis: as given, or guessed from the bounding box (and logged).
fn units_and_up(positions: &[Vec3], name: &Path, opts: &LoadOptions) -> (Units, UpAxis) {
    let (lo, hi) = bounds(positions);
    let extent = hi - lo;
    let units = opts.units.unwrap_or_else(|| {
        let u = guess_units(extent.max_element());
        log::info!(
            "{}: units guessed as {} (largest bounding-box extent {} in file units); \
             set the `units` load option to override",
            name.display(),
            u.name(),
            extent.max_element()
        );
        u
    });
    let up = opts.up.unwrap_or_else(|| {
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
    });
    (units, up)
}

/// Scales positions to millimetres and turns positions and normals to +Y up.
fn to_head_space(
    positions: &mut [Vec3],
    normals: &mut [Vec3],
    units: Units,
    up: UpAxis,
    name: &Path,
) -> Result<()> {
    let scale = units.mm_per_unit();
    let rotate = |v: Vec3| match up {
        UpAxis::Y => v,
        UpAxis::Z => Vec3::new(v.x, v.z, -v.y),
    };
    for p in positions.iter_mut() {
        *p = rotate(*p) * scale;
    }
    for n in normals.iter_mut() {
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
    Ok(())
}

/// The triangles of nonzero area (a warning says how many were dropped); an error when none
/// is left.
fn drop_degenerate(positions: &[Vec3], indices: Vec<u32>, name: &Path) -> Result<Vec<u32>> {
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
    Ok(kept)
}

/// Only the vertices the triangles use, in order of first use: their positions, their normals
/// (when every vertex has one) and the triangles over them.
fn compact(
    positions: &[Vec3],
    normals: &[Vec3],
    mut indices: Vec<u32>,
) -> (Vec<Vec3>, Vec<Vec3>, Vec<u32>) {
    let mut remap = vec![u32::MAX; positions.len()];
    let mut new_positions = Vec::new();
    let mut new_normals = Vec::new();
    for i in &mut indices {
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
    (new_positions, new_normals, indices)
}

/// The file's normals renormalised; zero or non-finite ones, or all of them when the file's do
/// not cover every vertex (`file_has_normals`: it has some), computed from the faces.
fn set_normals(mesh: &mut Mesh, given: &[Vec3], file_has_normals: bool, name: &Path) {
    if given.len() != mesh.positions.len() {
        if file_has_normals {
            log::warn!(
                "{}: normals do not cover every face vertex; computing all normals from the faces",
                name.display()
            );
        }
        mesh.compute_normals();
        return;
    }
    let bad = given.iter().filter(|n| n.try_normalize().is_none()).count();
    if bad == 0 {
        mesh.normals = given.iter().map(|n| n.normalize()).collect();
        return;
    }
    log::warn!(
        "{}: {bad} of {} normals are zero or not finite; computing those from the faces",
        name.display(),
        given.len()
    );
    mesh.compute_normals();
    for (out, n) in mesh.normals.iter_mut().zip(given) {
        if let Some(n) = n.try_normalize() {
            *out = n;
        }
    }
}

pub use super::raw::{NO_MATERIAL, NO_UV};
/// `vn` index of a face corner that has no normal.
pub const NO_NORMAL: u32 = u32::MAX;

/// An OBJ file as written: positions in the file's own units and axes, texture coordinates,
/// triangles (polygons split into triangles) as corners, and the materials faces use. This is
/// what the scan path ([`crate::head::scan`]) repairs and aligns; nothing is converted,
/// welded or dropped here.
#[derive(Clone, Debug, Default)]
pub struct RawObj {
    pub positions: Vec<Vec3>,
    /// The `r g b` of `v x y z r g b` statements (MeshLab's and ZBrush's extension), as
    /// written; kept while every vertex has one and dropped otherwise.
    pub colours: Vec<[f32; 3]>,
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
    /// Every `vn` statement in file order, and the `vn` index of each corner (0-based, or
    /// [`NO_NORMAL`]). Kept only for [`load_obj_str`]; a scan's normals are computed after
    /// its repair, so its reading leaves these empty.
    pub normals: Vec<Vec3>,
    pub corner_normals: Vec<u32>,
    keep_normals: bool,
    current_material: u32,
    /// The face being read: (position, `vt`, `vn`) of each of its vertices.
    face_buf: Vec<[u32; 3]>,
    line: usize,
}

impl RawObj {
    fn new(keep_normals: bool) -> RawObj {
        RawObj {
            keep_normals,
            current_material: NO_MATERIAL,
            ..Default::default()
        }
    }

    pub fn triangle_count(&self) -> usize {
        self.corners.len() / 3
    }

    /// The format-agnostic mesh: vertex colours (sRGB as written, 0–1, or 0–255 when some
    /// value is above 1) made linear, material names without images (they are in the MTL
    /// files the scan path reads).
    pub fn into_raw_mesh(self) -> RawMesh {
        let colours = if !self.colours.is_empty() && self.colours.len() == self.positions.len() {
            let scale = if self.colours.iter().flatten().any(|&c| c > 1.0) {
                1.0 / 255.0
            } else {
                1.0
            };
            self.colours
                .iter()
                .map(|c| {
                    let [r, g, b] = c.map(|x| srgb_to_linear(x * scale));
                    [r, g, b, 1.0]
                })
                .collect()
        } else {
            Vec::new()
        };
        RawMesh {
            positions: self.positions,
            colours,
            uvs: self.uvs,
            corners: self.corners,
            tri_material: self.tri_material,
            materials: self
                .materials
                .into_iter()
                .map(|name| RawMaterial { name, image: None })
                .collect(),
            mtllibs: self.mtllibs,
            warnings: Vec::new(),
        }
    }

    /// Adds the face in `face_buf` as triangles (see [`super::raw::polygon_triangles`]).
    fn push_fan(&mut self) {
        let RawObj {
            face_buf,
            corners,
            corner_normals,
            tri_material,
            current_material,
            keep_normals,
            ..
        } = self;
        super::raw::polygon_triangles(face_buf.len(), |t| {
            for [v, vt, vn] in t.map(|k| face_buf[k]) {
                corners.push([v, vt]);
                if *keep_normals {
                    corner_normals.push(vn);
                }
            }
            tri_material.push(*current_material);
        });
    }
}

/// Reads an OBJ file's statements as written (see [`RawObj`]), in one pass: every statement
/// is checked as [`load_obj_str`] checks it, with the same line-numbered errors, and a mesh
/// over `max_triangles` is refused as soon as the count passes the limit.
pub fn read_obj_raw(path: &Path, max_triangles: usize) -> Result<RawMesh> {
    let text = read_text(path)?;
    read_obj_raw_str(&text, path, max_triangles)
}

/// [`read_obj_raw`] of text already in memory; `name` is only used in error messages.
pub fn read_obj_raw_str(text: &str, name: &Path, max_triangles: usize) -> Result<RawMesh> {
    let text = plain_text(text, name)?;
    // A rough size hint from the text length (a vertex line is ~30 bytes, a face ~25) saves
    // most reallocations on multi-million-triangle scans without over-reserving much.
    let hint = text.len() / 60;
    let mut raw = RawObj::new(false);
    raw.positions.reserve(hint);
    raw.corners.reserve(3 * hint);
    let mut scan = read_statements(text, name, Some(raw), Some(max_triangles))?;
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
    if let Some(m) = crate::limits::exceeded("vertices", scan.v, crate::limits::MAX_VERTICES) {
        return Err(mesh_err(
            name,
            None,
            format!("mesh has {m}; decimate it first"),
        ));
    }
    let mut raw = scan.collect.take().unwrap_or_default();
    if raw.corners.is_empty() {
        return Err(no_faces(&scan, name));
    }
    raw.face_buf = Vec::new();
    raw.positions.shrink_to_fit();
    raw.corners.shrink_to_fit();
    Ok(raw.into_raw_mesh())
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

#[cfg(test)]
mod tests {
    use super::*;

    /// FNV-1a over the bits of a mesh's positions, normals and indices.
    fn mesh_hash(m: &Mesh) -> u64 {
        let mut h = 0xcbf2_9ce4_8422_2325u64;
        let mut eat = |x: u32| {
            for b in x.to_le_bytes() {
                h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
            }
        };
        for v in m.positions.iter().chain(&m.normals) {
            for c in v.to_array() {
                eat(c.to_bits());
            }
        }
        for &i in &m.indices {
            eat(i);
        }
        h
    }

    /// The built-in head's mesh, bit for bit, as the earlier tobj-based reader made it: every
    /// render depends on its vertex order and values.
    #[test]
    fn the_built_in_head_is_read_as_before() {
        let m = crate::head::Head::builtin().unwrap().mesh;
        assert_eq!(
            (m.positions.len(), m.normals.len(), m.indices.len()),
            (51794, 51794, 310752)
        );
        assert_eq!(mesh_hash(&m), 0xb603_275f_280c_1f81);
    }
}
