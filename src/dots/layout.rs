//! Everything the generator needs that is decided once per plan on the CPU: which triangles may
//! receive dots (Morton-ordered), their integer area table, the chunking, and the per-chunk GPU
//! parameters. Integer tables make the triangle choice bit-identical on CPU and GPU.
use super::hair_near::TriangleRoots;
use super::{candidate_excess, Deposit, GenParams, HairGrid, CHUNK_CANDIDATES};
use crate::error::{Result, ScalpError};
use crate::hash::{rand_u32, stream};
use crate::head::Mesh;
use crate::zone::Zone;
use glam::Vec3;
use std::sync::Arc;

/// One chunk: a contiguous run of candidate ids over a contiguous run of triangles.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Chunk {
    pub cand_start: u32,
    pub cand_count: u32,
    pub tri_start: u32,
    pub tri_end: u32,
    /// Bounds of the chunk's triangles, mm: chunks whose bounds (grown by the largest spacing)
    /// do not touch cannot constrain each other's dots.
    pub lo: Vec3,
    pub hi: Vec3,
}

impl Chunk {
    /// Whether dots of `self` and `other` can come closer than `reach`.
    pub fn near(&self, other: &Chunk, reach: f32) -> bool {
        (self.lo - other.hi).max_element() <= reach && (other.lo - self.hi).max_element() <= reach
    }
}

#[derive(Clone, Debug)]
pub struct Layout {
    /// Candidate triangles in Morton order: three vertex indices and the original triangle index.
    pub tris: Vec<[u32; 4]>,
    /// Per triangle of `tris`, 1 / the keep intensity its candidates were thrown at
    /// ([`super::intensity`]; 0 where that is 0): a candidate's keep probability is its local
    /// intensity times this.
    pub inv_bound: Vec<f32>,
    /// Inclusive cumulative candidate count of `tris`: triangle t holds candidate ids
    /// `cand_cum[t − 1] .. cand_cum[t]`, a Poisson count with mean K × area × bound.
    pub cand_cum: Vec<u32>,
    pub chunks: Vec<Chunk>,
    /// Per chunk, the triangles (indices into `tris`, ascending, outside the chunk) whose
    /// candidates can reach the chunk's own within the spacing rounds' reach ([`halo_reach`]):
    /// the chunk decides them too, so its own dots come out exactly as if every candidate of
    /// the head were decided at once, and chunks need nothing from each other.
    pub halos: Vec<Vec<u32>>,
    pub total_candidates: u64,
    /// Candidate intensity / the keep intensity it is thinned to (K).
    pub excess: f32,
    /// Area of the candidate triangles, mm².
    pub candidate_area_mm2: f64,
    /// Area inside the hairline boundary, mm².
    pub treated_area_mm2: f64,
    /// Dots the plan asks for: ∫ target density dA.
    pub expected_dots: f64,
    /// Largest exclusion radius = hash-grid cell, mm.
    pub cell_size: f32,
    pub params: Vec<GenParams>,
    /// The client's hair roots, which dots keep clear of (empty without hair).
    pub hair: Arc<HairGrid>,
    /// Those roots listed per triangle of `tris`, for the GPU (with hair and without grid
    /// spacing, which moves candidates off their triangles).
    pub hair_near: Option<Arc<TriangleRoots>>,
    /// Wall time this layout took on the CPU (on every thread), ms: part of generating the
    /// dots, so `scalp bench` counts it.
    pub build_ms: f64,
    /// Wall time of the hair grid it was given, with its keep and spacing factors
    /// (`HairGrid::for_hairs`, as `Treatment::new` measured it; 0 otherwise), ms: also part of
    /// generating the dots.
    pub hair_ms: f64,
}

impl Layout {
    /// The CPU's part of generating the dots, ms: this layout and its hair grid.
    pub fn cpu_ms(&self) -> f64 {
        self.build_ms + self.hair_ms
    }
}

/// Points of a triangle at which the zone is sampled for area and expected-count estimates:
/// the vertices, edge midpoints and the centroid (barycentric weights).
pub(crate) const SAMPLE_POINTS: [[f32; 3]; 7] = [
    [1.0, 0.0, 0.0],
    [0.0, 1.0, 0.0],
    [0.0, 0.0, 1.0],
    [0.5, 0.5, 0.0],
    [0.0, 0.5, 0.5],
    [0.5, 0.0, 0.5],
    [1.0 / 3.0, 1.0 / 3.0, 1.0 / 3.0],
];

fn morton3(x: u32, y: u32, z: u32) -> u32 {
    fn spread(mut v: u32) -> u32 {
        v &= 0x3FF;
        v = (v | (v << 16)) & 0x030000FF;
        v = (v | (v << 8)) & 0x0300F00F;
        v = (v | (v << 4)) & 0x030C30C3;
        (v | (v << 2)) & 0x09249249
    }
    spread(x) | (spread(y) << 1) | (spread(z) << 2)
}

/// Area inside the boundary (mm²) and the dots `zone` asks for on `mesh`: ∫ target density dA.
pub fn treated_area_and_expected(mesh: &Mesh, zone: &Zone) -> (f64, f64) {
    // Per triangle on every thread, summed in order (the same sums whatever the threads).
    let per_tri =
        crate::parallel::map_indices(mesh.triangle_count(), crate::parallel::threads(), |t| {
            let [a, b, c] = mesh.triangle(t);
            let ta = mesh.triangle_area(t) as f64;
            let (mut inside, mut dens) = (0.0f64, 0.0f64);
            for w in SAMPLE_POINTS {
                let p = a * w[0] + b * w[1] + c * w[2];
                let s = zone.sample(p);
                if s.above_mm > 0.0 {
                    inside += 1.0;
                }
                dens += s.density_per_mm2 as f64;
            }
            let n = SAMPLE_POINTS.len() as f64;
            (ta * inside / n, ta * dens / n)
        });
    per_tri
        .iter()
        .fold((0.0, 0.0), |(a, e), (ta, te)| (a + ta, e + te))
}

/// A candidate triangle: its Morton code, three vertex indices and the original triangle index,
/// and its area (mm²).
type CandidateTri = (u32, [u32; 4], f32);

/// The triangles that may receive dots, in Morton order.
fn candidate_triangles(mesh: &Mesh, zone: &Zone) -> Vec<CandidateTri> {
    let (lo, hi) = mesh.bounds();
    let extent = (hi - lo).max(Vec3::splat(1e-3));
    // A triangle may receive dots if any part of it can be above the boundary; the zig-zag
    // is in the table already, so a margin of its own size (longest edge) is enough.
    let candidate = |t: usize| -> Option<CandidateTri> {
        let [a, b, c] = mesh.triangle(t);
        let longest = (b - a).length().max((c - b).length()).max((a - c).length());
        let area = mesh.triangle_area(t);
        if area <= 0.0 || !area.is_finite() {
            return None;
        }
        let reach = SAMPLE_POINTS
            .iter()
            .map(|w| zone.sample(a * w[0] + b * w[1] + c * w[2]).above_mm)
            .fold(f32::NEG_INFINITY, f32::max);
        if reach < -(longest + 1.0) {
            return None;
        }
        let centroid = (a + b + c) / 3.0;
        let q = ((centroid - lo) / extent * 1023.0).clamp(Vec3::ZERO, Vec3::splat(1023.0));
        let code = morton3(q.x as u32, q.y as u32, q.z as u32);
        let i = &mesh.indices[3 * t..3 * t + 3];
        Some((code, [i[0], i[1], i[2], t as u32], area))
    };
    let mut tris: Vec<CandidateTri> =
        crate::parallel::map_indices(mesh.triangle_count(), crate::parallel::threads(), candidate)
            .into_iter()
            .flatten()
            .collect();
    tris.sort_by_key(|(code, tri, _)| (*code, tri[3]));
    tris
}

/// How much existing hair raises the largest keep probability. Hair takes area from the dots;
/// the zones' keep probabilities are raised to make up for it (HairGrid::for_hairs), so the
/// candidates must cover the largest of them. Exactly 1 without hair, which leaves every such
/// plan's dots as they were.
fn hair_boost(zone: &Zone, hair: &HairGrid) -> f32 {
    if hair.is_empty() {
        return 1.0;
    }
    // Scar and custom zones lie over built-in ones: bound them by the largest factor.
    let boosted = zone
        .zones_in_use()
        .iter()
        .map(|&z| {
            let f = if (z as usize) < 5 {
                hair.keep_factor(z)
            } else {
                hair.max_keep_factor()
            };
            zone.zone_density(z) * f
        })
        .fold(0.0f32, f32::max);
    (boosted / zone.max_density()).max(1.0)
}

/// Cuts the Morton-ordered triangles into chunks of at most `chunk_candidates` expected
/// candidates; each chunk's candidate range is proportional to its area.
fn chunk_up(
    mesh: &Mesh,
    tris: &[CandidateTri],
    cand_cum: &[u32],
    chunk_candidates: u32,
) -> Result<Vec<Chunk>> {
    let before = |t: usize| if t == 0 { 0 } else { cand_cum[t - 1] as u64 };
    let mut chunks = Vec::new();
    let mut tri_start = 0usize;
    let budget = (chunk_candidates as u64 * 15) / 16;
    while tri_start < tris.len() {
        let c0 = before(tri_start);
        let mut tri_end = tri_start + 1;
        while tri_end < tris.len() && cand_cum[tri_end] as u64 - c0 <= budget {
            tri_end += 1;
        }
        let c1 = cand_cum[tri_end - 1] as u64;
        if c1 - c0 > chunk_candidates as u64 {
            return Err(ScalpError::TooLarge {
                what: format!(
                    "one triangle of the mesh would take {} dot candidates",
                    c1 - c0
                ),
                needed: c1 - c0,
                allowed: chunk_candidates as u64,
                hint: "subdivide the mesh or ask for fewer dots".into(),
            });
        }
        let (mut lo, mut hi) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));
        for t in &tris[tri_start..tri_end] {
            for &v in &t.1[..3] {
                lo = lo.min(mesh.positions[v as usize]);
                hi = hi.max(mesh.positions[v as usize]);
            }
        }
        chunks.push(Chunk {
            lo,
            hi,
            cand_start: c0 as u32,
            cand_count: (c1 - c0) as u32,
            tri_start: tri_start as u32,
            tri_end: tri_end as u32,
        });
        tri_start = tri_end;
    }
    Ok(chunks)
}

/// Hash-grid cell: the largest exclusion radius, that of the sparsest zone in use (zones
/// without dots, a custom zone of density 0, need no cell).
fn cell_size(zone: &Zone, alpha: f32) -> f32 {
    let min_density = zone
        .zones_in_use()
        .iter()
        .map(|z| zone.zone_density(*z))
        .filter(|d| *d > 0.0)
        .fold(f32::INFINITY, f32::min);
    let min_density = if min_density.is_finite() {
        min_density
    } else {
        zone.max_density().max(1e-6)
    };
    alpha / min_density.sqrt()
}

/// Cumulative session shares as the generation passes take them (the last used one is 1).
fn session_cum(shares: &[f32]) -> [f32; 8] {
    let mut session_cum = [1.0f32; 8];
    let mut c = 0.0;
    for (k, s) in shares.iter().enumerate().take(8) {
        c += s;
        session_cum[k] = c;
    }
    session_cum[shares.len().clamp(1, 8) - 1] = 1.0;
    session_cum
}

/// The generation parameters of `chunk`: the deposit, its errors and the layout's numbers.
fn gen_params(ch: &Chunk, dep: &Deposit, common: &GenParams) -> GenParams {
    GenParams {
        cand_start: ch.cand_start,
        cand_count: ch.cand_count,
        tri_start: ch.tri_start,
        tri_end: ch.tri_end,
        seed: dep.seed,
        depth_mm: dep.depth_mm,
        depth_jitter_mm: dep.depth_jitter_mm,
        diameter_mm: dep.diameter_mm,
        diameter_jitter: dep.diameter_jitter,
        shade: dep.shade,
        lighter_first_steps: dep.lighter_first_steps,
        big_factor: dep.errors.big_factor,
        big_zone_mask: dep.errors.big_zone_mask,
        deep_fraction: dep.errors.deep_fraction,
        deep_depth_mm: dep.errors.deep_depth_mm,
        deep_jitter_mm: dep.errors.deep_jitter_mm,
        shallow_fraction: dep.errors.shallow_fraction,
        shallow_depth_mm: dep.errors.shallow_depth_mm,
        shallow_jitter_mm: dep.errors.shallow_jitter_mm,
        grid_pitch_mm: dep.errors.grid_pitch_mm,
        grid_jitter: dep.errors.grid_jitter,
        patchy: dep.errors.patchy,
        ..*common
    }
}

impl Layout {
    pub fn new(mesh: &Mesh, zone: &Zone, deposit: &Deposit) -> Result<Layout> {
        Self::with_chunk_size(mesh, zone, deposit, CHUNK_CANDIDATES)
    }

    /// As [`Layout::new`] for a client with hair: dots keep clear of `hair`'s roots, and the
    /// candidates are raised by its keep factors so that the density still holds between them.
    pub fn with_hair(
        mesh: &Mesh,
        zone: &Zone,
        deposit: &Deposit,
        hair: Arc<HairGrid>,
    ) -> Result<Layout> {
        Self::build(mesh, zone, deposit, CHUNK_CANDIDATES, hair)
    }

    /// As [`Layout::with_hair`] with chunks of at most `chunk_candidates` candidates (tests of
    /// the chunk borders between the hairs).
    pub fn with_hair_chunked(
        mesh: &Mesh,
        zone: &Zone,
        deposit: &Deposit,
        hair: Arc<HairGrid>,
        chunk_candidates: u32,
    ) -> Result<Layout> {
        Self::build(mesh, zone, deposit, chunk_candidates, hair)
    }

    /// As [`Layout::new`] with chunks of at most `chunk_candidates` candidates (tests use small
    /// chunks to exercise the chunk borders with few dots).
    pub fn with_chunk_size(
        mesh: &Mesh,
        zone: &Zone,
        deposit: &Deposit,
        chunk_candidates: u32,
    ) -> Result<Layout> {
        Self::build(
            mesh,
            zone,
            deposit,
            chunk_candidates,
            Arc::new(HairGrid::empty()),
        )
    }

    fn build(
        mesh: &Mesh,
        zone: &Zone,
        dep: &Deposit,
        chunk_candidates: u32,
        hair: Arc<HairGrid>,
    ) -> Result<Layout> {
        let built = std::time::Instant::now();
        let chunk_candidates = chunk_candidates.clamp(64, CHUNK_CANDIDATES);
        let tris = candidate_triangles(mesh, zone);
        let candidate_area: f64 = tris.iter().map(|t| t.2 as f64).sum();
        let (treated_area, expected) = treated_area_and_expected(mesh, zone);
        if tris.is_empty() || candidate_area <= 0.0 {
            return Err(ScalpError::invalid(
                "plan",
                "the hairline design leaves no treated area on this head \
                 (check hairline.front_above_glabella_mm, side_above_ear_mm and the landmarks)",
            ));
        }
        // Grid spacing needs more candidates, one per lattice node; patchy work room for areas
        // up to 1 + a times denser.
        let excess = if dep.errors.grid_pitch_mm > 0.0 {
            super::GRID_CANDIDATE_EXCESS
        } else {
            candidate_excess(dep.spacing)
        } * (1.0 + dep.errors.patchy);
        let tri_verts: Vec<[u32; 4]> = tris.iter().map(|t| t.1).collect();
        // Grid spacing moves a candidate up to a pitch off its triangle, into zones its
        // triangle's bound may not know: those candidates are all thrown at the head's largest.
        let bounds = if dep.errors.grid_pitch_mm > 0.0 {
            vec![zone.max_density() * hair_boost(zone, &hair); tris.len()]
        } else {
            super::intensity::triangle_bounds(mesh, zone, &hair, &tri_verts)
        };
        let means: Vec<f64> = tris
            .iter()
            .zip(&bounds)
            .map(|(t, &b)| excess as f64 * b as f64 * t.2 as f64)
            .collect();
        // Before drawing (a huge request would draw for long), and after (the draw may exceed
        // its mean).
        fits_ids(means.iter().sum::<f64>().ceil() as u64)?;
        // Each triangle's count of candidates is Poisson with the mean its area asks: together
        // they are a Poisson process on the surface, the candidates `candidate_excess` was
        // calibrated on. An exact share per triangle (tried) is more regular than that at the
        // scale of few candidates per triangle, and raised the yield of 5000 dots by 8%.
        let mut cand_cum = Vec::with_capacity(tris.len());
        let mut acc = 0u64;
        for (t, &e) in means.iter().enumerate() {
            acc += poisson(e, rand_u32(dep.seed, t as u32, stream::TRIANGLE));
            cand_cum.push(acc.min(u32::MAX as u64) as u32);
        }
        let total_drawn = acc;
        // Without hair, K × the dots asked over the candidates thrown is the share that survives
        // the thinning: what the per-triangle bound saves.
        log::debug!(
            "{total_drawn} candidates on {} triangles (K = {excess:.2}); {:.0}% pass the thinning",
            tris.len(),
            100.0 * excess as f64 * expected / total_drawn.max(1) as f64
        );
        fits_ids(total_drawn)?;
        let chunks = chunk_up(mesh, &tris, &cand_cum, chunk_candidates)?;

        let alpha = dep.spacing;
        let cell_size = cell_size(zone, alpha);
        let shares = &dep.session_shares;
        let sessions = shares.len();
        let fraction = dep.errors.patchy_fraction;
        let common = GenParams {
            session_count: shares.len() as u32,
            alpha,
            session_cum: session_cum(shares),
            cell_size,
            patchy_missed: patchy_threshold(mesh, zone, dep.seed, &tris, sessions, fraction),
            ..bytemuck::Zeroable::zeroed()
        };
        let reach = halo_reach(cell_size, dep.errors.grid_pitch_mm);
        let halos: Vec<Vec<u32>> = if chunks.len() > 1 {
            chunks
                .iter()
                .map(|ch| halo_triangles(mesh, &tris, &cand_cum, ch, reach))
                .collect()
        } else {
            vec![Vec::new()]
        };
        let params = chunks
            .iter()
            .zip(&halos)
            .map(|(ch, halo)| {
                let mut p = gen_params(ch, dep, &common);
                let own = (ch.tri_start..ch.tri_end)
                    .filter(|&t| tri_candidates(&cand_cum, t as usize) > 0)
                    .count();
                p.work_count = ch.cand_count
                    + halo
                        .iter()
                        .map(|&t| tri_candidates(&cand_cum, t as usize))
                        .sum::<u32>();
                p.work_tris = (own + halo.len()) as u32;
                p
            })
            .collect();
        let started = std::time::Instant::now();
        // Grid spacing moves candidates off their triangles: the cells then, as the shader's
        // variant is told (`Variant::hair_lists`).
        let grid = dep.errors.grid_pitch_mm > 0.0;
        let hair_near = (!hair.is_empty() && !grid)
            .then(|| Arc::new(TriangleRoots::new(&hair, mesh, &tri_verts)));
        if let Some(near) = &hair_near {
            log::debug!(
                "{} hair roots listed on {} triangles ({} too big for a list) in {:.0?}",
                near.roots.len(),
                tri_verts.len(),
                near.unlisted(),
                started.elapsed()
            );
        }
        log::debug!(
            "layout of {} chunks built in {:.0?}",
            chunks.len(),
            built.elapsed()
        );

        Ok(Layout {
            tris: tri_verts,
            inv_bound: bounds
                .iter()
                .map(|&b| if b > 0.0 { 1.0 / b } else { 0.0 })
                .collect(),
            cand_cum,
            chunks,
            halos,
            total_candidates: total_drawn,
            excess,
            candidate_area_mm2: candidate_area,
            treated_area_mm2: treated_area,
            expected_dots: expected,
            cell_size,
            params,
            hair_near,
            hair,
            build_ms: built.elapsed().as_secs_f64() * 1e3,
            hair_ms: 0.0,
        })
    }
}

impl Layout {
    /// The candidate triangles as the generation shader reads them: three vertex indices and
    /// the bits of the triangle's `inv_bound`.
    pub fn gpu_triangles(&self) -> Vec<[u32; 4]> {
        self.tris
            .iter()
            .zip(&self.inv_bound)
            .map(|(t, b)| [t[0], t[1], t[2], b.to_bits()])
            .collect()
    }
}

/// Refuses `candidates` that 32-bit dot ids cannot number.
fn fits_ids(candidates: u64) -> Result<()> {
    if candidates > u32::MAX as u64 {
        return Err(ScalpError::TooLarge {
            what: format!("{candidates} dot candidates"),
            needed: candidates,
            allowed: u32::MAX as u64,
            hint: "dot ids are 32-bit; ask for fewer dots".into(),
        });
    }
    Ok(())
}

/// Candidates of triangle `t` (index into `Layout::tris`).
pub fn tri_candidates(cand_cum: &[u32], t: usize) -> u32 {
    cand_cum[t] - if t == 0 { 0 } else { cand_cum[t - 1] }
}

/// How far a chunk's decisions reach, mm: a candidate's state after round k depends only on
/// candidates within k exclusion radii of it, so after `SPACING_ROUNDS` rounds, only on those
/// within that many of the largest radius. Grid spacing moves candidates up to a pitch from
/// their triangle.
pub fn halo_reach(cell_size: f32, grid_pitch_mm: f32) -> f32 {
    (super::spacing::ROUNDS as f32 + 1.0) * cell_size * 1.001 + 2.0 * grid_pitch_mm
}

/// The triangles outside `ch` whose candidates can come within `reach` of the chunk's own:
/// those whose bounds, grown by `reach`, touch a voxel (of edge `reach`) that one of the chunk's
/// triangles touches. A superset of what is needed, which is all exactness asks for. Only
/// triangles with candidates are listed.
fn halo_triangles(
    mesh: &Mesh,
    tris: &[CandidateTri],
    cand_cum: &[u32],
    ch: &Chunk,
    reach: f32,
) -> Vec<u32> {
    use std::collections::HashSet;
    let bounds = |t: &CandidateTri| {
        let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[t.1[k] as usize]);
        (a.min(b).min(c), a.max(b).max(c))
    };
    let voxel = |p: Vec3| {
        let v = (p / reach).floor();
        (v.x as i32, v.y as i32, v.z as i32)
    };
    let mut marked: HashSet<(i32, i32, i32)> = HashSet::new();
    for t in &tris[ch.tri_start as usize..ch.tri_end as usize] {
        let (lo, hi) = bounds(t);
        let (a, b) = (voxel(lo), voxel(hi));
        for x in a.0..=b.0 {
            for y in a.1..=b.1 {
                for z in a.2..=b.2 {
                    marked.insert((x, y, z));
                }
            }
        }
    }
    let grown_lo = ch.lo - Vec3::splat(2.0 * reach);
    let grown_hi = ch.hi + Vec3::splat(2.0 * reach);
    let mut halo = Vec::new();
    'tri: for (k, t) in tris.iter().enumerate() {
        if (ch.tri_start as usize..ch.tri_end as usize).contains(&k)
            || tri_candidates(cand_cum, k) == 0
        {
            continue;
        }
        let (lo, hi) = bounds(t);
        if (lo - grown_hi).max_element() > 0.0 || (grown_lo - hi).max_element() > 0.0 {
            continue;
        }
        let (a, b) = (
            voxel(lo - Vec3::splat(reach)),
            voxel(hi + Vec3::splat(reach)),
        );
        for x in a.0..=b.0 {
            for y in a.1..=b.1 {
                for z in a.2..=b.2 {
                    if marked.contains(&(x, y, z)) {
                        halo.push(k as u32);
                        continue 'tri;
                    }
                }
            }
        }
    }
    halo
}

/// Patchy density: the level of the sessions' noise fields below which a session missed the
/// area, chosen so that each session misses `fraction` of the treated area (area-weighted
/// quantile over the treated triangles and the sessions). Decided once on the CPU, so CPU and
/// GPU use the same number.
fn patchy_threshold(
    mesh: &Mesh,
    zone: &Zone,
    seed: u32,
    tris: &[CandidateTri],
    sessions: usize,
    fraction: f32,
) -> f32 {
    if fraction <= 0.0 {
        return 0.0; // the fields are never below 0: nothing missed
    }
    if fraction >= 1.0 {
        return 2.0;
    }
    let mut values: Vec<(f32, f32)> = Vec::new();
    for (_, t, area) in tris {
        let c = (mesh.positions[t[0] as usize]
            + mesh.positions[t[1] as usize]
            + mesh.positions[t[2] as usize])
            / 3.0;
        if zone.sample(c).above_mm <= 0.0 {
            continue;
        }
        for k in 0..sessions.max(1) as u32 {
            values.push((super::patchy::patchy_field(seed, k, c), *area));
        }
    }
    if values.is_empty() {
        return 0.0;
    }
    values.sort_by(|a, b| a.0.total_cmp(&b.0));
    let total: f32 = values.iter().map(|v| v.1).sum();
    let mut acc = 0.0;
    for (v, a) in &values {
        acc += a;
        if acc >= fraction * total {
            return *v;
        }
    }
    2.0
}

/// A Poisson(`mean`) count drawn from `key`: the inverse CDF in pieces of mean at most 32 (a
/// sum of independent Poisson counts is Poisson, and e^−mean stays far from underflow), the
/// uniforms from a SplitMix64 stream seeded by `key`.
pub fn poisson(mean: f64, key: u32) -> u64 {
    if mean <= 0.0 || !mean.is_finite() {
        return 0;
    }
    let mut state = key as u64 ^ 0x9E37_79B9_7F4A_7C15;
    let mut uniform = || {
        state = state.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = state;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        ((z ^ (z >> 31)) >> 11) as f64 / (1u64 << 53) as f64
    };
    let pieces = (mean / 32.0).ceil().max(1.0);
    let m = mean / pieces;
    let mut total = 0u64;
    for _ in 0..pieces as u64 {
        let u = uniform();
        let mut k = 0u64;
        let mut p = (-m).exp();
        let mut cdf = p;
        // The tail past 400 has probability below 1e-200 at a mean of 32.
        while u > cdf && k < 400 {
            k += 1;
            p *= m / k as f64;
            cdf += p;
        }
        total += k;
    }
    total
}

#[cfg(test)]
mod tests {
    use super::poisson;

    #[test]
    fn poisson_counts_have_the_mean_and_variance_of_their_mean() {
        for mean in [0.3f64, 4.0, 31.0, 250.0, 5000.0] {
            let n = 20_000u32;
            let xs: Vec<f64> = (0..n)
                .map(|k| poisson(mean, crate::hash::rand_u32(7, k, 0)) as f64)
                .collect();
            let m = xs.iter().sum::<f64>() / n as f64;
            let v = xs.iter().map(|x| (x - m) * (x - m)).sum::<f64>() / (n - 1) as f64;
            // Standard error of the mean √(mean/n); of the variance ≈ mean·√(2/n).
            assert!(
                (m - mean).abs() < 5.0 * (mean / n as f64).sqrt(),
                "mean {mean}: {m}"
            );
            assert!((v - mean).abs() < 0.06 * mean, "mean {mean}: variance {v}");
        }
        assert_eq!(poisson(0.0, 1), 0);
    }
}
