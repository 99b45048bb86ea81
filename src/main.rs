//! `scalp`: the command line. Thin: parse, call the library, print, exit non-zero on error.
//! Each command lives in its own file under `cli/`; this file is the root and the dispatch.
use clap::{Parser, Subcommand};
use scalp::Result;

mod cli;
mod viewer;

#[derive(Parser)]
#[command(
    name = "scalp",
    version,
    about = "Renders scalp micropigmentation (SMP) on a 3D head"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Render a head with its treatment to a PNG.
    Render(cli::render::RenderArgs),
    /// Open the consultation viewer: the head in a window, with live controls.
    View(cli::view::ViewArgs),
    /// Print a commented example plan (--example) or check a plan file.
    Plan(cli::plan::PlanArgs),
    /// A labelled contact sheet of one view over the years, and optionally the fading chart.
    Age(cli::age::AgeArgs),
    /// Per zone: area, dots, coverage, apparent dot size, contrast and touch-up year; and the
    /// trainer's metrics (dot size, blue cast, merging, spacing, hairline, uniformity).
    Report(cli::report::ReportArgs),
    /// Match the SMP to the client's shaved hair: searches the shade, density and dot size
    /// for the plan whose treated scalp reads like the hair, and writes that plan.
    Match(cli::match_::MatchArgs),
    /// The treatment rendered into the client's own photos, fitted by landmark pixels.
    Photo(cli::photo::PhotoArgs),
    /// Correct and erroneous work side by side (technique errors, for trainers).
    Compare(cli::compare::CompareArgs),
    /// Measure dots per second generated, aged and drawn, and GPU time per pass.
    Bench(cli::bench::BenchArgs),
    /// The look gallery: three skin tones under the four lights, and shallow, correct and deep
    /// dots side by side (docs/gallery/).
    Gallery(cli::gallery::GalleryArgs),
    /// List the GPU adapters wgpu can use, best first.
    Adapters,
    /// Files a client takes home: the head as a 3D model (.glb) with its treatment at several
    /// times, and an offline page (.html) with a time slider.
    Export(cli::export::ExportArgs),
    /// One turn round the head as a video (.mp4 or .webp through ffmpeg, .gif without), at one
    /// time or with the years passing as it turns.
    Turntable(cli::turntable::TurntableArgs),
    /// The consultation report a client takes home (.pdf): before/after and the years, the
    /// sessions, the hairline, when a touch-up is due and how sun habits move it, aftercare.
    Consult(cli::consult::ConsultArgs),
    /// Regenerate the built-in default head (assets/head.obj and its landmarks) from code.
    Sculpt(cli::sculpt::SculptArgs),
}

fn run(cli: Cli) -> Result<()> {
    match cli.command {
        Command::Render(a) => cli::render::run(a),
        Command::Gallery(a) => cli::gallery::run(a),
        Command::View(a) => cli::view::run(a),
        Command::Age(a) => cli::age::run(a),
        Command::Report(a) => cli::report::run(a),
        Command::Compare(a) => cli::compare::run(a),
        Command::Match(a) => cli::match_::run(a),
        Command::Photo(a) => cli::photo::run(a),
        Command::Bench(a) => cli::bench::run(a),
        Command::Plan(a) => cli::plan::run(a),
        Command::Adapters => cli::adapters::run(),
        Command::Sculpt(a) => cli::sculpt::run(a),
        Command::Export(a) => cli::export::run(a),
        Command::Turntable(a) => cli::turntable::run(a),
        Command::Consult(a) => cli::consult::run(a),
    }
}

fn main() {
    // Rust ignores SIGPIPE, so `println!` panics when the reader of our output has gone
    // (`scalp report | head -3`). A command-line tool should end quietly instead, as any other
    // does; output files are written whole or not at all before the summary is printed.
    #[cfg(unix)]
    // SAFETY: single-threaded here; restoring a default signal disposition.
    unsafe {
        libc::signal(libc::SIGPIPE, libc::SIG_DFL);
    }
    // On a headless machine Mesa's drivers probe Wayland, and libwayland prints
    // "error: XDG_RUNTIME_DIR is invalid or not set" to stderr although nothing failed. Give it a
    // directory when there is no session at all, so a user only sees our own errors.
    if std::env::var_os("XDG_RUNTIME_DIR").is_none()
        && std::env::var_os("WAYLAND_DISPLAY").is_none()
    {
        // SAFETY: still single-threaded here, before anything reads the environment.
        unsafe { std::env::set_var("XDG_RUNTIME_DIR", std::env::temp_dir()) };
    }
    env_logger::Builder::from_env(env_logger::Env::default().default_filter_or("warn")).init();
    if let Err(e) = run(Cli::parse()) {
        eprintln!("error: {}", cli::message(&e));
        std::process::exit(1);
    }
}
