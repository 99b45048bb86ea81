//! Clinical cases (issue 8): alopecia areata patches are filled, and only they.
use crate::common;
use common::{engine, head};
use scalp::plan::Plan;
use scalp::treatment::Treatment;
use scalp::worked::Worked;
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
    // The patches take the plan's top density, less what ramps in at their edges.
    let planned = plan.density.top as f64;
    assert!(
        (0.55 * planned..=1.1 * planned).contains(&per_cm2),
        "{per_cm2} dots/cm² for {planned} planned"
    );

    // The same dots as the CPU reference.
    let mut cpu: Vec<u32> = t.reference_dots(h).iter().map(|d| d.id).collect();
    let mut gpu: Vec<u32> = dots.iter().map(|d| d.id).collect();
    cpu.sort_unstable();
    gpu.sort_unstable();
    assert_eq!(cpu, gpu);

    // Hair everywhere else, none in the patches.
    let hairs = t.hairs();
    assert!(hairs.len() > 50_000, "{} hairs", hairs.len());
    assert!(hairs.iter().all(|x| inside(x.root) < 0.0));
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
    let a = scalp::zone::Zone::new(&Worked::resolve(&base).zone, lm);
    let b = scalp::zone::Zone::new(&Worked::resolve(&raised).zone, lm);
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

fn load(name: &str) -> Plan {
    Plan::load(
        &Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("assets/plans")
            .join(name),
    )
    .unwrap()
}

/// The head's surface point on the back midline (x ≈ 0) at height `y`.
fn back_midline(y: f32) -> glam::Vec3 {
    head()
        .mesh
        .positions
        .iter()
        .filter(|p| p.x.abs() < 3.0 && (p.y - y).abs() < 3.0 && p.z < 0.0)
        .copied()
        .min_by(|a, b| a.z.total_cmp(&b.z))
        .unwrap()
}

#[test]
fn a_strip_scar_stays_paler_than_the_skin_round_it_and_its_dots_fade_faster() {
    // A full-scalp treatment (no hair drawn) over an 18 cm strip scar.
    let plan = Plan::from_toml_str(
        "[scars]\nstrip_length_mm = 180.0\nstrip_width_mm = 6.0\nstrip_height_mm = -12.0\n",
        Path::new("strip.toml"),
    )
    .unwrap();
    let (e, h) = (engine(), head());
    let t = Treatment::new(h, &plan, None).unwrap();
    let g = &t.zone.scars;
    let mid = h.landmarks.occipital.y - 12.0;
    assert!(g.tissue(back_midline(mid)) > 0.99);
    assert!(g.tissue(back_midline(mid + 12.0)) < 0.01);

    let gpu_dots = e.generate(h, &t).unwrap();
    let dots = gpu_dots.read_unsorted(&e.gpu).unwrap();
    // Dots cover the scar (its zone holds the scar and a margin), and the scar's own are
    // marked as in scar tissue.
    let on_scar: Vec<_> = dots.iter().filter(|d| d.in_scar_tissue()).collect();
    assert!(on_scar.len() > 500, "{} dots on the scar", on_scar.len());
    assert!(on_scar
        .iter()
        .all(|d| d.zone() == scalp::zone::ZoneId::Scar && g.tissue(d.position()) > 0.45));
    // Less taken up and faster cleared: relative to the same dot outside a scar.
    let age = |d: &scalp::dots::Dot, y: f32| scalp::ageing::appearance(d, &t.age_params(y)).amount;
    let d = *on_scar[0];
    let mut plain = d;
    plain.flags &= !scalp::dots::SCAR_TISSUE_BIT;
    let healed = t.healed_years();
    assert!(age(&d, healed) < 0.75 * age(&plain, healed));
    assert!(age(&d, 5.0) / age(&d, healed) < age(&plain, 5.0) / age(&plain, healed) - 0.05);
    // The age pass on the GPU agrees with the CPU on scar dots.
    let aged = e.age(&t, &gpu_dots, 5.0).unwrap();
    let looks = aged.read(&e.gpu, &gpu_dots).unwrap();
    for (d, l) in dots.iter().zip(&looks).filter(|(d, _)| d.in_scar_tissue()) {
        let cpu = age(d, 5.0);
        assert!(
            (l.amount - cpu).abs() < 1e-3 * cpu.max(1.0),
            "{} vs {cpu}",
            l.amount
        );
    }

    // In the render: the scar reads paler than the skin 12 mm above and below it, before the
    // work, healed, and five years on.
    let hg = scalp::render::HeadGpu::new(&e.gpu, h);
    let view = scalp::camera::ViewPreset::Back;
    let size = (800, 600);
    let band = |img: &image::RgbaImage, y_mm: f32| {
        let (x, y) = common::pixel_of(view, size, back_midline(y_mm));
        let mut sum = 0.0;
        for dy in -1..=1 {
            for dx in -30..=30 {
                sum += common::luminance(img.get_pixel((x + dx) as u32, (y + dy) as u32));
            }
        }
        sum / 183.0
    };
    for (years, dots_on) in [(healed, false), (healed, true), (5.0, true)] {
        let aged = e.age(&t, &gpu_dots, years).unwrap();
        let s = scalp::render::RenderSettings {
            dots: dots_on,
            ..t.render_settings()
        };
        let img = e
            .render_image(&scalp::engine::Frame {
                head: &hg,
                dots: Some((&gpu_dots, &aged)),
                view: view.into(),
                settings: &s,
                size,
            })
            .unwrap();
        let (scar, above, below) = (
            band(&img, mid),
            band(&img, mid + 12.0),
            band(&img, mid - 12.0),
        );
        assert!(
            scar > 1.08 * above.max(below),
            "{years} y, dots {dots_on}: scar {scar}, above {above}, below {below}"
        );
    }
}

#[test]
fn fue_scars_come_in_the_planned_number_size_and_zone_and_the_gpu_agrees() {
    let plan = load("fue-scars.toml");
    let h = head();
    let t = Treatment::new(h, &plan, Some(30_000)).unwrap();
    let g = &t.zone.scars;
    let n = scalp::scar::count_fue_scars(g);
    assert!((1350..=1650).contains(&n), "{n} FUE scars for 1500");
    // Their size: the share of the donor band that is scar tissue, sampled on the mesh.
    let (mut scar, mut band) = (0usize, 0usize);
    for p in &h.mesh.positions {
        if g.zone_inside_mm(*p) > 0.0 {
            band += 1;
            scar += (g.tissue(*p) > 0.5) as usize;
        }
    }
    let share = scar as f64 / band as f64;
    let expect = std::f64::consts::PI * 0.45f64.powi(2) / (g.fue.cell_mm as f64).powi(2);
    assert!(
        (share / expect - 1.0).abs() < 0.3,
        "scar share {share:.4}, expected {expect:.4}"
    );
    // The band is the scar zone: its dots are zone Scar and worked over four sessions; the
    // scalp's over the first three.
    let e = engine();
    let gpu = e.generate(h, &t).unwrap().read_unsorted(&e.gpu).unwrap();
    let cpu = t.reference_dots(h);
    common::assert_agree(&gpu, &cpu);
    let scar_zone: Vec<_> = gpu
        .iter()
        .filter(|d| d.zone() == scalp::zone::ZoneId::Scar)
        .collect();
    assert!(scar_zone.len() > 5000, "{}", scar_zone.len());
    assert!(scar_zone.iter().any(|d| d.session() == 3));
    assert!(gpu
        .iter()
        .filter(|d| d.zone() != scalp::zone::ZoneId::Scar)
        .all(|d| d.session() < 3));
    assert!(gpu.iter().any(|d| d.in_scar_tissue()));
}

#[test]
fn custom_zones_and_per_zone_shade_and_sessions_shape_the_dots() {
    use scalp::zone::ZoneId;
    let plan = load("custom-zones.toml");
    let h = head();
    let t = Treatment::new(h, &plan, None).unwrap();
    let e = engine();
    let gpu = e.generate(h, &t).unwrap().read_unsorted(&e.gpu).unwrap();
    common::assert_agree(&gpu, &t.reference_dots(h));

    // Shade: the last session's dots carry the zone's shade (±0.25 jitter).
    let mean_last_shade = |z: ZoneId, last: u32| {
        let v: Vec<f32> = gpu
            .iter()
            .filter(|d| d.zone() == z && d.session() == last)
            .map(|d| d.shade)
            .collect();
        assert!(v.len() > 50, "{z:?}: {} dots", v.len());
        v.iter().sum::<f32>() / v.len() as f32
    };
    // Zones without a shade of their own take the plan's, matched to the client's hair (far
    // enough from the zones' own 6, 7 and 9 to tell them apart).
    let matched = t.plan.dots.shade;
    assert!(
        t.plan.dots.match_hair && (matched - 6.5).abs() > 1.0,
        "{matched}"
    );
    assert!((mean_last_shade(ZoneId::Hairline, 2) - 6.0).abs() < 0.1);
    assert!((mean_last_shade(ZoneId::Sides, 2) - matched).abs() < 0.1);
    assert!((mean_last_shade(ZoneId::custom(0), 2) - 9.0).abs() < 0.1);
    // Sessions: the crown is worked in two, the others in three.
    let crown: Vec<_> = gpu.iter().filter(|d| d.zone() == ZoneId::Crown).collect();
    assert!(crown.iter().all(|d| d.session() < 2) && crown.iter().any(|d| d.session() == 1));
    assert!((mean_last_shade(ZoneId::Crown, 1) - 7.0).abs() < 0.1);
    // Density: the whorl's dots per cm² against the crown's, over areas measured on the mesh.
    let areas = scalp::reports::report::zone_areas(h, &t);
    let per_cm2 = |z: ZoneId| {
        gpu.iter().filter(|d| d.zone() == z).count() as f64 / (areas[z as usize] / 100.0)
    };
    let whorl = per_cm2(ZoneId::custom(0));
    assert!((whorl / 130.0 - 1.0).abs() < 0.15, "whorl {whorl} dots/cm²");
    assert!((per_cm2(ZoneId::Crown) / 95.0 - 1.0).abs() < 0.15);
    // The mole is left untreated: no dot inside its polygon, though it lies in the top.
    assert!(areas[ZoneId::custom(1) as usize] > 50.0);
    assert!(gpu
        .iter()
        .all(|d| t.zone.custom_at(d.position()) != Some(1)));
    assert!(gpu.iter().all(|d| d.zone() != ZoneId::custom(1)));
}

#[test]
fn bad_zones_and_scars_are_refused_with_the_field_and_line() {
    let err = |text: &str| {
        Plan::from_toml_str(text, Path::new("z.toml"))
            .unwrap_err()
            .to_string()
    };
    let e = err("[zones]\nshade = { forehead = 6.0 }\n");
    assert!(
        e.contains("zones.shade.forehead") && e.contains("z.toml:2:") && e.contains("\"hairline\""),
        "{e}"
    );
    let e = err("[zones]\nshade = { hairline = 12.0 }\n");
    assert!(
        e.contains("zones.shade.hairline") && e.contains("allowed 1 to 10"),
        "{e}"
    );
    let e = err("[zones]\nsessions = { crown = 4 }\n");
    assert!(
        e.contains("zones.sessions.crown") && e.contains("allowed 1 to 3"),
        "{e}"
    );
    let e = err("[zones]\ncustom = [\n  { name = \"a\", polygon = [[0, 60], [20, 60], [0, 70], [20, 70]], density = 90 },\n]\n");
    assert!(
        e.contains("zones.custom[0].polygon")
            && e.contains("self-intersecting")
            && e.contains("edge 2 (corners 2 → 3) crosses edge 4 (corners 4 → 1)")
            && e.contains("z.toml:3:"),
        "{e}"
    );
    let e = err("[zones]\ncustom = [{ name = \"a\", polygon = [[0, 0], [120, 0], [-120, 0]], density = 90 }]\n");
    assert!(e.contains("within 80°"), "{e}");
    let e = err("[zones]\ncustom = [{ name = \"a\", polygon = [[0, 60], [20, 60], [10, 70]] }]\n");
    assert!(
        e.contains("zones.custom[0].density") && e.contains("missing"),
        "{e}"
    );
    let e = err("[zones]\ncustom = [{ name = \"top\", polygon = [[0, 60], [20, 60], [10, 70]], density = 9 }]\n");
    assert!(e.contains("built-in zone"), "{e}");
    let e = err("[zones]\ncustom = [{ name = \"a\", polygon = [[0, 60], [20, 60], [10, 70]], density = 90, colour = 1 }]\n");
    assert!(
        e.contains("zones.custom[0].colour") && e.contains("unknown key"),
        "{e}"
    );
    let e = err("[scars]\nonly = true\n");
    assert!(e.contains("scars.only") && e.contains("no scars"), "{e}");
    let e = err("[scars]\nstrip_length_mm = 180.0\nsessions = 5\n");
    assert!(
        e.contains("scars.sessions") && e.contains("z.toml:3:") && e.contains("sessions.count = 3"),
        "{e}"
    );
    let e = err("[scars]\nshade = 0.5\n");
    assert!(
        e.contains("scars.shade") && e.contains("0 (as dots.shade) or 1 to 10"),
        "{e}"
    );
}
