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
use crate::plan::{HairlineStyle, Plan};
use bytemuck::{Pod, Zeroable};
use glam::Vec3;
use std::f32::consts::{PI, TAU};

/// Samples of y_b(φ) over [−π, π): ~0.55 mm of arc each at the hairline, fine enough for a
/// zig-zag of ~3 mm wavelength.
pub const BOUNDARY_SAMPLES: usize = 1024;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
#[repr(u32)]
pub enum ZoneId {
    Hairline = 0,
    Top = 1,
    Crown = 2,
    Sides = 3,
    Back = 4,
}

impl ZoneId {
    pub const ALL: [ZoneId; 5] = [
        ZoneId::Hairline,
        ZoneId::Top,
        ZoneId::Crown,
        ZoneId::Sides,
        ZoneId::Back,
    ];
    pub fn name(self) -> &'static str {
        match self {
            ZoneId::Hairline => "hairline",
            ZoneId::Top => "top",
            ZoneId::Crown => "crown",
            ZoneId::Sides => "sides",
            ZoneId::Back => "back",
        }
    }
    pub fn from_u32(v: u32) -> ZoneId {
        match v {
            0 => ZoneId::Hairline,
            1 => ZoneId::Top,
            2 => ZoneId::Crown,
            3 => ZoneId::Sides,
            _ => ZoneId::Back,
        }
    }
}

/// GPU mirror of the zone parameters (`ZoneParams` in common.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable, PartialEq)]
pub struct ZoneGpu {
    /// x, z: the axis φ is measured around; y: unused; w: band width (mm).
    pub center: [f32; 4],
    /// dots/mm² of hairline, top, crown, sides.
    pub density_a: [f32; 4],
    /// x: dots/mm² of back; y: the largest zone density; z: top_y; w: crown_z.
    pub density_b: [f32; 4],
    /// x: hairline zone depth behind the line (mm); y: cos φ limit of the front sector;
    /// z: cos φ limit of the back sector; w: table length.
    pub limits: [f32; 4],
    /// x: number of alopecia patches (0: the whole scalp above the hairline is treated);
    /// y: height of the patches' centre of projection (mm); z: their soft edge (mm).
    pub patch_info: [f32; 4],
    /// Per patch, two rows: its direction from the centre of projection and its width (mm);
    /// its horizontal tangent and its height (mm).
    pub patches: [[f32; 4]; 2 * MAX_PATCHES],
}

/// Alopecia patches a plan may hold.
pub const MAX_PATCHES: usize = 8;
/// Soft edge of a patch's treatment, mm: density ramps up over it inside the patch.
pub const PATCH_EDGE_MM: f32 = 3.0;

/// The treated area of one plan on one head.
#[derive(Clone, Debug)]
pub struct Zone {
    pub gpu: ZoneGpu,
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

fn smooth(t: f32) -> f32 {
    let t = t.clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

impl Zone {
    pub fn new(plan: &Plan, lm: &Landmarks) -> Zone {
        // The hairline and densities as the practitioner worked them (technique errors in).
        let h = &crate::technique::hairline(plan);
        let asymmetry_error = crate::technique::asymmetry_error_mm(plan);
        let center = Vec3::new(
            0.5 * (lm.ear_top_left.x + lm.ear_top_right.x),
            0.0,
            0.5 * (lm.glabella.z + lm.occipital.z),
        );
        let phi_of = |p: Vec3| (p.x - center.x).atan2(p.z - center.z);
        let ear_y = 0.5 * (lm.ear_top_left.y + lm.ear_top_right.y);

        // Style: how the line rises from the centre to the temple corners, and how deep the
        // corners are. Juvenile lines are lower and flatter, receding ones deeper at the temples.
        let (front_offset, recession_scale, exponent) = match h.style {
            HairlineStyle::Juvenile => (-6.0, 0.5, 4.0),
            HairlineStyle::Mature => (0.0, 1.0, 2.0),
            HairlineStyle::Receding => (4.0, 1.8, 1.4),
        };
        let y_front = lm.glabella.y + h.front_above_glabella_mm + front_offset;
        let y_corner = y_front + h.temple_recession_mm * recession_scale;
        let y_side = ear_y + h.side_above_ear_mm;
        let y_back = lm.occipital.y - h.back_below_occipital_mm;
        let phi_t_left = phi_of(lm.temple_left).abs().clamp(0.3, 1.2);
        let phi_t_right = phi_of(lm.temple_right).abs().clamp(0.3, 1.2);
        // Past the corner the line drops down the temple to the side level by this azimuth.
        let phi_side = |phi_t: f32| (phi_t + 0.55).min(1.9);

        // Micro zig-zag: two octaves of value noise along the arc (~3.5 mm and ~9 mm wavelength
        // at the hairline's radius of ~95 mm), amplitude `irregularity_mm`.
        let knots_fine = 170usize;
        let knots_coarse = 66usize;
        let noise = |phi: f32| -> f32 {
            let octave = |knots: usize, stream: u32| {
                let t = (phi + PI) / TAU * knots as f32;
                let k0 = (t.floor() as usize) % knots;
                let k1 = (k0 + 1) % knots;
                let f = smooth(t - t.floor());
                let v = |k: usize| 2.0 * hash::rand01(plan.seed, k as u32, 100 + stream) - 1.0;
                v(k0) + (v(k1) - v(k0)) * f
            };
            0.6 * octave(knots_fine, 0) + 0.4 * octave(knots_coarse, 1)
        };

        let boundary = (0..BOUNDARY_SAMPLES)
            .map(|k| {
                let phi = -PI + TAU * k as f32 / BOUNDARY_SAMPLES as f32;
                let a = phi.abs();
                let phi_t = if phi >= 0.0 { phi_t_left } else { phi_t_right };
                let ps = phi_side(phi_t);
                let base = if a <= phi_t {
                    y_front + (y_corner - y_front) * (a / phi_t).powf(exponent)
                } else if a <= ps {
                    y_corner + (y_side - y_corner) * smooth((a - phi_t) / (ps - phi_t))
                } else {
                    // Sides to back: a smooth fall from the side level to the back level.
                    let t = (a - ps) / (PI - ps);
                    y_side + (y_back - y_side) * smooth(t)
                };
                // Left (φ > 0) higher by half the asymmetry, right lower by half; sin keeps the
                // midline front and back continuous.
                let asym = 0.5 * h.asymmetry_mm * phi.sin();
                // The asymmetry error: one temple corner drawn higher, the other lower, each
                // side level from its corner on (the midline stays put).
                let asym = asym + 0.5 * asymmetry_error * phi.signum() * smooth(a / phi_t);
                // The practitioner's control points: a smooth curve through five heights from
                // the left corner (φ = φ_t) to the right (φ = −φ_t), held past the corners and
                // faded out down the temples.
                let control =
                    control_offset(&h.control_mm, phi / phi_t) * front_weight_of(a, phi_t);
                // The zig-zag belongs to the front hairline; sides and back blend into a fringe.
                let front_weight = 1.0 - smooth((a - phi_t) / 0.6);
                let zig = h.irregularity_mm * noise(phi) * (0.35 + 0.65 * front_weight);
                base + asym + zig + control
            })
            .collect();

        let d = &crate::technique::density(plan);
        let per_mm2 = |per_cm2: f32| per_cm2 / 100.0;
        let max_density = [d.hairline, d.top, d.crown, d.sides, d.back]
            .into_iter()
            .fold(0.0f32, f32::max);
        let top_y = ear_y + 0.6 * (lm.vertex.y - ear_y);
        let crown_z = lm.vertex.z - 20.0;
        Zone {
            gpu: ZoneGpu {
                center: [center.x, 0.0, center.z, h.band_width_mm],
                density_a: [
                    per_mm2(d.hairline),
                    per_mm2(d.top),
                    per_mm2(d.crown),
                    per_mm2(d.sides),
                ],
                density_b: [per_mm2(d.back), per_mm2(max_density), top_y, crown_z],
                limits: [10.0, 0.5, -0.5, BOUNDARY_SAMPLES as f32],
                patch_info: [
                    plan.alopecia.patches.len().min(MAX_PATCHES) as f32,
                    ear_y,
                    PATCH_EDGE_MM,
                    0.0,
                ],
                patches: {
                    let mut rows = [[0.0f32; 4]; 2 * MAX_PATCHES];
                    for (k, p) in plan.alopecia.patches.iter().take(MAX_PATCHES).enumerate() {
                        let [az, el, width_mm, height_mm] = *p;
                        let (az, el) = (az.to_radians(), el.to_radians());
                        let dir = Vec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos());
                        let e1 = Vec3::Y.cross(dir).try_normalize().unwrap_or(Vec3::X);
                        rows[2 * k] = [dir.x, dir.y, dir.z, width_mm];
                        rows[2 * k + 1] = [e1.x, e1.y, e1.z, height_mm];
                    }
                    rows
                },
            },
            boundary,
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

    /// How far inside the nearest alopecia patch `p` is, mm (negative outside); None when the
    /// plan has no patches. Mirrors `patch_inside` in zone.wgsl.
    pub fn patch_inside_mm(&self, p: Vec3) -> Option<f32> {
        let g = &self.gpu;
        let n = g.patch_info[0] as usize;
        if n == 0 {
            return None;
        }
        let c = Vec3::new(g.center[0], g.patch_info[1], g.center[2]);
        let d = p - c;
        let r = d.length().max(1e-3);
        let q = d / r;
        let mut best = f32::NEG_INFINITY;
        for k in 0..n {
            let a = g.patches[2 * k];
            let b = g.patches[2 * k + 1];
            let dir = Vec3::new(a[0], a[1], a[2]);
            let e1 = Vec3::new(b[0], b[1], b[2]);
            let e2 = dir.cross(e1);
            if q.dot(dir) <= 0.0 {
                continue;
            }
            // Millimetres along the surface, near enough, at this point's own radius.
            let (u, v) = (q.dot(e1) * r / (0.5 * a[3]), q.dot(e2) * r / (0.5 * b[3]));
            let inside = (1.0 - (u * u + v * v).sqrt()) * 0.5 * a[3].min(b[3]);
            best = best.max(inside);
        }
        Some(best)
    }

    /// CPU reference of `zone_sample` in common.wgsl.
    pub fn sample(&self, p: Vec3) -> ZoneSample {
        let g = &self.gpu;
        let dx = p.x - g.center[0];
        let dz = p.z - g.center[2];
        let phi = dx.atan2(dz);
        let cos_phi = dz / (dx * dx + dz * dz).sqrt().max(1e-6);
        let mut above = p.y - self.boundary_at(phi);
        let mut ramp = smooth(above / g.center[3]);
        // Alopecia: only the patches are treated, wherever they are on the scalp.
        if let Some(inside) = self.patch_inside_mm(p) {
            above = inside;
            ramp = smooth(inside / g.patch_info[2]);
        }
        let front = cos_phi > g.limits[1];
        let zone = if front && above < g.center[3] + g.limits[0] {
            ZoneId::Hairline
        } else if p.y > g.density_b[2] || cos_phi > 0.7 {
            if p.z < g.density_b[3] && p.y > g.density_b[2] {
                ZoneId::Crown
            } else {
                ZoneId::Top
            }
        } else if cos_phi < g.limits[2] {
            ZoneId::Back
        } else {
            ZoneId::Sides
        };
        let zone_density = match zone {
            ZoneId::Hairline => g.density_a[0],
            ZoneId::Top => g.density_a[1],
            ZoneId::Crown => g.density_a[2],
            ZoneId::Sides => g.density_a[3],
            ZoneId::Back => g.density_b[0],
        };
        ZoneSample {
            above_mm: above,
            ramp,
            zone,
            density_per_mm2: if above > 0.0 {
                zone_density * ramp
            } else {
                0.0
            },
        }
    }

    /// Full (un-ramped) density of a zone, dots/mm².
    pub fn zone_density(&self, zone: ZoneId) -> f32 {
        let g = &self.gpu;
        match zone {
            ZoneId::Hairline => g.density_a[0],
            ZoneId::Top => g.density_a[1],
            ZoneId::Crown => g.density_a[2],
            ZoneId::Sides => g.density_a[3],
            ZoneId::Back => g.density_b[0],
        }
    }

    pub fn max_density(&self) -> f32 {
        self.gpu.density_b[1]
    }

    pub fn band_width(&self) -> f32 {
        self.gpu.center[3]
    }
}
