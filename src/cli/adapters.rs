//! `scalp adapters`: the GPU adapters wgpu can use, best first.
use scalp::{Result, ScalpError};

pub fn run() -> Result<()> {
    let list = scalp::gpu::list_adapters();
    if list.is_empty() {
        return Err(ScalpError::NoAdapter {
            detail: String::new(),
        });
    }
    for (i, info) in list.iter().enumerate() {
        println!(
            "{}{}",
            if i == 0 { "* " } else { "  " },
            scalp::gpu::describe(info)
        );
    }
    Ok(())
}
