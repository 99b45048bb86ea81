//! `scalp bench`: dots per second generated, aged and drawn, and GPU time per pass.
use super::parse_size;
use clap::Args;
use scalp::engine::Engine;
use scalp::head::Head;
use scalp::render::SplatPath;
use scalp::{Result, ScalpError};

#[derive(Args)]
pub struct BenchArgs {
    /// Dot counts to sweep, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10000,100000,1000000,10000000",
        value_parser = super::parse_count
    )]
    pub dots: Vec<u64>,
    /// Resolutions to sweep, comma separated WIDTHxHEIGHT.
    #[arg(long, value_delimiter = ',', default_value = "1280x960,3840x2160", value_parser = parse_size)]
    pub sizes: Vec<(u32, u32)>,
    /// Frames measured per case.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10000))]
    pub frames: u32,
    /// Frames run before measuring.
    #[arg(long, default_value_t = 3)]
    pub warmup: u32,
    /// Splatting paths to compare, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_enum,
        default_value = "raster,compute"
    )]
    pub paths: Vec<SplatPath>,
    /// How the skin is shaded (see `scalp render --skin`).
    #[arg(long, value_enum, default_value_t = scalp::render::skin_deferred::SkinShading::Auto)]
    pub skin: scalp::render::skin_deferred::SkinShading,
    /// Supersampling per axis, 1–4 (default: 2 up to 4 megapixels, else 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4))]
    pub ssaa: Option<u32>,
    /// Where the compute path sums each dot's pixels (see `scalp render --sums`).
    #[arg(long, value_enum, default_value_t = scalp::render::splat_compute::DotSums::Auto)]
    pub sums: scalp::render::splat_compute::DotSums,
    /// Print JSON instead of a table.
    #[arg(long)]
    pub json: bool,
    /// Skip dot counts whose generation would take longer than this, extrapolated from the
    /// previous count (seconds).
    #[arg(long, default_value_t = 600.0)]
    pub max_generate_s: f64,
    /// Leave out the client's own hair (shafts and hairs): the dots on his bare scalp, the
    /// scene a peer renderer is given (benches/peer.sh).
    #[arg(long)]
    pub no_hair: bool,
    /// GPU adapter (see `scalp adapters`).
    #[arg(long)]
    pub adapter: Option<String>,
    /// Memory bandwidth of the adapter in GB/s, for the lower bounds per pass (e.g. 4800 for
    /// an H200). Default: measured host bandwidth on CPU adapters, none otherwise.
    #[arg(long)]
    pub bandwidth_gbs: Option<f64>,
}

pub fn run(a: BenchArgs) -> Result<()> {
    if let Some(&n) = a.dots.iter().find(|&&n| n == 0) {
        return Err(ScalpError::invalid(
            "--dots",
            format!("{n}: every count must be at least 1"),
        ));
    }
    let head = Head::builtin()?;
    let mut engine = Engine::new(a.adapter.as_deref())?;
    super::use_skin_shading(&mut engine, a.skin)?;
    let config = scalp::reports::bench::BenchConfig {
        dots: a.dots,
        sizes: a.sizes,
        frames: a.frames,
        warmup: a.warmup,
        paths: a.paths,
        ssaa: a.ssaa.unwrap_or(0),
        sums: a.sums,
        max_generate_s: a.max_generate_s,
        hair: !a.no_hair,
    };
    let bar = indicatif::ProgressBar::new(1);
    bar.set_style(
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} {msg} [{elapsed}]")
            .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let bandwidth = a
        .bandwidth_gbs
        .filter(|b| b.is_finite() && *b > 0.0)
        .or_else(|| {
            engine
                .gpu
                .is_cpu()
                .then(scalp::reports::bench::host_bandwidth_gbs)
        });
    let report =
        scalp::reports::bench::run(&engine, &head, &config, bandwidth, |done, total, what| {
            bar.set_length(total);
            bar.set_position(done);
            bar.set_message(what.to_string());
        })?;
    bar.finish_and_clear();
    let results = &report.results;
    let timestamps = engine
        .gpu
        .device
        .features()
        .contains(wgpu::Features::TIMESTAMP_QUERY);
    // How the skin was shaded at each supersampling the bench ran.
    let mut ssaas: Vec<u32> = results.iter().map(|r| r.supersampling).collect();
    ssaas.sort_unstable();
    ssaas.dedup();
    let skin = ssaas
        .iter()
        .map(|&s| {
            let path = engine.renderer.skin_path(&engine.gpu, s);
            format!("{} at {}× supersampling", path.describe(), s)
        })
        .collect::<Vec<_>>()
        .join("; ");
    if a.json {
        let json = serde_json::json!({
            "adapter": engine.gpu.describe(),
            "skin_shading": skin,
            "bandwidth_gbs": bandwidth,
            "timestamp_queries": timestamps,
            "frames": config.frames,
            "warmup": config.warmup,
            "client_hair": config.hair,
            "results": results,
            "skipped": report.skipped,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
        return Ok(());
    }
    println!("adapter: {}", engine.gpu.describe());
    println!("skin shading: {skin}");
    println!(
        "scene: the default plan's client{}",
        if config.hair {
            ", his own hair drawn (the hair column: shafts under the skin and hairs above)"
        } else {
            " on a bare scalp (--no-hair)"
        }
    );
    match bandwidth {
        Some(b) => println!("memory bandwidth for the lower bounds: {b:.1} GB/s"),
        None => println!("no memory bandwidth known (--bandwidth-gbs): no lower bounds"),
    }
    if !timestamps {
        println!(
            "this adapter has no timestamp queries: per-pass GPU times are not available; frame \
             times are wall clock with a synchronised wait"
        );
    }
    print_table(results);
    for s in &report.skipped {
        println!("skipped {s}");
    }
    Ok(())
}

/// One row per case: times per pass and per frame, dots per second, memory, lower bound.
fn print_table(results: &[scalp::reports::bench::BenchResult]) {
    let ms = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into());
    println!(
        "{:>10} {:>10} {:>12} {:>9} {:>9} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>11} {:>11} {:>11} {:>9} {:>9}",
        "dots",
        "size",
        "path",
        "layout ms",
        "gen ms",
        "age",
        "skin",
        "splat",
        "comp",
        "hair",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "gen dots/s",
        "age dots/s",
        "draw dots/s",
        "GPU MiB",
        "bound ms"
    );
    for r in results {
        println!(
            "{:>10} {:>10} {:>12} {:>9.1} {:>9.1} {:>7} {:>7} {:>7} {:>7} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>11.3e} {:>11.3e} {:>11.3e} {:>9.1} {:>9}",
            r.dots,
            format!("{}x{}", r.width, r.height),
            format!(
                "{:?}{}",
                r.path,
                if r.workgroup_sums { " (wg)" } else { "" }
            )
            .to_lowercase(),
            r.layout_ms,
            r.generate_ms,
            ms(r.age_ms),
            ms(r.skin_ms),
            ms(r.splat_ms),
            ms(r.composite_ms),
            ms(r.hair_ms),
            r.frame_ms_p50,
            r.frame_ms_p95,
            r.frame_ms_p99,
            r.generate_dots_per_second,
            r.age_dots_per_second,
            r.draw_dots_per_second,
            r.gpu_memory_bytes as f64 / 1048576.0,
            // The frame's lower bound: every pass at full memory bandwidth.
            ms([r.age_bound_ms, r.skin_bound_ms, r.splat_bound_ms, r.composite_bound_ms]
                .into_iter()
                .sum::<Option<f64>>())
        );
    }
}
