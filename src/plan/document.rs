//! The first pass over a parsed plan, before serde reads it: unknown keys (with a "did you
//! mean"), value types and whole-number ranges, in file order, each with the dotted field
//! name and its line. Value ranges and cross-field rules come after, in `check`.
use std::borrow::Cow;

use toml::de::DeValue;
use toml::Spanned;

use super::check::range_message;
use super::schema::{
    fields_of, is_section, spec, FieldSpec, Kind, BUILT_IN_ZONES, FIELDS, RENAMED, SECTIONS,
    STYLES, TONES, ZONES,
};
use super::source::{entries_in_order, Doc};
use crate::error::{Result, ScalpError};

type Key<'i> = Spanned<Cow<'i, str>>;

impl Doc<'_> {
    /// Unknown keys, wrong types and whole-number ranges, in file order.
    pub(super) fn check_document(&self) -> Result<()> {
        let Some(root) = self.root else {
            return Ok(());
        };
        for (key, value) in entries_in_order(root) {
            let name: &str = key.get_ref();
            if let Some(spec) = spec(name) {
                self.check_value(spec, key, value)?;
            } else if is_section(name) {
                let Some(table) = value.get_ref().as_table() else {
                    return Err(self.wrong_type(
                        name,
                        Some(self.line(key.span().start)),
                        &format!("a table (a `[{name}]` section)"),
                        value.get_ref(),
                    ));
                };
                for (key, value) in entries_in_order(table) {
                    let full = format!("{name}.{}", key.get_ref());
                    match spec(&full) {
                        Some(spec) => self.check_value(spec, key, value)?,
                        None => return Err(self.unknown_key(&full, Some(name), key)),
                    }
                }
            } else {
                return Err(self.unknown_key(name, None, key));
            }
        }
        Ok(())
    }

    /// "unknown key; allowed keys …", with a near miss here or the same key in another table.
    fn unknown_key(&self, full: &str, section: Option<&str>, key: &Key<'_>) -> ScalpError {
        if let Some((_, instead)) = RENAMED.iter().find(|(old, _)| *old == full) {
            return self.error(full, Some(self.line(key.span().start)), instead.to_string());
        }
        let short: &str = key.get_ref();
        let allowed: Vec<&str> = match section {
            Some(section) => fields_of(section)
                .filter_map(|f| f.name.split_once('.').map(|(_, k)| k))
                .collect(),
            None => std::iter::once("seed")
                .chain(SECTIONS.iter().map(|s| s.name))
                .collect(),
        };
        let place = match section {
            Some(section) => format!("in [{section}]"),
            None => "at the top level".to_string(),
        };
        let mut message = format!("unknown key; allowed keys {place}: {}", allowed.join(", "));
        // A key of another table, or a near miss of one here.
        let elsewhere = FIELDS
            .iter()
            .find(|f| f.name != full && f.name.rsplit('.').next() == Some(short));
        let near = allowed
            .iter()
            .map(|a| (edit_distance(short, a), *a))
            .filter(|(d, a)| *d <= (a.len() / 3).max(2))
            .min_by_key(|(d, _)| *d);
        if let Some((_, a)) = near {
            let suggestion = match section {
                Some(section) => format!("{section}.{a}"),
                None => a.to_string(),
            };
            message.push_str(&format!("; did you mean `{suggestion}`?"));
        } else if let Some(f) = elsewhere {
            message.push_str(&format!("; did you mean `{}`?", f.name));
        }
        self.error(full, Some(self.line(key.span().start)), message)
    }

    /// The type (and, for whole numbers, the range) of one key's value, by its kind.
    fn check_value(
        &self,
        spec: &FieldSpec,
        key: &Key<'_>,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<()> {
        let line = Some(self.line(key.span().start));
        let found = value.get_ref();
        let wrong = |expected: &str| Err(self.wrong_type(spec.name, line, expected, found));
        match (spec.kind, found) {
            (Kind::Int, DeValue::Integer(i)) => {
                let v = i128::from_str_radix(i.as_str(), i.radix()).ok();
                match v {
                    Some(v) if v as f64 >= spec.min && v as f64 <= spec.max => Ok(()),
                    _ => Err(self.error(spec.name, line, range_message(spec, &i.to_string()))),
                }
            }
            (Kind::Int, _) => wrong("a whole number"),
            (Kind::Float | Kind::Shave, DeValue::Integer(_) | DeValue::Float(_)) => Ok(()),
            (Kind::Shave, DeValue::String(s)) if s.as_ref() == "razor" => Ok(()),
            (Kind::Shave, _) => wrong("a number of mm (0 to 5) or the string \"razor\""),
            (Kind::Float, _) => match spec.unit {
                "" => wrong("a number"),
                unit => wrong(&format!("a number ({unit})")),
            },
            (Kind::Shares | Kind::Years, _) => self.check_numbers(spec, line, found),
            (Kind::Dates, _) => self.check_dates(spec, line, found),
            (Kind::Style | Kind::Tone | Kind::Colour | Kind::Zone, _) => {
                self.check_choice(spec, line, found)
            }
            (Kind::Patches | Kind::Control, DeValue::Array(_)) => Ok(()),
            (Kind::Control, _) => wrong(
                "an array of 5 heights in mm such as [2.0, 0.0, -1.0, 0.0, 2.0], or []",
            ),
            (Kind::Patches, _) => wrong(
                "an array of patches such as [[30.0, 60.0, 35.0, 25.0]] (azimuth °, elevation °, width mm, height mm), or []",
            ),
            (Kind::ZoneShades | Kind::ZoneSessions, _) => self.check_zone_table(spec, line, found),
            (Kind::CustomZones, DeValue::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_custom_zone(i, item)?;
                }
                Ok(())
            }
            (Kind::CustomZones, _) => wrong(
                "an array of zones such as [{ name = \"vertex\", polygon = [[150, 40], [180, 60], \
                 [-150, 40]], density = 110 }], or []",
            ),
            (Kind::Bool, DeValue::Boolean(_)) => Ok(()),
            (Kind::Bool, _) => wrong("a boolean (true or false)"),
        }
    }

    /// `sessions.shares` and `ageing.touch_up_years`: an array of numbers.
    fn check_numbers(
        &self,
        spec: &FieldSpec,
        line: Option<usize>,
        found: &DeValue<'_>,
    ) -> Result<()> {
        let shares = spec.kind == Kind::Shares;
        let DeValue::Array(items) = found else {
            let expected = if shares {
                "an array of numbers such as [0.3, 0.4, 0.3], or [] for the built-in split"
            } else {
                "an array of years such as [4.0, 8.5], or [] for no touch-ups"
            };
            return Err(self.wrong_type(spec.name, line, expected, found));
        };
        let element = if shares {
            "a number (a share of the dots, e.g. 0.3)"
        } else {
            "a number of years"
        };
        for (i, item) in items.iter().enumerate() {
            if !matches!(item.get_ref(), DeValue::Integer(_) | DeValue::Float(_)) {
                return Err(self.wrong_type(
                    &format!("{}[{i}]", spec.name),
                    Some(self.line(item.span().start)),
                    element,
                    item.get_ref(),
                ));
            }
        }
        Ok(())
    }

    /// `sessions.dates`: an array of TOML dates (their order and gaps: `check`).
    fn check_dates(
        &self,
        spec: &FieldSpec,
        line: Option<usize>,
        found: &DeValue<'_>,
    ) -> Result<()> {
        let DeValue::Array(items) = found else {
            return Err(self.wrong_type(
                spec.name,
                line,
                "an array of dates such as [2026-03-02, 2026-03-23], or [] for evenly spaced sessions",
                found,
            ));
        };
        for (i, item) in items.iter().enumerate() {
            if !matches!(item.get_ref(), DeValue::Datetime(_)) {
                return Err(self.wrong_type(
                    &format!("{}[{i}]", spec.name),
                    Some(self.line(item.span().start)),
                    "a date such as 2026-03-02 (no quotes)",
                    item.get_ref(),
                ));
            }
        }
        Ok(())
    }

    /// A string naming one of a fixed set: hairline style, skin tone, hair colour, error zone.
    fn check_choice(
        &self,
        spec: &FieldSpec,
        line: Option<usize>,
        found: &DeValue<'_>,
    ) -> Result<()> {
        let DeValue::String(s) = found else {
            let expected = match spec.kind {
                Kind::Style => {
                    "one of the strings \"juvenile\", \"mature\", \"receding\"".to_string()
                }
                Kind::Tone => "a Fitzpatrick type: the string \"I\" … \"VI\"".to_string(),
                Kind::Colour => "a hair colour name or \"#rrggbb\"".to_string(),
                _ => format!("one of the strings {}", quoted(&ZONES)),
            };
            return Err(self.wrong_type(spec.name, line, &expected, found));
        };
        let s: &str = s.as_ref();
        let unknown = match spec.kind {
            Kind::Style if !STYLES.contains(&s) => format!(
                "unknown hairline style {s:?}; allowed: \"juvenile\", \"mature\", \"receding\""
            ),
            Kind::Tone if !TONES.contains(&s) => format!(
                "unknown skin type {s:?}; allowed: Fitzpatrick \"I\", \"II\", \"III\", \"IV\", \"V\", \"VI\""
            ),
            Kind::Colour if crate::optics::parse_hair_colour(s).is_none() => format!(
                "unknown hair colour {s:?}; allowed: {} or \"#rrggbb\" (sRGB hex)",
                crate::optics::HAIR_COLOURS
                    .iter()
                    .map(|(n, _)| format!("{n:?}"))
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Kind::Zone if !ZONES.contains(&s) => {
                format!("unknown zone {s:?}; allowed: {}", quoted(&ZONES))
            }
            _ => return Ok(()),
        };
        Err(self.error(spec.name, line, unknown))
    }

    /// `zones.shade` and `zones.sessions`: a table of built-in zone → number.
    fn check_zone_table(
        &self,
        spec: &FieldSpec,
        line: Option<usize>,
        found: &DeValue<'_>,
    ) -> Result<()> {
        let whole = spec.kind == Kind::ZoneSessions;
        let DeValue::Table(t) = found else {
            let expected = if whole {
                "a table of zone = sessions, such as { crown = 2 }"
            } else {
                "a table of zone = dilution step, such as { hairline = 6.0, crown = 7.5 }"
            };
            return Err(self.wrong_type(spec.name, line, expected, found));
        };
        for (key, value) in entries_in_order(t) {
            let name = format!("{}.{}", spec.name, key.get_ref());
            let line = Some(self.line(key.span().start));
            if !BUILT_IN_ZONES.contains(&key.get_ref().as_ref()) {
                return Err(self.error(
                    &name,
                    line,
                    format!(
                        "unknown zone; allowed: {} (custom zones set their own in \
                         zones.custom)",
                        quoted(&BUILT_IN_ZONES)
                    ),
                ));
            }
            let ok = match value.get_ref() {
                DeValue::Integer(_) => true,
                DeValue::Float(_) => !whole,
                _ => false,
            };
            if !ok {
                let expected = if whole {
                    "a whole number of sessions"
                } else {
                    "a number (a dilution step 1–10)"
                };
                return Err(self.wrong_type(&name, line, expected, value.get_ref()));
            }
        }
        Ok(())
    }

    /// The keys and value types of custom zone `i` (ranges: `check::check_zones`).
    fn check_custom_zone(&self, i: usize, item: &Spanned<DeValue<'_>>) -> Result<()> {
        let here = format!("zones.custom[{i}]");
        let Some(table) = item.get_ref().as_table() else {
            return Err(self.wrong_type(
                &here,
                Some(self.line(item.span().start)),
                "a zone { name = …, polygon = […], density = … }",
                item.get_ref(),
            ));
        };
        const KEYS: [&str; 5] = ["name", "polygon", "density", "shade", "sessions"];
        for (key, value) in entries_in_order(table) {
            let k: &str = key.get_ref();
            let name = format!("{here}.{k}");
            let line = Some(self.line(key.span().start));
            if !KEYS.contains(&k) {
                return Err(self.error(
                    &name,
                    line,
                    format!(
                        "unknown key; allowed keys of a custom zone: {}",
                        KEYS.join(", ")
                    ),
                ));
            }
            if let Some(expected) = custom_zone_type_error(k, value.get_ref()) {
                return Err(self.wrong_type(&name, line, expected, value.get_ref()));
            }
        }
        for required in ["name", "polygon", "density"] {
            if table.get(required).is_none() {
                return Err(self.error(
                    &format!("{here}.{required}"),
                    Some(self.line(item.span().start)),
                    "missing; a custom zone needs a name, a polygon and a density".to_string(),
                ));
            }
        }
        Ok(())
    }
}

/// What key `k` of a custom zone should hold, when `value` is of another type.
fn custom_zone_type_error(k: &str, value: &DeValue<'_>) -> Option<&'static str> {
    let is_number = |v: &DeValue<'_>| matches!(v, DeValue::Integer(_) | DeValue::Float(_));
    match k {
        "name" if !matches!(value, DeValue::String(_)) => Some("a string"),
        "density" | "shade" if !is_number(value) => Some("a number"),
        "sessions" if !matches!(value, DeValue::Integer(_)) => Some("a whole number"),
        "polygon" => {
            let corners_ok = value.as_array().is_some_and(|a| {
                a.iter().all(|c| {
                    c.get_ref()
                        .as_array()
                        .is_some_and(|p| p.len() == 2 && p.iter().all(|v| is_number(v.get_ref())))
                })
            });
            (!corners_ok).then_some(
                "an array of corners [azimuth °, elevation °], such as \
                 [[150, 40], [180, 60], [-150, 40]]",
            )
        }
        _ => None,
    }
}

/// `"a", "b", "c"`.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// Levenshtein distance, for "did you mean" on unknown keys.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let cost = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distance_works() {
        assert_eq!(edit_distance("bandwidth_mm", "band_width_mm"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }
}
