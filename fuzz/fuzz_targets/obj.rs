//! OBJ text (the scan reader and the head-space loader), and the same bytes as an MTL file.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scalp::head::{obj, texture};
use std::path::Path;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let name = Path::new("fuzz.obj");
    if let Ok(raw) = obj::read_obj_raw_str(text, name, common::MAX_TRIANGLES) {
        common::after_reading(&raw);
    }
    let opts = obj::LoadOptions {
        max_triangles: common::MAX_TRIANGLES,
        ..Default::default()
    };
    let _ = obj::load_obj_str(text, name, &opts);
    let _ = texture::parse_mtl(text, Path::new("/nonexistent"));
});
