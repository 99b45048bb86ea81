//! What trainers and clinics see, on rendered pixels (issue 14): how much a treated patch
//! darkens (the "drop": the fall of its mean linear luminance against the same patch bald and
//! untreated) and which way its colour moves (CIELAB Δb*, negative = bluer), for the technique
//! errors that are about tone (too deep, over-saturation, too light) and for the build-up over
//! the sessions and the fading after healing. Type II skin, consultation light (the defaults).
use crate::common;

use common::{engine, head, luminance, pixel_of};
use image::RgbaImage;
use scalp::camera::ViewPreset;
use scalp::plan::Plan;
use scalp::render::HeadGpu;
use scalp::reports::framing::{camera, Framing};
use scalp::technique::TechniqueError as E;
use scalp::treatment::Treatment;
use scalp::worked::with_only;

/// A render of a plan with its dots and the same head bald and untreated (scars left in).
struct Shot {
    with: RgbaImage,
    without: RgbaImage,
}

/// Renders `plan` at each of `years` in `framing` (`size` pixels).
fn shots(plan: &Plan, years: &[f32], framing: Framing, size: (u32, u32)) -> Vec<Shot> {
    let (e, h) = (engine(), head());
    let t = Treatment::new(h, plan, None).unwrap();
    let dots = e.generate(h, &t).unwrap();
    let head_gpu = HeadGpu::new(&e.gpu, h);
    let (cam, _) = camera(h, framing, size.0 as f32 / size.1 as f32);
    years
        .iter()
        .map(|&y| {
            let aged = e.age(&t, &dots, y).unwrap();
            let shot = |with_dots: bool| {
                let settings = scalp::render::RenderSettings {
                    dots: with_dots,
                    ..t.render_settings()
                };
                e.render_image(&scalp::engine::Frame {
                    head: &head_gpu,
                    dots: Some((&dots, &aged)),
                    view: cam.into(),
                    settings: &settings,
                    size,
                })
                .unwrap()
            };
            Shot {
                with: shot(true),
                without: shot(false),
            }
        })
        .collect()
}

fn linear(c: u8) -> f64 {
    let c = c as f64 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

/// Pixel rectangle (x0, y0, x1, y1), end exclusive.
type Patch = (u32, u32, u32, u32);

/// The middle three fifths of a close-up (all of it skin), as `reports::metrics` measures it.
fn middle(size: (u32, u32)) -> Patch {
    (
        size.0 / 5,
        size.1 / 5,
        size.0 - size.0 / 5,
        size.1 - size.1 / 5,
    )
}

/// Mean linear RGB of `img` over `p`.
fn mean_rgb(img: &RgbaImage, p: Patch) -> [f64; 3] {
    let mut s = [0.0f64; 3];
    let mut n = 0.0;
    for y in p.1..p.3 {
        for x in p.0..p.2 {
            let px = img.get_pixel(x, y);
            for (c, v) in s.iter_mut().enumerate() {
                *v += linear(px[c]);
            }
            n += 1.0;
        }
    }
    s.map(|v| v / n)
}

fn lum(c: [f64; 3]) -> f64 {
    0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2]
}

/// CIELAB b* of a linear sRGB colour (D65 white).
fn lab_b(c: [f64; 3]) -> f64 {
    let f = |t: f64| {
        if t > 0.008856 {
            t.cbrt()
        } else {
            7.787 * t + 16.0 / 116.0
        }
    };
    let y = lum(c);
    let z = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.089;
    200.0 * (f(y) - f(z))
}

impl Shot {
    /// The drop of `p`: 1 − treated / untreated mean linear luminance.
    fn drop(&self, p: Patch) -> f64 {
        1.0 - lum(mean_rgb(&self.with, p)) / lum(mean_rgb(&self.without, p))
    }

    /// Δb* of `p`, treated minus untreated.
    fn delta_b(&self, p: Patch) -> f64 {
        lab_b(mean_rgb(&self.with, p)) - lab_b(mean_rgb(&self.without, p))
    }

    /// Per-pixel darkening 1 − treated / untreated luminance over `p`.
    fn darkening(&self, p: Patch) -> Vec<f64> {
        let mut v = Vec::new();
        for y in p.1..p.3 {
            for x in p.0..p.2 {
                let (a, b) = (
                    luminance(self.with.get_pixel(x, y)) as f64,
                    luminance(self.without.get_pixel(x, y)) as f64,
                );
                v.push(1.0 - a / b.max(1e-6));
            }
        }
        v
    }

    /// Share of the pixels of `p` darkened by more than `threshold`.
    fn coverage(&self, p: Patch, threshold: f64) -> f64 {
        let d = self.darkening(p);
        d.iter().filter(|&&x| x > threshold).count() as f64 / d.len() as f64
    }

    /// Share of the pixels of `p` darker than half the dots' peak darkening (the 99th
    /// percentile): the dots and what joins them, i.e. the opposite of negative space.
    fn filled(&self, p: Patch) -> f64 {
        let mut d = self.darkening(p);
        d.sort_by(|a, b| a.total_cmp(b));
        let peak = d[(d.len() as f64 * 0.99) as usize];
        d.iter().filter(|&&x| x > 0.5 * peak).count() as f64 / d.len() as f64
    }
}

const CLOSE_UP: (u32, u32) = (320, 240);
fn close_up() -> Framing {
    Framing::Vertex { width_mm: 24.0 }
}

/// Whole-head framing: the default three-quarter view, square, and a patch of 13×13 pixels
/// (~9 mm) on the top of the head.
const HEAD: (u32, u32) = (320, 320);
fn head_view() -> Framing {
    Framing::View(ViewPreset::ThreeQuarter)
}
fn top_patch() -> Patch {
    let (x, y) = pixel_of(ViewPreset::ThreeQuarter, HEAD, head().landmarks.vertex);
    let (x, y) = (x as u32, (y + 8) as u32);
    (x - 6, y - 6, x + 7, y + 7)
}

fn healed(plan: &Plan) -> f32 {
    plan.healed_years()
}

// ---------------------------------------------------------------------------------------
// Technique errors
// ---------------------------------------------------------------------------------------

#[test]
fn too_deep_is_a_blue_grey_blowout_at_whole_head_framing_and_spreads_over_the_years() {
    let correct = Plan::default();
    let deep = with_only(&correct, E::TooDeep, 1.0);
    let years = [healed(&correct), 5.0];
    let (c, d) = (
        shots(&correct, &years, head_view(), HEAD),
        shots(&deep, &years, head_view(), HEAD),
    );
    let p = top_patch();
    let (cb, db) = (c[0].delta_b(p), d[0].delta_b(p));
    let (cd, dd) = (c[0].drop(p), d[0].drop(p));
    eprintln!(
        "whole head, top patch, healed: correct Δb* {cb:.2} drop {:.1}%, too deep Δb* {db:.2} \
         drop {:.1}%; five years: correct Δb* {:.2} drop {:.1}%, too deep Δb* {:.2} drop {:.1}%",
        100.0 * cd,
        100.0 * dd,
        c[1].delta_b(p),
        100.0 * c[1].drop(p),
        d[1].delta_b(p),
        100.0 * d[1].drop(p)
    );
    // Bluer: the darkening of a blowout takes clearly more yellow (b*) out of the skin.
    assert!(
        db < 1.5 * cb && db < cb - 0.5,
        "too deep Δb* {db:.2}, correct {cb:.2}"
    );
    // Not a faint haze: a blowout darkens the scalp at least as much as correct work.
    assert!(dd >= cd, "too deep drop {dd:.3}, correct {cd:.3}");

    // Close up, the halos spread and merge: as the pigment fades, the share of the skin
    // shadowed by at least half the dots' peak grows for blowouts (their shadows widen and join),
    // while correct dots keep their size.
    let (c, d) = (
        shots(&correct, &years, close_up(), CLOSE_UP),
        shots(&deep, &years, close_up(), CLOSE_UP),
    );
    let m = middle(CLOSE_UP);
    let cov = |s: &Shot| s.coverage(m, 0.05);
    eprintln!(
        "close-up, share over half the peak: correct {:.1}% → {:.1}%, too deep {:.1}% → \
         {:.1}%; skin darkened > 5%: correct {:.1}% → {:.1}%, too deep {:.1}% → {:.1}%; Δb* \
         correct {:.2}, too deep {:.2}",
        100.0 * c[0].filled(m),
        100.0 * c[1].filled(m),
        100.0 * d[0].filled(m),
        100.0 * d[1].filled(m),
        100.0 * cov(&c[0]),
        100.0 * cov(&c[1]),
        100.0 * cov(&d[0]),
        100.0 * cov(&d[1]),
        c[0].delta_b(m),
        d[0].delta_b(m)
    );
    assert!(
        d[1].filled(m) > 1.15 * d[0].filled(m),
        "too deep: {:.3} healed, {:.3} at five years",
        d[0].filled(m),
        d[1].filled(m)
    );
    assert!(c[1].filled(m) < 1.1 * c[0].filled(m));
    // Already healed, a blowout shadows far more of the skin than correct work.
    assert!(cov(&d[0]) > 2.0 * cov(&c[0]));
}

#[test]
fn over_saturation_is_a_helmet_with_little_negative_space() {
    let correct = Plan::default();
    let sat = with_only(&correct, E::OverSaturation, 1.0);
    let y = [healed(&correct)];
    let (c, s) = (
        shots(&correct, &y, close_up(), CLOSE_UP),
        shots(&sat, &y, close_up(), CLOSE_UP),
    );
    let m = middle(CLOSE_UP);
    let (ch, sh) = (
        shots(&correct, &y, head_view(), HEAD),
        shots(&sat, &y, head_view(), HEAD),
    );
    let p = top_patch();
    eprintln!(
        "healed drop: close-up correct {:.1}%, over-saturated {:.1}%; whole head correct \
         {:.1}%, over-saturated {:.1}%; close-up filled (> half peak): correct {:.1}%, \
         over-saturated {:.1}%",
        100.0 * c[0].drop(m),
        100.0 * s[0].drop(m),
        100.0 * ch[0].drop(p),
        100.0 * sh[0].drop(p),
        100.0 * c[0].filled(m),
        100.0 * s[0].filled(m)
    );
    assert!(s[0].drop(m) > 0.15, "close-up drop {:.3}", s[0].drop(m));
    assert!(sh[0].drop(p) > 0.15, "whole-head drop {:.3}", sh[0].drop(p));
    assert!(
        s[0].filled(m) > 0.25 && s[0].filled(m) > 3.0 * c[0].filled(m),
        "filled {:.3}, correct {:.3}",
        s[0].filled(m),
        c[0].filled(m)
    );
}

#[test]
fn too_light_work_hardly_shows_and_is_nearly_gone_by_year_two() {
    // On the trainers' bald full head (100 dots/cm²); the default client's denser SMP
    // (160/cm², 0.16 mm) keeps 3.3% at the same dilution.
    let correct = crate::common::full_head();
    let light = with_only(&correct, E::TooLight, 1.0);
    let years = [healed(&correct), 2.0];
    let (c, l) = (
        shots(&correct, &years, close_up(), CLOSE_UP),
        shots(&light, &years, close_up(), CLOSE_UP),
    );
    let m = middle(CLOSE_UP);
    let (lh, lw) = (
        shots(&light, &years, head_view(), HEAD),
        shots(&correct, &years, head_view(), HEAD),
    );
    let p = top_patch();
    eprintln!(
        "drop healed / year 2: close-up correct {:.2}% / {:.2}%, too light {:.2}% / {:.2}%; \
         whole head correct {:.2}% / {:.2}%, too light {:.2}% / {:.2}%",
        100.0 * c[0].drop(m),
        100.0 * c[1].drop(m),
        100.0 * l[0].drop(m),
        100.0 * l[1].drop(m),
        100.0 * lw[0].drop(p),
        100.0 * lw[1].drop(p),
        100.0 * lh[0].drop(p),
        100.0 * lh[1].drop(p)
    );
    for (what, s) in [("close-up", &l), ("whole head", &lh)] {
        let patch = if what == "close-up" { m } else { p };
        let (h, y2) = (s[0].drop(patch), s[1].drop(patch));
        assert!(h > 0.0 && h < 0.03, "{what}: healed drop {h:.4}");
        assert!(
            y2 < 0.8 * h && y2 < 0.02,
            "{what}: year-2 drop {y2:.4}, healed {h:.4}"
        );
    }
}

// ---------------------------------------------------------------------------------------
// Sessions and retention
// ---------------------------------------------------------------------------------------

#[test]
fn each_session_builds_up_the_darkening_as_clinics_report() {
    let plan = Plan::default();
    let starts = plan.sessions.start_years(&plan.ageing);
    assert_eq!(starts.len(), 3, "the default plan has three sessions");
    let day = 1.0 / scalp::ageing::DAYS_PER_YEAR;
    // Healed after each session: just before the next one; and every session healed.
    let years = [
        starts[1] - day,
        starts[2] - day,
        plan.healed_years(),
        0.1 * day,
    ];
    let s = shots(&plan, &years, close_up(), CLOSE_UP);
    let m = middle(CLOSE_UP);
    let fin = s[2].drop(m);
    let (one, two) = (s[0].drop(m) / fin, s[1].drop(m) / fin);
    eprintln!(
        "close-up drop: after session 1 {:.2}% ({:.0}% of final), after session 2 {:.2}% \
         ({:.0}%), healed {:.2}%, day 0 {:.2}%",
        100.0 * s[0].drop(m),
        100.0 * one,
        100.0 * s[1].drop(m),
        100.0 * two,
        100.0 * fin,
        100.0 * s[3].drop(m)
    );
    // The apparent diameter of the first session's dots on day 0 and healed (only they have
    // pigment at both times, so the mean is over the same dots).
    let t = Treatment::new(head(), &plan, Some(20_000)).unwrap();
    let dots = t.reference_dots(head());
    let d = |y: f32| {
        scalp::reports::metrics::dot_metrics(head(), &t, &dots, y).mean_apparent_diameter_mm
    };
    let (d0, dh) = (d(0.1 * day), d(starts[1] - day));
    eprintln!("apparent diameter of the first session's dots: day 0 {d0:.3} mm, healed {dh:.3} mm");
    assert!(
        (0.25..=0.40).contains(&one),
        "after the first session {one:.3}"
    );
    assert!((0.65..=0.80).contains(&two), "after the second {two:.3}");
    // Day 0: the first session's dots are darker than the same dots healed…
    assert!(
        s[3].drop(m) > 1.2 * s[0].drop(m),
        "day 0 {:.4} vs healed {:.4}",
        s[3].drop(m),
        s[0].drop(m)
    );
    // …and wider, up to about twice.
    assert!(
        d0 > 1.2 * dh && d0 <= 2.1 * dh,
        "day 0 {d0:.3} mm, healed {dh:.3} mm"
    );
}

#[test]
fn six_months_after_healing_most_of_the_darkening_remains_less_on_scars() {
    let plan = Plan::default();
    let h = plan.healed_years();
    let s = shots(&plan, &[h, h + 0.5], close_up(), CLOSE_UP);
    let m = middle(CLOSE_UP);
    let kept = s[1].drop(m) / s[0].drop(m);
    // Scar tissue: the strip scar plan (SMP on the scar and a margin round it), seen from the
    // back; the pixels of the scar are those the scar pales in the untreated head.
    let scar = Plan::from_toml_str(
        &std::fs::read_to_string("assets/plans/strip-scar.toml").unwrap(),
        std::path::Path::new("strip-scar.toml"),
    )
    .unwrap();
    let hs = scar.healed_years();
    let size = (480, 480);
    let framing = Framing::View(ViewPreset::Back);
    let ss = shots(&scar, &[hs, hs + 0.5], framing, size);
    let plain = {
        let e = engine();
        let head_gpu = HeadGpu::new(&e.gpu, head());
        let (cam, _) = camera(head(), framing, 1.0);
        let settings = scalp::render::RenderSettings {
            dots: false,
            skin: scar.skin.tone,
            ..Default::default()
        };
        e.render_image(&scalp::engine::Frame {
            head: &head_gpu,
            dots: None,
            view: cam.into(),
            settings: &settings,
            size,
        })
        .unwrap()
    };
    let on_scar: Vec<(u32, u32)> = (0..size.1)
        .flat_map(|y| (0..size.0).map(move |x| (x, y)))
        .filter(|&(x, y)| {
            let (a, b) = (
                luminance(ss[0].without.get_pixel(x, y)),
                luminance(plain.get_pixel(x, y)),
            );
            b > 0.0 && a > 1.1 * b
        })
        .collect();
    let scar_drop = |s: &Shot| {
        let (mut w, mut wo) = (0.0f64, 0.0f64);
        for &(x, y) in &on_scar {
            w += luminance(s.with.get_pixel(x, y)) as f64;
            wo += luminance(s.without.get_pixel(x, y)) as f64;
        }
        1.0 - w / wo
    };
    let kept_scar = scar_drop(&ss[1]) / scar_drop(&ss[0]);
    eprintln!(
        "kept six months after healing: {:.1}% (drop {:.2}% → {:.2}%); on the strip scar \
         ({} pixels) {:.1}% (drop {:.2}% → {:.2}%)",
        100.0 * kept,
        100.0 * s[0].drop(m),
        100.0 * s[1].drop(m),
        on_scar.len(),
        100.0 * kept_scar,
        100.0 * scar_drop(&ss[0]),
        100.0 * scar_drop(&ss[1])
    );
    assert!(on_scar.len() > 200, "{} scar pixels", on_scar.len());
    assert!((0.85..=0.95).contains(&kept), "kept {kept:.3}");
    assert!(
        (0.75..=0.85).contains(&kept_scar),
        "scar kept {kept_scar:.3}"
    );
}
