//! Shared helpers of the GPU tests: one engine for the whole test binary (opening a device on a
//! CPU driver takes a while), the built-in head.
#![allow(dead_code)]
use glam::Vec3;
use scalp::dots::Dot;
use scalp::engine::Engine;
use scalp::head::Head;
use std::collections::HashMap;
use std::sync::OnceLock;

pub fn engine() -> &'static Engine {
    static ENGINE: OnceLock<Engine> = OnceLock::new();
    ENGINE.get_or_init(|| {
        Engine::new(std::env::var("SCALP_TEST_ADAPTER").ok().as_deref()).unwrap_or_else(|e| {
            panic!(
                "the GPU tests need a wgpu adapter (lavapipe is enough: apt-get install -y \
                 mesa-vulkan-drivers): {e}"
            )
        })
    })
}

/// The fully bald, fully treated head (`assets/plans/full-head.toml`): the trainers' reference
/// for correct work and the plan the error and SMP-only tests were sized on (the default plan is
/// the Norwood 6 client with his shaved fringe).
pub fn full_head() -> scalp::plan::Plan {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/assets/plans/full-head.toml");
    scalp::plan::Plan::load(std::path::Path::new(path)).expect("assets/plans/full-head.toml")
}

pub fn head() -> &'static Head {
    static HEAD: OnceLock<Head> = OnceLock::new();
    HEAD.get_or_init(|| Head::builtin().expect("built-in head"))
}

/// Relative luminance of an sRGB pixel, 0–1 (linearised, Rec. 709 weights).
pub fn luminance(p: &image::Rgba<u8>) -> f32 {
    let lin = |c: u8| {
        let c = c as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(p[0]) + 0.7152 * lin(p[1]) + 0.0722 * lin(p[2])
}

/// Mean luminance inside the disc at the image centre of radius height/6. In the top view that
/// is the vertex, treated all round.
pub fn centre_disc_luminance(img: &image::RgbaImage) -> f32 {
    let (cx, cy, r) = (
        img.width() as i32 / 2,
        img.height() as i32 / 2,
        img.height() as i32 / 6,
    );
    let (mut sum, mut n) = (0.0f32, 0u32);
    for (x, y, p) in img.enumerate_pixels() {
        let (dx, dy) = (x as i32 - cx, y as i32 - cy);
        if dx * dx + dy * dy < r * r {
            sum += luminance(p);
            n += 1;
        }
    }
    sum / n.max(1) as f32
}

/// Where a head-space point lands in an image of `size` rendered with the framing of `view`.
pub fn pixel_of(view: scalp::camera::ViewPreset, size: (u32, u32), p: glam::Vec3) -> (i32, i32) {
    let outline = scalp::render::frame_outline(head());
    let aspect = size.0 as f32 / size.1 as f32;
    let cam = scalp::camera::Camera::framing(view, &outline, aspect);
    let c = cam.proj(aspect) * cam.view() * p.extend(1.0);
    (
        ((1.0 + c.x / c.w) * 0.5 * size.0 as f32) as i32,
        ((1.0 - c.y / c.w) * 0.5 * size.1 as f32) as i32,
    )
}

/// GPU and CPU dots agree: the same ids (up to a handful decided differently by last-bit float
/// differences at the spacing limit), and the same values for each.
pub fn assert_agree(gpu: &[Dot], cpu: &[Dot]) {
    let g: HashMap<u32, &Dot> = gpu.iter().map(|d| (d.id, d)).collect();
    let c: HashMap<u32, &Dot> = cpu.iter().map(|d| (d.id, d)).collect();
    let only_gpu = g.keys().filter(|k| !c.contains_key(k)).count();
    let only_cpu = c.keys().filter(|k| !g.contains_key(k)).count();
    let allowed = (cpu.len() / 1000).max(2);
    assert!(
        only_gpu + only_cpu <= allowed,
        "{only_gpu} dots only on the GPU, {only_cpu} only on the CPU (of {}); allowed {allowed}",
        cpu.len()
    );
    let mut compared = 0;
    for (id, a) in &g {
        let Some(b) = c.get(id) else { continue };
        let pa = Vec3::from_array(a.position);
        let pb = Vec3::from_array(b.position);
        assert!(pa.distance(pb) < 1e-3, "dot {id}: {pa} vs {pb}");
        assert!(Vec3::from_array(a.normal).distance(Vec3::from_array(b.normal)) < 1e-3);
        for (x, y, what) in [
            (a.depth_mm, b.depth_mm, "depth"),
            (a.diameter_mm, b.diameter_mm, "diameter"),
            (a.pigment, b.pigment, "pigment"),
            (a.shade, b.shade, "shade"),
        ] {
            assert!(
                (x - y).abs() <= 1e-4 * y.abs().max(1.0),
                "dot {id} {what}: {x} vs {y}"
            );
        }
        assert_eq!(a.flags, b.flags, "dot {id} session/zone");
        compared += 1;
    }
    assert!(compared > 0);
}
