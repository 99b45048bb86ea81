//! The spacing pass on the GPU (`spacing.wgsl`): a chunk's candidates in a hashed grid with the
//! earlier chunks' dots nearby as obstacles, then rounds of the hard-core rule until every
//! candidate is kept or dropped. Pipelines are built once ([`SpacingPass`]); each chunk's
//! buffers live in a [`SpacingState`] that the generation pass (`generate.rs`) also reads.
use super::compute::{bind, params, pass, pipeline, storage, storage_buffer};
use super::GenParams;
use crate::error::{Result, ScalpError};
use crate::gpu::Gpu;
use crate::shaders;
use wgpu::BufferUsages as U;

/// Rounds of the parallel spacing rule submitted between two checks; even, so the final state
/// is always back in the first state buffer.
const ROUNDS_PER_BATCH: u32 = 4;
/// Safety stop: the rule converges in O(log n) rounds; this many means something is wrong.
const MAX_ROUNDS: u32 = 512;

/// Bytes of a candidate (position + exclusion radius, a vec4f) and of a state, list link or
/// grid head (one u32 each) on the GPU.
pub(super) const CANDIDATE_BYTES: u64 = std::mem::size_of::<[f32; 4]>() as u64;
pub(super) const WORD: u64 = std::mem::size_of::<u32>() as u64;
/// The counters of a chunk (generate.wgsl and spacing.wgsl `counts`), by index.
pub const COUNTERS: u64 = 4;
/// Earlier chunks' dots gathered as obstacles.
pub const OBSTACLES: u64 = 0;
/// Candidates still undecided after the last round.
pub const UNDECIDED: u64 = 1;
/// Dots written so far.
pub const WRITTEN: u64 = 2;
/// Accepted and deposited candidates.
pub const ACCEPTED: u64 = 3;

/// Bytes of GPU memory a chunk of `n` candidates needs while it is being decided: per slot a
/// candidate, two states and a link; the grid heads.
pub fn chunk_work_bytes(n: u64) -> u64 {
    let cap = n / 2 + 4096;
    let slots = n + cap;
    let heads = (2 * slots).next_power_of_two().max(1024);
    slots * (CANDIDATE_BYTES + 3 * WORD) + heads * WORD
}

/// The spacing pipelines and their bind group layouts (built once per device).
pub(super) struct SpacingPass {
    bgl0: wgpu::BindGroupLayout,
    bgl1: wgpu::BindGroupLayout,
    clear_heads: wgpu::ComputePipeline,
    insert_candidates: wgpu::ComputePipeline,
    gather_obstacles: wgpu::ComputePipeline,
    insert_obstacles: wgpu::ComputePipeline,
    mis_round: wgpu::ComputePipeline,
}

/// One chunk's candidates, states, grid and counters, with the spacing bind groups over them.
pub(super) struct SpacingState {
    pub n: u32,
    pub capacity: u32,
    heads_len: u64,
    pub cand: wgpu::Buffer,
    pub state_a: wgpu::Buffer,
    state_b: wgpu::Buffer,
    next: wgpu::Buffer,
    heads: wgpu::Buffer,
    pub counts: wgpu::Buffer,
    sp0: wgpu::BindGroup,
    ab: Option<wgpu::BindGroup>,
    ba: Option<wgpu::BindGroup>,
}

impl SpacingState {
    fn ab(&self) -> &wgpu::BindGroup {
        self.ab.as_ref().expect("built with the chunk")
    }
    fn ba(&self) -> &wgpu::BindGroup {
        self.ba.as_ref().expect("built with the chunk")
    }

    /// The chunk's counters (`COUNTERS` words).
    pub fn read_counts(&self, gpu: &Gpu) -> Result<Vec<u32>> {
        let bytes = gpu.read_buffer(&self.counts, 0, COUNTERS * WORD)?;
        Ok(bytemuck::cast_slice(&bytes).to_vec())
    }
}

impl SpacingPass {
    pub fn new(d: &wgpu::Device) -> SpacingPass {
        let module = shaders::module(d, "spacing.wgsl", &shaders::spacing());
        let bgl0 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("spacing static"),
            entries: &[params(0), params(1)],
        });
        let bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("spacing chunk"),
            entries: &[
                storage(0, false),
                storage(1, true),
                storage(2, false),
                storage(3, false),
                storage(4, false),
                storage(5, false),
                storage(6, true),
            ],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("spacing"),
            bind_group_layouts: &[Some(&bgl0), Some(&bgl1)],
            immediate_size: 0,
        });
        SpacingPass {
            clear_heads: pipeline(d, &layout, &module, "clear_heads"),
            insert_candidates: pipeline(d, &layout, &module, "insert_candidates"),
            gather_obstacles: pipeline(d, &layout, &module, "gather_obstacles"),
            insert_obstacles: pipeline(d, &layout, &module, "insert_obstacles"),
            mis_round: pipeline(d, &layout, &module, "mis_round"),
            bgl0,
            bgl1,
        }
    }

    /// A chunk's spacing buffers for `params` (with room for `capacity` obstacles) and their
    /// bind groups; `params` gets the grid's hash mask and the capacity.
    pub fn state(
        &self,
        gpu: &Gpu,
        params: &mut GenParams,
        capacity: u32,
        zbuf: &wgpu::Buffer,
        dummy_dots: &wgpu::Buffer,
    ) -> (SpacingState, wgpu::Buffer) {
        let d = &gpu.device;
        let n = params.cand_count;
        let slots = (n + capacity) as u64;
        let heads_len = (2 * slots).next_power_of_two().max(1024);
        params.hash_mask = (heads_len - 1) as u32;
        params.obstacle_capacity = capacity;
        let pbuf = gpu.params("chunk params", &*params);
        let counts = storage_buffer(
            d,
            "counts",
            COUNTERS * WORD,
            U::STORAGE | U::COPY_SRC | U::COPY_DST,
        );
        let mut s = SpacingState {
            n,
            capacity,
            heads_len,
            cand: storage_buffer(d, "candidates", slots * CANDIDATE_BYTES, U::STORAGE),
            state_a: storage_buffer(d, "state a", slots * WORD, U::STORAGE),
            state_b: storage_buffer(d, "state b", slots * WORD, U::STORAGE),
            next: storage_buffer(d, "next", slots * WORD, U::STORAGE),
            heads: storage_buffer(d, "grid heads", heads_len * WORD, U::STORAGE),
            counts,
            sp0: bind(d, "spacing static", &self.bgl0, &[&pbuf, zbuf]),
            ab: None,
            ba: None,
        };
        s.ab = Some(self.group(d, &s, true, dummy_dots));
        s.ba = Some(self.group(d, &s, false, dummy_dots));
        (s, pbuf)
    }

    /// The chunk bind group: state a → b or b → a, with `prev` an earlier chunk's dots (or
    /// none).
    fn group(
        &self,
        d: &wgpu::Device,
        s: &SpacingState,
        a_to_b: bool,
        prev: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        let (label, from, to) = if a_to_b {
            ("spacing a→b", &s.state_a, &s.state_b)
        } else {
            ("spacing b→a", &s.state_b, &s.state_a)
        };
        bind(
            d,
            label,
            &self.bgl1,
            &[&s.cand, from, to, &s.next, &s.heads, &s.counts, prev],
        )
    }

    /// Records the grid of the chunk's candidates and the earlier chunks' dots (`earlier`:
    /// buffer and count) nearby as obstacles.
    pub fn grid(
        &self,
        d: &wgpu::Device,
        enc: &mut wgpu::CommandEncoder,
        s: &SpacingState,
        earlier: &[(&wgpu::Buffer, u32)],
    ) {
        let ab = s.ab();
        pass(enc, &self.clear_heads, &[&s.sp0, ab], s.heads_len as u32);
        pass(enc, &self.insert_candidates, &[&s.sp0, ab], s.n);
        for &(buffer, count) in earlier.iter().filter(|(_, c)| *c > 0) {
            let g = self.group(d, s, false, buffer);
            pass(enc, &self.gather_obstacles, &[&s.sp0, &g], count);
        }
        pass(enc, &self.insert_obstacles, &[&s.sp0, ab], s.capacity);
    }

    /// Runs the spacing rule until every candidate is decided: Ok(rounds), or Err(obstacles)
    /// when there were more obstacles than room.
    pub fn rounds(&self, gpu: &Gpu, s: &SpacingState) -> Result<std::result::Result<u32, u32>> {
        let mut rounds = 0;
        loop {
            let mut enc = gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("spacing rounds"),
                });
            for r in 0..ROUNDS_PER_BATCH {
                enc.clear_buffer(&s.counts, UNDECIDED * WORD, Some(WORD));
                let states = if r % 2 == 0 { s.ab() } else { s.ba() };
                pass(
                    &mut enc,
                    &self.mis_round,
                    &[&s.sp0, states],
                    s.n + s.capacity,
                );
            }
            gpu.queue.submit([enc.finish()]);
            rounds += ROUNDS_PER_BATCH;
            let c = s.read_counts(gpu)?;
            if c[OBSTACLES as usize] > s.capacity {
                return Ok(Err(c[OBSTACLES as usize]));
            }
            if c[UNDECIDED as usize] == 0 {
                return Ok(Ok(rounds));
            }
            if rounds >= MAX_ROUNDS {
                return Err(ScalpError::Gpu {
                    during: "dot spacing".into(),
                    message: format!(
                        "{} candidates still undecided after {rounds} rounds",
                        c[UNDECIDED as usize]
                    ),
                });
            }
        }
    }
}
