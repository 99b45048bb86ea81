//! Exclusive prefix sum on the GPU (`scan.wgsl`), in place over a u32 buffer, its total written
//! to a slot of a totals buffer. The spacing pass uses it to give each cell its run of slots,
//! the generation pass to give each dot its place in id order.
use super::compute::{bind, params, pipeline, pipeline_layout, storage};
use crate::gpu::Gpu;
use crate::shaders;

/// Threads of a scan workgroup, values each sums, values a workgroup covers.
pub const THREADS: u32 = 256;
pub const PER_THREAD: u32 = 16;
pub const BLOCK: u32 = THREADS * PER_THREAD;

/// GPU mirror of a scan's parameters (`ScanParams` in scan.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable, PartialEq)]
pub struct ScanParams {
    /// Values to scan.
    pub n: u32,
    /// Blocks of [`BLOCK`] values.
    pub blocks: u32,
    /// Where in the totals buffer the sum goes.
    pub slot: u32,
    pub _pad: u32,
}

/// Block sums a scan of `n` values needs.
pub fn block_count(n: u32) -> u32 {
    n.div_ceil(BLOCK).max(1)
}

pub(super) struct ScanPass {
    bgl0: wgpu::BindGroupLayout,
    bgl1: wgpu::BindGroupLayout,
    reduce: wgpu::ComputePipeline,
    blocks: wgpu::ComputePipeline,
    down: wgpu::ComputePipeline,
}

/// One scan, ready to record: its bind groups and size.
pub(super) struct Scan {
    g0: wgpu::BindGroup,
    g1: wgpu::BindGroup,
    blocks: u32,
}

impl ScanPass {
    pub fn new(gpu: &Gpu) -> ScanPass {
        let d = &gpu.device;
        let module = shaders::module(d, "scan.wgsl", &shaders::scan());
        let bgl0 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("scan params"),
            entries: &[params(0)],
        });
        let bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("scan buffers"),
            entries: &[storage(0, false), storage(1, false), storage(2, false)],
        });
        let layout = pipeline_layout(d, "scan", &[&bgl0, &bgl1]);
        ScanPass {
            reduce: pipeline(gpu, &layout, &module, "scan_reduce"),
            blocks: pipeline(gpu, &layout, &module, "scan_blocks"),
            down: pipeline(gpu, &layout, &module, "scan_down"),
            bgl0,
            bgl1,
        }
    }

    /// A scan of the first `n` values of `data`, with room for its block sums in `block_sums`
    /// ([`block_count`] words), its total into word `slot` of `totals`.
    pub fn prepare(
        &self,
        gpu: &Gpu,
        n: u32,
        data: &wgpu::Buffer,
        block_sums: &wgpu::Buffer,
        totals: &wgpu::Buffer,
        slot: u32,
    ) -> Scan {
        let blocks = block_count(n);
        let p = gpu.params(
            "scan params",
            &ScanParams {
                n,
                blocks,
                slot,
                _pad: 0,
            },
        );
        Scan {
            g0: bind(&gpu.device, "scan params", &self.bgl0, &[&p]),
            g1: bind(
                &gpu.device,
                "scan buffers",
                &self.bgl1,
                &[data, block_sums, totals],
            ),
            blocks,
        }
    }

    pub fn record(&self, enc: &mut wgpu::CommandEncoder, s: &Scan) {
        let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("scan"),
            timestamp_writes: None,
        });
        cp.set_bind_group(0, &s.g0, &[]);
        cp.set_bind_group(1, &s.g1, &[]);
        cp.set_pipeline(&self.reduce);
        cp.dispatch_workgroups(s.blocks, 1, 1);
        cp.set_pipeline(&self.blocks);
        cp.dispatch_workgroups(1, 1, 1);
        cp.set_pipeline(&self.down);
        cp.dispatch_workgroups(s.blocks, 1, 1);
    }
}
