//! How many dots the spacing rule keeps between the client's hairs: each zone's keep factor
//! and hard-core radius there, measured by simulation, so that the plan's density holds where
//! hair takes area.
//!
//! A candidate within the exclusion radius of a hair root is rejected ([`super::hair_grid`]),
//! so each zone's keep probability is raised by the share of the scalp the follicular units
//! leave free, e^(−μA). That only gives back the *candidates*: the plan's density per cm² of
//! scalp must then fit into the free share, where the minimum distance α/√λ is tighter against
//! the density the dots take there, and the spacing rule's yield saturates (fewer dots than
//! asked), while dots along the edge of a unit's disc have fewer rivals (more). Which wins
//! depends on the dot spacing against the size of the discs, and there is no closed form worth
//! trusting: with e^(μA) alone the default client's 10⁶-dot render came out 3.7% short, and the
//! diffuse-thinning plan 5–7% short in each zone; spacing the dots for the density they take in
//! the free share (α/√(λ·e^(μA))) overshot by up to 22% in heavy hair (BENCHMARKS.md, step 21).
//!
//! So it is measured, zone by zone, on a periodic flat square: follicular units thrown at the
//! zone's unit density with their hairs placed as `grow` places them; candidates at
//! [`candidate_excess`] times the zone's dot density, rejected near a root, thinned by the keep
//! factor and spaced by the greedy rule in priority order (what the rounds of
//! [`super::reference::decide`] settle to). The square must keep as many dots as the same
//! candidates keep without hair, so the calibration of `candidate_excess` itself is not in
//! question here. Where e^(μA) falls short, the dots between the hairs are spaced closer (the
//! radius times a factor under 1), as a practitioner fitting the density between hairs does,
//! rather than thrown thicker: more candidates would cost generation time (+15% candidates for
//! the default client) for a yield that saturates. Where it overshoots, the keep factor is
//! lowered. The same candidates for every setting tried (common random numbers) make the count
//! a near-monotone function of it, found in a handful of runs.
use super::candidate_excess;
use crate::hair::grow::{hair_offset, unit_size};
use crate::hash::{rand01, rand_u32, stream};
use glam::Vec2;

/// One zone's dots and hair, as the simulation takes them.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Between {
    /// The zone's target dot density, per mm².
    pub dots_per_mm2: f32,
    /// Minimum spacing as a fraction of the mean spacing 1/√density (`Deposit::spacing`).
    pub alpha: f32,
    /// Follicular units per mm² growing in the zone.
    pub units_per_mm2: f32,
    /// No dot centre closer than this to a root, mm.
    pub radius_mm: f32,
}

/// What the calibration takes of the deposit and the zone: the spacing, each built-in zone's
/// dot density (index: `ZoneId as usize`), and whether dots sit on a lattice (grid spacing).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoneSpacing {
    pub alpha: f32,
    pub dots_per_mm2: [f32; 5],
    pub lattice: bool,
}

impl ZoneSpacing {
    pub fn of(deposit: &super::Deposit, zone: &crate::zone::Zone) -> ZoneSpacing {
        ZoneSpacing {
            alpha: deposit.spacing,
            dots_per_mm2: crate::zone::ZoneId::ALL.map(|z| zone.zone_density(z)),
            lattice: deposit.errors.grid_pitch_mm > 0.0,
        }
    }
}

/// A zone's measured settings between the hairs.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Calibrated {
    /// Factor on the zone's keep probability (1 … the open-ground factor e^(μA)).
    pub keep_factor: f32,
    /// Factor on the zone's minimum distance between dots ([`MIN_SPACING_FACTOR`] … 1).
    pub spacing_factor: f32,
    /// Dots kept with the hair at these factors / dots kept on open ground: 1 within
    /// [`TOLERANCE`] where the density is reached, less where the hair leaves too little room
    /// for it even with the dots [`MIN_SPACING_FACTOR`] closer.
    pub yield_ratio: f32,
}

impl Calibrated {
    /// Nothing to make up for.
    pub const NEUTRAL: Calibrated = Calibrated {
        keep_factor: 1.0,
        spacing_factor: 1.0,
        yield_ratio: 1.0,
    };
}

/// The largest keep-probability boost of a zone: full compensation up to 75% of the area
/// covered by exclusion discs. Denser hair than that (far beyond natural) keeps its loss rather
/// than asking for unbounded candidates.
pub const MAX_KEEP_FACTOR: f32 = 4.0;
/// The closest the dots between the hairs are spaced, as a factor on the plan's minimum
/// distance. Half: a zone whose hair needs more than that has no room left for the plan.
pub const MIN_SPACING_FACTOR: f32 = 0.5;
/// Follicular units in the square, at least and at most: enough that the hair's own
/// randomness moves the measured yield by ~0.3% at natural densities, and a bound on its cost.
const UNITS: (f32, f32) = (8000.0, 40_000.0);
/// Dots the square holds on open ground, at least and at most (sparse hair against dense dots
/// would otherwise ask for millions).
const DOTS: (f32, f32) = (16_000.0, 60_000.0);
/// Fewest dots a square must hold to say anything. Fewer, where the dots are so sparse against
/// the hair (a handful over the head, as `--dots 10` asks) that [`UNITS`] bounds the square:
/// each dot then stands far from the next, its rule rarely meets a disc, and the open-ground
/// factor is the answer.
const MIN_DOTS: f32 = 1000.0;
/// The yield ratio counts as reached within this.
pub const TOLERANCE: f32 = 0.003;
/// Simulation runs at most per setting searched (each a greedy pass over the square).
const MAX_RUNS: u32 = 12;
/// d ln(yield) / d ln(keep factor) and d ln(yield) / d ln(1 / spacing factor) assumed for the
/// first step, before two runs bracket the answer: a spacing rule near saturation keeps about
/// half of what extra candidates it is given; closer spacing between the hairs gains less than
/// it would on open ground, as the candidates run out (measured: 0.35 for the default client's
/// sides at 10⁶ dots, 0.75 at a plan's own density in thick hair).
const KEEP_ELASTICITY: f32 = 0.5;
const SPACING_ELASTICITY: f32 = 0.5;
/// Seed of the simulation's draws (any fixed value: the factors must not depend on the plan's).
const SEED: u32 = 0x4a1c_57e2;

/// A candidate of the square, in priority order.
#[derive(Clone, Copy)]
struct Cand {
    p: Vec2,
    /// Kept at keep factor f when `thin` < f / the square's largest.
    thin: f32,
    /// Within the exclusion radius of a root.
    blocked: bool,
}

/// Area of zone `b`'s square, mm² (see [`UNITS`] and [`DOTS`]).
fn square_area(b: &Between) -> f32 {
    let (lambda, mu) = (b.dots_per_mm2, b.units_per_mm2);
    (UNITS.0 / mu)
        .clamp(DOTS.0 / lambda, DOTS.1 / lambda)
        .min(UNITS.1 / mu)
}

/// The periodic square of one zone (see the module notes).
struct Square {
    side: f32,
    /// The plan's minimum distance between dots, mm.
    spacing: f32,
    /// The keep factor the candidates were thrown for.
    top_keep: f32,
    cands: Vec<Cand>,
}

/// Squared distance on the torus of side `side`.
fn torus_d2(a: Vec2, b: Vec2, side: f32) -> f32 {
    let d = (a - b).abs();
    let d = d.min(Vec2::splat(side) - d);
    d.dot(d)
}

impl Square {
    /// The square of zone `b`, its candidates thrown for keep factors up to `top_keep`.
    fn new(b: &Between, top_keep: f32, seed: u32) -> Square {
        let lambda = b.dots_per_mm2;
        let area = square_area(b);
        let side = area.sqrt();
        let spacing = b.alpha / lambda.sqrt();
        let wrap = |p: Vec2| Vec2::new(p.x.rem_euclid(side), p.y.rem_euclid(side));

        // The hair: a fixed count of units (`grow` throws a near-fixed count per triangle),
        // each with its hairs round it.
        let units = (b.units_per_mm2 * area).round() as u32;
        let mut roots = Vec::new();
        for u in 0..units {
            let at = |s: u32| side * rand01(seed, u, s);
            let c = Vec2::new(at(stream::HAIR_U), at(stream::HAIR_V));
            let size = unit_size(rand01(seed, u, stream::HAIR_UNIT));
            for j in 0..size {
                let (phi, off) = hair_offset(seed, u.wrapping_mul(4).wrapping_add(j), size);
                roots.push(wrap(c + Vec2::from_angle(phi) * off));
            }
        }
        let hair = RootCells::new(&roots, side, b.radius_mm);

        let n = (candidate_excess(b.alpha) * lambda * top_keep * area).round() as u32;
        // On every thread: the hair test is most of the square's making.
        let mut cands: Vec<(u32, Cand)> =
            crate::parallel::map_indices(n as usize, crate::parallel::threads(), |i| {
                let i = i as u32;
                let at = |s: u32| side * rand01(seed, i, s);
                let p = Vec2::new(at(stream::BARY_U), at(stream::BARY_V));
                let cand = Cand {
                    p,
                    thin: rand01(seed, i, stream::THIN),
                    blocked: hair.any_within(p, b.radius_mm),
                };
                (rand_u32(seed, i, stream::PRIORITY), cand)
            });
        cands.sort_unstable_by_key(|(priority, _)| std::cmp::Reverse(*priority));
        Square {
            side,
            spacing,
            top_keep,
            cands: cands.into_iter().map(|(_, c)| c).collect(),
        }
    }

    /// Dots the greedy rule keeps at keep factor `keep` (at most `top_keep`) and the minimum
    /// distance times `spacing`, with the hair or on open ground.
    fn kept(&self, keep: f32, spacing: f32, hair: bool) -> u32 {
        let d = self.spacing * spacing;
        // Cells at least one distance wide: a dot's rivals lie in the 3×3 round its own.
        // At most ~4 cells a dot (the count thrown bounds it): cells wider than the distance
        // only cost longer lists.
        let most = (2.0 * (self.cands.len() as f32).sqrt()) as usize + 3;
        let n = ((self.side / d).floor() as usize).clamp(3, most.max(3));
        let cell_mm = self.side / n as f32;
        let cell = |v: f32| ((v / cell_mm) as usize).min(n - 1);
        // Each cell's dots as a linked list: its last dot, and each dot's previous one.
        const NONE: u32 = u32::MAX;
        let mut last = vec![NONE; n * n];
        let mut dots: Vec<(Vec2, u32)> = Vec::new();
        let limit = keep / self.top_keep;
        for c in &self.cands {
            if c.thin >= limit || (hair && c.blocked) {
                continue;
            }
            let (cx, cy) = (cell(c.p.x), cell(c.p.y));
            let clear = (0..9).all(|k| {
                let x = (cx + n + k % 3 - 1) % n;
                let y = (cy + n + k / 3 - 1) % n;
                let mut j = last[x * n + y];
                while j != NONE {
                    let (q, previous) = dots[j as usize];
                    if torus_d2(c.p, q, self.side) < d * d {
                        return false;
                    }
                    j = previous;
                }
                true
            });
            if clear {
                let i = cx * n + cy;
                dots.push((c.p, last[i]));
                last[i] = dots.len() as u32 - 1;
            }
        }
        dots.len() as u32
    }
}

/// Hair roots in cells at least one exclusion radius wide, on the torus.
struct RootCells {
    side: f32,
    cells: usize,
    roots: Vec<Vec<Vec2>>,
}

impl RootCells {
    fn new(roots: &[Vec2], side: f32, radius: f32) -> RootCells {
        // At least one radius wide, and no more cells than ~4 a root.
        let most = 2 * (roots.len() as f32).sqrt() as usize + 1;
        let cells = ((side / radius).floor() as usize).clamp(1, most);
        let mut grid = vec![Vec::new(); cells * cells];
        let cell_mm = side / cells as f32;
        for r in roots {
            let x = ((r.x / cell_mm) as usize).min(cells - 1);
            let y = ((r.y / cell_mm) as usize).min(cells - 1);
            grid[x * cells + y].push(*r);
        }
        RootCells {
            side,
            cells,
            roots: grid,
        }
    }

    fn any_within(&self, p: Vec2, radius: f32) -> bool {
        let n = self.cells;
        let cell_mm = self.side / n as f32;
        let (cx, cy) = (
            ((p.x / cell_mm) as usize).min(n - 1),
            ((p.y / cell_mm) as usize).min(n - 1),
        );
        // Fewer than three cells a side: every root is a neighbour.
        let span: Vec<usize> = if n < 3 {
            (0..n).collect()
        } else {
            vec![n - 1, 0, 1]
        };
        span.iter().any(|dx| {
            span.iter().any(|dy| {
                let i = ((cx + dx) % n) * n + (cy + dy) % n;
                self.roots[i]
                    .iter()
                    .any(|q| torus_d2(p, *q, self.side) < radius * radius)
            })
        })
    }
}

/// Whether the simulation applies: hair, dots and a radius, all finite and positive.
fn applies(b: &Between) -> bool {
    [b.dots_per_mm2, b.alpha, b.units_per_mm2, b.radius_mm]
        .iter()
        .all(|v| v.is_finite() && *v > 0.0)
}

/// Zone `b`'s keep and spacing factors between the hairs, from its open-ground keep factor
/// `open` (e^(μA), at most [`MAX_KEEP_FACTOR`]).
pub fn calibrate(b: &Between, open: f32) -> Calibrated {
    calibrate_with_seed(b, open, SEED)
}

fn calibrate_with_seed(b: &Between, open: f32, seed: u32) -> Calibrated {
    if !applies(b) {
        return Calibrated::NEUTRAL;
    }
    let open = open.clamp(1.0, MAX_KEEP_FACTOR);
    // (An unbounded square: dots and hair both vanishingly sparse.)
    let area = square_area(b);
    if !area.is_finite() || area * b.dots_per_mm2 < MIN_DOTS {
        return Calibrated {
            keep_factor: open,
            ..Calibrated::NEUTRAL
        };
    }
    let square = Square::new(b, open, seed);
    // The first two runs side by side: open ground, and the hair at the open-ground factor.
    let first = crate::parallel::map_indices(2, crate::parallel::threads(), |k| {
        square.kept(if k == 0 { 1.0 } else { open }, 1.0, k == 1)
    });
    let target = first[0].max(1) as f32;
    let ratio = |keep: f32, spacing: f32| square.kept(keep, spacing, true) as f32 / target;
    let gap = first[1] as f32 / target - 1.0;
    if gap.abs() <= TOLERANCE {
        return Calibrated {
            keep_factor: open,
            spacing_factor: 1.0,
            yield_ratio: 1.0 + gap,
        };
    }
    if gap < 0.0 {
        // Short: the dots closer, over t = ln(1 / spacing factor) ≥ 0.
        let top = -MIN_SPACING_FACTOR.ln();
        let (t, g) = solve(
            |t| ratio(open, (-t).exp()) - 1.0,
            ((0.0, Some(gap)), (top, None)),
            SPACING_ELASTICITY,
        );
        Calibrated {
            keep_factor: open,
            spacing_factor: (-t).exp(),
            yield_ratio: 1.0 + g,
        }
    } else {
        // Over: fewer candidates kept, over ln(keep factor) ≥ 0.
        let top = open.ln();
        let (x, g) = solve(
            |x| ratio(x.exp(), 1.0) - 1.0,
            ((0.0, None), (top, Some(gap))),
            KEEP_ELASTICITY,
        );
        Calibrated {
            keep_factor: x.exp(),
            spacing_factor: 1.0,
            yield_ratio: 1.0 + g,
        }
    }
}

/// A zero of `gap` (increasing in x) between the bounds `lo` and `hi`, one of them with its
/// gap known, by regula falsi (Illinois); until runs on both sides are known, a step of
/// −gap / `elasticity` from the nearest. Returns the run nearest to zero: (x, gap). At a bound
/// still on the wrong side, that bound.
fn solve(
    gap: impl Fn(f32) -> f32,
    (mut lo, mut hi): ((f32, Option<f32>), (f32, Option<f32>)),
    elasticity: f32,
) -> (f32, f32) {
    let (x_min, x_max) = (lo.0, hi.0);
    let (mut best, first) = match (lo.1, hi.1) {
        (Some(g), _) => ((lo.0, g), (lo.0 - g / elasticity).min(x_max)),
        (_, Some(g)) => ((hi.0, g), (hi.0 - g / elasticity).max(x_min)),
        _ => ((x_min, f32::INFINITY), x_min),
    };
    let mut last_low: Option<bool> = None;
    let mut x = first;
    for _ in 0..MAX_RUNS {
        let g = gap(x);
        if g.abs() < best.1.abs() {
            best = (x, g);
        }
        if g.abs() <= TOLERANCE {
            break;
        }
        let low = g < 0.0;
        if (low && x >= x_max) || (!low && x <= x_min) {
            // At a bound and still on its wrong side: nothing further to try.
            break;
        }
        if low {
            lo = (x, Some(g));
        } else {
            hi = (x, Some(g));
        }
        // Illinois: a side kept twice running has its gap halved, so the other side moves.
        if last_low == Some(low) {
            let kept = if low { &mut hi.1 } else { &mut lo.1 };
            *kept = kept.map(|g| 0.5 * g);
        }
        last_low = Some(low);
        x = match (lo.1, hi.1) {
            (Some(gl), Some(gh)) => lo.0 - gl * (hi.0 - lo.0) / (gh - gl),
            (Some(gl), None) => (lo.0 - gl / elasticity).min(x_max),
            (None, Some(gh)) => (hi.0 - gh / elasticity).max(x_min),
            (None, None) => break,
        };
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dots::hair_grid::exclusion_radius_mm;
    use crate::hair::grow::{mean_unit_exclusion_mm2, mean_unit_size};

    /// A zone with spacing 0.6, dots of 0.14 mm at `dots_per_mm2` and full hair of
    /// `hairs_per_cm2` with shafts of `hair_mm`.
    fn zone(dots_per_mm2: f32, hairs_per_cm2: f32, hair_mm: f32) -> Between {
        Between {
            dots_per_mm2,
            alpha: 0.6,
            units_per_mm2: hairs_per_cm2 / 100.0 / mean_unit_size(),
            radius_mm: exclusion_radius_mm(hair_mm, 0.14),
        }
    }

    /// The default client's sides at 10⁶ dots on the built-in head (~17 dots/mm², 110 hairs/cm²,
    /// shafts of 0.075 mm).
    fn dense() -> Between {
        zone(17.0, 110.0, 0.075)
    }

    /// A plan's own density (~25 dots/cm²) in thick hair (200/cm²): dots about as far apart as
    /// the discs are wide.
    fn sparse() -> Between {
        zone(0.25, 200.0, 0.08)
    }

    fn open_ground(b: &Between) -> f32 {
        (b.units_per_mm2 * mean_unit_exclusion_mm2(b.radius_mm)).exp()
    }

    /// Yield ratio of an independent square (another seed) at these factors.
    fn check(b: &Between, keep: f32, spacing: f32, seed: u32) -> f32 {
        let s = Square::new(b, keep, seed);
        s.kept(keep, spacing, true) as f32 / s.kept(1.0, 1.0, false) as f32
    }

    #[test]
    fn the_open_ground_factor_misses_and_the_measured_ones_hold_on_other_draws() {
        for b in [dense(), sparse()] {
            let open = open_ground(&b);
            let c = calibrate(&b, open);
            assert!((c.yield_ratio - 1.0).abs() <= TOLERANCE, "{b:?}: {c:?}");
            // Squares the calibration never saw keep the density within 1%.
            for seed in [1, 2] {
                let r = check(&b, c.keep_factor, c.spacing_factor, seed);
                assert!((r - 1.0).abs() < 0.01, "{b:?} at {c:?}: ratio {r}");
            }
            // The open-ground factor alone does not (what the render showed): short, so the
            // dots between the hairs are spaced closer.
            let r = check(&b, open, 1.0, 1);
            assert!(r < 0.985, "{b:?} at e^(μA) = {open}: ratio {r}");
            assert!(c.keep_factor == open && c.spacing_factor < 1.0, "{c:?}");
        }
    }

    #[test]
    fn from_a_keep_factor_that_overshoots_fewer_candidates_are_kept() {
        // The free share alone falls short in every case measured (the tests above), so the
        // dots go closer; given a keep factor above what the density needs, the calibration
        // keeps fewer candidates instead, at the plan's own spacing.
        let b = dense();
        let (open, high) = (open_ground(&b), 3.0);
        let r = check(&b, high, 1.0, 1);
        let c = calibrate(&b, high);
        assert!(r > 1.0 + TOLERANCE, "ratio {r} at {high}");
        assert!(open < c.keep_factor && c.keep_factor < high, "{c:?}");
        assert_eq!(c.spacing_factor, 1.0);
        assert!((c.yield_ratio - 1.0).abs() <= TOLERANCE, "{c:?}");
        let r = check(&b, c.keep_factor, 1.0, 2);
        assert!((r - 1.0).abs() < 0.01, "{c:?}: ratio {r} on another draw");
    }

    #[test]
    fn without_hair_nothing_changes() {
        let b = Between {
            units_per_mm2: 0.0,
            ..dense()
        };
        assert_eq!(calibrate(&b, 1.0), Calibrated::NEUTRAL);
        let b = Between {
            dots_per_mm2: f32::NAN,
            ..dense()
        };
        assert_eq!(calibrate(&b, 1.3), Calibrated::NEUTRAL);
    }

    #[test]
    fn extremes_of_the_plan_stay_cheap() {
        // A handful of dots over the head (`--dots 10`): no square could hold enough of them,
        // and dots that sparse keep the open-ground factor (the square would have held 10¹⁰
        // hairs: 43 s and 3.4 GB for `scalp render --dots 10` before the bound).
        let b = Between {
            dots_per_mm2: 2e-7,
            ..dense()
        };
        let open = open_ground(&b);
        let c = calibrate(&b, open);
        assert_eq!((c.keep_factor, c.spacing_factor), (open, 1.0));
        // Both vanishingly sparse (a plan may say 1e-38 of the natural hair): no square at all.
        let b = Between {
            dots_per_mm2: 1e-38,
            units_per_mm2: 1e-38,
            ..dense()
        };
        assert!(!square_area(&b).is_finite());
        assert_eq!(calibrate(&b, 1.0).spacing_factor, 1.0);
        // A trace of hair (10 hairs/cm² at 0.1% coverage) under the densest dots the limits
        // allow, and the plan's sparsest dots (1/cm²) under the sparsest hair: each finishes,
        // within the bounds of the square.
        for b in [
            Between {
                dots_per_mm2: 10.0,
                units_per_mm2: 0.1 * 0.001 / mean_unit_size(),
                ..dense()
            },
            Between {
                dots_per_mm2: 0.01,
                units_per_mm2: 0.1 * 0.001 / mean_unit_size(),
                ..dense()
            },
        ] {
            let area = square_area(&b);
            assert!(
                area * b.units_per_mm2 <= UNITS.1 * 1.001,
                "{b:?}: {area} mm²"
            );
            assert!(area * b.dots_per_mm2 <= DOTS.1 * 1.001, "{b:?}: {area} mm²");
            let c = calibrate(&b, open_ground(&b));
            assert!(
                c.keep_factor >= 1.0 && c.spacing_factor <= 1.0,
                "{b:?}: {c:?}"
            );
        }
    }

    #[test]
    fn hair_with_no_room_left_takes_the_closest_spacing_and_says_so() {
        // 600 hairs/cm² with discs of 0.8 mm: nearly no free scalp.
        let b = Between {
            units_per_mm2: 6.0 / mean_unit_size(),
            radius_mm: 0.8,
            ..sparse()
        };
        let c = calibrate(&b, open_ground(&b));
        assert_eq!(c.keep_factor, MAX_KEEP_FACTOR);
        assert!(
            (c.spacing_factor - MIN_SPACING_FACTOR).abs() < 1e-6,
            "{c:?}"
        );
        assert!(c.yield_ratio < 0.5, "{c:?}");
    }

    #[test]
    fn the_square_keeps_the_density_candidate_excess_was_calibrated_for() {
        // On open ground the square is the calibration's own experiment: ~1 dot per 1/λ.
        let b = dense();
        let s = Square::new(&b, 1.0, 3);
        let y = s.kept(1.0, 1.0, false) as f32 / (b.dots_per_mm2 * s.side * s.side);
        assert!((y - 1.0).abs() < 0.03, "yield {y}");
    }

    #[test]
    #[ignore = "prints each case's factors, their time and their spread over draws; --release"]
    fn print_the_spread_over_draws() {
        for b in [dense(), sparse()] {
            let open = open_ground(&b);
            let t = std::time::Instant::now();
            let c = calibrate(&b, open);
            println!("{b:?}: e^(μA) {open:.3}, {c:?} in {:?}", t.elapsed());
            let ratios: Vec<f32> = (1..9)
                .map(|s| check(&b, c.keep_factor, c.spacing_factor, s))
                .collect();
            let factors: Vec<f32> = (1..5)
                .map(|s| calibrate_with_seed(&b, open, s).spacing_factor)
                .collect();
            println!("  ratios on other draws {ratios:?}\n  their own factors {factors:?}");
        }
    }
}
