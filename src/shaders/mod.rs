//! WGSL sources. Every pass's module is put together here: the prelude generated from the Rust
//! constants ([`prelude`]), then the shared files it uses (`shaders/shared/<topic>.wgsl`), then
//! its own file (`shaders/<pass>.wgsl`, named after its Rust module). `tests/shaders.rs`
//! validates each module with naga and checks every GPU mirror's layout against
//! [`mirrors::all`], without a GPU.
pub mod mirrors;
pub mod prelude;

/// The shared WGSL files by topic, in the order a module includes them (a file may use what
/// an earlier one defines).
pub mod shared {
    /// pcg, rand01, mul_hi, lattice_key (src/hash.rs).
    pub const HASH: &str = include_str!("../../shaders/shared/hash.wgsl");
    /// smooth01 (src/math.rs).
    pub const MATH: &str = include_str!("../../shaders/shared/math.wgsl");
    /// Dot, Vertex, GenParams (src/dots).
    pub const DOTS: &str = include_str!("../../shaders/shared/dots.wgsl");
    /// Appearance (src/ageing).
    pub const AGEING: &str = include_str!("../../shaders/shared/ageing.wgsl");
    /// ScarGpu and the procedural scars (src/scar.rs).
    pub const SCAR: &str = include_str!("../../shaders/shared/scar.wgsl");
    /// ZoneGpu (src/zone.rs).
    pub const ZONE: &str = include_str!("../../shaders/shared/zone.wgsl");
    /// The treated-zone lookup (Zone::sample), which needs the `boundary` binding.
    pub const ZONE_SAMPLE: &str = include_str!("../../shaders/shared/zone_sample.wgsl");
    /// The pigment optics (src/optics.rs).
    pub const OPTICS: &str = include_str!("../../shaders/shared/optics.wgsl");
    /// ViewGpu, its binding and the lights (src/render/mod.rs).
    pub const VIEW: &str = include_str!("../../shaders/shared/view.wgsl");
    /// A dot's footprint as both splatting paths draw it.
    pub const FOOTPRINT: &str = include_str!("../../shaders/shared/footprint.wgsl");
    /// ShadowGpu and the filtered shadow lookup (src/render/shadow.rs).
    pub const SHADOW_MAP: &str = include_str!("../../shaders/shared/shadow_map.wgsl");
    /// The skin's shading, for the skin pass and the deferred skin pass.
    pub const SKIN_SHADING: &str = include_str!("../../shaders/shared/skin_shading.wgsl");

    /// (file name, text) of every shared file.
    pub const ALL: [(&str, &str); 12] = [
        ("hash", HASH),
        ("math", MATH),
        ("dots", DOTS),
        ("ageing", AGEING),
        ("scar", SCAR),
        ("zone", ZONE),
        ("zone_sample", ZONE_SAMPLE),
        ("optics", OPTICS),
        ("view", VIEW),
        ("footprint", FOOTPRINT),
        ("shadow_map", SHADOW_MAP),
        ("skin_shading", SKIN_SHADING),
    ];
}

use shared::*;

/// Every pass: (name, the shared files it includes, its own file).
pub const PASSES: [(&str, &[&str], &str); 13] = [
    (
        "generate",
        &[HASH, MATH, DOTS, SCAR, ZONE, ZONE_SAMPLE],
        include_str!("../../shaders/generate.wgsl"),
    ),
    (
        "spacing",
        &[HASH, DOTS],
        include_str!("../../shaders/spacing.wgsl"),
    ),
    ("scan", &[], include_str!("../../shaders/scan.wgsl")),
    (
        "age",
        &[HASH, DOTS, AGEING],
        include_str!("../../shaders/age.wgsl"),
    ),
    (
        "shadow",
        &[SHADOW_MAP],
        include_str!("../../shaders/shadow.wgsl"),
    ),
    (
        "skin",
        &[HASH, MATH, SCAR, VIEW, SHADOW_MAP, SKIN_SHADING],
        include_str!("../../shaders/skin.wgsl"),
    ),
    (
        "skin_deferred",
        &[HASH, MATH, SCAR, VIEW, SHADOW_MAP, SKIN_SHADING],
        include_str!("../../shaders/skin_deferred.wgsl"),
    ),
    (
        "splat",
        &[HASH, MATH, SCAR, VIEW, OPTICS, FOOTPRINT],
        include_str!("../../shaders/splat.wgsl"),
    ),
    (
        "splat_compute",
        &[HASH, MATH, DOTS, SCAR, VIEW, AGEING, OPTICS, FOOTPRINT],
        include_str!("../../shaders/splat_compute.wgsl"),
    ),
    (
        "hair",
        &[HASH, MATH, SCAR, VIEW],
        include_str!("../../shaders/hair.wgsl"),
    ),
    (
        "shaft",
        &[HASH, MATH, SCAR, VIEW, OPTICS, FOOTPRINT],
        include_str!("../../shaders/shaft.wgsl"),
    ),
    (
        "composite",
        &[],
        include_str!("../../shaders/composite.wgsl"),
    ),
    (
        "bake",
        &[HASH, MATH, SCAR, VIEW, OPTICS, FOOTPRINT],
        include_str!("../../shaders/bake.wgsl"),
    ),
];

/// The full module of pass `name`: its own file's `enable` directives (WGSL wants them
/// first), prelude, shared files, own file.
pub fn source(name: &str) -> String {
    let (_, shared, own) = PASSES
        .iter()
        .find(|(n, _, _)| *n == name)
        .unwrap_or_else(|| panic!("no shader pass {name}"));
    let (enables, body): (Vec<&str>, Vec<&str>) =
        own.lines().partition(|l| l.starts_with("enable "));
    let mut s: String = enables.iter().map(|l| format!("{l}\n")).collect();
    s.push_str(&prelude::wgsl());
    for part in shared.iter().copied().chain([body.join("\n").as_str()]) {
        s.push('\n');
        s.push_str(part);
    }
    s
}

/// (name, full module source) of every pass.
pub fn modules() -> Vec<(&'static str, String)> {
    PASSES.iter().map(|(n, _, _)| (*n, source(n))).collect()
}

pub fn generate() -> String {
    source("generate")
}

pub fn spacing() -> String {
    source("spacing")
}

pub fn scan() -> String {
    source("scan")
}

pub fn age() -> String {
    source("age")
}

pub fn bake() -> String {
    source("bake")
}

pub fn shadow() -> String {
    source("shadow")
}

pub fn skin() -> String {
    source("skin")
}

pub fn skin_deferred() -> String {
    source("skin_deferred")
}

pub fn splat() -> String {
    source("splat")
}

pub fn splat_compute() -> String {
    source("splat_compute")
}

pub fn hair() -> String {
    source("hair")
}

pub fn shaft() -> String {
    source("shaft")
}

pub fn composite() -> String {
    source("composite")
}

pub fn module(device: &wgpu::Device, name: &str, source: &str) -> wgpu::ShaderModule {
    device.create_shader_module(wgpu::ShaderModuleDescriptor {
        label: Some(name),
        source: wgpu::ShaderSource::Wgsl(source.into()),
    })
}
