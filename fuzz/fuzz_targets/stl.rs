//! STL bytes through its reader, then the repair.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scalp::head::stl;
use std::path::Path;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = stl::read_stl(data, Path::new("fuzz.stl"), common::MAX_TRIANGLES) {
        common::after_reading(&raw);
    }
});
