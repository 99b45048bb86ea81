//! Shared helpers of the GPU tests: one engine for the whole test binary (opening a device on a
//! CPU driver takes a while), the built-in head.
#![allow(dead_code)]
use scalp::engine::Engine;
use scalp::head::Head;
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
