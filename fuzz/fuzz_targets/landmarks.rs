//! Landmarks: the head-space landmarks file, the scan landmarks file, and the inline
//! `nasion=x,y,z;…` form (only when it cannot name a file).
#![no_main]
use libfuzzer_sys::fuzz_target;
use scalp::head::align::ScanLandmarks;
use scalp::head::Landmarks;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let _ = Landmarks::from_toml_str(text, Path::new("fuzz.landmarks.toml"));
    let _ = ScanLandmarks::from_toml_str(text, Path::new("fuzz.toml"));
    if text.contains('=') && !Path::new(text.trim()).exists() {
        if let Ok(lm) = ScanLandmarks::parse(text) {
            let _ = scalp::head::align::from_landmarks(&lm, None);
        }
    }
});
