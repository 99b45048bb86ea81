//! "Looks real": properties of the rendered image that would fail if the optics, skin, lights
//! or healing were wrong (issue 3, part 8).
use crate::common;
use common::{engine, head, luminance};
use scalp::camera::{Camera, ViewPreset};
use scalp::light::LightPreset;
use scalp::optics::SkinTone;
use scalp::plan::Plan;
use scalp::render::{frame_outline, HeadGpu, RenderSettings};
use scalp::treatment::Treatment;

const SIZE: (u32, u32) = (200, 150);

/// A close-up of the top of the head: a patch ~3 cm wide, all of it treated.
fn close_up() -> Camera {
    Camera::framing(
        ViewPreset::Top,
        &frame_outline(head()),
        SIZE.0 as f32 / SIZE.1 as f32,
    )
    .zoomed(10.0)
}

/// The same patch without and with dots: per-channel mean linear values over the patch.
fn patch(
    plan: &Plan,
    years: f32,
    settings: &RenderSettings,
    camera: &Camera,
) -> ([f32; 3], [f32; 3]) {
    let e = engine();
    let h = head();
    let t = Treatment::new(h, plan, None).unwrap();
    let dots = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &dots, years).unwrap();
    let hg = HeadGpu::new(&e.gpu, h);
    let mean = |dots_on: bool| {
        let s = RenderSettings {
            dots: dots_on,
            ..settings.clone()
        };
        let img = e
            .render_image(&scalp::engine::Frame {
                head: &hg,
                dots: Some((&dots, &aged)),
                view: (*camera).into(),
                settings: &s,
                size: SIZE,
            })
            .unwrap();
        let mut sum = [0.0f64; 3];
        for p in img.pixels() {
            for c in 0..3 {
                let v = p[c] as f32 / 255.0;
                let lin = if v <= 0.04045 {
                    v / 12.92
                } else {
                    ((v + 0.055) / 1.055).powf(2.4)
                };
                sum[c] += lin as f64;
            }
        }
        let n = (img.width() * img.height()) as f64;
        sum.map(|s| (s / n) as f32)
    };
    (mean(false), mean(true))
}

/// Fraction of each channel the dots take away.
fn darkening(p: ([f32; 3], [f32; 3])) -> [f32; 3] {
    std::array::from_fn(|c| 1.0 - p.1[c] / p.0[c])
}

fn plan_at_depth(depth: f32) -> Plan {
    let mut plan = Plan::default();
    plan.dots.depth_mm = depth;
    plan.dots.depth_jitter_mm = 0.02;
    plan
}

#[test]
fn deep_dots_are_bluer_than_shallow_ones_at_the_same_shade() {
    let s = RenderSettings::default();
    let t = Treatment::new(head(), &Plan::default(), None)
        .unwrap()
        .healed_years();
    let shallow = darkening(patch(&plan_at_depth(0.2), t, &s, &close_up()));
    let deep = darkening(patch(&plan_at_depth(1.0), t, &s, &close_up()));
    // Hue of what the dots remove: red over blue. Deep dots take relatively more red (blue
    // light is scattered back before it reaches them), so they read blue-grey.
    let rb = |d: [f32; 3]| d[0] / d[2];
    assert!(
        rb(deep) > 1.15 * rb(shallow),
        "red/blue of the darkening: shallow {shallow:?} → {}, deep {deep:?} → {}",
        rb(shallow),
        rb(deep)
    );
}

#[test]
fn the_same_dots_show_less_contrast_and_less_blue_on_type_vi_than_on_type_ii() {
    let plan = Plan::default();
    let t = Treatment::new(head(), &plan, None).unwrap().healed_years();
    let on = |skin| {
        darkening(patch(
            &plan,
            t,
            &RenderSettings {
                skin,
                ..Default::default()
            },
            &close_up(),
        ))
    };
    let (ii, vi) = (on(SkinTone::II), on(SkinTone::VI));
    let lum = |d: [f32; 3]| 0.2126 * d[0] + 0.7152 * d[1] + 0.0722 * d[2];
    assert!(
        lum(vi) < 0.8 * lum(ii),
        "luminance contrast: type II {} vs type VI {}",
        lum(ii),
        lum(vi)
    );
}

#[test]
fn day_0_dots_are_larger_and_darker_than_day_28_dots() {
    // One session, so the same dots are compared.
    let mut plan = Plan::default();
    plan.sessions.count = 1;
    plan.sessions.shares = vec![1.0];
    let h = head();
    let t = Treatment::new(h, &plan, Some(2000)).unwrap();
    let dots = t.reference_dots(h);
    let size = |days: f32| {
        let p = t.age_params(days / scalp::ageing::DAYS_PER_YEAR);
        let mut sum = 0.0;
        for d in &dots {
            let a = scalp::ageing::appearance(d, &p);
            let f = scalp::optics::footprint(d.diameter_mm, d.depth_mm, a.amount, a.spread_mm2);
            sum += f.apparent_diameter_mm();
        }
        sum / dots.len() as f32
    };
    let (d0, d28) = (size(0.0), size(28.0));
    assert!(d0 > 1.25 * d28, "day 0 {d0} mm vs day 28 {d28} mm");
    // And in the picture: day 0 takes more light away than day 28.
    let s = RenderSettings::default();
    let day = |d: f32| {
        darkening(patch(
            &plan,
            d / scalp::ageing::DAYS_PER_YEAR,
            &s,
            &close_up(),
        ))
    };
    let (i0, i28) = (day(0.0), day(28.0));
    assert!(i0[1] > 1.3 * i28[1], "day 0 {i0:?} vs day 28 {i28:?}");
    // Day 0 is red around the wounds: green falls more than red.
    assert!(i0[1] > i0[0] * 1.2, "day 0 darkening {i0:?}");
}

#[test]
fn the_flash_is_brighter_than_the_overhead_room_light_on_the_face_on_scalp() {
    let e = engine();
    let h = head();
    let hg = HeadGpu::new(&e.gpu, h);
    let view = ViewPreset::Front;
    let lum_at_forehead = |light| {
        let s = RenderSettings {
            light,
            dots: false,
            ..Default::default()
        };
        let img = e
            .render_image(&scalp::engine::Frame {
                head: &hg,
                dots: None,
                view: view.into(),
                settings: &s,
                size: SIZE,
            })
            .unwrap();
        // Just above the front hairline, facing the camera.
        let lm = &h.landmarks;
        let p = lm.front_hairline + glam::Vec3::new(0.0, 8.0, 0.0);
        let (x, y) = common::pixel_of(view, SIZE, p);
        let mut sum = 0.0;
        for dy in -2..=2 {
            for dx in -2..=2 {
                sum += luminance(img.get_pixel((x + dx) as u32, (y + dy) as u32));
            }
        }
        sum / 25.0
    };
    let flash = lum_at_forehead(LightPreset::Flash);
    let room = lum_at_forehead(LightPreset::Consultation);
    assert!(
        flash > 1.1 * room,
        "flash {flash} vs consultation room {room}"
    );
}

#[test]
fn hdr_targets_hold_no_nan_and_nothing_negative_in_any_light() {
    let e = engine();
    let h = head();
    // Everything on at once: deep and shallow dots, healing marks (day 3: redness and scabs),
    // existing hair.
    let mut plan = Plan::default();
    plan.dots.depth_jitter_mm = 0.4;
    plan.hair.enabled = true;
    plan.hair.top = 0.3;
    let t = Treatment::new(h, &plan, None).unwrap();
    let dots = e.generate(h, &t).unwrap();
    let aged = e.age(&t, &dots, 3.0 / 365.25).unwrap();
    let mut hg = HeadGpu::new(&e.gpu, h);
    t.set_hairs(&e.gpu, h, &mut hg);
    assert!(hg.hairs.is_some());
    let outline = frame_outline(h);
    for light in LightPreset::ALL {
        for (view, zoom) in [(ViewPreset::ThreeQuarter, 1.0), (ViewPreset::Top, 6.0)] {
            let cam = Camera::framing(view, &outline, 4.0 / 3.0).zoomed(zoom);
            let s = RenderSettings {
                light,
                ssaa: 1,
                ..t.render_settings()
            };
            let targets = e
                .render_hdr(&scalp::engine::Frame {
                    head: &hg,
                    dots: Some((&dots, &aged)),
                    view: cam.into(),
                    settings: &s,
                    size: (160, 120),
                })
                .unwrap();
            for (name, texels) in targets {
                let bad = texels
                    .iter()
                    .find(|t| t.iter().any(|v| !v.is_finite() || *v < 0.0));
                assert!(bad.is_none(), "{light:?} {view:?}: {name} holds {bad:?}");
                if name == "hair" && zoom == 1.0 {
                    assert!(texels.iter().any(|t| t[3] > 0.01), "no hair drawn");
                }
            }
        }
    }
}

#[test]
fn existing_hair_darkens_the_sides_and_matching_the_shade_follows_the_hair() {
    let e = engine();
    let h = head();
    let mut plan = Plan::default();
    // A dense 1 mm cut today (the default client's is a day-old razor shave).
    plan.hair.enabled = true;
    plan.hair.density_per_cm2 = 200.0;
    plan.hair.shave_mm = 1.0;
    plan.hair.days_since_shave = 0.0;
    let t = Treatment::new(h, &plan, None).unwrap();
    let hairs = t.hairs();
    // ~200/cm² over the sides and back of a Norwood 7 head: tens of thousands.
    assert!(hairs.len() > 10_000, "{} hairs", hairs.len());
    for hair in hairs.iter() {
        let len = (hair.tip - hair.root).length();
        assert!((0.6..=1.4).contains(&len), "hair length {len}");
    }
    let mut hg = HeadGpu::new(&e.gpu, h);
    // A patch 30 mm above the left ear's top, where a Norwood 7 client keeps his hair.
    let side = |hg: &HeadGpu| {
        let img = e
            .render_image(&scalp::engine::Frame {
                head: hg,
                dots: None,
                view: ViewPreset::Left.into(),
                settings: &RenderSettings::default(),
                size: SIZE,
            })
            .unwrap();
        let p = h.landmarks.ear_top_left + glam::Vec3::new(0.0, 30.0, 0.0);
        let (x, y) = common::pixel_of(ViewPreset::Left, SIZE, p);
        let mut sum = 0.0;
        for dy in -3..=3 {
            for dx in -3..=3 {
                sum += luminance(img.get_pixel((x + dx) as u32, (y + dy) as u32));
            }
        }
        sum / 49.0
    };
    let bald = side(&hg);
    t.set_hairs(&e.gpu, h, &mut hg);
    let hairy = side(&hg);
    // A 1 mm stubble at 200/cm² covers ~10–15% of the skin seen from the side.
    assert!(
        hairy < 0.92 * bald,
        "sides with hair {hairy} vs bald {bald}"
    );

    let shade_for = |colour: &str| {
        let mut p = Plan::default();
        p.dots.match_hair = true;
        p.hair.color = colour.into();
        Treatment::new(h, &p, Some(100)).unwrap().plan.dots.shade
    };
    assert!(shade_for("black") > shade_for("light-brown") + 1.0);
}
