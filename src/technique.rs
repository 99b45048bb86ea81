//! Technique errors for trainers: the ten common SMP mistakes as a catalogue. Each is a plan
//! setting with a severity 0–1 (section `[errors]`) and a flag `--error NAME[=severity]`.
//!
//! An error changes what the practitioner deposits, so it changes how dots are generated (and
//! through their depth, how they age and look): never the picture after the fact. Most errors
//! move an existing generation parameter (diameter, depth, density, shade, the hairline design);
//! two need generation behaviour of their own, in `shaders/generate.wgsl` and its CPU
//! reference `src/dots/reference.rs`: grid spacing (candidates snapped to a jittered lattice)
//! and patchy density (a smooth noise field per session that thins dots, with missed areas).
//!
//! Severity 0 is correct work; 1 is the worst case a trainer would show. This module is the
//! catalogue: names, titles, severities, the plan's `[errors]` section and the numbers each
//! severity maps onto (with their reasons). The mapping itself is done once, where the plan is
//! resolved into what is deposited (`crate::worked`); no stage after it looks at the errors.
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
    TooLight,
}

impl TechniqueError {
    pub const ALL: [TechniqueError; 10] = [
        TechniqueError::Oversized,
        TechniqueError::TooDeep,
        TechniqueError::TooShallow,
        TechniqueError::OverSaturation,
        TechniqueError::GridSpacing,
        TechniqueError::HarshHairline,
        TechniqueError::WrongShade,
        TechniqueError::PatchyDensity,
        TechniqueError::Asymmetry,
        TechniqueError::TooLight,
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
            TechniqueError::TooLight => "too-light",
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
            TechniqueError::TooLight => "too_light",
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
            TechniqueError::TooLight => "too light",
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
            TechniqueError::TooLight => {
                "pigment diluted far past the client's shade, too little ink in each dot"
            }
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
            TechniqueError::TooLight => "hardly any change after healing, gone within two years",
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
            TechniqueError::TooLight => e.too_light,
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
            TechniqueError::TooLight => &mut e.too_light,
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
    pub too_light: f32,
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
            too_light: 0.0,
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

/// Too light at severity 1: six dilution steps lighter (never below 1, the lightest grey): the
/// default shade 7 (ink transmittance 9%) becomes 1 (70%), a third of the absorption, so the
/// healed scalp darkens by a third as much; as it fades, what is left soon drops under what the
/// eye notices. Too little ink in each dot reads the same (less absorber in the same place).
pub const TOO_LIGHT_SHADE_STEPS: f32 = 6.0;

/// How far a wrong shade moves the ink's tone away from the planned one (−1 cool … +1 warm):
/// a blue-black ink over brown hair, or a brown ink over ash-black hair.
pub const WRONG_TONE: f32 = 1.2;

// The patchy error's noise field is deposit-time maths and lives with the dots; its numbers are
// named here too, with the rest of the catalogue's.
pub use crate::dots::patchy::{PATCHY_CELL_MM, PATCHY_STREAM_COMMON, PATCHY_STREAM_SESSION};

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
}
