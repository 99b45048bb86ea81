//! `scalp render`: one picture of a head with its treatment.
use super::{
    generate_with_bar, load_head, load_plan, parse_days, parse_size, parse_years, HeadArgs,
};
use clap::Args;
use scalp::camera::{Camera, CloseUp, ViewPreset};
use scalp::engine::{Engine, Frame};
use scalp::head::Head;
use scalp::light::LightPreset;
use scalp::optics::SkinTone;
use scalp::plan::Plan;
use scalp::render::skin_deferred::SkinShading;
use scalp::render::{HeadGpu, RenderSettings, Show, SplatPath};
use scalp::{png::write_png, treatment::Treatment};
use scalp::{Result, ScalpError};
use std::path::PathBuf;
use std::time::Instant;

#[derive(Args)]
pub struct RenderArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Camera view.
    #[arg(long, value_enum, default_value_t = ViewPreset::ThreeQuarter)]
    pub view: ViewPreset,
    /// Image size, WIDTHxHEIGHT.
    #[arg(long, default_value = "1280x960", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Output PNG.
    #[arg(long, default_value = "scalp.png")]
    pub out: PathBuf,
    /// Render the untreated head (no dots).
    #[arg(long)]
    pub no_dots: bool,
    /// Show the head this many years after the first session (default: once every session has
    /// healed, four weeks after the last).
    #[arg(long, conflicts_with = "days", value_parser = parse_years, allow_negative_numbers = true)]
    pub years: Option<f32>,
    /// Show the head this many days after the first session (for the first weeks).
    // Negative values reach the range check (and its message) instead of reading as a flag.
    #[arg(long, value_parser = parse_days, allow_negative_numbers = true)]
    pub days: Option<f32>,
    /// Show the head on this date, YYYY-MM-DD (needs the plan's `sessions.dates`).
    #[arg(long, conflicts_with_all = ["years", "days"], value_parser = scalp::plan::parse_date)]
    pub date: Option<i64>,
    /// How dots are splatted: raster (instanced quads), compute (atomics), or auto (compute
    /// where the adapter can run it, raster elsewhere: a fixed rule, so the same command gives
    /// the same bytes).
    #[arg(long, value_enum, default_value_t = PathChoice::Auto)]
    pub path: PathChoice,
    /// How the skin is shaded: forward (per fragment), deferred (triangle ids rasterised, then
    /// shaded in compute: GPUs built for compute run fragment shaders on few cores), or auto
    /// (deferred on a GPU, forward on a CPU adapter). Both give the same picture.
    #[arg(long, value_enum, default_value_t = SkinShading::Auto)]
    pub skin: SkinShading,
    /// Where the compute splatter sums each dot's pixels: direct (an atomic add per dot and
    /// pixel), workgroup (each group of 64 dots sums them in workgroup memory first: fewer
    /// global atomics where dots overlap deeply), or auto (from 7·10⁷ dots on a GPU, each
    /// group whose dots overlap deeply; else direct). The same image to the bit.
    #[arg(long, value_enum, default_value_t = scalp::render::splat_compute::DotSums::Auto)]
    pub sums: scalp::render::splat_compute::DotSums,
    /// What the head shows: the skin with its dots, or the sun exposure map.
    #[arg(long, value_enum, default_value_t = Show::Skin)]
    pub show: Show,
    /// Supersampling per axis, 1–4 (default: 2 up to 4 megapixels, else 1).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..=4))]
    pub ssaa: Option<u32>,
    #[command(flatten)]
    pub look: LookArgs,
    /// One image: the untreated head on the left, the treated head on the right, same view
    /// and light, labelled.
    #[arg(long)]
    pub before_after: bool,
    /// Draw no cast shadows (the ears' and the head's): every surface facing the key light is
    /// lit by it.
    #[arg(long)]
    pub no_shadows: bool,
}

/// How the scene looks: the room's light, the client's skin and hair, the camera's zoom.
#[derive(Args, Clone)]
pub struct LookArgs {
    /// Lighting preset.
    #[arg(long, value_enum, default_value_t = LightPreset::Consultation)]
    pub light: LightPreset,
    /// Fitzpatrick skin type I–VI (default: the plan's `skin.tone`).
    #[arg(long, value_enum)]
    pub skin: Option<SkinTone>,
    /// Draw the client's existing hair (stubble) as the plan's [hair] section describes, even
    /// where the plan has it off.
    #[arg(long, conflicts_with = "no_hair")]
    pub hair: bool,
    /// Do not draw existing hair even where the plan has it on.
    #[arg(long)]
    pub no_hair: bool,
    /// Zoom in by narrowing the camera's field of view (1 = the whole head; 8 ≈ a 2 cm patch).
    #[arg(long, default_value_t = 1.0, value_parser = parse_zoom,
          conflicts_with_all = ["field_mm", "magnification"])]
    pub zoom: f32,
    /// A close-up of the scalp this view shows best (front line, temple, vertex, crown, side),
    /// this many mm across (2–200).
    #[arg(long, value_parser = parse_field_mm, conflicts_with = "magnification")]
    pub field_mm: Option<f32>,
    /// A close-up as a trichoscope shows it at this magnification, e.g. 20 or 20x (1–100;
    /// 20× is about 6 mm across, 70× about 1.7 mm).
    #[arg(long, value_parser = parse_magnification)]
    pub magnification: Option<f32>,
}

impl LookArgs {
    /// The close-up asked for, if any.
    pub fn close_up(&self) -> Option<CloseUp> {
        self.field_mm
            .map(CloseUp::FieldMm)
            .or(self.magnification.map(CloseUp::Magnification))
    }
}

fn parse_field_mm(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s
        .trim_end_matches("mm")
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number of millimetres"))?;
    if !(2.0..=200.0).contains(&v) {
        return Err(format!("{v} mm is out of range: 2 to 200 mm"));
    }
    Ok(v)
}

fn parse_magnification(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s
        .trim_end_matches(['x', 'X', '×'])
        .parse()
        .map_err(|_| format!("\"{s}\" is not a magnification such as 20x"))?;
    if !(1.0..=100.0).contains(&v) {
        return Err(format!("{v}× is out of range: 1× to 100×"));
    }
    Ok(v)
}

pub fn parse_zoom(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s.parse().map_err(|_| format!("\"{s}\" is not a number"))?;
    if !(1.0..=40.0).contains(&v) {
        return Err(format!("{v} is out of range: 1 to 40"));
    }
    Ok(v)
}

#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum PathChoice {
    Raster,
    Compute,
    Auto,
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

/// The preset view, zoomed, or a close-up of the skin at its centre.
fn camera_for(head: &Head, head_gpu: &HeadGpu, view: ViewPreset, a: &RenderArgs) -> Camera {
    let aspect = a.size.0 as f32 / a.size.1 as f32;
    let cam = Camera::framing(view, &head_gpu.outline, aspect);
    match a.look.close_up() {
        None => cam.zoomed(a.look.zoom),
        Some(c) => scalp::reports::framing::close_up(head, view, &cam, c.width_mm(), aspect),
    }
}

pub fn run(a: RenderArgs) -> Result<()> {
    let t0 = Instant::now();
    scalp::png::check_path(&a.out)?;
    let head = load_head(&a.head)?;
    let plan = plan_with_look(load_plan(&a.head)?, &a.look);
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let mut engine = Engine::new(a.head.adapter.as_deref())?;
    super::use_skin_shading(&mut engine, a.skin)?;
    let path = match a.path {
        PathChoice::Raster => SplatPath::Raster,
        PathChoice::Compute => SplatPath::Compute,
        PathChoice::Auto => engine.auto_path_for(a.size, a.ssaa.unwrap_or(0)),
    };
    // Sums are the compute path's: asked for by name on the raster path they would do nothing.
    if path == SplatPath::Raster && a.sums != scalp::render::splat_compute::DotSums::Auto {
        return Err(ScalpError::invalid(
            "--sums",
            format!(
                "{:?}: only the compute path sums dots this way, and this render takes the \
                 raster path; add --path compute or leave --sums out",
                a.sums
            )
            .to_lowercase(),
        ));
    }
    let mut head_gpu = HeadGpu::new(&engine.gpu, &head);
    treatment.set_hairs(&engine.gpu, &head, &mut head_gpu);
    let t_gen = Instant::now();
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let gen_s = t_gen.elapsed().as_secs_f64();
    let (t_years, when) = time_shown(&a, &treatment)?;
    let aged = engine.age(&treatment, &dots, t_years)?;
    let settings = RenderSettings {
        dots: !a.no_dots,
        ssaa: a.ssaa.unwrap_or(0),
        show: a.show,
        path,
        sums: a.sums,
        light: a.look.light,
        shadows: !a.no_shadows,
        ..treatment.render_settings()
    };
    head_gpu.set_exposure(&engine.gpu, &treatment.exposure);
    let frame = Frame {
        head: &head_gpu,
        dots: Some((&dots, &aged)),
        view: camera_for(&head, &head_gpu, a.view, &a).into(),
        settings: &settings,
        size: a.size,
    };
    let img = picture(&engine, &a, &treatment, &frame, &when)?;
    write_png(&img, &a.out)?;
    let summary = Summary {
        head: &head,
        treatment: &treatment,
        dots: &dots,
        gen_s,
        when: &when,
        path,
        ssaa: scalp::render::auto_ssaa(a.size, settings.ssaa),
        hairs: (head_gpu.hair_count > 0).then_some(head_gpu.hair_count),
    };
    print_summary(&a, &engine, &summary);
    println!("total time {:.1} s", t0.elapsed().as_secs_f64());
    Ok(())
}

/// The time shown, in years after the first session, and how the summary says it.
fn time_shown(a: &RenderArgs, treatment: &Treatment) -> Result<(f32, String)> {
    Ok(match (a.years, a.days) {
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
            // The same 30 years the engine ages to, so a date it refuses is refused here, by
            // its flag.
            if days < 0 || days as f32 > 30.0 * scalp::ageing::DAYS_PER_YEAR {
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
    })
}

/// The picture: the frame, or the untreated head beside it (--before-after), with the
/// exposure map's legend when it shows that.
fn picture(
    engine: &Engine,
    a: &RenderArgs,
    treatment: &Treatment,
    frame: &Frame,
    when: &str,
) -> Result<image::RgbaImage> {
    if a.before_after {
        let untreated = RenderSettings {
            dots: false,
            ..frame.settings.clone()
        };
        let before = engine.render_image(&Frame {
            settings: &untreated,
            ..*frame
        })?;
        let after = engine.render_image(frame)?;
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
        Ok(image::DynamicImage::ImageRgb8(sheet).to_rgba8())
    } else {
        let mut img = engine.render_image(frame)?;
        if a.show == Show::Exposure {
            scalp::reports::sheet::exposure_legend(&mut img)?;
        }
        Ok(img)
    }
}

/// What the summary after a render reports.
struct Summary<'a> {
    head: &'a Head,
    treatment: &'a Treatment,
    dots: &'a scalp::dots::generate::GpuDots,
    gen_s: f64,
    when: &'a str,
    path: SplatPath,
    /// Supersamples a side the frame was drawn with.
    ssaa: u32,
    /// The existing hairs drawn, if any.
    hairs: Option<u32>,
}

fn print_summary(a: &RenderArgs, engine: &Engine, s: &Summary) {
    let (head, treatment, dots) = (s.head, s.treatment, s.dots);
    let area_cm2 = treatment.layout.treated_area_mm2 / 100.0;
    let n = dots.total();
    let framing = match a.look.close_up() {
        Some(c) => format!("close-up {}", c.describe()),
        None => "whole head".to_string(),
    };
    println!(
        "wrote {} ({}x{}, {:?} view, {framing})",
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
        "dots: {n}{} on {area_cm2:.0} cm² treated = {:.1} dots/cm² (generated in {:.2} s, {} chunk{})",
        if a.no_dots { " (not drawn)" } else { "" },
        n as f64 / area_cm2.max(1e-9),
        s.gen_s,
        dots.chunks.len(),
        if dots.chunks.len() == 1 { "" } else { "s" }
    );
    let active = treatment.plan.errors.active();
    if !active.is_empty() {
        let list: Vec<String> = active.iter().map(|(e, s)| format!("{e}={s}")).collect();
        println!("technique errors: {}", list.join(", "));
    }
    println!(
        "time: {}; splatting: {:?}; skin shading: {}; light: {}; skin type {}; ink shade {:.1}, \
         tone {:+.2}{}",
        s.when,
        s.path,
        engine.renderer.skin_path(&engine.gpu, s.ssaa).describe(),
        a.look.light.name(),
        treatment.plan.skin.tone.name(),
        treatment.plan.dots.shade,
        treatment.plan.dots.tone,
        match s.hairs {
            Some(n) => format!("; {n} existing hairs"),
            None => String::new(),
        }
    );
}
