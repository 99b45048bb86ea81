//! A baked head as one glTF 2.0 binary (.glb): the mesh in metres with normals and texture
//! coordinates, one material per moment, each with its own base-colour texture (JPEG), tied
//! together by `KHR_materials_variants` so a viewer can switch times; the primitive's own
//! material is the moment the client asked for. Phone viewers that know no variants show that
//! one.
use super::unwrap::UvMesh;
use serde_json::{json, Value};

/// One material variant: its name and its texture as JPEG bytes.
pub struct Variant {
    pub name: String,
    pub jpeg: Vec<u8>,
}

/// JPEG quality of the baked textures: dots survive it, and a 4096² texture is a few MB.
pub const JPEG_QUALITY: u8 = 92;

/// Encodes a baked texture as JPEG.
pub fn jpeg(img: &image::RgbImage) -> std::result::Result<Vec<u8>, String> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, JPEG_QUALITY)
        .encode_image(img)
        .map_err(|e| e.to_string())?;
    Ok(out)
}

/// The binary buffer being built, with each piece 4-byte aligned as glTF asks.
#[derive(Default)]
struct Bin {
    bytes: Vec<u8>,
    views: Vec<Value>,
}

impl Bin {
    fn push(&mut self, data: &[u8], target: Option<u32>) -> usize {
        while !self.bytes.len().is_multiple_of(4) {
            self.bytes.push(0);
        }
        let mut view = json!({
            "buffer": 0,
            "byteOffset": self.bytes.len(),
            "byteLength": data.len(),
        });
        if let Some(t) = target {
            view["target"] = json!(t);
        }
        self.bytes.extend_from_slice(data);
        self.views.push(view);
        self.views.len() - 1
    }
}

const ARRAY_BUFFER: u32 = 34962;
const ELEMENT_ARRAY_BUFFER: u32 = 34963;
const FLOAT: u32 = 5126;
const UNSIGNED_INT: u32 = 5125;

/// Millimetres (head space) to glTF's metres. Head space's axes are glTF's already: +Y up,
/// the face toward +Z.
const METRES_PER_MM: f32 = 0.001;

/// The .glb bytes of `mesh` with `variants`; `default` is the variant the primitive shows.
pub fn glb(mesh: &UvMesh, variants: &[Variant], default: usize) -> Vec<u8> {
    let mut bin = Bin::default();
    let positions: Vec<[f32; 3]> = mesh
        .positions
        .iter()
        .map(|p| (*p * METRES_PER_MM).to_array())
        .collect();
    let (mut lo, mut hi) = ([f32::INFINITY; 3], [f32::NEG_INFINITY; 3]);
    for p in &positions {
        for c in 0..3 {
            lo[c] = lo[c].min(p[c]);
            hi[c] = hi[c].max(p[c]);
        }
    }
    let normals: Vec<[f32; 3]> = mesh
        .normals
        .iter()
        .map(|n| n.try_normalize().unwrap_or(glam::Vec3::Y).to_array())
        .collect();
    let uvs: Vec<[f32; 2]> = mesh.uvs.iter().map(|u| u.to_array()).collect();
    let pos_view = bin.push(bytemuck::cast_slice(&positions), Some(ARRAY_BUFFER));
    let nrm_view = bin.push(bytemuck::cast_slice(&normals), Some(ARRAY_BUFFER));
    let uv_view = bin.push(bytemuck::cast_slice(&uvs), Some(ARRAY_BUFFER));
    let idx_view = bin.push(
        bytemuck::cast_slice(&mesh.indices),
        Some(ELEMENT_ARRAY_BUFFER),
    );
    let n = positions.len();
    let accessors = json!([
        {"bufferView": pos_view, "componentType": FLOAT, "count": n, "type": "VEC3",
         "min": lo, "max": hi},
        {"bufferView": nrm_view, "componentType": FLOAT, "count": n, "type": "VEC3"},
        {"bufferView": uv_view, "componentType": FLOAT, "count": n, "type": "VEC2"},
        {"bufferView": idx_view, "componentType": UNSIGNED_INT, "count": mesh.indices.len(),
         "type": "SCALAR"},
    ]);
    let mut images = Vec::new();
    let mut textures = Vec::new();
    let mut materials = Vec::new();
    let mut mappings = Vec::new();
    for (k, v) in variants.iter().enumerate() {
        let view = bin.push(&v.jpeg, None);
        images.push(json!({"bufferView": view, "mimeType": "image/jpeg", "name": v.name}));
        textures.push(json!({"sampler": 0, "source": k}));
        materials.push(json!({
            "name": v.name,
            "pbrMetallicRoughness": {
                "baseColorTexture": {"index": k},
                "metallicFactor": 0.0,
                // Skin with a thin film of sebum: a broad, weak sheen.
                "roughnessFactor": 0.6,
            },
        }));
        mappings.push(json!({"material": k, "variants": [k]}));
    }
    while !bin.bytes.len().is_multiple_of(4) {
        bin.bytes.push(0);
    }
    let mut primitive = json!({
        "attributes": {"POSITION": 0, "NORMAL": 1, "TEXCOORD_0": 2},
        "indices": 3,
        "material": default.min(variants.len().saturating_sub(1)),
    });
    let mut root = json!({
        "asset": {"version": "2.0", "generator": "scalp (scalp micropigmentation preview)"},
        "scene": 0,
        "scenes": [{"nodes": [0]}],
        "nodes": [{"mesh": 0, "name": "head"}],
        "buffers": [{"byteLength": bin.bytes.len()}],
        "bufferViews": bin.views,
        "accessors": accessors,
        "samplers": [{"magFilter": 9729, "minFilter": 9987, "wrapS": 33071, "wrapT": 33071}],
        "images": images,
        "textures": textures,
        "materials": materials,
    });
    if variants.len() > 1 {
        primitive["extensions"] = json!({"KHR_materials_variants": {"mappings": mappings}});
        root["extensionsUsed"] = json!(["KHR_materials_variants"]);
        root["extensions"] = json!({"KHR_materials_variants": {
            "variants": variants.iter().map(|v| json!({"name": v.name})).collect::<Vec<_>>(),
        }});
    }
    root["meshes"] = json!([{"name": "head", "primitives": [primitive]}]);
    let mut text = serde_json::to_vec(&root).unwrap_or_default();
    while !text.len().is_multiple_of(4) {
        text.push(b' ');
    }
    let total = 12 + 8 + text.len() + 8 + bin.bytes.len();
    let mut out = Vec::with_capacity(total);
    out.extend_from_slice(b"glTF");
    out.extend_from_slice(&2u32.to_le_bytes());
    out.extend_from_slice(&(total as u32).to_le_bytes());
    out.extend_from_slice(&(text.len() as u32).to_le_bytes());
    out.extend_from_slice(b"JSON");
    out.extend_from_slice(&text);
    out.extend_from_slice(&(bin.bytes.len() as u32).to_le_bytes());
    out.extend_from_slice(b"BIN\0");
    out.extend_from_slice(&bin.bytes);
    out
}

/// The JSON chunk of a .glb, parsed (for checks and the page's variant list).
pub fn json_of(glb: &[u8]) -> Option<Value> {
    if glb.len() < 20 || &glb[0..4] != b"glTF" || &glb[16..20] != b"JSON" {
        return None;
    }
    let len = u32::from_le_bytes(glb[12..16].try_into().ok()?) as usize;
    serde_json::from_slice(glb.get(20..20 + len)?).ok()
}
