//! Scans in every format (issue 15): the built-in head, written by these tests as PLY (ASCII,
//! binary little- and big-endian, with vertex colours), STL (binary that begins with "solid")
//! and glTF (GLB split into two primitives under a transformed node, with COLOR_0 and an
//! embedded texture), turned, rescaled and Z-up, loads back onto the built-in head; it renders
//! like the built-in head; vertex colours show and `texture: false` hides them; malformed
//! files are refused with the file and the place. The loading tests need no GPU.
use crate::common;

use common::{engine, head};
use glam::{Mat4, Quat, Vec3};
use scalp::camera::ViewPreset;
use scalp::head::align::{self, ScanLandmarks};
use scalp::head::obj::{LoadOptions, Units, UpAxis};
use scalp::head::scan::ScanOptions;
use scalp::head::Head;
use scalp::render::{HeadGpu, RenderSettings};
use std::fmt::Write as _;

/// Every vertex back within this of the built-in head's on the exact paths, mm.
const EXACT_MM: f32 = 0.01;
/// After automatic alignment: as tests/gpu/scans.rs allows (RMS, worst), mm.
const AUTO_RMS_MM: f32 = 1.0;
const AUTO_MAX_MM: f32 = 3.0;
/// A re-read head renders like the built-in one: mean and worst per-pixel difference of any
/// channel (0–255). Normals are recomputed on the welded mesh, so shading moves a little at a
/// few silhouette pixels (measured: mean 0.14, worst 48 at 160×120).
const RENDER_MEAN: f32 = 0.5;
const RENDER_MAX: u8 = 64;

/// Head space → a file: Z-up ((x, y, z) → (x, −z, y)), turned by `rot`, in other units.
fn to_file(p: Vec3, rot: Quat, mm_per_unit: f32) -> Vec3 {
    rot * Vec3::new(p.x, -p.z, p.y) / mm_per_unit
}

fn tris() -> Vec<[u32; 3]> {
    head()
        .mesh
        .indices
        .chunks_exact(3)
        .map(|t| [t[0], t[1], t[2]])
        .collect()
}

/// sRGB bytes: red on the client's left half (x > 0), skin-like elsewhere.
fn red_left(p: Vec3) -> [u8; 3] {
    if p.x > 0.0 {
        [220, 20, 20]
    } else {
        [200, 160, 140]
    }
}

/// A PLY: float (or double) x y z, optional uchar colours, then a `face` list (uchar, int).
fn ply(
    pos: &[Vec3],
    t: &[[u32; 3]],
    colours: Option<&[[u8; 3]]>,
    enc: &str,
    double: bool,
) -> Vec<u8> {
    let mut h = format!(
        "ply\nformat {enc} 1.0\ncomment made by a test\nelement vertex {}\n",
        pos.len()
    );
    let ty = if double { "double" } else { "float" };
    for a in ["x", "y", "z"] {
        let _ = writeln!(h, "property {ty} {a}");
    }
    // A property nobody reads, to be skipped.
    h += "property uchar quality\n";
    if colours.is_some() {
        h += "property uchar red\nproperty uchar green\nproperty uchar blue\n";
    }
    let _ = write!(
        h,
        "element face {}\nproperty list uchar int vertex_indices\nelement extra 1\nproperty list ushort float stuff\nend_header\n",
        t.len()
    );
    let mut b = h.into_bytes();
    let big = enc == "binary_big_endian";
    let f = |b: &mut Vec<u8>, x: f64| {
        if double {
            b.extend(if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            });
        } else {
            let x = x as f32;
            b.extend(if big {
                x.to_be_bytes()
            } else {
                x.to_le_bytes()
            });
        }
    };
    if enc == "ascii" {
        let mut s = String::new();
        for (i, p) in pos.iter().enumerate() {
            let _ = write!(s, "{} {} {} 7", p.x as f64, p.y as f64, p.z as f64);
            if let Some(c) = colours {
                let _ = write!(s, " {} {} {}", c[i][0], c[i][1], c[i][2]);
            }
            s += "\n";
        }
        for t in t {
            let _ = writeln!(s, "3 {} {} {}", t[0], t[1], t[2]);
        }
        s += "2 1.5 2.5\n";
        b.extend(s.into_bytes());
        return b;
    }
    for (i, p) in pos.iter().enumerate() {
        for c in p.to_array() {
            f(&mut b, c as f64);
        }
        b.push(7);
        if let Some(c) = colours {
            b.extend(c[i]);
        }
    }
    for t in t {
        b.push(3);
        for i in t {
            b.extend(if big {
                (*i as i32).to_be_bytes()
            } else {
                (*i as i32).to_le_bytes()
            });
        }
    }
    b.extend(if big {
        1u16.to_be_bytes()
    } else {
        1u16.to_le_bytes()
    });
    b.extend(if big {
        2.5f32.to_be_bytes()
    } else {
        2.5f32.to_le_bytes()
    });
    b
}

/// A binary STL whose header begins with "solid" (as many exporters write it).
fn stl(pos: &[Vec3], t: &[[u32; 3]]) -> Vec<u8> {
    let mut b = b"solid head, binary nonetheless".to_vec();
    b.resize(80, b' ');
    b.extend((t.len() as u32).to_le_bytes());
    for t in t {
        b.extend([0u8; 12]);
        for &i in t {
            for c in pos[i as usize].to_array() {
                b.extend(c.to_le_bytes());
            }
        }
        b.extend([0u8; 2]);
    }
    b
}

/// A GLB: the triangles split into two primitives of one mesh (the second non-indexed), under
/// a child node whose parent carries a TRS transform (`node_world`, positions stored in its
/// local frame), with COLOR_0 (unorm8 RGBA) and optionally an embedded PNG texture over
/// TEXCOORD_1.
fn glb(
    world_pos: &[Vec3],
    t: &[[u32; 3]],
    node: (Vec3, Quat, f32),
    colours: Option<&[[u8; 3]]>,
    texture: Option<&[u8]>,
) -> Vec<u8> {
    let (tr, rot, s) = node;
    let world = Mat4::from_scale_rotation_translation(Vec3::splat(s), rot, tr);
    let local: Vec<Vec3> = world_pos
        .iter()
        .map(|p| world.inverse().transform_point3(*p))
        .collect();
    let mut bin: Vec<u8> = Vec::new();
    let mut views = Vec::new();
    let mut accessors = Vec::new();
    let mut push_view = |bin: &mut Vec<u8>, data: &[u8]| -> usize {
        while !bin.len().is_multiple_of(4) {
            bin.push(0);
        }
        views.push(format!(
            r#"{{"buffer":0,"byteOffset":{},"byteLength":{}}}"#,
            bin.len(),
            data.len()
        ));
        bin.extend_from_slice(data);
        views.len() - 1
    };
    let half = t.len() / 2;
    let mut prims = Vec::new();
    for (k, part) in [&t[..half], &t[half..]].into_iter().enumerate() {
        // Primitive 0 indexed over all vertices; primitive 1 non-indexed (its own corners).
        let (ppos, idx): (Vec<Vec3>, Option<Vec<u32>>) = if k == 0 {
            (
                local.clone(),
                Some(part.iter().flatten().copied().collect()),
            )
        } else {
            (
                part.iter().flatten().map(|&i| local[i as usize]).collect(),
                None,
            )
        };
        let src: Vec<u32> = if k == 0 {
            (0..local.len() as u32).collect()
        } else {
            part.iter().flatten().copied().collect()
        };
        let mut lo = Vec3::splat(f32::INFINITY);
        let mut hi = Vec3::splat(f32::NEG_INFINITY);
        let bytes: Vec<u8> = ppos
            .iter()
            .flat_map(|p| {
                lo = lo.min(*p);
                hi = hi.max(*p);
                p.to_array()
            })
            .flat_map(f32::to_le_bytes)
            .collect();
        let v = push_view(&mut bin, &bytes);
        accessors.push(format!(r#"{{"bufferView":{v},"componentType":5126,"count":{},"type":"VEC3","min":[{},{},{}],"max":[{},{},{}]}}"#, ppos.len(), lo.x, lo.y, lo.z, hi.x, hi.y, hi.z));
        let mut attrs = format!(r#""POSITION":{}"#, accessors.len() - 1);
        if let Some(c) = colours {
            let bytes: Vec<u8> = src
                .iter()
                .flat_map(|&i| {
                    let c = c[i as usize];
                    [c[0], c[1], c[2], 255]
                })
                .collect();
            let v = push_view(&mut bin, &bytes);
            accessors.push(format!(r#"{{"bufferView":{v},"componentType":5121,"normalized":true,"count":{},"type":"VEC4"}}"#, src.len()));
            let _ = write!(attrs, r#","COLOR_0":{}"#, accessors.len() - 1);
        }
        if texture.is_some() {
            // TEXCOORD_0 is a decoy; the material says TEXCOORD_1.
            for set in 0..2 {
                let bytes: Vec<u8> = src
                    .iter()
                    .flat_map(|&i| {
                        let p = world_pos[i as usize];
                        if set == 0 {
                            [9.0f32, 9.0]
                        } else {
                            [0.5 + p.x * 0.02, 0.5 - p.y * 0.02]
                        }
                    })
                    .flat_map(f32::to_le_bytes)
                    .collect();
                let v = push_view(&mut bin, &bytes);
                accessors.push(format!(
                    r#"{{"bufferView":{v},"componentType":5126,"count":{},"type":"VEC2"}}"#,
                    src.len()
                ));
                let _ = write!(attrs, r#","TEXCOORD_{set}":{}"#, accessors.len() - 1);
            }
        }
        let mut prim = format!(r#"{{"attributes":{{{attrs}}},"material":0"#);
        if let Some(idx) = idx {
            let bytes: Vec<u8> = idx.iter().flat_map(|i| i.to_le_bytes()).collect();
            let v = push_view(&mut bin, &bytes);
            accessors.push(format!(
                r#"{{"bufferView":{v},"componentType":5125,"count":{},"type":"SCALAR"}}"#,
                idx.len()
            ));
            let _ = write!(prim, r#","indices":{}"#, accessors.len() - 1);
        }
        prim += "}";
        prims.push(prim);
    }
    // A points primitive, which is skipped with a warning.
    prims.push(r#"{"attributes":{"POSITION":0},"mode":0}"#.to_string());
    let (images, textures, material) = match texture {
        Some(png) => {
            let v = push_view(&mut bin, png);
            (
                format!(r#","images":[{{"bufferView":{v},"mimeType":"image/png"}}]"#),
                r#","textures":[{"source":0}]"#.to_string(),
                r#"{"pbrMetallicRoughness":{"baseColorTexture":{"index":0,"texCoord":1}}}"#
                    .to_string(),
            )
        }
        None => (
            String::new(),
            String::new(),
            r#"{"pbrMetallicRoughness":{"baseColorFactor":[1,1,1,1]}}"#.to_string(),
        ),
    };
    while !bin.len().is_multiple_of(4) {
        bin.push(0);
    }
    let json = format!(
        r#"{{"asset":{{"version":"2.0"}},"scene":0,"scenes":[{{"nodes":[0]}}],"nodes":[{{"children":[1],"translation":[{},{},{}],"rotation":[{},{},{},{}],"scale":[{s},{s},{s}]}},{{"mesh":0}}],"meshes":[{{"primitives":[{}]}}],"materials":[{material}],"buffers":[{{"byteLength":{}}}],"bufferViews":[{}],"accessors":[{}]{images}{textures}}}"#,
        tr.x,
        tr.y,
        tr.z,
        rot.x,
        rot.y,
        rot.z,
        rot.w,
        prims.join(","),
        bin.len(),
        views.join(","),
        accessors.join(",")
    );
    let mut json = json.into_bytes();
    while !json.len().is_multiple_of(4) {
        json.push(b' ');
    }
    let mut out = b"glTF".to_vec();
    out.extend(2u32.to_le_bytes());
    out.extend(((12 + 8 + json.len() + 8 + bin.len()) as u32).to_le_bytes());
    out.extend((json.len() as u32).to_le_bytes());
    out.extend(b"JSON");
    out.extend(json);
    out.extend((bin.len() as u32).to_le_bytes());
    out.extend(b"BIN\0");
    out.extend(bin);
    out
}

/// Worst distance between the loaded head's triangle corners and the built-in head's, in
/// triangle order (the loaders keep it).
fn worst_corner(scan: &Head) -> (f32, f32) {
    let h = head();
    assert_eq!(scan.mesh.triangle_count(), h.mesh.triangle_count());
    let (mut sum, mut max) = (0.0f64, 0.0f32);
    for (a, b) in scan.mesh.indices.iter().zip(&h.mesh.indices) {
        let d = scan.mesh.positions[*a as usize].distance(h.mesh.positions[*b as usize]);
        sum += (d as f64).powi(2);
        max = max.max(d);
    }
    (((sum / h.mesh.indices.len() as f64).sqrt()) as f32, max)
}

fn exact(units: Units) -> ScanOptions {
    ScanOptions {
        load: LoadOptions {
            units: Some(units),
            up: Some(UpAxis::Z),
            ..Default::default()
        },
        ..Default::default()
    }
}

fn colours_of(pos: &[Vec3]) -> Vec<[u8; 3]> {
    pos.iter().map(|p| red_left(*p)).collect()
}

#[test]
fn every_format_loads_the_built_in_head_back_exactly() {
    let h = head();
    let t = tris();
    let dir = tempfile::tempdir().unwrap();
    let colours = colours_of(&h.mesh.positions);
    let cm: Vec<Vec3> = h
        .mesh
        .positions
        .iter()
        .map(|p| to_file(*p, Quat::IDENTITY, 10.0))
        .collect();
    let m: Vec<Vec3> = h
        .mesh
        .positions
        .iter()
        .map(|p| to_file(*p, Quat::IDENTITY, 1000.0))
        .collect();
    // A node that turns, moves and scales (TRS) the primitives into the cm Z-up frame.
    let node = (
        Vec3::new(3.0, -2.0, 5.0),
        Quat::from_axis_angle(Vec3::new(0.2, 1.0, 0.3).normalize(), 0.7),
        0.5,
    );
    let png = {
        let mut b = Vec::new();
        image::RgbaImage::from_pixel(16, 16, image::Rgba([40, 200, 60, 255]))
            .write_to(&mut std::io::Cursor::new(&mut b), image::ImageFormat::Png)
            .unwrap();
        b
    };
    let files: Vec<(&str, Vec<u8>, Units, bool)> = vec![
        (
            "ascii.ply",
            ply(&cm, &t, Some(&colours), "ascii", false),
            Units::Cm,
            true,
        ),
        (
            "le.ply",
            ply(&m, &t, Some(&colours), "binary_little_endian", false),
            Units::M,
            true,
        ),
        (
            "be.ply",
            ply(&cm, &t, None, "binary_big_endian", true),
            Units::Cm,
            false,
        ),
        ("head.stl", stl(&cm, &t), Units::Cm, false),
        (
            "head.glb",
            glb(&cm, &t, node, Some(&colours), Some(&png)),
            Units::Cm,
            true,
        ),
    ];
    for (name, bytes, units, coloured) in files {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let scan = Head::load_scan(&path, &exact(units)).unwrap_or_else(|e| panic!("{name}: {e}"));
        let (rms, max) = worst_corner(&scan);
        eprintln!("{name}: RMS {rms:.6} mm, worst {max:.6} mm");
        assert!(max < EXACT_MM, "{name}: worst vertex {max} mm off");
        let report = scan.scan.as_ref().unwrap();
        assert_eq!(
            scan.texture.is_some(),
            coloured,
            "{name}: {}",
            report.texture
        );
        if let Some(tex) = &scan.texture {
            // Every vertex's colour is the one written for its position: red on the left.
            assert_eq!(tex.colour.len(), scan.mesh.positions.len(), "{name}");
            for (p, c) in scan.mesh.positions.iter().zip(&tex.colour) {
                // Linear: sRGB 20/255 is 0.007 (PLY); glTF's COLOR_0 bytes are linear already.
                let red = c[0] > 0.5 && c[1] < 0.1;
                assert!(
                    c[3] == 1.0 && red == (p.x > 0.0),
                    "{name}: {p} has colour {c:?}"
                );
            }
        }
        if name.ends_with(".glb") {
            let tex = scan.texture.as_ref().unwrap();
            assert_eq!(tex.image.dimensions(), (16, 16), "{}", report.texture);
            assert!(
                tex.uv.iter().all(|u| u[2] == 1.0 && u[0] < 5.0),
                "TEXCOORD_1 is used"
            );
            assert!(
                report.warnings.iter().any(|w| w.contains("points")),
                "{:?}",
                report.warnings
            );
        } else {
            assert!(report.warnings.is_empty(), "{name}: {:?}", report.warnings);
        }
        let off = Head::load_scan(
            &path,
            &ScanOptions {
                texture: false,
                ..exact(units)
            },
        )
        .unwrap();
        assert!(off.texture.is_none(), "{name}");
    }
}

#[test]
fn turned_scans_come_back_by_landmarks_and_automatically() {
    let h = head();
    let t = tris();
    let tpl = align::template().unwrap();
    let rot = Quat::from_axis_angle(Vec3::new(0.9, 0.1, -0.4).normalize(), 2.9);
    let f = |p: Vec3| to_file(p, rot, 10.0);
    let file: Vec<Vec3> = h.mesh.positions.iter().map(|p| f(*p)).collect();
    let dir = tempfile::tempdir().unwrap();
    let (n, l, r) = (f(tpl.nasion), f(tpl.ear_left), f(tpl.ear_right));
    let spec = format!(
        "nasion={},{},{};ear_left={},{},{};ear_right={},{},{}",
        n.x, n.y, n.z, l.x, l.y, l.z, r.x, r.y, r.z
    );
    let node = (Vec3::ZERO, Quat::IDENTITY, 1.0);
    for (name, bytes) in [
        ("t.ply", ply(&file, &t, None, "binary_little_endian", false)),
        ("t.stl", stl(&file, &t)),
        ("t.glb", glb(&file, &t, node, None, None)),
    ] {
        let path = dir.path().join(name);
        std::fs::write(&path, bytes).unwrap();
        let opts = ScanOptions {
            landmarks: Some(ScanLandmarks::parse(&spec).unwrap()),
            load: LoadOptions {
                units: Some(Units::Cm),
                ..Default::default()
            },
            ..Default::default()
        };
        let scan = Head::load_scan(&path, &opts).unwrap();
        let (_, max) = worst_corner(&scan);
        eprintln!("{name} by landmarks: worst {max:.5} mm");
        assert!(max < EXACT_MM, "{name}: worst vertex {max} mm off");
        let scan = Head::load_scan(&path, &ScanOptions::default()).unwrap();
        let (rms, max) = worst_corner(&scan);
        eprintln!("{name} automatically: RMS {rms:.4} mm, worst {max:.4} mm");
        assert!(
            rms < AUTO_RMS_MM && max < AUTO_MAX_MM,
            "{name}: RMS {rms}, worst {max}"
        );
    }
}

#[test]
fn malformed_files_name_the_file_and_the_place() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("a.ply", b"ply\nformat ascii 1.0\nelement vertex 3\nproperty float x\nproperty float y\nproperty float z\nelement face 1\nproperty list uchar int vertex_indices\nend_header\n0 0 0\n1 0 0\n0 1 0\n3 0 1 7\n".to_vec(), "a.ply:13"),
        ("b.ply", b"ply\nformat ascii 1.0\nelement vertex 1\nproperty quaternion x\nend_header\n".to_vec(), "b.ply:4"),
        ("c.ply", b"ply\nformat binary_little_endian 1.0\nelement vertex 4000000000\nproperty float x\nproperty float y\nproperty float z\nend_header\n\0\0\0\0".to_vec(), "c.ply:3"),
        ("d.ply", b"ply\nformat ascii 1.0\nelement vertex 2\nproperty float x\nproperty float y\nproperty float z\nend_header\n0 0 0\n1 nan 0\n".to_vec(), "d.ply:9"),
        ("e.stl", { let mut b = stl(&[Vec3::ZERO, Vec3::X, Vec3::Y], &[[0, 1, 2]]); b.truncate(120); b }, "truncated"),
        ("f.glb", { let mut b = glb(&[Vec3::ZERO, Vec3::X, Vec3::Y, Vec3::Z], &[[0, 1, 2], [0, 2, 3]], (Vec3::ZERO, Quat::IDENTITY, 1.0), None, None); let n = b.len(); b.truncate(n - 8); b }, "f.glb"),
        ("g.gltf", br#"{"asset":{"version":"2.0"},"buffers":[{"uri":"missing.bin","byteLength":8}]}"#.to_vec(), "missing.bin"),
        ("h.xyz", b"1 2 3\n".to_vec(), ".obj, .ply, .stl, .gltf, .glb"),
    ];
    for (name, bytes, place) in cases {
        let path = d.join(name);
        std::fs::write(&path, bytes).unwrap();
        let e = Head::load_scan(&path, &ScanOptions::default())
            .unwrap_err()
            .to_string();
        eprintln!("{e}");
        assert!(e.contains(name) && e.contains(place), "{name}: {e}");
    }
    // Through the command line: exit code 1, no panic, no picture.
    let out = std::process::Command::new(env!("CARGO_BIN_EXE_scalp"))
        .args([
            "render", "--mesh", "a.ply", "--out", "x.png", "--size", "64x48",
        ])
        .current_dir(d)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    assert!(
        err.contains("a.ply:13") && !err.contains("panicked"),
        "{err}"
    );
    assert!(!d.join("x.png").exists());
}

/// Renders a head from the front, without dots.
fn front(h: &Head) -> image::RgbaImage {
    let e = engine();
    let hg = HeadGpu::new(&e.gpu, h);
    e.render_image(&scalp::engine::Frame {
        head: &hg,
        dots: None,
        view: ViewPreset::Front.into(),
        settings: &RenderSettings {
            dots: false,
            ..Default::default()
        },
        size: (160, 120),
    })
    .unwrap()
}

/// Mean and worst per-channel difference of two images.
fn difference(a: &image::RgbaImage, b: &image::RgbaImage) -> (f32, u8) {
    let (mut sum, mut max) = (0u64, 0u8);
    for (p, q) in a.pixels().zip(b.pixels()) {
        for c in 0..3 {
            let d = p[c].abs_diff(q[c]);
            sum += u64::from(d);
            max = max.max(d);
        }
    }
    (sum as f32 / (3 * a.width() * a.height()) as f32, max)
}

/// Mean red minus green over the pixels of one half of the picture that are on the head.
fn redness(img: &image::RgbaImage, left_of_picture: bool) -> f32 {
    let (mut sum, mut n) = (0.0, 0.0);
    for (x, _, p) in img.enumerate_pixels() {
        if (x < img.width() / 2) == left_of_picture && common::luminance(p) > 0.05 {
            sum += p[0] as f32 - p[1] as f32;
            n += 1.0;
        }
    }
    sum / n
}

#[test]
fn scans_in_other_formats_render_like_the_built_in_head_and_show_their_colours() {
    let h = head();
    let t = tris();
    let dir = tempfile::tempdir().unwrap();
    let cm: Vec<Vec3> = h
        .mesh
        .positions
        .iter()
        .map(|p| to_file(*p, Quat::IDENTITY, 10.0))
        .collect();
    let plain = dir.path().join("plain.ply");
    std::fs::write(&plain, ply(&cm, &t, None, "binary_little_endian", false)).unwrap();
    let coloured = dir.path().join("red.ply");
    std::fs::write(
        &coloured,
        ply(
            &cm,
            &t,
            Some(&colours_of(&h.mesh.positions)),
            "binary_little_endian",
            false,
        ),
    )
    .unwrap();
    let builtin = front(h);
    let plain_img = front(&Head::load_scan(&plain, &exact(Units::Cm)).unwrap());
    let (mean, max) = difference(&builtin, &plain_img);
    eprintln!("plain PLY vs built-in: mean {mean:.3}, worst {max}");
    assert!(
        mean < RENDER_MEAN && max <= RENDER_MAX,
        "mean {mean}, worst {max}"
    );
    // The client's left is the picture's right in a front view.
    let red = front(&Head::load_scan(&coloured, &exact(Units::Cm)).unwrap());
    let (r_left, r_right) = (redness(&red, false), redness(&red, true));
    let (b_left, b_right) = (redness(&builtin, false), redness(&builtin, true));
    eprintln!("redness: coloured {r_left:.1} (left) {r_right:.1} (right); built-in {b_left:.1} {b_right:.1}");
    assert!(
        r_left > b_left + 20.0 && r_left > r_right + 20.0,
        "{r_left} {r_right} {b_left}"
    );
    let off = front(
        &Head::load_scan(
            &coloured,
            &ScanOptions {
                texture: false,
                ..exact(Units::Cm)
            },
        )
        .unwrap(),
    );
    let (mean, max) = difference(&off, &plain_img);
    assert!(
        mean == 0.0 && max == 0,
        "texture off renders like the plain head: {mean} {max}"
    );
}
