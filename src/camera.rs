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

impl Camera {
    /// Frames the sphere around `(lo, hi)` from the preset direction, filling about 90% of the
    /// image's shorter side.
    pub fn framing(preset: ViewPreset, lo: Vec3, hi: Vec3, aspect: f32) -> Camera {
        let center = 0.5 * (lo + hi);
        let radius = 0.5 * (hi - lo).length() * 0.8;
        let fov_y: f32 = 26f32.to_radians();
        let half = if aspect >= 1.0 {
            0.5 * fov_y
        } else {
            (aspect * (0.5 * fov_y).tan()).atan()
        };
        let dist = radius / half.sin() / 0.95;
        let (az, el, up) = match preset {
            // Azimuth from +Z toward +X (the client's left), elevation above the horizon.
            ViewPreset::Front => (0.0f32, 12.0f32, Vec3::Y),
            ViewPreset::ThreeQuarter => (38.0, 24.0, Vec3::Y),
            ViewPreset::Top => (0.0, 89.0, Vec3::Y),
            ViewPreset::Back => (180.0, 18.0, Vec3::Y),
            ViewPreset::Left => (90.0, 12.0, Vec3::Y),
            ViewPreset::Right => (-90.0, 12.0, Vec3::Y),
        };
        let (az, el) = (az.to_radians(), el.to_radians());
        let dir = Vec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos());
        // The top view looks down with the forehead at the top of the image.
        let up = if preset == ViewPreset::Top {
            Vec3::Z
        } else {
            up
        };
        // Aim a little below the centre: the cranium then sits in the middle of the picture
        // rather than leaving the top empty, seen from above the horizon.
        let target = center - Vec3::Y * (0.12 * radius * el.sin().max(0.0) / 0.4);
        Camera {
            eye: target + dir * dist,
            target,
            up,
            fov_y,
            near: (dist - 1.5 * radius).max(1.0),
            far: dist + 1.5 * radius,
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
