//! Files a client takes home: the head with its treatment baked into a texture at several
//! times ([`bake_head`]), written as one glTF binary with a material variant per time
//! ([`glb`]), and the offline page that shows it ([`html`]).
//!
//! The texture is the skin's albedo (what a glTF viewer lights itself) with the dots' optical
//! density applied the way the 3D render applies it: only the light from the dermis is darkened,
//! the epidermis's own reflectance is not (`optics::SkinLayers`). Existing hair is not baked: a
//! shaved head's stubble is a 3D thing a texture cannot carry.
pub mod bake;
pub mod base;
pub mod glb;
pub mod html;
pub mod unwrap;

use crate::dots::generate::GpuDots;
use crate::engine::Engine;
use crate::error::Result;
use crate::head::Head;
use crate::treatment::Treatment;
use bake::{BakeInput, BakePass};
use glam::Vec2;
use unwrap::UvMesh;

/// One time the head is shown at: None is the untreated head.
#[derive(Clone, Debug, PartialEq)]
pub struct Moment {
    /// What a client reads ("untreated", "healed", "5 years").
    pub name: String,
    /// Years after the first session; None: untreated.
    pub years: Option<f32>,
}

impl Moment {
    pub fn untreated() -> Moment {
        Moment {
            name: "untreated".into(),
            years: None,
        }
    }

    pub fn at(name: impl Into<String>, years: f32) -> Moment {
        Moment {
            name: name.into(),
            years: Some(years),
        }
    }

    pub fn years_after(years: u32) -> Moment {
        let name = if years == 1 {
            "1 year".to_string()
        } else {
            format!("{years} years")
        };
        Moment::at(name, years as f32)
    }
}

/// The moments a take-home file carries: untreated, healed, then each of `years`.
pub fn moments(healed_years: f32, years: &[u32]) -> Vec<Moment> {
    let mut out = vec![Moment::untreated(), Moment::at("healed", healed_years)];
    out.extend(years.iter().map(|&y| Moment::years_after(y)));
    out
}

/// A head baked at several moments: its mesh with texture coordinates and one sRGB texture
/// per moment, in the order asked.
pub struct Baked {
    pub mesh: UvMesh,
    pub textures: Vec<(Moment, image::RgbImage)>,
    /// Whether the scan's own skin (its texture, its vertex colours or both) lies under the
    /// dots.
    pub scan_texture: bool,
    /// Dots no triangle was found under (not drawn).
    pub unplaced_dots: usize,
}

/// The head's texture coordinates and the skin under the dots, linear RGB per texel (None: the
/// plain skin, `plain`). A scan with a texture over all of it keeps its own UVs and image
/// (scaled to `size`); anything else is unwrapped ([`unwrap::unwrap`]). A scan's vertex colours
/// are rasterised into either ([`base`]), as the 3D render multiplies them in.
pub fn head_uvs(head: &Head, size: u32, plain: [f32; 3]) -> (UvMesh, Option<Vec<[f32; 3]>>) {
    let colours = head
        .texture
        .as_ref()
        .map(|t| t.colour.as_slice())
        .filter(|c| c.len() == head.mesh.positions.len() && c.iter().any(|c| c[3] > 0.0));
    let mut image = None;
    let mut mesh = None;
    if let Some(tex) = &head.texture {
        let textured = tex.uv.len() == head.mesh.positions.len()
            && tex.uv.iter().all(|t| t[2] >= 1.0)
            && tex.image.width() > 1;
        if textured {
            mesh = Some(UvMesh {
                positions: head.mesh.positions.clone(),
                normals: head.mesh.normals.clone(),
                // The scan's v counts up from the image's bottom row (OBJ), glTF's down from
                // its top.
                uvs: tex.uv.iter().map(|t| Vec2::new(t[0], 1.0 - t[1])).collect(),
                indices: head.mesh.indices.clone(),
                source: (0..head.mesh.positions.len() as u32).collect(),
            });
            let img = image::imageops::resize(
                &tex.image,
                size,
                size,
                image::imageops::FilterType::Triangle,
            );
            image = Some(
                img.pixels()
                    .map(|p| crate::optics::srgb_to_linear([p[0], p[1], p[2]]))
                    .collect::<Vec<_>>(),
            );
        }
    }
    let mesh = mesh.unwrap_or_else(|| unwrap::unwrap(&head.mesh, size));
    let base = match colours {
        Some(c) => {
            let raster = base::rasterise_colours(&mesh, c, size);
            Some(base::combine(image.as_deref(), &raster, plain))
        }
        None => image,
    };
    (mesh, base)
}

/// Bakes the head at each moment into `size`² textures, calling `progress(done, total)` after
/// each.
pub fn bake_head(
    engine: &Engine,
    head: &Head,
    treatment: &Treatment,
    dots: &GpuDots,
    moments: &[Moment],
    size: u32,
    progress: &dyn Fn(usize, usize),
) -> Result<Baked> {
    let layers = treatment.plan.skin.tone.layers();
    let (mesh, scan_base) = head_uvs(head, size, layers.albedo());
    let pass = engine.gpu.checked("building the bake pipelines", || {
        Ok(BakePass::new(&engine.gpu))
    })?;
    let input = BakeInput::new(&engine.gpu, &mesh, dots, size)?;
    let ink = crate::optics::ink_tone_scale(treatment.worked.ink_tone);
    let mut textures = Vec::new();
    progress(0, moments.len());
    for (k, m) in moments.iter().enumerate() {
        let aged = match m.years {
            Some(y) => Some(engine.age(treatment, dots, y)?),
            None => None,
        };
        let density = pass.bake(
            &engine.gpu,
            &input,
            aged.as_ref().map(|a| (dots, a)),
            size,
            ink,
        )?;
        let img = compose(&density, scan_base.as_deref(), &layers, size);
        textures.push((m.clone(), img));
        progress(k + 1, moments.len());
    }
    Ok(Baked {
        mesh,
        textures,
        scan_texture: scan_base.is_some(),
        unplaced_dots: input.unplaced,
    })
}

/// The skin's colour under baked optical density: the base albedo with its dermal share
/// darkened by e^(−density), as the 3D render's composite does; texels off the charts are
/// filled from their neighbours ([`fill_gutters`]). sRGB out.
pub fn compose(
    density: &[[f32; 4]],
    base: Option<&[[f32; 3]]>,
    layers: &crate::optics::SkinLayers,
    size: u32,
) -> image::RgbImage {
    let plain = layers.albedo();
    let mut linear: Vec<[f32; 3]> = density
        .iter()
        .enumerate()
        .map(|(i, d)| {
            let b = base.map_or(plain, |b| b[i]);
            std::array::from_fn(|c| {
                let keep = (layers.epidermal[c] + layers.dermal[c] * (-d[c].max(0.0)).exp())
                    / (layers.epidermal[c] + layers.dermal[c]);
                b[c] * keep
            })
        })
        .collect();
    let inside: Vec<bool> = density.iter().map(|d| d[3] > 0.5).collect();
    fill_gutters(&mut linear, inside, size as usize, plain, FILL_TEXELS);
    let bytes: Vec<u8> = linear
        .iter()
        .flat_map(|c| {
            c.map(|v| (crate::head::raw::linear_to_srgb(v.clamp(0.0, 1.0)) * 255.0 + 0.5) as u8)
        })
        .collect();
    image::RgbImage::from_raw(size, size, bytes).unwrap_or_default()
}

/// Texels of gutter filled from the charts beside them: a filtered or mipmapped lookup near a
/// chart's edge then reads skin, not the background.
const FILL_TEXELS: usize = 8;

/// Fills texels off the charts from their on-chart neighbours, `rings` deep, and the rest with
/// `background` (so the image compresses well).
fn fill_gutters<const N: usize>(
    texels: &mut [[f32; N]],
    mut inside: Vec<bool>,
    side: usize,
    background: [f32; N],
    rings: usize,
) {
    for _ in 0..rings {
        let mut filled = Vec::new();
        for y in 0..side {
            for x in 0..side {
                let i = y * side + x;
                if inside[i] {
                    continue;
                }
                let mut sum = [0.0f32; N];
                let mut n = 0.0;
                let neighbours = [
                    (x > 0).then(|| i - 1),
                    (x + 1 < side).then(|| i + 1),
                    (y > 0).then(|| i - side),
                    (y + 1 < side).then(|| i + side),
                ];
                for j in neighbours.into_iter().flatten() {
                    if inside[j] {
                        for c in 0..N {
                            sum[c] += texels[j][c];
                        }
                        n += 1.0;
                    }
                }
                if n > 0.0 {
                    filled.push((i, sum.map(|s| s / n)));
                }
            }
        }
        if filled.is_empty() {
            break;
        }
        for (i, c) in filled {
            texels[i] = c;
            inside[i] = true;
        }
    }
    for (t, inside) in texels.iter_mut().zip(&inside) {
        if !inside {
            *t = background;
        }
    }
}
