//! The two splatting paths (raster quads with blending, compute with integer atomics) give the
//! same picture, and the compute path is bit-exact from run to run.
use crate::common;

use common::{engine, head, luminance};
use scalp::camera::ViewPreset;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, RenderSettings, SplatPath};
use scalp::treatment::Treatment;

fn pictures(
    plan: &Plan,
    view: ViewPreset,
) -> (image::RgbaImage, image::RgbaImage, image::RgbaImage) {
    let e = engine();
    let h = head();
    let t = Treatment::new(h, plan, None).unwrap();
    let d = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &d, t.healed_years()).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    let draw = |path| {
        let s = RenderSettings {
            path,
            ..Default::default()
        };
        picture(&hg, Some((&d, &aged)), view.into(), &s, (320, 240))
    };
    (
        draw(SplatPath::Raster),
        draw(SplatPath::Compute),
        draw(SplatPath::Compute),
    )
}

/// The picture of `dots` on `head` from `view` with `settings`, `size` pixels.
fn picture(
    head: &HeadGpu,
    dots: Option<(
        &scalp::dots::generate::GpuDots,
        &scalp::ageing::age::AgedDots,
    )>,
    view: scalp::engine::Viewpoint,
    settings: &RenderSettings,
    size: (u32, u32),
) -> image::RgbaImage {
    engine()
        .render_image(&scalp::engine::Frame {
            head,
            dots,
            view,
            settings,
            size,
        })
        .unwrap()
}

fn compare(a: &image::RgbaImage, b: &image::RgbaImage) -> (f64, f32) {
    let mut sum = 0.0f64;
    let mut max = 0.0f32;
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d = (luminance(p) - luminance(q)).abs();
        sum += d as f64;
        max = max.max(d);
    }
    (sum / (a.width() * a.height()) as f64, max)
}

#[test]
fn raster_and_compute_paths_agree() {
    let mut dense = Plan::default();
    dense.dots.depth_mm = 0.8; // wide, several pixels: the footprint shape matters
    dense.density.top = 250.0;
    dense.density.crown = 250.0;
    for (plan, view) in [
        (Plan::default(), ViewPreset::Top),
        (Plan::default(), ViewPreset::ThreeQuarter),
        (dense, ViewPreset::Top),
    ] {
        let (raster, compute, again) = pictures(&plan, view);
        assert_eq!(compute, again, "the compute path is not deterministic");
        let (mean, max) = compare(&raster, &compute);
        // Stated tolerance: mean luminance within 0.0005, no pixel off by more than 0.02 (the
        // compute path maps footprints affinely, the raster path perspective-correctly; seen:
        // ~1e-5 mean, 0.005 max).
        assert!(
            mean < 0.0005 && max < 0.02,
            "{view:?}: mean {mean}, max {max}"
        );
        // And the dots are really there in both.
        let none = {
            let mut p = plan.clone();
            p.density = scalp::plan::Density {
                hairline: 1.0,
                top: 1.0,
                crown: 1.0,
                sides: 1.0,
                back: 1.0,
            };
            pictures(&p, view).1
        };
        let effect = compare(&none, &raster).0;
        eprintln!("{view:?}: dots change {effect}, paths differ {mean} (max {max})");
        assert!(effect > 0.0005, "{view:?}: no dots visible ({effect})");
        // The paths differ by far less than what the dots themselves change.
        assert!(
            mean < 0.2 * effect,
            "{view:?}: paths differ by {mean}, dots change {effect}"
        );
    }
}

/// The compute path's two ways of summing (`DotSums`): straight into the buffer, or per
/// workgroup in workgroup memory first, with the pixels past its 32-pixel square straight to the
/// buffer. Integers either way, so the pictures must be the same to the bit: whole heads where
/// dots overlap many deep on few pixels, and a close-up where footprints outgrow the square.
#[test]
fn workgroup_sums_equal_direct_sums() {
    use scalp::camera::Camera;
    use scalp::render::splat_compute::DotSums;
    let e = engine();
    let h = head();
    let mut dense = Plan::default();
    dense.density.top = 250.0;
    dense.density.crown = 250.0;
    let t = Treatment::new(h, &dense, None).unwrap();
    let d = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &d, t.healed_years()).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    let draw = |view: scalp::engine::Viewpoint, size: (u32, u32), sums| {
        let s = RenderSettings {
            path: SplatPath::Compute,
            sums,
            ssaa: 1,
            ..Default::default()
        };
        picture(&hg, Some((&d, &aged)), view, &s, size)
    };
    let close = Camera::framing(ViewPreset::Top, &hg.outline, 4.0 / 3.0).zoomed(12.0);
    let bare = {
        let s = RenderSettings {
            dots: false,
            ..Default::default()
        };
        picture(&hg, None, close.into(), &s, (320, 240))
    };
    for (name, view, size) in [
        ("top, 96×72", ViewPreset::Top.into(), (96, 72)),
        (
            "three-quarter, 320×240",
            ViewPreset::ThreeQuarter.into(),
            (320, 240),
        ),
        ("close-up, 320×240", close.into(), (320, 240)),
    ] {
        let direct = draw(view, size, DotSums::Direct);
        let workgroup = draw(view, size, DotSums::Workgroup);
        assert!(
            direct == workgroup,
            "{name}: the two sums give different pictures"
        );
        if name.starts_with("close") {
            // The close-up really draws dots (wide ones: the square's overflow is exercised).
            let effect = compare(&bare, &direct).0;
            assert!(effect > 0.005, "{name}: no dots visible ({effect})");
        }
    }
}

/// A trichoscope's close-up (footprints hundreds of pixels wide) is drawn whole on the compute
/// path: its big dots go to a workgroup each. Drawn by one thread, lavapipe cut them off at a
/// row (it stops an invocation after 65535 loop iterations): here the paths then differed by
/// 5·10⁻⁴ mean and 0.06 at worst, against 2·10⁻⁵ and 0.005 with the workgroups (at 60× on
/// 640×480 most of the dots were gone).
#[test]
fn close_ups_draw_whole_footprints_on_both_paths() {
    use scalp::camera::Camera;
    use scalp::render::splat_compute::{pixel_box, BIG_DOT_PX};
    const ZOOM: f32 = 150.0;
    const SIZE: (u32, u32) = (640, 480);
    let e = engine();
    let h = head();
    let t = Treatment::new(h, &Plan::default(), None).unwrap();
    let d = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &d, t.healed_years()).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    // About 1.7 mm of skin across: a 70× trichoscope's field.
    let close = Camera::framing(ViewPreset::Top, &hg.outline, 4.0 / 3.0).zoomed(ZOOM);
    let draw = |path| {
        let s = RenderSettings {
            path,
            ssaa: 1,
            ..Default::default()
        };
        picture(&hg, Some((&d, &aged)), close.into(), &s, SIZE)
    };
    let bare = picture(
        &hg,
        None,
        close.into(),
        &RenderSettings {
            dots: false,
            ssaa: 1,
            ..Default::default()
        },
        SIZE,
    );
    let (raster, compute) = (draw(SplatPath::Raster), draw(SplatPath::Compute));
    // The footprints here are big: a dot 0.5 mm across spans more than BIG_DOT_PX pixels.
    let px_per_mm = SIZE.0 as f32 / 1.7;
    let (lo, hi) = pixel_box(
        glam::Vec2::splat(300.0),
        glam::Vec2::new(0.25 * px_per_mm, 0.0),
        glam::Vec2::new(0.0, 0.25 * px_per_mm),
    );
    let size = hi - lo + 1;
    assert!((size.x * size.y) as u32 > BIG_DOT_PX);
    let effect = compare(&bare, &raster).0;
    let (mean, max) = compare(&raster, &compute);
    eprintln!("close-up: dots change {effect}, paths differ {mean} (max {max})");
    assert!(effect > 0.01, "no dots visible ({effect})");
    assert!(
        mean < 0.005 * effect && max < 0.02,
        "paths differ by {mean} (max {max}), dots change {effect}"
    );
}

/// `--path auto` takes the raster path where the compute path's fixed-point density (12 bytes
/// an internal pixel) would not fit one storage binding: a big print used to fail with "use
/// --path raster" though the user had asked for no path.
#[test]
fn auto_path_is_raster_where_the_density_buffer_would_not_fit() {
    use scalp::render::splat_compute::density_fits;
    let e = engine();
    let limit = e.gpu.storage_binding_limit();
    let side = ((limit / 12) as f64).sqrt().ceil() as u32 + 1;
    assert!(!density_fits(&e.gpu, (side, side)));
    assert!(density_fits(&e.gpu, (640, 480)));
    assert_eq!(e.auto_path_for((side, side), 1), SplatPath::Raster);
    assert_eq!(e.auto_path_for((640, 480), 0), e.auto_path());
    // Supersampling counts: 2× a side that fits alone does not.
    let half = side / 2 + 1;
    assert!(density_fits(&e.gpu, (half, half)));
    assert_eq!(e.auto_path_for((half, half), 2), SplatPath::Raster);
}
