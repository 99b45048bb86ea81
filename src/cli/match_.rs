//! `scalp match`: tunes a plan's shade, density and dot size so that the treated scalp reads
//! like the client's shaved hair (reports/shaved.rs), and writes the matched plan.
use super::{load_head, load_plan, HeadArgs};
use clap::Args;
use scalp::engine::Engine;
use scalp::error::Quantity;
use scalp::light::LightPreset;
use scalp::plan::Plan;
use scalp::reports::shaved::{self, Comparison, Match, Trial};
use scalp::treatment::plan_for_dot_count;
use scalp::{Result, ScalpError};
use std::path::{Path, PathBuf};
use std::time::Instant;

#[derive(Args)]
pub struct MatchArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Light to match under; repeat it for several (the match balances them). Default: all
    /// four presets, the rooms the client will be seen in.
    #[arg(long = "light", value_enum, value_name = "LIGHT")]
    pub lights: Vec<LightPreset>,
    /// Where to write the matched plan (TOML). Written whole or not at all.
    #[arg(long, value_name = "MATCHED.toml")]
    pub out: PathBuf,
    /// How many plans the search renders (each one is a dot generation and a render per light).
    #[arg(long, default_value_t = shaved::SEARCH_BUDGET as u32,
          value_parser = clap::value_parser!(u32).range(8..=200))]
    pub budget: u32,
}

pub fn run(a: MatchArgs) -> Result<()> {
    let t0 = Instant::now();
    scalp::png::check_output(&a.out, "toml")?;
    let head = load_head(&a.head)?;
    let mut plan = load_plan(&a.head)?;
    // --dots scales every density; the matched plan starts from (and keeps) that scaling.
    if let Some(n) = a.head.dots {
        if n == 0 {
            return Err(ScalpError::bad(Quantity::DotCount, "must be at least 1"));
        }
        plan = plan_for_dot_count(&plan, &head.mesh, &head.landmarks, n)?;
    }
    // Refused before the GPU is opened: there is nothing to measure.
    if shaved::shaved_everywhere(&plan).is_none() {
        return Err(ScalpError::invalid("plan", shaved::NO_HAIR));
    }
    let lights = if a.lights.is_empty() {
        LightPreset::ALL.to_vec()
    } else {
        let mut l: Vec<LightPreset> = Vec::new();
        for x in &a.lights {
            if !l.contains(x) {
                l.push(*x);
            }
        }
        l
    };
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let cmp = Comparison::new(&engine, &head, &plan, &lights)?;
    println!(
        "patch: {:.0} mm of the treated scalp at ({:.0}, {:.0}, {:.0}) mm, measured over {:.0} mm; \
         healed; the treated patch against the client's shaved hair grown on it",
        shaved::PATCH_WIDTH_MM,
        cmp.centre.x,
        cmp.centre.y,
        cmp.centre.z,
        2.0 * shaved::MEASURE_RADIUS_MM,
    );
    let budget = a.budget as usize;
    let bar = indicatif::ProgressBar::new(budget as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "matching {bar:40} plan {pos}/{len} [{elapsed}, about {eta} left]",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
    );
    let found = shaved::search(&engine, &cmp, &plan, budget, &|done, _| {
        bar.set_position(done as u64)
    });
    bar.finish_and_clear();
    let found = found?;
    print_table("before", &found.before);
    print_table("after", &found.after);
    let (b, k) = (&found.before.knobs, &found.after.knobs);
    println!(
        "shade {:.1} → {:.1}; densities ×{:.2} (top {:.1} → {:.1} dots/cm²); dot diameter {:.3} → {:.3} mm",
        b.shade,
        k.shade,
        k.density_scale,
        plan.density.top,
        found.plan.density.top,
        b.diameter_mm,
        k.diameter_mm
    );
    if found.after == found.before {
        println!("no plan tried matched better than the plan as it is; it is written unchanged");
    }
    write_plan(
        &found.plan,
        &a.out,
        &found.before.result,
        &found.after.result,
    )?;
    println!(
        "wrote {} ({} plans rendered in {:.0} s)",
        a.out.display(),
        found.trials.len() + 1,
        t0.elapsed().as_secs_f64()
    );
    Ok(())
}

fn print_table(when: &str, t: &Trial) {
    println!(
        "{when:<7} {:<18} {:>9} {:>9} {:>8} {:>7}",
        "light", "SMP drop", "hair drop", "ΔY", "ΔE00"
    );
    for l in &t.result.lights {
        println!(
            "        {:<18} {:>8.1}% {:>8.1}% {:>+8.1} {:>7.2}",
            l.light.name(),
            l.treated_drop,
            l.shaved_drop,
            l.delta_y,
            l.delta_e
        );
    }
    if t.result.lights.len() > 1 {
        println!(
            "        {:<18} {:>9} {:>9} {:>8.1} {:>7.2}  (mean |ΔY|, mean ΔE)",
            "all",
            "",
            "",
            t.result.mean_abs_delta_y(),
            t.result.mean_delta_e()
        );
    }
}

/// Writes the matched plan whole or not at all (a temporary file renamed over the target),
/// after checking that it reads back as the same plan.
fn write_plan(plan: &Plan, path: &Path, before: &Match, after: &Match) -> Result<()> {
    let err = |message: String| ScalpError::Output {
        path: path.to_path_buf(),
        message,
    };
    let text = format!(
        "# Matched to the client's shaved hair by `scalp match`: mean |ΔY| {:.1} → {:.1} points,\n\
         # mean ΔE00 {:.2} → {:.2} ({}).\n{}",
        before.mean_abs_delta_y(),
        after.mean_abs_delta_y(),
        before.mean_delta_e(),
        after.mean_delta_e(),
        after
            .lights
            .iter()
            .map(|l| l.light.name())
            .collect::<Vec<_>>()
            .join(", "),
        plan.to_toml()
    );
    match Plan::from_toml_str(&text, path) {
        Ok(back) if &back == plan => {}
        Ok(_) => return Err(err("the matched plan does not read back the same".into())),
        Err(e) => return Err(err(format!("the matched plan does not load: {e}"))),
    }
    scalp::png::write_whole(path, "toml", |w| {
        w.write_all(text.as_bytes()).map_err(|e| e.to_string())
    })
}
