//! Plan TOML: parsing, every key's checks, and the plan as worked.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::path::Path;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    if let Ok(plan) = scalp::plan::Plan::from_toml_str(text, Path::new("fuzz.toml")) {
        let _ = scalp::worked::Worked::resolve(&plan);
    }
});
