//! Sun exposure of the scalp: each point's yearly UV dose from the sky and the sun at a chosen
//! latitude, shadowed by the head itself, times the client's habits (DESIGN.md "Fading", UV).
//!
//! The dose of a vertex is relative: 1.0 is what an unshadowed horizontal (face-up) surface
//! receives in a year at [`REFERENCE_LATITUDE_DEG`] with [`REFERENCE_HOURS_OUTDOORS`] a day
//! outdoors, no hat and no sunscreen (the [`ExposureSettings`] defaults). So the top of the head
//! is close to 1 under the defaults; an unshadowed vertical surface gets 0.45 at 51.5° N (it
//! sees half the sky and the sun at a slant; since the client faces every way over a year, every
//! vertical surface gets the same), the nape under the occipital bulge ~0.3.
//!
//! The model, in three factors:
//! - **Climate** (clear sky): the erythemally weighted irradiance on a horizontal plane is
//!   `G(μ) = μ^2.5` with μ the cosine of the solar zenith angle ([`UV_ZENITH_EXPONENT`]); a fixed
//!   share of it ([`DIFFUSE_FRACTION`]) comes from an isotropic sky, the rest straight from the
//!   sun (direct + circumsolar, a beam of normal irradiance `(1 − f)·μ^1.5`). The year is summed
//!   over [`DAYS_PER_YEAR_SAMPLED`] days × 24 hourly sun positions at the given latitude; the sun
//!   only counts above the horizon. Clouds, ozone and altitude are not modelled (clear sky, the
//!   same atmosphere everywhere: the thicker ozone of high latitudes would widen the latitude
//!   contrast a little). Ground reflection is ignored: grass, soil and asphalt reflect 2–10% of
//!   UV, and it would only reach downward-facing skin, mostly the neck, not the scalp (sand and
//!   snow reflect far more; a beach or ski holiday is not a yearly habit here).
//! - **Geometry**: the client's head is upright and faces every compass direction equally over
//!   the year, so the sun's annual path is spread evenly in azimuth and only its elevation
//!   matters. The sky hemisphere is cut into [`RINGS`] elevation rings of equal height, each
//!   with a number of azimuths proportional to its circumference; each such direction carries
//!   its share of the isotropic sky (its solid angle) and of the sun (the annual direct dose
//!   whose sun elevation falls in the ring). A vertex receives `Σ w_d · max(0, n·d)` over the
//!   directions `d` it can see: a direction is blocked when a ray from the vertex (moved
//!   [`RAY_OFFSET_MM`] along its normal) toward it hits the mesh. Directions are all above the
//!   horizon, so nothing comes from below. The ray casting uses a bounding volume hierarchy
//!   ([`TriangleBvh`]) and is done once per mesh ([`SkyVisibility`]); every latitude after that
//!   is a weighted sum of [`RINGS`] numbers per vertex.
//! - **Habits** ([`habits_factor`]): hours outdoors, hat, sunscreen. Outdoor hours are taken to
//!   fall over the day like the day's UV does (no "only at noon" or "only evenings").
use crate::head::Mesh;
use glam::Vec3;
use serde::{Deserialize, Serialize};

/// The client's sun habits and where they live (plan section `[exposure]`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ExposureSettings {
    /// Latitude of where the client lives, degrees (north positive).
    pub latitude_deg: f32,
    /// Hours a day spent outdoors in daylight, averaged over the year.
    pub hours_outdoors_per_day: f32,
    /// Fraction of the outdoor time with a hat or cap on.
    pub hat: f32,
    /// Sun protection factor of the sunscreen used on the scalp (1: none).
    pub spf: f32,
    /// Fraction of the outdoor time with sunscreen on the scalp.
    pub sunscreen: f32,
}

impl Default for ExposureSettings {
    fn default() -> Self {
        ExposureSettings {
            latitude_deg: 51.5,
            hours_outdoors_per_day: 1.5,
            hat: 0.0,
            spf: 1.0,
            sunscreen: 0.0,
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Constants
// ---------------------------------------------------------------------------------------------

/// Latitude at which a dose of 1.0 is defined: London (51.5° N), the default client's home.
pub const REFERENCE_LATITUDE_DEG: f32 = 51.5;
/// Hours outdoors a day at which a dose of 1.0 is defined: the [`ExposureSettings`] default,
/// an indoor worker's daily time outside (commute, lunch, weekends averaged over the week).
pub const REFERENCE_HOURS_OUTDOORS: f32 = 1.5;
/// Share of the scalp's UV a hat or cap blocks while worn: ~90% over the scalp as a whole. The
/// fabric itself blocks more (a UPF of 15–50 lets through 1/15–1/50), but sky light still
/// reaches the skin along the band and below the brim, so we stay below the fabric's figure.
pub const HAT_BLOCK: f32 = 0.9;
/// Most hours a day outdoors in daylight that make sense (the habits factor clamps to it).
const MAX_HOURS_OUTDOORS: f32 = 24.0;
/// Exponent of the cosine of the solar zenith angle in the clear-sky erythemal irradiance on a
/// horizontal plane. Madronich (2007, "Analytic formula for the clear-sky UV index", Photochem.
/// Photobiol. 83) fits UVI = 12.5·μ^2.42·(Ω/300)^−1.23 for the global (direct + diffuse) UV
/// index. We round up to 2.5, the slightly steeper choice: low sun (winter, high latitudes,
/// mornings) counts a touch less. The annual dose at 25° N then is 1.9× and at 65° N 0.60× that
/// at 51.5° N. Only ratios matter here, so the 12.5 (and the ozone column Ω, taken equal
/// everywhere) drop out.
pub const UV_ZENITH_EXPONENT: f64 = 2.5;
/// Share of the horizontal erythemal irradiance that comes from the (isotropic) sky rather than
/// straight from the sun. At mid-latitudes it is commonly put at 40–50% under a clear sky with
/// a high sun, and it rises as the sun gets lower; shadow-band measurements of erythemal UV at
/// Valencia found ~62% on clear days (Utrillas et al. 2007, JGR 112, doi:10.1029/2007JD008846).
/// We keep the share constant over the sun's elevation and take the upper end of 40–50%, 0.5:
/// a constant share under-counts the sky at low sun, and the measurements lie above the range.
pub const DIFFUSE_FRACTION: f64 = 0.5;
/// Days sampled over the year (evenly, at the middle of each 1/24 of the year): the seasonal
/// swing of the declination is a sine, and 24 samples give the annual horizontal dose within
/// 0.001% of 365 days (checked at 0°, 25°, 51.5° and 65°).
pub const DAYS_PER_YEAR_SAMPLED: usize = 24;
/// Sun positions per sampled day: one per hour, at the middle of each hour (hour angle
/// 15°·(h + ½ − 12)); against 5-minute steps the annual dose differs by less than 0.01%.
pub const HOURS_PER_DAY_SAMPLED: usize = 24;
/// Obliquity of the ecliptic, degrees: the amplitude of the solar declination over the year.
pub const OBLIQUITY_DEG: f64 = 23.44;
/// Day of the year of the March equinox (22 March = day 81 counted from 0 on 1 January), the
/// zero of the declination in the usual approximation δ = 23.44°·sin(2π(d − 81)/365).
const EQUINOX_DAY: f64 = 81.0;
/// Days of the calendar year the sun's declination formula counts (365, as in δ above). Not
/// `ageing::DAYS_PER_YEAR` (365.25, the mean year the fading clock converts days with): this
/// one sets where the sun stands on a sampled day, and changing it would change every exposure.
const CALENDAR_DAYS: f64 = 365.0;
/// Elevation rings the sky hemisphere is cut into (each 90°/RINGS = 10° high). Ten degrees is
/// fine enough for the sun (its azimuth-averaged light on a tilted surface changes smoothly
/// with elevation, so each ring's sun can sit at the ring's middle) and for the sky, whose
/// shadows (ears, chin) span tens of degrees. Checked against 30 rings × 96 azimuths on the
/// built-in head: the per-vertex difference is 0.3% of the top's dose RMS, under 1% for 99% of
/// vertices and at most 3% (4% at 65°), at shadow edges.
pub const RINGS: usize = 9;
/// Azimuths of the widest (lowest) ring; a ring at elevation e gets this × cos(e), at least
/// [`MIN_AZIMUTHS`]. 32 samples 11° apart resolve the shadow of an ear seen from above the
/// ear; 187 directions in all, about half of them facing any one vertex, which is within the
/// 64–128 rays per point that ambient-occlusion-like estimates need for a smooth result.
pub const MAX_AZIMUTHS: usize = 32;
/// Fewest azimuths of a ring (the top ring around the zenith).
pub const MIN_AZIMUTHS: usize = 6;
/// How far a shadow ray starts off the surface along the vertex normal, mm: the built-in
/// head's triangles are ~1.5 mm across, so 0.5 mm clears the faces around the vertex (tilted a
/// few degrees against the smooth vertex normal) and is far less than any real occluder's
/// distance (the gap behind an ear is several mm). Open convex skin (the crown) comes out
/// unshadowed to within 0.5% (tested).
pub const RAY_OFFSET_MM: f32 = 0.5;

// ---------------------------------------------------------------------------------------------
// Habits
// ---------------------------------------------------------------------------------------------

/// `v` when finite, else `default`, clamped to `[lo, hi]`.
fn sane(v: f32, lo: f32, hi: f32, default: f32) -> f32 {
    if v.is_finite() {
        v.clamp(lo, hi)
    } else {
        default
    }
}

/// The factor the client's habits put on the geometric dose:
/// `hours / 1.5 × (1 − 0.9·hat) × (1 − sunscreen·(1 − 1/spf))`.
/// A hat blocks [`HAT_BLOCK`] of the scalp's UV while worn; a sunscreen of factor SPF lets
/// through 1/SPF of the erythemal UV (SPF 30: ~97% blocked) while on. Hours are clamped to
/// 0–24, `hat` and `sunscreen` to 0–1, SPF to at least 1; non-finite values take the defaults.
pub fn habits_factor(settings: &ExposureSettings) -> f32 {
    let d = ExposureSettings::default();
    let hours = sane(
        settings.hours_outdoors_per_day,
        0.0,
        MAX_HOURS_OUTDOORS,
        d.hours_outdoors_per_day,
    );
    let hat = sane(settings.hat, 0.0, 1.0, d.hat);
    let spf = sane(settings.spf, 1.0, f32::MAX, d.spf);
    let sunscreen = sane(settings.sunscreen, 0.0, 1.0, d.sunscreen);
    hours / REFERENCE_HOURS_OUTDOORS
        * (1.0 - HAT_BLOCK * hat)
        * (1.0 - sunscreen * (1.0 - 1.0 / spf))
}

/// Relative yearly UV dose of every vertex (one value per vertex, ≥ 0): the geometric factor at
/// the settings' latitude times [`habits_factor`]. 1.0 is an unshadowed horizontal surface at
/// 51.5° N with the default habits (see the module docs).
pub fn vertex_exposure(mesh: &Mesh, settings: &ExposureSettings) -> Vec<f32> {
    SkyVisibility::new(mesh).exposure(settings)
}

/// Per-vertex dose before habits: sky and sun at `latitude_deg`, shadowed by the mesh itself,
/// relative to an unshadowed horizontal surface at [`REFERENCE_LATITUDE_DEG`]. At other
/// latitudes it includes the change of the annual clear-sky UV climate.
pub fn geometric_exposure(mesh: &Mesh, latitude_deg: f32) -> Vec<f32> {
    SkyVisibility::new(mesh).geometric(latitude_deg)
}

// ---------------------------------------------------------------------------------------------
// Climate
// ---------------------------------------------------------------------------------------------

/// Height of one elevation ring, radians.
fn ring_height() -> f64 {
    std::f64::consts::FRAC_PI_2 / RINGS as f64
}

/// Elevation of the middle of ring `r`, radians.
fn ring_elevation(r: usize) -> f64 {
    (r as f64 + 0.5) * ring_height()
}

/// Azimuths in ring `r`.
fn ring_azimuths(r: usize) -> usize {
    ((MAX_AZIMUTHS as f64 * ring_elevation(r).cos()).round() as usize).max(MIN_AZIMUTHS)
}

/// The clear-sky UV climate of a latitude, in arbitrary units shared by all latitudes
/// (μ^2.5 × days): the annual diffuse dose on a horizontal plane, and the annual direct dose on
/// a horizontal plane split by the ring the sun's elevation falls in.
#[derive(Clone, Copy, Debug)]
struct Climate {
    sky: f64,
    sun: [f64; RINGS],
}

impl Climate {
    fn new(latitude_deg: f32) -> Climate {
        let lat = f64::from(sane(latitude_deg, -90.0, 90.0, REFERENCE_LATITUDE_DEG)).to_radians();
        let (sin_lat, cos_lat) = lat.sin_cos();
        // Each sample stands for this many days × one hour.
        let weight = CALENDAR_DAYS / DAYS_PER_YEAR_SAMPLED as f64;
        let mut c = Climate {
            sky: 0.0,
            sun: [0.0; RINGS],
        };
        for k in 0..DAYS_PER_YEAR_SAMPLED {
            let day = (k as f64 + 0.5) * CALENDAR_DAYS / DAYS_PER_YEAR_SAMPLED as f64;
            let decl = OBLIQUITY_DEG.to_radians()
                * (std::f64::consts::TAU * (day - EQUINOX_DAY) / CALENDAR_DAYS).sin();
            let (sin_d, cos_d) = decl.sin_cos();
            for h in 0..HOURS_PER_DAY_SAMPLED {
                let hours_from_noon = (h as f64 + 0.5) * 24.0 / HOURS_PER_DAY_SAMPLED as f64 - 12.0;
                let hour_angle = (15.0 * hours_from_noon).to_radians();
                let mu = sin_lat * sin_d + cos_lat * cos_d * hour_angle.cos();
                if mu <= 0.0 {
                    continue; // the sun is below the horizon
                }
                let g = weight * mu.powf(UV_ZENITH_EXPONENT);
                c.sky += DIFFUSE_FRACTION * g;
                let ring = ((mu.clamp(0.0, 1.0).asin() / ring_height()) as usize).min(RINGS - 1);
                c.sun[ring] += (1.0 - DIFFUSE_FRACTION) * g;
            }
        }
        c
    }

    fn horizontal(&self) -> f64 {
        self.sky + self.sun.iter().sum::<f64>()
    }
}

/// The fixed sky directions: ring by ring, evenly spaced in azimuth (odd rings offset by half a
/// step so no two rings line up). Unit vectors, +Y up.
fn sky_directions() -> Vec<(usize, Vec3)> {
    let mut dirs = Vec::new();
    for r in 0..RINGS {
        let n = ring_azimuths(r);
        let (sin_e, cos_e) = ring_elevation(r).sin_cos();
        for k in 0..n {
            let az = std::f64::consts::TAU * (k as f64 + 0.5 * (r % 2) as f64) / n as f64;
            let (s, c) = az.sin_cos();
            dirs.push((
                r,
                Vec3::new((cos_e * c) as f32, sin_e as f32, (cos_e * s) as f32),
            ));
        }
    }
    dirs
}

/// Weight of one direction of each ring at a latitude: its share of the isotropic sky (its solid
/// angle, scaled so the unshadowed horizontal plane gets exactly the climate's sky dose) plus
/// its share of the ring's direct sun (the ring's horizontal direct dose spread over its
/// azimuths, divided by the sine of the ring's elevation so that the horizontal plane gets it
/// exactly), relative to the horizontal total at the reference latitude.
fn ring_weights(latitude_deg: f32) -> [f64; RINGS] {
    let climate = Climate::new(latitude_deg);
    let reference = Climate::new(REFERENCE_LATITUDE_DEG).horizontal();
    let h = ring_height();
    // Solid angle of one direction's cell in ring r, and the sky's discrete horizontal sum.
    let cell = |r: usize| {
        let lo = r as f64 * h;
        std::f64::consts::TAU / ring_azimuths(r) as f64 * ((lo + h).sin() - lo.sin())
    };
    let sky_norm: f64 = (0..RINGS)
        .map(|r| ring_azimuths(r) as f64 * cell(r) * ring_elevation(r).sin())
        .sum();
    let mut w = [0.0; RINGS];
    for (r, w) in w.iter_mut().enumerate() {
        let sky = climate.sky * cell(r) / sky_norm;
        let sun = climate.sun[r] / (ring_azimuths(r) as f64 * ring_elevation(r).sin());
        *w = (sky + sun) / reference;
    }
    w
}

// ---------------------------------------------------------------------------------------------
// Sky visibility (the ray casting, once per mesh)
// ---------------------------------------------------------------------------------------------

/// What each vertex sees of the sky, ring by ring: for ring r, `Σ max(0, n·d)` over the ring's
/// directions d that are not blocked by the mesh. Independent of latitude and habits, so a
/// mesh is ray cast once and any settings after that cost a few multiplications per vertex.
#[derive(Clone, Debug, PartialEq)]
pub struct SkyVisibility {
    pub per_ring: Vec<[f32; RINGS]>,
}

impl SkyVisibility {
    /// Casts the shadow rays of every vertex of `mesh`, on as many threads as the machine
    /// offers (see [`crate::parallel`]); the result does not depend on the number of threads.
    pub fn new(mesh: &Mesh) -> Self {
        Self::with_threads(mesh, crate::parallel::threads())
    }

    /// As [`SkyVisibility::new`] on at most `threads` threads (at least one): every vertex ray
    /// cast ([`SkyVisibility::full`]) up to [`FULL_CAST_MAX_TRIANGLES`], sampled vertices
    /// interpolated ([`SkyVisibility::sampled`]) above.
    pub fn with_threads(mesh: &Mesh, threads: usize) -> Self {
        if mesh.triangle_count() > FULL_CAST_MAX_TRIANGLES {
            Self::sampled(mesh, threads)
        } else {
            Self::full(mesh, threads)
        }
    }

    /// The shadow rays of every vertex, cast on at most `threads` threads.
    pub fn full(mesh: &Mesh, threads: usize) -> Self {
        let start = std::time::Instant::now();
        let bvh = TriangleBvh::new(mesh);
        let dirs = sky_directions();
        let per_ring = crate::parallel::map_indices(mesh.positions.len(), threads, |v| {
            vertex_visibility(mesh, &bvh, &dirs, v)
        });
        log::debug!(
            "sky visibility of {} vertices ({} triangles, {} directions) in {:.2?} on {} threads",
            mesh.positions.len(),
            mesh.triangle_count(),
            dirs.len(),
            start.elapsed(),
            threads
        );
        SkyVisibility { per_ring }
    }

    /// Per-vertex dose before habits at `latitude_deg` (see [`geometric_exposure`]).
    pub fn geometric(&self, latitude_deg: f32) -> Vec<f32> {
        let w = ring_weights(latitude_deg);
        self.per_ring
            .iter()
            .map(|p| {
                let e: f64 = p.iter().zip(&w).map(|(&p, &w)| f64::from(p) * w).sum();
                e.max(0.0) as f32
            })
            .collect()
    }

    /// Per-vertex dose with habits (see [`vertex_exposure`]).
    pub fn exposure(&self, settings: &ExposureSettings) -> Vec<f32> {
        let habits = habits_factor(settings);
        let mut e = self.geometric(settings.latitude_deg);
        for v in &mut e {
            *v *= habits;
        }
        e
    }
}

// ---------------------------------------------------------------------------------------------
// Sampled sky visibility (big meshes)
// ---------------------------------------------------------------------------------------------

/// Meshes with more triangles than this get their sky visibility from sampled vertices
/// ([`SkyVisibility::sampled`]); up to it every vertex is ray cast. 300 k is three times the
/// built-in head: below it the full cast is a few seconds and exact. Above it the sampled
/// path's ray casting follows the head's area, not the scan's density (on a 1.6 M-triangle
/// scan 6.3 CPU-seconds in all with a single 4 mm coarse round: 2.4 M rays, 2.0 M of them the
/// coarse round's, then blending every vertex took about as long as the rays; the 8 mm round
/// before it of [`ROUND_CELLS_MM`] cut that to 1.4 M rays; the full cast took 64.9 s under a
/// load of 8).
pub const FULL_CAST_MAX_TRIANGLES: usize = 300_000;
/// Size, mm, of the grid cells the sampled path picks one vertex from (per cell and normal
/// direction). Sky visibility changes over tens of millimetres (ears, chin, occiput), its
/// shadow edges are blurred by the 10° rings anyway, so 2 mm resolves it; it makes ~30 k
/// samples on a head, whatever the scan's density.
pub const SAMPLE_CELL_MM: f32 = 2.0;
/// Cell sizes, mm, of the coarse rounds of the sampled path, coarsest first: one sample per
/// cell and normal direction of the first round casts every direction it needs; a sample of a
/// later round (and at last every other sample) casts only the directions on which the samples
/// of the rounds before within [`ROUND_REACH`] × the last round's spacing (normals within
/// [`SAMPLE_NORMAL_COS`]) disagree or are fewer than two. Over open skin every coarse sample
/// agrees on every direction, so only shadow edges are cast at the finer spacings. A third,
/// 16 mm round saved another 16% of the rays but let the 99th percentile error grow past that
/// of the single 4 mm round (big scan 1.83% of the mean against 1.81%).
pub const ROUND_CELLS_MM: [f32; 2] = [4.0 * SAMPLE_CELL_MM, 2.0 * SAMPLE_CELL_MM];
/// How far a later round's sample looks for earlier samples, in units of the last round's
/// spacing. 1.5 rather than 1: more neighbours to disagree catch shadow edges the sparser
/// 8 mm round would miss (at 1.0 the big scan's 99th percentile error grew from 1.81% to
/// 1.89% of the mean; at 1.5 it is 1.78%, for 30% more rays than at 1.0).
const ROUND_REACH: f32 = 1.5;
/// A sample also casts toward directions up to this far below its own horizon (cosine): the
/// vertices that borrow from it have normals up to [`SAMPLE_NORMAL_COS`] away from its own.
const SAMPLE_HORIZON_SLACK: f32 = 0.45;
/// A vertex borrows the visibility of samples whose normals are within acos(0.8) = 37° of its
/// own (weighted down toward that limit): samples on the other side of an ear or of a fold
/// see another sky.
const SAMPLE_NORMAL_COS: f32 = 0.8;
/// Words of the per-direction bit masks (64 directions each).
const MASK_WORDS: usize = 3;

type Mask = [u64; MASK_WORDS];

/// Grid cell of a point, packed into one key (20 bits an axis, ±half a million cells; the top
/// bits stay free for [`group_key`]'s normal direction).
fn cell_key(c: glam::IVec3) -> u64 {
    let f = |x: i32| (i64::from(x) + (1 << 19)) as u64 & 0xf_ffff;
    f(c.x) << 40 | f(c.y) << 20 | f(c.z)
}

/// The entries of `by_cell` (sorted by cell key) in the 27 cells around cell `c`, cell by
/// cell in a fixed order.
fn around_cell(by_cell: &[(u64, u32)], c: glam::IVec3) -> impl Iterator<Item = u32> + '_ {
    (-1..=1).flat_map(move |dx| {
        (-1..=1).flat_map(move |dy| {
            (-1..=1).flat_map(move |dz| {
                let key = cell_key(c + glam::IVec3::new(dx, dy, dz));
                let first = by_cell.partition_point(|b| b.0 < key);
                by_cell[first..]
                    .iter()
                    .take_while(move |b| b.0 == key)
                    .map(|b| b.1)
            })
        })
    })
}

fn cell_of(p: Vec3) -> glam::IVec3 {
    (p / SAMPLE_CELL_MM).floor().as_ivec3()
}

fn unit_normal(mesh: &Mesh, i: usize) -> Vec3 {
    mesh.normals
        .get(i)
        .and_then(|n| n.try_normalize())
        .unwrap_or(Vec3::Y)
}

/// Key of a point's grid cell (of size `cell_mm`) and the main axis and side of its normal:
/// vertices on the two sides of a thin part (an ear) fall in different groups.
fn group_key(p: Vec3, nm: Vec3, cell_mm: f32) -> u64 {
    let a = nm.abs();
    let axis = if a.x >= a.y && a.x >= a.z {
        0
    } else if a.y >= a.z {
        1
    } else {
        2
    };
    let side = u64::from(nm[axis] < 0.0);
    cell_key((p / cell_mm).floor().as_ivec3()) * 8 + axis as u64 * 2 + side
}

/// Size, mm, of the vertex-clustering cells of the occluder proxy the sampled path casts its
/// rays against. Each cluster's vertex is the mean of its vertices, so the proxy keeps to the
/// surface within the sag of a 1.5 mm chord (~0.01 mm on the scalp, ~0.1 mm on an ear's rim),
/// well inside [`RAY_OFFSET_MM`]; what it loses is detail far finer than the 10° rings.
pub const OCCLUDER_CELL_MM: f32 = 1.5;

/// A coarse stand-in for `mesh` as an occluder, by vertex clustering: one vertex per
/// [`OCCLUDER_CELL_MM`] cell and normal direction (the mean of the cluster), and the triangles
/// whose three corners fall in three different clusters, each once. Returns the proxy (no
/// normals) and its triangle count.
fn occluder_proxy(mesh: &Mesh) -> (Mesh, usize) {
    let nv = mesh.positions.len();
    let mut keyed: Vec<(u64, u32)> = (0..nv)
        .filter(|&i| mesh.positions[i].is_finite())
        .map(|i| {
            let key = group_key(mesh.positions[i], unit_normal(mesh, i), OCCLUDER_CELL_MM);
            (key, i as u32)
        })
        .collect();
    keyed.sort_unstable();
    let mut cluster = vec![u32::MAX; nv];
    let mut positions: Vec<Vec3> = Vec::new();
    let mut s = 0;
    while s < keyed.len() {
        let mut e = s;
        let mut sum = glam::DVec3::ZERO;
        while e < keyed.len() && keyed[e].0 == keyed[s].0 {
            sum += mesh.positions[keyed[e].1 as usize].as_dvec3();
            cluster[keyed[e].1 as usize] = positions.len() as u32;
            e += 1;
        }
        positions.push((sum / (e - s) as f64).as_vec3());
        s = e;
    }
    let mut tris: Vec<[u32; 3]> = mesh
        .indices
        .chunks_exact(3)
        .filter_map(|t| {
            let c =
                [t[0], t[1], t[2]].map(|i| cluster.get(i as usize).copied().unwrap_or(u32::MAX));
            let distinct = c[0] != c[1] && c[1] != c[2] && c[0] != c[2];
            if !distinct || c.contains(&u32::MAX) {
                return None;
            }
            // The same triangle from any corner: start at the smallest (orientation kept).
            let r = (0..3).min_by_key(|&k| c[k]).unwrap_or(0);
            Some([c[r], c[(r + 1) % 3], c[(r + 2) % 3]])
        })
        .collect();
    tris.sort_unstable();
    tris.dedup();
    let count = tris.len();
    let proxy = Mesh {
        positions,
        normals: Vec::new(),
        indices: tris.into_iter().flatten().collect(),
    };
    (proxy, count)
}

/// The visible, cosine-weighted sky of a point with unit normal `nm` against `bvh`, ring by
/// ring (as [`vertex_visibility`]).
fn proxy_visibility(bvh: &TriangleBvh, dirs: &[(usize, Vec3)], p: Vec3, nm: Vec3) -> [f32; RINGS] {
    let mut acc = [0.0f32; RINGS];
    let origin = p + RAY_OFFSET_MM * nm;
    for &(r, d) in dirs {
        let c = nm.dot(d);
        if c > 0.0 && !bvh.occluded(origin, d, f32::INFINITY) {
            acc[r] += c;
        }
    }
    acc
}

impl SkyVisibility {
    /// Sky visibility from a sample of the vertices, for big meshes: one vertex per
    /// [`SAMPLE_CELL_MM`] grid cell and main normal direction (the one nearest the group's
    /// centroid) casts its rays against a coarse stand-in of the mesh ([`occluder_proxy`]) and
    /// keeps, per sky direction, whether it is blocked. Every vertex then takes, per direction, the weighted share of unblocked
    /// samples around it (within one cell, normals within [`SAMPLE_NORMAL_COS`] of its own,
    /// weights falling smoothly with distance and normal difference) and sums it with its own
    /// normal's cosine, as the full cast does. A vertex without samples for some direction it
    /// faces is ray cast itself (against the proxy). The result does not depend on the number
    /// of threads.
    pub fn sampled(mesh: &Mesh, threads: usize) -> Self {
        let start = std::time::Instant::now();
        let dirs = sky_directions();
        if dirs.len() > 64 * MASK_WORDS {
            return Self::full(mesh, threads); // not with today's rings; kept safe
        }
        let (proxy, proxy_triangles) = occluder_proxy(mesh);
        let bvh = TriangleBvh::new(&proxy);
        let built = start.elapsed();
        let n = mesh.positions.len();
        // Groups: (cell, main axis of the normal), vertices sorted by group.
        let mut grouped: Vec<(u64, u32)> = (0..n)
            .filter(|&i| mesh.positions[i].is_finite())
            .map(|i| {
                let key = group_key(mesh.positions[i], unit_normal(mesh, i), SAMPLE_CELL_MM);
                (key, i as u32)
            })
            .collect();
        grouped.sort_unstable();
        let mut samples: Vec<u32> = Vec::new();
        // The vertices of each sample cell (all normal directions): ranges of `grouped`.
        let mut cells: Vec<(usize, usize)> = Vec::new();
        let mut s = 0;
        while s < grouped.len() {
            let mut e = s;
            let mut sum = Vec3::ZERO;
            while e < grouped.len() && grouped[e].0 == grouped[s].0 {
                sum += mesh.positions[grouped[e].1 as usize];
                e += 1;
            }
            let centre = sum / (e - s) as f32;
            let pick = grouped[s..e]
                .iter()
                .map(|g| g.1)
                .min_by(|&a, &b| {
                    let da = mesh.positions[a as usize].distance_squared(centre);
                    let db = mesh.positions[b as usize].distance_squared(centre);
                    da.total_cmp(&db).then(a.cmp(&b))
                })
                .unwrap_or(grouped[s].1);
            samples.push(pick);
            match cells.last_mut() {
                Some(c) if grouped[c.0].0 / 8 == grouped[s].0 / 8 => c.1 = e,
                _ => cells.push((s, e)),
            }
            s = e;
        }
        // Each sample's rays, against the proxy: which directions it cast, which are open.
        // In rounds, coarse to fine ([`ROUND_CELLS_MM`], then every sample): the first round's
        // samples cast every direction they need; a later round's sample takes a direction from
        // the samples of the rounds before within the last round's spacing where at least two
        // of them cast it and all agree, and casts only where they disagree (shadow edges) or
        // are too few.
        let needed = |i: usize| -> Mask {
            let nm = unit_normal(mesh, i);
            let mut tried = [0u64; MASK_WORDS];
            for (j, &(_, d)) in dirs.iter().enumerate() {
                if nm.dot(d) > -SAMPLE_HORIZON_SLACK {
                    tried[j / 64] |= 1 << (j % 64);
                }
            }
            tried
        };
        let cast_rays = |i: usize, want: &Mask| -> Mask {
            let nm = unit_normal(mesh, i);
            let origin = mesh.positions[i] + RAY_OFFSET_MM * nm;
            let mut open = [0u64; MASK_WORDS];
            for word in 0..MASK_WORDS {
                let mut bits = want[word];
                while bits != 0 {
                    let j = bits.trailing_zeros() as usize;
                    bits &= bits - 1;
                    if !bvh.occluded(origin, dirs[64 * word + j].1, f32::INFINITY) {
                        open[word] |= 1 << j;
                    }
                }
            }
            open
        };
        let position = |k: u32| mesh.positions[samples[k as usize] as usize];
        // Per cell of `cell_mm` and normal direction, the sample nearest the group's centroid
        // (ties by index).
        let pick = |cell_mm: f32| -> Vec<u32> {
            let mut groups: Vec<(u64, u32)> = samples
                .iter()
                .enumerate()
                .map(|(k, &i)| {
                    let i = i as usize;
                    let key = group_key(mesh.positions[i], unit_normal(mesh, i), cell_mm);
                    (key, k as u32)
                })
                .collect();
            groups.sort_unstable();
            let mut picked = Vec::new();
            let mut s = 0;
            while s < groups.len() {
                let mut e = s;
                let mut sum = Vec3::ZERO;
                while e < groups.len() && groups[e].0 == groups[s].0 {
                    sum += position(groups[e].1);
                    e += 1;
                }
                let centre = sum / (e - s) as f32;
                let dist = |k: u32| position(k).distance_squared(centre);
                let best = groups[s..e]
                    .iter()
                    .map(|g| g.1)
                    .min_by(|&a, &b| dist(a).total_cmp(&dist(b)).then(a.cmp(&b)))
                    .unwrap_or(groups[s].1);
                picked.push(best);
                s = e;
            }
            picked.sort_unstable();
            picked
        };
        // What each sample cast and found open; `done` marks the samples of earlier rounds.
        let mut cast: Vec<(Mask, Mask)> = vec![([0; MASK_WORDS], [0; MASK_WORDS]); samples.len()];
        let mut done = vec![false; samples.len()];
        let mut rays = 0usize;
        let mut first_round = 0;
        let mut spacing: Option<f32> = None;
        for round in 0..=ROUND_CELLS_MM.len() {
            let todo: Vec<u32> = match ROUND_CELLS_MM.get(round) {
                Some(&cell_mm) => pick(cell_mm),
                None => (0..samples.len() as u32).collect(),
            }
            .into_iter()
            .filter(|&k| !done[k as usize])
            .collect();
            let results: Vec<(Mask, Mask, usize)> = match spacing {
                None => {
                    first_round = todo.len();
                    crate::parallel::map_indices(todo.len(), threads, |t| {
                        let i = samples[todo[t] as usize] as usize;
                        let tried = needed(i);
                        let n = tried.iter().map(|w| w.count_ones() as usize).sum();
                        (tried, cast_rays(i, &tried), n)
                    })
                }
                Some(spacing) => {
                    let radius = ROUND_REACH * spacing;
                    // The samples done so far, by cell of the last round's spacing.
                    let cell = |p: Vec3| (p / radius).floor().as_ivec3();
                    let mut by_cell: Vec<(u64, u32)> = (0..samples.len() as u32)
                        .filter(|&k| done[k as usize])
                        .map(|k| (cell_key(cell(position(k))), k))
                        .collect();
                    by_cell.sort_unstable();
                    let radius_sq = radius * radius;
                    let (cast, by_cell) = (&cast, &by_cell);
                    crate::parallel::map_indices(todo.len(), threads, |t| {
                        let i = samples[todo[t] as usize] as usize;
                        let (p, nm) = (mesh.positions[i], unit_normal(mesh, i));
                        let tried = needed(i);
                        // Per direction, bit-parallel: cast by at least one, by at least two
                        // neighbours; found open, found shut by some.
                        let z = [0u64; MASK_WORDS];
                        let (mut one, mut two, mut lit, mut shut) = (z, z, z, z);
                        for k in around_cell(by_cell, cell(p)) {
                            let ci = samples[k as usize] as usize;
                            if mesh.positions[ci].distance_squared(p) >= radius_sq
                                || unit_normal(mesh, ci).dot(nm) <= SAMPLE_NORMAL_COS
                            {
                                continue;
                            }
                            let (ct, co) = &cast[k as usize];
                            for w in 0..MASK_WORDS {
                                let t = ct[w] & tried[w];
                                two[w] |= one[w] & t;
                                one[w] |= t;
                                lit[w] |= t & co[w];
                                shut[w] |= t & !co[w];
                            }
                        }
                        let (mut open, mut to_cast) = (z, z);
                        for w in 0..MASK_WORDS {
                            to_cast[w] = tried[w] & (!two[w] | (lit[w] & shut[w]));
                            open[w] = tried[w] & !to_cast[w] & lit[w];
                        }
                        let cast_open = cast_rays(i, &to_cast);
                        for w in 0..MASK_WORDS {
                            open[w] |= cast_open[w];
                        }
                        let n = to_cast.iter().map(|w| w.count_ones() as usize).sum();
                        (tried, open, n)
                    })
                }
            };
            for (&k, (tried, open, n)) in todo.iter().zip(results) {
                cast[k as usize] = (tried, open);
                done[k as usize] = true;
                rays += n;
            }
            spacing = ROUND_CELLS_MM.get(round).copied();
        }
        let casting = start.elapsed();
        // Samples by cell, for the neighbourhood look-ups.
        let mut by_cell: Vec<(u64, u32)> = samples
            .iter()
            .enumerate()
            .map(|(k, &i)| (cell_key(cell_of(mesh.positions[i as usize])), k as u32))
            .collect();
        by_cell.sort_unstable();
        let radius_sq = SAMPLE_CELL_MM * SAMPLE_CELL_MM;
        // The directions as padded component arrays (padding: cosine 0, never facing).
        let (mut dir_x, mut dir_y, mut dir_z) = (
            [0.0f32; 64 * MASK_WORDS],
            [0.0f32; 64 * MASK_WORDS],
            [0.0f32; 64 * MASK_WORDS],
        );
        let mut dir_ring = [0usize; 64 * MASK_WORDS];
        for (j, &(r, d)) in dirs.iter().enumerate() {
            (dir_x[j], dir_y[j], dir_z[j], dir_ring[j]) = (d.x, d.y, d.z, r);
        }
        let fallbacks = std::sync::atomic::AtomicUsize::new(0);
        // Cell by cell: the samples of the 27 cells around are gathered once for all of the
        // cell's vertices (in a fixed order, so sums do not depend on the threads).
        let spread = crate::parallel::map_indices(cells.len(), threads, |ci| {
            let (cs, ce) = cells[ci];
            let c = cell_of(mesh.positions[grouped[cs].1 as usize]);
            let near: Vec<(Vec3, Vec3, u32)> = around_cell(&by_cell, c)
                .map(|k| {
                    let i = samples[k as usize] as usize;
                    (mesh.positions[i], unit_normal(mesh, i), k)
                })
                .collect();
            let mut out: Vec<(u32, [f32; RINGS])> = Vec::with_capacity(ce - cs);
            let mut cos = [0.0f32; 64 * MASK_WORDS];
            let mut picked: Vec<(f32, u32)> = Vec::with_capacity(near.len());
            for &(_, v) in &grouped[cs..ce] {
                let v = v as usize;
                let p = mesh.positions[v];
                let nm = unit_normal(mesh, v);
                // Over the padded component arrays, so that it vectorises.
                for j in 0..64 * MASK_WORDS {
                    cos[j] = nm.x * dir_x[j] + nm.y * dir_y[j] + nm.z * dir_z[j];
                }
                let mut facing = [0u64; MASK_WORDS];
                for (j, &c) in cos.iter().enumerate().take(dirs.len()) {
                    if c > 0.0 {
                        facing[j / 64] |= 1 << (j % 64);
                    }
                }
                // The samples that count for this vertex, and per direction whether any of them
                // tried it, found it open, found it shut. Where they all agree (open skin:
                // nearly every direction of nearly every vertex) the weighted share is exactly
                // 0 or 1 and needs no weights; only the mixed directions are weighed.
                picked.clear();
                let (mut seen, mut lit, mut shut) =
                    ([0u64; MASK_WORDS], [0u64; MASK_WORDS], [0u64; MASK_WORDS]);
                for &(sp, sn, k) in &near {
                    let d2 = sp.distance_squared(p);
                    let agree = sn.dot(nm);
                    if d2 >= radius_sq || agree <= SAMPLE_NORMAL_COS {
                        continue;
                    }
                    let fall = 1.0 - d2 / radius_sq;
                    let turn = (agree - SAMPLE_NORMAL_COS) / (1.0 - SAMPLE_NORMAL_COS);
                    let w = fall * fall * turn;
                    if w <= 0.0 {
                        continue; // underflow: no weight, as if out of reach
                    }
                    picked.push((w, k));
                    let (tried, open) = &cast[k as usize];
                    for word in 0..MASK_WORDS {
                        seen[word] |= tried[word];
                        lit[word] |= tried[word] & open[word];
                        shut[word] |= tried[word] & !open[word];
                    }
                }
                let unseen = (0..MASK_WORDS).any(|w| facing[w] & !seen[w] != 0);
                let mut acc = [0.0f32; RINGS];
                if unseen {
                    // No sample saw some direction this vertex faces: cast it itself.
                    fallbacks.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                    acc = proxy_visibility(&bvh, &dirs, p, nm);
                } else {
                    let mut mixed = [0u64; MASK_WORDS];
                    for word in 0..MASK_WORDS {
                        mixed[word] = facing[word] & lit[word] & shut[word];
                    }
                    let (mut tried_w, mut open_w) =
                        ([0.0f32; 64 * MASK_WORDS], [0.0f32; 64 * MASK_WORDS]);
                    if mixed.iter().any(|&m| m != 0) {
                        for &(w, k) in &picked {
                            let (tried, open) = &cast[k as usize];
                            for word in 0..MASK_WORDS {
                                let mut bits = tried[word] & mixed[word];
                                while bits != 0 {
                                    let j = bits.trailing_zeros() as usize;
                                    bits &= bits - 1;
                                    tried_w[64 * word + j] += w;
                                    if open[word] >> j & 1 == 1 {
                                        open_w[64 * word + j] += w;
                                    }
                                }
                            }
                        }
                    }
                    // In direction order, as the full cast sums.
                    for word in 0..MASK_WORDS {
                        let mut bits = facing[word] & lit[word];
                        while bits != 0 {
                            let b = bits.trailing_zeros() as usize;
                            bits &= bits - 1;
                            let j = 64 * word + b;
                            acc[dir_ring[j]] += if mixed[word] >> b & 1 == 1 {
                                cos[j] * open_w[j] / tried_w[j]
                            } else {
                                cos[j]
                            };
                        }
                    }
                }
                out.push((v as u32, acc));
            }
            out
        });
        let mut per_ring = vec![[0.0f32; RINGS]; n];
        for (v, acc) in spread.into_iter().flatten() {
            per_ring[v as usize] = acc;
        }
        log::debug!(
            "sampled sky visibility of {} vertices ({} triangles) from {} samples against a \
             {}-triangle occluder proxy: proxy and hierarchy {:.2?}, rays {:.2?} ({} rays, {} \
             first-round samples), all {:.2?} on {} threads, {} vertices cast themselves",
            n,
            mesh.triangle_count(),
            samples.len(),
            proxy_triangles,
            built,
            casting - built,
            rays,
            first_round,
            start.elapsed(),
            threads,
            fallbacks.into_inner()
        );
        SkyVisibility { per_ring }
    }

    /// The full cast's per-ring visibility of the given vertices only (to check the sampled
    /// path against on a big mesh without casting every vertex).
    #[doc(hidden)]
    pub fn full_at(mesh: &Mesh, vertices: &[u32]) -> Vec<[f32; RINGS]> {
        let bvh = TriangleBvh::new(mesh);
        let dirs = sky_directions();
        crate::parallel::map(vertices, |&v| {
            vertex_visibility(mesh, &bvh, &dirs, v as usize)
        })
    }

    /// Per-vertex dose before habits at `latitude_deg` from per-ring visibilities (as
    /// [`SkyVisibility::geometric`]).
    #[doc(hidden)]
    pub fn geometric_of(per_ring: &[[f32; RINGS]], latitude_deg: f32) -> Vec<f32> {
        SkyVisibility {
            per_ring: per_ring.to_vec(),
        }
        .geometric(latitude_deg)
    }
}

/// The visible, cosine-weighted sky of vertex `i`, ring by ring.
fn vertex_visibility(
    mesh: &Mesh,
    bvh: &TriangleBvh,
    dirs: &[(usize, Vec3)],
    i: usize,
) -> [f32; RINGS] {
    let mut acc = [0.0f32; RINGS];
    let p = mesh.positions[i];
    let n = mesh
        .normals
        .get(i)
        .and_then(|n| n.try_normalize())
        .unwrap_or(Vec3::Y);
    if !p.is_finite() {
        return acc;
    }
    let origin = p + RAY_OFFSET_MM * n;
    for &(r, d) in dirs {
        let c = n.dot(d);
        if c > 0.0 && !bvh.occluded(origin, d, f32::INFINITY) {
            acc[r] += c;
        }
    }
    acc
}

// ---------------------------------------------------------------------------------------------
// BVH
// ---------------------------------------------------------------------------------------------

/// Triangles per leaf at most.
const LEAF_SIZE: usize = 4;
/// Traversal stack depth. Nodes deeper than [`SAH_MAX_DEPTH`] are split at the median, which
/// halves the triangles at every level, so the depth stays under SAH_MAX_DEPTH + log2(n) + 1:
/// 96 holds any mesh that fits in memory.
const STACK: usize = 96;
/// Down to this depth nodes are split where the surface area heuristic says ([`sah_split`]);
/// below it at the median (a bound on the depth whatever the triangles' layout).
const SAH_MAX_DEPTH: usize = 48;
/// Bins per axis of the binned surface area heuristic.
const SAH_BINS: usize = 16;

/// Surface area of a box (half of it: only ratios matter).
fn half_area(lo: Vec3, hi: Vec3) -> f32 {
    let d = (hi - lo).max(Vec3::ZERO);
    d.x * d.y + d.y * d.z + d.z * d.x
}

/// The binned surface area heuristic split of `items` (id, lo, hi, centroid) whose centroids
/// lie in `clo..chi`: the axis and bin boundary that minimise Σ area × triangles of the two
/// children, over [`SAH_BINS`] bins an axis (Wald 2007). Tight boxes around the parts of a
/// curved surface make a shadow ray that grazes the skin visit fewer nodes than median splits
/// do. Partitions `items` (smaller centroids first) and returns the axis and the left count;
/// None when no bin boundary separates the centroids.
fn sah_split(
    items: &mut [(u32, Vec3, Vec3, Vec3)],
    clo: Vec3,
    chi: Vec3,
) -> Option<(usize, usize)> {
    let ext = chi - clo;
    let bin_of = |c: Vec3, axis: usize| -> usize {
        let f = (c[axis] - clo[axis]) / ext[axis] * SAH_BINS as f32;
        (f as usize).min(SAH_BINS - 1)
    };
    let mut best: Option<(f32, usize, usize)> = None; // cost, axis, first bin on the right
    for axis in 0..3 {
        if ext[axis] <= 0.0 || !ext[axis].is_finite() {
            continue;
        }
        let empty = (
            Vec3::splat(f32::INFINITY),
            Vec3::splat(f32::NEG_INFINITY),
            0usize,
        );
        let mut bins = [empty; SAH_BINS];
        for it in items.iter() {
            let b = &mut bins[bin_of(it.3, axis)];
            b.0 = b.0.min(it.1);
            b.1 = b.1.max(it.2);
            b.2 += 1;
        }
        // Right-hand sweeps: area × count of bins k.. for every k.
        let mut right = [0.0f32; SAH_BINS];
        let (mut lo, mut hi, mut count) = empty;
        for k in (1..SAH_BINS).rev() {
            lo = lo.min(bins[k].0);
            hi = hi.max(bins[k].1);
            count += bins[k].2;
            right[k] = if count > 0 {
                half_area(lo, hi) * count as f32
            } else {
                0.0
            };
        }
        let (mut lo, mut hi, mut count) = empty;
        for k in 1..SAH_BINS {
            lo = lo.min(bins[k - 1].0);
            hi = hi.max(bins[k - 1].1);
            count += bins[k - 1].2;
            if count == 0 || count == items.len() {
                continue;
            }
            let cost = half_area(lo, hi) * count as f32 + right[k];
            if best.is_none_or(|b| cost < b.0) {
                best = Some((cost, axis, k));
            }
        }
    }
    let (_, axis, split) = best?;
    // In-place partition: left of `split` first.
    let mut l = 0;
    let mut r = items.len();
    while l < r {
        if bin_of(items[l].3, axis) < split {
            l += 1;
        } else {
            r -= 1;
            items.swap(l, r);
        }
    }
    (l > 0 && l < items.len()).then_some((axis, l))
}

#[derive(Clone, Copy, Debug)]
struct Node {
    lo: Vec3,
    hi: Vec3,
    /// Leaf: first triangle; inner node: index of the left child (the right one follows it).
    first: u32,
    /// Leaf: number of triangles (≥ 1); inner node: 0.
    count: u32,
    /// Inner node: the split axis (0, 1, 2), to visit the nearer child first.
    axis: u32,
}

/// A triangle ready for Möller–Trumbore: a vertex and the two edges from it.
#[derive(Clone, Copy, Debug)]
struct Tri {
    v0: Vec3,
    e1: Vec3,
    e2: Vec3,
}

/// A bounding volume hierarchy over a mesh's triangles: axis-aligned boxes, split by the binned
/// surface area heuristic ([`sah_split`]), traversed iteratively; ray–triangle tests
/// by Möller–Trumbore, two-sided. Triangles with non-finite corners or out-of-range indices are
/// left out.
#[derive(Clone, Debug)]
pub struct TriangleBvh {
    nodes: Vec<Node>,
    tris: Vec<Tri>,
    /// Mesh triangle index of each entry of `tris`.
    ids: Vec<u32>,
}

impl TriangleBvh {
    pub fn new(mesh: &Mesh) -> Self {
        let nv = mesh.positions.len();
        let mut items: Vec<(u32, Vec3, Vec3, Vec3)> = Vec::new(); // id, lo, hi, centroid
        for t in 0..mesh.triangle_count() {
            let idx = &mesh.indices[3 * t..3 * t + 3];
            if idx.iter().any(|&i| i as usize >= nv) {
                continue;
            }
            let [a, b, c] = mesh.triangle(t);
            if !(a.is_finite() && b.is_finite() && c.is_finite()) {
                continue;
            }
            let lo = a.min(b).min(c);
            let hi = a.max(b).max(c);
            items.push((t as u32, lo, hi, (a + b + c) / 3.0));
        }
        let mut nodes = Vec::with_capacity(2 * items.len() / LEAF_SIZE + 1);
        if !items.is_empty() {
            nodes.push(Node {
                lo: Vec3::ZERO,
                hi: Vec3::ZERO,
                first: 0,
                count: 0,
                axis: 0,
            });
            // (node, start, end) still to build.
            let mut todo = vec![(0usize, 0usize, items.len(), 0usize)];
            while let Some((ni, s, e, depth)) = todo.pop() {
                let slice = &mut items[s..e];
                let (mut lo, mut hi) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));
                let (mut clo, mut chi) = (lo, hi);
                for it in slice.iter() {
                    lo = lo.min(it.1);
                    hi = hi.max(it.2);
                    clo = clo.min(it.3);
                    chi = chi.max(it.3);
                }
                nodes[ni].lo = lo;
                nodes[ni].hi = hi;
                if slice.len() <= LEAF_SIZE {
                    nodes[ni].first = s as u32;
                    nodes[ni].count = slice.len() as u32;
                    continue;
                }
                let (axis, mid) = if depth < SAH_MAX_DEPTH {
                    sah_split(slice, clo, chi)
                } else {
                    None
                }
                .unwrap_or_else(|| {
                    let ext = chi - clo;
                    let axis = if ext.x >= ext.y && ext.x >= ext.z {
                        0
                    } else if ext.y >= ext.z {
                        1
                    } else {
                        2
                    };
                    let mid = slice.len() / 2;
                    slice.select_nth_unstable_by(mid, |a, b| {
                        a.3[axis].total_cmp(&b.3[axis]).then(a.0.cmp(&b.0))
                    });
                    (axis, mid)
                });
                let left = nodes.len();
                for _ in 0..2 {
                    nodes.push(Node {
                        lo: Vec3::ZERO,
                        hi: Vec3::ZERO,
                        first: 0,
                        count: 0,
                        axis: 0,
                    });
                }
                nodes[ni].first = left as u32;
                nodes[ni].count = 0;
                nodes[ni].axis = axis as u32;
                todo.push((left + 1, s + mid, e, depth + 1));
                todo.push((left, s, s + mid, depth + 1));
            }
        }
        let tris = items
            .iter()
            .map(|it| {
                let [a, b, c] = mesh.triangle(it.0 as usize);
                Tri {
                    v0: a,
                    e1: b - a,
                    e2: c - a,
                }
            })
            .collect();
        let ids = items.iter().map(|it| it.0).collect();
        TriangleBvh { nodes, tris, ids }
    }

    /// Number of triangles in the hierarchy.
    pub fn len(&self) -> usize {
        self.tris.len()
    }

    pub fn is_empty(&self) -> bool {
        self.tris.is_empty()
    }

    /// Whether the ray `origin + t·dir`, 0 < t < `t_max`, hits any triangle (any hit, no order).
    pub fn occluded(&self, origin: Vec3, dir: Vec3, t_max: f32) -> bool {
        self.traverse(origin, dir, t_max, true).is_some()
    }

    /// The nearest hit of the ray `origin + t·dir`, 0 < t < `t_max`: the mesh's triangle index
    /// and t (in units of `dir`'s length).
    pub fn closest_hit(&self, origin: Vec3, dir: Vec3, t_max: f32) -> Option<(u32, f32)> {
        self.traverse(origin, dir, t_max, false)
            .map(|(k, t)| (self.ids[k], t))
    }

    /// Returns the index into `tris` and t of the nearest hit (or, with `any`, of the first one
    /// found).
    fn traverse(&self, origin: Vec3, dir: Vec3, t_max: f32, any: bool) -> Option<(usize, f32)> {
        if self.nodes.is_empty() {
            return None;
        }
        let inv = dir.recip();
        let neg = [dir.x < 0.0, dir.y < 0.0, dir.z < 0.0];
        let mut best: Option<(usize, f32)> = None;
        let mut t_far = t_max;
        let mut stack = [0u32; STACK];
        let mut sp = 0usize;
        let mut node = 0usize;
        loop {
            let nd = &self.nodes[node];
            if slab(nd.lo, nd.hi, origin, inv, t_far) {
                if nd.count > 0 {
                    let first = nd.first as usize;
                    for k in first..first + nd.count as usize {
                        if let Some(t) = intersect(&self.tris[k], origin, dir, t_far) {
                            if any {
                                return Some((k, t));
                            }
                            t_far = t;
                            best = Some((k, t));
                        }
                    }
                } else {
                    // Near child first: the left one holds the smaller centroids on `axis`.
                    let left = nd.first;
                    let (near, far) = if neg[nd.axis as usize] {
                        (left + 1, left)
                    } else {
                        (left, left + 1)
                    };
                    if sp < STACK {
                        stack[sp] = far;
                        sp += 1;
                    }
                    node = near as usize;
                    continue;
                }
            }
            if sp == 0 {
                break;
            }
            sp -= 1;
            node = stack[sp] as usize;
        }
        best
    }
}

/// Whether the ray enters the box before `t_far` and leaves it after 0.
#[inline]
fn slab(lo: Vec3, hi: Vec3, origin: Vec3, inv: Vec3, t_far: f32) -> bool {
    let t0 = (lo - origin) * inv;
    let t1 = (hi - origin) * inv;
    // f32::min/max ignore a NaN operand (0·∞ when the ray lies in a face's plane).
    let t_enter = t0.min(t1).max_element().max(0.0);
    let t_exit = t0.max(t1).min_element().min(t_far);
    t_enter <= t_exit
}

/// Möller–Trumbore (1997), two-sided: t of the hit if 0 < t < `t_far`.
#[inline]
fn intersect(tri: &Tri, origin: Vec3, dir: Vec3, t_far: f32) -> Option<f32> {
    let p = dir.cross(tri.e2);
    let det = tri.e1.dot(p);
    if det.abs() < 1e-12 {
        return None; // parallel to the triangle's plane, or a degenerate triangle
    }
    let inv = 1.0 / det;
    let s = origin - tri.v0;
    let u = s.dot(p) * inv;
    if !(0.0..=1.0).contains(&u) {
        return None;
    }
    let q = s.cross(tri.e1);
    let v = dir.dot(q) * inv;
    if v < 0.0 || u + v > 1.0 {
        return None;
    }
    let t = tri.e2.dot(q) * inv;
    (t > 0.0 && t < t_far).then_some(t)
}

/// Per-vertex exposure. The geometric part (sky and sun seen from each vertex, shadowed by the
/// head) is ray cast once per (mesh, latitude) in a process and kept: it takes seconds, and a
/// session renders the same head many times (viewer, contact sheets, tests); habits only scale it.
pub fn cached_vertex_exposure(
    mesh: &crate::head::Mesh,
    settings: &ExposureSettings,
) -> std::sync::Arc<Vec<f32>> {
    use std::collections::HashMap;
    use std::hash::{Hash, Hasher};
    use std::sync::{Arc, Mutex, OnceLock};
    static CACHE: OnceLock<Mutex<HashMap<u64, Arc<Vec<f32>>>>> = OnceLock::new();
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytemuck::cast_slice::<_, u8>(&mesh.positions).hash(&mut h);
    bytemuck::cast_slice::<_, u8>(&mesh.normals).hash(&mut h);
    mesh.indices.hash(&mut h);
    settings.latitude_deg.to_bits().hash(&mut h);
    let key = h.finish();
    let cache = CACHE.get_or_init(|| Mutex::new(HashMap::new()));
    let habits = habits_factor(settings);
    let scaled = |g: &[f32]| Arc::new(g.iter().map(|e| e * habits).collect::<Vec<f32>>());
    if let Some(g) = cache.lock().ok().and_then(|c| c.get(&key).cloned()) {
        return scaled(&g);
    }
    let g = Arc::new(geometric_exposure(mesh, settings.latitude_deg));
    if let Ok(mut c) = cache.lock() {
        c.insert(key, g.clone());
    }
    scaled(&g)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// SplitMix64: a small deterministic generator for the tests.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
            let mut z = self.0;
            z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
            z ^ (z >> 31)
        }
        fn unit(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 24) as f32
        }
        fn vec(&mut self, lo: f32, hi: f32) -> Vec3 {
            Vec3::new(
                lo + (hi - lo) * self.unit(),
                lo + (hi - lo) * self.unit(),
                lo + (hi - lo) * self.unit(),
            )
        }
    }

    /// A soup of random triangles, some large, some tiny, some degenerate.
    fn random_mesh(rng: &mut Rng, n: usize) -> Mesh {
        let mut m = Mesh::default();
        for t in 0..n {
            let c = rng.vec(-50.0, 50.0);
            let size = if t % 7 == 0 { 30.0 } else { 4.0 };
            let a = c + rng.vec(-size, size);
            let b = c + rng.vec(-size, size);
            let cc = if t % 31 == 0 {
                a
            } else {
                c + rng.vec(-size, size)
            };
            for p in [a, b, cc] {
                m.indices.push(m.positions.len() as u32);
                m.positions.push(p);
                m.normals.push(Vec3::Y);
            }
        }
        m
    }

    fn brute_force(mesh: &Mesh, origin: Vec3, dir: Vec3, t_max: f32) -> Option<(u32, f32)> {
        let mut best: Option<(u32, f32)> = None;
        for t in 0..mesh.triangle_count() {
            let [a, b, c] = mesh.triangle(t);
            let tri = Tri {
                v0: a,
                e1: b - a,
                e2: c - a,
            };
            if let Some(h) = intersect(&tri, origin, dir, best.map_or(t_max, |b| b.1)) {
                best = Some((t as u32, h));
            }
        }
        best
    }

    #[test]
    fn bvh_matches_brute_force_on_random_rays() {
        let mut rng = Rng(7);
        let mesh = random_mesh(&mut rng, 2000);
        let bvh = TriangleBvh::new(&mesh);
        assert_eq!(bvh.len(), mesh.triangle_count());
        let mut hits = 0;
        for i in 0..4000 {
            let origin = rng.vec(-80.0, 80.0);
            let mut dir = (rng.vec(-1.0, 1.0)).normalize_or(Vec3::X);
            if i % 50 == 0 {
                dir = [Vec3::X, Vec3::NEG_Y, Vec3::Z][i / 50 % 3]; // axis-aligned: 0·∞ in slabs
            }
            let t_max = if i % 3 == 0 { 40.0 } else { f32::INFINITY };
            let want = brute_force(&mesh, origin, dir, t_max);
            let got = bvh.closest_hit(origin, dir, t_max);
            match (want, got) {
                (None, None) => {}
                (Some(w), Some(g)) => {
                    hits += 1;
                    assert!(
                        (w.1 - g.1).abs() <= 1e-4 * w.1.max(1.0),
                        "ray {i}: {w:?} vs {g:?}"
                    );
                    // Two triangles may be hit at the same t (shared edges are rare in a soup).
                    if w.0 != g.0 {
                        assert!((w.1 - g.1).abs() < 1e-6, "ray {i}: {w:?} vs {g:?}");
                    }
                }
                _ => panic!("ray {i}: brute force {want:?}, BVH {got:?}"),
            }
            assert_eq!(want.is_some(), bvh.occluded(origin, dir, t_max), "ray {i}");
        }
        assert!(hits > 500, "too few hits ({hits}) to test anything");
    }

    #[test]
    fn empty_mesh_has_no_hits() {
        let bvh = TriangleBvh::new(&Mesh::default());
        assert!(bvh.is_empty());
        assert!(!bvh.occluded(Vec3::ZERO, Vec3::Y, f32::INFINITY));
    }

    #[test]
    fn climate_is_normalized_and_sky_share_is_as_chosen() {
        let c = Climate::new(REFERENCE_LATITUDE_DEG);
        let total = c.horizontal();
        assert!((c.sky / total - DIFFUSE_FRACTION).abs() < 1e-9);
        // The unshadowed horizontal plane gets exactly 1 at the reference latitude.
        let w = ring_weights(REFERENCE_LATITUDE_DEG);
        let e: f64 = (0..RINGS)
            .map(|r| w[r] * ring_azimuths(r) as f64 * ring_elevation(r).sin())
            .sum();
        assert!((e - 1.0).abs() < 1e-9, "{e}");
        // Southern latitudes have the same year (mirrored).
        let s = Climate::new(-REFERENCE_LATITUDE_DEG).horizontal();
        assert!((s / total - 1.0).abs() < 1e-9);
    }
}
