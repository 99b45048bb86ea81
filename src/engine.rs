//! The engine put together: a head and a plan become dots on the GPU and images. The CLI and
//! the viewer are thin layers over this.
use crate::camera::{Camera, ViewPreset};
use crate::dots::layout::plan_for_dot_count;
use crate::dots::Layout;
use crate::error::{Result, ScalpError};
use crate::gpu::generate::{DotGenerator, GpuDots};
use crate::gpu::Gpu;
use crate::head::Head;
use crate::plan::Plan;
use crate::render::{auto_ssaa, HeadGpu, RenderSettings, Renderer, Targets};
use crate::zone::Zone;
use std::path::Path;

/// A plan laid out on a head: the zone and the generation layout (CPU side, no GPU).
#[derive(Clone, Debug)]
pub struct Treatment {
    /// The plan as used (densities scaled when a dot count was asked for).
    pub plan: Plan,
    pub zone: Zone,
    pub layout: Layout,
}

impl Treatment {
    pub fn new(head: &Head, plan: &Plan, dots: Option<u64>) -> Result<Treatment> {
        let plan = match dots {
            Some(0) => return Err(ScalpError::invalid("--dots", "must be at least 1")),
            Some(n) => plan_for_dot_count(plan, &head.mesh, &head.landmarks, n)?,
            None => plan.clone(),
        };
        let zone = Zone::new(&plan, &head.landmarks);
        let layout = Layout::new(&head.mesh, &zone, &plan)?;
        Ok(Treatment { plan, zone, layout })
    }

    /// The CPU reference dots (slow for millions; tests and spot checks).
    pub fn reference_dots(&self, head: &Head) -> Vec<crate::dots::Dot> {
        crate::dots::reference::generate(&head.mesh, &self.layout, &self.zone)
    }
}

/// Output format of images the engine renders for files.
pub const IMAGE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba8UnormSrgb;

pub struct Engine {
    pub gpu: Gpu,
    pub generator: DotGenerator,
    pub renderer: Renderer,
}

impl Engine {
    pub fn new(adapter: Option<&str>) -> Result<Engine> {
        let gpu = Gpu::new(adapter)?;
        let (generator, renderer) = gpu.checked("building pipelines", || {
            Ok((DotGenerator::new(&gpu), Renderer::new(&gpu, IMAGE_FORMAT)))
        })?;
        Ok(Engine {
            gpu,
            generator,
            renderer,
        })
    }

    pub fn generate(&self, head: &Head, t: &Treatment) -> Result<GpuDots> {
        self.generator
            .generate(&self.gpu, &head.mesh, &t.layout, &t.zone)
    }

    /// Renders one image of `size` into memory (RGBA, sRGB).
    pub fn render_image(
        &self,
        head: &HeadGpu,
        dots: Option<&GpuDots>,
        view: ViewPreset,
        settings: &RenderSettings,
        size: (u32, u32),
    ) -> Result<image::RgbaImage> {
        let (lo, hi) = head.bounds;
        let camera = Camera::framing(view, lo, hi, size.0 as f32 / size.1 as f32);
        self.render_camera(head, dots, &camera, settings, size)
    }

    pub fn render_camera(
        &self,
        head: &HeadGpu,
        dots: Option<&GpuDots>,
        camera: &Camera,
        settings: &RenderSettings,
        size: (u32, u32),
    ) -> Result<image::RgbaImage> {
        let (w, h) = size;
        if w == 0 || h == 0 || w > 16384 || h > 16384 {
            return Err(ScalpError::invalid(
                "--size",
                format!("{w}x{h} is out of range: each side must be 1–16384 pixels"),
            ));
        }
        let gpu = &self.gpu;
        let targets = Targets::new(gpu, size, auto_ssaa(size, settings.ssaa))?;
        let out = gpu.checked("creating the output image", || {
            Ok(gpu.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("output image"),
                size: wgpu::Extent3d {
                    width: w,
                    height: h,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: IMAGE_FORMAT,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            }))
        })?;
        let view = out.create_view(&Default::default());
        self.renderer
            .render(gpu, head, dots, camera, settings, &targets, &view)?;
        read_texture(gpu, &out, w, h)
    }
}

/// Copies an RGBA8 texture back into an image.
pub fn read_texture(gpu: &Gpu, tex: &wgpu::Texture, w: u32, h: u32) -> Result<image::RgbaImage> {
    let row = (w * 4).div_ceil(256) * 256;
    let size = row as u64 * h as u64;
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("image readback"),
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut enc = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("image readback"),
        });
    enc.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture: tex,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &staging,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(row),
                rows_per_image: Some(h),
            },
        },
        wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
    );
    gpu.queue.submit([enc.finish()]);
    let data = gpu.map_and_read(&staging, size)?;
    let mut img = image::RgbaImage::new(w, h);
    for y in 0..h as usize {
        let src = &data[y * row as usize..y * row as usize + w as usize * 4];
        img.as_mut()[y * w as usize * 4..(y + 1) * w as usize * 4].copy_from_slice(src);
    }
    Ok(img)
}

/// Writes a PNG whole or not at all: to a temporary file beside `path`, then renamed.
pub fn write_png(img: &image::RgbaImage, path: &Path) -> Result<()> {
    let err = |message: String| ScalpError::Output {
        path: path.to_path_buf(),
        message,
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case("png") => {}
        _ => return Err(err("the output file name must end in .png".into())),
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(err(format!("the folder {} does not exist", dir.display())));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| "out.png".into());
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    let result = (|| -> std::result::Result<(), String> {
        let file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        let mut w = std::io::BufWriter::new(file);
        img.write_to(&mut w, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
        let file = w.into_inner().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, path).map_err(|e| e.to_string())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}
