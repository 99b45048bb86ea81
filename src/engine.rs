//! The engine put together: a head and a plan become dots on the GPU and images. The CLI and
//! the viewer are thin layers over this.
use crate::camera::{Camera, ViewPreset};
use crate::dots::layout::plan_for_dot_count;
use crate::dots::Layout;
use crate::error::{Result, ScalpError};
use crate::gpu::age::{AgedDots, DotAger};
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
    /// Relative yearly UV dose per mesh vertex (src/exposure.rs), carried into each dot.
    pub exposure: std::sync::Arc<Vec<f32>>,
    /// The client's existing hairs (empty when the plan has none), grown once: the dots keep
    /// clear of these roots (`layout.hair`) and the renderer draws these same hairs.
    pub hairs: std::sync::Arc<Vec<crate::hair::Hair>>,
}

impl Treatment {
    pub fn new(head: &Head, plan: &Plan, dots: Option<u64>) -> Result<Treatment> {
        let mut plan = match dots {
            Some(0) => return Err(ScalpError::invalid("--dots", "must be at least 1")),
            Some(n) => plan_for_dot_count(plan, &head.mesh, &head.landmarks, n)?,
            None => plan.clone(),
        };
        if plan.dots.match_hair {
            // The plan as used carries the matched ink, so every stage and report sees it.
            let (shade, tone) =
                crate::optics::match_hair(plan.hair.albedo(), &plan.skin.tone.layers());
            plan.dots.shade = shade;
            plan.dots.tone = tone;
        }
        let zone = Zone::new(&plan, &head.landmarks);
        let hairs = std::sync::Arc::new(grow_hairs(head, &plan, &zone, &plan.hair));
        let hair_grid = crate::dots::HairGrid::for_plan(&plan, &hairs);
        let layout = Layout::with_hair(&head.mesh, &zone, &plan, std::sync::Arc::new(hair_grid))?;
        let exposure = cached_vertex_exposure(&head.mesh, &plan.exposure);
        Ok(Treatment {
            plan,
            zone,
            layout,
            exposure,
            hairs,
        })
    }

    /// A zone's name: a custom zone's as the plan gives it.
    pub fn zone_name(&self, zone: crate::zone::ZoneId) -> String {
        let custom = zone as usize;
        match custom.checked_sub(crate::zone::ZoneId::Custom0 as usize) {
            Some(k) if k < self.plan.zones.custom.len() => self.plan.zones.custom[k].name.clone(),
            _ => zone.name().to_string(),
        }
    }

    /// Time at which every session has healed: what `scalp render` shows without --years.
    pub fn healed_years(&self) -> f32 {
        self.plan.healed_years()
    }

    /// Render settings that follow the plan: the client's skin and the ink's tone.
    pub fn render_settings(&self) -> RenderSettings {
        RenderSettings {
            skin: self.plan.skin.tone,
            ink_tone: crate::technique::ink_tone(&self.plan),
            scars: self.zone.gpu.scars,
            ..Default::default()
        }
    }

    /// The client's existing hairs (empty when the plan has none): the ones the dots avoid.
    pub fn hairs(&self) -> std::sync::Arc<Vec<crate::hair::Hair>> {
        self.hairs.clone()
    }

    /// The hairs `hair` describes on this treatment's head (its own `enabled` included): the
    /// viewer grows them whatever the plan says, to switch them on and off without regrowing.
    pub fn hairs_as(
        &self,
        head: &Head,
        hair: &crate::hair::HairSettings,
    ) -> Vec<crate::hair::Hair> {
        if hair == &self.plan.hair {
            return self.hairs.as_ref().clone();
        }
        grow_hairs(head, &self.plan, &self.zone, hair)
    }

    /// Puts this plan's hairs on the head's GPU buffers.
    pub fn set_hairs(&self, gpu: &Gpu, _head: &Head, head_gpu: &mut HeadGpu) {
        head_gpu.set_hairs(gpu, &self.hairs, self.plan.hair.albedo());
    }

    pub fn age_params(&self, t_years: f32) -> crate::ageing::AgeParams {
        crate::ageing::AgeParams::with_sessions(
            &self.plan.ageing,
            &self.plan.sessions.start_years(&self.plan.ageing),
            t_years,
        )
    }

    /// The CPU reference dots (slow for millions; tests and spot checks).
    pub fn reference_dots(&self, head: &Head) -> Vec<crate::dots::Dot> {
        crate::dots::reference::generate(&head.mesh, &self.exposure, &self.layout, &self.zone)
    }
}

/// The hairs `hair` describes for `plan` on `head` (`zone`: the plan's treated zone).
fn grow_hairs(
    head: &Head,
    plan: &Plan,
    zone: &Zone,
    hair: &crate::hair::HairSettings,
) -> Vec<crate::hair::Hair> {
    if !hair.enabled {
        return Vec::new();
    }
    // Hair grows down to the natural hairline round the ears and the nape, which is lower
    // than where a treatment usually stops; the front line is the designed one.
    let mut natural = plan.clone();
    natural.hairline.side_above_ear_mm = natural.hairline.side_above_ear_mm.min(-8.0);
    natural.hairline.back_below_occipital_mm = natural.hairline.back_below_occipital_mm.max(60.0);
    natural.alopecia.patches.clear();
    natural.zones.custom.clear();
    natural.scars = Default::default();
    let natural_zone = Zone::new(&natural, &head.landmarks);
    let mut hairs = crate::hair::grow(head, &natural_zone, hair, plan.seed);
    // Alopecia patches are bald, and scar tissue has no follicles: no hair grows in them.
    hairs.retain(|h| {
        let root = glam::Vec3::from(h.root);
        zone.patch_inside_mm(root).is_none_or(|inside| inside < 0.0)
            && zone.gpu.scars.tissue(root) < 0.5
    });
    hairs
}

/// Per-vertex exposure. The geometric part (sky and sun seen from each vertex, shadowed by the
/// head) is ray cast once per (mesh, latitude) in a process and kept: it takes seconds, and a
/// session renders the same head many times (viewer, contact sheets, tests); habits only scale it.
fn cached_vertex_exposure(
    mesh: &crate::head::Mesh,
    settings: &crate::exposure::ExposureSettings,
) -> std::sync::Arc<Vec<f32>> {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<Vec<f32>>>>> = OnceLock::new();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytemuck::cast_slice::<_, u8>(&mesh.positions).hash(&mut h);
    bytemuck::cast_slice::<_, u8>(&mesh.normals).hash(&mut h);
    mesh.indices.hash(&mut h);
    settings.latitude_deg.to_bits().hash(&mut h);
    let key = h.finish();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let habits = crate::exposure::habits_factor(settings);
    let scaled = |g: &[f32]| Arc::new(g.iter().map(|e| e * habits).collect::<Vec<f32>>());
    if let Some(g) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return scaled(&g);
    }
    let g = Arc::new(crate::exposure::geometric_exposure(
        mesh,
        settings.latitude_deg,
    ));
    if let Ok(mut c) = cache.lock() {
        c.insert(key, g.clone());
    }
    scaled(&g)
}

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
        let (generator, ager, renderer) = gpu.checked("building pipelines", || {
            Ok((
                DotGenerator::new(&gpu),
                DotAger::new(&gpu),
                Renderer::new(&gpu, IMAGE_FORMAT),
            ))
        })?;
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
            return Err(ScalpError::invalid(
                "--years",
                format!("{t_years} is out of range: 0 to 30 years"),
            ));
        }
        self.ager.age(&self.gpu, dots, t.age_params(t_years))
    }

    /// Renders one image of `size` into memory (RGBA, sRGB).
    pub fn render_image(
        &self,
        head: &HeadGpu,
        dots: Option<(&GpuDots, &AgedDots)>,
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
        dots: Option<(&GpuDots, &AgedDots)>,
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
            Ok(output_texture(gpu, size, wgpu::TextureUsages::COPY_SRC))
        })?;
        let view = out.create_view(&Default::default());
        self.renderer
            .render(gpu, head, dots, camera, settings, &targets, &view)?;
        read_texture(gpu, &out, w, h)
    }
}

impl Engine {
    /// `--path auto`: renders the scene once with each splatting path at a small size after
    /// a warm-up and returns the faster on this adapter (wall clock with a synchronised wait).
    pub fn fastest_path(
        &self,
        head: &HeadGpu,
        dots: (&GpuDots, &AgedDots),
        view: ViewPreset,
    ) -> Result<crate::render::SplatPath> {
        use crate::render::SplatPath;
        let mut best = (SplatPath::Raster, f64::INFINITY);
        for path in [SplatPath::Raster, SplatPath::Compute] {
            let settings = RenderSettings {
                path,
                ssaa: 1,
                ..Default::default()
            };
            let mut time = f64::INFINITY;
            for _ in 0..2 {
                let t0 = std::time::Instant::now();
                match self.render_image(head, Some(dots), view, &settings, (480, 360)) {
                    Ok(_) => time = time.min(t0.elapsed().as_secs_f64()),
                    // A path this adapter cannot run simply loses.
                    Err(_) => break,
                }
            }
            if time < best.1 {
                best = (path, time);
            }
        }
        Ok(best.0)
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

/// Copies an RGBA8 texture back into an image.
pub fn read_texture(gpu: &Gpu, tex: &wgpu::Texture, w: u32, h: u32) -> Result<image::RgbaImage> {
    let data = read_texture_bytes(gpu, tex, w, h, 4)?;
    image::RgbaImage::from_raw(w, h, data)
        .ok_or_else(|| ScalpError::invalid("readback", "image size does not match"))
}

/// A texture's texels, rows packed tightly (`bytes_per_texel` each).
pub fn read_texture_bytes(
    gpu: &Gpu,
    tex: &wgpu::Texture,
    w: u32,
    h: u32,
    bytes_per_texel: u32,
) -> Result<Vec<u8>> {
    let tight = (w * bytes_per_texel) as usize;
    let row = (w * bytes_per_texel).div_ceil(256) * 256;
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
    let mut out = Vec::with_capacity(tight * h as usize);
    for y in 0..h as usize {
        out.extend_from_slice(&data[y * row as usize..y * row as usize + tight]);
    }
    Ok(out)
}

/// Decodes an IEEE half float.
pub fn f16_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((bits >> 10) & 0x1F) as i32;
    let frac = (bits & 0x3FF) as f32;
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        31 if frac == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + frac / 1024.0) * 2f32.powi(e - 15),
    }
}

impl Engine {
    /// Renders like [`Engine::render_camera`] and returns the HDR intermediate targets
    /// (diffuse, specular, optical density, hair) as RGBA floats at the internal size: for
    /// checking the physics (no NaN, nothing negative) and for debugging.
    #[allow(clippy::type_complexity)]
    pub fn render_hdr(
        &self,
        head: &HeadGpu,
        dots: Option<(&GpuDots, &AgedDots)>,
        camera: &Camera,
        settings: &RenderSettings,
        size: (u32, u32),
    ) -> Result<Vec<(&'static str, Vec<[f32; 4]>)>> {
        let gpu = &self.gpu;
        let targets = Targets::new(gpu, size, auto_ssaa(size, settings.ssaa))?;
        let out = output_texture(gpu, size, wgpu::TextureUsages::COPY_SRC);
        let view = out.create_view(&Default::default());
        self.renderer
            .render(gpu, head, dots, camera, settings, &targets, &view)?;
        let (w, h) = targets.size;
        targets
            .hdr
            .iter()
            .map(|(name, tex)| {
                let bytes = read_texture_bytes(gpu, tex, w, h, 8)?;
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
