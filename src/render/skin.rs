//! Skin pass (`skin.wgsl`): the head lit, into diffuse, specular and view-distance targets.
//! Also the CPU side of the skin's own subsurface scattering: the pre-integrated lookup
//! ([`preintegrated_diffuse`]) the shader samples.
use super::shadow::ShadowPass;
use super::{HeadGpu, Targets, DISTANCE_FORMAT, HDR_FORMAT};
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{entry, Gpu};
use crate::optics::DIFFUSION_MM;
use crate::shaders;

/// Columns of the lookup: cos θ from −1 to 1.
pub const SSS_COLUMNS: usize = 64;
/// Rows: √(curvature / [`SSS_MAX_CURVATURE`]) from 0 to 1.
pub const SSS_ROWS: usize = 32;
/// Highest curvature in the lookup, 1/mm (a 1 mm radius: the rim of an ear); the scalp's is
/// ~0.011.
pub const SSS_MAX_CURVATURE: f32 = 1.0;

// The skin's surface at close range (skin.wgsl): pores, fine relief and skin lines, all
// procedural in head space (mm) and faded out where a pixel covers them.

/// Pores: one candidate per cube of this side, kept when it lies within the slab of the skin
/// (|normal offset| < half the side less the largest radius), which gives
/// (side − 2·max radius)/side³ ≈ 1.2 pores per mm² (~120 /cm²) whatever the surface's
/// orientation. The scalp's follicles (1–2 /mm², drawn by the hair pass) carry most of its
/// sebaceous openings; what is drawn here are the sparser sweat-gland and vellus openings
/// between them (eccrine glands ~150–300 /cm² on the scalp, Taylor & Machado-Moreira 2013),
/// a little sparser than on the forehead and far sparser than the nose's ~600+ /cm².
pub const PORE_CELL_MM: f32 = 0.85;
/// Pore radius range, mm (diameters 0.05–0.14 mm: scalp pores are small, the nose's
/// reach 0.2–0.3 mm).
pub const PORE_RADIUS_MM: [f32; 2] = [0.025, 0.07];
/// A pore's centre returns this much less light (a shaded pit with no sheen).
pub const PORE_DARKENING: f32 = 0.4;
/// Depth of a pore's dimple, mm: tilts the normal round its rim.
pub const PORE_DEPTH_MM: f32 = 0.012;
/// The fine relief: three octaves of value noise with these lattice spacings (mm) …
pub const RELIEF_SCALE_MM: [f32; 3] = [1.8, 0.8, 0.35];
/// … and height amplitudes (mm).
pub const RELIEF_HEIGHT_MM: [f32; 3] = [0.05, 0.022, 0.009];
/// Skin lines: furrows along the zero sets of two value noises of this spacing (mm), a net
/// round plateaus of about this size …
pub const LINES_SCALE_MM: f32 = 1.4;
/// … this wide, mm …
pub const LINES_WIDTH_MM: f32 = 0.04;
/// … this deep, mm (faint: the scalp's lines are shallow, and deeper noise lines read as worms
/// at 20×) …
pub const LINES_DEPTH_MM: f32 = 0.003;
/// … and this much darker along their floor.
pub const LINES_DARKENING: f32 = 0.02;
/// Share of the relief the diffuse light sees: scattering under the skin (0.3–0.8 mm
/// diffusion lengths) smooths relief this fine, the sebum film on top does not.
pub const DIFFUSE_RELIEF: f32 = 0.4;
/// Detail of feature size s is drawn fully while a pixel covers less than this share of s and
/// fades out by `FADE_END`: past it, the supersampled output could not resolve it and it
/// would only add speckle and shimmer.
pub const FADE_START: f32 = 0.15;
pub const FADE_END: f32 = 0.35;

// The sebum film (skin.wgsl): oilier along the midline of the top (forehead, vertex, crown, a
// T-zone-like band where sebaceous glands are densest), drier on the sides and low at the back.

/// Oil on the driest skin, 0 (none) – 1 (the midline's).
pub const SEBUM_DRY: f32 = 0.2;
/// The midline band: full oil within this |x| of the unit direction from the skull's centre,
/// dry beyond the second value.
pub const SEBUM_MIDLINE: [f32; 2] = [0.3, 0.75];
/// The top: dry below the first height (unit direction's y), oily above the second.
pub const SEBUM_UPPER: [f32; 2] = [-0.15, 0.35];
/// A low-frequency variation on top (± this much oil) over patches of this size, mm.
pub const SEBUM_NOISE: f32 = 0.2;
pub const SEBUM_NOISE_MM: f32 = 35.0;
/// Specular strength at no oil and at full oil, relative to the base sebum strength.
pub const SEBUM_STRENGTH: [f32; 2] = [0.35, 1.45];
/// Roughness change at no oil and at full oil (an oily film is smoother).
pub const SEBUM_ROUGHNESS: [f32; 2] = [0.1, -0.1];

/// Burley's normalized diffusion profile as a radial density p(r) = 2πr·R(r), which integrates
/// to 1 over r ≥ 0, for diffusion length `d` (mm).
fn radial_density(r: f64, d: f64) -> f64 {
    ((-r / d).exp() + (-r / (3.0 * d)).exp()) / (4.0 * d)
}

/// Penner's pre-integrated skin diffuse: light arriving at cos θ = `cos_theta` on a surface
/// bent with `curvature` (1/mm), scattered under the skin with the profile of channel `c`, and
/// averaged over the ring through the point: ∫ cos⁺(θ + x)·p(s(x)) dx / ∫ p(s(x)) dx with
/// s = 2ρ·sin(|x|/2) the chord to a point x radians round a circle of radius ρ = 1/curvature.
/// On flat skin it is cos⁺θ; on a curved rim light wraps past the terminator, red the furthest.
pub fn preintegrated_diffuse(cos_theta: f32, curvature: f32, c: usize) -> f32 {
    let theta = (cos_theta.clamp(-1.0, 1.0) as f64).acos();
    if curvature <= 1e-6 {
        return cos_theta.max(0.0);
    }
    let rho = 1.0 / curvature as f64;
    let d = DIFFUSION_MM[c] as f64;
    let n = 2048;
    let (mut num, mut den) = (0.0f64, 0.0f64);
    for i in 0..n {
        let x = -std::f64::consts::PI + (i as f64 + 0.5) * std::f64::consts::TAU / n as f64;
        let s = 2.0 * rho * (0.5 * x.abs()).sin();
        let w = radial_density(s, d);
        num += (theta + x).cos().max(0.0) * w;
        den += w;
    }
    (num / den) as f32
}

/// The lookup as RGBA8 texels (rows of curvature, columns of cos θ).
pub fn sss_lut() -> Vec<u8> {
    let mut out = Vec::with_capacity(SSS_COLUMNS * SSS_ROWS * 4);
    for row in 0..SSS_ROWS {
        let v = row as f32 / (SSS_ROWS - 1) as f32;
        let curvature = v * v * SSS_MAX_CURVATURE;
        for col in 0..SSS_COLUMNS {
            let cos_theta = -1.0 + 2.0 * col as f32 / (SSS_COLUMNS - 1) as f32;
            for c in 0..3 {
                let value = preintegrated_diffuse(cos_theta, curvature, c);
                out.push((value.clamp(0.0, 1.0) * 255.0).round() as u8);
            }
            out.push(255);
        }
    }
    out
}

/// A scan's own texture on the GPU (see `crate::head::texture`): per vertex (u, v, weight),
/// the image with its mip chain (sRGB), and whether there is one. Cloning shares the GPU objects.
#[derive(Clone)]
pub struct ScanTexture {
    pub uvw: wgpu::Buffer,
    /// Per vertex: the scan's linear vertex colour and its weight (0 where there is none).
    pub colour: wgpu::Buffer,
    pub view: wgpu::TextureView,
    pub present: bool,
}

impl ScanTexture {
    /// Uploads `head.texture` when it matches the mesh; otherwise weight 0 everywhere and a
    /// 1×1 white image, which leaves the skin exactly as without the texture.
    pub fn new(gpu: &Gpu, head: &crate::head::Head) -> ScanTexture {
        use wgpu::util::DeviceExt;
        let n = head.mesh.positions.len();
        let tex = head.texture.as_ref().filter(|t| t.uv.len() == n);
        let uvw: Vec<super::ScanUvw> = match tex {
            Some(t) => t.uv.clone(),
            None => vec![[0.0; 3]; n],
        };
        let colour: Vec<[f32; 4]> = match tex.filter(|t| t.colour.len() == n) {
            Some(t) => t.colour.clone(),
            None => vec![[1.0, 1.0, 1.0, 0.0]; n],
        };
        // Full mip chain, made on the CPU (box-filtered by the image crate's triangle filter), so
        // that a 4k scan texture seen whole does not alias.
        let mut levels: Vec<image::RgbaImage> = vec![match tex {
            Some(t) => t.image.clone(),
            None => image::RgbaImage::from_pixel(1, 1, image::Rgba([255; 4])),
        }];
        let limit = gpu.device.limits().max_texture_dimension_2d;
        while levels[0].width().max(levels[0].height()) > limit {
            let l = &levels[0];
            let (w, h) = ((l.width() / 2).max(1), (l.height() / 2).max(1));
            levels[0] = image::imageops::resize(l, w, h, image::imageops::FilterType::Triangle);
        }
        while let Some(l) = levels.last().filter(|l| l.width() > 1 || l.height() > 1) {
            let (w, h) = ((l.width() / 2).max(1), (l.height() / 2).max(1));
            let next = image::imageops::resize(l, w, h, image::imageops::FilterType::Triangle);
            levels.push(next);
        }
        let data: Vec<u8> = levels
            .iter()
            .flat_map(|l| l.as_raw().iter().copied())
            .collect();
        let texture = gpu.device.create_texture_with_data(
            &gpu.queue,
            &wgpu::TextureDescriptor {
                label: Some("scan skin texture"),
                size: wgpu::Extent3d {
                    width: levels[0].width(),
                    height: levels[0].height(),
                    depth_or_array_layers: 1,
                },
                mip_level_count: levels.len() as u32,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8UnormSrgb,
                usage: wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            },
            wgpu::util::TextureDataOrder::MipMajor,
            &data,
        );
        ScanTexture {
            // Storage too: the deferred skin pass reads them per pixel.
            uvw: gpu.upload(
                "scan texture coordinates",
                &uvw,
                wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::STORAGE,
            ),
            colour: gpu.upload(
                "scan vertex colours",
                &colour,
                wgpu::BufferUsages::VERTEX | wgpu::BufferUsages::STORAGE,
            ),
            view: texture.create_view(&Default::default()),
            present: tex.is_some(),
        }
    }
}

pub struct SkinPass {
    module: wgpu::ShaderModule,
    /// The shading and the depth pre-pass (`vs_depth`), built on first use: a renderer that
    /// shades its skin deferred (render::skin_deferred) never compiles them.
    pipelines: std::sync::OnceLock<(wgpu::RenderPipeline, wgpu::RenderPipeline)>,
    bgl: wgpu::BindGroupLayout,
    // Lent to the deferred skin pass, which shades with the same lookup and samplers.
    pub(super) lut: wgpu::TextureView,
    pub(super) sampler: wgpu::Sampler,
    pub(super) scan_sampler: wgpu::Sampler,
}

impl SkinPass {
    pub fn new(gpu: &Gpu) -> SkinPass {
        let d = &gpu.device;
        let module = shaders::module(d, "skin.wgsl", &shaders::skin());
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("skin view"),
            entries: &[
                entry::params(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                entry::sampled_texture(1, wgpu::ShaderStages::FRAGMENT),
                entry::filtering_sampler(2, wgpu::ShaderStages::FRAGMENT),
                entry::sampled_texture(3, wgpu::ShaderStages::FRAGMENT),
                entry::filtering_sampler(4, wgpu::ShaderStages::FRAGMENT),
                // The key light's shadow map (render::shadow).
                entry::params(5, wgpu::ShaderStages::FRAGMENT),
                entry::depth_texture(6, wgpu::ShaderStages::FRAGMENT),
                // Read through its comparison sampler alone: GL binds a texture with one sampler.
                entry::comparison_sampler(7, wgpu::ShaderStages::FRAGMENT),
            ],
        });
        SkinPass {
            module,
            pipelines: Default::default(),
            bgl,
            lut: lut_texture(gpu),
            sampler: d.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("pre-integrated skin scattering"),
                address_mode_u: wgpu::AddressMode::ClampToEdge,
                address_mode_v: wgpu::AddressMode::ClampToEdge,
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                ..Default::default()
            }),
            // Scan textures wrap (UV atlases may run past 0–1) and are mip-mapped.
            scan_sampler: d.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("scan skin texture"),
                address_mode_u: wgpu::AddressMode::Repeat,
                address_mode_v: wgpu::AddressMode::Repeat,
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                mipmap_filter: wgpu::MipmapFilterMode::Linear,
                ..Default::default()
            }),
        }
    }
}

/// The skin pipeline: the head's vertices (position + normal), its exposure and its scan
/// texture coordinates in three buffers; three colour targets, shaded only where the depth
/// pre-pass left this very surface nearest.
fn pipeline(
    gpu: &Gpu,
    module: &wgpu::ShaderModule,
    bgl: &wgpu::BindGroupLayout,
) -> wgpu::RenderPipeline {
    let d = &gpu.device;
    let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some("skin"),
        bind_group_layouts: &[Some(bgl)],
        immediate_size: 0,
    });
    let attrs = wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3];
    let exposure_attr = wgpu::vertex_attr_array![2 => Float32];
    let uvw_attr = wgpu::vertex_attr_array![3 => Float32x3];
    let colour_attr = wgpu::vertex_attr_array![4 => Float32x4];
    let target = |format| {
        Some(wgpu::ColorTargetState {
            format,
            blend: None,
            write_mask: wgpu::ColorWrites::ALL,
        })
    };
    gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
        label: Some("skin"),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some("vs_main"),
            compilation_options: Default::default(),
            buffers: &[
                Some(super::head_vertex_layout(&attrs)),
                Some(wgpu::VertexBufferLayout {
                    array_stride: size_of::<f32>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &exposure_attr,
                }),
                Some(wgpu::VertexBufferLayout {
                    array_stride: size_of::<super::ScanUvw>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &uvw_attr,
                }),
                Some(wgpu::VertexBufferLayout {
                    array_stride: size_of::<[f32; 4]>() as u64,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &colour_attr,
                }),
            ],
        },
        primitive: super::head_primitive(),
        depth_stencil: Some(wgpu::DepthStencilState {
            depth_write_enabled: Some(false),
            depth_compare: Some(wgpu::CompareFunction::Equal),
            ..super::head_depth_test()
        }),
        multisample: Default::default(),
        fragment: Some(wgpu::FragmentState {
            module,
            entry_point: Some("fs_main"),
            compilation_options: Default::default(),
            targets: &[
                target(HDR_FORMAT),
                target(HDR_FORMAT),
                target(DISTANCE_FORMAT),
            ],
        }),
        multiview_mask: None,
        cache: None,
    })
}

/// The pre-integrated scattering table ([`sss_lut`]) as a texture.
fn lut_texture(gpu: &Gpu) -> wgpu::TextureView {
    use wgpu::util::DeviceExt;
    gpu.device
        .create_texture_with_data(
            &gpu.queue,
            &wgpu::TextureDescriptor {
                label: Some("pre-integrated skin scattering"),
                size: wgpu::Extent3d {
                    width: SSS_COLUMNS as u32,
                    height: SSS_ROWS as u32,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: wgpu::TextureFormat::Rgba8Unorm,
                usage: wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            },
            wgpu::util::TextureDataOrder::LayerMajor,
            &sss_lut(),
        )
        .create_view(&Default::default())
}

impl SkinPass {
    /// The shading pipeline and the depth pre-pass's, built the first time a frame needs them.
    fn pipelines(&self, gpu: &Gpu) -> &(wgpu::RenderPipeline, wgpu::RenderPipeline) {
        self.pipelines.get_or_init(|| {
            (
                pipeline(gpu, &self.module, &self.bgl),
                // The depth pre-pass: the head's positions into the depth target, nothing shaded.
                super::head_depth_pipeline(
                    gpu,
                    "skin depth",
                    (&self.module, "vs_depth"),
                    &self.bgl,
                    &wgpu::vertex_attr_array![0 => Float32x3],
                ),
            )
        })
    }

    /// Draws the lit head. `shadow` is the shadow map's parameters; `shadow_drawn` says whether
    /// the shadow pass ran this frame (it then opened the skin's timestamp pair).
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        (head, triangles): (&HeadGpu, super::Triangles<'_>),
        t: &Targets,
        shadows: (&ShadowPass, &wgpu::Buffer, bool),
        timer: Option<&FrameTimer>,
    ) {
        let (shadow_pass, shadow, shadow_drawn) = shadows;
        let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("skin view"),
            layout: &self.bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: view.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&self.lut),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: wgpu::BindingResource::Sampler(&self.sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: wgpu::BindingResource::TextureView(&head.texture.view),
                },
                wgpu::BindGroupEntry {
                    binding: 4,
                    resource: wgpu::BindingResource::Sampler(&self.scan_sampler),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: shadow.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 6,
                    resource: wgpu::BindingResource::TextureView(&shadow_pass.map),
                },
                wgpu::BindGroupEntry {
                    binding: 7,
                    resource: wgpu::BindingResource::Sampler(&shadow_pass.compare),
                },
            ],
        });
        fn clear(v: &wgpu::TextureView, c: f64) -> Option<wgpu::RenderPassColorAttachment<'_>> {
            Some(wgpu::RenderPassColorAttachment {
                view: v,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color {
                        r: c,
                        g: 0.0,
                        b: 0.0,
                        a: 0.0,
                    }),
                    store: wgpu::StoreOp::Store,
                },
            })
        }
        // The skin's timestamps open on the depth pre-pass (or on the shadow pass before it)
        // and close on the shading.
        {
            let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("skin depth"),
                color_attachments: &[],
                depth_stencil_attachment: Some(super::cleared_depth(&t.depth)),
                timestamp_writes: timer
                    .filter(|_| !shadow_drawn)
                    .map(|t| t.render_opens(Pass::Skin)),
                occlusion_query_set: None,
                multiview_mask: None,
            });
            rp.set_pipeline(&self.pipelines(gpu).1);
            rp.set_bind_group(0, &bg, &[]);
            super::draw_head(&mut rp, head, triangles);
        }
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("skin"),
            color_attachments: &[
                clear(&t.diffuse, 0.0),
                clear(&t.specular, 0.0),
                // "Nothing here": the composite shows the background.
                clear(&t.distance, super::NO_SURFACE_MM as f64),
            ],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &t.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Load,
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: timer.map(|t| t.render_closes(Pass::Skin)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        rp.set_pipeline(&self.pipelines(gpu).0);
        rp.set_bind_group(0, &bg, &[]);
        rp.set_vertex_buffer(1, head.exposure.slice(..));
        rp.set_vertex_buffer(2, head.texture.uvw.slice(..));
        rp.set_vertex_buffer(3, head.texture.colour.slice(..));
        super::draw_head(&mut rp, head, triangles);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn flat_skin_is_lambertian_and_curved_skin_wraps_red_furthest() {
        for ct in [-0.5f32, 0.0, 0.3, 0.9] {
            let flat = preintegrated_diffuse(ct, 0.0, 0);
            assert!((flat - ct.max(0.0)).abs() < 1e-6);
            // The scalp (ρ ≈ 90 mm) is nearly flat at these scattering lengths.
            let scalp = preintegrated_diffuse(ct, 1.0 / 90.0, 0);
            assert!((scalp - ct.max(0.0)).abs() < 0.02, "{ct}: {scalp}");
        }
        // An ear rim (ρ = 3 mm): light reaches past the terminator, red further than blue.
        let r = preintegrated_diffuse(-0.1, 1.0 / 3.0, 0);
        let b = preintegrated_diffuse(-0.1, 1.0 / 3.0, 2);
        assert!(r > b && b > 0.0, "{r} {b}");
        // Scattering moves light round the ring but neither makes nor loses it: averaged over
        // the angle θ, D keeps the mean of cos⁺θ, 1/π.
        let mean = |curv: f32, c: usize| {
            let n = 400;
            (0..n)
                .map(|i| {
                    let theta = (i as f32 + 0.5) * std::f32::consts::PI / n as f32;
                    preintegrated_diffuse(theta.cos(), curv, c)
                })
                .sum::<f32>()
                / n as f32
        };
        for c in 0..3 {
            let m = mean(0.5, c);
            assert!((m - std::f32::consts::FRAC_1_PI).abs() < 0.01, "{m}");
        }
    }

    #[test]
    fn lut_has_the_shape_the_shader_reads() {
        let lut = sss_lut();
        assert_eq!(lut.len(), SSS_COLUMNS * SSS_ROWS * 4);
        // Row 0 (flat), last column (cos θ = 1): full light.
        assert_eq!(lut[(SSS_COLUMNS - 1) * 4], 255);
    }
}
