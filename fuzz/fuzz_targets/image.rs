//! Texture image bytes (PNG, JPEG) through the texture loading path, with a small pixel
//! limit so that a header claiming a huge image is refused, not allocated.
#![no_main]
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = scalp::head::texture::decode_image_limited(data, "fuzz.png", 1 << 22);
});
