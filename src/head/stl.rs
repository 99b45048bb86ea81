//! STL scans (structured-light scanners, CAD and printing tools): binary or ASCII, read into a
//! [`RawMesh`] of separate triangles (the repair welds them). A binary file may begin with
//! "solid" too: it is known by its size, exactly 84 + 50·n bytes for the n triangles its
//! header counts. Colour words some tools put in the attribute bytes are not read.
use super::obj::mesh_err;
use super::raw::{RawMesh, NO_UV};
use crate::error::Result;
use glam::Vec3;
use std::path::Path;

/// Whether these bytes are a binary STL (the size matches the triangle count).
pub fn is_binary(bytes: &[u8]) -> bool {
    bytes.len() >= 84 && {
        let n = u32::from_le_bytes([bytes[80], bytes[81], bytes[82], bytes[83]]) as u64;
        84 + 50 * n == bytes.len() as u64
    }
}

/// Reads an STL file's bytes; `name` is for messages.
pub fn read_stl(bytes: &[u8], name: &Path, max_triangles: usize) -> Result<RawMesh> {
    // Text that begins with "solid" is ASCII; anything else (NUL bytes, not UTF-8) is binary,
    // and its size says whether it is whole.
    let text = bytes.trim_ascii_start().starts_with(b"solid")
        && !bytes.contains(&0)
        && std::str::from_utf8(bytes).is_ok();
    if is_binary(bytes) || !text {
        read_binary(bytes, name, max_triangles)
    } else {
        read_ascii(bytes, name, max_triangles)
    }
}

fn read_binary(bytes: &[u8], name: &Path, max_triangles: usize) -> Result<RawMesh> {
    if bytes.len() < 84 {
        return Err(mesh_err(
            name,
            None,
            format!(
                "binary STL truncated: {} bytes, shorter than its 84-byte header",
                bytes.len()
            ),
        ));
    }
    let n = u32::from_le_bytes([bytes[80], bytes[81], bytes[82], bytes[83]]) as u64;
    let want = 84 + 50 * n;
    if want != bytes.len() as u64 {
        let what = if (bytes.len() as u64) < want {
            "truncated"
        } else {
            "with trailing data"
        };
        return Err(mesh_err(
            name,
            None,
            format!(
                "binary STL {what}: the header at byte 80 counts {n} triangles, which take \
                 {want} bytes, but the file has {} (not an STL file, or cut short?)",
                bytes.len()
            ),
        ));
    }
    if n == 0 {
        return Err(mesh_err(name, None, "binary STL has no triangles".into()));
    }
    if n > max_triangles as u64 {
        return Err(mesh_err(
            name,
            None,
            format!(
                "mesh has {n} triangles, more than the limit of {max_triangles}; decimate it first"
            ),
        ));
    }
    let n = n as usize;
    let mut raw = RawMesh::default();
    raw.positions.reserve(3 * n);
    raw.corners.reserve(3 * n);
    for t in 0..n {
        let rec = 84 + 50 * t;
        for k in 0..3 {
            let at = rec + 12 + 12 * k;
            let f = |o: usize| {
                f32::from_le_bytes([
                    bytes[at + o],
                    bytes[at + o + 1],
                    bytes[at + o + 2],
                    bytes[at + o + 3],
                ])
            };
            let p = Vec3::new(f(0), f(4), f(8));
            if !p.is_finite() {
                return Err(mesh_err(
                    name,
                    None,
                    format!("triangle {t}, vertex {k} at byte {at} is not a finite number ({p})"),
                ));
            }
            raw.corners.push([raw.positions.len() as u32, NO_UV]);
            raw.positions.push(p);
        }
    }
    Ok(raw)
}

fn read_ascii(bytes: &[u8], name: &Path, max_triangles: usize) -> Result<RawMesh> {
    let text = std::str::from_utf8(bytes).map_err(|e| {
        let at = e.valid_up_to();
        let line = bytes[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        mesh_err(
            name,
            Some(line),
            format!(
                "ASCII STL (it begins with `solid`) has invalid text at byte {at}, and its size \
                 is not that of a binary STL"
            ),
        )
    })?;
    let mut raw = RawMesh::default();
    // Vertices of the facet being read, and the line of its `facet`.
    let mut in_facet: Option<usize> = None;
    let mut facet = 0usize;
    for (i, line) in text.lines().enumerate() {
        let line_no = i + 1;
        let err = |m: String| mesh_err(name, Some(line_no), m);
        let mut words = line.split_whitespace();
        match words.next() {
            Some("facet") => {
                if in_facet.is_some() {
                    return Err(err("`facet` inside a facet (missing `endfacet`)".into()));
                }
                in_facet = Some(line_no);
                facet = 0;
            }
            Some("vertex") => {
                if in_facet.is_none() {
                    return Err(err("`vertex` outside a facet".into()));
                }
                if facet == 3 {
                    return Err(err(
                        "a facet has more than 3 vertices (STL facets are triangles)".into(),
                    ));
                }
                let mut xyz = [0f32; 3];
                for (k, axis) in ["x", "y", "z"].into_iter().enumerate() {
                    let w = words
                        .next()
                        .ok_or_else(|| err(format!("vertex has no {axis} coordinate")))?;
                    xyz[k] = match w.parse::<f32>() {
                        Ok(x) if x.is_finite() => x,
                        _ => {
                            return Err(err(format!(
                                "vertex coordinate {axis} `{w}` is not a finite number"
                            )))
                        }
                    };
                }
                if words.next().is_some() {
                    return Err(err("vertex has more than 3 coordinates".into()));
                }
                raw.corners.push([raw.positions.len() as u32, NO_UV]);
                raw.positions.push(Vec3::from(xyz));
                facet += 1;
            }
            Some("endfacet") => {
                if facet != 3 {
                    return Err(err(format!(
                        "facet has {facet} vertices, expected 3 (STL facets are triangles)"
                    )));
                }
                in_facet = None;
                if raw.triangle_count() > max_triangles {
                    return Err(err(format!(
                        "mesh has more than {max_triangles} triangles (the limit); decimate it first"
                    )));
                }
            }
            _ => {}
        }
    }
    if let Some(line) = in_facet {
        return Err(mesh_err(
            name,
            Some(line),
            "the facet begun here has no `endfacet` (file cut short?)".into(),
        ));
    }
    if raw.corners.is_empty() {
        return Err(mesh_err(name, None, "ASCII STL has no facets".into()));
    }
    Ok(raw)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn binary(tris: &[[[f32; 3]; 3]], header: &[u8]) -> Vec<u8> {
        let mut b = vec![0u8; 80];
        b[..header.len()].copy_from_slice(header);
        b.extend((tris.len() as u32).to_le_bytes());
        for t in tris {
            b.extend([0u8; 12]);
            for v in t {
                for c in v {
                    b.extend(c.to_le_bytes());
                }
            }
            b.extend([0u8; 2]);
        }
        b
    }

    const TET: [[[f32; 3]; 3]; 4] = [
        [[0., 0., 0.], [1., 0., 0.], [0., 1., 0.]],
        [[0., 0., 0.], [0., 0., 1.], [1., 0., 0.]],
        [[0., 0., 0.], [0., 1., 0.], [0., 0., 1.]],
        [[1., 0., 0.], [0., 0., 1.], [0., 1., 0.]],
    ];

    #[test]
    fn binary_that_begins_with_solid_is_binary_by_its_size() {
        let b = binary(&TET, b"solid made by a scanner");
        let raw = read_stl(&b, Path::new("t.stl"), 100).unwrap();
        assert_eq!(raw.triangle_count(), 4);
        assert_eq!(raw.positions[3 * 3 + 1], Vec3::new(0., 0., 1.));
        // Cut short: an error that says so, not a misread as ASCII.
        let e = read_stl(&b[..b.len() - 7], Path::new("t.stl"), 100).unwrap_err();
        assert!(e.to_string().contains("t.stl"), "{e}");
        // The limit, before reading anything.
        let e = read_stl(&b, Path::new("t.stl"), 3).unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
    }

    #[test]
    fn ascii_facets_and_their_errors() {
        let good = "solid x\n facet normal 0 0 1\n  outer loop\n   vertex 0 0 0\n   vertex 1 0 0\n   vertex 0 1 0\n  endloop\n endfacet\nendsolid x\n";
        let raw = read_stl(good.as_bytes(), Path::new("a.stl"), 10).unwrap();
        assert_eq!(raw.triangle_count(), 1);
        let bad = good.replace("vertex 1 0 0", "vertex 1 nan 0");
        let e = read_stl(bad.as_bytes(), Path::new("a.stl"), 10).unwrap_err();
        assert!(e.to_string().contains("a.stl:5"), "{e}");
        let short = good.replace("   vertex 0 1 0\n", "");
        let e = read_stl(short.as_bytes(), Path::new("a.stl"), 10).unwrap_err();
        assert!(
            e.to_string().contains("a.stl:7") && e.to_string().contains("2 vertices"),
            "{e}"
        );
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        let ascii = "solid x\nfacet normal 0 0 1\nouter loop\nvertex 0 0 0\nvertex 1 0 0\nvertex 0 1 0\nendloop\nendfacet\nendsolid\n";
        for file in [binary(&TET, b"solid"), ascii.as_bytes().to_vec()] {
            crate::head::raw::read_odd_variants(
                &file,
                0x1234_5678,
                2000,
                3,
                |r| (r >> 8) as u8,
                |f| {
                    let _ = read_stl(f, Path::new("t.stl"), 100);
                },
            );
        }
    }
}
