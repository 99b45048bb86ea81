//! The checks on a plan's values, after serde has read it: every number against its range
//! in the schema, no NaN or infinity, and the rules between keys (shares sum to 1, one date
//! per session, custom zones inside their limits, scars within the sessions, ...).
use super::dates::date_days;
use super::schema::{FieldSpec, Kind, BUILT_IN_ZONES, FIELDS};
use super::source::Doc;
use super::{Alopecia, Hairline, Plan, Sessions};
use crate::error::Result;

/// How far the session shares may sum away from 1 (rounding in hand-typed fractions).
const SHARES_SUM_TOLERANCE: f64 = 0.01;

impl Plan {
    /// Every check of [`Plan::validate`], in `FIELDS` order; `doc` gives the lines.
    pub(super) fn validate_in(&self, doc: &Doc<'_>) -> Result<()> {
        for spec in FIELDS {
            match spec.kind {
                Kind::Int | Kind::Float | Kind::Shave => self.check_number(spec, doc)?,
                Kind::Shares => check_shares(&self.sessions, doc)?,
                Kind::Dates => check_dates(&self.sessions, doc)?,
                Kind::Patches => check_patches(&self.alopecia, doc)?,
                Kind::Control => check_control(&self.hairline, doc)?,
                Kind::Years => check_touch_ups(&self.ageing, doc)?,
                Kind::CustomZones => check_zones(self, doc)?,
                Kind::ZoneShades | Kind::ZoneSessions => {}
                Kind::Style | Kind::Zone | Kind::Bool | Kind::Tone | Kind::Colour => {}
            }
        }
        Ok(())
    }

    /// A numeric key is finite and inside its range.
    fn check_number(&self, spec: &FieldSpec, doc: &Doc<'_>) -> Result<()> {
        let (shown, finite, in_range) = match self.value_of(spec.name) {
            Num::U(v) => (
                v.to_string(),
                true,
                v as f64 >= spec.min && v as f64 <= spec.max,
            ),
            // Compare in f32 so that a bound typed in the file (0.02) is
            // inside its own range after rounding to f32.
            Num::F(v) => (
                v.to_string(),
                v.is_finite(),
                v >= spec.min as f32 && v <= spec.max as f32,
            ),
        };
        if !finite {
            return Err(doc.error(
                spec.name,
                doc.line_of(spec.name),
                format!(
                    "{shown} is not a finite number; allowed {} to {}{}",
                    fmt_bound(spec.min),
                    fmt_bound(spec.max),
                    unit_suffix(spec.unit)
                ),
            ));
        }
        if !in_range {
            return Err(doc.error(
                spec.name,
                doc.line_of(spec.name),
                range_message(spec, &shown),
            ));
        }
        Ok(())
    }

    /// The value of a numeric field by its dotted name. Every `Int`/`Float` entry of
    /// `FIELDS` has an arm here (the default plan's validation exercises all of them).
    fn value_of(&self, name: &str) -> Num {
        let (d, n, s, h) = (&self.dots, &self.density, &self.sessions, &self.hairline);
        let (e, a, x) = (&self.exposure, &self.ageing, &self.errors);
        match name {
            "seed" => Num::U(self.seed),
            "dots.depth_mm" => Num::F(d.depth_mm),
            "dots.depth_jitter_mm" => Num::F(d.depth_jitter_mm),
            "dots.diameter_mm" => Num::F(d.diameter_mm),
            "dots.diameter_jitter" => Num::F(d.diameter_jitter),
            "dots.shade" => Num::F(d.shade),
            "dots.spacing" => Num::F(d.spacing),
            "dots.tone" => Num::F(d.tone),
            "hair.density_per_cm2" => Num::F(self.hair.density_per_cm2),
            "hair.grey" => Num::F(self.hair.grey),
            "hair.shave_mm" => Num::F(self.hair.shave_mm),
            "hair.days_since_shave" => Num::F(self.hair.days_since_shave),
            "hair.diameter_mm" => Num::F(self.hair.diameter_mm),
            "hair.hairline" => Num::F(self.hair.hairline),
            "hair.top" => Num::F(self.hair.top),
            "hair.crown" => Num::F(self.hair.crown),
            "hair.sides" => Num::F(self.hair.sides),
            "hair.back" => Num::F(self.hair.back),
            "density.hairline" => Num::F(n.hairline),
            "density.top" => Num::F(n.top),
            "density.crown" => Num::F(n.crown),
            "density.sides" => Num::F(n.sides),
            "density.back" => Num::F(n.back),
            "sessions.count" => Num::U(s.count),
            "sessions.lighter_first_steps" => Num::F(s.lighter_first_steps),
            "hairline.front_above_glabella_mm" => Num::F(h.front_above_glabella_mm),
            "hairline.temple_recession_mm" => Num::F(h.temple_recession_mm),
            "hairline.side_above_ear_mm" => Num::F(h.side_above_ear_mm),
            "hairline.back_below_occipital_mm" => Num::F(h.back_below_occipital_mm),
            "hairline.band_width_mm" => Num::F(h.band_width_mm),
            "hairline.irregularity_mm" => Num::F(h.irregularity_mm),
            "hairline.asymmetry_mm" => Num::F(h.asymmetry_mm),
            "exposure.latitude_deg" => Num::F(e.latitude_deg),
            "exposure.hours_outdoors_per_day" => Num::F(e.hours_outdoors_per_day),
            "exposure.hat" => Num::F(e.hat),
            "exposure.spf" => Num::F(e.spf),
            "exposure.sunscreen" => Num::F(e.sunscreen),
            "ageing.session_interval_weeks" => Num::F(a.session_interval_weeks),
            "errors.oversized" => Num::F(x.oversized),
            "errors.too_deep" => Num::F(x.too_deep),
            "errors.too_deep_fraction" => Num::F(x.too_deep_fraction),
            "errors.too_shallow" => Num::F(x.too_shallow),
            "errors.too_shallow_fraction" => Num::F(x.too_shallow_fraction),
            "errors.over_saturation" => Num::F(x.over_saturation),
            "errors.grid_spacing" => Num::F(x.grid_spacing),
            "errors.harsh_hairline" => Num::F(x.harsh_hairline),
            "errors.wrong_shade" => Num::F(x.wrong_shade),
            "errors.patchy_density" => Num::F(x.patchy_density),
            "errors.patchy_fraction" => Num::F(x.patchy_fraction),
            "errors.asymmetry" => Num::F(x.asymmetry),
            "errors.too_light" => Num::F(x.too_light),
            "scars.strip_length_mm" => Num::F(self.scars.strip_length_mm),
            "scars.strip_width_mm" => Num::F(self.scars.strip_width_mm),
            "scars.strip_height_mm" => Num::F(self.scars.strip_height_mm),
            "scars.fue_count" => Num::U(self.scars.fue_count),
            "scars.fue_diameter_mm" => Num::F(self.scars.fue_diameter_mm),
            "scars.density" => Num::F(self.scars.density),
            "scars.shade" => Num::F(self.scars.shade),
            "scars.sessions" => Num::U(self.scars.sessions),
            other => unreachable!("plan field `{other}` has a range but no value_of arm"),
        }
    }
}

/// `shares` is empty (built-in split) or one positive share per session summing to 1.
fn check_shares(s: &Sessions, doc: &Doc<'_>) -> Result<()> {
    const FIELD: &str = "sessions.shares";
    if s.shares.is_empty() {
        return Ok(());
    }
    let n = s.shares.len();
    for (i, &share) in s.shares.iter().enumerate() {
        if !(share.is_finite() && share > 0.0) {
            let line = doc.element_line(FIELD, i).or_else(|| doc.line_of(FIELD));
            return Err(doc.error(
                FIELD,
                line,
                format!(
                    "share {} of {n} is {share}; each share must be a finite number \
                     greater than 0, and together they must sum to 1",
                    i + 1
                ),
            ));
        }
    }
    if n != s.count as usize {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!(
                "has {n} values but sessions.count is {count}; give exactly {count} shares \
                 (one per session), or leave `shares` out (or set it to []) for the \
                 built-in split",
                count = s.count
            ),
        ));
    }
    let sum: f64 = s.shares.iter().map(|&s| s as f64).sum();
    if (sum - 1.0).abs() > SHARES_SUM_TOLERANCE {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!(
                "the shares sum to {}; they must sum to 1 (within {SHARES_SUM_TOLERANCE})",
                fmt_short(sum)
            ),
        ));
    }
    Ok(())
}

/// `dates` is empty or one date per session, increasing 1–12 weeks apart.
fn check_dates(s: &Sessions, doc: &Doc<'_>) -> Result<()> {
    const FIELD: &str = "sessions.dates";
    if s.dates.is_empty() {
        return Ok(());
    }
    let mut days = Vec::new();
    for (i, d) in s.dates.iter().enumerate() {
        match (date_days(d), d.time) {
            (Some(x), None) => days.push(x),
            _ => {
                let line = doc.element_line(FIELD, i).or_else(|| doc.line_of(FIELD));
                return Err(doc.error(
                    FIELD,
                    line,
                    format!(
                        "date {} of {} is {d}; write a plain date such as 2026-03-02",
                        i + 1,
                        s.dates.len()
                    ),
                ));
            }
        }
    }
    if days.len() != s.count as usize {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!(
                "has {} dates but sessions.count is {count}; give exactly {count} (one per \
                 session), or leave `dates` out (or set it to []) for sessions \
                 ageing.session_interval_weeks apart",
                days.len(),
                count = s.count
            ),
        ));
    }
    for (i, w) in days.windows(2).enumerate() {
        let gap = w[1] - w[0];
        if !(7..=84).contains(&gap) {
            let line = doc
                .element_line(FIELD, i + 1)
                .or_else(|| doc.line_of(FIELD));
            return Err(doc.error(
                FIELD,
                line,
                format!(
                    "sessions {} and {} are {gap} days apart ({} to {}); allowed 7 to 84 days \
                     (1 to 12 weeks), in increasing order",
                    i + 1,
                    i + 2,
                    s.dates[i],
                    s.dates[i + 1]
                ),
            ));
        }
    }
    Ok(())
}

/// `hairline.control_mm` is empty or exactly five heights within ±20 mm.
fn check_control(h: &Hairline, doc: &Doc<'_>) -> Result<()> {
    const FIELD: &str = "hairline.control_mm";
    if h.control_mm.is_empty() {
        return Ok(());
    }
    if h.control_mm.len() != 5 {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!(
                "has {} values; give exactly 5 (left temple corner, left half, midline, right \
                 half, right temple corner), or [] for the style's line",
                h.control_mm.len()
            ),
        ));
    }
    for (i, v) in h.control_mm.iter().enumerate() {
        if !(v.is_finite() && (-20.0..=20.0).contains(v)) {
            let line = doc.element_line(FIELD, i).or_else(|| doc.line_of(FIELD));
            return Err(doc.error(
                &format!("{FIELD}[{i}]"),
                line,
                format!("{v} mm is out of range; allowed -20 to 20 mm"),
            ));
        }
    }
    Ok(())
}

/// A dilution step of a zone: 1 to 10.
fn shade_ok(v: f32) -> bool {
    v.is_finite() && (1.0..=10.0).contains(&v)
}

/// The range error of a zone's `sessions` on a plan of `count` sessions.
fn sessions_message(v: u32, count: u32) -> String {
    format!(
        "{v} is out of range; allowed 1 to {count} (the zone is worked in the first this \
         many of the plan's sessions.count = {count})"
    )
}

/// `[zones]` (per-zone shade and sessions, custom polygons) and the cross-checks of `[scars]`.
fn check_zones(plan: &Plan, doc: &Doc<'_>) -> Result<()> {
    let count = plan.sessions.count;
    check_zone_values(&plan.zones, count, doc)?;
    check_custom_zones(&plan.zones.custom, count, doc)?;
    check_scars(&plan.scars, count, doc)
}

/// `zones.shade` and `zones.sessions` of the built-in zones.
fn check_zone_values(z: &crate::zone::ZoneSettings, count: u32, doc: &Doc<'_>) -> Result<()> {
    for (zone, v) in z.shade.given() {
        if !shade_ok(v) {
            let field = format!("zones.shade.{zone}");
            return Err(doc.error(
                &field,
                doc.line_of(&field),
                format!("{v} is out of range; allowed 1 to 10 (a dilution step)"),
            ));
        }
    }
    for (zone, v) in z.sessions.given() {
        if !(1..=count).contains(&v) {
            let field = format!("zones.sessions.{zone}");
            return Err(doc.error(&field, doc.line_of(&field), sessions_message(v, count)));
        }
    }
    Ok(())
}

/// `zones.custom`: at most `zone::MAX_CUSTOM` zones, each with a name of its own, a simple
/// polygon, and density, shade and sessions inside their ranges.
fn check_custom_zones(custom: &[crate::zone::CustomZone], count: u32, doc: &Doc<'_>) -> Result<()> {
    const FIELD: &str = "zones.custom";
    let max = crate::zone::MAX_CUSTOM;
    if custom.len() > max {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!("has {} zones; at most {max}", custom.len()),
        ));
    }
    for (i, c) in custom.iter().enumerate() {
        let at = |key: &str| {
            doc.element_key_line(FIELD, i, key)
                .or_else(|| doc.element_line(FIELD, i))
                .or_else(|| doc.line_of(FIELD))
        };
        let err = |key: &str, message: String| {
            doc.error(&format!("{FIELD}[{i}].{key}"), at(key), message)
        };
        let name = c.name.trim();
        if name.is_empty() {
            return Err(err("name", "is empty; give the zone a name".into()));
        }
        if BUILT_IN_ZONES.contains(&name) || name == "scars" {
            return Err(err(
                "name",
                format!("\"{name}\" is a built-in zone; give the custom zone a name of its own"),
            ));
        }
        if custom[..i].iter().any(|o| o.name.trim() == name) {
            return Err(err("name", format!("\"{name}\" names two custom zones")));
        }
        if let Some(message) = polygon_error(&c.polygon) {
            return Err(err("polygon", message));
        }
        if !(c.density.is_finite() && (0.0..=300.0).contains(&c.density)) {
            return Err(err(
                "density",
                format!(
                    "{} dots/cm² is out of range; allowed 0 to 300 dots/cm² (0 leaves the zone \
                     untreated)",
                    c.density
                ),
            ));
        }
        if let Some(v) = c.shade.filter(|v| !shade_ok(*v)) {
            return Err(err(
                "shade",
                format!("{v} is out of range; allowed 1 to 10"),
            ));
        }
        if let Some(v) = c.sessions.filter(|v| !(1..=count).contains(v)) {
            return Err(err("sessions", sessions_message(v, count)));
        }
    }
    Ok(())
}

/// What is wrong with a custom zone's polygon, if anything: the corner count, a corner out of
/// range, too wide a span, no area, or an edge crossing another.
fn polygon_error(polygon: &[[f32; 2]]) -> Option<String> {
    let n = polygon.len();
    if !(3..=crate::zone::MAX_CORNERS).contains(&n) {
        return Some(format!(
            "has {n} corners; allowed 3 to {}",
            crate::zone::MAX_CORNERS
        ));
    }
    for (k, [az, el]) in polygon.iter().enumerate() {
        if !(az.is_finite() && (-180.0..=180.0).contains(az)) {
            return Some(format!(
                "corner {} has azimuth {az}°; allowed -180 to 180°",
                k + 1
            ));
        }
        if !(el.is_finite() && (-30.0..=90.0).contains(el)) {
            return Some(format!(
                "corner {} has elevation {el}°; allowed -30 to 90°",
                k + 1
            ));
        }
    }
    let Some((_, _, corners)) = crate::zone::custom_frame(polygon) else {
        return Some(
            "spans too much of the head: every corner must lie within 80° of the polygon's \
             middle; split it into smaller zones"
                .into(),
        );
    };
    // Crossing first: a bow-tie's two lobes cancel, so its signed area is near zero too, and
    // "in a line" would then be the wrong diagnosis.
    if let Some((i, j)) = crate::zone::first_crossing(&corners) {
        let edge = |k: usize| format!("edge {} (corners {} → {})", k + 1, k + 1, (k + 1) % n + 1);
        return Some(format!(
            "is self-intersecting: {} crosses {}; list the corners in order round the zone",
            edge(i),
            edge(j)
        ));
    }
    let area: f32 = (0..n)
        .map(|k| {
            let (a, b) = (corners[k], corners[(k + 1) % n]);
            a[0] * b[1] - a[1] * b[0]
        })
        .sum();
    if area.abs() < 1e-5 {
        return Some("encloses no area (its corners are in a line or on top of each other)".into());
    }
    None
}

/// `[scars]` against the rest of the plan: a shade on the scale, sessions within the plan's,
/// and `only` with some scar to treat.
fn check_scars(sc: &crate::scar::ScarSettings, count: u32, doc: &Doc<'_>) -> Result<()> {
    if sc.shade > 0.0 && sc.shade < 1.0 {
        return Err(doc.error(
            "scars.shade",
            doc.line_of("scars.shade"),
            format!(
                "{} is out of range; allowed 0 (as dots.shade) or 1 to 10",
                sc.shade
            ),
        ));
    }
    if sc.sessions > count {
        return Err(doc.error(
            "scars.sessions",
            doc.line_of("scars.sessions"),
            format!(
                "{} is more than sessions.count = {count}; allowed 0 (every session) or 1 to \
                 {count}",
                sc.sessions
            ),
        ));
    }
    if sc.only && !sc.any() {
        return Err(doc.error(
            "scars.only",
            doc.line_of("scars.only"),
            "is true but the plan has no scars; set scars.strip_length_mm or scars.fue_count"
                .into(),
        ));
    }
    Ok(())
}

/// At most `zone::MAX_PATCHES` patches, each inside the ranges below.
fn check_patches(a: &Alopecia, doc: &Doc<'_>) -> Result<()> {
    const FIELD: &str = "alopecia.patches";
    let max = crate::zone::MAX_PATCHES;
    if a.patches.len() > max {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!("has {} patches; at most {max}", a.patches.len()),
        ));
    }
    const LIMITS: [(&str, f32, f32, &str); 4] = [
        ("azimuth", -180.0, 180.0, "°"),
        ("elevation", -30.0, 90.0, "°"),
        ("width", 5.0, 150.0, " mm"),
        ("height", 5.0, 150.0, " mm"),
    ];
    for (i, p) in a.patches.iter().enumerate() {
        for (v, (name, lo, hi, unit)) in p.iter().zip(LIMITS) {
            if !(v.is_finite() && *v >= lo && *v <= hi) {
                let line = doc.element_line(FIELD, i).or_else(|| doc.line_of(FIELD));
                return Err(doc.error(
                    &format!("{FIELD}[{i}]"),
                    line,
                    format!("{name} {v}{unit} is out of range; allowed {lo} to {hi}{unit}"),
                ));
            }
        }
    }
    Ok(())
}

/// `ageing.touch_up_years`: at most [`crate::ageing::MAX_TOUCH_UPS`] times, each after the
/// first session and at most 30 years, strictly increasing.
fn check_touch_ups(a: &crate::ageing::AgeingSettings, doc: &Doc<'_>) -> Result<()> {
    const FIELD: &str = "ageing.touch_up_years";
    let max = crate::ageing::MAX_TOUCH_UPS;
    if a.touch_up_years.len() > max {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!(
                "has {} touch-ups; at most {max} are modelled",
                a.touch_up_years.len()
            ),
        ));
    }
    let mut last = 0.0f32;
    for (i, &y) in a.touch_up_years.iter().enumerate() {
        let line = doc.element_line(FIELD, i).or_else(|| doc.line_of(FIELD));
        if !(y.is_finite() && y > last && y <= 30.0) {
            return Err(doc.error(
                FIELD,
                line,
                format!(
                    "touch-up {} is at {y} years; touch-ups must be after 0 (and after the one \
                     before), increasing, and at most 30 years",
                    i + 1
                ),
            ));
        }
        last = y;
    }
    Ok(())
}

/// A numeric key's value: the plan's whole numbers are u32, its other numbers f32.
enum Num {
    U(u32),
    F(f32),
}

fn unit_suffix(unit: &str) -> String {
    if unit.is_empty() {
        String::new()
    } else {
        format!(" {unit}")
    }
}

fn fmt_bound(x: f64) -> String {
    format!("{x}")
}

/// A number with at most four decimals, trailing zeros dropped.
fn fmt_short(x: f64) -> String {
    let s = format!("{x:.4}");
    let s = s.trim_end_matches('0').trim_end_matches('.');
    s.to_string()
}

/// "… is out of range; allowed … to … (note)" for a numeric key.
pub(super) fn range_message(spec: &FieldSpec, shown: &str) -> String {
    let unit = unit_suffix(spec.unit);
    format!(
        "{shown}{unit} is out of range; allowed {} to {}{unit} ({})",
        fmt_bound(spec.min),
        fmt_bound(spec.max),
        spec.note
    )
}
