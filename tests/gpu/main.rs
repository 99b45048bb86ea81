//! The GPU integration tests, one binary so that they share one device (opening a device on a CPU
//! driver takes a while; `common::engine()` opens it once for all of them).
mod common;
#[path = "../shapes/mod.rs"]
mod shapes;

mod ageing;
mod backends;
mod calibration;
mod clinical;
mod darkening;
mod dots;
mod errors;
mod export;
mod fading;
mod faults;
mod formats;
mod frame_cache;
mod hair;
mod looks;
mod paths;
mod photo;
mod pipeline_cache;
mod render;
mod scans;
mod sessions;
mod shaved;
mod skin;
mod skin_deferred;
mod thinning;
