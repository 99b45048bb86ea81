//! `scalp view`: the consultation viewer, opened with the head and plan of the flags.
use super::{load_head, load_plan, parse_days, parse_fraction, parse_size, parse_years, HeadArgs};
use crate::viewer;
use clap::Args;
use scalp::camera::ViewPreset;
use scalp::head::obj::LoadOptions;
use scalp::light::LightPreset;
use scalp::optics::SkinTone;
use scalp::{Result, ScalpError};
use std::path::PathBuf;

#[derive(Args)]
pub struct ViewArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Camera view at start (keys 1–6 and the panel change it).
    #[arg(long, value_enum, default_value_t = ViewPreset::ThreeQuarter)]
    pub view: ViewPreset,
    /// Window size at start, WIDTHxHEIGHT in logical pixels.
    #[arg(long, default_value = "1280x800", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Show the head this many years after the first session (default: healed).
    #[arg(long, conflicts_with = "days", value_parser = parse_years, allow_negative_numbers = true)]
    pub years: Option<f32>,
    /// Show the head this many days after the first session.
    #[arg(long, value_parser = parse_days, allow_negative_numbers = true)]
    pub days: Option<f32>,
    /// Start with the untreated head (no dots).
    #[arg(long)]
    pub no_dots: bool,
    /// Start with the before/after divider at this fraction of the view's width (0–1).
    #[arg(long, value_name = "FRACTION", value_parser = parse_fraction)]
    pub split: Option<f32>,
    /// Draw N frames in the window once the head and its dots are ready, write the window
    /// (view and panel) to --out, and exit. For tests and documentation.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=100000))]
    pub screenshot_after: Option<u32>,
    /// Screenshot of --screenshot-after; screenshots taken with F12 and P are numbered
    /// beside it (NAME-001.png, …).
    #[arg(long, default_value = "scalp-view.png")]
    pub out: PathBuf,
    /// Where "save plan" (Ctrl+S) writes the settings. Default: the --plan file, else
    /// scalp-view-plan.toml.
    #[arg(long, value_name = "PLAN.toml")]
    pub save_plan: Option<PathBuf>,
    /// Lighting preset at start.
    #[arg(long, value_enum, default_value_t = LightPreset::Consultation)]
    pub light: LightPreset,
    /// Fitzpatrick skin type I–VI at start (default: the plan's).
    #[arg(long, value_enum)]
    pub skin: Option<SkinTone>,
    /// Start with the client's existing hair drawn (the plan's [hair] section).
    #[arg(long)]
    pub hair: bool,
    /// Play the actions of FILE instead of waiting for a hand (orbit, sliders, time, errors,
    /// dropped files, a lost device, screenshots, quit), paced by frames: for soak tests and
    /// reproducing a session. The format is in src/viewer/script.rs.
    #[arg(long, value_name = "FILE", conflicts_with = "screenshot_after")]
    pub script: Option<PathBuf>,
    /// Pick the landmark pixels `scalp photo` needs on this photo (JPEG or PNG): the view
    /// shows it and prompts each landmark in turn, fits the head after four, draws it over the
    /// photo to check, and saves the points file.
    #[arg(long, value_name = "IMAGE")]
    pub photo: Option<PathBuf>,
    /// Points picked before on --photo, to go on from ("name=x,y;…" or a TOML file).
    #[arg(long, value_name = "SPEC|FILE.toml", requires = "photo")]
    pub points: Option<String>,
    /// Where the picked points are saved (default: the --points file, else the photo's name
    /// with .points.toml).
    #[arg(long, value_name = "FILE.toml", requires = "photo")]
    pub points_out: Option<PathBuf>,
}

pub fn run(a: ViewArgs) -> Result<()> {
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
    let script = a
        .script
        .as_deref()
        .map(viewer::script::Script::load)
        .transpose()?;
    let photo = a
        .photo
        .as_deref()
        .map(|p| viewer::photo::Picker::open(p, a.points.as_deref(), a.points_out.clone()))
        .transpose()?;
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
        script,
        photo,
    })
}
