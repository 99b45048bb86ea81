//! Every WGSL module (prelude + shared files + the pass's file) parses and validates with naga,
//! every GPU mirror has the same layout on both sides, and the prelude's constants are the only
//! definition of the numbers Rust owns. No GPU.
use naga::valid::{Capabilities, ValidationFlags, Validator};
use scalp::shaders::prelude::{self, Value};
use std::collections::BTreeMap;

fn parse(name: &str, source: &str) -> naga::Module {
    naga::front::wgsl::parse_str(source)
        .unwrap_or_else(|e| panic!("{name}.wgsl does not parse:\n{}", e.emit_to_string(source)))
}

/// What a module may use: the default, and the primitive index where it enables it (its pass
/// is built only on a device with that feature: render::skin_deferred::supported).
fn capabilities(source: &str) -> Capabilities {
    if source.starts_with("enable primitive_index;") {
        Capabilities::default() | Capabilities::PRIMITIVE_INDEX
    } else {
        Capabilities::default()
    }
}

#[test]
fn every_shader_module_validates() {
    let modules = scalp::shaders::modules();
    assert!(modules.len() >= 5);
    for (name, source) in modules {
        let module = naga::front::wgsl::parse_str(&source).unwrap_or_else(|e| {
            panic!("{name}.wgsl does not parse:\n{}", e.emit_to_string(&source))
        });
        Validator::new(ValidationFlags::all(), capabilities(&source))
            .validate(&module)
            .unwrap_or_else(|e| panic!("{name}.wgsl does not validate: {e:?}"));
    }
}

/// Parameters are read-only storage, never uniforms (`Gpu::params` says why: lavapipe compiles
/// and keeps a shader per draw for uniforms that steer control flow); and no entry point binds
/// more storage buffers than the device is opened with.
#[test]
fn parameters_are_storage_and_fit_the_storage_limit() {
    for (name, source) in scalp::shaders::modules() {
        let module = parse(name, &source);
        for (_, g) in module.global_variables.iter() {
            assert!(
                g.space != naga::AddressSpace::Uniform,
                "{name}.wgsl declares `var<uniform> {}`: use `var<storage, read>` and Gpu::params",
                g.name.as_deref().unwrap_or("?")
            );
        }
        // Each entry point's layout holds the storage buffers it uses (the passes build one
        // per entry point where they differ), and wgpu counts a stage's layout entries.
        let info = Validator::new(ValidationFlags::all(), capabilities(&source))
            .validate(&module)
            .unwrap_or_else(|e| panic!("{name}.wgsl does not validate: {e:?}"));
        for (i, ep) in module.entry_points.iter().enumerate() {
            let used = info.get_entry_point(i);
            let storage = module
                .global_variables
                .iter()
                .filter(|(h, g)| {
                    matches!(g.space, naga::AddressSpace::Storage { .. }) && !used[*h].is_empty()
                })
                .count() as u32;
            assert!(
                storage <= scalp::gpu::STORAGE_BUFFERS_PER_STAGE,
                "{name}.wgsl `{}` binds {storage} storage buffers; the device is opened with {}",
                ep.name,
                scalp::gpu::STORAGE_BUFFERS_PER_STAGE
            );
        }
    }
}

/// The generation pipelines are specialised by overridable constants (src/dots/variant.rs):
/// every name Rust sets is declared, as a bool, in the generation module, and none is left
/// out.
#[test]
fn generation_overrides_are_the_ones_rust_sets() {
    let (name, source) = scalp::shaders::modules()
        .into_iter()
        .find(|(n, _)| *n == "generate")
        .expect("a generate module");
    let module = parse(name, &source);
    let mut declared: Vec<String> = module
        .overrides
        .iter()
        .map(|(_, o)| {
            assert_eq!(
                module.types[o.ty].inner,
                naga::TypeInner::Scalar(naga::Scalar::BOOL),
                "override {:?} is not a bool",
                o.name
            );
            o.name.clone().unwrap_or_default()
        })
        .collect();
    declared.sort();
    let mut set: Vec<String> = scalp::dots::variant::OVERRIDES
        .iter()
        .map(|s| s.to_string())
        .collect();
    set.sort();
    assert_eq!(declared, set);
}

/// (path, text) of every .wgsl file under shaders/.
fn wgsl_files() -> Vec<(String, String)> {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/shaders");
    let mut out = Vec::new();
    for dir in [root.to_string(), format!("{root}/shared")] {
        for entry in std::fs::read_dir(&dir).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "wgsl") {
                let text = std::fs::read_to_string(&path).unwrap();
                out.push((path.display().to_string(), text));
            }
        }
    }
    out
}

#[test]
fn every_wgsl_file_is_used_by_a_module() {
    let modules = scalp::shaders::modules();
    let all: String = modules.iter().map(|(_, s)| s.as_str()).collect();
    let files = wgsl_files();
    assert!(files.len() >= 15, "{} files", files.len());
    for (path, text) in files {
        // A file's `enable` directives go first in its module (scalp::shaders::source).
        let body: Vec<&str> = text.lines().filter(|l| !l.starts_with("enable ")).collect();
        assert!(
            all.contains(body.join("\n").trim()),
            "{path} is not part of any shader module"
        );
    }
}

#[test]
fn wgsl_mirrors_match_rust_constants() {
    // The optics and healing constants reach WGSL through the generated prelude only.
    let common = prelude::wgsl();
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
    let age = &common;
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
            age.contains(&format!("const AGEING_{name}: f32 = {v:?};")),
            "{name} differs from age.wgsl"
        );
    }
    let (f0, f1) = a::SCAB_FORMS_DAYS;
    let (l0, l1) = a::SCAB_FLAKES_DAYS;
    assert!(age.contains(&format!("SCAB_FORMS_DAYS: vec2f = vec2f({f0:?}, {f1:?})")));
    assert!(age.contains(&format!("SCAB_FLAKES_DAYS: vec2f = vec2f({l0:?}, {l1:?})")));
    assert!(common.contains(&format!("OPTICS_INK_K: f32 = {:?}", scalp::optics::INK_K)));
}

#[test]
fn no_wgsl_file_defines_a_prelude_constant() {
    let names: Vec<String> = prelude::constants().into_iter().map(|k| k.name).collect();
    for (path, text) in wgsl_files() {
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("const ") else {
                continue;
            };
            let name = rest.split([':', ' ', '=']).next().unwrap();
            assert!(
                !names.iter().any(|n| n == name),
                "{path} defines {name}, which the prelude writes from Rust"
            );
        }
    }
}

#[test]
fn no_wgsl_file_spells_a_number_of_its_own() {
    // A quantity (f32 or vector) belongs to the Rust module whose maths uses it; WGSL may name only
    // its own u32 tags (e.g. a spacing state), which no CPU code sees.
    for (path, text) in wgsl_files() {
        for line in text.lines() {
            let Some(rest) = line.trim_start().strip_prefix("const ") else {
                continue;
            };
            let ty = rest
                .split(':')
                .nth(1)
                .unwrap_or("")
                .split('=')
                .next()
                .unwrap()
                .trim();
            assert!(
                ty == "u32" || ty == "i32",
                "{path}: `{}` is a quantity spelled in WGSL; define it in Rust and let the prelude \
                 write it",
                line.trim()
            );
        }
    }
}

/// The scalars of a constant expression as naga evaluated it.
fn scalars(m: &naga::Module, e: naga::Handle<naga::Expression>, out: &mut Vec<u32>) {
    match &m.global_expressions[e] {
        naga::Expression::Literal(naga::Literal::F32(x)) => out.push(x.to_bits()),
        naga::Expression::Literal(naga::Literal::U32(x)) => out.push(*x),
        naga::Expression::Compose { components, .. } => {
            for c in components {
                scalars(m, *c, out);
            }
        }
        other => panic!("unexpected constant expression {other:?}"),
    }
}

#[test]
fn every_prelude_constant_reads_back_bit_for_bit_in_naga() {
    // The WGSL front end reads each literal as an abstract float and converts it to f32:
    // the value the GPU sees must be the Rust constant's bits exactly.
    let text = prelude::wgsl();
    let module = parse("prelude", &text);
    let parsed: BTreeMap<String, Vec<u32>> = module
        .constants
        .iter()
        .map(|(_, c)| {
            let mut v = Vec::new();
            scalars(&module, c.init, &mut v);
            (c.name.clone().unwrap(), v)
        })
        .collect();
    let all = prelude::constants();
    assert_eq!(parsed.len(), all.len());
    for k in all {
        let want: Vec<u32> = match &k.value {
            Value::U32(x) => vec![*x],
            Value::F32(x) => vec![x.to_bits()],
            Value::Vec2(x) => x.iter().map(|f| f.to_bits()).collect(),
            Value::Vec3(x) => x.iter().map(|f| f.to_bits()).collect(),
            Value::Mat3Array(ms) => ms
                .iter()
                .flat_map(|m| m.as_flattened().iter().map(|f| f.to_bits()))
                .collect(),
        };
        assert_eq!(parsed[&k.name], want, "{}", k.name);
    }
}

/// Every named struct of every module: name → (members (name, offset), span).
type Layout = (Vec<(String, u32)>, u32);

fn wgsl_structs() -> BTreeMap<String, Layout> {
    let mut out: BTreeMap<String, Layout> = BTreeMap::new();
    for (pass, source) in scalp::shaders::modules() {
        let module = parse(pass, &source);
        for (_, ty) in module.types.iter() {
            let naga::TypeInner::Struct { members, span } = &ty.inner else {
                continue;
            };
            let Some(name) = ty.name.clone() else {
                continue;
            };
            let layout: Layout = (
                members
                    .iter()
                    .map(|m| (m.name.clone().unwrap_or_default(), m.offset))
                    .collect(),
                *span,
            );
            // Stage inputs and outputs differ per pass; everything else is one struct.
            if let Some(seen) = out.get(&name).filter(|_| !SHADER_ONLY.contains(&&*name)) {
                assert_eq!(seen, &layout, "{name} differs between modules ({pass})");
            }
            out.insert(name, layout);
        }
    }
    out
}

/// WGSL structs with no Rust twin: shader-internal values and stage inputs/outputs.
const SHADER_ONLY: [&str; 14] = [
    "ZoneSample",
    "Candidate",
    "GridNode",
    "Footprint",
    "VsOut",
    "FsOut",
    "DotInstance",
    "BakeInstance",
    "ChartOut",
    "ChartTexel",
    "SkinSample",
    "VisOut",
    "Visible",
    "Cover",
];

#[test]
fn every_gpu_mirror_has_the_layout_of_its_wgsl_struct() {
    let wgsl = wgsl_structs();
    let mirrors = scalp::shaders::mirrors::all();
    assert!(mirrors.len() >= 10);
    for m in &mirrors {
        let (members, span) = wgsl
            .get(m.name)
            .unwrap_or_else(|| panic!("no WGSL struct {}", m.name));
        let rust: Vec<(String, u32)> = m
            .fields
            .iter()
            .map(|(f, o)| (f.to_string(), *o as u32))
            .collect();
        assert_eq!(members, &rust, "{}: members (name, offset)", m.name);
        assert_eq!(*span as usize, m.size, "{}: size", m.name);
    }
    for name in wgsl.keys() {
        assert!(
            mirrors.iter().any(|m| m.name == name) || SHADER_ONLY.contains(&name.as_str()),
            "WGSL struct {name} is neither a Rust mirror nor listed as shader-only"
        );
    }
    // The splat pass's instance attributes are Dot's fields, then its Appearance.
    let dot = &wgsl["Dot"].0;
    let instance = &wgsl["DotInstance"].0;
    assert_eq!(&instance[..dot.len()], &dot[..]);
}

/// Workgroup sizes are Rust's too: every compute entry point runs WORKGROUP_SIZE threads a
/// group (one an item), IMAGE_TILE² (one a pixel), SCAN_THREADS (the prefix sum) or one thread,
/// and no WGSL file spells a size of its own, so the dispatch sizes Rust works out
/// (`gpu::dispatch_size`, the tiles) always match the shaders'.
#[test]
fn workgroup_sizes_are_the_ones_rust_dispatches() {
    let w = scalp::gpu::WORKGROUP_SIZE;
    let t = scalp::gpu::IMAGE_TILE;
    let scan = scalp::dots::scan::THREADS;
    let allowed = [[w, 1, 1], [t, t, 1], [scan, 1, 1], [1, 1, 1]];
    let mut computes = 0;
    for (name, source) in scalp::shaders::modules() {
        let module = parse(name, &source);
        for ep in &module.entry_points {
            if ep.stage == naga::ShaderStage::Compute {
                computes += 1;
                assert!(
                    allowed.contains(&ep.workgroup_size),
                    "{name}.wgsl `{}` runs {:?} threads a group",
                    ep.name,
                    ep.workgroup_size
                );
            }
        }
    }
    assert!(computes >= 10, "{computes} compute entry points");
    for (path, text) in wgsl_files() {
        for (k, _) in text.match_indices("@workgroup_size(") {
            let rest = &text[k + "@workgroup_size(".len()..];
            assert!(
                !rest.starts_with(|c: char| c.is_ascii_digit()) || rest.starts_with("1)"),
                "{path}: `@workgroup_size({}` spells a size; use WORKGROUP_SIZE or IMAGE_TILE",
                rest.split(')').next().unwrap_or("")
            );
        }
    }
}
