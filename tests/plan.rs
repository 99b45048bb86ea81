//! Reading, writing and checking treatment plans (`scalp::plan`).
use std::path::{Path, PathBuf};

use scalp::ageing::AgeingSettings;
use scalp::exposure::ExposureSettings;
use scalp::plan::{HairlineStyle, Plan};
use scalp::ScalpError;

fn parse(text: &str) -> scalp::Result<Plan> {
    Plan::from_toml_str(text, Path::new("plan.toml"))
}

/// The parts of a `ScalpError::Plan`; panics on any other result.
fn plan_error(text: &str) -> (Option<usize>, String, String, String) {
    match parse(text) {
        Err(e @ ScalpError::Plan { .. }) => {
            let shown = e.to_string();
            let ScalpError::Plan {
                line,
                field,
                message,
                ..
            } = e
            else {
                unreachable!()
            };
            (line, field, message, shown)
        }
        Err(other) => panic!("expected a plan error for\n{text}\ngot {other:?}"),
        Ok(plan) => panic!("expected a plan error for\n{text}\ngot {plan:?}"),
    }
}

/// A plan that sets one key, with padding so the key sits on a known line.
/// Returns the text and the key's line.
fn plan_setting(name: &str, value: &str) -> (String, usize) {
    match name.split_once('.') {
        None => (format!("# test plan\n\n\n{name} = {value}\n"), 4),
        Some((section, key)) => (
            format!(
                "# test plan\nseed = 9\n\n[{section}]\n# the key under test:\n{key} = {value}\n"
            ),
            6,
        ),
    }
}

#[test]
fn default_validates() {
    Plan::default().validate().unwrap();
}

#[test]
fn example_parses_to_default() {
    let plan = parse(Plan::example_toml()).unwrap();
    assert_eq!(plan, Plan::default());
}

#[test]
fn the_old_stubble_key_names_its_replacement_and_razor_is_a_length() {
    let e = Plan::from_toml_str("[hair]\nlength_mm = 1.0\n", Path::new("p.toml"))
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("hair.length_mm") && e.contains("hair.shave_mm") && e.contains(":2:"),
        "{e}"
    );
    let plan = Plan::from_toml_str("[hair]\nshave_mm = \"razor\"\n", Path::new("p.toml")).unwrap();
    assert_eq!(plan.hair.shave_mm, 0.0);
    let e = Plan::from_toml_str("[hair]\nshave_mm = \"buzz\"\n", Path::new("p.toml"))
        .unwrap_err()
        .to_string();
    assert!(e.contains("hair.shave_mm") && e.contains("razor"), "{e}");
}

#[test]
fn example_sets_every_key() {
    fn keys(text: &str) -> Vec<String> {
        let table: toml::Table = toml::from_str(text).unwrap();
        let mut names = Vec::new();
        for (k, v) in &table {
            match v.as_table() {
                Some(t) => names.extend(t.keys().map(|k2| format!("{k}.{k2}"))),
                None => names.push(k.clone()),
            }
        }
        names.sort();
        names
    }
    let example = keys(Plan::example_toml());
    assert_eq!(example, keys(&Plan::default().to_toml()));
    // 32 keys of the treatment, 14 of the technique errors, 15 of skin, hair and ink, 1 of
    // alopecia, 1 of hairline control points, 3 of zones, 9 of scars.
    assert_eq!(example.len(), 75);
    // Every key has a comment with its range (or its choices).
    for line in Plan::example_toml().lines() {
        assert!(line.len() <= 100, "long line in example: {line}");
    }
    assert!(Plan::example_toml().contains("Allowed 0.02 to 2.5"));
    for range in [
        "Allowed -66 to 66",
        "Allowed 0 to 12",
        "Allowed 1 to 100",
        "Allowed 1 to 12",
    ] {
        assert!(Plan::example_toml().contains(range), "{range}");
    }
}

#[test]
fn example_exposure_and_ageing_are_the_defaults() {
    let plan = parse(Plan::example_toml()).unwrap();
    assert_eq!(plan.exposure, ExposureSettings::default());
    assert_eq!(plan.ageing, AgeingSettings::default());
    assert!(Plan::example_toml().contains("\n[exposure]\n"));
    assert!(Plan::example_toml().contains("\n[ageing]\n"));
}

#[test]
fn to_toml_round_trips() {
    let default = Plan::default();
    assert_eq!(parse(&default.to_toml()).unwrap(), default);

    let mut plan = Plan {
        seed: u32::MAX,
        ..Plan::default()
    };
    plan.dots.depth_mm = 1.2;
    plan.dots.shade = 4.5;
    plan.density.crown = 73.3;
    plan.sessions.count = 4;
    plan.sessions.shares = vec![];
    plan.sessions.lighter_first_steps = 0.0;
    plan.hairline.style = HairlineStyle::Receding;
    plan.hairline.side_above_ear_mm = -12.5;
    plan.hairline.asymmetry_mm = -1.7;
    plan.validate().unwrap();
    let text = plan.to_toml();
    assert_eq!(parse(&text).unwrap(), plan, "{text}");

    plan.sessions.count = 2;
    plan.sessions.shares = vec![0.45, 0.55];
    assert_eq!(parse(&plan.to_toml()).unwrap(), plan);

    plan.exposure = ExposureSettings {
        latitude_deg: -33.9,
        hours_outdoors_per_day: 6.25,
        hat: 0.4,
        spf: 30.0,
        sunscreen: 0.75,
    };
    plan.ageing = AgeingSettings {
        oily_skin: true,
        session_interval_weeks: 2.5,
        touch_up_years: vec![4.0, 9.5],
    };
    plan.validate().unwrap();
    let text = plan.to_toml();
    assert!(
        text.contains("[exposure]") && text.contains("[ageing]"),
        "{text}"
    );
    assert_eq!(parse(&text).unwrap(), plan, "{text}");
}

#[test]
fn empty_plan_is_default() {
    assert_eq!(parse("").unwrap(), Plan::default());
    assert_eq!(parse("# only a comment\n").unwrap(), Plan::default());
}

#[test]
fn partial_plan_fills_defaults() {
    let plan =
        parse("seed = 42\n[dots]\ndepth_mm = 0.9\n[hairline]\nstyle = \"juvenile\"\n").unwrap();
    let mut expected = Plan {
        seed: 42,
        ..Plan::default()
    };
    expected.dots.depth_mm = 0.9;
    expected.hairline.style = HairlineStyle::Juvenile;
    assert_eq!(plan, expected);

    // Dotted keys and inline tables work too.
    let plan = parse("density.top = 80\nsessions = { lighter_first_steps = 2 }\n").unwrap();
    assert_eq!(plan.density.top, 80.0);
    assert_eq!(plan.density.crown, Plan::default().density.crown);
    assert_eq!(plan.sessions.lighter_first_steps, 2.0);
    assert_eq!(plan.sessions.count, 3);
}

#[test]
fn partial_exposure_and_ageing_fill_defaults() {
    let plan = parse(
        "[exposure]
spf = 30
[ageing]
oily_skin = true
",
    )
    .unwrap();
    let mut expected = Plan::default();
    expected.exposure.spf = 30.0;
    expected.ageing.oily_skin = true;
    assert_eq!(plan, expected);
    assert_eq!(plan.exposure.latitude_deg, 51.5);
    assert_eq!(plan.ageing.session_interval_weeks, 3.0);

    // Sections left out entirely take their defaults.
    let plan = parse(
        "seed = 5
[dots]
shade = 6
",
    )
    .unwrap();
    assert_eq!(plan.exposure, ExposureSettings::default());
    assert_eq!(plan.ageing, AgeingSettings::default());

    // An empty section, dotted keys and inline tables.
    assert_eq!(
        parse(
            "[exposure]
[ageing]
"
        )
        .unwrap(),
        Plan::default()
    );
    let plan = parse(
        "exposure.hat = 1
ageing = { session_interval_weeks = 4 }
",
    )
    .unwrap();
    assert_eq!(plan.exposure.hat, 1.0);
    assert_eq!(plan.exposure.sunscreen, 0.0);
    assert_eq!(plan.ageing.session_interval_weeks, 4.0);
    assert!(!plan.ageing.oily_skin);
}

#[test]
fn integers_are_accepted_for_numbers() {
    let plan = parse("[dots]\nshade = 8\n[density]\nback = 120\n").unwrap();
    assert_eq!(plan.dots.shade, 8.0);
    assert_eq!(plan.density.back, 120.0);
    assert_eq!(parse("seed = 1_000").unwrap().seed, 1000);
    assert_eq!(parse("seed = 0x10").unwrap().seed, 16);
}

#[test]
fn range_bounds_are_inclusive() {
    let text = "seed = 0\n[dots]\ndepth_mm = 0.02\nspacing = 0.7\n[hairline]\n\
                side_above_ear_mm = -20\nasymmetry_mm = 5\n[sessions]\ncount = 6\n";
    let plan = parse(text).unwrap();
    assert_eq!(plan.seed, 0);
    assert_eq!(plan.dots.depth_mm, 0.02);
    assert_eq!(plan.dots.spacing, 0.7);
    assert_eq!(plan.sessions.count, 6);
    assert!(plan.sessions.shares.is_empty());
    assert_eq!(parse("seed = 4294967295").unwrap().seed, u32::MAX);

    let low = "[exposure]
latitude_deg = -66
hours_outdoors_per_day = 0
hat = 0
spf = 1
\
               sunscreen = 0
[ageing]
session_interval_weeks = 1
";
    let plan = parse(low).unwrap();
    assert_eq!(plan.exposure.latitude_deg, -66.0);
    assert_eq!(plan.exposure.hours_outdoors_per_day, 0.0);
    assert_eq!(plan.exposure.spf, 1.0);
    assert_eq!(plan.ageing.session_interval_weeks, 1.0);
    let high = "[exposure]
latitude_deg = 66
hours_outdoors_per_day = 12
hat = 1
\
                spf = 100
sunscreen = 1.0
[ageing]
session_interval_weeks = 12.0
";
    let plan = parse(high).unwrap();
    assert_eq!(plan.exposure.latitude_deg, 66.0);
    assert_eq!(plan.exposure.hours_outdoors_per_day, 12.0);
    assert_eq!(plan.exposure.hat, 1.0);
    assert_eq!(plan.exposure.spf, 100.0);
    assert_eq!(plan.exposure.sunscreen, 1.0);
    assert_eq!(plan.ageing.session_interval_weeks, 12.0);
}

/// (dotted name, a value below the range, a value above it, "min", "max", unit)
const RANGES: &[(&str, &str, &str, &str, &str, &str)] = &[
    ("seed", "-1", "4294967296", "0", "4294967295", ""),
    ("dots.depth_mm", "0.01", "2.6", "0.02", "2.5", "mm"),
    ("dots.depth_jitter_mm", "-0.1", "0.75", "0", "0.5", "mm"),
    ("dots.diameter_mm", "0.04", "1.5", "0.05", "1", "mm"),
    ("dots.diameter_jitter", "-0.2", "0.6", "0", "0.5", ""),
    ("dots.shade", "0.5", "11", "1", "10", ""),
    ("dots.spacing", "0.2", "0.9", "0.3", "0.7", ""),
    ("dots.tone", "-1.5", "1.01", "-1", "1", ""),
    ("hair.density_per_cm2", "5", "401", "10", "400", "hairs/cm²"),
    ("hair.shave_mm", "-0.1", "6", "0", "5", "mm"),
    ("hair.days_since_shave", "-1", "61", "0", "60", "days"),
    ("hair.grey", "-0.1", "1.5", "0", "1", ""),
    ("hair.diameter_mm", "0.01", "0.2", "0.02", "0.15", "mm"),
    ("hair.hairline", "-0.1", "1.1", "0", "1", ""),
    ("hair.top", "-1", "2", "0", "1", ""),
    ("hair.crown", "-0.01", "1.5", "0", "1", ""),
    ("hair.sides", "-0.5", "1.01", "0", "1", ""),
    ("hair.back", "-2", "3", "0", "1", ""),
    ("density.hairline", "0", "1001", "1", "1000", "dots/cm²"),
    ("density.top", "0.5", "2000", "1", "1000", "dots/cm²"),
    ("density.crown", "-3", "1000.5", "1", "1000", "dots/cm²"),
    ("density.sides", "0", "5000", "1", "1000", "dots/cm²"),
    ("density.back", "0.9", "1e6", "1", "1000", "dots/cm²"),
    ("sessions.count", "0", "7", "1", "6", ""),
    (
        "sessions.lighter_first_steps",
        "-1",
        "3.5",
        "0",
        "3",
        "dilution steps",
    ),
    (
        "hairline.front_above_glabella_mm",
        "39",
        "111",
        "40",
        "110",
        "mm",
    ),
    ("hairline.temple_recession_mm", "-1", "51", "0", "50", "mm"),
    ("hairline.side_above_ear_mm", "-21", "81", "-20", "80", "mm"),
    (
        "hairline.back_below_occipital_mm",
        "-41",
        "80.5",
        "-40",
        "80",
        "mm",
    ),
    ("hairline.band_width_mm", "0.5", "25", "1", "20", "mm"),
    ("hairline.irregularity_mm", "-0.5", "6", "0", "5", "mm"),
    ("hairline.asymmetry_mm", "-5.5", "7", "-5", "5", "mm"),
    (
        "exposure.latitude_deg",
        "-66.5",
        "67",
        "-66",
        "66",
        "degrees",
    ),
    ("exposure.latitude_deg", "-90", "90", "-66", "66", "degrees"),
    (
        "exposure.hours_outdoors_per_day",
        "-0.5",
        "12.5",
        "0",
        "12",
        "hours/day",
    ),
    ("exposure.hat", "-0.1", "1.1", "0", "1", ""),
    ("exposure.spf", "0.5", "101", "1", "100", ""),
    ("exposure.spf", "0", "150", "1", "100", ""),
    ("exposure.sunscreen", "-1", "1.5", "0", "1", ""),
    (
        "ageing.session_interval_weeks",
        "0.5",
        "13",
        "1",
        "12",
        "weeks",
    ),
    (
        "ageing.session_interval_weeks",
        "0",
        "52",
        "1",
        "12",
        "weeks",
    ),
    ("errors.oversized", "-0.1", "1.5", "0", "1", ""),
    ("errors.too_deep", "-1", "2", "0", "1", ""),
    ("errors.too_deep_fraction", "-0.5", "1.1", "0", "1", ""),
    ("errors.too_shallow", "-0.01", "1.01", "0", "1", ""),
    ("errors.too_shallow_fraction", "-1", "3", "0", "1", ""),
    ("errors.over_saturation", "-0.2", "1.2", "0", "1", ""),
    ("errors.grid_spacing", "-1", "10", "0", "1", ""),
    ("errors.harsh_hairline", "-0.3", "1.3", "0", "1", ""),
    ("errors.wrong_shade", "-2", "4", "0", "1", ""),
    ("errors.patchy_density", "-0.4", "1.4", "0", "1", ""),
    ("errors.patchy_fraction", "-0.25", "1.25", "0", "1", ""),
    ("errors.asymmetry", "-0.6", "1.6", "0", "1", ""),
    ("errors.too_light", "-0.1", "1.1", "0", "1", ""),
    ("scars.strip_length_mm", "-1", "301", "0", "300", "mm"),
    ("scars.strip_width_mm", "0.5", "16", "1", "15", "mm"),
    ("scars.strip_height_mm", "-61", "41", "-60", "40", "mm"),
    ("scars.fue_count", "-1", "6001", "0", "6000", "scars"),
    ("scars.fue_diameter_mm", "0.4", "1.6", "0.5", "1.5", "mm"),
    ("scars.density", "19", "301", "20", "300", "dots/cm²"),
    ("scars.shade", "-1", "11", "0", "10", ""),
    ("scars.sessions", "-1", "9", "0", "8", ""),
];

#[test]
fn skin_tone_and_hair_colour_are_checked_with_the_choices() {
    let bad = |text: &str| {
        Plan::from_toml_str(text, std::path::Path::new("p.toml"))
            .unwrap_err()
            .to_string()
    };
    let e = bad("[skin]\ntone = \"VII\"\n");
    assert!(
        e.contains("p.toml:2") && e.contains("skin.tone") && e.contains("\"VI\""),
        "{e}"
    );
    let e = bad("[skin]\ntone = 3\n");
    assert!(e.contains("wrong type"), "{e}");
    let e = bad("[hair]\ncolor = \"#12345\"\n");
    assert!(
        e.contains("hair.color") && e.contains("dark-brown") && e.contains("#rrggbb"),
        "{e}"
    );
    let ok = Plan::from_toml_str(
        "[skin]\ntone = \"V\"\n[hair]\nenabled = true\ncolor = \"#3a2b24\"\n",
        std::path::Path::new("p.toml"),
    )
    .unwrap();
    assert_eq!(ok.skin.tone, scalp::optics::SkinTone::V);
    assert!(ok.hair.enabled);
}

#[test]
fn every_numeric_field_has_a_range_test() {
    // Every key of the default plan except the non-numeric ones appears in RANGES.
    let table: toml::Table = toml::from_str(&Plan::default().to_toml()).unwrap();
    // Arrays and non-numbers have tests of their own (shares, touch-up years, style, bool).
    let non_numeric = [
        "sessions.shares",
        "hairline.style",
        "ageing.oily_skin",
        "ageing.touch_up_years",
        "dots.match_hair",
        "skin.tone",
        "hair.enabled",
        "hair.color",
        "errors.oversized_zone",
        "sessions.dates",
        "alopecia.patches",
        "hairline.control_mm",
        "zones.shade",
        "zones.sessions",
        "zones.custom",
        "scars.only",
    ];
    for (k, v) in &table {
        let names: Vec<String> = match v.as_table() {
            Some(t) => t.keys().map(|k2| format!("{k}.{k2}")).collect(),
            None => vec![k.clone()],
        };
        for name in names {
            if non_numeric.contains(&name.as_str()) {
                continue;
            }
            assert!(
                RANGES.iter().any(|r| r.0 == name),
                "no range test for {name}"
            );
        }
    }
}

#[test]
fn every_range_is_checked_with_field_value_range_and_line() {
    for &(name, low, high, min, max, unit) in RANGES {
        for value in [low, high] {
            let (text, expected_line) = plan_setting(name, value);
            let (line, field, message, shown) = plan_error(&text);
            assert_eq!(field, name, "{shown}");
            assert_eq!(line, Some(expected_line), "{shown}");
            // The value as TOML wrote it and as f32 shows it agree for these numbers,
            // except 1e6, which f32 shows as 1000000.
            let value_shown = if value == "1e6" { "1000000" } else { value };
            assert!(
                message.contains(value_shown),
                "value {value} missing: {shown}"
            );
            assert!(
                message.contains(&format!("allowed {min} to {max}")),
                "{shown}"
            );
            assert!(message.contains("out of range"), "{shown}");
            if !unit.is_empty() {
                assert!(
                    message.contains(&format!("{max} {unit}")),
                    "unit missing: {shown}"
                );
            }
            assert!(
                shown.starts_with(&format!("plan.toml:{expected_line}: field `{name}`: ")),
                "{shown}"
            );
        }
    }
}

#[test]
fn range_error_message_reads_well() {
    let (_, _, _, shown) = plan_error("[dots]\ndepth_mm = 3.0\n");
    assert_eq!(
        shown,
        "plan.toml:2: field `dots.depth_mm`: 3 mm is out of range; allowed 0.02 to 2.5 mm \
         (correct SMP deposits sit at 0.25–0.5 mm, in the upper dermis; under 0.1 is too \
         shallow, over 0.8–1.0 too deep)"
    );
}

#[test]
fn range_error_line_for_dotted_and_inline_keys() {
    let (line, field, _, _) = plan_error("seed = 1\n\ndots.depth_mm = 3\n");
    assert_eq!((line, field.as_str()), (Some(3), "dots.depth_mm"));
    let (line, field, _, _) = plan_error("seed = 1\nhairline = { band_width_mm = 0 }\n");
    assert_eq!((line, field.as_str()), (Some(2), "hairline.band_width_mm"));
}

#[test]
fn non_finite_values_are_refused() {
    for value in ["nan", "inf", "-inf", "+nan"] {
        let (text, expected_line) = plan_setting("dots.shade", value);
        let (line, field, message, shown) = plan_error(&text);
        assert_eq!(field, "dots.shade");
        assert_eq!(line, Some(expected_line));
        assert!(message.contains("not a finite number"), "{shown}");
        assert!(message.contains("allowed 1 to 10"), "{shown}");
    }
    let (text, _) = plan_setting("hairline.asymmetry_mm", "nan");
    let (_, field, message, _) = plan_error(&text);
    assert_eq!(field, "hairline.asymmetry_mm");
    assert!(message.contains("NaN"));

    for (name, range) in [
        ("exposure.latitude_deg", "allowed -66 to 66 degrees"),
        (
            "exposure.hours_outdoors_per_day",
            "allowed 0 to 12 hours/day",
        ),
        ("exposure.hat", "allowed 0 to 1"),
        ("exposure.spf", "allowed 1 to 100"),
        ("exposure.sunscreen", "allowed 0 to 1"),
        ("ageing.session_interval_weeks", "allowed 1 to 12 weeks"),
    ] {
        for value in ["nan", "inf", "-inf"] {
            let (text, expected_line) = plan_setting(name, value);
            let (line, field, message, shown) = plan_error(&text);
            assert_eq!(field, name, "{shown}");
            assert_eq!(line, Some(expected_line), "{shown}");
            assert!(message.contains("not a finite number"), "{shown}");
            assert!(message.contains(range), "{shown}");
        }
    }
}

#[test]
fn validate_without_a_file() {
    let mut plan = Plan::default();
    plan.dots.diameter_mm = f32::NAN;
    match plan.validate() {
        Err(ScalpError::Plan {
            path,
            line,
            field,
            message,
        }) => {
            assert_eq!(path, PathBuf::from("<plan>"));
            assert_eq!(line, None);
            assert_eq!(field, "dots.diameter_mm");
            assert!(message.contains("finite"));
        }
        other => panic!("{other:?}"),
    }
    let mut plan = Plan::default();
    plan.sessions.count = 0;
    let e = plan.validate().unwrap_err().to_string();
    assert!(
        e.starts_with("<plan>: field `sessions.count`: 0 is out of range"),
        "{e}"
    );

    let mut plan = Plan::default();
    plan.exposure.latitude_deg = 70.0;
    let e = plan.validate().unwrap_err().to_string();
    assert!(
        e.starts_with(
            "<plan>: field `exposure.latitude_deg`: 70 degrees is out of range; \
             allowed -66 to 66 degrees"
        ),
        "{e}"
    );
    let mut plan = Plan::default();
    plan.ageing.session_interval_weeks = f32::INFINITY;
    let e = plan.validate().unwrap_err().to_string();
    assert!(
        e.contains("ageing.session_interval_weeks") && e.contains("not a finite number"),
        "{e}"
    );
}

#[test]
fn unknown_key_at_top_level() {
    let (line, field, message, shown) = plan_error("seed = 1\n\nsead = 2\n");
    assert_eq!(line, Some(3));
    assert_eq!(field, "sead");
    assert!(message.contains("unknown key"), "{shown}");
    assert!(
        message.contains("seed, dots, density, sessions, hairline, exposure, ageing"),
        "{shown}"
    );
    assert!(message.contains("did you mean `seed`?"), "{shown}");

    // A key that belongs in a table.
    let (line, field, message, _) = plan_error("\ndepth_mm = 0.3\n");
    assert_eq!((line, field.as_str()), (Some(2), "depth_mm"));
    assert!(
        message.contains("did you mean `dots.depth_mm`?"),
        "{message}"
    );

    // An unknown table.
    let (line, field, _, _) = plan_error("[dots]\ndepth_mm = 0.3\n[colour]\nhue = 1\n");
    assert_eq!((line, field.as_str()), (Some(3), "colour"));
}

#[test]
fn unknown_key_inside_a_table() {
    let text = "seed = 3\n[hairline]\nstyle = \"mature\"\nbandwidth_mm = 4\n";
    let (line, field, message, shown) = plan_error(text);
    assert_eq!(line, Some(4));
    assert_eq!(field, "hairline.bandwidth_mm");
    assert!(message.contains("allowed keys in [hairline]: style, front_above_glabella_mm"));
    assert!(
        message.contains("band_width_mm, irregularity_mm, asymmetry_mm"),
        "{shown}"
    );
    assert!(
        message.contains("did you mean `hairline.band_width_mm`?"),
        "{shown}"
    );
    assert!(shown.starts_with("plan.toml:4: field `hairline.bandwidth_mm`: unknown key"));

    let (line, field, message, _) = plan_error("[dots]\n\n\ncount = 3\n");
    assert_eq!((line, field.as_str()), (Some(4), "dots.count"));
    assert!(
        message.contains("did you mean `sessions.count`?"),
        "{message}"
    );
}

#[test]
fn unknown_key_inside_exposure_and_ageing() {
    let text = "seed = 3\n[exposure]\nspf = 30\n\nlattitude_deg = 40\n";
    let (line, field, message, shown) = plan_error(text);
    assert_eq!(line, Some(5), "{shown}");
    assert_eq!(field, "exposure.lattitude_deg");
    assert!(
        message.contains(
            "allowed keys in [exposure]: latitude_deg, hours_outdoors_per_day, hat, spf, \
             sunscreen"
        ),
        "{shown}"
    );
    assert!(
        message.contains("did you mean `exposure.latitude_deg`?"),
        "{shown}"
    );
    assert!(
        shown.starts_with("plan.toml:5: field `exposure.lattitude_deg`: unknown key"),
        "{shown}"
    );

    // A key without any near miss: allowed keys, no suggestion.
    let (line, field, message, shown) = plan_error("[exposure]\nuv_index = 8\n");
    assert_eq!((line, field.as_str()), (Some(2), "exposure.uv_index"));
    assert!(message.contains("unknown key"), "{shown}");
    assert!(!message.contains("did you mean"), "{shown}");

    // A key of another section.
    let (line, field, message, _) = plan_error("[exposure]\noily_skin = true\n");
    assert_eq!((line, field.as_str()), (Some(2), "exposure.oily_skin"));
    assert!(
        message.contains("did you mean `ageing.oily_skin`?"),
        "{message}"
    );

    let (line, field, message, shown) = plan_error("[ageing]\n\noilyskin = true\n");
    assert_eq!((line, field.as_str()), (Some(3), "ageing.oilyskin"));
    assert!(
        message.contains("allowed keys in [ageing]: oily_skin, session_interval_weeks"),
        "{shown}"
    );
    assert!(
        message.contains("did you mean `ageing.oily_skin`?"),
        "{shown}"
    );

    // At the top level.
    let (line, field, message, _) = plan_error("seed = 1\nspf = 30\n");
    assert_eq!((line, field.as_str()), (Some(2), "spf"));
    assert!(
        message.contains("did you mean `exposure.spf`?"),
        "{message}"
    );
    let (line, field, message, _) = plan_error("exposre = 1\n");
    assert_eq!((line, field.as_str()), (Some(1), "exposre"));
    assert!(message.contains("did you mean `exposure`?"), "{message}");
}

#[test]
fn wrong_types_say_expected_and_found() {
    let cases: &[(&str, usize, &str, &str, &str)] = &[
        (
            "[dots]\n\ndepth_mm = \"deep\"\n",
            3,
            "dots.depth_mm",
            "a number (mm)",
            "the string \"deep\"",
        ),
        (
            "seed = 1.5\n",
            1,
            "seed",
            "a whole number",
            "the decimal number 1.5",
        ),
        (
            "[sessions]\ncount = 2.0\n",
            2,
            "sessions.count",
            "a whole number",
            "2.0",
        ),
        (
            "[density]\ntop = true\n",
            2,
            "density.top",
            "a number",
            "the boolean true",
        ),
        (
            "[hairline]\nstyle = 3\n",
            2,
            "hairline.style",
            "one of the strings",
            "the whole number 3",
        ),
        ("\ndots = 3\n", 2, "dots", "a table", "the whole number 3"),
        (
            "[dots]\nshade = [7]\n",
            2,
            "dots.shade",
            "a number",
            "an array",
        ),
        (
            "[sessions]\nshares = \"even\"\n",
            2,
            "sessions.shares",
            "an array of numbers",
            "\"even\"",
        ),
        (
            "[hairline]\nirregularity_mm = 1979-05-27\n",
            2,
            "hairline.irregularity_mm",
            "a number (mm)",
            "date-time",
        ),
    ];
    for &(text, expected_line, name, expected, found) in cases {
        let (line, field, message, shown) = plan_error(text);
        assert_eq!(field, name, "{shown}");
        assert_eq!(line, Some(expected_line), "{shown}");
        assert!(message.contains("wrong type"), "{shown}");
        assert!(message.contains(&format!("expected {expected}")), "{shown}");
        assert!(
            message.contains("found") && message.contains(found),
            "{shown}"
        );
    }

    let new_cases: &[(&str, usize, &str, &str, &str)] = &[
        (
            "[ageing]\n\noily_skin = \"yes\"\n",
            3,
            "ageing.oily_skin",
            "a boolean (true or false)",
            "the string \"yes\"",
        ),
        (
            "[ageing]\noily_skin = 1\n",
            2,
            "ageing.oily_skin",
            "a boolean",
            "the whole number 1",
        ),
        (
            "[ageing]\noily_skin = [true]\n",
            2,
            "ageing.oily_skin",
            "a boolean",
            "an array",
        ),
        (
            "[ageing]\nsession_interval_weeks = \"3\"\n",
            2,
            "ageing.session_interval_weeks",
            "a number (weeks)",
            "the string \"3\"",
        ),
        (
            "[exposure]\nlatitude_deg = \"51N\"\n",
            2,
            "exposure.latitude_deg",
            "a number (degrees)",
            "the string \"51N\"",
        ),
        (
            "[exposure]\nhat = true\n",
            2,
            "exposure.hat",
            "a number",
            "the boolean true",
        ),
        (
            "[exposure]\nspf = { value = 30 }\n",
            2,
            "exposure.spf",
            "a number",
            "a table",
        ),
        (
            "exposure = 1\n",
            1,
            "exposure",
            "a table",
            "the whole number 1",
        ),
        ("ageing = \"oily\"\n", 1, "ageing", "a table", "the string"),
    ];
    for &(text, expected_line, name, expected, found) in new_cases {
        let (line, field, message, shown) = plan_error(text);
        assert_eq!(field, name, "{shown}");
        assert_eq!(line, Some(expected_line), "{shown}");
        assert!(message.contains("wrong type"), "{shown}");
        assert!(message.contains(&format!("expected {expected}")), "{shown}");
        assert!(
            message.contains("found") && message.contains(found),
            "{shown}"
        );
    }

    let (line, field, message, _) = plan_error("[sessions]\nshares = [\n  0.5,\n  \"half\",\n]\n");
    assert_eq!((line, field.as_str()), (Some(4), "sessions.shares[1]"));
    assert!(message.contains("expected a number"), "{message}");

    let (line, field, message, _) = plan_error("[hairline]\nstyle = \"bald\"\n");
    assert_eq!((line, field.as_str()), (Some(2), "hairline.style"));
    assert!(
        message.contains("\"bald\"") && message.contains("\"juvenile\", \"mature\", \"receding\"")
    );
}

#[test]
fn syntax_errors_have_lines() {
    let (line, field, message, shown) = plan_error("seed = 1\n[dots]\ndepth_mm = 0,35\n");
    assert_eq!(line, Some(3), "{shown}");
    assert_eq!(field, "dots.depth_mm");
    assert!(message.starts_with("invalid TOML at column"), "{shown}");
    assert!(message.contains("depth_mm = 0,35"), "{shown}");

    let (line, field, _, shown) = plan_error("seed = 1\n\n[dots\ndepth_mm = 0.3\n");
    assert_eq!(line, Some(3), "{shown}");
    assert_eq!(field, "(TOML syntax)");

    let (line, _, _, shown) = plan_error("[hairline]\nstyle = \"mature\nband_width_mm = 2\n");
    assert_eq!(line, Some(2), "{shown}");

    // A key given twice.
    let (line, _, message, shown) = plan_error("[dots]\nshade = 7\n\nshade = 8\n");
    assert_eq!(line, Some(4), "{shown}");
    assert!(message.contains("duplicate"), "{shown}");
}

#[test]
fn count_alone_uses_built_in_split() {
    let plan = parse("[sessions]\ncount = 2\n").unwrap();
    assert!(plan.sessions.shares.is_empty());
    assert_eq!(plan.sessions.effective_shares(), vec![0.5, 0.5]);

    let plan = parse("sessions.count = 4\n").unwrap();
    assert_eq!(plan.sessions.effective_shares(), vec![0.25; 4]);

    let plan = parse("[sessions]\ncount = 3\n").unwrap();
    assert_eq!(plan.sessions, Plan::default().sessions);
    assert_eq!(plan.sessions.effective_shares(), vec![0.3, 0.4, 0.3]);

    let plan = parse("[sessions]\ncount = 3\nshares = []\n").unwrap();
    assert_eq!(plan.sessions.effective_shares(), vec![0.3, 0.4, 0.3]);

    let plan = parse("[sessions]\ncount = 2\nshares = [0.4, 0.6]\n").unwrap();
    assert_eq!(plan.sessions.effective_shares(), vec![0.4, 0.6]);
    // Sums within 0.01 of 1 pass.
    parse("[sessions]\ncount = 3\nshares = [0.33, 0.33, 0.33]\n").unwrap();
}

#[test]
fn shares_errors() {
    // Wrong length, with count given or defaulted.
    let (line, field, message, shown) =
        plan_error("[sessions]\ncount = 2\nshares = [0.3, 0.4, 0.3]\n");
    assert_eq!((line, field.as_str()), (Some(3), "sessions.shares"));
    assert!(
        message.contains("has 3 values but sessions.count is 2"),
        "{shown}"
    );
    let (line, _, message, _) = plan_error("[sessions]\nshares = [0.5, 0.5]\n");
    assert_eq!(line, Some(2));
    assert!(
        message.contains("has 2 values but sessions.count is 3"),
        "{message}"
    );

    // Sum.
    let (line, field, message, shown) =
        plan_error("[sessions]\ncount = 3\n\nshares = [0.3, 0.4, 0.4]\n");
    assert_eq!((line, field.as_str()), (Some(4), "sessions.shares"));
    assert!(message.contains("sum to 1.1;"), "{shown}");
    assert!(message.contains("must sum to 1 (within 0.01)"), "{shown}");

    // Non-positive and non-finite shares, on the element's own line.
    let (line, field, message, shown) =
        plan_error("[sessions]\ncount = 2\nshares = [\n  1.2,\n  -0.2,\n]\n");
    assert_eq!((line, field.as_str()), (Some(5), "sessions.shares"));
    assert!(message.contains("share 2 of 2 is -0.2"), "{shown}");
    assert!(message.contains("greater than 0"), "{shown}");
    let (_, _, message, _) = plan_error("[sessions]\ncount = 2\nshares = [0, 1]\n");
    assert!(message.contains("share 1 of 2 is 0;"), "{message}");
    let (_, _, message, _) = plan_error("[sessions]\ncount = 2\nshares = [nan, 1]\n");
    assert!(message.contains("NaN"), "{message}");

    // In memory.
    let mut plan = Plan::default();
    plan.sessions.shares = vec![0.5, 0.6, 0.1];
    let e = plan.validate().unwrap_err().to_string();
    assert!(
        e.contains("sessions.shares") && e.contains("sum to 1.2"),
        "{e}"
    );
}

#[test]
fn missing_file_is_io_error() {
    let path = Path::new("/nonexistent/dir/plan.toml");
    match Plan::load(path) {
        Err(ScalpError::Io { path: p, source }) => {
            assert_eq!(p, path);
            assert_eq!(source.kind(), std::io::ErrorKind::NotFound);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn load_reads_a_file_and_names_it_in_errors() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.toml");
    std::fs::write(&good, Plan::example_toml()).unwrap();
    assert_eq!(Plan::load(&good).unwrap(), Plan::default());

    let bad = dir.path().join("bad.toml");
    std::fs::write(&bad, "[dots]\ndiameter_mm = 0.6\nspacing = 0.9\n").unwrap();
    let e = Plan::load(&bad).unwrap_err().to_string();
    assert!(
        e.starts_with(&format!(
            "{}:3: field `dots.spacing`: 0.9 is out of range",
            bad.display()
        )),
        "{e}"
    );

    let binary = dir.path().join("binary.toml");
    std::fs::write(&binary, b"seed = 1\n\xff\xfe\n").unwrap();
    match Plan::load(&binary) {
        Err(ScalpError::Plan { line, .. }) => assert_eq!(line, Some(2)),
        other => panic!("{other:?}"),
    }
}

#[test]
fn first_error_in_file_order() {
    // Two problems: the one earlier in the file is reported.
    let (line, field, _, _) = plan_error("[hairline]\nzz = 1\naa = 2\n");
    assert_eq!((line, field.as_str()), (Some(2), "hairline.zz"));
}

#[test]
fn touch_up_years_are_checked_with_their_line() {
    for (text, needle) in [
        (
            "[ageing]\ntouch_up_years = [4.0, 3.0]\n",
            "touch-up 2 is at 3 years",
        ),
        ("[ageing]\ntouch_up_years = [1, 2, 3, 4, 5]\n", "at most 4"),
        ("[ageing]\ntouch_up_years = [40.0]\n", "at most 30 years"),
        (
            "[ageing]\ntouch_up_years = [0.0]\n",
            "touch-up 1 is at 0 years",
        ),
    ] {
        let err = Plan::from_toml_str(text, std::path::Path::new("p.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("p.toml:2") && err.contains("ageing.touch_up_years"),
            "{err}"
        );
        assert!(err.contains(needle), "{err}");
    }
    let err = Plan::from_toml_str(
        "[ageing]\ntouch_up_years = 4\n",
        std::path::Path::new("p.toml"),
    )
    .unwrap_err()
    .to_string();
    assert!(
        err.contains("wrong type") && err.contains("array of years"),
        "{err}"
    );
    let ok = Plan::from_toml_str(
        "[ageing]\ntouch_up_years = [4, 8.5]\n",
        std::path::Path::new("p.toml"),
    )
    .unwrap();
    assert_eq!(ok.ageing.touch_up_years, vec![4.0, 8.5]);
}

#[test]
fn technique_errors_parse_and_their_zone_is_checked() {
    let plan =
        parse("[errors]\ntoo_deep = 0.8\ntoo_deep_fraction = 0.5\noversized_zone = \"hairline\"\n")
            .unwrap();
    assert_eq!(plan.errors.too_deep, 0.8);
    assert_eq!(plan.errors.too_deep_fraction, 0.5);
    assert_eq!(
        plan.errors.oversized_zone,
        scalp::technique::ErrorZone::Hairline
    );
    assert_eq!(plan.errors.grid_spacing, 0.0);
    let (line, field, message, shown) = plan_error("[errors]\n\noversized_zone = \"neck\"\n");
    assert_eq!(
        (line, field.as_str()),
        (Some(3), "errors.oversized_zone"),
        "{shown}"
    );
    assert!(
        message.contains("\"neck\"") && message.contains("\"all\", \"hairline\""),
        "{shown}"
    );
    let (_, field, message, _) = plan_error("[errors]\noversized_zone = 2\n");
    assert_eq!(field, "errors.oversized_zone");
    assert!(
        message.contains("wrong type") && message.contains("\"crown\""),
        "{message}"
    );
    let (_, field, message, _) = plan_error("[errors]\ntoo_depp = 1\n");
    assert_eq!(field, "errors.too_depp");
    assert!(
        message.contains("did you mean `errors.too_deep`?"),
        "{message}"
    );
    let (_, field, message, _) = plan_error("[errors]\ngrid_spacing = 2\n");
    assert_eq!(field, "errors.grid_spacing");
    assert!(
        message.contains("allowed 0 to 1") && message.contains("severity"),
        "{message}"
    );
}

/// A custom zone with these corners, the polygon on line 6.
fn custom_zone_plan(corners: &str) -> String {
    format!(
        "# test plan\n[zones]\n[[zones.custom]]\nname = \"mole\"\ndensity = 0\npolygon = {corners}\n"
    )
}

#[test]
fn a_bow_tie_zone_is_called_self_intersecting_with_its_crossing_edges() {
    // Corners 1→2 and 3→4 cross in the middle: the two lobes' signed areas cancel, which the
    // check once took for corners in a line.
    let text = custom_zone_plan("[[-10.0, 40.0], [10.0, 60.0], [10.0, 40.0], [-10.0, 60.0]]");
    let (line, field, message, shown) = plan_error(&text);
    assert_eq!(field, "zones.custom[0].polygon", "{shown}");
    assert_eq!(line, Some(6), "{shown}");
    assert!(message.contains("self-intersecting"), "{shown}");
    assert!(
        message.contains("edge 1 (corners 1 → 2) crosses edge 3 (corners 3 → 4)"),
        "{shown}"
    );
    assert!(!message.contains("line"), "{shown}");
    // A bow-tie whose lobes differ in size has area, and still crosses itself.
    let lopsided = custom_zone_plan("[[-10.0, 40.0], [20.0, 70.0], [20.0, 40.0], [-10.0, 50.0]]");
    let (_, _, message, shown) = plan_error(&lopsided);
    assert!(message.contains("self-intersecting"), "{shown}");
    // Corners truly in a line are still called that.
    // (Edges are great circles: corners on one meridian are in a line.)
    let flat = custom_zone_plan("[[0.0, 30.0], [0.0, 45.0], [0.0, 60.0]]");
    let (_, _, message, shown) = plan_error(&flat);
    assert!(message.contains("in a line"), "{shown}");
    // And the same corners in order round the zone load.
    parse(&custom_zone_plan(
        "[[-10.0, 40.0], [10.0, 40.0], [10.0, 60.0], [-10.0, 60.0]]",
    ))
    .unwrap();
}

#[test]
fn a_nul_byte_is_named_by_line_and_column_and_plans_are_text() {
    let text = "# test plan\nseed = 9\n[dots]\ndepth\0_mm = 0.2\n";
    let (line, _, message, shown) = plan_error(text);
    assert_eq!(line, Some(4), "{shown}");
    assert!(message.contains("NUL byte at column 6"), "{shown}");
    assert!(message.contains("plan files are text"), "{shown}");
    assert!(!message.contains("unquoted"), "{shown}");
    // Inside a comment or a string, too (TOML allows no control characters there).
    let (line, _, message, shown) = plan_error("seed = 9 # a\u{7}b\n");
    assert_eq!(line, Some(1), "{shown}");
    assert!(
        message.contains("U+0007") && message.contains("at column 13"),
        "{shown}"
    );
    // A plan saved as UTF-16: with a byte-order mark it is not UTF-8; without one, every
    // other byte is NUL. Both say to save it as UTF-8.
    let dir = tempfile::tempdir().unwrap();
    let utf16: Vec<u8> = "seed = 9\n"
        .encode_utf16()
        .flat_map(|u| u.to_le_bytes())
        .collect();
    for (name, bytes) in [
        ("bom.toml", [&[0xff, 0xfe][..], &utf16].concat()),
        ("plain.toml", utf16.clone()),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = Plan::load(&path).unwrap_err().to_string();
        assert!(
            e.contains("UTF-16") && e.contains("save the plan as UTF-8"),
            "{name}: {e}"
        );
    }
}
