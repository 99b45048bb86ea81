//! PLY bytes through its reader, then the repair.
#![no_main]
use libfuzzer_sys::fuzz_target;
use scalp::head::ply;
use std::path::Path;

#[path = "common.rs"]
mod common;

fuzz_target!(|data: &[u8]| {
    if let Ok(raw) = ply::read_ply(data, Path::new("fuzz.ply"), common::MAX_TRIANGLES) {
        common::after_reading(&raw);
    }
});
