//! The built-in default head: the committed assets are exactly what `scalp sculpt` makes, and the
//! head has the size, shape and landmarks of an adult human head. No GPU needed.
use glam::Vec3;
use scalp::head::sculpt::{sculpt_default_head, write_default_head_assets, write_obj};
use scalp::head::{Head, Landmarks, Mesh};
use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const REGENERATE: &str =
    "regenerate with `cargo test --test head -- --ignored regenerate_default_head_assets`";

fn assets() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("assets")
}

/// The sculpted head, made once for all tests of this binary.
fn sculpted() -> &'static (Mesh, Landmarks) {
    static HEAD: OnceLock<(Mesh, Landmarks)> = OnceLock::new();
    HEAD.get_or_init(sculpt_default_head)
}

fn obj_bytes(mesh: &Mesh) -> Vec<u8> {
    let mut out = Vec::new();
    write_obj(mesh, &mut out).unwrap();
    out
}

/// A minimal OBJ reader for `v`, `vn` and `f a//a b//b c//c` lines, independent of the loader.
fn parse_obj(text: &str) -> Mesh {
    let mut m = Mesh::default();
    let vec3 = |it: &mut std::str::SplitWhitespace| {
        let mut c = [0.0f32; 3];
        for x in &mut c {
            *x = it.next().unwrap().parse().unwrap();
        }
        Vec3::from(c)
    };
    for line in text.lines() {
        let mut it = line.split_whitespace();
        match it.next() {
            Some("v") => m.positions.push(vec3(&mut it)),
            Some("vn") => m.normals.push(vec3(&mut it)),
            Some("f") => {
                let idx: Vec<u32> = it
                    .map(|w| {
                        let (a, b) = w.split_once("//").unwrap();
                        assert_eq!(a, b, "position and normal indices differ: {w}");
                        a.parse::<u32>().unwrap() - 1
                    })
                    .collect();
                assert_eq!(idx.len(), 3, "not a triangle: {line}");
                m.indices.extend(idx);
            }
            _ => {}
        }
    }
    m
}

/// Closest distance from `p` to triangle `abc` (Ericson, Real-Time Collision Detection 5.1.5).
fn point_triangle_distance(p: Vec3, a: Vec3, b: Vec3, c: Vec3) -> f32 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return p.distance(a);
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return p.distance(b);
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return p.distance(a + ab * (d1 / (d1 - d3)));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return p.distance(c);
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return p.distance(a + ac * (d2 / (d2 - d6)));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return p.distance(b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6))));
    }
    let denom = 1.0 / (va + vb + vc);
    p.distance(a + ab * (vb * denom) + ac * (vc * denom))
}

fn distance_to_mesh(mesh: &Mesh, p: Vec3) -> f32 {
    (0..mesh.triangle_count())
        .map(|t| {
            let [a, b, c] = mesh.triangle(t);
            point_triangle_distance(p, a, b, c)
        })
        .fold(f32::INFINITY, f32::min)
}

/// The closed loops in which the plane y = `y` cuts the mesh, as polylines. Crossing points are
/// keyed by the mesh edge they lie on, so the loops close exactly.
fn slice_loops(mesh: &Mesh, y: f32) -> Vec<Vec<Vec3>> {
    let mut segments = Vec::new();
    let mut point: HashMap<(u32, u32), Vec3> = HashMap::new();
    for tri in mesh.indices.chunks_exact(3) {
        let mut cut = Vec::new();
        for e in 0..3 {
            let (i, j) = (tri[e], tri[(e + 1) % 3]);
            let (a, b) = (mesh.positions[i as usize], mesh.positions[j as usize]);
            if (a.y < y) != (b.y < y) {
                let key = (i.min(j), i.max(j));
                let (lo, hi) = (
                    mesh.positions[key.0 as usize],
                    mesh.positions[key.1 as usize],
                );
                point.insert(key, lo + (hi - lo) * ((y - lo.y) / (hi.y - lo.y)));
                cut.push(key);
            }
        }
        if cut.len() == 2 {
            segments.push((cut[0], cut[1]));
        }
    }
    // Each crossing joins two segments (one per triangle on its edge); walk them into loops.
    let mut undirected: HashMap<(u32, u32), Vec<(u32, u32)>> = HashMap::new();
    for &(a, b) in &segments {
        undirected.entry(a).or_default().push(b);
        undirected.entry(b).or_default().push(a);
    }
    let mut keys: Vec<_> = undirected.keys().copied().collect();
    keys.sort();
    let mut seen = std::collections::HashSet::new();
    let mut loops = Vec::new();
    for start in keys {
        if !seen.insert(start) {
            continue;
        }
        let mut poly = vec![point[&start]];
        let (mut prev, mut cur) = (start, undirected[&start][0]);
        while cur != start {
            assert!(
                seen.insert(cur),
                "slice at y = {y} is not a set of simple loops"
            );
            poly.push(point[&cur]);
            let n = &undirected[&cur];
            assert_eq!(n.len(), 2, "slice at y = {y} has an open end");
            let nxt = if n[0] == prev { n[1] } else { n[0] };
            prev = cur;
            cur = nxt;
        }
        loops.push(poly);
    }
    loops
}

fn perimeter(poly: &[Vec3]) -> f32 {
    (0..poly.len())
        .map(|i| poly[i].distance(poly[(i + 1) % poly.len()]))
        .sum()
}

#[test]
fn committed_obj_is_what_the_sculpt_makes() {
    let committed = std::fs::read(assets().join("head.obj")).unwrap();
    let made = obj_bytes(&sculpted().0);
    assert!(
        committed == made,
        "assets/head.obj differs from the sculpt ({} vs {} bytes); {REGENERATE}",
        committed.len(),
        made.len()
    );
    assert!(
        made.len() < 9_000_000,
        "head.obj is {} bytes, over 9 MB",
        made.len()
    );
    let text = String::from_utf8(made).unwrap();
    assert!(text.starts_with("# scalp default head, generated by `scalp sculpt`"));
    assert!(text.contains("millimetres") && text.contains("+Y up"));
    // The file reads back to the mesh the sculpt returned.
    let parsed = parse_obj(&text);
    let (mesh, _) = sculpted();
    assert_eq!(parsed.positions, mesh.positions);
    assert_eq!(parsed.normals, mesh.normals);
    assert_eq!(parsed.indices, mesh.indices);
}

#[test]
fn committed_landmarks_are_what_the_sculpt_finds() {
    let path = assets().join("head.landmarks.toml");
    let committed = std::fs::read_to_string(&path).unwrap();
    let lm = sculpted().1;
    assert_eq!(committed, lm.to_toml(), "{REGENERATE}");
    let parsed = Landmarks::from_toml_str(&committed, &path).unwrap();
    for (a, b) in points(&parsed).iter().zip(points(&lm)) {
        assert!(a.distance(b) < 0.01, "{a} vs {b}");
    }
}

#[test]
fn builtin_head_is_the_sculpted_head() {
    let head = Head::builtin().unwrap();
    let (mesh, lm) = sculpted();
    assert_eq!(head.source, "built-in");
    assert_eq!(head.mesh.triangle_count(), mesh.triangle_count());
    // The loader may number the vertices its own way; the triangles are the same.
    for t in 0..mesh.triangle_count() {
        let (a, b) = (head.mesh.triangle(t), mesh.triangle(t));
        for k in 0..3 {
            assert!(a[k].distance(b[k]) < 1e-3, "triangle {t}: {a:?} vs {b:?}");
        }
    }
    for (a, b) in points(&head.landmarks).iter().zip(points(lm)) {
        assert!(a.distance(b) < 0.01, "{a} vs {b}");
    }
}

#[test]
fn head_has_adult_dimensions() {
    let (mesh, lm) = sculpted();
    let (lo, hi) = mesh.bounds();
    // Head length: glabella to the most posterior point.
    let length = lm.glabella.z - lo.z;
    assert!((180.0..=200.0).contains(&length), "head length {length} mm");
    // Maximum breadth of the cranium, above the ears.
    let breadth = 2.0
        * mesh
            .positions
            .iter()
            .filter(|p| p.y > lm.glabella.y + 15.0)
            .map(|p| p.x.abs())
            .fold(0.0, f32::max);
    assert!(
        (140.0..=160.0).contains(&breadth),
        "head breadth {breadth} mm"
    );
    // Horizontal circumference just above the brow ridge.
    let loops = slice_loops(mesh, lm.glabella.y + 10.0);
    let circumference = loops.iter().map(|l| perimeter(l)).fold(0.0, f32::max);
    assert!(
        (530.0..=590.0).contains(&circumference),
        "circumference {circumference} mm ({} loops)",
        loops.len()
    );
    // Total height from the vertex down to the neck cut, and the ears stand out of the cranium.
    assert!((hi.y - lm.glabella.y - 100.0).abs() < 15.0, "vertex {hi}");
    assert!(hi.x > breadth / 2.0 + 5.0, "ears do not protrude: {hi}");
    assert!(
        hi.z > lm.glabella.z + 15.0,
        "no nose in front of the brow: {hi}"
    );
}

fn points(lm: &Landmarks) -> [Vec3; 8] {
    [
        lm.glabella,
        lm.front_hairline,
        lm.temple_left,
        lm.temple_right,
        lm.vertex,
        lm.occipital,
        lm.ear_top_left,
        lm.ear_top_right,
    ]
}

#[test]
fn landmarks_lie_on_the_surface() {
    let (mesh, lm) = sculpted();
    for (name, p) in [
        "glabella",
        "front_hairline",
        "temple_left",
        "temple_right",
        "vertex",
        "occipital",
        "ear_top_left",
        "ear_top_right",
    ]
    .iter()
    .zip(points(lm))
    {
        let d = distance_to_mesh(mesh, p);
        assert!(d < 1.0, "{name} {p} is {d} mm from the mesh");
    }
}

#[test]
fn landmarks_are_anatomically_plausible() {
    let (mesh, lm) = sculpted();
    let (lo, hi) = mesh.bounds();
    let mirror = |p: Vec3| Vec3::new(-p.x, p.y, p.z);
    assert!(lm.temple_left.distance(mirror(lm.temple_right)) < 0.01);
    assert!(lm.ear_top_left.distance(mirror(lm.ear_top_right)) < 0.01);
    assert!(lm.temple_left.x > 30.0 && lm.ear_top_left.x > 60.0);
    for p in [lm.glabella, lm.front_hairline, lm.vertex, lm.occipital] {
        assert!(p.x.abs() < 0.01, "{p} is off the midline");
    }
    assert!(
        hi.y - lm.vertex.y < 0.5,
        "vertex {} below top {}",
        lm.vertex,
        hi.y
    );
    assert!(lm.occipital.z - lo.z < 0.5, "occipital {}", lm.occipital);
    let hairline = lm.front_hairline.y - lm.glabella.y;
    assert!(
        (60.0..=70.0).contains(&hairline),
        "trichion {hairline} mm above glabella"
    );
    let ear_drop = lm.glabella.y - lm.ear_top_left.y;
    assert!(
        (5.0..=20.0).contains(&ear_drop),
        "ear tops {ear_drop} mm below glabella"
    );
    let vertex_height = lm.vertex.y - lm.ear_top_left.y;
    assert!(
        (100.0..=120.0).contains(&vertex_height),
        "vertex {vertex_height} mm above ears"
    );
    assert!(lm.temple_left.y > lm.glabella.y + 40.0 && lm.temple_left.z > 30.0);
    assert!(
        lm.ear_top_left.z.abs() < 25.0,
        "ear top {}",
        lm.ear_top_left
    );
}

#[test]
fn mesh_is_clean_closed_and_outward() {
    let (mesh, _) = sculpted();
    let tris = mesh.triangle_count();
    assert!((60_000..=150_000).contains(&tris), "{tris} triangles");
    assert_eq!(mesh.normals.len(), mesh.positions.len());
    for (i, n) in mesh.normals.iter().enumerate() {
        assert!((n.length() - 1.0).abs() < 1e-3, "normal {i} {n}");
    }
    let mut directed: HashMap<(u32, u32), u32> = HashMap::new();
    let mut volume6 = 0.0f64;
    for t in 0..tris {
        let area = mesh.triangle_area(t);
        assert!(area > 1e-6, "triangle {t} is degenerate ({area} mm²)");
        let [a, b, c] = mesh.triangle(t);
        let id = &mesh.indices[3 * t..3 * t + 3];
        // Wound counter-clockwise seen from outside: agrees with the vertex normals.
        let face_n = (b - a).cross(c - a);
        let vn: Vec3 = id.iter().map(|&i| mesh.normals[i as usize]).sum();
        assert!(
            face_n.dot(vn) > 0.0,
            "triangle {t} is wound against its normals"
        );
        volume6 += a.as_dvec3().dot(b.as_dvec3().cross(c.as_dvec3()));
        for e in 0..3 {
            *directed.entry((id[e], id[(e + 1) % 3])).or_default() += 1;
        }
    }
    // Closed, manifold, consistently oriented: every edge once in each direction.
    for (&(a, b), &n) in &directed {
        assert_eq!(n, 1, "edge {a}-{b} used {n} times in one direction");
        assert!(
            directed.contains_key(&(b, a)),
            "edge {a}-{b} is on a hole, at {}",
            mesh.positions[a as usize]
        );
    }
    // A sphere-like surface: V - E + F = 2.
    let euler = mesh.positions.len() as i64 - (directed.len() / 2) as i64 + tris as i64;
    assert_eq!(euler, 2, "Euler characteristic");
    // Outward winding gives a positive volume; a head with a neck stub is a few litres.
    let litres = volume6 / 6.0 / 1e6;
    assert!((3.0..=7.0).contains(&litres), "volume {litres} l");
}

#[test]
fn writes_assets_atomically() {
    let dir = tempfile::tempdir().unwrap();
    write_default_head_assets(dir.path()).unwrap();
    let mut names: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(
        names,
        ["head.landmarks.toml", "head.obj"],
        "no temporary files left"
    );
    let obj = std::fs::read(dir.path().join("head.obj")).unwrap();
    assert!(obj == obj_bytes(&sculpted().0), "same bytes on every run");
    let toml = std::fs::read_to_string(dir.path().join("head.landmarks.toml")).unwrap();
    assert_eq!(toml, sculpted().1.to_toml());

    let missing = dir.path().join("no/such/folder");
    match write_default_head_assets(&missing) {
        Err(scalp::ScalpError::Output { path, .. }) => assert!(path.starts_with(&missing)),
        other => panic!("expected an output error, got {other:?}"),
    }
}

/// Rewrites `assets/head.obj` and `assets/head.landmarks.toml` from the sculpt.
#[test]
#[ignore]
fn regenerate_default_head_assets() {
    write_default_head_assets(&assets()).unwrap();
}

/// Writes a CPU-shaded preview of the default head (front, left side, three-quarter, back, top)
/// to the temp folder, for a look by eye: `cargo test --test head -- --ignored preview`.
#[test]
#[ignore]
fn preview_default_head() {
    let (mesh, lm) = sculpted();
    let s = 2.0f32; // pixels per mm
    let tile = (300.0 * s) as u32;
    let views = [
        (Vec3::X, Vec3::Y),
        (-Vec3::Z, Vec3::Y),
        (Vec3::new(0.75, 0.0, -0.66).normalize(), Vec3::Y),
        (-Vec3::X, Vec3::Y),
        (Vec3::Z, Vec3::Y),
        (Vec3::X, -Vec3::Z),
    ];
    let mut img = image::RgbImage::new(3 * tile, 2 * tile);
    let light = Vec3::new(-0.4, 0.6, 0.7).normalize();
    for (v, &(right, up)) in views.iter().enumerate() {
        let toward = right.cross(up);
        let (ox, oy) = ((v as u32 % 3) * tile, (v as u32 / 3) * tile);
        let mut zbuf = vec![f32::NEG_INFINITY; (tile * tile) as usize];
        let project = |p: Vec3| {
            let h = tile as f32 / 2.0;
            Vec3::new(
                h + p.dot(right) * s,
                h - (p.dot(up) + 20.0) * s,
                p.dot(toward),
            )
        };
        for t in 0..mesh.triangle_count() {
            let id: [u32; 3] = mesh.indices[3 * t..3 * t + 3].try_into().unwrap();
            let q = id.map(|i| project(mesh.positions[i as usize]));
            let n = id.map(|i| mesh.normals[i as usize]);
            let area =
                (q[1].x - q[0].x) * (q[2].y - q[0].y) - (q[2].x - q[0].x) * (q[1].y - q[0].y);
            if area.abs() < 1e-9 {
                continue;
            }
            let x0 = q.iter().map(|p| p.x).fold(f32::INFINITY, f32::min).max(0.0) as u32;
            let y0 = q.iter().map(|p| p.y).fold(f32::INFINITY, f32::min).max(0.0) as u32;
            let x1 = (q.iter().map(|p| p.x).fold(0.0, f32::max) as u32).min(tile - 1);
            let y1 = (q.iter().map(|p| p.y).fold(0.0, f32::max) as u32).min(tile - 1);
            for y in y0..=y1 {
                for x in x0..=x1 {
                    let (px, py) = (x as f32 + 0.5, y as f32 + 0.5);
                    let w0 = ((q[1].x - px) * (q[2].y - py) - (q[2].x - px) * (q[1].y - py)) / area;
                    let w1 = ((q[2].x - px) * (q[0].y - py) - (q[0].x - px) * (q[2].y - py)) / area;
                    let w2 = 1.0 - w0 - w1;
                    if w0 < 0.0 || w1 < 0.0 || w2 < 0.0 {
                        continue;
                    }
                    let z = w0 * q[0].z + w1 * q[1].z + w2 * q[2].z;
                    let k = (y * tile + x) as usize;
                    if z <= zbuf[k] {
                        continue;
                    }
                    zbuf[k] = z;
                    let nn = (n[0] * w0 + n[1] * w1 + n[2] * w2).normalize();
                    let nv = Vec3::new(nn.dot(right), nn.dot(up), nn.dot(toward));
                    let l = 0.25 + 0.75 * nv.dot(light).max(0.0);
                    let c = [230.0 * l, 190.0 * l, 160.0 * l].map(|c| c as u8);
                    img.put_pixel(ox + x, oy + y, image::Rgb(c));
                }
            }
        }
        for p in points(lm) {
            let q = project(p);
            if zbuf[(q.y as u32 * tile + q.x as u32) as usize] > q.z + 1.0 {
                continue; // hidden
            }
            for dy in 0..5 {
                for dx in 0..5 {
                    let (x, y) = (q.x as u32 + dx - 2, q.y as u32 + dy - 2);
                    img.put_pixel(ox + x, oy + y, image::Rgb([255, 0, 0]));
                }
            }
        }
    }
    let path = std::env::temp_dir().join("scalp_default_head_preview.png");
    img.save(&path).unwrap();
    println!("wrote {}", path.display());
}

// ---- A client's scan of the built-in head, with what photogrammetry and odd units do to it.

/// The built-in head as a scan file in `dir`: positions × `scale` (written in f64, so that every
/// scale keeps its digits), plus `extra` lines.
fn scan_file(dir: &tempfile::TempDir, name: &str, scale: f64, extra: &str) -> PathBuf {
    let head = Head::builtin().unwrap();
    let mut text = String::new();
    for p in &head.mesh.positions {
        let q = p.as_dvec3() * scale;
        text += &format!("v {:e} {:e} {:e}\n", q.x, q.y, q.z);
    }
    for t in head.mesh.indices.chunks_exact(3) {
        text += &format!("f {} {} {}\n", t[0] + 1, t[1] + 1, t[2] + 1);
    }
    text += extra;
    let path = dir.path().join(name);
    std::fs::write(&path, text).unwrap();
    path
}

fn load_scan(path: &Path, units: Option<scalp::head::obj::Units>) -> scalp::Result<Head> {
    let mut opts = scalp::head::scan::ScanOptions::default();
    opts.load.units = units;
    Head::load_scan(path, &opts)
}

/// Largest distance between the two meshes' vertices, in order (the same head loaded twice).
fn max_vertex_gap(a: &Mesh, b: &Mesh) -> f32 {
    assert_eq!(a.positions.len(), b.positions.len());
    a.positions
        .iter()
        .zip(&b.positions)
        .map(|(p, q)| p.distance(*q))
        .fold(0.0, f32::max)
}

/// Issue 19, defect 2: one stray triangle far away (1 km, and 10⁶ km) made the weld tolerance
/// (then a share of the bounding box) weld the head's vertices together. Now the head loads
/// with the same vertices, in the same place, and the warning says how many strays were
/// dropped.
#[test]
fn a_stray_triangle_far_away_leaves_the_head_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let plain = load_scan(&scan_file(&dir, "plain.obj", 1.0, ""), None).unwrap();
    for (name, far_mm) in [("km.obj", 1e6), ("mkm.obj", 1e12)] {
        // A small triangle for its distance (f32 cannot tell 10¹² from 10¹² + 1).
        let edge = far_mm * 1e-5;
        let stray = format!(
            "v {far_mm:e} 0 0\nv {:e} 0 0\nv {far_mm:e} {edge:e} 0\nf -3 -2 -1\n",
            far_mm + edge
        );
        let head = load_scan(&scan_file(&dir, name, 1.0, &stray), None).unwrap();
        assert_eq!(
            head.mesh.positions.len(),
            plain.mesh.positions.len(),
            "{name}"
        );
        assert_eq!(head.mesh.indices, plain.mesh.indices, "{name}");
        let gap = max_vertex_gap(&head.mesh, &plain.mesh);
        assert!(gap < 0.01, "{name}: the head moved by {gap} mm");
        let report = head.scan.as_ref().unwrap();
        assert_eq!(report.repair.welded_vertices, 0, "{name}");
        let w = report.warnings.join("\n");
        assert!(
            w.contains("dropped 1 stray triangle (1 part)"),
            "{name}: {w}"
        );
    }
}

/// Issue 19, a sibling of defect 2: a spike (a vertex pulled a kilometre out of the surface
/// and still joined to it, as depth-map outliers are) set the head's box, so its units were
/// guessed wrong (×0.3), the alignment failed (0% within 5 mm) and the render exited 0. The
/// spike's triangles are now dropped and warned of, and the head loads as it was but for the
/// one triangle that held the spike.
#[test]
fn a_spike_joined_to_the_head_leaves_it_as_it_was() {
    let dir = tempfile::tempdir().unwrap();
    let plain = load_scan(&scan_file(&dir, "plain-s.obj", 1.0, ""), None).unwrap();
    let n = plain.mesh.positions.len();
    for (name, far_mm) in [("spike-km.obj", 1e6), ("spike-m.obj", -600.0)] {
        // Joined to the two corners of the head's first triangle, far out along Y.
        let spike = format!("v 0 {far_mm:e} 0\nf 1 2 -1\n");
        let head = load_scan(&scan_file(&dir, name, 1.0, &spike), None).unwrap();
        assert_eq!(head.mesh.positions.len(), n, "{name}");
        assert_eq!(head.mesh.indices, plain.mesh.indices, "{name}");
        let gap = max_vertex_gap(&head.mesh, &plain.mesh);
        assert!(gap < 0.01, "{name}: the head moved by {gap} mm");
        let report = head.scan.as_ref().unwrap();
        assert_eq!(report.repair.spike_triangles_removed, 1, "{name}");
        let w = report.warnings.join("\n");
        assert!(
            w.contains("dropped 1 triangle joined to the head but reaching 1 vertex"),
            "{name}: {w}"
        );
    }
}

/// The number written after the first `before` in `text`.
fn number_after(text: &str, before: &str) -> f64 {
    let at = text
        .find(before)
        .unwrap_or_else(|| panic!("no `{before}` in: {text}"))
        + before.len();
    let word: String = text[at..]
        .chars()
        .take_while(|c| c.is_ascii_digit() || matches!(c, '.' | 'e' | '-' | '+'))
        .collect();
    word.parse()
        .unwrap_or_else(|_| panic!("`{word}` is not a number in: {text}"))
}

/// Issue 19, defect 3: the built-in head at ×10⁻⁹, ×10⁻⁶, ×10⁶ and ×10³⁰ of its size (in no
/// unit of mm, cm or m) loads as the same head, with a warning that states its size and the
/// scale right; given units that make it no head, or a size beyond f32's reach, are refused
/// naming the size found and the range allowed.
#[test]
fn a_scan_in_extreme_units_is_scaled_to_a_head_or_refused_with_its_size() {
    let dir = tempfile::tempdir().unwrap();
    let plain = load_scan(&scan_file(&dir, "one.obj", 1.0, ""), None).unwrap();
    let extent = scalp::head::repair::robust_extent(&plain.mesh.positions);
    let (lo, hi) = plain.mesh.bounds();
    for scale in [1e-9, 1e-6, 1e6, 1e30] {
        let path = scan_file(&dir, &format!("x{scale:e}.obj"), scale, "");
        let head = load_scan(&path, None).unwrap_or_else(|e| panic!("×{scale:e}: {e}"));
        assert_eq!(head.mesh.positions.len(), plain.mesh.positions.len());
        let (l, h) = head.mesh.bounds();
        let ratio = (h - l).length() / (hi - lo).length();
        assert!(
            (0.8..1.25).contains(&ratio),
            "×{scale:e}: the head is {ratio}× the plain one"
        );
        let w = head.scan.as_ref().unwrap().warnings.join("\n");
        let said = number_after(&w, "measures ");
        assert!(
            (said / (extent * scale) - 1.0).abs() < 0.01,
            "×{scale:e}: said {said:e}, is {:e}: {w}",
            extent * scale
        );
        // Given units that make it no head are refused, naming the size and the range.
        let e = load_scan(&path, Some(scalp::head::obj::Units::Mm))
            .unwrap_err()
            .to_string();
        let said = number_after(&e, "measures ");
        assert!(
            (said / (extent * scale) - 1.0).abs() < 0.01 && e.contains("20–5000 mm"),
            "×{scale:e} as mm: {e}"
        );
    }
    let e = load_scan(&scan_file(&dir, "tiny.obj", 1e-35, ""), None)
        .unwrap_err()
        .to_string();
    assert!(
        e.contains("units across") && e.contains("1e-30 to 1e36"),
        "{e}"
    );
}
