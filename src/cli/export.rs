//! `scalp export`: files a client takes home. `--glb` writes the head with its treatment baked
//! into textures (untreated, healed, 1, 5, 10 years as material variants); `--html` writes one
//! offline page showing the head with a time slider (untreated, healed, 1–10 years).
use super::{generate_with_bar, load_head, load_plan, parse_years, HeadArgs};
use clap::Args;
use scalp::engine::Engine;
use scalp::export::{self, glb, Moment};
use scalp::png::write_whole;
use scalp::treatment::Treatment;
use scalp::{Result, ScalpError};
use std::path::PathBuf;

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Write a glTF binary (.glb): the head with the treatment baked into its texture, one
    /// material variant per time (KHR_materials_variants).
    #[arg(long, value_name = "FILE.glb", required_unless_present = "html")]
    pub glb: Option<PathBuf>,
    /// Write one self-contained page (.html) that shows the head offline: orbit, zoom, a time
    /// slider and before/after.
    #[arg(long, value_name = "FILE.html")]
    pub html: Option<PathBuf>,
    /// The time shown first (and by viewers that know no variants), years after the first
    /// session (default: healed, four weeks after the last session).
    #[arg(long, value_parser = parse_years)]
    pub years: Option<f32>,
    /// Texture size, texels a side (256–16384; default 4096 for --glb, 2048 for --html alone).
    /// 4096 gives about 0.1 mm a texel over the built-in head: dots show up close.
    #[arg(long, value_parser = clap::value_parser!(u32).range(256..=16384))]
    pub texture_size: Option<u32>,
    /// Page title (the clinic's or the client's wording).
    #[arg(long, default_value = "Your scalp micropigmentation")]
    pub title: String,
}

/// Years the GLB carries after healing; the page steps through every year to ten.
const GLB_YEARS: [u32; 3] = [1, 5, 10];
const PAGE_YEARS: [u32; 10] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];

pub fn run(a: ExportArgs) -> Result<()> {
    if let Some(p) = &a.glb {
        scalp::png::check_output(p, "glb")?;
    }
    if let Some(p) = &a.html {
        scalp::png::check_output(p, "html")?;
    }
    let head = load_head(&a.head)?;
    let plan = load_plan(&a.head)?;
    let treatment = Treatment::new(&head, &plan, a.head.dots)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    let dots = generate_with_bar(&engine, &head, &treatment)?;
    let healed = treatment.healed_years();
    let years: &[u32] = if a.html.is_some() {
        &PAGE_YEARS
    } else {
        &GLB_YEARS
    };
    let mut moments = export::moments(healed, years);
    let shown = match a.years {
        None => 1,
        Some(y) => match moments.iter().position(|m| m.years == Some(y)) {
            Some(k) => k,
            None => {
                let name = format!("{y} years");
                let at = moments
                    .iter()
                    .position(|m| m.years.is_some_and(|t| t > y))
                    .unwrap_or(moments.len());
                moments.insert(at, Moment::at(name, y));
                at
            }
        },
    };
    let size = a
        .texture_size
        .unwrap_or(if a.glb.is_some() { 4096 } else { 2048 });
    let bar = Bar::new(moments.len(), "baking textures");
    let baked = export::bake_head(
        &engine,
        &head,
        &treatment,
        &dots,
        &moments,
        size,
        &|done, _| bar.set(done),
    )?;
    bar.finish();
    if baked.unplaced_dots > 0 {
        eprintln!(
            "warning: {} dots lie on no triangle of the mesh and are not in the texture",
            baked.unplaced_dots
        );
    }
    let bar = Bar::new(baked.textures.len(), "encoding textures");
    let mut variants = Vec::new();
    for (k, (m, img)) in baked.textures.iter().enumerate() {
        let jpeg = glb::jpeg(img).map_err(|e| ScalpError::invalid("texture", e))?;
        variants.push((
            m.clone(),
            glb::Variant {
                name: m.name.clone(),
                jpeg,
            },
        ));
        bar.set(k + 1);
    }
    bar.finish();
    if let Some(path) = &a.glb {
        // The GLB carries untreated, healed, 1, 5, 10 years (and the time asked for).
        let keep: Vec<usize> = (0..variants.len())
            .filter(|&k| {
                let m = &variants[k].0;
                k < 2
                    || k == shown
                    || m.years
                        .is_some_and(|y| GLB_YEARS.iter().any(|&g| g as f32 == y))
            })
            .collect();
        let chosen: Vec<glb::Variant> = keep
            .iter()
            .map(|&k| glb::Variant {
                name: variants[k].1.name.clone(),
                jpeg: variants[k].1.jpeg.clone(),
            })
            .collect();
        let default = keep.iter().position(|&k| k == shown).unwrap_or(1);
        let bytes = glb::glb(&baked.mesh, &chosen, default);
        write_whole(path, "glb", |w| {
            w.write_all(&bytes).map_err(|e| e.to_string())
        })?;
        println!(
            "wrote {} ({:.1} MB; {} texels a side; variants: {})",
            path.display(),
            bytes.len() as f64 / 1e6,
            size,
            chosen
                .iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    if let Some(path) = &a.html {
        let all: Vec<glb::Variant> = variants.into_iter().map(|(_, v)| v).collect();
        let bytes = glb::glb(&baked.mesh, &all, shown);
        let page = export::html::page(&bytes, &a.title, shown);
        write_whole(path, "html", |w| {
            w.write_all(page.as_bytes()).map_err(|e| e.to_string())
        })?;
        println!(
            "wrote {} ({:.1} MB, works offline; times: {})",
            path.display(),
            page.len() as f64 / 1e6,
            all.iter()
                .map(|v| v.name.as_str())
                .collect::<Vec<_>>()
                .join(", ")
        );
    }
    Ok(())
}

/// A progress bar over steps (a plain line a step without a terminal).
pub struct Bar {
    bar: Option<indicatif::ProgressBar>,
    what: &'static str,
    total: usize,
}

impl Bar {
    pub fn new(total: usize, what: &'static str) -> Bar {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "{msg} {bar:40} {pos}/{len} [{elapsed}, about {eta} left]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar.set_message(what);
            bar
        });
        Bar { bar, what, total }
    }

    pub fn set(&self, done: usize) {
        match &self.bar {
            Some(b) => b.set_position(done as u64),
            None => eprintln!("{}: {done}/{}", self.what, self.total),
        }
    }

    pub fn finish(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
