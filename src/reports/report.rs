//! What a clinician or trainer reads off a treatment: per zone, at any time, the treated area,
//! the dots, how much of the skin they cover, how big they look, how much they darken it, and
//! when a touch-up is due. Computed on the CPU from the dots and the ageing model (the same
//! formulas as the age and splat passes), so it needs no image.
use crate::ageing::{self, AgeParams};
use crate::dots::layout::SAMPLE_POINTS;
use crate::dots::Dot;
use crate::head::Head;
use crate::optics;
use crate::treatment::Treatment;
use crate::zone::{ZoneId, ZONE_COUNT};
use serde::Serialize;

/// A dot counts as visible while its peak darkening is at least this. A healed dot spans only
/// ~1–2 arc minutes at conversation distance, where the eye's contrast threshold is far above
/// the ~1–2% it reaches for large targets: ~10% (the falling end of the contrast sensitivity
/// function at 15–30 cycles/degree).
pub const VISIBLE_CONTRAST: f32 = 0.10;
/// Touch-up is due when a zone's contrast has fallen to this share of its healed contrast:
/// clinics re-dot when the treatment has visibly "halved" (3–6 years in practice).
pub const TOUCH_UP_SHARE: f32 = 0.5;
/// How far ahead the touch-up year is looked for, years.
pub const HORIZON_YEARS: f32 = 15.0;

#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct ZoneReport {
    /// The zone's name (a custom zone's as the plan gives it).
    pub zone: String,
    pub treated_area_cm2: f64,
    pub dots: usize,
    pub dots_per_cm2: f64,
    /// Dots per cm² that still show (peak darkening ≥ VISIBLE_CONTRAST).
    pub visible_dots_per_cm2: f64,
    /// Share of the skin under pigment (∫ coverage dA / area).
    pub coverage_fraction: f64,
    pub mean_apparent_diameter_mm: f64,
    /// Mean luminance darkening of the zone: the share of reflected light the pigment removes.
    pub contrast: f64,
    /// Years after the first session when contrast falls below TOUCH_UP_SHARE of its healed
    /// value; None if not within HORIZON_YEARS.
    pub touch_up_year: Option<f32>,
}

/// Area inside the hairline per zone, mm² (indexed by zone id).
pub fn zone_areas(head: &Head, t: &Treatment) -> [f64; ZONE_COUNT] {
    let mut areas = [0.0f64; ZONE_COUNT];
    let mesh = &head.mesh;
    for k in 0..mesh.triangle_count() {
        let [a, b, c] = mesh.triangle(k);
        let area = mesh.triangle_area(k) as f64 / SAMPLE_POINTS.len() as f64;
        for w in SAMPLE_POINTS {
            let s = t.zone.sample(a * w[0] + b * w[1] + c * w[2]);
            if s.above_mm > 0.0 {
                areas[s.zone as usize] += area;
            }
        }
    }
    areas
}

/// One dot's contribution at time `p.t_years`: (footprint area mm², darkening × area mm²,
/// apparent diameter mm, visible).
fn dot_look(d: &Dot, p: &AgeParams) -> (f32, f32, f32, bool) {
    let look = ageing::appearance(d, p);
    if look.amount <= 0.0 {
        return (0.0, 0.0, 0.0, false);
    }
    let f = optics::footprint(d.diameter_mm, d.depth_mm, look.amount, look.spread_mm2);
    let reach = optics::reach(d.depth_mm);
    let lum: f32 = (0..3).map(|c| optics::LUMINANCE[c] * reach[c]).sum();
    let absorb = lum * (1.0 - optics::ink_transmittance(d.shade));
    let peak = absorb * (1.0 - (-f.m0).exp());
    (
        f.area_mm2,
        absorb * f.area_mm2,
        f.apparent_diameter_mm(),
        peak >= VISIBLE_CONTRAST,
    )
}

/// Contrast per zone at time `t_years`.
pub fn zone_contrast(dots: &[Dot], areas: &[f64; ZONE_COUNT], p: &AgeParams) -> [f64; ZONE_COUNT] {
    let mut sum = [0.0f64; ZONE_COUNT];
    for d in dots {
        sum[d.zone() as usize] += dot_look(d, p).1 as f64;
    }
    let mut out = [0.0; ZONE_COUNT];
    for z in 0..ZONE_COUNT {
        out[z] = if areas[z] > 0.0 {
            sum[z] / areas[z]
        } else {
            0.0
        };
    }
    out
}

/// Per zone, years (0..HORIZON_YEARS, step `step`) and the contrast and visible density.
pub struct Curves {
    pub years: Vec<f32>,
    pub contrast: [Vec<f64>; ZONE_COUNT],
    pub visible_per_cm2: [Vec<f64>; ZONE_COUNT],
    /// Each zone's name (a custom zone's as the plan gives it).
    pub names: [String; ZONE_COUNT],
}

pub fn curves(t: &Treatment, dots: &[Dot], areas: &[f64; ZONE_COUNT], step: f32) -> Curves {
    let n = (HORIZON_YEARS / step).round() as usize + 1;
    let years: Vec<f32> = (0..n).map(|k| k as f32 * step).collect();
    // Each time is independent: spread the times over the machine's cores.
    let per_time = crate::parallel::map(&years, |&y| {
        let p = t.age_params(y);
        let mut sum = [0.0f64; ZONE_COUNT];
        let mut vis = [0usize; ZONE_COUNT];
        for d in dots {
            let (_, dark, _, v) = dot_look(d, &p);
            sum[d.zone() as usize] += dark as f64;
            vis[d.zone() as usize] += v as usize;
        }
        (sum, vis)
    });
    let mut contrast: [Vec<f64>; ZONE_COUNT] = Default::default();
    let mut visible: [Vec<f64>; ZONE_COUNT] = Default::default();
    for (sum, vis) in per_time {
        for z in 0..ZONE_COUNT {
            let a = areas[z].max(1e-9);
            contrast[z].push(sum[z] / a);
            visible[z].push(vis[z] as f64 / (a / 100.0));
        }
    }
    Curves {
        years,
        contrast,
        visible_per_cm2: visible,
        names: std::array::from_fn(|z| t.zone_name(ZoneId::from_u32(z as u32))),
    }
}

/// The first year after healing at which `contrast` falls below TOUCH_UP_SHARE of the healed
/// contrast, interpolated between samples.
pub fn touch_up_year(years: &[f32], contrast: &[f64], healed: f32) -> Option<f32> {
    let i0 = years.iter().position(|&y| y >= healed)?;
    let reference = contrast[i0];
    if reference <= 0.0 {
        return None;
    }
    let limit = TOUCH_UP_SHARE as f64 * reference;
    for i in i0 + 1..years.len() {
        if contrast[i] < limit {
            let (y0, y1) = (years[i - 1], years[i]);
            let (c0, c1) = (contrast[i - 1], contrast[i]);
            let f = ((c0 - limit) / (c0 - c1)).clamp(0.0, 1.0) as f32;
            return Some(y0 + f * (y1 - y0));
        }
    }
    None
}

/// The whole report at time `t_years`.
pub fn zone_reports(head: &Head, t: &Treatment, dots: &[Dot], t_years: f32) -> Vec<ZoneReport> {
    let areas = zone_areas(head, t);
    let c = curves(t, dots, &areas, 1.0 / 12.0);
    let p = t.age_params(t_years);
    let healed = t.healed_years();
    t.zone
        .zones_in_use()
        .into_iter()
        .map(|z| {
            let zi = z as usize;
            let mine: Vec<&Dot> = dots.iter().filter(|d| d.zone() == z).collect();
            let (mut cover, mut dark, mut diam, mut vis, mut shown) =
                (0.0f64, 0.0f64, 0.0f64, 0, 0);
            for d in &mine {
                let (a, k, dm, v) = dot_look(d, &p);
                cover += a as f64;
                dark += k as f64;
                if dm > 0.0 {
                    diam += dm as f64;
                    shown += 1;
                }
                vis += v as usize;
            }
            let area = areas[zi].max(1e-9);
            ZoneReport {
                zone: t.zone_name(z),
                treated_area_cm2: areas[zi] / 100.0,
                dots: mine.len(),
                dots_per_cm2: mine.len() as f64 / (area / 100.0),
                visible_dots_per_cm2: vis as f64 / (area / 100.0),
                coverage_fraction: (cover / area).min(1.0),
                mean_apparent_diameter_mm: if shown > 0 { diam / shown as f64 } else { 0.0 },
                contrast: dark / area,
                touch_up_year: touch_up_year(&c.years, &c.contrast[zi], healed),
            }
        })
        .collect()
}

/// The SMP against the client's shaved hair (see `reports::shaved`): the treated patch at the
/// top and the same patch with his shaved hair on it, under each light.
#[derive(Clone, Debug, Serialize, PartialEq)]
pub struct SmpVsShaved {
    /// The patch's centre on the skin, head space, mm.
    pub patch_centre_mm: [f32; 3],
    pub lights: Vec<crate::reports::shaved::LightMatch>,
}

/// [`SmpVsShaved`] for `t` `t_years` after the first session under every light preset; None
/// when the plan has no hair (nothing to match) or treats no patch of the top large enough to
/// measure.
pub fn smp_vs_shaved(
    engine: &crate::engine::Engine,
    head: &Head,
    t: &Treatment,
    t_years: f32,
) -> crate::Result<Option<SmpVsShaved>> {
    use crate::reports::shaved;
    if shaved::shaved_everywhere(&t.plan).is_none()
        || shaved::treated_patch(head, &t.zone).is_none()
    {
        return Ok(None);
    }
    let cmp = shaved::Comparison::new(engine, head, &t.plan, &crate::light::LightPreset::ALL)?;
    let m = cmp.measure_at(engine, &t.plan, Some(t_years))?;
    Ok(Some(SmpVsShaved {
        patch_centre_mm: cmp.centre.into(),
        lights: m.lights,
    }))
}
