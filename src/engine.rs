//! The engine put together: a head and a plan become dots on the GPU and images. The CLI and
//! the viewer are thin layers over this. The flow: [`Engine::generate`] deposits a treatment's
//! dots, [`Engine::age`] gives their appearance at one time, and [`Engine::render_image`] draws
//! a [`Frame`] (what to draw, from where, how, how large).
use crate::ageing::age::{AgedDots, DotAger};
use crate::camera::{Camera, ViewPreset};
use crate::dots::generate::{DotGenerator, GpuDots};
use crate::error::{Quantity, Result, ScalpError};
use crate::gpu::readback::{f16_to_f32, read_texture, read_texture_bytes};
use crate::gpu::Gpu;
use crate::head::Head;
use crate::render::{auto_ssaa, HeadGpu, RenderSettings, Renderer, Targets};
use crate::treatment::Treatment;

/// Output format of images the engine renders for files.
pub const IMAGE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

pub struct Engine {
    pub gpu: Gpu,
    pub generator: DotGenerator,
    pub ager: DotAger,
    pub renderer: Renderer,
}

impl Engine {
    pub fn new(adapter: Option<&str>) -> Result<Engine> {
        Engine::from_gpu(Gpu::new(adapter)?)
    }

    /// An engine on a device the caller opened (e.g. [`Gpu::for_surface`] for a window).
    pub fn from_gpu(gpu: Gpu) -> Result<Engine> {
        // Stdout stays the commands' own (tests and scripts parse it).
        if let Some(note) = gpu.first_run_note() {
            eprintln!("{note}");
        }
        let start = std::time::Instant::now();
        let (generator, ager, renderer) = gpu.checked("building pipelines", || {
            Ok((
                DotGenerator::new(&gpu),
                DotAger::new(&gpu),
                Renderer::new(&gpu, IMAGE_FORMAT),
            ))
        })?;
        log::debug!(
            target: "scalp::gpu",
            "pipelines built in {:.2} s",
            start.elapsed().as_secs_f64()
        );
        gpu.save_pipeline_cache();
        Ok(Engine {
            gpu,
            generator,
            ager,
            renderer,
        })
    }

    pub fn generate(&self, head: &Head, t: &Treatment) -> Result<GpuDots> {
        self.generate_with_progress(head, t, &|_, _| {})
    }

    /// As [`Engine::generate`], calling `progress(chunks done, chunks)` as it goes.
    pub fn generate_with_progress(
        &self,
        head: &Head,
        t: &Treatment,
        progress: &dyn Fn(usize, usize),
    ) -> Result<GpuDots> {
        self.generator.generate(
            &self.gpu,
            &head.mesh,
            &t.exposure,
            &t.layout,
            &t.zone,
            progress,
        )
    }

    /// Every dot's appearance `t_years` after the first session.
    pub fn age(&self, t: &Treatment, dots: &GpuDots, t_years: f32) -> Result<AgedDots> {
        if !t_years.is_finite() || !(0.0..=30.0).contains(&t_years) {
            return Err(ScalpError::bad(
                Quantity::Years,
                format!("{t_years} is out of range: 0 to 30 years"),
            ));
        }
        let start = std::time::Instant::now();
        let aged = self.ager.age(&self.gpu, dots, t.age_params(t_years))?;
        // At debug level, the pass's wall time (on a CPU driver's first run, its compilation).
        if log::log_enabled!(target: "scalp::gpu", log::Level::Debug) {
            self.gpu.wait()?;
            log::debug!(
                target: "scalp::gpu",
                "pass Age: {:.1} ms",
                start.elapsed().as_secs_f64() * 1e3
            );
        }
        Ok(aged)
    }

    /// Renders one frame into memory (RGBA, sRGB).
    pub fn render_image(&self, frame: &Frame) -> Result<image::RgbaImage> {
        let (out, _) = self.draw(frame)?;
        read_texture(&self.gpu, &out, frame.size.0, frame.size.1)
    }

    /// Renders like [`Engine::render_image`] and returns the HDR intermediate targets
    /// (diffuse, specular, optical density, hair, shafts, broad shafts) as RGBA floats, each at
    /// its own size (the internal size; the broad shafts the output size): for checking the
    /// physics (no NaN, nothing negative) and for debugging.
    #[allow(clippy::type_complexity)]
    pub fn render_hdr(&self, frame: &Frame) -> Result<Vec<(&'static str, Vec<[f32; 4]>)>> {
        let gpu = &self.gpu;
        let (_, targets) = self.draw(frame)?;
        targets
            .hdr
            .iter()
            .map(|(name, tex)| {
                let bytes = read_texture_bytes(gpu, tex, tex.width(), tex.height(), 8)?;
                let texels = bytes
                    .chunks_exact(8)
                    .map(|t| {
                        std::array::from_fn(|c| {
                            f16_to_f32(u16::from_le_bytes([t[2 * c], t[2 * c + 1]]))
                        })
                    })
                    .collect();
                Ok((*name, texels))
            })
            .collect()
    }

    /// Draws `frame` into a fresh output texture; returns it with the intermediate targets.
    fn draw(&self, frame: &Frame) -> Result<(wgpu::Texture, Targets)> {
        let (w, h) = frame.size;
        let max = crate::limits::IMAGE_SIDE.1;
        if w == 0 || h == 0 || w > max || h > max {
            return Err(ScalpError::bad(
                Quantity::ImageSize,
                format!("{w}x{h} is out of range: each side must be 1–{max} pixels"),
            ));
        }
        let gpu = &self.gpu;
        let targets = Targets::new(gpu, frame.size, auto_ssaa(frame.size, frame.settings.ssaa))?;
        let out = gpu.checked("creating the output image", || {
            Ok(output_texture(
                gpu,
                frame.size,
                wgpu::TextureUsages::COPY_SRC,
            ))
        })?;
        let view = out.create_view(&Default::default());
        self.renderer.render(
            gpu,
            frame.head,
            frame.dots,
            &frame.camera(),
            frame.settings,
            &targets,
            &view,
        )?;
        Ok((out, targets))
    }
}

/// What to draw: a head, its dots as they look at one time, from where, how, and how large.
#[derive(Clone, Copy)]
pub struct Frame<'a> {
    pub head: &'a HeadGpu,
    /// The dots and their appearance at one time; None draws the untreated head.
    pub dots: Option<(&'a GpuDots, &'a AgedDots)>,
    pub view: Viewpoint,
    pub settings: &'a RenderSettings,
    /// Image size in pixels, width × height.
    pub size: (u32, u32),
}

/// Where a frame is seen from: a preset framed on the head at the frame's aspect, or a
/// camera the caller placed.
#[derive(Clone, Copy, Debug)]
pub enum Viewpoint {
    Preset(ViewPreset),
    Camera(Camera),
}

impl From<ViewPreset> for Viewpoint {
    fn from(p: ViewPreset) -> Self {
        Viewpoint::Preset(p)
    }
}

impl From<Camera> for Viewpoint {
    fn from(c: Camera) -> Self {
        Viewpoint::Camera(c)
    }
}

impl Frame<'_> {
    /// The camera this frame is drawn with.
    pub fn camera(&self) -> Camera {
        match self.view {
            Viewpoint::Preset(p) => Camera::framing(
                p,
                &self.head.outline,
                self.size.0 as f32 / self.size.1 as f32,
            ),
            Viewpoint::Camera(c) => c,
        }
    }
}

impl Engine {
    /// Shades the skin as `shading` says from now on (a new renderer where it changes the
    /// engine's). Deferred shading asked for on an adapter that cannot run it is an error
    /// naming what it lacks, not a silent fallback.
    pub fn use_skin_shading(
        &mut self,
        shading: crate::render::skin_deferred::SkinShading,
    ) -> Result<()> {
        use crate::render::skin_deferred::{supported, SkinShading};
        if matches!(shading, SkinShading::Deferred | SkinShading::PerPixel) && !supported(&self.gpu)
        {
            return Err(crate::error::ScalpError::invalid(
                "skin shading",
                format!(
                    "{}: {} cannot run it (it needs the primitive index in fragment \
                     shaders and storage textures of {:?}); use forward",
                    clap::ValueEnum::to_possible_value(&shading)
                        .map_or_else(String::new, |v| v.get_name().to_string()),
                    self.gpu.describe(),
                    crate::render::HDR_FORMAT
                ),
            ));
        }
        if shading != self.renderer.skin_shading {
            self.renderer = crate::render::Renderer::with_skin_shading(
                &self.gpu,
                self.renderer.format,
                shading,
            );
        }
        Ok(())
    }

    /// `--path auto` on this engine's adapter ([`SplatPath::auto`]): a rule, never a timing,
    /// so the same command gives the same bytes.
    pub fn auto_path(&self) -> crate::render::SplatPath {
        crate::render::SplatPath::auto(crate::render::splat_compute::supported(&self.gpu))
    }

    /// The path `--path auto` takes for frames of `size` output pixels with supersampling
    /// `ssaa` (0: [`auto_ssaa`]): [`Engine::auto_path`], but raster where the compute path's
    /// fixed-point density would not fit one storage binding (a 4096×3072 print: 151 MB against
    /// lavapipe's 128 MiB), which is a capability of the adapter at that size, not a timing.
    pub fn auto_path_for(&self, size: (u32, u32), ssaa: u32) -> crate::render::SplatPath {
        let s = auto_ssaa(size, ssaa);
        self.auto_path()
            .at_size(&self.gpu, (size.0 * s, size.1 * s))
    }
}

/// A texture of [`IMAGE_FORMAT`] the renderer can draw the final image into.
pub fn output_texture(gpu: &Gpu, size: (u32, u32), extra: wgpu::TextureUsages) -> wgpu::Texture {
    gpu.device.create_texture(&wgpu::TextureDescriptor {
        label: Some("output image"),
        size: wgpu::Extent3d {
            width: size.0,
            height: size.1,
            depth_or_array_layers: 1,
        },
        mip_level_count: 1,
        sample_count: 1,
        dimension: wgpu::TextureDimension::D2,
        format: IMAGE_FORMAT,
        usage: wgpu::TextureUsages::RENDER_ATTACHMENT | extra,
        view_formats: &[],
    })
}
