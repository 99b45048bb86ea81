//! The treatment plan (`Plan`): what the practitioner will do, read from TOML.
//! User-facing settings only; the GPU mirrors live next to the passes that use them.
//!
//! [`Plan::load`] / [`Plan::from_toml_str`] read a plan and check it: unknown keys, wrong
//! types, TOML syntax errors and out-of-range values are reported as
//! [`ScalpError::Plan`] with the dotted field name (`hairline.band_width_mm`), the line
//! in the file, and what is allowed. [`Plan::example_toml`] is a commented plan equal to
//! [`Plan::default`].
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use toml::de::{DeTable, DeValue};
use toml::Spanned;

use crate::ageing::AgeingSettings;
use crate::error::{Result, ScalpError};
use crate::exposure::ExposureSettings;
pub use crate::hair::HairSettings;
use crate::technique::TechniqueErrors;

/// A whole treatment plan. Defaults give a realistic Norwood 6–7 full-head treatment.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Plan {
    /// Seed of the counter-based hash every dot is drawn from.
    pub seed: u32,
    pub dots: DotSettings,
    pub density: Density,
    pub sessions: Sessions,
    pub hairline: Hairline,
    /// The client's sun habits and latitude: the UV dose that speeds fading.
    pub exposure: ExposureSettings,
    /// Skin and schedule facts that change how the dots age.
    pub ageing: AgeingSettings,
    /// Technique errors to show (trainers): a severity 0–1 each; all 0 is correct work.
    pub errors: TechniqueErrors,
    /// The client's skin.
    pub skin: SkinSettings,
    /// Hair the client still has (shaved to stubble), drawn so SMP can be judged blending in.
    pub hair: HairSettings,
    /// Alopecia areata: bald patches on a head that keeps its hair; SMP fills them only.
    pub alopecia: Alopecia,
    /// Per-zone shade and sessions, and custom polygon zones.
    pub zones: crate::zone::ZoneSettings,
    /// Hair-transplant scars to camouflage.
    pub scars: crate::scar::ScarSettings,
}

/// Plan section `[alopecia]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Alopecia {
    /// Each patch as [azimuth°, elevation°, width mm, height mm]: its centre seen from the
    /// head's centre at ear-top height (azimuth 0 = the front, 90 = the client's left;
    /// elevation 90 = the top), and the ellipse's size on the scalp. Empty: no patches, the
    /// whole scalp above the hairline is treated.
    pub patches: Vec<[f32; 4]>,
}

/// The client's skin (plan section `[skin]`).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct SkinSettings {
    /// Fitzpatrick type I–VI: sets the epidermal melanin, hence the skin's colour and how much
    /// contrast and blue cast the pigment shows through it.
    pub tone: crate::optics::SkinTone,
}

/// How each dot is deposited.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct DotSettings {
    /// Deposit depth below the skin surface, mm (correct: 0.25–0.5, upper dermis).
    pub depth_mm: f32,
    /// Standard deviation of the depth from dot to dot, mm.
    pub depth_jitter_mm: f32,
    /// Healed dot diameter, mm (0.10–0.17 healed; over 0.3 is an error).
    pub diameter_mm: f32,
    /// Relative standard deviation of the diameter.
    pub diameter_jitter: f32,
    /// Pigment shade as a dilution step: 1 = light grey (most water) … 10 = near black.
    pub shade: f32,
    /// Minimum spacing between dot centres as a fraction of the mean spacing 1/√density.
    pub spacing: f32,
    /// Ink tone: −1 cool (blue-black) … 0 neutral carbon black … +1 warm (brown-black).
    pub tone: f32,
    /// Take `shade` and `tone` from the client's hair colour (`hair.color`) on this skin.
    pub match_hair: bool,
}

/// Target dots per cm², per zone of the treated area.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Density {
    pub hairline: f32,
    pub top: f32,
    pub crown: f32,
    pub sides: f32,
    pub back: f32,
}

/// Treatment sessions; each adds a share of the dots, the first ones in a lighter shade.
///
/// Deserialized by hand (see `impl Deserialize for Sessions` below): a plan that sets
/// `count` to something other than 3 but leaves `shares` out gets the built-in split for
/// that count instead of the default three shares. Read shares only through
/// [`Sessions::effective_shares`].
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Sessions {
    pub count: u32,
    /// Share of all dots placed in each session (sums to 1). Empty: the built-in split.
    /// Callers read shares through [`Sessions::effective_shares`], never this field directly.
    pub shares: Vec<f32>,
    /// Dilution steps lighter per session before the last one.
    pub lighter_first_steps: f32,
    /// The date of each session (TOML dates such as 2026-03-02), `count` of them, increasing.
    /// Empty: sessions `ageing.session_interval_weeks` apart.
    pub dates: Vec<toml::value::Datetime>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum HairlineStyle {
    /// Low, straight-soft front line with small temple corners.
    Juvenile,
    /// The usual adult line: soft curve, moderate temple recession.
    #[default]
    Mature,
    /// Deeper recession at the temples, a rounded central forelock.
    Receding,
}

/// The treated area, designed from the scalp landmarks of the head.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct Hairline {
    pub style: HairlineStyle,
    /// Height of the front hairline above the glabella (brow ridge), mm, measured along +Y.
    pub front_above_glabella_mm: f32,
    /// How far the temple corners sit above/behind the front line, mm.
    pub temple_recession_mm: f32,
    /// How far down the sides the treatment goes: boundary height above the ear tops, mm.
    pub side_above_ear_mm: f32,
    /// How far down the back it goes: boundary depth below the occipital point, mm.
    pub back_below_occipital_mm: f32,
    /// Width of the soft transition band over which density ramps up, mm.
    pub band_width_mm: f32,
    /// Amplitude of the hairline's micro zig-zag, mm.
    pub irregularity_mm: f32,
    /// How much higher the client's left side sits than the right, mm (|x| ≤ 2 looks natural).
    pub asymmetry_mm: f32,
    /// Control points the practitioner moves with the client: how much higher (+) or lower (−)
    /// than the style's line the front line sits, mm, at the left temple corner, halfway to the
    /// midline, the midline, halfway to the right corner and the right temple corner. Empty:
    /// the style's line as it is.
    pub control_mm: Vec<f32>,
}

impl Default for Plan {
    fn default() -> Self {
        Plan {
            seed: 1,
            dots: DotSettings::default(),
            density: Density::default(),
            sessions: Sessions::default(),
            hairline: Hairline::default(),
            exposure: ExposureSettings::default(),
            ageing: AgeingSettings::default(),
            skin: SkinSettings::default(),
            hair: HairSettings::default(),
            alopecia: Alopecia::default(),
            zones: Default::default(),
            scars: Default::default(),
            errors: TechniqueErrors::default(),
        }
    }
}

impl Default for DotSettings {
    fn default() -> Self {
        DotSettings {
            depth_mm: 0.35,
            depth_jitter_mm: 0.05,
            diameter_mm: 0.14,
            diameter_jitter: 0.15,
            shade: 7.0,
            spacing: 0.6,
            tone: 0.0,
            match_hair: false,
        }
    }
}

impl Default for Density {
    fn default() -> Self {
        Density {
            hairline: 90.0,
            top: 100.0,
            crown: 100.0,
            sides: 100.0,
            back: 100.0,
        }
    }
}

impl Default for Sessions {
    fn default() -> Self {
        Sessions {
            count: 3,
            shares: vec![0.3, 0.4, 0.3],
            lighter_first_steps: 1.0,
            dates: Vec::new(),
        }
    }
}

impl Default for Hairline {
    fn default() -> Self {
        Hairline {
            style: HairlineStyle::Mature,
            front_above_glabella_mm: 70.0,
            temple_recession_mm: 12.0,
            side_above_ear_mm: 15.0,
            back_below_occipital_mm: 25.0,
            band_width_mm: 6.0,
            irregularity_mm: 1.2,
            asymmetry_mm: 0.8,
            control_mm: Vec::new(),
        }
    }
}

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

impl Sessions {
    /// When each session was, years after the first: from `dates`, else evenly
    /// `ageing.session_interval_weeks` apart.
    pub fn start_years(&self, ageing: &AgeingSettings) -> Vec<f32> {
        let days: Vec<i64> = self.dates.iter().filter_map(date_days).collect();
        if days.len() == self.count as usize && !days.is_empty() {
            return days
                .iter()
                .map(|d| (d - days[0]) as f32 / crate::ageing::DAYS_PER_YEAR)
                .collect();
        }
        crate::ageing::even_sessions(ageing)[..self.count.max(1) as usize].to_vec()
    }

    /// Days since 1970-01-01 of the first session, when the plan has dates.
    pub fn first_day(&self) -> Option<i64> {
        self.dates.first().and_then(date_days)
    }

    /// `dates` is empty or one date per session, increasing 1–12 weeks apart.
    fn check_dates(&self, doc: &Doc<'_>) -> Result<()> {
        const FIELD: &str = "sessions.dates";
        if self.dates.is_empty() {
            return Ok(());
        }
        let mut days = Vec::new();
        for (i, d) in self.dates.iter().enumerate() {
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
                            self.dates.len()
                        ),
                    ));
                }
            }
        }
        if days.len() != self.count as usize {
            return Err(doc.error(
                FIELD,
                doc.line_of(FIELD),
                format!(
                    "has {} dates but sessions.count is {count}; give exactly {count} (one per \
                     session), or leave `dates` out (or set it to []) for sessions \
                     ageing.session_interval_weeks apart",
                    days.len(),
                    count = self.count
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
                        self.dates[i],
                        self.dates[i + 1]
                    ),
                ));
            }
        }
        Ok(())
    }
}

impl Plan {
    /// Years from the first session until every session has healed (four weeks after the last).
    pub fn healed_years(&self) -> f32 {
        let starts = self.sessions.start_years(&self.ageing);
        starts.last().copied().unwrap_or(0.0) + 28.0 / crate::ageing::DAYS_PER_YEAR
    }
}

impl Sessions {
    /// The share of dots each session places: `shares` if given, else 30/40/30 for three
    /// sessions [Liu 2025: ~30% → 70% → 100% coverage], else equal shares.
    pub fn effective_shares(&self) -> Vec<f32> {
        if !self.shares.is_empty() {
            return self.shares.clone();
        }
        if self.count == 3 {
            return vec![0.3, 0.4, 0.3];
        }
        vec![1.0 / self.count.max(1) as f32; self.count.max(1) as usize]
    }
}

impl<'de> Deserialize<'de> for Sessions {
    fn deserialize<D>(deserializer: D) -> std::result::Result<Self, D::Error>
    where
        D: serde::Deserializer<'de>,
    {
        /// What a `[sessions]` table may hold; every key optional.
        #[derive(Deserialize)]
        #[serde(deny_unknown_fields)]
        struct RawSessions {
            count: Option<u32>,
            shares: Option<Vec<f32>>,
            lighter_first_steps: Option<f32>,
            dates: Option<Vec<toml::value::Datetime>>,
        }
        let raw = RawSessions::deserialize(deserializer)?;
        let default = Sessions::default();
        let count = raw.count.unwrap_or(default.count);
        let shares = match raw.shares {
            Some(shares) => shares,
            // The default shares belong to the default count. A plan that only changes
            // `count` gets the built-in split for that count (see `effective_shares`).
            None if count == default.count => default.shares,
            None => Vec::new(),
        };
        Ok(Sessions {
            count,
            shares,
            lighter_first_steps: raw
                .lighter_first_steps
                .unwrap_or(default.lighter_first_steps),
            dates: raw.dates.unwrap_or_default(),
        })
    }
}

// ---------------------------------------------------------------------------------------
// Reading, writing and checking plans
// ---------------------------------------------------------------------------------------

impl Plan {
    /// Reads a plan from a TOML file. A missing or unreadable file is [`ScalpError::Io`];
    /// anything wrong inside it is [`ScalpError::Plan`] with the field and line.
    pub fn load(path: &Path) -> Result<Plan> {
        let bytes = std::fs::read(path).map_err(|source| ScalpError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let bad = e.utf8_error().valid_up_to();
                let line = 1 + e.as_bytes()[..bad].iter().filter(|b| **b == b'\n').count();
                return Err(ScalpError::Plan {
                    path: path.to_path_buf(),
                    line: Some(line),
                    field: SYNTAX_FIELD.to_string(),
                    message: "the file is not UTF-8 text; save the plan as UTF-8".to_string(),
                });
            }
        };
        Plan::from_toml_str(&text, path)
    }

    /// Parses and validates a plan from TOML text. `path` only labels the errors.
    /// Keys left out take their defaults ([`Plan::default`]).
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Plan> {
        let root = DeTable::parse(text).map_err(|e| syntax_error(path, text, &e))?;
        let doc = Doc {
            path,
            text,
            root: Some(root.get_ref()),
        };
        // Our own pass over the parsed document first: it knows the dotted field names,
        // the lines and the allowed keys, so its messages are the precise ones.
        doc.check_document()?;
        let plan = Plan::deserialize(toml::Deserializer::from(root.clone()))
            .map_err(|e| doc.serde_error(&e))?;
        plan.validate_in(&doc)?;
        Ok(plan)
    }

    /// Checks every value against its allowed range (see the table `FIELDS` in this
    /// module), that no float is NaN or infinite, and the session shares. Errors name the
    /// plan `<plan>` and carry no line, since a `Plan` in memory has no file.
    pub fn validate(&self) -> Result<(), ScalpError> {
        self.validate_in(&Doc {
            path: Path::new("<plan>"),
            text: "",
            root: None,
        })
    }

    /// The plan as TOML text that [`Plan::from_toml_str`] reads back to an equal plan.
    pub fn to_toml(&self) -> String {
        let body = toml::to_string(self).expect("a Plan always serializes to TOML");
        format!("# scalp treatment plan; `scalp plan --example` explains every key.\n{body}")
    }

    /// A complete plan with every key explained (meaning, unit, allowed range), equal in
    /// value to [`Plan::default`]. `scalp plan --example` prints it.
    pub fn example_toml() -> &'static str {
        EXAMPLE_TOML
    }

    fn validate_in(&self, doc: &Doc<'_>) -> Result<()> {
        for spec in FIELDS {
            match spec.kind {
                Kind::Int | Kind::Float => {
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
                }
                Kind::Shares => self.sessions.check_shares(doc)?,
                Kind::Dates => self.sessions.check_dates(doc)?,
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
            "hair.length_mm" => Num::F(self.hair.length_mm),
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

impl Sessions {
    /// `shares` is empty (built-in split) or one positive share per session summing to 1.
    fn check_shares(&self, doc: &Doc<'_>) -> Result<()> {
        const FIELD: &str = "sessions.shares";
        if self.shares.is_empty() {
            return Ok(());
        }
        let n = self.shares.len();
        for (i, &share) in self.shares.iter().enumerate() {
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
        if n != self.count as usize {
            return Err(doc.error(
                FIELD,
                doc.line_of(FIELD),
                format!(
                    "has {n} values but sessions.count is {count}; give exactly {count} shares \
                     (one per session), or leave `shares` out (or set it to []) for the \
                     built-in split",
                    count = self.count
                ),
            ));
        }
        let sum: f64 = self.shares.iter().map(|&s| s as f64).sum();
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
}

/// `ageing.touch_up_years`: at most [`crate::ageing::MAX_TOUCH_UPS`] times, each after the
/// last session and at most 30 years, strictly increasing.
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

/// The built-in zones `zones.shade` and `zones.sessions` name.
const BUILT_IN_ZONES: [&str; 5] = ["hairline", "top", "crown", "sides", "back"];

/// `[zones]` (per-zone shade and sessions, custom polygons) and the cross-checks of `[scars]`.
fn check_zones(plan: &Plan, doc: &Doc<'_>) -> Result<()> {
    let count = plan.sessions.count;
    let z = &plan.zones;
    let shade_ok = |v: f32| v.is_finite() && (1.0..=10.0).contains(&v);
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
    let sessions_message = |v: u32| {
        format!(
            "{v} is out of range; allowed 1 to {count} (the zone is worked in the first this \
             many of the plan's sessions.count = {count})"
        )
    };
    for (zone, v) in z.sessions.given() {
        if !(1..=count).contains(&v) {
            let field = format!("zones.sessions.{zone}");
            return Err(doc.error(&field, doc.line_of(&field), sessions_message(v)));
        }
    }
    const FIELD: &str = "zones.custom";
    let max = crate::zone::MAX_CUSTOM;
    if z.custom.len() > max {
        return Err(doc.error(
            FIELD,
            doc.line_of(FIELD),
            format!("has {} zones; at most {max}", z.custom.len()),
        ));
    }
    for (i, c) in z.custom.iter().enumerate() {
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
        if z.custom[..i].iter().any(|o| o.name.trim() == name) {
            return Err(err("name", format!("\"{name}\" names two custom zones")));
        }
        let n = c.polygon.len();
        if !(3..=crate::zone::MAX_CORNERS).contains(&n) {
            return Err(err(
                "polygon",
                format!("has {n} corners; allowed 3 to {}", crate::zone::MAX_CORNERS),
            ));
        }
        for (k, [az, el]) in c.polygon.iter().enumerate() {
            if !(az.is_finite() && (-180.0..=180.0).contains(az)) {
                return Err(err(
                    "polygon",
                    format!("corner {} has azimuth {az}°; allowed -180 to 180°", k + 1),
                ));
            }
            if !(el.is_finite() && (-30.0..=90.0).contains(el)) {
                return Err(err(
                    "polygon",
                    format!("corner {} has elevation {el}°; allowed -30 to 90°", k + 1),
                ));
            }
        }
        let Some((_, _, corners)) = crate::zone::custom_frame(&c.polygon) else {
            return Err(err(
                "polygon",
                "spans too much of the head: every corner must lie within 80° of the polygon's \
                 middle; split it into smaller zones"
                    .into(),
            ));
        };
        let area: f32 = (0..n)
            .map(|k| {
                let (a, b) = (corners[k], corners[(k + 1) % n]);
                a[0] * b[1] - a[1] * b[0]
            })
            .sum();
        if area.abs() < 1e-5 {
            return Err(err(
                "polygon",
                "encloses no area (its corners are in a line)".into(),
            ));
        }
        if crate::zone::self_intersects(&corners) {
            return Err(err(
                "polygon",
                "crosses itself; list the corners in order round the zone".into(),
            ));
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
            return Err(err("sessions", sessions_message(v)));
        }
    }
    let sc = &plan.scars;
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

/// How far the session shares may sum away from 1 (rounding in hand-typed fractions).
const SHARES_SUM_TOLERANCE: f64 = 0.01;

/// The `field` of errors that belong to no key (TOML syntax, encoding).
const SYNTAX_FIELD: &str = "(TOML syntax)";

/// The tables of a plan, in file order.
const SECTIONS: [&str; 12] = [
    "dots", "density", "sessions", "hairline", "exposure", "ageing", "errors", "skin", "hair",
    "alopecia", "zones", "scars",
];

/// The values `hairline.style` takes (kebab-case names of [`HairlineStyle`]).
const STYLES: [&str; 3] = ["juvenile", "mature", "receding"];
const TONES: [&str; 6] = ["I", "II", "III", "IV", "V", "VI"];

/// The values `errors.oversized_zone` takes.
const ZONES: [&str; 6] = crate::technique::ErrorZone::NAMES;

/// `"a", "b", "c"`.
fn quoted(names: &[&str]) -> String {
    names
        .iter()
        .map(|n| format!("{n:?}"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Kind {
    /// A whole number (u32 in the plan).
    Int,
    /// A number (f32 in the plan); TOML integers are accepted too.
    Float,
    /// `sessions.shares`: an array of numbers, checked by `Sessions::check_shares`.
    Shares,
    /// `ageing.touch_up_years`: an array of times, checked by `check_touch_ups`.
    Years,
    /// `hairline.style`: one of `STYLES`.
    Style,
    /// `errors.oversized_zone`: one of `ErrorZone::NAMES`.
    Zone,
    /// `true` or `false`.
    Bool,
    /// `sessions.dates`: an array of TOML dates, checked by `Sessions::check_dates`.
    Dates,
    /// `alopecia.patches`: an array of [azimuth, elevation, width, height], checked by
    /// `check_patches`.
    Patches,
    /// `hairline.control_mm`: five heights, checked by `check_control`.
    Control,
    /// `skin.tone`: a Fitzpatrick type, "I" … "VI".
    Tone,
    /// `hair.color`: a name from `optics::HAIR_COLOURS` or "#rrggbb".
    Colour,
    /// `zones.shade`: a table of built-in zone → dilution step, checked by `check_zones`.
    ZoneShades,
    /// `zones.sessions`: a table of built-in zone → session count, checked by `check_zones`.
    ZoneSessions,
    /// `zones.custom`: an array of custom zones, checked by `check_zones` (with `[scars]`).
    CustomZones,
}

/// One key of the plan: its dotted name, kind, inclusive range, unit, and a short note on
/// the practice the range comes from (shown in range errors).
struct FieldSpec {
    name: &'static str,
    kind: Kind,
    min: f64,
    max: f64,
    unit: &'static str,
    note: &'static str,
}

const fn field(
    name: &'static str,
    kind: Kind,
    min: f64,
    max: f64,
    unit: &'static str,
    note: &'static str,
) -> FieldSpec {
    FieldSpec {
        name,
        kind,
        min,
        max,
        unit,
        note,
    }
}

const MM: &str = "mm";
const DENSITY: &str = "dots/cm²";

/// Every key a plan may hold, in file order, with its allowed range (inclusive). The
/// numbers follow DESIGN.md ("SMP practice"); ranges are wider than good practice on
/// purpose, so that trainers can show the technique errors.
const FIELDS: &[FieldSpec] = &[
    // Any u32: the counter-based hash takes any seed.
    field("seed", Kind::Int, 0.0, u32::MAX as f64, "", "any 32-bit whole number"),
    // Correct SMP is 0.25–0.5 mm (upper dermis); < 0.1 mm sheds with the epidermis,
    // > 0.8–1.0 mm blows out. 0.02 (in the stratum corneum) to 2.5 (below the reticular
    // dermis, ~1.5 mm) lets both errors be shown, and no more.
    field("dots.depth_mm", Kind::Float, 0.02, 2.5, MM, "correct SMP deposits sit at 0.25–0.5 mm, in the upper dermis; under 0.1 is too shallow, over 0.8–1.0 too deep"),
    // Hand-held needles vary by a fraction of the correct 0.25 mm window; 0.5 is sloppy work.
    field("dots.depth_jitter_mm", Kind::Float, 0.0, 0.5, MM, "standard deviation of the depth; the correct window is only 0.25 mm wide"),
    // Healed dots 0.10–0.17 mm; over 0.3–0.5 mm is the oversized/merging error, up to 1 mm.
    field("dots.diameter_mm", Kind::Float, 0.05, 1.0, MM, "healed dots are 0.10–0.17 mm; over 0.3–0.5 mm is an oversized-dot error"),
    // Relative standard deviation; beyond 50% dots stop reading as one needle's work.
    field("dots.diameter_jitter", Kind::Float, 0.0, 0.5, "", "relative standard deviation of the diameter, 0.15 = 15%"),
    // About 1–10 dilution steps of carbon black from light grey to near black.
    field("dots.shade", Kind::Float, 1.0, 10.0, "", "dilution step: 1 = light grey … 10 = near black"),
    // The greedy hard-core rule (random sequential adsorption) jams at a coverage of 0.547, i.e.
    // a spacing of ~0.83 of the mean; at 0.7 it already needs 5× as many candidates as dots (see
    // dots::candidate_excess), at 0.75 eleven; below 0.3 it clumps like white noise.
    field("dots.spacing", Kind::Float, 0.3, 0.7, "", "fraction of the mean spacing 1/√density; above 0.7 the target density can hardly be reached"),
    field("dots.tone", Kind::Float, -1.0, 1.0, "", "−1 cool (blue-black) … 0 neutral carbon black … +1 warm (brown-black)"),
    field("dots.match_hair", Kind::Bool, 0.0, 0.0, "", ""),
    // Natural hair ~65–100 follicular units/cm², SMP builds to ~100; up to 1000 for
    // over-dense errors.
    field("density.hairline", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100"),
    field("density.top", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100"),
    field("density.crown", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100"),
    field("density.sides", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100"),
    field("density.back", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100"),
    // Practice is 3–4 sessions, 1–4 weeks apart; 6 covers touch-ups.
    field("sessions.count", Kind::Int, 1.0, 6.0, "", "SMP is usually built up over 3–4 sessions"),
    // Empty, or `count` shares > 0 summing to 1 ± SHARES_SUM_TOLERANCE (30/40/30, Liu 2025).
    field("sessions.shares", Kind::Shares, 0.0, 1.0, "", ""),
    field("sessions.dates", Kind::Dates, 0.0, 0.0, "", ""),
    // Each earlier session a lighter shade; more than 3 steps would leave the 1–10 scale.
    field("sessions.lighter_first_steps", Kind::Float, 0.0, 3.0, "dilution steps", "early sessions are a little lighter, the last one at `dots.shade`"),
    field("hairline.style", Kind::Style, 0.0, 0.0, "", ""),
    // Adult hairlines sit ~60–80 mm above the glabella; 40–110 covers low juvenile lines
    // to conservative high ones.
    field("hairline.front_above_glabella_mm", Kind::Float, 40.0, 110.0, MM, "height of the front line above the brow ridge; adult lines sit at ~60–80 mm"),
    // From no recession to a deep Norwood-style temple corner.
    field("hairline.temple_recession_mm", Kind::Float, 0.0, 50.0, MM, "how far the temple corners sit behind the front line"),
    // Negative: the boundary runs below the ear tops.
    field("hairline.side_above_ear_mm", Kind::Float, -20.0, 80.0, MM, "boundary height above the ear tops; negative is below them"),
    // Negative: the boundary sits above the occipital point.
    field("hairline.back_below_occipital_mm", Kind::Float, -40.0, 80.0, MM, "boundary depth below the occipital point; negative is above it"),
    // The hairline is a transition band "a few mm wide".
    field("hairline.band_width_mm", Kind::Float, 1.0, 20.0, MM, "the hairline is a soft transition band a few mm wide"),
    // Micro zig-zag of about a millimetre; 5 mm is visibly ragged.
    field("hairline.irregularity_mm", Kind::Float, 0.0, 5.0, MM, "amplitude of the micro zig-zag; about 1 mm looks natural"),
    // ≤ 2 mm left/right asymmetry looks natural; up to 5 mm shows the error.
    field("hairline.asymmetry_mm", Kind::Float, -5.0, 5.0, MM, "left side higher than the right; |x| ≤ 2 mm looks natural"),
    field("hairline.control_mm", Kind::Control, -20.0, 20.0, MM, ""),
    // Beyond the polar circles (±66.56°) there are days without sunrise or sunset, which
    // the yearly sun model of the exposure module does not handle.
    field("exposure.latitude_deg", Kind::Float, -66.0, 66.0, "degrees", "latitude where the client lives, north positive; the sun model holds between the polar circles"),
    // A yearly average of daylight hours; 12 is an outdoor worker every daylight hour.
    field("exposure.hours_outdoors_per_day", Kind::Float, 0.0, 12.0, "hours/day", "daylight hours outdoors, averaged over the year"),
    // A fraction of the outdoor time: 0 never, 1 always.
    field("exposure.hat", Kind::Float, 0.0, 1.0, "", "fraction of the outdoor time with a hat or cap on, 0 = never … 1 = always"),
    // SPF n lets 1/n of UVB through; 1 is no protection; labels stop at SPF 100.
    field("exposure.spf", Kind::Float, 1.0, 100.0, "", "sun protection factor; 1 = no protection, SPF 30 blocks ~97% of UVB"),
    // A fraction of the outdoor time: 0 never, 1 always.
    field("exposure.sunscreen", Kind::Float, 0.0, 1.0, "", "fraction of the outdoor time with sunscreen on the scalp, 0 = never … 1 = always"),
    // A yes/no fact: very oily skin clears pigment faster (DESIGN.md, Fading).
    field("ageing.oily_skin", Kind::Bool, 0.0, 0.0, "", ""),
    // DESIGN.md: sessions are 1–4 weeks apart; longer gaps happen, a quarter year at most.
    field("ageing.session_interval_weeks", Kind::Float, 1.0, 12.0, "weeks", "sessions are usually 1–4 weeks apart"),
    // Up to four touch-ups, increasing, within the 30 years the model is evaluated over.
    field("ageing.touch_up_years", Kind::Years, 0.0, 30.0, "years", "touch-ups usually come every 3–6 years"),
    field("skin.tone", Kind::Tone, 0.0, 0.0, "", ""),
    field("alopecia.patches", Kind::Patches, 0.0, 0.0, "", ""),
    field("hair.enabled", Kind::Bool, 0.0, 0.0, "", ""),
    field("hair.color", Kind::Colour, 0.0, 0.0, "", ""),
    // Natural scalp hair: ~200 hairs/cm² in ~65–100 follicular units.
    field("hair.density_per_cm2", Kind::Float, 10.0, 400.0, "hairs/cm²", "a full natural scalp has ~200 hairs per cm²"),
    // Stubble from a fresh shave (0.5) to a few days' growth (3).
    field("hair.length_mm", Kind::Float, 0.2, 5.0, MM, "shaved stubble is 0.5–3 mm"),
    field("hair.diameter_mm", Kind::Float, 0.02, 0.15, MM, "scalp hairs are 0.06–0.1 mm thick"),
    field("hair.hairline", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    field("hair.top", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    field("hair.crown", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    field("hair.sides", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    field("hair.back", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    // Technique errors (src/technique.rs): a severity each, 0 = correct work … 1 = the worst
    // case a trainer shows; shares of the dots or the area are fractions.
    field("errors.oversized", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.oversized_zone", Kind::Zone, 0.0, 0.0, "", ""),
    field("errors.too_deep", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.too_deep_fraction", Kind::Float, 0.0, 1.0, "", "share of the dots placed too deep"),
    field("errors.too_shallow", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.too_shallow_fraction", Kind::Float, 0.0, 1.0, "", "share of the dots left too shallow"),
    field("errors.over_saturation", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.grid_spacing", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.harsh_hairline", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.wrong_shade", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.patchy_density", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("errors.patchy_fraction", Kind::Float, 0.0, 1.0, "", "share of the treated area each session missed at severity 1"),
    field("errors.asymmetry", Kind::Float, 0.0, 1.0, "", SEVERITY),
    field("zones.shade", Kind::ZoneShades, 1.0, 10.0, "", ""),
    field("zones.sessions", Kind::ZoneSessions, 1.0, 8.0, "", ""),
    field("zones.custom", Kind::CustomZones, 0.0, 0.0, "", ""),
    // Strip (FUT) scars are 10–25 cm long; 30 cm reaches from ear to ear on a large head.
    field("scars.strip_length_mm", Kind::Float, 0.0, 300.0, MM, "0 = no strip scar; 100–250 mm is usual"),
    field("scars.strip_width_mm", Kind::Float, 1.0, 15.0, MM, "strip scars are 2–10 mm wide"),
    field("scars.strip_height_mm", Kind::Float, -60.0, 40.0, MM, "height of the strip's middle relative to the occipital point"),
    // FUE: one punch scar per graft; a large case harvests a few thousand.
    field("scars.fue_count", Kind::Int, 0.0, 6000.0, "scars", "0 = no FUE scars; hundreds to a few thousand"),
    field("scars.fue_diameter_mm", Kind::Float, 0.5, 1.5, MM, "FUE punches leave 0.8–1 mm scars"),
    field("scars.density", Kind::Float, 20.0, 300.0, "dots/cm²", "SMP density over the scars"),
    field("scars.shade", Kind::Float, 0.0, 10.0, "", "0 = dots.shade, else a dilution step 1–10"),
    field("scars.sessions", Kind::Int, 0.0, 8.0, "", "0 = every session, else the first 1 to sessions.count"),
    field("scars.only", Kind::Bool, 0.0, 0.0, "", ""),
];

/// The note of every severity's range.
const SEVERITY: &str = "severity of a technique error: 0 = correct work … 1 = the worst case";

fn spec(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == name)
}

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

fn range_message(spec: &FieldSpec, shown: &str) -> String {
    let unit = unit_suffix(spec.unit);
    format!(
        "{shown}{unit} is out of range; allowed {} to {}{unit} ({})",
        fmt_bound(spec.min),
        fmt_bound(spec.max),
        spec.note
    )
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

/// 1-based line of a byte offset.
fn line_at(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    1 + text.as_bytes()[..end]
        .iter()
        .filter(|b| **b == b'\n')
        .count()
}

type Entry<'a, 'i> = (
    &'a Spanned<std::borrow::Cow<'i, str>>,
    &'a Spanned<DeValue<'i>>,
);

/// A table's entries in file order (the map itself is sorted by key).
fn entries_in_order<'a, 'i>(table: &'a DeTable<'i>) -> Vec<Entry<'a, 'i>> {
    let mut entries: Vec<_> = table.iter().collect();
    entries.sort_by_key(|(k, _)| k.span().start);
    entries
}

/// A TOML syntax error: the line, the column and the parser's words. The field is the
/// key on that line when the line is a plain `key = …` under a `[table]` header.
fn syntax_error(path: &Path, text: &str, e: &toml::de::Error) -> ScalpError {
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

/// Where a plan came from: its path (for errors), its text and parsed document (for line
/// numbers). `validate` uses one without text.
struct Doc<'a> {
    path: &'a Path,
    text: &'a str,
    root: Option<&'a DeTable<'a>>,
}

impl<'a> Doc<'a> {
    fn error(&self, field: &str, line: Option<usize>, message: String) -> ScalpError {
        ScalpError::Plan {
            path: PathBuf::from(self.path),
            line,
            field: field.to_string(),
            message,
        }
    }

    fn line(&self, offset: usize) -> usize {
        line_at(self.text, offset)
    }

    /// "wrong type: expected …, found …" for `field` at `line`.
    fn wrong_type(
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
    fn entry(&self, name: &str) -> Option<Entry<'a, 'a>> {
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
    fn line_of(&self, name: &str) -> Option<usize> {
        if let Some((key, _)) = self.entry(name) {
            return Some(self.line(key.span().start));
        }
        let (parent, _) = name.rsplit_once('.')?;
        self.line_of(parent)
    }

    /// The line of element `index` of an array-valued key.
    fn element_line(&self, name: &str, index: usize) -> Option<usize> {
        let (_, value) = self.entry(name)?;
        let element = value.get_ref().as_array()?.get(index)?;
        Some(self.line(element.span().start))
    }

    /// Unknown keys, wrong types and whole-number ranges, in file order.
    fn check_document(&self) -> Result<()> {
        let Some(root) = self.root else {
            return Ok(());
        };
        for (key, value) in entries_in_order(root) {
            let name: &str = key.get_ref();
            if let Some(spec) = spec(name) {
                self.check_value(spec, key, value)?;
            } else if SECTIONS.contains(&name) {
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

    fn unknown_key(
        &self,
        full: &str,
        section: Option<&str>,
        key: &Spanned<std::borrow::Cow<'_, str>>,
    ) -> ScalpError {
        let short: &str = key.get_ref();
        let allowed: Vec<&str> = match section {
            Some(section) => FIELDS
                .iter()
                .filter_map(|f| f.name.strip_prefix(section)?.strip_prefix('.'))
                .collect(),
            None => std::iter::once("seed").chain(SECTIONS).collect(),
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

    fn check_value(
        &self,
        spec: &FieldSpec,
        key: &Spanned<std::borrow::Cow<'_, str>>,
        value: &Spanned<DeValue<'_>>,
    ) -> Result<()> {
        let line = Some(self.line(key.span().start));
        let wrong =
            |expected: &str, found: &DeValue<'_>| self.wrong_type(spec.name, line, expected, found);
        match (spec.kind, value.get_ref()) {
            (Kind::Int, DeValue::Integer(i)) => {
                let v = i128::from_str_radix(i.as_str(), i.radix()).ok();
                match v {
                    Some(v) if v as f64 >= spec.min && v as f64 <= spec.max => Ok(()),
                    _ => Err(self.error(spec.name, line, range_message(spec, &i.to_string()))),
                }
            }
            (Kind::Int, other) => Err(wrong("a whole number", other)),
            (Kind::Float, DeValue::Integer(_) | DeValue::Float(_)) => Ok(()),
            (Kind::Float, other) => {
                let expected = match spec.unit {
                    "" => "a number".to_string(),
                    unit => format!("a number ({unit})"),
                };
                Err(wrong(&expected, other))
            }
            (Kind::Shares | Kind::Years, DeValue::Array(items)) => {
                let element = if spec.kind == Kind::Shares {
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
            (Kind::Years, other) => Err(wrong(
                "an array of years such as [4.0, 8.5], or [] for no touch-ups",
                other,
            )),
            (Kind::Shares, other) => Err(wrong(
                "an array of numbers such as [0.3, 0.4, 0.3], or [] for the built-in split",
                other,
            )),
            (Kind::Style, DeValue::String(s)) if STYLES.contains(&s.as_ref()) => Ok(()),
            (Kind::Style, DeValue::String(s)) => Err(self.error(
                spec.name,
                line,
                format!(
                    "unknown hairline style {:?}; allowed: \"juvenile\", \"mature\", \"receding\"",
                    s.as_ref()
                ),
            )),
            (Kind::Style, other) => Err(wrong(
                "one of the strings \"juvenile\", \"mature\", \"receding\"",
                other,
            )),
            (Kind::Tone, DeValue::String(s)) if TONES.contains(&s.as_ref()) => Ok(()),
            (Kind::Tone, DeValue::String(s)) => Err(self.error(
                spec.name,
                line,
                format!(
                    "unknown skin type {:?}; allowed: Fitzpatrick \"I\", \"II\", \"III\", \"IV\", \"V\", \"VI\"",
                    s.as_ref()
                ),
            )),
            (Kind::Tone, other) => Err(wrong("a Fitzpatrick type: the string \"I\" … \"VI\"", other)),
            (Kind::Colour, DeValue::String(s))
                if crate::optics::parse_hair_colour(s.as_ref()).is_some() =>
            {
                Ok(())
            }
            (Kind::Colour, DeValue::String(s)) => Err(self.error(
                spec.name,
                line,
                format!(
                    "unknown hair colour {:?}; allowed: {} or \"#rrggbb\" (sRGB hex)",
                    s.as_ref(),
                    crate::optics::HAIR_COLOURS
                        .iter()
                        .map(|(n, _)| format!("{n:?}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            )),
            (Kind::Colour, other) => Err(wrong("a hair colour name or \"#rrggbb\"", other)),
            (Kind::Zone, DeValue::String(s)) if ZONES.contains(&s.as_ref()) => Ok(()),
            (Kind::Zone, DeValue::String(s)) => Err(self.error(
                spec.name,
                line,
                format!("unknown zone {:?}; allowed: {}", s.as_ref(), quoted(&ZONES)),
            )),
            (Kind::Zone, other) => Err(wrong(
                &format!("one of the strings {}", quoted(&ZONES)),
                other,
            )),
            (Kind::Patches | Kind::Control, DeValue::Array(_)) => Ok(()),
            (Kind::Control, other) => Err(wrong(
                "an array of 5 heights in mm such as [2.0, 0.0, -1.0, 0.0, 2.0], or []",
                other,
            )),
            (Kind::Patches, other) => Err(wrong(
                "an array of patches such as [[30.0, 60.0, 35.0, 25.0]] (azimuth °, elevation °, width mm, height mm), or []",
                other,
            )),
            (Kind::Dates, DeValue::Array(items)) => {
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
            (Kind::Dates, other) => Err(wrong(
                "an array of dates such as [2026-03-02, 2026-03-23], or [] for evenly spaced sessions",
                other,
            )),
            (Kind::ZoneShades | Kind::ZoneSessions, DeValue::Table(t)) => {
                let whole = spec.kind == Kind::ZoneSessions;
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
            (Kind::ZoneShades, other) => Err(wrong(
                "a table of zone = dilution step, such as { hairline = 6.0, crown = 7.5 }",
                other,
            )),
            (Kind::ZoneSessions, other) => Err(wrong(
                "a table of zone = sessions, such as { crown = 2 }",
                other,
            )),
            (Kind::CustomZones, DeValue::Array(items)) => {
                for (i, item) in items.iter().enumerate() {
                    self.check_custom_zone(i, item)?;
                }
                Ok(())
            }
            (Kind::CustomZones, other) => Err(wrong(
                "an array of zones such as [{ name = \"vertex\", polygon = [[150, 40], [180, 60], \
                 [-150, 40]], density = 110 }], or []",
                other,
            )),
            (Kind::Bool, DeValue::Boolean(_)) => Ok(()),
            (Kind::Bool, other) => Err(wrong("a boolean (true or false)", other)),
        }
    }

    /// The keys and value types of custom zone `i` (ranges: `check_zones`).
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
            let number = matches!(value.get_ref(), DeValue::Integer(_) | DeValue::Float(_));
            let expected = match k {
                "name" if !matches!(value.get_ref(), DeValue::String(_)) => Some("a string"),
                "density" | "shade" if !number => Some("a number"),
                "sessions" if !matches!(value.get_ref(), DeValue::Integer(_)) => {
                    Some("a whole number")
                }
                "polygon" => {
                    let corners_ok = value.get_ref().as_array().is_some_and(|a| {
                        a.iter().all(|c| {
                            c.get_ref().as_array().is_some_and(|p| {
                                p.len() == 2
                                    && p.iter().all(|v| {
                                        matches!(
                                            v.get_ref(),
                                            DeValue::Integer(_) | DeValue::Float(_)
                                        )
                                    })
                            })
                        })
                    });
                    (!corners_ok).then_some(
                        "an array of corners [azimuth °, elevation °], such as \
                         [[150, 40], [180, 60], [-150, 40]]",
                    )
                }
                _ if !KEYS.contains(&k) => {
                    return Err(self.error(
                        &name,
                        line,
                        format!(
                            "unknown key; allowed keys of a custom zone: {}",
                            KEYS.join(", ")
                        ),
                    ))
                }
                _ => None,
            };
            if let Some(expected) = expected {
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

    /// The line of `key` inside element `index` of the array of tables `name`.
    fn element_key_line(&self, name: &str, index: usize, key: &str) -> Option<usize> {
        let (_, value) = self.entry(name)?;
        let element = value.get_ref().as_array()?.get(index)?;
        let (k, _) = element.get_ref().as_table()?.get_key_value(key)?;
        Some(self.line(k.span().start))
    }

    /// A serde error our own checks did not foresee: its span gives the line and field.
    fn serde_error(&self, e: &toml::de::Error) -> ScalpError {
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

/// `Plan::example_toml`. Kept equal to `Plan::default()` by a test.
const EXAMPLE_TOML: &str = r#"# scalp treatment plan: an example with every key, equal to the built-in defaults
# (a realistic Norwood 6-7 full-head treatment). Print it with `scalp plan --example`.
#
# Every key is optional: leave one out and its default (the value shown here) is used.
# Lengths are millimetres (mm) on the head. Ranges are inclusive; a value outside its
# range is refused with the line and the range. Ranges are wider than good practice on
# purpose, so that technique errors (too deep, oversized dots, ...) can be shown.

# Seed of the hash every dot is drawn from: the same plan and seed give the same dots on
# every machine. Any whole number from 0 to 4294967295.
seed = 1

# How each dot is deposited.
[dots]
# Deposit depth below the skin surface, mm. Allowed 0.02 to 2.5.
# Correct SMP: 0.25-0.5 (upper dermis). Under 0.1 the pigment sheds with the epidermis
# within weeks; over 0.8-1.0 it blurs, spreads ("blowout") and reads blue-grey.
depth_mm = 0.35
# Standard deviation of the depth from dot to dot, mm. Allowed 0 to 0.5.
depth_jitter_mm = 0.05
# Healed dot diameter, mm. Allowed 0.05 to 1.0. Healed dots are 0.10-0.17;
# over 0.3-0.5 is an error (oversized, merging dots).
diameter_mm = 0.14
# Relative standard deviation of the diameter (0.15 = 15%). Allowed 0 to 0.5.
diameter_jitter = 0.15
# Pigment shade as a dilution step of carbon black in water: 1 = light grey (most
# water) ... 10 = near black. Allowed 1 to 10. Match the client's shaved hair, not darker.
shade = 7.0
# Minimum distance between dot centres, as a fraction of the mean spacing
# 1/sqrt(density): random placement with a minimum spacing (blue noise), never a grid.
# Allowed 0.3 to 0.7 (above that the target density can hardly be reached).
spacing = 0.6
# Ink tone: -1 cool (blue-black) ... 0 neutral carbon black ... +1 warm (brown-black).
# Allowed -1 to 1. A cool-warm mismatch with the hair makes dots read as ink.
tone = 0.0
# Take shade and tone from the client's hair colour (hair.color) on this skin: true or false.
match_hair = false

# Target density per zone, dots per cm². Allowed 1 to 1000 each.
# Natural hair shows ~65-100 follicular units per cm²; SMP builds to ~100 dots/cm².
[density]
# The soft band along the front hairline (density ramps up across it).
hairline = 90.0
# Top of the head, between the hairline and the crown.
top = 100.0
# The crown (vertex).
crown = 100.0
# Above the ears.
sides = 100.0
# The back of the head, down to the nape boundary.
back = 100.0

# Treatment sessions: each adds a share of the dots, the earlier ones in a lighter shade.
[sessions]
# Number of sessions. Allowed 1 to 6 (usual practice: 3-4, 1-4 weeks apart).
count = 3
# Share of all dots placed in each session: exactly `count` numbers, each > 0, summing
# to 1 (within 0.01). Leave it out, or set [], for the built-in split: 30/40/30 for
# three sessions (coverage ~30% -> 70% -> 100%), equal shares otherwise.
shares = [0.3, 0.4, 0.3]
# Dilution steps lighter per session before the last one (the last session uses
# `dots.shade`). Allowed 0 to 3.
lighter_first_steps = 1.0
# The date of each session, exactly `count` TOML dates 1 to 12 weeks apart, e.g.
# [2026-03-02, 2026-03-23, 2026-04-13]; `scalp render --date 2026-05-01` then shows that day.
# [] (the default): sessions ageing.session_interval_weeks apart.
dates = []

# The treated area, designed from the scalp landmarks of the head.
[hairline]
# Shape of the front line: "juvenile" (low, straight-soft, small temple corners),
# "mature" (soft curve, moderate temple recession) or "receding" (deeper temple
# recession, rounded central forelock).
style = "mature"
# Height of the front hairline above the glabella (brow ridge), mm, along +Y.
# Allowed 40 to 110 (adult lines sit at ~60-80).
front_above_glabella_mm = 70.0
# How far the temple corners sit above/behind the front line, mm. Allowed 0 to 50.
temple_recession_mm = 12.0
# How far down the sides the treatment goes: boundary height above the ear tops, mm.
# Negative: below the ear tops. Allowed -20 to 80.
side_above_ear_mm = 15.0
# How far down the back it goes: boundary depth below the occipital point, mm.
# Negative: above the occipital point. Allowed -40 to 80.
back_below_occipital_mm = 25.0
# Width of the soft transition band over which density ramps up, mm. Allowed 1 to 20
# (a natural hairline is a band a few mm wide).
band_width_mm = 6.0
# Amplitude of the hairline's micro zig-zag, mm. Allowed 0 to 5 (about 1 looks natural).
irregularity_mm = 1.2
# How much higher the client's left side sits than the right, mm. Allowed -5 to 5
# (|x| <= 2 looks natural; more shows the asymmetry error).
asymmetry_mm = 0.8
# Control points to fit the line to the client's face: how much higher (+) or lower (-) the
# front line sits than the style's, mm, at [left temple corner, left half, midline, right
# half, right temple corner] (the client's left and right). Exactly 5 numbers, each -20 to
# 20; [] (the default) keeps the style's line.
control_mm = []

# The client's sun: where they live and their habits. The UV dose each dot gets a year
# follows from these and from how the scalp faces the sky; UV speeds fading.
[exposure]
# Latitude of where the client lives, degrees, north positive (London 51.5, Sydney
# -33.9). Allowed -66 to 66: beyond the polar circles the sun model does not hold.
latitude_deg = 51.5
# Hours a day spent outdoors in daylight, averaged over the year, hours/day.
# Allowed 0 to 12.
hours_outdoors_per_day = 1.5
# Fraction of the outdoor time with a hat or cap on: 0 = never ... 1 = always.
# Allowed 0 to 1.
hat = 0.0
# Sun protection factor of the sunscreen used on the scalp: SPF n lets 1/n of UVB
# through (SPF 30 blocks ~97%). 1 = no protection. Allowed 1 to 100.
spf = 1.0
# Fraction of the outdoor time with sunscreen on the scalp: 0 = never ... 1 = always.
# Allowed 0 to 1.
sunscreen = 0.0

# Skin and schedule facts that change how the dots age.
[ageing]
# Very oily skin clears pigment faster: true or false.
oily_skin = false
# Weeks between two treatment sessions. Allowed 1 to 12 (usually 1-4; longer gaps
# happen).
session_interval_weeks = 3.0
# Touch-up sessions, years after the first session: each re-dots the same pattern back to
# full strength. At most 4, increasing, up to 30 years; [] for none.
touch_up_years = []

# Technique errors, for trainers: each a severity from 0 (correct work, the default) to 1
# (the worst case to show). Allowed 0 to 1 each. They change how the dots are deposited,
# and so how they look and age. `scalp compare --error NAME` shows one beside correct work.
[errors]
# Dots too big (wrong needle, pressure, passes): up to 3.2x the diameter (0.45 mm).
oversized = 0.0
# Where the oversized needle was used: "all", "hairline", "top", "crown", "sides", "back".
oversized_zone = "all"
# Deposits too deep (blowout): towards 1.0 mm, blurred, blue-grey, spreading over years.
too_deep = 0.0
# Share of the dots placed too deep. Allowed 0 to 1.
too_deep_fraction = 1.0
# Deposits too shallow: towards 0.05 mm, in the epidermis; gone within weeks.
too_shallow = 0.0
# Share of the dots left too shallow. Allowed 0 to 1.
too_shallow_fraction = 1.0
# Too dense, too dark, too big: up to 2.5x the density, 2 shades darker, 1.4x wider.
over_saturation = 0.0
# Dots in regular rows (a jittered lattice) instead of at random.
grid_spacing = 0.0
# A straight, sharp, too-low front line: band down to 1 mm, no zig-zag, 8 mm lower.
harsh_hairline = 0.0
# Darker than the shaved hair: up to 4 dilution steps darker, one shade for every session.
wrong_shade = 0.0
# Uneven sessions: a smooth noise field makes some areas denser, others sparser (0.25x to
# 1.75x the planned candidates), and the sessions miss areas, often the same ones.
patchy_density = 0.0
# Share of the treated area each session missed at patchy_density = 1 (in proportion
# below). Allowed 0 to 1.
patchy_fraction = 0.15
# Left temple corner and side higher than the right: up to 6 mm (natural: 2 mm at most).
asymmetry = 0.0

# The client's skin.
[skin]
# Fitzpatrick type "I" (very fair) ... "VI" (deeply pigmented): the epidermal melanin sets the
# skin's colour and filters the pigment (darker skin: less contrast, less blue cast).
tone = "II"

# Hair the client still has, shaved to stubble: drawn so the SMP can be judged blending into
# it (thinning clients, women, transplant patients). Off for a fully bald head.
[hair]
enabled = false
# Shaved hair colour: "black", "dark-brown", "brown", "light-brown", "blonde", "red", "grey"
# or an sRGB hex colour such as #2e2320 (in quotes). With dots.match_hair = true the
# pigment's shade and tone follow it.
color = "dark-brown"
# Natural density, hairs/cm². Allowed 10 to 400 (a full scalp has ~200).
density_per_cm2 = 200.0
# Stubble length, mm. Allowed 0.2 to 5 (0.5-3 for a buzz cut).
length_mm = 1.0
# Hair thickness, mm. Allowed 0.02 to 0.15 (scalp hairs are 0.06-0.1).
diameter_mm = 0.08
# Fraction of the natural density still growing in each zone, 0 = bald ... 1 = full.
# The default is a Norwood 6-7 client: a fringe of hair at the sides and back.
hairline = 0.0
top = 0.0
crown = 0.0
sides = 1.0
back = 1.0

# Alopecia areata: round or oval bald patches on a head that keeps its hair. With patches,
# SMP fills them only (and no hair grows in them). Each patch is
# [azimuth deg, elevation deg, width mm, height mm]: its centre seen from the head's centre at
# ear-top height (azimuth 0 = front, 90 = the client's left, -90 = right, 180 = back;
# elevation 0 = ear height, 90 = the top), then its size. At most 8; allowed azimuth -180 to
# 180, elevation -30 to 90, width and height 5 to 150 mm. [] (the default): no patches.
[alopecia]
patches = []

# Zones: per built-in zone a shade and a number of sessions, and zones of your own. The
# built-in zones' densities are in [density].
# shade: a dilution step 1 to 10 per zone (left out: dots.shade), e.g. { hairline = 6.0 }.
# sessions: the zone is worked in the first 1 to sessions.count sessions (left out: all),
# e.g. { crown = 2 }.
# custom: at most 4 polygons drawn on the scalp, the first listed winning where they overlap:
#   { name = "vertex", polygon = [[150, 40], [180, 60], [-150, 40]], density = 110,
#     shade = 8.0, sessions = 3 }
# corners are [azimuth deg, elevation deg] as for [alopecia] (3 to 12, in order round the
# zone, each within 80 deg of its middle); density 0 to 300 dots/cm2 (0 leaves it untreated,
# e.g. round a mole); shade and sessions are optional. A custom zone divides the treated
# area: it does not extend it.
[zones]
shade = {}
sessions = {}
custom = []

# Hair-transplant scars to camouflage. A linear strip scar (FUT) runs across the back of the
# head; FUE leaves small round pale scars over the donor band (back and sides). Scar tissue
# is drawn paler and smoother, takes up less of each deposit and fades faster. SMP covers the
# strip with a 3 mm margin, and the whole donor band.
[scars]
# Strip scar length, mm; 0 = none. Allowed 0 to 300 (10-25 cm is usual).
strip_length_mm = 0.0
# Its width, mm. Allowed 1 to 15 (2-10 is usual).
strip_width_mm = 5.0
# Height of its middle relative to the occipital point, mm. Allowed -60 to 40.
strip_height_mm = -15.0
# FUE punch scars, one per graft harvested; 0 = none. Allowed 0 to 6000.
fue_count = 0
# Their diameter, mm. Allowed 0.5 to 1.5 (0.8-1.0 is usual).
fue_diameter_mm = 0.9
# SMP dots per cm2 over the scars. Allowed 20 to 300.
density = 90.0
# Dilution step over the scars: 0 = dots.shade, else 1 to 10.
shade = 0.0
# Sessions the scars are worked in: 0 = every one, else the first 1 to sessions.count.
sessions = 0
# true: treat the scars alone (a client who keeps their hair); false: the scars are a zone of
# the whole treatment.
only = false
"#;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_field_has_a_spec_and_every_spec_a_field() {
        let table: toml::Table = toml::from_str(&Plan::default().to_toml()).unwrap();
        let mut names = Vec::new();
        for (k, v) in &table {
            match v.as_table() {
                Some(t) => names.extend(t.keys().map(|k2| format!("{k}.{k2}"))),
                None => names.push(k.clone()),
            }
        }
        names.sort();
        let mut specs: Vec<String> = FIELDS.iter().map(|f| f.name.to_string()).collect();
        specs.sort();
        assert_eq!(names, specs);
    }

    #[test]
    fn edit_distance_works() {
        assert_eq!(edit_distance("bandwidth_mm", "band_width_mm"), 1);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("same", "same"), 0);
    }

    #[test]
    fn key_on_line_guesses() {
        let text = "seed = 1\n[dots]\ndepth_mm = 0,35\n";
        assert_eq!(key_on_line(text, 3).as_deref(), Some("dots.depth_mm"));
        assert_eq!(key_on_line(text, 1).as_deref(), Some("seed"));
        assert_eq!(key_on_line(text, 2), None);
    }
}
