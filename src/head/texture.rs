//! A scan's own colour: the base-colour image of its material (OBJ's `map_Kd` in its MTL,
//! glTF's `baseColorTexture`, PLY's `TextureFile`) and its vertex colours, shown on the skin in
//! place of the uniform skin albedo. Everything that can go wrong here (no MTL, no such material, a
//! missing or unreadable image) is a warning, never an error: the head then shows the plain
//! skin.
use std::path::{Path, PathBuf};

use crate::limits::{MAX_TEXTURE_FILE_BYTES, MAX_TEXTURE_PIXELS, TEXTURE_SIDE_SHOWN};

/// Images larger than this on either side are scaled down on load (see
/// [`crate::limits::TEXTURE_SIDE_SHOWN`]).
pub const MAX_TEXTURE_SIZE: u32 = TEXTURE_SIDE_SHOWN;

/// A decoded texture, and the words saying it was scaled down (from and to) when it was.
pub type Loaded = (image::RgbaImage, Option<String>);

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

/// Loads an image for the skin (PNG or JPEG), scaled down to [`MAX_TEXTURE_SIZE`] (the
/// second value says so, from and to). The error says what is wrong with the file, or which
/// limit it passes and by how much.
pub fn load_image(path: &Path) -> Result<Loaded, String> {
    let name = path.display().to_string();
    let bytes = std::fs::metadata(path)
        .map_err(|e| format!("cannot open {name}: {e}"))?
        .len();
    if let Some(m) = crate::limits::file_size(bytes, MAX_TEXTURE_FILE_BYTES) {
        return Err(format!("{name}: {m}"));
    }
    let open = || {
        image::ImageReader::open(path)
            .map_err(|e| format!("cannot open {name}: {e}"))?
            .with_guessed_format()
            .map_err(|e| format!("cannot read {name}: {e}"))
    };
    decode(open, &name, MAX_TEXTURE_PIXELS)
}

/// [`load_image`] of encoded bytes held in a scan (a GLB's image, a `data:` URI); `name` says
/// where they are, for messages.
pub fn decode_image(bytes: &[u8], name: &str) -> Result<Loaded, String> {
    decode_image_limited(bytes, name, MAX_TEXTURE_PIXELS)
}

/// [`decode_image`] with another pixel limit (the fuzzer's is small, to stay in its memory).
pub fn decode_image_limited(bytes: &[u8], name: &str, max_pixels: u64) -> Result<Loaded, String> {
    let open = || {
        image::ImageReader::new(std::io::Cursor::new(bytes))
            .with_guessed_format()
            .map_err(|e| format!("cannot read {name}: {e}"))
    };
    decode(open, name, max_pixels)
}

/// Reads the image's size from its header (`open` gives a fresh reader each time), refuses it
/// over `max_pixels`, then decodes it with a memory limit sized to it (the image crate's
/// default, 512 MiB, would refuse a valid 16384² texture) and scales it down.
fn decode<R: std::io::BufRead + std::io::Seek>(
    open: impl Fn() -> Result<image::ImageReader<R>, String>,
    name: &str,
    max_pixels: u64,
) -> Result<Loaded, String> {
    let (w, h) = open()?
        .into_dimensions()
        .map_err(|e| format!("cannot decode {name}: {e}"))?;
    let pixels = u64::from(w) * u64::from(h);
    if let Some(m) = crate::limits::exceeded("pixels", pixels, max_pixels) {
        return Err(format!(
            "{name} is {w}×{h}: {m}; scale it down to {MAX_TEXTURE_SIZE}×{MAX_TEXTURE_SIZE} first"
        ));
    }
    let mut reader = open()?;
    let mut limits = image::Limits::default();
    // Up to 16 bytes a pixel (32-bit float RGBA), plus the decoder's own buffers.
    limits.max_alloc = Some(pixels.saturating_mul(16).saturating_add(64 << 20));
    reader.limits(limits);
    let img = reader
        .decode()
        .map_err(|e| format!("cannot decode {name}: {e}"))?;
    fit_image(img, name)
}

/// The image as RGBA, scaled down to [`MAX_TEXTURE_SIZE`] (with the words saying so); an error
/// when empty.
fn fit_image(img: image::DynamicImage, name: &str) -> Result<Loaded, String> {
    let (w, h) = (img.width(), img.height());
    if w == 0 || h == 0 {
        return Err(format!("{name} is empty ({w}×{h})"));
    }
    if w.max(h) <= MAX_TEXTURE_SIZE {
        return Ok((img.into_rgba8(), None));
    }
    // A whole-number box average first (cheap, in place of a filter's full-size float
    // buffers), then a filter for the rest.
    let rgba = img.into_rgba8();
    let k = w.max(h).div_ceil(MAX_TEXTURE_SIZE);
    let boxed = if k >= 2 { box_reduce(&rgba, k) } else { rgba };
    let scale = MAX_TEXTURE_SIZE as f64 / w.max(h) as f64;
    let (nw, nh) = (
        ((w as f64 * scale).round() as u32).clamp(1, MAX_TEXTURE_SIZE),
        ((h as f64 * scale).round() as u32).clamp(1, MAX_TEXTURE_SIZE),
    );
    let out = if boxed.dimensions() == (nw, nh) {
        boxed
    } else {
        image::imageops::resize(&boxed, nw, nh, image::imageops::FilterType::Triangle)
    };
    let (ow, oh) = out.dimensions();
    Ok((
        out,
        Some(format!(
            "the texture {name} ({w}×{h}) was scaled down to {ow}×{oh}, the most a skin shows"
        )),
    ))
}

/// The image reduced by `k` on each side, each pixel the average of its k×k block (blocks at
/// the right and bottom edges may be smaller).
fn box_reduce(img: &image::RgbaImage, k: u32) -> image::RgbaImage {
    let (w, h) = img.dimensions();
    let (nw, nh) = (w.div_ceil(k), h.div_ceil(k));
    let mut sums = vec![[0u64; 4]; nw as usize];
    let mut out = image::RgbaImage::new(nw, nh);
    for by in 0..nh {
        sums.iter_mut().for_each(|s| *s = [0; 4]);
        let rows = (by * k)..((by + 1) * k).min(h);
        let n_rows = rows.len() as u64;
        for y in rows {
            for x in 0..w {
                let p = img.get_pixel(x, y).0;
                let s = &mut sums[(x / k) as usize];
                for c in 0..4 {
                    s[c] += u64::from(p[c]);
                }
            }
        }
        for bx in 0..nw {
            let n = n_rows * u64::from(((bx + 1) * k).min(w) - bx * k);
            let s = sums[bx as usize];
            out.put_pixel(bx, by, image::Rgba(s.map(|v| ((v + n / 2) / n) as u8)));
        }
    }
    out
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
        assert_eq!(load_image(&good).unwrap().0.dimensions(), (8, 4));
        std::fs::remove_dir_all(&dir).ok();
    }

    /// An RGBA image over the image crate's default 512 MiB decoding limit (12000² × 4 bytes)
    /// is scaled down with words saying from and to, not refused; one over the pixel limit
    /// is refused, naming the limit and its size, before it is decoded.
    #[test]
    fn a_huge_texture_is_scaled_down_and_one_beyond_the_limit_is_refused() {
        let side = 12000;
        let img = image::RgbaImage::from_fn(side, side, |x, _| {
            image::Rgba([if x < side / 2 { 40 } else { 220 }, 120, 90, 255])
        });
        let mut png = Vec::new();
        image::DynamicImage::ImageRgba8(img)
            .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
            .unwrap();
        let (out, note) = decode_image(&png, "big.png").unwrap();
        assert_eq!(out.dimensions(), (MAX_TEXTURE_SIZE, MAX_TEXTURE_SIZE));
        let note = note.unwrap();
        assert!(
            note.contains("12000×12000") && note.contains("4096×4096"),
            "{note}"
        );
        // The halves keep their colours (the box average does not smear them).
        assert_eq!(out.get_pixel(10, 10).0, [40, 120, 90, 255]);
        assert_eq!(out.get_pixel(4000, 10).0, [220, 120, 90, 255]);
        let e = decode_image_limited(&png, "big.png", 1 << 20).unwrap_err();
        assert!(
            e.contains("12000×12000") && e.contains("144000000 pixels") && e.contains("1048576"),
            "{e}"
        );
    }

    #[test]
    fn box_reduce_averages_blocks_with_short_edges() {
        let img = image::RgbaImage::from_fn(5, 3, |x, y| image::Rgba([(10 * x + y) as u8; 4]));
        let out = box_reduce(&img, 2);
        assert_eq!(out.dimensions(), (3, 2));
        // (0,0),(1,0),(0,1),(1,1): 0, 10, 1, 11 → 5.5 → 6; the last column is 40, 41 → 40.5 → 41.
        assert_eq!(out.get_pixel(0, 0).0[0], 6);
        assert_eq!(out.get_pixel(2, 0).0[0], 41);
        // The last row alone: 2, 12 → 7.
        assert_eq!(out.get_pixel(0, 1).0[0], 7);
    }

    /// A PNG whose header says 16385×16384 is refused from the header alone (its pixels are
    /// never decoded: the file holds none), naming the pixels and the limit.
    #[test]
    fn a_texture_over_the_pixel_limit_is_refused_from_its_header() {
        fn crc32(bytes: &[u8]) -> u32 {
            let mut c = !0u32;
            for &b in bytes {
                c ^= u32::from(b);
                for _ in 0..8 {
                    c = if c & 1 == 1 {
                        0xedb8_8320 ^ (c >> 1)
                    } else {
                        c >> 1
                    };
                }
            }
            !c
        }
        let mut ihdr = b"IHDR".to_vec();
        ihdr.extend(16385u32.to_be_bytes());
        ihdr.extend(16384u32.to_be_bytes());
        ihdr.extend([8, 6, 0, 0, 0]);
        let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
        png.extend(13u32.to_be_bytes());
        png.extend(&ihdr);
        png.extend(crc32(&ihdr).to_be_bytes());
        // An empty IDAT and the end: the decoder reads the header up to the first IDAT.
        for chunk in [&b"IDAT"[..], &b"IEND"[..]] {
            png.extend(0u32.to_be_bytes());
            png.extend(chunk);
            png.extend(crc32(chunk).to_be_bytes());
        }
        let e = decode_image(&png, "huge.png").unwrap_err();
        let pixels = 16385u64 * 16384;
        assert!(
            e.contains("16385×16384")
                && e.contains(&format!("{pixels} pixels"))
                && e.contains(&MAX_TEXTURE_PIXELS.to_string()),
            "{e}"
        );
    }
}
