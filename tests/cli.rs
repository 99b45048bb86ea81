//! The command line as a user meets it: bad input gives a clear error naming what and where,
//! exit code 1, and never a partial output file.
use std::path::Path;
use std::process::Command;

fn scalp(args: &[&str], dir: &Path) -> (i32, String, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_scalp"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run scalp");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

fn no_files_but(dir: &Path, allowed: &[&str]) {
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        assert!(
            allowed.contains(&name.as_str()),
            "unexpected file left behind: {name}"
        );
    }
}

#[test]
fn plan_example_prints_a_plan_that_checks() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = scalp(&["plan", "--example"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("[hairline]") && out.contains("depth_mm"));
    std::fs::write(dir.path().join("p.toml"), &out).unwrap();
    let (code, out2, err) = scalp(&["plan", "--check", "p.toml"], dir.path());
    assert_eq!(code, 0, "{err}");
    assert!(out2.contains("is valid"));
}

#[test]
fn bad_inputs_are_refused_clearly_and_leave_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::write(d.join("bad.toml"), "seed = 1\n[dots]\ndepth_mm = 7\n").unwrap();
    std::fs::write(d.join("bad.obj"), "v 0 0 0\nv 1 0 0\nv 0 nan 1\nf 1 2 3\n").unwrap();
    std::fs::write(d.join("empty.obj"), "v 0 0 0\nv 1 0 0\n").unwrap();
    let cases: Vec<(Vec<&str>, Vec<&str>)> = vec![
        (
            vec!["render", "--plan", "bad.toml", "--out", "a.png"],
            vec!["bad.toml:3", "dots.depth_mm", "2.5"],
        ),
        (
            vec!["render", "--plan", "missing.toml", "--out", "a.png"],
            vec!["missing.toml"],
        ),
        (
            vec!["render", "--mesh", "bad.obj", "--out", "a.png"],
            vec!["bad.obj:3"],
        ),
        (
            vec!["render", "--mesh", "empty.obj", "--out", "a.png"],
            vec!["empty.obj", "no faces"],
        ),
        (
            vec!["render", "--mesh", "nowhere.obj", "--out", "a.png"],
            vec!["nowhere.obj"],
        ),
        (
            vec!["render", "--size", "12x9000000", "--out", "a.png"],
            vec!["--size"],
        ),
        (
            vec!["render", "--dots", "0", "--out", "a.png"],
            vec!["--dots"],
        ),
        (
            vec!["render", "--out", "no/such/folder/a.png"],
            vec!["does not exist"],
        ),
        (vec!["render", "--out", "a.jpeg"], vec![".png"]),
        (
            vec!["render", "--field-mm", "0.5", "--out", "a.png"],
            vec!["--field-mm", "2 to 200 mm"],
        ),
        (
            vec!["render", "--magnification", "500x", "--out", "a.png"],
            vec!["--magnification", "1× to 100×"],
        ),
        (
            vec![
                "render",
                "--magnification",
                "20",
                "--zoom",
                "3",
                "--out",
                "a.png",
            ],
            vec!["--zoom", "cannot be used with"],
        ),
        (
            vec!["render", "--adapter", "no-such-gpu", "--out", "a.png"],
            vec!["no-such-gpu"],
        ),
    ];
    for (args, needles) in cases {
        let (code, _out, err) = scalp(&args, d);
        assert_ne!(code, 0, "{args:?} should fail");
        assert!(!err.contains("panicked"), "{args:?} panicked: {err}");
        for n in needles {
            assert!(
                err.contains(n),
                "{args:?}: error should mention {n:?}: {err}"
            );
        }
    }
    no_files_but(d, &["bad.toml", "bad.obj", "empty.obj"]);
}

#[test]
fn render_writes_a_png_and_reports_what_it_drew() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = scalp(
        &[
            "render", "--size", "160x120", "--view", "top", "--out", "t.png",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    for needle in ["wrote t.png", "adapter:", "dots:", "cm²", "dots/cm²"] {
        assert!(out.contains(needle), "missing {needle:?} in: {out}");
    }
    let img = image::open(dir.path().join("t.png")).unwrap();
    assert_eq!((img.width(), img.height()), (160, 120));
    no_files_but(dir.path(), &["t.png"]);
}

#[test]
fn close_ups_are_named_by_field_of_view_or_magnification() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = scalp(
        &[
            "render",
            "--size",
            "160x120",
            "--view",
            "top",
            "--magnification",
            "20x",
            "--out",
            "m.png",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("close-up 20× trichoscopy, 6.0 mm across"),
        "{out}"
    );
    let (code, out, err) = scalp(
        &[
            "render",
            "--size",
            "160x120",
            "--field-mm",
            "30",
            "--out",
            "f.png",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("close-up 30 mm across"), "{out}");
}

#[test]
fn no_adapter_tells_how_to_get_a_software_driver() {
    let dir = tempfile::tempdir().unwrap();
    // DX12 does not exist on this platform (and is not compiled in): no adapter at all.
    let out = Command::new(env!("CARGO_BIN_EXE_scalp"))
        .args(["render", "--out", "a.png"])
        .env("WGPU_BACKEND", "dx12")
        .current_dir(dir.path())
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("no GPU adapter") && err.contains("mesa-vulkan-drivers"),
        "{err}"
    );
    no_files_but(dir.path(), &[]);
}

#[test]
fn report_json_and_age_sheet_with_chart() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, out, err) = scalp(&["report", "--json", "--dots", "6000"], d);
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("report --json prints JSON");
    let zones = v["zones"].as_array().expect("zones");
    assert_eq!(zones.len(), 5);
    for z in zones {
        for key in [
            "treated_area_cm2",
            "dots",
            "coverage_fraction",
            "mean_apparent_diameter_mm",
            "contrast",
        ] {
            assert!(z[key].is_number(), "{key} missing in {z}");
        }
        assert!(z["touch_up_year"].is_number() || z["touch_up_year"].is_null());
    }
    assert!(v["plan"]["dots"]["depth_mm"].is_number());
    // The built-in client keeps his fringe: the SMP is compared with it under every light.
    assert_eq!(
        v["smp_vs_shaved"]["lights"].as_array().map(|l| l.len()),
        Some(4),
        "{}",
        v["smp_vs_shaved"]
    );

    let (code, out, err) = scalp(
        &[
            "age", "--dots", "6000", "--years", "0,1,5", "--size", "160x120", "--out", "s.png",
            "--chart", "c.png",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("wrote s.png") && out.contains("wrote c.png"),
        "{out}"
    );
    let sheet = image::open(d.join("s.png")).unwrap();
    assert!(sheet.width() >= 3 * 160 && sheet.height() > 120);
    let chart = image::open(d.join("c.png")).unwrap();
    assert!(chart.width() >= 800);

    let (code, _, err) = scalp(&["age", "--years", "1,-2", "--out", "x.png"], d);
    assert_ne!(code, 0);
    assert!(err.contains("-2") && err.contains("0 to 30"), "{err}");
    let (code, _, err) = scalp(&["render", "--years", "nan", "--out", "x.png"], d);
    assert_ne!(code, 0);
    assert!(err.to_lowercase().contains("nan"), "{err}");
    no_files_but(d, &["s.png", "c.png"]);
}

/// `scalp bench` of `dots` dots, one 64×48 frame on the compute path, with `extra` flags: its
/// JSON (the command must succeed).
fn one_frame_bench(dir: &Path, dots: &str, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "bench", "--dots", dots, "--sizes", "64x48", "--frames", "1", "--warmup", "0", "--paths",
        "compute", "--json",
    ];
    args.extend_from_slice(extra);
    let (code, out, err) = scalp(&args, dir);
    assert_eq!(code, 0, "{err}");
    serde_json::from_str(&out).expect("bench --json prints JSON")
}

#[test]
fn bench_reports_per_pass_times_and_throughput_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = scalp(
        &[
            "bench",
            "--dots",
            "3000",
            "--sizes",
            "160x120",
            "--frames",
            "3",
            "--warmup",
            "1",
            "--paths",
            "raster,compute",
            "--json",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("bench --json prints JSON");
    assert_eq!(
        v["results"].as_array().map(|a| a.len()),
        Some(2),
        "one result per path"
    );
    let r = &v["results"][0];
    assert!(r["dots"].as_u64().unwrap() > 2000);
    assert!(r["frame_ms_p50"].as_f64().unwrap() > 0.0);
    assert!(r["draw_dots_per_second"].as_f64().unwrap() > 0.0);
    // The generation rate counts the CPU layout with the GPU's work.
    let (layout, generate) = (
        r["layout_ms"].as_f64().unwrap(),
        r["generate_ms"].as_f64().unwrap(),
    );
    let rate = r["dots"].as_f64().unwrap() / ((layout + generate) / 1e3);
    assert!(layout > 0.0, "{r}");
    assert!(
        (r["generate_dots_per_second"].as_f64().unwrap() / rate - 1.0).abs() < 1e-6,
        "{r}"
    );
    assert_eq!(r["bytes_per_dot"].as_u64(), Some(64));
    // The default client's own hair is drawn, as `scalp render` draws him (the bench once left
    // it out while saying it was in), and timed.
    assert!(r["client_hairs"].as_u64().unwrap() > 1000, "{r}");
    assert_eq!(v["client_hair"].as_bool(), Some(true));
    if v["timestamp_queries"].as_bool() == Some(true) {
        for pass in ["age_ms", "skin_ms", "splat_ms", "composite_ms", "hair_ms"] {
            assert!(r[pass].as_f64().unwrap() > 0.0, "{pass}: {r}");
        }
        // A lower bound from bytes over bandwidth can never beat the measured time.
        if v["bandwidth_gbs"].is_number() {
            for pass in ["skin", "splat", "composite"] {
                let measured = r[format!("{pass}_ms")].as_f64().unwrap();
                let bound = r[format!("{pass}_bound_ms")].as_f64().unwrap();
                assert!(
                    bound > 0.0 && bound <= measured,
                    "{pass}: bound {bound} ms, measured {measured} ms"
                );
            }
        }
    }
    // --no-hair: the same dots on his bare scalp.
    let v = one_frame_bench(dir.path(), "1000", &["--no-hair"]);
    assert_eq!(v["client_hair"].as_bool(), Some(false));
    assert_eq!(v["results"][0]["client_hairs"].as_u64(), Some(0));
    let (code, _, err) = scalp(&["bench", "--dots", "0"], dir.path());
    assert_ne!(code, 0);
    assert!(err.contains("--dots"), "{err}");
}

#[test]
fn error_flags_are_checked_and_compare_writes_a_labelled_sheet() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // Unknown names get the list of names; severities their range.
    let (code, _, err) = scalp(&["render", "--error", "too-dep", "--out", "a.png"], d);
    assert_ne!(code, 0);
    assert!(
        err.contains("too-dep") && err.contains("too-deep, too-shallow, over-saturation"),
        "{err}"
    );
    let (code, _, err) = scalp(&["compare", "--error", "grid-spacing=1.5"], d);
    assert_ne!(code, 0);
    assert!(
        err.contains("1.5") && err.contains("allowed 0 to 1"),
        "{err}"
    );
    // compare needs an error to show.
    let (code, _, err) = scalp(&["compare", "--out", "c.png"], d);
    assert_ne!(code, 0);
    assert!(
        err.contains("--error") && err.contains("--all-errors"),
        "{err}"
    );
    no_files_but(d, &[]);

    let (code, out, err) = scalp(
        &[
            "compare",
            "--error",
            "grid-spacing=0.8",
            "--error",
            "too-deep",
            "--years",
            "0.2,5",
            "--dots",
            "4000",
            "--size",
            "160x120",
            "--out",
            "c.png",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("wrote c.png (2 errors, 2 times, 8 pictures)"),
        "{out}"
    );
    // Two rows of four pictures: correct and erroneous at each time.
    let sheet = image::open(d.join("c.png")).unwrap();
    assert!(
        sheet.width() >= 4 * 160 && sheet.height() >= 2 * 120,
        "{sheet:?}"
    );
    no_files_but(d, &["c.png"]);
}

#[test]
fn report_applies_error_flags_and_prints_the_trainer_metrics() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let json = |args: &[&str]| {
        let (code, out, err) = scalp(args, d);
        assert_eq!(code, 0, "{err}");
        serde_json::from_str::<serde_json::Value>(&out).expect("JSON")
    };
    let correct = json(&["report", "--json", "--dots", "6000"]);
    let wrong = json(&[
        "report",
        "--json",
        "--dots",
        "6000",
        "--error",
        "oversized=0.8",
    ]);
    assert_eq!(wrong["errors"][0]["error"], "oversized");
    let severity = wrong["plan"]["errors"]["oversized"].as_f64().unwrap();
    assert!((severity - 0.8).abs() < 1e-6, "{severity}");
    let m = &correct["metrics"];
    for key in [
        "mean_apparent_diameter_mm",
        "visible_fraction",
        "dot_darkness",
        "merged_fraction",
        "nearest_neighbour_cv",
        "spectrum_peak",
        "hairline_transition_mm",
        "hairline_residual_mm",
        "asymmetry_mm",
        "density_cv",
    ] {
        assert!(m[key].is_number(), "{key} missing in {m}");
    }
    assert!(m["image"]["blue_cast"].is_number(), "{m}");
    let diameter = |v: &serde_json::Value| v["metrics"]["mean_apparent_diameter_mm"].as_f64();
    assert!(diameter(&wrong).unwrap() > 1.4 * diameter(&correct).unwrap());

    let (code, out, err) = scalp(&["report", "--dots", "6000", "--error", "asymmetry"], d);
    assert_eq!(code, 0, "{err}");
    assert!(
        out.contains("technique metrics (errors: asymmetry=1)")
            && out.contains("left/right asymmetry")
            && out.contains("blue cast"),
        "{out}"
    );
    no_files_but(d, &[]);
}

/// A time out of range is refused by the flag the user gave (`--days`, `--date`, `--years`),
/// negative values included, before anything is rendered and with no file written.
#[test]
fn times_out_of_range_name_the_flag_given() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plans = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/plans/dated-sessions.toml"
    );
    for (args, flag) in [
        (vec!["render", "--days", "20000"], "--days"),
        (vec!["render", "--days", "-1"], "--days"),
        (vec!["render", "--years", "-2"], "--years"),
        (
            vec!["render", "--plan", plans, "--date", "2056-03-12"],
            "--date",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--size", "64x48", "--out", "t.png"]);
        let (code, _, err) = scalp(&all, d);
        assert_ne!(code, 0, "{args:?} was accepted");
        assert!(err.contains(flag), "{args:?}: {err}");
        assert!(
            !err.contains("--years") || flag == "--years",
            "{args:?}: {err}"
        );
        assert!(!d.join("t.png").exists());
    }
}

/// A path no PNG can be written to is refused before anything is loaded or rendered: with a
/// bad plan as well, the output path is what the error names (it is checked first), and nothing
/// is left behind.
#[test]
fn bad_output_paths_are_refused_before_the_render() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    std::fs::create_dir(d.join("sub.png")).unwrap();
    std::fs::write(d.join("bad.toml"), "[dots]\ndepth_mm = 7\n").unwrap();
    for (args, says) in [
        (vec!["render", "--out", "nofolder/x.png"], "does not exist"),
        (vec!["render", "--out", "x.jpg"], "must end in .png"),
        (vec!["render", "--out", "sub.png"], "is a folder"),
        (vec!["age", "--out", "nofolder/s.png"], "does not exist"),
        (vec!["age", "--chart", "c.txt"], "must end in .png"),
        (
            vec!["compare", "--error", "too-deep", "--out", "nofolder/c.png"],
            "does not exist",
        ),
    ] {
        let mut all = args.clone();
        all.extend(["--plan", "bad.toml"]);
        let (code, _, err) = scalp(&all, d);
        assert_eq!(code, 1, "{args:?}: {err}");
        assert!(err.contains(says), "{args:?}: {err}");
        assert!(
            !err.contains("depth_mm"),
            "{args:?}: the plan was read first: {err}"
        );
    }
    let mut left: Vec<_> = std::fs::read_dir(d)
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    left.sort();
    assert_eq!(
        left,
        vec![
            std::ffi::OsString::from("bad.toml"),
            std::ffi::OsString::from("sub.png")
        ]
    );
}

#[test]
fn match_refuses_a_plan_with_no_hair_or_a_bad_out_path_and_leaves_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // The built-in plan: a bald client (no [hair]); one with hair switched on but none kept.
    std::fs::write(d.join("bald.toml"), "seed = 3\n[hair]\nenabled = false\n").unwrap();
    std::fs::write(
        d.join("none.toml"),
        "[hair]\nenabled = true\nsides = 0.0\nback = 0.0\n",
    )
    .unwrap();
    std::fs::write(d.join("hair.toml"), "[hair]\nenabled = true\n").unwrap();
    std::fs::write(d.join("bad.toml"), "[dots]\ndepth_mm = 7\n").unwrap();
    std::fs::create_dir(d.join("sub.toml")).unwrap();
    let scar_plan = format!(
        "{}/assets/plans/strip-scar.toml",
        env!("CARGO_MANIFEST_DIR")
    );
    for (args, says) in [
        (
            vec!["match", "--plan", "bald.toml", "--out", "m.toml"],
            vec!["no hair", "hair.enabled", "hair.sides"],
        ),
        (
            vec!["match", "--plan", "none.toml", "--out", "m.toml"],
            vec!["no hair", "hair.enabled", "hair.sides"],
        ),
        (
            vec!["match", "--plan", "hair.toml", "--out", "nofolder/m.toml"],
            vec!["does not exist"],
        ),
        (
            vec!["match", "--plan", "hair.toml", "--out", "m.png"],
            vec!["must end in .toml"],
        ),
        (
            vec!["match", "--plan", "hair.toml", "--out", "sub.toml"],
            vec!["is a folder"],
        ),
        // The output is checked before the plan is read.
        (
            vec!["match", "--plan", "bad.toml", "--out", "nofolder/m.toml"],
            vec!["does not exist"],
        ),
        (
            vec!["match", "--plan", "bad.toml", "--out", "m.toml"],
            vec!["bad.toml:2", "dots.depth_mm"],
        ),
        // Hair, but only a scar strip treated: no patch of SMP to measure.
        (
            vec!["match", "--plan", &scar_plan, "--out", "m.toml"],
            vec!["no patch", "only scars"],
        ),
    ] {
        let (code, _, err) = scalp(&args, d);
        assert_eq!(code, 1, "{args:?}: {err}");
        for s in says {
            assert!(err.contains(s), "{args:?}: {s:?} not in {err}");
        }
    }
    let (code, _, err) = scalp(&["match", "--plan", "hair.toml"], d);
    assert_eq!(code, 2, "--out is required: {err}");
    no_files_but(
        d,
        &[
            "bald.toml",
            "none.toml",
            "hair.toml",
            "bad.toml",
            "sub.toml",
        ],
    );
}

#[test]
fn a_reader_that_goes_away_ends_the_output_quietly() {
    // `scalp report | head -0`: the reader is gone before the report is printed (the engine
    // works a few seconds first), so every line of it meets a closed pipe.
    use std::process::{Command, Stdio};
    let mut child = Command::new(env!("CARGO_BIN_EXE_scalp"))
        .args(["report", "--dots", "2000"])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("panicked"), "{err}");
    // Ended by the signal (or an error exit), never a panic's 101.
    assert_ne!(out.status.code(), Some(101), "{err}");
}

/// Same input, same bytes: `--path auto` once picked the faster splatting path by timing, and
/// the two paths differ by 1/255 in some pixels, so two runs could write different files.
#[test]
fn the_same_command_writes_the_same_bytes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let render = |out: &str| {
        let (code, stdout, err) = scalp(
            &[
                "render", "--size", "200x150", "--dots", "20000", "--path", "auto", "--out", out,
            ],
            d,
        );
        assert_eq!(code, 0, "{err}");
        stdout
    };
    render("a.png");
    render("b.png");
    let (a, b) = (
        std::fs::read(d.join("a.png")).unwrap(),
        std::fs::read(d.join("b.png")).unwrap(),
    );
    assert!(a == b, "two runs of the same render wrote different PNGs");
    let report = || {
        let (code, out, err) = scalp(&["report", "--json", "--dots", "6000"], d);
        assert_eq!(code, 0, "{err}");
        out
    };
    assert_eq!(report(), report(), "report --json differs between runs");
    no_files_but(d, &["a.png", "b.png"]);
}

/// Long generation is never silent: without a terminal (a log, a pipe) indicatif draws no bar,
/// so progress comes as plain lines; and counts may be written as people write them (4e5: two
/// chunks of candidates, so at least two lines).
#[test]
fn dot_generation_reports_progress_without_a_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out, err) = scalp(
        &[
            "render",
            "--size",
            "64x48",
            "--dots",
            "4e5",
            "--no-shadows",
            "--out",
            "p.png",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let lines: Vec<&str> = err
        .lines()
        .filter(|l| l.starts_with("generating dots: chunk"))
        .collect();
    assert!(lines.len() >= 2, "no progress lines in: {err}");
    assert!(lines[0].contains("chunk 0/"), "{err}");
    assert!(out.contains("dots"), "{out}");
    let (code, _, err) = scalp(
        &["render", "--dots", "2.5e3x", "--out", "q.png"],
        dir.path(),
    );
    assert_eq!(code, 2);
    assert!(err.contains("not a whole number of dots"), "{err}");
}

/// A scan's warning reaches the user once: logged, not repeated among the report's lines.
#[test]
fn a_scans_warning_is_shown_once() {
    let dir = tempfile::tempdir().unwrap();
    let obj = format!("mtllib gone.mtl\n{}", scalp::head::DEFAULT_HEAD_OBJ);
    std::fs::write(dir.path().join("scan.obj"), obj).unwrap();
    let (code, out, err) = scalp(
        &[
            "render", "--mesh", "scan.obj", "--up", "y", "--units", "mm", "--size", "64x48",
            "--out", "s.png",
        ],
        dir.path(),
    );
    assert_eq!(code, 0, "{err}");
    let all = format!("{out}{err}");
    assert_eq!(
        all.matches("gone.mtl cannot be read").count(),
        1,
        "the warning must appear exactly once:\n{all}"
    );
}

#[test]
fn dots_over_the_memory_budget_are_refused_with_the_numbers_and_no_file() {
    // Under the dot limit, over a budget stated for this run (SCALP_GPU_MEMORY_MB): refused
    // before the GPU is touched, naming bytes needed and allowed.
    let dir = tempfile::tempdir().unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_scalp"))
        .args([
            "render", "--dots", "5000000", "--size", "64x48", "--out", "x.png",
        ])
        .env("SCALP_GPU_MEMORY_MB", "64")
        .current_dir(dir.path())
        .output()
        .expect("run scalp");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("does not fit") && err.contains("bytes"),
        "{err}"
    );
    no_files_but(dir.path(), &[]);
}

/// `--skin`: the deferred skin (triangle ids, then compute) and the forward one draw the same
/// picture, the summary and the bench say which ran, and `auto` is forward on a CPU adapter.
#[test]
fn skin_shading_is_chosen_by_flag_and_both_draw_the_same_head() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let draw = |skin: &str, out: &str| {
        let (code, stdout, err) = scalp(
            &["render", "--size", "200x150", "--skin", skin, "--out", out],
            d,
        );
        assert_eq!(code, 0, "{err}");
        (stdout, image::open(d.join(out)).unwrap().to_rgb8())
    };
    let (said_d, deferred) = draw("deferred", "d.png");
    let (said_f, forward) = draw("forward", "f.png");
    let (said_p, per_pixel) = draw("per-pixel", "p.png");
    let (said_a, auto) = draw("auto", "a.png");
    assert!(said_d.contains("skin shading: deferred ("), "{said_d}");
    assert!(said_f.contains("skin shading: forward"), "{said_f}");
    assert!(
        said_p.contains("skin shading: deferred, once per output pixel"),
        "{said_p}"
    );
    // 200×150 is supersampled 2×: on a CPU adapter auto shades once per output pixel.
    assert!(said_a.contains("once per output pixel"), "{said_a}");
    assert_eq!(auto, per_pixel, "auto is per-pixel on a CPU adapter");
    let compare = |a: &image::RgbImage, b: &image::RgbImage| {
        let diff: Vec<u8> = a
            .as_raw()
            .iter()
            .zip(b.as_raw())
            .map(|(a, b)| a.abs_diff(*b))
            .collect();
        let mean = diff.iter().map(|&v| v as f64).sum::<f64>() / diff.len() as f64;
        (mean, diff.iter().copied().max().unwrap())
    };
    let (mean, worst) = compare(&deferred, &forward);
    assert!(
        mean < 0.25 && worst <= 8,
        "deferred: mean {mean}/255, worst {worst}/255"
    );
    // Shading once per pixel filters within it what the samples averaged.
    let (mean, worst) = compare(&per_pixel, &forward);
    assert!(
        mean < 0.6 && worst <= 48,
        "per-pixel: mean {mean}/255, worst {worst}/255"
    );
    // And the head is there: the pictures are not both empty.
    let distinct: std::collections::HashSet<&[u8]> = forward.as_raw().chunks(3).collect();
    assert!(distinct.len() > 500, "{} colours", distinct.len());
    let (code, out, err) = scalp(
        &[
            "bench", "--dots", "2000", "--sizes", "160x120", "--frames", "1", "--warmup", "0",
            "--paths", "compute", "--skin", "deferred", "--json",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).expect("bench --json prints JSON");
    assert!(
        v["skin_shading"]
            .as_str()
            .unwrap_or("")
            .starts_with("deferred"),
        "{}",
        v["skin_shading"]
    );
    let (code, _, err) = scalp(&["render", "--skin", "sideways", "--out", "x.png"], d);
    assert_ne!(code, 0);
    assert!(err.contains("--skin") && err.contains("deferred"), "{err}");
}

#[test]
fn sums_on_the_raster_path_are_refused_before_any_work() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let (code, _, err) = scalp(
        &[
            "render",
            "--size",
            "64x48",
            "--path",
            "raster",
            "--sums",
            "workgroup",
            "--out",
            "r.png",
        ],
        d,
    );
    assert_ne!(code, 0);
    assert!(
        err.contains("--sums") && err.contains("raster") && err.contains("--path compute"),
        "{err}"
    );
    assert!(!d.join("r.png").exists(), "a refused render left a file");
    // On the compute path the same flag draws, and the bench reports which sums ran.
    let (code, _, err) = scalp(
        &[
            "render",
            "--size",
            "64x48",
            "--path",
            "compute",
            "--sums",
            "workgroup",
            "--out",
            "c.png",
        ],
        d,
    );
    assert_eq!(code, 0, "{err}");
    assert!(d.join("c.png").exists());
    let v = one_frame_bench(d, "2000", &["--sums", "workgroup", "--ssaa", "1"]);
    let row = &v["results"][0];
    assert_eq!(row["workgroup_sums"], true, "{row}");
    assert_eq!(row["supersampling"], 1, "{row}");
}
