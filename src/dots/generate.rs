//! The dot generation passes on the GPU (`generate.wgsl`, `spacing.wgsl`). Pipelines are built
//! once ([`DotGenerator`]); each plan's dots live in [`GpuDots`], one buffer per chunk.
use crate::dots::{Dot, GenParams, Layout};
use crate::error::{Result, ScalpError};
use crate::gpu::{dispatch_size, Gpu};
use crate::head::Mesh;
use crate::shaders;
use crate::zone::Zone;
use wgpu::BufferUsages as U;

/// Rounds of the parallel spacing rule submitted between two checks; even, so the final state
/// is always back in the first state buffer.
const ROUNDS_PER_BATCH: u32 = 4;
/// Safety stop: the rule converges in O(log n) rounds; this many means something is wrong.
const MAX_ROUNDS: u32 = 512;

/// Bytes of a dot, a candidate (position + exclusion radius, a vec4f) and a state, list link or
/// grid head (one u32 each) on the GPU.
const DOT_BYTES: u64 = std::mem::size_of::<Dot>() as u64;
const CANDIDATE_BYTES: u64 = std::mem::size_of::<[f32; 4]>() as u64;
const WORD: u64 = std::mem::size_of::<u32>() as u64;
/// The counters of a chunk (generate.wgsl and spacing.wgsl `counts`), by index.
const COUNTERS: u64 = 4;
/// Earlier chunks' dots gathered as obstacles.
const OBSTACLES: u64 = 0;
/// Candidates still undecided after the last round.
const UNDECIDED: u64 = 1;
/// Dots written so far.
const WRITTEN: u64 = 2;
/// Accepted and deposited candidates.
const ACCEPTED: u64 = 3;

/// Bytes of GPU memory a chunk of `n` candidates needs while it is being decided: per slot a
/// candidate, two states and a link; the grid heads.
pub fn chunk_work_bytes(n: u64) -> u64 {
    let cap = n / 2 + 4096;
    let slots = n + cap;
    let heads = (2 * slots).next_power_of_two().max(1024);
    slots * (CANDIDATE_BYTES + 3 * WORD) + heads * WORD
}

/// One mesh vertex as the generation pass reads it (`Vertex` in shaders/shared/dots.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, bytemuck::Pod, bytemuck::Zeroable, PartialEq)]
pub struct Vertex {
    /// Head space, mm; w: the vertex's relative yearly UV dose (src/exposure.rs).
    pub position: [f32; 4],
    /// Unit normal; w unused.
    pub normal: [f32; 4],
}

/// Dots of one chunk on the GPU.
pub struct DotChunk {
    pub buffer: wgpu::Buffer,
    pub count: u32,
}

/// All dots of a plan on the GPU.
pub struct GpuDots {
    pub chunks: Vec<DotChunk>,
}

impl GpuDots {
    pub fn total(&self) -> u64 {
        self.chunks.iter().map(|c| c.count as u64).sum()
    }

    pub fn bytes(&self) -> u64 {
        self.total() * DOT_BYTES
    }

    /// Reads every dot back (for tests and reports), sorted by id.
    pub fn read(&self, gpu: &Gpu) -> Result<Vec<Dot>> {
        let mut out = self.read_unsorted(gpu)?;
        out.sort_by_key(|d| d.id);
        Ok(out)
    }

    /// Reads every dot back in buffer order (chunk after chunk), the order of the appearance
    /// buffers of the age pass.
    pub fn read_unsorted(&self, gpu: &Gpu) -> Result<Vec<Dot>> {
        let mut out: Vec<Dot> = Vec::with_capacity(self.total() as usize);
        for c in &self.chunks {
            let bytes = gpu.read_buffer(&c.buffer, 0, c.count as u64 * DOT_BYTES)?;
            out.extend_from_slice(bytemuck::cast_slice(&bytes));
        }
        Ok(out)
    }
}

pub struct DotGenerator {
    gen_bgl0: wgpu::BindGroupLayout,
    gen_bgl1: wgpu::BindGroupLayout,
    sp_bgl0: wgpu::BindGroupLayout,
    sp_bgl1: wgpu::BindGroupLayout,
    generate: wgpu::ComputePipeline,
    count_accepted: wgpu::ComputePipeline,
    write_dots: wgpu::ComputePipeline,
    clear_heads: wgpu::ComputePipeline,
    insert_candidates: wgpu::ComputePipeline,
    gather_obstacles: wgpu::ComputePipeline,
    insert_obstacles: wgpu::ComputePipeline,
    mis_round: wgpu::ComputePipeline,
}

fn storage(binding: u32, read_only: bool) -> wgpu::BindGroupLayoutEntry {
    crate::gpu::entry::storage(binding, wgpu::ShaderStages::COMPUTE, read_only)
}

fn uniform(binding: u32) -> wgpu::BindGroupLayoutEntry {
    crate::gpu::entry::uniform(binding, wgpu::ShaderStages::COMPUTE)
}

fn bind(
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

fn pipeline(
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

fn pass(
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

impl DotGenerator {
    pub fn new(gpu: &Gpu) -> DotGenerator {
        let d = &gpu.device;
        let gen_module = shaders::module(d, "generate.wgsl", &shaders::generate());
        let sp_module = shaders::module(d, "spacing.wgsl", &shaders::spacing());
        let gen_bgl0 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("generate static"),
            entries: &[
                uniform(0),
                uniform(1),
                storage(2, true),
                storage(3, true),
                storage(4, true),
                storage(5, true),
            ],
        });
        let gen_bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("generate chunk"),
            entries: &[
                storage(0, false),
                storage(1, false),
                storage(2, false),
                storage(3, false),
            ],
        });
        let sp_bgl0 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("spacing static"),
            entries: &[uniform(0), uniform(1)],
        });
        let sp_bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
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
        let gen_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("generate"),
            bind_group_layouts: &[Some(&gen_bgl0), Some(&gen_bgl1)],
            immediate_size: 0,
        });
        let sp_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("spacing"),
            bind_group_layouts: &[Some(&sp_bgl0), Some(&sp_bgl1)],
            immediate_size: 0,
        });
        DotGenerator {
            generate: pipeline(d, &gen_layout, &gen_module, "generate"),
            count_accepted: pipeline(d, &gen_layout, &gen_module, "count_accepted"),
            write_dots: pipeline(d, &gen_layout, &gen_module, "write_dots"),
            clear_heads: pipeline(d, &sp_layout, &sp_module, "clear_heads"),
            insert_candidates: pipeline(d, &sp_layout, &sp_module, "insert_candidates"),
            gather_obstacles: pipeline(d, &sp_layout, &sp_module, "gather_obstacles"),
            insert_obstacles: pipeline(d, &sp_layout, &sp_module, "insert_obstacles"),
            mis_round: pipeline(d, &sp_layout, &sp_module, "mis_round"),
            gen_bgl0,
            gen_bgl1,
            sp_bgl0,
            sp_bgl1,
        }
    }

    /// Generates every dot of `layout` on the GPU, chunk after chunk.
    /// `exposure`: one relative UV dose per mesh vertex (stored in each dot's flags);
    /// `progress(done, total)` is called before each chunk (long requests take minutes on a CPU
    /// driver).
    pub fn generate(
        &self,
        gpu: &Gpu,
        mesh: &Mesh,
        exposure: &[f32],
        layout: &Layout,
        zone: &Zone,
        progress: &dyn Fn(usize, usize),
    ) -> Result<GpuDots> {
        // Refuse what cannot fit before touching the GPU: the largest chunk's working set must
        // fit one storage binding, the dots must fit the memory budget.
        let binding_limit = gpu.storage_binding_limit();
        let largest = layout
            .chunks
            .iter()
            .map(|c| c.cand_count as u64)
            .max()
            .unwrap_or(0);
        let work = chunk_work_bytes(largest);
        let per_binding = (largest + largest / 2 + 4096) * CANDIDATE_BYTES;
        if per_binding > binding_limit {
            return Err(ScalpError::TooLarge {
                what: "a generation chunk's candidate buffer".into(),
                needed: per_binding,
                allowed: binding_limit,
                hint: "this adapter's max_storage_buffer_binding_size".into(),
            });
        }
        let expected_dot_bytes = (layout.expected_dots * 1.02) as u64 * DOT_BYTES;
        let budget = crate::gpu::memory_budget(&gpu.info);
        if expected_dot_bytes + work > budget {
            return Err(ScalpError::TooLarge {
                what: format!("{:.0} dots", layout.expected_dots),
                needed: expected_dot_bytes + work,
                allowed: budget,
                hint: "GPU memory budget; set SCALP_GPU_MEMORY_MB to change it".into(),
            });
        }
        if exposure.len() != mesh.positions.len() {
            return Err(ScalpError::invalid(
                "exposure",
                format!(
                    "{} values for {} vertices",
                    exposure.len(),
                    mesh.positions.len()
                ),
            ));
        }
        gpu.checked("dot generation", || {
            self.generate_unchecked(gpu, mesh, exposure, layout, zone, progress)
        })
    }

    fn generate_unchecked(
        &self,
        gpu: &Gpu,
        mesh: &Mesh,
        exposure: &[f32],
        layout: &Layout,
        zone: &Zone,
        progress: &dyn Fn(usize, usize),
    ) -> Result<GpuDots> {
        let vertices: Vec<Vertex> = mesh
            .positions
            .iter()
            .zip(&mesh.normals)
            .zip(exposure)
            .map(|((p, n), e)| Vertex {
                position: [p.x, p.y, p.z, *e],
                normal: [n.x, n.y, n.z, 0.0],
            })
            .collect();
        let vbuf = gpu.upload("mesh vertices", &vertices, U::STORAGE);
        let tbuf = gpu.upload("candidate triangles", &layout.tris, U::STORAGE);
        let cbuf = gpu.upload("triangle area table", &layout.cdf, U::STORAGE);
        // The boundary table, then the hair roots (generate.wgsl `hair_word`): one binding.
        let mut words: Vec<u32> = zone.boundary.iter().map(|b| b.to_bits()).collect();
        words.extend(layout.hair.gpu_words());
        let bbuf = gpu.upload("hairline boundary and hair roots", &words, U::STORAGE);
        let zbuf = gpu.uniform("zone params", &zone.to_gpu());
        let dummy_dots = gpu.upload(
            "no dots",
            &[<Dot as bytemuck::Zeroable>::zeroed()],
            U::STORAGE,
        );

        let mut chunks: Vec<DotChunk> = Vec::new();
        for (ci, base) in layout.params.iter().enumerate() {
            progress(ci, layout.params.len());
            let n = base.cand_count;
            let mut capacity = n / 2 + 4096;
            // Only earlier chunks that can come within one spacing of this one hold obstacles.
            let near: Vec<&DotChunk> = chunks
                .iter()
                .enumerate()
                .filter(|(k, _)| layout.chunks[*k].near(&layout.chunks[ci], layout.cell_size))
                .map(|(_, c)| c)
                .collect();
            let outcome = loop {
                match self.run_chunk(
                    gpu,
                    base,
                    capacity,
                    &near,
                    [&vbuf, &tbuf, &cbuf, &bbuf, &zbuf],
                    &dummy_dots,
                )? {
                    ChunkOutcome::Done(c) => break c,
                    ChunkOutcome::NeedCapacity(needed) => {
                        log::debug!(
                            "chunk {ci}: {needed} obstacles, capacity {capacity}; retrying"
                        );
                        capacity = needed + 1024;
                    }
                }
            };
            chunks.push(outcome);
        }
        Ok(GpuDots { chunks })
    }

    /// One chunk: candidates and the spacing grid, the spacing rounds, then the dots. Asks
    /// for more obstacle room when earlier chunks crowd it.
    fn run_chunk(
        &self,
        gpu: &Gpu,
        base: &GenParams,
        capacity: u32,
        earlier: &[&DotChunk],
        statics: [&wgpu::Buffer; 5],
        dummy_dots: &wgpu::Buffer,
    ) -> Result<ChunkOutcome> {
        let w = self.chunk_work(gpu, base, capacity, statics, dummy_dots);
        let t0 = std::time::Instant::now();
        self.candidates(gpu, &w, earlier)?;
        let t_candidates = t0.elapsed();
        let rounds = match self.spacing_rounds(gpu, &w)? {
            Ok(rounds) => rounds,
            Err(needed) => return Ok(ChunkOutcome::NeedCapacity(needed)),
        };
        let t_rounds = t0.elapsed() - t_candidates;
        let chunk = self.write_dots(gpu, &w)?;
        log::debug!(
            "chunk at {}: {} candidates, {} dots, {rounds} rounds; candidates + grid {:.0} ms, \
             spacing rounds {:.0} ms, count + write {:.0} ms (wall, synchronised)",
            base.cand_start,
            w.n,
            chunk.count,
            t_candidates.as_secs_f64() * 1e3,
            t_rounds.as_secs_f64() * 1e3,
            (t0.elapsed() - t_candidates - t_rounds).as_secs_f64() * 1e3
        );
        Ok(ChunkOutcome::Done(chunk))
    }

    /// The buffers and bind groups of one chunk.
    fn chunk_work(
        &self,
        gpu: &Gpu,
        base: &GenParams,
        capacity: u32,
        statics: [&wgpu::Buffer; 5],
        dummy_dots: &wgpu::Buffer,
    ) -> ChunkWork {
        let d = &gpu.device;
        let n = base.cand_count;
        let slots = (n + capacity) as u64;
        let heads_len = (2 * slots).next_power_of_two().max(1024);
        let mut params = *base;
        params.hash_mask = (heads_len - 1) as u32;
        params.obstacle_capacity = capacity;
        let pbuf = gpu.uniform("chunk params", &params);
        let [vbuf, tbuf, cbuf, bbuf, zbuf] = statics;
        let cand = storage_buffer(d, "candidates", slots * CANDIDATE_BYTES, U::STORAGE);
        let state_a = storage_buffer(d, "state a", slots * WORD, U::STORAGE);
        let state_b = storage_buffer(d, "state b", slots * WORD, U::STORAGE);
        let next = storage_buffer(d, "next", slots * WORD, U::STORAGE);
        let heads = storage_buffer(d, "grid heads", heads_len * WORD, U::STORAGE);
        let counts = storage_buffer(
            d,
            "counts",
            COUNTERS * WORD,
            U::STORAGE | U::COPY_SRC | U::COPY_DST,
        );
        let g0 = bind(
            d,
            "generate static",
            &self.gen_bgl0,
            &[&pbuf, zbuf, vbuf, tbuf, cbuf, bbuf],
        );
        let sp0 = bind(d, "spacing static", &self.sp_bgl0, &[&pbuf, zbuf]);
        let g1 = bind(
            d,
            "generate chunk",
            &self.gen_bgl1,
            &[&cand, &state_a, &counts, dummy_dots],
        );
        let mut w = ChunkWork {
            n,
            capacity,
            heads_len,
            cand,
            state_a,
            state_b,
            next,
            heads,
            counts,
            g0,
            sp0,
            g1,
            ab: None,
            ba: None,
        };
        w.ab = Some(self.spacing_group(d, &w, true, dummy_dots));
        w.ba = Some(self.spacing_group(d, &w, false, dummy_dots));
        w
    }

    /// The spacing pass's chunk bind group: state a → b or b → a, with `prev` an earlier
    /// chunk's dots (or none).
    fn spacing_group(
        &self,
        d: &wgpu::Device,
        w: &ChunkWork,
        a_to_b: bool,
        prev: &wgpu::Buffer,
    ) -> wgpu::BindGroup {
        let (label, from, to) = if a_to_b {
            ("spacing a→b", &w.state_a, &w.state_b)
        } else {
            ("spacing b→a", &w.state_b, &w.state_a)
        };
        bind(
            d,
            label,
            &self.sp_bgl1,
            &[&w.cand, from, to, &w.next, &w.heads, &w.counts, prev],
        )
    }

    /// Candidates, thinning, the grid, and earlier chunks' dots nearby as obstacles.
    fn candidates(&self, gpu: &Gpu, w: &ChunkWork, earlier: &[&DotChunk]) -> Result<()> {
        let d = &gpu.device;
        let (ab, n) = (w.ab(), w.n);
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("generate chunk"),
        });
        enc.clear_buffer(&w.counts, 0, None);
        pass(&mut enc, &self.generate, &[&w.g0, &w.g1], n);
        pass(
            &mut enc,
            &self.clear_heads,
            &[&w.sp0, ab],
            w.heads_len as u32,
        );
        pass(&mut enc, &self.insert_candidates, &[&w.sp0, ab], n);
        for prev in earlier.iter().filter(|c| c.count > 0) {
            let g = self.spacing_group(d, w, false, &prev.buffer);
            pass(&mut enc, &self.gather_obstacles, &[&w.sp0, &g], prev.count);
        }
        pass(&mut enc, &self.insert_obstacles, &[&w.sp0, ab], w.capacity);
        gpu.queue.submit([enc.finish()]);
        gpu.wait()
    }

    /// Runs the spacing rule until every candidate is decided: Ok(rounds), or Err(obstacles)
    /// when there were more obstacles than room.
    fn spacing_rounds(&self, gpu: &Gpu, w: &ChunkWork) -> Result<std::result::Result<u32, u32>> {
        let mut rounds = 0;
        loop {
            let mut enc = gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("spacing rounds"),
                });
            for r in 0..ROUNDS_PER_BATCH {
                enc.clear_buffer(&w.counts, UNDECIDED * WORD, Some(WORD));
                let states = if r % 2 == 0 { w.ab() } else { w.ba() };
                pass(
                    &mut enc,
                    &self.mis_round,
                    &[&w.sp0, states],
                    w.n + w.capacity,
                );
            }
            gpu.queue.submit([enc.finish()]);
            rounds += ROUNDS_PER_BATCH;
            let c = read_counts(gpu, w)?;
            if c[OBSTACLES as usize] > w.capacity {
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

    /// Counts the deposited dots, then writes them into a buffer of that size.
    fn write_dots(&self, gpu: &Gpu, w: &ChunkWork) -> Result<DotChunk> {
        let d = &gpu.device;
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("count dots"),
        });
        enc.clear_buffer(&w.counts, ACCEPTED * WORD, Some(WORD));
        pass(&mut enc, &self.count_accepted, &[&w.g0, &w.g1], w.n);
        gpu.queue.submit([enc.finish()]);
        let count = read_counts(gpu, w)?[ACCEPTED as usize];
        let dots = storage_buffer(
            d,
            "dots",
            count as u64 * DOT_BYTES,
            U::STORAGE | U::COPY_SRC | U::VERTEX,
        );
        let g1w = bind(
            d,
            "write dots",
            &self.gen_bgl1,
            &[&w.cand, &w.state_a, &w.counts, &dots],
        );
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("write dots"),
        });
        enc.clear_buffer(&w.counts, WRITTEN * WORD, Some(WORD));
        pass(&mut enc, &self.write_dots, &[&w.g0, &g1w], w.n);
        gpu.queue.submit([enc.finish()]);
        Ok(DotChunk {
            buffer: dots,
            count,
        })
    }
}

/// One chunk's working buffers and bind groups while it is decided.
struct ChunkWork {
    n: u32,
    capacity: u32,
    heads_len: u64,
    cand: wgpu::Buffer,
    state_a: wgpu::Buffer,
    state_b: wgpu::Buffer,
    next: wgpu::Buffer,
    heads: wgpu::Buffer,
    counts: wgpu::Buffer,
    g0: wgpu::BindGroup,
    sp0: wgpu::BindGroup,
    g1: wgpu::BindGroup,
    ab: Option<wgpu::BindGroup>,
    ba: Option<wgpu::BindGroup>,
}

impl ChunkWork {
    fn ab(&self) -> &wgpu::BindGroup {
        self.ab.as_ref().expect("built with the chunk")
    }
    fn ba(&self) -> &wgpu::BindGroup {
        self.ba.as_ref().expect("built with the chunk")
    }
}

fn storage_buffer(d: &wgpu::Device, label: &str, bytes: u64, usage: U) -> wgpu::Buffer {
    d.create_buffer(&wgpu::BufferDescriptor {
        label: Some(label),
        // Zero-sized bindings are invalid.
        size: bytes.max(16),
        usage,
        mapped_at_creation: false,
    })
}

fn read_counts(gpu: &Gpu, w: &ChunkWork) -> Result<Vec<u32>> {
    let bytes = gpu.read_buffer(&w.counts, 0, COUNTERS * WORD)?;
    Ok(bytemuck::cast_slice(&bytes).to_vec())
}

enum ChunkOutcome {
    Done(DotChunk),
    NeedCapacity(u32),
}
