//! `scalp consult`: the consultation report a client takes home, as a PDF with selectable
//! text: before and after, healed, 1, 5 and 10 years; the sessions with their dates and what
//! each does; the hairline's numbers; when a touch-up is due and how sun habits and sunscreen
//! move it (the exposure model, dots regenerated per habit); aftercare; the plan itself. The
//! clinic's name and logo come from options. Written whole or not at all.
use super::export::Bar;
use super::{generate_with_bar, load_head, load_plan, HeadArgs};
use clap::Args;
use pdf_writer::{Content, Filter, Finish, Name, Pdf, Rect, Ref, Str};
use scalp::camera::ViewPreset;
use scalp::engine::{Engine, Frame};
use scalp::head::Head;
use scalp::plan::Plan;
use scalp::render::{HeadGpu, RenderSettings};
use scalp::treatment::Treatment;
use scalp::{Result, ScalpError};
use std::path::PathBuf;

#[derive(Args)]
pub struct ConsultArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Output PDF.
    #[arg(long, value_name = "FILE.pdf")]
    pub out: PathBuf,
    /// The clinic's name, at the top of every page.
    #[arg(long, default_value = "Scalp micropigmentation consultation")]
    pub clinic: String,
    /// The clinic's logo (PNG or JPEG), top right of the first page.
    #[arg(long, value_name = "IMAGE")]
    pub logo: Option<PathBuf>,
    /// The client's name, as the report addresses them.
    #[arg(long)]
    pub client: Option<String>,
    /// The client's photo (JPEG or PNG): the report's pictures are then this photo as it is
    /// ("Before") and with the treatment in it, instead of the 3D head. Needs --points.
    #[arg(long, value_name = "FILE", requires = "points")]
    pub photo: Option<PathBuf>,
    /// Landmark pixels picked on --photo, as `scalp photo --points` takes them.
    #[arg(long, value_name = "SPEC|FILE.toml", requires = "photo")]
    pub points: Option<String>,
    /// The photo's lens as a 35 mm-equivalent focal length, mm (default: its EXIF, else fitted).
    #[arg(long, value_name = "MM", value_parser = super::photo::parse_focal, requires = "photo")]
    pub focal_35mm: Option<f64>,
}

/// Every picture of the report's first page is this size: a photo is fitted into it.
const PICTURE: (u32, u32) = (800, 600);

/// `img` fitted into [`PICTURE`] on white, so photos of any shape share the page's grid.
fn fit_to_picture(img: &image::RgbaImage) -> image::RgbImage {
    let framed = super::photo::letterbox(img, PICTURE, [255, 255, 255, 255]);
    image::DynamicImage::ImageRgba8(framed).to_rgb8()
}

/// A4 in points.
const PAGE: (f32, f32) = (595.0, 842.0);
const MARGIN: f32 = 48.0;

/// Text as the standard fonts' WinAnsi encoding sees it; what it lacks becomes '?'.
fn ansi(s: &str) -> Vec<u8> {
    s.chars()
        .map(|c| match c {
            '–' => 0x96,
            '—' => 0x97,
            '•' => 0x95,
            '’' => 0x92,
            '‘' => 0x91,
            '“' => 0x93,
            '”' => 0x94,
            '…' => 0x85,
            '€' => 0x80,
            c if (c as u32) < 0x80 || (0xA0..0x100).contains(&(c as u32)) => c as u32 as u8,
            _ => b'?',
        })
        .collect()
}

/// An image placed on a page: JPEG bytes, size in pixels.
struct Picture {
    jpeg: Vec<u8>,
    size: (u32, u32),
}

impl Picture {
    fn of(img: &image::RgbImage) -> std::result::Result<Picture, String> {
        Ok(Picture {
            jpeg: scalp::export::glb::jpeg(img)?,
            size: img.dimensions(),
        })
    }
}

/// One page being laid out: its content and the images it draws.
struct Page {
    content: Content,
    images: Vec<usize>,
    y: f32,
}

impl Page {
    fn new(clinic: &str, number: usize) -> Page {
        let mut p = Page {
            content: Content::new(),
            images: Vec::new(),
            y: PAGE.1 - MARGIN,
        };
        p.text(MARGIN, p.y, 10.0, "F1", clinic);
        p.text(
            PAGE.0 - MARGIN - 40.0,
            MARGIN - 20.0,
            9.0,
            "F1",
            &format!("page {number}"),
        );
        p.y -= 30.0;
        p
    }

    fn text(&mut self, x: f32, y: f32, size: f32, font: &str, s: &str) {
        self.content
            .begin_text()
            .set_font(Name(font.as_bytes()), size)
            .next_line(x, y)
            .show(Str(&ansi(s)))
            .end_text();
    }

    /// A line of text at the cursor, moving it down.
    fn line(&mut self, size: f32, font: &str, s: &str) {
        self.text(MARGIN, self.y, size, font, s);
        self.y -= size * 1.45;
    }

    fn heading(&mut self, s: &str) {
        self.y -= 8.0;
        self.line(14.0, "F2", s);
    }

    /// Draws picture `k` (of `pictures`) with its lower-left corner at (x, y), `w` wide.
    fn picture(&mut self, k: usize, pictures: &[Picture], x: f32, y: f32, w: f32) -> f32 {
        let (pw, ph) = pictures[k].size;
        let h = w * ph as f32 / pw as f32;
        self.content
            .save_state()
            .transform([w, 0.0, 0.0, h, x, y])
            .x_object(Name(format!("Im{k}").as_bytes()))
            .restore_state();
        self.images.push(k);
        h
    }
}

/// The habits the report compares, as changes to the plan's `[exposure]`.
fn habits(plan: &Plan) -> Vec<(String, Plan)> {
    let now = plan.clone();
    let mut spf = plan.clone();
    spf.exposure.spf = 50.0;
    spf.exposure.sunscreen = 1.0;
    let mut cap = plan.clone();
    cap.exposure.hat = cap.exposure.hat.max(0.8);
    let mut outdoors = plan.clone();
    outdoors.exposure.hours_outdoors_per_day =
        (plan.exposure.hours_outdoors_per_day * 2.0).min(12.0);
    vec![
        ("as you live now".into(), now),
        ("SPF 50 on the scalp every day".into(), spf),
        ("a cap or hat most of the time outdoors".into(), cap),
        ("twice the time outdoors, no protection".into(), outdoors),
    ]
}

/// The earliest touch-up year over the treated zones, for a plan on a head.
fn touch_up(engine: &Engine, head: &Head, plan: &Plan, dots: Option<u64>) -> Result<Option<f32>> {
    let t = Treatment::new(head, plan, dots)?;
    let gpu_dots = engine.generate(head, &t)?;
    let read = gpu_dots.read(&engine.gpu)?;
    let reports = scalp::reports::report::zone_reports(head, &t, &read, t.healed_years());
    Ok(reports
        .iter()
        .filter(|r| r.dots > 0)
        .filter_map(|r| r.touch_up_year)
        .min_by(|a, b| a.total_cmp(b)))
}

pub fn run(a: ConsultArgs) -> Result<()> {
    scalp::png::check_output(&a.out, "pdf")?;
    let logo = match &a.logo {
        Some(p) => Some(
            image::open(p)
                .map_err(|e| ScalpError::invalid("--logo", format!("{}: {e}", p.display())))?
                .to_rgb8(),
        ),
        None => None,
    };
    let head = load_head(&a.head)?;
    // The photo is fitted before anything is rendered: bad points cost no render.
    let photo = match (&a.photo, &a.points) {
        (Some(path), Some(spec)) => Some(super::photo::fit_one(
            &head,
            path,
            spec,
            a.focal_35mm,
            None,
        )?),
        _ => None,
    };
    let plan = load_plan(&a.head)?;
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let mut head_gpu = HeadGpu::new(&engine.gpu, &head);
    treatment.set_hairs(&engine.gpu, &head, &mut head_gpu);
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let settings = RenderSettings {
        path: engine.auto_path_for(PICTURE, 0),
        ..treatment.render_settings()
    };
    let healed = treatment.healed_years();
    let moments: Vec<(String, Option<f32>)> = vec![
        ("Before".into(), None),
        ("After: healed".into(), Some(healed)),
        ("1 year".into(), Some(1.0f32.max(healed))),
        ("5 years".into(), Some(5.0)),
        ("10 years".into(), Some(10.0)),
    ];
    let habit_plans = habits(&treatment.plan);
    let bar = Bar::new(moments.len() + habit_plans.len(), "consultation report");
    let mut pictures = Vec::new();
    for (k, (_, years)) in moments.iter().enumerate() {
        let aged = years
            .map(|y| engine.age(&treatment, &dots, y))
            .transpose()?;
        let rgb = match (&photo, &aged) {
            // The client's photo as it is, then with the treatment in it (his own hair, not
            // the model's).
            (Some((image, _)), None) => fit_to_picture(image),
            (Some((image, fit)), Some(ag)) => fit_to_picture(
                &scalp::photo::render_into_photo(
                    &engine,
                    &head_gpu,
                    (&dots, ag),
                    &settings,
                    image,
                    fit,
                )
                .map_err(|e| {
                    let path = a.photo.as_deref().unwrap_or(std::path::Path::new(""));
                    ScalpError::invalid("--photo", format!("{}: {e}", path.display()))
                })?,
            ),
            (None, _) => {
                let img = engine.render_image(&Frame {
                    head: &head_gpu,
                    dots: aged.as_ref().map(|ag| (&dots, ag)),
                    view: ViewPreset::ThreeQuarter.into(),
                    settings: &settings,
                    size: PICTURE,
                })?;
                image::DynamicImage::ImageRgba8(img).to_rgb8()
            }
        };
        pictures.push(Picture::of(&rgb).map_err(|e| ScalpError::invalid("image", e))?);
        bar.set(k + 1);
    }
    let mut touch_ups = Vec::new();
    for (k, (name, p)) in habit_plans.iter().enumerate() {
        touch_ups.push((name.clone(), touch_up(&engine, &head, p, a.head.dots)?));
        bar.set(moments.len() + k + 1);
    }
    bar.finish();
    let logo_index = match &logo {
        Some(l) => {
            pictures.push(Picture::of(l).map_err(|e| ScalpError::invalid("--logo", e))?);
            Some(pictures.len() - 1)
        }
        None => None,
    };
    let plan_text = treatment.plan.to_toml();
    let pages = layout(
        &a, &treatment, &moments, &pictures, logo_index, &touch_ups, &plan_text,
    );
    let bytes = write_pdf(pages, &pictures, &plan_text);
    scalp::png::write_whole(&a.out, "pdf", |w| {
        w.write_all(&bytes).map_err(|e| e.to_string())
    })?;
    println!(
        "wrote {} ({} KB; touch-up as you live now: {})",
        a.out.display(),
        bytes.len() / 1024,
        touch_ups[0]
            .1
            .map_or("not within the horizon".to_string(), |y| format!(
                "year {y:.1}"
            ))
    );
    Ok(())
}

fn years_text(y: Option<f32>) -> String {
    y.map_or("not within 15 years".to_string(), |y| {
        format!("about {y:.1} years after the first session")
    })
}

#[allow(clippy::too_many_arguments)]
fn layout(
    a: &ConsultArgs,
    t: &Treatment,
    moments: &[(String, Option<f32>)],
    pictures: &[Picture],
    logo: Option<usize>,
    touch_ups: &[(String, Option<f32>)],
    plan_text: &str,
) -> Vec<Page> {
    let mut pages = Vec::new();
    // Page 1: the pictures.
    let mut p = Page::new(&a.clinic, 1);
    if let Some(k) = logo {
        p.picture(
            k,
            pictures,
            PAGE.0 - MARGIN - 90.0,
            PAGE.1 - MARGIN - 50.0,
            90.0,
        );
    }
    p.line(20.0, "F2", "Your consultation report");
    if let Some(c) = &a.client {
        p.line(12.0, "F1", &format!("Prepared for {c}"));
    }
    p.line(
        10.0,
        "F1",
        "What your scalp micropigmentation looks like now, after healing, and over the years.",
    );
    if let Some(photo) = &a.photo {
        let name = photo
            .file_name()
            .map_or(String::new(), |n| n.to_string_lossy().to_string());
        p.line(
            9.0,
            "F3",
            &format!(
                "On your own photo ({name}): the treatment drawn in from the camera fitted to the points picked on it."
            ),
        );
    }
    let full = PAGE.0 - 2.0 * MARGIN;
    let half = (full - 12.0) / 2.0;
    // Before and after side by side, then healed at 1, 5 and 10 years.
    let mut y = p.y - 8.0;
    let aspect = PICTURE.1 as f32 / PICTURE.0 as f32;
    for row in [[0usize, 1], [2, 3]] {
        let h = half * aspect;
        y -= h + 14.0;
        for (col, &k) in row.iter().enumerate() {
            let x = MARGIN + col as f32 * (half + 12.0);
            p.picture(k, pictures, x, y, half);
            p.text(x, y - 11.0, 9.0, "F2", &moments[k].0);
        }
        y -= 6.0;
    }
    let h = half * aspect;
    y -= h + 14.0;
    p.picture(4, pictures, MARGIN, y, half);
    p.text(MARGIN, y - 11.0, 9.0, "F2", &moments[4].0);
    p.text(
        MARGIN + half + 12.0,
        y + h - 12.0,
        9.0,
        "F1",
        "Pigment fades slowly as the skin renews",
    );
    p.text(
        MARGIN + half + 12.0,
        y + h - 24.0,
        9.0,
        "F1",
        "and the sun breaks it down: a touch-up",
    );
    p.text(
        MARGIN + half + 12.0,
        y + h - 36.0,
        9.0,
        "F1",
        "session brings it back (see page 2).",
    );
    pages.push(p);

    // Page 2: sessions, hairline, touch-up and aftercare.
    let mut p = Page::new(&a.clinic, 2);
    let plan = &t.plan;
    p.heading("Your sessions");
    let starts = plan.sessions.start_years(&plan.ageing);
    let shares = plan.sessions.effective_shares();
    for (k, start) in starts.iter().enumerate() {
        let when = match plan.sessions.dates.get(k) {
            Some(d) => d.to_string(),
            None => format!("week {:.0}", start * scalp::ageing::DAYS_PER_YEAR / 7.0),
        };
        let what = if k == 0 {
            "lays the first, lighter layer of dots"
        } else if k + 1 == starts.len() {
            "completes the density and refines the hairline"
        } else {
            "builds density between the first dots"
        };
        p.line(
            10.5,
            "F1",
            &format!(
                "Session {}: {when}: {:.0}% of the dots; {what}.",
                k + 1,
                shares.get(k).copied().unwrap_or(0.0) * 100.0
            ),
        );
    }
    p.heading("Your hairline");
    let h = &plan.hairline;
    for s in [
        format!("Style: {:?}", h.style)
            .to_lowercase()
            .replacen("style: ", "Style: ", 1),
        format!(
            "Front line: {:.0} mm above the brow ridge (glabella)",
            h.front_above_glabella_mm
        ),
        format!(
            "Temple corners: {:.0} mm back from the front line",
            h.temple_recession_mm
        ),
        format!(
            "Sides: down to {:.0} mm above the ear tops",
            h.side_above_ear_mm
        ),
        format!(
            "Back: down to {:.0} mm below the occipital point",
            h.back_below_occipital_mm
        ),
        format!("Soft edge: density ramps up over {:.0} mm", h.band_width_mm),
        format!(
            "Dots: about {:.2} mm deposits at {:.2} mm depth, shade {:.1} of 10",
            plan.dots.diameter_mm, plan.dots.depth_mm, plan.dots.shade
        ),
        format!("About {:.0} dots in all", t.layout.expected_dots),
    ] {
        p.line(10.5, "F1", &s);
    }
    p.heading("When a touch-up is due");
    p.line(
        10.5,
        "F1",
        &format!(
            "Your habits: {:.1} h outdoors a day at latitude {:.0}, hat {:.0}% of the time, SPF {:.0} {:.0}% of the time.",
            plan.exposure.hours_outdoors_per_day,
            plan.exposure.latitude_deg,
            plan.exposure.hat * 100.0,
            plan.exposure.spf,
            plan.exposure.sunscreen * 100.0
        ),
    );
    for (name, y) in touch_ups {
        p.line(10.5, "F1", &format!("- {name}: {}", years_text(*y)));
    }
    p.line(9.0, "F3", "From the engine's exposure model: the sun's UV dose over your scalp speeds the fading of the pigment.");
    p.heading("Aftercare");
    for s in [
        "Days 1-4: keep the scalp dry; no washing, sweating, swimming or shaving.",
        "Days 5-28: no sauna, steam, swimming pools or sunbathing; wash gently, pat dry.",
        "Do not pick or scratch: small scabs fall by themselves within about a week.",
        "Shave again from day 5 with a gentle electric shaver; no exfoliating for 4 weeks.",
        "For life: SPF 30-50 on the scalp or a cap in the sun keeps the dots dark for longer.",
        "Moisturise with an unscented lotion from week 2 if the scalp feels dry.",
    ] {
        p.line(10.5, "F1", s);
    }
    pages.push(p);

    // Then the plan itself, as a text file would print it.
    let lines: Vec<&str> = plan_text.lines().collect();
    for (k, chunk) in lines.chunks(62).enumerate() {
        let mut p = Page::new(&a.clinic, pages.len() + 1);
        if k == 0 {
            p.heading("Your treatment plan (plan.toml)");
        }
        for l in chunk {
            p.line(8.5, "F4", l);
        }
        pages.push(p);
    }
    pages
}

fn write_pdf(pages: Vec<Page>, pictures: &[Picture], plan_text: &str) -> Vec<u8> {
    let mut pdf = Pdf::new();
    let mut next = 1;
    let mut id = || {
        next += 1;
        Ref::new(next - 1)
    };
    let catalog = id();
    let tree = id();
    let fonts: Vec<(&str, &str, Ref)> = [
        ("F1", "Helvetica"),
        ("F2", "Helvetica-Bold"),
        ("F3", "Helvetica-Oblique"),
        ("F4", "Courier"),
    ]
    .into_iter()
    .map(|(n, f)| (n, f, id()))
    .collect();
    let image_ids: Vec<Ref> = pictures.iter().map(|_| id()).collect();
    let page_ids: Vec<(Ref, Ref)> = pages.iter().map(|_| (id(), id())).collect();
    let file_id = id();
    let spec_id = id();
    {
        let mut cat = pdf.catalog(catalog);
        cat.pages(tree);
        cat.names()
            .embedded_files()
            .names()
            .insert(Str(b"plan.toml"), spec_id);
    }
    pdf.pages(tree)
        .kids(page_ids.iter().map(|(p, _)| *p))
        .count(pages.len() as i32);
    for (_, font, r) in &fonts {
        pdf.type1_font(*r)
            .base_font(Name(font.as_bytes()))
            .encoding_predefined(Name(b"WinAnsiEncoding"));
    }
    for (pic, r) in pictures.iter().zip(&image_ids) {
        let mut x = pdf.image_xobject(*r, &pic.jpeg);
        x.filter(Filter::DctDecode);
        x.width(pic.size.0 as i32);
        x.height(pic.size.1 as i32);
        x.color_space().device_rgb();
        x.bits_per_component(8);
        x.finish();
    }
    for (page, (pid, cid)) in pages.into_iter().zip(&page_ids) {
        let mut pg = pdf.page(*pid);
        pg.media_box(Rect::new(0.0, 0.0, PAGE.0, PAGE.1));
        pg.parent(tree);
        pg.contents(*cid);
        let mut res = pg.resources();
        {
            let mut f = res.fonts();
            for (name, _, r) in &fonts {
                f.pair(Name(name.as_bytes()), *r);
            }
        }
        {
            let mut xo = res.x_objects();
            for k in &page.images {
                xo.pair(Name(format!("Im{k}").as_bytes()), image_ids[*k]);
            }
        }
        res.finish();
        pg.finish();
        let data = page.content.finish();
        pdf.stream(*cid, &data);
    }
    // The plan as an attachment a PDF reader can save (and printed on the last pages).
    pdf.embedded_file(file_id, plan_text.as_bytes());
    let mut spec = pdf.file_spec(spec_id);
    spec.path(Str(b"plan.toml"));
    spec.embedded_file(file_id);
    spec.finish();
    pdf.finish()
}
