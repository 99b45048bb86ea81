//! `scalp gallery`: the look gallery's sheets (see `scalp::reports::gallery`), written to a
//! folder.
use super::{load_head, load_plan, parse_size, ChunkBar, HeadArgs};
use clap::Args;
use scalp::engine::Engine;
use scalp::reports::gallery::{self, GalleryRequest};
use scalp::{Result, ScalpError};
use std::path::PathBuf;

#[derive(Args)]
pub struct GalleryArgs {
    #[command(flatten)]
    pub head: HeadArgs,
    /// Folder the sheets are written to.
    #[arg(long, default_value = "docs/gallery")]
    pub out: PathBuf,
    /// Tile size, WIDTHxHEIGHT.
    #[arg(long, default_value = "480x360", value_parser = parse_size)]
    pub size: (u32, u32),
}

pub fn run(a: GalleryArgs) -> Result<()> {
    let head = load_head(&a.head)?;
    let plan = load_plan(&a.head)?;
    let engine = Engine::new(a.head.adapter.as_deref())?;
    std::fs::create_dir_all(&a.out).map_err(|e| {
        ScalpError::invalid("--out", format!("cannot create {}: {e}", a.out.display()))
    })?;
    let req = GalleryRequest {
        head: &head,
        plan: &plan,
        dots: a.head.dots,
        size: a.size,
    };
    let bar = ChunkBar::default();
    gallery::sheets(
        &engine,
        &req,
        &|done, total| bar.update(done, total),
        &mut |sheet| {
            let path = a.out.join(sheet.file);
            scalp::reports::sheet::write_rgb_png(&sheet.image, &path)?;
            println!("wrote {}", path.display());
            Ok(())
        },
    )
}
