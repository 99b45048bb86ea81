//! The deferred skin pass (triangle ids rasterised, shading in compute) gives the picture the
//! forward skin pass gives: the same shading from rebuilt barycentrics and derivatives. Run on
//! a textured head under a lit view with dots, so the texture's filtered lookup, the shadow and
//! the relief's footprint filtering are all compared.
use crate::common::{engine, head};
use scalp::camera::{Camera, ViewPreset};
use scalp::engine::output_texture;
use scalp::gpu::readback::read_texture;
use scalp::head::texture::SkinTexture;
use scalp::light::LightPreset;
use scalp::render::skin_deferred::{self, SkinPath, SkinShading};
use scalp::render::{FramePass, HeadGpu, RenderSettings, Renderer, SplatPath, Targets};
use scalp::treatment::Treatment;

const SIZE: (u32, u32) = (320, 240);

/// The built-in head with a checkerboard texture by a spherical projection (squares of about a
/// millimetre, finer than a pixel of the whole head: the mip level the pixel's footprint picks
/// matters), and a red-tinted vertex colour on one side.
fn textured_head() -> scalp::head::Head {
    let mut h = head().clone();
    let image = image::RgbaImage::from_fn(1024, 1024, |x, y| {
        if (x / 2 + y / 2) % 2 == 0 {
            image::Rgba([230, 190, 160, 255])
        } else {
            image::Rgba([150, 110, 90, 255])
        }
    });
    let uv = h
        .mesh
        .positions
        .iter()
        .map(|p| {
            let u = 0.5 + p.x.atan2(p.z) / std::f32::consts::TAU;
            let v = 0.5 + (p.y / p.length().max(1e-3)).asin() / std::f32::consts::PI;
            [u, v, 1.0]
        })
        .collect();
    let colour = h
        .mesh
        .positions
        .iter()
        .map(|p| {
            if p.x > 0.0 {
                [1.0, 0.8, 0.8, 1.0]
            } else {
                [1.0, 1.0, 1.0, 0.0]
            }
        })
        .collect();
    h.texture = Some(SkinTexture {
        image,
        uv,
        colour,
        path: "checkerboard (test)".into(),
    });
    h
}

/// The three-quarter view of the whole head, or (`zoom` > 1) a close-up of its centre with
/// the field of view narrowed `zoom` times, where a pixel covers a tenth of a millimetre and
/// the relief, pores and texture's finest level show.
fn camera(hg: &HeadGpu, zoom: f32) -> Camera {
    let base = Camera::framing(
        ViewPreset::ThreeQuarter,
        &hg.outline,
        SIZE.0 as f32 / SIZE.1 as f32,
    );
    Camera {
        fov_y: base.fov_y / zoom,
        ..base
    }
}

fn draw(
    r: &Renderer,
    hg: &HeadGpu,
    dots: Option<(&Treatment, &scalp::dots::generate::GpuDots)>,
    cam: &Camera,
    coarse_skin: bool,
) -> image::RgbaImage {
    draw_at(r, hg, dots, cam, coarse_skin, 1)
}

/// As [`draw`], supersampled `ssaa`× a side.
fn draw_at(
    r: &Renderer,
    hg: &HeadGpu,
    dots: Option<(&Treatment, &scalp::dots::generate::GpuDots)>,
    cam: &Camera,
    coarse_skin: bool,
    ssaa: u32,
) -> image::RgbaImage {
    let e = engine();
    let settings = RenderSettings {
        ssaa,
        path: SplatPath::Compute,
        light: LightPreset::Daylight,
        coarse_skin,
        ..Default::default()
    };
    let aged = dots.map(|(t, d)| (d, e.age(t, d, 1.0).unwrap()));
    let out = output_texture(&e.gpu, SIZE, wgpu::TextureUsages::COPY_SRC);
    let view = out.create_view(&Default::default());
    let targets = Targets::new(&e.gpu, SIZE, ssaa).unwrap();
    r.render(
        &e.gpu,
        hg,
        aged.as_ref().map(|(d, a)| (*d, a)),
        cam,
        &settings,
        &targets,
        &view,
    )
    .unwrap();
    assert!(targets.last_frame_passes().contains(&FramePass::Skin));
    read_texture(&e.gpu, &out, SIZE.0, SIZE.1).unwrap()
}

#[test]
fn deferred_skin_shading_gives_the_forward_picture() {
    let e = engine();
    if !skin_deferred::supported(&e.gpu) {
        eprintln!(
            "{}: no primitive index or storage textures: the deferred skin pass cannot run here",
            e.gpu.describe()
        );
        return;
    }
    let h = textured_head();
    let mut hg = HeadGpu::new(&e.gpu, &h);
    assert!(hg.texture.present);
    // The previews' coarse triangles: the deferred pass must read the triangles it drew.
    hg.set_coarse(&e.gpu, &scalp::head::decimate::coarse_triangles(&h.mesh));
    let treatment = Treatment::new(&h, &scalp::plan::Plan::default(), Some(5000)).unwrap();
    let dots = e.generate(&h, &treatment).unwrap();
    let forward =
        Renderer::with_skin_shading(&e.gpu, scalp::engine::IMAGE_FORMAT, SkinShading::Forward);
    let deferred =
        Renderer::with_skin_shading(&e.gpu, scalp::engine::IMAGE_FORMAT, SkinShading::Deferred);
    assert_eq!(forward.skin_path(&e.gpu, 1), SkinPath::Forward);
    assert_eq!(
        deferred.skin_path(&e.gpu, 2),
        SkinPath::Deferred { samples: 1 }
    );
    for (zoom, coarse) in [(1.0, false), (12.0, false), (1.0, true)] {
        let cam = camera(&hg, zoom);
        let a = draw(&forward, &hg, Some((&treatment, &dots)), &cam, coarse);
        let b = draw(&deferred, &hg, Some((&treatment, &dots)), &cam, coarse);
        let mut head_pixels = 0usize;
        let (mut sum, mut worst, mut off) = (0u64, 0u8, 0usize);
        let corner = *a.get_pixel(0, 0);
        for (p, q) in a.pixels().zip(b.pixels()) {
            let d = (0..3).map(|c| p[c].abs_diff(q[c])).max().unwrap();
            sum += d as u64;
            worst = worst.max(d);
            off += (d > 4) as usize;
            head_pixels += (*p != corner) as usize;
        }
        let mean = sum as f64 / (SIZE.0 * SIZE.1) as f64;
        eprintln!(
            "zoom {zoom}, coarse {coarse}: forward vs deferred skin: mean {mean:.4}/255, worst \
             {worst}/255, {off} pixels over 4/255 ({head_pixels} pixels unlike the corner)"
        );
        // The picture has skin on it, and the two agree but for rounding and the odd pixel at
        // a silhouette (the fragment shader's derivatives come from its 2×2 quad).
        assert!(
            head_pixels > (SIZE.0 * SIZE.1 / 5) as usize,
            "{head_pixels}"
        );
        assert!(mean < 0.25, "zoom {zoom}: mean difference {mean}/255");
        assert!(
            off * 1000 < (SIZE.0 * SIZE.1) as usize,
            "zoom {zoom}: {off} pixels differ by more than 4/255"
        );
        // No uninitialised reads: a second deferred frame is the same.
        assert_eq!(
            draw(&deferred, &hg, Some((&treatment, &dots)), &cam, coarse),
            b
        );
    }
}

/// Pixels of `a` and `b`: (mean difference /255, worst, pixels differing by more than `over`).
fn compare(a: &image::RgbaImage, b: &image::RgbaImage, over: u8) -> (f64, u8, usize) {
    let (mut sum, mut worst, mut off) = (0u64, 0u8, 0usize);
    for (p, q) in a.pixels().zip(b.pixels()) {
        let d = (0..3).map(|c| p[c].abs_diff(q[c])).max().unwrap();
        sum += d as u64;
        worst = worst.max(d);
        off += (d > over) as usize;
    }
    (sum as f64 / (a.width() * a.height()) as f64, worst, off)
}

#[test]
fn skin_shaded_once_per_output_pixel_gives_the_supersampled_picture() {
    let e = engine();
    if !skin_deferred::supported(&e.gpu) {
        eprintln!(
            "{}: the deferred skin pass cannot run here",
            e.gpu.describe()
        );
        return;
    }
    let h = textured_head();
    let hg = HeadGpu::new(&e.gpu, &h);
    let treatment = Treatment::new(&h, &scalp::plan::Plan::default(), Some(5000)).unwrap();
    let dots = e.generate(&h, &treatment).unwrap();
    let forward =
        Renderer::with_skin_shading(&e.gpu, scalp::engine::IMAGE_FORMAT, SkinShading::Forward);
    let per_pixel =
        Renderer::with_skin_shading(&e.gpu, scalp::engine::IMAGE_FORMAT, SkinShading::PerPixel);
    assert_eq!(
        per_pixel.skin_path(&e.gpu, 2),
        SkinPath::Deferred { samples: 2 }
    );
    // Without supersampling a pixel is a sample.
    assert_eq!(
        per_pixel.skin_path(&e.gpu, 1),
        SkinPath::Deferred { samples: 1 }
    );
    for zoom in [1.0, 12.0] {
        let cam = camera(&hg, zoom);
        let a = draw_at(&forward, &hg, Some((&treatment, &dots)), &cam, false, 2);
        let b = draw_at(&per_pixel, &hg, Some((&treatment, &dots)), &cam, false, 2);
        let (mean, worst, off) = compare(&a, &b, 12);
        eprintln!(
            "zoom {zoom}: forward (every sample) vs once per output pixel: mean {mean:.4}/255, \
             worst {worst}/255, {off} pixels over 12/255"
        );
        // The light varies little within a pixel (the checkerboard, finer than a pixel, is
        // filtered over the whole pixel rather than averaged over four samples).
        assert!(mean < 0.6, "zoom {zoom}: mean difference {mean}/255");
        assert!(
            off * 400 < (SIZE.0 * SIZE.1) as usize,
            "zoom {zoom}: {off} pixels differ by more than 12/255"
        );
        // Where a pixel holds two surfaces (the nose over the cheek) each is lit on its own,
        // as its samples are: lit as its pixel's other surface, a sample differed by up to
        // 87/255 along such edges (measured with the edge samples left unlisted).
        assert!(worst <= 48, "zoom {zoom}: worst difference {worst}/255");
        // No stale edge list or uninitialised reads: a second frame is the same.
        assert_eq!(
            draw_at(&per_pixel, &hg, Some((&treatment, &dots)), &cam, false, 2),
            b
        );
    }
}
