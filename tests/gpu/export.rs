//! Take-home files: the treatment baked into the head's texture (`scalp::export`) shows the
//! dots where the zone is and nowhere else, fades with the years, and the .glb that carries it
//! passes the Khronos glTF validator.
use crate::common::{engine, head};
use scalp::export::{self, glb, unwrap::UvMesh, Moment};
use scalp::treatment::Treatment;
use std::sync::OnceLock;

const SIZE: u32 = 1024;

/// The built-in head and plan baked at a few moments, once for every test here.
fn baked() -> &'static (export::Baked, Treatment) {
    static BAKED: OnceLock<(export::Baked, Treatment)> = OnceLock::new();
    BAKED.get_or_init(|| {
        let e = engine();
        let plan = scalp::plan::Plan::default();
        let t = Treatment::new(head(), &plan, Some(60_000)).unwrap();
        let dots = e.generate(head(), &t).unwrap();
        let moments = vec![
            Moment::untreated(),
            Moment::at("healed", t.healed_years()),
            Moment::years_after(10),
        ];
        let b = export::bake_head(e, head(), &t, &dots, &moments, SIZE, &|_, _| {}).unwrap();
        (b, t)
    })
}

fn luminance(p: &image::Rgb<u8>) -> f32 {
    let lin = |c: u8| {
        let c = c as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * lin(p[0]) + 0.7152 * lin(p[1]) + 0.0722 * lin(p[2])
}

/// Mean luminance of the texels under the centroids of the triangles `keep` accepts (by their
/// centroid in head space), and how many there were.
fn mean_under(
    mesh: &UvMesh,
    img: &image::RgbImage,
    keep: impl Fn(glam::Vec3) -> bool,
) -> (f32, usize) {
    let (mut sum, mut n) = (0.0, 0usize);
    for t in 0..mesh.triangle_count() {
        let idx = [0, 1, 2].map(|k| mesh.indices[3 * t + k] as usize);
        let centroid = idx.iter().map(|&i| mesh.positions[i]).sum::<glam::Vec3>() / 3.0;
        if !keep(centroid) {
            continue;
        }
        let uv = idx.iter().map(|&i| mesh.uvs[i]).sum::<glam::Vec2>() / 3.0;
        let (x, y) = ((uv.x * SIZE as f32) as u32, (uv.y * SIZE as f32) as u32);
        sum += luminance(img.get_pixel(x.min(SIZE - 1), y.min(SIZE - 1)));
        n += 1;
    }
    (sum / n.max(1) as f32, n)
}

#[test]
fn baked_texture_is_darker_over_the_zone_and_lightens_with_the_years() {
    let (b, t) = baked();
    assert_eq!(b.textures.len(), 3);
    assert!(!b.scan_texture);
    assert_eq!(
        b.unplaced_dots, 0,
        "every dot lies on a triangle of the mesh it was made on"
    );
    let inside = |p| t.zone.sample(p).above_mm > 15.0;
    let outside = |p| t.zone.sample(p).above_mm < -25.0;
    let [untreated, healed, ten] = [0, 1, 2].map(|k| &b.textures[k].1);
    let (u_in, n_in) = mean_under(&b.mesh, untreated, inside);
    let (u_out, n_out) = mean_under(&b.mesh, untreated, outside);
    assert!(n_in > 500 && n_out > 500, "{n_in} {n_out}");
    let (h_in, _) = mean_under(&b.mesh, healed, inside);
    let (h_out, _) = mean_under(&b.mesh, healed, outside);
    let (ten_in, _) = mean_under(&b.mesh, ten, inside);
    eprintln!("luminance in/out: untreated {u_in:.4}/{u_out:.4} healed {h_in:.4}/{h_out:.4} 10 y {ten_in:.4}");
    // Untreated, the skin is one albedo everywhere.
    assert!((u_in - u_out).abs() < 0.01 * u_out, "{u_in} {u_out}");
    // Healed, the zone is darker than outside (measured 7% at 60 000 dots over the default
    // zone; 3% is far beyond JPEG and texel noise), and outside is untouched.
    assert!(h_in < 0.97 * h_out, "{h_in} {h_out}");
    assert!((h_out - u_out).abs() < 0.01 * u_out, "{h_out} {u_out}");
    // Ten years on the pigment has faded: lighter than healed, still darker than bare skin.
    assert!(
        ten_in > h_in + 0.002 && ten_in < u_in,
        "{ten_in} {h_in} {u_in}"
    );
}

#[test]
fn baked_dots_are_resolved_as_dots_not_a_wash() {
    // At 1024² over the whole head a texel is ~0.4 mm: the zone's texels must still vary
    // (dots and skin between them), not be one even grey.
    let (b, t) = baked();
    let healed = &b.textures[1].1;
    let mut values = Vec::new();
    for tri in 0..b.mesh.triangle_count() {
        let idx = [0, 1, 2].map(|k| b.mesh.indices[3 * tri + k] as usize);
        let c = idx.iter().map(|&i| b.mesh.positions[i]).sum::<glam::Vec3>() / 3.0;
        if t.zone.sample(c).above_mm > 15.0 {
            let uv = idx.iter().map(|&i| b.mesh.uvs[i]).sum::<glam::Vec2>() / 3.0;
            values.push(luminance(healed.get_pixel(
                ((uv.x * SIZE as f32) as u32).min(SIZE - 1),
                ((uv.y * SIZE as f32) as u32).min(SIZE - 1),
            )));
        }
    }
    let mean = values.iter().sum::<f32>() / values.len() as f32;
    let sd = (values.iter().map(|v| (v - mean).powi(2)).sum::<f32>() / values.len() as f32).sqrt();
    // Measured sd 4.8% of the mean at 1024²; the untreated texture is one flat albedo (sd 0).
    assert!(sd > 0.025 * mean, "mean {mean} sd {sd}");
}

/// Runs the Khronos validator (tools/validate-gltf.js) on `bytes`; None, said loudly, when node
/// or the validator package is not installed.
pub fn validate(bytes: &[u8]) -> Option<serde_json::Value> {
    let tools = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tools");
    if !tools.join("node_modules/gltf-validator").is_dir() {
        eprintln!("SKIPPED glTF validation: tools/node_modules/gltf-validator is missing (cd tools && npm ci)");
        return None;
    }
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("head.glb");
    std::fs::write(&file, bytes).unwrap();
    let out = match std::process::Command::new("node")
        .arg(tools.join("validate-gltf.js"))
        .arg(&file)
        .output()
    {
        Ok(o) => o,
        Err(e) => {
            eprintln!("SKIPPED glTF validation: node could not be run ({e})");
            return None;
        }
    };
    let report: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
        panic!(
            "validator gave no report: {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    Some(report)
}

#[test]
fn the_glb_with_its_variants_passes_the_khronos_validator() {
    let (b, _) = baked();
    let variants: Vec<glb::Variant> = b
        .textures
        .iter()
        .map(|(m, img)| glb::Variant {
            name: m.name.clone(),
            jpeg: glb::jpeg(img).unwrap(),
        })
        .collect();
    let bytes = glb::glb(&b.mesh, &variants, 1);
    let json = glb::json_of(&bytes).unwrap();
    let names: Vec<&str> = json["extensions"]["KHR_materials_variants"]["variants"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v["name"].as_str().unwrap())
        .collect();
    assert_eq!(names, ["untreated", "healed", "10 years"]);
    assert_eq!(json["meshes"][0]["primitives"][0]["material"], 1);
    let Some(report) = validate(&bytes) else {
        return;
    };
    eprintln!("{report}");
    assert_eq!(report["errors"], 0, "{report}");
    assert_eq!(report["warnings"], 0, "{report}");
    assert_eq!(report["materials"], 3, "{report}");
}

/// Dots are not cut where two charts of the texture meet: a footprint crossing a seam is drawn
/// on both sides, each part on its own chart. Over the treated zone, the baked density of the
/// texels of triangles at a seam matches that of triangles inside a chart; with each dot drawn
/// on its own chart only, texels beside a seam miss the parts of the dots across it.
#[test]
fn dots_are_whole_across_chart_seams() {
    use scalp::export::bake::{BakeInput, BakePass};
    let e = engine();
    let t = Treatment::new(head(), &scalp::plan::Plan::default(), Some(60_000)).unwrap();
    let dots = e.generate(head(), &t).unwrap();
    let aged = e.age(&t, &dots, t.healed_years()).unwrap();
    let size = 2048;
    let (mesh, _) = export::head_uvs(head(), size, [0.5; 3]);
    let input = BakeInput::new(&e.gpu, &mesh, &dots, size).unwrap();
    let pass = BakePass::new(&e.gpu);
    let ink = scalp::optics::ink_tone_scale(t.worked.ink_tone);
    let density = pass
        .bake(&e.gpu, &input, Some((&dots, &aged)), size, ink)
        .unwrap();
    // A vertex of the head on more than one chart lies on a seam.
    let charts = mesh.vertex_charts();
    let mut first_chart = vec![u32::MAX; head().mesh.positions.len()];
    let mut on_seam = vec![false; head().mesh.positions.len()];
    for (v, &s) in mesh.source.iter().enumerate() {
        let f = &mut first_chart[s as usize];
        if *f == u32::MAX {
            *f = charts[v];
        } else if *f != charts[v] {
            on_seam[s as usize] = true;
        }
    }
    // Density (green) over the texels of zone triangles at a seam, against that of the chart
    // interiors around them: the plan's density varies over the head, so each seam texel (one
    // weighted mostly to its triangle's corners on the seam) is compared with the mean inside
    // the charts in its 10 mm cell.
    let cell = |p: glam::Vec3| (p / 10.0).floor().as_ivec3();
    let mut inner: std::collections::HashMap<glam::IVec3, (f64, usize)> = Default::default();
    let mut seam: Vec<(glam::IVec3, f64)> = Vec::new();
    for tri in mesh.indices.chunks_exact(3) {
        let c = tri
            .iter()
            .map(|&i| mesh.positions[i as usize])
            .sum::<glam::Vec3>()
            / 3.0;
        if t.zone.sample(c).above_mm < 15.0 {
            continue;
        }
        let seam_corner = [0, 1, 2].map(|k| on_seam[mesh.source[tri[k] as usize] as usize]);
        let at_seam = seam_corner.contains(&true);
        let [a, b, cc] = [0, 1, 2].map(|k| mesh.uvs[tri[k] as usize] * size as f32);
        let area = (b - a).perp_dot(cc - a);
        let lo = a.min(b).min(cc).floor();
        let hi = a.max(b).max(cc).ceil();
        for y in lo.y as usize..hi.y as usize {
            for x in lo.x as usize..hi.x as usize {
                let p = glam::Vec2::new(x as f32 + 0.5, y as f32 + 0.5);
                let w0 = (b - p).perp_dot(cc - p) / area;
                let w1 = (cc - p).perp_dot(a - p) / area;
                if w0 < 0.0 || w1 < 0.0 || w0 + w1 > 1.0 {
                    continue;
                }
                let d = density[y * size as usize + x][1] as f64;
                // Near the seam: mostly weighted to the triangle's corners on it.
                let w = [w0, w1, 1.0 - w0 - w1];
                let near: f32 = (0..3).filter(|&k| seam_corner[k]).map(|k| w[k]).sum();
                if at_seam {
                    if near > 0.6 {
                        seam.push((cell(c), d));
                    }
                } else {
                    let e = inner.entry(cell(c)).or_default();
                    e.0 += d;
                    e.1 += 1;
                }
            }
        }
    }
    let (mut got, mut expected, mut n) = (0.0, 0.0, 0usize);
    for (c, d) in &seam {
        if let Some((sum, count)) = inner.get(c).filter(|e| e.1 >= 500) {
            got += d;
            expected += sum / *count as f64;
            n += 1;
        }
    }
    let ratio = got / expected;
    println!(
        "density at seams {:.4} against {:.4} inside the charts around them ({ratio:.3}), over {n} texels; {} of {} dots drawn on two or more charts",
        got / n as f64,
        expected / n as f64,
        input.across_seams,
        dots.total()
    );
    assert!(n > 5_000, "{n} seam texels");
    assert!(input.across_seams > 1000, "{}", input.across_seams);
    assert!((ratio - 1.0).abs() < 0.04, "seams at {ratio:.3} of inside");
}
