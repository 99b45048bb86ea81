//! The age pass (`age.wgsl`): per-dot appearance at time t. Pipeline built once ([`DotAger`]);
//! the appearance buffers ([`AgedDots`]) are small (one `Appearance` a dot) and rewritten per
//! time.
use crate::ageing::{AgeParams, Appearance};
use crate::dots::generate::GpuDots;
use crate::error::Result;
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{dispatch_size, Gpu};
use crate::shaders;

const APPEARANCE_BYTES: u64 = std::mem::size_of::<Appearance>() as u64;

/// One appearance buffer per dot chunk, in the same order.
pub struct AgedDots {
    pub chunks: Vec<wgpu::Buffer>,
    pub params: AgeParams,
}

impl AgedDots {
    /// Reads every appearance back, in the order of `dots.read_unsorted`.
    pub fn read(&self, gpu: &Gpu, dots: &GpuDots) -> Result<Vec<Appearance>> {
        let mut out = Vec::new();
        for (b, c) in self.chunks.iter().zip(&dots.chunks) {
            let bytes = gpu.read_buffer(b, 0, c.count as u64 * APPEARANCE_BYTES)?;
            out.extend_from_slice(bytemuck::cast_slice(&bytes));
        }
        Ok(out)
    }
}

pub struct DotAger {
    pipeline: wgpu::ComputePipeline,
    bgl: wgpu::BindGroupLayout,
}

impl DotAger {
    pub fn new(gpu: &Gpu) -> DotAger {
        let d = &gpu.device;
        let module = shaders::module(d, "age.wgsl", &shaders::age());
        let c = wgpu::ShaderStages::COMPUTE;
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("age"),
            entries: &[
                crate::gpu::entry::params(0, c),
                crate::gpu::entry::storage(1, c, true),
                crate::gpu::entry::storage(2, c, false),
            ],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("age"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let pipeline = gpu.compute_pipeline(wgpu::ComputePipelineDescriptor {
            label: Some("age"),
            layout: Some(&layout),
            module: &module,
            entry_point: Some("age_dots"),
            compilation_options: Default::default(),
            cache: None,
        });
        DotAger { pipeline, bgl }
    }

    /// Appearance buffers for `dots` (allocated once, reused by [`DotAger::age_into`]).
    pub fn allocate(&self, gpu: &Gpu, dots: &GpuDots) -> AgedDots {
        let chunks = dots
            .chunks
            .iter()
            .map(|c| {
                gpu.device.create_buffer(&wgpu::BufferDescriptor {
                    label: Some("dot appearance"),
                    size: (c.count as u64 * APPEARANCE_BYTES).max(APPEARANCE_BYTES),
                    usage: wgpu::BufferUsages::STORAGE
                        | wgpu::BufferUsages::VERTEX
                        | wgpu::BufferUsages::COPY_SRC,
                    mapped_at_creation: false,
                })
            })
            .collect();
        AgedDots {
            chunks,
            params: bytemuck::Zeroable::zeroed(),
        }
    }

    /// Writes every dot's appearance at `params.t_years` into `aged`.
    pub fn age_into(
        &self,
        gpu: &Gpu,
        dots: &GpuDots,
        aged: &mut AgedDots,
        params: AgeParams,
    ) -> Result<()> {
        self.age_into_timed(gpu, dots, aged, params, None)
    }

    /// As [`DotAger::age_into`], timing the pass into `timer` when given.
    pub fn age_into_timed(
        &self,
        gpu: &Gpu,
        dots: &GpuDots,
        aged: &mut AgedDots,
        params: AgeParams,
        timer: Option<&FrameTimer>,
    ) -> Result<()> {
        gpu.checked("ageing dots", || {
            let ubuf = gpu.params("age params", &params);
            let mut enc = gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor { label: Some("age") });
            let groups: Vec<(wgpu::BindGroup, u32)> = dots
                .chunks
                .iter()
                .zip(&aged.chunks)
                .filter(|(c, _)| c.count > 0)
                .map(|(c, out)| {
                    let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                        label: Some("age"),
                        layout: &self.bgl,
                        entries: &[
                            wgpu::BindGroupEntry {
                                binding: 0,
                                resource: ubuf.as_entire_binding(),
                            },
                            wgpu::BindGroupEntry {
                                binding: 1,
                                resource: c.buffer.as_entire_binding(),
                            },
                            wgpu::BindGroupEntry {
                                binding: 2,
                                resource: out.as_entire_binding(),
                            },
                        ],
                    });
                    (bg, c.count)
                })
                .collect();
            {
                let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("age"),
                    timestamp_writes: timer.map(|t| t.compute_writes(Pass::Age)),
                });
                cp.set_pipeline(&self.pipeline);
                for (bg, count) in &groups {
                    cp.set_bind_group(0, bg, &[]);
                    let (x, y) = dispatch_size(*count);
                    cp.dispatch_workgroups(x, y, 1);
                }
            }
            gpu.queue.submit([enc.finish()]);
            aged.params = params;
            Ok(())
        })
    }

    pub fn age(&self, gpu: &Gpu, dots: &GpuDots, params: AgeParams) -> Result<AgedDots> {
        let mut aged = self.allocate(gpu, dots);
        self.age_into(gpu, dots, &mut aged, params)?;
        Ok(aged)
    }
}
