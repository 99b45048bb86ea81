//! The treatment put into the photo: the photo is the skin (its colour, its light), and each
//! pixel is multiplied by what the dots do to the skin the engine draws there from the photo's
//! camera, the treated head's light over the untreated head's (linear RGB). Skin the dots do
//! not reach, parts the camera does not see and everything off the head keep a ratio of one
//! and so stay as they were; pixels that do not look like skin (the photo's own hair, the
//! background where the drawn head spills past the client's) are never darkened. Also: reading a photo safely (size before decoding) and its
//! lens from EXIF, and whether the photo shows skin where the fit puts the scalp.
use crate::error::{Result, ScalpError};
use std::io::{Read, Seek};
use std::path::Path;

/// Largest photo side read, px: the renderer's largest picture.
pub const MAX_SIDE: u32 = 16384;
/// Largest photo read, pixels (a 100-megapixel medium-format camera is below it).
pub const MAX_PIXELS: u64 = 120_000_000;
/// Diagonal of the 35 mm film frame, mm: EXIF's 35 mm-equivalent focal length is by diagonal.
pub const FILM_DIAGONAL_MM: f64 = 43.267;
/// Untreated light (linear) below which a pixel's ratio is not trusted (8-bit noise) and is 1.
const MIN_LINEAR: f32 = 2e-3;
/// Share of the visible treated scalp whose photo pixels must look like skin.
pub const MIN_SKIN_SHARE: f64 = 0.5;

pub fn srgb_to_linear(c: u8) -> f32 {
    let c = c as f32 / 255.0;
    if c <= 0.04045 {
        c / 12.92
    } else {
        ((c + 0.055) / 1.055).powf(2.4)
    }
}

pub fn linear_to_srgb(c: f32) -> u8 {
    let c = c.clamp(0.0, 1.0);
    let s = if c <= 0.0031308 {
        c * 12.92
    } else {
        1.055 * c.powf(1.0 / 2.4) - 0.055
    };
    (s * 255.0 + 0.5) as u8
}

/// A photo as read: its pixels and, when its EXIF says so, the lens's focal length in pixels.
pub struct Photo {
    pub image: image::RgbaImage,
    pub focal_px: Option<f64>,
    /// The 35 mm-equivalent focal length the EXIF gave, mm.
    pub focal_35mm: Option<f64>,
}

/// Reads a photo (JPEG or PNG), refusing by its header a size past [`MAX_SIDE`] or
/// [`MAX_PIXELS`] before any pixel is decoded.
pub fn load_photo(path: &Path) -> Result<Photo> {
    let bad = |m: String| ScalpError::invalid("photo", format!("{}: {m}", path.display()));
    let bytes = std::fs::read(path).map_err(|source| ScalpError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let reader = || {
        image::ImageReader::new(std::io::Cursor::new(&bytes))
            .with_guessed_format()
            .map_err(|e| bad(e.to_string()))
    };
    let (w, h) = reader()?
        .into_dimensions()
        .map_err(|e| bad(format!("not a readable JPEG or PNG image ({e})")))?;
    if w == 0 || h == 0 || w > MAX_SIDE || h > MAX_SIDE || w as u64 * h as u64 > MAX_PIXELS {
        return Err(bad(format!(
            "{w}x{h} is too large: each side at most {MAX_SIDE} px and at most {} megapixels \
             (scale the photo down; a head needs no more than 4000 px)",
            MAX_PIXELS / 1_000_000
        )));
    }
    let mut r = reader()?;
    let mut limits = image::Limits::default();
    limits.max_image_width = Some(MAX_SIDE);
    limits.max_image_height = Some(MAX_SIDE);
    r.limits(limits);
    let image = r
        .decode()
        .map_err(|e| bad(format!("cannot decode the image ({e})")))?
        .to_rgba8();
    let focal_35mm = exif_focal_35mm(&mut std::io::Cursor::new(&bytes));
    let diag = (w as f64).hypot(h as f64);
    Ok(Photo {
        image,
        focal_px: focal_35mm.map(|f| f / FILM_DIAGONAL_MM * diag),
        focal_35mm,
    })
}

/// The 35 mm-equivalent focal length (EXIF tag 0xA405) of a JPEG, if it has one. A minimal
/// reader: the APP1 Exif segment, its TIFF header, IFD0's Exif IFD pointer, the tag. Anything
/// unexpected gives None.
pub fn exif_focal_35mm(r: &mut (impl Read + Seek)) -> Option<f64> {
    let mut head = [0u8; 2];
    r.read_exact(&mut head).ok()?;
    if head != [0xFF, 0xD8] {
        return None;
    }
    loop {
        let mut m = [0u8; 4];
        r.read_exact(&mut m).ok()?;
        if m[0] != 0xFF || m[1] == 0xDA || m[1] == 0xD9 {
            return None;
        }
        let len = u16::from_be_bytes([m[2], m[3]]) as usize;
        if len < 2 {
            return None;
        }
        let mut seg = vec![0u8; len - 2];
        r.read_exact(&mut seg).ok()?;
        if m[1] == 0xE1 && seg.starts_with(b"Exif\0\0") {
            return tiff_focal_35mm(&seg[6..]);
        }
    }
}

fn tiff_focal_35mm(t: &[u8]) -> Option<f64> {
    let le = match t.get(0..2)? {
        b"II" => true,
        b"MM" => false,
        _ => return None,
    };
    let u16_at = |o: usize| {
        let b: [u8; 2] = t.get(o..o + 2)?.try_into().ok()?;
        Some(if le {
            u16::from_le_bytes(b)
        } else {
            u16::from_be_bytes(b)
        })
    };
    let u32_at = |o: usize| {
        let b: [u8; 4] = t.get(o..o + 4)?.try_into().ok()?;
        Some(if le {
            u32::from_le_bytes(b)
        } else {
            u32::from_be_bytes(b)
        })
    };
    // Entries of the IFD at `ifd`: (tag, type, value field offset).
    let find = |ifd: usize, tag: u16| -> Option<(u16, usize)> {
        let n = u16_at(ifd)? as usize;
        (0..n.min(512)).find_map(|i| {
            let e = ifd + 2 + 12 * i;
            (u16_at(e)? == tag).then_some((u16_at(e + 2)?, e + 8))
        })
    };
    let ifd0 = u32_at(4)? as usize;
    let (_, at) = find(ifd0, 0x8769)?;
    let exif_ifd = u32_at(at)? as usize;
    let (kind, at) = find(exif_ifd, 0xA405)?;
    let v = match kind {
        3 => u16_at(at)? as f64,
        4 => u32_at(at)? as f64,
        _ => return None,
    };
    (v > 0.0).then_some(v)
}

/// The photo with the treatment in it: each pixel times `treated / untreated` (the engine's
/// two renders from the photo's camera, same size), in linear light.
pub fn composite(
    photo: &image::RgbaImage,
    treated: &image::RgbaImage,
    untreated: &image::RgbaImage,
) -> Result<image::RgbaImage> {
    if photo.dimensions() != treated.dimensions() || photo.dimensions() != untreated.dimensions() {
        return Err(ScalpError::invalid(
            "photo",
            "the renders are not the photo's size",
        ));
    }
    let mut out = photo.clone();
    for ((o, t), u) in out
        .pixels_mut()
        .zip(treated.pixels())
        .zip(untreated.pixels())
    {
        // Only skin takes dots: where the head drawn spills past the client's own (a head
        // shaped otherwise, a point picked off), and on his own hair, the photo stays.
        if t == u || !looks_like_skin(o) {
            continue;
        }
        for c in 0..3 {
            let (lt, lu) = (srgb_to_linear(t[c]), srgb_to_linear(u[c]));
            if lu < MIN_LINEAR {
                continue;
            }
            let ratio = (lt / lu).min(1.0);
            o[c] = linear_to_srgb(srgb_to_linear(o[c]) * ratio);
        }
    }
    Ok(out)
}

/// Whether a pixel looks like skin of any Fitzpatrick type under ordinary light: neither
/// black nor blown out, red above blue, not green above red by much.
pub fn looks_like_skin(p: &image::Rgba<u8>) -> bool {
    let (r, g, b) = (p[0] as f32, p[1] as f32, p[2] as f32);
    let sum = r + g + b;
    sum > 45.0 && r < 254.0 && r - b > 0.06 * sum / 3.0 && g < 1.1 * r
}

/// Refuses a photo that shows no head where the fit puts the treated scalp: of the pixels the
/// dots change (`treated` ≠ `untreated`), at least [`MIN_SKIN_SHARE`] must look like skin.
/// Returns the share.
pub fn check_head_in_photo(
    photo: &image::RgbaImage,
    treated: &image::RgbaImage,
    untreated: &image::RgbaImage,
) -> Result<f64> {
    let (mut scalp, mut skin) = (0u64, 0u64);
    for ((p, t), u) in photo.pixels().zip(treated.pixels()).zip(untreated.pixels()) {
        if t != u {
            scalp += 1;
            skin += looks_like_skin(p) as u64;
        }
    }
    if scalp == 0 {
        return Err(ScalpError::invalid(
            "photo",
            "the fitted camera sees none of the treated scalp: nothing to show on this photo \
             (a view of the face or the back below the treated zone?)",
        ));
    }
    let share = skin as f64 / scalp as f64;
    if share < MIN_SKIN_SHARE {
        return Err(ScalpError::invalid(
            "photo",
            format!(
                "the photo shows no head where the points put the scalp: {:.0}% of those \
                 {scalp} pixels look like skin (at least {:.0}% needed); are the points from \
                 this photo?",
                100.0 * share,
                100.0 * MIN_SKIN_SHARE
            ),
        ));
    }
    Ok(share)
}

/// A PNG that says it is 30000×30000 in a valid header, with an empty image data chunk after
/// it (a reader reaches its first data chunk before it reports the size): what the refusal by
/// size is tested with.
#[doc(hidden)]
pub fn huge_png_header() -> Vec<u8> {
    // CRC-32 (ISO 3309) of a chunk's type and data, as PNG readers check it.
    let chunk = |kind: &[u8], data: &[u8]| {
        let mut body = kind.to_vec();
        body.extend(data);
        let mut crc = 0xFFFF_FFFFu32;
        for b in &body {
            crc ^= *b as u32;
            for _ in 0..8 {
                crc = if crc & 1 != 0 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        let mut out = (data.len() as u32).to_be_bytes().to_vec();
        out.extend(body);
        out.extend((!crc).to_be_bytes());
        out
    };
    let mut ihdr = 30000u32.to_be_bytes().to_vec();
    ihdr.extend(30000u32.to_be_bytes());
    ihdr.extend([8, 2, 0, 0, 0]);
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(chunk(b"IHDR", &ihdr));
    png.extend(chunk(b"IDAT", &[]));
    png.extend(chunk(b"IEND", &[]));
    png
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_ratio_turns_the_untreated_render_into_the_treated_one_and_leaves_the_rest() {
        let mut untreated = image::RgbaImage::from_pixel(4, 1, image::Rgba([200, 150, 120, 255]));
        let mut treated = untreated.clone();
        treated.put_pixel(1, 0, image::Rgba([100, 80, 70, 255]));
        untreated.put_pixel(3, 0, image::Rgba([30, 30, 30, 255]));
        treated.put_pixel(3, 0, image::Rgba([30, 30, 30, 255]));
        let out = composite(&untreated, &treated, &untreated).unwrap();
        for x in 0..4 {
            let (o, t) = (out.get_pixel(x, 0), treated.get_pixel(x, 0));
            for c in 0..3 {
                assert!(
                    (o[c] as i32 - t[c] as i32).abs() <= 1,
                    "{x}: {o:?} vs {t:?}"
                );
            }
        }
        // A different photo keeps its own colour where nothing is treated and is darkened
        // by the same factor where the dots are.
        let photo = image::RgbaImage::from_pixel(4, 1, image::Rgba([90, 60, 40, 255]));
        let out = composite(&photo, &treated, &untreated).unwrap();
        assert_eq!(out.get_pixel(0, 0), photo.get_pixel(0, 0));
        let f = srgb_to_linear(100) / srgb_to_linear(200);
        let want = linear_to_srgb(srgb_to_linear(90) * f);
        assert!((out.get_pixel(1, 0)[0] as i32 - want as i32).abs() <= 1);
    }

    #[test]
    fn exif_35mm_focal_length_is_read_from_a_jpeg() {
        // SOI, APP1 Exif with a little-endian TIFF: IFD0 → Exif IFD → 0xA405 = 28 (SHORT).
        let mut tiff = b"II*\0\x08\0\0\0".to_vec();
        tiff.extend([1, 0, 0x69, 0x87, 4, 0, 1, 0, 0, 0, 26, 0, 0, 0, 0, 0, 0, 0]);
        tiff.extend([1, 0, 0x05, 0xA4, 3, 0, 1, 0, 0, 0, 28, 0, 0, 0, 0, 0, 0, 0]);
        let mut seg = b"Exif\0\0".to_vec();
        seg.extend(&tiff);
        let mut jpg = vec![0xFF, 0xD8, 0xFF, 0xE1];
        jpg.extend(((seg.len() + 2) as u16).to_be_bytes());
        jpg.extend(&seg);
        jpg.extend([0xFF, 0xD9]);
        assert_eq!(exif_focal_35mm(&mut std::io::Cursor::new(&jpg)), Some(28.0));
        // Truncated anywhere: nothing, never a panic.
        for n in 0..jpg.len() {
            let _ = exif_focal_35mm(&mut std::io::Cursor::new(&jpg[..n]));
        }
        assert_eq!(exif_focal_35mm(&mut std::io::Cursor::new(b"\x89PNG")), None);
    }

    #[test]
    fn oversized_and_corrupt_photos_are_refused_before_decoding() {
        let dir = std::env::temp_dir().join(format!("scalp-photo-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let png = huge_png_header();
        let big = dir.join("big.png");
        std::fs::write(&big, &png).unwrap();
        let e = load_photo(&big).err().unwrap().to_string();
        assert!(e.contains("30000x30000 is too large"), "{e}");
        let bad = dir.join("bad.jpg");
        std::fs::write(&bad, b"\xFF\xD8\xFF\xE0 this is not a jpeg").unwrap();
        let e = load_photo(&bad).err().unwrap().to_string();
        assert!(e.contains("bad.jpg"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn skin_is_told_from_grey_walls_and_blue_cloth() {
        for skin in [
            [236, 200, 180],
            [200, 150, 120],
            [120, 80, 60],
            [60, 40, 32],
        ] {
            assert!(looks_like_skin(&image::Rgba([
                skin[0], skin[1], skin[2], 255
            ])));
        }
        for other in [
            [128, 128, 128],
            [40, 60, 160],
            [60, 140, 60],
            [10, 8, 6],
            [255, 255, 255],
        ] {
            assert!(!looks_like_skin(&image::Rgba([
                other[0], other[1], other[2], 255
            ])));
        }
    }
}
