//! `scalp report`: per-zone numbers and the trainer's metrics, as a table or JSON.
use super::{load_head, load_plan, parse_years, HeadArgs};
use clap::Args;
use scalp::engine::Engine;
use scalp::plan::Plan;
use scalp::render::HeadGpu;
use scalp::treatment::Treatment;
use scalp::Result;

#[derive(Args)]
pub struct ReportArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Years after the first session (default: healed).
    #[arg(long, value_parser = parse_years)]
    pub years: Option<f32>,
    /// Print JSON (the plan, the parameters and the zones) instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: ReportArgs) -> Result<()> {
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
    let shaved = scalp::reports::report::smp_vs_shaved(&engine, &head, &treatment, t)?;
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
            "smp_vs_shaved": shaved,
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
    if let Some(s) = &shaved {
        print_shaved(s);
    }
    Ok(())
}

/// The SMP against the client's shaved hair, per light.
fn print_shaved(s: &scalp::reports::report::SmpVsShaved) {
    let c = s.patch_centre_mm;
    println!();
    println!(
        "SMP against the shaved hair (patch at {:.0}, {:.0}, {:.0} mm; ΔY > 0: SMP darker)",
        c[0], c[1], c[2]
    );
    println!(
        "  {:<18} {:>9} {:>9} {:>8} {:>7}",
        "light", "SMP drop", "hair drop", "ΔY", "ΔE00"
    );
    for l in &s.lights {
        println!(
            "  {:<18} {:>8.1}% {:>8.1}% {:>+8.1} {:>7.2}",
            l.light.name(),
            l.treated_drop,
            l.shaved_drop,
            l.delta_y,
            l.delta_e
        );
    }
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
