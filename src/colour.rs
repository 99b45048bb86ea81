//! Colour difference as the eye judges it: linear sRGB → CIE XYZ → CIELAB (D65 white, the
//! display's), and the CIEDE2000 difference ΔE₀₀ (CIE 142-2001), checked against the test pairs
//! of Sharma, Wu & Dalal (2005), "The CIEDE2000 color-difference formula: implementation notes,
//! supplementary test data, and mathematical observations", Color Res. Appl. 30(1), Table 1.
//! Rough scale: ΔE₀₀ ≈ 1 is just noticeable side by side, 2–3 a clear difference up close.

/// A CIELAB colour: L* (0 black … 100 white), a* (green − / red +), b* (blue − / yellow +).
pub type Lab = [f64; 3];

/// CIELAB of a linear sRGB colour (each channel 0–1, white = 1), D65 white point.
pub fn lab_from_linear(rgb: [f64; 3]) -> Lab {
    // IEC 61966-2-1 sRGB → XYZ; the white point is the image of (1, 1, 1), so that greys are
    // exactly achromatic.
    let xyz = |[r, g, b]: [f64; 3]| {
        [
            0.4124564 * r + 0.3575761 * g + 0.1804375 * b,
            0.2126729 * r + 0.7151522 * g + 0.0721750 * b,
            0.0193339 * r + 0.1191920 * g + 0.9503041 * b,
        ]
    };
    let [x, y, z] = xyz(rgb);
    let [xn, yn, zn] = xyz([1.0; 3]);
    let f = |t: f64| {
        const E: f64 = 216.0 / 24389.0;
        const K: f64 = 24389.0 / 27.0;
        if t > E {
            t.cbrt()
        } else {
            (K * t + 16.0) / 116.0
        }
    };
    let (fx, fy, fz) = (f(x / xn), f(y / yn), f(z / zn));
    [116.0 * fy - 16.0, 500.0 * (fx - fy), 200.0 * (fy - fz)]
}

/// CIEDE2000 colour difference ΔE₀₀ between two CIELAB colours (k_L = k_C = k_H = 1).
/// Follows the steps of Sharma et al. (2005), eqs. 2–22, in f64.
pub fn ciede2000(lab1: Lab, lab2: Lab) -> f64 {
    let [l1, a1, b1] = lab1;
    let [l2, a2, b2] = lab2;
    let pow7 = |v: f64| v.powi(7);
    let c1 = a1.hypot(b1);
    let c2 = a2.hypot(b2);
    let c_bar = 0.5 * (c1 + c2);
    let g = 0.5 * (1.0 - (pow7(c_bar) / (pow7(c_bar) + pow7(25.0))).sqrt());
    let (a1p, a2p) = ((1.0 + g) * a1, (1.0 + g) * a2);
    let (c1p, c2p) = (a1p.hypot(b1), a2p.hypot(b2));
    // Hue angles in degrees, 0–360; an achromatic colour's hue is 0 (eq. 7).
    let hue = |b: f64, a: f64| {
        if a == 0.0 && b == 0.0 {
            0.0
        } else {
            b.atan2(a).to_degrees().rem_euclid(360.0)
        }
    };
    let (h1p, h2p) = (hue(b1, a1p), hue(b2, a2p));
    let dlp = l2 - l1;
    let dcp = c2p - c1p;
    let chroma_product = c1p * c2p;
    let dhp = if chroma_product == 0.0 {
        0.0
    } else {
        let d = h2p - h1p;
        if d > 180.0 {
            d - 360.0
        } else if d < -180.0 {
            d + 360.0
        } else {
            d
        }
    };
    let dhp_big = 2.0 * chroma_product.sqrt() * (0.5 * dhp).to_radians().sin();
    let lp_bar = 0.5 * (l1 + l2);
    let cp_bar = 0.5 * (c1p + c2p);
    let hp_bar = if chroma_product == 0.0 {
        h1p + h2p
    } else if (h1p - h2p).abs() <= 180.0 {
        0.5 * (h1p + h2p)
    } else if h1p + h2p < 360.0 {
        0.5 * (h1p + h2p + 360.0)
    } else {
        0.5 * (h1p + h2p - 360.0)
    };
    let cos = |deg: f64| deg.to_radians().cos();
    let t =
        1.0 - 0.17 * cos(hp_bar - 30.0) + 0.24 * cos(2.0 * hp_bar) + 0.32 * cos(3.0 * hp_bar + 6.0)
            - 0.20 * cos(4.0 * hp_bar - 63.0);
    let d_theta = 30.0 * (-((hp_bar - 275.0) / 25.0).powi(2)).exp();
    let r_c = 2.0 * (pow7(cp_bar) / (pow7(cp_bar) + pow7(25.0))).sqrt();
    let l50 = (lp_bar - 50.0).powi(2);
    let s_l = 1.0 + 0.015 * l50 / (20.0 + l50).sqrt();
    let s_c = 1.0 + 0.045 * cp_bar;
    let s_h = 1.0 + 0.015 * cp_bar * t;
    let r_t = -(2.0 * d_theta).to_radians().sin() * r_c;
    let (l, c, h) = (dlp / s_l, dcp / s_c, dhp_big / s_h);
    (l * l + c * c + h * h + r_t * c * h).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Sharma, Wu & Dalal (2005), Table 1: the 34 pairs (L*, a*, b*) and their ΔE₀₀.
    const SHARMA: [(Lab, Lab, f64); 34] = [
        ([50.0, 2.6772, -79.7751], [50.0, 0.0, -82.7485], 2.0425),
        ([50.0, 3.1571, -77.2803], [50.0, 0.0, -82.7485], 2.8615),
        ([50.0, 2.8361, -74.0200], [50.0, 0.0, -82.7485], 3.4412),
        ([50.0, -1.3802, -84.2814], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, -1.1848, -84.8006], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, -0.9009, -85.5211], [50.0, 0.0, -82.7485], 1.0000),
        ([50.0, 0.0, 0.0], [50.0, -1.0, 2.0], 2.3669),
        ([50.0, -1.0, 2.0], [50.0, 0.0, 0.0], 2.3669),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0009], 7.1792),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0010], 7.1792),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0011], 7.2195),
        ([50.0, 2.4900, -0.0010], [50.0, -2.4900, 0.0012], 7.2195),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0009, -2.4900], 4.8045),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0010, -2.4900], 4.8045),
        ([50.0, -0.0010, 2.4900], [50.0, 0.0011, -2.4900], 4.7461),
        ([50.0, 2.5, 0.0], [50.0, 0.0, -2.5], 4.3065),
        ([50.0, 2.5, 0.0], [73.0, 25.0, -18.0], 27.1492),
        ([50.0, 2.5, 0.0], [61.0, -5.0, 29.0], 22.8977),
        ([50.0, 2.5, 0.0], [56.0, -27.0, -3.0], 31.9030),
        ([50.0, 2.5, 0.0], [58.0, 24.0, 15.0], 19.4535),
        ([50.0, 2.5, 0.0], [50.0, 3.1736, 0.5854], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 3.2972, 0.0], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 1.8634, 0.5757], 1.0000),
        ([50.0, 2.5, 0.0], [50.0, 3.2592, 0.3350], 1.0000),
        (
            [60.2574, -34.0099, 36.2677],
            [60.4626, -34.1751, 39.4387],
            1.2644,
        ),
        (
            [63.0109, -31.0961, -5.8663],
            [62.8187, -29.7946, -4.0864],
            1.2630,
        ),
        (
            [61.2901, 3.7196, -5.3901],
            [61.4292, 2.2480, -4.9620],
            1.8731,
        ),
        (
            [35.0831, -44.1164, 3.7933],
            [35.0232, -40.0716, 1.5901],
            1.8645,
        ),
        (
            [22.7233, 20.0904, -46.6940],
            [23.0331, 14.9730, -42.5619],
            2.0373,
        ),
        (
            [36.4612, 47.8580, 18.3852],
            [36.2715, 50.5065, 21.2231],
            1.4146,
        ),
        (
            [90.8027, -2.0831, 1.4410],
            [91.1528, -1.6435, 0.0447],
            1.4441,
        ),
        (
            [90.9257, -0.5406, -0.9208],
            [88.6381, -0.8985, -0.7239],
            1.5381,
        ),
        (
            [6.7747, -0.2908, -2.4247],
            [5.8714, -0.0985, -2.2286],
            0.6377,
        ),
        (
            [2.0776, 0.0795, -1.1350],
            [0.9033, -0.0636, -0.5514],
            0.9082,
        ),
    ];

    #[test]
    fn ciede2000_reproduces_the_sharma_test_pairs_both_ways_round() {
        for (k, (x, y, want)) in SHARMA.iter().enumerate() {
            for got in [ciede2000(*x, *y), ciede2000(*y, *x)] {
                // The table gives four decimals.
                assert!(
                    (got - want).abs() < 5e-5,
                    "pair {}: {got:.5}, table {want}",
                    k + 1
                );
            }
        }
    }

    #[test]
    fn identical_colours_differ_by_nothing() {
        for lab in [[0.0, 0.0, 0.0], [50.0, 10.0, -20.0], [95.0, -3.0, 80.0]] {
            assert_eq!(ciede2000(lab, lab), 0.0);
        }
    }

    #[test]
    fn lab_of_the_display_primaries_and_greys() {
        let near = |a: Lab, b: Lab| (0..3).all(|c| (a[c] - b[c]).abs() < 0.05);
        // Reference values of the sRGB primaries and white (D65).
        assert!(near(lab_from_linear([1.0, 1.0, 1.0]), [100.0, 0.0, 0.0]));
        assert!(near(
            lab_from_linear([1.0, 0.0, 0.0]),
            [53.24, 80.09, 67.20]
        ));
        assert!(near(
            lab_from_linear([0.0, 1.0, 0.0]),
            [87.73, -86.18, 83.18]
        ));
        assert!(near(
            lab_from_linear([0.0, 0.0, 1.0]),
            [32.30, 79.19, -107.86]
        ));
        // A grey is achromatic; linear 0.18 is L* ≈ 49.5 (the photographer's mid grey).
        let grey = lab_from_linear([0.18; 3]);
        assert!(grey[1].abs() < 1e-3 && grey[2].abs() < 1e-3, "{grey:?}");
        assert!((grey[0] - 49.5).abs() < 0.1, "{grey:?}");
    }
}
