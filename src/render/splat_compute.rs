//! Dot pass, compute path (`splat_compute.wgsl`): each dot adds its footprint into a fixed-point
//! optical-density buffer with integer atomics, then a resolve writes the density target the
//! composite reads. Same image as the raster path within the tolerance of `tests/gpu/paths.rs`.
use super::Targets;
use crate::ageing::age::AgedDots;
use crate::dots::generate::GpuDots;
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{dispatch_size, entry, Gpu};
use crate::shaders;

/// Optical density per integer step of the fixed-point buffer: 1/4096 is far below what 8-bit
/// output can show, and sums stay exact and independent of thread order.
pub const FIXED: f32 = 4096.0;
/// Footprints wider than this (in pixels, half-size) are clipped. A healed dot seen by a 20×
/// trichoscope at 640 px already spans ~60 px each way (48 cut it to a visible square); only a
/// handful of dots are that close, so the bound is there against runaway cost, not for speed.
pub const MAX_HALF_PX: f32 = 320.0;

pub struct SplatComputePass {
    splat: wgpu::ComputePipeline,
    resolve: wgpu::ComputePipeline,
    bgl: wgpu::BindGroupLayout,
    empty: wgpu::Buffer,
}

/// Whether this adapter can run the compute path (a storage texture of the density format).
pub fn supported(gpu: &Gpu) -> bool {
    gpu.adapter
        .get_texture_format_features(super::HDR_FORMAT)
        .allowed_usages
        .contains(wgpu::TextureUsages::STORAGE_BINDING)
}

impl SplatComputePass {
    pub fn new(gpu: &Gpu) -> SplatComputePass {
        let d = &gpu.device;
        let module = shaders::module(d, "splat_compute.wgsl", &shaders::splat_compute());
        let c = wgpu::ShaderStages::COMPUTE;
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("splat compute"),
            entries: &[
                entry::params(0, c),
                entry::texture(1, c),
                entry::storage(2, c, true),
                entry::storage(3, c, true),
                entry::storage(4, c, false),
                wgpu::BindGroupLayoutEntry {
                    binding: 5,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::StorageTexture {
                        access: wgpu::StorageTextureAccess::WriteOnly,
                        format: super::HDR_FORMAT,
                        view_dimension: wgpu::TextureViewDimension::D2,
                    },
                    count: None,
                },
            ],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("splat compute"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let pipeline = |entry: &str| {
            gpu.compute_pipeline(wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(&layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        SplatComputePass {
            splat: pipeline("splat"),
            resolve: pipeline("resolve"),
            bgl,
            empty: gpu.upload(
                "no dots",
                &[<crate::dots::Dot as bytemuck::Zeroable>::zeroed()],
                wgpu::BufferUsages::STORAGE,
            ),
        }
    }

    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        dots: Option<(&GpuDots, &AgedDots)>,
        t: &Targets,
        density: &wgpu::Buffer,
        timer: Option<&FrameTimer>,
    ) {
        let bind = |dots: &wgpu::Buffer, looks: &wgpu::Buffer| {
            gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("splat compute"),
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
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: dots.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: looks.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 4,
                        resource: density.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 5,
                        resource: wgpu::BindingResource::TextureView(&t.density),
                    },
                ],
            })
        };
        let groups: Vec<(wgpu::BindGroup, u32)> = dots
            .map(|(d, a)| {
                d.chunks
                    .iter()
                    .zip(&a.chunks)
                    .filter(|(c, _)| c.count > 0)
                    .map(|(c, look)| (bind(&c.buffer, look), c.count))
                    .collect()
            })
            .unwrap_or_default();
        let resolve_group = bind(&self.empty, &self.empty);
        enc.clear_buffer(density, 0, None);
        let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("splat compute"),
            timestamp_writes: timer.map(|t| t.compute_writes(Pass::Splat)),
        });
        cp.set_pipeline(&self.splat);
        for (g, count) in &groups {
            cp.set_bind_group(0, g, &[]);
            let (x, y) = dispatch_size(*count);
            cp.dispatch_workgroups(x, y, 1);
        }
        cp.set_pipeline(&self.resolve);
        cp.set_bind_group(0, &resolve_group, &[]);
        cp.dispatch_workgroups(t.size.0.div_ceil(8), t.size.1.div_ceil(8), 1);
    }
}
