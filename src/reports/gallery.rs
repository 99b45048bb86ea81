//! The look gallery (docs/gallery/): what the renderer shows across clients and technique, as
//! labelled sheets. Skin types under the four lights; shallow, correct and deep deposits over
//! the years; the healing of the first session.
use crate::ageing::{age::AgedDots, DAYS_PER_YEAR};
use crate::camera::{Camera, ViewPreset};
use crate::dots::generate::GpuDots;
use crate::engine::{Engine, Frame};
use crate::error::Result;
use crate::head::Head;
use crate::light::LightPreset;
use crate::optics::SkinTone;
use crate::plan::Plan;
use crate::render::{HeadGpu, RenderSettings};
use crate::reports::sheet::{contact_sheet, time_label};
use crate::treatment::Treatment;

/// What the gallery is made from.
pub struct GalleryRequest<'a> {
    pub head: &'a Head,
    /// The plan every sheet starts from.
    pub plan: &'a Plan,
    /// Ask for this many dots in all (None: the plan's densities).
    pub dots: Option<u64>,
    /// Size of each picture on a sheet.
    pub size: (u32, u32),
}

/// One sheet of the gallery: its file name in the gallery folder, and the picture.
pub struct GallerySheet {
    pub file: &'static str,
    pub image: image::RgbImage,
}

/// Makes the gallery's sheets and hands each to `sheet` as soon as it is done (so a caller
/// writes them one by one). `progress(chunks done, chunks)` follows the generation of the
/// plan's dots, and is called with (chunks, chunks) once it is over.
pub fn sheets(
    engine: &Engine,
    req: &GalleryRequest,
    progress: &dyn Fn(usize, usize),
    sheet: &mut dyn FnMut(GallerySheet) -> Result<()>,
) -> Result<()> {
    let head = req.head;
    let mut head_gpu = HeadGpu::new(&engine.gpu, head);
    let treatment = Treatment::new(head, req.plan, req.dots)?;
    treatment.set_hairs(&engine.gpu, head, &mut head_gpu);
    let dots = engine.generate_with_progress(head, &treatment, progress)?;
    let chunks = treatment.layout.chunks.len();
    progress(chunks, chunks);
    let shots = Shots {
        engine,
        head_gpu: &head_gpu,
        size: req.size,
    };
    sheet(lights(&shots, &treatment, &dots)?)?;
    sheet(depths(&shots, req)?)?;
    sheet(healing(&shots, &treatment, &dots)?)?;
    Ok(())
}

/// What every picture of the gallery shares: the engine, the head on the GPU, the size.
struct Shots<'a> {
    engine: &'a Engine,
    head_gpu: &'a HeadGpu,
    size: (u32, u32),
}

impl Shots<'_> {
    /// A preset view narrowed by `zoom`.
    fn camera(&self, view: ViewPreset, zoom: f32) -> Camera {
        Camera::framing(
            view,
            &self.head_gpu.outline,
            self.size.0 as f32 / self.size.1 as f32,
        )
        .zoomed(zoom)
    }

    /// The dots as aged, seen by `camera` with `settings`.
    fn picture(
        &self,
        dots: (&GpuDots, &AgedDots),
        camera: &Camera,
        settings: &RenderSettings,
    ) -> Result<image::RgbaImage> {
        self.engine.render_image(&Frame {
            head: self.head_gpu,
            dots: Some(dots),
            view: (*camera).into(),
            settings,
            size: self.size,
        })
    }

    /// The close-up of the depth and healing sheets: a 2.5 cm patch of the top.
    fn close_up(&self) -> Camera {
        self.camera(ViewPreset::Top, 12.0)
    }
}

/// Skin types II, IV and VI under each light, healed.
fn lights(s: &Shots, treatment: &Treatment, dots: &GpuDots) -> Result<GallerySheet> {
    // The hairline and top from the front-above, close enough for the dot texture to show.
    let camera = s.camera(ViewPreset::ThreeQuarter, 2.2);
    let aged = s.engine.age(treatment, dots, treatment.healed_years())?;
    let mut tiles = Vec::new();
    for tone in [SkinTone::II, SkinTone::IV, SkinTone::VI] {
        for light in LightPreset::ALL {
            let settings = RenderSettings {
                light,
                skin: tone,
                ..treatment.render_settings()
            };
            let img = s.picture((dots, &aged), &camera, &settings)?;
            tiles.push((format!("type {} · {}", tone.name(), light.name()), img));
        }
    }
    Ok(GallerySheet {
        file: "lights.png",
        image: contact_sheet(
            "Skin types II, IV, VI under the four lights (healed)",
            &tiles,
            LightPreset::ALL.len(),
        )?,
    })
}

/// The same plan at 0.07, 0.35 and 1.1 mm, healed and after five years, close up.
fn depths(s: &Shots, req: &GalleryRequest) -> Result<GallerySheet> {
    let close = s.close_up();
    let mut tiles = Vec::new();
    for tone in [SkinTone::II, SkinTone::VI] {
        for (label, depth) in [
            ("shallow 0.07 mm", 0.07f32),
            ("correct 0.35 mm", 0.35),
            ("deep 1.1 mm", 1.1),
        ] {
            let mut plan = req.plan.clone();
            plan.dots.depth_mm = depth;
            plan.dots.depth_jitter_mm = 0.02;
            plan.skin.tone = tone;
            let t = Treatment::new(req.head, &plan, req.dots)?;
            let dots = s.engine.generate(req.head, &t)?;
            for years in [t.healed_years(), 5.0] {
                let aged = s.engine.age(&t, &dots, years)?;
                let img = s.picture((&dots, &aged), &close, &t.render_settings())?;
                let label = format!("{} · {label} · {}", tone.name(), time_label(years));
                tiles.push((label, img));
            }
        }
    }
    Ok(GallerySheet {
        file: "depths.png",
        image: contact_sheet(
            "Deposit depth: shallow, correct, deep (types II and VI, healed and 5 years; a 2.5 cm patch)",
            &tiles,
            6,
        )?,
    })
}

/// Day 0, 3, 7, 14 and 28 of the first session, close up.
fn healing(s: &Shots, treatment: &Treatment, dots: &GpuDots) -> Result<GallerySheet> {
    let close = s.close_up();
    let settings = treatment.render_settings();
    let mut tiles = Vec::new();
    for days in [0.0f32, 3.0, 7.0, 14.0, 28.0] {
        let aged = s.engine.age(treatment, dots, days / DAYS_PER_YEAR)?;
        let img = s.picture((dots, &aged), &close, &settings)?;
        tiles.push((format!("day {days}"), img));
    }
    Ok(GallerySheet {
        file: "healing.png",
        image: contact_sheet(
            "Healing of the first session: redness, scabs (days 5–7), settling by 4 weeks",
            &tiles,
            5,
        )?,
    })
}
