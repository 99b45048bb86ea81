//! The treated area on the head: a hairline design turned into a boundary around the head,
//! a soft density ramp across the transition band, and named zones (hairline, top, crown,
//! sides, back) each with its own density.
//!
//! The boundary is a height `y_b(φ)` for every azimuth φ around the vertical axis (φ = 0 at
//! the face, +90° at the client's left). That is enough for any hairline drawn on a head:
//! the line runs across the forehead, turns back at the temples, down the sides above the
//! ears and across the back, and it never folds over itself in φ. The table is built once on
//! the CPU (shape, asymmetry, micro zig-zag) and read identically by the CPU reference and
//! the GPU, so both agree on every dot.
use crate::hash;
use crate::head::Landmarks;
use crate::math::smooth01 as smooth;
use crate::scar::{ScarGpu, ScarSettings, Scars};
use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use serde::{Deserialize, Serialize};
use std::f32::consts::{PI, TAU};

/// Samples of y_b(φ) over [−π, π): ~0.55 mm of arc each at the hairline, fine enough for a
/// zig-zag of ~3 mm wavelength.
pub const BOUNDARY_SAMPLES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
#[repr(u32)]
pub enum ZoneId {
    Hairline = 0,
    Top = 1,
    Crown = 2,
    Sides = 3,
    Back = 4,
    /// Scar camouflage: the strip scar with a margin round it and the FUE donor band.
    Scar = 5,
    /// The plan's custom polygon zones, in the order it lists them.
    Custom0 = 6,
    Custom1 = 7,
    Custom2 = 8,
    Custom3 = 9,
}

/// Zone ids in use: the five built-in zones, the scars and up to [`MAX_CUSTOM`] custom zones.
pub const ZONE_COUNT: usize = 10;
/// Custom polygon zones a plan may hold.
pub const MAX_CUSTOM: usize = 4;
/// Corners a custom zone's polygon may have.
pub const MAX_CORNERS: usize = 12;
/// Uniform rows per custom zone: its frame (two rows), then its corners two per row.
pub const CUSTOM_ROWS: usize = 2 + MAX_CORNERS / 2;

impl ZoneId {
    /// The built-in zones, which always exist.
    pub const ALL: [ZoneId; 5] = [
        ZoneId::Hairline,
        ZoneId::Top,
        ZoneId::Crown,
        ZoneId::Sides,
        ZoneId::Back,
    ];
    /// Every zone id, built-in, scar and custom.
    pub const EVERY: [ZoneId; ZONE_COUNT] = [
        ZoneId::Hairline,
        ZoneId::Top,
        ZoneId::Crown,
        ZoneId::Sides,
        ZoneId::Back,
        ZoneId::Scar,
        ZoneId::Custom0,
        ZoneId::Custom1,
        ZoneId::Custom2,
        ZoneId::Custom3,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ZoneId::Hairline => "hairline",
            ZoneId::Top => "top",
            ZoneId::Crown => "crown",
            ZoneId::Sides => "sides",
            ZoneId::Back => "back",
            ZoneId::Scar => "scars",
            ZoneId::Custom0 => "custom 1",
            ZoneId::Custom1 => "custom 2",
            ZoneId::Custom2 => "custom 3",
            ZoneId::Custom3 => "custom 4",
        }
    }
    pub fn from_u32(v: u32) -> ZoneId {
        ZoneId::EVERY[(v as usize).min(ZONE_COUNT - 1)]
    }
    /// Custom zone `k` (0-based).
    pub fn custom(k: usize) -> ZoneId {
        ZoneId::from_u32(6 + k.min(MAX_CUSTOM - 1) as u32)
    }
}

/// Plan section `[zones]`: per-zone shade and sessions, and custom polygon zones. Densities
/// of the built-in zones are in `[density]`.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZoneSettings {
    /// Dilution step per built-in zone (left out: `dots.shade`).
    pub shade: ZoneValues<f32>,
    /// Sessions per built-in zone: the zone is worked in the first this many of
    /// `sessions.count` (left out: all of them).
    pub sessions: ZoneValues<u32>,
    /// Custom zones: polygons on the scalp, each with its own density, shade and sessions.
    pub custom: Vec<CustomZone>,
}

/// One optional value per built-in zone.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ZoneValues<T> {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hairline: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub top: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub crown: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub sides: Option<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub back: Option<T>,
}

impl<T: Copy> ZoneValues<T> {
    pub fn get(&self, zone: ZoneId) -> Option<T> {
        match zone {
            ZoneId::Hairline => self.hairline,
            ZoneId::Top => self.top,
            ZoneId::Crown => self.crown,
            ZoneId::Sides => self.sides,
            ZoneId::Back => self.back,
            _ => None,
        }
    }
    /// (zone name, value) of every value given.
    pub fn given(&self) -> Vec<(&'static str, T)> {
        ZoneId::ALL
            .iter()
            .filter_map(|z| self.get(*z).map(|v| (z.name(), v)))
            .collect()
    }
}

/// A zone the practitioner draws: a polygon on the scalp.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CustomZone {
    pub name: String,
    /// Corners as [azimuth°, elevation°] seen from the head's centre at ear-top height
    /// (azimuth 0 = the front, 90 = the client's left; elevation 90 = the top), in order round
    /// the polygon; edges are great circles.
    pub polygon: Vec<[f32; 2]>,
    /// Dots per cm² (0: left untreated, e.g. round a mole).
    pub density: f32,
    /// Dilution step (left out: `dots.shade`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub shade: Option<f32>,
    /// Worked in the first this many sessions (left out: all).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sessions: Option<u32>,
}

/// Unit direction of (azimuth°, elevation°) as the patches and custom zones use them.
pub fn direction(azimuth_deg: f32, elevation_deg: f32) -> Vec3 {
    let (az, el) = (azimuth_deg.to_radians(), elevation_deg.to_radians());
    Vec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos())
}

/// A custom polygon's frame and corners in the gnomonic plane round its centre direction (great
/// circles become straight lines there): (centre, tangent, corners), or None when a corner is
/// 80° or more from the centre.
pub fn custom_frame(polygon: &[[f32; 2]]) -> Option<(Vec3, Vec3, Vec<[f32; 2]>)> {
    let dirs: Vec<Vec3> = polygon.iter().map(|c| direction(c[0], c[1])).collect();
    let c = dirs.iter().copied().sum::<Vec3>().try_normalize()?;
    let e1 = Vec3::Y.cross(c).try_normalize().unwrap_or(Vec3::X);
    let e2 = c.cross(e1);
    let mut corners = Vec::new();
    for d in dirs {
        let w = d.dot(c);
        if w < 80f32.to_radians().cos() {
            return None;
        }
        corners.push([d.dot(e1) / w, d.dot(e2) / w]);
    }
    Some((c, e1, corners))
}

/// Whether two segments cross (proper intersection), for the simple-polygon check.
fn segments_cross(a: [f32; 2], b: [f32; 2], c: [f32; 2], d: [f32; 2]) -> bool {
    let o = |p: [f32; 2], q: [f32; 2], r: [f32; 2]| {
        (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0])
    };
    let (d1, d2, d3, d4) = (o(c, d, a), o(c, d, b), o(a, b, c), o(a, b, d));
    d1 * d2 < 0.0 && d3 * d4 < 0.0
}

/// Whether a polygon's edges cross each other (it must be simple).
pub fn self_intersects(corners: &[[f32; 2]]) -> bool {
    first_crossing(corners).is_some()
}

/// The first pair of edges that cross, as edge indices (edge k runs from corner k to corner
/// k + 1, the last one back to corner 0); None for a simple polygon. Neighbouring edges share
/// a corner and are not compared.
pub fn first_crossing(corners: &[[f32; 2]]) -> Option<(usize, usize)> {
    let n = corners.len();
    for i in 0..n {
        for j in i + 1..n {
            if j == i + 1 || (i == 0 && j == n - 1) {
                continue;
            }
            if segments_cross(
                corners[i],
                corners[(i + 1) % n],
                corners[j],
                corners[(j + 1) % n],
            ) {
                return Some((i, j));
            }
        }
    }
    None
}

/// Even-odd point-in-polygon test in the plane (as `in_polygon` in shaders/shared/zone_sample.wgsl).
pub fn in_polygon(x: f32, y: f32, corners: &[[f32; 2]]) -> bool {
    let n = corners.len();
    let mut inside = false;
    let mut j = n.wrapping_sub(1);
    for i in 0..n {
        let (a, b) = (corners[i], corners[j]);
        if (a[1] > y) != (b[1] > y) && x < (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]) + a[0] {
            inside = !inside;
        }
        j = i;
    }
    inside
}

/// GPU mirror of the zone parameters (`ZoneGpu` in shaders/shared/zone.wgsl), built by
/// [`Zone::to_gpu`]. 1072 bytes.
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct ZoneGpu {
    /// x, z: the axis φ is measured around; y: unused; w: band width (mm).
    pub center: [f32; 4],
    /// x: the largest zone density (dots/mm²); y: top_y; z: crown_z; w: custom zones.
    pub shape: [f32; 4],
    /// x: hairline zone depth behind the line (mm); y: cos φ limit of the front sector;
    /// z: cos φ limit of the back sector; w: table length.
    pub limits: [f32; 4],
    /// x: number of alopecia patches (0: the whole scalp above the hairline is treated);
    /// y: height of the patches' and custom zones' centre of projection (mm); z: the patches'
    /// soft edge (mm); w: 1 when only the scars are treated.
    pub patch_info: [f32; 4],
    /// Per patch, two rows: its direction from the centre of projection and its width (mm);
    /// its horizontal tangent and its height (mm).
    pub patches: [[f32; 4]; 2 * MAX_PATCHES],
    /// Per zone id: x dots/mm², y shade relative to the plan's (dilution steps), z sessions
    /// the zone is worked in.
    pub table: [[f32; 4]; ZONE_COUNT],
    /// Per custom zone [`CUSTOM_ROWS`] rows: (centre direction, corner count), (tangent, 0),
    /// then the corners in the gnomonic plane, two per row.
    pub custom: [[f32; 4]; MAX_CUSTOM * CUSTOM_ROWS],
    pub scars: ScarGpu,
}

/// Alopecia patches a plan may hold.
pub const MAX_PATCHES: usize = 8;
/// Soft edge of a patch's treatment, mm: density ramps up over it inside the patch.
pub const PATCH_EDGE_MM: f32 = 3.0;
/// Depth of the hairline zone behind the line (past the band), mm.
pub const HAIRLINE_ZONE_MM: f32 = 10.0;
/// cos φ limits of the front sector (the hairline zone) and of the back sector.
pub const FRONT_COS: f32 = 0.5;
pub const BACK_COS: f32 = -0.5;

// ---------------------------------------------------------------------------------------
// The design: what the zone is built from (the plan as worked, see `crate::worked`)
// ---------------------------------------------------------------------------------------

/// How a hairline style draws the line: the front's offset from the planned height (mm), how
/// deep the temple corners are (a factor on the recession) and how the line rises from the
/// centre to the corners (the exponent of |φ|/φ_t).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LineShape {
    pub front_offset_mm: f32,
    pub recession_scale: f32,
    pub exponent: f32,
}

impl LineShape {
    /// Juvenile lines are lower and flatter, receding ones deeper at the temples.
    pub const JUVENILE: LineShape = LineShape {
        front_offset_mm: -6.0,
        recession_scale: 0.5,
        exponent: 4.0,
    };
    pub const MATURE: LineShape = LineShape {
        front_offset_mm: 0.0,
        recession_scale: 1.0,
        exponent: 2.0,
    };
    pub const RECEDING: LineShape = LineShape {
        front_offset_mm: 4.0,
        recession_scale: 1.8,
        exponent: 1.4,
    };
}

/// The hairline as drawn (technique errors in), in the plan's terms (see `plan::Hairline`).
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    pub shape: LineShape,
    pub front_above_glabella_mm: f32,
    pub temple_recession_mm: f32,
    pub side_above_ear_mm: f32,
    pub back_below_occipital_mm: f32,
    pub band_width_mm: f32,
    pub irregularity_mm: f32,
    /// The designed asymmetry: the left side higher by this much (mm), all round.
    pub asymmetry_mm: f32,
    /// The asymmetry error: the left temple corner and side higher than the right, mm.
    pub asymmetry_error_mm: f32,
    /// Five control heights from the left corner to the right (empty: none).
    pub control_mm: Vec<f32>,
}

/// How one zone is worked: its density as worked, its shade and its sessions.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ZoneWork {
    /// Dots per cm².
    pub density_per_cm2: f32,
    /// Dilution step (None: the plan's).
    pub shade: Option<f32>,
    /// Worked in the first this many sessions (None: all).
    pub sessions: Option<u32>,
}

/// A custom zone as worked: its polygon and how it is worked.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomWork {
    pub polygon: Vec<[f32; 2]>,
    pub work: ZoneWork,
}

/// Everything the treated zone is built from, but the head: the plan as worked.
#[derive(Clone, Debug, PartialEq)]
pub struct ZoneDesign {
    pub seed: u32,
    pub outline: Outline,
    /// The plan's shade (the zones' shades are kept as offsets from it) and session count.
    pub shade: f32,
    pub sessions: u32,
    /// The built-in zones, in [`ZoneId::ALL`] order.
    pub builtin: [ZoneWork; 5],
    /// The scars' zone.
    pub scar: ZoneWork,
    /// At most [`MAX_CUSTOM`].
    pub custom: Vec<CustomWork>,
    pub scars: ScarSettings,
    /// Alopecia patches, at most [`MAX_PATCHES`]: [azimuth°, elevation°, width mm, height mm].
    pub patches: Vec<[f32; 4]>,
    /// Only the scars are treated (the client keeps their hair round them).
    pub scars_only: bool,
}

impl ZoneDesign {
    /// The custom zones that get a zone: those before the first without a frame (validated
    /// plans always have one; a plan built in code without one gets no zone from it on).
    pub fn custom_in_use(&self) -> usize {
        self.custom
            .iter()
            .take(MAX_CUSTOM)
            .position(|c| custom_frame(&c.polygon).is_none())
            .unwrap_or(self.custom.len().min(MAX_CUSTOM))
    }

    /// The largest density of the zones that can hold dots, dots/mm² (the built-in five, the
    /// scars when there are any, the custom zones in use).
    pub fn max_density_per_mm2(&self) -> f32 {
        let scar = self.scars.any().then_some(&self.scar);
        let custom = self.custom[..self.custom_in_use()].iter().map(|c| &c.work);
        self.builtin
            .iter()
            .chain(scar)
            .chain(custom)
            .map(|w| per_mm2(w.density_per_cm2))
            .fold(0.0f32, f32::max)
    }

    /// The zone-table row of a zone worked as `w`.
    fn row(&self, w: &ZoneWork) -> ZoneRow {
        ZoneRow {
            density_per_mm2: per_mm2(w.density_per_cm2),
            // The zone's shade as an offset from the plan's, so that errors that darken the
            // whole deposit (over-saturation, wrong shade) darken every zone alike.
            shade_offset: w.shade.map_or(0.0, |s| s - self.shade),
            sessions: w.sessions.unwrap_or(self.sessions).clamp(1, self.sessions),
        }
    }
}

fn per_mm2(per_cm2: f32) -> f32 {
    per_cm2 / 100.0
}

// ---------------------------------------------------------------------------------------
// The zone on a head
// ---------------------------------------------------------------------------------------

/// One zone's row of the table: how it is worked.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct ZoneRow {
    pub density_per_mm2: f32,
    /// Shade relative to the plan's, dilution steps.
    pub shade_offset: f32,
    /// Sessions the zone is worked in (the first n).
    pub sessions: u32,
}

/// An alopecia patch: an ellipse on the scalp round a direction from the centre of projection.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Patch {
    pub dir: Vec3,
    /// Horizontal tangent at `dir`.
    pub tangent: Vec3,
    pub width_mm: f32,
    pub height_mm: f32,
}

/// A custom zone's polygon in the gnomonic plane round its centre direction.
#[derive(Clone, Debug, PartialEq)]
pub struct CustomShape {
    pub dir: Vec3,
    /// The plane's first axis (horizontal); the second is `dir × tangent`.
    pub tangent: Vec3,
    /// At most [`MAX_CORNERS`].
    pub corners: Vec<[f32; 2]>,
}

/// The treated area of one plan on one head.
#[derive(Clone, Debug)]
pub struct Zone {
    /// The vertical axis φ is measured around (x, z; y = 0).
    pub center: Vec3,
    /// Width of the hairline's transition band, mm.
    pub band_width_mm: f32,
    /// The largest density of the zones in use, dots/mm².
    pub max_density_per_mm2: f32,
    /// Above this height is the top (or crown), mm.
    pub top_y: f32,
    /// Behind this (z) on the top is the crown, mm.
    pub crown_z: f32,
    pub hairline_depth_mm: f32,
    pub front_cos: f32,
    pub back_cos: f32,
    /// Height of the patches' and custom zones' centre of projection, mm.
    pub projection_y: f32,
    pub patch_edge_mm: f32,
    pub scars_only: bool,
    pub patches: Vec<Patch>,
    /// Per zone id.
    pub table: [ZoneRow; ZONE_COUNT],
    /// The custom zones in use.
    pub custom: Vec<CustomShape>,
    pub scars: Scars,
    /// y_b(φ) for φ = −π + 2π·k/N.
    pub boundary: Vec<f32>,
}

/// Where a point stands relative to the treated area.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ZoneSample {
    /// Height above the boundary along +Y (mm); ≤ 0 is untreated.
    pub above_mm: f32,
    /// Density ramp across the transition band, 0 at the line, 1 fully inside.
    pub ramp: f32,
    pub zone: ZoneId,
    /// The built-in zone here, under any custom zone or scar zone (`zone`).
    pub region: ZoneId,
    /// Target dots per mm² here (zone density × ramp).
    pub density_per_mm2: f32,
}

/// The control points' offset at `x` = φ/φ_t (1 the left corner, −1 the right): a cubic
/// (Catmull-Rom) curve through the five heights at x = 1, ½, 0, −½, −1, held beyond them.
fn control_offset(points: &[f32], x: f32) -> f32 {
    if points.len() != 5 {
        return 0.0;
    }
    // Knot k sits at x = 1 − k/2.
    let t = ((1.0 - x.clamp(-1.0, 1.0)) * 2.0).clamp(0.0, 4.0);
    let k = (t.floor() as usize).min(3);
    let f = t - k as f32;
    let p = |i: isize| points[i.clamp(0, 4) as usize];
    let (p0, p1, p2, p3) = (
        p(k as isize - 1),
        p(k as isize),
        p(k as isize + 1),
        p(k as isize + 2),
    );
    0.5 * ((2.0 * p1)
        + (-p0 + p2) * f
        + (2.0 * p0 - 5.0 * p1 + 4.0 * p2 - p3) * f * f
        + (-p0 + 3.0 * p1 - 3.0 * p2 + p3) * f * f * f)
}

/// How much of the front line's shaping reaches azimuth |φ| = `a`: all of it across the front,
/// fading out over the drop down the temples.
fn front_weight_of(a: f32, phi_t: f32) -> f32 {
    1.0 - smooth((a - phi_t) / 0.6)
}

/// The heights the boundary is drawn through on a head, mm, and the temple corners' azimuths.
struct LineLevels {
    front: f32,
    corner: f32,
    side: f32,
    back: f32,
    phi_t_left: f32,
    phi_t_right: f32,
}

impl LineLevels {
    fn new(o: &Outline, lm: &Landmarks, center: Vec3, ear_y: f32) -> LineLevels {
        let phi_of = |p: Vec3| (p.x - center.x).atan2(p.z - center.z);
        // Style: how the line rises from the centre to the temple corners, and how deep the
        // corners are.
        let front = lm.glabella.y + o.front_above_glabella_mm + o.shape.front_offset_mm;
        LineLevels {
            front,
            corner: front + o.temple_recession_mm * o.shape.recession_scale,
            side: ear_y + o.side_above_ear_mm,
            back: lm.occipital.y - o.back_below_occipital_mm,
            phi_t_left: phi_of(lm.temple_left).abs().clamp(0.3, 1.2),
            phi_t_right: phi_of(lm.temple_right).abs().clamp(0.3, 1.2),
        }
    }
}

/// Micro zig-zag at azimuth φ, −1..1: two octaves of value noise along the arc (~3.5 mm and
/// ~9 mm wavelength at the hairline's radius of ~95 mm).
fn zigzag(seed: u32, phi: f32) -> f32 {
    let octave = |knots: usize, stream: u32| {
        let t = (phi + PI) / TAU * knots as f32;
        let k0 = (t.floor() as usize) % knots;
        let k1 = (k0 + 1) % knots;
        let f = smooth(t - t.floor());
        let v = |k: usize| {
            2.0 * hash::rand01(seed, k as u32, hash::stream::HAIRLINE_ZIGZAG + stream) - 1.0
        };
        v(k0) + (v(k1) - v(k0)) * f
    };
    0.6 * octave(170, 0) + 0.4 * octave(66, 1)
}

/// The boundary height y_b(φ) of outline `o` through `levels` (`seed`: the zig-zag's).
fn boundary_height(o: &Outline, levels: &LineLevels, seed: u32, phi: f32) -> f32 {
    let a = phi.abs();
    let phi_t = if phi >= 0.0 {
        levels.phi_t_left
    } else {
        levels.phi_t_right
    };
    // Past the corner the line drops down the temple to the side level by this azimuth.
    let ps = (phi_t + 0.55).min(1.9);
    let (y_front, y_corner, y_side) = (levels.front, levels.corner, levels.side);
    let base = if a <= phi_t {
        y_front + (y_corner - y_front) * (a / phi_t).powf(o.shape.exponent)
    } else if a <= ps {
        y_corner + (y_side - y_corner) * smooth((a - phi_t) / (ps - phi_t))
    } else {
        // Sides to back: a smooth fall from the side level to the back level.
        let t = (a - ps) / (PI - ps);
        y_side + (levels.back - y_side) * smooth(t)
    };
    // Left (φ > 0) higher by half the asymmetry, right lower by half; sin keeps the
    // midline front and back continuous.
    let asym = 0.5 * o.asymmetry_mm * phi.sin();
    // The asymmetry error: one temple corner drawn higher, the other lower, each
    // side level from its corner on (the midline stays put).
    let asym = asym + 0.5 * o.asymmetry_error_mm * phi.signum() * smooth(a / phi_t);
    // The practitioner's control points: a smooth curve through five heights from
    // the left corner (φ = φ_t) to the right (φ = −φ_t), held past the corners and
    // faded out down the temples.
    let control = control_offset(&o.control_mm, phi / phi_t) * front_weight_of(a, phi_t);
    // The zig-zag belongs to the front hairline; sides and back blend into a fringe.
    let front_weight = 1.0 - smooth((a - phi_t) / 0.6);
    let zig = o.irregularity_mm * zigzag(seed, phi) * (0.35 + 0.65 * front_weight);
    base + asym + zig + control
}

/// The custom zones' shapes (those in use) and the zone table: every zone's row.
fn zone_table(d: &ZoneDesign) -> ([ZoneRow; ZONE_COUNT], Vec<CustomShape>) {
    let mut table = [ZoneRow::default(); ZONE_COUNT];
    for (zone, w) in ZoneId::ALL.into_iter().zip(&d.builtin) {
        table[zone as usize] = d.row(w);
    }
    table[ZoneId::Scar as usize] = d.row(&d.scar);
    let mut custom = Vec::new();
    for (k, cz) in d.custom.iter().take(MAX_CUSTOM).enumerate() {
        table[ZoneId::custom(k) as usize] = d.row(&cz.work);
        let Some((c, e1, corners)) = custom_frame(&cz.polygon) else {
            break;
        };
        custom.push(CustomShape {
            dir: c,
            tangent: e1,
            corners: corners.into_iter().take(MAX_CORNERS).collect(),
        });
    }
    (table, custom)
}

/// The alopecia patches of `d` round their directions.
fn patch_shapes(d: &ZoneDesign) -> Vec<Patch> {
    d.patches
        .iter()
        .take(MAX_PATCHES)
        .map(|&[az, el, width_mm, height_mm]| {
            let dir = direction(az, el);
            Patch {
                dir,
                tangent: Vec3::Y.cross(dir).try_normalize().unwrap_or(Vec3::X),
                width_mm,
                height_mm,
            }
        })
        .collect()
}

impl Zone {
    /// The zone `d` describes on a head with landmarks `lm`.
    pub fn new(d: &ZoneDesign, lm: &Landmarks) -> Zone {
        let center = Vec3::new(
            0.5 * (lm.ear_top_left.x + lm.ear_top_right.x),
            0.0,
            0.5 * (lm.glabella.z + lm.occipital.z),
        );
        let ear_y = 0.5 * (lm.ear_top_left.y + lm.ear_top_right.y);
        let levels = LineLevels::new(&d.outline, lm, center, ear_y);
        let boundary = (0..BOUNDARY_SAMPLES)
            .map(|k| {
                let phi = -PI + TAU * k as f32 / BOUNDARY_SAMPLES as f32;
                boundary_height(&d.outline, &levels, d.seed, phi)
            })
            .collect();
        let (table, custom) = zone_table(d);
        Zone {
            center,
            band_width_mm: d.outline.band_width_mm,
            // Only zones that can hold dots count towards the largest density.
            max_density_per_mm2: d.max_density_per_mm2(),
            top_y: ear_y + 0.6 * (lm.vertex.y - ear_y),
            crown_z: lm.vertex.z - 20.0,
            hairline_depth_mm: HAIRLINE_ZONE_MM,
            front_cos: FRONT_COS,
            back_cos: BACK_COS,
            projection_y: ear_y,
            patch_edge_mm: PATCH_EDGE_MM,
            scars_only: d.scars_only,
            patches: patch_shapes(d),
            table,
            custom,
            scars: Scars::new(&d.scars, lm, center, d.seed),
            boundary,
        }
    }

    /// The GPU mirror, laid out as `ZoneParams` in the shaders.
    pub fn to_gpu(&self) -> ZoneGpu {
        let mut patches = [[0.0f32; 4]; 2 * MAX_PATCHES];
        for (k, p) in self.patches.iter().take(MAX_PATCHES).enumerate() {
            patches[2 * k] = [p.dir.x, p.dir.y, p.dir.z, p.width_mm];
            patches[2 * k + 1] = [p.tangent.x, p.tangent.y, p.tangent.z, p.height_mm];
        }
        let table = self
            .table
            .map(|r| [r.density_per_mm2, r.shade_offset, r.sessions as f32, 0.0]);
        let mut custom = [[0.0f32; 4]; MAX_CUSTOM * CUSTOM_ROWS];
        for (k, c) in self.custom.iter().take(MAX_CUSTOM).enumerate() {
            let rows = &mut custom[k * CUSTOM_ROWS..(k + 1) * CUSTOM_ROWS];
            let n = c.corners.len().min(MAX_CORNERS);
            rows[0] = [c.dir.x, c.dir.y, c.dir.z, n as f32];
            rows[1] = [c.tangent.x, c.tangent.y, c.tangent.z, 0.0];
            for (i, corner) in c.corners.iter().take(n).enumerate() {
                rows[2 + i / 2][2 * (i % 2)] = corner[0];
                rows[2 + i / 2][2 * (i % 2) + 1] = corner[1];
            }
        }
        ZoneGpu {
            center: [self.center.x, 0.0, self.center.z, self.band_width_mm],
            shape: [
                self.max_density_per_mm2,
                self.top_y,
                self.crown_z,
                self.custom.len() as f32,
            ],
            limits: [
                self.hairline_depth_mm,
                self.front_cos,
                self.back_cos,
                self.boundary.len() as f32,
            ],
            patch_info: [
                self.patches.len() as f32,
                self.projection_y,
                self.patch_edge_mm,
                self.scars_only as u32 as f32,
            ],
            patches,
            table,
            custom,
            scars: self.scars.to_gpu(),
        }
    }

    /// Boundary height at azimuth φ, linearly interpolated in the table.
    pub fn boundary_at(&self, phi: f32) -> f32 {
        let n = self.boundary.len();
        let t = (phi + PI) / TAU * n as f32;
        let tf = t.floor();
        let i0 = (tf as i64).rem_euclid(n as i64) as usize;
        let i1 = (i0 + 1) % n;
        let f = t - tf;
        self.boundary[i0] + (self.boundary[i1] - self.boundary[i0]) * f
    }

    /// The centre of projection of the patches and custom zones.
    fn projection_centre(&self) -> Vec3 {
        Vec3::new(self.center.x, self.projection_y, self.center.z)
    }

    /// How far inside the nearest alopecia patch `p` is, mm (negative outside); None when the
    /// plan has no patches. Mirrors `patch_inside` in shaders/shared/zone_sample.wgsl.
    pub fn patch_inside_mm(&self, p: Vec3) -> Option<f32> {
        if self.patches.is_empty() {
            return None;
        }
        let d = p - self.projection_centre();
        let r = d.length().max(1e-3);
        let q = d / r;
        let mut best = f32::NEG_INFINITY;
        for patch in &self.patches {
            let (dir, e1) = (patch.dir, patch.tangent);
            let e2 = dir.cross(e1);
            if q.dot(dir) <= 0.0 {
                continue;
            }
            // Millimetres along the surface, near enough, at this point's own radius.
            let (u, v) = (
                q.dot(e1) * r / (0.5 * patch.width_mm),
                q.dot(e2) * r / (0.5 * patch.height_mm),
            );
            let inside = (1.0 - (u * u + v * v).sqrt()) * 0.5 * patch.width_mm.min(patch.height_mm);
            best = best.max(inside);
        }
        Some(best)
    }

    /// Which custom zone `p` lies in (the first listed wins), if any. Mirrors `custom_zone`
    /// in shaders/shared/zone_sample.wgsl.
    pub fn custom_at(&self, p: Vec3) -> Option<usize> {
        let q = (p - self.projection_centre()).normalize_or_zero();
        for (k, c) in self.custom.iter().enumerate() {
            let (dir, e1) = (c.dir, c.tangent);
            let w = q.dot(dir);
            if w < 0.1 {
                continue;
            }
            let (x, y) = (q.dot(e1) / w, q.dot(dir.cross(e1)) / w);
            if in_polygon(x, y, &c.corners) {
                return Some(k);
            }
        }
        None
    }

    /// The built-in zone at `p`, given its cos φ and its height above the boundary.
    fn region_at(&self, p: Vec3, cos_phi: f32, above: f32) -> ZoneId {
        let front = cos_phi > self.front_cos;
        if front && above < self.band_width_mm + self.hairline_depth_mm {
            ZoneId::Hairline
        } else if p.y > self.top_y || cos_phi > 0.7 {
            if p.z < self.crown_z && p.y > self.top_y {
                ZoneId::Crown
            } else {
                ZoneId::Top
            }
        } else if cos_phi < self.back_cos {
            ZoneId::Back
        } else {
            ZoneId::Sides
        }
    }

    /// CPU reference of `zone_sample` in shaders/shared/zone_sample.wgsl.
    pub fn sample(&self, p: Vec3) -> ZoneSample {
        let dx = p.x - self.center.x;
        let dz = p.z - self.center.z;
        let phi = dx.atan2(dz);
        let cos_phi = dz / (dx * dx + dz * dz).sqrt().max(1e-6);
        let mut above = p.y - self.boundary_at(phi);
        let mut ramp = smooth(above / self.band_width_mm);
        // Alopecia: only the patches are treated, wherever they are on the scalp.
        if let Some(inside) = self.patch_inside_mm(p) {
            above = inside;
            ramp = smooth(inside / self.patch_edge_mm);
        } else if self.scars_only {
            // Scars only: the scalp round them keeps its hair.
            above = -1e9;
            ramp = 0.0;
        }
        let region = self.region_at(p, cos_phi, above);
        let mut zone = region;
        if let Some(k) = self.custom_at(p) {
            zone = ZoneId::custom(k);
        }
        // Scars are treated wherever they are, over the hairline's ramp.
        let scar = self.scars.zone_inside_mm(p);
        if scar > 0.0 {
            zone = ZoneId::Scar;
            above = above.max(scar);
            ramp = ramp.max(smooth(scar / self.scars.zone_edge_mm));
        }
        ZoneSample {
            above_mm: above,
            ramp,
            zone,
            region,
            density_per_mm2: if above > 0.0 {
                self.zone_density(zone) * ramp
            } else {
                0.0
            },
        }
    }

    /// Full (un-ramped) density of a zone, dots/mm².
    pub fn zone_density(&self, zone: ZoneId) -> f32 {
        self.table[zone as usize].density_per_mm2
    }

    /// Shade of a zone relative to the plan's, dilution steps.
    pub fn zone_shade_offset(&self, zone: ZoneId) -> f32 {
        self.table[zone as usize].shade_offset
    }

    /// Sessions a zone is worked in.
    pub fn zone_sessions(&self, zone: ZoneId) -> u32 {
        self.table[zone as usize].sessions
    }

    /// The zones that can hold dots in this plan: the built-in five, the scars when the plan
    /// has any, and its custom zones.
    pub fn zones_in_use(&self) -> Vec<ZoneId> {
        let mut v = ZoneId::ALL.to_vec();
        if self.scars.has_any() {
            v.push(ZoneId::Scar);
        }
        v.extend((0..self.custom.len()).map(ZoneId::custom));
        v
    }

    pub fn max_density(&self) -> f32 {
        self.max_density_per_mm2
    }

    pub fn band_width(&self) -> f32 {
        self.band_width_mm
    }
}
