//! Composite pass (`composite.wgsl`): pigment over skin, tone map, supersample resolve, output.
use super::{RenderSettings, Targets};
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{entry, Gpu};
use crate::shaders;
use bytemuck::{Pod, Zeroable};

/// GPU mirror of `CompositeGpu` in composite.wgsl.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct CompositeGpu {
    pub ssaa: u32,
    pub encode_srgb: u32,
    pub exposure: f32,
    pub split: f32,
    pub background_top: [f32; 4],
    pub background_bottom: [f32; 4],
}

pub struct CompositePass {
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
    encode_srgb: bool,
}

impl CompositePass {
    pub fn new(gpu: &Gpu, format: wgpu::TextureFormat) -> CompositePass {
        let d = &gpu.device;
        let module = shaders::module(d, "composite.wgsl", &shaders::composite());
        let f = wgpu::ShaderStages::FRAGMENT;
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("composite"),
            entries: &[
                entry::params(0, f),
                entry::texture(1, f),
                entry::texture(2, f),
                entry::texture(3, f),
                entry::texture(4, f),
                entry::texture(5, f),
                entry::texture(6, f),
                entry::texture(7, f),
            ],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("composite"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let pipeline = gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
            label: Some("composite"),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module: &module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers: &[],
            },
            primitive: Default::default(),
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module: &module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format,
                    blend: None,
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        CompositePass {
            pipeline,
            bgl,
            encode_srgb: !format.is_srgb(),
        }
    }

    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        settings: &RenderSettings,
        t: &Targets,
        target: &wgpu::TextureView,
        timer: Option<&FrameTimer>,
    ) {
        let u = CompositeGpu {
            ssaa: t.ssaa,
            encode_srgb: self.encode_srgb as u32,
            exposure: settings.exposure * crate::light::Light::preset(settings.light).exposure,
            split: settings.split_x.unwrap_or(-1.0),
            background_top: [0.20, 0.21, 0.23, 1.0],
            background_bottom: [0.06, 0.06, 0.07, 1.0],
        };
        let params = gpu.params("composite", &u);
        let tv = |b, v| wgpu::BindGroupEntry {
            binding: b,
            resource: wgpu::BindingResource::TextureView(v),
        };
        let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("composite"),
            layout: &self.bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: params.as_entire_binding(),
                },
                tv(1, &t.diffuse),
                tv(2, &t.specular),
                tv(3, &t.density),
                tv(4, &t.distance),
                tv(5, &t.hair),
                tv(6, &t.shafts),
                tv(7, &t.broad_shafts),
            ],
        });
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("composite"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: timer.map(|t| t.render_writes(Pass::Composite)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        rp.set_pipeline(&self.pipeline);
        rp.set_bind_group(0, &bg, &[]);
        rp.draw(0..3, 0..1);
    }
}
