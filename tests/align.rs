//! Automatic alignment on heads unlike the built-in one, all built here from it (no GPU, no
//! fixtures): a bust, a statue with a bun and sculpted hair (the reported failure: facing
//! backwards and pitched forward), a cranium cut above the brow, a scan cut at the neck, one
//! on shoulders, one with ragged fringes, debris and noise, a woman's and a child's head; each
//! turned pitched forward 30°, facing backwards and at random, in mm, cm and m. And shapes
//! whose cues do not tell the face (a blob, a head with a second nose at the back), which must
//! ask for landmarks. Randomness is seeded (`scalp::hash`), so every run is the same.
use glam::{Mat3, Quat, Vec3};
use scalp::hash::rand01;
use scalp::head::align::{self, Alignment, Decider, Method};
use scalp::head::Head;
use shapes::{ellipsoid, smoothstep, statue, torso, Mesh};

mod shapes;

/// Rotation error allowed for a head whose cues agree, degrees.
const MAX_ERR_DEG: f32 = 5.0;

/// How far the fit may end from the frame the face gives by its own cues, degrees.
const FRAME_ERR_DEG: f32 = 8.0;

/// A cone from a circular base (`radius`, centred at `base`) to `apex`, closed at the base.
fn cone(base: Vec3, apex: Vec3, radius: f32) -> Mesh {
    let axis = (apex - base).normalize();
    let u = axis.any_orthonormal_vector();
    let v = axis.cross(u);
    let n = 48u32;
    let mut pos = vec![apex, base];
    for j in 0..n {
        let a = std::f32::consts::TAU * j as f32 / n as f32;
        pos.push(base + (u * a.cos() + v * a.sin()) * radius);
    }
    let mut tris = Vec::new();
    for j in 0..n {
        let (a, b) = (2 + j, 2 + (j + 1) % n);
        tris.push([0, a, b]);
        tris.push([1, b, a]);
    }
    Mesh { pos, tris }
}

/// Box shoulders: the top, front and back of a 420 × 160 × 130 mm box under the neck.
fn box_shoulders() -> Mesh {
    let mut pos = Vec::new();
    let mut tris = Vec::new();
    let n = 30u32;
    for face in 0..3 {
        let base = pos.len() as u32;
        for i in 0..=n {
            for j in 0..=n {
                let (u, v) = (i as f32 / n as f32, j as f32 / n as f32);
                pos.push(match face {
                    0 => Vec3::new(-210.0 + 420.0 * u, -150.0, -65.0 + 130.0 * v),
                    1 => Vec3::new(-210.0 + 420.0 * u, -150.0 - 160.0 * v, 65.0),
                    _ => Vec3::new(-210.0 + 420.0 * u, -150.0 - 160.0 * v, -65.0),
                });
            }
        }
        for i in 0..n {
            for j in 0..n {
                let a = base + i * (n + 1) + j;
                tris.push([a, a + 1, a + n + 1]);
                tris.push([a + 1, a + n + 2, a + n + 1]);
            }
        }
    }
    Mesh { pos, tris }
}

/// Seeded noise in [−1, 1).
fn noise(seed: u32, id: u32, stream: u32) -> f32 {
    2.0 * rand01(seed, id, stream) - 1.0
}

/// A ragged scan: the neck cut at a random height per triangle, 0.3 mm of noise on every
/// vertex, and 400 small triangles of debris floating around the head.
fn noisy_fringes() -> Mesh {
    let m = Mesh::builtin();
    let pos = m.pos.clone();
    let mut kept: Vec<[u32; 3]> = m
        .tris
        .iter()
        .enumerate()
        .filter(|(k, t)| {
            let y = t
                .iter()
                .map(|&i| pos[i as usize].y)
                .fold(f32::MAX, f32::min);
            y > -140.0 + 30.0 * rand01(11, *k as u32, 0)
        })
        .map(|(_, t)| *t)
        .collect();
    let mut pos: Vec<Vec3> = pos
        .iter()
        .enumerate()
        .map(|(i, p)| {
            // Roughly Gaussian with σ ≈ 0.3 mm: the sum of three uniforms.
            let i = i as u32;
            let g = |s: u32| 0.3 * (noise(12, i, s) + noise(12, i, s + 3) + noise(12, i, s + 6));
            *p + Vec3::new(g(0), g(1), g(2))
        })
        .collect();
    for k in 0..400u32 {
        let dir =
            Vec3::new(noise(13, k, 0), noise(13, k, 1), noise(13, k, 2)).normalize_or(Vec3::X);
        let c = Vec3::new(0.0, -20.0, 0.0) + dir * (150.0 + 60.0 * rand01(13, k, 3));
        let s = 2.0 + 4.0 * rand01(13, k, 4);
        let base = pos.len() as u32;
        pos.extend([
            c,
            c + Vec3::new(s, 0.0, 0.0),
            c + Vec3::new(0.0, s, s * 0.5),
        ]);
        kept.push([base, base + 1, base + 2]);
    }
    Mesh { pos, tris: kept }
}

/// A woman's head: smaller and narrower (non-uniform scale).
fn woman() -> Mesh {
    Mesh::builtin().map(|p| p * Vec3::new(0.86, 0.93, 0.91))
}

/// A child's head: 0.8 of the size, the cranium larger relative to the face.
fn child() -> Mesh {
    Mesh::builtin().map(|p| {
        let centre = Vec3::new(0.0, 10.0, -5.0);
        let grow = 1.0 + 0.12 * smoothstep(-10.0, 40.0, p.y);
        (centre + (p - centre) * grow) * 0.8
    })
}

/// The heads whose cues must agree, and what must decide their facing.
fn agreeing_heads() -> Vec<(&'static str, Mesh, Decider)> {
    let b = Head::builtin().unwrap();
    let brow = b.landmarks.glabella.y + 8.0;
    let with_shoulders = {
        let mut m = Mesh::builtin();
        m.add(box_shoulders());
        m
    };
    let bust = {
        let mut m = Mesh::builtin();
        m.add(torso(200.0));
        m
    };
    vec![
        ("built-in", Mesh::builtin(), Decider::NoseAndEars),
        ("bust", bust, Decider::NoseAndEars),
        ("statue", statue(), Decider::NoseAndEars),
        (
            "cut above the brow",
            Mesh::builtin().crop(|p| p.y > brow),
            Decider::TemplateShape,
        ),
        (
            "cut at the neck",
            Mesh::builtin().crop(|p| p.y > -100.0),
            Decider::NoseAndEars,
        ),
        ("on box shoulders", with_shoulders, Decider::NoseAndEars),
        ("noisy fringes", noisy_fringes(), Decider::NoseAndEars),
        ("woman", woman(), Decider::NoseAndEars),
        ("child", child(), Decider::NoseAndEars),
    ]
}

/// The orientations every head is tried in: pitched forward, facing backwards, and two random
/// ones (seeded).
fn orientations(seed: u32) -> Vec<(String, Quat)> {
    let mut v = vec![
        (
            "pitched forward 30°".to_string(),
            Quat::from_rotation_x(30f32.to_radians()),
        ),
        (
            "facing backwards".to_string(),
            Quat::from_rotation_y(std::f32::consts::PI),
        ),
    ];
    for k in 0..2 {
        // A uniform random rotation (Shoemake).
        let (u1, u2, u3) = (
            rand01(seed, k, 0),
            rand01(seed, k, 1) * std::f32::consts::TAU,
            rand01(seed, k, 2) * std::f32::consts::TAU,
        );
        let q = Quat::from_xyzw(
            (1.0 - u1).sqrt() * u2.sin(),
            (1.0 - u1).sqrt() * u2.cos(),
            u1.sqrt() * u3.sin(),
            u1.sqrt() * u3.cos(),
        )
        .normalize();
        v.push((format!("random {k}"), q));
    }
    v
}

/// Aligns `m` turned by `q`, scaled to `mm_per_unit` and moved; the alignment and the
/// rotation error in degrees, and whether the face still looks forward.
fn align_turned(m: &Mesh, q: Quat, mm_per_unit: f32, offset: Vec3) -> (Alignment, f32, bool) {
    let file: Vec<Vec3> = m
        .pos
        .iter()
        .map(|p| q * *p / mm_per_unit + offset)
        .collect();
    let a = align::automatic(&file, &m.tris, None).unwrap();
    let err = a.rotation * Mat3::from_quat(q);
    let deg = Quat::from_mat3(&err)
        .normalize()
        .angle_between(Quat::IDENTITY)
        .to_degrees();
    let forward = (err * Vec3::Z).z > 0.5;
    (a, deg, forward)
}

fn cues(a: &Alignment) -> &align::Cues {
    match &a.method {
        Method::Template(f) => &f.cues,
        m => panic!("not a template fit: {m:?}"),
    }
}

fn asks_for_landmarks(a: &Alignment) -> bool {
    a.warnings.iter().any(|w| w.contains("--landmarks"))
}

/// Every head whose cues agree comes back within [`MAX_ERR_DEG`] in every orientation and
/// unit, never facing backwards, decided by the cue it should be, and asks for nothing.
#[test]
fn heads_unlike_the_built_in_one_align_by_their_cues() {
    let units = [1.0f32, 10.0, 1000.0];
    let mut failures = Vec::new();
    for (h, (name, mesh, decider)) in agreeing_heads().into_iter().enumerate() {
        for (k, (how, q)) in orientations(40 + h as u32).into_iter().enumerate() {
            let mm_per_unit = units[(h + k) % 3];
            let offset = Vec3::new(0.3, -0.2, 0.5) * 100.0 / mm_per_unit;
            let (a, deg, forward) = align_turned(&mesh, q, mm_per_unit, offset);
            let c = cues(&a);
            eprintln!(
                "| {name} | {how} | {} | {deg:.2}° | {} | {} | {} |",
                match mm_per_unit as u32 {
                    1 => "mm",
                    10 => "cm",
                    _ => "m",
                },
                c.decided_by.name(),
                c.frame_deg
                    .map_or("no frame".to_string(), |d| format!("frame {d:.1}°")),
                if asks_for_landmarks(&a) { "asks" } else { "no" }
            );
            // A face with its nose and ears gives its whole frame, pitch included, before
            // any fit, and the fit only refines it.
            let framed =
                decider != Decider::NoseAndEars || c.frame_deg.is_some_and(|d| d < FRAME_ERR_DEG);
            let ok = deg < MAX_ERR_DEG
                && framed
                && forward
                && c.decided_by == decider
                && !asks_for_landmarks(&a)
                && a.mm_per_unit == mm_per_unit;
            if !ok {
                failures.push(format!(
                    "{name}, {how}: {deg:.2}° off, forward {forward}, ×{} to mm, {:?}: {:#?}",
                    a.mm_per_unit,
                    a.warnings,
                    a.describe()
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The reported case: a statue with a bun and a worn, shallow face, in no known unit, facing
/// backwards and pitched forward. The nose decides, and the frame comes back within
/// [`MAX_ERR_DEG`]. (This synthetic statue does not fool the built-in head's shape alone as
/// the reported scan did; what the shape alone would have chosen is reported either way.)
#[test]
fn the_statue_with_a_bun_is_turned_by_its_nose_not_by_its_shape() {
    let m = statue();
    let q = Quat::from_rotation_y(std::f32::consts::PI) * Quat::from_rotation_x(0.5);
    let (a, deg, forward) = align_turned(&m, q, 2.5, Vec3::ZERO);
    let c = cues(&a);
    let lines = a.describe().join("\n");
    assert!(deg < MAX_ERR_DEG && forward, "{deg:.2}° off: {lines}");
    assert_eq!(c.decided_by, Decider::NoseAndEars, "{lines}");
    assert!(lines.contains("facing decided by the nose"), "{lines}");
    assert!(!asks_for_landmarks(&a), "{:?}", a.warnings);
}

/// Shapes whose cues cannot tell the face ask for landmarks: a smooth blob (three planes of
/// symmetry, no nose), and a head with a second nose on the back of its head.
#[test]
fn shapes_whose_cues_disagree_ask_for_landmarks() {
    let blob = ellipsoid(Vec3::ZERO, Vec3::new(76.0, 104.0, 92.0), 60, 120);
    let two_noses = {
        let mut m = Mesh::builtin();
        m.add(cone(
            Vec3::new(0.0, -20.0, -90.0),
            Vec3::new(0.0, -25.0, -124.0),
            16.0,
        ));
        m
    };
    for (name, m) in [("blob", blob), ("two noses", two_noses)] {
        for (how, q) in orientations(77).into_iter().take(2) {
            let file: Vec<Vec3> = m.pos.iter().map(|p| q * *p / 10.0).collect();
            let a = align::automatic(&file, &m.tris, None).unwrap();
            eprintln!("{name}, {how}: {:?}", a.warnings);
            assert!(
                asks_for_landmarks(&a),
                "{name}, {how}: no request for landmarks: {:#?}",
                a.describe()
            );
        }
    }
}

/// A masked face (as a sculpted ninja head): the nose pressed flat into a broad mask over the
/// lower face, smoothed. A mask's front is broad, so nothing on the midline is taken for a
/// nose (a chin or the mask's edge once was, and it pitched the head 18°): the facing is left
/// to the built-in head's shape, and said so.
fn masked() -> Mesh {
    let g = Head::builtin().unwrap().landmarks.glabella;
    Mesh::builtin()
        .map(|p| {
            let below_brow = smoothstep(g.y - 10.0, g.y - 25.0, p.y);
            let mask = 95.0 - 0.012 * p.x * p.x;
            let z = if p.z > mask {
                p.z + (mask - p.z) * below_brow
            } else {
                p.z
            };
            Vec3::new(p.x, p.y, z)
        })
        .smooth(3, 0.5)
}

/// Sculpted hair: seeded bumps, 5 mm high and 12 mm across, all over the cranium and
/// round the ears, as a statue's hair is carved.
fn with_hair_bumps(m: Mesh) -> Mesh {
    let bumps: Vec<Vec3> = (0..160u32)
        .map(|k| {
            let d = Vec3::new(noise(21, k, 0), noise(21, k, 1).abs(), noise(21, k, 2));
            Vec3::new(0.0, -30.0, -5.0) + d.normalize_or(Vec3::Y) * 100.0
        })
        .collect();
    let n = m.normals();
    let mut m = m;
    for (p, n) in m.pos.iter_mut().zip(n) {
        if p.z > 60.0 || p.y < -70.0 {
            continue;
        }
        let h: f32 = bumps
            .iter()
            .map(|b| 5.0 * (-(p.distance_squared(*b)) / (2.0 * 6.0 * 6.0)).exp())
            .sum();
        *p += n * h.min(6.0);
    }
    m
}

/// Ears pressed halfway back onto the head (smaller, flatter ones).
fn flat_ears() -> Mesh {
    Mesh::builtin().map(|p| {
        let ear = smoothstep(55.0, 70.0, p.x.abs())
            * (1.0 - smoothstep(-5.0, 20.0, p.z))
            * (1.0 - smoothstep(20.0, 40.0, (p.y + 35.0).abs()));
        Vec3::new(
            p.x - p.x.signum() * ear * 0.5 * (p.x.abs() - 55.0).max(0.0),
            p.y,
            p.z,
        )
    })
}

/// What real third-party heads taught: a masked face with no nose must not find one, and
/// says "no nose found" without claiming the cues disagree; a statue with sculpted hair in no
/// known unit (scaled to the built-in head's size) must not raise a false alarm about its
/// ears; smaller, flatter ears either agree with the fit or are not found.
#[test]
fn real_head_lessons_masked_face_sculpted_hair_flat_ears() {
    let mut failures = Vec::new();
    let hair_in_odd_units = with_hair_bumps(Mesh::builtin()).map(|p| p * 2.74);
    for (name, m, mm_per_unit) in [
        ("masked face", masked(), 10.0f32),
        ("sculpted hair, odd units", hair_in_odd_units, 10.0),
        ("flat ears", flat_ears(), 1.0),
    ] {
        for (how, q) in orientations(91).into_iter().take(3) {
            let (a, deg, forward) = align_turned(&m, q, mm_per_unit, Vec3::ZERO);
            let c = cues(&a);
            let lines = a.describe().join("\n");
            eprintln!(
                "| {name} | {how} | {deg:.2}° | {} | {:?} |",
                c.decided_by.name(),
                a.warnings
            );
            let disagree = a.warnings.iter().any(|w| w.contains("cues disagree"));
            let ok = match name {
                "masked face" => {
                    c.nose_sharpness.is_none()
                        && lines.contains("no nose found")
                        && c.decided_by == Decider::TemplateShape
                        && !disagree
                        && deg < MAX_ERR_DEG
                        && forward
                }
                _ => deg < MAX_ERR_DEG && forward && !asks_for_landmarks(&a),
            };
            if !ok {
                failures.push(format!(
                    "{name}, {how}: {deg:.2}° off: {lines}\n{:?}",
                    a.warnings
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// A head whose outline misleads a fit of shapes: a tall topknot leaning back and a long
/// beard. The face's own frame (plane, nose, eye sockets, ears) sets the pitch, and the fit
/// refines it within a few degrees.
#[test]
fn a_topknot_and_a_beard_do_not_pitch_the_head() {
    let mut m = Mesh::builtin();
    m.add(ellipsoid(
        Vec3::new(0.0, 120.0, -70.0),
        Vec3::new(45.0, 70.0, 45.0),
        30,
        60,
    ));
    m.add(ellipsoid(
        Vec3::new(0.0, -150.0, 70.0),
        Vec3::new(60.0, 80.0, 40.0),
        30,
        60,
    ));
    let mut failures = Vec::new();
    for (how, q) in orientations(55) {
        let (a, deg, forward) = align_turned(&m, q, 10.0, Vec3::ZERO);
        let c = cues(&a);
        eprintln!(
            "| {how} | {deg:.2}° | frame {:?} | {:?} |",
            c.frame_deg, a.warnings
        );
        if !(deg < MAX_ERR_DEG && forward && c.frame_deg.is_some_and(|d| d < FRAME_ERR_DEG)) {
            failures.push(format!("{how}: {deg:.2}° off: {:#?}", a.describe()));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}
