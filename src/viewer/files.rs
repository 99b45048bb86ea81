//! What the viewer writes: the picture of the 3D view (P), the plan (Ctrl+S), numbered files
//! beside --out.
use super::view3d::{self, Quality, View3d};
use super::Viewer;
use scalp::engine::Frame;
use scalp::png::write_png;
use scalp::Result;
use std::path::{Path, PathBuf};

impl Viewer {
    /// P: the 3D view alone, drawn again at full quality by the library's image path.
    pub(super) fn save_picture(&mut self, camera: &scalp::camera::Camera, px: (u32, u32)) {
        let Some(scene) = &self.scene else { return };
        let (size, ssaa) = View3d::resolution(Quality::Full, px);
        let settings = view3d::frame_settings(
            &self.controls.settings,
            &scene.treatment,
            self.controls.split,
            self.path,
            size.0,
            ssaa,
        );
        let path = self.next_file("png");
        let result = self
            .engine
            .render_image(&Frame {
                head: &scene.head_gpu,
                dots: Some((&scene.dots, &scene.aged)),
                view: (*camera).into(),
                settings: &settings,
                size,
            })
            .and_then(|img| write_png(&img, &path));
        match result {
            Ok(()) => self.note = Some(format!("wrote {}", path.display())),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// Ctrl+S: the current settings as a plan file, written whole or not at all.
    pub(super) fn save_plan(&mut self) {
        let plan = &self.controls.plan_to_save();
        let result = plan
            .validate()
            .and_then(|()| write_text(&self.save_plan, &plan.to_toml()));
        match result {
            Ok(()) => self.note = Some(format!("saved the plan to {}", self.save_plan.display())),
            Err(e) => self.error = Some(e.to_string()),
        }
    }

    /// The first free `<out stem>-NNN.<ext>` beside `--out`.
    pub(super) fn next_file(&self, ext: &str) -> PathBuf {
        let stem = self
            .out
            .file_stem()
            .map(|s| s.to_string_lossy().to_string())
            .unwrap_or_else(|| "scalp-view".into());
        let dir = self.out.parent().unwrap_or(Path::new(""));
        (1..10_000)
            .map(|i| dir.join(format!("{stem}-{i:03}.{ext}")))
            .find(|p| !p.exists())
            .unwrap_or_else(|| dir.join(format!("{stem}-last.{ext}")))
    }
}

/// Writes `text` whole or not at all (see `scalp::png::write_whole`); plans are `.toml`.
fn write_text(path: &Path, text: &str) -> Result<()> {
    scalp::png::write_whole(path, "toml", |w| {
        w.write_all(text.as_bytes()).map_err(|e| e.to_string())
    })
}
