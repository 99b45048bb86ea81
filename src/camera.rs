//! The camera: preset views that frame the head automatically.
use glam::{Mat4, Vec3};

#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum, Default)]
pub enum ViewPreset {
    Front,
    #[default]
    ThreeQuarter,
    Top,
    Back,
    /// The client's left side.
    Left,
    /// The client's right side.
    Right,
}

#[derive(Clone, Copy, Debug)]
pub struct Camera {
    pub eye: Vec3,
    pub target: Vec3,
    pub up: Vec3,
    /// Vertical field of view, radians.
    pub fov_y: f32,
    pub near: f32,
    pub far: f32,
}

/// What the preset views frame: a sample of the head's surface points from the crown down to
/// the chin (the neck and shoulders of a scan are left out), so a view can centre the head as it
/// is seen from its direction rather than its bounding box.
#[derive(Clone, Debug, PartialEq)]
pub struct Outline {
    points: Vec<Vec3>,
    lo: Vec3,
    hi: Vec3,
}

/// Points an outline keeps at most: enough for a silhouette to a pixel, cheap to fit.
const OUTLINE_POINTS: usize = 4096;
/// Share of the picture's height (or width, whichever binds) the head fills in a preset view.
const FILL: f32 = 0.88;
/// Vertical field of view of the preset views: a portrait lens at a consultation distance.
const PRESET_FOV_Y_DEG: f32 = 26.0;

/// Vertical field of view of close-ups: a long lens, so the skin is seen with little
/// perspective.
pub const CLOSE_UP_FOV_Y_DEG: f32 = 20.0;

/// Field of view (mm across) of a trichoscopy image at magnification 1×: a videodermatoscope
/// at 20× shows about 6 mm of scalp across, at 70× about 1.7 mm, so the width is 120 mm / M.
pub const TRICHOSCOPY_WIDTH_AT_1X_MM: f32 = 120.0;

/// How wide a close-up is: named by the skin it shows or by trichoscopy magnification.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum CloseUp {
    /// The picture shows this many millimetres of skin across.
    FieldMm(f32),
    /// As a trichoscope at this magnification shows it ([`TRICHOSCOPY_WIDTH_AT_1X_MM`] / M).
    Magnification(f32),
}

impl CloseUp {
    pub fn width_mm(self) -> f32 {
        match self {
            CloseUp::FieldMm(w) => w,
            CloseUp::Magnification(m) => TRICHOSCOPY_WIDTH_AT_1X_MM / m,
        }
    }

    /// How a caption names it.
    pub fn describe(self) -> String {
        match self {
            CloseUp::FieldMm(w) => format!("{w:.0} mm across"),
            CloseUp::Magnification(m) => {
                format!("{m:.0}× trichoscopy, {:.1} mm across", self.width_mm())
            }
        }
    }
}

impl Outline {
    /// The outline of `points` (any number; sampled down evenly). Empty input gives a unit box.
    pub fn new(points: impl IntoIterator<Item = Vec3>) -> Outline {
        let all: Vec<Vec3> = points.into_iter().filter(|p| p.is_finite()).collect();
        let step = all.len().div_ceil(OUTLINE_POINTS).max(1);
        let mut points: Vec<Vec3> = all.iter().step_by(step).copied().collect();
        let (mut lo, mut hi) = (Vec3::splat(f32::INFINITY), Vec3::splat(f32::NEG_INFINITY));
        for p in &all {
            lo = lo.min(*p);
            hi = hi.max(*p);
        }
        if points.is_empty() {
            (lo, hi) = (Vec3::splat(-1.0), Vec3::ONE);
            points = vec![lo, hi];
        }
        // The extremes always count, whatever the sampling skipped.
        for axis in 0..3 {
            for want_max in [false, true] {
                let best = all.iter().copied().reduce(|a, b| {
                    let (x, y) = (a[axis], b[axis]);
                    if (y > x) == want_max {
                        b
                    } else {
                        a
                    }
                });
                points.extend(best);
            }
        }
        Outline { points, lo, hi }
    }

    /// The axis-aligned box around it.
    pub fn bounds(&self) -> (Vec3, Vec3) {
        (self.lo, self.hi)
    }

    pub fn center(&self) -> Vec3 {
        0.5 * (self.lo + self.hi)
    }

    /// Half the box's diagonal, mm.
    pub fn radius(&self) -> f32 {
        0.5 * (self.hi - self.lo).length()
    }
}

impl Camera {
    /// Frames `outline` from the preset direction: the head centred in the picture, filling
    /// 88% of its height or width (whichever binds), seen through a portrait lens.
    pub fn framing(preset: ViewPreset, outline: &Outline, aspect: f32) -> Camera {
        let (az, el) = match preset {
            // Azimuth from +Z toward +X (the client's left), elevation above the horizon.
            ViewPreset::Front => (0.0f32, 12.0f32),
            ViewPreset::ThreeQuarter => (38.0, 24.0),
            ViewPreset::Top => (0.0, 89.0),
            ViewPreset::Back => (180.0, 18.0),
            ViewPreset::Left => (90.0, 12.0),
            ViewPreset::Right => (-90.0, 12.0),
        };
        let (az, el) = (az.to_radians(), el.to_radians());
        let back = Vec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos());
        // The top view looks down with the forehead at the top of the image.
        let up = if preset == ViewPreset::Top {
            Vec3::Z
        } else {
            Vec3::Y
        };
        Camera::fit(outline, back, up, PRESET_FOV_Y_DEG.to_radians(), aspect)
    }

    /// The camera looking along `-back` with `up` as near up as it can be, whose picture of
    /// `aspect` holds every point of `outline` centred and filling [`FILL`] of it.
    pub fn fit(outline: &Outline, back: Vec3, up: Vec3, fov_y: f32, aspect: f32) -> Camera {
        let back = back.normalize();
        let right = up.cross(back).normalize_or(Vec3::X);
        let up_v = back.cross(right);
        let ty = (0.5 * fov_y).tan() * FILL;
        let tx = ty * aspect;
        let mut target = outline.center();
        let mut dist = 0.0;
        // Perspective moves the picture's centre as the distance changes: re-centre on the
        // projected extremes a few times (each pass shrinks the offset several-fold).
        for _ in 0..4 {
            dist = outline
                .points
                .iter()
                .map(|p| {
                    let q = *p - target;
                    let z = q.dot(back);
                    z + (q.dot(right).abs() / tx).max(q.dot(up_v).abs() / ty)
                })
                .fold(0.0f32, f32::max)
                .max(1.0);
            let (mut u, mut v) = ((f32::MAX, f32::MIN), (f32::MAX, f32::MIN));
            for p in &outline.points {
                let q = *p - target;
                let depth = (dist - q.dot(back)).max(1e-3);
                let (x, y) = (q.dot(right) / depth, q.dot(up_v) / depth);
                u = (u.0.min(x), u.1.max(x));
                v = (v.0.min(y), v.1.max(y));
            }
            target += (right * 0.5 * (u.0 + u.1) + up_v * 0.5 * (v.0 + v.1)) * dist;
        }
        let radius = outline.radius();
        Camera {
            eye: target + back * dist,
            target,
            up,
            fov_y,
            near: (dist - 1.5 * radius).max(1.0),
            far: dist + 1.5 * radius,
        }
    }

    /// A close-up of the skin at `surface` (a point this camera sees), seen from the same
    /// direction through a long lens, the picture `width_mm` across at that point.
    pub fn close_up(&self, surface: Vec3, width_mm: f32, aspect: f32) -> Camera {
        let fov_y = CLOSE_UP_FOV_Y_DEG.to_radians();
        let back = (self.eye - self.target).normalize_or(Vec3::Z);
        let dist = 0.5 * width_mm / ((0.5 * fov_y).tan() * aspect);
        Camera {
            eye: surface + back * dist,
            target: surface,
            up: self.up,
            fov_y,
            near: (0.5 * dist).max(0.1),
            far: dist + 300.0,
        }
    }

    /// The same camera with its field of view narrowed `zoom` times (a telephoto close-up that
    /// keeps the camera outside the head).
    pub fn zoomed(mut self, zoom: f32) -> Camera {
        self.fov_y = 2.0 * ((0.5 * self.fov_y).tan() / zoom.max(1e-3)).atan();
        self
    }

    pub fn view(&self) -> Mat4 {
        Mat4::look_at_rh(self.eye, self.target, self.up)
    }

    pub fn proj(&self, aspect: f32) -> Mat4 {
        Mat4::perspective_rh(self.fov_y, aspect, self.near, self.far)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// An egg-shaped head off the origin with a chin below the front: not symmetric about its
    /// box's centre.
    fn head_points() -> Outline {
        let mut pts = Vec::new();
        for i in 0..60 {
            for j in 0..30 {
                let (a, b) = (
                    i as f32 / 60.0 * std::f32::consts::TAU,
                    j as f32 / 29.0 * 3.1,
                );
                let (s, c) = (b.sin(), b.cos());
                pts.push(Vec3::new(75.0 * s * a.cos(), 110.0 * c, 95.0 * s * a.sin()));
            }
        }
        pts.push(Vec3::new(0.0, -150.0, 80.0));
        Outline::new(pts.into_iter().map(|p| p + Vec3::new(10.0, 20.0, -5.0)))
    }

    /// Image-plane extremes (NDC, −1…1) of the outline seen by `cam`.
    fn extremes(cam: &Camera, o: &Outline, aspect: f32) -> (f32, f32, f32, f32) {
        let vp = cam.proj(aspect) * cam.view();
        let mut e = (f32::MAX, f32::MIN, f32::MAX, f32::MIN);
        for p in &o.points {
            let c = vp.project_point3(*p);
            e = (e.0.min(c.x), e.1.max(c.x), e.2.min(c.y), e.3.max(c.y));
        }
        e
    }

    #[test]
    fn every_preset_centres_the_whole_outline_and_fills_the_binding_side() {
        let o = head_points();
        for aspect in [4.0 / 3.0, 1.0, 0.75] {
            for preset in [
                ViewPreset::Front,
                ViewPreset::ThreeQuarter,
                ViewPreset::Top,
                ViewPreset::Back,
                ViewPreset::Left,
                ViewPreset::Right,
            ] {
                let cam = Camera::framing(preset, &o, aspect);
                let (x0, x1, y0, y1) = extremes(&cam, &o, aspect);
                let ctx = format!("{preset:?} at aspect {aspect}: x {x0}…{x1}, y {y0}…{y1}");
                // Everything inside, centred to a pixel of a 1000-pixel picture.
                assert!(x0 > -1.0 && x1 < 1.0 && y0 > -1.0 && y1 < 1.0, "{ctx}");
                assert!((x0 + x1).abs() < 2e-3 && (y0 + y1).abs() < 2e-3, "{ctx}");
                // The side that binds is filled to FILL.
                let fill = (x1 - x0).max(y1 - y0) / 2.0;
                assert!((fill - FILL).abs() < 5e-3, "{ctx}: fill {fill}");
            }
        }
    }

    #[test]
    fn close_ups_are_named_by_width_or_trichoscopy_magnification() {
        assert_eq!(CloseUp::FieldMm(30.0).width_mm(), 30.0);
        assert!((CloseUp::Magnification(20.0).width_mm() - 6.0).abs() < 1e-4);
        let o = head_points();
        let cam = Camera::framing(ViewPreset::Top, &o, 1.0);
        let p = Vec3::new(0.0, 130.0, 0.0);
        let close = cam.close_up(p, 6.0, 1.0);
        // The picture is 6 mm across at the aimed point, seen from the same direction.
        let half = (close.eye - p).length() * (0.5 * close.fov_y).tan();
        assert!((2.0 * half - 6.0).abs() < 1e-3, "{half}");
        let (d0, d1) = (
            (cam.eye - cam.target).normalize(),
            (close.eye - close.target).normalize(),
        );
        assert!(d0.dot(d1) > 0.9999);
    }
}
