//! Existing hair as an obstacle to dot placement (issue 8, part 5: diffuse thinning). A
//! practitioner working into thinning hair places each dot in the gap between hairs, never on a
//! follicle: a dot on a follicle opening hides under the shaft, adds nothing to the look, and
//! needling the follicle is what the client came in worried about. So a candidate dot closer
//! than [`exclusion_radius_mm`] to a hair root is rejected, on the GPU (`near_hair` in
//! generate.wgsl) and in the CPU reference ([`HairGrid::blocks`]) alike.
//!
//! The roots go into a hashed uniform grid of [`HAIR_CELL_MM`] cells in CSR form (bucket start
//! offsets, roots sorted by bucket), built once per treatment on the CPU. A candidate visits
//! the cells its exclusion sphere overlaps (at most 2×2×2, as the radius is under half a cell),
//! hashes each with `lattice_key`, and tests the roots of that bucket; collisions only cost a
//! few extra distance tests. The GPU does so under grid spacing and on triangles too big for a
//! list; otherwise it tests the roots listed for the candidate's triangle
//! ([`super::hair_near`]), which give the same answer.
//!
//! Rejection alone would lower the density by the share of the scalp the exclusion discs cover.
//! The plan's density is per cm² of scalp, and a clinic expects it to hold between the hairs,
//! so each zone's keep probability is raised by the factor at which the spacing rule keeps that
//! density in the free share, measured by simulation ([`super::hair_yield`], from
//! [`HairGrid::for_hairs`]).
use super::hair_yield::{self, Between, Calibrated, ZoneSpacing};
use super::patchy::lattice_key;
use crate::hair::grow::{mean_unit_exclusion_mm2, mean_unit_size};
use crate::hair::{HairSettings, Strand};
use crate::zone::ZoneId;
use glam::Vec3;

/// Clearance between a dot's healed edge and a hair shaft's edge, mm. About one needle radius
/// to a needle diameter (1RL–3RL needles are 0.18–0.30 mm): a practitioner aiming "between the
/// hairs" keeps the needle off the follicle opening, and a dot that close to a shaft would read
/// as the shaft's base rather than as a dot of its own.
pub const HAIR_CLEARANCE_MM: f32 = 0.25;

/// Edge of a cell of the hash grid, mm, for the usual sizes: small enough that a cell holds a
/// handful of roots (natural hair is ~2 per mm²).
pub const HAIR_CELL_MM: f32 = 1.0;
/// The cell edge is at least this many exclusion radii, so that a candidate visits at most
/// 2×2×2 cells whatever the plan's dot and hair sizes (oversized dots give radii up to 0.83 mm).
pub const CELL_PER_RADIUS: f32 = 2.5;

pub use super::hair_yield::MAX_KEEP_FACTOR;

/// Words ahead of the bucket table in the GPU buffer: root count, bucket mask, cell edge (f32
/// bits), exclusion radius (f32 bits), the five zones' keep factors (f32 bits), where the
/// per-triangle lists start (`hair_near`; 0 where there are none), padding, the five zones'
/// spacing factors from [`SPACING_WORD`] (f32 bits), padding.
pub const HEADER_WORDS: usize = 20;
/// Header word of the first zone's spacing factor.
pub const SPACING_WORD: usize = 12;

/// No dot centre closer than this to a hair root, mm: the hair's radius, the healed dot's
/// radius and [`HAIR_CLEARANCE_MM`].
pub fn exclusion_radius_mm(hair_diameter_mm: f32, dot_diameter_mm: f32) -> f32 {
    0.5 * hair_diameter_mm + 0.5 * dot_diameter_mm + HAIR_CLEARANCE_MM
}

/// Follicular units per mm² in built-in zone `z`.
fn units_per_mm2(hair: &HairSettings, z: ZoneId) -> f32 {
    hair.density_per_cm2 / 100.0 * hair.coverage(z) / mean_unit_size()
}

/// Each zone's factor that gives back the candidates the exclusion discs take: hair grows at
/// a Poisson-like density of follicular units whose discs overlap (the units are the Poisson
/// points, each excluding the union of its hairs' discs), so discs of radius `radius` leave a
/// share e^(−μA) of the scalp free.
pub fn open_ground_factors(hair: &HairSettings, radius: f32) -> [f32; 5] {
    let unit_area = mean_unit_exclusion_mm2(radius);
    ZoneId::ALL.map(|z| {
        (units_per_mm2(hair, z) * unit_area)
            .exp()
            .min(MAX_KEEP_FACTOR)
    })
}

/// Each zone's measured factors ([`hair_yield::calibrate`], from the open-ground one), the
/// zones in parallel, each set of figures measured once a process (a session builds the same
/// treatment many times: viewer, contact sheets, tests).
fn calibrated_factors(
    hair: &HairSettings,
    radius: f32,
    spacing: &ZoneSpacing,
    open: [f32; 5],
) -> [Calibrated; 5] {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<[u32; 4], Calibrated>>> = OnceLock::new();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let between = ZoneId::ALL.map(|z| Between {
        dots_per_mm2: spacing.dots_per_mm2[z as usize],
        alpha: spacing.alpha,
        units_per_mm2: units_per_mm2(hair, z),
        radius_mm: radius,
    });
    let started = std::time::Instant::now();
    // The open-ground factor follows from the units and the radius, so these say it all.
    let keys =
        between.map(|b| [b.dots_per_mm2, b.alpha, b.units_per_mm2, b.radius_mm].map(f32::to_bits));
    // Zones alike (the sides and the back, usually) are measured once.
    let distinct: Vec<usize> = (0..5).filter(|&k| !keys[..k].contains(&keys[k])).collect();
    let measured = crate::parallel::map(&distinct, |&k| {
        if let Some(c) = cache.lock().ok().and_then(|c| c.get(&keys[k]).copied()) {
            return c;
        }
        let c = hair_yield::calibrate(&between[k], open[k]);
        if let Ok(mut m) = cache.lock() {
            m.insert(keys[k], c);
        }
        c
    });
    let measured: Vec<Calibrated> = (0..5)
        .map(|k| {
            let i = distinct.iter().position(|&j| keys[j] == keys[k]);
            i.map_or(Calibrated::NEUTRAL, |i| measured[i])
        })
        .collect();
    log::debug!(
        "keep and spacing factors between the hairs measured in {} ms",
        started.elapsed().as_millis()
    );
    ZoneId::ALL.map(|z| {
        let c = measured[z as usize];
        if c.yield_ratio < 1.0 - hair_yield::TOLERANCE {
            log::warn!(
                "the {} zone's hair leaves room for only {:.0}% of its planned dot density \
                 ({:.1}/cm²) between the hairs",
                z.name(),
                100.0 * c.yield_ratio,
                100.0 * between[z as usize].dots_per_mm2
            );
        }
        log::debug!(
            "{} zone: keep factor {:.3} (free share alone {:.3}), spacing factor {:.3}, yield \
             ratio {:.3}",
            z.name(),
            c.keep_factor,
            open[z as usize],
            c.spacing_factor,
            c.yield_ratio
        );
        c
    })
}

/// Hair roots in a hashed grid (see the module notes). Empty for plans without hair: then no
/// candidate is tested and the keep factors are all 1, so such plans' dots are unchanged.
#[derive(Clone, Debug, PartialEq)]
pub struct HairGrid {
    /// Exclusion radius, mm.
    pub radius_mm: f32,
    pub cell_mm: f32,
    /// Bucket `b` holds `roots[starts[b]..starts[b + 1]]`; the bucket count is a power of two.
    pub starts: Vec<u32>,
    pub roots: Vec<[f32; 3]>,
    /// Factor on each zone's keep probability (index: `ZoneId as usize`) that restores the
    /// plan's density over the area the exclusion takes.
    pub keep_factor: [f32; 5],
    /// Factor (≤ 1) on each zone's minimum distance between dots, so that the plan's density
    /// fits between the hairs ([`hair_yield`]).
    pub spacing_factor: [f32; 5],
}

impl Default for HairGrid {
    fn default() -> Self {
        HairGrid::empty()
    }
}

fn cell_range(p: Vec3, r: f32, cell: f32) -> (glam::IVec3, glam::IVec3) {
    let lo = ((p - Vec3::splat(r)) / cell).floor();
    let hi = ((p + Vec3::splat(r)) / cell).floor();
    (
        glam::IVec3::new(lo.x as i32, lo.y as i32, lo.z as i32),
        glam::IVec3::new(hi.x as i32, hi.y as i32, hi.z as i32),
    )
}

impl HairGrid {
    pub fn empty() -> HairGrid {
        HairGrid {
            radius_mm: 0.0,
            cell_mm: HAIR_CELL_MM,
            starts: vec![0, 0],
            roots: Vec::new(),
            keep_factor: [1.0; 5],
            spacing_factor: [1.0; 5],
        }
    }

    pub fn is_empty(&self) -> bool {
        self.roots.is_empty()
    }

    fn mask(&self) -> u32 {
        (self.starts.len() - 2) as u32
    }

    /// A grid of `roots` with exclusion radius `radius_mm` and the given keep factors.
    pub fn new(roots: &[[f32; 3]], radius_mm: f32, keep_factor: [f32; 5]) -> HairGrid {
        // No radius, no exclusion (the radius always has the clearance in it; this only
        // guards the arithmetic below).
        if roots.is_empty() || !(radius_mm > 0.0 && radius_mm.is_finite()) {
            return HairGrid::empty();
        }
        let cell = HAIR_CELL_MM.max(CELL_PER_RADIUS * radius_mm);
        let buckets = roots.len().next_power_of_two();
        let mask = (buckets - 1) as u32;
        let bucket = |p: &[f32; 3]| {
            let c = (Vec3::from_array(*p) / cell).floor();
            (lattice_key(c.x as i32, c.y as i32, c.z as i32) & mask) as usize
        };
        let mut starts = vec![0u32; buckets + 1];
        for r in roots {
            starts[bucket(r) + 1] += 1;
        }
        for b in 0..buckets {
            starts[b + 1] += starts[b];
        }
        let mut fill = starts.clone();
        let mut sorted = vec![[0.0f32; 3]; roots.len()];
        for r in roots {
            let b = bucket(r);
            sorted[fill[b] as usize] = *r;
            fill[b] += 1;
        }
        HairGrid {
            radius_mm,
            cell_mm: cell,
            starts,
            roots: sorted,
            keep_factor,
            spacing_factor: [1.0; 5],
        }
    }

    /// The grid of a plan's grown `hairs`, with each zone's keep and spacing factors: those at
    /// which the spacing rule keeps, between the hairs, the plan's density per cm² of scalp,
    /// measured by [`hair_yield::calibrate`] from the zone's dot density and spacing
    /// (`spacing`). Zone by
    /// zone, so the 24 mm over which hair gives way from one zone to the next is compensated
    /// with the zone's own figure. Plans with alopecia patches (`patches_only`) treat only the
    /// patches, which are bald: no compensation there. `hair`: the plan's hair;
    /// `dot_diameter_mm`: the planned dots'.
    pub fn for_hairs(
        hair: &HairSettings,
        dot_diameter_mm: f32,
        patches_only: bool,
        hairs: &[Strand],
        spacing: &ZoneSpacing,
    ) -> HairGrid {
        if hairs.is_empty() {
            return HairGrid::empty();
        }
        let radius = exclusion_radius_mm(hair.diameter_mm, dot_diameter_mm);
        let mut factors = [Calibrated::NEUTRAL; 5];
        if !patches_only {
            let open = open_ground_factors(hair, radius);
            factors = if spacing.lattice {
                // Grid spacing puts one dot per lattice node, no spacing rule to saturate:
                // the free share is all there is to give back.
                open.map(|keep_factor| Calibrated {
                    keep_factor,
                    ..Calibrated::NEUTRAL
                })
            } else {
                calibrated_factors(hair, radius, spacing, open)
            };
        }
        let roots: Vec<[f32; 3]> = hairs.iter().map(|h| h.root.to_array()).collect();
        let mut grid = HairGrid::new(&roots, radius, factors.map(|c| c.keep_factor));
        if !grid.is_empty() {
            grid.spacing_factor = factors.map(|c| c.spacing_factor);
        }
        grid
    }

    /// The factor on the keep probability of a candidate in built-in zone `zone` (1 without
    /// hair, and for any other zone id).
    pub fn keep_factor(&self, zone: ZoneId) -> f32 {
        match self.keep_factor.get(zone as usize) {
            Some(f) if !self.is_empty() => *f,
            _ => 1.0,
        }
    }

    /// The factor on the minimum distance between dots in built-in zone `zone` (1 without
    /// hair, and for any other zone id).
    pub fn spacing_factor(&self, zone: ZoneId) -> f32 {
        match self.spacing_factor.get(zone as usize) {
            Some(f) if !self.is_empty() => *f,
            _ => 1.0,
        }
    }

    /// The largest factor of any zone.
    pub fn max_keep_factor(&self) -> f32 {
        ZoneId::ALL
            .iter()
            .map(|z| self.keep_factor(*z))
            .fold(1.0, f32::max)
    }

    /// Whether a dot at `p` would lie within the exclusion radius of a hair root (as
    /// `near_hair` in generate.wgsl: the same f32 distance test, over these cells or over the
    /// roots listed for the candidate's triangle).
    pub fn blocks(&self, p: Vec3) -> bool {
        if self.is_empty() {
            return false;
        }
        let r = self.radius_mm;
        let mask = self.mask();
        let (lo, hi) = cell_range(p, r, self.cell_mm);
        for x in lo.x..=hi.x {
            for y in lo.y..=hi.y {
                for z in lo.z..=hi.z {
                    let b = (lattice_key(x, y, z) & mask) as usize;
                    let (s, e) = (self.starts[b] as usize, self.starts[b + 1] as usize);
                    for q in &self.roots[s..e] {
                        let d = p - Vec3::from_array(*q);
                        if d.dot(d) < r * r {
                            return true;
                        }
                    }
                }
            }
        }
        false
    }

    /// Calls `f` with every root of the cells the box `lo..hi` overlaps (and those sharing a
    /// bucket with them), each once.
    pub fn roots_in_box(&self, lo: Vec3, hi: Vec3, mut f: impl FnMut(&[f32; 3])) {
        if self.is_empty() {
            return;
        }
        let (lo, _) = cell_range(lo, 0.0, self.cell_mm);
        let (_, hi) = cell_range(hi, 0.0, self.cell_mm);
        let mask = self.mask();
        // Buckets already visited (cells can share one): a short list, searched in place.
        let mut seen: Vec<u32> = Vec::with_capacity(64);
        for x in lo.x..=hi.x {
            for y in lo.y..=hi.y {
                for z in lo.z..=hi.z {
                    let b = lattice_key(x, y, z) & mask;
                    if seen.contains(&b) {
                        continue;
                    }
                    seen.push(b);
                    let (s, e) = (self.starts[b as usize], self.starts[b as usize + 1]);
                    self.roots[s as usize..e as usize].iter().for_each(&mut f);
                }
            }
        }
    }

    /// The GPU words (`hair_word` in generate.wgsl, after the boundary table): header, bucket starts, roots (3 words
    /// each).
    pub fn gpu_words(&self) -> Vec<u32> {
        let mut w = Vec::with_capacity(HEADER_WORDS + self.starts.len() + 3 * self.roots.len());
        w.push(self.roots.len() as u32);
        w.push(self.mask());
        w.push(self.cell_mm.to_bits());
        w.push(self.radius_mm.to_bits());
        w.extend(self.keep_factor.iter().map(|f| f.to_bits()));
        w.resize(SPACING_WORD, 0);
        w.extend(self.spacing_factor.iter().map(|f| f.to_bits()));
        w.resize(HEADER_WORDS, 0);
        w.extend_from_slice(&self.starts);
        w.extend(self.roots.iter().flatten().map(|f| f.to_bits()));
        w
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::rand01;
    use crate::plan::Plan;

    /// The grid of `plan`'s hair, as `Treatment::new` builds it, with dots at `dots_per_mm2` in
    /// every zone (on a lattice or spaced).
    fn for_plan(plan: &Plan, hairs: &[Strand], dots_per_mm2: f32, lattice: bool) -> HairGrid {
        let patches_only = !plan.alopecia.patches.is_empty();
        let spacing = ZoneSpacing {
            alpha: plan.dots.spacing,
            dots_per_mm2: [dots_per_mm2; 5],
            lattice,
        };
        HairGrid::for_hairs(
            &plan.hair,
            plan.dots.diameter_mm,
            patches_only,
            hairs,
            &spacing,
        )
    }

    fn brute(roots: &[[f32; 3]], r: f32, p: Vec3) -> bool {
        roots.iter().any(|q| {
            let d = p - Vec3::from_array(*q);
            d.dot(d) < r * r
        })
    }

    #[test]
    fn any_radius_the_plan_allows_builds_a_grid_that_finds_what_brute_force_finds() {
        // The largest dot and hair the plan check allows: radius 0.825 mm, over half the usual
        // 1 mm cell (this used to fail an assertion, aborting render, report, age and compare).
        let r = exclusion_radius_mm(0.15, 1.0);
        let roots: Vec<[f32; 3]> = (0..400)
            .map(|i| [rand01(3, i, 0) * 20.0 - 10.0, rand01(3, i, 1) * 20.0, 90.0])
            .collect();
        let g = HairGrid::new(&roots, r, [1.0; 5]);
        assert!(g.cell_mm >= 2.0 * r, "cell {} for radius {r}", g.cell_mm);
        for i in 0..5000 {
            let p = Vec3::new(
                rand01(4, i, 0) * 24.0 - 12.0,
                rand01(4, i, 1) * 24.0 - 2.0,
                90.0 + rand01(4, i, 2) - 0.5,
            );
            assert_eq!(g.blocks(p), brute(&roots, r, p), "candidate {i} at {p}");
        }
    }

    #[test]
    fn grid_finds_exactly_the_roots_a_brute_force_search_finds() {
        // Roots on a 20 mm patch of a sphere of radius 90 mm (negative and positive cells).
        let point = |id: u32, s: u32| {
            let u = rand01(7, id, s) - 0.5;
            let v = rand01(7, id, s + 1) - 0.5;
            (Vec3::new(u * 20.0, 90.0, v * 20.0)).normalize() * 90.0 + Vec3::new(-3.0, 0.0, 0.0)
        };
        let roots: Vec<[f32; 3]> = (0..800).map(|i| point(i, 0).to_array()).collect();
        let r = exclusion_radius_mm(0.08, 0.14);
        let g = HairGrid::new(&roots, r, [1.0; 5]);
        assert_eq!(g.roots.len(), roots.len());
        assert_eq!(*g.starts.last().unwrap() as usize, roots.len());
        let (mut hits, n) = (0, 20_000);
        for i in 0..n {
            let p = point(i, 10);
            let b = g.blocks(p);
            assert_eq!(b, brute(&roots, r, p), "candidate {i} at {p}");
            hits += b as u32;
        }
        // 2 roots/mm², discs of 0.36 mm: about half the area is excluded.
        assert!(hits > n / 5 && hits < 4 * n / 5, "{hits} of {n}");
        // Every root blocks its own position.
        assert!(roots.iter().all(|q| g.blocks(Vec3::from_array(*q))));
    }

    #[test]
    fn empty_grid_is_neutral() {
        let g = HairGrid::empty();
        assert!(!g.blocks(Vec3::ZERO));
        assert!(ZoneId::ALL.iter().all(|z| g.keep_factor(*z) == 1.0));
        let w = g.gpu_words();
        assert_eq!(w[0], 0);
        assert_eq!(w.len(), HEADER_WORDS + 2);
    }

    #[test]
    fn keep_factors_follow_the_hair_left_in_each_zone() {
        let mut plan = Plan::default();
        plan.hair.enabled = true;
        plan.hair.density_per_cm2 = 200.0;
        plan.hair.diameter_mm = 0.08;
        plan.dots.diameter_mm = 0.14;
        plan.hair.top = 0.4;
        plan.hair.sides = 1.0;
        let hair = Strand {
            root: Vec3::ZERO,
            normal: Vec3::Y,
            bulb: Vec3::new(0.0, -2.0, 2.0),
            bend: Vec3::new(0.0, 0.5, 0.5),
            tip: Vec3::new(0.0, 1.0, 1.0),
            above_mm: 1.4,
            diameter_mm: 0.08,
            angle: 0.785,
            colour: [0.03; 3],
            grey: false,
            telogen: false,
            unit_size: 1,
            unit: 0,
        };
        // On a lattice (grid spacing) the free share is all: the open-ground factors.
        let g = for_plan(&plan, &[hair], 0.25, true);
        let r = exclusion_radius_mm(0.08, plan.dots.diameter_mm);
        assert!((r - 0.36).abs() < 0.02, "{r}");
        // 80 hairs/cm² on the top in units of 2.25: e^(0.8/2.25·A) with A the unit's exclusion
        // area; 200/cm² on the sides: e^(2/2.25·A). Units overlap their hairs' discs, so
        // less than hairs thrown apart would take (e^(0.8·π·r²) ≈ 1.38, e^(2·π·r²) ≈ 2.26).
        let a = crate::hair::grow::mean_unit_exclusion_mm2(r);
        assert!((g.keep_factor(ZoneId::Top) - (0.8 / 2.25 * a).exp()).abs() < 1e-4);
        assert!((g.keep_factor(ZoneId::Sides) - (2.0 / 2.25 * a).exp()).abs() < 1e-4);
        assert!(g.keep_factor(ZoneId::Top) < 1.38 && g.keep_factor(ZoneId::Sides) < 2.26);
        assert_eq!(g.keep_factor(ZoneId::Hairline), 1.0);
        // Spaced dots: the measured factors (hair_yield), each zone its own, rising with the
        // zone's hair, none where there is none.
        let spaced = for_plan(&plan, &[hair], 0.25, false);
        let (top, sides) = (
            spaced.keep_factor(ZoneId::Top),
            spaced.keep_factor(ZoneId::Sides),
        );
        assert!(
            1.0 < top && top <= sides && sides <= MAX_KEEP_FACTOR,
            "{top} {sides}"
        );
        assert_eq!(spaced.keep_factor(ZoneId::Hairline), 1.0);
        let measured = hair_yield::calibrate(
            &Between {
                dots_per_mm2: 0.25,
                alpha: plan.dots.spacing,
                units_per_mm2: 2.0 / mean_unit_size(),
                radius_mm: r,
            },
            g.keep_factor(ZoneId::Sides),
        );
        assert_eq!(sides, measured.keep_factor);
        assert_eq!(
            spaced.spacing_factor(ZoneId::Sides),
            measured.spacing_factor
        );
        assert_eq!(spaced.spacing_factor(ZoneId::Hairline), 1.0);
        assert!(ZoneId::ALL.iter().all(|z| g.spacing_factor(*z) == 1.0));
        plan.alopecia.patches = vec![[0.0, 60.0, 30.0, 20.0]];
        for lattice in [true, false] {
            let g = for_plan(&plan, &[hair], 0.25, lattice);
            assert_eq!(g.keep_factor(ZoneId::Sides), 1.0);
        }
    }
}
