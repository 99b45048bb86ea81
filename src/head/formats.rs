//! Which reader a scan file goes to: by its magic bytes where they are unambiguous (`ply`,
//! `glTF`), otherwise by its extension. Every reader produces the same [`RawMesh`].
use super::obj::{self, mesh_err};
use super::raw::RawMesh;
use super::{gltf, ply, stl};
use crate::error::{Result, ScalpError};
use std::path::Path;

/// The extensions `--mesh` accepts, for help texts and messages.
pub const ACCEPTED: &str = ".obj, .ply, .stl, .gltf, .glb";

/// A scan file format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Format {
    Obj,
    Ply,
    Stl,
    /// glTF 2.0: JSON (`.gltf`) or binary (`.glb`).
    Gltf,
}

impl Format {
    pub fn name(self) -> &'static str {
        match self {
            Format::Obj => "OBJ",
            Format::Ply => "PLY",
            Format::Stl => "STL",
            Format::Gltf => "glTF",
        }
    }

    /// The format an extension names (any case), if accepted.
    pub fn from_extension(path: &Path) -> Option<Format> {
        let ext = path.extension()?.to_str()?.to_ascii_lowercase();
        Some(match ext.as_str() {
            "obj" => Format::Obj,
            "ply" => Format::Ply,
            "stl" => Format::Stl,
            "gltf" | "glb" => Format::Gltf,
            _ => return None,
        })
    }
}

/// Whether `path` has an extension a scan may have.
pub fn is_scan_path(path: &Path) -> bool {
    Format::from_extension(path).is_some()
}

/// The error for a file whose extension is not a scan format's.
pub fn unknown_extension(path: &Path) -> ScalpError {
    let ext = path
        .extension()
        .map(|e| format!("`.{}`", e.to_string_lossy()))
        .unwrap_or_else(|| "no extension".into());
    mesh_err(
        path,
        None,
        format!(
            "unknown mesh format ({ext}); accepted: {ACCEPTED} (USDZ and FBX: convert to glTF \
             first, e.g. with Blender or Reality Converter)"
        ),
    )
}

/// Refuses a file over `limit` bytes before reading it, naming its size and the limit.
pub fn check_file_size(path: &Path, limit: u64) -> Result<()> {
    let bytes = std::fs::metadata(path)
        .map_err(|source| ScalpError::Io {
            path: path.to_path_buf(),
            source,
        })?
        .len();
    match crate::limits::file_size(bytes, limit) {
        Some(m) => Err(mesh_err(path, None, m)),
        None => Ok(()),
    }
}

/// The format of a file from its first bytes and its name.
pub fn detect(bytes: &[u8], path: &Path) -> Result<Format> {
    if ply::is_ply(bytes) {
        return Ok(Format::Ply);
    }
    if gltf::is_glb(bytes) {
        return Ok(Format::Gltf);
    }
    Format::from_extension(path).ok_or_else(|| unknown_extension(path))
}

/// Reads any accepted scan file as written, refusing it early when it has more than
/// `max_triangles` triangles.
pub fn read_raw(path: &Path, max_triangles: usize) -> Result<(RawMesh, Format)> {
    check_file_size(path, crate::limits::MAX_SCAN_FILE_BYTES)?;
    // The extension is checked before the file is read: a wrong file given by mistake (a
    // picture, a plan) is named for what it is without reading it all.
    if Format::from_extension(path).is_none() {
        let mut head = [0u8; 8];
        let n = std::fs::File::open(path)
            .and_then(|mut f| std::io::Read::read(&mut f, &mut head))
            .map_err(|source| ScalpError::Io {
                path: path.to_path_buf(),
                source,
            })?;
        detect(&head[..n], path)?;
    }
    let format = match Format::from_extension(path) {
        Some(Format::Obj) => Format::Obj,
        _ => {
            let bytes = std::fs::read(path).map_err(|source| ScalpError::Io {
                path: path.to_path_buf(),
                source,
            })?;
            let f = detect(&bytes, path)?;
            let raw = match f {
                Format::Ply => ply::read_ply(&bytes, path, max_triangles)?,
                Format::Stl => stl::read_stl(&bytes, path, max_triangles)?,
                Format::Gltf => gltf::read_gltf(&bytes, path, max_triangles)?,
                Format::Obj => obj::read_obj_raw(path, max_triangles)?,
            };
            return Ok((raw, f));
        }
    };
    Ok((obj::read_obj_raw(path, max_triangles)?, format))
}
