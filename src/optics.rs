//! Optical constants of skin and pigment, in one place with their sources. The same numbers are
//! in `shaders/common.wgsl` (`optics_*`); a test checks they agree.
//!
//! Model (DESIGN.md "Optics", Christensen–Burley normalized diffusion): the fraction of light
//! of colour channel c that reaches depth z is P_c(z) = ¼·e^(−z/d_c) + ¾·e^(−z/(3·d_c)); the
//! dot's footprint seen from above is blurred to σ(z)² = σ₀² + (κ·z)²; the skin's albedo over
//! pigment becomes ρ·(1 − P_c(z)·(1 − T_ink)·M), M the blurred coverage.

/// Diffusion lengths d_c for (R, G, B), mm: DESIGN.md's starting point, which reproduces its
/// worked example (black ink at 0.5 mm keeps (0.29, 0.46, 0.55) of the skin's albedo).
pub const DIFFUSION_MM: [f32; 3] = [0.8, 0.4, 0.3];
/// Blur growth with depth, κ. DESIGN.md suggests 0.5–1, but with that a correct 0.35 mm deposit
/// would blur to a 0.4–0.8 mm smudge, while practice reports healed dots of 0.10–0.17 mm at
/// 0.25–0.5 mm and clearly wider (0.3–0.5 mm) blow-outs only past ~0.8–1 mm. κ = 0.25 fits both.
pub const BLUR_KAPPA: f32 = 0.25;
/// Transport mean free path of the dermis, mm (reduced scattering μs' ≈ 2.5 /mm in the visible,
/// Jacques 2013 "Optical properties of biological tissues: a review").
pub const TRANSPORT_MFP_MM: f32 = 0.4;
/// Fluence build-up under the surface: backscatter makes the fluence rate in the upper dermis
/// several times the incident irradiance (2–5× in skin; e.g. Jacques & Pogue 2008, J. Biomed.
/// Opt. 13:041302). A buried absorber removes light in proportion to the fluence around it;
/// we take 2.5, the low middle of that range.
pub const FLUENCE_BUILDUP: f32 = 2.5;
/// Transmittance of ink per dilution step: T = e^(−k·shade); shade 10 (near black) lets 3%
/// through, shade 1 (light grey) 70%.
pub const INK_K: f32 = 0.35;

/// How much more light a small buried absorber removes than its geometric area: in diffuse
/// light a sphere of radius a captures flux ∝ 4πDa (Smoluchowski) instead of πa², a gain of
/// 4ℓ*/(3a) over the geometric cross-section. Near the surface the light is not yet diffuse,
/// so the gain fades in over one transport length; where it is diffuse, the fluence is built up
/// above the irradiance ([`FLUENCE_BUILDUP`]). This is why tiny tattoo particles show.
pub fn absorption_gain(diameter_mm: f32, z_mm: f32) -> f32 {
    let r = (0.5 * diameter_mm).max(0.01);
    let diffuse = 1.0 - (-z_mm / TRANSPORT_MFP_MM).exp();
    1.0 + FLUENCE_BUILDUP * 4.0 * TRANSPORT_MFP_MM / (3.0 * r) * diffuse
}

/// Peak optical thickness m₀ of a dot's Gaussian footprint: coverage is M(r) = 1 − e^(−m₀·g(r)),
/// g(r) = e^(−r²/2σ²), so the core saturates (a shallow dot is a sharp black point) while the
/// small-coverage integral carries the deposit's effective area πR²·amount·gain.
pub fn peak_thickness(diameter_mm: f32, z_mm: f32, amount: f32) -> f32 {
    let r = 0.5 * diameter_mm;
    let s = footprint_sigma(diameter_mm, z_mm);
    amount * absorption_gain(diameter_mm, z_mm) * r * r / (2.0 * s * s)
}

/// Ein(x) = ∫₀ˣ (1 − e^(−t))/t dt: the area, in units of 2πσ², of a footprint whose coverage
/// is 1 − e^(−x·g(r)) (as `optics_ein` in common.wgsl).
pub fn ein(x: f32) -> f32 {
    if x > 8.0 {
        return x.ln() + 0.577_215_7;
    }
    let x = x.max(0.0);
    let (mut term, mut sum) = (x, x);
    for k in 2..40 {
        term = -term * x / k as f32;
        let add = term / k as f32;
        sum += add;
        // Past its peak the series' terms only shrink: stop once they no longer count.
        if k as f32 > x && add.abs() < 1e-7 * sum.abs() {
            break;
        }
    }
    sum
}

/// Luminance weights of linear sRGB (Rec. 709).
pub const LUMINANCE: [f32; 3] = [0.2126, 0.7152, 0.0722];

/// A dot's footprint as the renderer draws it (splat.wgsl), from its deposit and its
/// appearance at some time: σ (mm), peak optical thickness m₀, and the footprint's area ∫M dA.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Footprint {
    pub sigma_mm: f32,
    pub m0: f32,
    pub area_mm2: f32,
}

pub fn footprint(diameter_mm: f32, z_mm: f32, amount: f32, spread_mm2: f32) -> Footprint {
    let s_fresh = footprint_sigma(diameter_mm, z_mm);
    let s2 = s_fresh * s_fresh + spread_mm2;
    let m0 = peak_thickness(diameter_mm, z_mm, amount) * s_fresh * s_fresh / s2;
    Footprint {
        sigma_mm: s2.sqrt(),
        m0,
        area_mm2: 2.0 * std::f32::consts::PI * s2 * ein(m0),
    }
}

impl Footprint {
    /// Diameter at which coverage falls to half its peak: what the eye calls the dot's size.
    pub fn apparent_diameter_mm(&self) -> f32 {
        if self.m0 <= 0.0 {
            return 0.0;
        }
        let half = 0.5 * (1.0 - (-self.m0).exp());
        let g = -(1.0 - half).ln() / self.m0;
        2.0 * self.sigma_mm * (-2.0 * g.ln()).max(0.0).sqrt()
    }
}

pub fn reach(z_mm: f32) -> [f32; 3] {
    DIFFUSION_MM.map(|d| 0.25 * (-z_mm / d).exp() + 0.75 * (-z_mm / (3.0 * d)).exp())
}

pub fn ink_transmittance(shade: f32) -> f32 {
    (-INK_K * shade).exp()
}

/// Fraction of the skin's albedo kept over a fully covered dot at depth z (M = 1).
pub fn kept_albedo(z_mm: f32, shade: f32) -> [f32; 3] {
    let t = ink_transmittance(shade);
    reach(z_mm).map(|p| 1.0 - p * (1.0 - t))
}

/// Gaussian footprint σ of a deposit of diameter `d` at depth z. σ₀ = R/√2 makes the footprint
/// carry exactly the deposit's area (2πσ₀² = πR²) at full coverage.
pub fn footprint_sigma(diameter_mm: f32, z_mm: f32) -> f32 {
    let s0 = 0.5 * diameter_mm / std::f32::consts::SQRT_2;
    (s0 * s0 + (BLUR_KAPPA * z_mm).powi(2)).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ein_matches_numeric_integration() {
        for x in [0.01f32, 0.3, 1.0, 2.5, 7.9, 8.1, 20.0] {
            let n = 20_000;
            let h = x as f64 / n as f64;
            let num: f64 = (0..n)
                .map(|i| {
                    let t = (i as f64 + 0.5) * h;
                    (1.0 - (-t).exp()) / t * h
                })
                .sum();
            assert!(
                (ein(x) as f64 - num).abs() < 2e-3 * num.max(1.0),
                "Ein({x}) {} vs {num}",
                ein(x)
            );
        }
    }

    #[test]
    fn spreading_keeps_a_thin_footprint_area_and_widens_the_dot() {
        let a = footprint(0.14, 0.8, 0.3, 0.0);
        let b = footprint(0.14, 0.8, 0.3, 0.01);
        assert!(b.apparent_diameter_mm() > a.apparent_diameter_mm());
        assert!((b.area_mm2 - a.area_mm2).abs() < 0.1 * a.area_mm2);
    }
    #[test]
    fn reproduces_the_design_example() {
        let k = kept_albedo(0.5, 10.0);
        for (a, b) in k.iter().zip([0.29, 0.46, 0.55]) {
            assert!((a - b).abs() < 0.02, "{k:?}");
        }
        let deep = kept_albedo(1.2, 10.0);
        for (a, b) in deep.iter().zip([0.52, 0.73, 0.81]) {
            assert!((a - b).abs() < 0.03, "{deep:?}");
        }
    }
    #[test]
    fn deep_is_bluer_and_fainter() {
        let s = kept_albedo(0.3, 8.0);
        let d = kept_albedo(1.0, 8.0);
        // The tint a dot adds is what it removes: deep dots remove relatively more red than blue
        // (blue is scattered back before it reaches them), so they read blue-grey.
        let red_over_blue = |k: [f32; 3]| (1.0 - k[0]) / (1.0 - k[2]);
        assert!(red_over_blue(d) > 1.3 * red_over_blue(s), "{s:?} {d:?}");
        assert!(d.iter().sum::<f32>() > s.iter().sum::<f32>());
        assert!(footprint_sigma(0.14, 1.0) > 2.0 * footprint_sigma(0.14, 0.1));
    }
}
