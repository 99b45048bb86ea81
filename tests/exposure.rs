//! The yearly UV dose of the built-in head: shaped by the sky and the sun (crown more than nape),
//! shadowed by the head itself, scaled by latitude and habits. No GPU needed.
//!
//! The ray casting is done once for the whole binary ([`visibility`]); `vertex_exposure` itself
//! is run once more in the determinism test and shown to equal the cached path.
use glam::Vec3;
use scalp::exposure::{
    geometric_exposure, habits_factor, vertex_exposure, ExposureSettings, SkyVisibility,
};
use scalp::head::{Head, Mesh};
use std::sync::OnceLock;

fn head() -> &'static Head {
    static HEAD: OnceLock<Head> = OnceLock::new();
    HEAD.get_or_init(|| Head::builtin().unwrap())
}

/// The built-in head's sky visibility, ray cast once for all tests.
fn visibility() -> &'static SkyVisibility {
    static VIS: OnceLock<SkyVisibility> = OnceLock::new();
    VIS.get_or_init(|| SkyVisibility::new(&head().mesh))
}

fn defaults() -> Vec<f32> {
    visibility().exposure(&ExposureSettings::default())
}

/// Mean of `values` over the vertices whose position passes `keep`.
fn mean_where(values: &[f32], keep: impl Fn(Vec3) -> bool) -> f64 {
    let (mut sum, mut n) = (0.0f64, 0usize);
    for (v, p) in values.iter().zip(&head().mesh.positions) {
        if keep(*p) {
            sum += f64::from(*v);
            n += 1;
        }
    }
    assert!(n > 20, "only {n} vertices selected");
    sum / n as f64
}

/// The top of the head: within 15 mm of the vertex landmark's height.
fn crown(p: Vec3) -> bool {
    p.y > head().landmarks.vertex.y - 15.0
}

/// The nape: the back of the head at and up to 40 mm below the occipital landmark, near the
/// midline.
fn nape(p: Vec3) -> bool {
    let occ = head().landmarks.occipital;
    p.x.abs() < 30.0 && p.y < occ.y && p.y > occ.y - 40.0 && p.z < occ.z + 30.0
}

/// The same mesh with no triangles: nothing shadows anything, the unshadowed estimate.
fn unshadowed(latitude_deg: f32) -> Vec<f32> {
    let m = &head().mesh;
    let bare = Mesh {
        positions: m.positions.clone(),
        normals: m.normals.clone(),
        indices: Vec::new(),
    };
    geometric_exposure(&bare, latitude_deg)
}

fn assert_scaled(a: &[f32], b: &[f32], factor: f32, what: &str) {
    assert_eq!(a.len(), b.len());
    for (i, (x, y)) in a.iter().zip(b).enumerate() {
        assert!(
            (y - factor * x).abs() <= 1e-5 * x.abs().max(1e-3),
            "{what}: vertex {i}: {y} vs {factor} × {x}"
        );
    }
}

#[test]
fn one_finite_non_negative_value_per_vertex() {
    let e = defaults();
    assert_eq!(e.len(), head().mesh.positions.len());
    assert!(e.iter().all(|v| v.is_finite() && *v >= 0.0));
    // Nothing gets more than an unshadowed horizontal surface at the reference latitude.
    let max = e.iter().copied().fold(0.0f32, f32::max);
    assert!(max <= 1.0 + 1e-4, "max {max}");
    // The bottom of the neck stub faces the ground: no sky, no sun.
    let bottom = head().mesh.bounds().0.y;
    assert!(mean_where(&e, |p| p.y < bottom + 0.01) < 0.01);
}

#[test]
fn top_of_the_head_is_near_one_under_defaults() {
    let top = mean_where(&defaults(), crown);
    assert!((0.7..=1.3).contains(&top), "top {top}");
}

#[test]
fn crown_gets_clearly_more_than_the_nape() {
    let e = defaults();
    let (c, n) = (mean_where(&e, crown), mean_where(&e, nape));
    assert!(c > 1.5 * n, "crown {c}, nape {n}, ratio {}", c / n);
}

#[test]
fn geometric_exposure_is_the_dose_before_habits() {
    let g = visibility().geometric(51.5);
    assert_eq!(g, defaults(), "the defaults' habits factor is 1");
    assert_eq!(habits_factor(&ExposureSettings::default()), 1.0);
}

#[test]
fn a_hat_blocks_about_ninety_percent() {
    let hat = ExposureSettings {
        hat: 1.0,
        ..Default::default()
    };
    assert!((habits_factor(&hat) - 0.1).abs() < 1e-6);
    assert_scaled(&defaults(), &visibility().exposure(&hat), 0.1, "hat");
    let half = ExposureSettings {
        hat: 0.5,
        ..Default::default()
    };
    assert!((habits_factor(&half) - 0.55).abs() < 1e-6);
}

#[test]
fn spf_30_blocks_about_ninety_seven_percent() {
    let spf = ExposureSettings {
        spf: 30.0,
        sunscreen: 1.0,
        ..Default::default()
    };
    let f = habits_factor(&spf);
    assert!((f - 1.0 / 30.0).abs() < 1e-6, "{f}");
    assert!((0.025..0.035).contains(&f));
    assert_scaled(&defaults(), &visibility().exposure(&spf), f, "spf 30");
    // A sunscreen that is never worn, or of factor 1, does nothing.
    for s in [(30.0, 0.0), (1.0, 1.0)] {
        let s = ExposureSettings {
            spf: s.0,
            sunscreen: s.1,
            ..Default::default()
        };
        assert_eq!(habits_factor(&s), 1.0);
    }
}

#[test]
fn dose_is_proportional_to_hours_outdoors() {
    for hours in [0.0f32, 0.75, 3.0, 6.0] {
        let s = ExposureSettings {
            hours_outdoors_per_day: hours,
            ..Default::default()
        };
        assert_scaled(
            &defaults(),
            &visibility().exposure(&s),
            hours / 1.5,
            &format!("{hours} h"),
        );
    }
}

#[test]
fn habits_are_clamped_to_sense() {
    let wild = ExposureSettings {
        latitude_deg: f32::NAN,
        hours_outdoors_per_day: -3.0,
        hat: 7.0,
        spf: 0.0,
        sunscreen: f32::INFINITY,
    };
    assert_eq!(habits_factor(&wild), 0.0);
    let e = visibility().exposure(&ExposureSettings {
        hours_outdoors_per_day: 1.5,
        ..wild.clone()
    });
    // hat clamped to 1, spf to 1 (no protection), sunscreen to its default; NaN latitude to
    // the reference.
    assert_scaled(&defaults(), &e, 0.1, "clamped");
    let nan = ExposureSettings {
        hours_outdoors_per_day: f32::NAN,
        ..Default::default()
    };
    assert_eq!(habits_factor(&nan), 1.0);
}

#[test]
fn lower_latitudes_get_more_sun_higher_ones_less() {
    let v = visibility();
    let top = |lat: f32| mean_where(&v.geometric(lat), crown);
    let all = |lat: f32| {
        let e = v.geometric(lat);
        e.iter().map(|&x| f64::from(x)).sum::<f64>() / e.len() as f64
    };
    let (low, mid, high) = (top(25.0), top(51.5), top(65.0));
    assert!(low > 1.3 * mid && mid > 1.3 * high, "{low} {mid} {high}");
    assert!(all(25.0) > all(51.5) && all(51.5) > all(65.0));
    // The hemispheres mirror each other.
    let (n, s) = (v.geometric(40.0), v.geometric(-40.0));
    for (a, b) in n.iter().zip(&s) {
        assert!((a - b).abs() <= 1e-5 * a.max(1e-3));
    }
    // Monotonic from the tropics to the polar circle.
    let mut last = f64::INFINITY;
    for lat in [0.0f32, 15.0, 30.0, 45.0, 55.0, 66.0] {
        let t = top(lat);
        assert!(t < last, "{lat}: {t} after {last}");
        last = t;
    }
}

#[test]
fn the_head_shadows_itself() {
    let shadowed = defaults();
    let bare = unshadowed(51.5);
    let ratio = |keep: &dyn Fn(Vec3) -> bool| mean_where(&shadowed, keep) / mean_where(&bare, keep);
    let lm = head().landmarks;
    // The front of the neck under the chin: the chin and jaw hide much of the sky. On the
    // built-in head the chin's lowest point is ~130 mm below the glabella and ~90 mm in front
    // of the skull's centre; the neck's front is at z ≈ 40 below it.
    let chin_y = lm.glabella.y - 130.0;
    let neck = ratio(&|p: Vec3| {
        p.x.abs() < 20.0 && p.y < chin_y && p.z > 0.0 && p.z < lm.glabella.z - 30.0
    });
    assert!(neck < 0.6, "neck under the chin: {neck}");
    // Behind and below the ears (the skin, not the ear itself): the ear and the jaw shadow it.
    let behind_ear = ratio(&|p: Vec3| {
        let ear = if p.x > 0.0 {
            lm.ear_top_left
        } else {
            lm.ear_top_right
        };
        p.x.abs() > 40.0
            && p.x.abs() < ear.x.abs() - 5.0
            && p.y < ear.y - 20.0
            && p.y > ear.y - 50.0
            && p.z < ear.z - 20.0
            && p.z > ear.z - 45.0
    });
    assert!(behind_ear < 0.9, "behind the ears: {behind_ear}");
    // Open convex skin is not shadowed (no ray hits its own neighbourhood).
    let top = ratio(&crown);
    assert!(top > 0.995, "crown: {top}");
    // Shadowing only takes light away.
    for (s, b) in shadowed.iter().zip(&bare) {
        assert!(*s <= b + 1e-5);
    }
}

#[test]
fn deterministic_and_independent_of_threads() {
    let mesh = &head().mesh;
    // vertex_exposure is the cached path, and a second run gives the same bits.
    assert_eq!(
        vertex_exposure(mesh, &ExposureSettings::default()),
        defaults()
    );
    // A different number of threads splits the work differently; the result is the same.
    let three = SkyVisibility::with_threads(mesh, 3);
    assert_eq!(&three, visibility());
}

#[test]
fn empty_and_odd_meshes_do_not_panic() {
    assert!(vertex_exposure(&Mesh::default(), &ExposureSettings::default()).is_empty());
    // A lone face-up vertex (no triangles) is an unshadowed horizontal surface: exactly 1.
    let one = Mesh {
        positions: vec![Vec3::ZERO, Vec3::ONE],
        normals: vec![Vec3::Y, Vec3::NEG_Y],
        indices: vec![],
    };
    let e = geometric_exposure(&one, 51.5);
    assert!((e[0] - 1.0).abs() < 1e-5 && e[1] == 0.0, "{e:?}");
    // A vertical wall facing any way gets the same (the sun's azimuth is averaged), and less
    // than half of the horizontal's dose at 51.5° N.
    let walls = Mesh {
        positions: vec![Vec3::ZERO; 4],
        normals: vec![Vec3::X, Vec3::Z, Vec3::NEG_X, Vec3::new(0.6, 0.0, -0.8)],
        indices: vec![],
    };
    let w = geometric_exposure(&walls, 51.5);
    for x in &w {
        assert!((x - w[0]).abs() < 0.03 * w[0], "{w:?}");
        assert!(*x > 0.2 && *x < 0.5, "{w:?}");
    }
    // A roof right over a face-up vertex hides all its sky; missing normals fall back to +Y.
    let roofed = Mesh {
        positions: vec![
            Vec3::ZERO,
            Vec3::new(-500.0, 10.0, -500.0),
            Vec3::new(500.0, 10.0, -500.0),
            Vec3::new(0.0, 10.0, 800.0),
        ],
        normals: vec![],
        indices: vec![1, 2, 3],
    };
    let r = geometric_exposure(&roofed, 51.5);
    assert!(r[0] < 0.05, "{r:?}");
}

/// Per-vertex agreement of the sampled sky visibility with the full cast, at 51.5° N: the 99th
/// percentile and the largest of |sampled − full|, as fractions of the full cast's mean.
fn agreement(full: &[f32], sampled: &[f32]) -> (f64, f64) {
    assert_eq!(full.len(), sampled.len());
    let mean = full.iter().map(|&x| f64::from(x)).sum::<f64>() / full.len() as f64;
    let mut d: Vec<f64> = full
        .iter()
        .zip(sampled)
        .map(|(a, b)| f64::from((a - b).abs()))
        .collect();
    d.sort_by(f64::total_cmp);
    let p99 = d[(d.len() * 99 / 100).min(d.len() - 1)];
    (p99 / mean, d[d.len() - 1] / mean)
}

/// The sampled path's accuracy bound: 99% of vertices within 2% of the head's mean dose.
const SAMPLED_P99: f64 = 0.02;

#[test]
fn sampled_visibility_matches_the_full_cast_on_the_built_in_head() {
    let mesh = &head().mesh;
    let sampled = SkyVisibility::sampled(mesh, 2).geometric(51.5);
    let (p99, max) = agreement(&defaults(), &sampled);
    eprintln!("built-in head: sampled vs full, p99 {p99:.4}, max {max:.4} of the mean");
    assert!(p99 <= SAMPLED_P99, "p99 {p99}, max {max}");
    // The same bits whatever the thread count.
    assert_eq!(
        SkyVisibility::sampled(mesh, 1),
        SkyVisibility::sampled(mesh, 3)
    );
}

#[test]
fn big_scans_take_the_sampled_path_and_match_the_full_cast() {
    let _ = env_logger::builder()
        .is_test(true)
        .filter_level(log::LevelFilter::Debug)
        .try_init();
    let big = scalp::head::decimate::subdivided_builtin_head(2, 0.02);
    assert!(big.triangle_count() > scalp::exposure::FULL_CAST_MAX_TRIANGLES);
    let vis = SkyVisibility::new(&big);
    assert_eq!(vis.per_ring.len(), big.positions.len());
    // The full cast of every 40th vertex (20 k of them) to compare with.
    let some: Vec<u32> = (0..big.positions.len() as u32).step_by(40).collect();
    let full = SkyVisibility::geometric_of(&SkyVisibility::full_at(&big, &some), 51.5);
    let all = vis.geometric(51.5);
    let sampled: Vec<f32> = some.iter().map(|&v| all[v as usize]).collect();
    let (p99, max) = agreement(&full, &sampled);
    eprintln!("1.6 M scan: sampled vs full, p99 {p99:.4}, max {max:.4} of the mean");
    assert!(p99 <= SAMPLED_P99, "p99 {p99}, max {max}");
}
