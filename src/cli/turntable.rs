//! `scalp turntable`: one turn round the head, at one time or with time passing from healed to
//! ten years as it turns, as a video a client can play anywhere. MP4 and WebP are encoded by
//! `ffmpeg` when it is installed (H.264, animated WebP); GIF by the `image` crate, no ffmpeg
//! needed. Written whole or not at all.
use super::export::Bar;
use super::{generate_with_bar, load_head, load_plan, parse_size, parse_years, HeadArgs};
use clap::Args;
use glam::Vec3;
use scalp::camera::{Camera, ViewPreset};
use scalp::engine::{Engine, Frame};
use scalp::render::HeadGpu;
use scalp::treatment::Treatment;
use scalp::{Result, ScalpError};
use std::path::{Path, PathBuf};

#[derive(Args)]
pub struct TurntableArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Output: .mp4 or .webp (through ffmpeg) or .gif.
    #[arg(long, value_name = "FILE.mp4|FILE.gif|FILE.webp")]
    pub out: PathBuf,
    /// The time shown, years after the first session (default: healed).
    #[arg(long, value_parser = parse_years, conflicts_with = "ageing")]
    pub years: Option<f32>,
    /// Let time pass from healed to ten years while the head turns.
    #[arg(long)]
    pub ageing: bool,
    /// Frames in the turn (8–1440).
    #[arg(long, default_value_t = 72, value_parser = clap::value_parser!(u32).range(8..=1440))]
    pub frames: u32,
    /// Frames a second.
    #[arg(long, default_value_t = 24, value_parser = clap::value_parser!(u32).range(1..=60))]
    pub fps: u32,
    /// Frame size, WIDTHxHEIGHT.
    #[arg(long, default_value = "640x640", value_parser = parse_size)]
    pub size: (u32, u32),
    /// Degrees above the horizon the camera looks down from (the scalp shows from above).
    #[arg(long, default_value_t = 30.0, allow_negative_numbers = true)]
    pub elevation: f32,
}

/// How a turntable is encoded, from its file name.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Container {
    Mp4,
    Gif,
    WebP,
}

impl Container {
    pub fn of(path: &Path) -> Result<Container> {
        match path
            .extension()
            .and_then(|e| e.to_str())
            .map(|e| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("mp4") => Ok(Container::Mp4),
            Some("gif") => Ok(Container::Gif),
            Some("webp") => Ok(Container::WebP),
            _ => Err(ScalpError::Output {
                path: path.to_path_buf(),
                message: "the turntable is written as .mp4, .gif or .webp".into(),
            }),
        }
    }

    fn extension(self) -> &'static str {
        match self {
            Container::Mp4 => "mp4",
            Container::Gif => "gif",
            Container::WebP => "webp",
        }
    }
}

/// Whether `ffmpeg` can be run.
pub fn ffmpeg_installed() -> bool {
    std::process::Command::new("ffmpeg")
        .arg("-version")
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .status()
        .is_ok_and(|s| s.success())
}

/// The cameras of one turn: the same distance and height all the way round, far enough that
/// the head fits the frame from every side.
fn turn(
    outline: &scalp::camera::Outline,
    frames: u32,
    elevation_deg: f32,
    aspect: f32,
) -> Vec<Camera> {
    let el = elevation_deg.to_radians();
    let back_at = |az: f32| Vec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos());
    let fov = Camera::framing(ViewPreset::Front, outline, aspect).fov_y;
    let fits: Vec<Camera> = (0..12)
        .map(|k| {
            Camera::fit(
                outline,
                back_at(k as f32 * std::f32::consts::TAU / 12.0),
                Vec3::Y,
                fov,
                aspect,
            )
        })
        .collect();
    let dist = fits
        .iter()
        .map(|c| c.eye.distance(c.target))
        .fold(0.0f32, f32::max);
    let centre = outline.center();
    let target = Vec3::new(centre.x, fits[0].target.y, centre.z);
    let radius = outline.radius();
    (0..frames)
        .map(|k| {
            let az = k as f32 * std::f32::consts::TAU / frames as f32;
            Camera {
                eye: target + back_at(az) * dist,
                target,
                up: Vec3::Y,
                fov_y: fov,
                near: (dist - 1.5 * radius).max(1.0),
                far: dist + 1.5 * radius,
            }
        })
        .collect()
}

pub fn run(a: TurntableArgs) -> Result<()> {
    let container = Container::of(&a.out)?;
    let tmp = scalp::png::check_output(&a.out, container.extension())?;
    let ffmpeg = ffmpeg_installed();
    if container != Container::Gif && !ffmpeg {
        return Err(ScalpError::Output {
            path: a.out.clone(),
            message: "writing .mp4 or .webp needs ffmpeg, which is not installed; \
                      write a .gif instead (no ffmpeg needed)"
                .into(),
        });
    }
    let head = load_head(&a.head)?;
    let plan = load_plan(&a.head)?;
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let mut head_gpu = HeadGpu::new(&engine.gpu, &head);
    treatment.set_hairs(&engine.gpu, &head, &mut head_gpu);
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let settings = scalp::render::RenderSettings {
        path: engine.auto_path_for(a.size, 0),
        ..treatment.render_settings()
    };
    let healed = treatment.healed_years();
    let cameras = turn(
        &head_gpu.outline,
        a.frames,
        a.elevation,
        a.size.0 as f32 / a.size.1 as f32,
    );
    let n = cameras.len();
    let time_at = |k: usize| -> f32 {
        if a.ageing {
            healed + (10.0 - healed).max(0.0) * k as f32 / (n - 1).max(1) as f32
        } else {
            a.years.unwrap_or(healed)
        }
    };
    let bar = Bar::new(n, "rendering frames");
    let mut frames = Vec::with_capacity(n);
    let mut aged = None;
    let mut aged_at = f32::NAN;
    for (k, cam) in cameras.iter().enumerate() {
        let t = time_at(k);
        if t != aged_at {
            aged = Some(engine.age(&treatment, &dots, t)?);
            aged_at = t;
        }
        let img = engine.render_image(&Frame {
            head: &head_gpu,
            dots: aged.as_ref().map(|ag| (&dots, ag)),
            view: (*cam).into(),
            settings: &settings,
            size: a.size,
        })?;
        frames.push(img);
        bar.set(k + 1);
    }
    bar.finish();
    let result = match container {
        Container::Gif => write_gif(&frames, a.fps, &tmp),
        Container::Mp4 | Container::WebP => encode_ffmpeg(&frames, a.fps, container, &tmp),
    };
    if let Err(message) =
        result.and_then(|_| std::fs::rename(&tmp, &a.out).map_err(|e| e.to_string()))
    {
        let _ = std::fs::remove_file(&tmp);
        return Err(ScalpError::Output {
            path: a.out.clone(),
            message,
        });
    }
    let how = match container {
        Container::Gif => "GIF, image crate".to_string(),
        _ => "through ffmpeg".to_string(),
    };
    println!(
        "wrote {} ({n} frames, {}x{}, {} fps, {how}; {})",
        a.out.display(),
        a.size.0,
        a.size.1,
        a.fps,
        if a.ageing {
            "healed to 10 years while turning".to_string()
        } else {
            format!("{:.2} years", a.years.unwrap_or(healed))
        }
    );
    Ok(())
}

/// An animated GIF of `frames` (looping), each frame's palette its own.
fn write_gif(
    frames: &[image::RgbaImage],
    fps: u32,
    path: &Path,
) -> std::result::Result<(), String> {
    use image::codecs::gif::{GifEncoder, Repeat};
    let file = std::fs::File::create(path).map_err(|e| e.to_string())?;
    let mut enc = GifEncoder::new_with_speed(std::io::BufWriter::new(file), 10);
    enc.set_repeat(Repeat::Infinite)
        .map_err(|e| e.to_string())?;
    let delay = image::Delay::from_numer_denom_ms(1000, fps);
    for f in frames {
        enc.encode_frame(image::Frame::from_parts(f.clone(), 0, 0, delay))
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// Pipes raw frames to ffmpeg: H.264 in MP4 (yuv420p, plays on phones), or animated WebP.
fn encode_ffmpeg(
    frames: &[image::RgbaImage],
    fps: u32,
    container: Container,
    path: &Path,
) -> std::result::Result<(), String> {
    use std::io::Write;
    use std::process::{Command, Stdio};
    let (w, h) = frames.first().map_or((0, 0), |f| f.dimensions());
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgba",
    ])
    .args(["-s", &format!("{w}x{h}"), "-r", &fps.to_string(), "-i", "-"]);
    match container {
        // yuv420p needs even sides.
        Container::Mp4 => cmd.args([
            "-vf",
            "pad=ceil(iw/2)*2:ceil(ih/2)*2",
            "-c:v",
            "libx264",
            "-pix_fmt",
            "yuv420p",
            "-crf",
            "18",
            "-movflags",
            "+faststart",
            "-f",
            "mp4",
        ]),
        _ => cmd.args([
            "-c:v",
            "libwebp_anim",
            "-lossless",
            "0",
            "-quality",
            "90",
            "-loop",
            "0",
            "-f",
            "webp",
        ]),
    };
    cmd.arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("ffmpeg could not be started: {e}"))?;
    {
        let mut stdin = child.stdin.take().ok_or("ffmpeg has no input")?;
        for f in frames {
            stdin
                .write_all(f.as_raw())
                .map_err(|e| format!("ffmpeg stopped reading: {e}"))?;
        }
    }
    let out = child.wait_with_output().map_err(|e| e.to_string())?;
    if !out.status.success() {
        return Err(format!(
            "ffmpeg failed: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    Ok(())
}
