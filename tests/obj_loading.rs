//! OBJ loading into head space: accepted shapes of files, units and up axis, and every
//! error path with its message and line number. No GPU needed.
use glam::Vec3;
use scalp::error::ScalpError;
use scalp::head::obj::{guess_units, guess_up, load_obj, load_obj_str, LoadOptions, Units, UpAxis};
use scalp::head::Mesh;
use std::path::{Path, PathBuf};

/// Options that keep coordinates as written (mm, Y-up), so tests check geometry exactly.
fn mm() -> LoadOptions {
    LoadOptions {
        units: Some(Units::Mm),
        up: Some(UpAxis::Y),
        ..LoadOptions::default()
    }
}

fn load(text: &str) -> Mesh {
    match load_obj_str(text, Path::new("test.obj"), &mm()) {
        Ok(m) => m,
        Err(e) => panic!("expected the OBJ to load, got: {e}"),
    }
}

/// Loads text expected to fail; returns (line, message, Display).
fn fail_with(text: &str, opts: &LoadOptions) -> (Option<usize>, String, String) {
    match load_obj_str(text, Path::new("bad.obj"), opts) {
        Ok(m) => panic!(
            "expected an error, got a mesh with {} triangles",
            m.triangle_count()
        ),
        Err(e) => {
            let shown = e.to_string();
            match e {
                ScalpError::Mesh {
                    path,
                    line,
                    message,
                } => {
                    assert_eq!(path, PathBuf::from("bad.obj"));
                    (line, message, shown)
                }
                other => panic!("expected ScalpError::Mesh, got {other:?}"),
            }
        }
    }
}

fn fail(text: &str) -> (Option<usize>, String, String) {
    fail_with(text, &mm())
}

fn assert_unit_normals(m: &Mesh) {
    assert_eq!(m.normals.len(), m.positions.len());
    for n in &m.normals {
        assert!(
            (n.length() - 1.0).abs() < 1e-5,
            "normal {n} is not unit length"
        );
    }
}

const CUBE_BODY: &str = "\
v -1 -1 -1
v  1 -1 -1
v  1  1 -1
v -1  1 -1
v -1 -1  1
v  1 -1  1
v  1  1  1
v -1  1  1
f 1 4 3 2
f 5 6 7 8
f 1 2 6 5
f 4 8 7 3
f 1 5 8 4
f 2 3 7 6
";

#[test]
fn triangle() {
    let m = load("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n");
    assert_eq!(m.triangle_count(), 1);
    assert_eq!(m.positions.len(), 3);
    assert_eq!(m.triangle(0), [Vec3::ZERO, Vec3::X, Vec3::Y]);
    assert_unit_normals(&m);
    for n in &m.normals {
        assert!(n.abs_diff_eq(Vec3::Z, 1e-6), "computed normal {n}");
    }
    assert!((m.triangle_area(0) - 0.5).abs() < 1e-6);
}

#[test]
fn quad_gives_two_triangles() {
    let m = load("v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nf 1 2 3 4\n");
    assert_eq!(m.triangle_count(), 2);
    assert_eq!(m.positions.len(), 4);
    let area: f32 = (0..2).map(|t| m.triangle_area(t)).sum();
    assert!((area - 1.0).abs() < 1e-6);
}

#[test]
fn pentagon_gives_three_triangles() {
    let mut text = String::new();
    for k in 0..5 {
        let a = k as f32 * std::f32::consts::TAU / 5.0;
        text.push_str(&format!("v {} {} 0\n", a.cos(), a.sin()));
    }
    text.push_str("f 1 2 3 4 5\n");
    let m = load(&text);
    assert_eq!(m.triangle_count(), 3);
    assert_eq!(m.positions.len(), 5);
    for n in &m.normals {
        assert!(n.abs_diff_eq(Vec3::Z, 1e-5));
    }
}

#[test]
fn with_and_without_normals_and_texcoords() {
    let base = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\n";
    let vt = "vt 0 0\nvt 1 0\nvt 1 1\nvt 0 1\n";
    // The file's normals point along -Z on purpose (not what winding gives) and are not
    // unit length: they must be kept and renormalised, not recomputed.
    let vn = "vn 0 0 -2\n";
    let cases = [
        (format!("{base}f 1 2 3 4\n"), false),
        (format!("{base}{vt}f 1/1 2/2 3/3 4/4\n"), false),
        (format!("{base}{vn}f 1//1 2//1 3//1 4//1\n"), true),
        (format!("{base}{vt}{vn}f 1/1/1 2/2/1 3/3/1 4/4/1\n"), true),
    ];
    for (text, has_normals) in &cases {
        let m = load(text);
        assert_eq!(m.triangle_count(), 2, "{text}");
        assert_eq!(m.positions.len(), 4, "{text}");
        assert_unit_normals(&m);
        let expect = if *has_normals { -Vec3::Z } else { Vec3::Z };
        for n in &m.normals {
            assert!(n.abs_diff_eq(expect, 1e-6), "{text}: normal {n}");
        }
    }
}

#[test]
fn texcoord_seams_do_not_split_vertices() {
    // Same position with two texture coordinates: one vertex, smooth computed normals.
    let m = load("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 1 1 0\nvt 0 0\nvt 1 0\nvt 0 1\nvt 1 1\nvt 0.5 0.5\nf 1/1 2/2 3/3\nf 2/5 4/4 3/5\n");
    assert_eq!(m.positions.len(), 4);
    assert_eq!(m.triangle_count(), 2);
}

#[test]
fn negative_indices() {
    let text = "v 0 0 0\nv 1 0 0\nv 0 1 0\nf -3 -2 -1\nv 1 1 0\nvn 0 0 1\nf -3//-1 -1//-1 -2//-1\n";
    let m = load(text);
    assert_eq!(m.triangle_count(), 2);
    assert_eq!(m.triangle(0), [Vec3::ZERO, Vec3::X, Vec3::Y]);
    assert_eq!(m.triangle(1), [Vec3::X, Vec3::new(1.0, 1.0, 0.0), Vec3::Y]);
}

#[test]
fn objects_and_groups_are_merged() {
    let text = "\
mtllib head.mtl
o first
v 0 0 0
v 1 0 0
v 0 1 0
g part_a
usemtl skin
s 1
f 1 2 3
o second
v 5 0 0
v 6 0 0
v 5 1 0
g part_b
f 4 5 6
g part_c
f 2 5 3
l 1 2 3
p 4
";
    let m = load(text);
    assert_eq!(m.triangle_count(), 3);
    assert_eq!(
        m.positions.len(),
        6,
        "vertices shared between objects stay shared"
    );
    let (lo, hi) = m.bounds();
    assert_eq!(lo, Vec3::ZERO);
    assert_eq!(hi, Vec3::new(6.0, 1.0, 0.0));
}

/// Every computed normal of a closed convex solid centred on the origin points away
/// from the centre.
fn assert_outward(m: &Mesh) {
    assert_unit_normals(m);
    for (p, n) in m.positions.iter().zip(&m.normals) {
        assert!(
            n.dot(p.normalize()) > 0.5,
            "normal {n} at {p} is not outward"
        );
    }
}

#[test]
fn normals_computed_outward_for_tetrahedron_and_cube() {
    let tetra = "\
v 1 1 1
v 1 -1 -1
v -1 1 -1
v -1 -1 1
f 1 2 3
f 1 4 2
f 1 3 4
f 2 4 3
";
    let m = load(tetra);
    assert_eq!(m.triangle_count(), 4);
    assert_outward(&m);

    let cube = load(CUBE_BODY);
    assert_eq!(cube.triangle_count(), 12);
    assert_eq!(cube.positions.len(), 8);
    assert_outward(&cube);
}

#[test]
fn unusable_normals_are_computed() {
    // A zero normal is replaced by a computed one; the good one is kept.
    let m = load("v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 0\nvn 0 0 -1\nf 1//1 2//1 3//2\n");
    assert_unit_normals(&m);
    let at = |p: Vec3| m.normals[m.positions.iter().position(|q| *q == p).unwrap()];
    assert!(at(Vec3::ZERO).abs_diff_eq(Vec3::Z, 1e-6));
    assert!(at(Vec3::Y).abs_diff_eq(-Vec3::Z, 1e-6));
    // NaN normals are computed too.
    let m = load("v 0 0 0\nv 1 0 0\nv 0 1 0\nvn nan 0 1\nf 1//1 2//1 3//1\n");
    assert_unit_normals(&m);
    assert!(m.normals.iter().all(|n| n.abs_diff_eq(Vec3::Z, 1e-6)));
    // Normals for only some face vertices: all computed.
    let m = load("v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 -1\nf 1//1 2 3\n");
    assert_unit_normals(&m);
    assert!(m.normals.iter().all(|n| n.abs_diff_eq(Vec3::Z, 1e-6)));
}

/// A head-like box of largest extent `size` in file units, Y-up, as an OBJ.
fn box_obj(size: Vec3) -> String {
    let h = size * 0.5;
    CUBE_BODY
        .lines()
        .map(|l| {
            if let Some(rest) = l.strip_prefix("v ") {
                let c: Vec<f32> = rest
                    .split_whitespace()
                    .map(|t| t.parse().unwrap())
                    .collect();
                format!("v {} {} {}\n", c[0] * h.x, c[1] * h.y, c[2] * h.z)
            } else {
                format!("{l}\n")
            }
        })
        .collect()
}

fn extent(m: &Mesh) -> Vec3 {
    let (lo, hi) = m.bounds();
    hi - lo
}

#[test]
fn units_given() {
    let text = box_obj(Vec3::new(0.16, 0.2, 0.18));
    for (units, factor) in [(Units::Mm, 1.0), (Units::Cm, 10.0), (Units::M, 1000.0)] {
        let opts = LoadOptions {
            units: Some(units),
            up: Some(UpAxis::Y),
            ..LoadOptions::default()
        };
        let m = load_obj_str(&text, Path::new("given.obj"), &opts).unwrap();
        let e = extent(&m);
        assert!(
            e.abs_diff_eq(Vec3::new(0.16, 0.2, 0.18) * factor, 1e-3 * factor),
            "{units:?}: {e}"
        );
    }
}

#[test]
fn units_guessed() {
    assert_eq!(guess_units(0.2), Units::M);
    assert_eq!(guess_units(0.999), Units::M);
    assert_eq!(guess_units(1.0), Units::Cm);
    assert_eq!(guess_units(20.0), Units::Cm);
    assert_eq!(guess_units(59.9), Units::Cm);
    assert_eq!(guess_units(60.0), Units::Mm);
    assert_eq!(guess_units(200.0), Units::Mm);
    for (size, expect_mm) in [(0.2f32, 200.0f32), (20.0, 200.0), (200.0, 200.0)] {
        let shape = Vec3::new(0.8, 1.0, 0.9) * size;
        let m = load_obj_str(
            &box_obj(shape),
            Path::new("guess.obj"),
            &LoadOptions::default(),
        )
        .unwrap();
        let e = extent(&m);
        assert!(
            e.abs_diff_eq(Vec3::new(0.8, 1.0, 0.9) * expect_mm, 0.01),
            "head of size {size}: extent {e} mm"
        );
    }
}

#[test]
fn z_up_is_converted() {
    assert_eq!(guess_up(Vec3::new(150.0, 180.0, 180.0)), UpAxis::Y);
    assert_eq!(guess_up(Vec3::new(150.0, 180.0, 195.0)), UpAxis::Y);
    assert_eq!(guess_up(Vec3::new(150.0, 180.0, 199.0)), UpAxis::Z);
    assert_eq!(guess_up(Vec3::new(150.0, 240.0, 180.0)), UpAxis::Y);
    assert_eq!(guess_up(Vec3::new(150.0, 180.0, 250.0)), UpAxis::Z);

    // Tall in Z (a Blender head): 160 wide, 190 deep (Y), 240 tall (Z); a small marker
    // triangle at the face (file -Y) whose winding makes its normal point to -Y.
    let mut text = box_obj(Vec3::new(160.0, 190.0, 240.0));
    text.push_str("v 0 -100 0\nv 1 -100 0\nv 0 -100 1\nf 9 10 11\n");
    let m = load_obj_str(&text, Path::new("blender.obj"), &LoadOptions::default()).unwrap();
    let e = extent(&m);
    assert!(
        e.abs_diff_eq(Vec3::new(160.0, 240.0, 195.0), 1e-3),
        "extent {e}"
    );
    let (lo, hi) = m.bounds();
    assert!((hi.y - 120.0).abs() < 1e-3 && (lo.y + 120.0).abs() < 1e-3);
    // The nose marker (file -Y) is now in front (+Z); its normal (file -Y) points to +Z.
    let nose = m
        .positions
        .iter()
        .position(|p| p.abs_diff_eq(Vec3::new(0.0, 0.0, 100.0), 1e-3))
        .expect("marker moved to +Z");
    assert!(
        m.normals[nose].abs_diff_eq(Vec3::Z, 1e-5),
        "{}",
        m.normals[nose]
    );
    // Computed normals of the box still point outward after the rotation.
    for (p, n) in m
        .positions
        .iter()
        .zip(&m.normals)
        .filter(|(p, _)| p.x.abs() > 50.0)
    {
        assert!(n.dot(*p) > 0.0, "{p}: {n}");
    }

    // Given normals are rotated too; an explicit Y keeps the file's axes.
    let text = "v 0 0 0\nv 1 0 0\nv 0 0 1\nvn 0 -1 0\nf 1//1 2//1 3//1\n";
    let z_up = LoadOptions {
        units: Some(Units::Mm),
        up: Some(UpAxis::Z),
        ..LoadOptions::default()
    };
    let m = load_obj_str(text, Path::new("n.obj"), &z_up).unwrap();
    assert!(m.normals.iter().all(|n| n.abs_diff_eq(Vec3::Z, 1e-6)));
    assert!(m.positions.contains(&Vec3::new(0.0, 1.0, 0.0)));
    let m = load(text);
    assert!(m.normals.iter().all(|n| n.abs_diff_eq(-Vec3::Y, 1e-6)));
}

#[test]
fn file_on_disk_with_crlf_comments_and_bom() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("head.obj");
    std::fs::write(
        &path,
        "\u{feff}# exported\r\nv 0 0 0 # origin\r\nv 1 0 0\r\nv 0 1 0\r\n\r\nf 1 2 3\r\n",
    )
    .unwrap();
    let m = load_obj(&path, &mm()).unwrap();
    assert_eq!(m.triangle_count(), 1);
    assert_eq!(m.positions.len(), 3);
}

#[test]
fn vertex_weight_and_colours() {
    let m = load("v 0 0 0 1\nv 2 0 0 2\nv 0 1 0 0.0 0.5 1\nf 1 2 3\n");
    assert_eq!(m.triangle(0), [Vec3::ZERO, Vec3::X, Vec3::Y]);
}

#[test]
fn degenerate_triangles_are_dropped() {
    // One good triangle, one with a repeated vertex, one collinear.
    let m = load("v 0 0 0\nv 1 0 0\nv 0 1 0\nv 2 0 0\nf 1 2 3\nf 1 1 2\nf 1 2 4\n");
    assert_eq!(m.triangle_count(), 1);
    assert_eq!(
        m.positions.len(),
        3,
        "vertices used only by dropped triangles are removed"
    );
    assert_unit_normals(&m);
}

// ---------------------------------------------------------------- error paths

#[test]
fn missing_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("nope.obj");
    let err = load_obj(&path, &LoadOptions::default()).unwrap_err();
    assert!(matches!(err, ScalpError::Io { .. }), "{err:?}");
    let shown = err.to_string();
    assert!(
        shown.contains("cannot read") && shown.contains("nope.obj"),
        "{shown}"
    );
}

#[test]
fn binary_garbage() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("scan.obj");
    std::fs::write(&path, b"v 0 0 0\nv 1 0 0\n\xff\xfe\x00\x01\x89PNG\x00").unwrap();
    let err = load_obj(&path, &LoadOptions::default()).unwrap_err();
    match &err {
        ScalpError::Mesh { line, message, .. } => {
            assert_eq!(*line, Some(3));
            assert!(message.contains("not a text OBJ file"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("scan.obj:3:"), "{err}");

    // A Latin-1 (or Windows-1252) comment, as exporters write in the machine's code page,
    // costs nothing: the mesh loads. The same byte outside a comment is refused by its line.
    std::fs::write(
        &path,
        b"# Modell f\xfcr den Kunden \xa9 2026\nv 0 0 0\nv 1 0 0\nv 0 1 0 # \xe9\nf 1 2 3\n",
    )
    .unwrap();
    let mesh = load_obj(&path, &LoadOptions::default()).unwrap();
    assert_eq!(mesh.triangle_count(), 1);
    std::fs::write(&path, b"v 0 0 0\nv 1 0 0\ng t\xeate\nv 0 1 0\nf 1 2 3\n").unwrap();
    match load_obj(&path, &LoadOptions::default()).unwrap_err() {
        ScalpError::Mesh { line, message, .. } => {
            assert_eq!(line, Some(3));
            assert!(message.contains("not a text OBJ file"), "{message}");
        }
        other => panic!("{other:?}"),
    }

    // Valid UTF-8 but binary (NUL bytes).
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n\0\0\0\x01");
    assert_eq!(line, Some(5));
    assert!(message.contains("not a text OBJ file"), "{message}");
}

#[test]
fn malformed_vertex_lines() {
    let (line, message, shown) = fail("v 0 0 0\nv 1 0\nv 0 1 0\nf 1 2 3\n");
    assert_eq!(line, Some(2));
    assert!(
        message.contains("vertex has 2 numbers, expected 3"),
        "{message}"
    );
    assert!(shown.starts_with("bad.obj:2: "), "{shown}");

    let (line, message, _) = fail("# head\nv 0 0 0\nv 1 0 0\nv 0 1.2.3 0\nf 1 2 3\n");
    assert_eq!(line, Some(4));
    assert!(
        message.contains("vertex coordinate y `1.2.3` is not a number"),
        "{message}"
    );

    let (line, message, _) = fail("v 0 0 0 1 2\n");
    assert_eq!(line, Some(1));
    assert!(message.contains("vertex has 5 numbers"), "{message}");

    let (line, message, _) = fail("v 0 0 0\nv 1 1 1 0\n");
    assert_eq!(line, Some(2));
    assert!(message.contains("vertex weight w is `0`"), "{message}");

    let (line, message, _) = fail("v 0 0 0\nvn 0 1\n");
    assert_eq!(line, Some(2));
    assert!(
        message.contains("normal has 2 numbers, expected 3"),
        "{message}"
    );

    let (line, message, _) = fail("v 0 0 0\nvn 0 one 0\n");
    assert_eq!(line, Some(2));
    assert!(
        message.contains("normal component y `one` is not a number"),
        "{message}"
    );

    let (line, message, _) = fail("v 0 0 0\n\nvt\n");
    assert_eq!(line, Some(3));
    assert!(
        message.contains("texture coordinate has 0 numbers"),
        "{message}"
    );

    let (line, message, _) = fail("vt 0.5 x\n");
    assert_eq!(line, Some(1));
    assert!(
        message.contains("texture coordinate v `x` is not a number"),
        "{message}"
    );
}

#[test]
fn nan_coordinate() {
    let (line, message, shown) = fail("v 0 0 0\nv 1 0 0\nv 0 NaN 0\nf 1 2 3\n");
    assert_eq!(line, Some(3));
    assert!(
        message.contains("vertex coordinate y is NaN (`NaN`)"),
        "{message}"
    );
    assert!(shown.contains("bad.obj:3:"), "{shown}");
}

#[test]
fn infinite_coordinate() {
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 inf\nf 1 2 3\n");
    assert_eq!(line, Some(3));
    assert!(
        message.contains("vertex coordinate z is infinite (`inf`)"),
        "{message}"
    );
    // Too large for f32 is infinite too.
    let (line, message, _) = fail("v 1e39 0 0\n");
    assert_eq!(line, Some(1));
    assert!(
        message.contains("vertex coordinate x is infinite (`1e39`)"),
        "{message}"
    );
}

#[test]
fn face_with_two_vertices() {
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\nf 1 2\n");
    assert_eq!(line, Some(5));
    assert!(
        message.contains("face has only 2 vertices; a face needs at least 3"),
        "{message}"
    );
}

#[test]
fn face_index_zero() {
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 0 1 2\n");
    assert_eq!(line, Some(4));
    assert!(
        message.contains("index 0; OBJ indices start at 1"),
        "{message}"
    );
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//0 2//1 3//1\n");
    assert_eq!(line, Some(5));
    assert!(
        message.contains("face refers to normal index 0"),
        "{message}"
    );
}

#[test]
fn face_index_out_of_range() {
    let mut text = String::new();
    for k in 0..40 {
        text.push_str(&format!("v {k} {} 0\n", k % 2));
    }
    text.push_str("f 1 2 57\n");
    let (line, message, shown) = fail(&text);
    assert_eq!(line, Some(41));
    assert_eq!(
        shown,
        "bad.obj:41: face refers to vertex 57 but only 40 vertices are defined so far"
    );
    assert!(message.contains("57") && message.contains("40"));

    // A forward reference is refused too: vertices must come before the faces using them.
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nf 1 2 3\nv 0 1 0\n");
    assert_eq!(line, Some(3));
    assert!(
        message.contains("face refers to vertex 3 but only 2 vertices are defined so far"),
        "{message}"
    );

    // Relative indices reaching before the first vertex.
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nf -1 -2 -4\n");
    assert_eq!(line, Some(4));
    assert!(
        message.contains("face refers to vertex -4 (relative")
            && message.contains("only 3 vertices are defined so far"),
        "{message}"
    );

    // Texture coordinate and normal indices are checked as well.
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\nf 1/1 2/2 3/1\n");
    assert_eq!(line, Some(5));
    assert!(
        message.contains(
            "face refers to texture coordinate 2 but only 1 texture coordinate is defined so far"
        ),
        "{message}"
    );
    let (line, message, _) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1//1 2//1 3//1\n");
    assert_eq!(line, Some(4));
    assert!(
        message.contains("face refers to normal 1 but no normals are defined so far"),
        "{message}"
    );
}

#[test]
fn unparsable_face_token() {
    for (token, face) in [
        ("2x", "f 1 2x 3"),
        ("1/2/3/4", "f 1/2/3/4 2 3"),
        ("/1", "f /1 2 3"),
        ("1/a", "f 1 2 1/a"),
        ("99999999999999999999", "f 1 2 99999999999999999999"),
    ] {
        let text = format!("v 0 0 0\nv 1 0 0\nv 0 1 0\nvt 0 0\n{face}\n");
        let (line, message, _) = fail(&text);
        assert_eq!(line, Some(5), "{face}");
        assert!(
            message.contains(&format!("cannot read face vertex `{token}`")),
            "{face}: {message}"
        );
    }
}

#[test]
fn no_faces() {
    let (line, message, shown) = fail("v 0 0 0\nv 1 0 0\nv 0 1 0\nl 1 2 3\np 1\n");
    assert_eq!(line, None);
    assert!(
        message.contains("contains no faces (only 3 vertices)"),
        "{message}"
    );
    assert_eq!(shown, format!("bad.obj: {message}"));
    let (line, message, _) = fail("");
    assert_eq!(line, None);
    assert!(
        message.contains("contains no faces (only 0 vertices)"),
        "{message}"
    );
}

#[test]
fn only_degenerate_faces() {
    let (line, message, _) =
        fail("v 0 0 0\nv 1 0 0\nv 2 0 0\nv 0 0 0\nf 1 2 3\nf 1 4 2\nf 1 2 3 4\n");
    assert_eq!(line, None);
    assert!(
        message.contains("all 4 triangles are degenerate (zero area"),
        "{message}"
    );
}

#[test]
fn too_many_triangles() {
    let opts = LoadOptions {
        max_triangles: 4,
        ..mm()
    };
    // 1 + 2 + 3 = 6 triangles from a triangle, a quad and a pentagon.
    let text = "v 0 0 0\nv 1 0 0\nv 1 1 0\nv 0 1 0\nv -1 0.5 0\nf 1 2 3\nf 1 2 3 4\nf 1 2 3 4 5\n";
    let (line, message, _) = fail_with(text, &opts);
    assert_eq!(line, None);
    assert!(
        message.contains("mesh has 6 triangles, more than the limit of 4; decimate it first"),
        "{message}"
    );
    // At the limit it loads.
    let opts = LoadOptions {
        max_triangles: 6,
        ..mm()
    };
    let m = load_obj_str(text, Path::new("ok.obj"), &opts).unwrap();
    assert_eq!(m.triangle_count(), 6);
}

#[test]
fn display_shows_file_and_line() {
    let err = ScalpError::Mesh {
        path: PathBuf::from("heads/client.obj"),
        line: Some(12),
        message: "vertex coordinate x is NaN (`nan`)".into(),
    };
    assert_eq!(
        err.to_string(),
        "heads/client.obj:12: vertex coordinate x is NaN (`nan`)"
    );
    let err = ScalpError::Mesh {
        path: PathBuf::from("heads/client.obj"),
        line: None,
        message: "contains no faces (only 0 vertices)".into(),
    };
    assert_eq!(
        err.to_string(),
        "heads/client.obj: contains no faces (only 0 vertices)"
    );
}

#[test]
fn nothing_panics_on_odd_input() {
    let inputs = [
        "f",
        "v",
        "vn",
        "f 1 2 3",
        "v 0 0 0\nf -1 -1 -1",
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1/ 2/ 3/",
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 1// 2// 3//",
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nf -9223372036854775808 1 2",
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nf 9223372036854775807 1 2",
        "v 0 0 0\nv 1 0 0\nv 0 1 0\nvn 0 0 1\nf 1//-1 2//-2 3//1",
        "o\ng\nusemtl\nmtllib\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3",
        "v 3e38 3e38 0\nv -3e38 0 0\nv 0 -3e38 0\nf 1 2 3",
        "v 1e-30 0 0\nv 0 1e-30 0\nv 0 0 0\nf 1 2 3",
        "\u{feff}",
        "#\n#\n",
        "v 0 0 0 1e-40\n",
        "v 0 0 0 nan\n",
        "\r\r\r",
    ];
    for text in inputs {
        for units in [None, Some(Units::M)] {
            let opts = LoadOptions {
                units,
                ..LoadOptions::default()
            };
            let _ = load_obj_str(text, Path::new("odd.obj"), &opts);
        }
    }
    // 3e38 m cannot be expressed in mm: a clear error, not infinities.
    let opts = LoadOptions {
        units: Some(Units::M),
        ..LoadOptions::default()
    };
    let err = load_obj_str(
        "v 3e38 0 0\nv 0 1 0\nv 0 0 1\nf 1 2 3\n",
        Path::new("huge.obj"),
        &opts,
    )
    .unwrap_err();
    assert!(err.to_string().contains("overflow"), "{err}");
}

/// `v x y z r g b` colours are kept for the skin (sRGB as written, made linear), and dropped
/// when some vertex has none.
#[test]
fn vertex_colours_are_kept_when_every_vertex_has_one() {
    use scalp::head::obj::read_obj_raw_str;
    let raw = read_obj_raw_str(
        "v 0 0 0 1 0 0.5\nv 1 0 0 0 1 0\nv 0 1 0 0 0 1\nf 1 2 3\n",
        Path::new("c.obj"),
        10,
    )
    .unwrap();
    assert_eq!(raw.colours.len(), 3);
    assert_eq!(raw.colours[1], [0.0, 1.0, 0.0, 1.0]);
    // sRGB 0.5 is 21.4% linear.
    assert!(
        (raw.colours[0][2] - 0.214).abs() < 1e-3,
        "{:?}",
        raw.colours[0]
    );
    let raw = read_obj_raw_str(
        "v 0 0 0 1 0 0.5\nv 1 0 0\nv 0 1 0 0 0 1\nf 1 2 3\n",
        Path::new("c.obj"),
        10,
    )
    .unwrap();
    assert!(raw.colours.is_empty());
}

/// One polygon over the corner limit is refused at its line, naming its corners and the
/// limit (issue 19: one face of 1.2 M corners).
#[test]
fn a_polygon_over_the_corner_limit_is_refused() {
    let limit = scalp::limits::MAX_POLYGON_CORNERS;
    let mut text = String::from("v 0 0 0\nv 1 0 0\nv 0 1 0\nf");
    for k in 0..=limit {
        text += [" 1", " 2", " 3"][(k % 3) as usize];
    }
    text.push('\n');
    let (line, message, _) = fail(&text);
    assert_eq!(line, Some(4));
    assert!(
        message.contains(&format!("{} corners", limit + 1))
            && message.contains(&format!("limit of {limit}")),
        "{message}"
    );
}

/// A large convex polygon (a hole's cap, a disc) loads as its fan of n − 2 triangles.
#[test]
fn a_large_polygon_loads() {
    let n = 200_000;
    let mut text = String::new();
    for k in 0..n {
        let a = k as f64 / n as f64 * std::f64::consts::TAU;
        text += &format!("v {} {} 0\n", 100.0 * a.cos(), 100.0 * a.sin());
    }
    text += "f";
    for k in 1..=n {
        text += &format!(" {k}");
    }
    text.push('\n');
    let raw = scalp::head::obj::read_obj_raw_str(&text, Path::new("disc.obj"), usize::MAX).unwrap();
    assert_eq!(raw.triangle_count(), n - 2);
    // Loaded, the slivers of three neighbouring rim corners whose f32 area is zero are dropped;
    // the rest still covers the disc.
    let m = load(&text);
    assert!(m.triangle_count() <= n - 2);
    let area: f64 = (0..m.triangle_count())
        .map(|t| f64::from(m.triangle_area(t)))
        .sum();
    assert!(
        (area / (std::f64::consts::PI * 1e4) - 1.0).abs() < 1e-3,
        "{area}"
    );
}
