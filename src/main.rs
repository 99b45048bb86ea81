//! `scalp`: the command line. Thin: parse, call the library, print, exit non-zero on error.
use clap::{Args, Parser, Subcommand};
use scalp::camera::{Camera, ViewPreset};
use scalp::head::align::ScanLandmarks;
use scalp::head::obj::{LoadOptions, Units, UpAxis};
use scalp::head::scan::{AlignMode, ScanOptions};
use scalp::head::Head;
use scalp::light::LightPreset;
use scalp::optics::SkinTone;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, RenderSettings, Show, SplatPath};
use scalp::technique::{self, TechniqueError};
use scalp::{engine::Engine, png::write_png, treatment::Treatment};
use scalp::{Result, ScalpError};
use std::path::PathBuf;
use std::time::Instant;

mod viewer;

#[derive(Parser)]
#[command(
    name = "scalp",
    version,
    about = "Renders scalp micropigmentation (SMP) on a 3D head"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a head with its treatment to a PNG.
    Render(RenderArgs),
    /// Open the consultation viewer: the head in a window, with live controls.
    View(ViewArgs),
    /// Print a commented example plan (--example) or check a plan file.
    Plan {
        /// Print a complete, commented example plan (the defaults).
        #[arg(long)]
        example: bool,
        /// Check this plan file and print it with every default filled in.
        #[arg(long, value_name = "PLAN.toml")]
        check: Option<PathBuf>,
    },
    /// A labelled contact sheet of one view over the years, and optionally the fading chart.
    Age(AgeArgs),
    /// Per zone: area, dots, coverage, apparent dot size, contrast and touch-up year; and the
    /// trainer's metrics (dot size, blue cast, merging, spacing, hairline, uniformity).
    Report(ReportArgs),
    /// Correct and erroneous work side by side (technique errors, for trainers).
    Compare(CompareArgs),
    /// Measure dots per second generated, aged and drawn, and GPU time per pass.
    Bench(BenchArgs),
    /// The look gallery: three skin tones under the four lights, and shallow, correct and deep
    /// dots side by side (docs/gallery/).
    Gallery(GalleryArgs),
    /// List the GPU adapters wgpu can use, best first.
    Adapters,
    /// Regenerate the built-in default head (assets/head.obj and its landmarks) from code.
    Sculpt {
        #[arg(long, default_value = "assets")]
        out: PathBuf,
    },
}

#[derive(Args)]
struct HeadArgs {
    /// Head mesh (OBJ). Default: the built-in head.
    #[arg(long, value_name = "FILE.obj")]
    mesh: Option<PathBuf>,
    /// Units of the mesh file (default: guessed from its size).
    #[arg(long, value_enum)]
    units: Option<Units>,
    /// Up axis of the mesh file. Given, the file's axes are trusted: the mesh is converted,
    /// not aligned (default: aligned automatically).
    #[arg(long, value_enum)]
    up: Option<UpAxis>,
    /// Align the mesh by three landmarks in its own coordinates (file units):
    /// "nasion=x,y,z;ear_left=x,y,z;ear_right=x,y,z", or a TOML file with those three keys.
    /// Ear tops are the client's own left and right.
    #[arg(long, value_name = "SPEC|FILE.toml", conflicts_with_all = ["up", "align"])]
    landmarks: Option<String>,
    /// How the mesh is brought into head space: auto (fit to the built-in head), or off (the
    /// file's axes are trusted; units and up axis as given or guessed).
    #[arg(long, value_enum, default_value_t = AlignMode::Auto)]
    align: AlignMode,
    /// Show the scan's own texture (map_Kd of its material) on the skin when it has one.
    #[arg(long, value_enum, default_value_t = OnOff::On)]
    texture: OnOff,
    /// Treatment plan (TOML). Default: the built-in plan (`scalp plan --example`).
    #[arg(long, value_name = "PLAN.toml")]
    plan: Option<PathBuf>,
    /// Override the plan's seed.
    #[arg(long)]
    seed: Option<u32>,
    /// Ask for this many dots in all (scales every zone's density).
    #[arg(long)]
    dots: Option<u64>,
    /// GPU adapter to use: part of its name or backend (e.g. lavapipe, llvmpipe, vulkan, gl).
    #[arg(long)]
    adapter: Option<String>,
    /// Switch on a technique error: NAME or NAME=SEVERITY (0–1, default 1). Repeatable.
    /// Names: oversized, too-deep, too-shallow, over-saturation, grid-spacing, harsh-hairline,
    /// wrong-shade, patchy-density, asymmetry.
    #[arg(long = "error", value_name = "NAME[=SEVERITY]", value_parser = technique::parse_flag)]
    errors: Vec<(TechniqueError, f32)>,
}

#[derive(Args)]
struct CompareArgs {
    #[command(flatten)]
    head: HeadArgs,
    /// Every error of the catalogue, one row each (severity 1 unless given with --error).
    #[arg(long)]
    all_errors: bool,
    /// Times to show, years after the first session, comma separated (default: healed, four
    /// weeks after the last session, and 5 years).
    #[arg(long, value_delimiter = ',', value_parser = parse_years)]
    years: Vec<f32>,
    /// A whole-head view for every row (default: each error's own framing: a close-up of the
    /// vertex for dot errors, the forehead for hairline errors, the top for patchy density).
    #[arg(long, value_enum)]
    view: Option<ViewPreset>,
    /// Size of each picture.
    #[arg(long, default_value = "480x360", value_parser = parse_size)]
    size: (u32, u32),
    /// Output PNG.
    #[arg(long, default_value = "compare.png")]
    out: PathBuf,
}

#[derive(Args)]
struct RenderArgs {
    #[command(flatten)]
    head: HeadArgs,
    /// Camera view.
    #[arg(long, value_enum, default_value_t = ViewPreset::ThreeQuarter)]
    view: ViewPreset,
    /// Image size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x960", value_parser = parse_size)]
    size: (u32, u32),
    /// Output PNG.
    #[arg(long, default_value = "scalp.png")]
    out: PathBuf,
    /// Render the untreated head (no dots).
    #[arg(long)]
    no_dots: bool,
    /// Show the head this many years after the first session (default: once every session has
    /// healed, four weeks after the last).
    #[arg(long, conflicts_with = "days", value_parser = parse_years)]
    years: Option<f32>,
    /// Show the head this many days after the first session (for the first weeks).
    #[arg(long)]
    days: Option<f32>,
    /// Show the head on this date, YYYY-MM-DD (needs the plan's `sessions.dates`).
    #[arg(long, conflicts_with_all = ["years", "days"], value_parser = scalp::plan::parse_date)]
    date: Option<i64>,
    /// How dots are splatted: raster (instanced quads), compute (atomics), or auto (measure
    /// both once on this adapter and take the faster).
    #[arg(long, value_enum, default_value_t = PathChoice::Auto)]
    path: PathChoice,
    /// What the head shows: the skin with its dots, or the sun exposure map.
    #[arg(long, value_enum, default_value_t = Show::Skin)]
    show: Show,
    /// Supersampling per axis, 1–4 (default: 2 up to 4 megapixels, else 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4))]
    ssaa: Option<u32>,
    #[command(flatten)]
    look: LookArgs,
    /// One image: the untreated head on the left, the treated head on the right, same view
    /// and light, labelled.
    #[arg(long)]
    before_after: bool,
}

/// How the scene looks: the room's light, the client's skin and hair, the camera's zoom.
#[derive(Args, Clone)]
struct LookArgs {
    /// Lighting preset.
    #[arg(long, value_enum, default_value_t = LightPreset::Consultation)]
    light: LightPreset,
    /// Fitzpatrick skin type I–VI (default: the plan's `skin.tone`).
    #[arg(long, value_enum)]
    skin: Option<SkinTone>,
    /// Draw the client's existing hair (stubble) as the plan's [hair] section describes, even
    /// where the plan has it off.
    #[arg(long, conflicts_with = "no_hair")]
    hair: bool,
    /// Do not draw existing hair even where the plan has it on.
    #[arg(long)]
    no_hair: bool,
    /// Zoom in by narrowing the camera's field of view (1 = the whole head; 8 ≈ a 2 cm patch).
    #[arg(long, default_value_t = 1.0, value_parser = parse_zoom)]
    zoom: f32,
}

fn parse_zoom(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s.parse().map_err(|_| format!("\"{s}\" is not a number"))?;
    if !(1.0..=40.0).contains(&v) {
        return Err(format!("{v} is out of range: 1 to 40"));
    }
    Ok(v)
}

#[derive(Args)]
struct GalleryArgs {
    #[command(flatten)]
    head: HeadArgs,
    /// Folder the sheets are written to.
    #[arg(long, default_value = "docs/gallery")]
    out: PathBuf,
    /// Tile size, WIDTHxHEIGHT.
    #[arg(long, default_value = "480x360", value_parser = parse_size)]
    size: (u32, u32),
}

#[derive(Args)]
struct ViewArgs {
    #[command(flatten)]
    head: HeadArgs,
    /// Camera view at start (keys 1–6 and the panel change it).
    #[arg(long, value_enum, default_value_t = ViewPreset::ThreeQuarter)]
    view: ViewPreset,
    /// Window size at start, WIDTHxHEIGHT in logical pixels.
    #[arg(long, default_value = "1280x800", value_parser = parse_size)]
    size: (u32, u32),
    /// Show the head this many years after the first session (default: healed).
    #[arg(long, conflicts_with = "days", value_parser = parse_years)]
    years: Option<f32>,
    /// Show the head this many days after the first session.
    #[arg(long, value_parser = parse_days)]
    days: Option<f32>,
    /// Start with the untreated head (no dots).
    #[arg(long)]
    no_dots: bool,
    /// Start with the before/after divider at this fraction of the view's width (0–1).
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    split: Option<f32>,
    /// Draw N frames in the window once the head and its dots are ready, write the window
    /// (view and panel) to --out, and exit. For tests and documentation.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100000))]
    screenshot_after: Option<u32>,
    /// Screenshot of --screenshot-after; screenshots taken with F12 and P are numbered
    /// beside it (NAME-001.png, …).
    #[arg(long, default_value = "scalp-view.png")]
    out: PathBuf,
    /// Where "save plan" (Ctrl+S) writes the settings. Default: the --plan file, else
    /// scalp-view-plan.toml.
    #[arg(long, value_name = "PLAN.toml")]
    save_plan: Option<PathBuf>,
    /// Lighting preset at start.
    #[arg(long, value_enum, default_value_t = LightPreset::Consultation)]
    light: LightPreset,
    /// Fitzpatrick skin type I–VI at start (default: the plan's).
    #[arg(long, value_enum)]
    skin: Option<SkinTone>,
    /// Start with the client's existing hair drawn (the plan's [hair] section).
    #[arg(long)]
    hair: bool,
}

#[derive(Args)]
struct AgeArgs {
    #[command(flatten)]
    head: HeadArgs,
    /// Times to show, years after the first session, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "0,0.5,1,3,5,10", value_parser = parse_years)]
    years: Vec<f32>,
    /// Output PNG of the contact sheet.
    #[arg(long, default_value = "sheet.png")]
    out: PathBuf,
    /// Also write the fading chart (contrast and visible density per zone over 15 years).
    #[arg(long, value_name = "FILE.png")]
    chart: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ViewPreset::ThreeQuarter)]
    view: ViewPreset,
    /// Size of each picture on the sheet.
    #[arg(long, default_value = "480x360", value_parser = parse_size)]
    size: (u32, u32),
}

#[derive(Args)]
struct ReportArgs {
    #[command(flatten)]
    head: HeadArgs,
    /// Years after the first session (default: healed).
    #[arg(long, value_parser = parse_years)]
    years: Option<f32>,
    /// Print JSON (the plan, the parameters and the zones) instead of a table.
    #[arg(long)]
    json: bool,
}

#[derive(Args)]
struct BenchArgs {
    /// Dot counts to sweep, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        default_value = "10000,100000,1000000,10000000"
    )]
    dots: Vec<u64>,
    /// Resolutions to sweep, comma separated WIDTHxHEIGHT.
    #[arg(long, value_delimiter = ',', default_value = "1280x960,3840x2160", value_parser = parse_size)]
    sizes: Vec<(u32, u32)>,
    /// Frames measured per case.
    #[arg(long, default_value_t = 30, value_parser = clap::value_parser!(u32).range(1..=10000))]
    frames: u32,
    /// Frames run before measuring.
    #[arg(long, default_value_t = 3)]
    warmup: u32,
    /// Splatting paths to compare, comma separated.
    #[arg(
        long,
        value_delimiter = ',',
        value_enum,
        default_value = "raster,compute"
    )]
    paths: Vec<SplatPath>,
    /// Print JSON instead of a table.
    #[arg(long)]
    json: bool,
    /// Skip dot counts whose generation would take longer than this, extrapolated from the
    /// previous count (seconds).
    #[arg(long, default_value_t = 600.0)]
    max_generate_s: f64,
    /// GPU adapter (see `scalp adapters`).
    #[arg(long)]
    adapter: Option<String>,
    /// Memory bandwidth of the adapter in GB/s, for the lower bounds per pass (e.g. 4800 for
    /// an H200). Default: measured host bandwidth on CPU adapters, none otherwise.
    #[arg(long)]
    bandwidth_gbs: Option<f64>,
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum PathChoice {
    Raster,
    Compute,
    Auto,
}

fn parse_years(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number of years"))?;
    if !(0.0..=30.0).contains(&v) {
        return Err(format!("{v} years is out of range: 0 to 30"));
    }
    Ok(v)
}

fn parse_days(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number of days"))?;
    let max = 30.0 * scalp::ageing::DAYS_PER_YEAR;
    if !(0.0..=max).contains(&v) {
        return Err(format!("{v} days is out of range: 0 to {max} (30 years)"));
    }
    Ok(v)
}

fn parse_fraction(s: &str) -> std::result::Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("\"{s}\" is not a fraction from 0 to 1")),
    }
}

fn parse_size(s: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("\"{s}\" is not WIDTHxHEIGHT (e.g. 1280x960)"))?;
    let p = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("\"{v}\" in \"{s}\" is not a whole number of pixels"))
    };
    let (w, h) = (p(w)?, p(h)?);
    if !(16..=16384).contains(&w) || !(16..=16384).contains(&h) {
        return Err(format!("{w}x{h}: each side must be 16–16384 pixels"));
    }
    Ok((w, h))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
enum OnOff {
    On,
    Off,
}

fn load_head(a: &HeadArgs) -> Result<Head> {
    match &a.mesh {
        None => Head::builtin(),
        Some(p) => Head::load_scan(
            p,
            &ScanOptions {
                load: LoadOptions {
                    units: a.units,
                    up: a.up,
                    ..Default::default()
                },
                align: a.align,
                landmarks: a
                    .landmarks
                    .as_deref()
                    .map(ScanLandmarks::parse)
                    .transpose()?,
                texture: a.texture == OnOff::On,
            },
        ),
    }
}

fn load_plan(a: &HeadArgs) -> Result<Plan> {
    let mut plan = match &a.plan {
        None => Plan::default(),
        Some(p) => Plan::load(p)?,
    };
    if let Some(s) = a.seed {
        plan.seed = s;
    }
    scalp::worked::apply_flags(&mut plan, &a.errors);
    Ok(plan)
}

/// Generates the dots, with a progress bar when there are several chunks (minutes on a CPU
/// driver for millions of dots).
fn generate_with_bar(
    engine: &Engine,
    head: &Head,
    t: &Treatment,
) -> Result<scalp::dots::generate::GpuDots> {
    let chunks = t.layout.chunks.len();
    if chunks < 2 {
        return engine.generate(head, t);
    }
    let bar = indicatif::ProgressBar::new(chunks as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "generating dots {bar:40} chunk {pos}/{len} [{elapsed}, about {eta} left]",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let dots = engine.generate_with_progress(head, t, &|done, _| bar.set_position(done as u64));
    bar.finish_and_clear();
    dots
}

/// The plan as the look options change it (existing hair on or off).
fn plan_with_look(mut plan: Plan, look: &LookArgs) -> Plan {
    if look.hair {
        plan.hair.enabled = true;
    }
    if look.no_hair {
        plan.hair.enabled = false;
    }
    if let Some(tone) = look.skin {
        plan.skin.tone = tone;
    }
    plan
}

fn camera_for(head_gpu: &HeadGpu, view: ViewPreset, size: (u32, u32), zoom: f32) -> Camera {
    let (lo, hi) = head_gpu.bounds;
    Camera::framing(view, lo, hi, size.0 as f32 / size.1 as f32).zoomed(zoom)
}

/// Skin tones × lights, and deposit depths side by side, each a labelled sheet.
fn gallery(a: GalleryArgs) -> Result<()> {
    let head = load_head(&a.head)?;
    let base = load_plan(&a.head)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let mut head_gpu = HeadGpu::new(&engine.gpu, &head);
    std::fs::create_dir_all(&a.out).map_err(|e| {
        ScalpError::invalid("--out", format!("cannot create {}: {e}", a.out.display()))
    })?;
    let treatment = Treatment::new(&head, &base, a.head.dots)?;
    treatment.set_hairs(&engine.gpu, &head, &mut head_gpu);
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let aged = engine.age(&treatment, &dots, treatment.healed_years())?;
    let tones = [SkinTone::II, SkinTone::IV, SkinTone::VI];
    // The hairline and top from the front-above, close enough for the dot texture to show.
    let camera = camera_for(&head_gpu, ViewPreset::ThreeQuarter, a.size, 2.2);
    let mut tiles = Vec::new();
    for tone in tones {
        for light in LightPreset::ALL {
            let settings = RenderSettings {
                light,
                skin: tone,
                ..treatment.render_settings()
            };
            let img = engine.render_camera(
                &head_gpu,
                Some((&dots, &aged)),
                &camera,
                &settings,
                a.size,
            )?;
            tiles.push((format!("type {} · {}", tone.name(), light.name()), img));
        }
    }
    let sheet = scalp::reports::sheet::contact_sheet(
        "Skin types II, IV, VI under the four lights (healed)",
        &tiles,
        LightPreset::ALL.len(),
    )?;
    let lights = a.out.join("lights.png");
    scalp::reports::sheet::write_rgb_png(&sheet, &lights)?;
    println!("wrote {}", lights.display());

    // Depth: the same plan at 0.07, 0.35 and 1.1 mm, healed and after five years, close up.
    let close = camera_for(&head_gpu, ViewPreset::Top, a.size, 12.0);
    let mut tiles = Vec::new();
    for tone in [SkinTone::II, SkinTone::VI] {
        for (label, depth) in [
            ("shallow 0.07 mm", 0.07f32),
            ("correct 0.35 mm", 0.35),
            ("deep 1.1 mm", 1.1),
        ] {
            let mut plan = base.clone();
            plan.dots.depth_mm = depth;
            plan.dots.depth_jitter_mm = 0.02;
            plan.skin.tone = tone;
            let t = Treatment::new(&head, &plan, a.head.dots)?;
            let dots = engine.generate(&head, &t)?;
            for years in [t.healed_years(), 5.0] {
                let aged = engine.age(&t, &dots, years)?;
                let settings = t.render_settings();
                let img = engine.render_camera(
                    &head_gpu,
                    Some((&dots, &aged)),
                    &close,
                    &settings,
                    a.size,
                )?;
                tiles.push((
                    format!(
                        "{} · {label} · {}",
                        tone.name(),
                        scalp::reports::sheet::time_label(years)
                    ),
                    img,
                ));
            }
        }
    }
    let sheet = scalp::reports::sheet::contact_sheet(
        "Deposit depth: shallow, correct, deep (types II and VI, healed and 5 years; a 2.5 cm patch)",
        &tiles,
        6,
    )?;
    let depths = a.out.join("depths.png");
    scalp::reports::sheet::write_rgb_png(&sheet, &depths)?;
    println!("wrote {}", depths.display());

    // Healing: day 0, 3, 7, 14, 28 close up, and the before/after of the whole head.
    let mut tiles = Vec::new();
    for days in [0.0f32, 3.0, 7.0, 14.0, 28.0] {
        let aged = engine.age(&treatment, &dots, days / scalp::ageing::DAYS_PER_YEAR)?;
        let img = engine.render_camera(
            &head_gpu,
            Some((&dots, &aged)),
            &close,
            &treatment.render_settings(),
            a.size,
        )?;
        tiles.push((format!("day {days}"), img));
    }
    let sheet = scalp::reports::sheet::contact_sheet(
        "Healing of the first session: redness, scabs (days 5–7), settling by 4 weeks",
        &tiles,
        5,
    )?;
    let healing = a.out.join("healing.png");
    scalp::reports::sheet::write_rgb_png(&sheet, &healing)?;
    println!("wrote {}", healing.display());
    Ok(())
}

fn render(a: RenderArgs) -> Result<()> {
    let t0 = Instant::now();
    let head = load_head(&a.head)?;
    let plan = plan_with_look(load_plan(&a.head)?, &a.look);
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let mut head_gpu = HeadGpu::new(&engine.gpu, &head);
    treatment.set_hairs(&engine.gpu, &head, &mut head_gpu);
    let t_gen = Instant::now();
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let gen_s = t_gen.elapsed().as_secs_f64();
    let (t_years, when) = match (a.years, a.days) {
        (Some(y), _) => (y, format!("{y} years after the first session")),
        (None, Some(d)) => (d / scalp::ageing::DAYS_PER_YEAR, format!("day {d}")),
        (None, None) if a.date.is_some() => {
            let day = a.date.unwrap_or_default();
            let first = treatment.plan.sessions.first_day().ok_or_else(|| {
                ScalpError::invalid(
                    "--date",
                    "the plan has no session dates; give them as sessions.dates = \
                     [2026-03-02, …] in the plan, or use --days / --years",
                )
            })?;
            let days = day - first;
            if !(0..=30 * 366).contains(&days) {
                return Err(ScalpError::invalid(
                    "--date",
                    format!(
                        "{days} days after the first session ({}); allowed 0 days to 30 years after it",
                        treatment.plan.sessions.dates[0]
                    ),
                ));
            }
            (
                days as f32 / scalp::ageing::DAYS_PER_YEAR,
                format!("{days} days after the first session"),
            )
        }
        (None, None) => {
            let h = treatment.healed_years();
            (
                h,
                format!("healed ({:.0} weeks after the first session)", h * 52.18),
            )
        }
    };
    let aged = engine.age(&treatment, &dots, t_years)?;
    let path = match a.path {
        PathChoice::Raster => SplatPath::Raster,
        PathChoice::Compute => SplatPath::Compute,
        PathChoice::Auto => engine.fastest_path(&head_gpu, (&dots, &aged), a.view)?,
    };
    let settings = RenderSettings {
        dots: !a.no_dots,
        ssaa: a.ssaa.unwrap_or(0),
        show: a.show,
        path,
        light: a.look.light,
        ..treatment.render_settings()
    };
    head_gpu.set_exposure(&engine.gpu, &treatment.exposure);
    let camera = camera_for(&head_gpu, a.view, a.size, a.look.zoom);
    let render = |s: &RenderSettings| {
        engine.render_camera(&head_gpu, Some((&dots, &aged)), &camera, s, a.size)
    };
    let img = if a.before_after {
        let before = render(&RenderSettings {
            dots: false,
            ..settings.clone()
        })?;
        let after = render(&settings)?;
        let light = a.look.light.name();
        let sheet = scalp::reports::sheet::contact_sheet(
            &format!(
                "Before and after — {light}, skin type {}",
                treatment.plan.skin.tone.name()
            ),
            &[
                ("Before: untreated".to_string(), before),
                (format!("After: {when}"), after),
            ],
            2,
        )?;
        image::DynamicImage::ImageRgb8(sheet).to_rgba8()
    } else {
        let mut img = render(&settings)?;
        if a.show == Show::Exposure {
            scalp::reports::sheet::exposure_legend(&mut img)?;
        }
        img
    };
    write_png(&img, &a.out)?;
    let area_cm2 = treatment.layout.treated_area_mm2 / 100.0;
    let n = dots.total();
    println!(
        "wrote {} ({}x{}, {:?} view)",
        a.out.display(),
        a.size.0,
        a.size.1,
        a.view
    );
    println!("adapter: {}", engine.gpu.describe());
    println!(
        "head: {} ({} triangles); plan: {}",
        head.source,
        head.mesh.triangle_count(),
        a.head
            .plan
            .as_ref()
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| "built-in default".into())
    );
    if let Some(scan) = &head.scan {
        for line in scan.describe() {
            println!("{line}");
        }
    }
    println!(
        "dots: {n}{} on {area_cm2:.0} cm² treated = {:.1} dots/cm² (generated in {gen_s:.2} s, {} chunk{})",
        if a.no_dots { " (not drawn)" } else { "" },
        n as f64 / area_cm2.max(1e-9),
        dots.chunks.len(),
        if dots.chunks.len() == 1 { "" } else { "s" }
    );
    let active = treatment.plan.errors.active();
    if !active.is_empty() {
        let list: Vec<String> = active.iter().map(|(e, s)| format!("{e}={s}")).collect();
        println!("technique errors: {}", list.join(", "));
    }
    println!(
        "time: {when}; splatting: {path:?}; light: {}; skin type {}; ink shade {:.1}, tone {:+.2}{}",
        a.look.light.name(),
        treatment.plan.skin.tone.name(),
        treatment.plan.dots.shade,
        treatment.plan.dots.tone,
        match &head_gpu.hairs {
            Some((_, n)) => format!("; {n} existing hairs"),
            None => String::new(),
        }
    );
    println!("total time {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

fn view(a: ViewArgs) -> Result<()> {
    if !a
        .out
        .extension()
        .is_some_and(|e| e.eq_ignore_ascii_case("png"))
    {
        return Err(ScalpError::invalid(
            "--out",
            format!("{}: the file name must end in .png", a.out.display()),
        ));
    }
    let head = load_head(&a.head)?;
    let mut plan = load_plan(&a.head)?;
    if let Some(n) = a.head.dots {
        if n == 0 {
            return Err(ScalpError::invalid("--dots", "must be at least 1"));
        }
        // The viewer's density slider starts from the densities that give N dots.
        plan = scalp::treatment::plan_for_dot_count(&plan, &head.mesh, &head.landmarks, n)?;
    }
    if let Some(tone) = a.skin {
        plan.skin.tone = tone;
    }
    plan.hair.enabled |= a.hair;
    let save_plan = a
        .save_plan
        .or_else(|| a.head.plan.clone())
        .unwrap_or_else(|| PathBuf::from("scalp-view-plan.toml"));
    viewer::run(viewer::Options {
        head,
        plan,
        load: LoadOptions {
            units: a.head.units,
            up: a.head.up,
            ..Default::default()
        },
        adapter: a.head.adapter,
        view: a.view,
        size: a.size,
        years: a.years.or(a.days.map(|d| d / scalp::ageing::DAYS_PER_YEAR)),
        dots: !a.no_dots,
        split: a.split,
        light: a.light,
        screenshot_after: a.screenshot_after,
        out: a.out,
        save_plan,
    })
}

fn age(a: AgeArgs) -> Result<()> {
    let head = load_head(&a.head)?;
    let plan = load_plan(&a.head)?;
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let head_gpu = HeadGpu::new(&engine.gpu, &head);
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let settings = RenderSettings::default();
    let mut aged = engine.ager.allocate(&engine.gpu, &dots);
    let mut tiles = Vec::new();
    for &y in &a.years {
        engine
            .ager
            .age_into(&engine.gpu, &dots, &mut aged, treatment.age_params(y))?;
        let img =
            engine.render_image(&head_gpu, Some((&dots, &aged)), a.view, &settings, a.size)?;
        tiles.push((scalp::reports::sheet::time_label(y), img));
    }
    let title = format!(
        "{} dots, depth {} mm, shade {}, {}° latitude, {} h/day outdoors",
        dots.total(),
        treatment.plan.dots.depth_mm,
        treatment.plan.dots.shade,
        treatment.plan.exposure.latitude_deg,
        treatment.plan.exposure.hours_outdoors_per_day
    );
    let columns = if tiles.len() <= 4 {
        tiles.len()
    } else {
        tiles.len().div_ceil(2)
    };
    let sheet = scalp::reports::sheet::contact_sheet(&title, &tiles, columns)?;
    scalp::reports::sheet::write_rgb_png(&sheet, &a.out)?;
    println!("wrote {} ({} pictures)", a.out.display(), tiles.len());
    if let Some(chart_path) = &a.chart {
        let list = dots.read(&engine.gpu)?;
        let areas = scalp::reports::report::zone_areas(&head, &treatment);
        let curves = scalp::reports::report::curves(&treatment, &list, &areas, 1.0 / 12.0);
        let present = areas.map(|a| a > 0.0);
        let chart =
            scalp::reports::sheet::fading_chart(&curves, treatment.healed_years(), &present)?;
        scalp::reports::sheet::write_rgb_png(&chart, chart_path)?;
        println!("wrote {}", chart_path.display());
    }
    Ok(())
}

fn report(a: ReportArgs) -> Result<()> {
    let head = load_head(&a.head)?;
    let plan = load_plan(&a.head)?;
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let gpu_dots = engine.generate(&head, &treatment)?;
    let dots = gpu_dots.read(&engine.gpu)?;
    let t = a.years.unwrap_or(treatment.healed_years());
    let zones = scalp::reports::report::zone_reports(&head, &treatment, &dots, t);
    let head_gpu = HeadGpu::new(&engine.gpu, &head);
    let metrics = scalp::reports::metrics::measure_with(
        &engine, &head, &head_gpu, &treatment, &gpu_dots, &dots, t,
    )?;
    if a.json {
        let json = serde_json::json!({
            "head": head.source,
            "adapter": engine.gpu.describe(),
            "years": t,
            "healed_years": treatment.healed_years(),
            "total_dots": dots.len(),
            "visible_contrast_threshold": scalp::reports::report::VISIBLE_CONTRAST,
            "touch_up_share_of_healed_contrast": scalp::reports::report::TOUCH_UP_SHARE,
            "plan": treatment.plan,
            "errors": treatment.plan.errors.active().iter().map(|(e, s)| {
                serde_json::json!({ "error": e.name(), "severity": s })
            }).collect::<Vec<_>>(),
            "zones": zones,
            "metrics": metrics,
        });
        println!(
            "{}",
            serde_json::to_string_pretty(&json).unwrap_or_default()
        );
        return Ok(());
    }
    println!(
        "{} at {} ({} dots)",
        head.source,
        scalp::reports::sheet::time_label(t),
        dots.len()
    );
    // Custom zones carry the plan's names: the first column is as wide as the longest.
    let w = zones
        .iter()
        .map(|z| z.zone.chars().count())
        .max()
        .unwrap_or(4)
        .max(9);
    println!(
        "{:<w$} {:>9} {:>7} {:>8} {:>9} {:>9} {:>9} {:>9} {:>9}",
        "zone",
        "area cm²",
        "dots",
        "dots/cm²",
        "visible",
        "coverage",
        "dot mm",
        "contrast",
        "touch-up"
    );
    for z in zones {
        println!(
            "{:<w$} {:>9.1} {:>7} {:>8.1} {:>9.1} {:>8.1}% {:>9.3} {:>8.2}% {:>9}",
            z.zone,
            z.treated_area_cm2,
            z.dots,
            z.dots_per_cm2,
            z.visible_dots_per_cm2,
            100.0 * z.coverage_fraction,
            z.mean_apparent_diameter_mm,
            100.0 * z.contrast,
            z.touch_up_year
                .map(|y| format!("{y:.1} y"))
                .unwrap_or_else(|| "> 15 y".into())
        );
    }
    print_metrics(&metrics, &treatment.plan);
    Ok(())
}

fn print_metrics(m: &scalp::reports::metrics::Metrics, plan: &Plan) {
    let active = plan.errors.active();
    let errors = if active.is_empty() {
        "none (correct work)".to_string()
    } else {
        active
            .iter()
            .map(|(e, s)| format!("{e}={s}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    println!();
    println!("technique metrics (errors: {errors})");
    let d = &m.dots;
    let mm = |v: Option<f64>| v.map_or("-".to_string(), |v| format!("{v:.2} mm"));
    let rows: Vec<(&str, String)> = vec![
        (
            "mean apparent dot diameter",
            format!("{:.3} mm", d.mean_apparent_diameter_mm),
        ),
        (
            "visible share of the dots",
            format!("{:.1}%", 100.0 * d.visible_fraction),
        ),
        (
            "dot darkness (peak)",
            format!("{:.1}%", 100.0 * d.dot_darkness),
        ),
        (
            "blue cast (red/blue removed)",
            m.image
                .as_ref()
                .map_or("-".into(), |i| format!("{:.2}", i.blue_cast)),
        ),
        (
            "hue of the light removed",
            m.image
                .as_ref()
                .map_or("-".into(), |i| format!("{:.0}°", i.removed_hue_deg)),
        ),
        (
            "darkening of the vertex",
            m.image
                .as_ref()
                .map_or("-".into(), |i| format!("{:.1}%", 100.0 * i.darkening)),
        ),
        (
            "scalp where dots merge",
            format!("{:.2}%", 100.0 * d.merged_fraction),
        ),
        (
            "nearest-neighbour CV",
            format!("{:.3}", d.nearest_neighbour_cv),
        ),
        ("spatial spectrum peak", format!("{:.1}", d.spectrum_peak)),
        ("hairline transition width", mm(d.hairline_transition_mm)),
        ("hairline residual", mm(d.hairline_residual_mm)),
        ("left/right asymmetry", mm(d.asymmetry_mm)),
        (
            "density CV over 1 cm² cells",
            format!("{:.3}", d.density_cv),
        ),
    ];
    for (name, value) in rows {
        println!("  {name:<31} {value:>10}");
    }
}

fn compare(a: CompareArgs) -> Result<()> {
    let head = load_head(&a.head)?;
    let plan = load_plan(&a.head)?;
    // Which errors: the catalogue, or those asked for (flags, else the plan's own).
    let errors: Vec<(TechniqueError, f32)> = if a.all_errors {
        TechniqueError::ALL
            .iter()
            .map(|&e| {
                let given = a.head.errors.iter().rev().find(|(f, _)| *f == e);
                (e, given.map_or(1.0, |g| g.1))
            })
            .collect()
    } else {
        plan.errors.active()
    };
    if errors.is_empty() {
        return Err(ScalpError::invalid(
            "scalp compare",
            format!(
                "say which error to show: --error NAME[=SEVERITY] (names: {}), or --all-errors",
                TechniqueError::names()
            ),
        ));
    }
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let head_gpu = HeadGpu::new(&engine.gpu, &head);
    let years = if a.years.is_empty() {
        let healed = Treatment::new(&head, &scalp::worked::correct(&plan), None)?.healed_years();
        vec![healed, 5.0]
    } else {
        a.years.clone()
    };
    let req = scalp::reports::compare::CompareRequest {
        plan: &plan,
        errors: &errors,
        years: &years,
        view: a.view,
        size: a.size,
        dots: a.head.dots,
    };
    let comparison = scalp::reports::compare::pictures(&engine, &head, &head_gpu, &req)?;
    let columns = comparison.rows.first().map_or(1, |r| r.len());
    let tiles: Vec<(String, image::RgbaImage)> = comparison.rows.into_iter().flatten().collect();
    let title = format!(
        "Technique errors: correct work beside erroneous work, same head, camera and light ({})",
        head.source
    );
    let sheet = scalp::reports::sheet::contact_sheet(&title, &tiles, columns)?;
    scalp::reports::sheet::write_rgb_png(&sheet, &a.out)?;
    println!(
        "wrote {} ({} error{}, {} times, {} pictures)",
        a.out.display(),
        errors.len(),
        if errors.len() == 1 { "" } else { "s" },
        years.len(),
        tiles.len()
    );
    // The number that shows each error, correct work against the error, at each time.
    println!(
        "{:<22} {:<30} {:>10} {:>12} {:>12}",
        "error", "metric", "time", "correct", "error"
    );
    for (&(error, severity), per_time) in errors.iter().zip(&comparison.metrics) {
        for measure in scalp::reports::metrics::own_measures(error) {
            for (&y, (c, w)) in years.iter().zip(per_time) {
                println!(
                    "{:<22} {:<30} {:>10} {:>12} {:>12}",
                    format!("{error}={severity}"),
                    measure.name,
                    scalp::reports::sheet::time_label(y),
                    measure.show(c),
                    measure.show(w)
                );
            }
        }
    }
    Ok(())
}

fn bench(a: BenchArgs) -> Result<()> {
    if let Some(&n) = a.dots.iter().find(|&&n| n == 0) {
        return Err(ScalpError::invalid(
            "--dots",
            format!("{n}: every count must be at least 1"),
        ));
    }
    let head = Head::builtin()?;
    let engine = Engine::new(a.adapter.as_deref())?;
    let config = scalp::reports::bench::BenchConfig {
        dots: a.dots,
        sizes: a.sizes,
        frames: a.frames,
        warmup: a.warmup,
        paths: a.paths,
        max_generate_s: a.max_generate_s,
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
            (engine.gpu.info.device_type == wgpu::DeviceType::Cpu)
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
    if a.json {
        let json = serde_json::json!({
            "adapter": engine.gpu.describe(),
            "bandwidth_gbs": bandwidth,
            "timestamp_queries": timestamps,
            "frames": config.frames,
            "warmup": config.warmup,
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
    let ms = |v: Option<f64>| v.map(|v| format!("{v:.2}")).unwrap_or_else(|| "-".into());
    println!(
        "{:>10} {:>10} {:>8} {:>9} {:>7} {:>7} {:>7} {:>7} {:>8} {:>8} {:>8} {:>11} {:>11} {:>11} {:>9} {:>9}",
        "dots",
        "size",
        "path",
        "gen ms",
        "age",
        "skin",
        "splat",
        "comp",
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
            "{:>10} {:>10} {:>8} {:>9.1} {:>7} {:>7} {:>7} {:>7} {:>8.2} {:>8.2} {:>8.2} {:>11.3e} {:>11.3e} {:>11.3e} {:>9.1} {:>9}",
            r.dots,
            format!("{}x{}", r.width, r.height),
            format!("{:?}", r.path).to_lowercase(),
            r.generate_ms,
            ms(r.age_ms),
            ms(r.skin_ms),
            ms(r.splat_ms),
            ms(r.composite_ms),
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
    for s in &report.skipped {
        println!("skipped {s}");
    }
    Ok(())
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Render(a) => render(a),
        Command::Gallery(a) => gallery(a),
        Command::View(a) => view(a),
        Command::Age(a) => age(a),
        Command::Report(a) => report(a),
        Command::Compare(a) => compare(a),
        Command::Bench(a) => bench(a),
        Command::Plan { example, check } => match (example, check) {
            (_, Some(p)) => {
                let plan = Plan::load(&p)?;
                println!("# {} is valid; with every default filled in:", p.display());
                print!("{}", plan.to_toml());
                Ok(())
            }
            (true, None) => {
                print!("{}", Plan::example_toml());
                Ok(())
            }
            (false, None) => Err(ScalpError::invalid(
                "scalp plan",
                "say --example to print an example plan, or --check PLAN.toml",
            )),
        },
        Command::Adapters => {
            let list = scalp::gpu::list_adapters();
            if list.is_empty() {
                return Err(ScalpError::NoAdapter {
                    detail: String::new(),
                });
            }
            for (i, info) in list.iter().enumerate() {
                println!(
                    "{}{}",
                    if i == 0 { "* " } else { "  " },
                    scalp::gpu::describe(info)
                );
            }
            Ok(())
        }
        Command::Sculpt { out } => {
            scalp::head::sculpt::write_default_head_assets(&out)?;
            println!(
                "wrote {} and {}",
                out.join("head.obj").display(),
                out.join("head.landmarks.toml").display()
            );
            Ok(())
        }
    }
}

fn main() {
    // On a headless machine Mesa's drivers probe Wayland, and libwayland prints
    // "error: XDG_RUNTIME_DIR is invalid or not set" to stderr although nothing failed. Give it a
    // directory when there is no session at all, so a user only sees our own errors.
    if std::env::var_os("XDG_RUNTIME_DIR").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        // SAFETY: still single-threaded here, before anything reads the environment.
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir()) };
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {e}");
        std::process::exit(1);
    }
}
