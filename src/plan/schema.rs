//! The schema of a plan: every key with its kind, allowed range, unit, the note shown in
//! range errors and the comment shown in `scalp plan --example`. Each key is written here
//! once; the checks (`check`, `document`) and the example (`example`) read it.

/// The kind of value a key holds, and so how it is checked.
#[derive(Clone, Copy, Debug, PartialEq)]
pub(super) enum Kind {
    /// A whole number (u32 in the plan).
    Int,
    /// A number (f32 in the plan); TOML integers are accepted too.
    Float,
    /// `sessions.shares`: an array of numbers, checked by `check::check_shares`.
    Shares,
    /// `ageing.touch_up_years`: an array of times, checked by `check::check_touch_ups`.
    Years,
    /// `hairline.style`: one of `STYLES`.
    Style,
    /// `errors.oversized_zone`: one of `ErrorZone::NAMES`.
    Zone,
    /// `true` or `false`.
    Bool,
    /// `sessions.dates`: an array of TOML dates, checked by `check::check_dates`.
    Dates,
    /// `alopecia.patches`: an array of [azimuth, elevation, width, height], checked by
    /// `check::check_patches`.
    Patches,
    /// `hairline.control_mm`: five heights, checked by `check::check_control`.
    Control,
    /// `skin.tone`: a Fitzpatrick type, "I" … "VI".
    Tone,
    /// `hair.color`: a name from `optics::HAIR_COLOURS` or "#rrggbb".
    Colour,
    /// `hair.shave_mm`: a number of mm (ranged like `Float`) or the string "razor" (0 mm).
    Shave,
    /// `zones.shade`: a table of built-in zone → dilution step, checked by `check::check_zones`.
    ZoneShades,
    /// `zones.sessions`: a table of built-in zone → session count, checked by `check::check_zones`.
    ZoneSessions,
    /// `zones.custom`: an array of custom zones, checked by `check::check_zones` (with `[scars]`).
    CustomZones,
}

/// One key of the plan: its dotted name, kind, inclusive range, unit, a short note on
/// the practice the range comes from (shown in range errors), and its comment in the
/// example plan.
pub(super) struct FieldSpec {
    pub name: &'static str,
    pub kind: Kind,
    pub min: f64,
    pub max: f64,
    pub unit: &'static str,
    pub note: &'static str,
    /// The comment above the key in `scalp plan --example`, one entry per line (without
    /// the `# `); empty for a key the comment before it (or its section's) already explains.
    pub help: &'static [&'static str],
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
        help: &[],
    }
}

impl FieldSpec {
    /// The key's comment in the example plan.
    const fn help(self, help: &'static [&'static str]) -> FieldSpec {
        FieldSpec { help, ..self }
    }
}

/// A table of the plan (`[dots]`, …) and the comment above its header in the example.
pub(super) struct Section {
    pub name: &'static str,
    pub help: &'static [&'static str],
}

/// The tables of a plan, in file order (the order of `Plan`'s fields).
pub(super) const SECTIONS: &[Section] = &[
    Section {
        name: "dots",
        help: &[
            "How each dot is deposited.",
        ],
    },
    Section {
        name: "density",
        help: &[
            "Target density per zone, dots per cm². Allowed 1 to 1000 each.",
            "Natural hair shows ~65-100 follicular units per cm²; SMP builds to ~100 dots/cm².",
        ],
    },
    Section {
        name: "sessions",
        help: &[
            "Treatment sessions: each adds a share of the dots, the earlier ones in a lighter shade.",
        ],
    },
    Section {
        name: "hairline",
        help: &[
            "The treated area, designed from the scalp landmarks of the head.",
        ],
    },
    Section {
        name: "exposure",
        help: &[
            "The client's sun: where they live and their habits. The UV dose each dot gets a year",
            "follows from these and from how the scalp faces the sky; UV speeds fading.",
        ],
    },
    Section {
        name: "ageing",
        help: &[
            "Skin and schedule facts that change how the dots age.",
        ],
    },
    Section {
        name: "errors",
        help: &[
            "Technique errors, for trainers: each a severity from 0 (correct work, the default) to 1",
            "(the worst case to show). Allowed 0 to 1 each. They change how the dots are deposited,",
            "and so how they look and age. `scalp compare --error NAME` shows one beside correct work.",
        ],
    },
    Section {
        name: "skin",
        help: &[
            "The client's skin.",
        ],
    },
    Section {
        name: "hair",
        help: &[
            "Hair the client still has, shaved to stubble: drawn so the SMP can be judged blending into",
            "it (thinning clients, women, transplant patients). Off for a fully bald head.",
        ],
    },
    Section {
        name: "alopecia",
        help: &[
            "Alopecia areata: round or oval bald patches on a head that keeps its hair. With patches,",
            "SMP fills them only (and no hair grows in them). Each patch is",
            "[azimuth deg, elevation deg, width mm, height mm]: its centre seen from the head's centre at",
            "ear-top height (azimuth 0 = front, 90 = the client's left, -90 = right, 180 = back;",
            "elevation 0 = ear height, 90 = the top), then its size. At most 8; allowed azimuth -180 to",
            "180, elevation -30 to 90, width and height 5 to 150 mm. [] (the default): no patches.",
        ],
    },
    Section {
        name: "zones",
        help: &[
            "Zones: per built-in zone a shade and a number of sessions, and zones of your own. The",
            "built-in zones' densities are in [density].",
            "shade: a dilution step 1 to 10 per zone (left out: dots.shade), e.g. { hairline = 6.0 }.",
            "sessions: the zone is worked in the first 1 to sessions.count sessions (left out: all),",
            "e.g. { crown = 2 }.",
            "custom: at most 4 polygons drawn on the scalp, the first listed winning where they overlap:",
            "  { name = \"vertex\", polygon = [[150, 40], [180, 60], [-150, 40]], density = 110,",
            "    shade = 8.0, sessions = 3 }",
            "corners are [azimuth deg, elevation deg] as for [alopecia] (3 to 12, in order round the",
            "zone, each within 80 deg of its middle); density 0 to 300 dots/cm2 (0 leaves it untreated,",
            "e.g. round a mole); shade and sessions are optional. A custom zone divides the treated",
            "area: it does not extend it.",
        ],
    },
    Section {
        name: "scars",
        help: &[
            "Hair-transplant scars to camouflage. A linear strip scar (FUT) runs across the back of the",
            "head; FUE leaves small round pale scars over the donor band (back and sides). Scar tissue",
            "is drawn paler and smoother, takes up less of each deposit and fades faster. SMP covers the",
            "strip with a 3 mm margin, and the whole donor band.",
        ],
    },
];

/// The values `hairline.style` takes (kebab-case names of [`super::HairlineStyle`]).
pub(super) const STYLES: [&str; 3] = ["juvenile", "mature", "receding"];
/// The values `skin.tone` takes (Fitzpatrick types).
pub(super) const TONES: [&str; 6] = ["I", "II", "III", "IV", "V", "VI"];

/// The values `errors.oversized_zone` takes.
pub(super) const ZONES: [&str; 6] = crate::technique::ErrorZone::NAMES;

/// The built-in zones `zones.shade` and `zones.sessions` name.
pub(super) const BUILT_IN_ZONES: [&str; 5] = ["hairline", "top", "crown", "sides", "back"];

const MM: &str = "mm";
const DENSITY: &str = "dots/cm²";

/// Every key a plan may hold, in the order the checks visit them, with its allowed range
/// (inclusive). The numbers follow docs/design.md ("SMP practice"); ranges are wider than
/// good practice on purpose, so that trainers can show the technique errors.
#[rustfmt::skip]
pub(super) const FIELDS: &[FieldSpec] = &[
    // Any u32: the counter-based hash takes any seed.
    field("seed", Kind::Int, 0.0, u32::MAX as f64, "", "any 32-bit whole number")
        .help(&[
            "Seed of the hash every dot is drawn from: the same plan and seed give the same dots on",
            "every machine. Any whole number from 0 to 4294967295.",
        ]),
    // Correct SMP is 0.25–0.5 mm (upper dermis); < 0.1 mm sheds with the epidermis,
    // > 0.8–1.0 mm blows out. 0.02 (in the stratum corneum) to 2.5 (below the reticular
    // dermis, ~1.5 mm) lets both errors be shown, and no more.
    field("dots.depth_mm", Kind::Float, 0.02, 2.5, MM, "correct SMP deposits sit at 0.25–0.5 mm, in the upper dermis; under 0.1 is too shallow, over 0.8–1.0 too deep")
        .help(&[
            "Deposit depth below the skin surface, mm. Allowed 0.02 to 2.5.",
            "Correct SMP: 0.25-0.5 (upper dermis). Under 0.1 the pigment sheds with the epidermis",
            "within weeks; over 0.8-1.0 it blurs, spreads (\"blowout\") and reads blue-grey.",
        ]),
    // Hand-held needles vary by a fraction of the correct 0.25 mm window; 0.5 is sloppy work.
    field("dots.depth_jitter_mm", Kind::Float, 0.0, 0.5, MM, "standard deviation of the depth; the correct window is only 0.25 mm wide")
        .help(&[
            "Standard deviation of the depth from dot to dot, mm. Allowed 0 to 0.5.",
        ]),
    // Healed dots 0.10–0.17 mm; over 0.3–0.5 mm is the oversized/merging error, up to 1 mm.
    field("dots.diameter_mm", Kind::Float, 0.05, 1.0, MM, "healed dots are 0.10–0.17 mm; over 0.3–0.5 mm is an oversized-dot error")
        .help(&[
            "Healed dot diameter, mm. Allowed 0.05 to 1.0. Healed dots are 0.10-0.17;",
            "over 0.3-0.5 is an error (oversized, merging dots).",
        ]),
    // Relative standard deviation; beyond 50% dots stop reading as one needle's work.
    field("dots.diameter_jitter", Kind::Float, 0.0, 0.5, "", "relative standard deviation of the diameter, 0.15 = 15%")
        .help(&[
            "Relative standard deviation of the diameter (0.15 = 15%). Allowed 0 to 0.5.",
        ]),
    // About 1–10 dilution steps of carbon black from light grey to near black.
    field("dots.shade", Kind::Float, 1.0, 10.0, "", "dilution step: 1 = light grey … 10 = near black")
        .help(&[
            "Pigment shade as a dilution step of carbon black in water: 1 = light grey (most",
            "water) ... 10 = near black. Allowed 1 to 10. Match the client's shaved hair, not darker.",
        ]),
    // The greedy hard-core rule (random sequential adsorption) jams at a coverage of 0.547, i.e.
    // a spacing of ~0.83 of the mean; at 0.7 it already needs 5× as many candidates as dots (see
    // dots::candidate_excess), at 0.75 eleven; below 0.3 it clumps like white noise.
    field("dots.spacing", Kind::Float, 0.3, 0.7, "", "fraction of the mean spacing 1/√density; above 0.7 the target density can hardly be reached")
        .help(&[
            "Minimum distance between dot centres, as a fraction of the mean spacing",
            "1/sqrt(density): random placement with a minimum spacing (blue noise), never a grid.",
            "Allowed 0.3 to 0.7 (above that the target density can hardly be reached).",
        ]),
    field("dots.tone", Kind::Float, -1.0, 1.0, "", "−1 cool (blue-black) … 0 neutral carbon black … +1 warm (brown-black)")
        .help(&[
            "Ink tone: -1 cool (blue-black) ... 0 neutral carbon black ... +1 warm (brown-black).",
            "Allowed -1 to 1. A cool-warm mismatch with the hair makes dots read as ink.",
        ]),
    field("dots.match_hair", Kind::Bool, 0.0, 0.0, "", "")
        .help(&[
            "Take shade and tone from the client's hair colour (hair.color) on this skin: true or false.",
        ]),
    // Natural hair ~65–100 follicular units/cm², SMP builds to ~100; up to 1000 for
    // over-dense errors.
    field("density.hairline", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100")
        .help(&[
            "The soft band along the front hairline (density ramps up across it).",
        ]),
    field("density.top", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100")
        .help(&[
            "Top of the head, between the hairline and the crown.",
        ]),
    field("density.crown", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100")
        .help(&[
            "The crown (vertex).",
        ]),
    field("density.sides", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100")
        .help(&[
            "Above the ears.",
        ]),
    field("density.back", Kind::Float, 1.0, 1000.0, DENSITY, "natural hair shows ~65–100 follicular units per cm²; SMP builds to ~100")
        .help(&[
            "The back of the head, down to the nape boundary.",
        ]),
    // Practice is 3–4 sessions, 1–4 weeks apart; 6 covers touch-ups.
    field("sessions.count", Kind::Int, 1.0, 6.0, "", "SMP is usually built up over 3–4 sessions")
        .help(&[
            "Number of sessions. Allowed 1 to 6 (usual practice: 3-4, 1-4 weeks apart).",
        ]),
    // Empty, or `count` shares > 0 summing to 1 ± SHARES_SUM_TOLERANCE (30/40/30, Liu 2025).
    field("sessions.shares", Kind::Shares, 0.0, 1.0, "", "")
        .help(&[
            "Share of all dots placed in each session: exactly `count` numbers, each > 0, summing",
            "to 1 (within 0.01). Leave it out, or set [], for the built-in split: 30/40/30 for",
            "three sessions (coverage ~30% -> 70% -> 100%), equal shares otherwise.",
        ]),
    field("sessions.dates", Kind::Dates, 0.0, 0.0, "", "")
        .help(&[
            "The date of each session, exactly `count` TOML dates 1 to 12 weeks apart, e.g.",
            "[2026-03-02, 2026-03-23, 2026-04-13]; `scalp render --date 2026-05-01` then shows that day.",
            "[] (the default): sessions ageing.session_interval_weeks apart.",
        ]),
    // Each earlier session a lighter shade; more than 3 steps would leave the 1–10 scale.
    field("sessions.lighter_first_steps", Kind::Float, 0.0, 3.0, "dilution steps", "early sessions are a little lighter, the last one at `dots.shade`")
        .help(&[
            "Dilution steps lighter per session before the last one (the last session uses",
            "`dots.shade`). Allowed 0 to 3.",
        ]),
    field("hairline.style", Kind::Style, 0.0, 0.0, "", "")
        .help(&[
            "Shape of the front line: \"juvenile\" (low, straight-soft, small temple corners),",
            "\"mature\" (soft curve, moderate temple recession) or \"receding\" (deeper temple",
            "recession, rounded central forelock).",
        ]),
    // Adult hairlines sit ~60–80 mm above the glabella; 40–110 covers low juvenile lines
    // to conservative high ones.
    field("hairline.front_above_glabella_mm", Kind::Float, 40.0, 110.0, MM, "height of the front line above the brow ridge; adult lines sit at ~60–80 mm")
        .help(&[
            "Height of the front hairline above the glabella (brow ridge), mm, along +Y.",
            "Allowed 40 to 110 (adult lines sit at ~60-80).",
        ]),
    // From no recession to a deep Norwood-style temple corner.
    field("hairline.temple_recession_mm", Kind::Float, 0.0, 50.0, MM, "how far the temple corners sit behind the front line")
        .help(&[
            "How far the temple corners sit above/behind the front line, mm. Allowed 0 to 50.",
        ]),
    // Negative: the boundary runs below the ear tops.
    field("hairline.side_above_ear_mm", Kind::Float, -20.0, 80.0, MM, "boundary height above the ear tops; negative is below them")
        .help(&[
            "How far down the sides the treatment goes: boundary height above the ear tops, mm.",
            "Negative: below the ear tops. Allowed -20 to 80.",
        ]),
    // Negative: the boundary sits above the occipital point.
    field("hairline.back_below_occipital_mm", Kind::Float, -40.0, 80.0, MM, "boundary depth below the occipital point; negative is above it")
        .help(&[
            "How far down the back it goes: boundary depth below the occipital point, mm.",
            "Negative: above the occipital point. Allowed -40 to 80.",
        ]),
    // The hairline is a transition band "a few mm wide".
    field("hairline.band_width_mm", Kind::Float, 1.0, 20.0, MM, "the hairline is a soft transition band a few mm wide")
        .help(&[
            "Width of the soft transition band over which density ramps up, mm. Allowed 1 to 20",
            "(a natural hairline is a band a few mm wide).",
        ]),
    // Micro zig-zag of about a millimetre; 5 mm is visibly ragged.
    field("hairline.irregularity_mm", Kind::Float, 0.0, 5.0, MM, "amplitude of the micro zig-zag; about 1 mm looks natural")
        .help(&[
            "Amplitude of the hairline's micro zig-zag, mm. Allowed 0 to 5 (about 1 looks natural).",
        ]),
    // ≤ 2 mm left/right asymmetry looks natural; up to 5 mm shows the error.
    field("hairline.asymmetry_mm", Kind::Float, -5.0, 5.0, MM, "left side higher than the right; |x| ≤ 2 mm looks natural")
        .help(&[
            "How much higher the client's left side sits than the right, mm. Allowed -5 to 5",
            "(|x| <= 2 looks natural; more shows the asymmetry error).",
        ]),
    field("hairline.control_mm", Kind::Control, -20.0, 20.0, MM, "")
        .help(&[
            "Control points to fit the line to the client's face: how much higher (+) or lower (-) the",
            "front line sits than the style's, mm, at [left temple corner, left half, midline, right",
            "half, right temple corner] (the client's left and right). Exactly 5 numbers, each -20 to",
            "20; [] (the default) keeps the style's line.",
        ]),
    // Beyond the polar circles (±66.56°) there are days without sunrise or sunset, which
    // the yearly sun model of the exposure module does not handle.
    field("exposure.latitude_deg", Kind::Float, -66.0, 66.0, "degrees", "latitude where the client lives, north positive; the sun model holds between the polar circles")
        .help(&[
            "Latitude of where the client lives, degrees, north positive (London 51.5, Sydney",
            "-33.9). Allowed -66 to 66: beyond the polar circles the sun model does not hold.",
        ]),
    // A yearly average of daylight hours; 12 is an outdoor worker every daylight hour.
    field("exposure.hours_outdoors_per_day", Kind::Float, 0.0, 12.0, "hours/day", "daylight hours outdoors, averaged over the year")
        .help(&[
            "Hours a day spent outdoors in daylight, averaged over the year, hours/day.",
            "Allowed 0 to 12.",
        ]),
    // A fraction of the outdoor time: 0 never, 1 always.
    field("exposure.hat", Kind::Float, 0.0, 1.0, "", "fraction of the outdoor time with a hat or cap on, 0 = never … 1 = always")
        .help(&[
            "Fraction of the outdoor time with a hat or cap on: 0 = never ... 1 = always.",
            "Allowed 0 to 1.",
        ]),
    // SPF n lets 1/n of UVB through; 1 is no protection; labels stop at SPF 100.
    field("exposure.spf", Kind::Float, 1.0, 100.0, "", "sun protection factor; 1 = no protection, SPF 30 blocks ~97% of UVB")
        .help(&[
            "Sun protection factor of the sunscreen used on the scalp: SPF n lets 1/n of UVB",
            "through (SPF 30 blocks ~97%). 1 = no protection. Allowed 1 to 100.",
        ]),
    // A fraction of the outdoor time: 0 never, 1 always.
    field("exposure.sunscreen", Kind::Float, 0.0, 1.0, "", "fraction of the outdoor time with sunscreen on the scalp, 0 = never … 1 = always")
        .help(&[
            "Fraction of the outdoor time with sunscreen on the scalp: 0 = never ... 1 = always.",
            "Allowed 0 to 1.",
        ]),
    // A yes/no fact: very oily skin clears pigment faster (docs/design.md, Fading).
    field("ageing.oily_skin", Kind::Bool, 0.0, 0.0, "", "")
        .help(&[
            "Very oily skin clears pigment faster: true or false.",
        ]),
    // docs/design.md: sessions are 1–4 weeks apart; longer gaps happen, a quarter year at most.
    field("ageing.session_interval_weeks", Kind::Float, 1.0, 12.0, "weeks", "sessions are usually 1–4 weeks apart")
        .help(&[
            "Weeks between two treatment sessions. Allowed 1 to 12 (usually 1-4; longer gaps",
            "happen).",
        ]),
    // Up to four touch-ups, increasing, within the 30 years the model is evaluated over.
    field("ageing.touch_up_years", Kind::Years, 0.0, 30.0, "years", "touch-ups usually come every 3–6 years")
        .help(&[
            "Touch-up sessions, years after the first session: each re-dots the same pattern back to",
            "full strength. At most 4, increasing, up to 30 years; [] for none.",
        ]),
    field("skin.tone", Kind::Tone, 0.0, 0.0, "", "")
        .help(&[
            "Fitzpatrick type \"I\" (very fair) ... \"VI\" (deeply pigmented): the epidermal melanin sets the",
            "skin's colour and filters the pigment (darker skin: less contrast, less blue cast).",
        ]),
    field("alopecia.patches", Kind::Patches, 0.0, 0.0, "", ""),
    field("hair.enabled", Kind::Bool, 0.0, 0.0, "", ""),
    field("hair.color", Kind::Colour, 0.0, 0.0, "", "")
        .help(&[
            "Shaved hair colour: \"black\", \"dark-brown\", \"brown\", \"light-brown\", \"blonde\", \"red\", \"grey\"",
            "or an sRGB hex colour such as #2e2320 (in quotes). With dots.match_hair = true the",
            "pigment's shade and tone follow it.",
        ]),
    field("hair.grey", Kind::Float, 0.0, 1.0, "", "the share of grey (unpigmented) hairs, 0 = none … 1 = all")
        .help(&[
            "Share of grey or white hairs, 0 to 1: unpigmented, they look near white above the skin",
            "and their shafts under it hardly show. Allowed 0 to 1.",
        ]),
    // Natural scalp hair: 110–200 hairs/cm² (1.1–2.0 per mm²) in follicular units of 1–4.
    field("hair.density_per_cm2", Kind::Float, 10.0, 400.0, "hairs/cm²", "a full natural scalp has 110–200 hairs per cm²")
        .help(&[
            "Natural density, hairs/cm², in follicular units of 1-4 hairs (15% 1s, 50% 2s, 30% 3s,",
            "5% 4s). Allowed 10 to 400 (a full scalp has 110-200). The zone keys below take a",
            "fraction of it.",
        ]),
    // Razor (0) to a long buzz; clipper guards start at 0.5 mm.
    field("hair.shave_mm", Kind::Shave, 0.0, 5.0, MM, "\"razor\" is 0; clipper guards cut at 0.5–3 mm")
        .help(&[
            "Length the hair was cut to, mm, or \"razor\" (0: the shafts stay in the skin and read",
            "grey-blue through it). Allowed 0 to 5.",
        ]),
    // A week or two between shaves is usual; two months is no longer stubble.
    field("hair.days_since_shave", Kind::Float, 0.0, 60.0, "days", "hair grows back ~0.37 mm a day")
        .help(&[
            "Days since the shave: each adds ~0.37 mm of regrowth to the cut length. Allowed 0 to",
            "60.",
        ]),
    field("hair.diameter_mm", Kind::Float, 0.02, 0.15, MM, "scalp hairs are 0.06–0.1 mm thick")
        .help(&[
            "Hair thickness, mm. Allowed 0.02 to 0.15 (scalp hairs are 0.06-0.1).",
        ]),
    field("hair.hairline", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full")
        .help(&[
            "Fraction of the natural density still growing in each zone, 0 = bald ... 1 = full.",
            "The default is a Norwood 6-7 client: a fringe of hair at the sides and back.",
        ]),
    field("hair.top", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    field("hair.crown", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    field("hair.sides", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    field("hair.back", Kind::Float, 0.0, 1.0, "", "fraction of the natural density still growing, 0 = bald … 1 = full"),
    // Technique errors (src/technique.rs): a severity each, 0 = correct work … 1 = the worst
    // case a trainer shows; shares of the dots or the area are fractions.
    field("errors.oversized", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Dots too big (wrong needle, pressure, passes): up to 3.2x the diameter (0.45 mm).",
        ]),
    field("errors.oversized_zone", Kind::Zone, 0.0, 0.0, "", "")
        .help(&[
            "Where the oversized needle was used: \"all\", \"hairline\", \"top\", \"crown\", \"sides\", \"back\".",
        ]),
    field("errors.too_deep", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Deposits too deep (blowout): towards 1.0 mm, blurred, blue-grey, spreading over years.",
        ]),
    field("errors.too_deep_fraction", Kind::Float, 0.0, 1.0, "", "share of the dots placed too deep")
        .help(&[
            "Share of the dots placed too deep. Allowed 0 to 1.",
        ]),
    field("errors.too_shallow", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Deposits too shallow: towards 0.05 mm, in the epidermis; gone within weeks.",
        ]),
    field("errors.too_shallow_fraction", Kind::Float, 0.0, 1.0, "", "share of the dots left too shallow")
        .help(&[
            "Share of the dots left too shallow. Allowed 0 to 1.",
        ]),
    field("errors.over_saturation", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Too dense, too dark, too big: up to 2.5x the density, 2 shades darker, 1.4x wider.",
        ]),
    field("errors.grid_spacing", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Dots in regular rows (a jittered lattice) instead of at random.",
        ]),
    field("errors.harsh_hairline", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "A straight, sharp, too-low front line: band down to 1 mm, no zig-zag, 8 mm lower.",
        ]),
    field("errors.wrong_shade", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Darker than the shaved hair: up to 4 dilution steps darker, one shade for every session.",
        ]),
    field("errors.patchy_density", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Uneven sessions: a smooth noise field makes some areas denser, others sparser (0.25x to",
            "1.75x the planned candidates), and the sessions miss areas, often the same ones.",
        ]),
    field("errors.patchy_fraction", Kind::Float, 0.0, 1.0, "", "share of the treated area each session missed at severity 1")
        .help(&[
            "Share of the treated area each session missed at patchy_density = 1 (in proportion",
            "below). Allowed 0 to 1.",
        ]),
    field("errors.asymmetry", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Left temple corner and side higher than the right: up to 6 mm (natural: 2 mm at most).",
        ]),
    field("errors.too_light", Kind::Float, 0.0, 1.0, "", SEVERITY)
        .help(&[
            "Ink too diluted, too little of it: up to 6 dilution steps lighter (never below 1); the",
            "scalp hardly darkens and what there is fades out within two years.",
        ]),
    field("zones.shade", Kind::ZoneShades, 1.0, 10.0, "", ""),
    field("zones.sessions", Kind::ZoneSessions, 1.0, 8.0, "", ""),
    field("zones.custom", Kind::CustomZones, 0.0, 0.0, "", ""),
    // Strip (FUT) scars are 10–25 cm long; 30 cm reaches from ear to ear on a large head.
    field("scars.strip_length_mm", Kind::Float, 0.0, 300.0, MM, "0 = no strip scar; 100–250 mm is usual")
        .help(&[
            "Strip scar length, mm; 0 = none. Allowed 0 to 300 (10-25 cm is usual).",
        ]),
    field("scars.strip_width_mm", Kind::Float, 1.0, 15.0, MM, "strip scars are 2–10 mm wide")
        .help(&[
            "Its width, mm. Allowed 1 to 15 (2-10 is usual).",
        ]),
    field("scars.strip_height_mm", Kind::Float, -60.0, 40.0, MM, "height of the strip's middle relative to the occipital point")
        .help(&[
            "Height of its middle relative to the occipital point, mm. Allowed -60 to 40.",
        ]),
    // FUE: one punch scar per graft; a large case harvests a few thousand.
    field("scars.fue_count", Kind::Int, 0.0, 6000.0, "scars", "0 = no FUE scars; hundreds to a few thousand")
        .help(&[
            "FUE punch scars, one per graft harvested; 0 = none. Allowed 0 to 6000.",
        ]),
    field("scars.fue_diameter_mm", Kind::Float, 0.5, 1.5, MM, "FUE punches leave 0.8–1 mm scars")
        .help(&[
            "Their diameter, mm. Allowed 0.5 to 1.5 (0.8-1.0 is usual).",
        ]),
    field("scars.density", Kind::Float, 20.0, 300.0, "dots/cm²", "SMP density over the scars")
        .help(&[
            "SMP dots per cm2 over the scars. Allowed 20 to 300.",
        ]),
    field("scars.shade", Kind::Float, 0.0, 10.0, "", "0 = dots.shade, else a dilution step 1–10")
        .help(&[
            "Dilution step over the scars: 0 = dots.shade, else 1 to 10.",
        ]),
    field("scars.sessions", Kind::Int, 0.0, 8.0, "", "0 = every session, else the first 1 to sessions.count")
        .help(&[
            "Sessions the scars are worked in: 0 = every one, else the first 1 to sessions.count.",
        ]),
    field("scars.only", Kind::Bool, 0.0, 0.0, "", "")
        .help(&[
            "true: treat the scars alone (a client who keeps their hair); false: the scars are a zone of",
            "the whole treatment.",
        ]),
];

/// The note of every severity's range.
const SEVERITY: &str = "severity of a technique error: 0 = correct work … 1 = the worst case";

/// Keys the plan no longer has, with what replaced them (shown instead of "unknown key").
pub(super) const RENAMED: &[(&str, &str)] = &[(
    "hair.length_mm",
    "`hair.length_mm` is replaced by `hair.shave_mm` (the length cut to, mm, or \"razor\") and \
     `hair.days_since_shave` (regrowth since, ~0.37 mm a day)",
)];

/// The spec of a dotted key, if the plan has such a key.
pub(super) fn spec(name: &str) -> Option<&'static FieldSpec> {
    FIELDS.iter().find(|f| f.name == name)
}

/// Whether `name` is one of the plan's tables.
pub(super) fn is_section(name: &str) -> bool {
    SECTIONS.iter().any(|s| s.name == name)
}

/// The specs of the keys of table `section`, in `FIELDS` order.
pub(super) fn fields_of(section: &str) -> impl Iterator<Item = &'static FieldSpec> + '_ {
    FIELDS
        .iter()
        .filter(move |f| f.name.split_once('.').is_some_and(|(s, _)| s == section))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;

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
}
