//! Bake pass (`bake.wgsl`): a head's treatment drawn into its texture space. The chart draw
//! marks the texels on the skin; the dot draw adds each dot's optical density there, with the
//! footprint the 3D render draws (`shared/footprint.wgsl`) at the texture's own texels per mm.
//! The result is read back as optical density per channel (rgb) and a chart mask (a > 0).
use super::unwrap::{TriangleGrid, UvMesh};
use crate::ageing::age::AgedDots;
use crate::ageing::Appearance;
use crate::dots::generate::GpuDots;
use crate::dots::Dot;
use crate::error::{Result, ScalpError};
use crate::gpu::readback::read_texture_bytes;
use crate::gpu::Gpu;
use crate::render::{attribute, HDR_FORMAT, MIN_SIGMA_PX};
use crate::shaders;
use bytemuck::{Pod, Zeroable};
use std::mem::{offset_of, size_of};
use wgpu::VertexFormat as F;

/// GPU mirror of the bake's parameters (`BakeGpu` in bake.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct BakeGpu {
    /// Texture size, texels.
    pub size: [f32; 2],
    /// Smallest σ drawn, texels.
    pub min_sigma_texels: f32,
    pub _pad: f32,
    /// The ink tone's per-channel density scale (rgb).
    pub ink: [f32; 4],
    /// The tile drawn: first texel (xy), size in texels (zw).
    pub tile: [f32; 4],
}

/// Where a dot lies in one chart of UV space (instance attributes 9–11).
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct Placement {
    /// UV (xy), texels per mm (z), and the chart + 1 (w; 0: not drawn here).
    pub uv: [f32; 4],
    pub du: [f32; 4],
    pub dv: [f32; 4],
}

/// How many charts one dot may be drawn in: its own, and the nearest others its footprint may
/// reach across a seam (three charts meet at a corner of the box unwrap).
pub const PLACEMENTS: usize = 3;

/// Where a dot lies in UV space, one per dot in buffer order: on its own triangle's chart,
/// then on up to two other charts within [`SEAM_REACH_MM`] (a footprint crossing a seam is
/// drawn on both sides, each part kept to its own chart by the chart-id target, so it is not
/// cut at the seam). Each placement is drawn by its own draw of the chunk.
#[repr(C)]
#[derive(Clone, Copy, Debug, Default, Pod, Zeroable)]
pub struct DotUv {
    pub at: [Placement; PLACEMENTS],
}

/// How far a dot's footprint may reach across the skin, mm: three σ of a healing dot's
/// redness, the widest thing a dot draws (a dot's own ink reaches well under a millimetre).
pub const SEAM_REACH_MM: f32 =
    crate::optics::FOOTPRINT_EXTENT_SIGMAS * crate::ageing::REDNESS_SIGMA_MM;

/// The largest tile baked at once, texels a side: its Rgba16Float target is 128 MiB, and the
/// readback buffer the same (wgpu's default largest buffer is 256 MiB).
pub const TILE_TEXELS: u32 = 4096;

/// The mesh in UV space on the GPU, and where each dot lies in it.
pub struct BakeInput {
    uvs: wgpu::Buffer,
    /// Each vertex's chart + 1.
    charts: wgpu::Buffer,
    indices: wgpu::Buffer,
    index_count: u32,
    /// One buffer per dot chunk, in the chunk's order; None when the plan has no dots.
    dot_uvs: Vec<wgpu::Buffer>,
    /// Dots no triangle was found under (drawn nowhere).
    pub unplaced: usize,
    /// Dots drawn on more than one chart (their footprint crosses a seam).
    pub across_seams: usize,
}

fn placement(p: &super::unwrap::UvPoint, chart: u32) -> Placement {
    Placement {
        uv: [p.uv.x, p.uv.y, p.texels_per_mm, (chart + 1) as f32],
        du: p.du.extend(0.0).to_array(),
        dv: p.dv.extend(0.0).to_array(),
    }
}

impl BakeInput {
    pub fn new(gpu: &Gpu, mesh: &UvMesh, dots: &GpuDots, size: u32) -> Result<BakeInput> {
        let uvs: Vec<[f32; 2]> = mesh.uvs.iter().map(|u| u.to_array()).collect();
        let charts = mesh.vertex_charts();
        let grid = TriangleGrid::new(mesh);
        let mut dot_uvs = Vec::new();
        let (mut unplaced, mut across_seams) = (0, 0);
        for chunk in &dots.chunks {
            let bytes = gpu.read_buffer(
                &chunk.buffer,
                0,
                chunk.count as u64 * size_of::<Dot>() as u64,
            )?;
            let chunk_dots: &[Dot] = bytemuck::cast_slice(&bytes);
            let placed = crate::parallel::map(chunk_dots, |d| {
                let p = glam::Vec3::from(d.position);
                let mut out = DotUv::default();
                if let Some(own) = grid.locate(p, size) {
                    let chart = charts[mesh.indices[3 * own.triangle as usize] as usize];
                    out.at[0] = placement(&own, chart);
                    let others =
                        grid.other_charts(p, SEAM_REACH_MM, size, &charts, chart, PLACEMENTS - 1);
                    for (k, (c, q)) in others.iter().enumerate() {
                        out.at[k + 1] = placement(q, *c);
                    }
                }
                out
            });
            unplaced += placed.iter().filter(|p| p.at[0].uv[3] == 0.0).count();
            across_seams += placed.iter().filter(|p| p.at[1].uv[3] > 0.0).count();
            // Never an empty buffer (wgpu refuses size 0): an empty chunk draws nothing.
            let data = if placed.is_empty() {
                vec![DotUv::default()]
            } else {
                placed
            };
            dot_uvs.push(gpu.upload("dot uv", &data, wgpu::BufferUsages::VERTEX));
        }
        let vertex_charts: Vec<u32> = charts.iter().map(|c| c + 1).collect();
        Ok(BakeInput {
            uvs: gpu.upload("bake uv", &uvs, wgpu::BufferUsages::VERTEX),
            charts: gpu.upload("bake charts", &vertex_charts, wgpu::BufferUsages::VERTEX),
            indices: gpu.upload("bake indices", &mesh.indices, wgpu::BufferUsages::INDEX),
            index_count: mesh.indices.len() as u32,
            dot_uvs,
            unplaced,
            across_seams,
        })
    }
}

/// A per-instance vertex buffer of `stride` bytes.
fn instance(
    stride: usize,
    attributes: &[wgpu::VertexAttribute],
) -> Option<wgpu::VertexBufferLayout<'_>> {
    Some(wgpu::VertexBufferLayout {
        array_stride: stride as u64,
        step_mode: wgpu::VertexStepMode::Instance,
        attributes,
    })
}

pub struct BakePass {
    chart: wgpu::RenderPipeline,
    dot: wgpu::RenderPipeline,
    /// The parameters (chart draw); the parameters and the chart-id texture (dot draw).
    chart_bgl: wgpu::BindGroupLayout,
    dot_bgl: wgpu::BindGroupLayout,
    quad: wgpu::Buffer,
}

/// Each texel's chart + 1 (0 off the charts), written by the chart draw for the dot draw.
const CHART_ID_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::R32Uint;

impl BakePass {
    pub fn new(gpu: &Gpu) -> BakePass {
        use crate::gpu::entry;
        let d = &gpu.device;
        let module = shaders::module(d, "bake.wgsl", &shaders::bake());
        let params = entry::params(2, wgpu::ShaderStages::VERTEX);
        let chart_bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("bake charts"),
            entries: &[params],
        });
        let dot_bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("bake dots"),
            entries: &[
                params,
                wgpu::BindGroupLayoutEntry {
                    binding: 3,
                    visibility: wgpu::ShaderStages::FRAGMENT,
                    ty: wgpu::BindingType::Texture {
                        sample_type: wgpu::TextureSampleType::Uint,
                        view_dimension: wgpu::TextureViewDimension::D2,
                        multisampled: false,
                    },
                    count: None,
                },
            ],
        });
        let additive = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::One,
            operation: wgpu::BlendOperation::Add,
        };
        let density = Some(wgpu::ColorTargetState {
            format: HDR_FORMAT,
            blend: Some(wgpu::BlendState {
                color: additive,
                alpha: additive,
            }),
            write_mask: wgpu::ColorWrites::ALL,
        });
        let pipeline = |label: &str,
                        bgl: &wgpu::BindGroupLayout,
                        (vs, fs): (&str, &str),
                        buffers: &[Option<wgpu::VertexBufferLayout>],
                        targets: &[Option<wgpu::ColorTargetState>]| {
            let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
                label: Some(label),
                bind_group_layouts: &[Some(bgl)],
                immediate_size: 0,
            });
            gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
                label: Some(label),
                layout: Some(&layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some(vs),
                    compilation_options: Default::default(),
                    buffers,
                },
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: None,
                multisample: Default::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some(fs),
                    compilation_options: Default::default(),
                    targets,
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        let uv_attr = [attribute(0, F::Float32x2, 0)];
        let chart_attr = [attribute(1, F::Uint32, 0)];
        let chart = pipeline(
            "bake charts",
            &chart_bgl,
            ("vs_chart", "fs_chart"),
            &[
                Some(wgpu::VertexBufferLayout {
                    array_stride: 8,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &uv_attr,
                }),
                Some(wgpu::VertexBufferLayout {
                    array_stride: 4,
                    step_mode: wgpu::VertexStepMode::Vertex,
                    attributes: &chart_attr,
                }),
            ],
            &[
                density.clone(),
                Some(wgpu::ColorTargetState {
                    format: CHART_ID_FORMAT,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                }),
            ],
        );
        let (dot_attrs, look) = crate::render::splat::dot_instance_attributes();
        let place = [
            attribute(9, F::Float32x4, offset_of!(Placement, uv)),
            attribute(10, F::Float32x4, offset_of!(Placement, du)),
            attribute(11, F::Float32x4, offset_of!(Placement, dv)),
        ];
        let dot = pipeline(
            "bake dots",
            &dot_bgl,
            ("vs_dot", "fs_dot"),
            &[
                instance(size_of::<Dot>(), &dot_attrs),
                instance(size_of::<Appearance>(), &look),
                // One placement of each dot's PLACEMENTS, chosen by the buffer's offset.
                instance(size_of::<DotUv>(), &place),
            ],
            &[density],
        );
        let quad = gpu.upload(
            "bake quad",
            &[0u16, 1, 2, 0, 2, 3],
            wgpu::BufferUsages::INDEX,
        );
        BakePass {
            chart,
            dot,
            chart_bgl,
            dot_bgl,
            quad,
        }
    }

    /// Bakes a `size`² texture: per texel the optical density the dots add (rgb, linear
    /// −ln T) and the chart mask (a: > 0 on the skin), rows top first, as f32. `dots` None
    /// bakes the untreated skin (the mask alone). `ink` is the ink tone's density scale.
    pub fn bake(
        &self,
        gpu: &Gpu,
        input: &BakeInput,
        dots: Option<(&GpuDots, &AgedDots)>,
        size: u32,
        ink: [f32; 3],
    ) -> Result<Vec<[f32; 4]>> {
        if !(16..=16384).contains(&size) {
            return Err(ScalpError::invalid(
                "texture size",
                format!("{size} is out of range: 16 to 16384 texels a side"),
            ));
        }
        let mut out = vec![[0.0f32; 4]; size as usize * size as usize];
        let tile = size.min(TILE_TEXELS);
        for ty in (0..size).step_by(tile as usize) {
            for tx in (0..size).step_by(tile as usize) {
                let texels = gpu.checked("baking the texture", || {
                    self.bake_tile(gpu, input, dots, size, ink, [tx, ty], tile)
                })?;
                for (row, line) in texels.chunks_exact(tile as usize).enumerate() {
                    let y = ty as usize + row;
                    let start = y * size as usize + tx as usize;
                    out[start..start + tile as usize].copy_from_slice(line);
                }
            }
        }
        Ok(out)
    }

    #[allow(clippy::too_many_arguments)]
    fn bake_tile(
        &self,
        gpu: &Gpu,
        input: &BakeInput,
        dots: Option<(&GpuDots, &AgedDots)>,
        size: u32,
        ink: [f32; 3],
        origin: [u32; 2],
        tile: u32,
    ) -> Result<Vec<[f32; 4]>> {
        let d = &gpu.device;
        let params = gpu.params(
            "bake",
            &BakeGpu {
                size: [size as f32; 2],
                min_sigma_texels: MIN_SIGMA_PX,
                _pad: 0.0,
                ink: [ink[0], ink[1], ink[2], 0.0],
                tile: [origin[0] as f32, origin[1] as f32, tile as f32, tile as f32],
            },
        );
        let texture = |label, format, usage| {
            d.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size: wgpu::Extent3d {
                    width: tile,
                    height: tile,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | usage,
                view_formats: &[],
            })
        };
        let target = texture("baked density", HDR_FORMAT, wgpu::TextureUsages::COPY_SRC);
        let ids = texture(
            "bake chart ids",
            CHART_ID_FORMAT,
            wgpu::TextureUsages::TEXTURE_BINDING,
        );
        let view = target.create_view(&Default::default());
        let ids_view = ids.create_view(&Default::default());
        let attachment = |view, load| {
            Some(wgpu::RenderPassColorAttachment {
                view,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load,
                    store: wgpu::StoreOp::Store,
                },
            })
        };
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("bake"),
        });
        {
            let bg = d.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("bake charts"),
                layout: &self.chart_bgl,
                entries: &[wgpu::BindGroupEntry {
                    binding: 2,
                    resource: params.as_entire_binding(),
                }],
            });
            let clear = wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT);
            let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("bake charts"),
                color_attachments: &[attachment(&view, clear), attachment(&ids_view, clear)],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            rp.set_bind_group(0, &bg, &[]);
            rp.set_pipeline(&self.chart);
            rp.set_vertex_buffer(0, input.uvs.slice(..));
            rp.set_vertex_buffer(1, input.charts.slice(..));
            rp.set_index_buffer(input.indices.slice(..), wgpu::IndexFormat::Uint32);
            rp.draw_indexed(0..input.index_count, 0, 0..1);
        }
        if let Some((dots, aged)) = dots {
            let bg = d.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("bake dots"),
                layout: &self.dot_bgl,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: params.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: wgpu::BindingResource::TextureView(&ids_view),
                    },
                ],
            });
            let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
                label: Some("bake dots"),
                color_attachments: &[attachment(&view, wgpu::LoadOp::Load)],
                depth_stencil_attachment: None,
                timestamp_writes: None,
                occlusion_query_set: None,
                multiview_mask: None,
            });
            rp.set_bind_group(0, &bg, &[]);
            rp.set_pipeline(&self.dot);
            rp.set_index_buffer(self.quad.slice(..), wgpu::IndexFormat::Uint16);
            for ((chunk, look), place) in dots.chunks.iter().zip(&aged.chunks).zip(&input.dot_uvs) {
                if chunk.count == 0 {
                    continue;
                }
                rp.set_vertex_buffer(0, chunk.buffer.slice(..));
                rp.set_vertex_buffer(1, look.slice(..));
                for k in 0..PLACEMENTS {
                    rp.set_vertex_buffer(2, place.slice((k * size_of::<Placement>()) as u64..));
                    rp.draw_indexed(0..6, 0, 0..chunk.count);
                }
            }
        }
        gpu.queue.submit([enc.finish()]);
        let bytes = read_texture_bytes(gpu, &target, tile, tile, 8)?;
        Ok(bytes
            .chunks_exact(8)
            .map(|t| {
                std::array::from_fn(|c| {
                    crate::gpu::readback::f16_to_f32(u16::from_le_bytes([t[2 * c], t[2 * c + 1]]))
                })
            })
            .collect())
    }
}
