//! A scan's own colour: the base-colour image of its material (OBJ's `map_Kd` in its MTL,
//! glTF's `baseColorTexture`, PLY's `TextureFile`) and its vertex colours, shown on the skin in
//! place of the uniform skin albedo. Everything that can go wrong here (no MTL, no such material, a
//! missing or unreadable image) is a warning, never an error: the head then shows the plain
//! skin.
use std::path::{Path, PathBuf};

/// Images larger than this on either side are scaled down on load: 4096² RGBA is 64 MiB, and
/// a whole head in a picture never shows more detail.
pub const MAX_TEXTURE_SIZE: u32 = 4096;

/// The texture of a head and where it applies.
#[derive(Clone, Debug)]
pub struct SkinTexture {
    /// sRGB colour, top row first (OBJ's v = 1).
    pub image: image::RgbaImage,
    /// Per mesh vertex: (u, v, weight); weight 1 where the texture is shown, 0 where the plain
    /// skin is (faces without texture coordinates or with another material).
    pub uv: Vec<[f32; 3]>,
    /// Per mesh vertex: linear RGB vertex colour and its weight (1 where the scan's vertex
    /// colour is shown, 0 where not), or empty when the scan has no vertex colours. The skin's
    /// albedo is image × colour where either weight is 1 (glTF's base colour is the product);
    /// a scan with only vertex colours has a 1×1 white image and weight 0 in `uv`.
    pub colour: Vec<[f32; 4]>,
    /// The image file (or where the image is held, in words; the scan's file when it has only
    /// vertex colours).
    pub path: PathBuf,
}

/// A material of an MTL file: its name and its diffuse map, resolved to a path.
#[derive(Clone, Debug, PartialEq)]
pub struct Material {
    pub name: String,
    pub map_kd: Option<PathBuf>,
    /// 1-based line of the `map_Kd` statement, for messages.
    pub line: usize,
}

/// Reads the materials of an MTL file's text. Texture paths are resolved against `dir` (the
/// MTL's folder). Options before the file name (`-s 1 1 1`, `-o …`, `-bm 1`, `-clamp on` …)
/// are skipped; the rest of the line is the name, spaces included.
pub fn parse_mtl(text: &str, dir: &Path) -> Vec<Material> {
    let mut out: Vec<Material> = Vec::new();
    for (i, raw) in text.lines().enumerate() {
        let line = raw.split('#').next().unwrap_or("").trim();
        let Some((key, rest)) = line
            .split_once(char::is_whitespace)
            .map(|(k, r)| (k, r.trim()))
        else {
            continue;
        };
        match key {
            "newmtl" => out.push(Material {
                name: rest.to_string(),
                map_kd: None,
                line: i + 1,
            }),
            "map_Kd" => {
                let Some(m) = out.last_mut() else { continue };
                let file = strip_map_options(rest);
                if !file.is_empty() {
                    // Windows exporters write backslashes.
                    m.map_kd = Some(dir.join(file.replace('\\', "/")));
                    m.line = i + 1;
                }
            }
            _ => {}
        }
    }
    out
}

/// The file name of a `map_Kd` statement's arguments, without its options.
fn strip_map_options(args: &str) -> String {
    let tokens: Vec<&str> = args.split_whitespace().collect();
    let mut i = 0;
    while i < tokens.len() && tokens[i].starts_with('-') && tokens[i].len() > 1 {
        let max_args = match tokens[i] {
            "-o" | "-s" | "-t" => 3,
            "-mm" => 2,
            _ => 1,
        };
        i += 1;
        let mut taken = 0;
        while taken < max_args && i < tokens.len() - 1 {
            let t = tokens[i];
            if t.parse::<f32>().is_ok() || matches!(t, "on" | "off") || taken == 0 && t.len() == 1 {
                i += 1;
                taken += 1;
            } else {
                break;
            }
        }
    }
    tokens[i.min(tokens.len())..].join(" ")
}

/// Loads an image for the skin (PNG or JPEG), scaled down to [`MAX_TEXTURE_SIZE`]. The error
/// says what is wrong with the file.
pub fn load_image(path: &Path) -> Result<image::RgbaImage, String> {
    let reader = image::ImageReader::open(path)
        .map_err(|e| format!("cannot open {}: {e}", path.display()))?
        .with_guessed_format()
        .map_err(|e| format!("cannot read {}: {e}", path.display()))?;
    let img = reader
        .decode()
        .map_err(|e| format!("cannot decode {}: {e}", path.display()))?;
    fit_image(img, &path.display().to_string())
}

/// [`load_image`] of encoded bytes held in a scan (a GLB's image, a `data:` URI); `name` says
/// where they are, for messages.
pub fn decode_image(bytes: &[u8], name: &str) -> Result<image::RgbaImage, String> {
    let img = image::ImageReader::new(std::io::Cursor::new(bytes))
        .with_guessed_format()
        .map_err(|e| format!("cannot read {name}: {e}"))?
        .decode()
        .map_err(|e| format!("cannot decode {name}: {e}"))?;
    fit_image(img, name)
}

/// The image as RGBA, scaled down to [`MAX_TEXTURE_SIZE`]; an error when empty.
fn fit_image(img: image::DynamicImage, name: &str) -> Result<image::RgbaImage, String> {
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(format!("{name} is empty ({w}×{h})"));
    }
    let img = if w.max(h) > MAX_TEXTURE_SIZE {
        let k = MAX_TEXTURE_SIZE as f64 / w.max(h) as f64;
        let (nw, nh) = (
            ((w as f64 * k).round() as u32).max(1),
            ((h as f64 * k).round() as u32).max(1),
        );
        log::info!("{name}: {w}×{h} scaled down to {nw}×{nh} for the skin");
        img.resize_exact(nw, nh, image::imageops::FilterType::Triangle)
    } else {
        img
    };
    Ok(img.to_rgba8())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mtl_materials_and_map_options() {
        let text = "\
# exported
newmtl skin
Kd 0.8 0.6 0.5
map_Kd -s 1 1 1 -o 0 0 -bm 0.5 -clamp on textures\\head skin.jpg
newmtl plain
Kd 1 1 1
newmtl other
map_Kd other.png
";
        let m = parse_mtl(text, Path::new("/scans"));
        assert_eq!(m.len(), 3);
        assert_eq!(m[0].name, "skin");
        assert_eq!(
            m[0].map_kd.as_deref(),
            Some(Path::new("/scans/textures/head skin.jpg"))
        );
        assert_eq!(m[0].line, 4);
        assert_eq!(m[1].map_kd, None);
        assert_eq!(m[2].map_kd.as_deref(), Some(Path::new("/scans/other.png")));
        // A map statement before any material is ignored, not a panic.
        assert!(parse_mtl("map_Kd a.png\n", Path::new(".")).is_empty());
    }

    #[test]
    fn unreadable_images_say_why() {
        let dir = std::env::temp_dir().join(format!("scalp-tex-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let bad = dir.join("bad.png");
        std::fs::write(&bad, b"not an image").unwrap();
        let e = load_image(&bad).unwrap_err();
        assert!(e.contains("bad.png"), "{e}");
        let e = load_image(&dir.join("missing.jpg")).unwrap_err();
        assert!(e.contains("missing.jpg"), "{e}");
        let good = dir.join("good.png");
        image::RgbaImage::from_pixel(8, 4, image::Rgba([10, 200, 30, 255]))
            .save(&good)
            .unwrap();
        assert_eq!(load_image(&good).unwrap().dimensions(), (8, 4));
        std::fs::remove_dir_all(&dir).ok();
    }
}
