//! The client's own photo: landmark pixels ([`points`]), the camera that took the photo
//! ([`fit`]), and the treatment composited into it ([`composite`]).
pub mod composite;
pub mod fit;
pub mod points;

use crate::ageing::age::AgedDots;
use crate::dots::generate::GpuDots;
use crate::engine::{Engine, Frame};
use crate::error::Result;
use crate::head::Head;
use crate::render::{HeadGpu, RenderSettings};
use fit::Fit;
use points::PhotoPoints;

/// Fits the camera of a `size` photo to `points` picked on it, the landmarks taken on `head`.
pub fn fit_photo(
    head: &Head,
    points: &PhotoPoints,
    size: (u32, u32),
    focal_px: Option<f64>,
    max_error_px: Option<f64>,
) -> Result<Fit> {
    let model = points
        .points
        .iter()
        .map(|(l, _)| l.position(head).map(|p| p.as_dvec3()))
        .collect::<Result<Vec<_>>>()?;
    fit::fit_camera(points, &model, size, focal_px, max_error_px)
}

/// The engine's camera for a fitted photo of `head_gpu`'s head.
pub fn engine_camera(fit: &Fit, head_gpu: &HeadGpu) -> crate::camera::Camera {
    let o = &head_gpu.outline;
    fit.camera.to_camera(o.center(), o.radius())
}

/// The photo with the treatment in it: the treated and the untreated head drawn from the
/// fitted camera at the photo's size, their ratio applied to the photo
/// ([`composite::composite`]); refused when the photo shows no skin where the scalp should be.
/// `settings` draw the head as the plan has it (its skin type, ink, errors); existing hair is
/// never drawn (the photo has the client's own).
pub fn render_into_photo(
    engine: &Engine,
    head_gpu: &HeadGpu,
    dots: (&GpuDots, &AgedDots),
    settings: &RenderSettings,
    photo: &image::RgbaImage,
    fit: &Fit,
) -> Result<image::RgbaImage> {
    let camera = engine_camera(fit, head_gpu);
    let treated_settings = RenderSettings {
        dots: true,
        hair: false,
        split_x: None,
        ..settings.clone()
    };
    let untreated_settings = RenderSettings {
        dots: false,
        ..treated_settings.clone()
    };
    let size = photo.dimensions();
    let treated = engine.render_image(&Frame {
        head: head_gpu,
        dots: Some(dots),
        view: camera.into(),
        settings: &treated_settings,
        size,
    })?;
    let untreated = engine.render_image(&Frame {
        head: head_gpu,
        dots: Some(dots),
        view: camera.into(),
        settings: &untreated_settings,
        size,
    })?;
    composite::check_head_in_photo(photo, &treated, &untreated)?;
    composite::composite(photo, &treated, &untreated)
}
