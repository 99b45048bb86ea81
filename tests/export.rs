//! Take-home files through the command line: `scalp export --glb/--html` and
//! `scalp turntable`. The .glb goes through the Khronos glTF validator (tools/, `npm ci`), the
//! page through headless Chromium with the network cut off, the turntable through its decoder.
//! Each outside tool that is missing is said on stderr as SKIPPED, and that part alone is
//! skipped.
use std::path::{Path, PathBuf};
use std::process::Command;

fn scalp(args: &[&str]) {
    let out = Command::new(env!("CARGO_BIN_EXE_scalp"))
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "scalp {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

fn tools() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tools")
}

/// The Khronos validator's report of a file; None (said) when node or the package is missing.
fn validate(file: &Path) -> Option<serde_json::Value> {
    if !tools().join("node_modules/gltf-validator").is_dir() {
        eprintln!("SKIPPED glTF validation: tools/node_modules/gltf-validator is missing (cd tools && npm ci)");
        return None;
    }
    let out = match Command::new("node")
        .arg(tools().join("validate-gltf.js"))
        .arg(file)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED glTF validation: node could not be run ({e})");
            return None;
        }
    };
    Some(serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "validator gave no report: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    }))
}

/// One small export shared by the tests (the built-in head, 60 000 dots, 1024² textures).
fn exported() -> &'static (tempfile::TempDir, PathBuf, PathBuf) {
    static DONE: std::sync::OnceLock<(tempfile::TempDir, PathBuf, PathBuf)> =
        std::sync::OnceLock::new();
    DONE.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let glb = dir.path().join("head.glb");
        let html = dir.path().join("head.html");
        scalp(&[
            "export",
            "--glb",
            glb.to_str().unwrap(),
            "--html",
            html.to_str().unwrap(),
            "--dots",
            "30000",
            "--texture-size",
            "1024",
        ]);
        (dir, glb, html)
    })
}

#[test]
fn export_glb_has_the_five_moments_and_is_valid() {
    let (_, glb, _) = exported();
    let bytes = std::fs::read(glb).unwrap();
    let json = scalp::export::glb::json_of(&bytes).expect("a .glb with a JSON chunk");
    let names: Vec<&str> = json["extensions"]["KHR_materials_variants"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(
        names,
        ["untreated", "healed", "1 year", "5 years", "10 years"]
    );
    // Shown without variants: healed.
    assert_eq!(json["meshes"][0]["primitives"][0]["material"], 1);
    // Nothing partial is left beside it.
    let dir = glb.parent().unwrap();
    for e in std::fs::read_dir(dir).unwrap() {
        let name = e.unwrap().file_name();
        assert!(!name.to_string_lossy().ends_with(".partial"), "{name:?}");
    }
    let Some(report) = validate(glb) else { return };
    eprintln!("{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["warnings"], 0, "{report}");
    assert_eq!(report["materials"], 5, "{report}");
}

#[test]
fn export_html_is_one_file_that_asks_for_nothing() {
    let (_, _, html) = exported();
    let page = std::fs::read_to_string(html).unwrap();
    // No script, style, image or model from elsewhere; the content policy forbids any fetch.
    for needle in ["src=\"http", "href=\"http", "src=\"//", "import(", "<link"] {
        assert!(!page.contains(needle), "{needle}");
    }
    assert!(page.contains("default-src 'none'"));
    // The model is in the page: 12 moments (untreated, healed, 1–10 years).
    let start = page.find("application/octet-stream").unwrap();
    assert!(page.len() - start > 1_000_000);
}

/// Opens the page in headless Chromium through tools/page-check.js (playwright-core) with the
/// network off, moves the time slider with the keyboard (untreated, healed, 10 years) and
/// returns its report and the three screenshots. None, said, when chromium, node or
/// playwright-core is missing.
fn page_check(html: &Path, dir: &Path) -> Option<(serde_json::Value, Vec<image::RgbaImage>)> {
    let chromium = ["/usr/bin/chromium", "/usr/bin/chromium-browser"]
        .into_iter()
        .find(|p| Path::new(p).exists());
    let Some(chromium) = chromium else {
        eprintln!("SKIPPED the page in a browser: chromium is not installed");
        return None;
    };
    if !tools().join("node_modules/playwright-core").is_dir() {
        eprintln!("SKIPPED the page in a browser: tools/node_modules/playwright-core is missing (cd tools && npm ci)");
        return None;
    }
    let shots = dir.join("shots");
    std::fs::create_dir_all(&shots).unwrap();
    let out = match Command::new("node")
        .arg(tools().join("page-check.js"))
        .arg(html)
        .arg(&shots)
        .arg(chromium)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED the page in a browser: node could not be run ({e})");
            return None;
        }
    };
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "page check gave no report: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    let images = ["first", "second", "last"]
        .map(|n| {
            image::open(shots.join(format!("{n}.png")))
                .unwrap()
                .to_rgba8()
        })
        .to_vec();
    Some((report, images))
}

#[test]
fn the_page_shows_the_head_offline_and_the_slider_changes_the_scalp() {
    let (dir, _, html) = exported();
    let Some((report, shots)) = page_check(html, dir.path()) else {
        return;
    };
    eprintln!("{report}");
    assert_eq!(report["state"], "ready", "{report}");
    assert_eq!(report["requests"].as_array().unwrap().len(), 0, "{report}");
    assert_eq!(report["errors"].as_array().unwrap().len(), 0, "{report}");
    let shown: Vec<&str> = report["shots"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["shown"].as_str().unwrap())
        .collect();
    assert_eq!(shown, ["untreated", "healed", "10 years"]);
    let [untreated, healed, ten] = [&shots[0], &shots[1], &shots[2]];
    let lum =
        |p: &image::Rgba<u8>| 0.2126 * p[0] as f32 + 0.7152 * p[1] as f32 + 0.0722 * p[2] as f32;
    // Not blank: the head covers a good share of the canvas, lighter than the background.
    let (w, h) = untreated.dimensions();
    let background = lum(untreated.get_pixel(3, h / 2));
    let head = untreated
        .pixels()
        .filter(|p| (lum(p) - background).abs() > 20.0)
        .count();
    assert!(
        head > (w * h) as usize / 10,
        "{head} head pixels of {}",
        w * h
    );
    // The top of the head (upper middle of the frame) darkens when treated, and lightens again
    // over ten years.
    let region_mean = |img: &image::RgbaImage| {
        let (mut s, mut n) = (0.0, 0.0);
        for y in h / 8..h / 2 {
            for x in w / 4..3 * w / 4 {
                let p = img.get_pixel(x, y);
                if (lum(p) - background).abs() > 20.0 {
                    s += lum(p);
                    n += 1.0;
                }
            }
        }
        s / n
    };
    let (u, he, t) = (
        region_mean(untreated),
        region_mean(healed),
        region_mean(ten),
    );
    eprintln!("scalp luminance: untreated {u:.2}, healed {he:.2}, 10 years {t:.2}");
    assert!(he < u - 1.0, "{he} {u}");
    assert!(t > he, "{t} {he}");
}

#[test]
fn turntable_gif_has_every_frame_and_they_differ() {
    use image::AnimationDecoder;
    let dir = tempfile::tempdir().unwrap();
    let gif = dir.path().join("spin.gif");
    scalp(&[
        "turntable",
        "--out",
        gif.to_str().unwrap(),
        "--dots",
        "20000",
        "--frames",
        "8",
        "--size",
        "96x96",
        "--ageing",
    ]);
    let file = std::io::BufReader::new(std::fs::File::open(&gif).unwrap());
    let frames = image::codecs::gif::GifDecoder::new(file)
        .unwrap()
        .into_frames()
        .collect_frames()
        .unwrap();
    assert_eq!(frames.len(), 8);
    for pair in frames.windows(2) {
        let (a, b) = (pair[0].buffer(), pair[1].buffer());
        let differ = a.pixels().zip(b.pixels()).filter(|(p, q)| p != q).count();
        assert!(
            differ > 200,
            "consecutive frames differ in only {differ} pixels"
        );
    }
}

#[test]
fn turntable_mp4_through_ffmpeg_has_every_frame() {
    let probe = Command::new("ffprobe").arg("-version").output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!("SKIPPED the MP4 turntable: ffmpeg/ffprobe is not installed");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mp4 = dir.path().join("spin.mp4");
    scalp(&[
        "turntable",
        "--out",
        mp4.to_str().unwrap(),
        "--dots",
        "20000",
        "--frames",
        "10",
        "--size",
        "96x96",
        "--years",
        "5",
    ]);
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-count_frames",
            "-select_streams",
            "v:0",
            "-show_entries",
            "stream=nb_read_frames,codec_name",
            "-of",
            "csv=p=0",
        ])
        .arg(&mp4)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(text.trim(), "h264,10", "{text}");
}

/// Whether poppler-utils' `tools` can be run; says SKIPPED for `what` when not.
fn poppler(tools: &[&str], what: &str) -> bool {
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| Command::new(t).arg("-v").output().is_err())
        .collect();
    if !missing.is_empty() {
        eprintln!(
            "SKIPPED {what}: poppler-utils ({}) is not installed",
            missing.join(", ")
        );
    }
    missing.is_empty()
}

#[test]
fn consult_pdf_has_its_pages_text_and_pictures() {
    if !poppler(&["pdftoppm", "pdftotext"], "the consultation report check") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("client.pdf");
    scalp(&[
        "consult",
        "--out",
        pdf.to_str().unwrap(),
        "--dots",
        "20000",
        "--clinic",
        "Test Clinic",
        "--client",
        "A. Client",
    ]);
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    for needle in [
        "Test Clinic",
        "Prepared for A. Client",
        "Before",
        "After: healed",
        "10 years",
        "Your sessions",
        "Session 1",
        "Front line",
        "When a touch-up is due",
        "SPF 50",
        "Aftercare",
        "[hairline]",
    ] {
        assert!(
            text.contains(needle),
            "no \"{needle}\" in the report's text:\n{text}"
        );
    }
    let out = dir.path().join("page");
    let ok = Command::new("pdftoppm")
        .args(["-r", "40", "-png"])
        .arg(&pdf)
        .arg(&out)
        .status()
        .unwrap();
    assert!(ok.success());
    let mut pages: Vec<PathBuf> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "png"))
        .collect();
    pages.sort();
    assert!(pages.len() >= 3, "{} pages", pages.len());
    // The first page carries the five pictures: many distinct colours, and dark pixels (the
    // pictures' background) over a good share of a white page.
    let first = image::open(&pages[0]).unwrap().to_rgb8();
    let dark = first.pixels().filter(|p| p[0] < 200).count();
    assert!(
        dark > first.pixels().len() / 5,
        "{dark} of {}",
        first.pixels().len()
    );
    // The second page is text only: mostly white.
    let second = image::open(&pages[1]).unwrap().to_rgb8();
    let white = second.pixels().filter(|p| p[0] > 240).count();
    assert!(white > second.pixels().len() * 8 / 10);
}

/// `consult --photo`: the report's pictures are the client's photo as it is ("Before") and
/// with the treatment drawn into it. Read back from the PDF (`pdfimages`): the background is
/// the photo's, unchanged; the changes lie on the head and darken it.
#[test]
fn consult_on_a_photo_shows_the_photo_before_and_treated() {
    if !poppler(
        &["pdfimages", "pdftotext"],
        "the consultation report on a photo",
    ) {
        return;
    }
    let docs = Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/photo");
    let dir = tempfile::tempdir().unwrap();
    let pdf = dir.path().join("client.pdf");
    scalp(&[
        "consult",
        "--photo",
        docs.join("client.png").to_str().unwrap(),
        "--points",
        docs.join("client.toml").to_str().unwrap(),
        "--dots",
        "30000",
        "--out",
        pdf.to_str().unwrap(),
    ]);
    let text = Command::new("pdftotext")
        .arg(&pdf)
        .arg("-")
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("On your own photo (client.png)"), "{text}");
    let ok = Command::new("pdfimages")
        .args(["-png", "-f", "1", "-l", "1"])
        .arg(&pdf)
        .arg(dir.path().join("im"))
        .status()
        .unwrap();
    assert!(ok.success());
    let im = |k: usize| {
        image::open(dir.path().join(format!("im-{k:03}.png")))
            .unwrap()
            .to_rgb8()
    };
    let (before, healed) = (im(0), im(1));
    // "Before" is the photo, fitted into the picture's frame (JPEG in the PDF).
    let photo = image::open(docs.join("client.png")).unwrap().to_rgb8();
    let scaled = image::imageops::resize(
        &photo,
        before.width(),
        before.height(),
        image::imageops::FilterType::Triangle,
    );
    let diff = |a: &image::RgbImage, b: &image::RgbImage, keep: &dyn Fn(u32, u32) -> bool| {
        let (mut sum, mut n) = (0.0f64, 0.0f64);
        for (x, y, p) in a.enumerate_pixels() {
            if keep(x, y) {
                let q = b.get_pixel(x, y);
                sum += (0..3)
                    .map(|c| (p[c] as f64 - q[c] as f64).abs())
                    .sum::<f64>()
                    / 3.0;
                n += 1.0;
            }
        }
        sum / n.max(1.0)
    };
    let all = |_: u32, _: u32| true;
    let photo_gap = diff(&before, &scaled, &all);
    assert!(
        photo_gap < 3.0,
        "Before is not the photo: {photo_gap:.2} levels apart"
    );
    // Where the treatment changed the picture: on the head (skin-coloured in Before), darker.
    let changed: Vec<(u32, u32)> = healed
        .enumerate_pixels()
        .filter(|(x, y, p)| {
            let q = before.get_pixel(*x, *y);
            (0..3).map(|c| q[c] as i32 - p[c] as i32).sum::<i32>() > 3 * 3
        })
        .map(|(x, y, _)| (x, y))
        .collect();
    let skin = |p: &image::Rgb<u8>| p[0] > 120 && p[0] > p[2] + 25;
    let on_skin = changed
        .iter()
        .filter(|(x, y)| skin(before.get_pixel(*x, *y)))
        .count();
    println!(
        "photo vs Before {photo_gap:.2} levels; {} pixels darkened by the treatment, {on_skin} on skin",
        changed.len()
    );
    assert!(changed.len() > 2000, "{} pixels changed", changed.len());
    assert!(
        on_skin as f64 > 0.9 * changed.len() as f64,
        "{on_skin} of {}",
        changed.len()
    );
    // Off the head, the treated picture is the photo.
    let off = |x: u32, y: u32| !skin(before.get_pixel(x, y)) && y < before.height() / 3;
    let background_gap = diff(&healed, &before, &off);
    assert!(
        background_gap < 1.5,
        "the background moved {background_gap:.2} levels"
    );
}

/// A scan with vertex colours and no image (a coloured PLY) bakes its own colours under the
/// dots, not the plain skin: the built-in head coloured red on the client's left half comes out
/// red there and skin-coloured on the right, in the unwrapped texture.
#[test]
fn vertex_coloured_scans_bake_their_own_colours() {
    let mut head = scalp::head::Head::builtin().unwrap();
    let colour: Vec<[f32; 4]> = head
        .mesh
        .positions
        .iter()
        .map(|p| {
            if p.x > 0.0 {
                [0.7, 0.01, 0.01, 1.0]
            } else {
                [0.55, 0.35, 0.26, 1.0]
            }
        })
        .collect();
    head.texture = Some(scalp::head::texture::SkinTexture {
        image: image::RgbaImage::from_pixel(1, 1, image::Rgba([255; 4])),
        uv: vec![[0.0, 0.0, 0.0]; head.mesh.positions.len()],
        colour,
        path: PathBuf::from("coloured.ply"),
    });
    let size = 512;
    let plain = [0.5, 0.4, 0.35];
    let (mesh, base) = scalp::export::head_uvs(&head, size, plain);
    let base = base.expect("a base colour from the vertex colours");
    let (mut left, mut right) = ((0.0f32, 0.0f32, 0), (0.0f32, 0.0f32, 0));
    for t in mesh.indices.chunks_exact(3) {
        let c = t
            .iter()
            .map(|&i| mesh.positions[i as usize])
            .sum::<glam::Vec3>()
            / 3.0;
        let uv = t.iter().map(|&i| mesh.uvs[i as usize]).sum::<glam::Vec2>() / 3.0;
        let texel =
            base[(uv.y * size as f32) as usize * size as usize + (uv.x * size as f32) as usize];
        let side = if c.x > 5.0 {
            &mut left
        } else if c.x < -5.0 {
            &mut right
        } else {
            continue;
        };
        side.0 += texel[0];
        side.1 += texel[1];
        side.2 += 1;
    }
    let mean = |s: (f32, f32, i32)| (s.0 / s.2 as f32, s.1 / s.2 as f32);
    let (l, r) = (mean(left), mean(right));
    println!("client's left (red, green) {l:?}, right {r:?}");
    assert!(l.0 > 0.65 && l.1 < 0.03, "{l:?}");
    assert!(
        (r.0 - 0.55).abs() < 0.02 && (r.1 - 0.35).abs() < 0.02,
        "{r:?}"
    );
}
