//! The spacing pass on the GPU (`spacing.wgsl`): a chunk's candidates (its own and its halo's)
//! sorted into Morton-keyed cells, one neighbour scan that lists each candidate's
//! higher-priority conflicts, then [`ROUNDS`] rounds over those lists, all recorded into one
//! submission with nothing read back. The CPU reference is `reference::decide`.
use super::compute::{bind, bind_at, params, pass, pipeline, pipeline_layout, storage, Recorder};
use super::scan::{Scan, ScanPass};
use crate::error::Result;
use crate::gpu::Gpu;
use crate::shaders;

/// Rounds of the spacing rule. Each lets decisions travel one exclusion radius, so a chunk's
/// halo is this many radii wide (`layout::halo_reach`). The rule settles in 9–12 rounds on
/// 10⁶–10⁷ dots (a candidate waits only on the few that outrank it nearby); one still undecided
/// after these is dropped, identically on the CPU.
pub const ROUNDS: u32 = 16;
/// Rounds over every candidate; the rest visit only those still undecided after these (listed
/// by `list_undecided`). Even, so the listing reads the state in `state_a`.
pub const FULL_ROUNDS: u32 = 4;
/// Words of the undecided list ahead of its indices: the later rounds' indirect dispatch (x, y,
/// z) and the count.
pub const LISTED_HEAD: u32 = 4;
/// Most higher-priority conflicts a candidate lists; one with more is dropped (on average a
/// candidate has K·π·α²/2 of them: 1.4 at the default spacing 0.6, 3.8 at 0.7).
pub const CONFLICTS: u32 = 15;
/// Words per candidate's list: the count, then the conflicts.
pub const LIST_WORDS: u32 = CONFLICTS + 1;

/// Bytes of a candidate (position + exclusion radius, a vec4f) and of one u32.
pub(super) const CANDIDATE_BYTES: u64 = std::mem::size_of::<[f32; 4]>() as u64;
pub(super) const WORD: u64 = std::mem::size_of::<u32>() as u64;

/// Spacing buckets for `work` candidates: a power of two, at least as many as candidates.
pub fn bucket_count(work: u64) -> u64 {
    work.next_power_of_two().max(1024)
}

/// Bytes of GPU memory the spacing of a chunk of `work` candidates needs: per candidate its
/// position, id, two states, list, sorted entry (two vec4s) and place in the undecided list;
/// the buckets.
pub fn spacing_bytes(work: u64) -> u64 {
    work * (3 * CANDIDATE_BYTES + 4 * WORD + LIST_WORDS as u64 * WORD)
        + 2 * bucket_count(work) * WORD
        + LISTED_HEAD as u64 * WORD
}

/// The spacing pipelines and their bind group layouts (built once per device).
pub(super) struct SpacingPass {
    bgl0: wgpu::BindGroupLayout,
    bgl1: wgpu::BindGroupLayout,
    count_cells: wgpu::ComputePipeline,
    scatter: wgpu::ComputePipeline,
    find_conflicts: wgpu::ComputePipeline,
    round: wgpu::ComputePipeline,
    /// The undecided list's layouts: written (state, list) and read by the later rounds.
    bgl_listing: wgpu::BindGroupLayout,
    bgl_listed: wgpu::BindGroupLayout,
    list_undecided: wgpu::ComputePipeline,
    round_listed: wgpu::ComputePipeline,
}

/// The working buffers of the spacing, sized for the largest chunk and shared by every chunk.
pub(super) struct SpacingBuffers {
    pub cand: wgpu::Buffer,
    pub ids: wgpu::Buffer,
    /// `generate` writes the first state into `state_a`; the lists and the last round too.
    pub state_a: wgpu::Buffer,
    pub state_b: wgpu::Buffer,
    conflicts: wgpu::Buffer,
    bucket_start: wgpu::Buffer,
    bucket_end: wgpu::Buffer,
    sorted: wgpu::Buffer,
    /// The candidates undecided after [`FULL_ROUNDS`] (see [`LISTED_HEAD`]).
    undecided: wgpu::Buffer,
    buckets: u64,
}

/// One chunk's spacing, ready to record.
pub(super) struct ChunkSpacing {
    g0: wgpu::BindGroup,
    ab: wgpu::BindGroup,
    ba: wgpu::BindGroup,
    listing: wgpu::BindGroup,
    listed_ab: wgpu::BindGroup,
    listed_ba: wgpu::BindGroup,
    scan: Scan,
    work: u32,
}

impl SpacingBuffers {
    pub fn new(d: &wgpu::Device, work: u64) -> SpacingBuffers {
        use super::compute::storage_buffer as buf;
        use wgpu::BufferUsages as U;
        let s = U::STORAGE;
        let buckets = bucket_count(work);
        SpacingBuffers {
            cand: buf(d, "candidates", work * CANDIDATE_BYTES, s),
            ids: buf(d, "candidate ids", work * WORD, s),
            state_a: buf(d, "state a", work * WORD, s | U::COPY_SRC),
            state_b: buf(d, "state b", work * WORD, s | U::COPY_DST),
            conflicts: buf(d, "conflict lists", work * LIST_WORDS as u64 * WORD, s),
            bucket_start: buf(
                d,
                "bucket starts",
                buckets * WORD,
                s | U::COPY_SRC | U::COPY_DST,
            ),
            bucket_end: buf(
                d,
                "bucket ends",
                buckets * WORD,
                s | U::COPY_SRC | U::COPY_DST,
            ),
            sorted: buf(d, "sorted candidates", 2 * work * CANDIDATE_BYTES, s),
            undecided: buf(
                d,
                "undecided candidates",
                (LISTED_HEAD as u64 + work) * WORD,
                s | U::INDIRECT | U::COPY_DST,
            ),
            buckets,
        }
    }

    /// The bucket mask the chunk parameters carry.
    pub fn bucket_mask(&self) -> u32 {
        (self.buckets - 1) as u32
    }
}

impl SpacingPass {
    pub fn new(gpu: &Gpu) -> SpacingPass {
        let d = &gpu.device;
        let module = shaders::module(d, "spacing.wgsl", &shaders::spacing());
        let bgl0 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("spacing params"),
            entries: &[params(0)],
        });
        let bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("spacing chunk"),
            entries: &[
                storage(0, false),
                storage(1, false),
                storage(2, true),
                storage(3, false),
                storage(4, false),
                storage(5, false),
                storage(6, false),
                storage(7, false),
            ],
        });
        let layout = pipeline_layout(d, "spacing", &[&bgl0, &bgl1]);
        let bgl_listing = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("spacing: listing the undecided"),
            entries: &[storage(2, true), storage(9, false)],
        });
        let bgl_listed = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("spacing: rounds over the undecided"),
            entries: &[
                storage(2, true),
                storage(3, false),
                storage(4, false),
                storage(8, true),
            ],
        });
        let listing_layout = pipeline_layout(d, "spacing: listing", &[&bgl0, &bgl_listing]);
        let listed_layout = pipeline_layout(d, "spacing: listed rounds", &[&bgl0, &bgl_listed]);
        SpacingPass {
            list_undecided: pipeline(gpu, &listing_layout, &module, "list_undecided"),
            round_listed: pipeline(gpu, &listed_layout, &module, "round_listed"),
            bgl_listing,
            bgl_listed,
            count_cells: pipeline(gpu, &layout, &module, "count_cells"),
            scatter: pipeline(gpu, &layout, &module, "scatter"),
            find_conflicts: pipeline(gpu, &layout, &module, "find_conflicts"),
            round: pipeline(gpu, &layout, &module, "round"),
            bgl0,
            bgl1,
        }
    }

    /// The bind groups of one chunk (`params`: its parameters) over the shared buffers; the
    /// buckets' scan uses `block_sums` and word 0 of `totals`.
    #[allow(clippy::too_many_arguments)]
    pub fn chunk(
        &self,
        gpu: &Gpu,
        scans: &ScanPass,
        b: &SpacingBuffers,
        params: &wgpu::Buffer,
        work: u32,
        block_sums: &wgpu::Buffer,
        totals: &wgpu::Buffer,
    ) -> ChunkSpacing {
        let d = &gpu.device;
        let group = |label, from, to| {
            bind(
                d,
                label,
                &self.bgl1,
                &[
                    &b.cand,
                    &b.ids,
                    from,
                    to,
                    &b.conflicts,
                    &b.bucket_start,
                    &b.bucket_end,
                    &b.sorted,
                ],
            )
        };
        let listed = |label, from, to| {
            bind_at(
                d,
                label,
                &self.bgl_listed,
                &[(2, from), (3, to), (4, &b.conflicts), (8, &b.undecided)],
            )
        };
        ChunkSpacing {
            listing: bind_at(
                d,
                "spacing: listing",
                &self.bgl_listing,
                &[(2, &b.state_a), (9, &b.undecided)],
            ),
            listed_ab: listed("spacing listed a→b", &b.state_a, &b.state_b),
            listed_ba: listed("spacing listed b→a", &b.state_b, &b.state_a),
            g0: bind(d, "spacing params", &self.bgl0, &[params]),
            ab: group("spacing a→b", &b.state_a, &b.state_b),
            ba: group("spacing b→a", &b.state_b, &b.state_a),
            scan: scans.prepare(
                gpu,
                b.buckets as u32,
                &b.bucket_start,
                block_sums,
                totals,
                0,
            ),
            work,
        }
    }

    /// Records the spacing of a chunk whose candidates `generate` has written: cells, lists,
    /// rounds. The final state lands in `state_a`.
    pub fn record(
        &self,
        rec: &mut Recorder,
        scans: &ScanPass,
        b: &SpacingBuffers,
        c: &ChunkSpacing,
    ) -> Result<()> {
        let bytes = b.buckets * WORD;
        let enc = rec.enc();
        enc.clear_buffer(&b.bucket_end, 0, None);
        pass(enc, &self.count_cells, &[&c.g0, &c.ab], c.work);
        rec.mark("count cells")?;
        let enc = rec.enc();
        enc.copy_buffer_to_buffer(&b.bucket_end, 0, &b.bucket_start, 0, bytes);
        scans.record(enc, &c.scan);
        enc.copy_buffer_to_buffer(&b.bucket_start, 0, &b.bucket_end, 0, bytes);
        rec.mark("scan cells")?;
        pass(rec.enc(), &self.scatter, &[&c.g0, &c.ab], c.work);
        rec.mark("scatter")?;
        // The lists' pass writes its states into a (the group b→a), in place.
        pass(rec.enc(), &self.find_conflicts, &[&c.g0, &c.ba], c.work);
        rec.mark("find conflicts")?;
        // Even: the rounds go a→b, b→a, …, ending in a.
        for r in 0..FULL_ROUNDS {
            let g = if r % 2 == 0 { &c.ab } else { &c.ba };
            pass(rec.enc(), &self.round, &[&c.g0, g], c.work);
        }
        rec.mark("rounds")?;
        let enc = rec.enc();
        enc.clear_buffer(&b.undecided, 0, Some(LISTED_HEAD as u64 * WORD));
        pass(enc, &self.list_undecided, &[&c.g0, &c.listing], c.work);
        // The decided keep their state whichever buffer a later round reads.
        enc.copy_buffer_to_buffer(&b.state_a, 0, &b.state_b, 0, c.work as u64 * WORD);
        rec.mark("list undecided")?;
        let enc = rec.enc();
        for r in FULL_ROUNDS..ROUNDS {
            let g = if r % 2 == 0 {
                &c.listed_ab
            } else {
                &c.listed_ba
            };
            let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
                label: Some("spacing round (listed)"),
                timestamp_writes: None,
            });
            cp.set_pipeline(&self.round_listed);
            cp.set_bind_group(0, &c.g0, &[]);
            cp.set_bind_group(1, g, &[]);
            cp.dispatch_workgroups_indirect(&b.undecided, 0);
        }
        rec.mark("listed rounds")
    }
}

const _: () = assert!(
    ROUNDS.is_multiple_of(2) && FULL_ROUNDS.is_multiple_of(2) && FULL_ROUNDS <= ROUNDS,
    "the final state must land in state_a, and the listing read it there"
);
