//! Fading over the years, per dot, evaluated at any time t without time stepping and without
//! regenerating dots (DESIGN.md "Fading"). The age pass (`age.wgsl`) computes the same per dot
//! on the GPU; this module is its CPU reference and holds every constant with its reason (the
//! pass reads them as `AGEING_*` from the generated WGSL prelude).
//!
//! A dot of session k is placed at t_k = k · interval. At age τ = t − t_k its pigment is
//!   amount(τ) = pigment · [ f_epi · E(τ) + (1 − f_epi) · (1 − L·(1 − e^(−τ/T_early))) · e^(−k·τ) ]
//! - f_epi: the share of the deposit in the epidermis (above [`EPIDERMIS_MM`]); it is shed with
//!   epidermal turnover: E(τ) falls smoothly from 1 to 0 over one turnover [`TURNOVER_DAYS`];
//! - L: early loss of dermal pigment in the first weeks ([`EARLY_LOSS`], [`EARLY_DAYS`]);
//! - k: slow clearance by macrophages, faster with the dot's UV dose (which falls with depth)
//!   and in oily skin.
//!
//! The deposit also spreads: its radius grows as r(τ)² = r₀² + 2·D·τ, with D growing with depth
//! ([`SPREAD_MM2_PER_YEAR`]); the renderer adds 2·D·τ to the footprint's variance, so the
//! pigment's amount, not its spread, sets how much light it takes.
pub mod age;

use crate::dots::Dot;
use crate::math::smoothstep;
use bytemuck::{Pod, Zeroable};
use serde::{Deserialize, Serialize};

/// Skin and schedule facts that change how dots age (plan section `[ageing]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct AgeingSettings {
    /// Very oily skin clears pigment faster.
    pub oily_skin: bool,
    /// Weeks between two treatment sessions.
    pub session_interval_weeks: f32,
    /// Touch-up sessions, years after the first session (at most [`MAX_TOUCH_UPS`]).
    pub touch_up_years: Vec<f32>,
}

impl Default for AgeingSettings {
    fn default() -> Self {
        AgeingSettings {
            oily_skin: false,
            session_interval_weeks: 3.0,
            touch_up_years: Vec::new(),
        }
    }
}

/// Touch-ups the age pass models (its parameters hold this many times).
pub const MAX_TOUCH_UPS: usize = 4;

pub const DAYS_PER_YEAR: f32 = 365.25;

/// Depth of the epidermis–dermis junction on the scalp, mm: DESIGN.md gives 0.06–0.10 for the
/// viable epidermis and Xu 2017 a 0.10 mean with the scalp among the thinnest; we take 0.10.
pub const EPIDERMIS_MM: f32 = 0.10;
/// Half height of the pigment column a needle leaves around the deposit depth, mm: the needle
/// tip region (0.18–0.30 mm needles taper over ~0.1 mm).
pub const DEPOSIT_HALF_HEIGHT_MM: f32 = 0.03;
/// Epidermal turnover: 28–56 days (DESIGN.md); the middle, 42 days.
pub const TURNOVER_DAYS: f32 = 42.0;
/// Share of dermal pigment lost early: "about one third within the first weeks" (DESIGN.md).
pub const EARLY_LOSS: f32 = 1.0 / 3.0;
/// Time constant of the early loss, days: levels are steady after 1–4 weeks; 3τ ≈ 3 weeks, so
/// a session has settled by the next one three weeks later (healed after two sessions the scalp
/// shows 65–80% of its final darkening, as clinics report; with τ = 10 d it showed 80%).
pub const EARLY_DAYS: f32 = 7.0;
/// Clearance with no sun, per year. With [`CLEARANCE_UV_PER_YEAR`] a correct deposit on the
/// crown under default habits loses 9% between healing and 6 months (Liu 2025: −10% visible
/// density at 6 months) and halves in ~3.3 years, inside the 3–6 year touch-up practice.
pub const CLEARANCE_BASE_PER_YEAR: f32 = 0.12;
/// Extra clearance per unit of relative UV dose (1 = the top of the head under default habits)
/// at the reference depth.
pub const CLEARANCE_UV_PER_YEAR: f32 = 0.09;
/// UV reaching the dermis falls with depth; UVA's 1/e depth in dermis is ~0.3–1 mm, UVB's much
/// less: 0.3 mm, the short end, since UVB drives most of the damage.
pub const UV_DEPTH_MM: f32 = 0.3;
/// Depth at which the UV clearance and the spread constants are quoted, mm (a correct deposit).
pub const REFERENCE_DEPTH_MM: f32 = 0.35;
/// Oily skin clears faster (DESIGN.md); no figure in the literature we have: 1.3×.
pub const OILY_SKIN_FACTOR: f32 = 1.3;
/// Spread of the deposit at the reference depth, mm²/year: a correct 0.14 mm dot grows ~10% in
/// diameter over five years; D grows with the square of depth (looser deep dermis), so a
/// 1 mm deposit blurs to ~1.6× its diameter in five years ("blow-out, worse over years").
pub const SPREAD_MM2_PER_YEAR: f32 = 1.0e-4;
/// Blowout migration, mm²/year: pigment put below the papillary dermis sits in the loose
/// reticular collagen near the fat, where macrophages carry it sideways along fibres and
/// vessels; blowouts keep feathering out for years. It fades in from [`BLOWOUT_FROM_MM`] to
/// [`BLOWOUT_FULL_MM`] ([`blowout`]): a 1.0 mm deposit's halo (0.7 mm across when healed)
/// reaches ~1.2 mm in five years, past the 1 mm between dots at 100/cm², so neighbouring halos
/// merge into blotches; a correct deposit (≤ 0.5 mm) does not migrate at all.
pub const BLOWOUT_SPREAD_MM2_PER_YEAR: f32 = 0.025;
pub const BLOWOUT_FROM_MM: f32 = 0.6;
pub const BLOWOUT_FULL_MM: f32 = 1.2;
/// Extra ink a blowout takes up, as a share of a correct deposit at full blowout depth: a
/// needle driven through the papillary dermis leaves ink along its whole track, and the loose
/// reticular collagen holds what the tight papillary layer would have pushed back out. A
/// blowout is a large, dark blue-grey blot, not a faint one.
pub const BLOWOUT_EXTRA_INK: f32 = 1.0;
/// Spread of a blowout at deposit time, mm² of footprint variance at full blowout depth: ink
/// injected into the reticular dermis runs sideways along the collagen planes before it
/// settles (the feathered edge is there from the first weeks, not only after years).
pub const BLOWOUT_INITIAL_MM2: f32 = 0.04;

// The dose's place in a dot's flags belongs to the dot (dots may not depend on ageing).
pub use crate::dots::{dot_exposure, pack_exposure};

/// Sessions the age pass models (its parameters hold this many start times).
pub const MAX_SESSIONS: usize = 8;

/// GPU mirror of the age pass's parameters (`AgeParams` in age.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct AgeParams {
    /// Time since the first session, years.
    pub t_years: f32,
    pub clearance_factor: f32,
    pub touch_up_count: u32,
    pub pad: u32,
    /// Years of the touch-ups (the first `touch_up_count` are used).
    pub touch_up_years: [f32; 4],
    /// When each session was, years after the first (from the plan's dates, or evenly
    /// `ageing.session_interval_weeks` apart).
    pub session_years: [f32; MAX_SESSIONS],
}

/// Session start times `session_interval_weeks` apart: the schedule of a plan without dates.
pub fn even_sessions(settings: &AgeingSettings) -> [f32; MAX_SESSIONS] {
    std::array::from_fn(|k| k as f32 * settings.session_interval_weeks * 7.0 / DAYS_PER_YEAR)
}

impl AgeParams {
    /// Sessions evenly `session_interval_weeks` apart.
    pub fn new(settings: &AgeingSettings, t_years: f32) -> AgeParams {
        AgeParams::with_sessions(settings, &even_sessions(settings), t_years)
    }

    /// Sessions at the given times (years after the first; missing ones are never reached).
    pub fn with_sessions(settings: &AgeingSettings, sessions: &[f32], t_years: f32) -> AgeParams {
        AgeParams {
            t_years,
            pad: 0,
            session_years: std::array::from_fn(|k| sessions.get(k).copied().unwrap_or(f32::MAX)),
            clearance_factor: if settings.oily_skin {
                OILY_SKIN_FACTOR
            } else {
                1.0
            },
            touch_up_count: settings.touch_up_years.len().min(MAX_TOUCH_UPS) as u32,
            touch_up_years: std::array::from_fn(|i| {
                settings.touch_up_years.get(i).copied().unwrap_or(0.0)
            }),
        }
    }
}

/// What a dot looks like at time t (`Appearance` in shaders/shared/ageing.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Appearance {
    /// Pigment left, in the units of `Dot::pigment` (0 before the dot's session).
    pub amount: f32,
    /// Extra footprint variance from spreading and fresh swelling, mm² (2·D·τ + S(τ)).
    pub spread_mm2: f32,
    /// Redness of the skin around the needle wound, 0–1 (see [`healing`]).
    pub redness: f32,
    /// Scab crust over the dot: its peak optical thickness, 0 when there is none.
    pub scab: f32,
}

// ---- Healing in the first weeks (DESIGN.md: "fresh dots look larger and darker for about a
// week and shrink as they heal over ~4 weeks"). Each deposit (a session or a touch-up) heals on
// its own clock τ_d, days since it was made.

/// Extra footprint variance of a fresh dot, mm²: swelling and ink still in the needle track make
/// a day-0 dot of 0.14 mm look ~1.5× as wide; it settles with a one-week time constant, so by
/// four weeks (e^−4) the dot has its healed size.
pub const SWELLING_MM2: f32 = 0.012;
pub const SWELLING_DAYS: f32 = 7.0;
/// Ink in the wound and the epidermal needle track on top of the deposit, as a share of the
/// deposit: the fresh dot is darker; it weeps out and is shed within the first week.
pub const WOUND_INK: f32 = 0.4;
pub const WOUND_INK_DAYS: f32 = 4.0;
/// Erythema around each puncture: strongest on the day, mostly gone within a week.
pub const REDNESS_DAYS: f32 = 2.5;
/// Scabs form over the first two days and flake off between days 5 and 7 (each dot's own day
/// from its id), taking some surface ink with them.
pub const SCAB_FORMS_DAYS: (f32, f32) = (0.5, 2.0);
pub const SCAB_FLAKES_DAYS: (f32, f32) = (5.0, 7.0);
/// Peak optical thickness of a scab at full strength.
pub const SCAB_THICKNESS: f32 = 1.5;
/// Optical density per channel of a full scab: a dried crust of blood and ink, browner than the
/// pigment.
pub const SCAB_OD: [f32; 3] = [1.1, 1.4, 1.6];
/// A crust's σ relative to its deposit's σ₀: it covers the wound's rim too.
pub const SCAB_SIZE: f32 = 1.4;
/// Optical density per channel of full redness: haemoglobin absorbs green and blue.
pub const REDNESS_OD: [f32; 3] = [0.01, 0.12, 0.08];
/// σ of the flush round each puncture, mm.
pub const REDNESS_SIGMA_MM: f32 = 0.6;

/// Healing marks of one deposit `days` old: (extra variance mm², extra ink share, redness,
/// scab thickness). `flake_day` is the day this dot's scab comes off.
pub fn healing(days: f32, flake_day: f32) -> [f32; 4] {
    if days < 0.0 {
        return [0.0; 4];
    }
    let scab = smoothstep(SCAB_FORMS_DAYS.0, SCAB_FORMS_DAYS.1, days)
        * (1.0 - smoothstep(flake_day - 0.5, flake_day + 0.5, days));
    [
        SWELLING_MM2 * (-days / SWELLING_DAYS).exp(),
        WOUND_INK * (-days / WOUND_INK_DAYS).exp(),
        (-days / REDNESS_DAYS).exp(),
        SCAB_THICKNESS * scab,
    ]
}

/// The day a dot's scab flakes off, from its id (stream [`crate::hash::stream::FLAKE`]).
pub fn flake_day(id: u32) -> f32 {
    let u = crate::hash::rand01(0, id, crate::hash::stream::FLAKE);
    SCAB_FLAKES_DAYS.0 + (SCAB_FLAKES_DAYS.1 - SCAB_FLAKES_DAYS.0) * u
}

/// Share of a deposit at depth z that sits in the epidermis.
pub fn epidermal_share(depth_mm: f32) -> f32 {
    ((EPIDERMIS_MM - (depth_mm - DEPOSIT_HALF_HEIGHT_MM)) / (2.0 * DEPOSIT_HALF_HEIGHT_MM))
        .clamp(0.0, 1.0)
}

/// Dermal clearance rate of a dot, per year.
pub fn clearance_per_year(depth_mm: f32, exposure: f32, factor: f32) -> f32 {
    let uv_at_depth = exposure * (-(depth_mm - REFERENCE_DEPTH_MM) / UV_DEPTH_MM).exp();
    factor * (CLEARANCE_BASE_PER_YEAR + CLEARANCE_UV_PER_YEAR * uv_at_depth)
}

/// The remaining pigment fraction (0–1) of a deposit `age_years` old.
pub fn remaining(depth_mm: f32, exposure: f32, factor: f32, age_years: f32) -> f32 {
    if age_years < 0.0 {
        return 0.0;
    }
    let days = age_years * DAYS_PER_YEAR;
    let f_epi = epidermal_share(depth_mm);
    let epidermal = 1.0 - smoothstep(0.0, TURNOVER_DAYS, days);
    let early = 1.0 - EARLY_LOSS * (1.0 - (-days / EARLY_DAYS).exp());
    let slow = (-clearance_per_year(depth_mm, exposure, factor) * age_years).exp();
    f_epi * epidermal + (1.0 - f_epi) * early * slow
}

/// How much of a blowout a deposit at `depth_mm` is: 0 above [`BLOWOUT_FROM_MM`], 1 below
/// [`BLOWOUT_FULL_MM`].
pub fn blowout(depth_mm: f32) -> f32 {
    smoothstep(BLOWOUT_FROM_MM, BLOWOUT_FULL_MM, depth_mm)
}

/// Extra footprint variance of a deposit `age_years` old, mm²: the slow spread of every
/// deposit, and a blowout's run along the collagen at deposit time and migration since.
pub fn spread_mm2(depth_mm: f32, age_years: f32) -> f32 {
    let rel = depth_mm / REFERENCE_DEPTH_MM;
    let b = blowout(depth_mm);
    BLOWOUT_INITIAL_MM2 * b
        + 2.0
            * (SPREAD_MM2_PER_YEAR * rel * rel + BLOWOUT_SPREAD_MM2_PER_YEAR * b)
            * age_years.max(0.0)
}

/// CPU reference of the age pass for one dot. A touch-up at year T re-dots the same site back
/// to the dot's full pigment: it adds pigment·(1 − left at T), which then ages from T on.
pub fn appearance(d: &Dot, p: &AgeParams) -> Appearance {
    let placed_at = p.session_start(d.session());
    let age = p.t_years - placed_at;
    if age < 0.0 {
        return Appearance {
            amount: 0.0,
            spread_mm2: 0.0,
            redness: 0.0,
            scab: 0.0,
        };
    }
    // Scar tissue takes up a smaller share of each deposit and clears it faster (crate::scar).
    let (retention, scar_factor) = if d.in_scar_tissue() {
        (crate::scar::RETENTION, crate::scar::CLEARANCE_FACTOR)
    } else {
        (1.0, 1.0)
    };
    let (z, e, f) = (
        d.depth_mm,
        dot_exposure(d),
        p.clearance_factor * scar_factor,
    );
    // Deposits: the first at `placed_at` with strength 1; each touch-up tops the site up to 1.
    let mut times = [placed_at; 1 + MAX_TOUCH_UPS];
    let mut strength = [0.0f32; 1 + MAX_TOUCH_UPS];
    strength[0] = 1.0;
    let mut n = 1;
    for k in 0..(p.touch_up_count as usize).min(MAX_TOUCH_UPS) {
        let at = p.touch_up_years[k];
        if at <= p.t_years && at > placed_at {
            let left: f32 = (0..n)
                .map(|j| strength[j] * remaining(z, e, f, at - times[j]))
                .sum();
            times[n] = at;
            strength[n] = (1.0 - left).max(0.0);
            n += 1;
        }
    }
    let amount: f32 = (0..n)
        .map(|j| strength[j] * remaining(z, e, f, p.t_years - times[j]))
        .sum();
    // The newest deposit is the one healing now (a touch-up re-wounds the site).
    let heal = healing((p.t_years - times[n - 1]) * DAYS_PER_YEAR, flake_day(d.id));
    Appearance {
        amount: d.pigment
            * retention
            * (1.0 + BLOWOUT_EXTRA_INK * blowout(z))
            * (amount + strength[n - 1] * heal[1]),
        spread_mm2: spread_mm2(z, age) + heal[0],
        redness: heal[2],
        scab: heal[3] * d.pigment,
    }
}

impl AgeParams {
    /// When session `k` was, years after the first.
    pub fn session_start(&self, k: u32) -> f32 {
        self.session_years
            .get(k as usize)
            .copied()
            .unwrap_or(f32::MAX)
    }
}

/// Years from the first session until every session has healed (four weeks after the last),
/// for sessions evenly `session_interval_weeks` apart (see `Plan::healed_years` for dated ones).
pub fn healed_years(sessions: u32, settings: &AgeingSettings) -> f32 {
    (sessions.saturating_sub(1) as f32 * settings.session_interval_weeks + 4.0) * 7.0
        / DAYS_PER_YEAR
}

#[cfg(test)]
mod tests {
    use super::*;

    const WEEK: f32 = 7.0 / DAYS_PER_YEAR;

    #[test]
    fn shallow_dots_are_mostly_gone_by_week_eight_correct_ones_stay() {
        let shallow = remaining(0.05, 1.0, 1.0, 8.0 * WEEK);
        let correct = remaining(0.35, 1.0, 1.0, 8.0 * WEEK);
        assert!(shallow < 0.10, "shallow keeps {shallow}");
        assert!(correct > 0.50, "correct keeps {correct}");
    }

    #[test]
    fn six_months_and_touch_up_match_practice() {
        let healed = remaining(0.35, 1.0, 1.0, 4.0 * WEEK);
        let six = remaining(0.35, 1.0, 1.0, 0.5);
        let loss = 1.0 - six / healed;
        assert!((0.06..0.14).contains(&loss), "loss at six months {loss}");
        // Half of the healed pigment is gone between 3 and 6 years.
        let half = (1..2000)
            .map(|k| k as f32 * 0.01)
            .find(|&t| remaining(0.35, 1.0, 1.0, t) < 0.5 * healed)
            .unwrap();
        assert!((3.0..6.0).contains(&half), "touch-up at {half} years");
    }

    #[test]
    fn never_increases_and_sun_oil_depth_behave() {
        let mut last = f32::INFINITY;
        for k in 0..1500 {
            let t = k as f32 * 0.01;
            let r = remaining(0.35, 1.2, 1.0, t);
            assert!(r <= last + 1e-7 && r >= 0.0);
            last = r;
        }
        let t = 3.0;
        assert!(remaining(0.35, 1.5, 1.0, t) < remaining(0.35, 0.3, 1.0, t));
        assert!(remaining(0.35, 1.0, OILY_SKIN_FACTOR, t) < remaining(0.35, 1.0, 1.0, t));
        assert!(remaining(0.45, 1.0, 1.0, t) > remaining(0.30, 1.0, 1.0, t));
    }

    #[test]
    fn spread_grows_as_sqrt_t_and_with_depth() {
        let r = |z: f32, t: f32| {
            let r0 = 0.07f32;
            (r0 * r0 + spread_mm2(z, t)).sqrt()
        };
        let g = |z: f32, t: f32| (r(z, t).powi(2) - 0.07f32.powi(2)).sqrt();
        // The growth of the radius beyond r0 goes as √t.
        assert!((g(0.35, 4.0) / g(0.35, 1.0) - 2.0).abs() < 1e-3);
        assert!(r(1.0, 5.0) > 1.5 * 0.07 && r(0.35, 5.0) < 1.15 * 0.07);
    }

    #[test]
    fn blowouts_keep_widening_correct_dots_hardly() {
        // The footprint seen from above (optical blur and spread), healed vs five years on.
        let widening = |z: f32| {
            let f = |t: f32| crate::optics::footprint(0.14, z, 0.6, spread_mm2(z, t)).sigma_mm;
            f(5.0) / f(0.1)
        };
        assert!(widening(0.35) < 1.05, "{}", widening(0.35));
        assert!(widening(1.2) > 1.4, "{}", widening(1.2));
        assert_eq!(
            spread_mm2(0.5, 5.0),
            2.0 * SPREAD_MM2_PER_YEAR * (0.5f32 / 0.35).powi(2) * 5.0
        );
        // A blowout has run along the collagen from the start, and takes up more ink.
        assert!(spread_mm2(1.2, 0.0) >= BLOWOUT_INITIAL_MM2 && spread_mm2(0.5, 0.0) == 0.0);
        let amount = |z: f32| {
            let mut d: Dot = bytemuck::Zeroable::zeroed();
            d.pigment = 1.0;
            d.depth_mm = z;
            appearance(&d, &AgeParams::new(&AgeingSettings::default(), 1.0)).amount
                / remaining(z, 0.0, 1.0, 1.0)
        };
        assert!(
            (amount(0.35) - 1.0).abs() < 1e-5 && amount(1.2) > 1.9,
            "{}",
            amount(1.2)
        );
    }

    #[test]
    fn a_touch_up_restores_the_dot_and_it_fades_again() {
        let mut d: Dot = bytemuck::Zeroable::zeroed();
        d.depth_mm = 0.35;
        d.pigment = 1.0;
        d.flags = pack_exposure(1.0);
        let settings = AgeingSettings {
            touch_up_years: vec![4.0, 8.0],
            ..Default::default()
        };
        let at = |t: f32| appearance(&d, &AgeParams::new(&settings, t)).amount;
        let plain = |t: f32| appearance(&d, &AgeParams::new(&AgeingSettings::default(), t)).amount;
        assert!((at(3.9) - plain(3.9)).abs() < 1e-6);
        // Just after the touch-up the site holds a full, fresh deposit again (plus the wound's
        // ink on top, which is gone within days).
        let topped = 1.0 - plain(4.0);
        assert!(
            (at(4.0) - 1.0 - topped * WOUND_INK).abs() < 1e-4,
            "{}",
            at(4.0)
        );
        assert!(at(4.5) > plain(4.5) * 1.5 && at(4.5) < at(4.0));
        assert!(at(8.0) > 1.0 && at(12.0) > plain(12.0));
    }

    #[test]
    fn healing_marks_follow_the_first_weeks() {
        let flake = 6.0;
        // Redness: strongest on the day, mostly gone within a week.
        assert!(healing(0.0, flake)[2] > 0.99 && healing(7.0, flake)[2] < 0.1);
        // Scabs: none at first, formed by day 3, gone after they flake (days 5–7).
        assert!(healing(0.2, flake)[3] < 0.01);
        assert!(healing(3.0, flake)[3] > 0.9 * SCAB_THICKNESS);
        assert_eq!(healing(7.0, flake)[3], 0.0);
        // Swelling and wound ink settle by four weeks.
        let h28 = healing(28.0, flake);
        assert!(h28[0] < 0.02 * SWELLING_MM2 && h28[1] < 0.001 * WOUND_INK);
        for id in 0..2000 {
            assert!((5.0..=7.0).contains(&flake_day(id)));
        }
        // A fresh dot is darker than the healed one: wound ink on top, and a third of the
        // dermal pigment still to be lost (the first session heals lighter).
        let mut d: Dot = bytemuck::Zeroable::zeroed();
        d.depth_mm = 0.35;
        d.pigment = 1.0;
        let at = |days: f32| {
            appearance(
                &d,
                &AgeParams::new(&AgeingSettings::default(), days / DAYS_PER_YEAR),
            )
        };
        assert!(
            at(0.0).amount > 1.8 * at(28.0).amount,
            "{:?} {:?}",
            at(0.0),
            at(28.0)
        );
        assert!(at(0.0).spread_mm2 > 10.0 * at(28.0).spread_mm2);
        // A touch-up wounds the site again.
        let s = AgeingSettings {
            touch_up_years: vec![4.0],
            ..Default::default()
        };
        let fresh = appearance(&d, &AgeParams::new(&s, 4.0 + 1.0 / DAYS_PER_YEAR));
        assert!(fresh.redness > 0.5);
    }

    #[test]
    fn exposure_packs_to_within_a_fixed_point_step() {
        let mut d: Dot = bytemuck::Zeroable::zeroed();
        for e in [0.0f32, 0.3, 1.0, 2.7] {
            d.flags = 0x0304 | pack_exposure(e);
            assert!((dot_exposure(&d) - e).abs() <= 1.0 / 8192.0);
            assert_eq!(d.flags & 0xFFFF, 0x0304);
        }
    }
}
