//! What the commands share: the head and plan arguments, the value parsers, loading, the
//! progress bar, and the mapping from the library's quantities to this CLI's flags.
use clap::Args;
use scalp::dots::generate::GpuDots;
use scalp::error::Quantity;
use scalp::head::align::ScanLandmarks;
use scalp::head::obj::{LoadOptions, Units, UpAxis};
use scalp::head::scan::{AlignMode, ScanOptions};
use scalp::head::Head;
use scalp::plan::Plan;
use scalp::technique::{self, TechniqueError};
use scalp::{engine::Engine, treatment::Treatment};
use scalp::{Result, ScalpError};
use std::cell::OnceCell;
use std::path::PathBuf;

pub mod adapters;
pub mod age;
pub mod bench;
pub mod compare;
pub mod consult;
pub mod export;
pub mod gallery;
pub mod match_;
pub mod photo;
pub mod plan;
pub mod render;
pub mod report;
pub mod sculpt;
pub mod turntable;
pub mod view;

#[derive(Args)]
pub struct HeadArgs {
    /// Head scan: .obj (with its .mtl and texture), .ply (ASCII or binary; vertex colours or
    /// a TextureFile), .stl (ASCII or binary), .gltf (with its .bin and images) or .glb.
    /// Default: the built-in head.
    #[arg(long, value_name = "FILE")]
    pub mesh: Option<PathBuf>,
    /// Units of the mesh file (default: guessed from its size).
    #[arg(long, value_enum)]
    pub units: Option<Units>,
    /// Up axis of the mesh file. Given, the file's axes are trusted: the mesh is converted,
    /// not aligned (default: aligned automatically).
    #[arg(long, value_enum)]
    pub up: Option<UpAxis>,
    /// Align the mesh by three landmarks in its own coordinates (file units):
    /// "nasion=x,y,z;ear_left=x,y,z;ear_right=x,y,z", or a TOML file with those three keys.
    /// Ear tops are the client's own left and right.
    #[arg(long, value_name = "SPEC|FILE.toml", conflicts_with_all = ["up", "align"])]
    pub landmarks: Option<String>,
    /// How the mesh is brought into head space: auto (fit to the built-in head), or off (the
    /// file's axes are trusted; units and up axis as given or guessed).
    #[arg(long, value_enum, default_value_t = AlignMode::Auto)]
    pub align: AlignMode,
    /// Show the scan's own colour on the skin when it has one: its texture (OBJ's map_Kd,
    /// glTF's base colour, PLY's TextureFile) and its vertex colours (PLY, glTF COLOR_0,
    /// OBJ `v x y z r g b`).
    #[arg(long, value_enum, default_value_t = OnOff::On)]
    pub texture: OnOff,
    /// Treatment plan (TOML). Default: the built-in plan (`scalp plan --example`).
    #[arg(long, value_name = "PLAN.toml")]
    pub plan: Option<PathBuf>,
    /// Override the plan's seed.
    #[arg(long)]
    pub seed: Option<u32>,
    /// Ask for this many dots in all (scales every zone's density); 2000000 or 2e6.
    #[arg(long, value_parser = parse_count)]
    pub dots: Option<u64>,
    /// GPU adapter to use: part of its name or backend (e.g. lavapipe, llvmpipe, vulkan, gl).
    #[arg(long)]
    pub adapter: Option<String>,
    /// Switch on a technique error: NAME or NAME=SEVERITY (0–1, default 1). Repeatable.
    /// Names: oversized, too-deep, too-shallow, over-saturation, grid-spacing, harsh-hairline,
    /// wrong-shade, patchy-density, asymmetry, too-light.
    #[arg(long = "error", value_name = "NAME[=SEVERITY]", value_parser = technique::parse_flag)]
    pub errors: Vec<(TechniqueError, f32)>,
}

pub fn parse_years(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number of years"))?;
    if !(0.0..=30.0).contains(&v) {
        return Err(format!("{v} years is out of range: 0 to 30"));
    }
    Ok(v)
}

pub fn parse_days(s: &str) -> std::result::Result<f32, String> {
    let v: f32 = s
        .trim()
        .parse()
        .map_err(|_| format!("\"{s}\" is not a number of days"))?;
    let max = 30.0 * scalp::ageing::DAYS_PER_YEAR;
    if !(0.0..=max).contains(&v) {
        return Err(format!("{v} days is out of range: 0 to {max} (30 years)"));
    }
    Ok(v)
}

pub fn parse_fraction(s: &str) -> std::result::Result<f32, String> {
    match s.trim().parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("\"{s}\" is not a fraction from 0 to 1")),
    }
}

/// A count as people write large ones: 100000000, 100_000_000 or 1e8 (a whole number).
pub fn parse_count(s: &str) -> std::result::Result<u64, String> {
    let t = s.trim().replace('_', "");
    if let Ok(n) = t.parse::<u64>() {
        return Ok(n);
    }
    match t.parse::<f64>() {
        Ok(v) if t.contains(['e', 'E']) && v >= 0.0 && v.fract() == 0.0 && v < 1.8e19 => {
            Ok(v as u64)
        }
        _ => Err(format!(
            "\"{s}\" is not a whole number of dots (e.g. 2000000 or 2e6)"
        )),
    }
}

pub fn parse_size(s: &str) -> std::result::Result<(u32, u32), String> {
    let (w, h) = s
        .split_once(['x', 'X', '×'])
        .ok_or_else(|| format!("\"{s}\" is not WIDTHxHEIGHT (e.g. 1280x960)"))?;
    let p = |v: &str| {
        v.trim()
            .parse::<u32>()
            .map_err(|_| format!("\"{v}\" in \"{s}\" is not a whole number of pixels"))
    };
    let (w, h) = (p(w)?, p(h)?);
    match scalp::limits::image_side(w, h) {
        Some(m) => Err(m),
        None => Ok((w, h)),
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    On,
    Off,
}

pub fn load_head(a: &HeadArgs) -> Result<Head> {
    match &a.mesh {
        None => Head::builtin(),
        Some(p) => Head::load_scan(
            p,
            &ScanOptions {
                load: LoadOptions {
                    units: a.units,
                    up: a.up,
                    ..Default::default()
                },
                align: a.align,
                landmarks: a
                    .landmarks
                    .as_deref()
                    .map(ScanLandmarks::parse)
                    .transpose()?,
                texture: a.texture == OnOff::On,
            },
        ),
    }
}

pub fn load_plan(a: &HeadArgs) -> Result<Plan> {
    let mut plan = match &a.plan {
        None => Plan::default(),
        Some(p) => Plan::load(p)?,
    };
    if let Some(s) = a.seed {
        plan.seed = s;
    }
    scalp::worked::apply_flags(&mut plan, &a.errors);
    Ok(plan)
}

/// Generates the dots, with a progress bar when there are several chunks (minutes on a CPU
/// driver for millions of dots).
pub fn generate_with_bar(engine: &Engine, head: &Head, t: &Treatment) -> Result<GpuDots> {
    let bar = ChunkBar::default();
    let dots = engine.generate_with_progress(head, t, &|done, total| bar.update(done, total));
    bar.finish();
    dots
}

/// The progress of dot generation, shown only when there are several chunks; `update` is a
/// library progress callback (chunks done, chunks). On a terminal a bar; otherwise (a log, a
/// pipe, a clinic's script), where indicatif draws nothing, a plain line at every tenth, so
/// an hour-long `--dots 100000000` is never silent.
#[derive(Default)]
pub struct ChunkBar {
    bar: OnceCell<indicatif::ProgressBar>,
    /// Without a terminal: when generation started and the last tenth reported.
    plain: std::cell::Cell<Option<(std::time::Instant, usize)>>,
}

impl ChunkBar {
    pub fn update(&self, done: usize, total: usize) {
        use std::io::IsTerminal;
        if total < 2 {
            return;
        }
        if !std::io::stderr().is_terminal() {
            let (start, shown) = self
                .plain
                .get()
                .unwrap_or((std::time::Instant::now(), usize::MAX));
            let tenth = done * 10 / total;
            if tenth != shown {
                let s = start.elapsed().as_secs();
                eprintln!(
                    "generating dots: chunk {done}/{total} ({}%), {}:{:02} elapsed",
                    done * 100 / total,
                    s / 60,
                    s % 60
                );
            }
            self.plain.set(Some((start, tenth)));
            return;
        }
        let bar = self.bar.get_or_init(|| {
            let bar = indicatif::ProgressBar::new(total as u64);
            bar.set_style(
                indicatif::ProgressStyle::with_template(
                    "generating dots {bar:40} chunk {pos}/{len} [{elapsed}, about {eta} left]",
                )
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
            );
            bar
        });
        if done >= total {
            bar.finish_and_clear();
        } else {
            bar.set_position(done as u64);
        }
    }

    pub fn finish(&self) {
        if let Some(bar) = self.bar.get() {
            bar.finish_and_clear();
        }
    }
}

/// The flag that gives `quantity` on this command line.
pub fn flag(quantity: Quantity) -> &'static str {
    match quantity {
        Quantity::Years => "--years",
        Quantity::ImageSize => "--size",
        Quantity::DotCount => "--dots",
        Quantity::Landmarks => "--landmarks",
        // The compute splatter is the only path that can be refused.
        Quantity::SplattingPath => "--path compute",
        Quantity::Adapter => "--adapter",
    }
}

/// An error as this command line prints it: a quantity the library names in words is named
/// by its flag, so a user reads what to change in the command they typed.
pub fn message(e: &ScalpError) -> String {
    match e {
        ScalpError::Invalid { what, message } => match Quantity::from_name(what) {
            Some(q) => format!("{}: {message}", flag(q)),
            None => e.to_string(),
        },
        _ => e.to_string(),
    }
}

/// `--skin`: the engine shades the skin as asked; an adapter that cannot run the deferred pass
/// is named against the flag.
pub fn use_skin_shading(
    engine: &mut scalp::engine::Engine,
    shading: scalp::render::skin_deferred::SkinShading,
) -> scalp::Result<()> {
    engine.use_skin_shading(shading).map_err(|e| match e {
        scalp::ScalpError::Invalid { message, .. } => {
            scalp::ScalpError::invalid("--skin", format!("{message} (--skin forward)"))
        }
        e => e,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_quantity_reads_as_its_flag_on_the_command_line() {
        for q in Quantity::ALL {
            assert!(flag(q).starts_with("--"), "{q}");
            assert_eq!(Quantity::from_name(q.name()), Some(q));
        }
        // The library says the quantity; the CLI says the flag with the same message.
        let e = ScalpError::bad(Quantity::Years, "54 is out of range: 0 to 30 years");
        assert_eq!(e.to_string(), "years: 54 is out of range: 0 to 30 years");
        assert_eq!(message(&e), "--years: 54 is out of range: 0 to 30 years");
        let other = ScalpError::invalid("scalp compare", "say which error to show");
        assert_eq!(message(&other), other.to_string());
    }
}
