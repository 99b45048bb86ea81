//! Technique errors for trainers: the nine common SMP mistakes as a catalogue. Each is a plan
//! setting with a severity 0–1 (section `[errors]`) and a flag `--error NAME[=severity]`.
//!
//! An error changes what the practitioner deposits, so it changes how dots are generated (and
//! through their depth, how they age and look): never the picture after the fact. Most errors
//! move an existing generation parameter (diameter, depth, density, shade, the hairline design);
//! two need generation behaviour of their own, in `shaders/generate.wgsl` and its CPU
//! reference `src/dots/reference.rs`: grid spacing (candidates snapped to a jittered lattice)
//! and patchy density (a smooth noise field per session that thins dots, with missed areas).
//!
//! Severity 0 is correct work; 1 is the worst case a trainer would show. The mapping of each
//! severity onto the physics is in the functions below, with the numbers' reasons.
use crate::plan::{Density, DotSettings, Hairline, Plan};
use crate::zone::ZoneId;
use serde::{Deserialize, Serialize};

/// One technique error of the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum TechniqueError {
    Oversized,
    TooDeep,
    TooShallow,
    OverSaturation,
    GridSpacing,
    HarshHairline,
    WrongShade,
    PatchyDensity,
    Asymmetry,
}

impl TechniqueError {
    pub const ALL: [TechniqueError; 9] = [
        TechniqueError::Oversized,
        TechniqueError::TooDeep,
        TechniqueError::TooShallow,
        TechniqueError::OverSaturation,
        TechniqueError::GridSpacing,
        TechniqueError::HarshHairline,
        TechniqueError::WrongShade,
        TechniqueError::PatchyDensity,
        TechniqueError::Asymmetry,
    ];

    /// The name on the command line (`--error too-deep`).
    pub fn name(self) -> &'static str {
        match self {
            TechniqueError::Oversized => "oversized",
            TechniqueError::TooDeep => "too-deep",
            TechniqueError::TooShallow => "too-shallow",
            TechniqueError::OverSaturation => "over-saturation",
            TechniqueError::GridSpacing => "grid-spacing",
            TechniqueError::HarshHairline => "harsh-hairline",
            TechniqueError::WrongShade => "wrong-shade",
            TechniqueError::PatchyDensity => "patchy-density",
            TechniqueError::Asymmetry => "asymmetry",
        }
    }

    /// The key of its severity in the plan's `[errors]` section (`too_deep = 0.8`).
    pub fn key(self) -> &'static str {
        match self {
            TechniqueError::Oversized => "oversized",
            TechniqueError::TooDeep => "too_deep",
            TechniqueError::TooShallow => "too_shallow",
            TechniqueError::OverSaturation => "over_saturation",
            TechniqueError::GridSpacing => "grid_spacing",
            TechniqueError::HarshHairline => "harsh_hairline",
            TechniqueError::WrongShade => "wrong_shade",
            TechniqueError::PatchyDensity => "patchy_density",
            TechniqueError::Asymmetry => "asymmetry",
        }
    }

    /// How a trainer names it.
    pub fn title(self) -> &'static str {
        match self {
            TechniqueError::Oversized => "oversized dots",
            TechniqueError::TooDeep => "too deep (blowout)",
            TechniqueError::TooShallow => "too shallow",
            TechniqueError::OverSaturation => "over-saturation",
            TechniqueError::GridSpacing => "grid spacing",
            TechniqueError::HarshHairline => "harsh hairline",
            TechniqueError::WrongShade => "wrong shade",
            TechniqueError::PatchyDensity => "patchy density",
            TechniqueError::Asymmetry => "asymmetry",
        }
    }

    /// What the practitioner did.
    pub fn cause(self) -> &'static str {
        match self {
            TechniqueError::Oversized => {
                "wrong needle (3RL where 1RL belongs), too much pressure or too many passes"
            }
            TechniqueError::TooDeep => "needle into the mid/reticular dermis (over 0.8 mm)",
            TechniqueError::TooShallow => "pigment left in the epidermis (under 0.1 mm)",
            TechniqueError::OverSaturation => "too many dots, too dark, too big",
            TechniqueError::GridSpacing => "dots placed in regular rows instead of at random",
            TechniqueError::HarshHairline => {
                "a straight, sharp, too-low front line with no transition band"
            }
            TechniqueError::WrongShade => {
                "pigment darker than the client's shaved hair, one dark shade throughout"
            }
            TechniqueError::PatchyDensity => "uneven sessions and missed areas",
            TechniqueError::Asymmetry => "left and right hairline drawn more than 2 mm apart",
        }
    }

    /// What the client sees.
    pub fn sees(self) -> &'static str {
        match self {
            TechniqueError::Oversized => "dots over ~0.3 mm healed; they merge when dense",
            TechniqueError::TooDeep => "blurred, spreading, blue-grey dots, worse over the years",
            TechniqueError::TooShallow => "looks fine on day 0, patchy and faded within weeks",
            TechniqueError::OverSaturation => "a flat painted \"helmet\", no dot texture",
            TechniqueError::GridSpacing => "a visible pattern of rows",
            TechniqueError::HarshHairline => "an obviously drawn line",
            TechniqueError::WrongShade => "dots read as ink, not as hair",
            TechniqueError::PatchyDensity => "blotches and gaps",
            TechniqueError::Asymmetry => "a lopsided frame to the face",
        }
    }

    /// The catalogue entry for a name: kebab-case as on the command line, or the plan key.
    pub fn from_name(name: &str) -> Option<TechniqueError> {
        let n = name.trim().to_ascii_lowercase().replace('_', "-");
        TechniqueError::ALL.into_iter().find(|e| e.name() == n)
    }

    /// Every name, comma separated (for error messages).
    pub fn names() -> String {
        TechniqueError::ALL.map(|e| e.name()).join(", ")
    }

    pub fn severity(self, e: &TechniqueErrors) -> f32 {
        match self {
            TechniqueError::Oversized => e.oversized,
            TechniqueError::TooDeep => e.too_deep,
            TechniqueError::TooShallow => e.too_shallow,
            TechniqueError::OverSaturation => e.over_saturation,
            TechniqueError::GridSpacing => e.grid_spacing,
            TechniqueError::HarshHairline => e.harsh_hairline,
            TechniqueError::WrongShade => e.wrong_shade,
            TechniqueError::PatchyDensity => e.patchy_density,
            TechniqueError::Asymmetry => e.asymmetry,
        }
    }

    pub fn set_severity(self, e: &mut TechniqueErrors, severity: f32) {
        *self.slot(e) = severity;
    }

    fn slot(self, e: &mut TechniqueErrors) -> &mut f32 {
        match self {
            TechniqueError::Oversized => &mut e.oversized,
            TechniqueError::TooDeep => &mut e.too_deep,
            TechniqueError::TooShallow => &mut e.too_shallow,
            TechniqueError::OverSaturation => &mut e.over_saturation,
            TechniqueError::GridSpacing => &mut e.grid_spacing,
            TechniqueError::HarshHairline => &mut e.harsh_hairline,
            TechniqueError::WrongShade => &mut e.wrong_shade,
            TechniqueError::PatchyDensity => &mut e.patchy_density,
            TechniqueError::Asymmetry => &mut e.asymmetry,
        }
    }
}

impl std::fmt::Display for TechniqueError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Where the oversized needle was used.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ErrorZone {
    #[default]
    All,
    Hairline,
    Top,
    Crown,
    Sides,
    Back,
}

impl ErrorZone {
    /// The strings the plan accepts.
    pub const NAMES: [&'static str; 6] = ["all", "hairline", "top", "crown", "sides", "back"];

    /// One bit per [`ZoneId`] the error applies to.
    pub fn mask(self) -> u32 {
        match self {
            ErrorZone::All => 0x1F,
            ErrorZone::Hairline => 1 << ZoneId::Hairline as u32,
            ErrorZone::Top => 1 << ZoneId::Top as u32,
            ErrorZone::Crown => 1 << ZoneId::Crown as u32,
            ErrorZone::Sides => 1 << ZoneId::Sides as u32,
            ErrorZone::Back => 1 << ZoneId::Back as u32,
        }
    }
}

/// The plan's `[errors]` section: a severity 0–1 per error (0 = correct work), and where it
/// makes sense the zone or the share of dots or area it applies to.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TechniqueErrors {
    pub oversized: f32,
    /// Zone worked with the oversized needle.
    pub oversized_zone: ErrorZone,
    pub too_deep: f32,
    /// Share of the dots placed too deep (blowouts are often scattered).
    pub too_deep_fraction: f32,
    pub too_shallow: f32,
    /// Share of the dots left too shallow.
    pub too_shallow_fraction: f32,
    pub over_saturation: f32,
    pub grid_spacing: f32,
    pub harsh_hairline: f32,
    pub wrong_shade: f32,
    pub patchy_density: f32,
    /// Share of the treated area each session missed at severity 1 (in proportion below).
    pub patchy_fraction: f32,
    pub asymmetry: f32,
}

impl Default for TechniqueErrors {
    fn default() -> Self {
        TechniqueErrors {
            oversized: 0.0,
            oversized_zone: ErrorZone::All,
            too_deep: 0.0,
            too_deep_fraction: 1.0,
            too_shallow: 0.0,
            too_shallow_fraction: 1.0,
            over_saturation: 0.0,
            grid_spacing: 0.0,
            harsh_hairline: 0.0,
            wrong_shade: 0.0,
            patchy_density: 0.0,
            patchy_fraction: 0.15,
            asymmetry: 0.0,
        }
    }
}

impl TechniqueErrors {
    /// The errors switched on, with their severities, in catalogue order.
    pub fn active(&self) -> Vec<(TechniqueError, f32)> {
        TechniqueError::ALL
            .into_iter()
            .map(|e| (e, e.severity(self)))
            .filter(|(_, s)| *s > 0.0)
            .collect()
    }
}

/// Parses one `--error` value: `NAME` (severity 1) or `NAME=SEVERITY`.
pub fn parse_flag(s: &str) -> Result<(TechniqueError, f32), String> {
    let (name, severity) = match s.split_once('=') {
        Some((n, v)) => (n, Some(v)),
        None => (s, None),
    };
    let error = TechniqueError::from_name(name).ok_or_else(|| {
        format!(
            "unknown technique error \"{}\"; the errors are: {}",
            name.trim(),
            TechniqueError::names()
        )
    })?;
    let severity = match severity {
        None => 1.0,
        Some(v) => {
            let x: f32 = v.trim().parse().map_err(|_| {
                format!(
                    "severity \"{v}\" of {error} is not a number; allowed 0 to 1 (0 = correct \
                     work, 1 = the worst case)"
                )
            })?;
            if !(x.is_finite() && (0.0..=1.0).contains(&x)) {
                return Err(format!(
                    "severity {x} of {error} is out of range; allowed 0 to 1 (0 = correct work, \
                     1 = the worst case)"
                ));
            }
            x
        }
    };
    Ok((error, severity))
}

/// Switches the errors of `flags` on in `plan` (a later flag for the same error wins).
pub fn apply_flags(plan: &mut Plan, flags: &[(TechniqueError, f32)]) {
    for &(e, s) in flags {
        e.set_severity(&mut plan.errors, s);
    }
}

/// `plan` with every error off: the correct work trainers compare against.
pub fn correct(plan: &Plan) -> Plan {
    let mut p = plan.clone();
    for e in TechniqueError::ALL {
        e.set_severity(&mut p.errors, 0.0);
    }
    p
}

/// `plan` with only `error` on at `severity`.
pub fn with_only(plan: &Plan, error: TechniqueError, severity: f32) -> Plan {
    let mut p = correct(plan);
    error.set_severity(&mut p.errors, severity);
    p
}

// ---------------------------------------------------------------------------------------
// From severity to physics
// ---------------------------------------------------------------------------------------

/// Oversized: the diameter grows by this factor at severity 1 (0.14 mm → 0.45 mm healed;
/// DESIGN.md: a healed dot over 0.3–0.5 mm is an error).
pub const OVERSIZED_FACTOR: f32 = 3.2;
/// Too deep: the deposit depth at severity 1, mm: the reticular dermis (0.45–1.5 mm), at the
/// 0.8–1.0 mm where blowouts start (deeper still, the optics leave only a faint haze). Severity
/// interpolates geometrically from the plan's depth, so 0.5 is already ~0.6 mm.
pub const TOO_DEEP_MM: f32 = 1.0;
/// Too deep: extra depth scatter at severity 1, mm (a needle driven deep is less controlled).
pub const TOO_DEEP_EXTRA_JITTER_MM: f32 = 0.12;
/// Too shallow: deposit depth at severity 1, mm: inside the viable epidermis (ends ~0.1 mm),
/// so the whole deposit sheds with turnover. Geometric from the plan's depth: 0.5 → ~0.13 mm.
pub const TOO_SHALLOW_MM: f32 = 0.05;
/// Over-saturation at severity 1: density × 2.5 (~250 dots/cm² instead of ~100), two dilution
/// steps darker, dots 60% wider, and passes laid over each other with less care for spacing
/// (minimum spacing from the plan's fraction down to this one): neighbours touch and the
/// pattern fills in to a flat tone.
pub const SATURATION_DENSITY: f32 = 2.5;
pub const SATURATION_SHADE_STEPS: f32 = 2.0;
pub const SATURATION_DIAMETER: f32 = 1.6;
pub const SATURATION_SPACING: f32 = 0.45;
/// Grid spacing: lattice jitter, as a fraction of the lattice pitch (full width), at severity
/// 1 (careful rows by hand, ±0.07 mm at 100 dots/cm²) and as severity falls to 0 (1: uniform in
/// the cell, nearly random).
pub const GRID_JITTER_AT_1: f32 = 0.15;
/// Grid spacing: lattice pitch over the mean spacing 1/√λ. A chart's lattice lies on the skin
/// with 1/cos θ fewer nodes where the skin tilts by θ from the chart (up to ~35°, 0.9 on
/// average over the scalp); √0.9 keeps the density planned on average, ±10%, with no holes.
pub const GRID_PITCH_FACTOR: f32 = 0.948_683_3;
/// Harsh hairline at severity 1: transition band 1 mm (the plan's minimum), no zig-zag, the
/// line 8 mm lower, temple corners at 40% of their recession (a straight line across).
pub const HARSH_BAND_MM: f32 = 1.0;
pub const HARSH_LOWER_MM: f32 = 8.0;
pub const HARSH_RECESSION_KEPT: f32 = 0.4;
/// Wrong shade at severity 1: four dilution steps darker (at most 10, near black), and every
/// session in the same dark shade. Against dark hair (shade 7) that is a small step in
/// absorption (ink transmittance 9% → 3%); against lighter hair (shade 4–5) a large one.
pub const WRONG_SHADE_STEPS: f32 = 4.0;
/// Asymmetry at severity 1: the left temple corner and side this much higher than the right,
/// mm (natural: ≤ 2 mm).
pub const ASYMMETRY_MM: f32 = 6.0;
/// Patchy density at severity 1: an uneven hand puts down between 0.25 and 1.75 times the
/// planned candidates where its noise field is low or high (the spacing rule then evens the
/// excess out a little, as a practitioner's eye would).
pub const PATCHY_UNEVENNESS: f32 = 0.75;
/// Patchy density: cell of the value-noise lattice, mm: blotches ~1.5–3 cm across, what reads as
/// patchy at conversation distance.
pub const PATCHY_CELL_MM: f32 = 16.0;

fn clamp01(x: f32) -> f32 {
    if x.is_finite() {
        x.clamp(0.0, 1.0)
    } else {
        0.0
    }
}

fn geometric(from: f32, to: f32, t: f32) -> f32 {
    from.max(1e-3) * (to / from.max(1e-3)).powf(t)
}

/// The hairline as drawn: the harsh-hairline error sharpens, straightens and lowers it. The
/// asymmetry error is not here but in [`asymmetry_error_mm`] (it has its own shape).
pub fn hairline(plan: &Plan) -> Hairline {
    let s = clamp01(plan.errors.harsh_hairline);
    let mut h = plan.hairline.clone();
    h.band_width_mm += (HARSH_BAND_MM.min(h.band_width_mm) - h.band_width_mm) * s;
    h.irregularity_mm *= 1.0 - s;
    h.front_above_glabella_mm -= HARSH_LOWER_MM * s;
    h.temple_recession_mm *= 1.0 - (1.0 - HARSH_RECESSION_KEPT) * s;
    h
}

/// Extra height of the client's left temple corner over the right one, mm (half up, half down).
pub fn asymmetry_error_mm(plan: &Plan) -> f32 {
    ASYMMETRY_MM * clamp01(plan.errors.asymmetry)
}

/// Densities as worked: over-saturation multiplies them.
pub fn density(plan: &Plan) -> Density {
    let f = saturation_density_factor(plan);
    let d = &plan.density;
    Density {
        hairline: d.hairline * f,
        top: d.top * f,
        crown: d.crown * f,
        sides: d.sides * f,
        back: d.back * f,
    }
}

/// How much over-saturation multiplies every zone's density (1 for correct work).
pub fn saturation_density_factor(plan: &Plan) -> f32 {
    1.0 + (SATURATION_DENSITY - 1.0) * clamp01(plan.errors.over_saturation)
}

/// The base deposit of every dot as worked: over-saturation and wrong shade darken it,
/// over-saturation widens it. Per-dot errors are in [`DotErrors`].
pub fn dot_settings(plan: &Plan) -> DotSettings {
    let e = &plan.errors;
    let sat = clamp01(e.over_saturation);
    let mut d = plan.dots.clone();
    d.shade = (d.shade + SATURATION_SHADE_STEPS * sat + WRONG_SHADE_STEPS * clamp01(e.wrong_shade))
        .min(10.0);
    d.diameter_mm *= 1.0 + (SATURATION_DIAMETER - 1.0) * sat;
    d.spacing += (SATURATION_SPACING.min(d.spacing) - d.spacing) * sat;
    d
}

/// How far a wrong shade moves the ink's tone away from the planned one (−1 cool … +1 warm):
/// a blue-black ink over brown hair, or a brown ink over ash-black hair.
pub const WRONG_TONE: f32 = 1.2;

/// The ink's tone as worked: a wrong shade is also a warm/cool mismatch with the hair, pushed
/// to the other side of the planned (hair-matched) tone.
pub fn ink_tone(plan: &Plan) -> f32 {
    let planned = plan.dots.tone;
    let away = if planned >= 0.0 { -1.0 } else { 1.0 };
    (planned + away * WRONG_TONE * clamp01(plan.errors.wrong_shade)).clamp(-1.0, 1.0)
}

/// Dilution steps lighter per early session as worked: a wrong shade is one dark shade.
pub fn lighter_first_steps(plan: &Plan) -> f32 {
    plan.sessions.lighter_first_steps * (1.0 - clamp01(plan.errors.wrong_shade))
}

/// The per-dot part of the errors, as the generation passes take it (see `GenParams`).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DotErrors {
    /// Diameter factor of dots in `big_zone_mask`.
    pub big_factor: f32,
    pub big_zone_mask: u32,
    /// Dots whose error draw is below `deep_fraction` are deposited at `deep_depth_mm`.
    pub deep_fraction: f32,
    pub deep_depth_mm: f32,
    pub deep_jitter_mm: f32,
    /// The next `shallow_fraction` of the draw are deposited at `shallow_depth_mm`.
    pub shallow_fraction: f32,
    pub shallow_depth_mm: f32,
    pub shallow_jitter_mm: f32,
    /// Lattice pitch, mm; 0: random placement (no grid).
    pub grid_pitch_mm: f32,
    /// Lattice jitter, fraction of the pitch (full width).
    pub grid_jitter: f32,
    /// Patchy density: unevenness of the thinning, 0–1 (see [`patchy_intensity`]).
    pub patchy: f32,
    /// Share of the treated area each session misses (the plan's share × the severity).
    pub patchy_fraction: f32,
}

/// The per-dot errors of `plan`; `max_density_per_mm2` sets the grid's pitch.
pub fn dot_errors(plan: &Plan, max_density_per_mm2: f32) -> DotErrors {
    let e = &plan.errors;
    let base = dot_settings(plan);
    let deep = clamp01(e.too_deep);
    let shallow = clamp01(e.too_shallow);
    let mut deep_fraction = if deep > 0.0 {
        clamp01(e.too_deep_fraction)
    } else {
        0.0
    };
    let mut shallow_fraction = if shallow > 0.0 {
        clamp01(e.too_shallow_fraction)
    } else {
        0.0
    };
    // Both on over more than all dots: share them out in proportion.
    let sum = deep_fraction + shallow_fraction;
    if sum > 1.0 {
        deep_fraction /= sum;
        shallow_fraction /= sum;
    }
    let grid = clamp01(e.grid_spacing);
    DotErrors {
        big_factor: 1.0 + (OVERSIZED_FACTOR - 1.0) * clamp01(e.oversized),
        big_zone_mask: e.oversized_zone.mask(),
        deep_fraction,
        deep_depth_mm: geometric(base.depth_mm, TOO_DEEP_MM, deep).max(base.depth_mm),
        deep_jitter_mm: base.depth_jitter_mm + TOO_DEEP_EXTRA_JITTER_MM * deep,
        shallow_fraction,
        shallow_depth_mm: geometric(base.depth_mm, TOO_SHALLOW_MM, shallow).min(base.depth_mm),
        shallow_jitter_mm: base.depth_jitter_mm * (1.0 - 0.5 * shallow),
        grid_pitch_mm: if grid > 0.0 {
            GRID_PITCH_FACTOR / max_density_per_mm2.max(1e-6).sqrt()
        } else {
            0.0
        },
        grid_jitter: GRID_JITTER_AT_1 + (1.0 - GRID_JITTER_AT_1) * (1.0 - grid),
        patchy: PATCHY_UNEVENNESS * clamp01(e.patchy_density),
        patchy_fraction: clamp01(e.patchy_fraction) * clamp01(e.patchy_density),
    }
}

// ---------------------------------------------------------------------------------------
// Patchy density: the noise field (mirrored in generate.wgsl)
// ---------------------------------------------------------------------------------------

/// Random-number streams of the noise fields: the common one, then one per session.
pub use crate::hash::stream::{
    PATCHY_COMMON as PATCHY_STREAM_COMMON, PATCHY_SESSION as PATCHY_STREAM_SESSION,
};

pub use crate::hash::lattice_key;

/// Smooth value noise in 0..1 over head space, lattice cell [`PATCHY_CELL_MM`].
pub fn value_noise(seed: u32, stream: u32, p: glam::Vec3) -> f32 {
    let q = p / PATCHY_CELL_MM;
    let f = q.floor();
    let (ix, iy, iz) = (f.x as i32, f.y as i32, f.z as i32);
    let t = q - f;
    // t is in [0, 1): smooth01's clamp changes nothing.
    let s = crate::math::smooth01;
    let (sx, sy, sz) = (s(t.x), s(t.y), s(t.z));
    let v = |dx: i32, dy: i32, dz: i32| {
        crate::hash::rand01(seed, lattice_key(ix + dx, iy + dy, iz + dz), stream)
    };
    let lerp = |a: f32, b: f32, t: f32| a + (b - a) * t;
    let x00 = lerp(v(0, 0, 0), v(1, 0, 0), sx);
    let x10 = lerp(v(0, 1, 0), v(1, 1, 0), sx);
    let x01 = lerp(v(0, 0, 1), v(1, 0, 1), sx);
    let x11 = lerp(v(0, 1, 1), v(1, 1, 1), sx);
    lerp(lerp(x00, x10, sy), lerp(x01, x11, sy), sz)
}

/// Patchy density: the uneven hand's field for a dot of `session` at `p`, 0–1: the mean of a
/// field shared by every session (the practitioner's habits: an area they tend to under-work)
/// and the session's own.
pub fn patchy_field(seed: u32, session: u32, p: glam::Vec3) -> f32 {
    let shared = value_noise(seed, PATCHY_STREAM_COMMON, p);
    let own = value_noise(seed, PATCHY_STREAM_SESSION + session, p);
    0.5 * (shared + own)
}

/// Patchy density, before spacing: how the uneven hand scales the candidates' thinning
/// probability, for unevenness `a` (0–1): between (1 − a) and (1 + a) times the planned
/// intensity where the field is low or high (the layout throws 1 + a times the candidates, so
/// this returns the factor over 1 + a).
pub fn patchy_intensity(seed: u32, session: u32, p: glam::Vec3, a: f32) -> f32 {
    if a <= 0.0 {
        return 1.0;
    }
    let u = patchy_field(seed, session, p);
    (1.0 + a * (2.0 * u - 1.0)) / (1.0 + a)
}

/// Patchy density, after spacing: whether `session` missed the area at `p` (its field below
/// the threshold `missed`). Since the field is half shared, an area one session missed the
/// others tend to miss too: gaps, not just thin spots. A missed dot leaves a hole in the
/// spaced pattern.
pub fn patchy_missed(seed: u32, session: u32, p: glam::Vec3, missed: f32) -> bool {
    missed > 0.0 && patchy_field(seed, session, p) < missed
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_round_trip_and_keys_are_snake_case() {
        for e in TechniqueError::ALL {
            assert_eq!(TechniqueError::from_name(e.name()), Some(e));
            assert_eq!(TechniqueError::from_name(e.key()), Some(e));
            assert_eq!(e.key().replace('_', "-"), e.name());
        }
    }

    #[test]
    fn flags_parse_with_default_severity_and_refuse_clearly() {
        assert_eq!(parse_flag("too-deep"), Ok((TechniqueError::TooDeep, 1.0)));
        assert_eq!(
            parse_flag("grid-spacing=0.4"),
            Ok((TechniqueError::GridSpacing, 0.4))
        );
        let e = parse_flag("to-deep").unwrap_err();
        assert!(
            e.contains("to-deep") && e.contains("too-deep, too-shallow"),
            "{e}"
        );
        let e = parse_flag("too-deep=1.5").unwrap_err();
        assert!(e.contains("1.5") && e.contains("allowed 0 to 1"), "{e}");
        let e = parse_flag("too-deep=x").unwrap_err();
        assert!(e.contains("\"x\"") && e.contains("allowed 0 to 1"), "{e}");
        assert!(parse_flag("too-deep=NaN").is_err());
    }

    #[test]
    fn severity_zero_is_the_plan_itself() {
        let plan = Plan::default();
        assert_eq!(hairline(&plan), plan.hairline);
        assert_eq!(density(&plan), plan.density);
        assert_eq!(dot_settings(&plan), plan.dots);
        let d = dot_errors(&plan, 1.0);
        assert_eq!(
            (d.big_factor, d.deep_fraction, d.shallow_fraction),
            (1.0, 0.0, 0.0)
        );
        assert_eq!(
            (d.grid_pitch_mm, d.patchy, d.patchy_fraction),
            (0.0, 0.0, 0.0)
        );
    }

    #[test]
    fn severities_map_onto_the_physics() {
        let plan = Plan::default();
        let on = |e: TechniqueError, s: f32| with_only(&plan, e, s);
        let deep = dot_errors(&on(TechniqueError::TooDeep, 1.0), 1.0);
        assert!((deep.deep_depth_mm - TOO_DEEP_MM).abs() < 1e-4 && deep.deep_fraction == 1.0);
        let half = dot_errors(&on(TechniqueError::TooDeep, 0.5), 1.0).deep_depth_mm;
        assert!(half > 0.55 && half < 0.65, "{half}");
        let shallow = dot_errors(&on(TechniqueError::TooShallow, 1.0), 1.0);
        assert!(shallow.shallow_depth_mm < 0.1);
        assert!(crate::ageing::epidermal_share(shallow.shallow_depth_mm) > 0.99);
        let big = dot_errors(&on(TechniqueError::Oversized, 1.0), 1.0);
        assert!(plan.dots.diameter_mm * big.big_factor > 0.4);
        let h = hairline(&on(TechniqueError::HarshHairline, 1.0));
        assert_eq!((h.band_width_mm, h.irregularity_mm), (1.0, 0.0));
        assert!(dot_settings(&on(TechniqueError::WrongShade, 1.0)).shade >= 9.99);
        // …and the wrong tone: warm (matched to brown hair) becomes cool.
        let mut warm = on(TechniqueError::WrongShade, 1.0);
        warm.dots.tone = 0.6;
        assert!(ink_tone(&warm) < -0.5);
        assert_eq!(ink_tone(&Plan::default()), 0.0);
        assert_eq!(
            lighter_first_steps(&on(TechniqueError::WrongShade, 1.0)),
            0.0
        );
        assert!(density(&on(TechniqueError::OverSaturation, 1.0)).top >= 249.0);
        let g = dot_errors(&on(TechniqueError::GridSpacing, 1.0), 1.0);
        assert_eq!(
            (g.grid_pitch_mm, g.grid_jitter),
            (GRID_PITCH_FACTOR, GRID_JITTER_AT_1)
        );
        assert_eq!(asymmetry_error_mm(&on(TechniqueError::Asymmetry, 1.0)), 6.0);
        // Both depth errors on all dots share the dots out.
        let mut both = on(TechniqueError::TooDeep, 1.0);
        both.errors.too_shallow = 1.0;
        let d = dot_errors(&both, 1.0);
        assert!((d.deep_fraction - 0.5).abs() < 1e-6 && (d.shallow_fraction - 0.5).abs() < 1e-6);
    }

    #[test]
    fn value_noise_is_smooth_and_spans_the_unit_interval() {
        let (mut lo, mut hi) = (1.0f32, 0.0f32);
        for i in 0..2000 {
            let p = glam::Vec3::new(
                i as f32 * 0.37,
                (i % 37) as f32 * 3.1,
                (i % 11) as f32 * 7.0,
            );
            let v = value_noise(3, 40, p);
            lo = lo.min(v);
            hi = hi.max(v);
            let w = value_noise(3, 40, p + glam::Vec3::splat(0.05));
            assert!((v - w).abs() < 0.05, "not smooth at {p}: {v} vs {w}");
        }
        assert!(lo < 0.15 && hi > 0.85, "{lo}..{hi}");
    }
}
