//! `scalp compare`: correct and erroneous work side by side, with the numbers that show each
//! error.
use super::{load_head, load_plan, parse_size, parse_years, HeadArgs};
use clap::Args;
use scalp::camera::ViewPreset;
use scalp::engine::Engine;
use scalp::render::HeadGpu;
use scalp::technique::TechniqueError;
use scalp::treatment::Treatment;
use scalp::{Result, ScalpError};
use std::path::PathBuf;

#[derive(Args)]
pub struct CompareArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Every error of the catalogue, one row each (severity 1 unless given with --error).
    #[arg(long)]
    pub all_errors: bool,
    /// Times to show, years after the first session, comma separated (default: healed, four
    /// weeks after the last session, and 5 years).
    #[arg(long, value_delimiter = ',', value_parser = parse_years)]
    pub years: Vec<f32>,
    /// A whole-head view for every row (default: each error's own framing: a close-up of the
    /// vertex for dot errors, the forehead for hairline errors, the top for patchy density).
    #[arg(long, value_enum)]
    pub view: Option<ViewPreset>,
    /// Size of each picture.
    #[arg(long, default_value = "480x360", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Output PNG.
    #[arg(long, default_value = "compare.png")]
    pub out: PathBuf,
}

pub fn run(a: CompareArgs) -> Result<()> {
    scalp::png::check_path(&a.out)?;
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
