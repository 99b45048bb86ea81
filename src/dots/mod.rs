//! Dots: what the practitioner deposits. Generation is a pure function of (seed, candidate id)
//! followed by a minimum-spacing rule, and this module is its CPU reference; the GPU passes in
//! `crate::dots::generate` compute the same with `shaders/generate.wgsl` and
//! `shaders/spacing.wgsl`.
//!
//! How dots are placed (natural, never a grid, no clumps):
//! 1. Candidates are thrown over the triangles that may be treated, a Poisson count per
//!    triangle with the mean its area asks at `K` times the largest zone density found on or
//!    beside it ([`candidate_excess`], [`intensity`]): together a Poisson process on the surface.
//! 2. Each candidate is kept with probability (local target density / its triangle's bound): this
//!    gives each zone its density and the transition band its ramp. A candidate near one of the
//!    client's hair roots is rejected: dots go between the hairs ([`hair_grid`], which also
//!    raises the keep probability so the density holds).
//! 3. A minimum spacing is enforced by the greedy rule in random priority order (a Matérn
//!    type III hard-core process), computed in [`spacing::ROUNDS`] synchronous rounds over each
//!    candidate's list of higher-priority conflicts: accepted once all of them are rejected,
//!    rejected once one is accepted. The rule settles in 9–12 rounds; one still undecided is
//!    dropped, identically on the CPU ([`reference::decide`]). The result does not depend on
//!    thread order.
//!
//! Large requests are split into chunks of at most [`CHUNK_CANDIDATES`] own candidates, each a
//! contiguous run of triangles in Morton order (so spatially compact), decided together with a
//! halo of the triangles within [`spacing::ROUNDS`] exclusion radii: decisions travel one radius
//! a round, so a chunk's own candidates are decided as if the whole head were. Chunks are
//! independent and their cost per dot does not grow with the count. The chunking does not
//! depend on the adapter, so every adapter draws the same dots.
mod compute;
pub mod generate;
pub mod hair_grid;
pub mod hair_near;
pub mod hair_yield;
pub mod intensity;
pub mod layout;
pub mod patchy;
pub mod reference;
pub mod scan;
pub mod spacing;
pub mod variant;

pub use hair_grid::HairGrid;
pub use layout::Layout;

use bytemuck::{Pod, Zeroable};

/// Candidates per chunk: 2²⁰, so every per-chunk buffer (48 MiB of dots at most) stays far below
/// the smallest storage-binding limit we meet (Mesa lavapipe: 128 MiB).
pub const CHUNK_CANDIDATES: u32 = 1 << 20;

/// One deposited dot, as stored on the GPU (`Dot` in shaders/shared/dots.wgsl). 48 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct Dot {
    /// On the skin surface, head space, mm.
    pub position: [f32; 3],
    /// Deposit depth below the surface, mm.
    pub depth_mm: f32,
    /// Unit surface normal.
    pub normal: [f32; 3],
    /// Deposit diameter, mm.
    pub diameter_mm: f32,
    /// Pigment amount relative to a nominal deposit (1.0).
    pub pigment: f32,
    /// Dilution step, 1 (light grey) … 10 (near black).
    pub shade: f32,
    /// Candidate id the dot was drawn from: its identity for every later random choice.
    pub id: u32,
    /// Bits 0–7: session index; bits 8–14: zone id; bit 15: in scar tissue; bits 16–31: the
    /// relative UV dose ([`pack_exposure`]).
    pub flags: u32,
}

/// `Dot::flags` bit of a dot in scar tissue.
pub const SCAR_TISSUE_BIT: u32 = 0x8000;
/// `Dot::flags` fields: the session in the low bits, the zone id from bit 8, the exposure
/// (`ageing::pack_exposure`) from bit 16.
pub const SESSION_MASK: u32 = 0xFF;
pub const ZONE_SHIFT: u32 = 8;
pub const ZONE_MASK: u32 = 0x7F;
pub const EXPOSURE_SHIFT: u32 = 16;

/// Fixed-point steps per unit of relative UV dose in a dot's flags (bits 16–31).
pub const EXPOSURE_STEPS: f32 = 8192.0;
/// The largest dose the flags hold (below 2¹⁶ steps).
pub const EXPOSURE_MAX: f32 = 7.999;

/// Relative UV dose of a dot, stored in bits 16–31 of its flags (fixed point, 1/8192).
pub fn dot_exposure(d: &Dot) -> f32 {
    (d.flags >> EXPOSURE_SHIFT) as f32 / EXPOSURE_STEPS
}

/// The flag bits of a relative UV dose (see [`dot_exposure`]).
pub fn pack_exposure(e: f32) -> u32 {
    ((e.clamp(0.0, EXPOSURE_MAX) * EXPOSURE_STEPS + 0.5) as u32) << EXPOSURE_SHIFT
}

/// What the practitioner deposits, as worked: the plan's dot settings with the technique errors
/// in (resolved once from the plan by `crate::worked`). With the zone and the mesh it is all
/// the generation takes.
#[derive(Clone, Debug, PartialEq)]
pub struct Deposit {
    /// Seed of the counter-based hash every dot is drawn from.
    pub seed: u32,
    /// Deposit depth below the skin surface, mm, and its standard deviation.
    pub depth_mm: f32,
    pub depth_jitter_mm: f32,
    /// Healed dot diameter, mm, and its relative standard deviation.
    pub diameter_mm: f32,
    pub diameter_jitter: f32,
    /// Dilution step, 1 (light grey) … 10 (near black).
    pub shade: f32,
    /// Minimum spacing between dot centres as a fraction of the mean spacing 1/√density.
    pub spacing: f32,
    /// Dilution steps lighter per session before the last one.
    pub lighter_first_steps: f32,
    /// Share of all dots placed in each session (sums to 1).
    pub session_shares: Vec<f32>,
    /// The per-dot part of the technique errors.
    pub errors: DotErrors,
}

/// The per-dot part of the technique errors, as the generation passes take it (see
/// [`GenParams`]); all neutral for correct work.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct DotErrors {
    /// Diameter factor of dots in `big_zone_mask`.
    pub big_factor: f32,
    pub big_zone_mask: u32,
    /// Dots whose error draw is below `deep_fraction` are deposited at `deep_depth_mm`.
    pub deep_fraction: f32,
    pub deep_depth_mm: f32,
    pub deep_jitter_mm: f32,
    /// The next `shallow_fraction` of the draw are deposited at `shallow_depth_mm`.
    pub shallow_fraction: f32,
    pub shallow_depth_mm: f32,
    pub shallow_jitter_mm: f32,
    /// Lattice pitch, mm; 0: random placement (no grid).
    pub grid_pitch_mm: f32,
    /// Lattice jitter, fraction of the pitch (full width).
    pub grid_jitter: f32,
    /// Patchy density: unevenness of the thinning, 0–1 (see [`patchy::patchy_intensity`]).
    pub patchy: f32,
    /// Share of the treated area each session misses (the plan's share × the severity).
    pub patchy_fraction: f32,
}

impl Dot {
    pub fn session(&self) -> u32 {
        self.flags & SESSION_MASK
    }
    pub fn zone(&self) -> crate::zone::ZoneId {
        crate::zone::ZoneId::from_u32((self.flags >> ZONE_SHIFT) & ZONE_MASK)
    }
    /// Whether the dot sits in scar tissue.
    pub fn in_scar_tissue(&self) -> bool {
        self.flags & SCAR_TISSUE_BIT != 0
    }
    pub fn position(&self) -> glam::Vec3 {
        glam::Vec3::from_array(self.position)
    }
}

/// Candidate intensity as a multiple of the target density for a minimum spacing of
/// `alpha` × the mean spacing 1/√λ. The Matérn III process keeps fewer candidates the more
/// they crowd; this inverts its yield, measured with the CPU reference on a flat plane (see the
/// ignored test `calibrate_candidate_excess`) and fitted per alpha.
pub fn candidate_excess(alpha: f32) -> f32 {
    // (alpha, K) pairs measured by `cargo test --release calibrate_candidate_excess -- --ignored`.
    const TABLE: [(f32, f32); 6] = [
        (0.30, 1.16),
        (0.40, 1.33),
        (0.50, 1.67),
        (0.60, 2.39),
        (0.65, 3.22),
        (0.70, 4.97),
    ];
    let a = alpha.clamp(TABLE[0].0, TABLE[TABLE.len() - 1].0);
    for w in TABLE.windows(2) {
        let ((a0, k0), (a1, k1)) = (w[0], w[1]);
        if a <= a1 {
            return k0 + (k1 - k0) * (a - a0) / (a1 - a0);
        }
    }
    TABLE[TABLE.len() - 1].1
}

/// Candidate intensity / largest density under the grid-spacing error: every candidate snaps
/// to a lattice node (one node per 1/λ of area), so a node stays empty with probability
/// e^(−K); 5 leaves 0.7% of the nodes empty, a grid's holes rather than its randomness.
pub const GRID_CANDIDATE_EXCESS: f32 = 5.0;

/// GPU mirror of one chunk's generation parameters (`GenParams` in shaders/shared/dots.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct GenParams {
    pub seed: u32,
    pub cand_start: u32,
    pub cand_count: u32,
    pub tri_start: u32,
    pub tri_end: u32,
    /// Candidates the chunk decides: its own (`cand_count`, first) and its halo's after them.
    pub work_count: u32,
    /// Entries of the chunk's work table (triangles with candidates, core first).
    pub work_tris: u32,
    pub session_count: u32,
    pub alpha: f32,
    pub _pad0: u32,
    pub depth_mm: f32,
    pub depth_jitter_mm: f32,
    pub diameter_mm: f32,
    pub diameter_jitter: f32,
    pub shade: f32,
    pub lighter_first_steps: f32,
    /// Cumulative session shares (the last used one is 1).
    pub session_cum: [f32; 8],
    /// The largest exclusion radius, mm; spacing cells are twice this wide.
    pub cell_size: f32,
    /// Spacing cell buckets − 1 (a power of two less one).
    pub bucket_mask: u32,
    pub _pad: [u32; 2],
    // Technique errors ([`DotErrors`]); all neutral for correct work.
    /// Diameter factor of the dots in the zones of `big_zone_mask` (oversized).
    pub big_factor: f32,
    pub big_zone_mask: u32,
    /// Dots whose error draw is below this are deposited at `deep_depth_mm` (too deep).
    pub deep_fraction: f32,
    pub deep_depth_mm: f32,
    pub deep_jitter_mm: f32,
    /// The next share of the draw is deposited at `shallow_depth_mm` (too shallow).
    pub shallow_fraction: f32,
    pub shallow_depth_mm: f32,
    pub shallow_jitter_mm: f32,
    /// Grid spacing: lattice pitch (mm; 0 = random placement) and jitter (fraction of it).
    pub grid_pitch_mm: f32,
    pub grid_jitter: f32,
    /// Patchy density: severity, and the noise level under which a session missed the area.
    pub patchy: f32,
    pub patchy_missed: f32,
}

#[cfg(test)]
mod tests {
    use super::*;
    #[test]
    fn gpu_struct_sizes() {
        assert_eq!(std::mem::size_of::<Dot>(), 48);
        assert_eq!(std::mem::size_of::<GenParams>(), 160);
        assert_eq!(std::mem::size_of::<crate::zone::ZoneGpu>(), 1072);
    }

    /// Final density / target density of the greedy hard-core rule on a periodic flat square,
    /// for candidates at `k` × the target density and spacing `alpha` / √density.
    fn matern3_yield(alpha: f32, k: f32, seed: u32) -> f32 {
        use crate::hash::{rand01, rand_u32};
        let side = 60.0f32; // mm; target density 1/mm² → 3600 dots
        let n = (k * side * side) as u32;
        let r = alpha;
        let mut c: Vec<(u32, f32, f32)> = (0..n)
            .map(|i| {
                (
                    rand_u32(seed, i, 4),
                    side * rand01(seed, i, 1),
                    side * rand01(seed, i, 2),
                )
            })
            .collect();
        c.sort_by_key(|e| std::cmp::Reverse(e.0));
        let cells = (side / r).floor() as i32;
        let cs = side / cells as f32;
        let mut grid = vec![Vec::<(f32, f32)>::new(); (cells * cells) as usize];
        let mut accepted = 0;
        for (_, x, y) in c {
            let (gx, gy) = ((x / cs) as i32, (y / cs) as i32);
            let mut ok = true;
            for dx in -1..=1 {
                for dy in -1..=1 {
                    let cell = (((gx + dx).rem_euclid(cells)) * cells + (gy + dy).rem_euclid(cells))
                        as usize;
                    for (qx, qy) in &grid[cell] {
                        let mut ddx = (x - qx).abs();
                        let mut ddy = (y - qy).abs();
                        ddx = ddx.min(side - ddx);
                        ddy = ddy.min(side - ddy);
                        if ddx * ddx + ddy * ddy < r * r {
                            ok = false;
                        }
                    }
                }
            }
            if ok {
                grid[(gx.min(cells - 1) * cells + gy.min(cells - 1)) as usize].push((x, y));
                accepted += 1;
            }
        }
        accepted as f32 / (side * side)
    }

    #[test]
    #[ignore = "prints the calibration table of candidate_excess; run with --release"]
    fn calibrate_candidate_excess() {
        for alpha in [0.3f32, 0.4, 0.5, 0.6, 0.65, 0.7] {
            // Bisection on k for a yield of 1.
            let (mut lo, mut hi) = (1.0f32, 12.0f32);
            for _ in 0..30 {
                let k = 0.5 * (lo + hi);
                let y: f32 = (0..4).map(|s| matern3_yield(alpha, k, s)).sum::<f32>() / 4.0;
                if y < 1.0 {
                    lo = k
                } else {
                    hi = k
                }
            }
            println!("({alpha:.2}, {:.2}),", 0.5 * (lo + hi));
        }
    }

    #[test]
    fn candidate_excess_reaches_the_target_density() {
        for alpha in [0.4f32, 0.6, 0.7] {
            let k = candidate_excess(alpha);
            let y: f32 = (0..3).map(|s| matern3_yield(alpha, k, 10 + s)).sum::<f32>() / 3.0;
            assert!((y - 1.0).abs() < 0.03, "alpha {alpha}: yield {y}");
        }
    }
}
