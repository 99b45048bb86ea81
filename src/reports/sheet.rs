//! Pictures made of pictures: a labelled contact sheet of one view over time, and the fading
//! chart (plotters). Text is drawn with the bundled DejaVu Sans, so nothing depends on the
//! fonts of the machine.
use crate::error::{Result, ScalpError};
use crate::reports::report::{touch_up_year, Curves, TOUCH_UP_SHARE};
use crate::zone::{ZoneId, ZONE_COUNT};
use plotters::prelude::*;
use plotters::style::FontStyle;
use std::path::Path;

const FONT: &[u8] = include_bytes!("../../assets/fonts/DejaVuSans.ttf");
const FAMILY: &str = "scalp-sans";

fn register_font() {
    static ONCE: std::sync::Once = std::sync::Once::new();
    ONCE.call_once(|| {
        // The font is compiled in and known to parse (tested); nothing to report otherwise.
        let _ = plotters::style::register_font(FAMILY, FontStyle::Normal, FONT);
    });
}

fn plot_err(e: impl std::fmt::Display) -> ScalpError {
    ScalpError::invalid("drawing", e.to_string())
}

/// "day 3", "6 months", "1 year", "5 years": how a clinic says it.
pub fn time_label(years: f32) -> String {
    let days = years * crate::ageing::DAYS_PER_YEAR;
    if days < 60.0 {
        format!("day {}", days.round())
    } else if years < 1.0 {
        format!("{} months", (years * 12.0).round())
    } else if (years - 1.0).abs() < 1e-3 {
        "1 year".into()
    } else if (years - years.round()).abs() < 1e-3 {
        format!("{} years", years.round())
    } else {
        format!("{years:.1} years")
    }
}

/// Lays `tiles` (all the same size) out in rows of `columns` under a title, each with its
/// label, and returns the sheet.
pub fn contact_sheet(
    title: &str,
    tiles: &[(String, image::RgbaImage)],
    columns: usize,
) -> Result<image::RgbImage> {
    register_font();
    let (tw, th) = tiles
        .first()
        .map(|t| t.1.dimensions())
        .ok_or_else(|| ScalpError::invalid("contact sheet", "no pictures"))?;
    let columns = columns.clamp(1, tiles.len());
    let rows = tiles.len().div_ceil(columns);
    let (pad, head, label) = (12u32, 48u32, 34u32);
    let w = columns as u32 * (tw + pad) + pad;
    let h = head + rows as u32 * (th + label + pad) + pad;
    let mut buf = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&RGBColor(24, 25, 28)).map_err(plot_err)?;
        root.draw_text(
            title,
            &(FAMILY, 26).into_font().color(&RGBColor(235, 235, 235)),
            (pad as i32, 12),
        )
        .map_err(plot_err)?;
        for (i, (text, _)) in tiles.iter().enumerate() {
            let (c, r) = ((i % columns) as u32, (i / columns) as u32);
            let x = pad + c * (tw + pad);
            let y = head + r * (th + label + pad) + th + 6;
            root.draw_text(
                text,
                &(FAMILY, 22).into_font().color(&RGBColor(235, 235, 235)),
                (x as i32, y as i32),
            )
            .map_err(plot_err)?;
        }
        root.present().map_err(plot_err)?;
    }
    let mut sheet = image::RgbImage::from_raw(w, h, buf)
        .ok_or_else(|| ScalpError::invalid("contact sheet", "buffer size"))?;
    for (i, (_, img)) in tiles.iter().enumerate() {
        let (c, r) = ((i % columns) as u32, (i / columns) as u32);
        let (x0, y0) = (pad + c * (tw + pad), head + r * (th + label + pad));
        for (x, y, p) in img.enumerate_pixels() {
            sheet.put_pixel(x0 + x, y0 + y, image::Rgb([p[0], p[1], p[2]]));
        }
    }
    Ok(sheet)
}

const ZONE_COLORS: [RGBColor; ZONE_COUNT] = [
    RGBColor(230, 90, 70),
    RGBColor(70, 140, 230),
    RGBColor(120, 190, 80),
    RGBColor(220, 170, 50),
    RGBColor(170, 100, 210),
    RGBColor(120, 120, 120),
    RGBColor(40, 170, 170),
    RGBColor(200, 80, 150),
    RGBColor(140, 110, 60),
    RGBColor(20, 60, 140),
];

/// The fading chart: contrast relative to healed and visible dots per cm², per zone, over the
/// years, with the touch-up threshold and the year each zone crosses it.
pub fn fading_chart(
    c: &Curves,
    healed: f32,
    present: &[bool; ZONE_COUNT],
) -> Result<image::RgbImage> {
    register_font();
    let (w, h) = (1200u32, 900u32);
    let mut buf = vec![0u8; (w * h * 3) as usize];
    {
        let root = BitMapBackend::with_buffer(&mut buf, (w, h)).into_drawing_area();
        root.fill(&WHITE).map_err(plot_err)?;
        let (top, bottom) = root.split_vertically(h / 2);
        contrast_panel(&top, c, healed, present)?;
        visible_panel(&bottom, c, present)?;
        root.present().map_err(plot_err)?;
    }
    image::RgbImage::from_raw(w, h, buf).ok_or_else(|| ScalpError::invalid("chart", "buffer size"))
}

type Area<'a> = DrawingArea<BitMapBackend<'a>, plotters::coord::Shift>;

fn font(size: u32) -> FontDesc<'static> {
    (FAMILY, size).into_font()
}

/// The upper half of the fading chart: contrast per zone as a share of healed, the
/// touch-up threshold, and where each zone crosses it.
fn contrast_panel(top: &Area, c: &Curves, healed: f32, present: &[bool; ZONE_COUNT]) -> Result<()> {
    let i0 = c.years.iter().position(|&y| y >= healed).unwrap_or(0);

    let mut chart = ChartBuilder::on(top)
        .caption("Contrast against skin (% of healed)", font(26))
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(0f32..crate::reports::report::HORIZON_YEARS, 0f64..110f64)
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("years after the first session")
        .y_desc("%")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .draw()
        .map_err(plot_err)?;
    let threshold = 100.0 * TOUCH_UP_SHARE as f64;
    chart
        .draw_series(LineSeries::new(
            [
                (0.0, threshold),
                (crate::reports::report::HORIZON_YEARS, threshold),
            ],
            BLACK.stroke_width(1),
        ))
        .map_err(plot_err)?
        .label("touch-up threshold")
        .legend(|(x, y)| PathElement::new([(x, y), (x + 20, y)], BLACK));
    for z in ZoneId::EVERY {
        let zi = z as usize;
        if !present[zi] {
            continue;
        }
        let reference = c.contrast[zi][i0].max(1e-12);
        let color = ZONE_COLORS[zi];
        let points: Vec<(f32, f64)> = c
            .years
            .iter()
            .zip(&c.contrast[zi])
            .map(|(&y, &v)| (y, 100.0 * v / reference))
            .collect();
        let when = touch_up_year(&c.years, &c.contrast[zi], healed);
        let name = match when {
            Some(y) => format!("{} (touch-up at {y:.1} y)", c.names[zi]),
            None => format!("{} (no touch-up within 15 y)", c.names[zi]),
        };
        chart
            .draw_series(LineSeries::new(points, color.stroke_width(3)))
            .map_err(plot_err)?
            .label(name)
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 20, y)], color.stroke_width(3)));
        if let Some(y) = when {
            chart
                .draw_series([Circle::new((y, threshold), 6, color.filled())])
                .map_err(plot_err)?;
        }
    }
    chart
        .configure_series_labels()
        .label_font(font(16))
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK)
        .position(SeriesLabelPosition::UpperRight)
        .draw()
        .map_err(plot_err)?;
    Ok(())
}

/// The lower half of the fading chart: visible dots per cm² per zone.
fn visible_panel(bottom: &Area, c: &Curves, present: &[bool; ZONE_COUNT]) -> Result<()> {
    let max_vis = (0..ZONE_COUNT)
        .filter(|&z| present[z])
        .flat_map(|z| c.visible_per_cm2[z].iter().copied())
        .fold(1.0f64, f64::max);
    let mut chart = ChartBuilder::on(bottom)
        .caption("Visible dots per cm²", font(26))
        .margin(14)
        .x_label_area_size(40)
        .y_label_area_size(60)
        .build_cartesian_2d(
            0f32..crate::reports::report::HORIZON_YEARS,
            0f64..max_vis * 1.1,
        )
        .map_err(plot_err)?;
    chart
        .configure_mesh()
        .x_desc("years after the first session")
        .y_desc("dots/cm²")
        .label_style(font(16))
        .axis_desc_style(font(18))
        .draw()
        .map_err(plot_err)?;
    for z in ZoneId::EVERY {
        let zi = z as usize;
        if !present[zi] {
            continue;
        }
        let points: Vec<(f32, f64)> = c
            .years
            .iter()
            .copied()
            .zip(c.visible_per_cm2[zi].iter().copied())
            .collect();
        chart
            .draw_series(LineSeries::new(points, ZONE_COLORS[zi].stroke_width(3)))
            .map_err(plot_err)?;
    }
    Ok(())
}

/// Writes an RGB image as PNG whole or not at all (see png::write_png).
pub fn write_rgb_png(img: &image::RgbImage, path: &Path) -> Result<()> {
    let rgba = image::DynamicImage::ImageRgb8(img.clone()).to_rgba8();
    crate::png::write_png(&rgba, path)
}

/// The exposure map's colour ramp (`ramp` in skin.wgsl), linear RGB, for 0 ≤ t ≤ 1.
pub fn exposure_ramp(t: f32) -> [f32; 3] {
    const C: [[f32; 3]; 5] = [
        [0.02, 0.01, 0.10],
        [0.05, 0.15, 0.45],
        [0.02, 0.45, 0.40],
        [0.35, 0.75, 0.10],
        [0.95, 0.85, 0.05],
    ];
    let x = t.clamp(0.0, 1.0) * 4.0;
    let i = (x.floor() as usize).min(3);
    let f = x - i as f32;
    std::array::from_fn(|c| C[i][c] + (C[i + 1][c] - C[i][c]) * f)
}

/// Draws the exposure map's legend (0 to 2 × the dose on top of the head) into `img`'s
/// lower right corner.
pub fn exposure_legend(img: &mut image::RgbaImage) -> Result<()> {
    register_font();
    let (w, h) = img.dimensions();
    let (bw, bh) = ((w / 4).max(120), (h / 40).max(10));
    let (x0, y0) = (w.saturating_sub(bw + 30), h.saturating_sub(bh + 50));
    let srgb = |v: f32| {
        let v = v.clamp(0.0, 1.0);
        let e = if v <= 0.003_130_8 {
            12.92 * v
        } else {
            1.055 * v.powf(1.0 / 2.4) - 0.055
        };
        (e * 255.0).round() as u8
    };
    for x in 0..bw {
        let c = exposure_ramp(x as f32 / (bw - 1) as f32);
        for y in 0..bh {
            if x0 + x < w && y0 + y < h {
                img.put_pixel(
                    x0 + x,
                    y0 + y,
                    image::Rgba([srgb(c[0]), srgb(c[1]), srgb(c[2]), 255]),
                );
            }
        }
    }
    let mut rgb = image::DynamicImage::ImageRgba8(img.clone()).to_rgb8();
    {
        let root = BitMapBackend::with_buffer(rgb.as_mut(), (w, h)).into_drawing_area();
        let style = (FAMILY, (bh as f64 * 1.4).max(14.0))
            .into_font()
            .color(&WHITE);
        let ty = (y0 + bh + 6) as i32;
        root.draw_text("0", &style, (x0 as i32, ty))
            .map_err(plot_err)?;
        root.draw_text("1", &style, ((x0 + bw / 2) as i32 - 4, ty))
            .map_err(plot_err)?;
        root.draw_text("2", &style, ((x0 + bw) as i32 - 10, ty))
            .map_err(plot_err)?;
        let caption = "UV dose per year, 1 = top of the head";
        let (cw, ch) = root.estimate_text_size(caption, &style).map_err(plot_err)?;
        root.draw_text(
            caption,
            &style,
            (
                (w as i32 - 20 - cw as i32).max(0),
                y0 as i32 - ch as i32 - 8,
            ),
        )
        .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    *img = image::DynamicImage::ImageRgb8(rgb).to_rgba8();
    Ok(())
}

/// Draws a scale bar with its length into the lower left corner of a close-up, given how many
/// pixels a millimetre spans: trainers judge dot sizes against it.
pub fn scale_bar(img: &mut image::RgbaImage, px_per_mm: f32) -> Result<()> {
    register_font();
    let (w, h) = img.dimensions();
    // The round length nearest a sixth of the picture's width.
    let want = w as f32 / 6.0 / px_per_mm.max(1e-6);
    let mm = [0.5f32, 1.0, 2.0, 5.0, 10.0, 20.0, 50.0]
        .into_iter()
        .min_by(|a, b| (a / want).ln().abs().total_cmp(&(b / want).ln().abs()))
        .unwrap_or(1.0);
    let len = (mm * px_per_mm).round().max(2.0) as u32;
    let thick = (h / 120).max(3);
    let (x0, y0) = (16u32, h.saturating_sub(18 + thick));
    for y in y0.saturating_sub(1)..(y0 + thick + 1).min(h) {
        for x in x0.saturating_sub(1)..(x0 + len + 1).min(w) {
            let edge = y < y0 || y >= y0 + thick || x < x0 || x >= x0 + len;
            let v = if edge { 20 } else { 245 };
            img.put_pixel(x, y, image::Rgba([v, v, v, 255]));
        }
    }
    let text = if mm < 1.0 {
        format!("{mm} mm")
    } else {
        format!("{mm:.0} mm")
    };
    let mut rgb = image::DynamicImage::ImageRgba8(img.clone()).to_rgb8();
    {
        let root = BitMapBackend::with_buffer(rgb.as_mut(), (w, h)).into_drawing_area();
        let size = (h as f64 / 22.0).max(13.0);
        let (tx, ty) = ((x0 + len + 8) as i32, y0 as i32 - (size * 0.45) as i32);
        root.draw_text(
            &text,
            &(FAMILY, size).into_font().color(&RGBColor(20, 20, 20)),
            (tx + 1, ty + 1),
        )
        .map_err(plot_err)?;
        root.draw_text(
            &text,
            &(FAMILY, size).into_font().color(&RGBColor(245, 245, 245)),
            (tx, ty),
        )
        .map_err(plot_err)?;
        root.present().map_err(plot_err)?;
    }
    *img = image::DynamicImage::ImageRgb8(rgb).to_rgba8();
    Ok(())
}
