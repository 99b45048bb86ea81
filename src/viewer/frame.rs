//! One frame of the viewer: the UI's actions applied, the 3D view drawn, the window painted
//! and captured when asked, and the next frame scheduled only when something will change.
use super::{UiOut, Viewer};
use scalp::png::write_png;
use scalp::{Result, ScalpError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

impl Viewer {
    pub(super) fn redraw(&mut self) {
        let now = Instant::now();
        let dt = (now - self.last_frame).as_secs_f32();
        self.last_frame = now;

        let raw = self.egui_state.take_egui_input(&self.window);
        let ctx = self.egui_ctx.clone();
        let mut out = UiOut::default();
        let full = ctx.run_ui(raw, |ui| self.ui(ui, &mut out));
        self.egui_state
            .handle_platform_output(&self.window, full.platform_output);
        self.apply(&mut out);

        let moving = self.orbit.step(dt);
        let interacting = moving || out.handling_view || ctx.dragged_id().is_some();
        let ppp = full.pixels_per_point;
        self.draw_view(&out, ppp, interacting);

        let capture = self.capture_to(&out);
        let t_paint = Instant::now();
        let shapes = self.egui_ctx.tessellate(full.shapes, ppp);
        let captured = self.paint(&shapes, full.textures_delta, ppp, capture.is_some());
        match capture {
            Some(path) => self.write_capture(&path, captured),
            None => {
                if let Err(e) = &captured {
                    self.fail(e.to_string());
                }
            }
        }

        // Next frame: only when something will change.
        let repaint = full
            .viewport_output
            .get(&egui::ViewportId::ROOT)
            .map(|v| v.repaint_delay)
            .unwrap_or(Duration::MAX);
        let refine = self.view3d.showing_preview() && !interacting;
        log::debug!(
            "frame {:.0} ms after the last, {:.0} ms before painting, painting {:.0} ms: moving {moving}, interacting {interacting}, 3D {:?}",
            dt * 1000.0,
            (t_paint - now).as_secs_f32() * 1000.0,
            t_paint.elapsed().as_secs_f32() * 1000.0,
            self.view3d.last
        );
        if moving || refine || repaint.is_zero() || self.screenshot_after.is_some() {
            self.redraw_soon();
        } else if repaint < Duration::from_secs(3600) {
            self.repaint_at = Some(Instant::now() + repaint);
        }
    }

    /// What the UI asked for: dismissing, the divider, a preset, a head to load, the plan
    /// saved; then the work that brings the scene up to date.
    fn apply(&mut self, out: &mut UiOut) {
        if out.dismiss_error {
            self.error = None;
        }
        if out.toggle_split {
            self.controls.split = match self.controls.split {
                Some(_) => None,
                None => Some(0.5),
            };
        }
        if let Some(p) = out.actions.preset {
            self.orbit.preset(p, self.view_aspect);
        }
        if let Some(path) = out.actions.load_mesh.take() {
            self.pending_load = Some(path);
        }
        if out.actions.save_plan {
            self.save_plan();
        }
        self.reconcile();
    }

    /// Draws the 3D view into its texture at the size of its rectangle (and saves it when P
    /// was asked).
    fn draw_view(&mut self, out: &UiOut, ppp: f32, interacting: bool) {
        let view_px = out.view_rect.map(|r| {
            (
                (r.width() * ppp).round().max(16.0) as u32,
                (r.height() * ppp).round().max(16.0) as u32,
            )
        });
        if let Some((w, h)) = view_px {
            self.view_aspect = w as f32 / h as f32;
        }
        let camera = self.orbit.camera();
        if let (Some(scene), Some(px)) = (&self.scene, view_px) {
            let quality = self.view3d.quality(interacting);
            if let Err(e) = self.view3d.draw(
                &self.engine,
                &mut self.egui_renderer,
                scene,
                &camera,
                &self.controls.settings,
                self.controls.split,
                self.path,
                px,
                quality,
            ) {
                self.fail(e.to_string());
            }
            if out.actions.save_picture {
                self.save_picture(&camera, px);
            }
        }
    }

    /// Where this frame's window image goes, if anywhere: a numbered file (F12), or --out
    /// once --screenshot-after frames were drawn with the head and its dots on screen at full
    /// quality.
    fn capture_to(&mut self, out: &UiOut) -> Option<PathBuf> {
        let ready = self.scene.as_ref().is_some_and(|s| s.aged_years.is_some())
            && self.view3d.last.is_some()
            && !self.worker.busy()
            && self.pending_load.is_none()
            && !self.view3d.showing_preview();
        let mut capture = out.actions.screenshot.then(|| self.next_file("png"));
        if let Some(n) = self.screenshot_after {
            if ready {
                self.ready_frames += 1;
                if self.ready_frames >= n {
                    capture = Some(self.out.clone());
                }
            }
        }
        capture
    }

    /// Writes the captured window image to `path`; the --screenshot-after one ends the run.
    fn write_capture(&mut self, path: &Path, captured: Result<Option<image::RgbaImage>>) {
        let written = captured.and_then(|img| match img {
            Some(img) => write_png(&img, path),
            None => Err(ScalpError::invalid("screenshot", "no image was captured")),
        });
        match (
            &written,
            self.screenshot_after.is_some() && path == self.out,
        ) {
            (_, true) => {
                if written.is_ok() {
                    println!(
                        "wrote {} after {} frames",
                        path.display(),
                        self.ready_frames
                    );
                }
                self.exit = Some(written);
            }
            (Ok(()), false) => self.note = Some(format!("wrote {}", path.display())),
            (Err(e), false) => self.error = Some(e.to_string()),
        }
    }
}
