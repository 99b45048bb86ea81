//! The dot generation pass on the GPU (`generate.wgsl`): candidates drawn from (seed, id), then,
//! once the spacing pass (`spacing.rs`) has decided them, the kept ones counted and written in
//! id order. Pipelines are built once ([`DotGenerator`]); each plan's dots live in [`GpuDots`],
//! one buffer per chunk.
use super::compute::{bind, params, pass, pipeline, storage, storage_buffer};
pub use super::spacing::chunk_work_bytes;
use super::spacing::{SpacingPass, SpacingState, ACCEPTED, CANDIDATE_BYTES, WORD, WRITTEN};
use crate::dots::{Dot, GenParams, Layout};
use crate::error::{Result, ScalpError};
use crate::gpu::Gpu;
use crate::head::Mesh;
use crate::shaders;
use crate::zone::Zone;
use wgpu::BufferUsages as U;

/// Bytes of a dot on the GPU.
const DOT_BYTES: u64 = std::mem::size_of::<Dot>() as u64;
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
    generate: wgpu::ComputePipeline,
    count_accepted: wgpu::ComputePipeline,
    write_dots: wgpu::ComputePipeline,
    spacing: SpacingPass,
}

impl DotGenerator {
    pub fn new(gpu: &Gpu) -> DotGenerator {
        let d = &gpu.device;
        let gen_module = shaders::module(d, "generate.wgsl", &shaders::generate());
        let gen_bgl0 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("generate static"),
            entries: &[
                params(0),
                params(1),
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
        let gen_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("generate"),
            bind_group_layouts: &[Some(&gen_bgl0), Some(&gen_bgl1)],
            immediate_size: 0,
        });
        DotGenerator {
            generate: pipeline(d, &gen_layout, &gen_module, "generate"),
            count_accepted: pipeline(d, &gen_layout, &gen_module, "count_accepted"),
            write_dots: pipeline(d, &gen_layout, &gen_module, "write_dots"),
            spacing: SpacingPass::new(d),
            gen_bgl0,
            gen_bgl1,
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
        let zbuf = gpu.params("zone params", &zone.to_gpu());
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
        let rounds = match self.spacing.rounds(gpu, &w.sp)? {
            Ok(rounds) => rounds,
            Err(needed) => return Ok(ChunkOutcome::NeedCapacity(needed)),
        };
        let t_rounds = t0.elapsed() - t_candidates;
        let chunk = self.write_dots(gpu, &w)?;
        log::debug!(
            "chunk at {}: {} candidates, {} dots, {rounds} rounds; candidates + grid {:.0} ms, \
             spacing rounds {:.0} ms, count + write {:.0} ms (wall, synchronised)",
            base.cand_start,
            w.sp.n,
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
        let [vbuf, tbuf, cbuf, bbuf, zbuf] = statics;
        let mut params = *base;
        let (sp, pbuf) = self
            .spacing
            .state(gpu, &mut params, capacity, zbuf, dummy_dots);
        let g0 = bind(
            d,
            "generate static",
            &self.gen_bgl0,
            &[&pbuf, zbuf, vbuf, tbuf, cbuf, bbuf],
        );
        let g1 = bind(
            d,
            "generate chunk",
            &self.gen_bgl1,
            &[&sp.cand, &sp.state_a, &sp.counts, dummy_dots],
        );
        ChunkWork { sp, g0, g1 }
    }

    /// Candidates, thinning, the grid, and earlier chunks' dots nearby as obstacles.
    fn candidates(&self, gpu: &Gpu, w: &ChunkWork, earlier: &[&DotChunk]) -> Result<()> {
        let d = &gpu.device;
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("generate chunk"),
        });
        enc.clear_buffer(&w.sp.counts, 0, None);
        pass(&mut enc, &self.generate, &[&w.g0, &w.g1], w.sp.n);
        let earlier: Vec<(&wgpu::Buffer, u32)> =
            earlier.iter().map(|c| (&c.buffer, c.count)).collect();
        self.spacing.grid(d, &mut enc, &w.sp, &earlier);
        gpu.queue.submit([enc.finish()]);
        gpu.wait()
    }

    /// Counts the deposited dots, then writes them into a buffer of that size.
    fn write_dots(&self, gpu: &Gpu, w: &ChunkWork) -> Result<DotChunk> {
        let d = &gpu.device;
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("count dots"),
        });
        enc.clear_buffer(&w.sp.counts, ACCEPTED * WORD, Some(WORD));
        pass(&mut enc, &self.count_accepted, &[&w.g0, &w.g1], w.sp.n);
        gpu.queue.submit([enc.finish()]);
        let count = w.sp.read_counts(gpu)?[ACCEPTED as usize];
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
            &[&w.sp.cand, &w.sp.state_a, &w.sp.counts, &dots],
        );
        let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("write dots"),
        });
        enc.clear_buffer(&w.sp.counts, WRITTEN * WORD, Some(WORD));
        pass(&mut enc, &self.write_dots, &[&w.g0, &g1w], w.sp.n);
        gpu.queue.submit([enc.finish()]);
        Ok(DotChunk {
            buffer: dots,
            count,
        })
    }
}

/// One chunk's working buffers and bind groups while it is decided.
struct ChunkWork {
    sp: SpacingState,
    g0: wgpu::BindGroup,
    g1: wgpu::BindGroup,
}

enum ChunkOutcome {
    Done(DotChunk),
    NeedCapacity(u32),
}
