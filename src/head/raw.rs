//! The one mesh every scan format is read into ([`RawMesh`]): what the file says, in its own
//! units and axes, before anything is welded, dropped or turned. Each reader
//! ([`super::obj`], [`super::ply`], [`super::stl`], [`super::gltf`]) produces it, and the scan
//! path ([`super::scan`]) repairs, aligns and colours it the same way whatever the format.
use glam::Vec3;
use std::path::PathBuf;
use std::sync::Arc;

/// Texture-coordinate index of a corner without one.
pub const NO_UV: u32 = u32::MAX;
/// Material index of a triangle without one.
pub const NO_MATERIAL: u32 = u32::MAX;

/// A scan as written: positions in file units, triangles as corners, texture coordinates,
/// materials and optional colours per position.
#[derive(Clone, Debug, Default)]
pub struct RawMesh {
    pub positions: Vec<Vec3>,
    /// Linear RGB colour of each position (a vertex colour) and its weight (1: shown, 0: the
    /// plain skin there), or empty when the file has none. Readers convert the file's encoding
    /// (sRGB in PLY and OBJ, linear in glTF).
    pub colours: Vec<[f32; 4]>,
    /// (u, v) texture coordinates, v up the image (OBJ's and PLY's convention; glTF's v,
    /// which runs down, is flipped by its reader).
    pub uvs: Vec<[f32; 2]>,
    /// Three corners per triangle: (position index, uv index or [`NO_UV`]), 0-based.
    pub corners: Vec<[u32; 2]>,
    /// Material of each triangle: an index into `materials`, or [`NO_MATERIAL`].
    pub tri_material: Vec<u32>,
    pub materials: Vec<RawMaterial>,
    /// OBJ only: `mtllib` file names with the 1-based line that named them; their materials'
    /// images are found by name when the texture is attached.
    pub mtllibs: Vec<(String, usize)>,
    /// What the reader passed over that the user should know (skipped primitives, …).
    pub warnings: Vec<String>,
}

impl RawMesh {
    pub fn triangle_count(&self) -> usize {
        self.corners.len() / 3
    }
}

/// A material as the file names it, with its base-colour image when the format puts it in
/// the file or beside it (glTF, PLY's `TextureFile`); OBJ's come from its MTL files later.
#[derive(Clone, Debug, PartialEq)]
pub struct RawMaterial {
    pub name: String,
    pub image: Option<ImageSource>,
}

/// Where a base-colour image is.
#[derive(Clone, Debug, PartialEq)]
pub enum ImageSource {
    /// A file (resolved against the scan's folder).
    File(PathBuf),
    /// Encoded image bytes held in the scan (a GLB buffer view, a `data:` URI); `name` says
    /// where, for messages.
    Bytes { name: String, bytes: Arc<Vec<u8>> },
}

impl ImageSource {
    /// Where the image is, in words or as a path.
    pub fn describe(&self) -> String {
        match self {
            ImageSource::File(p) => p.display().to_string(),
            ImageSource::Bytes { name, .. } => name.clone(),
        }
    }
}

/// sRGB-encoded channel (0–1) to linear.
pub fn srgb_to_linear(c: f32) -> f32 {
    let c = c.clamp(0.0, 1.0);
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Linear channel (0–1) to sRGB encoding.
pub fn linear_to_srgb(c: f32) -> f32 {
    let c = c.clamp(0.0, 1.0);
    if c <= 0.003_130_8 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    }
}

/// For the readers' `nothing_panics_on_odd_input` tests: `read` gets every truncation of
/// `file`, then `rounds` copies with `flips` bytes each replaced by `byte(random)` (xorshift
/// from `seed`, so the cases are the same every run).
#[cfg(test)]
pub(crate) fn read_odd_variants(
    file: &[u8],
    seed: u32,
    rounds: usize,
    flips: usize,
    byte: impl Fn(u32) -> u8,
    read: impl Fn(&[u8]),
) {
    for len in 0..=file.len() {
        read(&file[..len]);
    }
    let mut state = seed;
    for _ in 0..rounds {
        let mut f = file.to_vec();
        for _ in 0..flips {
            state ^= state << 13;
            state ^= state >> 17;
            state ^= state << 5;
            let at = state as usize % f.len();
            f[at] = byte(state);
        }
        read(&f);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn srgb_round_trips_and_keeps_its_anchors() {
        assert_eq!(srgb_to_linear(0.0), 0.0);
        assert!((srgb_to_linear(1.0) - 1.0).abs() < 1e-6);
        // sRGB 0.5 is 21.4% linear.
        assert!((srgb_to_linear(0.5) - 0.214).abs() < 1e-3);
        for k in 0..=255 {
            let c = k as f32 / 255.0;
            assert!((linear_to_srgb(srgb_to_linear(c)) - c).abs() < 1e-5);
        }
    }
}
