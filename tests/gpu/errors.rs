//! Technique errors: each moves its own metric beyond a stated threshold against the correct
//! plan and leaves the other metrics within a stated tolerance (the catalogue teaches one thing
//! at a time); the new generation behaviour (grid, patchy work, per-dot depth and size) is the
//! same on the GPU as in the CPU reference.
use crate::common;

use common::{assert_agree, engine, head};
use scalp::dots::Layout;
use scalp::plan::Plan;
use scalp::reports::metrics::{DotMetrics, Metrics};
use scalp::technique::{ErrorZone, TechniqueError as E};
use scalp::treatment::Treatment;
use scalp::worked::{with_only, Worked};
use scalp::zone::Zone;
use std::sync::OnceLock;

// ---------------------------------------------------------------------------------------
// GPU and CPU reference agree on the new generation behaviour
// ---------------------------------------------------------------------------------------

#[test]
fn grid_and_per_dot_errors_match_the_cpu_reference() {
    let h = head();
    let mut plan = with_only(&crate::common::full_head(), E::GridSpacing, 0.8);
    plan.errors.oversized = 0.7;
    plan.errors.oversized_zone = ErrorZone::Crown;
    plan.errors.too_deep = 0.7;
    plan.errors.too_deep_fraction = 0.4;
    plan.errors.too_shallow = 0.8;
    plan.errors.too_shallow_fraction = 0.3;
    let t = Treatment::new(h, &plan, Some(15_000)).unwrap();
    let gpu = engine()
        .generate(h, &t)
        .unwrap()
        .read(&engine().gpu)
        .unwrap();
    let cpu = t.reference_dots(h);
    assert!(cpu.len() > 10_000, "{} dots", cpu.len());
    assert_agree(&gpu, &cpu);
    // The per-dot errors hit the shares and the zone asked for.
    let deep = cpu.iter().filter(|d| d.depth_mm > 0.5).count() as f64 / cpu.len() as f64;
    let shallow = cpu.iter().filter(|d| d.depth_mm < 0.2).count() as f64 / cpu.len() as f64;
    assert!((deep - 0.4).abs() < 0.05, "too deep: {deep}");
    assert!((shallow - 0.3).abs() < 0.05, "too shallow: {shallow}");
    let mean_diameter = |zone| {
        let v: Vec<f32> = cpu
            .iter()
            .filter(|d| d.zone() == zone)
            .map(|d| d.diameter_mm)
            .collect();
        v.iter().sum::<f32>() / v.len() as f32
    };
    let (crown, top) = (
        mean_diameter(scalp::zone::ZoneId::Crown),
        mean_diameter(scalp::zone::ZoneId::Top),
    );
    assert!(crown > 2.0 * top, "crown {crown} mm, top {top} mm");
}

#[test]
fn patchy_work_matches_the_cpu_reference_across_chunk_borders() {
    let h = head();
    let mut plan = with_only(&crate::common::full_head(), E::PatchyDensity, 1.0);
    plan.seed = 9;
    plan.density.top = 60.0;
    plan.density.crown = 60.0;
    let worked = Worked::resolve(&plan);
    let zone = Zone::new(&worked.zone, &h.landmarks);
    let layout = Layout::with_chunk_size(&h.mesh, &zone, &worked.deposit, 8_000).unwrap();
    assert!(layout.chunks.len() >= 6, "{} chunks", layout.chunks.len());
    let base = Treatment::new(h, &plan, None).unwrap();
    let t = Treatment {
        zone,
        layout,
        ..base
    };
    let gpu = engine()
        .generate(h, &t)
        .unwrap()
        .read(&engine().gpu)
        .unwrap();
    let cpu = t.reference_dots(h);
    assert_agree(&gpu, &cpu);
}

// ---------------------------------------------------------------------------------------
// Each error moves its own metric, and (mostly) only that
// ---------------------------------------------------------------------------------------

/// The metrics of the default plan (None) and of each error alone at severity 1, healed.
fn healed() -> &'static Vec<(Option<E>, Metrics)> {
    static M: OnceLock<Vec<(Option<E>, Metrics)>> = OnceLock::new();
    M.get_or_init(|| {
        std::iter::once(None)
            .chain(E::ALL.into_iter().map(Some))
            .map(|e| {
                let plan = match e {
                    None => crate::common::full_head(),
                    Some(e) => with_only(&crate::common::full_head(), e, 1.0),
                };
                let t = Treatment::new(head(), &plan, None).unwrap();
                let m = scalp::reports::metrics::measure(engine(), head(), &t, t.healed_years())
                    .unwrap();
                (e, m)
            })
            .collect()
    })
}

fn metrics_of(e: Option<E>) -> &'static Metrics {
    &healed().iter().find(|(x, _)| *x == e).unwrap().1
}

/// The metrics the catalogue is judged on.
#[derive(Clone, Copy, Debug, PartialEq)]
enum M {
    Diameter,
    BlueCast,
    Visible,
    Darkness,
    Merged,
    NearestNeighbourCv,
    SpectrumPeak,
    Transition,
    Residual,
    Asymmetry,
    DensityCv,
}

const ALL_METRICS: [M; 11] = [
    M::Diameter,
    M::BlueCast,
    M::Visible,
    M::Darkness,
    M::Merged,
    M::NearestNeighbourCv,
    M::SpectrumPeak,
    M::Transition,
    M::Residual,
    M::Asymmetry,
    M::DensityCv,
];

fn get(m: &Metrics, which: M) -> f64 {
    let d: &DotMetrics = &m.dots;
    match which {
        M::Diameter => d.mean_apparent_diameter_mm,
        M::BlueCast => m.image.as_ref().unwrap().blue_cast,
        M::Visible => d.visible_fraction,
        M::Darkness => d.dot_darkness,
        M::Merged => d.merged_fraction,
        M::NearestNeighbourCv => d.nearest_neighbour_cv,
        M::SpectrumPeak => d.spectrum_peak,
        M::Transition => d.hairline_transition_mm.unwrap(),
        M::Residual => d.hairline_residual_mm.unwrap(),
        M::Asymmetry => d.asymmetry_mm.unwrap(),
        M::DensityCv => d.density_cv,
    }
}

/// Whether `value` is still what correct work (`correct`) shows, within the tolerance of the
/// metric: the natural spread between plans and seeds, not a loose bound.
fn unchanged(which: M, correct: f64, value: f64) -> bool {
    match which {
        // ±10% of the dot size.
        M::Diameter => (value / correct - 1.0).abs() <= 0.10,
        // ±0.1 in red-over-blue removal.
        M::BlueCast => (value - correct).abs() <= 0.10,
        M::Visible => (value - correct).abs() <= 0.05,
        // ±6% in peak darkening.
        M::Darkness => (value / correct - 1.0).abs() <= 0.06,
        // Dots do not merge (under 0.1% of the scalp).
        M::Merged => value <= 0.001,
        // Still random with a minimum spacing: neither a lattice (< 0.1) nor clumped.
        M::NearestNeighbourCv => (0.1..=0.3).contains(&value),
        // No spatial frequency stands out (random patterns reach ~10).
        M::SpectrumPeak => value <= 25.0,
        // ±1.2 mm of transition width, ±0.25 mm of residual.
        M::Transition => (value - correct).abs() <= 1.2,
        M::Residual => (value - correct).abs() <= 0.25,
        // Within the natural ≤ 2 mm.
        M::Asymmetry => value.abs() <= 2.0,
        // No blotches: under 0.12 (random placement shows ~0.05).
        M::DensityCv => value <= 0.12,
    }
}

/// Checks every metric but `own` and `also` (which the error moves by its physics) against
/// correct work.
fn only_moves(error: E, own: &[M], also: &[M]) {
    let correct = metrics_of(None);
    let wrong = metrics_of(Some(error));
    let mut off = Vec::new();
    for which in ALL_METRICS {
        if own.contains(&which) || also.contains(&which) {
            continue;
        }
        let (c, v) = (get(correct, which), get(wrong, which));
        if !unchanged(which, c, v) {
            off.push(format!("{which:?}: {v:.4} (correct {c:.4})"));
        }
    }
    assert!(
        off.is_empty(),
        "{error} moves metrics that are not its own: {}",
        off.join("; ")
    );
}

/// (own metric of correct work, own metric of the error).
fn own(error: E, which: M) -> (f64, f64) {
    (
        get(metrics_of(None), which),
        get(metrics_of(Some(error)), which),
    )
}

#[test]
fn correct_work_is_within_every_tolerance_of_itself_and_natural() {
    let c = metrics_of(None);
    for which in ALL_METRICS {
        assert!(unchanged(which, get(c, which), get(c, which)), "{which:?}");
    }
    // What correct work measures, so the thresholds below mean something.
    let d = &c.dots;
    assert!(
        d.visible_fraction > 0.95 && d.merged_fraction < 1e-4,
        "{d:?}"
    );
    assert!(d.hairline_transition_mm.unwrap() > 1.8, "{d:?}");
    assert!(d.hairline_residual_mm.unwrap() > 0.4, "{d:?}");
}

#[test]
fn oversized_dots_look_at_least_half_again_as_big() {
    let (c, v) = own(E::Oversized, M::Diameter);
    assert!(
        v >= 1.5 * c,
        "apparent diameter {v:.3} mm, correct {c:.3} mm"
    );
    assert!(
        v >= 0.45,
        "oversized dots should read over ~0.3–0.5 mm: {v:.3}"
    );
    // With the per-channel depth blur (σ_c² = σ₀² + (κ_c·z)²) a small dot's colour is dominated by
    // the red-widened halo; a bigger deposit less so, so its blue cast is a little lower.
    only_moves(E::Oversized, &[M::Diameter], &[M::BlueCast]);
}

#[test]
fn too_deep_dots_read_blue_grey_blurred_and_spread_over_the_years() {
    let (c, v) = own(E::TooDeep, M::BlueCast);
    assert!(v >= c + 0.4, "blue cast {v:.2}, correct {c:.2}");
    let (c, v) = own(E::TooDeep, M::Diameter);
    assert!(v >= 1.5 * c, "blurred: {v:.3} mm, correct {c:.3} mm");
    // Worse over the years: a blowout keeps widening while correct dots only fade.
    let growth = |plan: &Plan| {
        let t = Treatment::new(head(), plan, None).unwrap();
        let dots = t.reference_dots(head());
        let at = |y| {
            scalp::reports::metrics::dot_metrics(head(), &t, &dots, y).mean_apparent_diameter_mm
        };
        at(5.0) / at(t.healed_years())
    };
    let correct = growth(&crate::common::full_head());
    let deep = growth(&with_only(&crate::common::full_head(), E::TooDeep, 1.0));
    assert!(
        deep > correct + 0.2 && deep > 1.1,
        "five-year growth: too deep {deep:.2}×, correct {correct:.2}×"
    );
    // Blurred and faint: fewer dots stand out, and neighbours' blur merges.
    only_moves(
        E::TooDeep,
        &[M::BlueCast, M::Diameter],
        &[M::Visible, M::Darkness, M::Merged],
    );
}

#[test]
fn too_shallow_work_looks_fine_on_day_zero_and_is_gone_within_months() {
    let at = |plan: &Plan, years: f32| {
        let t = Treatment::new(head(), plan, None).unwrap();
        let dots = t.reference_dots(head());
        scalp::reports::metrics::dot_metrics(head(), &t, &dots, years)
    };
    let correct = crate::common::full_head();
    let shallow = with_only(&correct, E::TooShallow, 1.0);
    // Day 0 (the first session): every dot shows, crisp and at least as dark as correct work
    // (epidermal pigment is reached by all colours of light).
    let (c0, s0) = (at(&correct, 0.0), at(&shallow, 0.0));
    assert!(s0.visible_fraction >= 0.9, "day 0: {s0:?}");
    assert!(
        // Day-0 swelling widens the small shallow deposit more, relatively, than a correct one.
        s0.dot_darkness >= 0.8 * c0.dot_darkness,
        "day 0 darkness {} vs {}",
        s0.dot_darkness,
        c0.dot_darkness
    );
    // Half a year on, the epidermis has turned over: most dots are gone.
    let (c6, s6) = (at(&correct, 0.5), at(&shallow, 0.5));
    assert!(c6.visible_fraction >= 0.9, "{c6:?}");
    assert!(
        s6.visible_fraction <= 0.3,
        "too shallow keeps {:.0}% of its dots visible at 6 months",
        100.0 * s6.visible_fraction
    );
    // Healed, the last session is still shedding; what is left is small, sharp and sparse,
    // so the picture barely changes colour.
    let (c, v) = own(E::TooShallow, M::Visible);
    assert!(v < c - 0.3, "healed: {v:.2} visible, correct {c:.2}");
    only_moves(
        E::TooShallow,
        &[M::Visible],
        &[M::Diameter, M::Darkness, M::BlueCast],
    );
}

#[test]
fn over_saturation_merges_dots_into_a_flat_tone() {
    let (c, v) = own(E::OverSaturation, M::Merged);
    assert!(
        v >= 0.003 && c <= 0.001,
        "merged {:.2}% of the scalp, correct {:.2}%",
        100.0 * v,
        100.0 * c
    );
    let dark = |e| metrics_of(e).image.as_ref().unwrap().darkening;
    assert!(
        dark(Some(E::OverSaturation)) >= 2.0 * dark(None),
        "darkening {} vs {}",
        dark(Some(E::OverSaturation)),
        dark(None)
    );
    // Bigger, darker dots are part of the error.
    // Wider dots: a little less blue cast (see oversized).
    only_moves(
        E::OverSaturation,
        &[M::Merged],
        &[M::Diameter, M::Darkness, M::BlueCast],
    );
}

#[test]
fn grid_spacing_puts_a_peak_in_the_spatial_spectrum() {
    let (c, v) = own(E::GridSpacing, M::SpectrumPeak);
    assert!(
        v >= 100.0 && c <= 25.0,
        "spectral peak {v:.0}, correct {c:.1}"
    );
    let (c, v) = own(E::GridSpacing, M::NearestNeighbourCv);
    assert!(
        v <= 0.08 && c >= 0.12,
        "nearest-neighbour CV {v:.3}, correct {c:.3}"
    );
    only_moves(
        E::GridSpacing,
        &[M::SpectrumPeak, M::NearestNeighbourCv],
        &[],
    );
}

#[test]
fn a_harsh_hairline_is_narrow_and_straight() {
    let (c, v) = own(E::HarshHairline, M::Transition);
    assert!(v <= 0.6 * c, "transition {v:.2} mm, correct {c:.2} mm");
    let (c, v) = own(E::HarshHairline, M::Residual);
    assert!(v <= 0.6 * c, "residual {v:.2} mm, correct {c:.2} mm");
    only_moves(E::HarshHairline, &[M::Transition, M::Residual], &[]);
}

#[test]
fn a_wrong_shade_makes_each_dot_darker() {
    let (c, v) = own(E::WrongShade, M::Darkness);
    assert!(v >= 1.08 * c, "dot darkness {v:.3}, correct {c:.3}");
    // Against lighter hair (shade 4) the same error is a far larger step.
    let darkness = |plan: &Plan| {
        let t = Treatment::new(head(), plan, Some(8_000)).unwrap();
        let dots = t.reference_dots(head());
        scalp::reports::metrics::dot_metrics(head(), &t, &dots, t.healed_years()).dot_darkness
    };
    let mut light = crate::common::full_head();
    light.dots.shade = 4.0;
    let (c, v) = (
        darkness(&light),
        darkness(&with_only(&light, E::WrongShade, 1.0)),
    );
    assert!(
        v >= 1.25 * c,
        "shade 4: dot darkness {v:.3}, correct {c:.3}"
    );
    only_moves(E::WrongShade, &[M::Darkness], &[]);
}

#[test]
fn patchy_density_is_uneven_from_cell_to_cell() {
    let (c, v) = own(E::PatchyDensity, M::DensityCv);
    assert!(v >= 3.0 * c, "density CV {v:.3}, correct {c:.3}");
    only_moves(E::PatchyDensity, &[M::DensityCv], &[]);
}

#[test]
fn asymmetry_shows_in_millimetres() {
    let (c, v) = own(E::Asymmetry, M::Asymmetry);
    assert!(
        v >= 4.0 && c.abs() <= 2.0,
        "asymmetry {v:.2} mm, correct {c:.2} mm"
    );
    only_moves(E::Asymmetry, &[M::Asymmetry], &[]);
}

#[test]
fn too_light_work_hardly_darkens_the_scalp() {
    let dark = |e| metrics_of(e).image.as_ref().unwrap().darkening;
    let (c, v) = (dark(None), dark(Some(E::TooLight)));
    assert!(
        v <= 0.5 * c && v < 0.03,
        "darkening {:.2}%, correct {:.2}%",
        100.0 * v,
        100.0 * c
    );
    let (c, v) = own(E::TooLight, M::Darkness);
    assert!(v <= 0.6 * c, "dot darkness {v:.3}, correct {c:.3}");
    // Faint dots: fewer of them stand out.
    only_moves(E::TooLight, &[M::Darkness], &[M::Visible]);
}

// ---------------------------------------------------------------------------------------
// Severity is graded
// ---------------------------------------------------------------------------------------

#[test]
fn half_severity_lies_between_correct_and_full() {
    let metric = |plan: &Plan, f: &dyn Fn(&DotMetrics) -> f64| {
        let t = Treatment::new(head(), plan, None).unwrap();
        let dots = t.reference_dots(head());
        f(&scalp::reports::metrics::dot_metrics(
            head(),
            &t,
            &dots,
            t.healed_years(),
        ))
    };
    type Metric = fn(&DotMetrics) -> f64;
    let cases: [(E, Metric); 4] = [
        (E::Oversized, |m| m.mean_apparent_diameter_mm),
        (E::TooDeep, |m| m.mean_apparent_diameter_mm),
        (E::PatchyDensity, |m| m.density_cv),
        (E::Asymmetry, |m| m.asymmetry_mm.unwrap()),
    ];
    let base = crate::common::full_head();
    let correct = metrics_of(None);
    for (error, f) in cases {
        let c = f(&correct.dots);
        let full = f(&metrics_of(Some(error)).dots);
        let half = metric(&with_only(&base, error, 0.5), &f);
        let (lo, hi) = (c.min(full), c.max(full));
        assert!(
            half > lo + 0.1 * (hi - lo) && half < hi - 0.1 * (hi - lo),
            "{error} at 0.5: {half:.3}, correct {c:.3}, at 1: {full:.3}"
        );
    }
}
