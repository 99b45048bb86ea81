//! WGSL sources. Every pass's module is the shared `common.wgsl` plus its own file, put together
//! at compile time; `tests/shaders.rs` validates each of them with naga without a GPU.

pub const COMMON: &str = include_str!("../shaders/common.wgsl");
pub const ZONE: &str = include_str!("../shaders/zone.wgsl");

/// (name, full module source) of every pass.
pub fn modules() -> Vec<(&'static str, String)> {
    vec![
        ("generate", generate()),
        ("spacing", spacing()),
        ("age", age()),
        ("skin", skin()),
        ("splat", splat()),
        ("splat_compute", splat_compute()),
        ("hair", hair()),
        ("composite", composite()),
    ]
}

pub fn generate() -> String {
    [COMMON, ZONE, include_str!("../shaders/generate.wgsl")].concat()
}

pub fn spacing() -> String {
    [COMMON, include_str!("../shaders/spacing.wgsl")].concat()
}

pub fn age() -> String {
    [COMMON, include_str!("../shaders/age.wgsl")].concat()
}

pub fn skin() -> String {
    [
        COMMON,
        include_str!("../shaders/view.wgsl"),
        include_str!("../shaders/skin.wgsl"),
    ]
    .concat()
}

pub fn splat() -> String {
    [
        COMMON,
        include_str!("../shaders/view.wgsl"),
        include_str!("../shaders/splat.wgsl"),
    ]
    .concat()
}

pub fn splat_compute() -> String {
    [
        COMMON,
        include_str!("../shaders/view.wgsl"),
        include_str!("../shaders/splat_compute.wgsl"),
    ]
    .concat()
}

pub fn hair() -> String {
    [
        COMMON,
        include_str!("../shaders/view.wgsl"),
        include_str!("../shaders/hair.wgsl"),
    ]
    .concat()
}

pub fn composite() -> String {
    [COMMON, include_str!("../shaders/composite.wgsl")].concat()
}

pub fn module(device: &wgpu::Device, name: &str, source: &str) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(name),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    })
}
