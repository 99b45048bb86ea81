//! Reading textures back from the GPU into memory.
use super::Gpu;
use crate::error::{Result, ScalpError};

/// Copies an RGBA8 texture back into an image.
pub fn read_texture(gpu: &Gpu, tex: &wgpu::Texture, w: u32, h: u32) -> Result<image::RgbaImage> {
    let data = read_texture_bytes(gpu, tex, w, h, 4)?;
    image::RgbaImage::from_raw(w, h, data)
        .ok_or_else(|| ScalpError::invalid("readback", "image size does not match"))
}

/// A texture's texels, rows packed tightly (`bytes_per_texel` each).
pub fn read_texture_bytes(
    gpu: &Gpu,
    tex: &wgpu::Texture,
    w: u32,
    h: u32,
    bytes_per_texel: u32,
) -> Result<Vec<u8>> {
    let tight = (w * bytes_per_texel) as usize;
    let row = (w * bytes_per_texel).div_ceil(256) * 256;
    let size = row as u64 * h as u64;
    let staging = gpu.device.create_buffer(&wgpu::BufferDescriptor {
        label: Some("image readback"),
        size,
        usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
        mapped_at_creation: false,
    });
    let mut enc = gpu
        .device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("image readback"),
        });
    enc.copy_texture_to_buffer(
        wgpu::TexelCopyTextureInfo {
            texture: tex,
            mip_level: 0,
            origin: wgpu::Origin3d::ZERO,
            aspect: wgpu::TextureAspect::All,
        },
        wgpu::TexelCopyBufferInfo {
            buffer: &staging,
            layout: wgpu::TexelCopyBufferLayout {
                offset: 0,
                bytes_per_row: Some(row),
                rows_per_image: Some(h),
            },
        },
        wgpu::Extent3d {
            width: w,
            height: h,
            depth_or_array_layers: 1,
        },
    );
    gpu.queue.submit([enc.finish()]);
    let data = gpu.map_and_read(&staging, size)?;
    let mut out = Vec::with_capacity(tight * h as usize);
    for y in 0..h as usize {
        out.extend_from_slice(&data[y * row as usize..y * row as usize + tight]);
    }
    Ok(out)
}

/// Decodes an IEEE half float.
pub fn f16_to_f32(bits: u16) -> f32 {
    let sign = if bits & 0x8000 != 0 { -1.0 } else { 1.0 };
    let exp = ((bits >> 10) & 0x1F) as i32;
    let frac = (bits & 0x3FF) as f32;
    match exp {
        0 => sign * frac * 2f32.powi(-24),
        31 if frac == 0.0 => sign * f32::INFINITY,
        31 => f32::NAN,
        e => sign * (1.0 + frac / 1024.0) * 2f32.powi(e - 15),
    }
}
