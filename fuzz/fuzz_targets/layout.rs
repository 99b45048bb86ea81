//! Plan → treatment → dot layout on the built-in head, hair included: the first two bytes
//! choose a small dot count, the rest is the plan's TOML. Every plan the check accepts must
//! lay out without a panic (issue 19's hair grid assertion lived here).
#![no_main]
use libfuzzer_sys::fuzz_target;
use scalp::head::Head;
use scalp::plan::Plan;
use std::path::Path;
use std::sync::OnceLock;

fn head() -> &'static Head {
    static HEAD: OnceLock<Head> = OnceLock::new();
    HEAD.get_or_init(|| Head::builtin().expect("the built-in head loads"))
}

fuzz_target!(
    // The built-in head and its exposure cast (cached after the first treatment; slow under
    // instrumentation) are made once before fuzzing, not inside the first input's time limit.
    init: {
        let _ = scalp::treatment::Treatment::new(head(), &Plan::default(), Some(100));
    },
    |data: &[u8]| {
    if data.len() < 2 {
        return;
    }
    let dots = 1 + u64::from(u16::from_le_bytes([data[0], data[1]]) % 2000);
    let Ok(text) = std::str::from_utf8(&data[2..]) else {
        return;
    };
    let Ok(plan) = Plan::from_toml_str(text, Path::new("fuzz.toml")) else {
        return;
    };
    let _ = scalp::treatment::Treatment::new(head(), &plan, Some(dots));
});
