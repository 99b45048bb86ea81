//! What the engine tells about a treatment besides the picture: the per-zone report, the
//! trainers' metrics and side-by-side comparisons, contact sheets over the years, benchmarks.
pub mod bench;
pub mod compare;
pub mod framing;
pub mod gallery;
pub mod metrics;
pub mod report;
pub mod shaved;
pub mod sheet;
