//! Deferred skin pass (`skin_deferred.wgsl`): the head rasterised into depth and one triangle
//! id per pixel, then shaded by a compute pass with the skin pass's own shading
//! (`shared/skin_shading.wgsl`). Same targets, same look as [`super::skin::SkinPass`], which
//! stays for adapters without the primitive index or storage textures. Why: a GPU built for
//! compute runs graphics work on a few of its multiprocessors; on an NVIDIA H200 the fragment-
//! shaded skin took 17.8 ms a frame at 3840×2160 internal pixels (BENCHMARKS.md, "Real GPU").
use super::shadow::ShadowPass;
use super::skin::SkinPass;
use super::{HeadGpu, Targets, HDR_FORMAT};
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{entry, Gpu};
use crate::shaders;

/// The per-pixel triangle id's format (id + 1; 0 where no skin is).
pub const VISIBLE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::R32Uint;
/// Words ahead of the edge samples' indices in their list: the count as they are listed, and
/// the count `edge_dispatch` handed on.
pub const EDGE_LIST_HEADER: u32 = 2;
/// How many samples shaded once per output pixel can be shaded again on their own surface in
/// one frame (4 bytes each; occlusion edges hold ~1% of a whole-head picture's samples). Past
/// it a sample keeps its pixel's light.
pub const EDGE_SAMPLES_MAX: u32 = 1 << 20;

/// Whether the adapter can run the deferred skin pass: the primitive index in fragment shaders
/// and storage writes to the HDR targets.
pub fn supported(gpu: &Gpu) -> bool {
    gpu.device
        .features()
        .contains(wgpu::Features::PRIMITIVE_INDEX)
        && super::splat_compute::supported(gpu)
}

/// How the skin is shaded.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SkinShading {
    /// Per fragment, as the head is rasterised ([`SkinPass`]).
    Forward,
    /// Rasterised into triangle ids, shaded in compute ([`SkinDeferredPass`]), every sample;
    /// forward where the adapter cannot.
    Deferred,
    /// Deferred, and under supersampling shaded once per output pixel while coverage and view
    /// distance stay per sample, as multisampling does: a quarter of the shading at 2×.
    PerPixel,
    /// [`SkinShading::auto`]'s rule.
    #[default]
    Auto,
}

/// How one frame's skin is shaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SkinPath {
    /// Per fragment ([`SkinPass`]).
    Forward,
    /// In compute, once for each output pixel's `samples`×`samples` supersamples (1: once a
    /// sample).
    Deferred { samples: u32 },
}

impl SkinPath {
    /// The supersamples a side each shading covers (1: every sample shaded).
    pub fn samples(self) -> u32 {
        match self {
            SkinPath::Deferred { samples } => samples,
            SkinPath::Forward => 1,
        }
    }

    /// For people: what the skin pass does.
    pub fn describe(self) -> String {
        match self {
            SkinPath::Forward => "forward (shaded per fragment)".into(),
            SkinPath::Deferred { samples: 1 } => {
                "deferred (triangle ids rasterised, shaded in compute)".into()
            }
            SkinPath::Deferred { samples } => format!(
                "deferred, once per output pixel (coverage and distance per sample, {samples}×{samples})"
            ),
        }
    }
}

impl SkinShading {
    /// Deferred on a GPU; once per output pixel on a CPU adapter. A rule of the adapter, never
    /// a timing. Measured: on an NVIDIA H200 (graphics on two of its processing clusters) the
    /// forward skin took 17.8 ms at 3840×2160 internal pixels; on lavapipe the deferred skin
    /// shading every sample is slower than the forward one (~720 against ~575 ms at
    /// 2560×1920: its compute shading costs more than its fragment shading), but shading once
    /// per output pixel is not (BENCHMARKS.md step 24).
    pub fn auto(info: &wgpu::AdapterInfo) -> SkinShading {
        match info.device_type {
            wgpu::DeviceType::Cpu => SkinShading::PerPixel,
            _ => SkinShading::Deferred,
        }
    }

    /// This choice with `Auto` resolved for `gpu`.
    fn wanted(self, gpu: &Gpu) -> SkinShading {
        match self {
            SkinShading::Auto => SkinShading::auto(&gpu.info),
            s => s,
        }
    }

    /// Whether this choice may shade deferred on `gpu` (its pass is then built).
    pub fn may_defer(self, gpu: &Gpu) -> bool {
        supported(gpu) && self.wanted(gpu) != SkinShading::Forward
    }

    /// How a frame supersampled `ssaa`× a side is shaded under this choice on `gpu`.
    pub fn path(self, gpu: &Gpu, ssaa: u32) -> SkinPath {
        if !supported(gpu) {
            return SkinPath::Forward;
        }
        match self.wanted(gpu) {
            SkinShading::PerPixel if ssaa > 1 => SkinPath::Deferred { samples: ssaa },
            // Without supersampling a pixel is one sample: where that was chosen for a CPU
            // adapter the forward pass shades it faster.
            SkinShading::PerPixel if self == SkinShading::Auto => SkinPath::Forward,
            SkinShading::Forward => SkinPath::Forward,
            _ => SkinPath::Deferred { samples: 1 },
        }
    }
}

/// The pass's compute entry points, and whether each binds the edge dispatch's arguments.
const COMPUTE_ENTRIES: [(&str, bool); 4] = [
    ("shade", false),
    ("shade_per_pixel", false),
    ("edge_dispatch", true),
    ("shade_edges", false),
];
const SHADE: usize = 0;
const SHADE_PER_PIXEL: usize = 1;
const EDGE_DISPATCH: usize = 2;
const SHADE_EDGES: usize = 3;

pub struct SkinDeferredPass {
    visible: wgpu::RenderPipeline,
    visible_bgl: wgpu::BindGroupLayout,
    module: wgpu::ShaderModule,
    shade_layout: wgpu::PipelineLayout,
    args_layout: wgpu::PipelineLayout,
    /// `shade`, `shade_per_pixel`, `edge_dispatch` and `shade_edges`, each built the first time
    /// a frame runs it: on a cold cache every pipeline is a compile, and a renderer shading
    /// once per output pixel never runs `shade`.
    compute: [std::sync::OnceLock<wgpu::ComputePipeline>; 4],
    shade_bgl: wgpu::BindGroupLayout,
    /// The edge samples' list and `shade_edges`' dispatch. Each frame's `edge_dispatch`
    /// empties the list.
    edges: crate::gpu::IndirectList,
}

impl SkinDeferredPass {
    pub fn new(gpu: &Gpu) -> SkinDeferredPass {
        let d = &gpu.device;
        let module = shaders::module(d, "skin_deferred.wgsl", &shaders::skin_deferred());
        let visible_bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("skin visibility"),
            entries: &[entry::params(0, wgpu::ShaderStages::VERTEX_FRAGMENT)],
        });
        let c = wgpu::ShaderStages::COMPUTE;
        let storage_texture = |binding| wgpu::BindGroupLayoutEntry {
            binding,
            visibility: c,
            ty: wgpu::BindingType::StorageTexture {
                access: wgpu::StorageTextureAccess::WriteOnly,
                format: HDR_FORMAT,
                view_dimension: wgpu::TextureViewDimension::D2,
            },
            count: None,
        };
        let shade_bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("skin shading"),
            entries: &[
                entry::params(0, c),
                entry::sampled_texture(1, c),
                entry::filtering_sampler(2, c),
                entry::sampled_texture(3, c),
                entry::filtering_sampler(4, c),
                entry::params(5, c),
                entry::depth_texture(6, c),
                entry::comparison_sampler(7, c),
                entry::storage(8, c, true),
                entry::storage(9, c, true),
                entry::storage(10, c, true),
                entry::storage(11, c, true),
                entry::storage(12, c, true),
                wgpu::BindGroupLayoutEntry {
                    binding: 13,
                    visibility: c,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Uint,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
                storage_texture(14),
                storage_texture(15),
                entry::texture(16, c),
                entry::storage(17, c, false),
            ],
        });
        let visible_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("skin visibility"),
            bind_group_layouts: &[Some(&visible_bgl)],
            immediate_size: 0,
        });
        let attrs = wgpu::vertex_attr_array![0 => Float32x3];
        let visible = gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
            label: Some("skin visibility"),
            layout: Some(&visible_layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_visible"),
                compilation_options: Default::default(),
                // The position alone.
                buffers: &[Some(super::head_vertex_layout(&attrs))],
            },
            // As the skin pass.
            primitive: super::head_primitive(),
            depth_stencil: Some(super::head_depth_test()),
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_visible"),
                compilation_options: Default::default(),
                targets: &[
                    Some(wgpu::ColorTargetState {
                        format: VISIBLE_FORMAT,
                        blend: None,
                        write_mask: wgpu::ColorWrites::ALL,
                    }),
                    Some(wgpu::ColorTargetState {
                        format: super::DISTANCE_FORMAT,
                        blend: None,
                        write_mask: wgpu::ColorWrites::ALL,
                    }),
                ],
            }),
            multiview_mask: None,
            cache: None,
        });
        let edges = crate::gpu::IndirectList::new(
            gpu,
            "skin edge samples",
            EDGE_SAMPLES_MAX + EDGE_LIST_HEADER,
        );
        let shade_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("skin shading"),
            bind_group_layouts: &[Some(&shade_bgl)],
            immediate_size: 0,
        });
        // Only `edge_dispatch` writes the dispatch arguments: a pipeline that binds them
        // cannot dispatch through them.
        let args_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("skin edge dispatch"),
            bind_group_layouts: &[Some(&shade_bgl), Some(&edges.args_layout)],
            immediate_size: 0,
        });
        SkinDeferredPass {
            visible,
            visible_bgl,
            module,
            shade_layout,
            args_layout,
            compute: Default::default(),
            shade_bgl,
            edges,
        }
    }

    /// The compute pipeline of entry point `k` of [`COMPUTE_ENTRIES`], built on first use.
    fn compute(&self, gpu: &Gpu, k: usize) -> &wgpu::ComputePipeline {
        self.compute[k].get_or_init(|| {
            let (entry_point, args) = COMPUTE_ENTRIES[k];
            gpu.compute_pipeline(wgpu::ComputePipelineDescriptor {
                label: Some(entry_point),
                layout: Some(if args {
                    &self.args_layout
                } else {
                    &self.shade_layout
                }),
                module: &self.module,
                entry_point: Some(entry_point),
                compilation_options: Default::default(),
                cache: None,
            })
        })
    }

    /// Draws the lit head into `t` as [`SkinPass::record`] does, shading each output pixel's
    /// `samples`×`samples` samples once (1: every sample; the view's `mode.y` must say the
    /// same). `skin` lends the lookup and samplers; `visible` is the targets' triangle-id
    /// texture.
    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        (head, triangles): (&HeadGpu, super::Triangles<'_>),
        (skin, t, visible): (&SkinPass, &Targets, &wgpu::TextureView),
        shadows: (&ShadowPass, &wgpu::Buffer, bool),
        samples: u32,
        timer: Option<&FrameTimer>,
    ) {
        let (shadow_pass, shadow, shadow_drawn) = shadows;
        let d = &gpu.device;
        let visible_bg = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("skin visibility"),
            layout: &self.visible_bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: view.as_entire_binding(),
            }],
        });
        let tv = wgpu::BindingResource::TextureView;
        fn buf(b: &wgpu::Buffer) -> wgpu::BindingResource<'_> {
            b.as_entire_binding()
        }
        let resources = [
            buf(view),
            tv(&skin.lut),
            wgpu::BindingResource::Sampler(&skin.sampler),
            tv(&head.texture.view),
            wgpu::BindingResource::Sampler(&skin.scan_sampler),
            buf(shadow),
            tv(&shadow_pass.map),
            wgpu::BindingResource::Sampler(&shadow_pass.compare),
            // The triangle ids the visibility pass writes index the triangles it drew.
            buf(triangles.0),
            buf(&head.vertices),
            buf(&head.exposure),
            buf(&head.texture.uvw),
            buf(&head.texture.colour),
            tv(visible),
            tv(&t.diffuse),
            tv(&t.specular),
            tv(&t.distance),
            buf(&self.edges.list),
        ];
        let entries: Vec<wgpu::BindGroupEntry> = resources
            .into_iter()
            .enumerate()
            .map(|(i, resource)| wgpu::BindGroupEntry {
                binding: i as u32,
                resource,
            })
            .collect();
        let shade_bg = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("skin shading"),
            layout: &self.shade_bgl,
            entries: &entries,
        });
        {
            let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("skin visibility"),
                color_attachments: &[
                    Some(wgpu::RenderPassColorAttachment {
                        view: visible,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                            store: wgpu::StoreOp::Store,
                        },
                    }),
                    // "Nothing here" where no skin is: the composite shows the background.
                    Some(wgpu::RenderPassColorAttachment {
                        view: &t.distance,
                        depth_slice: None,
                        resolve_target: None,
                        ops: wgpu::Operations {
                            load: wgpu::LoadOp::Clear(wgpu::Color {
                                r: super::NO_SURFACE_MM as f64,
                                g: 0.0,
                                b: 0.0,
                                a: 0.0,
                            }),
                            store: wgpu::StoreOp::Store,
                        },
                    }),
                ],
                depth_stencil_attachment: Some(super::cleared_depth(&t.depth)),
                // The skin's pair opens here unless the shadow pass opened it.
                timestamp_writes: timer
                    .filter(|_| !shadow_drawn)
                    .map(|t| t.render_opens(Pass::Skin)),
                occlusion_query_set: None,
                multiview_mask: None,
            });
            rp.set_pipeline(&self.visible);
            rp.set_bind_group(0, &visible_bg, &[]);
            super::draw_head(&mut rp, head, triangles);
        }
        let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("skin shading"),
            timestamp_writes: timer.map(|t| {
                let mut w = t.compute_writes(Pass::Skin);
                w.beginning_of_pass_write_index = None;
                w
            }),
        });
        // One thread a sample; or one an output pixel, then the samples it listed on another
        // surface one each.
        let samples = samples.max(1);
        cp.set_bind_group(0, &shade_bg, &[]);
        let tile = crate::gpu::IMAGE_TILE * samples;
        let (x, y) = (t.size.0.div_ceil(tile), t.size.1.div_ceil(tile));
        if samples == 1 {
            cp.set_pipeline(self.compute(gpu, SHADE));
            cp.dispatch_workgroups(x, y, 1);
            return;
        }
        cp.set_pipeline(self.compute(gpu, SHADE_PER_PIXEL));
        cp.dispatch_workgroups(x, y, 1);
        cp.set_pipeline(self.compute(gpu, EDGE_DISPATCH));
        cp.set_bind_group(1, &self.edges.args_group, &[]);
        cp.dispatch_workgroups(1, 1, 1);
        cp.set_pipeline(self.compute(gpu, SHADE_EDGES));
        cp.dispatch_workgroups_indirect(&self.edges.args, 0);
    }
}
