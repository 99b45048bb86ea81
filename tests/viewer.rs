//! `scalp view` in a real window: the built binary runs under Xvfb, draws real frames through
//! winit, wgpu's surface and egui, and writes its screenshot; the screenshot must show the head
//! with its dots. Skipped (with the reason printed) only where no X server can be started.
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

/// An Xvfb server on a display of its own, stopped when dropped.
struct Xvfb {
    child: Child,
    display: String,
}

impl Drop for Xvfb {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Starts Xvfb on the first display number that is free, or says why it cannot.
fn start_xvfb() -> Result<Xvfb, String> {
    // Start from a number derived from the process id so parallel test runs rarely collide.
    let base = 100 + std::process::id() % 400;
    let mut last = String::from("no free display number");
    for n in (base..base + 40).map(|n| n % 1000).filter(|n| *n > 0) {
        let socket = format!("/tmp/.X11-unix/X{n}");
        if Path::new(&socket).exists() || Path::new(&format!("/tmp/.X{n}-lock")).exists() {
            continue;
        }
        let child = Command::new("Xvfb")
            .arg(format!(":{n}"))
            .args(["-screen", "0", "1280x1024x24", "-nolisten", "tcp"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn();
        let mut child = match child {
            Ok(c) => c,
            Err(e) => {
                return Err(format!(
                    "cannot run Xvfb ({e}); install it: apt-get install xvfb"
                ))
            }
        };
        let t0 = Instant::now();
        while t0.elapsed() < Duration::from_secs(15) {
            if Path::new(&socket).exists() {
                return Ok(Xvfb {
                    child,
                    display: format!(":{n}"),
                });
            }
            if let Ok(Some(status)) = child.try_wait() {
                last = format!("Xvfb :{n} exited with {status}");
                break;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = child.kill();
        let _ = child.wait();
    }
    Err(last)
}

/// Runs `scalp view ARGS` on `display` and returns the screenshot it wrote.
fn screenshot(display: &str, dir: &Path, name: &str, args: &[&str]) -> image::RgbaImage {
    let out = dir.join(name);
    let mut child = Command::new(env!("CARGO_BIN_EXE_scalp"))
        .arg("view")
        .args(args)
        .args(["--screenshot-after", "3", "--size", "960x600", "--out"])
        .arg(&out)
        .env("DISPLAY", display)
        .env_remove("WAYLAND_DISPLAY")
        .current_dir(dir)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scalp view");
    // Minutes at most even on two CPU cores; a hung window must fail the test, not stall it.
    let t0 = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().expect("wait for scalp view") {
            break s;
        }
        if t0.elapsed() > Duration::from_secs(300) {
            let _ = child.kill();
            panic!("scalp view {args:?} did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(100));
    };
    let output = child.wait_with_output().expect("output of scalp view");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        status.success(),
        "scalp view {args:?} failed ({status}):\n{stdout}\n{stderr}"
    );
    assert!(stdout.contains("wrote"), "{stdout}");
    image::open(&out)
        .unwrap_or_else(|e| panic!("{}: {e}", out.display()))
        .to_rgba8()
}

/// A lit skin pixel: warm (red over green over blue), not the grey panel or background.
fn is_skin(p: &image::Rgba<u8>) -> bool {
    let [r, g, b, _] = p.0.map(|c| c as i32);
    r > 110 && r > g + 12 && g > b && r - b > 35
}

fn luma(p: &image::Rgba<u8>) -> f32 {
    0.2126 * p[0] as f32 + 0.7152 * p[1] as f32 + 0.0722 * p[2] as f32
}

/// (luma, grain) of the pixels of the disc around the centre of the skin region, radius a
/// quarter of its height; grain is how far a pixel's luma is from the mean of its four
/// neighbours.
fn centre_disc(img: &image::RgbaImage) -> Vec<(f32, f32)> {
    let (mut sx, mut sy, mut n) = (0u64, 0u64, 0u64);
    let (mut y0, mut y1) = (u32::MAX, 0);
    for (x, y, p) in img.enumerate_pixels() {
        if is_skin(p) {
            sx += x as u64;
            sy += y as u64;
            n += 1;
            y0 = y0.min(y);
            y1 = y1.max(y);
        }
    }
    assert!(n > 0, "no skin at all");
    let (cx, cy) = ((sx / n) as i64, (sy / n) as i64);
    let r = ((y1 - y0) / 4) as i64;
    let l = |x: i64, y: i64| luma(img.get_pixel(x as u32, y as u32));
    let mut out = Vec::new();
    for y in cy - r..=cy + r {
        for x in cx - r..=cx + r {
            let (dx, dy) = (x - cx, y - cy);
            if dx * dx + dy * dy < r * r {
                let around = 0.25 * (l(x - 1, y) + l(x + 1, y) + l(x, y - 1) + l(x, y + 1));
                out.push((l(x, y), (l(x, y) - around).abs()));
            }
        }
    }
    out
}

#[test]
fn the_viewer_window_shows_the_head_with_its_dots() {
    if which("Xvfb").is_none() {
        println!("skipped: no Xvfb on this machine (apt-get install xvfb; .ci/run does)");
        return;
    }
    let x = match start_xvfb() {
        Ok(x) => x,
        Err(why) => {
            println!("skipped: no X server could be started: {why}");
            return;
        }
    };
    let dir = tempfile::tempdir().expect("temp dir");
    // From the top the vertex, fully treated, is the middle of the head.
    let treated = screenshot(&x.display, dir.path(), "treated.png", &["--view", "top"]);
    let bare = screenshot(
        &x.display,
        dir.path(),
        "bare.png",
        &["--view", "top", "--no-dots"],
    );
    for img in [&treated, &bare] {
        assert_eq!(img.dimensions(), (960, 600), "the window's size at scale 1");
    }

    // The window: the 3D view on the left with the head in it, the panel on the right.
    let skin: Vec<(u32, u32)> = treated
        .enumerate_pixels()
        .filter(|(_, _, p)| is_skin(p))
        .map(|(x, y, _)| (x, y))
        .collect();
    let share = skin.len() as f32 / (960.0 * 600.0);
    assert!(
        share > 0.10,
        "the head covers {:.1}% of the window",
        100.0 * share
    );
    let right = skin.iter().map(|p| p.0).max().unwrap_or(0);
    assert!(
        right < 960 - 250,
        "skin reaches x={right}: under the panel?"
    );
    let panel = (450..590)
        .flat_map(|y| (900..950).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let p = treated.get_pixel(x, y);
            p[0].abs_diff(p[1]) < 6 && p[1].abs_diff(p[2]) < 6 && p[0] < 80
        })
        .count();
    assert!(panel > 0, "no dark grey panel at the right edge");

    // The dots: the middle of the head is darker than the same head untreated, and grainy
    // where the bare skin is smooth (a dot is a pixel or two here, darker than its neighbours).
    let (t, b) = (centre_disc(&treated), centre_disc(&bare));
    let mean = |v: &[(f32, f32)]| v.iter().map(|p| p.0).sum::<f32>() / v.len().max(1) as f32;
    let grain = |v: &[(f32, f32)]| v.iter().map(|p| p.1).sum::<f32>() / v.len().max(1) as f32;
    let (mt, mb) = (mean(&t), mean(&b));
    let (gt, gb) = (grain(&t), grain(&b));
    println!("centre of the head: luma {mt:.1} treated, {mb:.1} bare; grain {gt:.2} treated, {gb:.2} bare");
    assert!(
        mt < mb - 1.0,
        "treated centre {mt:.1} is not darker than bare {mb:.1}"
    );
    assert!(
        gt > 2.0 * gb + 0.5,
        "no dots: grain {gt:.2} treated vs {gb:.2} bare"
    );
}

/// Without any display the viewer says what it needs and how to get it, and writes nothing.
#[test]
fn without_a_display_the_viewer_says_how_to_get_one() {
    let dir = tempfile::tempdir().expect("temp dir");
    let out = Command::new(env!("CARGO_BIN_EXE_scalp"))
        .args(["view", "--screenshot-after", "1", "--out", "shot.png"])
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .env_remove("WAYLAND_SOCKET")
        .current_dir(dir.path())
        .output()
        .expect("run scalp view");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{stderr}");
    assert!(
        stderr.contains("DISPLAY") && stderr.contains("xvfb-run"),
        "{stderr}"
    );
    assert!(!dir.path().join("shot.png").exists());
}

fn which(program: &str) -> Option<std::path::PathBuf> {
    std::env::var_os("PATH").and_then(|paths| {
        std::env::split_paths(&paths)
            .map(|d| d.join(program))
            .find(|p| p.is_file())
    })
}
