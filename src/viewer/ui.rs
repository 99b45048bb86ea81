//! The viewer's interface: the side panel, the 3D view under the hand (orbit, pan, zoom, the
//! before/after divider) with what is drawn over it, and the keyboard shortcuts.
use super::view3d::Quality;
use super::{panel, UiOut, Viewer, PANEL_WIDTH};
use egui::{Color32, Key, Modifiers};
use panel::Status;
use scalp::camera::ViewPreset;

impl Viewer {
    pub(super) fn ui(&mut self, root: &mut egui::Ui, out: &mut UiOut) {
        if self.photo.is_some() {
            self.photo_ui(root, out);
            return;
        }
        let frame = match self.view3d.last {
            Some((q, (w, h), ssaa, s)) => format!(
                "last frame {w}×{h}{} {} in {:.0} ms",
                if ssaa > 1 {
                    format!(" ×{ssaa} ssaa")
                } else {
                    String::new()
                },
                match q {
                    Quality::Full => "full",
                    Quality::Preview => "preview",
                },
                1000.0 * s
            ),
            None => String::new(),
        };
        let head = self
            .scene
            .as_ref()
            .map(|s| format!("head: {}", s.head.source))
            .unwrap_or_else(|| "preparing the head…".into());
        let status = Status {
            head: &head,
            dots: self.scene.as_ref().map(|s| {
                (
                    s.dots.total(),
                    s.treatment.layout.treated_area_mm2 / 100.0,
                    s.generate_s,
                )
            }),
            healed_years: self.controls.plan.healed_years(),
            adapter: &self.adapter,
            frame: &frame,
            error: self.error.as_deref(),
            note: self.note.as_deref(),
        };
        egui::Panel::right("controls")
            .resizable(true)
            .default_size(PANEL_WIDTH)
            .show(root, |ui| {
                out.actions = panel::show(
                    ui,
                    &mut self.controls,
                    &status,
                    &mut self.mesh_path,
                    &mut out.dismiss_error,
                );
            });
        // The 3D image covers the whole panel: filling under it too would shade every pixel of
        // the view twice, which a CPU driver pays for in full.
        let fill = match self.view3d.texture_id() {
            Some(_) => Color32::TRANSPARENT,
            None => Color32::from_gray(16),
        };
        egui::CentralPanel::default()
            .frame(egui::Frame::new().fill(fill))
            .show(root, |ui| self.view_ui(ui, out));
        self.keys(root.ctx(), out);
    }

    /// Picking landmarks on a photo (`--photo`): the picker's panel and the photo in the view.
    fn photo_ui(&mut self, root: &mut egui::Ui, out: &mut UiOut) {
        let head = self.head();
        let Some(picker) = &mut self.photo else {
            return;
        };
        egui::Panel::right("landmarks")
            .resizable(true)
            .default_size(PANEL_WIDTH)
            .show(root, |ui| {
                egui::ScrollArea::vertical().show(ui, |ui| picker.panel(ui, &head))
            });
        egui::CentralPanel::default()
            .frame(egui::Frame::new().fill(Color32::from_gray(16)))
            .show(root, |ui| {
                let rect = ui.max_rect();
                out.view_rect = Some(rect);
                picker.view(ui, rect, &head);
            });
        root.ctx().input_mut(|i| {
            if i.consume_key(Modifiers::COMMAND, Key::S) {
                if let Err(e) = picker.save() {
                    picker.note = Some(e.to_string());
                }
            }
            if i.consume_key(Modifiers::COMMAND, Key::Z) {
                picker.undo(&head);
            }
        });
    }

    /// The 3D view: the image, the camera under the hand, the before/after divider.
    fn view_ui(&mut self, ui: &mut egui::Ui, out: &mut UiOut) {
        let rect = ui.max_rect();
        out.view_rect = Some(rect);
        let resp = ui.allocate_rect(rect, egui::Sense::click_and_drag());
        let painter = ui.painter_at(rect);
        match self.view3d.texture_id() {
            Some(id) => {
                painter.image(
                    id,
                    rect,
                    egui::Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
                    Color32::WHITE,
                );
            }
            None => {
                painter.text(
                    rect.center(),
                    egui::Align2::CENTER_CENTER,
                    "preparing the head…",
                    egui::FontId::proportional(18.0),
                    Color32::GRAY,
                );
            }
        }
        let on_divider = match self.controls.split {
            Some(f) => self.divider(ui, &painter, rect, f),
            None => false,
        };
        self.hand(ui, &resp, rect, on_divider);
        if resp.double_clicked() {
            out.actions.preset = Some(self.start_view);
        }
        out.handling_view = on_divider || resp.dragged();
        self.overlays(ui, &painter, rect);
    }

    /// The before/after divider at `f` of the width: drawn, and moved by dragging it.
    /// Returns whether it is being dragged.
    fn divider(
        &mut self,
        ui: &egui::Ui,
        painter: &egui::Painter,
        rect: egui::Rect,
        f: f32,
    ) -> bool {
        let mut on_divider = false;
        let x = rect.left() + f * rect.width();
        let hit = egui::Rect::from_x_y_ranges(x - 10.0..=x + 10.0, rect.y_range());
        let d = ui.interact(
            hit,
            ui.scope_id().with("before/after divider"),
            egui::Sense::drag(),
        );
        if d.hovered() || d.dragged() {
            ui.ctx().set_cursor_icon(egui::CursorIcon::ResizeHorizontal);
        }
        if d.dragged() {
            on_divider = true;
            if let Some(p) = d.interact_pointer_pos() {
                self.controls.split =
                    Some(((p.x - rect.left()) / rect.width().max(1.0)).clamp(0.0, 1.0));
            }
        }
        let white = Color32::from_white_alpha(220);
        painter.line_segment(
            [egui::pos2(x, rect.top()), egui::pos2(x, rect.bottom())],
            egui::Stroke::new(2.0, white),
        );
        // A round knob with a small arrow each way.
        let c = egui::pos2(x, rect.center().y);
        painter.circle_filled(c, 12.0, white);
        for dir in [-1.0f32, 1.0] {
            painter.add(egui::Shape::convex_polygon(
                vec![
                    c + egui::vec2(dir * 8.0, 0.0),
                    c + egui::vec2(dir * 3.0, -5.0),
                    c + egui::vec2(dir * 3.0, 5.0),
                ],
                Color32::from_gray(40),
                egui::Stroke::NONE,
            ));
        }
        let label = |pos, align, text| {
            painter.text(pos, align, text, egui::FontId::proportional(15.0), white)
        };
        label(
            egui::pos2(x - 12.0, rect.top() + 10.0),
            egui::Align2::RIGHT_TOP,
            "before",
        );
        label(
            egui::pos2(x + 12.0, rect.top() + 10.0),
            egui::Align2::LEFT_TOP,
            "after",
        );
        on_divider
    }

    /// The camera under the hand: orbit (drag), pan (right or middle drag, shift+drag) unless
    /// the divider is being dragged, zoom (scroll, pinch).
    fn hand(&mut self, ui: &egui::Ui, resp: &egui::Response, rect: egui::Rect, on_divider: bool) {
        let delta = resp.drag_delta();
        let shift = ui.input(|i| i.modifiers.shift);
        let primary = resp.dragged_by(egui::PointerButton::Primary);
        if on_divider {
            // The divider has the hand: the camera stays.
        } else if primary && !shift {
            self.orbit.orbit(delta.x, delta.y);
        } else if resp.dragged_by(egui::PointerButton::Secondary)
            || resp.dragged_by(egui::PointerButton::Middle)
            || (primary && shift)
        {
            self.orbit.pan(delta.x, delta.y, rect.height());
        }
        if resp.hovered() {
            let (scroll, zoom) = ui.input(|i| (i.smooth_scroll_delta.y, i.zoom_delta()));
            if scroll != 0.0 {
                self.orbit.zoom((scroll / 300.0).exp());
            }
            if zoom != 1.0 {
                self.orbit.zoom(zoom);
            }
        }
    }

    /// What is drawn over the view: the time shown, the progress of a job, the hint for a
    /// file dragged over the window.
    fn overlays(&self, ui: &mut egui::Ui, painter: &egui::Painter, rect: egui::Rect) {
        painter.text(
            rect.left_bottom() + egui::vec2(12.0, -10.0),
            egui::Align2::LEFT_BOTTOM,
            scalp::reports::sheet::time_label(self.controls.years),
            egui::FontId::proportional(20.0),
            Color32::from_white_alpha(230),
        );
        if let Some((what, done, total)) = &self.progress {
            // Over the view, not in the panel: the panel's widgets must not move under the
            // hand while a slider is dragged.
            let at = egui::Rect::from_min_size(
                rect.left_top() + egui::vec2(12.0, 12.0),
                egui::vec2(260.0, 24.0),
            );
            let frac = if *total > 0 {
                *done as f32 / *total as f32
            } else {
                0.0
            };
            let text = if *total > 1 {
                format!("{what} {done}/{total}")
            } else {
                what.clone()
            };
            ui.put(at, egui::ProgressBar::new(frac).text(text).animate(true));
        }
        if self.hovering_file {
            painter.rect_filled(rect, 0.0, Color32::from_black_alpha(150));
            painter.text(
                rect.center(),
                egui::Align2::CENTER_CENTER,
                "drop a head scan (.obj .ply .stl .gltf .glb) to load it",
                egui::FontId::proportional(22.0),
                Color32::WHITE,
            );
        }
    }

    /// Keyboard shortcuts, unless a text field has the keyboard.
    fn keys(&mut self, ctx: &egui::Context, out: &mut UiOut) {
        if ctx.egui_wants_keyboard_input() {
            return;
        }
        let none = Modifiers::NONE;
        let presets = [
            (Key::Num1, ViewPreset::Front),
            (Key::Num2, ViewPreset::ThreeQuarter),
            (Key::Num3, ViewPreset::Top),
            (Key::Num4, ViewPreset::Back),
            (Key::Num5, ViewPreset::Left),
            (Key::Num6, ViewPreset::Right),
        ];
        ctx.input_mut(|i| {
            let a = &mut out.actions;
            a.screenshot |= i.consume_key(none, Key::F12);
            a.save_picture |= i.consume_key(none, Key::P);
            a.save_plan |= i.consume_key(Modifiers::COMMAND, Key::S);
            if i.consume_key(none, Key::R) || i.consume_key(none, Key::Home) {
                a.preset = Some(self.start_view);
            }
            for (k, p) in presets {
                if i.consume_key(none, k) {
                    a.preset = Some(p);
                }
            }
            out.toggle_split |= i.consume_key(none, Key::B);
        });
    }
}
