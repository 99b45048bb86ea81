//! scalp: renders scalp micropigmentation (SMP) on a 3D head with wgpu.
//!
//! Data flow (see DESIGN.md): plan (TOML) → head mesh → treatment zone → dots (compute) →
//! skin, dot and composite passes → an image in a texture view the caller gives.
pub mod ageing;
pub mod camera;
pub mod dots;
pub mod engine;
pub mod error;
pub mod exposure;
pub mod gpu;
pub mod hair;
pub mod hash;
pub mod head;
pub mod light;
pub mod optics;
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
