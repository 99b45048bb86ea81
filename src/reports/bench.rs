//! `scalp bench`: how many dots per second an adapter generates, ages and draws. Deterministic
//! scenes (the built-in head, a fixed seed, a fixed camera path and time scrub), GPU time per
//! pass from timestamp queries, whole-frame wall time with a synchronised wait.
use crate::camera::{Camera, ViewPreset};
use crate::error::Result;
use crate::gpu::timer::FrameTimer;
use crate::head::Head;
use crate::plan::Plan;
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
    /// Skip a dot count whose generation, extrapolated from the previous count's rate, would
    /// take longer than this many seconds (10⁸ dots on a CPU driver take hours).
    pub max_generate_s: f64,
}

impl Default for BenchConfig {
    fn default() -> Self {
        BenchConfig {
            dots: vec![10_000, 100_000, 1_000_000, 10_000_000, 100_000_000],
            sizes: vec![(1280, 960), (3840, 2160)],
            frames: 30,
            warmup: 3,
            paths: vec![SplatPath::Raster, SplatPath::Compute],
            max_generate_s: 600.0,
        }
    }
}

/// One (dot count, resolution) case.
#[derive(Clone, Debug, Serialize)]
pub struct BenchResult {
    pub dots_requested: u64,
    pub dots: u64,
    pub width: u32,
    pub height: u32,
    pub supersampling: u32,
    pub path: SplatPath,
    /// Wall time of the whole generation (several submissions with readbacks), ms.
    pub generate_ms: f64,
    /// Median GPU time per pass over the measured frames, ms (None without timestamps).
    pub age_ms: Option<f64>,
    /// The age pass alone, submitted and waited for, wall clock, median of the measured frames
    /// (a check on the timestamps: lavapipe's read implausibly low inside a frame).
    pub age_wall_ms: f64,
    pub skin_ms: Option<f64>,
    pub splat_ms: Option<f64>,
    pub composite_ms: Option<f64>,
    /// Whole frame (age + render, submitted and waited for), wall clock, ms.
    pub frame_ms_p50: f64,
    pub frame_ms_p95: f64,
    pub frame_ms_p99: f64,
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
    let head_gpu = HeadGpu::new(gpu, head);
    let timer = FrameTimer::new(gpu);
    let per_case = (config.warmup + config.frames) as u64 + 1;
    let cases = config.sizes.len() as u64 * config.paths.len() as u64;
    let total = config.dots.len() as u64 * (1 + cases * per_case);
    let mut done = 0u64;
    let mut out = Vec::new();
    let mut skipped = Vec::new();
    let mut rate: Option<f64> = None;
    for &n in &config.dots {
        progress(done, total, &format!("generating {n} dots"));
        if let Some(r) = rate {
            let eta = n as f64 / r;
            if eta > config.max_generate_s {
                skipped.push(format!(
                    "{n} dots: generating would take about {eta:.0} s at the {r:.0} dots/s just \
                     measured (limit {:.0} s)",
                    config.max_generate_s
                ));
                done += 1 + cases * per_case;
                continue;
            }
        }
        let t = Treatment::new(head, &plan, Some(n))?;
        let t0 = Instant::now();
        let dots = match engine.generate(head, &t) {
            Ok(d) => d,
            Err(e @ crate::error::ScalpError::TooLarge { .. }) => {
                skipped.push(format!("{n} dots: {e}"));
                done += 1 + cases * per_case;
                continue;
            }
            Err(e) => return Err(e),
        };
        gpu.wait()?;
        let generate_ms = t0.elapsed().as_secs_f64() * 1e3;
        rate = Some(dots.total() as f64 / (generate_ms / 1e3).max(1e-9));
        done += 1;
        let mut aged = engine.ager.allocate(gpu, &dots);
        for (&(w, h), &path) in config
            .sizes
            .iter()
            .flat_map(|s| config.paths.iter().map(move |p| (s, p)))
        {
            let ssaa = auto_ssaa((w, h), 0);
            let targets = Targets::new(gpu, (w, h), ssaa)?;
            let output = output_texture(gpu, (w, h), wgpu::TextureUsages::empty());
            let view = output.create_view(&Default::default());
            let (lo, hi) = head_gpu.bounds;
            let base = Camera::framing(ViewPreset::ThreeQuarter, lo, hi, w as f32 / h as f32);
            let settings = RenderSettings {
                path,
                ..Default::default()
            };
            let mut frame_ms = Vec::new();
            let mut age_wall = Vec::new();
            let mut pass_ms: [Vec<f64>; 4] = Default::default();
            let frames = config.warmup + config.frames;
            for f in 0..frames {
                if f % 5 == 0 {
                    progress(
                        done,
                        total,
                        &format!("{n} dots at {w}x{h}, frame {f}/{frames}"),
                    );
                }
                // A fixed path: one turn around the head while scrubbing ten years.
                let turn = f as f32 / frames as f32;
                let rot = Quat::from_rotation_y(turn * std::f32::consts::TAU);
                let camera = Camera {
                    eye: base.target + rot * (base.eye - base.target),
                    up: Vec3::Y,
                    ..base
                };
                let years = t.healed_years() + 10.0 * turn;
                let start = Instant::now();
                engine.ager.age_into_timed(
                    gpu,
                    &dots,
                    &mut aged,
                    t.age_params(years),
                    timer.as_ref(),
                )?;
                engine.renderer.render_timed(
                    gpu,
                    &head_gpu,
                    Some((&dots, &aged)),
                    &camera,
                    &settings,
                    &targets,
                    &view,
                    timer.as_ref(),
                )?;
                gpu.wait()?;
                let wall = start.elapsed().as_secs_f64() * 1e3;
                if f >= config.warmup {
                    frame_ms.push(wall);
                    let start = Instant::now();
                    engine
                        .ager
                        .age_into(gpu, &dots, &mut aged, t.age_params(years))?;
                    gpu.wait()?;
                    age_wall.push(start.elapsed().as_secs_f64() * 1e3);
                    if let Some(timer) = &timer {
                        let p = timer.read(gpu)?;
                        for (i, v) in p.iter().enumerate() {
                            pass_ms[i].push(*v);
                        }
                    }
                }
                done += 1;
            }
            frame_ms.sort_by(f64::total_cmp);
            let pass = |i: usize| timer.as_ref().map(|_| median(pass_ms[i].clone()));
            let (age, splat) = (pass(0), pass(2));
            let draw_s = match splat {
                Some(s) if s > 0.0 => s / 1e3,
                _ => percentile(&frame_ms, 0.5) / 1e3,
            };
            let age_wall_ms = median(age_wall);
            let bytes_per_dot = (std::mem::size_of::<crate::dots::Dot>() + 16) as u64;
            let moved = pass_bytes(dots.total(), head.mesh.positions.len() as u64, (w, h), ssaa);
            let bound = |i: usize| bandwidth_gbs.map(|b| moved[i] as f64 / (b * 1e9) * 1e3);
            let internal = (w * ssaa) as u64 * (h * ssaa) as u64;
            out.push(BenchResult {
                dots_requested: n,
                dots: dots.total(),
                width: w,
                height: h,
                supersampling: ssaa,
                path,
                generate_ms,
                age_ms: age,
                age_wall_ms,
                skin_ms: pass(1),
                splat_ms: splat,
                composite_ms: pass(3),
                frame_ms_p50: percentile(&frame_ms, 0.5),
                frame_ms_p95: percentile(&frame_ms, 0.95),
                frame_ms_p99: percentile(&frame_ms, 0.99),
                generate_dots_per_second: dots.total() as f64 / (generate_ms / 1e3).max(1e-9),
                age_dots_per_second: dots.total() as f64 / (age_wall_ms / 1e3).max(1e-9),
                draw_dots_per_second: dots.total() as f64 / draw_s.max(1e-9),
                bytes_per_dot,
                gpu_memory_bytes: dots.total() * bytes_per_dot
                    + internal * (4 * 8 + 4)
                    + w as u64 * h as u64 * 4,
                bandwidth_gbs,
                age_bound_ms: bound(0),
                skin_bound_ms: bound(1),
                splat_bound_ms: bound(2),
                composite_bound_ms: bound(3),
            });
            done += 1;
        }
    }
    progress(total, total, "done");
    Ok(BenchReport {
        results: out,
        skipped,
    })
}
