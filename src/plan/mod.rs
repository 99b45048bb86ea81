//! The treatment plan (`Plan`): what the practitioner will do, read from TOML.
//! User-facing settings only; the GPU mirrors live next to the passes that use them.
//!
//! [`Plan::load`] / [`Plan::from_toml_str`] read a plan and check it: unknown keys, wrong
//! types, TOML syntax errors and out-of-range values are reported as
//! [`ScalpError::Plan`] with the dotted field name (`hairline.band_width_mm`), the line
//! in the file, and what is allowed. [`Plan::example_toml`] is a commented plan equal to
//! [`Plan::default`].
//!
//! The module, one job per file: this file holds the types and reading/writing;
//! `schema` every key once (kind, range, unit, error note, example comment); `source`
//! where a plan came from (lines, error building); `document` the pass over the TOML
//! document (unknown keys, types); `check` the value ranges and cross-field rules;
//! `example` the commented example plan, generated from the schema; `dates` civil dates.
use std::path::Path;

use serde::{Deserialize, Serialize};
use toml::de::DeTable;

use crate::ageing::AgeingSettings;
use crate::error::{Result, ScalpError};
use crate::exposure::ExposureSettings;
pub use crate::hair::HairSettings;
use crate::technique::TechniqueErrors;

mod check;
mod dates;
mod document;
mod example;
mod schema;
mod source;

pub use dates::{date_days, days_from_civil, parse_date};
use source::{not_text, syntax_error, Doc, SYNTAX_FIELD};

/// A whole treatment plan. Defaults are the typical SMP client: a Norwood 6 whose horseshoe
/// fringe on the sides and back is razor-shaved (hair on those zones), with SMP on the hairline,
/// top and crown in a shade matched to his hair, blended into the fringe at a lower density.
/// `assets/plans/full-head.toml` is the fully bald, fully treated head.
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
            diameter_mm: 0.16,
            diameter_jitter: 0.15,
            shade: 7.0,
            spacing: 0.6,
            tone: 0.0,
            match_hair: true,
        }
    }
}

impl Default for Density {
    fn default() -> Self {
        Density {
            // Matched to the default client's razor-shaved fringe (`scalp match`, see
            // docs/calibration.md): about as many dots as he has follicles, 1.5–1.6 per mm².
            hairline: 140.0,
            top: 160.0,
            crown: 160.0,
            // The fringe keeps its own hair: SMP there only blends the top into it.
            sides: 60.0,
            back: 60.0,
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

/// The allowed range (inclusive) of a numeric plan key, e.g. `dots.shade` → (1, 10), as the
/// schema declares it; None for a key that is not a number. For code that changes a plan and
/// must stay within what a plan may hold (`scalp match`).
pub fn allowed_range(key: &str) -> Option<(f64, f64)> {
    schema::spec(key)
        .filter(|s| matches!(s.kind, schema::Kind::Float | schema::Kind::Int))
        .map(|s| (s.min, s.max))
}

impl Plan {
    /// With `dots.match_hair`, sets the shade and tone to the ink matched to the client's hair
    /// on his skin (`optics::match_hair`), so that whatever reads the plan sees the ink that is
    /// deposited; the flag stays as it was.
    pub fn resolve_matched_ink(&mut self) {
        if self.dots.match_hair {
            let (shade, tone) =
                crate::optics::match_hair(self.hair.albedo(), &self.skin.tone.layers());
            self.dots.shade = shade;
            self.dots.tone = tone;
        }
    }

    /// Reads a plan from a TOML file. A missing or unreadable file is [`ScalpError::Io`];
    /// anything wrong inside it is [`ScalpError::Plan`] with the field and line.
    pub fn load(path: &Path) -> Result<Plan> {
        let bytes = crate::limits::read_capped(path, crate::limits::MAX_TEXT_FILE_BYTES).map_err(
            |source| ScalpError::Io {
                path: path.to_path_buf(),
                source,
            },
        )?;
        // Editors that save "Unicode" write UTF-16 with a byte-order mark.
        let utf16 = bytes.starts_with(&[0xff, 0xfe]) || bytes.starts_with(&[0xfe, 0xff]);
        let text = match String::from_utf8(bytes) {
            Ok(text) => text,
            Err(e) => {
                let bad = e.utf8_error().valid_up_to();
                let line = 1 + e.as_bytes()[..bad].iter().filter(|b| **b == b'\n').count();
                return Err(ScalpError::Plan {
                    path: path.to_path_buf(),
                    line: Some(line),
                    field: SYNTAX_FIELD.to_string(),
                    message: if utf16 {
                        "the file is UTF-16 text; save the plan as UTF-8".to_string()
                    } else {
                        "the file is not UTF-8 text; save the plan as UTF-8".to_string()
                    },
                });
            }
        };
        Plan::from_toml_str(&text, path)
    }

    /// Parses and validates a plan from TOML text. `path` only labels the errors.
    /// Keys left out take their defaults ([`Plan::default`]).
    pub fn from_toml_str(text: &str, path: &Path) -> Result<Plan> {
        if let Some(e) = not_text(path, text) {
            return Err(e);
        }
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

    /// Checks every value against its allowed range (see the table `FIELDS` in
    /// `plan::schema`), that no float is NaN or infinite, and the session shares. Errors
    /// name the plan `<plan>` and carry no line, since a `Plan` in memory has no file.
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
        example::text()
    }

    /// Years from the first session until every session has healed (four weeks after the last).
    pub fn healed_years(&self) -> f32 {
        let starts = self.sessions.start_years(&self.ageing);
        starts.last().copied().unwrap_or(0.0) + 28.0 / crate::ageing::DAYS_PER_YEAR
    }
}
