//! Shaft pass (`shaft.wgsl`): the hair shafts under the skin and the follicle openings, each
//! piece an elongated footprint through the dots' depth optics, its optical thickness added
//! into the shaft target, which the composite applies to the skin's diffuse light (see the
//! shader's notes). It runs with the skin, before the dots (which it does not depend on: a
//! frame that keeps the skin keeps the shafts too), and leaves the density target alone, so
//! both paths' density stays the dots' own.
use super::{HeadGpu, Targets};
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{dispatch_size, Gpu};
use crate::shaders;
use bytemuck::{Pod, Zeroable};

/// One piece as a frame draws it (`ShaftDraw` in shaft.wgsl): written by `prepare` and read by
/// the vertex shader, never by the CPU; Rust owns its layout for the buffer's size.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct ShaftDraw {
    pub centre: [f32; 4],
    pub along: [f32; 4],
    pub across: [f32; 4],
    pub inv_2s2_along: [f32; 4],
    pub inv_2s2_across: [f32; 4],
    pub m0: [f32; 4],
    pub peak: [f32; 4],
}

/// A head's pieces as drawn: one [`ShaftDraw`] each, rewritten by every frame that draws them
/// (a frame is submitted whole, so one frame's preparation and drawing are never split by
/// another's).
pub fn draw_buffer(gpu: &Gpu, count: u32) -> wgpu::Buffer {
    gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("hair shafts as drawn"),
        size: count.max(1) as u64 * size_of::<ShaftDraw>() as u64,
        usage: wgpu::BufferUsages::STORAGE,
        mapped_at_creation: false,
    })
}

/// The runs `prepare` reads ([first piece, pieces before, pieces in it, 0] each; one empty run
/// when none), and how many pieces they hold.
pub fn runs(ranges: &[std::ops::Range<u32>]) -> (Vec<[u32; 4]>, u32) {
    let mut out = Vec::with_capacity(ranges.len().max(1));
    let mut before = 0;
    for r in ranges {
        out.push([r.start, before, r.len() as u32, 0]);
        before += r.len() as u32;
    }
    if out.is_empty() {
        out.push([0; 4]);
    }
    (out, before)
}

/// A piece whose narrowest drawn σ (any channel, either axis) spans at least this many output
/// pixels is drawn into the per-output-pixel target (`Targets::broad_shafts`) instead of per
/// sample: sampled once a pixel, a Gaussian that wide still sums to its area within ~1.5%, and
/// the deep pieces, blurred most, were most of the pass's fragments (at 1 pixel the hair pass
/// took 508–612 ms, at 0.5 pixel 463–465, the picture within 4/255: BENCHMARKS.md step 27).
/// With no supersampling none is broad.
pub const BROAD_MIN_PX: f32 = 0.5;

/// How `prepare` says a piece is drawn (`ShaftDraw::centre[3]`), read by each draw's vertex
/// shader to keep its own pieces.
pub mod drawn {
    /// Facing away, or the hair off.
    pub const NOT: f32 = 0.0;
    /// Into `Targets::shafts`, per sample.
    pub const PER_SAMPLE: f32 = 1.0;
    /// Into `Targets::broad_shafts`, per output pixel.
    pub const BROAD: f32 = 2.0;
}

pub struct ShaftPass {
    prepare: wgpu::ComputePipeline,
    prepare_bgl: wgpu::BindGroupLayout,
    /// The pieces drawn per sample into `Targets::shafts`, and the broad ones per output pixel
    /// into `Targets::broad_shafts`.
    samples: wgpu::RenderPipeline,
    broad: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
}

impl ShaftPass {
    pub fn new(gpu: &Gpu) -> ShaftPass {
        use crate::gpu::entry;
        let d = &gpu.device;
        let module = shaders::module(d, "shaft.wgsl", &shaders::shaft());
        let c = wgpu::ShaderStages::COMPUTE;
        let prepare_bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shaft prepare"),
            entries: &[
                entry::params(0, c),
                entry::storage(2, c, true),
                entry::storage(3, c, false),
                entry::storage(5, c, true),
            ],
        });
        let prepare_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("shaft prepare"),
            bind_group_layouts: &[Some(&prepare_bgl)],
            immediate_size: 0,
        });
        let prepare = gpu.compute_pipeline(wgpu::ComputePipelineDescriptor {
            label: Some("shaft prepare"),
            layout: Some(&prepare_layout),
            module: &module,
            entry_point: Some("prepare"),
            compilation_options: Default::default(),
            cache: None,
        });
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shaft"),
            entries: &[
                entry::params(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                entry::texture(1, wgpu::ShaderStages::FRAGMENT),
                entry::storage(4, wgpu::ShaderStages::VERTEX, true),
            ],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("shaft"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        // Thicknesses add, in any order (the transmittances they stand for multiply).
        let add = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::One,
            operation: wgpu::BlendOperation::Add,
        };
        let pipeline = |vs: &str, fs: &str| {
            gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
                label: Some("shaft"),
                layout: Some(&layout),
                vertex: wgpu::VertexState {
                    module: &module,
                    entry_point: Some(vs),
                    compilation_options: Default::default(),
                    // Each piece is read from the prepared buffer by its instance index.
                    buffers: &[],
                },
                primitive: wgpu::PrimitiveState::default(),
                depth_stencil: None,
                multisample: Default::default(),
                fragment: Some(wgpu::FragmentState {
                    module: &module,
                    entry_point: Some(fs),
                    compilation_options: Default::default(),
                    targets: &[Some(wgpu::ColorTargetState {
                        format: super::HDR_FORMAT,
                        blend: Some(wgpu::BlendState {
                            color: add,
                            alpha: add,
                        }),
                        write_mask: wgpu::ColorWrites::ALL,
                    })],
                }),
                multiview_mask: None,
                cache: None,
            })
        };
        ShaftPass {
            prepare,
            prepare_bgl,
            samples: pipeline("vs_samples", "fs_samples"),
            broad: pipeline("vs_broad", "fs_broad"),
            bgl,
        }
    }

    /// Clears the shaft targets and sums the head's shafts into them when `draw` (and it has
    /// any); returns whether it drew.
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        (view, eye): (&wgpu::Buffer, glam::Vec3),
        head: &HeadGpu,
        draw: bool,
        (t, timer): (&Targets, Option<&FrameTimer>),
    ) -> bool {
        let pieces = head.shafts.as_ref().zip(head.shaft_draws.as_ref());
        let Some(((shafts, _), prepared)) = pieces.filter(|_| draw) else {
            // Nothing under the skin this frame: the composite reads a zero thickness.
            let stamp = timer.map(|t| t.render_opens(Pass::Hair));
            drop(self.begin(enc, &t.shafts, stamp));
            drop(self.begin(enc, &t.broad_shafts, None));
            return false;
        };
        // Only the groups whose roots can face the eye are prepared and drawn (the others'
        // pieces would all be hidden by `prepare`).
        let ranges = super::hair_bins::ranges(
            &head.hair_bins,
            |b| b.shafts.clone(),
            |b| b.shafts_seen(eye),
        );
        let (runs, drawn) = runs(&ranges);
        let runs = gpu.upload("shaft runs", &runs, wgpu::BufferUsages::STORAGE);
        let prepare_bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shaft prepare"),
            layout: &self.prepare_bgl,
            entries: &[
                wgpu::BindGroupEntry {
                    binding: 0,
                    resource: view.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 2,
                    resource: shafts.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 3,
                    resource: prepared.as_entire_binding(),
                },
                wgpu::BindGroupEntry {
                    binding: 5,
                    resource: runs.as_entire_binding(),
                },
            ],
        });
        let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shaft"),
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
                    binding: 4,
                    resource: prepared.as_entire_binding(),
                },
            ],
        });
        {
            let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("shaft prepare"),
                // The hair's time opens here and closes with the hair pass.
                timestamp_writes: timer.map(|t| t.compute_opens(Pass::Hair)),
            });
            cp.set_pipeline(&self.prepare);
            cp.set_bind_group(0, &prepare_bg, &[]);
            let (x, y) = dispatch_size(drawn);
            cp.dispatch_workgroups(x, y, 1);
        }
        // The same draws into both targets; each pipeline keeps its own kind of piece. With no
        // supersampling there is no broad piece: its target is only cleared.
        let passes = [
            (&self.samples, &t.shafts, true),
            (&self.broad, &t.broad_shafts, t.ssaa > 1),
        ];
        for (pipeline, target, any) in passes {
            let mut rp = self.begin(enc, target, None);
            if !any {
                continue;
            }
            rp.set_pipeline(pipeline);
            rp.set_bind_group(0, &bg, &[]);
            // One triangle per piece (shaft.wgsl says why).
            for r in &ranges {
                rp.draw(0..3, r.clone());
            }
        }
        true
    }

    /// A shaft target's pass, cleared to no thickness.
    fn begin<'e>(
        &self,
        enc: &'e mut wgpu::CommandEncoder,
        target: &wgpu::TextureView,
        timestamp_writes: Option<wgpu::RenderPassTimestampWrites<'_>>,
    ) -> wgpu::RenderPass<'e> {
        enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("shaft"),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes,
            occlusion_query_set: None,
            multiview_mask: None,
        })
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn runs_number_the_drawn_pieces_in_order() {
        let (runs, n) = super::runs(&[3..7, 10..12, 20..21]);
        assert_eq!(n, 7);
        assert_eq!(runs, vec![[3, 0, 4, 0], [10, 4, 2, 0], [20, 6, 1, 0]]);
        // Thread k of the dispatch prepares the k-th drawn piece.
        let piece = |k: u32| {
            runs.iter()
                .find(|r| k >= r[1] && k < r[1] + r[2])
                .map(|r| r[0] + k - r[1])
        };
        let all: Vec<u32> = (0..n).filter_map(piece).collect();
        assert_eq!(all, vec![3, 4, 5, 6, 10, 11, 20]);
        assert_eq!(piece(n), None);
        assert_eq!(super::runs(&[]), (vec![[0; 4]], 0));
    }
}
