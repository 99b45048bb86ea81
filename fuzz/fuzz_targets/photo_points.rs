//! Photo points: the inline `nasion=x,y;…` form and the TOML points file (`scalp photo --points`).
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(points) = scalp::photo::points::parse_points(text) {
        // What was read writes back and reads again: the file `scalp view --photo` would save.
        let _ = scalp::photo::points::parse_points(&points.to_toml());
    }
});
