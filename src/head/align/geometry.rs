//! The linear algebra and surface sampling the alignment needs: a 7×7 solver, principal axes
//! (Jacobi eigenvalues), area-weighted surface samples, and the closest point on a triangle.
use glam::{DVec3, Vec3};

/// Solves a 7×7 linear system by Gaussian elimination with partial pivoting.
#[allow(clippy::needless_range_loop)] // index arithmetic reads as the maths does
pub(super) fn solve7(mut a: [[f64; 7]; 7], mut b: [f64; 7]) -> Option<[f64; 7]> {
    for col in 0..7 {
        let piv = (col..7).max_by(|&i, &j| a[i][col].abs().total_cmp(&a[j][col].abs()))?;
        if a[piv][col].abs() < 1e-300 {
            return None;
        }
        a.swap(col, piv);
        b.swap(col, piv);
        for row in col + 1..7 {
            let f = a[row][col] / a[col][col];
            for k in col..7 {
                a[row][k] -= f * a[col][k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = [0.0f64; 7];
    for row in (0..7).rev() {
        let s: f64 = (row + 1..7).map(|k| a[row][k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row][row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// `n` points spread over the surface by area (stratified, from the project's hash with
/// `seed`: the same mesh gives the same points).
pub fn surface_samples(positions: &[Vec3], tris: &[[u32; 3]], n: usize, seed: u32) -> Vec<DVec3> {
    use crate::hash::rand01;
    let mut cum: Vec<f64> = Vec::with_capacity(tris.len());
    let mut total = 0.0f64;
    for t in tris {
        let [a, b, c] = t.map(|i| positions[i as usize].as_dvec3());
        total += 0.5 * (b - a).cross(c - a).length();
        cum.push(total);
    }
    if total.is_nan() || total <= 0.0 {
        return Vec::new();
    }
    (0..n)
        .map(|i| {
            let u = (i as f64 + rand01(seed, i as u32, 0) as f64) / n as f64 * total;
            let t = cum.partition_point(|&c| c < u).min(tris.len() - 1);
            let [a, b, c] = tris[t].map(|k| positions[k as usize].as_dvec3());
            let (r1, r2) = (
                (rand01(seed, i as u32, 1) as f64).sqrt(),
                rand01(seed, i as u32, 2) as f64,
            );
            a * (1.0 - r1) + b * (r1 * (1.0 - r2)) + c * (r1 * r2)
        })
        .collect()
}

/// The bounding box of `pts`; a zero box at the origin when there are none.
pub(super) fn bounds(pts: &[DVec3]) -> (DVec3, DVec3) {
    if pts.is_empty() {
        return (DVec3::ZERO, DVec3::ZERO);
    }
    pts.iter().fold(
        (DVec3::splat(f64::INFINITY), DVec3::splat(f64::NEG_INFINITY)),
        |(lo, hi), p| (lo.min(*p), hi.max(*p)),
    )
}
pub(super) fn centroid_rms(pts: &[DVec3]) -> (DVec3, f64) {
    let n = pts.len().max(1) as f64;
    let c = pts.iter().copied().sum::<DVec3>() / n;
    let rms = (pts.iter().map(|p| p.distance_squared(c)).sum::<f64>() / n).sqrt();
    (c, rms)
}

/// Principal axes of centred points, by decreasing variance (Jacobi eigenvalue iteration on
/// the 3×3 covariance).
pub(super) fn principal_axes(pts: &[DVec3]) -> [DVec3; 3] {
    let mut m = [[0.0f64; 3]; 3];
    for p in pts {
        let v = [p.x, p.y, p.z];
        for i in 0..3 {
            for k in 0..3 {
                m[i][k] += v[i] * v[k];
            }
        }
    }
    let (vals, vecs) = jacobi_eigen(m);
    let mut idx = [0usize, 1, 2];
    idx.sort_by(|&a, &b| vals[b].total_cmp(&vals[a]));
    idx.map(|i| DVec3::new(vecs[0][i], vecs[1][i], vecs[2][i]).normalize_or(DVec3::X))
}

/// Eigenvalues and eigenvectors (columns) of a symmetric 3×3 matrix.
#[allow(clippy::needless_range_loop)]
fn jacobi_eigen(mut a: [[f64; 3]; 3]) -> ([f64; 3], [[f64; 3]; 3]) {
    let mut v = [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0], [0.0, 0.0, 1.0]];
    for _ in 0..50 {
        let off = a[0][1].abs() + a[0][2].abs() + a[1][2].abs();
        if off < 1e-15 * (a[0][0].abs() + a[1][1].abs() + a[2][2].abs() + 1e-300) {
            break;
        }
        for (p, q) in [(0, 1), (0, 2), (1, 2)] {
            if a[p][q].abs() < 1e-300 {
                continue;
            }
            let theta = (a[q][q] - a[p][p]) / (2.0 * a[p][q]);
            let t = theta.signum() / (theta.abs() + (theta * theta + 1.0).sqrt());
            let t = if theta == 0.0 { 1.0 } else { t };
            let c = 1.0 / (t * t + 1.0).sqrt();
            let s = t * c;
            // A ← JᵀAJ with the rotation J in the (p, q) plane.
            for k in 0..3 {
                let (akp, akq) = (a[k][p], a[k][q]);
                a[k][p] = c * akp - s * akq;
                a[k][q] = s * akp + c * akq;
            }
            for k in 0..3 {
                let (apk, aqk) = (a[p][k], a[q][k]);
                a[p][k] = c * apk - s * aqk;
                a[q][k] = s * apk + c * aqk;
            }
            for row in v.iter_mut() {
                let (vp, vq) = (row[p], row[q]);
                row[p] = c * vp - s * vq;
                row[q] = s * vp + c * vq;
            }
        }
    }
    ([a[0][0], a[1][1], a[2][2]], v)
}

/// Closest point to `p` on triangle (a, b, c) (Ericson, Real-Time Collision Detection 5.1.5).
pub fn closest_on_triangle(p: DVec3, a: DVec3, b: DVec3, c: DVec3) -> DVec3 {
    let (ab, ac, ap) = (b - a, c - a, p - a);
    let (d1, d2) = (ab.dot(ap), ac.dot(ap));
    if d1 <= 0.0 && d2 <= 0.0 {
        return a;
    }
    let bp = p - b;
    let (d3, d4) = (ab.dot(bp), ac.dot(bp));
    if d3 >= 0.0 && d4 <= d3 {
        return b;
    }
    let vc = d1 * d4 - d3 * d2;
    if vc <= 0.0 && d1 >= 0.0 && d3 <= 0.0 {
        return a + ab * (d1 / (d1 - d3));
    }
    let cp = p - c;
    let (d5, d6) = (ab.dot(cp), ac.dot(cp));
    if d6 >= 0.0 && d5 <= d6 {
        return c;
    }
    let vb = d5 * d2 - d1 * d6;
    if vb <= 0.0 && d2 >= 0.0 && d6 <= 0.0 {
        return a + ac * (d2 / (d2 - d6));
    }
    let va = d3 * d6 - d5 * d4;
    if va <= 0.0 && (d4 - d3) >= 0.0 && (d5 - d6) >= 0.0 {
        return b + (c - b) * ((d4 - d3) / ((d4 - d3) + (d5 - d6)));
    }
    let denom = 1.0 / (va + vb + vc);
    a + ab * (vb * denom) + ac * (vc * denom)
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::DMat3;

    #[test]
    fn principal_axes_of_a_box() {
        let pts: Vec<DVec3> = (0..2000)
            .map(|i| {
                let u = DVec3::new(
                    crate::hash::rand01(5, i, 0) as f64 - 0.5,
                    crate::hash::rand01(5, i, 1) as f64 - 0.5,
                    crate::hash::rand01(5, i, 2) as f64 - 0.5,
                );
                let r = DMat3::from_axis_angle(DVec3::new(1.0, 2.0, 3.0).normalize(), 0.7);
                r * (u * DVec3::new(10.0, 30.0, 20.0))
            })
            .collect();
        let axes = principal_axes(&pts);
        let r = DMat3::from_axis_angle(DVec3::new(1.0, 2.0, 3.0).normalize(), 0.7);
        for (a, want) in axes.iter().zip([r.y_axis, r.z_axis, r.x_axis]) {
            assert!(a.dot(want).abs() > 0.99, "{a} vs {want}");
        }
    }

    #[test]
    fn closest_point_on_a_triangle() {
        let (a, b, c) = (DVec3::ZERO, DVec3::X, DVec3::Y);
        let cases = [
            (DVec3::new(0.2, 0.2, 5.0), DVec3::new(0.2, 0.2, 0.0)),
            (DVec3::new(-1.0, -1.0, 0.0), a),
            (DVec3::new(2.0, -0.1, 1.0), b),
            (DVec3::new(0.5, -3.0, 0.0), DVec3::new(0.5, 0.0, 0.0)),
            (DVec3::new(1.0, 1.0, 0.0), DVec3::new(0.5, 0.5, 0.0)),
        ];
        for (p, want) in cases {
            assert!(
                closest_on_triangle(p, a, b, c).distance(want) < 1e-12,
                "{p}"
            );
        }
    }
}
