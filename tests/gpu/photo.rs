//! `scalp photo` on photos the engine makes itself from known cameras: the untreated head is
//! the "photo", the treated head from the same camera is what the composite must look like.
//! The fit must put every landmark within 2 px of where the true camera puts it; the composite
//! must match the direct render over the scalp within a stated mean ΔE₀₀; noisy, JPEG and
//! darker photos still work; bad input is refused with no file written.
use crate::common::{engine, full_head, head};
use glam::DVec3;
use scalp::colour::{ciede2000, lab_from_linear};
use scalp::engine::Frame;
use scalp::optics::SkinTone;
use scalp::photo::composite::srgb_to_linear;
use scalp::photo::fit::PhotoCamera;
use scalp::photo::points::{PhotoLandmark, PhotoPoints};
use scalp::photo::{engine_camera, fit_photo, render_into_photo};
use scalp::render::{HeadGpu, RenderSettings};
use scalp::treatment::Treatment;
use PhotoLandmark::*;

/// Mean ΔE₀₀ allowed between the composite and the direct render of the treated head over the
/// scalp the dots reach (a sub-pixel camera error moves sub-pixel dots; 1 is just noticeable).
const MAX_MEAN_DE: f64 = 1.5;
const SIZE: (u32, u32) = (400, 300);

struct Scene {
    treatment: Treatment,
    head_gpu: HeadGpu,
    dots: scalp::dots::generate::GpuDots,
    aged: scalp::ageing::age::AgedDots,
}

fn scene() -> &'static Scene {
    static S: std::sync::OnceLock<Scene> = std::sync::OnceLock::new();
    S.get_or_init(|| {
        let (e, h) = (engine(), head());
        let mut plan = full_head();
        plan.hair.enabled = false;
        let treatment = Treatment::new(h, &plan, Some(300_000)).unwrap();
        let head_gpu = HeadGpu::new(&e.gpu, h);
        head_gpu.set_exposure(&e.gpu, &treatment.exposure);
        let dots = e.generate(h, &treatment).unwrap();
        let aged = e.age(&treatment, &dots, treatment.healed_years()).unwrap();
        Scene {
            treatment,
            head_gpu,
            dots,
            aged,
        }
    })
}

fn true_camera(az_deg: f64, el_deg: f64, dist: f64, fov_deg: f64) -> PhotoCamera {
    let (az, el) = (az_deg.to_radians(), el_deg.to_radians());
    let back = DVec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos());
    let target = scene().head_gpu.outline.center().as_dvec3();
    let f = 0.5 * SIZE.1 as f64 / (0.5 * fov_deg.to_radians()).tan();
    let up = if el_deg > 70.0 {
        DVec3::NEG_Z
    } else {
        DVec3::Y
    };
    PhotoCamera::looking_at(target + back * dist, target, up, f, SIZE)
}

/// The engine's picture from `cam`, treated or not, with the client's skin type.
fn shoot(cam: &PhotoCamera, skin: SkinTone, dots: bool) -> image::RgbaImage {
    let s = scene();
    let settings = RenderSettings {
        dots,
        skin,
        hair: false,
        ..s.treatment.render_settings()
    };
    let camera = cam.to_camera(s.head_gpu.outline.center(), s.head_gpu.outline.radius());
    engine()
        .render_image(&Frame {
            head: &s.head_gpu,
            dots: Some((&s.dots, &s.aged)),
            view: camera.into(),
            settings: &settings,
            size: SIZE,
        })
        .unwrap()
}

/// The landmarks' pixels under `cam`, rounded to whole pixels as a person clicks them.
fn picked(cam: &PhotoCamera, which: &[PhotoLandmark]) -> PhotoPoints {
    let mut p = PhotoPoints::default();
    for l in which {
        let q = cam.project(l.position(head()).unwrap().as_dvec3()).unwrap();
        p.points.push((*l, [q[0].round(), q[1].round()]));
    }
    p
}

fn lab(p: &image::Rgba<u8>) -> [f64; 3] {
    lab_from_linear([0, 1, 2].map(|c| srgb_to_linear(p[c]) as f64))
}

/// Mean ΔE₀₀ of `a` against `b` over the pixels where `treated` differs from `untreated`.
fn mean_de_over_scalp(
    a: &image::RgbaImage,
    b: &image::RgbaImage,
    treated: &image::RgbaImage,
    untreated: &image::RgbaImage,
) -> (f64, usize) {
    let (mut sum, mut n) = (0.0, 0);
    for (x, y, t) in treated.enumerate_pixels() {
        if t != untreated.get_pixel(x, y) {
            sum += ciede2000(lab(a.get_pixel(x, y)), lab(b.get_pixel(x, y)));
            n += 1;
        }
    }
    (sum / n.max(1) as f64, n)
}

const FRONT: [PhotoLandmark; 8] = [
    Nasion,
    Glabella,
    Hairline,
    TempleLeft,
    TempleRight,
    Vertex,
    EarLeft,
    EarRight,
];

/// A synthetic photo: azimuth and elevation (°), distance (mm), vertical field (°), skin type,
/// the landmarks picked.
type Case<'a> = (f64, f64, f64, f64, SkinTone, &'a [PhotoLandmark]);

#[test]
fn engine_photos_are_fitted_within_2_px_and_composited_like_the_direct_render() {
    let s = scene();
    let cases: [Case; 3] = [
        (0.0, 20.0, 700.0, 30.0, SkinTone::II, &FRONT),
        (
            40.0,
            30.0,
            500.0,
            45.0,
            SkinTone::IV,
            &[
                Nasion,
                Glabella,
                Hairline,
                TempleLeft,
                TempleRight,
                EarLeft,
                Vertex,
            ],
        ),
        (
            0.0,
            80.0,
            1100.0,
            20.0,
            SkinTone::VI,
            &[
                Hairline,
                TempleLeft,
                TempleRight,
                Vertex,
                Occipital,
                EarLeft,
                EarRight,
            ],
        ),
    ];
    for (az, el, dist, fov, skin, which) in cases {
        let truth = true_camera(az, el, dist, fov);
        let photo = shoot(&truth, skin, false);
        let reference = shoot(&truth, skin, true);
        let points = picked(&truth, which);
        let fit = fit_photo(head(), &points, SIZE, None, None).unwrap();
        // Every landmark, given or not, lands within 2 px of where the true camera puts it.
        for l in PhotoLandmark::ALL {
            let p = l.position(head()).unwrap().as_dvec3();
            let (a, b) = (truth.project(p).unwrap(), fit.camera.project(p).unwrap());
            let d = (a[0] - b[0]).hypot(a[1] - b[1]);
            assert!(d < 2.0, "az {az} el {el}: {} off by {d:.2} px", l.name());
        }
        let settings = RenderSettings {
            skin,
            ..s.treatment.render_settings()
        };
        let out = render_into_photo(
            engine(),
            &s.head_gpu,
            (&s.dots, &s.aged),
            &settings,
            &photo,
            &fit,
        )
        .unwrap();
        let (de, n) = mean_de_over_scalp(&out, &reference, &reference, &photo);
        let (untreated_de, _) = mean_de_over_scalp(&photo, &reference, &reference, &photo);
        eprintln!(
            "az {az} el {el} fov {fov} skin {}: {n} scalp px, composite ΔE {de:.2}, untreated \
             photo ΔE {untreated_de:.2}, fit rms {:.2} px",
            skin.name(),
            fit.rms_px()
        );
        assert!(n > 2000, "az {az} el {el}: the dots reach only {n} pixels");
        assert!(de < MAX_MEAN_DE, "az {az} el {el}: mean ΔE {de:.2}");
        // The dots show: the photo as it was is far from the treated head.
        assert!(
            untreated_de > 2.0 * de && untreated_de > 1.5,
            "{untreated_de:.2} vs {de:.2}"
        );
        if (az, el) == (0.0, 20.0) {
            out.save(std::env::temp_dir().join("scalp-photo-front.png"))
                .ok();
            photo
                .save(std::env::temp_dir().join("scalp-photo-front-before.png"))
                .ok();
            std::fs::write(
                std::env::temp_dir().join("scalp-photo-front.toml"),
                points.to_toml(),
            )
            .ok();
        }
    }
}

/// A deterministic hash of a pixel, −1…1.
fn jitter(x: u32, y: u32, c: u32) -> f32 {
    let mut h =
        x.wrapping_mul(0x9E37_79B9) ^ y.wrapping_mul(0x85EB_CA6B) ^ c.wrapping_mul(0xC2B2_AE35);
    h ^= h >> 15;
    h = h.wrapping_mul(0x2C1B_3C6D);
    h ^= h >> 12;
    (h & 0xFFFF) as f32 / 32767.5 - 1.0
}

#[test]
fn noisy_jpeg_and_darker_photos_still_fit_and_darken_the_scalp_alike() {
    let s = scene();
    let truth = true_camera(15.0, 25.0, 650.0, 35.0);
    let photo = shoot(&truth, SkinTone::III, false);
    let reference = shoot(&truth, SkinTone::III, true);
    let settings = RenderSettings {
        skin: SkinTone::III,
        ..s.treatment.render_settings()
    };
    // Points picked with up to ±1.5 px of hand error.
    let mut points = picked(&truth, &FRONT);
    for (i, p) in points.points.iter_mut().enumerate() {
        p.1[0] += 1.5 * jitter(i as u32, 1, 0) as f64;
        p.1[1] += 1.5 * jitter(i as u32, 2, 0) as f64;
    }
    let fit = fit_photo(head(), &points, SIZE, None, None).unwrap();
    let noisy = image::RgbaImage::from_fn(SIZE.0, SIZE.1, |x, y| {
        let p = photo.get_pixel(x, y);
        image::Rgba([0usize, 1, 2, 3].map(|c| {
            if c == 3 {
                255
            } else {
                (p[c] as f32 + 6.0 * jitter(x, y, c as u32)).clamp(0.0, 255.0) as u8
            }
        }))
    });
    let mut jpeg = Vec::new();
    image::DynamicImage::ImageRgba8(photo.clone())
        .to_rgb8()
        .write_with_encoder(image::codecs::jpeg::JpegEncoder::new_with_quality(
            &mut jpeg, 75,
        ))
        .unwrap();
    let jpeg = image::load_from_memory(&jpeg).unwrap().to_rgba8();
    let darker = image::RgbaImage::from_fn(SIZE.0, SIZE.1, |x, y| {
        let p = photo.get_pixel(x, y);
        image::Rgba([0usize, 1, 2, 3].map(|c| {
            if c == 3 {
                255
            } else {
                scalp::photo::composite::linear_to_srgb(0.55 * srgb_to_linear(p[c]))
            }
        }))
    });
    // The darkening the dots should bring, over the scalp: mean linear luminance ratio.
    let lum = |p: &image::Rgba<u8>| {
        0.2126 * srgb_to_linear(p[0])
            + 0.7152 * srgb_to_linear(p[1])
            + 0.0722 * srgb_to_linear(p[2])
    };
    let ratio = |a: &image::RgbaImage, b: &image::RgbaImage| {
        let (mut sa, mut sb) = (0.0f64, 0.0f64);
        for (x, y, t) in reference.enumerate_pixels() {
            if t != photo.get_pixel(x, y) {
                sa += lum(a.get_pixel(x, y)) as f64;
                sb += lum(b.get_pixel(x, y)) as f64;
            }
        }
        sa / sb
    };
    let want = ratio(&reference, &photo);
    assert!(want < 0.97, "the dots darken the scalp by {want}");
    let darkening = |photo: &image::RgbaImage| {
        let out = render_into_photo(
            engine(),
            &s.head_gpu,
            (&s.dots, &s.aged),
            &settings,
            photo,
            &fit,
        )
        .unwrap();
        ratio(&out, photo)
    };
    // From points picked by hand the camera is off by up to a pixel: close to the direct render…
    let clean = darkening(&photo);
    assert!((clean - want).abs() < 0.03, "{clean:.3} vs {want:.3}");
    // …and the photo's noise, compression and exposure change nothing of it.
    for (name, variant) in [("noise", &noisy), ("jpeg", &jpeg), ("exposure", &darker)] {
        let got = darkening(variant);
        eprintln!(
            "{name}: scalp darkened to {got:.3} of the photo (clean photo {clean:.3}, direct \
             render {want:.3})"
        );
        assert!(
            (got - clean).abs() < 0.005,
            "{name}: {got:.3} vs {clean:.3}"
        );
    }
}

#[test]
fn a_photo_without_the_head_is_refused() {
    let s = scene();
    let truth = true_camera(0.0, 20.0, 700.0, 30.0);
    let fit = fit_photo(head(), &picked(&truth, &FRONT), SIZE, None, None).unwrap();
    // A grey wall, and a blue backdrop with nobody in front of it.
    for wall in [[128u8, 128, 128], [40, 70, 150]] {
        let photo = image::RgbaImage::from_pixel(
            SIZE.0,
            SIZE.1,
            image::Rgba([wall[0], wall[1], wall[2], 255]),
        );
        let e = render_into_photo(
            engine(),
            &s.head_gpu,
            (&s.dots, &s.aged),
            &s.treatment.render_settings(),
            &photo,
            &fit,
        )
        .expect_err("refused");
        assert!(e.to_string().contains("shows no head"), "{e}");
    }
    // The camera the fit found is the one the engine draws with.
    let cam = engine_camera(&fit, &s.head_gpu);
    assert!((cam.fov_y as f64 - truth.fov_y()).abs() < 0.05 * truth.fov_y());
}

/// Runs `scalp photo` in `dir`; returns (exit code, stderr).
fn photo_cli(dir: &std::path::Path, args: &[&str]) -> (Option<i32>, String) {
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scalp"))
        .arg("photo")
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

#[test]
fn the_command_refuses_bad_points_and_images_and_writes_nothing() {
    let dir = std::env::temp_dir().join(format!("scalp-photo-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let truth = true_camera(0.0, 20.0, 700.0, 30.0);
    shoot(&truth, SkinTone::II, false)
        .save(dir.join("client.png"))
        .unwrap();
    let wall = image::RgbaImage::from_pixel(SIZE.0, SIZE.1, image::Rgba([128, 128, 128, 255]));
    wall.save(dir.join("wall.png")).unwrap();
    std::fs::write(
        dir.join("corrupt.jpg"),
        b"\xFF\xD8\xFF\xE0\x00\x10JFIF garbage",
    )
    .unwrap();
    let png = scalp::photo::composite::huge_png_header();
    std::fs::write(dir.join("huge.png"), png).unwrap();
    let good = picked(&truth, &FRONT).to_toml();
    std::fs::write(dir.join("client.toml"), &good).unwrap();
    let cases: [(&str, &str, &str); 6] = [
        (
            "client.png",
            "nasion=10,10;vertex=50,50;ear_left=90,90;ear_right=130,130",
            "one line",
        ),
        (
            "client.png",
            "nasion=10,10;vertex=50,80;ear_left=90,90;ear_right=90,91",
            "same pixel",
        ),
        (
            "client.png",
            "nasion=10,10;vertex=50,80;ear_left=90,90;ear_right=900,30",
            "outside",
        ),
        ("corrupt.jpg", "client.toml", "corrupt.jpg"),
        ("huge.png", "client.toml", "30000x30000 is too large"),
        ("wall.png", "client.toml", "shows no head"),
    ];
    for (image, points, says) in cases {
        let (code, err) = photo_cli(
            &dir,
            &[
                "--image", image, "--points", points, "--dots", "20000", "--out", "out.png",
            ],
        );
        assert_eq!(code, Some(1), "{image} {points}: {err}");
        assert!(
            err.contains(says) && !err.contains("panicked"),
            "{image} {points}: {err}"
        );
        assert!(!dir.join("out.png").exists(), "{image}: a file was written");
    }
    let (code, err) = photo_cli(
        &dir,
        &[
            "--image",
            "client.png",
            "--points",
            "client.toml",
            "--dots",
            "20000",
            "--out",
            "out.png",
        ],
    );
    assert_eq!(code, Some(0), "{err}");
    assert_eq!(image::open(dir.join("out.png")).unwrap().width(), SIZE.0);
    let _ = std::fs::remove_dir_all(&dir);
}

/// A client's scan with its own skin texture (blotches and freckles over a skin tone, mapped
/// round the head): the photo taken of it shows that texture, and `scalp photo --mesh scan`
/// fits the photo and composites the treatment into it like the direct render of the treated
/// textured scan. The composite takes its skin from the photo, so the same holds when the
/// engine's model of the head is the plain built-in one (no texture known).
#[test]
fn a_textured_scan_photographed_is_fitted_and_composited_like_its_render() {
    let s = scene();
    let e = engine();
    let mut scan = head().clone();
    let (w, h) = (512u32, 256u32);
    let image = image::RgbaImage::from_fn(w, h, |x, y| {
        // Skin tones varying over a few centimetres, and freckles a few texels wide.
        let blotch = 0.5 + 0.5 * ((x as f32 * 0.05).sin() * (y as f32 * 0.07).cos());
        let freckle = jitter(x / 3, y / 3, 7) > 0.93;
        let base = [
            205.0 - 25.0 * blotch,
            160.0 - 25.0 * blotch,
            135.0 - 20.0 * blotch,
        ];
        let k = if freckle { 0.7 } else { 1.0 };
        image::Rgba([
            (base[0] * k) as u8,
            (base[1] * k) as u8,
            (base[2] * k) as u8,
            255,
        ])
    });
    let c = s.head_gpu.outline.center();
    let uv = scan
        .mesh
        .positions
        .iter()
        .map(|p| {
            let d = (*p - c).normalize_or_zero();
            [
                d.x.atan2(d.z) / std::f32::consts::TAU + 0.5,
                d.y.clamp(-1.0, 1.0).asin() / std::f32::consts::PI + 0.5,
                1.0,
            ]
        })
        .collect();
    scan.texture = Some(scalp::head::texture::SkinTexture {
        image,
        uv,
        colour: Vec::new(),
        path: "scan-texture.png".into(),
    });
    let scan_gpu = HeadGpu::new(&e.gpu, &scan);
    let settings = RenderSettings {
        skin: SkinTone::III,
        hair: false,
        ..s.treatment.render_settings()
    };
    let truth = true_camera(20.0, 25.0, 650.0, 35.0);
    let draw = |gpu_head: &HeadGpu, dots: bool| {
        let camera = truth.to_camera(gpu_head.outline.center(), gpu_head.outline.radius());
        e.render_image(&Frame {
            head: gpu_head,
            dots: Some((&s.dots, &s.aged)),
            view: camera.into(),
            settings: &RenderSettings {
                dots,
                ..settings.clone()
            },
            size: SIZE,
        })
        .unwrap()
    };
    let photo = draw(&scan_gpu, false);
    let reference = draw(&scan_gpu, true);
    photo
        .save(std::env::temp_dir().join("scalp-photo-textured.png"))
        .ok();
    // The texture shows in the photo: it differs from the plain head's picture.
    let plain_photo = draw(&s.head_gpu, false);
    let (texture_de, _) = mean_de_over_scalp(&photo, &plain_photo, &reference, &photo);
    assert!(
        texture_de > 1.0,
        "the scan's texture does not show ({texture_de:.2})"
    );
    let fit = fit_photo(&scan, &picked(&truth, &FRONT), SIZE, None, None).unwrap();
    for (model, name) in [
        (&scan_gpu, "the textured scan"),
        (&s.head_gpu, "the plain head"),
    ] {
        let out = render_into_photo(e, model, (&s.dots, &s.aged), &settings, &photo, &fit).unwrap();
        let (de, n) = mean_de_over_scalp(&out, &reference, &reference, &photo);
        let (untreated_de, _) = mean_de_over_scalp(&photo, &reference, &reference, &photo);
        eprintln!(
            "textured photo, model {name}: {n} scalp px, composite ΔE {de:.2} against the \
             render, untreated {untreated_de:.2}; texture against plain skin ΔE {texture_de:.2}"
        );
        assert!(n > 2000, "{name}: {n} px");
        assert!(de < MAX_MEAN_DE, "{name}: mean ΔE {de:.2}");
        assert!(
            untreated_de > 2.0 * de,
            "{name}: {untreated_de:.2} vs {de:.2}"
        );
    }
}
