//! `scalp sculpt`: regenerate the built-in head's assets from code.
use clap::Args;
use scalp::Result;
use std::path::PathBuf;

#[derive(Args)]
pub struct SculptArgs {
    #[arg(long, default_value = "assets")]
    pub out: PathBuf,
}

pub fn run(a: SculptArgs) -> Result<()> {
    scalp::head::sculpt::write_default_head_assets(&a.out)?;
    println!(
        "wrote {} and {}",
        a.out.join("head.obj").display(),
        a.out.join("head.landmarks.toml").display()
    );
    Ok(())
}
