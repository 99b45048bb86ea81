//! The side panel: every control of the consultation, and nothing else. Controls only edit
//! [`Controls`]; what a change costs (re-render, re-age, regenerate) is decided elsewhere by
//! comparing it with what the scene was made from (`scene::Work`), so a new control is one
//! widget line here and needs no wiring of its own.
use egui::{Color32, RichText, Ui};
use scalp::camera::ViewPreset;
use scalp::light::LightPreset;
use scalp::optics::SkinTone;
use scalp::plan::{Density, HairlineStyle, Plan};
use scalp::render::{RenderSettings, Show};
use scalp::technique::TechniqueError;

/// What the user has asked to see. The scene follows it.
#[derive(Clone, Debug)]
pub struct Controls {
    /// The treatment: every field of it the panel edits is generation or ageing input.
    pub plan: Plan,
    /// The plan's zone densities as loaded: the density slider scales them together.
    pub density_base: Density,
    /// Years after the first session.
    pub years: f32,
    /// How the head is drawn (dots on or off, and whatever the library adds: light, skin).
    /// `ssaa`, `split_x` and `path` are the viewer's to set per frame.
    pub settings: RenderSettings,
    /// Before/after divider as a fraction of the view's width; None: off.
    pub split: Option<f32>,
}

impl Controls {
    pub fn new(mut plan: Plan, years: f32) -> Controls {
        // The shade slider shows, and the ink tone follows, the ink matched to the hair; once
        // shown it is the plan's own, so moving the slider changes what is deposited.
        plan.resolve_matched_ink();
        plan.dots.match_hair = false;
        Controls {
            // Skin and hair are render settings here so that switching them never regenerates
            // the dots; "save plan" writes them back (see `plan_to_save`).
            settings: RenderSettings {
                skin: plan.skin.tone,
                hair: plan.hair.enabled,
                ink_tone: scalp::worked::Worked::resolve(&plan).ink_tone,
                ..RenderSettings::default()
            },
            density_base: plan.density.clone(),
            plan,
            years,
            split: None,
        }
    }

    /// The plan as the panel shows it, skin and existing hair included.
    pub fn plan_to_save(&self) -> Plan {
        let mut p = self.plan.clone();
        p.skin.tone = self.settings.skin;
        p.hair.enabled = self.settings.hair;
        p
    }

    /// Density of the top zone: what the density slider shows.
    fn density(&self) -> f32 {
        self.plan.density.top
    }

    /// Sets every zone's density so the top has `top`, keeping the plan's proportions.
    pub(super) fn set_density(&mut self, top: f32) {
        let k = top / self.density_base.top.max(1e-3);
        let b = &self.density_base;
        let clamp = |v: f32| (v * k).clamp(1.0, 1000.0);
        self.plan.density = Density {
            hairline: clamp(b.hairline),
            top: clamp(b.top),
            crown: clamp(b.crown),
            sides: clamp(b.sides),
            back: clamp(b.back),
        };
    }
}

/// A closed set of named values, shown as a combo box: hairline styles now; light presets,
/// skin tones, technique errors as the library grows them.
pub trait Choice: Copy + PartialEq + 'static {
    const ALL: &'static [Self];
    fn label(self) -> &'static str;
}

impl Choice for HairlineStyle {
    const ALL: &'static [Self] = &[
        HairlineStyle::Juvenile,
        HairlineStyle::Mature,
        HairlineStyle::Receding,
    ];
    fn label(self) -> &'static str {
        match self {
            HairlineStyle::Juvenile => "juvenile",
            HairlineStyle::Mature => "mature",
            HairlineStyle::Receding => "receding",
        }
    }
}

impl Choice for SkinTone {
    const ALL: &'static [Self] = &SkinTone::ALL;
    fn label(self) -> &'static str {
        match self {
            SkinTone::I => "I (very fair)",
            SkinTone::II => "II (fair)",
            SkinTone::III => "III (medium)",
            SkinTone::IV => "IV (olive)",
            SkinTone::V => "V (brown)",
            SkinTone::VI => "VI (dark brown)",
        }
    }
}

impl Choice for LightPreset {
    const ALL: &'static [Self] = &LightPreset::ALL;
    fn label(self) -> &'static str {
        self.name()
    }
}

impl Choice for Show {
    const ALL: &'static [Self] = &[Show::Skin, Show::Exposure];
    fn label(self) -> &'static str {
        match self {
            Show::Skin => "skin and dots",
            Show::Exposure => "sun exposure",
        }
    }
}

impl Choice for ViewPreset {
    const ALL: &'static [Self] = &[
        ViewPreset::Front,
        ViewPreset::ThreeQuarter,
        ViewPreset::Top,
        ViewPreset::Back,
        ViewPreset::Left,
        ViewPreset::Right,
    ];
    fn label(self) -> &'static str {
        match self {
            ViewPreset::Front => "front",
            ViewPreset::ThreeQuarter => "¾",
            ViewPreset::Top => "top",
            ViewPreset::Back => "back",
            ViewPreset::Left => "left",
            ViewPreset::Right => "right",
        }
    }
}

/// A combo box over a [`Choice`]; true when the value changed.
pub fn choice<T: Choice>(ui: &mut Ui, label: &str, value: &mut T) -> bool {
    let before = *value;
    egui::ComboBox::from_label(label)
        .selected_text(value.label())
        .show_ui(ui, |ui| {
            for &v in T::ALL {
                ui.selectable_value(value, v, v.label());
            }
        });
    *value != before
}

/// A slider over a plan quantity with its unit; true when the value changed.
fn slider(
    ui: &mut Ui,
    label: &str,
    value: &mut f32,
    range: std::ops::RangeInclusive<f32>,
    unit: &str,
    hint: &str,
) -> bool {
    ui.add(
        egui::Slider::new(value, range)
            .text(label)
            .suffix(unit)
            .max_decimals(2),
    )
    .on_hover_text(hint)
    .changed()
}

/// Share of the time slider's track given to the healing days.
const HEALING_TRACK: f32 = 0.3;
/// The healing part of the slider: days 0–28.
const HEALING_DAYS: f32 = 28.0;
/// The far end of the slider.
pub const MAX_YEARS: f32 = 15.0;

/// Slider position (0–1) → years after the first session: the first 30% of the track is
/// days 0–28 (healing, day by day), the rest 4 weeks to 15 years on a log scale (the first
/// months change most).
pub fn slider_to_years(s: f32) -> f32 {
    let s = s.clamp(0.0, 1.0);
    let y28 = HEALING_DAYS / scalp::ageing::DAYS_PER_YEAR;
    if s <= HEALING_TRACK {
        y28 * s / HEALING_TRACK
    } else {
        y28 * (MAX_YEARS / y28).powf((s - HEALING_TRACK) / (1.0 - HEALING_TRACK))
    }
}

/// The inverse of [`slider_to_years`].
pub fn years_to_slider(t: f32) -> f32 {
    let y28 = HEALING_DAYS / scalp::ageing::DAYS_PER_YEAR;
    let t = t.clamp(0.0, MAX_YEARS);
    if t <= y28 {
        HEALING_TRACK * t / y28
    } else {
        HEALING_TRACK + (1.0 - HEALING_TRACK) * (t / y28).ln() / (MAX_YEARS / y28).ln()
    }
}

/// What the panel asks the viewer to do besides editing [`Controls`].
#[derive(Default, Debug)]
pub struct Actions {
    pub preset: Option<ViewPreset>,
    pub screenshot: bool,
    pub save_picture: bool,
    pub save_plan: bool,
    pub load_mesh: Option<std::path::PathBuf>,
}

/// What the panel shows about the state of things (read only).
pub struct Status<'a> {
    pub head: &'a str,
    /// Dots, treated cm², seconds they took to generate.
    pub dots: Option<(u64, f64, f64)>,
    pub healed_years: f32,
    pub adapter: &'a str,
    pub frame: &'a str,
    pub error: Option<&'a str>,
    pub note: Option<&'a str>,
}

/// The panel. `mesh_path` is the text of the "load a scan" field, kept between frames.
pub fn show(
    ui: &mut Ui,
    c: &mut Controls,
    status: &Status<'_>,
    mesh_path: &mut String,
    dismiss_error: &mut bool,
) -> Actions {
    let mut act = Actions::default();
    egui::ScrollArea::vertical().show(ui, |ui| {
        ui.spacing_mut().slider_width = 170.0;
        header(ui, status, dismiss_error);
        ui.separator();
        time(ui, c, status);
        ui.separator();
        treatment(ui, c);
        ui.separator();
        client(ui, c);
        ui.separator();
        errors(ui, c);
        ui.separator();
        display(ui, c, &mut act);
        ui.separator();
        save(ui, &mut act, mesh_path, status);
        ui.separator();
        footer(ui, status);
    });
    act
}

/// The head shown and the error, if any, with its dismiss button.
fn header(ui: &mut Ui, status: &Status<'_>, dismiss_error: &mut bool) {
    ui.heading("scalp");
    ui.label(RichText::new(status.head).small());
    if let Some(e) = status.error {
        egui::Frame::new()
            .fill(Color32::from_rgb(90, 20, 20))
            .inner_margin(6.0)
            .corner_radius(4.0)
            .show(ui, |ui| {
                ui.label(RichText::new(e).color(Color32::WHITE));
                if ui.small_button("dismiss").clicked() {
                    *dismiss_error = true;
                }
            });
    }
}

/// The time since the first session: a slider (days, then years), days, and marks.
fn time(ui: &mut Ui, c: &mut Controls, status: &Status<'_>) {
    ui.strong("Time");
    let mut s = years_to_slider(c.years);
    if ui
        .add(egui::Slider::new(&mut s, 0.0..=1.0).show_value(false))
        .on_hover_text("days 0–28 of healing on the left, then 4 weeks to 15 years")
        .changed()
    {
        c.years = slider_to_years(s);
    }
    ui.horizontal(|ui| {
        ui.label(scalp::reports::sheet::time_label(c.years));
        let mut days = c.years * scalp::ageing::DAYS_PER_YEAR;
        if ui
            .add(
                egui::DragValue::new(&mut days)
                    .range(0.0..=MAX_YEARS * scalp::ageing::DAYS_PER_YEAR)
                    .speed(1.0)
                    .max_decimals(0)
                    .suffix(" days"),
            )
            .changed()
        {
            c.years = days / scalp::ageing::DAYS_PER_YEAR;
        }
    });
    ui.horizontal_wrapped(|ui| {
        let marks = [
            ("day 0", 0.0),
            ("day 7", 7.0 / scalp::ageing::DAYS_PER_YEAR),
            ("healed", status.healed_years),
            ("1 y", 1.0),
            ("3 y", 3.0),
            ("5 y", 5.0),
            ("10 y", 10.0),
            ("15 y", 15.0),
        ];
        for (name, y) in marks {
            if ui.small_button(name).clicked() {
                c.years = y;
            }
        }
    });
}

/// What is deposited: density, dot size, depth, shade, hairline.
fn treatment(ui: &mut Ui, c: &mut Controls) {
    ui.strong("Treatment");
    let mut density = c.density();
    if slider(
        ui,
        "density",
        &mut density,
        10.0..=300.0,
        " /cm²",
        "dots per cm² on the top; the other zones keep the plan's proportions. \
         Natural hair shows ~65–100 follicular units per cm²",
    ) {
        c.set_density(density);
    }
    slider(
        ui,
        "dot size",
        &mut c.plan.dots.diameter_mm,
        0.05..=1.0,
        " mm",
        "healed dot diameter: 0.10–0.17 mm is right; over 0.3 mm is an oversized-dot error",
    );
    slider(
        ui,
        "depth",
        &mut c.plan.dots.depth_mm,
        0.02..=2.5,
        " mm",
        "deposit depth: 0.25–0.5 mm (upper dermis) is right; under 0.1 sheds, over 0.8 blurs blue",
    );
    slider(
        ui,
        "shade",
        &mut c.plan.dots.shade,
        1.0..=10.0,
        "",
        "pigment dilution step: 1 = light grey … 10 = near black; match the shaved hair",
    );
    choice(ui, "hairline", &mut c.plan.hairline.style);
}

/// The room's light and the client's skin and hair.
fn client(ui: &mut Ui, c: &mut Controls) {
    ui.strong("Client and light");
    choice(ui, "light", &mut c.settings.light);
    choice(ui, "skin type", &mut c.settings.skin);
    ui.checkbox(&mut c.settings.hair, "existing hair (stubble)")
        .on_hover_text("the hair the client still has, as the plan's [hair] section describes");
}

/// A severity slider for every technique error.
fn errors(ui: &mut Ui, c: &mut Controls) {
    ui.strong("Technique errors (trainers)");
    for e in TechniqueError::ALL {
        let mut sev = e.severity(&c.plan.errors);
        if slider(
            ui,
            e.title(),
            &mut sev,
            0.0..=1.0,
            "",
            "0 = correct work … 1 = the worst case",
        ) {
            e.set_severity(&mut c.plan.errors, sev);
        }
    }
    // The ink's tone follows the plan (a wrong shade is also a warm/cool mismatch).
    c.settings.ink_tone = scalp::worked::Worked::resolve(&c.plan).ink_tone;
}

/// What the view shows: skin or exposure, dots, the before/after divider, a preset.
fn display(ui: &mut Ui, c: &mut Controls, act: &mut Actions) {
    ui.strong("Show");
    choice(ui, "show", &mut c.settings.show);
    if c.settings.show == Show::Exposure {
        ui.label(
            RichText::new("yearly UV dose: dark blue 0 to yellow 2 (1 = the top of the head)")
                .small(),
        );
    }
    ui.checkbox(&mut c.settings.dots, "treatment (dots)");
    let mut split = c.split.is_some();
    if ui
        .checkbox(&mut split, "before / after (B)")
        .on_hover_text("untreated on the left of the divider; drag the divider on the image")
        .changed()
    {
        c.split = split.then_some(0.5);
    }
    ui.horizontal_wrapped(|ui| {
        for (i, &p) in ViewPreset::ALL.iter().enumerate() {
            if ui
                .button(p.label())
                .on_hover_text(format!("key {}", i + 1))
                .clicked()
            {
                act.preset = Some(p);
            }
        }
    });
}

/// Saving the window, the picture or the plan, and loading a head.
fn save(ui: &mut Ui, act: &mut Actions, mesh_path: &mut String, status: &Status<'_>) {
    ui.strong("Save");
    ui.horizontal_wrapped(|ui| {
        act.screenshot = ui
            .button("screenshot (F12)")
            .on_hover_text("the whole window, as you see it")
            .clicked();
        act.save_picture = ui
            .button("picture (P)")
            .on_hover_text("the 3D view alone, at full quality")
            .clicked();
        act.save_plan = ui
            .button("plan (Ctrl+S)")
            .on_hover_text("these settings as a plan file")
            .clicked();
    });
    ui.horizontal(|ui| {
        let field = ui.add(
            egui::TextEdit::singleline(mesh_path)
                .hint_text("head.obj/.ply/.stl/.glb (or drop a file)")
                .desired_width(150.0),
        );
        let entered = field.lost_focus() && ui.input(|i| i.key_pressed(egui::Key::Enter));
        if (ui.button("load").clicked() || entered) && !mesh_path.trim().is_empty() {
            act.load_mesh = Some(mesh_path.trim().into());
        }
    });
    if let Some(n) = status.note {
        ui.label(RichText::new(n).small());
    }
}

/// The dots, the last frame and the adapter.
fn footer(ui: &mut Ui, status: &Status<'_>) {
    if let Some((n, a, s)) = status.dots {
        ui.label(format!(
            "{n} dots on {a:.0} cm² ({:.0}/cm²), generated in {s:.2} s",
            n as f64 / a.max(1e-9)
        ));
    }
    ui.label(RichText::new(status.frame).small());
    ui.label(RichText::new(status.adapter).small());
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn time_slider_is_days_then_years_and_inverts() {
        let d = scalp::ageing::DAYS_PER_YEAR;
        assert_eq!(slider_to_years(0.0), 0.0);
        assert!((slider_to_years(HEALING_TRACK) * d - 28.0).abs() < 1e-3);
        assert!((slider_to_years(HEALING_TRACK / 2.0) * d - 14.0).abs() < 1e-3);
        assert!((slider_to_years(1.0) - MAX_YEARS).abs() < 1e-3);
        let mut last = -1.0;
        for i in 0..=100 {
            let s = i as f32 / 100.0;
            let t = slider_to_years(s);
            assert!(t > last, "monotonic");
            last = t;
            assert!((years_to_slider(t) - s).abs() < 1e-4, "{s}");
        }
        // A year sits around the middle of the track, not crammed at one end.
        let one = years_to_slider(1.0);
        assert!((0.5..0.8).contains(&one), "{one}");
    }

    #[test]
    fn density_scales_every_zone_in_the_plans_proportions() {
        let d = Plan::default().density;
        let mut c = Controls::new(Plan::default(), 0.2);
        c.set_density(50.0);
        assert_eq!(c.plan.density.top, 50.0);
        assert!((c.plan.density.hairline - 50.0 * d.hairline / d.top).abs() < 1e-3);
        assert!((c.plan.density.sides - 50.0 * d.sides / d.top).abs() < 1e-3);
        c.set_density(d.top);
        assert_eq!(c.plan.density, Plan::default().density);
        assert!(c.plan.validate().is_ok());
    }

    #[test]
    fn the_panel_starts_from_the_plan_and_saves_skin_and_hair_back() {
        let mut plan = Plan::default();
        plan.skin.tone = SkinTone::V;
        plan.hair.enabled = true;
        let mut c = Controls::new(plan, 1.0);
        assert_eq!(c.settings.skin, SkinTone::V);
        assert!(c.settings.hair);
        c.settings.skin = SkinTone::III;
        c.settings.hair = false;
        let saved = c.plan_to_save();
        assert_eq!(saved.skin.tone, SkinTone::III);
        assert!(!saved.hair.enabled);
    }

    #[test]
    fn the_shade_slider_shows_the_ink_matched_to_the_hair_and_then_sets_it() {
        let plan = Plan::default();
        assert!(plan.dots.match_hair);
        let mut matched = plan.clone();
        matched.resolve_matched_ink();
        let mut c = Controls::new(plan, 1.0);
        // What the panel shows is what the treatment deposits, tone included.
        assert_eq!(c.plan.dots.shade, matched.dots.shade);
        assert!(
            (c.plan.dots.shade - 7.0).abs() > 1.0,
            "{}",
            c.plan.dots.shade
        );
        assert_eq!(
            c.settings.ink_tone,
            scalp::worked::Worked::resolve(&matched).ink_tone
        );
        assert!(c.settings.ink_tone > 0.1, "{}", c.settings.ink_tone);
        // Moved by hand, the shade is the plan's: nothing matches it back.
        c.plan.dots.shade = 7.0;
        let mut used = c.plan.clone();
        used.resolve_matched_ink();
        assert_eq!(used.dots.shade, 7.0);
        assert!(!c.plan_to_save().dots.match_hair);
    }

    #[test]
    fn every_choice_has_a_distinct_label() {
        fn distinct<T: Choice>() {
            let mut labels: Vec<_> = T::ALL.iter().map(|v| v.label()).collect();
            labels.sort();
            labels.dedup();
            assert_eq!(labels.len(), T::ALL.len());
        }
        distinct::<HairlineStyle>();
        distinct::<ViewPreset>();
        distinct::<SkinTone>();
        distinct::<LightPreset>();
        distinct::<Show>();
    }
}
