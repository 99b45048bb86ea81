//! What every mesh target does after its reader: the repair and the size checks the scan
//! path runs on what a reader made, so that odd meshes reach them too.
use scalp::head::raw::RawMesh;
use scalp::head::repair;

/// A triangle limit small enough that a fuzzer's input never allocates much.
pub const MAX_TRIANGLES: usize = 1 << 16;

pub fn after_reading(raw: &RawMesh) {
    let rep = repair::repair(raw);
    let _ = repair::rescale_for(repair::robust_extent(&rep.positions), None);
    let _ = rep.report.describe();
    let _ = rep.report.warnings();
}
