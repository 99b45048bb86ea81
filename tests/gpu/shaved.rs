//! SMP against the client's shaved hair (issue 14, part 4): the measurement sees a pigment that
//! is far too light or far too dark for the hair, and the search of `scalp match` moves the
//! plan the right way and closer; the plan it returns measures as it said.
use crate::common::{engine, head};
use scalp::light::LightPreset;
use scalp::plan::Plan;
use scalp::reports::shaved::{self, Comparison};

/// A bald top (the default plan) and the client's shaved sides and back in `colour`.
fn plan(colour: &str, shade: f32) -> Plan {
    let mut p = Plan::default();
    p.hair.enabled = true;
    p.hair.color = colour.into();
    p.dots.match_hair = false;
    p.dots.shade = shade;
    p
}

/// Enough for the search to leave the coarse pass and refine a few times.
const BUDGET: usize = 12;
const LIGHT: LightPreset = LightPreset::Consultation;

#[test]
fn a_pale_pigment_under_dark_hair_reads_lighter_and_is_matched_darker() {
    let (e, h) = (engine(), head());
    let p = plan("dark-brown", 1.0);
    let cmp = Comparison::new(e, h, &p, &[LIGHT]).unwrap();
    let found = shaved::search(e, &cmp, &p, BUDGET, &|_, _| {}).unwrap();
    let before = &found.before.result.lights[0];
    // The hair darkens the skin clearly, the palest dots less than half as much.
    assert!(before.shaved_drop > 5.0, "{before:?}");
    assert!(before.delta_y < -0.5 * before.shaved_drop, "{before:?}");
    let after = &found.after.result.lights[0];
    assert!(
        after.delta_y.abs() < 0.5 * before.delta_y.abs(),
        "{before:?} → {after:?}"
    );
    assert!(after.treated_drop > before.treated_drop, "{after:?}");
    assert!(found.after.knobs.shade > 1.0, "{:?}", found.after.knobs);
    // The matched plan is the one measured: it loads as written and measures the same.
    let written = found.plan.to_toml();
    let back = Plan::from_toml_str(&written, std::path::Path::new("matched.toml")).unwrap();
    assert_eq!(back, found.plan);
    assert!(!back.dots.match_hair);
    let again = &cmp.measure(e, &back).unwrap().lights[0];
    assert!(
        (again.delta_y - after.delta_y).abs() < 0.2,
        "{again:?} {after:?}"
    );
}

#[test]
fn a_dark_dense_pigment_under_blonde_hair_reads_darker_and_is_matched_lighter() {
    let (e, h) = (engine(), head());
    let mut p = plan("blonde", 10.0);
    p.dots.diameter_mm = 0.25;
    let d = &mut p.density;
    for v in [
        &mut d.hairline,
        &mut d.top,
        &mut d.crown,
        &mut d.sides,
        &mut d.back,
    ] {
        *v = 250.0;
    }
    let cmp = Comparison::new(e, h, &p, &[LIGHT]).unwrap();
    let found = shaved::search(e, &cmp, &p, BUDGET, &|_, _| {}).unwrap();
    let before = &found.before.result.lights[0];
    assert!(before.delta_y > 5.0, "{before:?}");
    let after = &found.after.result.lights[0];
    assert!(
        after.delta_y.abs() < 0.5 * before.delta_y.abs(),
        "{before:?} → {after:?}"
    );
    assert!(after.treated_drop < before.treated_drop, "{after:?}");
    let k = found.after.knobs;
    assert!(
        k.shade < 10.0 || k.density_scale < 1.0 || k.diameter_mm < 0.25,
        "{k:?}"
    );
}

#[test]
fn darker_hair_darkens_the_patch_more_and_a_plan_without_hair_is_not_compared() {
    let (e, h) = (engine(), head());
    let drop = |colour: &str| {
        let p = plan(colour, 5.0);
        let cmp = Comparison::new(e, h, &p, &[LIGHT]).unwrap();
        cmp.measure(e, &p).unwrap().lights[0].shaved_drop
    };
    let (black, blonde) = (drop("black"), drop("blonde"));
    assert!(black > blonde + 2.0, "black {black}, blonde {blonde}");
    // The report compares under every light when the plan has hair, and leaves the lines out
    // when there is none to compare with.
    let with_hair = plan("dark-brown", 5.0);
    let t = scalp::treatment::Treatment::new(h, &with_hair, None).unwrap();
    let report = scalp::reports::report::smp_vs_shaved(e, h, &t, t.healed_years())
        .unwrap()
        .expect("a plan with hair is compared");
    let lights: Vec<LightPreset> = report.lights.iter().map(|l| l.light).collect();
    assert_eq!(lights, LightPreset::ALL.to_vec());
    for l in &report.lights {
        assert!(l.shaved_drop > 2.0 && l.treated_drop > 0.0, "{l:?}");
        assert!(l.delta_e.is_finite() && l.delta_e > 0.0, "{l:?}");
    }
    let mut bald = Plan::default();
    bald.hair.enabled = false;
    let t = scalp::treatment::Treatment::new(h, &bald, None).unwrap();
    assert!(scalp::reports::report::smp_vs_shaved(e, h, &t, 0.2)
        .unwrap()
        .is_none());
    assert!(Comparison::new(e, h, &bald, &[LIGHT]).is_err());
}
