//! Ageing on the GPU agrees with the CPU reference, and renders fade as the model says.
use crate::common;

use common::{centre_disc_luminance, engine, head};
use scalp::ageing::appearance;
use scalp::camera::ViewPreset;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, RenderSettings};
use scalp::treatment::Treatment;

#[test]
fn gpu_appearance_matches_the_cpu_reference_at_every_time() {
    let e = engine();
    let h = head();
    let mut plan = Plan::default();
    plan.dots.depth_jitter_mm = 0.3; // shallow to deep dots in one plan
    plan.ageing.touch_up_years = vec![2.0, 6.0];
    plan.exposure.hours_outdoors_per_day = 3.0;
    let t = Treatment::new(h, &plan, Some(20_000)).unwrap();
    let dots = e.generate(h, &t).unwrap();
    let list = dots.read_unsorted(&e.gpu).unwrap();
    assert!(list.iter().any(|d| scalp::ageing::dot_exposure(d) > 0.0));
    for years in [0.0f32, 0.005, 0.0164, 0.02, 0.1, 0.5, 1.0, 3.0, 7.5, 15.0] {
        let aged = e.age(&t, &dots, years).unwrap();
        let looks = aged.read(&e.gpu, &dots).unwrap();
        assert_eq!(looks.len(), list.len());
        let p = t.age_params(years);
        for (d, g) in list.iter().zip(&looks) {
            let c = appearance(d, &p);
            assert!(
                (g.amount - c.amount).abs() <= 1e-4 * c.amount.max(1.0)
                    && (g.spread_mm2 - c.spread_mm2).abs() <= 1e-6 + 1e-4 * c.spread_mm2
                    && (g.redness - c.redness).abs() <= 1e-4
                    && (g.scab - c.scab).abs() <= 1e-3,
                "dot {} at {years} y: GPU {g:?}, CPU {c:?}",
                d.id
            );
        }
    }
}

fn vertex_luminance(plan: &Plan, years: f32) -> f32 {
    let e = engine();
    let h = head();
    let t = Treatment::new(h, plan, None).unwrap();
    let dots = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &dots, years).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    let size = (200, 150);
    let img = e
        .render_image(&scalp::engine::Frame {
            head: &hg,
            dots: Some((&dots, &aged)),
            view: ViewPreset::Top.into(),
            settings: &RenderSettings::default(),
            size,
        })
        .unwrap();
    centre_disc_luminance(&img)
}

#[test]
fn coverage_falls_with_the_years() {
    let plan = Plan::default();
    let l: Vec<f32> = [0.3f32, 2.0, 6.0, 15.0]
        .iter()
        .map(|y| vertex_luminance(&plan, *y))
        .collect();
    for w in l.windows(2) {
        assert!(
            w[1] > w[0],
            "the scalp does not lighten over the years: {l:?}"
        );
    }
}

#[test]
fn shallow_work_has_faded_by_week_eight_correct_work_has_not() {
    let mut shallow = Plan::default();
    shallow.dots.depth_mm = 0.05;
    shallow.dots.depth_jitter_mm = 0.01;
    let week8 = 8.0 * 7.0 / 365.25 + 6.0 / 52.18; // eight weeks after the last session
    let bare = {
        let p = Plan {
            density: scalp::plan::Density {
                hairline: 1.0,
                top: 1.0,
                crown: 1.0,
                sides: 1.0,
                back: 1.0,
            },
            ..Default::default()
        };
        vertex_luminance(&p, week8)
    };
    let s = vertex_luminance(&shallow, week8);
    let c = vertex_luminance(&Plan::default(), week8);
    let (ds, dc) = (bare - s, bare - c);
    assert!(dc > 0.01, "correct work darkens the vertex by {dc}");
    assert!(
        ds < 0.25 * dc,
        "shallow work still darkens by {ds} (correct: {dc})"
    );
}
