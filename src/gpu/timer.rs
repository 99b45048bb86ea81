//! GPU time per pass from timestamp queries: wall clock alone is not a GPU figure. One
//! [`FrameTimer`] holds a begin/end pair for each timed pass of a frame.
use super::Gpu;
use crate::error::Result;

/// The passes of a frame that are timed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pass {
    Age = 0,
    Skin = 1,
    Splat = 2,
    Composite = 3,
    /// The client's own hair: the shafts under the skin, then the hairs above it.
    Hair = 4,
}

pub const PASSES: [Pass; 5] = [
    Pass::Age,
    Pass::Skin,
    Pass::Splat,
    Pass::Composite,
    Pass::Hair,
];

impl Pass {
    pub fn name(self) -> &'static str {
        match self {
            Pass::Age => "age",
            Pass::Skin => "skin",
            Pass::Splat => "splat",
            Pass::Composite => "composite",
            Pass::Hair => "hair",
        }
    }
}

pub struct FrameTimer {
    set: wgpu::QuerySet,
    resolve: wgpu::Buffer,
    /// Nanoseconds per timestamp tick.
    period_ns: f64,
}

impl FrameTimer {
    /// None where the adapter has no timestamp queries.
    pub fn new(gpu: &Gpu) -> Option<FrameTimer> {
        if !gpu
            .device
            .features()
            .contains(wgpu::Features::TIMESTAMP_QUERY)
        {
            return None;
        }
        let count = 2 * PASSES.len() as u32;
        let set = gpu.device.create_query_set(&wgpu::QuerySetDescriptor {
            label: Some("pass timestamps"),
            ty: wgpu::QueryType::Timestamp,
            count,
        });
        let resolve = gpu.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("timestamp resolve"),
            size: count as u64 * 8,
            usage: wgpu::BufferUsages::QUERY_RESOLVE | wgpu::BufferUsages::COPY_SRC,
            mapped_at_creation: false,
        });
        Some(FrameTimer {
            set,
            resolve,
            period_ns: gpu.queue.get_timestamp_period() as f64,
        })
    }

    pub fn render_writes(&self, pass: Pass) -> wgpu::RenderPassTimestampWrites<'_> {
        wgpu::RenderPassTimestampWrites {
            query_set: &self.set,
            beginning_of_pass_write_index: Some(2 * pass as u32),
            end_of_pass_write_index: Some(2 * pass as u32 + 1),
        }
    }

    /// Only the opening timestamp of `pass`: the first of the render passes it spans.
    pub fn render_opens(&self, pass: Pass) -> wgpu::RenderPassTimestampWrites<'_> {
        wgpu::RenderPassTimestampWrites {
            end_of_pass_write_index: None,
            ..self.render_writes(pass)
        }
    }

    /// Only the closing timestamp of `pass`: the last of the render passes it spans.
    pub fn render_closes(&self, pass: Pass) -> wgpu::RenderPassTimestampWrites<'_> {
        wgpu::RenderPassTimestampWrites {
            beginning_of_pass_write_index: None,
            ..self.render_writes(pass)
        }
    }

    /// Only the opening timestamp of `pass`, at a compute pass.
    pub fn compute_opens(&self, pass: Pass) -> wgpu::ComputePassTimestampWrites<'_> {
        wgpu::ComputePassTimestampWrites {
            end_of_pass_write_index: None,
            ..self.compute_writes(pass)
        }
    }

    pub fn compute_writes(&self, pass: Pass) -> wgpu::ComputePassTimestampWrites<'_> {
        wgpu::ComputePassTimestampWrites {
            query_set: &self.set,
            beginning_of_pass_write_index: Some(2 * pass as u32),
            end_of_pass_write_index: Some(2 * pass as u32 + 1),
        }
    }

    /// Milliseconds per pass of the last frame (waits for the GPU). A pass that did not run
    /// in the frame reads 0.
    pub fn read(&self, gpu: &Gpu) -> Result<[f64; PASSES.len()]> {
        let mut enc = gpu
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("resolve timestamps"),
            });
        enc.resolve_query_set(&self.set, 0..2 * PASSES.len() as u32, &self.resolve, 0);
        gpu.queue.submit([enc.finish()]);
        let bytes = gpu.read_buffer(&self.resolve, 0, 2 * PASSES.len() as u64 * 8)?;
        let ticks: &[u64] = bytemuck::cast_slice(&bytes);
        Ok(std::array::from_fn(|i| {
            let (a, b) = (ticks[2 * i], ticks[2 * i + 1]);
            if b > a {
                (b - a) as f64 * self.period_ns / 1e6
            } else {
                0.0
            }
        }))
    }
}
