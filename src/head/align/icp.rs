//! Placing and refining a pose of the scan's samples against the built-in head: the start by
//! the top of the head, point-to-plane ICP for a similarity transform, and the fit's score.
use super::geometry::solve7;
use super::template::{top_and_cap, Template};
use super::INLIER_MM;
use glam::{DMat3, DVec3};

/// Scan surface further than this below the built-in head's neck cut is not fitted, mm.
const BELOW_NECK_MM: f64 = 15.0;

/// A pose that leaves less than this share of the scan above that level is not a head's.
const MIN_USED_SHARE: f64 = 0.3;

/// q = s·R·p + t for points `p` already centred and in mm.
#[derive(Clone, Debug)]
pub(super) struct Pose {
    pub(super) s: f64,
    pub(super) r: DMat3,
    pub(super) t: DVec3,
}

impl Pose {
    pub(super) fn identity() -> Pose {
        Pose {
            s: 1.0,
            r: DMat3::IDENTITY,
            t: DVec3::ZERO,
        }
    }

    pub(super) fn apply(&self, p: DVec3) -> DVec3 {
        self.r * p * self.s + self.t
    }
}

/// Angle between two rotations, degrees.
pub(super) fn angle_between(a: &DMat3, b: &DMat3) -> f64 {
    let m = *a * b.transpose();
    let c = ((m.x_axis.x + m.y_axis.y + m.z_axis.z - 1.0) * 0.5).clamp(-1.0, 1.0);
    c.acos().to_degrees()
}

/// Places rotated points by the top of the head: the top 0.5% of the surface on the built-in
/// head's, and the centre of the cranium cap below it on the built-in's.
pub(super) fn place_by_top(tpl: &Template, pts: &[DVec3], r: DMat3) -> Pose {
    let rotated: Vec<DVec3> = pts.iter().map(|p| r * *p).collect();
    // The size from the cap's girth, twice: the cap's height depends on the size.
    let mut s = 1.0;
    for _ in 0..2 {
        let scaled: Vec<DVec3> = rotated.iter().map(|p| *p * s).collect();
        let (_, _, radius) = top_and_cap(&scaled);
        s = (s * tpl.cap_radius / radius.max(1e-9)).clamp(0.3, 3.0);
    }
    let scaled: Vec<DVec3> = rotated.iter().map(|p| *p * s).collect();
    let (top, cap, _) = top_and_cap(&scaled);
    Pose {
        s,
        r,
        t: DVec3::new(
            tpl.cap_centre.x - cap.x,
            tpl.top - top,
            tpl.cap_centre.z - cap.z,
        ),
    }
}

#[derive(Clone, Debug)]
pub(super) struct Eval {
    /// RMS distance, each sample's distance capped at 10 mm: comparable between fits.
    pub(super) score: f64,
    pub(super) inlier_share: f64,
    pub(super) inlier_rms: f64,
    /// Share of the samples above the built-in head's neck cut (the rest is not fitted).
    pub(super) used_share: f64,
}

pub(super) fn evaluate(tpl: &Template, pts: &[DVec3], pose: &Pose, fast: bool) -> Eval {
    let (mut sum, mut inl, mut inl_sum, mut used) = (0.0f64, 0usize, 0.0f64, 0usize);
    for p in pts {
        let q = pose.apply(*p);
        if q.y < tpl.bottom - BELOW_NECK_MM {
            continue;
        }
        used += 1;
        let d = tpl.closest(q, fast).2;
        sum += d.min(10.0).powi(2);
        if d < INLIER_MM as f64 {
            inl += 1;
            inl_sum += d * d;
        }
    }
    let n = used.max(1) as f64;
    let used_share = used as f64 / pts.len().max(1) as f64;
    Eval {
        // A pose that puts most of the scan below the neck explains too little of it.
        score: if used_share < MIN_USED_SHARE {
            10.0
        } else {
            (sum / n).sqrt()
        },
        inlier_share: inl as f64 / n,
        inlier_rms: (inl_sum / inl.max(1) as f64).sqrt(),
        used_share,
    }
}

/// Point-to-plane ICP for a similarity transform; see the module documentation.
pub(super) fn icp(
    tpl: &Template,
    pts: &[DVec3],
    mut pose: Pose,
    rounds: usize,
    fast: bool,
    scale: bool,
) -> Pose {
    let mut pairs: Vec<(DVec3, DVec3, DVec3, f64)> = Vec::with_capacity(pts.len());
    let mut dist: Vec<f64> = Vec::with_capacity(pts.len());
    for _ in 0..rounds {
        pairs.clear();
        dist.clear();
        for p in pts {
            let q = pose.apply(*p);
            // Shoulders and a long neck are not in the built-in head: not fitted.
            if q.y < tpl.bottom - BELOW_NECK_MM {
                continue;
            }
            let (c, n, d) = tpl.closest(q, fast);
            pairs.push((q, c, n, d));
            dist.push(d);
        }
        if dist.len() < 10 {
            break;
        }
        let mid = dist.len() / 2;
        let median = *dist.select_nth_unstable_by(mid, f64::total_cmp).1;
        let tau = (3.0 * median).clamp(4.0, 30.0);
        // Normal equations of r = n·(q + ω×q + σq + δ − c) over (ω, δ, σ).
        let mut a = [[0.0f64; 7]; 7];
        let mut b = [0.0f64; 7];
        let mut used = 0usize;
        for &(q, c, n, d) in &pairs {
            if d > tau {
                continue;
            }
            used += 1;
            let qn = q.cross(n);
            let j = [
                qn.x,
                qn.y,
                qn.z,
                n.x,
                n.y,
                n.z,
                if scale { n.dot(q) } else { 0.0 },
            ];
            let r = n.dot(q - c);
            for i in 0..7 {
                b[i] -= j[i] * r;
                for k in 0..7 {
                    a[i][k] += j[i] * j[k];
                }
            }
        }
        if used < 10 {
            break;
        }
        // Levenberg damping keeps a weakly constrained direction (a nearly spherical patch
        // turning about its centre) from running away.
        if !scale {
            a[6][6] = 1.0;
        }
        let trace: f64 = (0..7).map(|i| a[i][i]).sum();
        for (i, row) in a.iter_mut().enumerate() {
            row[i] += 1e-6 * trace / 7.0 + 1e-12;
        }
        let Some(x) = solve7(a, b) else { break };
        let mut omega = DVec3::new(x[0], x[1], x[2]);
        if omega.length() > 0.3 {
            omega *= 0.3 / omega.length();
        }
        let delta = DVec3::new(x[3], x[4], x[5]);
        let sigma = x[6].clamp(-0.1, 0.1);
        let rot = if omega.length() > 0.0 {
            DMat3::from_axis_angle(omega.normalize(), omega.length())
        } else {
            DMat3::IDENTITY
        };
        pose = Pose {
            // A start far off may try to shrink onto a patch of the head: keep sizes human.
            s: (pose.s * (1.0 + sigma)).clamp(0.2, 5.0),
            r: rot * pose.r,
            t: (1.0 + sigma) * (rot * pose.t) + delta,
        };
        // 10⁻⁷ rad turns a point 200 mm away by 0.02 µm: converged.
        if omega.length() < 1e-7 && delta.length() < 1e-5 && sigma.abs() < 1e-7 {
            break;
        }
    }
    pose
}
