//! Hair pass (`hair.wgsl`): the client's existing stubble as order-independent ribbons into
//! the hair target, which the composite lays over the skin and dots.
use super::{HeadGpu, Targets};
use crate::gpu::Gpu;
use crate::shaders;

pub struct HairPass {
    quads: super::AdditiveQuads,
}

impl HairPass {
    pub fn new(gpu: &Gpu) -> HairPass {
        let d = &gpu.device;
        let module = shaders::module(d, "hair.wgsl", &shaders::hair());
        // `crate::hair::Hair`, 32 bytes, one instance per hair.
        let attrs = wgpu::vertex_attr_array![
            0 => Float32x3, 1 => Float32, 2 => Float32x3, 3 => Float32
        ];
        let quads = super::AdditiveQuads::new(
            gpu,
            "hair",
            &module,
            &[Some(wgpu::VertexBufferLayout {
                array_stride: 32,
                step_mode: wgpu::VertexStepMode::Instance,
                attributes: &attrs,
            })],
        );
        HairPass { quads }
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
        let mut rp = self.quads.begin(gpu, enc, view, t, &t.hair, None);
        let Some((hairs, count)) = head.hairs.as_ref().filter(|_| draw) else {
            return;
        };
        rp.set_vertex_buffer(0, hairs.slice(..));
        rp.draw_indexed(0..6, 0, 0..*count);
    }
}
