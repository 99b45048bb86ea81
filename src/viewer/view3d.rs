//! The 3D view: the library renders the scene into an offscreen texture (the same passes as
//! `scalp render`), which egui shows under its panel. Two canvases: a small one drawn while
//! the hand is moving (on a CPU driver a full frame takes a quarter second), the full one
//! once it is still. Nothing is drawn when nothing changed.
use super::scene::Scene;
use scalp::camera::Camera;
use scalp::engine::Engine;
use scalp::render::{auto_ssaa, RenderSettings, Renderer, SplatPath, Targets};
use std::time::Instant;

/// The canvas format egui samples: plain RGBA8 holding sRGB values, which the composite pass
/// encodes itself for non-sRGB targets (egui's own textures are the same).
pub const CANVAS_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8Unorm;
/// Pixels of the preview canvas: 0.12 MP draws in about 40 ms on lavapipe (two cores).
const PREVIEW_PIXELS: f32 = 120_000.0;
/// A full frame faster than this needs no preview (a real GPU).
const FAST_FRAME_S: f32 = 1.0 / 50.0;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quality {
    /// Reduced resolution, no supersampling: while the camera moves or a slider is dragged.
    Preview,
    /// The view's own resolution with supersampling.
    Full,
}

struct Canvas {
    size: (u32, u32),
    ssaa: u32,
    targets: Targets,
    /// Kept alive with its view.
    _texture: wgpu::Texture,
    view: wgpu::TextureView,
}

pub struct View3d {
    renderer: Renderer,
    preview: Option<Canvas>,
    full: Option<Canvas>,
    /// egui's handle of the canvas on screen; re-pointed when the other canvas is shown.
    texture_id: Option<egui::TextureId>,
    shown: Option<Quality>,
    /// The canvas egui's handle points at.
    bound: Option<(Quality, (u32, u32), u32)>,
    /// What the canvas on screen was drawn from; equal → nothing to draw.
    drawn_key: String,
    /// Wall time of the last full-quality frame (GPU included), seconds.
    pub full_frame_s: Option<f32>,
    /// Wall time of the last frame of either quality, and its size.
    pub last: Option<(Quality, (u32, u32), u32, f32)>,
}

impl View3d {
    pub fn new(engine: &Engine) -> scalp::Result<View3d> {
        let renderer = engine.gpu.checked("building the window's pipelines", || {
            Ok(Renderer::new(&engine.gpu, CANVAS_FORMAT))
        })?;
        Ok(View3d {
            renderer,
            preview: None,
            full: None,
            texture_id: None,
            shown: None,
            bound: None,
            drawn_key: String::new(),
            full_frame_s: None,
            last: None,
        })
    }

    pub fn texture_id(&self) -> Option<egui::TextureId> {
        self.texture_id
    }

    /// Which quality to draw: previews only help where a full frame is slow.
    pub fn quality(&self, interacting: bool) -> Quality {
        match (interacting, self.full_frame_s) {
            (true, Some(s)) if s < FAST_FRAME_S => Quality::Full,
            (true, _) => Quality::Preview,
            (false, _) => Quality::Full,
        }
    }

    /// Whether the canvas on screen is a preview that a full frame should replace.
    pub fn showing_preview(&self) -> bool {
        self.shown == Some(Quality::Preview)
    }

    /// Output size and supersampling of `quality` for a view of `size` pixels.
    pub fn resolution(quality: Quality, size: (u32, u32)) -> ((u32, u32), u32) {
        let size = (size.0.clamp(16, 8192), size.1.clamp(16, 8192));
        match quality {
            Quality::Full => (size, auto_ssaa(size, 0)),
            Quality::Preview => {
                let k = (PREVIEW_PIXELS / (size.0 as f32 * size.1 as f32))
                    .sqrt()
                    .min(1.0);
                let s = |v: u32| ((v as f32 * k).round() as u32).max(16);
                ((s(size.0), s(size.1)), 1)
            }
        }
    }

    /// Draws `scene` from `camera` at `quality` into its canvas, unless that canvas already
    /// shows exactly this; returns whether it drew.
    #[allow(clippy::too_many_arguments)]
    pub fn draw(
        &mut self,
        engine: &Engine,
        egui: &mut egui_wgpu::Renderer,
        scene: &Scene,
        camera: &Camera,
        settings: &RenderSettings,
        split: Option<f32>,
        path: SplatPath,
        view_px: (u32, u32),
        quality: Quality,
    ) -> scalp::Result<bool> {
        let (size, ssaa) = View3d::resolution(quality, view_px);
        // A window too big for the compute path's density buffer takes the raster path.
        let path = path.at_size(&engine.gpu, (size.0 * ssaa, size.1 * ssaa));
        let settings = RenderSettings {
            // A preview's skin pass is spent on the head's vertices on a CPU driver; its
            // coarse triangles keep within 0.05 mm of them.
            coarse_skin: quality == Quality::Preview,
            ..frame_settings(settings, &scene.treatment, split, path, size.0, ssaa)
        };
        // Everything the picture depends on, as text: RenderSettings grows fields (light,
        // skin tone) and its Debug form follows without this code changing.
        let key = format!(
            "{quality:?} {size:?} {settings:?} {camera:?} {} {:p}",
            scene.version, &scene.dots
        );
        if key == self.drawn_key && self.shown == Some(quality) {
            return Ok(false);
        }
        let gpu = &engine.gpu;
        let slot = match quality {
            Quality::Preview => &mut self.preview,
            Quality::Full => &mut self.full,
        };
        if !slot
            .as_ref()
            .is_some_and(|c| c.size == size && c.ssaa == ssaa)
        {
            // Drop the old canvas first: at 4K with supersampling its targets are large.
            *slot = None;
            *slot = Some(canvas(engine, size, ssaa)?);
        }
        let Some(c) = slot.as_ref() else {
            return Ok(false);
        };
        let t0 = Instant::now();
        self.renderer.render(
            gpu,
            &scene.head_gpu,
            Some((&scene.dots, &scene.aged)),
            camera,
            &settings,
            &c.targets,
            &c.view,
        )?;
        if quality == Quality::Full {
            // Waiting here costs nothing extra (the frame must finish before it is shown) and
            // tells whether previews are needed on this adapter.
            gpu.wait()?;
        }
        let s = t0.elapsed().as_secs_f32();
        if quality == Quality::Full {
            self.full_frame_s = Some(s);
        }
        self.last = Some((quality, size, ssaa, s));
        // Point egui's handle at this canvas when it is not already (first frame, the other
        // quality, or a canvas re-made for a new size).
        let bound = (quality, size, ssaa);
        if self.bound != Some(bound) {
            match self.texture_id {
                None => {
                    self.texture_id = Some(egui.register_native_texture(
                        &gpu.device,
                        &c.view,
                        wgpu::FilterMode::Linear,
                    ))
                }
                Some(id) => egui.update_egui_texture_from_wgpu_texture(
                    &gpu.device,
                    &c.view,
                    wgpu::FilterMode::Linear,
                    id,
                ),
            }
            self.bound = Some(bound);
        }
        self.shown = Some(quality);
        self.drawn_key = key;
        Ok(true)
    }
}

/// The settings a frame is drawn with: the user's, with the treatment's scars, the viewer's
/// supersampling, splatting path and the divider in output pixels.
pub fn frame_settings(
    settings: &RenderSettings,
    treatment: &scalp::treatment::Treatment,
    split: Option<f32>,
    path: SplatPath,
    width: u32,
    ssaa: u32,
) -> RenderSettings {
    RenderSettings {
        ssaa,
        split_x: split.map(|f| f.clamp(0.0, 1.0) * width as f32),
        path,
        scars: treatment.zone.scars.to_gpu(),
        ..settings.clone()
    }
}

fn canvas(engine: &Engine, size: (u32, u32), ssaa: u32) -> scalp::Result<Canvas> {
    let gpu = &engine.gpu;
    let targets = Targets::new(gpu, size, ssaa)?;
    let texture = gpu.checked("creating the view's canvas", || {
        Ok(gpu.device.create_texture(&wgpu::TextureDescriptor {
            label: Some("viewer canvas"),
            size: wgpu::Extent3d {
                width: size.0,
                height: size.1,
                depth_or_array_layers: 1,
            },
            mip_level_count: 1,
            sample_count: 1,
            dimension: wgpu::TextureDimension::D2,
            format: CANVAS_FORMAT,
            usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                | wgpu::TextureUsages::TEXTURE_BINDING
                | wgpu::TextureUsages::COPY_SRC,
            view_formats: &[],
        }))
    })?;
    let view = texture.create_view(&Default::default());
    Ok(Canvas {
        size,
        ssaa,
        targets,
        _texture: texture,
        view,
    })
}
