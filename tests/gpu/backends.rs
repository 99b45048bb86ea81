//! Determinism across backends: the same plan on Vulkan (lavapipe) and on GL (llvmpipe), both
//! on the CPU, gives the same dots and appearances, and the same pictures within a stated
//! perceptual tolerance. Building the engine on GL also checks that every pass (compute and
//! render, both splat paths) translates to GLSL.
use crate::common;

use scalp::ageing::age::DotAger;
use scalp::camera::ViewPreset;
use scalp::colour::{ciede2000, lab_from_linear};
use scalp::dots::generate::DotGenerator;
use scalp::engine::{Engine, Frame};
use scalp::gpu::Gpu;
use scalp::light::LightPreset;
use scalp::render::{HeadGpu, RenderSettings};
use scalp::treatment::Treatment;
/// Largest difference allowed between the two backends' dot and appearance numbers, relative
/// to the quantity's size: the same WGSL, compiled by two translators (SPIR-V and GLSL) for
/// the same LLVM, may contract a multiply-add differently.
const REL_TOLERANCE: f32 = 1e-4;

fn close(a: f32, b: f32) -> bool {
    (a - b).abs() <= REL_TOLERANCE * a.abs().max(b.abs()).max(1.0)
}

#[test]
fn vulkan_and_gl_on_the_cpu_give_the_same_dots_and_pictures() {
    let h = common::head();
    let plan = common::full_head();
    let t = Treatment::new(h, &plan, Some(20_000)).unwrap();
    let gl = Gpu::new(Some("llvmpipe")).unwrap_or_else(|e| {
        panic!("no GL adapter (llvmpipe; Mesa's libegl1 and libgl1-mesa-dri): {e}")
    });
    let vk = Gpu::new(Some("lavapipe")).expect("lavapipe (mesa-vulkan-drivers)");
    assert_eq!(gl.info.backend, wgpu::Backend::Gl);
    assert_eq!(vk.info.backend, wgpu::Backend::Vulkan);

    let run = |gpu: &Gpu| {
        let dots = DotGenerator::new(gpu)
            .generate(gpu, &h.mesh, &t.exposure, &t.layout, &t.zone, &|_, _| {})
            .unwrap();
        let aged = DotAger::new(gpu)
            .age(gpu, &dots, t.age_params(t.healed_years()))
            .unwrap();
        let mut both: Vec<_> = dots
            .read_unsorted(gpu)
            .unwrap()
            .into_iter()
            .zip(aged.read(gpu, &dots).unwrap())
            .collect();
        both.sort_by_key(|(d, _)| d.id);
        both
    };
    let (on_vk, on_gl) = (run(&vk), run(&gl));
    assert!(on_vk.len() > 10_000, "{} dots", on_vk.len());
    assert_eq!(on_vk.len(), on_gl.len(), "dot counts differ");
    let mut worst = 0.0f32;
    for ((dv, av), (dg, ag)) in on_vk.iter().zip(&on_gl) {
        assert_eq!(
            dv.id, dg.id,
            "the two backends accepted different candidates"
        );
        let pairs = [
            (dv.position[0], dg.position[0]),
            (dv.position[1], dg.position[1]),
            (dv.position[2], dg.position[2]),
            (dv.depth_mm, dg.depth_mm),
            (dv.diameter_mm, dg.diameter_mm),
            (dv.pigment, dg.pigment),
            (dv.shade, dg.shade),
            (av.amount, ag.amount),
            (av.spread_mm2, ag.spread_mm2),
            (av.redness, ag.redness),
        ];
        for (a, b) in pairs {
            assert!(close(a, b), "dot {}: {a} on Vulkan, {b} on GL", dv.id);
            worst = worst.max((a - b).abs() / a.abs().max(b.abs()).max(1.0));
        }
    }
    eprintln!(
        "{} dots: largest relative difference Vulkan vs GL {worst:e}",
        on_vk.len()
    );

    // The pictures: the same frames drawn by each backend's engine from its own dots.
    let (gl, vk) = (
        Engine::from_gpu(gl).unwrap_or_else(|e| panic!("GL cannot build every pass: {e}")),
        Engine::from_gpu(vk).unwrap(),
    );
    for (light, view) in [
        // A window's key from the side: the ear's soft shadow on the skin behind it.
        (LightPreset::Daylight, ViewPreset::Left),
        // The ceiling panel: the softest key, the widest penumbrae.
        (LightPreset::Consultation, ViewPreset::ThreeQuarter),
        // The sun: hard shadows, sharp edges.
        (LightPreset::Sun, ViewPreset::Top),
    ] {
        let settings = RenderSettings {
            light,
            ssaa: 2,
            ..RenderSettings::default()
        };
        let draw = |e: &Engine| {
            let hg = HeadGpu::new(&e.gpu, h);
            let dots = e.generate(h, &t).unwrap();
            let aged = e.age(&t, &dots, t.healed_years()).unwrap();
            e.render_image(&Frame {
                head: &hg,
                dots: Some((&dots, &aged)),
                view: view.into(),
                settings: &settings,
                size: (320, 240),
            })
            .unwrap()
        };
        let (a, b) = (draw(&vk), draw(&gl));
        let diff = picture_difference(&a, &b);
        eprintln!(
            "{light:?} {view:?}: ΔE00 Vulkan vs GL mean {:.4}, 99.9th percentile {:.3}, max \
             {:.3}, {} of {} pixels differ",
            diff.mean, diff.p999, diff.max, diff.differing, diff.pixels
        );
        assert!(
            diff.mean <= MEAN_DELTA_E && diff.p999 <= P999_DELTA_E && diff.max <= MAX_DELTA_E,
            "{light:?} {view:?}: the two backends' pictures differ by more than the tolerance \
             (mean ΔE00 {:.4} ≤ {MEAN_DELTA_E}, 99.9th percentile {:.3} ≤ {P999_DELTA_E}, \
             max {:.3} ≤ {MAX_DELTA_E})",
            diff.mean,
            diff.p999,
            diff.max
        );
        // Not two blank images agreeing: the head is on both.
        let lit = a.pixels().filter(|p| common::luminance(p) > 0.05).count();
        assert!(
            lit > a.pixels().len() / 10,
            "{light:?} {view:?}: {lit} lit pixels"
        );
    }
}

/// Perceptual tolerance between the backends' pictures, ΔE00 per pixel (≈ 1 is just
/// noticeable side by side). The two translators may round a multiply-add differently, which
/// moves a dot's edge or a shadow tap's comparison by a hair in a few pixels; nothing more.
const MEAN_DELTA_E: f64 = 0.05;
const P999_DELTA_E: f64 = 1.0;
const MAX_DELTA_E: f64 = 3.0;

struct PictureDifference {
    mean: f64,
    p999: f64,
    max: f64,
    differing: usize,
    pixels: usize,
}

/// ΔE00 between two sRGB pictures of the same size, pixel by pixel.
fn picture_difference(a: &image::RgbaImage, b: &image::RgbaImage) -> PictureDifference {
    assert_eq!(a.dimensions(), b.dimensions());
    let lin = |c: u8| {
        let v = c as f64 / 255.0;
        if v <= 0.04045 {
            v / 12.92
        } else {
            ((v + 0.055) / 1.055).powf(2.4)
        }
    };
    let lab = |p: &image::Rgba<u8>| lab_from_linear([lin(p[0]), lin(p[1]), lin(p[2])]);
    let mut d: Vec<f64> = a
        .pixels()
        .zip(b.pixels())
        .map(|(p, q)| {
            if p == q {
                0.0
            } else {
                ciede2000(lab(p), lab(q))
            }
        })
        .collect();
    let pixels = d.len();
    let differing = d.iter().filter(|v| **v > 0.0).count();
    let mean = d.iter().sum::<f64>() / pixels as f64;
    d.sort_by(f64::total_cmp);
    PictureDifference {
        mean,
        p999: d[(pixels * 999 / 1000).min(pixels - 1)],
        max: d[pixels - 1],
        differing,
        pixels,
    }
}
