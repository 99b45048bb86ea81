//! Dot pass (`splat.wgsl`): instanced surface-aligned splats adding optical density.
use super::Targets;
use crate::ageing::age::AgedDots;
use crate::dots::generate::GpuDots;
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::Gpu;
use crate::shaders;

pub struct SplatPass {
    quads: super::AdditiveQuads,
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
        let quads = super::AdditiveQuads::new(
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
        SplatPass { quads }
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
        let mut rp = self.quads.begin(
            gpu,
            enc,
            view,
            t,
            &t.density,
            timer.map(|t| t.render_writes(Pass::Splat)),
        );
        let Some((dots, aged)) = dots else { return };
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
