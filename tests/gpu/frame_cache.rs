//! Frames that redo only what changed (issue 17, part 3): the skin side of a frame (shadow map,
//! skin, hair shafts, hairs) does not depend on the dots or the time, so a frame whose view,
//! light, head and skin settings are those its targets were last drawn with keeps it and
//! reruns only the dots' passes. A kept skin must give the very pixels a fresh frame gives.
use crate::common::{engine, head};
use glam::{Quat, Vec3};
use scalp::camera::{Camera, ViewPreset};
use scalp::engine::output_texture;
use scalp::gpu::readback::read_texture;
use scalp::light::LightPreset;
use scalp::optics::SkinTone;
use scalp::render::{FramePass, HeadGpu, RenderSettings, Renderer, SplatPath, Targets};
use scalp::treatment::Treatment;
use std::sync::OnceLock;

const SIZE: (u32, u32) = (160, 120);

/// The default client (shaved fringe: hairs and shafts drawn) with a few thousand dots.
struct Scene {
    head: HeadGpu,
    treatment: Treatment,
    dots: scalp::dots::generate::GpuDots,
}

fn scene() -> &'static Scene {
    static S: OnceLock<Scene> = OnceLock::new();
    S.get_or_init(|| {
        let e = engine();
        let treatment = Treatment::new(head(), &scalp::plan::Plan::default(), Some(3000)).unwrap();
        let mut hg = HeadGpu::new(&e.gpu, head());
        treatment.set_hairs(&e.gpu, head(), &mut hg);
        assert!(
            hg.hairs.is_some() && hg.shafts.is_some(),
            "the default client has hairs"
        );
        let dots = e.generate(head(), &treatment).unwrap();
        Scene {
            head: hg,
            treatment,
            dots,
        }
    })
}

fn camera(turn_deg: f32) -> Camera {
    let outline = &scene().head.outline;
    let base = Camera::framing(
        ViewPreset::ThreeQuarter,
        outline,
        SIZE.0 as f32 / SIZE.1 as f32,
    );
    let rot = Quat::from_rotation_y(turn_deg.to_radians());
    Camera {
        eye: base.target + rot * (base.eye - base.target),
        up: Vec3::Y,
        ..base
    }
}

fn settings() -> RenderSettings {
    RenderSettings {
        ssaa: 1,
        path: SplatPath::Compute,
        light: LightPreset::Daylight,
        ..Default::default()
    }
}

/// A renderer of the test's own: what it keeps (the shadow map) is then not redrawn by the
/// other tests running at the same time on the engine's.
fn renderer() -> Renderer {
    Renderer::new(&engine().gpu, scalp::engine::IMAGE_FORMAT)
}

/// Draws a frame at `years` into `targets` (kept between frames) with `r`; returns the
/// picture and the passes it ran.
fn draw_with(
    r: &Renderer,
    targets: &Targets,
    years: f32,
    cam: &Camera,
    s: &RenderSettings,
) -> (image::RgbaImage, Vec<FramePass>) {
    draw_head_with(r, &scene().head, targets, years, cam, s)
}

/// As [`draw_with`], the scene's dots on `head`.
fn draw_head_with(
    r: &Renderer,
    head: &HeadGpu,
    targets: &Targets,
    years: f32,
    cam: &Camera,
    s: &RenderSettings,
) -> (image::RgbaImage, Vec<FramePass>) {
    let e = engine();
    let sc = scene();
    let aged = e.age(&sc.treatment, &sc.dots, years).unwrap();
    let out = output_texture(&e.gpu, SIZE, wgpu::TextureUsages::COPY_SRC);
    let view = out.create_view(&Default::default());
    r.render(
        &e.gpu,
        head,
        Some((&sc.dots, &aged)),
        cam,
        s,
        targets,
        &view,
    )
    .unwrap();
    let passes = targets.last_frame_passes();
    (read_texture(&e.gpu, &out, SIZE.0, SIZE.1).unwrap(), passes)
}

/// The same frame drawn from scratch, into new targets, by the engine's renderer.
fn fresh(years: f32, cam: &Camera, s: &RenderSettings) -> image::RgbaImage {
    let targets = Targets::new(&engine().gpu, SIZE, 1).unwrap();
    let (img, passes) = draw_with(&engine().renderer, &targets, years, cam, s);
    assert!(passes.contains(&FramePass::Skin), "{passes:?}");
    img
}

fn new_targets() -> Targets {
    Targets::new(&engine().gpu, SIZE, 1).unwrap()
}

fn differing(a: &image::RgbaImage, b: &image::RgbaImage) -> usize {
    a.pixels().zip(b.pixels()).filter(|(p, q)| p != q).count()
}

#[test]
fn a_time_change_keeps_the_skin_and_gives_the_pixels_of_a_fresh_frame() {
    let r = renderer();
    let draw = |t: &Targets, y: f32, c: &Camera, s: &RenderSettings| draw_with(&r, t, y, c, s);
    let t = new_targets();
    let (cam, s) = (camera(0.0), settings());
    let (_, first) = draw(&t, 0.2, &cam, &s);
    assert_eq!(
        first,
        [
            FramePass::Shadow,
            FramePass::Skin,
            FramePass::Shaft,
            FramePass::Hair,
            FramePass::Splat,
            FramePass::Composite
        ]
    );
    // Ten years on: the dots have faded and spread, the skin is as it was.
    let (later, passes) = draw(&t, 10.0, &cam, &s);
    assert_eq!(passes, [FramePass::Splat, FramePass::Composite]);
    let scratch = fresh(10.0, &cam, &s);
    assert_eq!(differing(&later, &scratch), 0, "a kept skin changed pixels");
    // And the time did change the picture (the dots were redrawn, not kept too).
    let (young, _) = draw(&t, 0.2, &cam, &s);
    assert!(
        differing(&young, &later) > 50,
        "{}",
        differing(&young, &later)
    );
    // The ink's tone is the dots' alone: a slider change that keeps the skin.
    let warm = RenderSettings {
        ink_tone: 0.8,
        ..s.clone()
    };
    let (toned, passes) = draw(&t, 0.2, &cam, &warm);
    assert_eq!(passes, [FramePass::Splat, FramePass::Composite]);
    assert_eq!(differing(&toned, &fresh(0.2, &cam, &warm)), 0);
}

#[test]
fn an_orbit_a_light_or_a_skin_type_redraws_the_skin_as_a_fresh_frame_would() {
    let r = renderer();
    let draw = |t: &Targets, y: f32, c: &Camera, s: &RenderSettings| draw_with(&r, t, y, c, s);
    let t = new_targets();
    let (cam, s) = (camera(0.0), settings());
    let (before, _) = draw(&t, 1.0, &cam, &s);
    let changes: [(&str, Camera, RenderSettings); 3] = [
        ("orbit", camera(25.0), s.clone()),
        (
            "light",
            cam,
            RenderSettings {
                light: LightPreset::Sun,
                ..s.clone()
            },
        ),
        (
            "skin type",
            cam,
            RenderSettings {
                skin: SkinTone::V,
                ..s.clone()
            },
        ),
    ];
    for (what, c, changed) in changes {
        // From the first frame's state each time.
        draw(&t, 1.0, &cam, &s);
        let (img, passes) = draw(&t, 1.0, &c, &changed);
        assert!(passes.contains(&FramePass::Skin), "{what}: {passes:?}");
        assert!(
            differing(&img, &before) > 500,
            "{what} did not change the picture"
        );
        assert_eq!(differing(&img, &fresh(1.0, &c, &changed)), 0, "{what}");
    }
    // An orbit under a distant key keeps the shadow map (it does not depend on the camera);
    // a new light draws it again.
    draw(&t, 1.0, &cam, &s);
    let (_, orbit) = draw(&t, 1.0, &camera(40.0), &s);
    assert!(!orbit.contains(&FramePass::Shadow), "{orbit:?}");
    let sun = RenderSettings {
        light: LightPreset::Sun,
        ..s.clone()
    };
    let (_, lit) = draw(&t, 1.0, &camera(40.0), &sun);
    assert!(lit.contains(&FramePass::Shadow), "{lit:?}");
}

#[test]
fn two_targets_each_keep_their_own_skin() {
    let r = renderer();
    let draw = |t: &Targets, y: f32, c: &Camera, s: &RenderSettings| draw_with(&r, t, y, c, s);
    // The viewer's preview and full canvases: one renderer, two sets of targets.
    let (a, b) = (new_targets(), new_targets());
    let s = settings();
    draw(&a, 1.0, &camera(0.0), &s);
    let (_, first_b) = draw(&b, 1.0, &camera(60.0), &s);
    assert!(first_b.contains(&FramePass::Skin));
    let (img, passes) = draw(&a, 5.0, &camera(0.0), &s);
    assert_eq!(passes, [FramePass::Splat, FramePass::Composite]);
    assert_eq!(differing(&img, &fresh(5.0, &camera(0.0), &s)), 0);
}

/// The viewer's previews draw the skin from the head's coarse triangles (decimated within
/// 0.05 mm, a third of a dot's diameter): the picture is the full skin's within a small
/// tolerance, and a skin drawn coarse is never kept for a frame that asks for the full one.
#[test]
fn a_coarse_skin_is_close_to_the_full_one_and_never_kept_for_it() {
    let e = engine();
    let triangles = scalp::head::decimate::coarse_triangles(&head().mesh);
    let n = head().mesh.positions.len() as u32;
    assert!(triangles.iter().all(|&i| i < n));
    assert!(
        triangles.len() * 3 < head().mesh.indices.len(),
        "{} of {} indices",
        triangles.len(),
        head().mesh.indices.len()
    );
    let mut hg = scene().head.clone();
    hg.set_coarse(&e.gpu, &triangles);
    let r = renderer();
    let t = new_targets();
    let cam = camera(0.0);
    let full_s = settings();
    let coarse_s = RenderSettings {
        coarse_skin: true,
        ..settings()
    };
    let draw = |s: &RenderSettings| draw_head_with(&r, &hg, &t, 0.2, &cam, s);
    let (full, _) = draw(&full_s);
    let (coarse, passes) = draw(&coarse_s);
    assert!(passes.contains(&FramePass::Skin), "{passes:?}");
    let (again, passes) = draw(&full_s);
    assert!(passes.contains(&FramePass::Skin), "{passes:?}");
    assert_eq!(differing(&again, &full), 0, "a coarse skin was kept");
    // The coarse triangles were drawn (the normals interpolate over larger triangles)...
    assert!(differing(&coarse, &full) > 0);
    // ...and look like the full ones: small differences, over few pixels.
    let diffs: Vec<u8> = coarse
        .pixels()
        .zip(full.pixels())
        .map(|(p, q)| (0..3).map(|c| p[c].abs_diff(q[c])).max().unwrap())
        .collect();
    let mean = diffs.iter().map(|&d| d as f64).sum::<f64>() / diffs.len() as f64;
    let big = diffs.iter().filter(|&&d| d > 8).count() as f64 / diffs.len() as f64;
    eprintln!(
        "coarse skin: mean largest channel difference {mean:.3}/255, {:.3}% over 8/255",
        100.0 * big
    );
    assert!(
        mean < 0.5 && big < 0.005,
        "mean {mean:.3}/255, {:.3}% over 8/255",
        100.0 * big
    );
    // Without coarse triangles on the head, asking for them draws the full ones.
    let (plain, _) = draw_with(&r, &t, 0.2, &cam, &coarse_s);
    assert_eq!(differing(&plain, &full), 0);
}
