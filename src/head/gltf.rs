//! glTF 2.0 scans (phone photogrammetry and LiDAR apps): `.gltf` with its `.bin` and images
//! (files or `data:` URIs) and `.glb` (buffers and images embedded), read into a [`RawMesh`]
//! with the `gltf` crate's document and accessor reader.
//!
//! The default scene (or the first) is walked from its roots with every node's transform
//! (matrix or translation–rotation–scale) applied; every mesh instance and primitive is
//! merged. TRIANGLES, TRIANGLE_STRIP and TRIANGLE_FAN primitives are read, indexed or not;
//! points and lines are skipped with a warning. The base colour is the material's
//! `baseColorTexture` (over the `TEXCOORD_n` it names) × `COLOR_0` × `baseColorFactor`:
//! the texture goes to the material, `COLOR_0` × the factor to the vertex colours (linear,
//! as glTF defines them). A primitive with neither texture nor `COLOR_0` shows the plain skin:
//! a bare factor is an app's default material, not the client's colour. Sparse accessors are
//! not supported. Every accessor is checked against its buffer before it is read, so a
//! malformed file is an error naming the accessor, never a crash.
use super::obj::mesh_err;
use super::raw::{ImageSource, RawMaterial, RawMesh, NO_MATERIAL, NO_UV};
use crate::error::{Result, ScalpError};
use ::gltf::accessor::{DataType, Dimensions};
use ::gltf::mesh::Mode;
use glam::{Mat4, Vec3};
use std::collections::HashMap;
use std::path::Path;
use std::sync::Arc;

/// Deepest node nesting followed (a file with a cycle in its node graph stops here).
const MAX_DEPTH: usize = 64;

/// Whether these bytes begin like a binary glTF (GLB).
pub fn is_glb(bytes: &[u8]) -> bool {
    bytes.starts_with(b"glTF")
}

/// The GLB header and JSON chunk header against the file's real size, with byte offsets: the
/// crate's own message for a bad one ("could not completely read the object") says neither
/// what nor where. A file sent as text (every invalid byte turned into U+FFFD) fails here.
fn check_glb_header(bytes: &[u8]) -> std::result::Result<(), String> {
    let word = |at: usize| {
        bytes
            .get(at..at + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    };
    let (Some(version), Some(length)) = (word(4), word(8)) else {
        return Err(format!(
            "GLB header cut short: 12 bytes needed, the file has {}",
            bytes.len()
        ));
    };
    if version != 2 {
        return Err(format!(
            "byte 4: GLB version {version}; only version 2 is read"
        ));
    }
    if length as usize != bytes.len() {
        return Err(format!(
            "byte 8: the GLB header gives the file's length as {length} bytes, but it has {} \
             (cut short, or changed on the way, e.g. sent as text)",
            bytes.len()
        ));
    }
    let Some(json_len) = word(12) else {
        return Err("GLB file ends before its JSON chunk (byte 12)".into());
    };
    if 20 + json_len as usize > bytes.len() || bytes.get(16..20) != Some(b"JSON".as_slice()) {
        return Err(format!(
            "byte 12: the first GLB chunk must be JSON and fit in the file (it claims \
             {json_len} bytes of {})",
            bytes.len()
        ));
    }
    Ok(())
}

/// Reads a glTF or GLB file's bytes; `name` is for messages and its folder for external
/// buffers and images.
pub fn read_gltf(bytes: &[u8], name: &Path, max_triangles: usize) -> Result<RawMesh> {
    let err = |m: String| mesh_err(name, None, m);
    let invalid = |e: String| {
        err(format!(
            "not a valid glTF 2.0 file: {e}{}",
            if is_glb(bytes) { "" } else { " (JSON)" }
        ))
    };
    if is_glb(bytes) {
        check_glb_header(bytes).map_err(err)?;
    }
    let unchecked =
        ::gltf::Gltf::from_slice_without_validation(bytes).map_err(|e| invalid(e.to_string()))?;
    // gltf-json's validation indexes the accessors by each POSITION attribute unchecked
    // (a panic on a bad index): check those first, then validate.
    let json = unchecked.document.into_json();
    for (m, mesh) in json.meshes.iter().enumerate() {
        for (p, prim) in mesh.primitives.iter().enumerate() {
            for (sem, acc) in &prim.attributes {
                if acc.value() >= json.accessors.len() {
                    return Err(invalid(format!(
                        "mesh {m} primitive {p}: attribute {sem:?} names accessor {}, but \
                         there are {}",
                        acc.value(),
                        json.accessors.len()
                    )));
                }
            }
        }
    }
    let doc = ::gltf::Gltf {
        document: ::gltf::Document::from_json(json).map_err(|e| invalid(e.to_string()))?,
        blob: unchecked.blob,
    };
    let dir = name.parent().unwrap_or(Path::new("."));
    let buffers = load_buffers(&doc, dir, name)?;
    // The checks that make the accessor reader safe, then the reading itself; a panic in the
    // crate on input the checks missed is still an error, not a crash.
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
        read_scene(&doc, &buffers, dir, name, max_triangles)
    }))
    .unwrap_or_else(|_| Err(err("malformed glTF data (the reader failed on it)".into())))
}

/// Every buffer's bytes: the GLB's binary chunk, a `data:` URI, or a file beside the scan.
fn load_buffers(doc: &::gltf::Gltf, dir: &Path, name: &Path) -> Result<Vec<Vec<u8>>> {
    let mut out = Vec::new();
    for b in doc.document.buffers() {
        let what = format!("buffer {}", b.index());
        let data = match b.source() {
            ::gltf::buffer::Source::Bin => doc.blob.clone().ok_or_else(|| {
                mesh_err(
                    name,
                    None,
                    format!("{what} refers to the GLB binary chunk, which the file lacks"),
                )
            })?,
            ::gltf::buffer::Source::Uri(uri) => read_uri(uri, dir, name, &what)?,
        };
        if data.len() < b.length() {
            return Err(mesh_err(
                name,
                None,
                format!(
                    "{what} has {} bytes, fewer than the {} it declares (missing or cut-short \
                     data)",
                    data.len(),
                    b.length()
                ),
            ));
        }
        out.push(data);
    }
    Ok(out)
}

/// The bytes a URI names: a base64 `data:` URI or a (percent-encoded) relative file path.
fn read_uri(uri: &str, dir: &Path, name: &Path, what: &str) -> Result<Vec<u8>> {
    if let Some(rest) = uri.strip_prefix("data:") {
        let Some((_, payload)) = rest.split_once(";base64,") else {
            return Err(mesh_err(
                name,
                None,
                format!("{what}: only base64 `data:` URIs are supported"),
            ));
        };
        return base64_decode(payload)
            .ok_or_else(|| mesh_err(name, None, format!("{what}: bad base64 in its `data:` URI")));
    }
    if uri.contains("://") {
        return Err(mesh_err(
            name,
            None,
            format!(
                "{what}: URI `{uri}` is not a file beside the scan (remote data is not fetched)"
            ),
        ));
    }
    let path = dir.join(percent_decode(uri));
    std::fs::read(&path).map_err(|e| {
        mesh_err(
            name,
            None,
            format!("{what}: cannot read {} ({e})", path.display()),
        )
    })
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        if b[i] == b'%' && i + 2 < b.len() {
            if let (Some(h), Some(l)) = (hex(b[i + 1]), hex(b[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Standard base64 (padding optional, whitespace ignored); None on a bad character.
pub fn base64_decode(s: &str) -> Option<Vec<u8>> {
    let mut out = Vec::with_capacity(s.len() * 3 / 4);
    let (mut acc, mut bits) = (0u32, 0u32);
    for c in s.bytes() {
        let v = match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' | b'-' => 62,
            b'/' | b'_' => 63,
            b'=' | b' ' | b'\n' | b'\r' | b'\t' => continue,
            _ => return None,
        };
        acc = (acc << 6) | u32::from(v);
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((acc >> bits) as u8);
        }
    }
    Some(out)
}

/// Checks that an accessor can be read as `what` expects: a buffer view, no sparse data, one
/// of `dims` and `types`, and every element inside its view and buffer.
fn check_accessor(
    a: &::gltf::Accessor,
    buffers: &[Vec<u8>],
    dims: &[Dimensions],
    types: &[DataType],
    what: &str,
) -> std::result::Result<(), String> {
    let id = format!("{what} (accessor {})", a.index());
    if a.sparse().is_some() {
        return Err(format!("{id} is sparse, which is not supported"));
    }
    if !dims.contains(&a.dimensions()) || !types.contains(&a.data_type()) {
        return Err(format!(
            "{id} is {:?} of {:?}, expected one of {dims:?} of {types:?}",
            a.dimensions(),
            a.data_type()
        ));
    }
    let Some(view) = a.view() else {
        return Err(format!("{id} has no buffer view"));
    };
    let buf = buffers.get(view.buffer().index()).map_or(0, |b| b.len());
    let view_end = view.offset().checked_add(view.length());
    if view_end.is_none_or(|e| e > buf) {
        return Err(format!(
            "{id}: buffer view {} (bytes {}+{}) runs past its buffer of {buf} bytes",
            view.index(),
            view.offset(),
            view.length()
        ));
    }
    let size = a.size();
    let stride = view.stride().unwrap_or(size).max(size);
    let end = (a.count().max(1) - 1)
        .checked_mul(stride)
        .and_then(|x| x.checked_add(a.offset()))
        .and_then(|x| x.checked_add(size));
    if a.count() > 0 && end.is_none_or(|e| e > view.length()) {
        return Err(format!(
            "{id}: {} elements from byte {} run past buffer view {} ({} bytes)",
            a.count(),
            a.offset(),
            view.index(),
            view.length()
        ));
    }
    Ok(())
}

/// One primitive to read: its node's transform.
struct Instance<'a> {
    primitive: ::gltf::Primitive<'a>,
    world: Mat4,
    mesh: usize,
}

fn read_scene(
    doc: &::gltf::Gltf,
    buffers: &[Vec<u8>],
    dir: &Path,
    name: &Path,
    max_triangles: usize,
) -> Result<RawMesh> {
    let err = |m: String| mesh_err(name, None, m);
    let mut raw = RawMesh::default();
    // The primitives to draw, with their transforms, from the scene's node graph.
    let mut instances: Vec<Instance> = Vec::new();
    let mut stack: Vec<(::gltf::Node, Mat4, usize)> = Vec::new();
    let scene = doc
        .document
        .default_scene()
        .or_else(|| doc.document.scenes().next());
    match scene {
        Some(s) => stack.extend(s.nodes().map(|n| (n, Mat4::IDENTITY, 0))),
        None => {
            return Err(err(
                "the file has no scene (no nodes place its meshes)".into()
            ))
        }
    }
    while let Some((node, parent, depth)) = stack.pop() {
        if depth > MAX_DEPTH {
            return Err(err(format!(
                "node {} is nested deeper than {MAX_DEPTH} levels (a cycle in the node graph?)",
                node.index()
            )));
        }
        let world = parent * Mat4::from_cols_array_2d(&node.transform().matrix());
        if let Some(mesh) = node.mesh() {
            for p in mesh.primitives() {
                instances.push(Instance {
                    primitive: p,
                    world,
                    mesh: mesh.index(),
                });
            }
        }
        stack.extend(node.children().map(|c| (c, world, depth + 1)));
        if instances.len() > 1 << 20 {
            return Err(err("more than 2²⁰ primitive instances".into()));
        }
    }
    // Triangle count before anything is read or allocated.
    let mut total: u64 = 0;
    let mut skipped: HashMap<&'static str, usize> = HashMap::new();
    for inst in &instances {
        let p = &inst.primitive;
        let n = match p.indices() {
            Some(i) => i.count(),
            None => p.get(&::gltf::Semantic::Positions).map_or(0, |a| a.count()),
        } as u64;
        total += match p.mode() {
            Mode::Triangles => n / 3,
            Mode::TriangleStrip | Mode::TriangleFan => n.saturating_sub(2),
            _ => 0,
        };
    }
    if total > max_triangles as u64 {
        return Err(err(format!(
            "mesh has {total} triangles, more than the limit of {max_triangles}; decimate it first"
        )));
    }
    let mut material_of: HashMap<usize, u32> = HashMap::new();
    let mut any_colour = false;
    for inst in &instances {
        let p = &inst.primitive;
        let what = |s: &str| format!("mesh {} primitive {}: {s}", inst.mesh, p.index());
        match p.mode() {
            Mode::Triangles | Mode::TriangleStrip | Mode::TriangleFan => {}
            Mode::Points => {
                *skipped.entry("points").or_default() += 1;
                continue;
            }
            _ => {
                *skipped.entry("lines").or_default() += 1;
                continue;
            }
        }
        let Some(pos_acc) = p.get(&::gltf::Semantic::Positions) else {
            raw.warnings.push(what("has no POSITION; skipped"));
            continue;
        };
        check_accessor(
            &pos_acc,
            buffers,
            &[Dimensions::Vec3],
            &[DataType::F32],
            &what("POSITION"),
        )
        .map_err(&err)?;
        let reader = p.reader(|b| buffers.get(b.index()).map(|v| v.as_slice()));
        let base = raw.positions.len() as u32;
        let n = pos_acc.count();
        if let Some(m) = crate::limits::exceeded(
            "vertices",
            base as u64 + n as u64,
            crate::limits::MAX_VERTICES,
        ) {
            return Err(err(format!("mesh has {m}; decimate it first")));
        }
        let flip = inst.world.determinant() < 0.0;
        for (k, q) in reader
            .read_positions()
            .ok_or_else(|| err(what("POSITION cannot be read")))?
            .enumerate()
        {
            let v = inst.world.transform_point3(Vec3::from(q));
            if !v.is_finite() {
                return Err(err(what(&format!("position {k} is not finite ({q:?})"))));
            }
            raw.positions.push(v);
        }
        // Indices (checked against the vertex count).
        let indices: Vec<u32> = match p.indices() {
            Some(ia) => {
                check_accessor(
                    &ia,
                    buffers,
                    &[Dimensions::Scalar],
                    &[DataType::U8, DataType::U16, DataType::U32],
                    &what("indices"),
                )
                .map_err(&err)?;
                let idx: Vec<u32> = reader
                    .read_indices()
                    .ok_or_else(|| err(what("indices cannot be read")))?
                    .into_u32()
                    .collect();
                if let Some((k, i)) = idx.iter().enumerate().find(|(_, &i)| i as usize >= n) {
                    return Err(err(what(&format!(
                        "index {k} is {i}, out of range (there are {n} vertices)"
                    ))));
                }
                idx
            }
            None => (0..n as u32).collect(),
        };
        // The base colour: texture (over its TEXCOORD set) × COLOR_0 × factor.
        let material = p.material();
        let pbr = material.pbr_metallic_roughness();
        let factor = pbr.base_color_factor();
        let texture = pbr.base_color_texture();
        let mut uv_base = None;
        let mut mat = NO_MATERIAL;
        if let Some(info) = &texture {
            let set = info.tex_coord();
            if let Some(ta) = p.get(&::gltf::Semantic::TexCoords(set)) {
                check_accessor(
                    &ta,
                    buffers,
                    &[Dimensions::Vec2],
                    &[DataType::F32, DataType::U8, DataType::U16],
                    &what(&format!("TEXCOORD_{set}")),
                )
                .map_err(&err)?;
                if ta.count() == n {
                    uv_base = Some(raw.uvs.len() as u32);
                    // glTF's v runs down the image; RawMesh's runs up.
                    raw.uvs.extend(
                        reader
                            .read_tex_coords(set)
                            .ok_or_else(|| err(what("texture coordinates cannot be read")))?
                            .into_f32()
                            .map(|[u, v]| {
                                if u.is_finite() && v.is_finite() {
                                    [u, 1.0 - v]
                                } else {
                                    [0.0; 2]
                                }
                            }),
                    );
                    let image = info.texture().source();
                    mat = match material_of.get(&image.index()) {
                        Some(&m) => m,
                        None => {
                            let src = image_source(&image, doc, buffers, dir, name)?;
                            raw.materials.push(RawMaterial {
                                name: format!("material {:?}", material.index()),
                                image: Some(src),
                            });
                            let m = (raw.materials.len() - 1) as u32;
                            material_of.insert(image.index(), m);
                            m
                        }
                    };
                } else {
                    raw.warnings.push(what(&format!(
                        "TEXCOORD_{set} has {} elements for {n} vertices; texture not shown",
                        ta.count()
                    )));
                }
            } else {
                raw.warnings.push(what(&format!(
                    "its material's texture uses TEXCOORD_{set}, which it lacks; texture not shown"
                )));
            }
        }
        let colour_acc = p.get(&::gltf::Semantic::Colors(0));
        if let Some(ca) = &colour_acc {
            check_accessor(
                ca,
                buffers,
                &[Dimensions::Vec3, Dimensions::Vec4],
                &[DataType::F32, DataType::U8, DataType::U16],
                &what("COLOR_0"),
            )
            .map_err(&err)?;
            if ca.count() != n {
                return Err(err(what(&format!(
                    "COLOR_0 has {} elements for {n} vertices",
                    ca.count()
                ))));
            }
        }
        // Vertex colours for every vertex so far (weight 0: the plain skin).
        raw.colours.resize(base as usize, [0.0; 4]);
        match colour_acc {
            Some(_) => {
                any_colour = true;
                let colours = reader
                    .read_colors(0)
                    .ok_or_else(|| err(what("COLOR_0 cannot be read")))?
                    .into_rgba_f32();
                raw.colours.extend(colours.map(|c| {
                    let f = |k: usize| {
                        let x = c[k] * factor[k];
                        if x.is_finite() {
                            x.clamp(0.0, 1.0)
                        } else {
                            0.0
                        }
                    };
                    [f(0), f(1), f(2), 1.0]
                }));
            }
            None if uv_base.is_some() && factor[..3] != [1.0; 3] => {
                any_colour = true;
                let c = [factor[0], factor[1], factor[2], 1.0].map(|x| x.clamp(0.0, 1.0));
                raw.colours.extend(std::iter::repeat_n(c, n));
            }
            None => raw
                .colours
                .extend(std::iter::repeat_n([1.0, 1.0, 1.0, 0.0], n)),
        }
        // Triangles.
        let corner = |i: u32| [base + i, uv_base.map_or(NO_UV, |b| b + i)];
        let push = |a: u32, b: u32, c: u32, raw: &mut RawMesh| {
            let (b, c) = if flip { (c, b) } else { (b, c) };
            raw.corners.extend([corner(a), corner(b), corner(c)]);
            raw.tri_material.push(mat);
        };
        match p.mode() {
            Mode::Triangles => {
                for t in indices.chunks_exact(3) {
                    push(t[0], t[1], t[2], &mut raw);
                }
            }
            Mode::TriangleStrip => {
                for k in 2..indices.len() {
                    let (a, b) = if k % 2 == 0 {
                        (k - 2, k - 1)
                    } else {
                        (k - 1, k - 2)
                    };
                    push(indices[a], indices[b], indices[k], &mut raw);
                }
            }
            _ => {
                for k in 2..indices.len() {
                    push(indices[0], indices[k - 1], indices[k], &mut raw);
                }
            }
        }
    }
    for (kind, count) in skipped {
        raw.warnings.push(format!(
            "{count} primitives of {kind} skipped (only triangles make a surface)"
        ));
    }
    if raw.corners.is_empty() {
        return Err(err(
            "the scene has no triangles (no mesh with a triangle primitive under its nodes)".into(),
        ));
    }
    if any_colour {
        raw.colours.resize(raw.positions.len(), [0.0; 4]);
    } else {
        raw.colours.clear();
    }
    Ok(raw)
}

/// Where an image is: a buffer view's bytes, a `data:` URI's, or a file beside the scan.
fn image_source(
    image: &::gltf::Image,
    doc: &::gltf::Gltf,
    buffers: &[Vec<u8>],
    dir: &Path,
    name: &Path,
) -> Result<ImageSource> {
    let what = format!("image {}", image.index());
    let _ = doc;
    Ok(match image.source() {
        ::gltf::image::Source::View { view, .. } => {
            let buf = buffers
                .get(view.buffer().index())
                .map_or(&[][..], |b| b.as_slice());
            let bytes = view
                .offset()
                .checked_add(view.length())
                .and_then(|end| buf.get(view.offset()..end))
                .ok_or_else(|| -> ScalpError {
                    mesh_err(
                        name,
                        None,
                        format!("{what}: buffer view {} runs past its buffer", view.index()),
                    )
                })?;
            ImageSource::Bytes {
                name: format!("{} ({what})", name.display()),
                bytes: Arc::new(bytes.to_vec()),
            }
        }
        ::gltf::image::Source::Uri { uri, .. } if uri.starts_with("data:") => ImageSource::Bytes {
            name: format!("{} ({what}, data: URI)", name.display()),
            bytes: Arc::new(read_uri(uri, dir, name, &what)?),
        },
        ::gltf::image::Source::Uri { uri, .. } => ImageSource::File(dir.join(percent_decode(uri))),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A one-triangle glTF with its buffer in a data: URI, a TRIANGLE_FAN of 4 vertices.
    fn fan() -> String {
        let mut bin = Vec::new();
        for p in [[0f32, 0., 0.], [1., 0., 0.], [1., 1., 0.], [0., 1., 0.]] {
            for c in p {
                bin.extend(c.to_le_bytes());
            }
        }
        for c in [[255u8, 0, 0, 255]; 4] {
            bin.extend(c);
        }
        let b64 = base64_encode(&bin);
        format!(
            r#"{{"asset":{{"version":"2.0"}},"scenes":[{{"nodes":[0]}}],"nodes":[{{"mesh":0,"matrix":[2,0,0,0,0,2,0,0,0,0,2,0,1,0,0,1]}}],"meshes":[{{"primitives":[{{"attributes":{{"POSITION":0,"COLOR_0":1}},"mode":6}}]}}],"buffers":[{{"byteLength":{},"uri":"data:application/octet-stream;base64,{b64}"}}],"bufferViews":[{{"buffer":0,"byteLength":48}},{{"buffer":0,"byteOffset":48,"byteLength":16}}],"accessors":[{{"bufferView":0,"componentType":5126,"count":4,"type":"VEC3","min":[0,0,0],"max":[1,1,0]}},{{"bufferView":1,"componentType":5121,"normalized":true,"count":4,"type":"VEC4"}}]}}"#,
            bin.len()
        )
    }

    fn base64_encode(b: &[u8]) -> String {
        const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
        let mut s = String::new();
        for c in b.chunks(3) {
            let n = (u32::from(c[0]) << 16)
                | (u32::from(*c.get(1).unwrap_or(&0)) << 8)
                | u32::from(*c.get(2).unwrap_or(&0));
            for k in 0..4 {
                if k <= c.len() {
                    s.push(A[(n >> (18 - 6 * k) & 63) as usize] as char);
                } else {
                    s.push('=');
                }
            }
        }
        s
    }

    #[test]
    fn a_fan_in_a_data_uri_with_a_matrix_and_unorm_colours() {
        let raw = read_gltf(fan().as_bytes(), Path::new("f.gltf"), 10).unwrap();
        assert_eq!(raw.triangle_count(), 2);
        assert_eq!(raw.positions[2], Vec3::new(3.0, 2.0, 0.0));
        assert_eq!(raw.colours[0], [1.0, 0.0, 0.0, 1.0]);
        let e = read_gltf(fan().as_bytes(), Path::new("f.gltf"), 1).unwrap_err();
        assert!(e.to_string().contains("limit"), "{e}");
    }

    #[test]
    fn nothing_panics_on_odd_input() {
        let file = fan().into_bytes();
        crate::head::raw::read_odd_variants(
            &file,
            0x2545_f491,
            3000,
            1,
            |r| b"0123456789:,\"{}[]-e"[(r >> 8) as usize % 19],
            |f| {
                let _ = read_gltf(f, Path::new("t.gltf"), 10);
            },
        );
    }

    /// A GLB whose header lies about its length, or has another version, is refused with the
    /// byte offset and both numbers.
    #[test]
    fn glb_header_is_checked_against_the_file() {
        let mut b = Vec::new();
        b.extend_from_slice(b"glTF");
        b.extend_from_slice(&2u32.to_le_bytes());
        b.extend_from_slice(&0u32.to_le_bytes());
        let json = br#"{"asset":{"version":"2.0"}}  "#;
        b.extend_from_slice(&(json.len() as u32).to_le_bytes());
        b.extend_from_slice(b"JSON");
        b.extend_from_slice(json);
        let n = b.len() as u32;
        b[8..12].copy_from_slice(&n.to_le_bytes());
        assert_eq!(check_glb_header(&b), Ok(()));
        let mut long = b.clone();
        long[8..12].copy_from_slice(&(n + 7).to_le_bytes());
        let e = check_glb_header(&long).unwrap_err();
        assert!(
            e.starts_with("byte 8:") && e.contains(&format!("{}", n + 7)),
            "{e}"
        );
        let mut v1 = b.clone();
        v1[4] = 1;
        assert!(check_glb_header(&v1).unwrap_err().contains("version 1"));
        let mut chunk = b.clone();
        chunk[12..16].copy_from_slice(&(n * 3).to_le_bytes());
        assert!(check_glb_header(&chunk)
            .unwrap_err()
            .starts_with("byte 12:"));
        assert!(check_glb_header(&b[..10])
            .unwrap_err()
            .contains("cut short"));
        let e = read_gltf(&long, Path::new("x.glb"), 1000)
            .unwrap_err()
            .to_string();
        assert!(e.contains("x.glb") && e.contains("byte 8"), "{e}");
    }
}
