//! `scalp age`: a contact sheet of one view over the years, and the fading chart.
use super::{generate_with_bar, load_head, load_plan, parse_size, parse_years, HeadArgs};
use clap::Args;
use scalp::camera::ViewPreset;
use scalp::engine::{Engine, Frame};
use scalp::render::{HeadGpu, RenderSettings};
use scalp::treatment::Treatment;
use scalp::Result;
use std::path::PathBuf;

#[derive(Args)]
pub struct AgeArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Times to show, years after the first session, comma separated.
    #[arg(long, value_delimiter = ',', default_value = "0,0.5,1,3,5,10", value_parser = parse_years)]
    pub years: Vec<f32>,
    /// Output PNG of the contact sheet.
    #[arg(long, default_value = "sheet.png")]
    pub out: PathBuf,
    /// Also write the fading chart (contrast and visible density per zone over 15 years).
    #[arg(long, value_name = "FILE.png")]
    pub chart: Option<PathBuf>,
    #[arg(long, value_enum, default_value_t = ViewPreset::ThreeQuarter)]
    pub view: ViewPreset,
    /// Size of each picture on the sheet.
    #[arg(long, default_value = "480x360", value_parser = parse_size)]
    pub size: (u32, u32),
}

pub fn run(a: AgeArgs) -> Result<()> {
    for out in std::iter::once(&a.out).chain(&a.chart) {
        scalp::png::check_path(out)?;
    }
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
        let img = engine.render_image(&Frame {
            head: &head_gpu,
            dots: Some((&dots, &aged)),
            view: a.view.into(),
            settings: &settings,
            size: a.size,
        })?;
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
