//! Skin pass (`skin.wgsl`): the head lit, into diffuse, specular and view-distance targets.
use super::{HeadGpu, Targets, DEPTH_FORMAT, DISTANCE_FORMAT, HDR_FORMAT};
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{entry, Gpu};
use crate::shaders;

pub struct SkinPass {
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
}

impl SkinPass {
    pub fn new(gpu: &Gpu) -> SkinPass {
        let d = &gpu.device;
        let module = shaders::module(d, "skin.wgsl", &shaders::skin());
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("skin view"),
            entries: &[entry::uniform(0, wgpu::ShaderStages::VERTEX_FRAGMENT)],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("skin"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let attrs = wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3];
        let exposure_attr = wgpu::vertex_attr_array![2 => Float32];
        let target = |format| {
            Some(wgpu::ColorTargetState {
                format,
                blend: None,
                write_mask: wgpu::ColorWrites::ALL,
            })
        };
        let pipeline = d.create_render_pipeline(&wgpu::RenderPipelineDescriptor {
            label: Some("skin"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[
                    Some(wgpu::VertexBufferLayout {
                        array_stride: 24,
                        step_mode: wgpu::VertexStepMode::Vertex,
                        attributes: &attrs,
                    }),
                    Some(wgpu::VertexBufferLayout {
                        array_stride: 4,
                        step_mode: wgpu::VertexStepMode::Vertex,
                        attributes: &exposure_attr,
                    }),
                ],
            },
            primitive: wgpu::PrimitiveState {
                // Scans are not always consistently wound: draw both faces, the depth test
                // keeps the nearest.
                cull_mode: None,
                ..Default::default()
            },
            depth_stencil: Some(wgpu::DepthStencilState {
                format: DEPTH_FORMAT,
                depth_write_enabled: Some(true),
                depth_compare: Some(wgpu::CompareFunction::Less),
                stencil: Default::default(),
                bias: Default::default(),
            }),
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
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
        });
        SkinPass { pipeline, bgl }
    }

    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        head: &HeadGpu,
        t: &Targets,
        timer: Option<&FrameTimer>,
    ) {
        let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("skin view"),
            layout: &self.bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: view.as_entire_binding(),
            }],
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
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("skin"),
            color_attachments: &[
                clear(&t.diffuse, 0.0),
                clear(&t.specular, 0.0),
                // "Nothing here" (NO_SURFACE in view.wgsl): the composite shows the background.
                clear(&t.distance, 60000.0),
            ],
            depth_stencil_attachment: Some(wgpu::RenderPassDepthStencilAttachment {
                view: &t.depth,
                depth_ops: Some(wgpu::Operations {
                    load: wgpu::LoadOp::Clear(1.0),
                    store: wgpu::StoreOp::Store,
                }),
                stencil_ops: None,
            }),
            timestamp_writes: timer.map(|t| t.render_writes(Pass::Skin)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        rp.set_pipeline(&self.pipeline);
        rp.set_bind_group(0, &bg, &[]);
        rp.set_vertex_buffer(0, head.vertices.slice(..));
        rp.set_vertex_buffer(1, head.exposure.slice(..));
        rp.set_index_buffer(head.indices.slice(..), wgpu::IndexFormat::Uint32);
        rp.draw_indexed(0..head.index_count, 0, 0..1);
    }
}
