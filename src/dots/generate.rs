//! The dot generation pass on the GPU (`generate.wgsl`): a chunk's candidates (its own and its
//! halo's) drawn from (seed, id), decided by the spacing pass (`spacing.rs`), then its own dots
//! given their places in id order (`scan.rs`) and written. A chunk is one submission with no
//! readback inside; only its dot count is read once it is done, to keep its dots in a buffer of
//! their size. Pipelines are built once ([`DotGenerator`]); each plan's dots live in
//! [`GpuDots`], one buffer per chunk.
use super::compute::{
    bind, bind_at, params, pass, pipeline_layout, specialised, storage, storage_buffer, Recorder,
};
use super::scan::{block_count, ScanPass};
use super::spacing::{spacing_bytes, SpacingBuffers, SpacingPass, WORD};
use super::variant::Variant;
use crate::dots::{Dot, Layout};
use crate::error::{Result, ScalpError};
use crate::gpu::Gpu;
use crate::head::Mesh;
use crate::shaders;
use crate::zone::Zone;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use wgpu::BufferUsages as U;

/// Candidates per row of the work table's block index: `work_entry` in generate.wgsl searches
/// only the triangles of a candidate's block.
pub const BLOCK: u32 = 64;
/// Where in the totals buffer (after the cells' and the dots' totals) `index_dots` writes
/// `write_dots`' indirect dispatch (x, y, z workgroups).
pub const DISPATCH_SLOT: u32 = 2;
/// Words of the totals buffer.
const TOTALS_WORDS: u64 = DISPATCH_SLOT as u64 + 3;

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
    cand_bgl1: wgpu::BindGroupLayout,
    dots_bgl1: wgpu::BindGroupLayout,
    write_bgl1: wgpu::BindGroupLayout,
    module: wgpu::ShaderModule,
    cand_layout: wgpu::PipelineLayout,
    dots_layout: wgpu::PipelineLayout,
    write_layout: wgpu::PipelineLayout,
    /// The generation pipelines of each plan variant met so far (built on first use).
    variants: Mutex<HashMap<Variant, Arc<GenPipelines>>>,
    spacing: SpacingPass,
    scan: ScanPass,
}

/// The generation pass's pipelines for one [`Variant`].
struct GenPipelines {
    generate: wgpu::ComputePipeline,
    flag_dots: wgpu::ComputePipeline,
    index_dots: wgpu::ComputePipeline,
    write_dots: wgpu::ComputePipeline,
}

/// Bytes of GPU memory a chunk of `work` candidates, `own` of them its own, needs while it is
/// decided: the spacing's buffers, the dots' places and candidates, a dot per own candidate.
pub fn chunk_work_bytes(work: u64, own: u64) -> u64 {
    spacing_bytes(work) + own * (2 * WORD + DOT_BYTES)
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
            ],
        });
        // Candidates: position, id, first state, the work table.
        let cand_bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("generate candidates"),
            entries: &[
                storage(0, false),
                storage(1, false),
                storage(2, false),
                storage(3, true),
            ],
        });
        // Flagging and indexing the dots: positions, last state, places, each dot's
        // candidate, the totals.
        let dots_bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("generate dots"),
            entries: &[
                storage(0, false),
                storage(2, false),
                storage(4, false),
                storage(6, false),
                storage(7, false),
            ],
        });
        // Writing them: the work table, dots, each dot's candidate, the totals (read-only: the
        // dispatch reads them too).
        let write_bgl1 = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("write dots"),
            entries: &[
                storage(3, true),
                storage(5, false),
                storage(6, false),
                storage(8, true),
            ],
        });
        let layout = |label, bgl1| pipeline_layout(d, label, &[&gen_bgl0, bgl1]);
        let cand_layout = layout("generate candidates", &cand_bgl1);
        let dots_layout = layout("generate dots", &dots_bgl1);
        let write_layout = layout("write dots", &write_bgl1);
        DotGenerator {
            module: gen_module,
            cand_layout,
            dots_layout,
            write_layout,
            write_bgl1,
            variants: Mutex::new(HashMap::new()),
            spacing: SpacingPass::new(gpu),
            scan: ScanPass::new(gpu),
            gen_bgl0,
            cand_bgl1,
            dots_bgl1,
        }
    }

    /// The pipelines of `v`, built the first time a plan needs them.
    fn pipelines(&self, gpu: &Gpu, v: Variant) -> Arc<GenPipelines> {
        let mut map = self.variants.lock().unwrap_or_else(|e| e.into_inner());
        map.entry(v)
            .or_insert_with(|| {
                let c = v.constants();
                let t0 = std::time::Instant::now();
                let p = GenPipelines {
                    generate: specialised(gpu, &self.cand_layout, &self.module, "generate", &c),
                    flag_dots: specialised(gpu, &self.dots_layout, &self.module, "flag_dots", &c),
                    index_dots: specialised(gpu, &self.dots_layout, &self.module, "index_dots", &c),
                    write_dots: specialised(
                        gpu,
                        &self.write_layout,
                        &self.module,
                        "write_dots",
                        &c,
                    ),
                };
                log::debug!(
                    "generation pipelines for {v:?} built in {:.0} ms",
                    t0.elapsed().as_secs_f64() * 1e3
                );
                Arc::new(p)
            })
            .clone()
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
        // Refuse what cannot fit before touching the GPU: the largest chunk's lists must fit
        // one storage binding, its working set and the dots the memory budget.
        let binding_limit = gpu.storage_binding_limit();
        let work = layout
            .params
            .iter()
            .map(|p| p.work_count as u64)
            .max()
            .unwrap_or(0);
        let own = layout
            .params
            .iter()
            .map(|p| p.cand_count as u64)
            .max()
            .unwrap_or(0);
        let per_binding = (work * super::spacing::LIST_WORDS as u64 * WORD).max(own * DOT_BYTES);
        if per_binding > binding_limit {
            return Err(ScalpError::TooLarge {
                what: "a generation chunk's conflict lists".into(),
                needed: per_binding,
                allowed: binding_limit,
                hint: "this adapter's max_storage_buffer_binding_size".into(),
            });
        }
        let expected_dot_bytes = (layout.expected_dots * 1.02) as u64 * DOT_BYTES;
        let budget = crate::gpu::memory_budget(&gpu.info);
        let needed = expected_dot_bytes + chunk_work_bytes(work, own);
        if needed > budget {
            return Err(ScalpError::TooLarge {
                what: format!("{:.0} dots", layout.expected_dots),
                needed,
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
            self.generate_unchecked(gpu, mesh, exposure, layout, zone, (work, own), progress)
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn generate_unchecked(
        &self,
        gpu: &Gpu,
        mesh: &Mesh,
        exposure: &[f32],
        layout: &Layout,
        zone: &Zone,
        (work, own): (u64, u64),
        progress: &dyn Fn(usize, usize),
    ) -> Result<GpuDots> {
        let d = &gpu.device;
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
        let tbuf = gpu.upload("candidate triangles", &layout.gpu_triangles(), U::STORAGE);
        // The boundary table, then the hair roots (generate.wgsl `hair_word`): one binding.
        let mut words: Vec<u32> = zone.boundary.iter().map(|b| b.to_bits()).collect();
        let mut hair = layout.hair.gpu_words();
        if let Some(near) = &layout.hair_near {
            near.append_gpu_words(&mut hair);
        }
        words.extend(hair);
        let bytes = (words.len() * std::mem::size_of::<u32>()) as u64;
        let allowed = gpu.storage_binding_limit();
        if bytes > allowed {
            return Err(ScalpError::TooLarge {
                what: "the client's hair roots and their lists per triangle".into(),
                needed: bytes,
                allowed,
                hint: "this adapter's max_storage_buffer_binding_size".into(),
            });
        }
        let bbuf = gpu.upload("hairline boundary and hair roots", &words, U::STORAGE);
        let zone_gpu = zone.to_gpu();
        let zbuf = gpu.params("zone params", &zone_gpu);

        // Working buffers, shared by every chunk (each chunk's commands follow the last's).
        let sb = SpacingBuffers::new(d, work);
        let places = storage_buffer(d, "dot places", own * WORD, U::STORAGE);
        let scratch = storage_buffer(d, "chunk dots", own * DOT_BYTES, U::STORAGE | U::COPY_SRC);
        let blocks = block_count(sb.bucket_mask() + 1).max(block_count(own as u32)) as u64;
        let block_sums = storage_buffer(d, "scan block sums", blocks * WORD, U::STORAGE);
        let totals = storage_buffer(
            d,
            "scan totals and the dots' dispatch",
            TOTALS_WORDS * WORD,
            U::STORAGE | U::COPY_SRC | U::INDIRECT,
        );
        let dot_of = storage_buffer(d, "each dot's candidate", own * WORD, U::STORAGE);

        let mut chunks: Vec<DotChunk> = Vec::new();
        for (ci, base) in layout.params.iter().enumerate() {
            progress(ci, layout.params.len());
            if base.work_count == 0 {
                chunks.push(DotChunk {
                    buffer: storage_buffer(d, "dots", 0, U::STORAGE | U::COPY_SRC | U::VERTEX),
                    count: 0,
                });
                continue;
            }
            let t0 = std::time::Instant::now();
            let mut params = *base;
            params.bucket_mask = sb.bucket_mask();
            let pbuf = gpu.params("chunk params", &params);
            let table = work_table(layout, ci);
            let wbuf = gpu.upload("chunk work table", &table, U::STORAGE);
            let g0 = bind(
                d,
                "generate static",
                &self.gen_bgl0,
                &[&pbuf, &zbuf, &vbuf, &tbuf, &bbuf],
            );
            let g_cand = bind(
                d,
                "generate candidates",
                &self.cand_bgl1,
                &[&sb.cand, &sb.ids, &sb.state_a, &wbuf],
            );
            let g_dots = bind_at(
                d,
                "generate dots",
                &self.dots_bgl1,
                &[
                    (0, &sb.cand),
                    (2, &sb.state_a),
                    (4, &places),
                    (6, &dot_of),
                    (7, &totals),
                ],
            );
            let g_write = bind_at(
                d,
                "write dots",
                &self.write_bgl1,
                &[(3, &wbuf), (5, &scratch), (6, &dot_of), (8, &totals)],
            );
            let sp = self.spacing.chunk(
                gpu,
                &self.scan,
                &sb,
                &pbuf,
                params.work_count,
                &block_sums,
                &totals,
            );
            let place_scan =
                self.scan
                    .prepare(gpu, params.cand_count, &places, &block_sums, &totals, 1);

            let pipes = self.pipelines(
                gpu,
                Variant::of(
                    &params,
                    &zone_gpu,
                    !layout.hair.is_empty(),
                    layout.hair_near.is_some(),
                ),
            );
            let mut rec = Recorder::new(gpu);
            pass(
                rec.enc(),
                &pipes.generate,
                &[&g0, &g_cand],
                params.work_count,
            );
            rec.mark("candidates")?;
            self.spacing.record(&mut rec, &self.scan, &sb, &sp)?;
            pass(
                rec.enc(),
                &pipes.flag_dots,
                &[&g0, &g_dots],
                params.cand_count,
            );
            rec.mark("flag dots")?;
            self.scan.record(rec.enc(), &place_scan);
            rec.mark("scan places")?;
            pass(
                rec.enc(),
                &pipes.index_dots,
                &[&g0, &g_dots],
                params.cand_count,
            );
            rec.mark("index dots")?;
            {
                let mut cp = rec.enc().begin_compute_pass(&wgpu::ComputePassDescriptor {
                    label: Some("write dots"),
                    timestamp_writes: None,
                });
                cp.set_pipeline(&pipes.write_dots);
                cp.set_bind_group(0, &g0, &[]);
                cp.set_bind_group(1, &g_write, &[]);
                cp.dispatch_workgroups_indirect(&totals, DISPATCH_SLOT as u64 * WORD);
            }
            rec.mark("write dots")?;
            let stages = rec.submit();
            if !stages.is_empty() {
                let list: Vec<String> = stages
                    .iter()
                    .map(|(n, ms)| format!("{n} {ms:.0} ms"))
                    .collect();
                log::debug!(target: "scalp::dots::profile", "chunk {ci}: {}", list.join(", "));
            }

            // The chunk's dots into a buffer of their size: one small readback per chunk.
            let count = bytemuck::cast_slice::<u8, u32>(&gpu.read_buffer(&totals, WORD, WORD)?)[0];
            let buffer = storage_buffer(
                d,
                "dots",
                count as u64 * DOT_BYTES,
                U::STORAGE | U::COPY_SRC | U::COPY_DST | U::VERTEX,
            );
            let mut enc = d.create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("keep chunk dots"),
            });
            enc.copy_buffer_to_buffer(&scratch, 0, &buffer, 0, count as u64 * DOT_BYTES);
            gpu.queue.submit([enc.finish()]);
            log::debug!(
                "chunk {ci}: {} own candidates, {} with the halo, {count} dots, {:.0} ms",
                params.cand_count,
                params.work_count,
                t0.elapsed().as_secs_f64() * 1e3
            );
            chunks.push(DotChunk { buffer, count });
        }
        gpu.wait()?;
        Ok(GpuDots { chunks })
    }
}

/// Chunk `ci`'s work table: per triangle with candidates, its own first then its halo's,
/// (triangle, first local index, first id, 0), as generate.wgsl `work_entry` searches it; then,
/// four to a row, for each [`BLOCK`] local candidates (and one past the last) the entry the
/// block's first candidate lies in.
pub fn work_table(layout: &Layout, ci: usize) -> Vec<[u32; 4]> {
    let p = &layout.params[ci];
    let first = |t: usize| if t == 0 { 0 } else { layout.cand_cum[t - 1] };
    let own = p.tri_start as usize..p.tri_end as usize;
    let mut table = Vec::new();
    let mut local = 0u32;
    for t in own.chain(layout.halos[ci].iter().map(|&t| t as usize)) {
        let n = layout.cand_cum[t] - first(t);
        if n > 0 {
            table.push([t as u32, local, first(t), 0]);
            local += n;
        }
    }
    debug_assert_eq!(local, p.work_count);
    debug_assert_eq!(table.len() as u32, p.work_tris);
    let entries = table.len();
    let blocks = p.work_count.div_ceil(BLOCK) as usize + 1;
    let mut index = Vec::with_capacity(blocks);
    let mut e = 0usize;
    for b in 0..blocks {
        let k = (b as u32 * BLOCK).min(p.work_count.saturating_sub(1));
        while e + 1 < entries && table[e + 1][1] <= k {
            e += 1;
        }
        index.push(e as u32);
    }
    for row in index.chunks(4) {
        let mut r = [0u32; 4];
        r[..row.len()].copy_from_slice(row);
        table.push(r);
    }
    table
}
