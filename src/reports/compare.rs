//! Correct work beside erroneous work, for trainers: the same head, camera and light, at each
//! chosen time, each picture labelled with the error, its severity and the time. Each error
//! has a framing where it shows: dots are 0.1–0.7 mm, a whole head at 480 pixels is ~0.4 mm a
//! pixel, so dot-level errors get a close-up of the vertex and hairline errors a close view of
//! the forehead.
use crate::camera::ViewPreset;
use crate::engine::{Engine, Frame};
use crate::error::Result;
use crate::head::Head;
use crate::plan::Plan;
use crate::render::{HeadGpu, RenderSettings};
use crate::reports::metrics::Metrics;
use crate::technique::TechniqueError;
use crate::treatment::Treatment;

// The framings live apart so that the metrics can frame their close-up without the comparison.
pub use super::framing::{camera, Framing};

/// The label of a picture: what it shows, the severity and the time.
pub fn label(error: Option<(TechniqueError, f32)>, years: f32) -> String {
    let when = crate::reports::sheet::time_label(years);
    match error {
        None => format!("correct · {when}"),
        Some((e, s)) => format!("{} {} · {when}", e.title(), fmt_severity(s)),
    }
}

fn fmt_severity(s: f32) -> String {
    let t = format!("{s:.2}");
    t.trim_end_matches('0').trim_end_matches('.').to_string()
}

/// What `scalp compare` draws: for each error, a row of pictures, correct then erroneous at
/// each time.
pub struct CompareRequest<'a> {
    pub plan: &'a Plan,
    pub errors: &'a [(TechniqueError, f32)],
    /// Years after the first session.
    pub years: &'a [f32],
    /// A whole-head view for every row instead of each error's own framing.
    pub view: Option<ViewPreset>,
    /// Size of each picture.
    pub size: (u32, u32),
    /// Ask for this many dots in all (as `--dots`); None: the plan's densities.
    pub dots: Option<u64>,
}

/// What `scalp compare` made: the pictures row by row, and for each error and time the
/// metrics of correct and erroneous work.
pub struct Comparison {
    /// Per error: `[correct t0, error t0, correct t1, …]`, labelled.
    pub rows: Vec<Vec<(String, image::RgbaImage)>>,
    /// Per error, per time: (metrics of correct work, metrics of the error).
    pub metrics: Vec<Vec<(Metrics, Metrics)>>,
}

/// The pictures and metrics of `req`. The correct work is the plan with every error off; the
/// erroneous work the same plan with only that error on, so each row teaches one thing.
pub fn pictures(
    engine: &Engine,
    head: &Head,
    head_gpu: &HeadGpu,
    req: &CompareRequest<'_>,
) -> Result<Comparison> {
    let correct_plan = crate::worked::correct(req.plan);
    let correct = Treatment::new(head, &correct_plan, req.dots)?;
    let correct_dots = engine.generate(head, &correct)?;
    let correct_list = correct_dots.read(&engine.gpu)?;
    // The metrics of correct work at each time, measured once.
    let correct_metrics = req
        .years
        .iter()
        .map(|&y| {
            crate::reports::metrics::measure_with(
                engine,
                head,
                head_gpu,
                &correct,
                &correct_dots,
                &correct_list,
                y,
            )
        })
        .collect::<Result<Vec<_>>>()?;
    let aspect = req.size.0 as f32 / req.size.1 as f32;
    let settings = RenderSettings::default();
    let mut rows = Vec::new();
    let mut metrics = Vec::new();
    for &(error, severity) in req.errors {
        let plan = crate::worked::with_only(req.plan, error, severity);
        let wrong = Treatment::new(head, &plan, req.dots)?;
        let wrong_dots = engine.generate(head, &wrong)?;
        let wrong_list = wrong_dots.read(&engine.gpu)?;
        let mut per_time = Vec::new();
        for (k, &y) in req.years.iter().enumerate() {
            let m = crate::reports::metrics::measure_with(
                engine,
                head,
                head_gpu,
                &wrong,
                &wrong_dots,
                &wrong_list,
                y,
            )?;
            per_time.push((correct_metrics[k].clone(), m));
        }
        metrics.push(per_time);
        let framing = match req.view {
            Some(v) => Framing::View(v),
            None => Framing::for_error(error),
        };
        let (cam, px_per_mm) = camera(head, framing, aspect);
        let mut row = Vec::new();
        for &y in req.years {
            for (t, dots, which) in [
                (&correct, &correct_dots, None),
                (&wrong, &wrong_dots, Some((error, severity))),
            ] {
                let aged = engine.age(t, dots, y)?;
                let mut img = engine.render_image(&Frame {
                    head: head_gpu,
                    dots: Some((dots, &aged)),
                    view: cam.into(),
                    settings: &settings,
                    size: req.size,
                })?;
                if let Some(k) = px_per_mm {
                    crate::reports::sheet::scale_bar(&mut img, k * req.size.1 as f32)?;
                }
                row.push((label(which, y), img));
            }
        }
        rows.push(row);
    }
    Ok(Comparison { rows, metrics })
}
