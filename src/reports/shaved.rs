//! SMP against the client's shaved hair: does the treated scalp read like the hair he keeps,
//! shaved? Clinics choose the pigment's shade and the density to match it (issue 14, part 4).
//!
//! The measurement renders one patch of the treated scalp three ways, through the engine (the
//! hair is whatever the renderer draws; nothing here models it):
//!
//! - **bald**: untreated skin, no hair: the reference both others are measured against;
//! - **treated**: the plan's dots healed, with whatever hair the plan leaves on that patch;
//! - **shaved**: no dots, the client's shaved hair grown on that patch at the density he keeps
//!   where he has the most (the sides and back, usually): a plan variant with every zone's hair
//!   fraction set to that one.
//!
//! All three are the SAME patch, camera and light, so the top's lighting (a ceiling panel, the
//! sun) and the sides' (grazing) cannot pass for a mismatch: comparing the top's dots with the
//! sides' real hair would mostly measure how differently the two are lit. For each light it
//! reports each situation's luminance drop against the bald render (in points of the bald
//! luminance), their difference ΔY = treated − shaved (positive: the SMP is darker than the
//! hair), and the CIEDE2000 difference ΔE₀₀ between the treated and the shaved patch's mean
//! colours (the colour a viewer sees at conversation distance, where neither dots nor hairs are
//! resolved).
//!
//! [`search`] then looks for the shade, the density scale and the dot size that match best.
use crate::camera::Camera;
use crate::colour::{ciede2000, lab_from_linear};
use crate::engine::{Engine, Frame};
use crate::error::{Result, ScalpError};
use crate::head::Head;
use crate::light::LightPreset;
use crate::plan::{allowed_range, Plan};
use crate::render::{HeadGpu, RenderSettings};
use crate::treatment::Treatment;
use crate::zone::{Zone, ZoneId};
use glam::Vec3;
use serde::Serialize;

/// Width of the scalp the close-up shows, mm. Wide enough that the mean over the measured disc
/// holds several hundred dots and a thousand hairs (the mean's sampling noise a few % of the
/// drop), narrow enough that the patch stays on the top's treated skin.
pub const PATCH_WIDTH_MM: f32 = 40.0;
/// Radius of the measured disc round the patch's centre, mm (inside the picture's corners,
/// which could leave the skin on a small head).
pub const MEASURE_RADIUS_MM: f32 = 15.0;
/// Picture size and supersampling: 320 px over 40 mm, 2×2 samples, ~16 samples a mm, so a
/// healed dot (0.10–0.17 mm, its blur wider) spans a few samples.
pub const SIZE: (u32, u32) = (320, 320);
pub const SSAA: u32 = 2;
/// The camera's distance from the patch, mm: conversation distance, a long lens. A flash at the
/// camera then lights the patch as it would at a consultation, not from a macro lens' few cm.
const CAMERA_DISTANCE_MM: f32 = 400.0;

/// How a plan's treated patch compares with the client's shaved hair under one light.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct LightMatch {
    pub light: LightPreset,
    /// Luminance drop of the treated patch against the bald one, points (% of bald).
    pub treated_drop: f64,
    /// Luminance drop of the shaved-hair patch against the bald one, points.
    pub shaved_drop: f64,
    /// `treated_drop − shaved_drop`: positive when the SMP is darker than the hair.
    pub delta_y: f64,
    /// CIEDE2000 difference between the two patches' mean colours.
    pub delta_e: f64,
}

/// A plan's match under each light measured.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Match {
    pub lights: Vec<LightMatch>,
}

impl Match {
    /// Mean |ΔY| over the lights, points: the search's first criterion.
    pub fn mean_abs_delta_y(&self) -> f64 {
        mean(self.lights.iter().map(|l| l.delta_y.abs()))
    }

    /// Mean ΔY over the lights (its sign says darker or lighter than the hair).
    pub fn mean_delta_y(&self) -> f64 {
        mean(self.lights.iter().map(|l| l.delta_y))
    }

    /// Mean ΔE₀₀ over the lights: the search's second criterion.
    pub fn mean_delta_e(&self) -> f64 {
        mean(self.lights.iter().map(|l| l.delta_e))
    }
}

fn mean(v: impl Iterator<Item = f64>) -> f64 {
    let (sum, n) = v.fold((0.0, 0usize), |(s, n), x| (s + x, n + 1));
    if n == 0 {
        0.0
    } else {
        sum / n as f64
    }
}

/// The client's shaved hair everywhere: `plan` with every zone's hair fraction set to the
/// largest the plan gives (the zone he keeps fullest, the sides and back usually), or None when
/// the plan has no hair. The only place that reads or writes the plan's `[hair]`.
pub fn shaved_everywhere(plan: &Plan) -> Option<Plan> {
    let hair = &plan.hair;
    let full = ZoneId::ALL
        .iter()
        .map(|&z| hair.coverage(z))
        .fold(0.0f32, f32::max);
    if !hair.enabled || full <= 0.0 {
        return None;
    }
    let mut p = plan.clone();
    let h = &mut p.hair;
    for v in [
        &mut h.hairline,
        &mut h.top,
        &mut h.crown,
        &mut h.sides,
        &mut h.back,
    ] {
        *v = full;
    }
    // Hair grows over the whole patch: no alopecia patch or scar may keep it bald there (the
    // dots and the skin's scars come from the plan itself, not from this variant).
    p.alopecia.patches.clear();
    p.scars = Default::default();
    p.zones.custom.clear();
    Some(p)
}

/// What a plan with nothing to match is told: the keys that give the client's hair.
pub const NO_HAIR: &str = "the plan has no hair to match the SMP to: describe the hair the \
client keeps shaved in [hair]: hair.enabled = true, hair.color, and the fraction he keeps per \
zone (hair.sides = 1.0, hair.back = 1.0)";

/// The three situations' renders for one light.
struct Reference {
    light: LightPreset,
    /// Mean linear RGB of the bald, untreated patch.
    bald: [f64; 3],
    /// Mean linear RGB of the patch with the client's shaved hair, no dots.
    shaved: [f64; 3],
}

/// A patch of a plan's treated scalp on a head, and its bald and shaved renders per light:
/// built once, then [`Comparison::measure`] renders the treated patch of any plan that differs
/// from it only in its dots (`[dots]`, `[density]`).
pub struct Comparison {
    /// The head cut down to the skin round the patch ([`crop`]): dots are generated there only.
    crop: Head,
    /// The whole head's sun exposure per vertex (the crop keeps every vertex): the crop alone
    /// would not shade itself as the whole head does.
    exposure: std::sync::Arc<Vec<f32>>,
    camera: Camera,
    /// The patch's centre on the skin, head space (for reports).
    pub centre: Vec3,
    /// The head with the plan's own hairs (the treated situation).
    plan_head: HeadGpu,
    references: Vec<Reference>,
}

/// Skin kept round the patch's centre, mm: the picture's corners (28 mm out) and the hairs and
/// dot blur that reach in from beyond them.
const CROP_RADIUS_MM: f32 = 45.0;

/// `head` with only the triangles near `centre`: every vertex is kept, so per-vertex data (the
/// sun exposure, a scan's texture coordinates) stay valid. Generating a plan's dots on it takes
/// a fraction of the whole head's time, which is what makes a search of many plans affordable;
/// the patch sees the same skin, zone, dots and hairs statistically (not dot for dot: the
/// hashes follow the triangles).
pub fn crop(head: &Head, centre: Vec3) -> Head {
    let mut cut = head.clone();
    let m = &head.mesh;
    cut.mesh.indices = m
        .indices
        .chunks_exact(3)
        .filter(|t| {
            t.iter()
                .any(|&i| m.positions[i as usize].distance(centre) <= CROP_RADIUS_MM)
        })
        .flatten()
        .copied()
        .collect();
    cut
}

impl Comparison {
    /// Picks the patch, renders it bald and shaved under each of `lights`. Refuses a plan with
    /// no hair, or no treated patch of scalp [`PATCH_WIDTH_MM`]-ish across.
    pub fn new(
        engine: &Engine,
        head: &Head,
        plan: &Plan,
        lights: &[LightPreset],
    ) -> Result<Comparison> {
        let shaved_plan =
            shaved_everywhere(plan).ok_or_else(|| ScalpError::invalid("plan", NO_HAIR))?;
        if lights.is_empty() {
            return Err(ScalpError::invalid("light", "give at least one light"));
        }
        let whole = Treatment::new(head, plan, None)?;
        let (centre, normal) = treated_patch(head, &whole.zone).ok_or_else(|| {
            ScalpError::invalid(
                "plan",
                format!(
                    "the plan treats no patch of scalp {:.0} mm across (only scars, or alopecia \
                     patches smaller than that), so there is no SMP to measure against the \
                     hair: the match needs a treated top or crown",
                    2.0 * MEASURE_RADIUS_MM
                ),
            )
        })?;
        let crop = crop(head, centre);
        let exposure = whole.exposure.clone();
        let camera = patch_camera(centre, normal);
        let treatment = Treatment::new(&crop, plan, None)?;
        let mut plan_head = HeadGpu::new(&engine.gpu, &crop);
        treatment.set_hairs(&engine.gpu, &crop, &mut plan_head);
        let shaved = Treatment::new(&crop, &shaved_plan, None)?;
        let mut shaved_head = HeadGpu::new(&engine.gpu, &crop);
        shaved.set_hairs(&engine.gpu, &crop, &mut shaved_head);
        // The skin (type, scars) is the plan's in all three situations.
        let skin = treatment.render_settings();
        let mut references = Vec::with_capacity(lights.len());
        for &light in lights {
            let settings = RenderSettings {
                light,
                ssaa: SSAA,
                dots: false,
                ..skin.clone()
            };
            let bald = RenderSettings {
                hair: false,
                ..settings.clone()
            };
            let shot = |head_gpu: &HeadGpu, s: &RenderSettings| {
                engine.render_image(&Frame {
                    head: head_gpu,
                    dots: None,
                    view: camera.into(),
                    settings: s,
                    size: SIZE,
                })
            };
            references.push(Reference {
                light,
                bald: disc_mean(&shot(&plan_head, &bald)?),
                shaved: disc_mean(&shot(&shaved_head, &settings)?),
            });
        }
        Ok(Comparison {
            crop,
            exposure,
            camera,
            centre,
            plan_head,
            references,
        })
    }

    /// The lights this comparison measures under.
    pub fn lights(&self) -> Vec<LightPreset> {
        self.references.iter().map(|r| r.light).collect()
    }

    /// `plan` laid out on the patch (its treatment on the cropped head, with the whole head's
    /// sun exposure).
    pub fn treatment(&self, plan: &Plan) -> Result<Treatment> {
        let mut t = Treatment::new(&self.crop, plan, None)?;
        t.exposure = self.exposure.clone();
        Ok(t)
    }

    /// Generates `plan`'s dots on the patch, heals them and compares the treated patch with
    /// the shaved one under each light. `plan` must be the plan this comparison was built for,
    /// or differ from it only in its dots (the hair and the skin are the built ones).
    pub fn measure(&self, engine: &Engine, plan: &Plan) -> Result<Match> {
        self.measure_at(engine, plan, None)
    }

    /// As [`Comparison::measure`], `t_years` after the first session (None: healed).
    pub fn measure_at(&self, engine: &Engine, plan: &Plan, t_years: Option<f32>) -> Result<Match> {
        let treatment = self.treatment(plan)?;
        let dots = engine.generate(&self.crop, &treatment)?;
        let t = t_years.unwrap_or(treatment.healed_years());
        let aged = engine.age(&treatment, &dots, t)?;
        let mut lights = Vec::with_capacity(self.references.len());
        for r in &self.references {
            let settings = RenderSettings {
                light: r.light,
                ssaa: SSAA,
                ..treatment.render_settings()
            };
            let treated = disc_mean(&engine.render_image(&Frame {
                head: &self.plan_head,
                dots: Some((&dots, &aged)),
                view: self.camera.into(),
                settings: &settings,
                size: SIZE,
            })?);
            lights.push(compare(r.light, r.bald, treated, r.shaved));
        }
        Ok(Match { lights })
    }

    /// The close-up camera (for pictures of the patch).
    pub fn camera(&self) -> Camera {
        self.camera
    }
}

/// The numbers of one light from the three mean colours (linear RGB).
pub fn compare(
    light: LightPreset,
    bald: [f64; 3],
    treated: [f64; 3],
    shaved: [f64; 3],
) -> LightMatch {
    let lum = |c: [f64; 3]| 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
    let drop = |c: [f64; 3]| 100.0 * (1.0 - lum(c) / lum(bald).max(1e-12));
    let (treated_drop, shaved_drop) = (drop(treated), drop(shaved));
    LightMatch {
        light,
        treated_drop,
        shaved_drop,
        delta_y: treated_drop - shaved_drop,
        delta_e: ciede2000(lab_from_linear(treated), lab_from_linear(shaved)),
    }
}

/// Mean linear RGB over the measured disc of a close-up (sRGB 8-bit pixels linearised: the
/// eye averages light, not code values).
fn disc_mean(img: &image::RgbaImage) -> [f64; 3] {
    let (w, h) = img.dimensions();
    let px_per_mm = w as f32 / PATCH_WIDTH_MM;
    let r = MEASURE_RADIUS_MM * px_per_mm;
    let (cx, cy) = (0.5 * w as f32, 0.5 * h as f32);
    let lin = |v: u8| crate::optics::srgb_to_linear([v, v, v])[0] as f64;
    let (mut sum, mut n) = ([0.0f64; 3], 0usize);
    for (x, y, p) in img.enumerate_pixels() {
        let (dx, dy) = (x as f32 + 0.5 - cx, y as f32 + 0.5 - cy);
        if dx * dx + dy * dy <= r * r {
            for c in 0..3 {
                sum[c] += lin(p[c]);
            }
            n += 1;
        }
    }
    sum.map(|s| s / n.max(1) as f64)
}

/// Looks straight down the skin's normal at `centre`, [`PATCH_WIDTH_MM`] across: square on,
/// so the disc measured is the same area of skin in every render.
fn patch_camera(centre: Vec3, normal: Vec3) -> Camera {
    let dist = CAMERA_DISTANCE_MM;
    let fov_y = 2.0 * (0.5 * PATCH_WIDTH_MM / dist).atan();
    // The forehead toward the top of the picture where the normal allows it.
    let up = if normal.cross(Vec3::Z).length() > 0.2 {
        Vec3::Z
    } else {
        Vec3::Y
    };
    Camera {
        eye: centre + normal * dist,
        target: centre,
        up,
        fov_y,
        near: dist - 100.0,
        far: dist + 100.0,
    }
}

/// The patch measured: the point of the skin nearest the vertex (the top of the head, where a
/// Norwood pattern is treated and clients look first) whose whole measured disc is treated at
/// full density (past the hairline's ramp, not a scar), facing up enough that every light
/// preset reaches it; with its normal. None when the plan treats no such patch.
pub fn treated_patch(head: &Head, zone: &Zone) -> Option<(Vec3, Vec3)> {
    let mesh = &head.mesh;
    let vertex = head.landmarks.vertex;
    let full = |p: Vec3| {
        let s = zone.sample(p);
        s.above_mm > 0.0 && s.ramp >= 0.999 && s.density_per_mm2 > 0.0 && s.zone != ZoneId::Scar
    };
    let mut candidates: Vec<usize> = (0..mesh.positions.len())
        .filter(|&i| mesh.normals.get(i).is_some_and(|n| n.y > 0.5))
        .collect();
    candidates.sort_by(|&a, &b| {
        mesh.positions[a]
            .distance_squared(vertex)
            .total_cmp(&mesh.positions[b].distance_squared(vertex))
    });
    candidates.into_iter().find_map(|i| {
        let (p, n) = (mesh.positions[i], mesh.normals[i].normalize_or_zero());
        let t = n.any_orthonormal_vector();
        let b = n.cross(t);
        let ring_treated = (0..16).all(|k| {
            let a = k as f32 * std::f32::consts::TAU / 16.0;
            [0.5, 1.0]
                .iter()
                .all(|&f| full(p + (t * a.cos() + b * a.sin()) * (f * MEASURE_RADIUS_MM)))
        });
        (full(p) && ring_treated).then_some((p, n))
    })
}

// ---- The search ----

/// The settings `scalp match` tunes: the pigment's shade, a common scale on every `[density]`
/// zone, and the healed dot diameter.
#[derive(Clone, Copy, Debug, Serialize, PartialEq)]
pub struct Knobs {
    pub shade: f32,
    pub density_scale: f32,
    pub diameter_mm: f32,
}

/// Where the search may go: within the plan's allowed ranges, and for the dot size within
/// what healed dots are in practice.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Bounds {
    pub shade: (f32, f32),
    pub density_scale: (f32, f32),
    pub diameter_mm: (f32, f32),
}

/// Healed dot diameters the search keeps to, mm: 0.10–0.17 mm healed in practice, and over
/// ~0.3 mm is the "oversized dots" error (schema notes), so a match never makes one; widened
/// to the plan's own value when that lies outside.
const DIAMETER_MM: (f32, f32) = (0.10, 0.25);
/// The densities are scaled by at most this factor either way: a bigger change is a different
/// treatment plan, not a match of the shade.
const DENSITY_SCALE_MAX: f32 = 2.0;

impl Bounds {
    /// The search space around `plan` (the plan as used).
    pub fn for_plan(plan: &Plan) -> Bounds {
        let range = |key: &str, fallback: (f32, f32)| {
            allowed_range(key).map_or(fallback, |(a, b)| (a as f32, b as f32))
        };
        let shade = range("dots.shade", (1.0, 10.0));
        let diameter = range("dots.diameter_mm", (0.05, 1.0));
        let density = range("density.top", (1.0, 1000.0));
        let d = &plan.density;
        let zones = [d.hairline, d.top, d.crown, d.sides, d.back];
        let lowest = zones
            .iter()
            .copied()
            .fold(f32::INFINITY, f32::min)
            .max(1e-6);
        let highest = zones.iter().copied().fold(0.0f32, f32::max).max(1e-6);
        let dia = plan.dots.diameter_mm;
        Bounds {
            shade,
            density_scale: (
                (1.0 / DENSITY_SCALE_MAX).max(density.0 / lowest),
                DENSITY_SCALE_MAX.min(density.1 / highest),
            ),
            diameter_mm: (
                DIAMETER_MM.0.min(dia).max(diameter.0),
                DIAMETER_MM.1.max(dia).min(diameter.1),
            ),
        }
    }

    /// `k` moved inside the bounds and rounded to what a plan would say (0.1 shade step,
    /// 0.005 mm, density scale 0.01), so the plan written is the plan measured.
    pub fn clamp(&self, k: Knobs) -> Knobs {
        let fit = |v: f32, (lo, hi): (f32, f32), step: f32| {
            let r = (v.clamp(lo, hi) / step).round() * step;
            // Rounding must not step outside either.
            if r < lo {
                r + step
            } else if r > hi {
                r - step
            } else {
                r
            }
            .clamp(lo, hi)
        };
        Knobs {
            shade: fit(k.shade, self.shade, 0.1),
            density_scale: fit(k.density_scale, self.density_scale, 0.01),
            diameter_mm: fit(k.diameter_mm, self.diameter_mm, 0.005),
        }
    }
}

/// `plan` with `k` applied: shade and diameter set, every `[density]` zone scaled, and the
/// shade no longer taken from the hair (`dots.match_hair` off: the shade is now measured).
pub fn with_knobs(plan: &Plan, k: Knobs) -> Plan {
    let mut p = plan.clone();
    p.dots.match_hair = false;
    p.dots.shade = k.shade;
    p.dots.diameter_mm = k.diameter_mm;
    let d = &mut p.density;
    for v in [
        &mut d.hairline,
        &mut d.top,
        &mut d.crown,
        &mut d.sides,
        &mut d.back,
    ] {
        // A tenth of a dot per cm², as a plan would say it.
        *v = (*v * k.density_scale * 10.0).round() / 10.0;
    }
    p
}

/// One plan tried: its settings and how it matched.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct Trial {
    pub knobs: Knobs,
    #[serde(rename = "match")]
    pub result: Match,
}

/// Two |ΔY| closer than this are a tie, decided by ΔE: about the sampling noise of the mean
/// over the disc (a few hundred dots), so ΔE is not sacrificed for a difference nobody sees.
pub const DELTA_Y_TIE: f64 = 0.5;

/// Whether `a` matches better than `b`: smaller mean |ΔY| first; within [`DELTA_Y_TIE`],
/// smaller mean ΔE.
pub fn better(a: &Match, b: &Match) -> bool {
    let (ya, yb) = (a.mean_abs_delta_y(), b.mean_abs_delta_y());
    if (ya - yb).abs() > DELTA_Y_TIE {
        ya < yb
    } else {
        a.mean_delta_e() < b.mean_delta_e()
    }
}

/// The best of `trials`: the smallest mean |ΔY|, and among those within [`DELTA_Y_TIE`] of it
/// the smallest mean ΔE (a total order, unlike [`better`] between two).
pub fn best(trials: &[Trial]) -> Option<&Trial> {
    let least = trials
        .iter()
        .map(|t| t.result.mean_abs_delta_y())
        .fold(f64::INFINITY, f64::min);
    trials
        .iter()
        .filter(|t| t.result.mean_abs_delta_y() <= least + DELTA_Y_TIE)
        .min_by(|a, b| a.result.mean_delta_e().total_cmp(&b.result.mean_delta_e()))
}

/// Shades of the coarse pass: the whole dilution scale in even steps.
const COARSE_SHADES: usize = 7;
/// Plans rendered in all by [`search`] (the coarse pass included); the renders are the cost.
pub const SEARCH_BUDGET: usize = 30;

/// What the search found.
pub struct Search {
    /// The plan as given, and as matched.
    pub before: Trial,
    pub after: Trial,
    /// Every plan tried, in order.
    pub trials: Vec<Trial>,
    /// The matched plan (the plan as used, with the best settings).
    pub plan: Plan,
}

/// Searches the shade, the density scale and the dot diameter for the plan whose treated patch
/// matches the shaved hair best ([`better`]): a coarse pass over the shade (the main lever of
/// the darkening) at the plan's density and dot size, then a compass search in all three from
/// the best (each axis tried both ways, a move taken when it matches better, the steps halved
/// when none does) until `budget` plans have been rendered. `progress(done, budget)` is called
/// after each. `plan` is the plan as given; the search starts from it as used (a shade taken
/// from the hair is the starting shade).
pub fn search(
    engine: &Engine,
    cmp: &Comparison,
    plan: &Plan,
    budget: usize,
    progress: &dyn Fn(usize, usize),
) -> Result<Search> {
    let budget = budget.max(COARSE_SHADES + 1);
    let as_used = cmp.treatment(plan)?.plan;
    let bounds = Bounds::for_plan(&as_used);
    let start = Knobs {
        shade: as_used.dots.shade,
        density_scale: 1.0,
        diameter_mm: as_used.dots.diameter_mm,
    };
    let mut trials: Vec<Trial> = Vec::new();
    let run = |k: Knobs, trials: &mut Vec<Trial>| -> Result<Match> {
        if let Some(t) = trials.iter().find(|t| t.knobs == k) {
            return Ok(t.result.clone());
        }
        let result = cmp.measure(engine, &with_knobs(&as_used, k))?;
        trials.push(Trial {
            knobs: k,
            result: result.clone(),
        });
        progress(trials.len(), budget);
        Ok(result)
    };
    // The plan as given (its own values, unrounded), then the coarse pass.
    let before = Trial {
        knobs: start,
        result: cmp.measure(engine, plan)?,
    };
    progress(0, budget);
    let (lo, hi) = bounds.shade;
    for i in 0..COARSE_SHADES {
        let shade = lo + (hi - lo) * i as f32 / (COARSE_SHADES - 1) as f32;
        run(bounds.clamp(Knobs { shade, ..start }), &mut trials)?;
    }
    let mut here = best(&trials).map(|t| t.knobs).unwrap_or(start);
    let mut here_match = run(here, &mut trials)?;
    // Steps: shade in dilution steps; density and diameter as factors (log steps).
    let mut steps = [(hi - lo) / (COARSE_SHADES - 1) as f32 / 2.0, 0.25, 0.2];
    // Sweeps are bounded too: a revisited plan costs nothing, and `better` with its tie band is
    // not transitive, so moves among known plans could otherwise cycle.
    let mut sweeps = 0;
    while trials.len() < budget && steps[0] >= 0.1 && sweeps < 4 * budget {
        sweeps += 1;
        let mut moved = false;
        'axes: for (axis, step) in steps.iter().enumerate() {
            for sign in [1.0f32, -1.0] {
                if trials.len() >= budget {
                    break 'axes;
                }
                let mut k = here;
                let s = sign * step;
                match axis {
                    0 => k.shade += s,
                    1 => k.density_scale *= s.exp(),
                    _ => k.diameter_mm *= s.exp(),
                }
                let k = bounds.clamp(k);
                if k == here {
                    continue;
                }
                let m = run(k, &mut trials)?;
                if better(&m, &here_match) {
                    (here, here_match) = (k, m);
                    moved = true;
                    break;
                }
            }
        }
        if !moved {
            steps = steps.map(|s| 0.5 * s);
        }
    }
    let after = best(&trials).cloned().unwrap_or_else(|| before.clone());
    let matched = if better(&after.result, &before.result) {
        after
    } else {
        // Nothing beat the plan as it is: keep it (with the shade now explicit).
        before.clone()
    };
    Ok(Search {
        plan: with_knobs(&as_used, matched.knobs),
        before,
        after: matched,
        trials,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_colour_is_no_mismatch_and_a_darker_treatment_reads_positive() {
        let bald = [0.4, 0.3, 0.25];
        let hair = [0.3, 0.22, 0.19];
        let m = compare(LightPreset::Consultation, bald, hair, hair);
        assert!(m.delta_y.abs() < 1e-12 && m.delta_e < 1e-9, "{m:?}");
        assert!((m.treated_drop - m.shaved_drop).abs() < 1e-12);
        let darker = compare(LightPreset::Consultation, bald, hair.map(|c| 0.8 * c), hair);
        // 20% less light than the hair: 0.2 × the hair's share of the bald luminance.
        let lum = |c: [f64; 3]| 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
        let share = lum(hair) / lum(bald);
        assert!(
            (darker.delta_y - 100.0 * 0.2 * share).abs() < 1e-9,
            "{darker:?}"
        );
        assert!(darker.delta_e > 1.0, "{darker:?}");
    }

    #[test]
    fn no_hair_is_nothing_to_match_and_shaved_everywhere_takes_the_fullest_zone() {
        let mut plan = Plan::default();
        plan.hair.enabled = false;
        assert!(shaved_everywhere(&plan).is_none());
        plan.hair.enabled = true;
        plan.hair.sides = 0.0;
        plan.hair.back = 0.0;
        plan.hair.top = 0.0;
        plan.hair.crown = 0.0;
        plan.hair.hairline = 0.0;
        assert!(shaved_everywhere(&plan).is_none());
        plan.hair.sides = 0.8;
        plan.hair.back = 0.6;
        let s = shaved_everywhere(&plan).unwrap();
        for z in ZoneId::ALL {
            assert_eq!(s.hair.coverage(z), 0.8, "{z:?}");
        }
    }

    #[test]
    fn the_search_stays_within_the_plans_ranges_and_writes_a_valid_plan() {
        let plan = Plan::default();
        let b = Bounds::for_plan(&plan);
        for k in [
            Knobs {
                shade: -3.0,
                density_scale: 0.0,
                diameter_mm: 0.0,
            },
            Knobs {
                shade: 30.0,
                density_scale: 100.0,
                diameter_mm: 5.0,
            },
            Knobs {
                shade: 6.04,
                density_scale: 1.234,
                diameter_mm: 0.1234,
            },
        ] {
            let c = b.clamp(k);
            assert!((b.shade.0..=b.shade.1).contains(&c.shade), "{c:?}");
            assert!((b.diameter_mm.0..=b.diameter_mm.1).contains(&c.diameter_mm));
            assert!((b.density_scale.0..=b.density_scale.1).contains(&c.density_scale));
            let p = with_knobs(&plan, c);
            p.validate().unwrap();
            let back = Plan::from_toml_str(&p.to_toml(), std::path::Path::new("m.toml")).unwrap();
            assert_eq!(back, p);
        }
        // A dot size within practice stays where the plan has it.
        assert!(
            b.diameter_mm.0 <= plan.dots.diameter_mm && plan.dots.diameter_mm <= b.diameter_mm.1
        );
    }

    #[test]
    fn better_is_delta_y_first_then_delta_e() {
        let m = |y: f64, e: f64| Match {
            lights: vec![LightMatch {
                light: LightPreset::Consultation,
                treated_drop: 10.0 + y,
                shaved_drop: 10.0,
                delta_y: y,
                delta_e: e,
            }],
        };
        assert!(better(&m(1.0, 9.0), &m(-3.0, 1.0)));
        assert!(better(&m(0.3, 1.0), &m(0.1, 2.0)));
        let trials: Vec<Trial> = [(2.0, 0.5), (0.4, 3.0), (-0.7, 2.0), (0.1, 4.0)]
            .iter()
            .map(|&(y, e)| Trial {
                knobs: Knobs {
                    shade: 1.0,
                    density_scale: 1.0,
                    diameter_mm: 0.1,
                },
                result: m(y, e),
            })
            .collect();
        // Within 0.5 of the least |ΔY| (0.1): 0.1 and 0.4, not -0.7; the least ΔE of those wins.
        assert_eq!(best(&trials).unwrap().result, m(0.4, 3.0));
    }
}
