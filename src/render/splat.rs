//! Dot pass (`splat.wgsl`): instanced surface-aligned splats adding optical density.
use super::{attribute, Targets};
use crate::ageing::age::AgedDots;
use crate::ageing::Appearance;
use crate::dots::generate::GpuDots;
use crate::dots::Dot;
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::Gpu;
use crate::shaders;
use std::mem::{offset_of, size_of};
use wgpu::VertexFormat as F;

pub struct SplatPass {
    quads: super::AdditiveQuads,
}

/// A dot and its appearance as instance attributes (locations 0–7 from the dot buffer, 8 from
/// the appearance buffer), as `DotInstance` (splat.wgsl) and `BakeInstance` (bake.wgsl) read them.
pub(crate) fn dot_instance_attributes() -> ([wgpu::VertexAttribute; 8], [wgpu::VertexAttribute; 1])
{
    (
        [
            attribute(0, F::Float32x3, offset_of!(Dot, position)),
            attribute(1, F::Float32, offset_of!(Dot, depth_mm)),
            attribute(2, F::Float32x3, offset_of!(Dot, normal)),
            attribute(3, F::Float32, offset_of!(Dot, diameter_mm)),
            attribute(4, F::Float32, offset_of!(Dot, pigment)),
            attribute(5, F::Float32, offset_of!(Dot, shade)),
            attribute(6, F::Uint32, offset_of!(Dot, id)),
            attribute(7, F::Uint32, offset_of!(Dot, flags)),
        ],
        [attribute(8, F::Float32x4, offset_of!(Appearance, amount))],
    )
}

impl SplatPass {
    pub fn new(gpu: &Gpu) -> SplatPass {
        let d = &gpu.device;
        let module = shaders::module(d, "splat.wgsl", &shaders::splat());
        // The dot buffer itself is the instance buffer (`DotInstance` in splat.wgsl: Dot's
        // fields at their offsets, then the Appearance as one vec4f).
        let (attrs, look) = dot_instance_attributes();
        let quads = super::AdditiveQuads::new(
            gpu,
            "splat",
            &module,
            &[
                Some(wgpu::VertexBufferLayout {
                    array_stride: size_of::<Dot>() as u64,
                    step_mode: wgpu::VertexStepMode::Instance,
                    attributes: &attrs,
                }),
                // The age pass's per-dot appearance.
                Some(wgpu::VertexBufferLayout {
                    array_stride: size_of::<Appearance>() as u64,
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
