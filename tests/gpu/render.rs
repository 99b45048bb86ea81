//! What the rendered image says: dots show on the scalp and nowhere on the face, more dots
//! darken more, and a small golden image stays put within a perceptual tolerance.
use crate::common;

use common::{centre_disc_luminance, engine, head, luminance, pixel_of};
use scalp::camera::ViewPreset;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, RenderSettings};
use scalp::treatment::Treatment;
use std::path::PathBuf;

fn render(plan: &Plan, view: ViewPreset, size: (u32, u32), dots: bool) -> image::RgbaImage {
    render_at(plan, view, size, dots, None)
}

/// Renders `years` after the first session (None: healed).
fn render_at(
    plan: &Plan,
    view: ViewPreset,
    size: (u32, u32),
    dots: bool,
    years: Option<f32>,
) -> image::RgbaImage {
    let e = engine();
    let h = head();
    let t = Treatment::new(h, plan, None).unwrap();
    let d = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &d, years.unwrap_or(t.healed_years())).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    let s = RenderSettings {
        dots,
        ..Default::default()
    };
    e.render_image(&scalp::engine::Frame {
        head: &hg,
        dots: Some((&d, &aged)),
        view: view.into(),
        settings: &s,
        size,
    })
    .unwrap()
}

#[test]
fn dots_darken_the_scalp_and_never_the_face() {
    let size = (320, 240);
    let plan = Plan::default();
    let with = render(&plan, ViewPreset::Front, size, true);
    let without = render(&plan, ViewPreset::Front, size, false);
    let h = head();
    let px = |p: glam::Vec3| {
        let (x, y) = pixel_of(ViewPreset::Front, size, p);
        (x.max(0) as u32, y.max(0) as u32)
    };
    let row_of = |p: glam::Vec3| px(p).1;
    let lm = &h.landmarks;
    // Halfway between the brows and the planned hairline: everything below is face.
    let face_top =
        row_of(lm.glabella + glam::Vec3::Y * (0.5 * plan.hairline.front_above_glabella_mm));
    let hairline_row = row_of(lm.glabella + glam::Vec3::Y * plan.hairline.front_above_glabella_mm);
    assert!(face_top > hairline_row + 5 && face_top < size.1);
    // The face lies between the temples; the sides are treated down to above the ears.
    let face_left = px(lm.temple_right).0 + 4;
    let face_right = px(lm.temple_left).0 - 4;
    assert!(face_left + 20 < face_right);
    // The cap between the top of the head and the hairline, away from the transition band.
    let top_row = row_of(lm.vertex);
    let cap_left = px(lm.vertex - glam::Vec3::X * 30.0).0;
    let cap_right = px(lm.vertex + glam::Vec3::X * 30.0).0;

    let (mut scalp_sum, mut scalp_n) = (0.0f64, 0);
    for (x, y, p) in with.enumerate_pixels() {
        let d = luminance(without.get_pixel(x, y)) - luminance(p);
        if y >= face_top && (face_left..face_right).contains(&x) {
            assert!(d.abs() < 0.004, "face pixel ({x},{y}) changed by {d}");
        } else if y > top_row + 3
            && y < (top_row + hairline_row) / 2
            && (cap_left..cap_right).contains(&x)
        {
            scalp_sum += d as f64;
            scalp_n += 1;
        }
    }
    let mean = scalp_sum / scalp_n.max(1) as f64;
    assert!(scalp_n > 200, "too few scalp pixels ({scalp_n})");
    assert!(
        mean > 0.006,
        "the treated scalp darkens by only {mean:.4} in luminance"
    );
}

#[test]
fn more_dots_darken_more() {
    let size = (240, 180);
    let mean = |density: f32| {
        let mut plan = Plan::default();
        let d = &mut plan.density;
        d.hairline = density;
        d.top = density;
        d.crown = density;
        d.sides = density;
        d.back = density;
        centre_disc_luminance(&render(&plan, ViewPreset::Top, size, true))
    };
    let (none, sparse, dense) = (mean(1.0), mean(40.0), mean(140.0));
    // Darkening grows with the number of dots, roughly in proportion while they rarely overlap.
    let (d_sparse, d_dense) = (none - sparse, none - dense);
    assert!(
        d_sparse > 0.003,
        "40/cm² darkens the vertex by only {d_sparse} ({none} → {sparse})"
    );
    assert!(
        d_dense > 2.5 * d_sparse,
        "140/cm² darkens by {d_dense}, not clearly more than 40/cm² ({d_sparse})"
    );
}

#[test]
fn golden_three_quarter_view() {
    let size = (200, 150);
    let actual = render(&Plan::default(), ViewPreset::ThreeQuarter, size, true);
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/golden");
    let path = dir.join("default_three_quarter_200x150.png");
    if std::env::var_os("SCALP_UPDATE_GOLDENS").is_some() {
        actual.save(&path).unwrap();
        eprintln!("updated {}", path.display());
        return;
    }
    let expected = image::open(&path)
        .unwrap_or_else(|e| panic!("{}: {e} (SCALP_UPDATE_GOLDENS=1 writes it)", path.display()))
        .to_rgba8();
    assert_eq!(expected.dimensions(), actual.dimensions());
    // Perceptual tolerance: compare luminance, where the eye is most sensitive; allow the
    // small differences between drivers (rasterisation rules, transcendental precision).
    let mut diff = image::RgbaImage::new(size.0, size.1);
    let (mut sum, mut big) = (0.0f64, 0usize);
    for (x, y, a) in actual.enumerate_pixels() {
        let d = (luminance(a) - luminance(expected.get_pixel(x, y))).abs();
        sum += d as f64;
        if d > 0.06 {
            big += 1;
        }
        let v = (d * 8.0 * 255.0).min(255.0) as u8;
        diff.put_pixel(x, y, image::Rgba([v, v, v, 255]));
    }
    let mean = sum / (size.0 * size.1) as f64;
    let big_frac = big as f64 / (size.0 * size.1) as f64;
    if mean > 0.006 || big_frac > 0.01 {
        let out = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("golden");
        std::fs::create_dir_all(&out).unwrap();
        actual.save(out.join("actual.png")).unwrap();
        diff.save(out.join("difference.png")).unwrap();
        panic!(
            "golden differs: mean |Δluminance| {mean:.4}, {:.2}% pixels over 0.06; wrote actual and \
             difference images to {}",
            100.0 * big_frac,
            out.display()
        );
    }
}

#[test]
fn the_exposure_map_is_brighter_on_the_crown_than_on_the_nape() {
    let e = engine();
    let h = head();
    let t = Treatment::new(h, &Plan::default(), None).unwrap();
    let d = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &d, 1.0).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    hg.set_exposure(&e.gpu, &t.exposure);
    let s = RenderSettings {
        show: scalp::render::Show::Exposure,
        ..Default::default()
    };
    let size = (240, 180);
    let img = e
        .render_image(&scalp::engine::Frame {
            head: &hg,
            dots: Some((&d, &aged)),
            view: ViewPreset::Back.into(),
            settings: &s,
            size,
        })
        .unwrap();
    let px = |p: glam::Vec3| pixel_of(ViewPreset::Back, size, p);
    let lm = &h.landmarks;
    // The map's ramp rises in green from 0 to 2: compare a patch below the vertex with one on
    // the nape below the occipital point.
    let green = |(x, y): (i32, i32)| {
        let mut s = 0.0;
        for dy in -3..=3 {
            for dx in -3..=3 {
                s += img.get_pixel((x + dx) as u32, (y + dy) as u32)[1] as f32;
            }
        }
        s / 49.0
    };
    let crown = green(px(lm.vertex + glam::Vec3::new(0.0, -12.0, -25.0)));
    let nape = green(px(lm.occipital + glam::Vec3::new(0.0, -45.0, 5.0)));
    assert!(
        crown > nape + 30.0,
        "crown green {crown}, nape green {nape}"
    );
}

/// Sub-pixel dots keep their mean darkness: the treated vertex seen small (dots far below a
/// pixel, widened) darkens by nearly as much as seen large (dots resolved).
#[test]
fn sub_pixel_dots_keep_their_mean_darkness() {
    let plan = Plan::default();
    let darkening = |size: (u32, u32)| {
        let with = centre_disc_luminance(&render(&plan, ViewPreset::Top, size, true));
        let without = centre_disc_luminance(&render(&plan, ViewPreset::Top, size, false));
        1.0 - with / without
    };
    let (far, close) = (darkening((160, 120)), darkening((960, 720)));
    assert!(close > 0.01, "the resolved dots darken by only {close}");
    assert!(
        (far - close).abs() < 0.3 * close,
        "seen small the vertex darkens by {far}, seen large by {close}"
    );
}
