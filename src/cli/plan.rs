//! `scalp plan`: print the example plan, or check a plan file.
use clap::Args;
use scalp::plan::Plan;
use scalp::{Result, ScalpError};
use std::path::PathBuf;

#[derive(Args)]
pub struct PlanArgs {
    /// Print a complete, commented example plan (the defaults).
    #[arg(long)]
    pub example: bool,
    /// Check this plan file and print it with every default filled in.
    #[arg(long, value_name = "PLAN.toml")]
    pub check: Option<PathBuf>,
}

pub fn run(a: PlanArgs) -> Result<()> {
    match (a.example, a.check) {
        (_, Some(p)) => {
            let plan = Plan::load(&p)?;
            println!("# {} is valid; with every default filled in:", p.display());
            print!("{}", plan.to_toml());
            Ok(())
        }
        (true, None) => {
            print!("{}", Plan::example_toml());
            Ok(())
        }
        (false, None) => Err(ScalpError::invalid(
            "scalp plan",
            "say --example to print an example plan, or --check PLAN.toml",
        )),
    }
}
