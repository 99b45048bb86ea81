//! Hair pass (`hair.wgsl`): the client's existing stubble as order-independent ribbons into
//! the hair target, which the composite lays over the skin and dots.
use super::{HeadGpu, Targets};
use crate::gpu::Gpu;
use crate::shaders;

pub struct HairPass {
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
    quad: wgpu::Buffer,
}

impl HairPass {
    pub fn new(gpu: &Gpu) -> HairPass {
        let d = &gpu.device;
        let module = shaders::module(d, "hair.wgsl", &shaders::hair());
        // `crate::hair::Hair`, 32 bytes, one instance per hair.
        let attrs = wgpu::vertex_attr_array![
            0 => Float32x3, 1 => Float32, 2 => Float32x3, 3 => Float32
        ];
        let (bgl, pipeline) = super::additive_quad_pipeline(
            gpu,
            "hair",
            &module,
            &[Some(wgpu::VertexBufferLayout {
                array_stride: 32,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &attrs,
            })],
        );
        HairPass {
            pipeline,
            bgl,
            quad: gpu.upload(
                "hair quad",
                &[0u16, 1, 2, 0, 2, 3],
                wgpu::BufferUsages::INDEX,
            ),
        }
    }

    /// Clears the hair target and draws the head's hairs when `draw` (and it has any).
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        head: &HeadGpu,
        draw: bool,
        t: &Targets,
    ) {
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("hair"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &t.hair,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: None,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        let Some((hairs, count)) = head.hairs.as_ref().filter(|_| draw) else {
            return;
        };
        let bg = super::view_and_distance(gpu, "hair", &self.bgl, view, t);
        rp.set_pipeline(&self.pipeline);
        rp.set_bind_group(0, &bg, &[]);
        rp.set_index_buffer(self.quad.slice(..), wgpu::IndexFormat::Uint16);
        rp.set_vertex_buffer(0, hairs.slice(..));
        rp.draw_indexed(0..6, 0, 0..*count);
    }
}
