//! Every WGSL module (common.wgsl + the pass's file) parses and validates with naga, no GPU.
use naga::valid::{Capabilities, ValidationFlags, Validator};

#[test]
fn every_shader_module_validates() {
    let modules = scalp::shaders::modules();
    assert!(modules.len() >= 5);
    for (name, source) in modules {
        let module = naga::front::wgsl::parse_str(&source).unwrap_or_else(|e| {
            panic!("{name}.wgsl does not parse:\n{}", e.emit_to_string(&source))
        });
        Validator::new(ValidationFlags::all(), Capabilities::default())
            .validate(&module)
            .unwrap_or_else(|e| panic!("{name}.wgsl does not validate: {e:?}"));
    }
}

#[test]
fn every_wgsl_file_is_used_by_a_module() {
    let modules = scalp::shaders::modules();
    let all: String = modules.iter().map(|(_, s)| s.as_str()).collect();
    for entry in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/shaders")).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        assert!(
            all.contains(text.trim()),
            "{} is not part of any shader module",
            path.display()
        );
    }
}

#[test]
fn wgsl_mirrors_match_rust_constants() {
    // The optics constants are written twice (Rust and WGSL); keep them equal.
    let common = scalp::shaders::COMMON;
    let d = scalp::optics::DIFFUSION_MM;
    assert!(common.contains(&format!(
        "OPTICS_DIFFUSION_MM: vec3f = vec3f({:?}, {:?}, {:?})",
        d[0], d[1], d[2]
    )));
    let k = scalp::optics::BLUR_KAPPA_RGB;
    assert!(common.contains(&format!(
        "OPTICS_BLUR_KAPPA_RGB: vec3f = vec3f({:?}, {:?}, {:?})",
        k[0], k[1], k[2]
    )));
    // Healing constants are written twice too (src/ageing.rs, age.wgsl).
    let age = include_str!("../shaders/age.wgsl");
    use scalp::ageing as a;
    for (name, v) in [
        ("SWELLING_MM2", a::SWELLING_MM2),
        ("SWELLING_DAYS", a::SWELLING_DAYS),
        ("WOUND_INK", a::WOUND_INK),
        ("WOUND_INK_DAYS", a::WOUND_INK_DAYS),
        ("REDNESS_DAYS", a::REDNESS_DAYS),
        ("SCAB_THICKNESS", a::SCAB_THICKNESS),
    ] {
        assert!(
            age.contains(&format!("const {name}: f32 = {v:?};")),
            "{name} differs from age.wgsl"
        );
    }
    let (f0, f1) = a::SCAB_FORMS_DAYS;
    let (l0, l1) = a::SCAB_FLAKES_DAYS;
    assert!(age.contains(&format!("SCAB_FORMS_DAYS: vec2f = vec2f({f0:?}, {f1:?})")));
    assert!(age.contains(&format!("SCAB_FLAKES_DAYS: vec2f = vec2f({l0:?}, {l1:?})")));
    assert!(common.contains(&format!("OPTICS_INK_K: f32 = {:?}", scalp::optics::INK_K)));
}
