//! Where the camera looks for a close-up or a whole-head picture: the framings the comparison
//! sheets and the metrics share.
use crate::camera::{Camera, ViewPreset};
use crate::head::Head;
use crate::technique::TechniqueError;
use glam::Vec3;

/// Where the camera looks.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Framing {
    /// A close-up of the skin at the vertex, `width_mm` across, seen a little from the front.
    Vertex { width_mm: f32 },
    /// The forehead and temples from the front and a little above, `width_mm` across.
    Hairline { width_mm: f32 },
    /// One of the whole-head views.
    View(ViewPreset),
}

impl Framing {
    /// Where `error` shows best.
    pub fn for_error(error: TechniqueError) -> Framing {
        use TechniqueError as E;
        match error {
            // Dot size, depth, shade and rows show dot by dot: ~0.05 mm a pixel at 480 px.
            E::Oversized | E::TooDeep | E::TooShallow | E::WrongShade | E::GridSpacing => {
                Framing::Vertex { width_mm: 24.0 }
            }
            // Lost dot texture needs a field of dots: ~0.1 mm a pixel.
            E::OverSaturation => Framing::Vertex { width_mm: 90.0 },
            E::HarshHairline | E::Asymmetry => Framing::Hairline { width_mm: 120.0 },
            // Blotches of 1.5–3 cm need a field of several: ~0.2 mm a pixel.
            E::PatchyDensity => Framing::Vertex { width_mm: 80.0 },
            // How little the scalp changes needs a field of dots, as over-saturation.
            E::TooLight => Framing::Vertex { width_mm: 90.0 },
        }
    }

    /// A short description for titles and labels.
    pub fn describe(self) -> String {
        match self {
            Framing::Vertex { width_mm } => format!("vertex close-up, {width_mm:.0} mm across"),
            Framing::Hairline { width_mm } => format!("front hairline, {width_mm:.0} mm across"),
            Framing::View(v) => format!("{v:?} view").to_lowercase(),
        }
    }
}

/// The camera of `framing` for pictures of `aspect` (width / height), and for close-ups how
/// many pixels a millimetre of skin spans at the target per pixel of picture height
/// (multiply by the height).
pub fn camera(head: &Head, framing: Framing, aspect: f32) -> (Camera, Option<f32>) {
    let (target, dir, up, width) = match framing {
        Framing::View(v) => {
            let outline = crate::render::frame_outline(head);
            return (Camera::framing(v, &outline, aspect), None);
        }
        Framing::Vertex { width_mm } => {
            let (p, n) = surface_point(head, head.landmarks.vertex);
            // Tilted toward the face, so the skin's relief shows under the key light; the
            // top of the picture is the back of the head.
            let dir = (n + Vec3::Z * 0.5).normalize();
            (p, dir, -Vec3::Z, width_mm)
        }
        Framing::Hairline { width_mm } => {
            let lm = &head.landmarks;
            // On the skin above the midline hairline, level with the temple corners (which
            // sit higher than the midline), so the whole front line and both corners are in
            // the middle of the picture.
            let (target, _) = surface_point(head, lm.front_hairline + Vec3::Y * 26.0);
            // From 40° above the horizon the sloping band is seen nearly face on.
            let e = 40f32.to_radians();
            (target, Vec3::new(0.0, e.sin(), e.cos()), Vec3::Y, width_mm)
        }
    };
    let fov_y = crate::camera::CLOSE_UP_FOV_Y_DEG.to_radians();
    let half_w = (0.5 * fov_y).tan() * aspect;
    let dist = 0.5 * width / half_w;
    let cam = Camera {
        eye: target + dir * dist,
        target,
        up,
        fov_y,
        near: (dist - 120.0).max(1.0),
        far: dist + 250.0,
    };
    // Pixels per mm at the target, per pixel of height: (h/2) / (dist · tan(fov/2)) / h.
    (cam, Some(0.5 / (dist * (0.5 * fov_y).tan())))
}

/// Where a close-up from a preset view looks: the part of the scalp a clinic shows from that
/// side (the front line, a temple corner, the vertex, the crown, where the fringe meets the top).
pub fn close_up_aim(head: &Head, preset: ViewPreset) -> Vec3 {
    let lm = &head.landmarks;
    let side = |ear: Vec3| ear + (lm.vertex - ear) * 0.45;
    match preset {
        ViewPreset::Front => lm.front_hairline,
        ViewPreset::ThreeQuarter => lm.temple_left + Vec3::new(0.0, 8.0, -12.0),
        ViewPreset::Top => lm.vertex,
        ViewPreset::Back => crate::hair::whorl(head),
        ViewPreset::Left => side(lm.ear_top_left),
        ViewPreset::Right => side(lm.ear_top_right),
    }
}

/// A close-up `width_mm` across from the direction of `view` (a preset camera), aimed at the
/// preset's [`close_up_aim`] where the camera's ray to it meets the skin.
pub fn close_up(
    head: &Head,
    preset: ViewPreset,
    view: &Camera,
    width_mm: f32,
    aspect: f32,
) -> Camera {
    let aim = close_up_aim(head, preset);
    let surface = head.mesh.first_hit(view.eye, aim - view.eye).unwrap_or(aim);
    let toward = Camera {
        target: surface,
        ..*view
    };
    toward.close_up(surface, width_mm, aspect)
}

/// The mesh vertex nearest to `p` and its normal.
pub fn surface_point(head: &Head, p: Vec3) -> (Vec3, Vec3) {
    let m = &head.mesh;
    let i = (0..m.positions.len())
        .min_by(|&a, &b| {
            m.positions[a]
                .distance_squared(p)
                .total_cmp(&m.positions[b].distance_squared(p))
        })
        .unwrap_or(0);
    match (m.positions.get(i), m.normals.get(i)) {
        (Some(q), Some(n)) => (*q, *n),
        _ => (p, Vec3::Y),
    }
}
