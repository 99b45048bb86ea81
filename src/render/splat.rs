//! Dot pass (`splat.wgsl`): instanced surface-aligned splats adding optical density.
use super::Targets;
use crate::gpu::age::AgedDots;
use crate::gpu::generate::GpuDots;
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::Gpu;
use crate::shaders;

pub struct SplatPass {
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
    /// The quad's two triangles over four corners.
    quad: wgpu::Buffer,
}

impl SplatPass {
    pub fn new(gpu: &Gpu) -> SplatPass {
        let d = &gpu.device;
        let module = shaders::module(d, "splat.wgsl", &shaders::splat());
        // The dot buffer itself is the instance buffer (`Dot`, 48 bytes).
        let attrs = wgpu::vertex_attr_array![
            0 => Float32x3, 1 => Float32, 2 => Float32x3, 3 => Float32,
            4 => Float32, 5 => Float32, 6 => Uint32, 7 => Uint32
        ];
        let look = wgpu::vertex_attr_array![8 => Float32x4];
        let (bgl, pipeline) = super::additive_quad_pipeline(
            gpu,
            "splat",
            &module,
            &[
                Some(wgpu::VertexBufferLayout {
                    array_stride: 48,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attrs,
                }),
                // The age pass's per-dot appearance (`Appearance`, 16 bytes).
                Some(wgpu::VertexBufferLayout {
                    array_stride: 16,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &look,
                }),
            ],
        );
        SplatPass {
            pipeline,
            bgl,
            quad: gpu.upload(
                "splat quad",
                &[0u16, 1, 2, 0, 2, 3],
                wgpu::BufferUsages::INDEX,
            ),
        }
    }

    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        dots: Option<(&GpuDots, &AgedDots)>,
        t: &Targets,
        timer: Option<&FrameTimer>,
    ) {
        let bg = super::view_and_distance(gpu, "splat", &self.bgl, view, t);
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("splat"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: &t.density,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes: timer.map(|t| t.render_writes(Pass::Splat)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        let Some((dots, aged)) = dots else { return };
        rp.set_pipeline(&self.pipeline);
        rp.set_bind_group(0, &bg, &[]);
        rp.set_index_buffer(self.quad.slice(..), wgpu::IndexFormat::Uint16);
        for (chunk, look) in dots.chunks.iter().zip(&aged.chunks) {
            if chunk.count == 0 {
                continue;
            }
            rp.set_vertex_buffer(0, chunk.buffer.slice(..));
            rp.set_vertex_buffer(1, look.slice(..));
            rp.draw_indexed(0..6, 0, 0..chunk.count);
        }
    }
}
