//! `scalp view --photo`: the landmark pixels `scalp photo` needs, picked by hand on the client's
//! photo. The names are prompted in turn (one not visible is skipped); from four points on, the
//! camera is fitted after every click and the head drawn over the photo from it, as a cloud of
//! its surface points with each landmark where the fit puts it, so a wrong click shows at once;
//! the points file is saved whole for `scalp photo --points`.
use egui::{Color32, Pos2, Rect, Stroke};
use scalp::head::Head;
use scalp::photo::fit::Fit;
use scalp::photo::points::{PhotoLandmark, PhotoPoints};
use scalp::{Result, ScalpError};
use std::path::{Path, PathBuf};

/// The photo is shown at most this many pixels on its long side (the picked pixels are the
/// full photo's).
const SHOWN_SIDE: u32 = 2048;
/// Head surface points drawn over the photo to check the fit.
const GHOST_POINTS: usize = 4000;

/// What the picker holds: the photo, the points so far, the fit, where the file goes.
pub struct Picker {
    pub path: PathBuf,
    image: image::RgbaImage,
    /// The lens from the photo's EXIF, px.
    focal_px: Option<f64>,
    pub points: PhotoPoints,
    skipped: Vec<PhotoLandmark>,
    /// The fit of the points so far (from four on), or why there is none.
    pub fit: Option<std::result::Result<Fit, String>>,
    /// Head surface points facing the fitted camera, as photo pixels.
    ghost: Vec<[f64; 2]>,
    /// Where the fitted camera puts each placed landmark, photo pixels (made once a fit, not
    /// each frame: a scan's nasion is a ray cast).
    projected: Vec<(PhotoLandmark, [f64; 2])>,
    /// Where the points file is saved.
    pub out: PathBuf,
    /// The photo on the GPU (egui's); made again after a device is lost.
    texture: Option<egui::TextureHandle>,
    pub note: Option<String>,
}

/// Where the photo lies in the view: its top-left corner and screen points per photo pixel.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Shown {
    pub origin: Pos2,
    pub scale: f32,
}

impl Shown {
    /// The photo of `size` fitted into `rect`, centred.
    pub fn fit(size: (u32, u32), rect: Rect) -> Shown {
        let scale = (rect.width() / size.0.max(1) as f32).min(rect.height() / size.1.max(1) as f32);
        let shown = egui::vec2(size.0 as f32, size.1 as f32) * scale;
        Shown {
            origin: rect.center() - shown / 2.0,
            scale,
        }
    }

    pub fn to_screen(self, p: [f64; 2]) -> Pos2 {
        self.origin + egui::vec2(p[0] as f32, p[1] as f32) * self.scale
    }

    pub fn to_photo(self, s: Pos2) -> [f64; 2] {
        let d = (s - self.origin) / self.scale.max(1e-9);
        [d.x as f64, d.y as f64]
    }
}

impl Picker {
    /// Opens `path`; `start`: points picked before (a points file or spec) to go on from;
    /// `out`: where to save (default: the points file given, else the photo's name with
    /// `.points.toml`).
    pub fn open(path: &Path, start: Option<&str>, out: Option<PathBuf>) -> Result<Picker> {
        let photo = scalp::photo::composite::load_photo(path)?;
        let points = match start {
            Some(spec) => scalp::photo::points::load_points(spec)?,
            None => PhotoPoints::default(),
        };
        let out = out
            .or_else(|| {
                start
                    .filter(|s| s.ends_with(".toml") && !s.contains('='))
                    .map(PathBuf::from)
            })
            .unwrap_or_else(|| path.with_extension("points.toml"));
        // Where it will be saved is checked now, not after the clicking.
        scalp::png::check_output(&out, "toml")?;
        Ok(Picker {
            path: path.to_path_buf(),
            image: photo.image,
            focal_px: photo.focal_px,
            points,
            skipped: Vec::new(),
            fit: None,
            ghost: Vec::new(),
            projected: Vec::new(),
            out,
            texture: None,
            note: None,
        })
    }

    pub fn size(&self) -> (u32, u32) {
        self.image.dimensions()
    }

    /// The landmark to click next: the first neither placed nor skipped.
    pub fn prompt(&self) -> Option<PhotoLandmark> {
        PhotoLandmark::ALL
            .into_iter()
            .find(|l| self.points.get(*l).is_none() && !self.skipped.contains(l))
    }

    /// The prompted landmark placed at photo pixel `p` (ignored outside the photo).
    pub fn place(&mut self, head: &Head, p: [f64; 2]) {
        let (w, h) = self.size();
        if !(0.0..w as f64).contains(&p[0]) || !(0.0..h as f64).contains(&p[1]) {
            return;
        }
        if let Some(l) = self.prompt() {
            self.points.points.push((l, [p[0].round(), p[1].round()]));
            self.points.points.sort_by_key(|(l, _)| *l);
            self.refit(head);
        }
    }

    /// The prompted landmark is not in this photo.
    pub fn skip(&mut self) {
        if let Some(l) = self.prompt() {
            self.skipped.push(l);
        }
    }

    /// Takes back the last landmark placed or skipped (in prompt order).
    pub fn undo(&mut self, head: &Head) {
        let last = PhotoLandmark::ALL
            .into_iter()
            .rev()
            .find(|l| self.points.get(*l).is_some() || self.skipped.contains(l));
        if let Some(l) = last {
            self.points.points.retain(|(p, _)| *p != l);
            self.skipped.retain(|s| *s != l);
            self.refit(head);
        }
    }

    /// Fits the camera to the points (four or more) and projects the head for the overlay.
    pub fn refit(&mut self, head: &Head) {
        self.ghost.clear();
        self.projected.clear();
        if self.points.points.len() < 4 {
            self.fit = None;
            return;
        }
        let fit = scalp::photo::fit_photo(head, &self.points, self.size(), self.focal_px, None)
            .map_err(|e| e.to_string());
        if let Ok(f) = &fit {
            for (l, _) in &self.points.points {
                if let Some(q) = l
                    .position(head)
                    .ok()
                    .and_then(|m| f.camera.project(m.as_dvec3()))
                {
                    self.projected.push((*l, q));
                }
            }
            let eye = f.camera.eye();
            let step = (head.mesh.positions.len() / GHOST_POINTS).max(1);
            for (p, n) in head
                .mesh
                .positions
                .iter()
                .zip(&head.mesh.normals)
                .step_by(step)
            {
                let (p, n) = (p.as_dvec3(), n.as_dvec3());
                if n.dot(eye - p) > 0.0 {
                    if let Some(q) = f.camera.project(p) {
                        self.ghost.push(q);
                    }
                }
            }
        }
        self.fit = Some(fit);
    }

    /// Writes the points file whole (`scalp photo --points FILE`).
    pub fn save(&mut self) -> Result<()> {
        if self.points.points.len() < 4 {
            return Err(ScalpError::invalid(
                "points",
                format!(
                    "{} of at least 4 landmarks placed: click more before saving",
                    self.points.points.len()
                ),
            ));
        }
        let text = self.points.to_toml();
        scalp::png::write_whole(&self.out, "toml", |w| {
            w.write_all(text.as_bytes()).map_err(|e| e.to_string())
        })?;
        let fit = match &self.fit {
            Some(Ok(f)) => format!("fit rms {:.2} px, worst {:.2} px", f.rms_px(), f.worst().1),
            Some(Err(e)) => format!("no fit: {e}"),
            None => "no fit".into(),
        };
        let line = format!(
            "saved {} points to {} ({fit})",
            self.points.points.len(),
            self.out.display()
        );
        println!("{line}");
        self.note = Some(line);
        Ok(())
    }

    /// The side panel: the prompt, the points with their errors, the buttons.
    pub fn panel(&mut self, ui: &mut egui::Ui, head: &Head) {
        ui.heading("Landmarks on the photo");
        ui.label(self.path.display().to_string());
        ui.separator();
        match self.prompt() {
            Some(l) => {
                ui.label(egui::RichText::new(format!("Click: {}", words(l))).strong());
                ui.label(hint(l));
            }
            None => {
                ui.label("Every landmark placed or skipped.");
            }
        }
        ui.horizontal(|ui| {
            if ui
                .add_enabled(
                    self.prompt().is_some(),
                    egui::Button::new("Not visible: skip"),
                )
                .clicked()
            {
                self.skip();
            }
            if ui.button("Undo").clicked() {
                self.undo(head);
            }
        });
        ui.separator();
        let errors: Vec<(PhotoLandmark, f64)> = match &self.fit {
            Some(Ok(f)) => f.errors.clone(),
            _ => Vec::new(),
        };
        egui::Grid::new("points").striped(true).show(ui, |ui| {
            for l in PhotoLandmark::ALL {
                ui.label(l.name());
                match self.points.get(l) {
                    Some([x, y]) => {
                        ui.label(format!("{x:.0}, {y:.0}"));
                        match errors.iter().find(|e| e.0 == l) {
                            Some((_, e)) => ui.label(format!("{e:.1} px off")),
                            None => ui.label(""),
                        };
                    }
                    None if self.skipped.contains(&l) => {
                        ui.label("skipped");
                        ui.label("");
                    }
                    None => {
                        ui.label("—");
                        ui.label("");
                    }
                }
                ui.end_row();
            }
        });
        ui.separator();
        match &self.fit {
            Some(Ok(f)) => {
                ui.label(format!(
                    "Fit: {:.2} px rms, worst {:.2} px ({}); {:.0} mm from the head, {:.0}° field",
                    f.rms_px(),
                    f.worst().1,
                    f.worst().0.name(),
                    f.camera.eye().length(),
                    f.camera.fov_y().to_degrees()
                ));
            }
            Some(Err(e)) => {
                ui.colored_label(Color32::from_rgb(230, 120, 90), format!("No fit: {e}"));
            }
            None => {
                ui.label("The fit starts at four points.");
            }
        }
        if ui
            .button(format!("Save points ({})", self.out.display()))
            .clicked()
        {
            if let Err(e) = self.save() {
                self.note = Some(e.to_string());
            }
        }
        if let Some(n) = &self.note {
            ui.label(n);
        }
    }

    /// The photo filling `rect`, the points and the fitted head over it; a click places the
    /// prompted landmark.
    pub fn view(&mut self, ui: &mut egui::Ui, rect: Rect, head: &Head) {
        let resp = ui.allocate_rect(rect, egui::Sense::click());
        let painter = ui.painter_at(rect);
        let texture_id = self
            .texture
            .get_or_insert_with(|| {
                let (w, h) = self.image.dimensions();
                let k = (SHOWN_SIDE as f32 / w.max(h) as f32).min(1.0);
                let small = image::imageops::resize(
                    &self.image,
                    ((w as f32 * k) as u32).max(1),
                    ((h as f32 * k) as u32).max(1),
                    image::imageops::FilterType::Triangle,
                );
                let colour = egui::ColorImage::from_rgba_unmultiplied(
                    [small.width() as usize, small.height() as usize],
                    small.as_raw(),
                );
                ui.ctx()
                    .load_texture("client photo", colour, egui::TextureOptions::LINEAR)
            })
            .id();
        let shown = Shown::fit(self.size(), rect);
        let (w, h) = self.size();
        let photo_rect = Rect::from_min_max(
            shown.to_screen([0.0, 0.0]),
            shown.to_screen([w as f64, h as f64]),
        );
        painter.image(
            texture_id,
            photo_rect,
            Rect::from_min_max(egui::pos2(0.0, 0.0), egui::pos2(1.0, 1.0)),
            Color32::WHITE,
        );
        let cyan = Color32::from_rgba_unmultiplied(60, 220, 255, 110);
        for q in &self.ghost {
            painter.circle_filled(shown.to_screen(*q), 1.2, cyan);
        }
        let fit = self.fit.as_ref().and_then(|f| f.as_ref().ok());
        for (l, p) in &self.points.points {
            let at = shown.to_screen(*p);
            if let Some(q) = fit.and_then(|f| {
                l.position(head)
                    .ok()
                    .and_then(|m| f.camera.project(m.as_dvec3()))
            }) {
                let q = shown.to_screen(q);
                painter.line_segment([at, q], Stroke::new(1.5, Color32::from_rgb(60, 220, 255)));
                painter.circle_stroke(q, 6.0, Stroke::new(2.0, Color32::from_rgb(60, 220, 255)));
            }
            painter.circle_filled(at, 4.0, Color32::from_rgb(255, 150, 40));
            painter.text(
                at + egui::vec2(7.0, -7.0),
                egui::Align2::LEFT_BOTTOM,
                l.name(),
                egui::FontId::proportional(14.0),
                Color32::WHITE,
            );
        }
        if let Some(l) = self.prompt() {
            painter.text(
                rect.left_top() + egui::vec2(12.0, 12.0),
                egui::Align2::LEFT_TOP,
                format!("click the {}", words(l)),
                egui::FontId::proportional(20.0),
                Color32::WHITE,
            );
        }
        if resp.clicked() {
            if let Some(s) = resp.interact_pointer_pos() {
                self.place(head, shown.to_photo(s));
            }
        }
    }

    /// After a new device: the photo is uploaded again on the next frame.
    pub fn forget_texture(&mut self) {
        self.texture = None;
    }
}

/// A landmark's name as the prompt says it.
fn words(l: PhotoLandmark) -> &'static str {
    match l {
        PhotoLandmark::Nasion => "nasion (between the eyes, top of the nose)",
        PhotoLandmark::Glabella => "glabella (brow ridge between the eyebrows)",
        PhotoLandmark::Hairline => "hairline's midpoint",
        PhotoLandmark::TempleLeft => "client's left temple corner",
        PhotoLandmark::TempleRight => "client's right temple corner",
        PhotoLandmark::Vertex => "vertex (top of the head)",
        PhotoLandmark::Occipital => "occipital (back of the head's furthest point)",
        PhotoLandmark::EarLeft => "client's left ear top (where it meets the head)",
        PhotoLandmark::EarRight => "client's right ear top (where it meets the head)",
    }
}

fn hint(l: PhotoLandmark) -> &'static str {
    match l {
        PhotoLandmark::TempleLeft | PhotoLandmark::EarLeft => {
            "The client's own left: on the right of a photo taken from the front."
        }
        PhotoLandmark::TempleRight | PhotoLandmark::EarRight => {
            "The client's own right: on the left of a photo taken from the front."
        }
        _ => "Skip it if this photo does not show it.",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A click is mapped back to the photo pixel it was drawn at, whatever the view's shape.
    #[test]
    fn screen_and_photo_pixels_map_both_ways() {
        for rect in [
            Rect::from_min_size(egui::pos2(0.0, 0.0), egui::vec2(800.0, 600.0)),
            Rect::from_min_size(egui::pos2(30.0, 12.0), egui::vec2(300.0, 900.0)),
        ] {
            let s = Shown::fit((4000, 3000), rect);
            // Fitted and centred: the photo's corners lie inside the rect, touching two sides.
            let (a, b) = (s.to_screen([0.0, 0.0]), s.to_screen([4000.0, 3000.0]));
            assert!(rect.expand(0.01).contains(a) && rect.expand(0.01).contains(b));
            assert!(((a.x - rect.left()) - (rect.right() - b.x)).abs() < 0.01);
            assert!(((a.y - rect.top()) - (rect.bottom() - b.y)).abs() < 0.01);
            let p = s.to_photo(s.to_screen([1234.0, 567.0]));
            assert!(
                (p[0] - 1234.0).abs() < 0.05 && (p[1] - 567.0).abs() < 0.05,
                "{p:?}"
            );
        }
    }
}
