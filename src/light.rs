//! Lighting presets: the rooms a client sees the result in (issue "Looks real", part 5).
//!
//! Radiance is HDR and in relative units: the consultation room's key light gives an irradiance
//! of 1 on a surface facing it. Each preset carries the exposure a photographer would set for
//! it, so a sunny street and a dim room both land in the tone mapper's range; the tone mapper
//! (Khronos PBR Neutral, `composite.wgsl`) is linear up to ~0.76 and rolls off above, keeping
//! hue, which suits skin. The picture is white-balanced to the key light, as the eye adapts and a
//! phone camera balances: the key reads white, and the other lights keep their colour relative
//! to it (the blue sky fill in the shade of the sun, the warm room behind a flash).
use glam::Vec3;

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum LightPreset {
    /// Consultation room: soft overhead panel, ~4000 K, gentle frontal fill.
    #[default]
    Consultation,
    /// Window daylight from the client's left side, ~6500 K, dim fill from the room.
    Daylight,
    /// Phone camera flash at the lens: frontal, hard, falling off with distance; the harshest
    /// test of SMP (no shading hides the dots).
    Flash,
    /// Outdoor midday sun: top-down, hard, ~5500 K, with a blue sky.
    Sun,
}

impl LightPreset {
    pub const ALL: [LightPreset; 4] = [
        LightPreset::Consultation,
        LightPreset::Daylight,
        LightPreset::Flash,
        LightPreset::Sun,
    ];

    pub fn name(self) -> &'static str {
        match self {
            LightPreset::Consultation => "consultation room",
            LightPreset::Daylight => "window daylight",
            LightPreset::Flash => "phone flash",
            LightPreset::Sun => "midday sun",
        }
    }
}

/// Where the key light is.
#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Key {
    /// A distant light: the direction toward it, in head space (+Y up, face toward +Z).
    Directional(Vec3),
    /// A small light at the camera (a flash): its irradiance falls as 1/d², equal to the
    /// nominal intensity at the distance from the camera to the head's centre.
    AtCamera,
}

/// A lighting set-up, resolved to linear RGB radiometry.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Light {
    pub key: Key,
    /// Key light colour × irradiance (linear RGB).
    pub key_rgb: Vec3,
    /// Angular radius of the key as seen from the skin, radians: widens the sebum highlight
    /// (a soft panel gives a broad sheen, the sun and a flash a pin-point glint).
    pub key_softness: f32,
    pub fill_dir: Vec3,
    pub fill_rgb: Vec3,
    /// Hemisphere ambient: radiance from above and from below.
    pub sky_rgb: Vec3,
    pub ground_rgb: Vec3,
    /// Linear multiplier before tone mapping.
    pub exposure: f32,
}

impl Light {
    pub fn preset(p: LightPreset) -> Light {
        let key_kelvin = match p {
            LightPreset::Consultation => 4000.0,
            LightPreset::Daylight => 6500.0,
            LightPreset::Flash | LightPreset::Sun => 5500.0,
        };
        // Von Kries white balance to the key.
        let balance = Vec3::ONE / kelvin_rgb(key_kelvin);
        let k = |t: f32| kelvin_rgb(t) * balance;
        match p {
            LightPreset::Consultation => Light {
                // A ceiling panel a little in front of the client.
                key: Key::Directional(Vec3::new(0.0, 0.92, 0.38).normalize()),
                key_rgb: k(4000.0) * 1.0,
                key_softness: 0.45,
                fill_dir: Vec3::new(0.3, 0.1, 1.0).normalize(),
                fill_rgb: k(4000.0) * 0.35,
                sky_rgb: k(4000.0) * 0.28,
                ground_rgb: k(3500.0) * 0.12,
                exposure: 0.78,
            },
            LightPreset::Daylight => Light {
                // A window to the client's left (−X), light coming in level and a little down.
                key: Key::Directional(Vec3::new(-0.92, 0.3, 0.25).normalize()),
                key_rgb: k(6500.0) * 2.4,
                key_softness: 0.3,
                fill_dir: Vec3::new(0.8, 0.2, 0.3).normalize(),
                fill_rgb: k(5000.0) * 0.25,
                sky_rgb: k(7500.0) * 0.35,
                ground_rgb: k(4500.0) * 0.15,
                exposure: 0.5,
            },
            LightPreset::Flash => Light {
                key: Key::AtCamera,
                key_rgb: k(5500.0) * 1.9,
                key_softness: 0.03,
                fill_dir: Vec3::Y,
                fill_rgb: Vec3::ZERO,
                // A dim room behind the flash.
                sky_rgb: k(3000.0) * 0.06,
                ground_rgb: k(3000.0) * 0.03,
                exposure: 0.75,
            },
            LightPreset::Sun => Light {
                key: Key::Directional(Vec3::new(0.12, 0.97, 0.2).normalize()),
                key_rgb: k(5500.0) * 9.0,
                key_softness: 0.0047,
                fill_dir: Vec3::Y,
                fill_rgb: Vec3::ZERO,
                sky_rgb: k(12000.0) * 1.6,
                ground_rgb: k(5000.0) * 0.55,
                exposure: 0.12,
            },
        }
    }
}

/// Linear sRGB colour of a black body at `kelvin` (1667–25000 K), scaled to luminance 1.
/// Planckian locus in CIE xy after Kim et al. (2002) cubic splines, then XYZ → linear sRGB.
pub fn kelvin_rgb(kelvin: f32) -> Vec3 {
    let t = kelvin.clamp(1667.0, 25000.0) as f64;
    let (t2, t3) = (t * t, t * t * t);
    let x = if t <= 4000.0 {
        -0.2661239e9 / t3 - 0.2343589e6 / t2 + 0.8776956e3 / t + 0.179910
    } else {
        -3.0258469e9 / t3 + 2.1070379e6 / t2 + 0.2226347e3 / t + 0.240390
    };
    let (x2, x3) = (x * x, x * x * x);
    let y = if t <= 2222.0 {
        -1.1063814 * x3 - 1.34811020 * x2 + 2.18555832 * x - 0.20219683
    } else if t <= 4000.0 {
        -0.9549476 * x3 - 1.37418593 * x2 + 2.09137015 * x - 0.16748867
    } else {
        3.0817580 * x3 - 5.87338670 * x2 + 3.75112997 * x - 0.37001483
    };
    // XYZ with Y = 1.
    let (cx, cy, cz) = (x / y, 1.0, (1.0 - x - y) / y);
    let r = 3.2404542 * cx - 1.5371385 * cy - 0.4985314 * cz;
    let g = -0.9692660 * cx + 1.8760108 * cy + 0.0415560 * cz;
    let b = 0.0556434 * cx - 0.2040259 * cy + 1.0572252 * cz;
    Vec3::new(r as f32, g as f32, b as f32).max(Vec3::ZERO)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn luminance(c: Vec3) -> f32 {
        c.dot(Vec3::new(0.2126, 0.7152, 0.0722))
    }

    #[test]
    fn daylight_is_near_white_and_lower_temperatures_are_warmer() {
        let d65 = kelvin_rgb(6504.0);
        assert!((d65 - Vec3::ONE).abs().max_element() < 0.05, "{d65}");
        let warm = kelvin_rgb(3000.0);
        let room = kelvin_rgb(4000.0);
        let sky = kelvin_rgb(12000.0);
        let rb = |c: Vec3| c.x / c.z;
        assert!(rb(warm) > rb(room) && rb(room) > rb(d65) && rb(d65) > rb(sky));
        for c in [warm, room, sky] {
            assert!((luminance(c) - 1.0).abs() < 0.02);
        }
    }

    #[test]
    fn presets_are_finite_and_positive_and_balanced_to_the_key() {
        for p in LightPreset::ALL {
            let l = Light::preset(p);
            let c = l.key_rgb / l.key_rgb.x;
            assert!((c - Vec3::ONE).abs().max_element() < 1e-4, "{p:?} key {c}");
            for v in [l.key_rgb, l.fill_rgb, l.sky_rgb, l.ground_rgb] {
                assert!(v.is_finite() && v.min_element() >= 0.0, "{p:?}");
            }
            assert!(l.exposure > 0.0 && l.key_softness >= 0.0);
        }
    }
}
