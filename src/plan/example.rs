//! The commented example plan (`scalp plan --example`), generated from the schema: each
//! key's comment comes from its `FieldSpec::help`, each table's from its `Section::help`,
//! and each value from [`Plan::default`], so a key is written in the schema and nowhere else.
use std::fmt::Write;
use std::sync::OnceLock;

use super::schema::{fields_of, FieldSpec, FIELDS, SECTIONS};
use super::Plan;

/// The text above the first key.
const PREAMBLE: &str = "\
# scalp treatment plan: an example with every key, equal to the built-in defaults\n\
# (a realistic Norwood 6-7 full-head treatment). Print it with `scalp plan --example`.\n\
#\n\
# Every key is optional: leave one out and its default (the value shown here) is used.\n\
# Lengths are millimetres (mm) on the head. Ranges are inclusive; a value outside its\n\
# range is refused with the line and the range. Ranges are wider than good practice on\n\
# purpose, so that technique errors (too deep, oversized dots, ...) can be shown.\n\
";

/// Keys the example lists after the other keys of their table: the example follows the
/// order of the `Plan` struct's fields, which differs from the checking order of `FIELDS`
/// (kept, since it decides which of two errors is reported) only here.
const SHOWN_LAST: &[&str] = &["sessions.dates"];

/// The example text, built once.
pub(super) fn text() -> &'static str {
    static TEXT: OnceLock<String> = OnceLock::new();
    TEXT.get_or_init(generate)
}

fn generate() -> String {
    let defaults: toml::Table =
        toml::from_str(&Plan::default().to_toml()).expect("the default plan reads back");
    let mut out = String::from(PREAMBLE);
    out.push('\n');
    for spec in FIELDS.iter().filter(|f| !f.name.contains('.')) {
        write_key(&mut out, spec, spec.name, &defaults);
    }
    for section in SECTIONS {
        out.push('\n');
        write_comment(&mut out, section.help);
        writeln!(out, "[{}]", section.name).unwrap();
        let values = defaults[section.name]
            .as_table()
            .expect("every section is a table");
        let (first, last): (Vec<_>, Vec<_>) =
            fields_of(section.name).partition(|f| !SHOWN_LAST.contains(&f.name));
        for spec in first.into_iter().chain(last) {
            let (_, key) = spec.name.split_once('.').expect("a key of a section");
            write_key(&mut out, spec, key, values);
        }
    }
    out
}

/// A key's comment, then `key = default`.
fn write_key(out: &mut String, spec: &FieldSpec, key: &str, values: &toml::Table) {
    write_comment(out, spec.help);
    let value = values
        .get(key)
        .unwrap_or_else(|| panic!("the default plan has no {}", spec.name));
    writeln!(out, "{key} = {value}").unwrap();
}

fn write_comment(out: &mut String, lines: &[&str]) {
    for line in lines {
        if line.is_empty() {
            out.push_str("#\n");
        } else {
            writeln!(out, "# {line}").unwrap();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::schema::Kind;

    /// "Allowed A to B" in a comment, as numbers.
    fn stated_range(text: &str) -> Option<(f64, f64)> {
        let rest = &text[text.find("Allowed ")? + "Allowed ".len()..];
        let (lo, rest) = rest.split_once(" to ")?;
        let hi: String = rest
            .chars()
            .take_while(|c| c.is_ascii_digit() || *c == '.' || *c == '-')
            .collect();
        Some((lo.parse().ok()?, hi.trim_end_matches('.').parse().ok()?))
    }

    /// A range in a comment is written beside the spec's min and max: they must agree.
    #[test]
    fn ranges_in_comments_match_the_schema() {
        let mut stated = 0;
        for spec in FIELDS {
            if !matches!(spec.kind, Kind::Int | Kind::Float) {
                continue;
            }
            let own = stated_range(&spec.help.join(" "));
            let section = spec
                .name
                .split_once('.')
                .and_then(|(s, _)| SECTIONS.iter().find(|x| x.name == s))
                .map(|s| s.help.join(" "))
                .filter(|h| h.contains(" each"));
            if let Some((lo, hi)) = own.or_else(|| section.as_deref().and_then(stated_range)) {
                assert_eq!((lo, hi), (spec.min, spec.max), "{}", spec.name);
                stated += 1;
            }
        }
        // 48 today; the few left (seed, the hair fractions, scar shade and sessions) word it otherwise.
        assert!(stated >= 40, "only {stated} comments state a range");
    }
}
