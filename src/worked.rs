//! The plan as worked: the one place where a plan and its technique errors become what is
//! actually deposited. [`Worked::resolve`] turns the plan into the zone's design (the hairline
//! after the harsh-hairline and asymmetry errors, the densities after over-saturation), the
//! deposit (depth, diameter, shade and spacing after the errors, and the per-dot error fields)
//! and the ink's tone. Every stage after it (zone, dots, render) takes these resolved values
//! and never looks at the errors again; the catalogue itself (names, severities, the numbers
//! each severity maps onto) is `crate::technique`.
//!
//! Also here: the plan variants trainers compare (correct work, one error alone).
use crate::dots::{Deposit, DotErrors};
use crate::plan::{Density, DotSettings, Hairline, HairlineStyle, Plan};
use crate::technique::{
    TechniqueError, ASYMMETRY_MM, GRID_JITTER_AT_1, GRID_PITCH_FACTOR, HARSH_BAND_MM,
    HARSH_LOWER_MM, HARSH_RECESSION_KEPT, OVERSIZED_FACTOR, PATCHY_UNEVENNESS, SATURATION_DENSITY,
    SATURATION_DIAMETER, SATURATION_SHADE_STEPS, SATURATION_SPACING, TOO_DEEP_EXTRA_JITTER_MM,
    TOO_DEEP_MM, TOO_LIGHT_SHADE_STEPS, TOO_SHALLOW_MM, WRONG_SHADE_STEPS, WRONG_TONE,
};
use crate::zone::{CustomWork, LineShape, Outline, ZoneDesign, ZoneId, ZoneWork};

/// A plan as the practitioner worked it (see the module notes).
#[derive(Clone, Debug, PartialEq)]
pub struct Worked {
    /// What the treated zone is built from (with the head's landmarks: `Zone::new`).
    pub zone: ZoneDesign,
    /// What every dot is deposited with.
    pub deposit: Deposit,
    /// The ink's tone, −1 cool … +1 warm.
    pub ink_tone: f32,
}

impl Worked {
    /// Resolves `plan` and its technique errors into what is deposited.
    pub fn resolve(plan: &Plan) -> Worked {
        let zone = zone_design(plan);
        let dots = dot_settings(plan);
        let deposit = Deposit {
            seed: plan.seed,
            depth_mm: dots.depth_mm,
            depth_jitter_mm: dots.depth_jitter_mm,
            diameter_mm: dots.diameter_mm,
            diameter_jitter: dots.diameter_jitter,
            shade: dots.shade,
            spacing: dots.spacing,
            lighter_first_steps: lighter_first_steps(plan),
            session_shares: plan.sessions.effective_shares(),
            // The grid's pitch follows the largest density of the zones in use.
            errors: dot_errors(plan, zone.max_density_per_mm2()),
        };
        Worked {
            zone,
            deposit,
            ink_tone: ink_tone(plan),
        }
    }
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
// From severity to physics: the steps of the resolution
// ---------------------------------------------------------------------------------------

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

/// The zone's design as worked: the hairline drawn, every zone's density, shade and sessions.
fn zone_design(plan: &Plan) -> ZoneDesign {
    let h = hairline(plan);
    let d = density(plan);
    let f = saturation_density_factor(plan);
    let (z, sc) = (&plan.zones, &plan.scars);
    let builtin = |zone: ZoneId, density_per_cm2: f32| ZoneWork {
        density_per_cm2,
        shade: z.shade.get(zone),
        sessions: z.sessions.get(zone),
    };
    ZoneDesign {
        seed: plan.seed,
        outline: Outline {
            shape: match h.style {
                HairlineStyle::Juvenile => LineShape::JUVENILE,
                HairlineStyle::Mature => LineShape::MATURE,
                HairlineStyle::Receding => LineShape::RECEDING,
            },
            front_above_glabella_mm: h.front_above_glabella_mm,
            temple_recession_mm: h.temple_recession_mm,
            side_above_ear_mm: h.side_above_ear_mm,
            back_below_occipital_mm: h.back_below_occipital_mm,
            band_width_mm: h.band_width_mm,
            irregularity_mm: h.irregularity_mm,
            asymmetry_mm: h.asymmetry_mm,
            asymmetry_error_mm: asymmetry_error_mm(plan),
            control_mm: h.control_mm,
        },
        shade: plan.dots.shade,
        sessions: plan.sessions.count.max(1),
        builtin: [
            builtin(ZoneId::Hairline, d.hairline),
            builtin(ZoneId::Top, d.top),
            builtin(ZoneId::Crown, d.crown),
            builtin(ZoneId::Sides, d.sides),
            builtin(ZoneId::Back, d.back),
        ],
        scar: ZoneWork {
            density_per_cm2: sc.density * f,
            shade: (sc.shade > 0.0).then_some(sc.shade),
            sessions: (sc.sessions > 0).then_some(sc.sessions),
        },
        custom: z
            .custom
            .iter()
            .take(crate::zone::MAX_CUSTOM)
            .map(|cz| CustomWork {
                polygon: cz.polygon.clone(),
                work: ZoneWork {
                    density_per_cm2: cz.density * f,
                    shade: cz.shade,
                    sessions: cz.sessions,
                },
            })
            .collect(),
        scars: sc.clone(),
        patches: plan.alopecia.patches.clone(),
        scars_only: sc.only && sc.any() && plan.alopecia.patches.is_empty(),
    }
}

/// The hairline as drawn: the harsh-hairline error sharpens, straightens and lowers it. The
/// asymmetry error is not here but in [`asymmetry_error_mm`] (it has its own shape).
fn hairline(plan: &Plan) -> Hairline {
    let s = clamp01(plan.errors.harsh_hairline);
    let mut h = plan.hairline.clone();
    h.band_width_mm += (HARSH_BAND_MM.min(h.band_width_mm) - h.band_width_mm) * s;
    h.irregularity_mm *= 1.0 - s;
    h.front_above_glabella_mm -= HARSH_LOWER_MM * s;
    h.temple_recession_mm *= 1.0 - (1.0 - HARSH_RECESSION_KEPT) * s;
    h
}

/// Extra height of the client's left temple corner over the right one, mm (half up, half down).
fn asymmetry_error_mm(plan: &Plan) -> f32 {
    ASYMMETRY_MM * clamp01(plan.errors.asymmetry)
}

/// Densities as worked: over-saturation multiplies them.
fn density(plan: &Plan) -> Density {
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
fn saturation_density_factor(plan: &Plan) -> f32 {
    1.0 + (SATURATION_DENSITY - 1.0) * clamp01(plan.errors.over_saturation)
}

/// The base deposit of every dot as worked: over-saturation and wrong shade darken it, too
/// light dilutes it, over-saturation widens it. Per-dot errors are in [`DotErrors`].
fn dot_settings(plan: &Plan) -> DotSettings {
    let e = &plan.errors;
    let sat = clamp01(e.over_saturation);
    let mut d = plan.dots.clone();
    d.shade = (d.shade + SATURATION_SHADE_STEPS * sat + WRONG_SHADE_STEPS * clamp01(e.wrong_shade))
        .min(10.0);
    // Diluted: lighter by steps, never below the lightest dilution.
    let lighter = TOO_LIGHT_SHADE_STEPS * clamp01(e.too_light);
    if lighter > 0.0 {
        d.shade = (d.shade - lighter).max(1.0);
    }
    d.diameter_mm *= 1.0 + (SATURATION_DIAMETER - 1.0) * sat;
    d.spacing += (SATURATION_SPACING.min(d.spacing) - d.spacing) * sat;
    d
}

/// The ink's tone as worked: a wrong shade is also a warm/cool mismatch with the hair, pushed
/// to the other side of the planned (hair-matched) tone.
fn ink_tone(plan: &Plan) -> f32 {
    let planned = plan.dots.tone;
    let away = if planned >= 0.0 { -1.0 } else { 1.0 };
    (planned + away * WRONG_TONE * clamp01(plan.errors.wrong_shade)).clamp(-1.0, 1.0)
}

/// Dilution steps lighter per early session as worked: a wrong shade is one dark shade.
fn lighter_first_steps(plan: &Plan) -> f32 {
    plan.sessions.lighter_first_steps * (1.0 - clamp01(plan.errors.wrong_shade))
}

/// The per-dot errors of `plan`; `max_density_per_mm2` sets the grid's pitch.
fn dot_errors(plan: &Plan, max_density_per_mm2: f32) -> DotErrors {
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

#[cfg(test)]
mod tests {
    use super::*;

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
        assert_eq!(dot_settings(&on(TechniqueError::TooLight, 1.0)).shade, 1.0);
        let half = dot_settings(&on(TechniqueError::TooLight, 0.5)).shade;
        assert!((half - (plan.dots.shade - 3.0)).abs() < 1e-5, "{half}");
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
}
