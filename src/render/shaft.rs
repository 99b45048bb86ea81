//! Shaft pass (`shaft.wgsl`): the hair shafts under the skin and the follicle openings, each
//! piece an elongated footprint through the dots' depth optics, multiplied into the skin's
//! diffuse light (see the shader's notes). It runs with the skin, before the dots (which it
//! does not depend on: a frame that keeps the skin keeps the shafts too), and leaves the density
//! target alone, so both paths' density stays the dots' own.
use super::{attribute, HeadGpu, Targets, HDR_FORMAT};
use crate::gpu::Gpu;
use crate::hair::Shaft;
use crate::shaders;
use std::mem::{offset_of, size_of};
use wgpu::VertexFormat as F;

pub struct ShaftPass {
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
}

impl ShaftPass {
    pub fn new(gpu: &Gpu) -> ShaftPass {
        use crate::gpu::entry;
        let d = &gpu.device;
        let module = shaders::module(d, "shaft.wgsl", &shaders::shaft());
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shaft"),
            entries: &[
                entry::params(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                entry::texture(1, wgpu::ShaderStages::FRAGMENT),
            ],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("shaft"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        // `crate::hair::Shaft`, one instance per piece.
        let attrs = [
            attribute(0, F::Float32x3, offset_of!(Shaft, centre)),
            attribute(1, F::Float32, offset_of!(Shaft, depth_mm)),
            attribute(2, F::Float32x3, offset_of!(Shaft, normal)),
            attribute(3, F::Float32, offset_of!(Shaft, width_mm)),
            attribute(4, F::Float32x3, offset_of!(Shaft, axis)),
            attribute(5, F::Float32, offset_of!(Shaft, length_mm)),
            attribute(6, F::Float32x3, offset_of!(Shaft, absorptance)),
            attribute(7, F::Uint32, offset_of!(Shaft, kind)),
        ];
        // dst·src: transmittances multiply, in any order; alpha is left as it is.
        let multiply = wgpu::BlendState {
            color: wgpu::BlendComponent {
                src_factor: wgpu::BlendFactor::Zero,
                dst_factor: wgpu::BlendFactor::Src,
                operation: wgpu::BlendOperation::Add,
            },
            alpha: wgpu::BlendComponent {
                src_factor: wgpu::BlendFactor::Zero,
                dst_factor: wgpu::BlendFactor::One,
                operation: wgpu::BlendOperation::Add,
            },
        };
        let pipeline = gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
            label: Some("shaft"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[Some(wgpu::VertexBufferLayout {
                    array_stride: size_of::<Shaft>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attrs,
                })],
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: HDR_FORMAT,
                    blend: Some(multiply),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        ShaftPass { pipeline, bgl }
    }

    /// Darkens the skin's diffuse light over the head's shafts when `draw` (and it has any);
    /// returns whether it drew.
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        head: &HeadGpu,
        draw: bool,
        t: &Targets,
    ) -> bool {
        let Some((shafts, count)) = head.shafts.as_ref().filter(|_| draw) else {
            return false;
        };
        let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shaft"),
            layout: &self.bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: view.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 1,
                    resource: wgpu::BindingResource::TextureView(&t.distance),
                },
            ],
        });
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("shaft"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &t.diffuse,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Load,
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        rp.set_pipeline(&self.pipeline);
        rp.set_bind_group(0, &bg, &[]);
        rp.set_vertex_buffer(0, shafts.slice(..));
        // Two triangles over the four corners per piece.
        rp.draw(0..6, 0..*count);
        true
    }
}
