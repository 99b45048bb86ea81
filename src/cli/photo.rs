//! `scalp photo`: the treatment rendered into the client's own photos. Each photo's camera is
//! fitted to landmark pixels picked on it; the same head, plan and dots serve every photo, so
//! the same dots appear in each.
use super::{generate_with_bar, load_head, load_plan, parse_days, HeadArgs};
use clap::Args;
use scalp::engine::Engine;
use scalp::light::LightPreset;
use scalp::optics::SkinTone;
use scalp::photo::{composite::load_photo, fit_photo, points::load_points, render_into_photo};
use scalp::render::{HeadGpu, RenderSettings};
use scalp::reports::sheet::{contact_sheet, time_label, write_rgb_png};
use scalp::treatment::Treatment;
use scalp::{png::write_png, Result, ScalpError};
use std::path::PathBuf;

#[derive(Args)]
pub struct PhotoArgs {
    /// The client's photo (JPEG or PNG). Repeat with one --points each for several views of
    /// one client: one head and one set of dots for all.
    #[arg(long = "image", value_name = "FILE", required = true)]
    pub images: Vec<PathBuf>,
    /// Landmark pixels on the photo (x right, y down from the top-left corner), at least four:
    /// "nasion=x,y;ear_left=x,y;…" or a TOML file of `name = [x, y]` lines. Names: nasion,
    /// glabella, hairline, temple_left, temple_right, vertex, occipital, ear_left, ear_right
    /// (the client's own left and right; ear = the top of the ear's attachment).
    #[arg(long = "points", value_name = "SPEC|FILE.toml", required = true)]
    pub points: Vec<String>,
    #[command(flatten)]
    pub head: HeadArgs,
    /// Output PNG: the photo with the treatment; a labelled sheet when there are several
    /// photos, several times or --before-after.
    #[arg(long, default_value = "photo.png")]
    pub out: PathBuf,
    /// Show the treatment this many years after the first session; several (1,5,10) give a
    /// contact sheet over the years (default: healed, four weeks after the last session).
    #[arg(long, value_delimiter = ',', value_parser = super::parse_years, conflicts_with = "days")]
    pub years: Vec<f32>,
    /// Show the treatment this many days after the first session.
    #[arg(long, value_parser = parse_days)]
    pub days: Option<f32>,
    /// Put the photo as it is beside the treated one.
    #[arg(long)]
    pub before_after: bool,
    /// Fitzpatrick skin type I–VI of the client (default: the plan's `skin.tone`): how much
    /// the dots show through his skin.
    #[arg(long, value_enum)]
    pub skin: Option<SkinTone>,
    /// Lighting the dots' darkening is worked out under (the photo keeps its own light).
    #[arg(long, value_enum, default_value_t = LightPreset::Consultation)]
    pub light: LightPreset,
    /// The lens's 35 mm-equivalent focal length, mm (default: the photo's EXIF, else fitted).
    #[arg(long, value_name = "MM", value_parser = parse_focal)]
    pub focal_35mm: Option<f64>,
    /// Refuse a fit whose worst point lands farther than this from where it was picked, px
    /// (default: 4% of the points' extent, at least 3 px).
    #[arg(long, value_name = "PX")]
    pub max_error: Option<f64>,
}

pub(super) fn parse_focal(s: &str) -> std::result::Result<f64, String> {
    match s.trim().trim_end_matches("mm").parse::<f64>() {
        Ok(v) if (8.0..=1200.0).contains(&v) => Ok(v),
        _ => Err(format!("\"{s}\" is not a focal length of 8 to 1200 mm")),
    }
}

/// Largest side of a tile on a sheet, px.
const TILE_SIDE: u32 = 900;

pub fn run(a: PhotoArgs) -> Result<()> {
    if a.images.len() != a.points.len() {
        return Err(ScalpError::invalid(
            "--points",
            format!(
                "{} photos and {} sets of points: give one --points after each --image",
                a.images.len(),
                a.points.len()
            ),
        ));
    }
    scalp::png::check_path(&a.out)?;
    let head = load_head(&a.head)?;
    // Read and fit every photo before anything is rendered: a bad point costs no render.
    let mut fitted = Vec::new();
    for (path, spec) in a.images.iter().zip(&a.points) {
        let (image, fit) = fit_one(&head, path, spec, a.focal_35mm, a.max_error)?;
        fitted.push((path, image, fit));
    }
    let mut plan = load_plan(&a.head)?;
    plan.hair.enabled = false;
    if let Some(s) = a.skin {
        plan.skin.tone = s;
    }
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let head_gpu = HeadGpu::new(&engine.gpu, &head);
    head_gpu.set_exposure(&engine.gpu, &treatment.exposure);
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let times: Vec<(f32, String)> = match (a.years.as_slice(), a.days) {
        ([], Some(d)) => vec![(d / scalp::ageing::DAYS_PER_YEAR, format!("day {d}"))],
        ([], None) => vec![(treatment.healed_years(), "healed".to_string())],
        (ys, _) => ys.iter().map(|y| (*y, time_label(*y))).collect(),
    };
    let settings = RenderSettings {
        light: a.light,
        ..treatment.render_settings()
    };
    let mut tiles: Vec<(String, image::RgbaImage)> = Vec::new();
    for (path, photo, fit) in &fitted {
        let name = path
            .file_name()
            .map(|n| n.to_string_lossy().to_string())
            .unwrap_or_default();
        if a.before_after {
            tiles.push((format!("{name}: before"), photo.clone()));
        }
        for (t, label) in &times {
            let aged = engine.age(&treatment, &dots, *t)?;
            let img = render_into_photo(&engine, &head_gpu, (&dots, &aged), &settings, photo, fit)
                .map_err(|e| ScalpError::invalid("--image", format!("{}: {e}", path.display())))?;
            tiles.push((format!("{name}: {label}"), img));
        }
    }
    if tiles.len() == 1 {
        write_png(&tiles[0].1, &a.out)?;
    } else {
        let columns = times.len() + a.before_after as usize;
        let tiles = same_size(tiles);
        let sheet = contact_sheet(
            &format!(
                "SMP on the client's photos — skin type {}, {} dots",
                treatment.plan.skin.tone.name(),
                dots.total()
            ),
            &tiles,
            columns,
        )?;
        write_rgb_png(&sheet, &a.out)?;
    }
    println!(
        "wrote {} ({} picture{}, {} dots, skin type {})",
        a.out.display(),
        tiles_count(fitted.len(), times.len(), a.before_after),
        if tiles_count(fitted.len(), times.len(), a.before_after) == 1 {
            ""
        } else {
            "s"
        },
        dots.total(),
        treatment.plan.skin.tone.name()
    );
    Ok(())
}

/// Reads the photo at `path`, reads the landmark pixels `spec` picked on it, and fits the
/// camera that took it, printing the fit and each point's error. A bad photo, bad points or a
/// fit that does not hold are refused naming the photo.
pub fn fit_one(
    head: &scalp::head::Head,
    path: &std::path::Path,
    spec: &str,
    focal_35mm: Option<f64>,
    max_error: Option<f64>,
) -> Result<(image::RgbaImage, scalp::photo::fit::Fit)> {
    let photo = load_photo(path)?;
    let size = photo.image.dimensions();
    let points = load_points(spec)?;
    let focal_px = focal_35mm
        .map(|f| {
            f / scalp::photo::composite::FILM_DIAGONAL_MM * (size.0 as f64).hypot(size.1 as f64)
        })
        .or(photo.focal_px);
    let fit = fit_photo(head, &points, size, focal_px, max_error)
        .map_err(|e| ScalpError::invalid("--points", format!("{}: {e}", path.display())))?;
    let c = &fit.camera;
    println!(
        "{}: {}x{}, {} points, camera {:.0} mm from the head's centre, {:.1}° vertical field \
         ({}), reprojection error rms {:.2} px, worst {:.2} px (`{}`, at most {:.1} allowed):",
        path.display(),
        size.0,
        size.1,
        points.points.len(),
        c.eye().length(),
        c.fov_y().to_degrees(),
        match (fit.focal_given, focal_35mm.or(photo.focal_35mm)) {
            (true, Some(f)) => format!("{f:.0} mm equivalent lens, given"),
            _ => "lens fitted".to_string(),
        },
        fit.rms_px(),
        fit.worst().1,
        fit.worst().0.name(),
        fit.tolerance_px
    );
    for line in fit.describe() {
        println!("{line}");
    }
    Ok((photo.image, fit))
}

fn tiles_count(photos: usize, times: usize, before: bool) -> usize {
    photos * (times + before as usize)
}

/// Every tile scaled into one box ([`TILE_SIDE`] at most) and centred on a dark ground, so
/// photos of different sizes share a sheet.
fn same_size(tiles: Vec<(String, image::RgbaImage)>) -> Vec<(String, image::RgbaImage)> {
    let (mw, mh) = tiles.iter().fold((1u32, 1u32), |(w, h), t| {
        (w.max(t.1.width()), h.max(t.1.height()))
    });
    let s = (TILE_SIDE as f64 / mw.max(mh) as f64).min(1.0);
    let (bw, bh) = (
        ((mw as f64 * s) as u32).max(1),
        ((mh as f64 * s) as u32).max(1),
    );
    tiles
        .into_iter()
        .map(|(label, img)| (label, letterbox(&img, (bw, bh), [24, 25, 28, 255])))
        .collect()
}

/// `img` scaled to fit a `size` box, keeping its shape, and centred on `ground`: photos of
/// any shape then share a sheet's or a page's grid.
pub(super) fn letterbox(
    img: &image::RgbaImage,
    size: (u32, u32),
    ground: [u8; 4],
) -> image::RgbaImage {
    let (bw, bh) = size;
    let k = (bw as f64 / img.width() as f64).min(bh as f64 / img.height() as f64);
    let (w, h) = (
        ((img.width() as f64 * k).round() as u32).clamp(1, bw),
        ((img.height() as f64 * k).round() as u32).clamp(1, bh),
    );
    let small = image::imageops::resize(img, w, h, image::imageops::FilterType::Triangle);
    let mut out = image::RgbaImage::from_pixel(bw, bh, image::Rgba(ground));
    image::imageops::overlay(
        &mut out,
        &small,
        ((bw - w) / 2) as i64,
        ((bh - h) / 2) as i64,
    );
    out
}
