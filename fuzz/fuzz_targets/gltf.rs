//! GLTF bytes through its reader, then the repair.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scalp::head::gltf;
use std::path::Path;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = gltf::read_gltf(
        data,
        Path::new("/nonexistent/fuzz.glb"),
        common::MAX_TRIANGLES,
    ) {
        common::after_reading(&raw);
    }
});
