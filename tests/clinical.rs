//! Clinical cases (issue 8): alopecia areata patches are filled, and only they.
mod common;
use common::{engine, head};
use scalp::engine::Treatment;
use scalp::plan::Plan;
use std::path::Path;

#[test]
fn alopecia_patches_are_filled_only_inside_and_grow_no_hair() {
    let plan = Plan::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/plans/alopecia-areata.toml"
    )))
    .unwrap();
    let h = head();
    let t = Treatment::new(h, &plan, None).unwrap();
    let inside = |p: glam::Vec3| t.zone.patch_inside_mm(p).unwrap();

    // GPU dots: every one inside a patch, and every patch gets its share.
    let e = engine();
    let dots = e.generate(h, &t).unwrap().read_unsorted(&e.gpu).unwrap();
    assert!(dots.len() > 1000, "{} dots", dots.len());
    for d in &dots {
        assert!(
            inside(d.position()) > 0.0,
            "a dot {} mm outside its patch",
            -inside(d.position())
        );
    }
    // The patches' areas on the scalp (ellipses π·w·h/4) against the dots they hold: the
    // treated area the layout measured is close to the sum, and the density is the plan's.
    let area_cm2: f64 = plan
        .alopecia
        .patches
        .iter()
        .map(|p| std::f64::consts::PI * p[2] as f64 * p[3] as f64 / 4.0 / 100.0)
        .sum();
    let treated = t.layout.treated_area_mm2 / 100.0;
    assert!(
        (treated / area_cm2 - 1.0).abs() < 0.25,
        "treated {treated:.1} cm² vs patches {area_cm2:.1} cm²"
    );
    let per_cm2 = dots.len() as f64 / treated;
    assert!((60.0..=110.0).contains(&per_cm2), "{per_cm2} dots/cm²");

    // The same dots as the CPU reference.
    let mut cpu: Vec<u32> = t.reference_dots(h).iter().map(|d| d.id).collect();
    let mut gpu: Vec<u32> = dots.iter().map(|d| d.id).collect();
    cpu.sort_unstable();
    gpu.sort_unstable();
    assert_eq!(cpu, gpu);

    // Hair everywhere else, none in the patches.
    let hairs = t.hairs();
    assert!(hairs.len() > 50_000, "{} hairs", hairs.len());
    assert!(hairs.iter().all(|x| inside(glam::Vec3::from(x.root)) < 0.0));
}

#[test]
fn bad_patches_are_refused_with_the_range() {
    let e = Plan::from_toml_str(
        "[alopecia]\npatches = [[0.0, 60.0, 30.0, 20.0], [10.0, 95.0, 30.0, 20.0]]\n",
        Path::new("p.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("alopecia.patches[1]") && e.contains("elevation 95") && e.contains("-30 to 90"),
        "{e}"
    );
    let e = Plan::from_toml_str("[alopecia]\npatches = 3\n", Path::new("p.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("wrong type"), "{e}");
}

#[test]
fn hairline_control_points_move_the_designed_line_where_they_are_set() {
    let h = head();
    let lm = &h.landmarks;
    let base = Plan::default();
    let mut raised = base.clone();
    // Midline 8 mm higher, left corner 4 mm lower, the rest as the style draws it.
    raised.hairline.control_mm = vec![-4.0, 0.0, 8.0, 0.0, 0.0];
    raised.validate().unwrap();
    let a = scalp::zone::Zone::new(&base, lm);
    let b = scalp::zone::Zone::new(&raised, lm);
    let cx = 0.5 * (lm.ear_top_left.x + lm.ear_top_right.x);
    let cz = 0.5 * (lm.glabella.z + lm.occipital.z);
    let phi = |p: glam::Vec3| (p.x - cx).atan2(p.z - cz);
    let moved = |f: f32| b.boundary_at(f) - a.boundary_at(f);
    assert!(
        (moved(0.0) - 8.0).abs() < 0.3,
        "midline moved {}",
        moved(0.0)
    );
    let left = phi(lm.temple_left).abs().clamp(0.3, 1.2);
    let right = -phi(lm.temple_right).abs().clamp(0.3, 1.2);
    assert!(
        (moved(left) + 4.0).abs() < 0.3,
        "left corner moved {}",
        moved(left)
    );
    assert!(
        moved(right).abs() < 0.3,
        "right corner moved {}",
        moved(right)
    );
    // The back of the head is untouched.
    assert!(moved(std::f32::consts::PI - 0.01).abs() < 1e-4);

    let e = Plan::from_toml_str("[hairline]\ncontrol_mm = [1.0, 2.0]\n", Path::new("p.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("p.toml:2") && e.contains("exactly 5"), "{e}");
    let e = Plan::from_toml_str(
        "[hairline]\ncontrol_mm = [0.0, 0.0, 25.0, 0.0, 0.0]\n",
        Path::new("p.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        e.contains("control_mm[2]") && e.contains("-20 to 20"),
        "{e}"
    );
}
