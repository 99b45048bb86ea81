//! Hair pass (`hair.wgsl`): the client's stubble as curved, tapered, order-independent ribbons into
//! the hair target, which the composite lays over the skin and dots.
use super::{attribute, HeadGpu, Targets};
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::Gpu;
use crate::hair::Hair;
use crate::shaders;
use std::mem::{offset_of, size_of};
use wgpu::VertexFormat as F;

/// A hair shaft is dense keratin with melanin: nearly opaque across its middle.
pub const SHAFT_OPACITY: f32 = 0.92;
/// Smallest width a ribbon is drawn with, internal pixels; thinner hairs are drawn this wide and
/// proportionally fainter, so their mean darkness holds and they do not shimmer.
pub const MIN_WIDTH_PX: f32 = 1.2;
/// Share of the length over which the emerging hair narrows to its shaft width; the razor or
/// clipper cut leaves the tip blunt.
pub const EXIT_TAPER: f32 = 0.3;

pub struct HairPass {
    quads: super::AdditiveQuads,
}

impl HairPass {
    pub fn new(gpu: &Gpu) -> HairPass {
        let d = &gpu.device;
        let module = shaders::module(d, "hair.wgsl", &shaders::hair());
        // `crate::hair::Hair`, one instance per hair.
        let attrs = [
            attribute(0, F::Float32x3, offset_of!(Hair, root)),
            attribute(1, F::Float32, offset_of!(Hair, diameter_mm)),
            attribute(2, F::Float32x3, offset_of!(Hair, bend)),
            attribute(3, F::Float32, offset_of!(Hair, exit_width)),
            attribute(4, F::Float32x3, offset_of!(Hair, tip)),
            attribute(5, F::Float32, offset_of!(Hair, length_mm)),
            attribute(6, F::Float32x3, offset_of!(Hair, colour)),
            attribute(7, F::Float32, offset_of!(Hair, pigmented)),
        ];
        let quads = super::AdditiveQuads::new(
            gpu,
            "hair",
            &module,
            &[Some(wgpu::VertexBufferLayout {
                array_stride: size_of::<Hair>() as u64,
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
        (view, eye): (&wgpu::Buffer, glam::Vec3),
        head: &HeadGpu,
        draw: bool,
        (t, timer): (&Targets, Option<&FrameTimer>),
    ) {
        // Closes the hair's time the shaft pass opened.
        let stamp = timer.map(|t| t.render_closes(Pass::Hair));
        let mut rp = self.quads.begin(gpu, enc, view, t, &t.hair, stamp);
        let Some((hairs, _)) = head.hairs.as_ref().filter(|_| draw) else {
            return;
        };
        rp.set_vertex_buffer(0, hairs.slice(..));
        // Each hair a ribbon of HAIR_SEGMENTS quads along its curve, six vertices a quad; only
        // the groups that can be seen from the eye.
        let ranges =
            super::hair_bins::ranges(&head.hair_bins, |b| b.hairs.clone(), |b| b.hairs_seen(eye));
        for r in ranges {
            rp.draw(0..6 * crate::hair::HAIR_SEGMENTS, r);
        }
    }
}
