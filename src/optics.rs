//! Optical constants of skin and pigment, in one place with their sources. The same numbers are
//! in `shaders/shared/optics.wgsl` (`optics_*`; the constants reach it through the generated
//! prelude, src/shaders/prelude.rs); a test checks they agree.
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
/// κ per channel (R, G, B): the lateral spread of light before it meets a buried absorber grows
/// with its diffusion length, so κ_c = κ·√(d_c/d_G). The shadow of a deep dot is widest in red
/// (a red-poor, i.e. blue-grey, halo) and tightest in blue. Green carries the luminance and
/// keeps κ.
pub const BLUR_KAPPA_RGB: [f32; 3] = [0.353_553_4, 0.25, 0.216_506_35];
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
    peak_thickness_c(diameter_mm, z_mm, amount, 1)
}

/// As [`peak_thickness`], for channel `c`.
pub fn peak_thickness_c(diameter_mm: f32, z_mm: f32, amount: f32, c: usize) -> f32 {
    let r = 0.5 * diameter_mm;
    let s = footprint_sigma_c(diameter_mm, z_mm, c);
    amount * absorption_gain(diameter_mm, z_mm) * r * r / (2.0 * s * s)
}

/// Ein(x) = ∫₀ˣ (1 − e^(−t))/t dt: the area, in units of 2πσ², of a footprint whose coverage
/// is 1 − e^(−x·g(r)) (as `optics_ein` in shared/optics.wgsl).
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

/// Footprints are drawn to at least this many σ: beyond 3σ a Gaussian carries 1% of its weight.
pub const FOOTPRINT_EXTENT_SIGMAS: f32 = 3.0;
/// ... and on to where their coverage 1 − e^(−m₀·g) falls below this: a dense deposit (m₀ ≫ 1)
/// seen close up otherwise shows the square edge of its quad.
pub const FOOTPRINT_EDGE_COVERAGE: f32 = 0.01;

/// How many σ a footprint of peak thickness `m0` is drawn to (footprint.wgsl `extent_sigmas`).
pub fn extent_sigmas(m0: f32) -> f32 {
    let edge = FOOTPRINT_EDGE_COVERAGE;
    FOOTPRINT_EXTENT_SIGMAS.max((2.0 * (m0.max(edge) / edge).ln()).sqrt())
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
        // expm1/ln_1p: for the faint remnants of a fading dot (m₀ → 0) the plain forms cancel
        // to 0/0; the limit is the Gaussian's own half maximum, g = ½.
        let half = -0.5 * (-self.m0).exp_m1();
        let g = if self.m0 < 1e-6 {
            0.5
        } else {
            -(-half).ln_1p() / self.m0
        };
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

/// Gaussian footprint σ of a deposit of diameter `d` at depth z, in green (which carries the
/// luminance). σ₀ = R/√2 makes the footprint carry exactly the deposit's area (2πσ₀² = πR²) at
/// full coverage.
pub fn footprint_sigma(diameter_mm: f32, z_mm: f32) -> f32 {
    footprint_sigma_c(diameter_mm, z_mm, 1)
}

/// As [`footprint_sigma`], for channel `c` (0 R, 1 G, 2 B).
pub fn footprint_sigma_c(diameter_mm: f32, z_mm: f32, c: usize) -> f32 {
    let s0 = 0.5 * diameter_mm / std::f32::consts::SQRT_2;
    (s0 * s0 + (BLUR_KAPPA_RGB[c] * z_mm).powi(2)).sqrt()
}

// ---- Skin tone: epidermal melanin (DESIGN.md "Optics") ----

/// Fitzpatrick skin types, each with the volume fraction of melanosomes in its epidermis.
#[derive(
    Clone,
    Copy,
    Debug,
    Default,
    PartialEq,
    Eq,
    clap::ValueEnum,
    serde::Serialize,
    serde::Deserialize,
)]
pub enum SkinTone {
    #[value(name = "I", alias = "1")]
    I,
    #[default]
    #[value(name = "II", alias = "2")]
    II,
    #[value(name = "III", alias = "3")]
    III,
    #[value(name = "IV", alias = "4")]
    IV,
    #[value(name = "V", alias = "5")]
    V,
    #[value(name = "VI", alias = "6")]
    VI,
}

impl SkinTone {
    pub const ALL: [SkinTone; 6] = [
        SkinTone::I,
        SkinTone::II,
        SkinTone::III,
        SkinTone::IV,
        SkinTone::V,
        SkinTone::VI,
    ];

    /// Epidermal melanosome volume fraction. Jacques (1998, "Skin optics" note): light adults
    /// 1.3–6.3%, moderately pigmented 11–16%, darkly pigmented 18–43%; DESIGN.md's ~2 / 13 / 30%.
    pub fn melanin_fraction(self) -> f32 {
        match self {
            SkinTone::I => 0.01,
            SkinTone::II => 0.02,
            SkinTone::III => 0.04,
            SkinTone::IV => 0.08,
            SkinTone::V => 0.14,
            SkinTone::VI => 0.25,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            SkinTone::I => "I",
            SkinTone::II => "II",
            SkinTone::III => "III",
            SkinTone::IV => "IV",
            SkinTone::V => "V",
            SkinTone::VI => "VI",
        }
    }

    pub fn layers(self) -> SkinLayers {
        skin_layers(self.melanin_fraction())
    }
}

/// Representative wavelengths of the linear sRGB channels (dominant wavelengths of the
/// primaries), nm.
pub const CHANNEL_NM: [f32; 3] = [612.0, 549.0, 465.0];
/// Effective one-way path through the melanin-bearing epidermis, cm: twice the scalp's ~65 µm
/// (diffuse light crosses it obliquely), calibrated so type VI comes out near linear
/// (0.10, 0.045, 0.027) (sRGB ≈ 90, 59, 45), a deep brown.
pub const MELANIN_PATH_CM: f32 = 0.0134;
/// Albedo of the dermis under a melanin-free epidermis (blood absorbs green and blue).
pub const DERMIS_ALBEDO: [f32; 3] = [0.80, 0.55, 0.50];
/// Light returned by the epidermis itself (stratum corneum and cell scatter) before any
/// melanin absorbs it: the floor of every skin's reflectance.
pub const EPIDERMIS_ALBEDO: f32 = 0.025;

/// Melanin absorption coefficient, cm⁻¹, at volume fraction 1 (Jacques: 6.6·10¹¹·λ^−3.33).
pub fn melanin_absorption_per_cm(nm: f32) -> f32 {
    6.6e11 * nm.powf(-3.33)
}

/// The skin's reflectance split by where the light comes back from.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SkinLayers {
    /// Returned from the dermis, through the melanin twice: the part pigment in the dermis
    /// darkens (linear RGB).
    pub dermal: [f32; 3],
    /// Returned by the epidermis above the pigment: not darkened by it.
    pub epidermal: [f32; 3],
}

impl SkinLayers {
    pub fn albedo(&self) -> [f32; 3] {
        std::array::from_fn(|c| self.dermal[c] + self.epidermal[c])
    }
}

pub fn skin_layers(melanin_fraction: f32) -> SkinLayers {
    SkinLayers {
        dermal: std::array::from_fn(|c| {
            let mu = melanin_absorption_per_cm(CHANNEL_NM[c]) * melanin_fraction;
            DERMIS_ALBEDO[c] * (-2.0 * mu * MELANIN_PATH_CM).exp()
        }),
        epidermal: [EPIDERMIS_ALBEDO; 3],
    }
}

/// The skin's colour over a fully covered dot, relative to the bare skin: what the eye compares.
pub fn dot_core_over_skin(layers: &SkinLayers, z_mm: f32, shade: f32, tone: f32) -> [f32; 3] {
    let reach = reach(z_mm);
    let scale = ink_tone_scale(tone);
    std::array::from_fn(|c| {
        let t = (-INK_K * shade * scale[c]).exp();
        let kept = 1.0 - reach[c] * (1.0 - t);
        (layers.epidermal[c] + layers.dermal[c] * kept) / (layers.epidermal[c] + layers.dermal[c])
    })
}

// ---- Ink tone and matching the client's hair ----

/// Linear albedo of an unpigmented (grey/white) hair: keratin alone, slightly yellow.
pub const WHITE_HAIR_ALBEDO: [f32; 3] = [0.62, 0.60, 0.55];

/// A shaft's absorptance per channel across its diameter, from the hair's colour `albedo`
/// (linear): the colour is light that crossed the pigmented cortex twice over an unpigmented
/// hair's reflectance, R = R_white·T², so T = √(R / R_white). Dark brown hair lets ~20%
/// through, a white hair nearly all.
pub fn shaft_absorptance(albedo: [f32; 3]) -> [f32; 3] {
    std::array::from_fn(|c| {
        let t = (albedo[c] / WHITE_HAIR_ALBEDO[c]).clamp(0.0, 1.0).sqrt();
        1.0 - t
    })
}

/// How a warm (+1) or cool (−1) ink scales its optical density per channel: a warm, brownish
/// black lets more red through and takes more blue; a cool one the reverse. Neutral carbon black
/// is 0.
pub fn ink_tone_scale(tone: f32) -> [f32; 3] {
    let t = tone.clamp(-1.0, 1.0);
    [1.0 - 0.25 * t, 1.0, 1.0 + 0.2 * t]
}

/// Linear sRGB from an sRGB byte triple.
pub fn srgb_to_linear(rgb: [u8; 3]) -> [f32; 3] {
    rgb.map(|v| {
        let c = v as f32 / 255.0;
        if c <= 0.04045 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    })
}

/// The shade `scalp match` finds for the default client (type II skin, 160 dots/cm² of 0.16 mm,
/// healed) with black hair: what the darkest hair asks of the ink (docs/calibration.md,
/// "Matching the ink to the hair"). A shaved fringe seen through the skin is a shadow of deep
/// shafts, far lighter than the hair itself, so even black hair asks for a mid dilution.
pub const BLACK_HAIR_SHADE: f32 = 5.3;

/// The shade and tone that make healed, correct-depth dots read like the client's shaved hair
/// (linear RGB `hair`) on this skin. What shows of a shaved fringe is its shafts' shadow through
/// the skin, which scales with their melanin's absorptance ([`shaft_absorptance`]),
/// not with the hair's own lightness: the dot darkens the skin (in perceived lightness, CIELAB
/// L*) by the hair's absorptance relative to black hair's times the darkening of
/// [`BLACK_HAIR_SHADE`]. Near-black hair and dark brown ask for nearly the same ink, blonde and
/// grey for the lightest. The tone follows the hair's warmth.
pub fn match_hair(hair: [f32; 3], layers: &SkinLayers) -> (f32, f32) {
    let lum = |c: [f32; 3]| c[0] * LUMINANCE[0] + c[1] * LUMINANCE[1] + c[2] * LUMINANCE[2];
    let l_star = |y: f32| {
        if y > 0.008856 {
            116.0 * y.cbrt() - 16.0
        } else {
            903.3 * y
        }
    };
    let skin = lum(layers.albedo());
    let absorbed = |h: [f32; 3]| lum(shaft_absorptance(h));
    let black = absorbed(srgb_to_linear(HAIR_COLOURS[0].1));
    let share = (absorbed(hair) / black.max(1e-3)).clamp(0.0, 1.0);
    // ln(R/B) of a neutral dark hair is ~0.26 (slightly warm); a mid brown's ~1.3.
    let tone = (((hair[0].max(1e-4) / hair[2].max(1e-4)).ln() - 0.26) / 1.39).clamp(-1.0, 1.0);
    let darkening = |s: f32| {
        l_star(skin) - l_star(skin * lum(dot_core_over_skin(layers, MATCH_DEPTH_MM, s, tone)))
    };
    let target = share * darkening(BLACK_HAIR_SHADE);
    // The darkening grows with the shade: bisect for the target.
    let (mut lo, mut hi) = (1.0f32, 10.0f32);
    if darkening(lo) >= target {
        return (lo, tone);
    }
    for _ in 0..40 {
        let mid = 0.5 * (lo + hi);
        if darkening(mid) < target {
            lo = mid;
        } else {
            hi = mid;
        }
    }
    (lo, tone)
}

/// Depth at which a hair match is computed: the middle of the correct window.
pub const MATCH_DEPTH_MM: f32 = 0.35;

/// Named shaved-hair colours (sRGB), as seen on a buzz cut from conversation distance.
pub const HAIR_COLOURS: [(&str, [u8; 3]); 7] = [
    ("black", [28, 26, 25]),
    ("dark-brown", [46, 35, 32]),
    ("brown", [74, 53, 38]),
    ("light-brown", [111, 83, 64]),
    ("blonde", [165, 138, 100]),
    ("red", [122, 62, 34]),
    ("grey", [138, 133, 128]),
];

/// A hair colour from a name in [`HAIR_COLOURS`] or "#rrggbb".
pub fn parse_hair_colour(s: &str) -> Option<[u8; 3]> {
    if let Some((_, c)) = HAIR_COLOURS.iter().find(|(n, _)| *n == s) {
        return Some(*c);
    }
    let hex = s.strip_prefix('#')?;
    if hex.len() != 6 || !hex.chars().all(|c| c.is_ascii_hexdigit()) {
        return None;
    }
    let v = u32::from_str_radix(hex, 16).ok()?;
    Some([(v >> 16) as u8, (v >> 8) as u8, v as u8])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_footprint_is_drawn_until_its_coverage_is_negligible() {
        for m0 in [0.01f32, 0.5, 1.0, 5.0, 50.0, 500.0] {
            let k = extent_sigmas(m0);
            assert!(k >= FOOTPRINT_EXTENT_SIGMAS);
            let edge = 1.0 - (-m0 * (-0.5 * k * k).exp()).exp();
            assert!(
                edge <= FOOTPRINT_EDGE_COVERAGE * 1.001,
                "m0 {m0}: {edge} at {k}σ"
            );
        }
        // Thin deposits stop at 3σ; a dense one reaches further.
        assert_eq!(extent_sigmas(0.5), FOOTPRINT_EXTENT_SIGMAS);
        assert!(extent_sigmas(500.0) > 4.0);
    }

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
    fn a_nearly_gone_dot_keeps_a_finite_size() {
        for amount in [1e-12f32, 1e-8, 1e-4, 0.5] {
            let d = footprint(0.14, 0.35, amount, 0.0).apparent_diameter_mm();
            assert!(d.is_finite() && d > 0.1 && d < 0.5, "{amount}: {d}");
        }
    }

    #[test]
    fn blur_per_channel_follows_the_diffusion_lengths() {
        for c in 0..3 {
            let k = BLUR_KAPPA * (DIFFUSION_MM[c] / DIFFUSION_MM[1]).sqrt();
            assert!((BLUR_KAPPA_RGB[c] - k).abs() < 1e-6);
        }
        assert!(footprint_sigma_c(0.14, 1.0, 0) > footprint_sigma_c(0.14, 1.0, 2));
    }

    #[test]
    fn skin_tones_darken_and_lose_pigment_contrast_and_blue_cast() {
        let mut last = f32::INFINITY;
        for t in SkinTone::ALL {
            let a = t.layers().albedo();
            let l = a[0] * 0.2126 + a[1] * 0.7152 + a[2] * 0.0722;
            assert!(l < last, "{t:?} {a:?}");
            last = l;
        }
        let vi = SkinTone::VI.layers().albedo();
        assert!((vi[0] - 0.10).abs() < 0.03 && vi[2] < 0.04, "{vi:?}");
        let light = dot_core_over_skin(&SkinTone::II.layers(), 0.5, 10.0, 0.0);
        let dark = dot_core_over_skin(&SkinTone::VI.layers(), 0.5, 10.0, 0.0);
        // Contrast (1 − kept) is lower on dark skin in every channel…
        for c in 0..3 {
            assert!(1.0 - dark[c] < 1.0 - light[c], "{light:?} {dark:?}");
        }
        // …and the blue cast is smaller: the shift toward blue (CIELAB Δb*, against a fixed
        // white, as the eye sees colour) from the skin to the dot over it.
        let lab_b = |c: [f32; 3]| {
            let f = |t: f32| {
                if t > 0.008856 {
                    t.cbrt()
                } else {
                    7.787 * t + 16.0 / 116.0
                }
            };
            let y = 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
            let z = (0.0193 * c[0] + 0.1192 * c[1] + 0.9505 * c[2]) / 1.089;
            200.0 * (f(y) - f(z))
        };
        let shift = |t: SkinTone, kept: [f32; 3]| {
            let skin = t.layers().albedo();
            lab_b(std::array::from_fn(|c| skin[c] * kept[c])) - lab_b(skin)
        };
        let (b_light, b_dark) = (shift(SkinTone::II, light), shift(SkinTone::VI, dark));
        assert!(
            b_light < 0.0 && b_dark < 0.0 && b_dark > 0.8 * b_light,
            "{b_light} {b_dark}"
        );
    }

    #[test]
    fn hair_match_is_lighter_for_lighter_hair_and_never_darker_than_it() {
        let skin = SkinTone::II.layers();
        let mut last = f32::INFINITY;
        for name in ["black", "dark-brown", "brown", "light-brown", "blonde"] {
            let hair = srgb_to_linear(parse_hair_colour(name).unwrap());
            let (shade, tone) = match_hair(hair, &skin);
            assert!((1.0..=10.0).contains(&shade) && (-1.0..=1.0).contains(&tone));
            match name {
                "black" => assert!((shade - BLACK_HAIR_SHADE).abs() < 0.01, "{shade}"),
                "dark-brown" => assert!((4.5..5.2).contains(&shade), "{shade}"),
                "brown" => assert!((3.5..5.0).contains(&shade), "{shade}"),
                "blonde" => assert!(shade < 3.5, "{shade}"),
                _ => {}
            }
            assert!(shade <= last, "{name}: {shade} after {last}");
            last = shade;
        }
        let brown = match_hair(srgb_to_linear([74, 53, 38]), &skin);
        let black = match_hair(srgb_to_linear([28, 26, 25]), &skin);
        assert!(brown.1 > black.1 + 0.3, "brown hair gets a warmer ink");
        assert_eq!(parse_hair_colour("#1c1a19"), Some([28, 26, 25]));
        assert_eq!(parse_hair_colour("#1c1a1"), None);
        assert_eq!(parse_hair_colour("teal"), None);
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
