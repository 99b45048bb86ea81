//! Calibration targets of issue 14 that tie the stages together (docs/calibration.md): the
//! default client's healed SMP reads like his razor-shaved fringe, clearly lighter than hair
//! left at 1.5 mm, and the treated zone is a tone at a metre while a close-up still shows dots.
//! Type II skin, dark-brown hair, consultation light; drops are of mean linear luminance against
//! the same patch bald and untreated. (Shaved-hair drops by length: tests/gpu/hair.rs; sessions,
//! retention and the errors: tests/gpu/darkening.rs.)
use crate::common::{engine, head, luminance};
use scalp::light::LightPreset;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, RenderSettings};
use scalp::reports::framing::{self, Framing};
use scalp::reports::shaved::Comparison;
use scalp::treatment::Treatment;

/// The default client, his hair cut to `mm` today (0: razor).
fn shaved(mm: f32) -> Plan {
    let mut p = Plan::default();
    p.hair.shave_mm = mm;
    p.hair.days_since_shave = 0.0;
    p
}

/// (SMP drop, hair drop) in points on the top, the hair grown there at `mm` (the same patch,
/// camera and light for both: reports::shaved).
fn drops(mm: f32) -> (f64, f64) {
    let (e, h) = (engine(), head());
    let p = shaved(mm);
    let cmp = Comparison::new(e, h, &p, &[LightPreset::Consultation]).unwrap();
    let m = cmp.measure(e, &p).unwrap();
    (m.lights[0].treated_drop, m.lights[0].shaved_drop)
}

#[test]
fn healed_default_smp_reads_like_the_razor_shaved_fringe_and_lighter_than_long_stubble() {
    let (smp, razor) = drops(0.0);
    let (_, half) = drops(0.5);
    let (_, long) = drops(1.5);
    eprintln!(
        "healed default SMP {smp:.1}%; hair razor {razor:.1}%, 0.5 mm {half:.1}%, 1.5 mm {long:.1}%"
    );
    assert!(razor < half && half < long, "{razor} {half} {long}");
    // Within ±2 points of the razor-to-0.5 mm zone.
    assert!(
        smp >= razor.min(half) - 2.0 && smp <= razor.max(half) + 2.0,
        "SMP {smp:.1}% is not within 2 points of razor {razor:.1}% … 0.5 mm {half:.1}%"
    );
    // At least 5 points lighter than hair left at 1.5 mm.
    assert!(
        smp <= long - 5.0,
        "SMP {smp:.1}% vs 1.5 mm stubble {long:.1}%"
    );
}

/// Linear luminance of a `size` close-up of the vertex, `width_mm` across, healed, the dots
/// drawn from `seed`.
fn vertex(width_mm: f32, size: u32, dots: bool, seed: u32) -> (Vec<f32>, f32) {
    let (e, h) = (engine(), head());
    let plan = Plan {
        seed,
        ..Plan::default()
    };
    let t = Treatment::new(h, &plan, None).unwrap();
    let d = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &d, t.healed_years()).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    let (cam, px_per_mm) = framing::camera(h, Framing::Vertex { width_mm }, 1.0);
    let s = RenderSettings {
        dots,
        ..Default::default()
    };
    let img = e
        .render_image(&scalp::engine::Frame {
            head: &hg,
            dots: Some((&d, &aged)),
            view: cam.into(),
            settings: &s,
            size: (size, size),
        })
        .unwrap();
    let mm_per_px = 1.0 / (px_per_mm.unwrap() * size as f32);
    (img.pixels().map(luminance).collect(), mm_per_px)
}

/// Separable Gaussian blur of a square image of side `n`.
fn blur(img: &[f32], n: usize, sigma_px: f32) -> Vec<f32> {
    let r = (3.0 * sigma_px).ceil() as i64;
    let k: Vec<f32> = (-r..=r)
        .map(|x| (-(x * x) as f32 / (2.0 * sigma_px * sigma_px)).exp())
        .collect();
    let pass = |src: &[f32], along_x: bool| -> Vec<f32> {
        let mut out = vec![0.0; src.len()];
        for y in 0..n as i64 {
            for x in 0..n as i64 {
                let (mut s, mut w) = (0.0, 0.0);
                for (i, kv) in k.iter().enumerate() {
                    let o = i as i64 - r;
                    let (xx, yy) = if along_x { (x + o, y) } else { (x, y + o) };
                    if (0..n as i64).contains(&xx) && (0..n as i64).contains(&yy) {
                        s += kv * src[(yy * n as i64 + xx) as usize];
                        w += kv;
                    }
                }
                out[(y * n as i64 + x) as usize] = s / w;
            }
        }
        out
    };
    pass(&pass(img, true), false)
}

/// The middle of the patch holds ~150 dots, so one draw of them says little: the target is met
/// on average over four seeds (seeds 1–4 measure 3.7–4.3%).
#[test]
fn the_treated_zone_is_a_tone_at_a_metre_and_distinct_dots_close_up() {
    let seen: Vec<f32> = (1..=4).map(tone_and_dots).collect();
    let mean = seen.iter().sum::<f32>() / seen.len() as f32;
    eprintln!(
        "residual contrast at 1 m: {seen:?}, mean {:.2}%",
        100.0 * mean
    );
    assert!(mean <= 0.04, "residual contrast {mean}");
}

/// Seed `seed`'s residual contrast at 1 m, having checked that its close-up shows dots.
fn tone_and_dots(seed: u32) -> f32 {
    const N: u32 = 400;
    // 16 mm across: 0.04 mm a pixel, dots (0.16 mm) resolved.
    let (with, mm_per_px) = vertex(16.0, N, true, seed);
    let (without, _) = vertex(16.0, N, false, seed);
    let ratio: Vec<f32> = with.iter().zip(&without).map(|(a, b)| a / b).collect();
    let n = N as usize;
    let inner = |img: &[f32]| -> Vec<f32> {
        (n / 5..4 * n / 5)
            .flat_map(|y| (n / 5..4 * n / 5).map(move |x| (x, y)))
            .map(|(x, y)| img[y * n + x])
            .collect()
    };
    let rms = |v: &[f32]| {
        let m = v.iter().sum::<f32>() / v.len() as f32;
        (v.iter().map(|x| (x - m) * (x - m)).sum::<f32>() / v.len() as f32).sqrt() / m
    };
    // What an eye at 1 m resolves: ~1 arcmin, 0.3 mm, taken as the blur's σ.
    let seen = inner(&blur(&ratio, n, 0.3 / mm_per_px));
    let close = inner(&ratio);
    let dark = close.iter().filter(|r| **r < 0.85).count() as f32 / close.len() as f32;
    eprintln!(
        "{mm_per_px:.3} mm/px: residual contrast at 1 m {:.2}%, close-up {:.2}%, {:.1}% of \
         pixels ≥ 15% darker",
        100.0 * rms(&seen),
        100.0 * rms(&close),
        100.0 * dark
    );
    // Close up, dots stand out from clear skin: many pixels clearly darker, most not.
    assert!(rms(&close) > 2.0 * rms(&seen));
    assert!((0.01..0.5).contains(&dark), "{dark}");
    rms(&seen)
}
