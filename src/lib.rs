//! scalp: renders scalp micropigmentation (SMP) on a 3D head with wgpu.
//!
//! Data flow (the picture, conventions and physics are in `docs/design.md`): a plan (TOML) is
//! read and checked (`plan`), then resolved once into what the practitioner actually deposits,
//! technique errors included (`technique`). A head (`head`: the built-in one, or a scan read,
//! repaired, aligned and textured) gets its sun exposure (`exposure`), the treated zone (`zone`)
//! and the generation layout (`dots::layout`). On the GPU the dots are generated and spaced
//! (`dots`: `generate.wgsl`, `spacing.wgsl`), aged to any time (`ageing`: `age.wgsl`), and
//! drawn by the skin, splat (raster or compute), hair and composite passes (`render`) into a
//! texture view the caller gives. `engine` runs that flow on a `treatment`; `reports` measures
//! and lays out pictures; the CLI and the viewer (the binary) are thin layers over it. The
//! compute stages (generation, ageing) each have a CPU reference the tests compare them with.
pub mod ageing;
pub mod camera;
pub mod colour;
pub mod dots;
pub mod engine;
pub mod error;
pub mod export;
pub mod exposure;
pub mod gpu;
pub mod hair;
pub mod hash;
pub mod head;
pub mod light;
pub mod limits;
pub mod math;
pub mod optics;
pub mod parallel;
pub mod photo;
pub mod plan;
pub mod png;
pub mod render;
pub mod reports;
pub mod scar;
pub mod shaders;
pub mod technique;
pub mod treatment;
pub mod worked;
pub mod zone;

pub use error::{Result, ScalpError};
