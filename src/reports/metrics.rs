//! The numbers a trainer points at: one per technique error, computed from the dots (CPU, the
//! same ageing and optics formulas as the GPU passes) and from rendered pictures. None of them
//! reads the plan: each is measured on what was deposited, as an examiner would.
//!
//! | metric | moves with |
//! |---|---|
//! | mean apparent dot diameter | oversized dots, too deep |
//! | blue cast of the dots (picture) | too deep |
//! | visible share of the dots | too shallow (after a few weeks) |
//! | dot darkness | wrong shade |
//! | share of the scalp where dots merge | over-saturation (and oversized, too deep) |
//! | spacing regularity: nearest-neighbour CV, spectral peak | grid spacing |
//! | hairline transition width and residual | harsh hairline |
//! | left/right asymmetry | asymmetry |
//! | density uniformity (CV over ~1 cm² cells) | patchy density |
use crate::ageing::{self, AgeParams};
use crate::dots::generate::GpuDots;
use crate::dots::layout::SAMPLE_POINTS;
use crate::dots::Dot;
use crate::error::Result;
use crate::head::Head;
use crate::optics;
use crate::render::{HeadGpu, RenderSettings};
use crate::reports::report::VISIBLE_CONTRAST;
use crate::{engine::Engine, treatment::Treatment};
use glam::{Vec2, Vec3};
use serde::Serialize;
use std::collections::{BTreeMap, HashMap};

/// Metrics measured on the dots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct DotMetrics {
    /// Dots deposited.
    pub dots: usize,
    /// Mean apparent diameter (coverage at half its peak, `optics::Footprint`) of the dots
    /// with pigment left, mm (as `scalp report`'s per zone).
    pub mean_apparent_diameter_mm: f64,
    /// Share of the dots placed so far (sessions up to this time) that are still visible (peak
    /// darkening ≥ `report::VISIBLE_CONTRAST`).
    pub visible_fraction: f64,
    /// Mean peak darkening of the dots with pigment left (share of the skin's luminance a
    /// dot's centre takes away).
    pub dot_darkness: f64,
    /// Share of the treated scalp where two dots' half-maximum footprints overlap.
    pub merged_fraction: f64,
    /// Coefficient of variation of nearest-neighbour distances in a patch at the vertex: ~0.2
    /// for random placement with a minimum spacing, under 0.1 for rows.
    pub nearest_neighbour_cv: f64,
    /// Strongest spatial frequency in the vertex patch, as power relative to a random
    /// pattern's: ~10 for blue noise (the largest of thousands of noisy values), far more when
    /// a lattice puts its power into a few peaks.
    pub spectrum_peak: f64,
    /// Front hairline: distance over which dot density rises from 10% to 90% of the interior,
    /// mm (measured along +Y, as the hairline plan is).
    pub hairline_transition_mm: Option<f64>,
    /// Front hairline: RMS departure of the front line from a smooth curve, mm. About 1 for a
    /// natural, irregular line; a drawn line is straighter.
    pub hairline_residual_mm: Option<f64>,
    /// How much higher the client's left front line sits than the right, mirrored across the
    /// midline, at the largest difference over the temple half of the front, mm.
    pub asymmetry_mm: Option<f64>,
    /// Coefficient of variation of dots per ~1 cm² cell over the fully treated area, each cell
    /// against the density planned there.
    pub density_cv: f64,
}

/// Metrics measured on pictures: a close-up of the vertex with and without the dots.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ImageMetrics {
    /// Share of the skin's red the dots take away over the share of its blue: 1 for a neutral
    /// grey; higher reads blue-grey (deep pigment: blue light is scattered back before it
    /// reaches it, red reaches it and is absorbed).
    pub blue_cast: f64,
    /// Hue of the light the dots take away, degrees (HSV hue of the per-channel removed
    /// share; the dots look the opposite hue).
    pub removed_hue_deg: f64,
    /// Share of the skin's luminance the dots take away over the patch.
    pub darkening: f64,
}

/// Everything `scalp report` prints for the trainer.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Metrics {
    pub years: f32,
    #[serde(flatten)]
    pub dots: DotMetrics,
    pub image: Option<ImageMetrics>,
}

/// One metric as a trainer reads it: its name, its unit and how to read it off [`Metrics`].
#[derive(Clone, Copy)]
pub struct Measure {
    pub name: &'static str,
    /// Printed after the value ("mm", "%"); percentages are stored as shares.
    pub unit: &'static str,
    pub get: fn(&Metrics) -> Option<f64>,
}

impl Measure {
    /// The value as printed: with its unit, percentages ×100.
    pub fn show(&self, m: &Metrics) -> String {
        match (self.get)(m) {
            None => "-".into(),
            Some(v) if self.unit == "%" => format!("{:.1}%", 100.0 * v),
            Some(v) if self.unit.is_empty() => format!("{v:.2}"),
            Some(v) => format!("{v:.2} {}", self.unit),
        }
    }
}

/// The metric(s) that show `error`, the one a trainer points at first.
pub fn own_measures(error: crate::technique::TechniqueError) -> Vec<Measure> {
    use crate::technique::TechniqueError as E;
    let diameter = Measure {
        name: "mean apparent dot diameter",
        unit: "mm",
        get: |m| Some(m.dots.mean_apparent_diameter_mm),
    };
    match error {
        E::Oversized => vec![diameter],
        E::TooDeep => vec![
            Measure {
                name: "blue cast (red/blue removed)",
                unit: "",
                get: |m| m.image.as_ref().map(|i| i.blue_cast),
            },
            diameter,
        ],
        E::TooShallow => vec![Measure {
            name: "visible share of the dots",
            unit: "%",
            get: |m| Some(m.dots.visible_fraction),
        }],
        E::OverSaturation => vec![
            Measure {
                name: "scalp where dots merge",
                unit: "%",
                get: |m| Some(m.dots.merged_fraction),
            },
            Measure {
                name: "darkening of the vertex",
                unit: "%",
                get: |m| m.image.as_ref().map(|i| i.darkening),
            },
        ],
        E::GridSpacing => vec![
            Measure {
                name: "spatial spectrum peak",
                unit: "",
                get: |m| Some(m.dots.spectrum_peak),
            },
            Measure {
                name: "nearest-neighbour CV",
                unit: "",
                get: |m| Some(m.dots.nearest_neighbour_cv),
            },
        ],
        E::HarshHairline => vec![
            Measure {
                name: "hairline transition width",
                unit: "mm",
                get: |m| m.dots.hairline_transition_mm,
            },
            Measure {
                name: "hairline residual",
                unit: "mm",
                get: |m| m.dots.hairline_residual_mm,
            },
        ],
        E::WrongShade => vec![Measure {
            name: "dot darkness (peak)",
            unit: "%",
            get: |m| Some(m.dots.dot_darkness),
        }],
        E::PatchyDensity => vec![Measure {
            name: "density CV over 1 cm² cells",
            unit: "",
            get: |m| Some(m.dots.density_cv),
        }],
        E::Asymmetry => vec![Measure {
            name: "left/right asymmetry",
            unit: "mm",
            get: |m| m.dots.asymmetry_mm,
        }],
        E::TooLight => vec![Measure {
            name: "darkening of the vertex",
            unit: "%",
            get: |m| m.image.as_ref().map(|i| i.darkening),
        }],
    }
}

/// Side of the square patch at the vertex for the spacing metrics, mm (~900 dots at 100/cm²).
pub const PATCH_MM: f32 = 30.0;
/// Edge of the cubic cells of the density-uniformity metric, mm: ~1 cm² of scalp each.
pub const CELL_MM: f32 = 10.0;
/// Cells with less fully treated scalp than this are left out, mm².
pub const MIN_CELL_AREA_MM2: f64 = 60.0;
/// Width of the azimuth bins along the front hairline, mm of arc.
pub const HAIRLINE_BIN_MM: f32 = 3.0;

/// How a dot looks at one time.
struct Look {
    apparent_mm: f32,
    peak: f32,
    visible: bool,
}

fn look(d: &Dot, p: &AgeParams) -> Look {
    let a = ageing::appearance(d, p);
    if a.amount <= 0.0 {
        return Look {
            apparent_mm: 0.0,
            peak: 0.0,
            visible: false,
        };
    }
    let f = optics::footprint(d.diameter_mm, d.depth_mm, a.amount, a.spread_mm2);
    let reach = optics::reach(d.depth_mm);
    let lum: f32 = (0..3).map(|c| optics::LUMINANCE[c] * reach[c]).sum();
    let peak = lum * (1.0 - optics::ink_transmittance(d.shade)) * (1.0 - (-f.m0).exp());
    Look {
        apparent_mm: f.apparent_diameter_mm(),
        peak,
        visible: peak >= VISIBLE_CONTRAST,
    }
}

/// All dot metrics at `t_years` after the first session.
pub fn dot_metrics(head: &Head, t: &Treatment, dots: &[Dot], t_years: f32) -> DotMetrics {
    let p = t.age_params(t_years);
    let looks: Vec<Look> = dots.iter().map(|d| look(d, &p)).collect();
    let visible = looks.iter().filter(|l| l.visible).count();
    let placed = dots
        .iter()
        .filter(|d| p.session_start(d.session()) <= t_years)
        .count();
    let left: Vec<&Look> = looks.iter().filter(|l| l.apparent_mm > 0.0).collect();
    let mean = |f: &dyn Fn(&Look) -> f32| {
        if left.is_empty() {
            0.0
        } else {
            left.iter().map(|l| f(l) as f64).sum::<f64>() / left.len() as f64
        }
    };
    let (nn_cv, peak) = spacing_regularity(head, dots);
    let front = front_hairline(head, t, dots);
    DotMetrics {
        dots: dots.len(),
        mean_apparent_diameter_mm: mean(&|l| l.apparent_mm),
        visible_fraction: visible as f64 / placed.max(1) as f64,
        dot_darkness: mean(&|l| l.peak),
        merged_fraction: merged_fraction(dots, &looks, t.layout.treated_area_mm2),
        nearest_neighbour_cv: nn_cv,
        spectrum_peak: peak,
        hairline_transition_mm: front.as_ref().map(|f| f.transition_mm),
        hairline_residual_mm: front.as_ref().map(|f| f.residual_mm),
        asymmetry_mm: front.as_ref().map(|f| f.asymmetry_mm),
        density_cv: density_cv(head, t, dots),
    }
}

/// Points within `reach` of each other, as index pairs (i < j), through a hash grid.
fn close_pairs(points: &[Vec3], reach: f32, mut f: impl FnMut(usize, usize, f32)) {
    let cell = reach.max(1e-3);
    let key = |p: Vec3| {
        let c = (p / cell).floor();
        (c.x as i32, c.y as i32, c.z as i32)
    };
    let mut grid: HashMap<(i32, i32, i32), Vec<usize>> = HashMap::new();
    for (i, p) in points.iter().enumerate() {
        grid.entry(key(*p)).or_default().push(i);
    }
    for (i, p) in points.iter().enumerate() {
        let (x, y, z) = key(*p);
        for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    for &j in grid.get(&(x + dx, y + dy, z + dz)).into_iter().flatten() {
                        if j > i {
                            let d = p.distance(points[j]);
                            if d < reach {
                                f(i, j, d);
                            }
                        }
                    }
                }
            }
        }
    }
}

/// Area of the lens where two discs of radii r1, r2 at distance d overlap.
fn lens_area(r1: f32, r2: f32, d: f32) -> f64 {
    let (r1, r2, d) = (r1 as f64, r2 as f64, d as f64);
    if d >= r1 + r2 {
        return 0.0;
    }
    if d <= (r1 - r2).abs() {
        return std::f64::consts::PI * r1.min(r2).powi(2);
    }
    let a1 = ((d * d + r1 * r1 - r2 * r2) / (2.0 * d * r1))
        .clamp(-1.0, 1.0)
        .acos();
    let a2 = ((d * d + r2 * r2 - r1 * r1) / (2.0 * d * r2))
        .clamp(-1.0, 1.0)
        .acos();
    let k = ((-d + r1 + r2) * (d + r1 - r2) * (d - r1 + r2) * (d + r1 + r2)).max(0.0);
    r1 * r1 * a1 + r2 * r2 * a2 - 0.5 * k.sqrt()
}

/// Share of `area_mm2` where two dots' half-maximum discs overlap.
fn merged_fraction(dots: &[Dot], looks: &[Look], area_mm2: f64) -> f64 {
    let shown: Vec<usize> = (0..dots.len())
        .filter(|&i| looks[i].apparent_mm > 0.0)
        .collect();
    let points: Vec<Vec3> = shown.iter().map(|&i| dots[i].position()).collect();
    let radius: Vec<f32> = shown.iter().map(|&i| 0.5 * looks[i].apparent_mm).collect();
    let reach = 2.0 * radius.iter().copied().fold(0.0f32, f32::max);
    let mut overlap = 0.0f64;
    close_pairs(&points, reach, |i, j, d| {
        overlap += lens_area(radius[i], radius[j], d);
    });
    (overlap / area_mm2.max(1e-9)).min(1.0)
}

pub use super::framing::surface_point;

/// The dots of the vertex patch in the patch's tangent coordinates (mm), a tangent basis
/// aligned with head-space X as far as the normal allows.
fn vertex_patch(head: &Head, dots: &[Dot]) -> (Vec<usize>, Vec<Vec2>) {
    let (centre, n) = surface_point(head, head.landmarks.vertex);
    let e1 = (Vec3::X - n * n.dot(Vec3::X))
        .try_normalize()
        .unwrap_or(Vec3::X);
    let e2 = n.cross(e1);
    let half = 0.5 * PATCH_MM;
    let mut idx = Vec::new();
    let mut uv = Vec::new();
    for (i, d) in dots.iter().enumerate() {
        let r = d.position() - centre;
        if r.dot(n).abs() > 15.0 {
            continue;
        }
        let q = Vec2::new(r.dot(e1), r.dot(e2));
        if q.x.abs() < half && q.y.abs() < half {
            idx.push(i);
            uv.push(q);
        }
    }
    (idx, uv)
}

/// (nearest-neighbour CV, spectral peak) in the vertex patch.
fn spacing_regularity(head: &Head, dots: &[Dot]) -> (f64, f64) {
    let (idx, uv) = vertex_patch(head, dots);
    if idx.len() < 20 {
        return (0.0, 0.0);
    }
    // Nearest neighbours among all dots, so the patch's edge does not lengthen them.
    let spacing = PATCH_MM / (idx.len() as f32).sqrt();
    let points: Vec<Vec3> = dots.iter().map(|d| d.position()).collect();
    let mut nearest = vec![f32::INFINITY; points.len()];
    close_pairs(&points, 2.5 * spacing, |i, j, d| {
        nearest[i] = nearest[i].min(d);
        nearest[j] = nearest[j].min(d);
    });
    let nn: Vec<f64> = idx
        .iter()
        .map(|&i| nearest[i])
        .filter(|d| d.is_finite())
        .map(|d| d as f64)
        .collect();
    let mean = nn.iter().sum::<f64>() / nn.len().max(1) as f64;
    let var = nn.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / nn.len().max(1) as f64;
    let cv = if mean > 0.0 { var.sqrt() / mean } else { 0.0 };
    (cv, spectrum_peak(&uv, spacing))
}

/// The largest value of the structure factor S(f) = |Σ w e^(−2πi f·x)|² / Σ w² over the ring
/// 0.6/a ≤ |f| ≤ 1.8/a (a: the mean spacing) where a lattice puts its first peaks, with a Hann
/// window over the patch. A random pattern has S ≈ 1 there.
fn spectrum_peak(uv: &[Vec2], spacing: f32) -> f64 {
    let half = 0.5 * PATCH_MM as f64;
    let w: Vec<f64> = uv
        .iter()
        .map(|q| {
            let h = |x: f64| 0.5 * (1.0 + (std::f64::consts::PI * x / half).cos());
            h(q.x as f64) * h(q.y as f64)
        })
        .collect();
    let norm: f64 = w.iter().map(|w| w * w).sum();
    let a = spacing as f64;
    let (f_lo, f_hi) = (0.6 / a, 1.8 / a);
    // Half the main lobe of the window (2/PATCH_MM) per step, so no peak falls between samples.
    let step = 1.0 / (2.0 * PATCH_MM as f64);
    let n = (f_hi / step).ceil() as i32;
    let mut best = 0.0f64;
    for ky in 0..=n {
        for kx in -n..=n {
            let (fx, fy) = (kx as f64 * step, ky as f64 * step);
            let f = (fx * fx + fy * fy).sqrt();
            if f < f_lo || f > f_hi {
                continue;
            }
            let (mut re, mut im) = (0.0f64, 0.0f64);
            for (q, w) in uv.iter().zip(&w) {
                let ph = -std::f64::consts::TAU * (fx * q.x as f64 + fy * q.y as f64);
                let (s, c) = ph.sin_cos();
                re += w * c;
                im += w * s;
            }
            best = best.max((re * re + im * im) / norm);
        }
    }
    best
}

struct Front {
    transition_mm: f64,
    residual_mm: f64,
    asymmetry_mm: f64,
}

/// Least-squares polynomial of degree `deg` through (x, y); coefficients from the constant up.
fn polyfit(x: &[f64], y: &[f64], deg: usize) -> Option<Vec<f64>> {
    let m = deg + 1;
    let mut a = vec![vec![0.0f64; m + 1]; m];
    for (&xi, &yi) in x.iter().zip(y) {
        let pows: Vec<f64> = (0..m).map(|k| xi.powi(k as i32)).collect();
        for r in 0..m {
            for c in 0..m {
                a[r][c] += pows[r] * pows[c];
            }
            a[r][m] += pows[r] * yi;
        }
    }
    // Gauss–Jordan with partial pivoting.
    for col in 0..m {
        let piv = (col..m).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-12 {
            return None;
        }
        a.swap(col, piv);
        let pivot_row = a[col].clone();
        for (r, row) in a.iter_mut().enumerate() {
            if r != col {
                let f = row[col] / pivot_row[col];
                for (x, p) in row.iter_mut().zip(&pivot_row).skip(col) {
                    *x -= f * p;
                }
            }
        }
    }
    Some((0..m).map(|r| a[r][m] / a[r][r]).collect())
}

fn polyval(c: &[f64], x: f64) -> f64 {
    c.iter().rev().fold(0.0, |acc, k| acc * x + k)
}

/// The front hairline as the dots draw it: in azimuth bins across the forehead the front edge
/// (the third-lowest dot), a smooth curve through the edges, the density profile across that
/// curve, and the curve's left/right difference.
fn front_hairline(head: &Head, t: &Treatment, dots: &[Dot]) -> Option<Front> {
    let lm = &head.landmarks;
    let centre = Vec3::new(t.zone.center.x, 0.0, t.zone.center.z);
    let phi_of = |p: Vec3| (p.x - centre.x).atan2(p.z - centre.z);
    // The front, short of the temple corners where the line turns back.
    let phi_t = phi_of(lm.temple_left)
        .abs()
        .min(phi_of(lm.temple_right).abs())
        .clamp(0.3, 1.2);
    let phi_max = 0.85 * phi_t;
    let radius = Vec2::new(
        lm.front_hairline.x - centre.x,
        lm.front_hairline.z - centre.z,
    )
    .length()
    .max(30.0);
    let bins = ((2.0 * phi_max * radius / HAIRLINE_BIN_MM).round() as usize).max(8);
    let floor = lm.glabella.y + 20.0;
    // (φ, y, weight): weight dy/ds turns dots per mm of height into dots per mm of surface.
    let front: Vec<(f32, f32, f32)> = dots
        .iter()
        .filter(|d| d.position[1] > floor && d.position[2] > centre.z)
        .map(|d| {
            let ny = d.normal[1];
            (
                phi_of(d.position()),
                d.position[1],
                (1.0 - ny * ny).max(0.05).sqrt(),
            )
        })
        .filter(|(phi, _, _)| phi.abs() < phi_max)
        .collect();
    let mut per_bin: Vec<Vec<f32>> = vec![Vec::new(); bins];
    for &(phi, y, _) in &front {
        let b = (((phi + phi_max) / (2.0 * phi_max)) * bins as f32) as usize;
        per_bin[b.min(bins - 1)].push(y);
    }
    let (mut xs, mut ys) = (Vec::new(), Vec::new());
    for (b, list) in per_bin.iter_mut().enumerate() {
        if list.len() < 4 {
            continue;
        }
        list.sort_by(|a, b| a.total_cmp(b));
        xs.push((-phi_max + (b as f32 + 0.5) * 2.0 * phi_max / bins as f32) as f64);
        ys.push(list[2] as f64);
    }
    if xs.len() < bins / 2 {
        return None;
    }
    let fit = polyfit(&xs, &ys, 4)?;
    let residual = (xs
        .iter()
        .zip(&ys)
        .map(|(&x, &y)| (y - polyval(&fit, x)).powi(2))
        .sum::<f64>()
        / xs.len() as f64)
        .sqrt();

    // Density across the line, in 0.5 mm steps of height from 10 mm below to 16 mm above.
    let (lo, hi, step) = (-10.0f64, 16.0f64, 0.5f64);
    let n = ((hi - lo) / step) as usize;
    let mut profile = vec![0.0f64; n];
    for &(phi, y, w) in &front {
        let h = y as f64 - polyval(&fit, phi as f64);
        if h >= lo && h < hi {
            profile[((h - lo) / step) as usize] += w as f64;
        }
    }
    // Smooth over 1.5 mm: a bin of 0.5 mm holds only a few dots.
    let smooth: Vec<f64> = (0..n)
        .map(|i| {
            let (a, b) = (i.saturating_sub(1), (i + 1).min(n - 1));
            profile[a..=b].iter().sum::<f64>() / (b - a + 1) as f64
        })
        .collect();
    let at = |h: f64| ((h - lo) / step) as usize;
    let interior = smooth[at(6.0)..at(14.0)].iter().sum::<f64>() / (at(14.0) - at(6.0)) as f64;
    if interior <= 0.0 {
        return None;
    }
    // Walk down from the interior to where the density falls below each level.
    let crossing = |level: f64| -> f64 {
        let mut i = at(6.0);
        while i > 0 && smooth[i - 1] >= level * interior {
            i -= 1;
        }
        if i == 0 {
            return lo;
        }
        // Interpolate between bin centres i−1 (below the level) and i.
        let (a, b) = (smooth[i - 1], smooth[i]);
        let f = ((level * interior - a) / (b - a).max(1e-12)).clamp(0.0, 1.0);
        lo + (i as f64 - 0.5 + f) * step
    };
    let transition = crossing(0.9) - crossing(0.1);

    // Left (φ > 0) minus right, over the temple half of the front.
    let mut asym = 0.0f64;
    for k in 0..=20 {
        let phi = phi_max as f64 * (0.5 + 0.5 * k as f64 / 20.0);
        let d = polyval(&fit, phi) - polyval(&fit, -phi);
        if d.abs() > asym.abs() {
            asym = d;
        }
    }
    Some(Front {
        transition_mm: transition.max(0.0),
        residual_mm: residual,
        asymmetry_mm: asym,
    })
}

/// Coefficient of variation of (dots in cell) / (dots planned in cell) over cubic cells of
/// [`CELL_MM`] that hold at least [`MIN_CELL_AREA_MM2`] of fully treated scalp.
fn density_cv(head: &Head, t: &Treatment, dots: &[Dot]) -> f64 {
    let key = |p: Vec3| {
        let c = (p / CELL_MM).floor();
        (c.x as i32, c.y as i32, c.z as i32)
    };
    // Per cell: treated area, planned dots, and whether all of it is fully ramped. Ordered
    // cells: the sums below run in a fixed order, where a HashMap's order (random per process)
    // made the last digits of `report --json` differ from run to run.
    let mut cells: BTreeMap<(i32, i32, i32), (f64, f64, bool)> = BTreeMap::new();
    let m = &head.mesh;
    for k in 0..m.triangle_count() {
        let [a, b, c] = m.triangle(k);
        let area = m.triangle_area(k) as f64;
        let samples: Vec<_> = SAMPLE_POINTS
            .iter()
            .map(|w| t.zone.sample(a * w[0] + b * w[1] + c * w[2]))
            .collect();
        if samples.iter().all(|s| s.above_mm <= 0.0) {
            continue;
        }
        let full = samples.iter().all(|s| s.ramp >= 1.0);
        let planned = samples
            .iter()
            .map(|s| s.density_per_mm2 as f64)
            .sum::<f64>()
            / samples.len() as f64
            * area;
        let e = cells
            .entry(key((a + b + c) / 3.0))
            .or_insert((0.0, 0.0, true));
        e.0 += area;
        e.1 += planned;
        e.2 &= full;
    }
    let mut counts: HashMap<(i32, i32, i32), usize> = HashMap::new();
    for d in dots {
        *counts.entry(key(d.position())).or_default() += 1;
    }
    let ratios: Vec<f64> = cells
        .iter()
        .filter(|(_, (area, planned, full))| *full && *area >= MIN_CELL_AREA_MM2 && *planned > 0.0)
        .map(|(k, (_, planned, _))| *counts.get(k).unwrap_or(&0) as f64 / planned)
        .collect();
    if ratios.len() < 2 {
        return 0.0;
    }
    let mean = ratios.iter().sum::<f64>() / ratios.len() as f64;
    let var = ratios.iter().map(|r| (r - mean).powi(2)).sum::<f64>() / ratios.len() as f64;
    if mean > 0.0 {
        var.sqrt() / mean
    } else {
        0.0
    }
}

/// Size of the close-up the picture metrics are measured on: the vertex, 24 mm across, ~0.075
/// mm a pixel.
pub const CLOSE_UP_SIZE: (u32, u32) = (320, 240);
pub const CLOSE_UP_WIDTH_MM: f32 = 24.0;

/// Every metric of `t` at `t_years`: generates the dots on the GPU, reads them back, and
/// renders the vertex close-up with and without them.
pub fn measure(engine: &Engine, head: &Head, t: &Treatment, t_years: f32) -> Result<Metrics> {
    let head_gpu = HeadGpu::new(&engine.gpu, head);
    let gpu_dots = engine.generate(head, t)?;
    let dots = gpu_dots.read(&engine.gpu)?;
    measure_with(engine, head, &head_gpu, t, &gpu_dots, &dots, t_years)
}

/// As [`measure`], for dots already generated (`dots`: `gpu_dots` read back).
pub fn measure_with(
    engine: &Engine,
    head: &Head,
    head_gpu: &HeadGpu,
    t: &Treatment,
    gpu_dots: &GpuDots,
    dots: &[Dot],
    t_years: f32,
) -> Result<Metrics> {
    use super::framing::{camera, Framing};
    let aged = engine.age(t, gpu_dots, t_years)?;
    let size = CLOSE_UP_SIZE;
    let framing = Framing::Vertex {
        width_mm: CLOSE_UP_WIDTH_MM,
    };
    let (cam, _) = camera(head, framing, size.0 as f32 / size.1 as f32);
    let shot = |dots: bool| {
        let settings = RenderSettings {
            dots,
            ..Default::default()
        };
        engine.render_image(&crate::engine::Frame {
            head: head_gpu,
            dots: Some((gpu_dots, &aged)),
            view: cam.into(),
            settings: &settings,
            size,
        })
    };
    let (with, without) = (shot(true)?, shot(false)?);
    Ok(Metrics {
        years: t_years,
        dots: dot_metrics(head, t, dots, t_years),
        image: Some(image_metrics(&with, &without)),
    })
}

/// Picture metrics from a render with the dots (`with`) and one without (`without`), same
/// camera: the per-channel share of the skin's light the dots remove over the middle of the
/// picture (a close-up, where all of it is skin).
pub fn image_metrics(with: &image::RgbaImage, without: &image::RgbaImage) -> ImageMetrics {
    let lin = |c: u8| {
        let c = c as f64 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    let (w, h) = with.dimensions();
    let (mut skin, mut removed) = ([0.0f64; 3], [0.0f64; 3]);
    for y in h / 5..h - h / 5 {
        for x in w / 5..w - w / 5 {
            let (a, b) = (with.get_pixel(x, y), without.get_pixel(x, y));
            for c in 0..3 {
                let (t, u) = (lin(a[c]), lin(b[c]));
                skin[c] += u;
                removed[c] += u - t;
            }
        }
    }
    let r: [f64; 3] = std::array::from_fn(|c| removed[c] / skin[c].max(1e-12));
    let lum = |v: [f64; 3]| 0.2126 * v[0] + 0.7152 * v[1] + 0.0722 * v[2];
    ImageMetrics {
        blue_cast: if r[2] > 0.0 { r[0] / r[2] } else { 0.0 },
        removed_hue_deg: hue_deg(r),
        darkening: (lum(removed) / lum(skin).max(1e-12)).max(0.0),
    }
}

/// HSV hue of an RGB triple, degrees.
fn hue_deg(c: [f64; 3]) -> f64 {
    let max = c[0].max(c[1]).max(c[2]);
    let min = c[0].min(c[1]).min(c[2]);
    let d = max - min;
    if d <= 0.0 {
        return 0.0;
    }
    let h = if max == c[0] {
        ((c[1] - c[2]) / d).rem_euclid(6.0)
    } else if max == c[1] {
        (c[2] - c[0]) / d + 2.0
    } else {
        (c[0] - c[1]) / d + 4.0
    };
    60.0 * h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lens_area_limits() {
        assert_eq!(lens_area(1.0, 1.0, 2.0), 0.0);
        let full = lens_area(1.0, 0.5, 0.2);
        assert!((full - std::f64::consts::PI * 0.25).abs() < 1e-9);
        // Two unit discs one radius apart: 2π/3 − √3/2.
        let v = lens_area(1.0, 1.0, 1.0);
        assert!((v - (2.0 * std::f64::consts::PI / 3.0 - 3f64.sqrt() / 2.0)).abs() < 1e-6);
    }

    #[test]
    fn polyfit_recovers_a_polynomial() {
        let x: Vec<f64> = (0..30).map(|i| i as f64 * 0.1 - 1.5).collect();
        let y: Vec<f64> = x.iter().map(|x| 2.0 - x + 0.5 * x * x * x).collect();
        let c = polyfit(&x, &y, 4).unwrap();
        for (a, b) in c.iter().zip([2.0, -1.0, 0.0, 0.5, 0.0]) {
            assert!((a - b).abs() < 1e-6, "{c:?}");
        }
    }

    #[test]
    fn a_lattice_has_a_spectral_peak_random_points_do_not() {
        let mut grid = Vec::new();
        let mut random = Vec::new();
        for i in 0..30 {
            for j in 0..30 {
                let g = Vec2::new(i as f32 - 14.5, j as f32 - 14.5);
                grid.push(g);
                let r = |s: u32| crate::hash::rand01(5, i * 30 + j, s) - 0.5;
                random.push(Vec2::new(30.0 * r(1), 30.0 * r(2)));
            }
        }
        let (g, r) = (spectrum_peak(&grid, 1.0), spectrum_peak(&random, 1.0));
        assert!(g > 100.0 && r < 20.0, "grid {g}, random {r}");
    }

    #[test]
    fn hue_of_primaries() {
        assert_eq!(hue_deg([1.0, 0.0, 0.0]), 0.0);
        assert_eq!(hue_deg([0.0, 1.0, 0.0]), 120.0);
        assert_eq!(hue_deg([0.0, 0.0, 1.0]), 240.0);
    }
}
