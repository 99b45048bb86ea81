//! The viewer's camera: orbit around a target, pan, zoom, preset views, all damped so the head
//! glides to where the hand left it instead of jumping frame to frame (on a CPU driver frames
//! are far apart, and an undamped jump reads as a stall).
use glam::Vec3;
use scalp::camera::{Camera, Outline, ViewPreset};

/// Where the camera is, as the hand moves it: azimuth from +Z toward +X (the client's left),
/// elevation above the horizon, distance to the target, and the target.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Pose {
    pub azimuth: f32,
    pub elevation: f32,
    pub distance: f32,
    pub target: Vec3,
}

/// Just short of the poles: looking straight down, "up" would be undefined.
const MAX_ELEVATION: f32 = 89.5 * std::f32::consts::PI / 180.0;
/// Time constant of the damping, seconds: the camera covers 63% of the way in this time.
const TAU_S: f32 = 0.07;
/// Radians per point dragged.
const ORBIT_PER_POINT: f32 = 0.008;

pub struct Orbit {
    /// Where the camera is drawn from now.
    pub current: Pose,
    /// Where it is heading.
    pub goal: Pose,
    /// The head's outline (what presets frame, what pan and zoom are limited by).
    outline: Outline,
    fov_y: f32,
    /// Distance at which a preset frames the head; zoom stays within a range around it.
    framing_distance: f32,
}

impl Orbit {
    pub fn new(outline: Outline, preset: ViewPreset, aspect: f32) -> Orbit {
        let pose = preset_pose(preset, &outline, aspect);
        Orbit {
            current: pose,
            goal: pose,
            fov_y: Camera::framing(preset, &outline, aspect).fov_y,
            outline,
            framing_distance: pose.distance,
        }
    }

    /// A new head: keep the direction the user chose, frame the new head.
    pub fn set_outline(&mut self, outline: Outline, aspect: f32) {
        let framed = preset_pose(ViewPreset::ThreeQuarter, &outline, aspect);
        self.outline = outline;
        self.framing_distance = framed.distance;
        for p in [&mut self.current, &mut self.goal] {
            p.target = framed.target;
            p.distance = framed.distance;
        }
    }

    /// Glide to a preset view.
    pub fn preset(&mut self, preset: ViewPreset, aspect: f32) {
        let mut goal = preset_pose(preset, &self.outline, aspect);
        // Turn the short way round from where the camera is.
        goal.azimuth = self.current.azimuth + wrap_pi(goal.azimuth - self.current.azimuth);
        self.goal = goal;
    }

    /// Left drag by `(dx, dy)` points: turn the head under the hand.
    pub fn orbit(&mut self, dx: f32, dy: f32) {
        self.goal.azimuth -= dx * ORBIT_PER_POINT;
        self.goal.elevation =
            (self.goal.elevation + dy * ORBIT_PER_POINT).clamp(-MAX_ELEVATION, MAX_ELEVATION);
    }

    /// Right or middle drag by `(dx, dy)` points in a view `view_height` points tall: the
    /// point under the hand stays under the hand.
    pub fn pan(&mut self, dx: f32, dy: f32, view_height: f32) {
        let mm_per_point =
            2.0 * self.goal.distance * (0.5 * self.fov_y).tan() / view_height.max(1.0);
        let (right, up) = screen_axes(&self.goal);
        let radius = self.outline.radius();
        let centre = self.outline.center();
        let target = self.goal.target + (-dx * right + dy * up) * mm_per_point;
        // Keep the head in reach: the target never leaves a sphere around it.
        let off = target - centre;
        self.goal.target = centre + off.clamp_length_max(radius);
    }

    /// Zoom by `factor` (> 1 closer), from the wheel or a pinch.
    pub fn zoom(&mut self, factor: f32) {
        if factor.is_finite() && factor > 0.0 {
            self.goal.distance = (self.goal.distance / factor)
                .clamp(0.25 * self.framing_distance, 3.0 * self.framing_distance);
        }
    }

    /// Moves `current` toward `goal` over `dt` seconds; returns whether it is still moving.
    pub fn step(&mut self, dt: f32) -> bool {
        let k = 1.0 - (-dt.clamp(0.0, 1.0) / TAU_S).exp();
        let (c, g) = (&mut self.current, &self.goal);
        c.azimuth += (g.azimuth - c.azimuth) * k;
        c.elevation += (g.elevation - c.elevation) * k;
        // Zoom is multiplicative to the eye: damp the logarithm.
        c.distance *= (g.distance / c.distance).powf(k);
        c.target += (g.target - c.target) * k;
        let moving = self.is_moving();
        if !moving {
            self.current = self.goal;
        }
        moving
    }

    /// Whether `current` has visibly further to go (under a hundredth of a degree and a
    /// hundredth of a millimetre counts as arrived).
    pub fn is_moving(&self) -> bool {
        let (c, g) = (&self.current, &self.goal);
        (g.azimuth - c.azimuth).abs() > 2e-4
            || (g.elevation - c.elevation).abs() > 2e-4
            || (g.distance / c.distance - 1.0).abs() > 1e-4
            || (g.target - c.target).length() > 1e-2
    }

    /// The camera to render `current` with.
    pub fn camera(&self) -> Camera {
        let p = &self.current;
        let eye = p.target + direction(p) * p.distance;
        // Near and far hug the head wherever the camera is, for depth precision.
        let centre = self.outline.center();
        let radius = self.outline.radius();
        let d = (eye - centre).length();
        Camera {
            eye,
            target: p.target,
            up: Vec3::Y,
            fov_y: self.fov_y,
            near: (d - 1.5 * radius).max(1.0),
            far: d + 1.5 * radius,
        }
    }
}

fn direction(p: &Pose) -> Vec3 {
    Vec3::new(
        p.elevation.cos() * p.azimuth.sin(),
        p.elevation.sin(),
        p.elevation.cos() * p.azimuth.cos(),
    )
}

/// The image's right and up directions in head space for pose `p`.
fn screen_axes(p: &Pose) -> (Vec3, Vec3) {
    let back = direction(p);
    let right = Vec3::Y.cross(back).normalize_or(Vec3::X);
    (right, back.cross(right))
}

fn wrap_pi(a: f32) -> f32 {
    let tau = std::f32::consts::TAU;
    (a + std::f32::consts::PI).rem_euclid(tau) - std::f32::consts::PI
}

/// The pose that shows what `scalp render --view` shows, from the library's framing.
pub fn preset_pose(preset: ViewPreset, outline: &Outline, aspect: f32) -> Pose {
    let cam = Camera::framing(preset, outline, aspect);
    let d = cam.eye - cam.target;
    let distance = d.length();
    let elevation = (d.y / distance).clamp(-1.0, 1.0).asin().min(MAX_ELEVATION);
    // The library's top view looks down with the forehead at the top of the image; with +Y
    // as up that is the view from just behind the vertex.
    let azimuth = if preset == ViewPreset::Top {
        std::f32::consts::PI
    } else {
        d.x.atan2(d.z)
    };
    Pose {
        azimuth,
        elevation,
        distance,
        target: cam.target,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bounds() -> (Vec3, Vec3) {
        (
            Vec3::new(-80.0, -60.0, -100.0),
            Vec3::new(80.0, 120.0, 100.0),
        )
    }

    /// The box's corners as an outline.
    fn outline() -> Outline {
        let (lo, hi) = bounds();
        Outline::new((0..8).map(|i| {
            Vec3::new(
                if i & 1 == 0 { lo.x } else { hi.x },
                if i & 2 == 0 { lo.y } else { hi.y },
                if i & 4 == 0 { lo.z } else { hi.z },
            )
        }))
    }

    #[test]
    fn presets_see_the_head_from_where_scalp_render_does() {
        for preset in [
            ViewPreset::Front,
            ViewPreset::ThreeQuarter,
            ViewPreset::Back,
            ViewPreset::Left,
            ViewPreset::Right,
        ] {
            let o = Orbit::new(outline(), preset, 1.3);
            let want = Camera::framing(preset, &outline(), 1.3);
            let got = o.camera();
            assert!((got.eye - want.eye).length() < 1e-2, "{preset:?}");
            assert!((got.target - want.target).length() < 1e-3, "{preset:?}");
        }
        // Top: from above with the forehead (+Z) at the top of the image.
        let o = Orbit::new(outline(), ViewPreset::Top, 1.3);
        let cam = o.camera();
        let forward = (cam.target - cam.eye).normalize();
        assert!(forward.y < -0.99);
        let screen_up = (cam.up - forward * cam.up.dot(forward)).normalize();
        assert!(screen_up.z > 0.99, "{screen_up}");
    }

    #[test]
    fn motion_is_damped_and_arrives() {
        let mut o = Orbit::new(outline(), ViewPreset::Front, 1.0);
        o.orbit(100.0, 0.0);
        let start = o.current.azimuth;
        assert!(o.step(0.016));
        let first = o.current.azimuth;
        assert!(
            first != start && (first - start).abs() < (o.goal.azimuth - start).abs(),
            "one frame moves part of the way"
        );
        // A long frame (a CPU driver) does not overshoot.
        o.step(0.5);
        assert!((o.current.azimuth - o.goal.azimuth).abs() <= (first - o.goal.azimuth).abs());
        let mut frames = 0;
        while o.step(0.016) {
            frames += 1;
            assert!(frames < 200, "never arrives");
        }
        assert_eq!(o.current, o.goal);
    }

    #[test]
    fn presets_turn_the_short_way_and_zoom_and_pan_are_bounded() {
        let mut o = Orbit::new(outline(), ViewPreset::Right, 1.0);
        o.orbit(-2000.0, 0.0); // several turns to the left
        o.step(10.0);
        o.preset(ViewPreset::Left, 1.0);
        assert!((o.goal.azimuth - o.current.azimuth).abs() <= std::f32::consts::PI + 1e-4);
        let d0 = o.goal.distance;
        for _ in 0..100 {
            o.zoom(2.0);
        }
        assert!(o.goal.distance >= 0.25 * d0 - 1e-3);
        o.zoom(f32::NAN);
        assert!(o.goal.distance.is_finite());
        for _ in 0..100 {
            o.pan(1e4, -1e4, 600.0);
        }
        let centre = 0.5 * (bounds().0 + bounds().1);
        assert!(
            (o.goal.target - centre).length() <= 0.5 * (bounds().1 - bounds().0).length() + 1e-3
        );
        o.orbit(0.0, 1e6);
        assert!(o.goal.elevation <= MAX_ELEVATION);
    }

    #[test]
    fn pan_moves_the_target_across_the_screen() {
        let mut o = Orbit::new(outline(), ViewPreset::Front, 1.0);
        let t0 = o.goal.target;
        o.pan(-10.0, 0.0, 600.0);
        // Dragging left from the front: the head follows the hand, the target moves to +X.
        assert!(o.goal.target.x > t0.x);
        assert!((o.goal.target.y - t0.y).abs() < 1e-3);
    }
}
