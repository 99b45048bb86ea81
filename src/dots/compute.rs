//! Compute-pass plumbing shared by the generation and spacing passes: layout entries, bind
//! groups, pipelines, one dispatch, plain storage buffers.
use crate::gpu::dispatch_size;
use wgpu::BufferUsages as U;

pub(super) fn storage(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    crate::gpu::entry::storage(binding, wgpu::ShaderStages::COMPUTE, read_only)
}

pub(super) fn params(binding: u32) -> wgpu::BindGroupLayoutEntry {
    crate::gpu::entry::params(binding, wgpu::ShaderStages::COMPUTE)
}

pub(super) fn bind(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    buffers: &[&wgpu::Buffer],
) -> wgpu::BindGroup {
    let entries: Vec<_> = buffers
        .iter()
        .enumerate()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: i as u32,
            resource: b.as_entire_binding(),
        })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &entries,
    })
}

pub(super) fn pipeline(
    device: &wgpu::Device,
    layout: &wgpu::PipelineLayout,
    module: &wgpu::ShaderModule,
    entry: &str,
) -> wgpu::ComputePipeline {
    device.create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: Some(layout),
        module,
        entry_point: Some(entry),
        compilation_options: Default::default(),
        cache: None,
    })
}

pub(super) fn pass(
    enc: &mut wgpu::CommandEncoder,
    p: &wgpu::ComputePipeline,
    groups: &[&wgpu::BindGroup],
    n: u32,
) {
    let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
        label: None,
        timestamp_writes: None,
    });
    cp.set_pipeline(p);
    for (i, g) in groups.iter().enumerate() {
        cp.set_bind_group(i as u32, *g, &[]);
    }
    let (x, y) = dispatch_size(n);
    cp.dispatch_workgroups(x, y, 1);
}

pub(super) fn storage_buffer(d: &wgpu::Device, label: &str, bytes: u64, usage: U) -> wgpu::Buffer {
    d.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        // Zero-sized bindings are invalid.
        size: bytes.max(16),
        usage,
        mapped_at_creation: false,
    })
}
