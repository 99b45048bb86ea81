//! Loading a client's scan: read the file as written, whatever its format, into one
//! [`RawMesh`] ([`super::formats::read_raw`]: OBJ, PLY, STL, glTF/GLB), repair it
//! ([`super::repair`]), bring it into head space ([`super::align`]), and pick up its colour
//! ([`super::texture`]: the base-colour image and the vertex colours), then decimate it when it
//! is big ([`super::decimate`], colours and texture coordinates carried along). What each step
//! did and how long it took is in [`ScanReport`].
use super::align::{self, Alignment, ScanLandmarks};
use super::decimate::{self, DecimateReport};
use super::formats::{self, Format};
use super::obj::{self, LoadOptions};
use super::raw::{ImageSource, RawMesh, NO_MATERIAL, NO_UV};
use super::repair::{self, RepairReport};
use super::texture::{self, SkinTexture};
use super::Mesh;
use crate::error::Result;
use glam::Vec3;
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::Instant;

/// Whether to bring the scan into head space automatically.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum AlignMode {
    /// Fit to the built-in head (unless `--up` or a landmarks file beside the mesh says the
    /// file's axes are right).
    #[default]
    Auto,
    /// Trust the file's axes: convert units and up axis only, as given or guessed.
    Off,
}

/// How to load a scan.
#[derive(Clone, Debug)]
pub struct ScanOptions {
    /// Units, up axis (either given means "trust the file's axes" for the up axis) and the
    /// triangle limit.
    pub load: LoadOptions,
    pub align: AlignMode,
    /// Nasion and ear tops in the file's coordinates: fix the frame exactly.
    pub landmarks: Option<ScanLandmarks>,
    /// Show the scan's own texture when it has one.
    pub texture: bool,
}

impl Default for ScanOptions {
    fn default() -> Self {
        ScanOptions {
            load: LoadOptions::default(),
            align: AlignMode::Auto,
            landmarks: None,
            texture: true,
        }
    }
}

/// What loading a scan did.
#[derive(Clone, Debug)]
pub struct ScanReport {
    pub repair: RepairReport,
    pub alignment: Alignment,
    /// What became of the texture, in words.
    pub texture: String,
    /// Everything the user should look at. [`super::Head::load_scan`] logs each once as a
    /// warning; [`ScanReport::describe`] leaves them out, so none reaches the user twice.
    pub warnings: Vec<String>,
    /// The file's format.
    pub format: &'static str,
    /// What decimating a big scan did (`None`: not above
    /// [`decimate::DECIMATE_ABOVE_TRIANGLES`], kept as it is).
    pub decimation: Option<DecimateReport>,
    /// Seconds spent reading, repairing, aligning, and in all.
    pub read_s: f64,
    pub repair_s: f64,
    pub align_s: f64,
    pub total_s: f64,
}

impl ScanReport {
    /// Lines for `scalp render`.
    pub fn describe(&self) -> Vec<String> {
        let r = &self.repair;
        let mut out = vec![format!(
            "scan: {} {} triangles read in {:.2} s; repaired in {:.2} s: {}",
            self.format,
            r.input_triangles,
            self.read_s,
            self.repair_s,
            r.describe()
        )];
        out.extend(self.alignment.describe());
        out.push(format!("texture: {}", self.texture));
        out.push(match &self.decimation {
            Some(d) => format!(
                "decimated: {} → {} triangles in {:.2} s, every original vertex within {:.3} mm \
                 of the result (bound {} mm)",
                d.triangles_before,
                d.triangles_after,
                d.seconds,
                d.max_deviation_mm,
                decimate::MAX_DEVIATION_MM
            ),
            None => format!(
                "decimated: no (at most {} triangles are kept as they are)",
                decimate::DECIMATE_ABOVE_TRIANGLES
            ),
        });
        out.push(format!(
            "aligned in {:.2} s; loading took {:.2} s in all",
            self.align_s, self.total_s
        ));
        out
    }
}

/// Loads a scan into head space. `trusted` names a reason the file's axes are right already
/// (a head-space landmarks file beside it), which turns automatic alignment off.
pub fn load_scan(
    path: &Path,
    opts: &ScanOptions,
    trusted: Option<&str>,
) -> Result<(Mesh, Option<SkinTexture>, ScanReport)> {
    let t0 = Instant::now();
    let (mut raw, format) = formats::read_raw(path, opts.load.max_triangles)?;
    let read_s = t0.elapsed().as_secs_f64();

    let t1 = Instant::now();
    let mut rep = repair::repair(&raw);
    let repair_s = t1.elapsed().as_secs_f64();
    if rep.triangles.is_empty() {
        return Err(obj::mesh_err(
            path,
            None,
            format!(
                "all {} triangles are degenerate (zero area or a repeated vertex)",
                raw.triangle_count()
            ),
        ));
    }
    let mut warnings = std::mem::take(&mut raw.warnings);
    warnings.extend(rep.report.warnings());
    // A scan in none of mm, cm or m (or beyond) is scaled to a head's size before alignment,
    // unless landmarks tie it to its own coordinates.
    let rescale = if opts.landmarks.is_none() && trusted.is_none() {
        repair::rescale_for(repair::robust_extent(&rep.positions), opts.load.units)
            .map_err(|m| obj::mesh_err(path, None, m))?
    } else {
        None
    };
    if let Some(r) = &rescale {
        for p in &mut rep.positions {
            *p = (p.as_dvec3() * r.factor).as_vec3();
        }
        warnings.push(r.warning());
    }

    let t2 = Instant::now();
    let mut alignment = match (&opts.landmarks, opts.align, opts.load.up, trusted) {
        (Some(lm), ..) => {
            let mut a = align::from_landmarks(lm, opts.load.units)?;
            if let Some(w) = align::check_landmark_alignment(&a, &rep.positions, &rep.triangles) {
                a.warnings.push(w);
            }
            a
        }
        (None, AlignMode::Off, ..) => align::as_is(
            &rep.positions,
            opts.load.units,
            opts.load.up,
            "alignment is off",
        ),
        (None, _, Some(_), _) => align::as_is(
            &rep.positions,
            opts.load.units,
            opts.load.up,
            "the up axis is given",
        ),
        (None, _, None, Some(why)) => {
            align::as_is(&rep.positions, opts.load.units, opts.load.up, why)
        }
        (None, AlignMode::Auto, None, None) => {
            align::automatic(&rep.positions, &rep.triangles, opts.load.units)?
        }
    };
    let align_s = t2.elapsed().as_secs_f64();
    if let Some(r) = &rescale {
        alignment.units_note = r.note();
    }
    warnings.extend(alignment.warnings.iter().cloned());

    let positions: Vec<Vec3> = rep.positions.iter().map(|p| alignment.apply(*p)).collect();
    if !positions.iter().all(|p| p.is_finite()) {
        return Err(obj::mesh_err(
            path,
            None,
            format!(
                "coordinates overflow after scaling by {} to millimetres; are the units right?",
                alignment.mm_per_unit
            ),
        ));
    }
    let mut welded = Mesh {
        positions,
        normals: Vec::new(),
        indices: rep.triangles.iter().flatten().copied().collect(),
    };
    // Normals on the welded mesh, so that texture seams do not show as creases.
    welded.compute_normals();

    let (mesh, skin, texture_note) = if opts.texture {
        if format == Format::Obj && !raw.mtllibs.is_empty() {
            resolve_obj_materials(path, &mut raw, &mut warnings);
        }
        attach_texture(path, format, &raw, &rep, welded, &mut warnings)
    } else {
        (welded, None, "off (--texture off)".to_string())
    };
    // Decimated last, on the mesh as it is drawn: seams split for the texture are open edges,
    // which the decimator keeps in place, and every kept vertex is an original one, so its uv
    // and colour carry over exactly.
    let (mesh, skin, decimation) = match decimate::decimate_if_big(&mesh) {
        Some(d) => {
            let decimated = d.apply_to_mesh(&mesh);
            let skin = skin.map(|s| SkinTexture {
                uv: d.apply(&s.uv),
                colour: d.apply(&s.colour),
                ..s
            });
            (decimated, skin, Some(d.report))
        }
        None => (mesh, skin, None),
    };
    Ok((
        mesh,
        skin,
        ScanReport {
            repair: rep.report,
            alignment,
            texture: texture_note,
            warnings,
            format: format.name(),
            decimation,
            read_s,
            repair_s,
            align_s,
            total_s: t0.elapsed().as_secs_f64(),
        },
    ))
}

/// The scan's own colour: its main base-colour image (the one most textured triangles use:
/// OBJ's `map_Kd`, glTF's `baseColorTexture`, PLY's `TextureFile`) and its vertex colours;
/// vertices are split where texture coordinates differ. Any failure leaves the plain skin
/// (or the vertex colours alone), with a warning.
fn attach_texture(
    path: &Path,
    format: Format,
    raw: &RawMesh,
    rep: &repair::Repaired,
    welded: Mesh,
    warnings: &mut Vec<String>,
) -> (Mesh, Option<SkinTexture>, String) {
    let coloured = !rep.colours.is_empty();
    let map_of = |t: usize| {
        raw.materials
            .get(rep.material[t] as usize)
            .and_then(|m| m.image.as_ref())
    };
    let dir = path.parent().unwrap_or(Path::new("."));
    let mut why_none = String::new();
    let mut image = None;
    if format == Format::Obj && raw.mtllibs.is_empty() {
        why_none = "none in the file (no mtllib)".into();
    } else if let Some(map) = main_texture(rep, map_of, warnings) {
        match load_texture_image(&map, dir, warnings) {
            Some((img, name)) => image = Some((img, name, map)),
            None => why_none = format!("unusable ({})", map.describe()),
        }
    } else {
        let uv_tris = (0..rep.triangles.len()).filter(|&t| has_uv(rep, t)).count();
        why_none = if uv_tris == 0 {
            "none (the faces have no texture coordinates)".into()
        } else if format == Format::Obj {
            "none (no material used by the faces has a map_Kd image)".into()
        } else {
            "none (no material used by the faces has a base-colour image)".into()
        };
    }
    if image.is_none() && !coloured {
        return (welded, None, why_none);
    }
    let textured = |t: usize| match &image {
        Some((_, _, map)) => has_uv(rep, t) && map_of(t) == Some(map),
        None => false,
    };
    let (mesh, uv, colour, shown) = split_at_uv_seams(raw, rep, &welded, textured);
    let mut notes = Vec::new();
    let (img, image_path) = match image {
        Some((img, name, _)) => {
            let (w, h) = img.dimensions();
            notes.push(format!(
                "{name} ({w}×{h}) on {:.0}% of the triangles",
                100.0 * shown as f64 / rep.triangles.len().max(1) as f64
            ));
            (img, PathBuf::from(name))
        }
        None => (
            image::RgbaImage::from_pixel(1, 1, image::Rgba([255; 4])),
            path.to_path_buf(),
        ),
    };
    if coloured {
        let share = rep.colours.iter().filter(|c| c[3] > 0.0).count() as f64
            / rep.colours.len().max(1) as f64;
        notes.push(format!(
            "vertex colours on {:.0}% of the vertices",
            100.0 * share
        ));
    }
    (
        mesh,
        Some(SkinTexture {
            image: img,
            uv,
            colour,
            path: image_path,
        }),
        notes.join("; "),
    )
}

/// Gives each OBJ material the `map_Kd` image its MTL file names.
fn resolve_obj_materials(path: &Path, raw: &mut RawMesh, warnings: &mut Vec<String>) {
    let dir = path.parent().unwrap_or(Path::new("."));
    let materials = read_materials(path, dir, raw, warnings);
    for m in &mut raw.materials {
        m.image = materials
            .get(&m.name)
            .and_then(|mtl| mtl.map_kd.clone())
            .map(ImageSource::File);
    }
}

/// Whether every corner of triangle `t` has a texture coordinate.
fn has_uv(rep: &repair::Repaired, t: usize) -> bool {
    rep.uv_corners[t].iter().all(|&u| u != NO_UV)
}

/// The materials of every MTL file the scan names, by name (the first definition wins, as in
/// most readers); one that cannot be read is a warning.
fn read_materials(
    path: &Path,
    dir: &Path,
    raw: &RawMesh,
    warnings: &mut Vec<String>,
) -> HashMap<String, texture::Material> {
    let mut materials: HashMap<String, texture::Material> = HashMap::new();
    for (name, line) in &raw.mtllibs {
        let mtl = dir.join(name.replace('\\', "/"));
        match crate::limits::read_capped_text(&mtl, crate::limits::MAX_TEXT_FILE_BYTES) {
            Ok(text) => {
                let mdir = mtl.parent().unwrap_or(dir).to_path_buf();
                for m in texture::parse_mtl(&text, &mdir) {
                    materials.entry(m.name.clone()).or_insert(m);
                }
            }
            Err(e) => warnings.push(format!(
                "{}:{line}: material library {} cannot be read ({e}); the skin is plain where \
                 it was meant",
                path.display(),
                mtl.display()
            )),
        }
    }
    materials
}

/// The texture image on the most triangles with texture coordinates (`map_of`: a triangle's
/// image); more than one is a warning, as only this one is shown.
fn main_texture<'a>(
    rep: &repair::Repaired,
    map_of: impl Fn(usize) -> Option<&'a ImageSource>,
    warnings: &mut Vec<String>,
) -> Option<ImageSource> {
    let mut per_map: HashMap<String, (usize, &ImageSource)> = HashMap::new();
    for t in 0..rep.triangles.len() {
        if rep.material[t] == NO_MATERIAL || !has_uv(rep, t) {
            continue;
        }
        if let Some(map) = map_of(t) {
            per_map.entry(map.describe()).or_insert((0, map)).0 += 1;
        }
    }
    let (name, (count, map)) = per_map
        .iter()
        .max_by(|a, b| a.1 .0.cmp(&b.1 .0).then_with(|| b.0.cmp(a.0)))
        .map(|(n, (c, m))| (n.clone(), (*c, (*m).clone())))?;
    if per_map.len() > 1 {
        warnings.push(format!(
            "the scan uses {} texture images; only {name} (on {count} triangles) is shown, the \
             rest of the skin is plain",
            per_map.len(),
        ));
    }
    Some(map)
}

/// The image `map` names (a file, or bytes held in the scan); for a file, the file of that
/// name beside the scan when the path does not load (a texture named by a path from the
/// scanning machine often is); a warning when nothing loads.
fn load_texture_image(
    map: &ImageSource,
    dir: &Path,
    warnings: &mut Vec<String>,
) -> Option<(image::RgbaImage, String)> {
    let map = match map {
        ImageSource::File(p) => p,
        ImageSource::Bytes { name, bytes } => {
            return match texture::decode_image(bytes, name) {
                Ok((img, scaled)) => {
                    warnings.extend(scaled);
                    Some((img, name.clone()))
                }
                Err(e) => {
                    warnings.push(format!(
                        "the scan's texture cannot be used ({e}); showing the plain skin"
                    ));
                    None
                }
            };
        }
    };
    let candidates = [
        map.to_path_buf(),
        dir.join(map.file_name().unwrap_or_default()),
    ];
    let mut last_err = String::new();
    for c in candidates.iter().filter(|c| !c.as_os_str().is_empty()) {
        match texture::load_image(c) {
            Ok((img, scaled)) => {
                warnings.extend(scaled);
                return Some((img, c.display().to_string()));
            }
            Err(e) => {
                if last_err.is_empty() {
                    last_err = e;
                }
            }
        }
    }
    warnings.push(format!(
        "the scan's texture cannot be used ({last_err}); showing the plain skin"
    ));
    None
}

/// Splits vertices where a `textured` triangle's corner has its own texture coordinate: the
/// mesh, each vertex's (u, v, weight), its vertex colour (linear RGB, weight; empty when the
/// scan has none), and how many triangles show the texture.
fn split_at_uv_seams(
    raw: &RawMesh,
    rep: &repair::Repaired,
    welded: &Mesh,
    textured: impl Fn(usize) -> bool,
) -> (Mesh, Vec<[f32; 3]>, Vec<[f32; 4]>, usize) {
    let mut slot: HashMap<(u32, u32), u32> = HashMap::with_capacity(welded.positions.len());
    let mut positions = Vec::with_capacity(welded.positions.len());
    let mut normals = Vec::with_capacity(welded.positions.len());
    let mut uv = Vec::with_capacity(welded.positions.len());
    let mut colour = Vec::with_capacity(if rep.colours.is_empty() {
        0
    } else {
        welded.positions.len()
    });
    let mut indices = Vec::with_capacity(welded.indices.len());
    let mut shown = 0usize;
    for (t, tri) in rep.triangles.iter().enumerate() {
        let tex = textured(t);
        shown += usize::from(tex);
        for (k, &v) in tri.iter().enumerate() {
            let vt = if tex { rep.uv_corners[t][k] } else { NO_UV };
            let id = *slot.entry((v, vt)).or_insert_with(|| {
                positions.push(welded.positions[v as usize]);
                normals.push(welded.normals[v as usize]);
                uv.push(match raw.uvs.get(vt as usize) {
                    Some(&[u, w]) if vt != NO_UV => [u, w, 1.0],
                    _ => [0.0, 0.0, 0.0],
                });
                if let Some(c) = rep.colours.get(v as usize) {
                    colour.push(*c);
                }
                (positions.len() - 1) as u32
            });
            indices.push(id);
        }
    }
    let mesh = Mesh {
        positions,
        normals,
        indices,
    };
    (mesh, uv, colour, shown)
}
