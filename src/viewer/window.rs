//! The window's side of drawing: the GPU and surface it is opened with, painting egui (with
//! the 3D view in it) into the surface, and reading a frame back for a screenshot.
use super::Viewer;
use scalp::engine::Engine;
use scalp::gpu::Gpu;
use scalp::{Result, ScalpError};
use std::sync::Arc;
use winit::event_loop::ActiveEventLoop;
use winit::window::Window;

/// The GPU, the window's surface and the instance it came from: Vulkan first, GL when no
/// Vulkan adapter can draw into this window.
pub(super) fn open_gpu(
    el: &ActiveEventLoop,
    window: &Arc<Window>,
    want: Option<&str>,
) -> Result<(wgpu::Instance, wgpu::Surface<'static>, Gpu)> {
    let mut seen = Vec::new();
    let mut other = Vec::new();
    for backends in [wgpu::Backends::VULKAN, wgpu::Backends::GL] {
        let instance =
            scalp::gpu::instance_with_display(backends, Some(Box::new(el.owned_display_handle())));
        let surface = match instance.create_surface(window.clone()) {
            Ok(s) => s,
            Err(e) => {
                other.push(format!("{backends:?}: {e}"));
                continue;
            }
        };
        match Gpu::for_surface(want, &instance, &surface) {
            Ok(gpu) => return Ok((instance, surface, gpu)),
            Err(ScalpError::NoAdapter { .. }) => {
                let list = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
                seen.extend(list.iter().map(|a| scalp::gpu::describe(&a.get_info())));
            }
            Err(e) => other.push(e.to_string()),
        }
    }
    // One message for both backends, with everything that was seen.
    Err(ScalpError::NoAdapter {
        detail: format!(
            " that can draw into this window{} (adapters seen: {}{})",
            want.map(|w| format!(" and matches \"{w}\""))
                .unwrap_or_default(),
            if seen.is_empty() {
                "none".into()
            } else {
                seen.join("; ")
            },
            if other.is_empty() {
                String::new()
            } else {
                format!("; {}", other.join("; "))
            }
        ),
    })
}

/// The surface format egui draws best into (plain 8-bit, it encodes sRGB itself), else an
/// sRGB one, else what there is.
pub(super) fn surface_format(formats: &[wgpu::TextureFormat]) -> Option<wgpu::TextureFormat> {
    use wgpu::TextureFormat as F;
    [
        F::Rgba8Unorm,
        F::Bgra8Unorm,
        F::Rgba8UnormSrgb,
        F::Bgra8UnormSrgb,
    ]
    .into_iter()
    .find(|f| formats.contains(f))
    .or_else(|| formats.first().copied())
}

impl Viewer {
    /// Draws egui (with the 3D view in it) into the window, and into an image when `capture`.
    pub(super) fn paint(
        &mut self,
        prims: &[egui::ClippedPrimitive],
        mut textures: egui::TexturesDelta,
        ppp: f32,
        capture: bool,
    ) -> Result<Option<image::RgbaImage>> {
        // A handle of its own: painting also replaces a lost surface on `self`.
        let engine = self.engine.clone();
        let gpu = &engine.gpu;
        let (w, h) = (self.config.width, self.config.height);
        for (id, deltas) in &textures.set {
            for delta in deltas {
                self.egui_renderer
                    .update_texture(&gpu.device, &gpu.queue, *id, delta);
            }
        }
        let (frame, reconfigure) = self.surface_frame();
        let shot = capture.then(|| {
            gpu.device.create_texture(&wgpu::TextureDescriptor {
                label: Some("window screenshot"),
                size: wgpu::Extent3d {
                    width: w,
                    height: h,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: self.config.format,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT | wgpu::TextureUsages::COPY_SRC,
                view_formats: &[],
            })
        });
        let screen = egui_wgpu::ScreenDescriptor {
            size_in_pixels: [w, h],
            pixels_per_point: ppp,
        };
        let result = gpu.checked("drawing the window", || {
            let mut enc = gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("window"),
                });
            let user = self.egui_renderer.update_buffers(
                &gpu.device,
                &gpu.queue,
                &mut enc,
                prims,
                &screen,
            );
            let targets = frame
                .iter()
                .map(|f| f.texture.create_view(&Default::default()))
                .chain(shot.iter().map(|t| t.create_view(&Default::default())));
            for view in targets {
                let mut pass = enc
                    .begin_render_pass(&wgpu::RenderPassDescriptor {
                        label: Some("egui"),
                        color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                            view: &view,
                            depth_slice: None,
                            resolve_target: None,
                            ops: wgpu::Operations {
                                load: wgpu::LoadOp::Clear(wgpu::Color::BLACK),
                                store: wgpu::StoreOp::Store,
                            },
                        })],
                        depth_stencil_attachment: None,
                        timestamp_writes: None,
                        occlusion_query_set: None,
                        multiview_mask: None,
                    })
                    .forget_lifetime();
                self.egui_renderer.render(&mut pass, prims, &screen);
            }
            gpu.queue.submit(user.into_iter().chain([enc.finish()]));
            Ok(())
        });
        if let Some(f) = frame {
            self.window.pre_present_notify();
            gpu.queue.present(f);
            self.counts.shown += 1;
        }
        for id in textures.free.drain() {
            self.egui_renderer.free_texture(&id);
        }
        if reconfigure {
            self.configure_surface();
            self.redraw_soon();
        }
        result?;
        shot.map(|t| read_window(&self.engine, &t, self.config.format))
            .transpose()
    }

    /// The surface's next texture, if it gives one, and whether the surface must be
    /// configured again (suboptimal, outdated or lost).
    fn surface_frame(&mut self) -> (Option<wgpu::SurfaceTexture>, bool) {
        use wgpu::CurrentSurfaceTexture as Got;
        let mut reconfigure = false;
        let frame = match self.surface.get_current_texture() {
            Got::Success(f) => Some(f),
            Got::Suboptimal(f) => {
                reconfigure = true;
                Some(f)
            }
            // Nothing to show into now; the next event brings another frame.
            Got::Timeout | Got::Occluded => None,
            Got::Outdated => {
                reconfigure = true;
                None
            }
            Got::Lost => {
                match self.instance.create_surface(self.window.clone()) {
                    Ok(s) => self.surface = s,
                    Err(e) => self.error = Some(format!("the window's surface is lost: {e}")),
                }
                reconfigure = true;
                None
            }
            Got::Validation => {
                self.error = Some("the window's surface refused a frame".into());
                None
            }
        };
        (frame, reconfigure)
    }
}

/// Reads the window image back as RGBA.
fn read_window(
    engine: &Engine,
    tex: &wgpu::Texture,
    format: wgpu::TextureFormat,
) -> Result<image::RgbaImage> {
    use wgpu::TextureFormat as F;
    let bgra = match format {
        F::Rgba8Unorm | F::Rgba8UnormSrgb => false,
        F::Bgra8Unorm | F::Bgra8UnormSrgb => true,
        other => {
            return Err(ScalpError::invalid(
                "screenshot",
                format!("the window's format {other:?} cannot be saved as PNG"),
            ))
        }
    };
    let size = tex.size();
    let mut img = scalp::gpu::readback::read_texture(&engine.gpu, tex, size.width, size.height)?;
    for p in img.pixels_mut() {
        if bgra {
            p.0.swap(0, 2);
        }
        p.0[3] = 255;
    }
    Ok(img)
}
