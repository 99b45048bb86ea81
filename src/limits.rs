//! The limits on what scalp accepts from outside, in one place: every reader and the CLI
//! check against these, and every refusal says the limit and the value found
//! ([`exceeded`]). The README lists them (its "Limits" table is this file in words).
//!
//! Each is set well above a real clinic's input (a head scan has 0.1–5 M triangles and a
//! 2–8 K texture), and low enough that what passes fits in memory on a laptop.

/// Triangles in one scan, after polygons are split (n corners → n − 2): 20 M triangles is
/// ~1 GB as binary STL and several times any head scan.
pub const MAX_TRIANGLES: u64 = 20_000_000;

/// Vertices a scan file declares (OBJ `v` statements, PLY `vertex` records, glTF `POSITION`
/// counts): three per triangle of [`MAX_TRIANGLES`], as a triangle soup has.
pub const MAX_VERTICES: u64 = 3 * MAX_TRIANGLES;

/// Corners of one polygon (an OBJ `f`, a PLY face): a scan's faces have 3 or 4; a polygon of
/// more is a hole's cap or a modelling tool's n-gon, and far beyond this it is an error.
pub const MAX_POLYGON_CORNERS: u64 = 1_000_000;

/// Texture images larger than this on either side are scaled down on load: 4096² RGBA is
/// 64 MiB, and a whole head in a picture never shows more detail.
pub const TEXTURE_SIDE_SHOWN: u32 = 4096;

/// Pixels of a texture image that scalp decodes (then scales down): 16384² (1 GiB as RGBA);
/// larger images are refused before decoding.
pub const MAX_TEXTURE_PIXELS: u64 = 16384 * 16384;

/// Bytes of a scan file (mesh): 20 M triangles as text OBJ with normals and UVs.
pub const MAX_SCAN_FILE_BYTES: u64 = 4 << 30;

/// Bytes of a texture image file.
pub const MAX_TEXTURE_FILE_BYTES: u64 = 1 << 30;

/// Bytes of a plan or landmarks file (text a person writes: a few kB).
pub const MAX_TEXT_FILE_BYTES: u64 = 1 << 20;

/// Dots one treatment may ask for (`--dots`, or the plan's densities on the head): 10⁸
/// dots is 4.8 GB of GPU memory; the GPU memory budget may refuse fewer.
pub const MAX_DOTS: u64 = 100_000_000;

/// Sides of an output image, in pixels (the largest 2D texture wgpu promises).
pub const IMAGE_SIDE: (u32, u32) = (16, 16384);

/// The sizes a scan may measure across (the middle 98% of its vertices, in its own units)
/// to be read at all: within f32's normal range with room for the products taken on it.
/// Within this, a scan in none of mm, cm or m is scaled to a head's size.
pub const SCAN_SIZE_UNITS: (f64, f64) = (1e-30, 1e36);

/// The sizes, in millimetres, a head may measure across when the units are given: far
/// outside this the given units are wrong (a head is 150–400 mm with its neck).
pub const HEAD_SIZE_MM: (f64, f64) = (20.0, 5000.0);

/// The refusal of `value` over `limit` for `what` (in words): "… has N WHAT, more than the
/// limit of M" is what every caller says, so each refusal names both numbers.
pub fn exceeded(what: &str, value: u64, limit: u64) -> Option<String> {
    (value > limit).then(|| format!("{value} {what}, more than the limit of {limit}"))
}

/// Refuses a file of `bytes` over `limit`: the words for the error, naming both.
pub fn file_size(bytes: u64, limit: u64) -> Option<String> {
    exceeded("bytes", bytes, limit).map(|m| format!("the file is {m}"))
}

/// Refuses an image side outside [`IMAGE_SIDE`]: the words for the error.
pub fn image_side(w: u32, h: u32) -> Option<String> {
    let (lo, hi) = IMAGE_SIDE;
    (!(lo..=hi).contains(&w) || !(lo..=hi).contains(&h))
        .then(|| format!("{w}x{h}: each side must be {lo}–{hi} pixels"))
}

/// Reads a whole file of at most `limit` bytes; a longer one (a pipe included: the reading
/// stops one byte past the limit) is an `InvalidData` error naming its size and the limit.
pub fn read_capped(path: &std::path::Path, limit: u64) -> std::io::Result<Vec<u8>> {
    use std::io::Read;
    let file = std::fs::File::open(path)?;
    let len = file.metadata()?.len();
    if let Some(m) = file_size(len, limit) {
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, m));
    }
    let mut bytes = Vec::with_capacity(len as usize);
    file.take(limit + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > limit {
        let m = format!("the file is longer than the limit of {limit} bytes");
        return Err(std::io::Error::new(std::io::ErrorKind::InvalidData, m));
    }
    Ok(bytes)
}

/// [`read_capped`] as UTF-8 text.
pub fn read_capped_text(path: &std::path::Path, limit: u64) -> std::io::Result<String> {
    String::from_utf8(read_capped(path, limit)?)
        .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidData, e))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_name_the_value_and_the_limit() {
        assert_eq!(exceeded("triangles", MAX_TRIANGLES, MAX_TRIANGLES), None);
        let m = exceeded("triangles", MAX_TRIANGLES + 1, MAX_TRIANGLES).unwrap();
        assert!(m.contains("20000001") && m.contains("20000000"), "{m}");
        let m = file_size(MAX_TEXT_FILE_BYTES + 1, MAX_TEXT_FILE_BYTES).unwrap();
        assert!(m.contains("1048577 bytes") && m.contains("1048576"), "{m}");
        assert_eq!(image_side(16, 16384), None);
        for (w, h) in [(15, 100), (100, 16385), (0, 0)] {
            let m = image_side(w, h).unwrap();
            assert!(m.contains("16–16384"), "{m}");
        }
    }

    #[test]
    fn a_file_over_its_limit_is_not_read() {
        let path = std::env::temp_dir().join(format!("scalp-limits-{}.txt", std::process::id()));
        std::fs::write(&path, vec![b'a'; 101]).unwrap();
        assert_eq!(read_capped(&path, 101).unwrap().len(), 101);
        let e = read_capped(&path, 100).unwrap_err().to_string();
        assert!(e.contains("101 bytes") && e.contains("limit of 100"), "{e}");
        std::fs::remove_file(&path).ok();
    }

    #[test]
    fn a_dot_count_over_the_limit_is_refused_before_any_work() {
        let head = crate::head::Head::builtin().unwrap();
        let plan = crate::plan::Plan::default();
        let e = crate::treatment::Treatment::new(&head, &plan, Some(MAX_DOTS + 1))
            .err()
            .unwrap()
            .to_string();
        assert!(
            e.contains("100000001") && e.contains("limit of 100000000"),
            "{e}"
        );
    }
}
