//! Civil dates: session dates in a plan and the CLI's `--date`, as days since 1970-01-01.

/// Days since 1970-01-01 of a civil date (proleptic Gregorian; H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Days since 1970-01-01 of a TOML date (None for a time without a date).
pub fn date_days(d: &toml::value::Datetime) -> Option<i64> {
    d.date
        .map(|x| days_from_civil(x.year as i64, x.month as u32, x.day as u32))
}

/// Parses "YYYY-MM-DD" (the `--date` option) to days since 1970-01-01.
pub fn parse_date(s: &str) -> std::result::Result<i64, String> {
    let dt: toml::value::Datetime = s
        .parse()
        .map_err(|_| format!("\"{s}\" is not a date; write YYYY-MM-DD, e.g. 2026-03-02"))?;
    match (dt.date, dt.time) {
        (Some(_), None) => date_days(&dt).ok_or_else(|| format!("\"{s}\" has no date")),
        _ => Err(format!("\"{s}\" is not a plain date; write YYYY-MM-DD")),
    }
}
