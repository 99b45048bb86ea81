//! Correct work beside erroneous work, for trainers: the same head, camera and light, at each
//! chosen time, each picture labelled with the error, its severity and the time. Each error
//! has a framing where it shows: dots are 0.1–0.7 mm, a whole head at 480 pixels is ~0.4 mm a
//! pixel, so dot-level errors get a close-up of the vertex and hairline errors a close view of
//! the forehead.
use crate::camera::{Camera, ViewPreset};
use crate::dots::generate::GpuDots;
use crate::error::Result;
use crate::head::Head;
use crate::plan::Plan;
use crate::render::{HeadGpu, RenderSettings};
use crate::reports::metrics::Metrics;
use crate::technique::TechniqueError;
use crate::{engine::Engine, treatment::Treatment};
use glam::Vec3;

/// Where the camera looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Framing {
    /// A close-up of the skin at the vertex, `width_mm` across, seen a little from the front.
    Vertex { width_mm: f32 },
    /// The forehead and temples from the front and a little above, `width_mm` across.
    Hairline { width_mm: f32 },
    /// One of the whole-head views.
    View(ViewPreset),
}

impl Framing {
    /// Where `error` shows best.
    pub fn for_error(error: TechniqueError) -> Framing {
        use TechniqueError as E;
        match error {
            // Dot size, depth, shade and rows show dot by dot: ~0.05 mm a pixel at 480 px.
            E::Oversized | E::TooDeep | E::TooShallow | E::WrongShade | E::GridSpacing => {
                Framing::Vertex { width_mm: 24.0 }
            }
            // Lost dot texture needs a field of dots: ~0.1 mm a pixel.
            E::OverSaturation => Framing::Vertex { width_mm: 90.0 },
            E::HarshHairline | E::Asymmetry => Framing::Hairline { width_mm: 120.0 },
            // Blotches of 1.5–3 cm need a field of several: ~0.2 mm a pixel.
            E::PatchyDensity => Framing::Vertex { width_mm: 80.0 },
        }
    }

    /// A short description for titles and labels.
    pub fn describe(self) -> String {
        match self {
            Framing::Vertex { width_mm } => format!("vertex close-up, {width_mm:.0} mm across"),
            Framing::Hairline { width_mm } => format!("front hairline, {width_mm:.0} mm across"),
            Framing::View(v) => format!("{v:?} view").to_lowercase(),
        }
    }
}

/// Vertical field of view of the close-ups: a long lens, so the skin is seen with little
/// perspective.
const CLOSE_FOV_Y_DEG: f32 = 20.0;

/// The camera of `framing` for pictures of `aspect` (width / height), and for close-ups how
/// many pixels a millimetre of skin spans at the target per pixel of picture height
/// (multiply by the height).
pub fn camera(head: &Head, framing: Framing, aspect: f32) -> (Camera, Option<f32>) {
    let (target, dir, up, width) = match framing {
        Framing::View(v) => {
            let (lo, hi) = crate::render::frame_bounds(head);
            return (Camera::framing(v, lo, hi, aspect), None);
        }
        Framing::Vertex { width_mm } => {
            let (p, n) = crate::reports::metrics::surface_point(head, head.landmarks.vertex);
            // Tilted toward the face, so the skin's relief shows under the key light; the
            // top of the picture is the back of the head.
            let dir = (n + Vec3::Z * 0.5).normalize();
            (p, dir, -Vec3::Z, width_mm)
        }
        Framing::Hairline { width_mm } => {
            let lm = &head.landmarks;
            // On the skin above the midline hairline, level with the temple corners (which
            // sit higher than the midline), so the whole front line and both corners are in
            // the middle of the picture.
            let (target, _) =
                crate::reports::metrics::surface_point(head, lm.front_hairline + Vec3::Y * 26.0);
            // From 40° above the horizon the sloping band is seen nearly face on.
            let e = 40f32.to_radians();
            (target, Vec3::new(0.0, e.sin(), e.cos()), Vec3::Y, width_mm)
        }
    };
    let fov_y = CLOSE_FOV_Y_DEG.to_radians();
    let half_w = (0.5 * fov_y).tan() * aspect;
    let dist = 0.5 * width / half_w;
    let cam = Camera {
        eye: target + dir * dist,
        target,
        up,
        fov_y,
        near: (dist - 120.0).max(1.0),
        far: dist + 250.0,
    };
    // Pixels per mm at the target, per pixel of height: (h/2) / (dist · tan(fov/2)) / h.
    (cam, Some(0.5 / (dist * (0.5 * fov_y).tan())))
}

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
                let mut img = render_at(engine, head_gpu, t, dots, &cam, &settings, req.size, y)?;
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

#[allow(clippy::too_many_arguments)]
fn render_at(
    engine: &Engine,
    head_gpu: &HeadGpu,
    t: &Treatment,
    dots: &GpuDots,
    cam: &Camera,
    settings: &RenderSettings,
    size: (u32, u32),
    years: f32,
) -> Result<image::RgbaImage> {
    let aged = engine.age(t, dots, years)?;
    engine.render_camera(head_gpu, Some((dots, &aged)), cam, settings, size)
}
