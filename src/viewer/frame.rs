//! One frame of the viewer: the UI's actions applied, the 3D view drawn, the window painted
//! and captured when asked, and the next frame scheduled only when something will change.
use super::{UiOut, Viewer};
use scalp::png::write_png;
use scalp::{Result, ScalpError};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

impl Viewer {
    pub(super) fn redraw(&mut self) {
        // A lost device draws nothing more: the event loop makes a new one first.
        if self.lost.is_some() || self.check_lost(None) {
            return;
        }
        // A scripted orbit is a drag in progress this frame, as a hand's would be.
        let dragged = self.play_script();
        if self.lost.is_some() || self.exit.is_some() {
            return;
        }
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
        let interacting = moving || dragged || out.handling_view || ctx.dragged_id().is_some();
        let ppp = full.pixels_per_point;
        self.draw_view(&out, ppp, interacting);

        let capture = self.capture_to(&out);
        let t_paint = Instant::now();
        let shapes = self.egui_ctx.tessellate(full.shapes, ppp);
        let captured = self.paint(&shapes, full.textures_delta, ppp, capture.is_some());
        self.counts.frames += 1;
        match capture {
            Some(path) => self.write_capture(&path, captured),
            None => {
                if let Err(e) = captured {
                    self.fail(e);
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
        if moving
            || refine
            || repaint.is_zero()
            || self.screenshot_after.is_some()
            || self.script.is_some()
        {
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
                self.fail(e);
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
        if let Some(path) = self.script_capture.take() {
            capture = Some(path);
        }
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

    /// Whether nothing is being built and the head with its dots is on screen at full
    /// quality: a script's `settle` waits for it.
    fn settled(&self) -> bool {
        !self.worker.busy()
            && self.pending_load.is_none()
            && self.view3d.last.is_some()
            && !self.view3d.showing_preview()
            && self.scene.as_ref().is_some_and(|s| s.aged_years.is_some())
    }

    /// Applies the script's actions due this frame; returns whether one of them orbited.
    fn play_script(&mut self) -> bool {
        use super::script::{mapping_count, resident_kb, Action, Next};
        let mut dragged = false;
        loop {
            let settled = self.settled();
            let Some(script) = &mut self.script else {
                return dragged;
            };
            let (line, action) = match script.next(settled) {
                Next::Wait => return dragged,
                Next::Stuck(why) => {
                    self.exit = Some(Err(ScalpError::invalid("--script", why)));
                    return dragged;
                }
                Next::Do(line, a) => (line, a),
            };
            log::info!("script line {line}: {action:?}");
            let c = &mut self.controls;
            match action {
                Action::Frames(_) | Action::Settle => {}
                Action::Orbit(dx, dy) => {
                    self.orbit.orbit(dx, dy);
                    dragged = true;
                }
                Action::Years(y) => c.years = y,
                Action::Density(v) => c.set_density(v),
                Action::DotSize(v) => c.plan.dots.diameter_mm = v,
                Action::Depth(v) => c.plan.dots.depth_mm = v,
                Action::Shade(v) => c.plan.dots.shade = v,
                Action::Error(e, sev) => {
                    e.set_severity(&mut c.plan.errors, sev);
                    c.settings.ink_tone = scalp::worked::Worked::resolve(&c.plan).ink_tone;
                }
                Action::Drop(path) => self.drop_file(path),
                Action::ExpectError => {
                    if self.error.take().is_none() {
                        self.exit = Some(Err(ScalpError::invalid(
                            "--script",
                            format!("line {line}: expect-error: no error is showing"),
                        )));
                        return dragged;
                    }
                }
                Action::NoError => {
                    if let Some(e) = &self.error {
                        self.exit = Some(Err(ScalpError::invalid(
                            "--script",
                            format!("line {line}: no-error: the viewer shows \"{e}\""),
                        )));
                        return dragged;
                    }
                }
                Action::LoseDevice => {
                    self.engine.gpu.device.destroy();
                    // The device-lost callback runs on the next poll.
                    let _ = self
                        .engine
                        .gpu
                        .device
                        .poll(wgpu::PollType::wait_indefinitely());
                    self.check_lost(None);
                    return dragged;
                }
                Action::OutOfMemory => self.engine.gpu.inject_out_of_memory(),
                Action::PhotoClick(..)
                | Action::PhotoSkip
                | Action::PhotoUndo
                | Action::PhotoSave => {
                    let head = self.head();
                    let Some(p) = &mut self.photo else {
                        self.exit = Some(Err(ScalpError::invalid(
                            "--script",
                            format!("line {line}: the photo-… actions need --photo"),
                        )));
                        return dragged;
                    };
                    match action {
                        Action::PhotoClick(x, y) => p.place(&head, [x, y]),
                        Action::PhotoSkip => p.skip(),
                        Action::PhotoUndo => p.undo(&head),
                        _ => {
                            if let Err(e) = p.save() {
                                self.exit = Some(Err(e));
                                return dragged;
                            }
                        }
                    }
                }
                Action::State => println!("state: {}", self.state_line()),
                Action::Memory => println!(
                    "memory: VmRSS {} kB in {} mappings after {} frames; live GPU objects: {}",
                    resident_kb().unwrap_or(0),
                    mapping_count().unwrap_or(0),
                    self.counts.frames,
                    self.gpu_objects()
                ),
                Action::Screenshot(path) => self.script_capture = Some(path),
                Action::Quit => {
                    self.exit = Some(Ok(()));
                    return dragged;
                }
            }
            self.reconcile();
        }
    }

    /// What the user has on screen, in one line: a test compares it across a device loss.
    /// Live wgpu objects by kind (what a leak of GPU resources would grow).
    fn gpu_objects(&self) -> String {
        match self.instance.generate_report() {
            Some(r) => {
                let h = r.hub_report();
                format!(
                    "buffers {}, textures {}, views {}, bind groups {}, pipelines {}",
                    h.buffers.num_kept_from_user,
                    h.textures.num_kept_from_user,
                    h.texture_views.num_kept_from_user,
                    h.bind_groups.num_kept_from_user,
                    h.render_pipelines.num_kept_from_user + h.compute_pipelines.num_kept_from_user
                )
            }
            None => "not reported by this backend".into(),
        }
    }

    fn state_line(&self) -> String {
        use std::hash::{Hash, Hasher};
        let mut plan = std::collections::hash_map::DefaultHasher::new();
        format!("{:?}", self.controls.plan).hash(&mut plan);
        format!(
            "head {}; plan {:016x}; years {}; camera {:?}; dots {}; recoveries {}",
            self.scene
                .as_ref()
                .map(|s| s.head.source.to_string())
                .unwrap_or_else(|| "none".into()),
            plan.finish(),
            self.controls.years,
            self.orbit.camera(),
            self.scene.as_ref().map_or(0, |s| s.dots.total()),
            self.counts.recoveries
        )
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
