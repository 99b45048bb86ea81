//! The WGSL prelude: every number the shaders share with Rust, written from the Rust
//! definitions, so no `.wgsl` file spells one (tests/shaders.rs checks that none redefines a
//! prelude name and that every f32 reads back bit for bit).
//!
//! Naming: a Rust constant `<module>::NAME` is `<MODULE>_NAME` in WGSL, the module being the
//! one that defines it (`scar::TAPER_MM` → `SCAR_TAPER_MM`, `ageing::EARLY_LOSS` →
//! `AGEING_EARLY_LOSS`, `hash::stream::FLAKE` → `STREAM_FLAKE`, `ZoneId::Crown` → `ZONE_CROWN`).
//! `PI` and `TAU` are std's.
use crate::zone::{ZoneGpu, ZoneId};
use std::fmt::Write;

/// A constant's value, typed as WGSL declares it.
#[derive(Clone, Debug, PartialEq)]
pub enum Value {
    U32(u32),
    F32(f32),
    Vec2([f32; 2]),
    Vec3([f32; 3]),
    /// `array<mat3x3f, N>`, each matrix given column by column.
    Mat3Array(Vec<[[f32; 3]; 3]>),
}

/// One prelude constant.
#[derive(Clone, Debug, PartialEq)]
pub struct Constant {
    pub name: String,
    pub value: Value,
}

fn c(name: impl Into<String>, value: Value) -> Constant {
    Constant {
        name: name.into(),
        value,
    }
}

/// Every prelude constant, grouped by the Rust module that owns it.
pub fn constants() -> Vec<Constant> {
    use Value::*;
    let mut v = vec![
        c("PI", F32(std::f32::consts::PI)),
        c("TAU", F32(std::f32::consts::TAU)),
        c("WORKGROUP_SIZE", U32(crate::gpu::WORKGROUP_SIZE)),
        c("IMAGE_TILE", U32(crate::gpu::IMAGE_TILE)),
        c(
            "MAX_GROUPS_PER_DIMENSION",
            U32(crate::gpu::MAX_GROUPS_PER_DIMENSION),
        ),
    ];
    v.extend(
        crate::hash::stream::ALL
            .iter()
            .map(|(n, s)| c(format!("STREAM_{n}"), U32(*s))),
    );
    v.extend(zone());
    v.extend([
        c("DOTS_SCAR_TISSUE_BIT", U32(crate::dots::SCAR_TISSUE_BIT)),
        c("DOTS_SESSION_MASK", U32(crate::dots::SESSION_MASK)),
        c("DOTS_ZONE_SHIFT", U32(crate::dots::ZONE_SHIFT)),
        c("DOTS_ZONE_MASK", U32(crate::dots::ZONE_MASK)),
        c("DOTS_EXPOSURE_SHIFT", U32(crate::dots::EXPOSURE_SHIFT)),
        c("DOTS_EXPOSURE_STEPS", F32(crate::dots::EXPOSURE_STEPS)),
        c("DOTS_EXPOSURE_MAX", F32(crate::dots::EXPOSURE_MAX)),
    ]);
    v.extend(reference());
    v.extend(spacing());
    v.push(c(
        "REFERENCE_GRID_CHARTS",
        Mat3Array(crate::dots::reference::GRID_CHARTS.to_vec()),
    ));
    v.push(c(
        "HAIR_GRID_HEADER_WORDS",
        U32(crate::dots::hair_grid::HEADER_WORDS as u32),
    ));
    v.push(c(
        "HAIR_GRID_SPACING_WORD",
        U32(crate::dots::hair_grid::SPACING_WORD as u32),
    ));
    v.push(c(
        "HAIR_NEAR_TABLE_WORD",
        U32(crate::dots::hair_near::TABLE_WORD as u32),
    ));
    v.push(c(
        "HAIR_NEAR_ROOTS_WORD",
        U32(crate::dots::hair_near::ROOTS_WORD as u32),
    ));
    v.push(c(
        "HAIR_NEAR_CELLS_FLAG",
        U32(crate::dots::hair_near::CELLS_FLAG),
    ));
    v.push(c(
        "TECHNIQUE_PATCHY_CELL_MM",
        F32(crate::technique::PATCHY_CELL_MM),
    ));
    v.extend(ageing());
    v.extend(scar());
    v.extend(optics());
    v.push(c("RENDER_NO_SURFACE_MM", F32(crate::render::NO_SURFACE_MM)));
    v.push(c(
        "SKIN_SSS_MAX_CURVATURE",
        F32(crate::render::skin::SSS_MAX_CURVATURE),
    ));
    v.extend(render_passes());
    v.extend(skin_surface());
    v.extend(shadow());
    v
}

/// Numbers of how the hair and compute-splat passes draw (src/render/{hair,splat_compute}.rs)
/// and how the deferred skin pass reads the head (src/render/mod.rs).
fn render_passes() -> Vec<Constant> {
    use crate::render::{hair as h, splat_compute as s};
    use Value::*;
    vec![
        c("HAIR_SHAFT_OPACITY", F32(h::SHAFT_OPACITY)),
        c("HAIR_MIN_WIDTH_PX", F32(h::MIN_WIDTH_PX)),
        c("HAIR_EXIT_TAPER", F32(h::EXIT_TAPER)),
        c("SPLAT_COMPUTE_FIXED", F32(s::FIXED)),
        c("SPLAT_COMPUTE_MAX_HALF_PX", F32(s::MAX_HALF_PX)),
        c("SPLAT_COMPUTE_BOX_MARGIN_PX", F32(s::BOX_MARGIN_PX)),
        c("SPLAT_COMPUTE_ROW_SLACK", F32(s::ROW_SLACK)),
        c("SPLAT_COMPUTE_BIG_DOT_PX", U32(s::BIG_DOT_PX)),
        c("SPLAT_COMPUTE_BIG_LIST_HEADER", U32(s::BIG_LIST_HEADER)),
        c(
            "SKIN_DEFERRED_EDGE_LIST_HEADER",
            U32(crate::render::skin_deferred::EDGE_LIST_HEADER),
        ),
        c("SPLAT_COMPUTE_SHARED_PX", U32(s::SHARED_PX)),
        c(
            "SPLAT_COMPUTE_SHARED_MIN_OVERLAP",
            F32(s::SHARED_MIN_OVERLAP),
        ),
        // The head's buffers as the deferred skin pass reads them, floats a vertex.
        c(
            "HEAD_VERTEX_FLOATS",
            U32(floats_in::<crate::render::HeadVertex>()),
        ),
        c(
            "SCAN_UVW_FLOATS",
            U32(floats_in::<crate::render::ScanUvw>()),
        ),
    ]
}

/// How many f32 a `T` holds.
fn floats_in<T>() -> u32 {
    (std::mem::size_of::<T>() / std::mem::size_of::<f32>()) as u32
}

/// The skin's pores, relief, lines and sebum (src/render/skin.rs).
fn skin_surface() -> Vec<Constant> {
    use crate::render::skin::*;
    use Value::*;
    vec![
        c("SKIN_PORE_CELL_MM", F32(PORE_CELL_MM)),
        c("SKIN_PORE_RADIUS_MM", Vec2(PORE_RADIUS_MM)),
        c("SKIN_PORE_DARKENING", F32(PORE_DARKENING)),
        c("SKIN_PORE_DEPTH_MM", F32(PORE_DEPTH_MM)),
        c("SKIN_RELIEF_SCALE_MM", Vec3(RELIEF_SCALE_MM)),
        c("SKIN_RELIEF_HEIGHT_MM", Vec3(RELIEF_HEIGHT_MM)),
        c("SKIN_LINES_SCALE_MM", F32(LINES_SCALE_MM)),
        c("SKIN_LINES_WIDTH_MM", F32(LINES_WIDTH_MM)),
        c("SKIN_LINES_DARKENING", F32(LINES_DARKENING)),
        c("SKIN_LINES_DEPTH_MM", F32(LINES_DEPTH_MM)),
        c("SKIN_DIFFUSE_RELIEF", F32(DIFFUSE_RELIEF)),
        c("SKIN_FADE_START", F32(FADE_START)),
        c("SKIN_FADE_END", F32(FADE_END)),
        c("SKIN_SEBUM_DRY", F32(SEBUM_DRY)),
        c("SKIN_SEBUM_MIDLINE", Vec2(SEBUM_MIDLINE)),
        c("SKIN_SEBUM_UPPER", Vec2(SEBUM_UPPER)),
        c("SKIN_SEBUM_NOISE", F32(SEBUM_NOISE)),
        c("SKIN_SEBUM_NOISE_MM", F32(SEBUM_NOISE_MM)),
        c("SKIN_SEBUM_STRENGTH", Vec2(SEBUM_STRENGTH)),
        c("SKIN_SEBUM_ROUGHNESS", Vec2(SEBUM_ROUGHNESS)),
    ]
}

/// The key light's shadow map (src/render/shadow.rs).
fn shadow() -> Vec<Constant> {
    use crate::render::shadow::*;
    use Value::*;
    vec![
        c("SHADOW_MAP_SIZE", U32(MAP_SIZE)),
        c("SHADOW_NORMAL_OFFSET_TEXELS", F32(NORMAL_OFFSET_TEXELS)),
        c("SHADOW_DEPTH_BIAS_MM", F32(DEPTH_BIAS_MM)),
        c("SHADOW_CONE_SLOPE", F32(CONE_SLOPE)),
        c("SHADOW_MAX_BLOCKER_MM", F32(MAX_BLOCKER_MM)),
        c("SHADOW_MAX_PENUMBRA_MM", F32(MAX_PENUMBRA_MM)),
        c("SHADOW_PCF_TAPS", U32(PCF_TAPS)),
        c("SHADOW_GAP_LEVELS", U32(GAP_LEVELS)),
        c("SHADOW_FACING_AWAY", F32(FACING_AWAY)),
    ]
}

/// Zone ids and the lengths of ZoneGpu's tables.
fn zone() -> Vec<Constant> {
    use Value::U32;
    let mut v: Vec<Constant> = ZoneId::EVERY
        .iter()
        .map(|z| c(format!("ZONE_{z:?}").to_uppercase(), U32(*z as u32)))
        .collect();
    let g: ZoneGpu = bytemuck::Zeroable::zeroed();
    v.extend([
        c("ZONE_COUNT", U32(crate::zone::ZONE_COUNT as u32)),
        c("ZONE_CUSTOM_ROWS", U32(crate::zone::CUSTOM_ROWS as u32)),
        // The lengths of ZoneGpu's arrays (WGSL array sizes take no expressions of ours).
        c("ZONE_PATCH_ROWS", U32(g.patches.len() as u32)),
        c("ZONE_CUSTOM_TABLE_ROWS", U32(g.custom.len() as u32)),
    ]);
    v
}

/// The per-dot jitter limits of the generation (dots::reference).
fn reference() -> Vec<Constant> {
    use crate::dots::reference as r;
    use Value::*;
    vec![
        c("REFERENCE_MIN_DEPTH_MM", F32(r::MIN_DEPTH_MM)),
        c(
            "REFERENCE_DIAMETER_FACTOR",
            Vec2([r::DIAMETER_FACTOR.0, r::DIAMETER_FACTOR.1]),
        ),
        c("REFERENCE_PIGMENT_JITTER", F32(r::PIGMENT_JITTER)),
        c(
            "REFERENCE_PIGMENT_FACTOR",
            Vec2([r::PIGMENT_FACTOR.0, r::PIGMENT_FACTOR.1]),
        ),
    ]
}

/// The spacing pass's list layout (dots::spacing) and the scan's block shape (dots::scan).
fn spacing() -> Vec<Constant> {
    use crate::dots::{generate as g, scan, spacing as s};
    let u = |n: &str, x: u32| c(n.to_string(), Value::U32(x));
    vec![
        u("GENERATE_BLOCK", g::BLOCK),
        u("GENERATE_DISPATCH_SLOT", g::DISPATCH_SLOT),
        u("SPACING_CONFLICTS", s::CONFLICTS),
        u("SPACING_LIST", s::LIST_WORDS),
        u("SPACING_LISTED_HEAD", s::LISTED_HEAD),
        u("SCAN_THREADS", scan::THREADS),
        u("SCAN_PER_THREAD", scan::PER_THREAD),
        u("SCAN_BLOCK", scan::BLOCK),
    ]
}

fn ageing() -> Vec<Constant> {
    use crate::ageing as a;
    use Value::*;
    let f = |n: &str, x: f32| c(format!("AGEING_{n}"), F32(x));
    vec![
        c("AGEING_MAX_TOUCH_UPS", U32(a::MAX_TOUCH_UPS as u32)),
        c("AGEING_MAX_SESSIONS", U32(a::MAX_SESSIONS as u32)),
        f("DAYS_PER_YEAR", a::DAYS_PER_YEAR),
        f("EPIDERMIS_MM", a::EPIDERMIS_MM),
        f("DEPOSIT_HALF_HEIGHT_MM", a::DEPOSIT_HALF_HEIGHT_MM),
        f("TURNOVER_DAYS", a::TURNOVER_DAYS),
        f("EARLY_LOSS", a::EARLY_LOSS),
        f("EARLY_DAYS", a::EARLY_DAYS),
        f("CLEARANCE_BASE_PER_YEAR", a::CLEARANCE_BASE_PER_YEAR),
        f("CLEARANCE_UV_PER_YEAR", a::CLEARANCE_UV_PER_YEAR),
        f("UV_DEPTH_MM", a::UV_DEPTH_MM),
        f("REFERENCE_DEPTH_MM", a::REFERENCE_DEPTH_MM),
        f("SPREAD_MM2_PER_YEAR", a::SPREAD_MM2_PER_YEAR),
        f(
            "BLOWOUT_SPREAD_MM2_PER_YEAR",
            a::BLOWOUT_SPREAD_MM2_PER_YEAR,
        ),
        f("BLOWOUT_FROM_MM", a::BLOWOUT_FROM_MM),
        f("BLOWOUT_FULL_MM", a::BLOWOUT_FULL_MM),
        f("BLOWOUT_EXTRA_INK", a::BLOWOUT_EXTRA_INK),
        f("BLOWOUT_INITIAL_MM2", a::BLOWOUT_INITIAL_MM2),
        f("SWELLING_MM2", a::SWELLING_MM2),
        f("SWELLING_DAYS", a::SWELLING_DAYS),
        f("WOUND_INK", a::WOUND_INK),
        f("WOUND_INK_DAYS", a::WOUND_INK_DAYS),
        f("REDNESS_DAYS", a::REDNESS_DAYS),
        c(
            "AGEING_SCAB_FORMS_DAYS",
            Vec2([a::SCAB_FORMS_DAYS.0, a::SCAB_FORMS_DAYS.1]),
        ),
        c(
            "AGEING_SCAB_FLAKES_DAYS",
            Vec2([a::SCAB_FLAKES_DAYS.0, a::SCAB_FLAKES_DAYS.1]),
        ),
        f("SCAB_THICKNESS", a::SCAB_THICKNESS),
        c("AGEING_SCAB_OD", Vec3(a::SCAB_OD)),
        f("SCAB_SIZE", a::SCAB_SIZE),
        c("AGEING_REDNESS_OD", Vec3(a::REDNESS_OD)),
        f("REDNESS_SIGMA_MM", a::REDNESS_SIGMA_MM),
    ]
}

fn scar() -> Vec<Constant> {
    use crate::scar as s;
    let f = |n: &str, x: f32| c(format!("SCAR_{n}"), Value::F32(x));
    vec![
        f("TAPER_MM", s::TAPER_MM),
        f("WAVINESS", s::WAVINESS),
        f("WAVE_MM", s::WAVE_MM),
        f("RETENTION", s::RETENTION),
        f("CLEARANCE_FACTOR", s::CLEARANCE_FACTOR),
        c("SCAR_FUE_KEY_SALT", Value::U32(s::FUE_KEY_SALT)),
    ]
}

fn optics() -> Vec<Constant> {
    use crate::optics as o;
    use Value::*;
    vec![
        c("OPTICS_DIFFUSION_MM", Vec3(o::DIFFUSION_MM)),
        c("OPTICS_BLUR_KAPPA_RGB", Vec3(o::BLUR_KAPPA_RGB)),
        c("OPTICS_TRANSPORT_MFP_MM", F32(o::TRANSPORT_MFP_MM)),
        c("OPTICS_FLUENCE_BUILDUP", F32(o::FLUENCE_BUILDUP)),
        c("OPTICS_INK_K", F32(o::INK_K)),
        c(
            "OPTICS_FOOTPRINT_EXTENT_SIGMAS",
            F32(o::FOOTPRINT_EXTENT_SIGMAS),
        ),
        c(
            "OPTICS_FOOTPRINT_EDGE_COVERAGE",
            F32(o::FOOTPRINT_EDGE_COVERAGE),
        ),
        c("HAIR_SHAFT_GAIN", F32(crate::hair::SHAFT_GAIN)),
        c("HAIR_SEGMENTS", U32(crate::hair::HAIR_SEGMENTS)),
        c("SHAFT_KIND_OPENING", U32(crate::hair::shaft_kind::OPENING)),
        c(
            "SHAFT_BROAD_MIN_PX",
            F32(crate::render::shaft::BROAD_MIN_PX),
        ),
        c("SHAFT_DRAWN_NOT", F32(crate::render::shaft::drawn::NOT)),
        c(
            "SHAFT_DRAWN_PER_SAMPLE",
            F32(crate::render::shaft::drawn::PER_SAMPLE),
        ),
        c("SHAFT_DRAWN_BROAD", F32(crate::render::shaft::drawn::BROAD)),
    ]
}

/// `{:?}` prints the shortest decimal that reads back as the same f32.
fn float(x: f32) -> String {
    assert!(x.is_finite(), "a WGSL constant must be finite");
    format!("{x:?}")
}

fn floats(xs: &[f32]) -> String {
    xs.iter().map(|x| float(*x)).collect::<Vec<_>>().join(", ")
}

impl Constant {
    /// The WGSL declaration.
    pub fn declaration(&self) -> String {
        let (ty, value) = match &self.value {
            Value::U32(x) => ("u32".to_string(), format!("{x}u")),
            Value::F32(x) => ("f32".to_string(), float(*x)),
            Value::Vec2(x) => ("vec2f".to_string(), format!("vec2f({})", floats(x))),
            Value::Vec3(x) => ("vec3f".to_string(), format!("vec3f({})", floats(x))),
            Value::Mat3Array(ms) => {
                let items: Vec<String> = ms
                    .iter()
                    .map(|m| format!("    mat3x3f({})", floats(m.as_flattened())))
                    .collect();
                (
                    format!("array<mat3x3f, {}>", ms.len()),
                    format!("array<mat3x3f, {}>(\n{},\n)", ms.len(), items.join(",\n")),
                )
            }
        };
        format!("const {}: {ty} = {value};", self.name)
    }
}

/// The prelude's text, prepended to every pass's module.
pub fn wgsl() -> String {
    let mut s = String::from(
        "// Generated by src/shaders/prelude.rs from the Rust constants; do not edit.\n",
    );
    for k in constants() {
        let _ = writeln!(s, "{}", k.declaration());
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_and_values_read_back() {
        let all = constants();
        let mut names: Vec<&str> = all.iter().map(|k| k.name.as_str()).collect();
        names.sort_unstable();
        names.dedup();
        assert_eq!(names.len(), all.len());
        // The printed f32s parse back to the same bits.
        for k in &all {
            if let Value::F32(x) = k.value {
                assert_eq!(float(x).parse::<f32>().unwrap().to_bits(), x.to_bits());
            }
        }
        assert!(wgsl().contains("const AGEING_EARLY_LOSS: f32 = 0.33333334;"));
        assert!(wgsl().contains("const ZONE_CUSTOM0: u32 = 6u;"));
    }
}
