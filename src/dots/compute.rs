//! Compute-pass plumbing shared by the generation and spacing passes: layout entries, pipeline
//! layouts, bind groups, pipelines, one dispatch, plain storage buffers.
use crate::gpu::dispatch_size;
use wgpu::BufferUsages as U;

pub(super) fn storage(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    crate::gpu::entry::storage(binding, wgpu::ShaderStages::COMPUTE, read_only)
}

pub(super) fn params(binding: u32) -> wgpu::BindGroupLayoutEntry {
    crate::gpu::entry::params(binding, wgpu::ShaderStages::COMPUTE)
}

/// A pipeline layout of bind groups 0, 1, … in that order.
pub(super) fn pipeline_layout(
    device: &wgpu::Device,
    label: &str,
    groups: &[&wgpu::BindGroupLayout],
) -> wgpu::PipelineLayout {
    let groups: Vec<Option<&wgpu::BindGroupLayout>> = groups.iter().map(|g| Some(*g)).collect();
    device.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
        label: Some(label),
        bind_group_layouts: &groups,
        immediate_size: 0,
    })
}

pub(super) fn bind(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    buffers: &[&wgpu::Buffer],
) -> wgpu::BindGroup {
    let numbered: Vec<(u32, &wgpu::Buffer)> = (0..).zip(buffers.iter().copied()).collect();
    bind_at(device, label, layout, &numbered)
}

pub(super) fn pipeline(
    gpu: &crate::gpu::Gpu,
    layout: &wgpu::PipelineLayout,
    module: &wgpu::ShaderModule,
    entry: &str,
) -> wgpu::ComputePipeline {
    specialised(gpu, layout, module, entry, &[])
}

/// As [`pipeline`], with values for the module's overridable constants. Built through the
/// pipeline cache, timed at debug level (`Gpu::compute_pipeline`).
pub(super) fn specialised(
    gpu: &crate::gpu::Gpu,
    layout: &wgpu::PipelineLayout,
    module: &wgpu::ShaderModule,
    entry: &str,
    constants: &[(&str, f64)],
) -> wgpu::ComputePipeline {
    gpu.compute_pipeline(wgpu::ComputePipelineDescriptor {
        label: Some(entry),
        layout: Some(layout),
        module,
        entry_point: Some(entry),
        compilation_options: wgpu::PipelineCompilationOptions {
            constants,
            ..Default::default()
        },
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

/// As [`bind`], for a layout whose bindings are not 0, 1, 2, …: (binding, buffer) pairs.
pub(super) fn bind_at(
    device: &wgpu::Device,
    label: &str,
    layout: &wgpu::BindGroupLayout,
    buffers: &[(u32, &wgpu::Buffer)],
) -> wgpu::BindGroup {
    let entries: Vec<_> = buffers
        .iter()
        .map(|(i, b)| wgpu::BindGroupEntry {
            binding: *i,
            resource: b.as_entire_binding(),
        })
        .collect();
    device.create_bind_group(&wgpu::BindGroupDescriptor {
        label: Some(label),
        layout,
        entries: &entries,
    })
}

/// Records a chunk's passes into one submission. With `scalp::dots::profile` logging at debug
/// level it instead submits and waits at each [`Recorder::mark`], so the wall clock shows what
/// each stage costs (lavapipe's in-frame compute timestamps cannot be trusted).
pub(super) struct Recorder<'a> {
    gpu: &'a crate::gpu::Gpu,
    enc: wgpu::CommandEncoder,
    profile: bool,
    last: std::time::Instant,
    /// Stage name and milliseconds, in order of first appearance, summed.
    pub times: Vec<(&'static str, f64)>,
}

impl<'a> Recorder<'a> {
    pub fn new(gpu: &'a crate::gpu::Gpu) -> Recorder<'a> {
        Recorder {
            gpu,
            enc: Self::encoder(gpu),
            profile: log::log_enabled!(target: "scalp::dots::profile", log::Level::Debug),
            last: std::time::Instant::now(),
            times: Vec::new(),
        }
    }

    fn encoder(gpu: &crate::gpu::Gpu) -> wgpu::CommandEncoder {
        gpu.device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("generate chunk"),
            })
    }

    pub fn enc(&mut self) -> &mut wgpu::CommandEncoder {
        &mut self.enc
    }

    /// Ends stage `name` (everything recorded since the last mark).
    pub fn mark(&mut self, name: &'static str) -> crate::error::Result<()> {
        if !self.profile {
            return Ok(());
        }
        let enc = std::mem::replace(&mut self.enc, Self::encoder(self.gpu));
        self.gpu.queue.submit([enc.finish()]);
        self.gpu.wait()?;
        let ms = self.last.elapsed().as_secs_f64() * 1e3;
        match self.times.iter_mut().find(|(n, _)| *n == name) {
            Some(t) => t.1 += ms,
            None => self.times.push((name, ms)),
        }
        self.last = std::time::Instant::now();
        Ok(())
    }

    /// Submits what is left; returns the stage times when profiling.
    pub fn submit(self) -> Vec<(&'static str, f64)> {
        self.gpu.queue.submit([self.enc.finish()]);
        self.times
    }
}
