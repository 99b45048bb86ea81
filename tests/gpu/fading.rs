//! The fading model as a clinic meets it, on the built-in head with the CPU reference dots:
//! per-zone contrast over the years, the touch-up year, and what sun, hats and depth do to it.
use crate::common;

use common::head;
use scalp::plan::Plan;
use scalp::reports::report::{curves, touch_up_year, zone_areas};
use scalp::treatment::Treatment;
use scalp::zone::ZoneId;

/// Touch-up year of every zone under `plan` (None: not within the horizon).
fn touch_ups(plan: &Plan) -> [Option<f32>; 5] {
    let h = head();
    let t = Treatment::new(h, plan, Some(8_000)).unwrap();
    let dots = t.reference_dots(h);
    let areas = zone_areas(h, &t);
    let c = curves(&t, &dots, &areas, 1.0 / 12.0);
    let healed = t.healed_years();
    std::array::from_fn(|z| touch_up_year(&c.years, &c.contrast[z], healed))
}

#[test]
fn contrast_never_rises_after_the_last_session_and_touch_up_is_due_in_three_to_six_years() {
    let h = head();
    let plan = Plan::default();
    let t = Treatment::new(h, &plan, Some(8_000)).unwrap();
    let dots = t.reference_dots(h);
    let areas = zone_areas(h, &t);
    let c = curves(&t, &dots, &areas, 1.0 / 24.0);
    let last_session =
        (plan.sessions.count - 1) as f32 * plan.ageing.session_interval_weeks * 7.0 / 365.25;
    for z in ZoneId::ALL {
        let v = &c.contrast[z as usize];
        for (i, w) in v.windows(2).enumerate() {
            if c.years[i] > last_session {
                assert!(
                    w[1] <= w[0] * (1.0 + 1e-6),
                    "{} rises at {} y",
                    z.name(),
                    c.years[i]
                );
            }
        }
        let y = touch_up_year(&c.years, v, t.healed_years()).expect("a touch-up within 15 years");
        assert!(
            (3.0..6.5).contains(&y),
            "{}: touch-up at {y} years",
            z.name()
        );
    }
}

#[test]
fn the_sunny_crown_fades_before_the_nape_and_a_hat_or_sunscreen_slows_it() {
    let top = ZoneId::Crown as usize;
    let back = ZoneId::Back as usize;
    let mut sunny = Plan::default();
    sunny.exposure.hours_outdoors_per_day = 4.0;
    let s = touch_ups(&sunny);
    let (crown, nape) = (s[top].unwrap(), s[back].unwrap());
    assert!(crown < nape - 0.3, "crown {crown} y, back {nape} y");

    let mut hat = sunny.clone();
    hat.exposure.hat = 1.0;
    let mut spf = sunny.clone();
    spf.exposure.spf = 30.0;
    spf.exposure.sunscreen = 1.0;
    for (name, p) in [("hat", hat), ("SPF 30", spf)] {
        let y = touch_ups(&p)[top].map_or(f32::INFINITY, |y| y);
        assert!(
            y > crown + 0.5,
            "{name}: crown touch-up at {y} y, without {crown} y"
        );
    }
}

#[test]
fn more_sun_brings_the_touch_up_forward_a_deeper_correct_deposit_puts_it_back() {
    let top = ZoneId::Top as usize;
    let base = touch_ups(&Plan::default())[top].unwrap();
    let mut sun = Plan::default();
    sun.exposure.hours_outdoors_per_day = 5.0;
    let sunny = touch_ups(&sun)[top].unwrap();
    assert!(sunny < base - 0.3, "more sun: {sunny} y vs {base} y");

    let mut deep = Plan::default();
    deep.dots.depth_mm = 0.48;
    let mut shallow = Plan::default();
    shallow.dots.depth_mm = 0.28;
    let (d, s) = (
        touch_ups(&deep)[top].unwrap(),
        touch_ups(&shallow)[top].unwrap(),
    );
    assert!(d > s + 0.2, "deeper 0.48 mm: {d} y, 0.28 mm: {s} y");
}

#[test]
fn a_touch_up_brings_the_contrast_back() {
    let h = head();
    let mut plan = Plan::default();
    plan.ageing.touch_up_years = vec![4.0];
    let t = Treatment::new(h, &plan, Some(8_000)).unwrap();
    let dots = t.reference_dots(h);
    let areas = zone_areas(h, &t);
    let c = curves(&t, &dots, &areas, 1.0 / 12.0);
    let top = &c.contrast[ZoneId::Top as usize];
    let at = |y: f32| top[(y * 12.0).round() as usize];
    let healed = at(t.healed_years());
    assert!(
        at(3.9) < 0.75 * healed,
        "before the touch-up {} vs healed {healed}",
        at(3.9)
    );
    assert!(
        at(4.25) > 0.85 * healed,
        "after the touch-up {} vs healed {healed}",
        at(4.25)
    );
    assert!(at(8.0) < at(4.25));
}
