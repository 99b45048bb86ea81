//! Skin that is not plastic (issue 14, part 6): cast shadows from the key light, pores and fine
//! relief that show close up and vanish (filtered, not aliased) at full-head framing, and a
//! sebum sheen that varies over the scalp.
use crate::common;
use common::{engine, head};
use glam::Vec3;
use scalp::camera::{Camera, ViewPreset};
use scalp::engine::{Frame, Viewpoint};
use scalp::light::LightPreset;
use scalp::render::{frame_outline, HeadGpu, RenderSettings};

fn head_gpu() -> &'static HeadGpu {
    static HG: std::sync::OnceLock<HeadGpu> = std::sync::OnceLock::new();
    HG.get_or_init(|| HeadGpu::new(&engine().gpu, head()))
}

/// The untreated, hairless head, under `light`.
fn bare(light: LightPreset, shadows: bool) -> RenderSettings {
    RenderSettings {
        dots: false,
        hair: false,
        light,
        shadows,
        ..RenderSettings::default()
    }
}

/// One HDR target (`diffuse`, `specular`, …) at the internal size, with that size.
fn target(
    view: Viewpoint,
    s: &RenderSettings,
    size: (u32, u32),
    name: &str,
) -> (Vec<[f32; 4]>, (u32, u32)) {
    let frame = Frame {
        head: head_gpu(),
        dots: None,
        view,
        settings: s,
        size,
    };
    let ssaa = scalp::render::auto_ssaa(size, s.ssaa);
    let targets = engine().render_hdr(&frame).unwrap();
    let texels = targets.into_iter().find(|(n, _)| *n == name).unwrap().1;
    (texels, (size.0 * ssaa, size.1 * ssaa))
}

fn lum(t: &[f32; 4]) -> f32 {
    0.2126 * t[0] + 0.7152 * t[1] + 0.0722 * t[2]
}

#[test]
fn the_ear_shadows_the_skin_behind_it_in_window_light_and_shadows_only_remove_light() {
    let size = (240, 180);
    let view = Viewpoint::Preset(ViewPreset::Right);
    // The window is on the client's right (−X): the right ear faces it and throws its shadow
    // onto the side of the head behind and below it.
    let (on, (w, h)) = target(view, &bare(LightPreset::Daylight, true), size, "diffuse");
    let (off, _) = target(view, &bare(LightPreset::Daylight, false), size, "diffuse");
    // Shadows take light away, never add it.
    let brighter = on
        .iter()
        .zip(&off)
        .filter(|(a, b)| lum(a) > lum(b) * 1.001 + 1e-4)
        .count();
    assert_eq!(brighter, 0, "{brighter} texels brighter with shadows on");
    // The light runs down and toward the back: a window from 5 mm above the ear's top to
    // 70 mm below, from 5 mm in front of it to 45 mm behind.
    let ear = head().landmarks.ear_top_right;
    let (x0, y0) = common::pixel_of(ViewPreset::Right, (w, h), ear + Vec3::new(0.0, 5.0, 5.0));
    let (x1, y1) = common::pixel_of(
        ViewPreset::Right,
        (w, h),
        ear + Vec3::new(0.0, -70.0, -45.0),
    );
    let (xa, xb) = (x0.min(x1).max(0), x0.max(x1).min(w as i32 - 1));
    let (ya, yb) = (y0.min(y1).max(0), y0.max(y1).min(h as i32 - 1));
    let (mut shadowed, mut lit) = (0, 0);
    for y in ya..=yb {
        for x in xa..=xb {
            let i = (y as u32 * w + x as u32) as usize;
            let (a, b) = (lum(&on[i]), lum(&off[i]));
            if b > 0.05 {
                lit += 1;
                // In the ear's shadow only the fill and the sky are left.
                if a < 0.6 * b {
                    shadowed += 1;
                }
            }
        }
    }
    eprintln!("ear window: {shadowed} of {lit} lit texels in shadow");
    assert!(
        lit > 500 && shadowed * 30 > lit,
        "ear window: {shadowed} of {lit} lit texels in shadow"
    );
}

#[test]
fn a_flash_at_the_camera_casts_no_visible_shadow() {
    let size = (160, 120);
    let view = Viewpoint::Preset(ViewPreset::ThreeQuarter);
    let (on, _) = target(view, &bare(LightPreset::Flash, true), size, "diffuse");
    let (off, _) = target(view, &bare(LightPreset::Flash, false), size, "diffuse");
    assert_eq!(on, off);
}

/// Share of texels of the skin's light (diffuse + specular, before pigment and tone mapping)
/// over the central third of the internal image that differ from the texel one output pixel
/// to the right or below by more than 4%: sharp pixel-to-pixel detail (a pore's pit, a
/// furrow), or speckle where nothing that sharp should be left. The skin's colour mottling and
/// the head's shading change far less than that from one pixel to the next. (One output
/// pixel, not one texel: skin shaded once per output pixel has the same light in its
/// supersamples.)
fn sharp_detail(view: Viewpoint, size: (u32, u32)) -> f32 {
    let s = bare(LightPreset::Consultation, true);
    let (diffuse, (w, h)) = target(view, &s, size, "diffuse");
    let (specular, _) = target(view, &s, size, "specular");
    let light = |x: u32, y: u32| {
        let i = (y * w + x) as usize;
        lum(&diffuse[i]) + lum(&specular[i])
    };
    let step = w / size.0;
    let (mut sharp, mut n) = (0u32, 0u32);
    for y in h / 3..2 * h / 3 {
        for x in w / 3..2 * w / 3 {
            let (l, r, d) = (light(x, y), light(x + step, y), light(x, y + step));
            let m = (l + r + d) / 3.0;
            if m > 0.02 {
                n += 1;
                if (l - r).abs().max((l - d).abs()) > 0.04 * m {
                    sharp += 1;
                }
            }
        }
    }
    sharp as f32 / n.max(1) as f32
}

#[test]
fn pores_and_relief_show_close_up_and_leave_no_speckle_at_full_head_framing() {
    let size = (240, 180);
    let outline = frame_outline(head());
    let aspect = size.0 as f32 / size.1 as f32;
    // A ~9 mm patch of the vertex: pores and skin lines a few pixels across.
    let close = Camera::framing(ViewPreset::Top, &outline, aspect).zoomed(30.0);
    let near = sharp_detail(close.into(), size);
    // The whole head from above: a pixel covers ~0.6 mm of skin, all of that detail is
    // filtered out and what is left is the head's smooth shading.
    let whole = sharp_detail(ViewPreset::Top.into(), size);
    eprintln!("sharp detail: close-up {near}, full head {whole}");
    assert!(near > 0.01, "close-up: {near} of texels show sharp detail");
    assert!(whole < 0.001, "full head: {whole} of texels speckled");
}

/// A camera 250 mm out along the surface normal of the head's vertex nearest `dir` from the
/// skull's centre, looking back at it with a narrow field: the same light geometry for a flash
/// wherever it is.
fn facing(dir: Vec3) -> (Camera, Vec3) {
    let mesh = &head().mesh;
    let dir = dir.normalize();
    let i = (0..mesh.positions.len())
        .max_by(|&a, &b| {
            let s = |k: usize| mesh.positions[k].normalize().dot(dir);
            s(a).total_cmp(&s(b))
        })
        .unwrap();
    let (p, n) = (mesh.positions[i], mesh.normals[i].normalize());
    let up = if n.y.abs() > 0.9 { Vec3::Z } else { Vec3::Y };
    (
        Camera {
            eye: p + n * 250.0,
            target: p,
            up,
            fov_y: 4f32.to_radians(),
            near: 150.0,
            far: 400.0,
        },
        p,
    )
}

#[test]
fn the_vertex_is_shinier_than_the_side_under_the_same_flash() {
    let size = (64, 48);
    let s = bare(LightPreset::Flash, true);
    let mean_spec = |dir: Vec3| {
        let (cam, _) = facing(dir);
        let (spec, (w, h)) = target(cam.into(), &s, size, "specular");
        let (mut sum, mut n) = (0.0f32, 0u32);
        for y in h / 4..3 * h / 4 {
            for x in w / 4..3 * w / 4 {
                sum += lum(&spec[(y * w + x) as usize]);
                n += 1;
            }
        }
        sum / n as f32
    };
    let vertex = mean_spec(Vec3::Y);
    // The client's left, above the ear: the dry side.
    let side = mean_spec(Vec3::new(1.0, 0.3, -0.1));
    assert!(
        vertex > 1.4 * side,
        "specular: vertex {vertex}, side {side}"
    );
}
