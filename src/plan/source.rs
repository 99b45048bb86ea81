//! Where a plan came from: its path, its text and the parsed TOML document with spans.
//! Turns byte offsets into lines and builds the `ScalpError::Plan` every check returns.
use std::path::{Path, PathBuf};

use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::error::ScalpError;

/// The `field` of errors that belong to no key (TOML syntax, encoding).
pub(super) const SYNTAX_FIELD: &str = "(TOML syntax)";

/// Where a plan came from: its path (for errors), its text and parsed document (for line
/// numbers). `validate` uses one without text.
pub(super) struct Doc<'a> {
    pub path: &'a Path,
    pub text: &'a str,
    pub root: Option<&'a DeTable<'a>>,
}

impl<'a> Doc<'a> {
    pub fn error(&self, field: &str, line: Option<usize>, message: String) -> ScalpError {
        ScalpError::Plan {
            path: PathBuf::from(self.path),
            line,
            field: field.to_string(),
            message,
        }
    }

    pub fn line(&self, offset: usize) -> usize {
        line_at(self.text, offset)
    }

    /// "wrong type: expected …, found …" for `field` at `line`.
    pub fn wrong_type(
        &self,
        field: &str,
        line: Option<usize>,
        expected: &str,
        found: &DeValue<'_>,
    ) -> ScalpError {
        self.error(
            field,
            line,
            format!("wrong type: expected {expected}, found {}", describe(found)),
        )
    }

    /// The key and value of a dotted name in the document, if the file sets it.
    pub fn entry(&self, name: &str) -> Option<Entry<'a, 'a>> {
        let mut table = self.root?;
        let mut parts = name.split('.').peekable();
        loop {
            let part = parts.next()?;
            let (key, value) = table.get_key_value(part)?;
            if parts.peek().is_none() {
                return Some((key, value));
            }
            table = value.get_ref().as_table()?;
        }
    }

    /// The line of a key; if the file leaves it out, the line of its table; else None.
    pub fn line_of(&self, name: &str) -> Option<usize> {
        if let Some((key, _)) = self.entry(name) {
            return Some(self.line(key.span().start));
        }
        let (parent, _) = name.rsplit_once('.')?;
        self.line_of(parent)
    }

    /// The line of element `index` of an array-valued key.
    pub fn element_line(&self, name: &str, index: usize) -> Option<usize> {
        let (_, value) = self.entry(name)?;
        let element = value.get_ref().as_array()?.get(index)?;
        Some(self.line(element.span().start))
    }

    /// The line of `key` inside element `index` of the array of tables `name`.
    pub fn element_key_line(&self, name: &str, index: usize, key: &str) -> Option<usize> {
        let (_, value) = self.entry(name)?;
        let element = value.get_ref().as_array()?.get(index)?;
        let (k, _) = element.get_ref().as_table()?.get_key_value(key)?;
        Some(self.line(k.span().start))
    }

    /// A serde error our own checks did not foresee: its span gives the line and field.
    pub fn serde_error(&self, e: &toml::de::Error) -> ScalpError {
        let offset = e.span().map(|s| s.start);
        let field = offset
            .and_then(|o| self.root.and_then(|root| field_at(root, "", o)))
            .unwrap_or_else(|| "(plan)".to_string());
        self.error(
            &field,
            offset.map(|o| self.line(o)),
            e.message().trim().replace('\n', "; "),
        )
    }
}

/// The dotted name of the innermost key whose key or value spans `offset`.
fn field_at(table: &DeTable<'_>, prefix: &str, offset: usize) -> Option<String> {
    for (key, value) in table.iter() {
        let name = if prefix.is_empty() {
            key.get_ref().to_string()
        } else {
            format!("{prefix}.{}", key.get_ref())
        };
        if let Some(inner) = value.get_ref().as_table() {
            if let Some(found) = field_at(inner, &name, offset) {
                return Some(found);
            }
        }
        if key.span().contains(&offset) || value.span().contains(&offset) {
            return Some(name);
        }
    }
    None
}

fn describe(value: &DeValue<'_>) -> String {
    match value {
        DeValue::String(s) => format!("the string {:?}", s.as_ref()),
        DeValue::Integer(i) => format!("the whole number {i}"),
        DeValue::Float(f) => format!("the decimal number {f}"),
        DeValue::Boolean(b) => format!("the boolean {b}"),
        DeValue::Datetime(d) => format!("the date-time {d}"),
        DeValue::Array(_) => "an array".to_string(),
        DeValue::Table(_) => "a table".to_string(),
    }
}

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

pub(super) type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// A table's entries in file order (the map itself is sorted by key).
pub(super) fn entries_in_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// A TOML syntax error: the line, the column and the parser's words. The field is the
/// key on that line when the line is a plain `key = …` under a `[table]` header.
pub(super) fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> ScalpError {
    let offset = e.span().map(|s| s.start);
    let line = offset.map(|o| line_at(text, o));
    let mut message = String::from("invalid TOML");
    if let Some(o) = offset {
        let o = o.min(text.len());
        let line_start = text[..o].rfind('\n').map_or(0, |i| i + 1);
        let column = text.get(line_start..o).map_or(0, |s| s.chars().count()) + 1;
        message.push_str(&format!(" at column {column}"));
    }
    message.push_str(": ");
    message.push_str(&e.message().trim().replace('\n', "; "));
    let mut field = SYNTAX_FIELD.to_string();
    if let Some(line) = line {
        let source_line = text.lines().nth(line - 1).unwrap_or("").trim();
        if !source_line.is_empty() {
            message.push_str(&format!(" (in `{source_line}`)"));
        }
        if let Some(key) = key_on_line(text, line) {
            field = key;
        }
    }
    ScalpError::Plan {
        path: path.to_path_buf(),
        line,
        field,
        message,
    }
}

/// Why `text` is not a plan's text, before any TOML parsing: a NUL byte or another control
/// character (TOML allows none but tab, line feed and carriage return, not even in strings or
/// comments), named by line and column, with the likely cause. The TOML parser would call the
/// first such byte an unquoted string or an invalid key, which points nowhere useful.
pub(super) fn not_text(path: &Path, text: &str) -> Option<ScalpError> {
    let (offset, c) = text
        .char_indices()
        .find(|&(_, c)| c.is_control() && !matches!(c, '\t' | '\n' | '\r') && (c as u32) < 0x80)?;
    let line = line_at(text, offset);
    let line_start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    let column = text[line_start..offset].chars().count() + 1;
    let what = if c == '\0' {
        "a NUL byte".to_string()
    } else {
        format!("a control character (U+{:04X})", c as u32)
    };
    let nuls = text.bytes().filter(|b| *b == 0).count();
    // UTF-16 text of ASCII characters has a NUL beside every one of them.
    let cause = if nuls * 3 >= text.len() {
        "; it looks saved as UTF-16: save the plan as UTF-8"
    } else if c == '\0' {
        "; this file holds binary data (is it the plan, or was it damaged?)"
    } else {
        ""
    };
    Some(ScalpError::Plan {
        path: path.to_path_buf(),
        line: Some(line),
        field: SYNTAX_FIELD.to_string(),
        message: format!(
            "{what} at column {column}: plan files are text (TOML in UTF-8), which has no such \
             characters{cause}"
        ),
    })
}

/// Best guess at the dotted key a broken line assigns: `key = …` with a bare key, under
/// the nearest `[table]` header above it. None when the line is anything else.
fn key_on_line(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let this = lines.get(line - 1)?.trim();
    let (key, _) = this.split_once('=')?;
    let key = key.trim();
    let bare = |s: &str| {
        !s.is_empty()
            && s.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '.')
    };
    if !bare(key) {
        return None;
    }
    let header = lines[..line - 1]
        .iter()
        .rev()
        .map(|l| l.trim())
        .find_map(|l| {
            let inner = l.strip_prefix('[')?.split(']').next()?.trim();
            Some(inner.trim_start_matches('[').trim().to_string())
        });
    match header {
        Some(h) if bare(&h) => Some(format!("{h}.{key}")),
        Some(_) => None,
        None => Some(key.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_on_line_guesses() {
        let text = "seed = 1\n[dots]\ndepth_mm = 0,35\n";
        assert_eq!(key_on_line(text, 3).as_deref(), Some("dots.depth_mm"));
        assert_eq!(key_on_line(text, 1).as_deref(), Some("seed"));
        assert_eq!(key_on_line(text, 2), None);
    }
}
