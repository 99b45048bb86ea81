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

/// Polygons of up to this many corners are split as a fan from their first corner, as every
/// modelling tool does.
pub const FAN_MAX_CORNERS: usize = 8;

/// Splits a polygon of `n` corners into its n − 2 triangles (corner indices, in the polygon's
/// winding), calling `emit` for each. Small polygons make a fan. A large one (a hole's cap, a
/// photogrammetry n-gon) makes a balanced split instead: the triangle (i, m, j) over the
/// corners i..j with m halfway, then each half the same way. A fan of n corners makes n − 2
/// slivers that all meet at one corner and all overlap, which every spatial search over
/// triangles (the exposure's ray cast, the alignment's nearest triangles) then visits for every
/// query; the balanced split's triangles cover each point of the polygon O(log n) times. Both
/// are exact for convex polygons and neither is for every concave one.
pub fn polygon_triangles(n: usize, mut emit: impl FnMut([usize; 3])) {
    if n < 3 {
        return;
    }
    if n <= FAN_MAX_CORNERS {
        for k in 1..n - 1 {
            emit([0, k, k + 1]);
        }
        return;
    }
    // The closing edge (n − 1, 0) is the first span's base; spans of two corners are edges.
    let mut spans = vec![(0usize, n - 1)];
    while let Some((i, j)) = spans.pop() {
        if j - i < 2 {
            continue;
        }
        let m = i + (j - i) / 2;
        emit([i, m, j]);
        spans.push((m, j));
        spans.push((i, m));
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

    /// Every split covers the polygon once: n − 2 triangles whose areas sum to the polygon's
    /// (a convex one), each wound as the polygon, and a large one's triangles are local (no
    /// corner in more than O(log n) of them, where a fan puts one corner in all).
    #[test]
    fn polygons_split_into_n_minus_2_triangles_that_tile_them() {
        for n in [3usize, 4, 5, 8, 9, 10, 17, 1000, 100_000] {
            let corner = |k: usize| {
                let a = k as f64 / n as f64 * std::f64::consts::TAU;
                (a.cos(), a.sin())
            };
            let mut tris = Vec::new();
            polygon_triangles(n, |t| tris.push(t));
            assert_eq!(tris.len(), n - 2, "{n}");
            let mut area = 0.0;
            let mut uses = vec![0usize; n];
            for t in &tris {
                let [a, b, c] = t.map(corner);
                let signed = 0.5 * ((b.0 - a.0) * (c.1 - a.1) - (c.0 - a.0) * (b.1 - a.1));
                assert!(signed > 0.0, "{n}: {t:?} is wound the other way");
                area += signed;
                for &k in t {
                    uses[k] += 1;
                }
            }
            let polygon = 0.5 * n as f64 * (std::f64::consts::TAU / n as f64).sin();
            assert!(
                (area / polygon - 1.0).abs() < 1e-9,
                "{n}: {area} vs {polygon}"
            );
            if n > FAN_MAX_CORNERS {
                let most = *uses.iter().max().unwrap();
                assert!(
                    most <= 2 * (n as f64).log2().ceil() as usize + 2,
                    "{n}: {most}"
                );
            }
        }
    }

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
