//! `scalp bench`: how many dots per second an adapter generates, ages and draws. Deterministic
//! scenes (the built-in head, a fixed seed, a fixed camera path and time scrub), GPU time per
//! pass from timestamp queries, whole-frame wall time with a synchronised wait.
use crate::ageing::age::AgedDots;
use crate::camera::{Camera, ViewPreset};
use crate::dots::generate::GpuDots;
use crate::error::Result;
use crate::gpu::timer::FrameTimer;
use crate::head::Head;
use crate::plan::Plan;
use crate::render::splat_compute::DotSums;
use crate::render::{auto_ssaa, HeadGpu, RenderSettings, SplatPath, Targets};
use crate::{
    engine::{output_texture, Engine},
    treatment::Treatment,
};
use glam::{Quat, Vec3};
use serde::Serialize;
use std::time::Instant;

#[derive(Clone, Debug)]
pub struct BenchConfig {
    pub dots: Vec<u64>,
    pub sizes: Vec<(u32, u32)>,
    /// Frames measured per case, after `warmup` frames that are not.
    pub frames: u32,
    pub warmup: u32,
    pub paths: Vec<SplatPath>,
    /// Supersampling per axis; 0 picks as `scalp render` does (2 up to 4 MP, else 1).
    pub ssaa: u32,
    /// Where the compute path sums each dot's pixels.
    pub sums: DotSums,
    /// Skip a dot count whose generation, extrapolated from the previous count's rate, would
    /// take longer than this many seconds (10⁸ dots on a CPU driver take hours).
    pub max_generate_s: f64,
    /// Draw the client's own hair (shafts under the skin, hairs above), as `scalp render`
    /// does; false: the same dots on his bare scalp (what a peer's scene of head and points
    /// holds).
    pub hair: bool,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            dots: vec![10_000, 100_000, 1_000_000, 10_000_000, 100_000_000],
            sizes: vec![(1280, 960), (3840, 2160)],
            frames: 30,
            warmup: 3,
            paths: vec![SplatPath::Raster, SplatPath::Compute],
            ssaa: 0,
            sums: DotSums::Auto,
            max_generate_s: 600.0,
            hair: true,
        }
    }
}

/// One (dot count, resolution) case.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    pub dots_requested: u64,
    pub dots: u64,
    /// The client's own hairs on the head drawn (0 with `hair` off, or a plan without hair).
    pub client_hairs: u32,
    pub width: u32,
    pub height: u32,
    pub supersampling: u32,
    pub path: SplatPath,
    /// Whether the compute path ran its workgroup-memory entry (`DotSums`); false on the
    /// raster path.
    pub workgroup_sums: bool,
    /// Wall time of the candidates' layout and the hair grid on the CPU (`Layout::cpu_ms`), ms:
    /// the first part of generating the dots.
    pub layout_ms: f64,
    /// Wall time of the rest of the generation (uploads, each chunk's submission and its
    /// readback), ms.
    pub generate_ms: f64,
    /// Median GPU time per pass over the measured frames, ms (None without timestamps).
    pub age_ms: Option<f64>,
    /// The age pass alone, submitted and waited for, wall clock, median of the measured frames
    /// (a check on the timestamps: lavapipe's read implausibly low inside a frame).
    pub age_wall_ms: f64,
    pub skin_ms: Option<f64>,
    pub splat_ms: Option<f64>,
    pub composite_ms: Option<f64>,
    /// The client's own hair: the shafts seen through the skin and the hairs above it (the
    /// default plan's client has hair on the sides and back, as `scalp render` draws him).
    pub hair_ms: Option<f64>,
    /// Whole frame (age + render, submitted and waited for), wall clock, ms.
    pub frame_ms_p50: f64,
    pub frame_ms_p95: f64,
    pub frame_ms_p99: f64,
    /// Dots over the layout's and the GPU generation's time together.
    pub generate_dots_per_second: f64,
    /// Dots aged per second (the age pass alone, wall clock).
    pub age_dots_per_second: f64,
    /// Dots drawn per second of splat-pass GPU time, or of frame time without timestamps.
    pub draw_dots_per_second: f64,
    /// Bytes each dot occupies on the GPU (dot record + appearance).
    pub bytes_per_dot: u64,
    /// GPU memory this case allocated for dots, appearances and render targets, bytes.
    pub gpu_memory_bytes: u64,
    /// Memory bandwidth the lower bounds assume, GB/s (None: unknown, no bounds).
    pub bandwidth_gbs: Option<f64>,
    /// Lower bounds per pass from the bytes each must move at that bandwidth, ms: age reads
    /// and writes every dot (64 B); splat reads every dot and writes the density target once;
    /// skin writes its four targets and depth; composite reads them and writes the output.
    pub age_bound_ms: Option<f64>,
    pub skin_bound_ms: Option<f64>,
    pub splat_bound_ms: Option<f64>,
    pub composite_bound_ms: Option<f64>,
}

/// Bytes each pass must move at least (see [`BenchResult::age_bound_ms`]).
pub fn pass_bytes(dots: u64, vertices: u64, out: (u32, u32), ssaa: u32) -> [u64; 4] {
    let internal = (out.0 * ssaa) as u64 * (out.1 * ssaa) as u64;
    let output = out.0 as u64 * out.1 as u64;
    [
        dots * 64,
        vertices * 28 + internal * (3 * 8 + 4),
        dots * 64 + internal * 8,
        internal * 4 * 8 + output * 4,
    ]
}

/// Host memory bandwidth, GB/s (bytes read + written per second) from the best of a few
/// 128 MiB copies: what a CPU adapter's "GPU memory" runs at.
pub fn host_bandwidth_gbs() -> f64 {
    let n = 128usize << 20;
    let src = vec![1u8; n];
    let mut dst = vec![0u8; n];
    let mut best = f64::INFINITY;
    for _ in 0..4 {
        let t = Instant::now();
        dst.copy_from_slice(&src);
        std::hint::black_box(&dst);
        best = best.min(t.elapsed().as_secs_f64());
    }
    2.0 * n as f64 / best / 1e9
}

fn percentile(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() - 1) as f64 * p).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    percentile(&v, 0.5)
}

/// What `run` measured, and the dot counts it left out with the reason.
pub struct BenchReport {
    pub results: Vec<BenchResult>,
    pub skipped: Vec<String>,
}

/// Runs every case; `progress(done, total, what)` is called before each step. A dot count that
/// does not fit the memory budget, or whose generation would take longer than
/// `config.max_generate_s` at the rate measured for the previous count, is skipped and said so.
pub fn run(
    engine: &Engine,
    head: &Head,
    config: &BenchConfig,
    bandwidth_gbs: Option<f64>,
    mut progress: impl FnMut(u64, u64, &str),
) -> Result<BenchReport> {
    let gpu = &engine.gpu;
    let plan = Plan::default();
    let mut bench = Bench {
        engine,
        head,
        head_gpu: HeadGpu::new(gpu, head),
        timer: FrameTimer::new(gpu),
        config,
        bandwidth_gbs,
    };
    let per_case = (config.warmup + config.frames) as u64 + 1;
    let cases = config.sizes.len() as u64 * config.paths.len() as u64;
    let mut steps = Steps {
        done: 0,
        total: config.dots.len() as u64 * (1 + cases * per_case),
        report: &mut progress,
    };
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut rate: Option<f64> = None;
    for &n in &config.dots {
        steps.say(&format!("generating {n} dots"));
        if let Some(r) = rate {
            let eta = n as f64 / r;
            if eta > config.max_generate_s {
                skipped.push(format!(
                    "{n} dots: generating would take about {eta:.0} s at the {r:.0} dots/s just \
                     measured (limit {:.0} s)",
                    config.max_generate_s
                ));
                steps.done += 1 + cases * per_case;
                continue;
            }
        }
        let t = Treatment::new(head, &plan, Some(n))?;
        // His own hair, as `scalp render` draws him (the same for every count).
        if config.hair {
            t.set_hairs(gpu, head, &mut bench.head_gpu);
        }
        let t0 = Instant::now();
        let dots = match engine.generate(head, &t) {
            Ok(d) => d,
            Err(e @ crate::error::ScalpError::TooLarge { .. }) => {
                skipped.push(format!("{n} dots: {e}"));
                steps.done += 1 + cases * per_case;
                continue;
            }
            Err(e) => return Err(e),
        };
        gpu.wait()?;
        let generate_ms = t0.elapsed().as_secs_f64() * 1e3;
        let layout_ms = t.layout.cpu_ms();
        rate = Some(dots.total() as f64 / ((layout_ms + generate_ms) / 1e3).max(1e-9));
        steps.done += 1;
        let mut aged = engine.ager.allocate(gpu, &dots);
        for (&size, &path) in config
            .sizes
            .iter()
            .flat_map(|s| config.paths.iter().map(move |p| (s, p)))
        {
            let case = Case {
                requested: n,
                treatment: &t,
                dots: &dots,
                size,
                path,
                generate_ms,
            };
            let samples = bench.measure(&case, &mut aged, &mut steps)?;
            out.push(bench.result(&case, samples));
            steps.done += 1;
        }
    }
    steps.done = steps.total;
    steps.say("done");
    Ok(BenchReport {
        results: out,
        skipped,
    })
}

/// What every case of a run shares.
struct Bench<'a> {
    engine: &'a Engine,
    head: &'a Head,
    head_gpu: HeadGpu,
    timer: Option<FrameTimer>,
    config: &'a BenchConfig,
    bandwidth_gbs: Option<f64>,
}

/// One (dot count, resolution, path) case.
struct Case<'a> {
    requested: u64,
    treatment: &'a Treatment,
    dots: &'a GpuDots,
    size: (u32, u32),
    path: SplatPath,
    /// Wall time of the dots' generation, ms.
    generate_ms: f64,
}

/// The measured frames of a case, ms.
struct Samples {
    ssaa: u32,
    /// Whole frames, sorted.
    frame_ms: Vec<f64>,
    /// The age pass alone.
    age_wall_ms: Vec<f64>,
    /// GPU time per pass (age, skin, splat, composite) when the adapter has timestamps.
    pass_ms: [Vec<f64>; crate::gpu::timer::PASSES.len()],
}

/// The progress of a run: steps done of all, and where they are reported.
struct Steps<'a> {
    done: u64,
    total: u64,
    report: &'a mut dyn FnMut(u64, u64, &str),
}

impl Steps<'_> {
    fn say(&mut self, what: &str) {
        (self.report)(self.done, self.total, what);
    }
}

impl Bench<'_> {
    /// Draws the case's frames, the warm-up first: a fixed path, one turn around the head
    /// while scrubbing ten years. One step per frame.
    fn measure(&self, case: &Case, aged: &mut AgedDots, steps: &mut Steps) -> Result<Samples> {
        let (engine, gpu, timer) = (self.engine, &self.engine.gpu, self.timer.as_ref());
        let (w, h) = case.size;
        let ssaa = auto_ssaa((w, h), self.config.ssaa);
        let targets = Targets::new(gpu, (w, h), ssaa)?;
        let output = output_texture(gpu, (w, h), wgpu::TextureUsages::empty());
        let view = output.create_view(&Default::default());
        let base = Camera::framing(
            ViewPreset::ThreeQuarter,
            &self.head_gpu.outline,
            w as f32 / h as f32,
        );
        let settings = RenderSettings {
            path: case.path,
            sums: self.config.sums,
            ..Default::default()
        };
        let (t, dots) = (case.treatment, case.dots);
        let mut s = Samples {
            ssaa,
            frame_ms: Vec::new(),
            age_wall_ms: Vec::new(),
            pass_ms: Default::default(),
        };
        let frames = self.config.warmup + self.config.frames;
        for f in 0..frames {
            if f % 5 == 0 {
                let n = case.requested;
                steps.say(&format!("{n} dots at {w}x{h}, frame {f}/{frames}"));
            }
            let turn = f as f32 / frames as f32;
            let rot = Quat::from_rotation_y(turn * std::f32::consts::TAU);
            let camera = Camera {
                eye: base.target + rot * (base.eye - base.target),
                up: Vec3::Y,
                ..base
            };
            let years = t.healed_years() + 10.0 * turn;
            let start = Instant::now();
            let params = t.age_params(years);
            engine.ager.age_into_timed(gpu, dots, aged, params, timer)?;
            engine.renderer.render_timed(
                gpu,
                &self.head_gpu,
                Some((dots, aged)),
                &camera,
                &settings,
                &targets,
                &view,
                timer,
            )?;
            gpu.wait()?;
            let wall = start.elapsed().as_secs_f64() * 1e3;
            if f >= self.config.warmup {
                s.frame_ms.push(wall);
                let start = Instant::now();
                engine.ager.age_into(gpu, dots, aged, t.age_params(years))?;
                gpu.wait()?;
                s.age_wall_ms.push(start.elapsed().as_secs_f64() * 1e3);
                if let Some(timer) = timer {
                    for (i, v) in timer.read(gpu)?.iter().enumerate() {
                        s.pass_ms[i].push(*v);
                    }
                }
            }
            steps.done += 1;
        }
        s.frame_ms.sort_by(f64::total_cmp);
        Ok(s)
    }

    /// The case's numbers from its samples.
    fn result(&self, case: &Case, s: Samples) -> BenchResult {
        let (w, h) = case.size;
        let (ssaa, frame_ms) = (s.ssaa, &s.frame_ms);
        let pass = |i: usize| self.timer.as_ref().map(|_| median(s.pass_ms[i].clone()));
        let (age, splat) = (pass(0), pass(2));
        let draw_s = match splat {
            Some(s) if s > 0.0 => s / 1e3,
            _ => percentile(frame_ms, 0.5) / 1e3,
        };
        let age_wall_ms = median(s.age_wall_ms.clone());
        let bytes_per_dot = (std::mem::size_of::<crate::dots::Dot>()
            + std::mem::size_of::<crate::ageing::Appearance>()) as u64;
        let dots = case.dots.total();
        let vertices = self.head.mesh.positions.len() as u64;
        let moved = pass_bytes(dots, vertices, (w, h), ssaa);
        let bound = |i: usize| {
            self.bandwidth_gbs
                .map(|b| moved[i] as f64 / (b * 1e9) * 1e3)
        };
        let internal = (w * ssaa) as u64 * (h * ssaa) as u64;
        BenchResult {
            dots_requested: case.requested,
            dots,
            client_hairs: self.head_gpu.hair_count,
            width: w,
            height: h,
            supersampling: ssaa,
            path: case.path,
            workgroup_sums: case.path == SplatPath::Compute
                && self
                    .config
                    .sums
                    .min_overlap(dots, self.engine.gpu.is_cpu())
                    .is_some(),
            layout_ms: case.treatment.layout.cpu_ms(),
            generate_ms: case.generate_ms,
            age_ms: age,
            age_wall_ms,
            skin_ms: pass(1),
            splat_ms: splat,
            composite_ms: pass(3),
            hair_ms: pass(4),
            frame_ms_p50: percentile(frame_ms, 0.5),
            frame_ms_p95: percentile(frame_ms, 0.95),
            frame_ms_p99: percentile(frame_ms, 0.99),
            generate_dots_per_second: dots as f64
                / ((case.treatment.layout.cpu_ms() + case.generate_ms) / 1e3).max(1e-9),
            age_dots_per_second: dots as f64 / (age_wall_ms / 1e3).max(1e-9),
            draw_dots_per_second: dots as f64 / draw_s.max(1e-9),
            bytes_per_dot,
            gpu_memory_bytes: dots * bytes_per_dot
                + internal * crate::render::TARGET_BYTES_PER_PIXEL
                + w as u64 * h as u64 * crate::render::OUTPUT_BYTES_PER_PIXEL,
            bandwidth_gbs: self.bandwidth_gbs,
            age_bound_ms: bound(0),
            skin_bound_ms: bound(1),
            splat_bound_ms: bound(2),
            composite_bound_ms: bound(3),
        }
    }
}
