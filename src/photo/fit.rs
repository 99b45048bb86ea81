//! The camera of a photo, from landmark pixels: pose (rotation, translation) and focal length,
//! under a pinhole with square pixels and the principal point at the image's centre (what the
//! renderer draws with, and what a phone's corrected JPEG is to a pixel or two).
//!
//! Starts: the rotation on a grid of views (azimuth, elevation, roll) and a few lenses, each
//! with its translation solved linearly (given R and f the projection equations are linear in
//! t), plus the direct linear transform when six points or more are given; the best starts
//! are refined by Levenberg–Marquardt on the pixel residuals.
//!
//! A photo does not show the head's size: a head twice as large twice as far away gives the
//! same picture. The head keeps its own size (the built-in head an adult's, a scan its
//! measured one) and the fit says how far the camera was under that assumption.
use super::points::{PhotoLandmark, PhotoPoints, WHAT};
use crate::camera::Camera;
use crate::error::{Result, ScalpError};
use glam::{DMat3, DQuat, DVec3, Vec3};

/// Fewest landmarks a fit takes: 8 equations for 7 unknowns (pose and focal length).
pub const MIN_POINTS: usize = 4;
/// Two points closer than this (px) are the same pixel clicked twice.
pub const DUPLICATE_PX: f64 = 3.0;
/// Points whose spread across their best line is below this share of their spread along it
/// are taken as on one line.
pub const COLLINEAR_SHARE: f64 = 0.03;
/// A fit is refused when a point lands farther than this share of the points' extent from
/// where it was picked (a head is not the built-in head to the millimetre; a misplaced point
/// is off by far more)…
pub const MAX_ERROR_SHARE: f64 = 0.04;
/// …or farther than this many pixels, whichever is larger.
pub const MIN_MAX_ERROR_PX: f64 = 3.0;
/// The lenses tried as starts, vertical field of view in degrees (tele to wide).
const START_FOV_DEG: [f64; 4] = [12.0, 25.0, 45.0, 70.0];
/// The range a fitted lens is kept in, vertical field of view in degrees.
const FOV_RANGE_DEG: (f64, f64) = (1.0, 120.0);

/// A photo's camera in OpenCV axes: x right, y down, z forward; `p_cam = R·p_head + t`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct PhotoCamera {
    pub rotation: DQuat,
    pub translation: DVec3,
    /// Focal length in pixels.
    pub focal_px: f64,
    /// The photo's size in pixels.
    pub size: (u32, u32),
}

impl PhotoCamera {
    /// The pixel a head-space point lands on, if it is in front of the camera.
    pub fn project(&self, p: DVec3) -> Option<[f64; 2]> {
        let c = self.rotation * p + self.translation;
        (c.z > 1e-6).then(|| {
            [
                0.5 * self.size.0 as f64 + self.focal_px * c.x / c.z,
                0.5 * self.size.1 as f64 + self.focal_px * c.y / c.z,
            ]
        })
    }

    /// Where the camera is, head space (mm).
    pub fn eye(&self) -> DVec3 {
        -(self.rotation.inverse() * self.translation)
    }

    /// Vertical field of view, radians.
    pub fn fov_y(&self) -> f64 {
        2.0 * (0.5 * self.size.1 as f64 / self.focal_px).atan()
    }

    /// The engine's camera that draws this photo's view: the same eye, direction, up and lens;
    /// the depth range holds a head of `radius` mm around `centre`.
    pub fn to_camera(&self, centre: Vec3, radius: f32) -> Camera {
        let inv = self.rotation.inverse();
        let eye = self.eye();
        let forward = inv * DVec3::Z;
        let up = inv * DVec3::NEG_Y;
        let dist = (centre.as_dvec3() - eye).dot(forward).max(1.0);
        Camera {
            eye: eye.as_vec3(),
            target: (eye + forward * dist).as_vec3(),
            up: up.as_vec3(),
            fov_y: self.fov_y() as f32,
            near: (dist as f32 - 1.6 * radius).max(1.0),
            far: dist as f32 + 1.6 * radius,
        }
    }

    /// A camera at `eye` looking at `target` with `up` up, focal `focal_px`: for tests and
    /// starts.
    pub fn looking_at(
        eye: DVec3,
        target: DVec3,
        up: DVec3,
        focal_px: f64,
        size: (u32, u32),
    ) -> Self {
        let z = (target - eye).normalize();
        let x = (-up).cross(z).normalize();
        let y = z.cross(x);
        let r = DMat3::from_cols(x, y, z).transpose();
        let rotation = DQuat::from_mat3(&r);
        PhotoCamera {
            rotation,
            translation: -(rotation * eye),
            focal_px,
            size,
        }
    }
}

/// A fitted camera with every point's reprojection error.
#[derive(Clone, Debug)]
pub struct Fit {
    pub camera: PhotoCamera,
    /// Each point's distance from where the fitted camera puts its landmark, px.
    pub errors: Vec<(PhotoLandmark, f64)>,
    /// The largest error allowed for these points, px.
    pub tolerance_px: f64,
    /// Whether the focal length was given (EXIF) rather than fitted.
    pub focal_given: bool,
}

impl Fit {
    pub fn rms_px(&self) -> f64 {
        (self.errors.iter().map(|e| e.1 * e.1).sum::<f64>() / self.errors.len().max(1) as f64)
            .sqrt()
    }

    pub fn worst(&self) -> (PhotoLandmark, f64) {
        self.errors
            .iter()
            .copied()
            .fold(
                (PhotoLandmark::Nasion, -1.0),
                |a, b| if b.1 > a.1 { b } else { a },
            )
    }

    /// One line a point: what the command prints.
    pub fn describe(&self) -> Vec<String> {
        self.errors
            .iter()
            .map(|(l, e)| format!("  {:<13} {e:6.2} px", l.name()))
            .collect()
    }
}

/// Refuses a set of points no camera can be fitted to: too few, outside the image, the same
/// pixel twice, all on one line.
pub fn check_points(points: &PhotoPoints, size: (u32, u32)) -> Result<()> {
    let bad = |m: String| Err(ScalpError::invalid(WHAT, m));
    let n = points.points.len();
    if n < MIN_POINTS {
        let given: Vec<&str> = points.points.iter().map(|p| p.0.name()).collect();
        return bad(format!(
            "a fit needs at least {MIN_POINTS} landmarks, got {n} ({}); the photo may show {}",
            if given.is_empty() {
                "none".into()
            } else {
                given.join(", ")
            },
            PhotoLandmark::ALL.map(|l| l.name()).join(", ")
        ));
    }
    for (l, [x, y]) in &points.points {
        if !(0.0..=size.0 as f64).contains(x) || !(0.0..=size.1 as f64).contains(y) {
            return bad(format!(
                "`{}` = {x}, {y} is outside the {}x{} image (x 0 to {}, y 0 to {})",
                l.name(),
                size.0,
                size.1,
                size.0,
                size.1
            ));
        }
    }
    for (i, (a, pa)) in points.points.iter().enumerate() {
        for (b, pb) in &points.points[i + 1..] {
            let d = (pa[0] - pb[0]).hypot(pa[1] - pb[1]);
            if d < DUPLICATE_PX {
                return bad(format!(
                    "`{}` and `{}` are the same pixel ({d:.1} px apart): one was clicked twice",
                    a.name(),
                    b.name()
                ));
            }
        }
    }
    // The spread across the points' best line against the spread along it (2×2 covariance).
    let mean = points
        .points
        .iter()
        .fold([0.0; 2], |m, p| [m[0] + p.1[0], m[1] + p.1[1]]);
    let mean = [mean[0] / n as f64, mean[1] / n as f64];
    let (mut sxx, mut syy, mut sxy) = (0.0, 0.0, 0.0);
    for (_, [x, y]) in &points.points {
        let (dx, dy) = (x - mean[0], y - mean[1]);
        sxx += dx * dx;
        syy += dy * dy;
        sxy += dx * dy;
    }
    let tr = 0.5 * (sxx + syy);
    let det = (tr * tr - (sxx * syy - sxy * sxy)).max(0.0).sqrt();
    let (major, minor) = ((tr + det).sqrt(), (tr - det).max(0.0).sqrt());
    if minor < COLLINEAR_SHARE * major {
        return bad(format!(
            "the {n} points lie on one line (spread across it {:.1} px, along it {:.0} px): \
             pick landmarks that span the head both ways, e.g. an ear top and the vertex",
            minor / (n as f64).sqrt(),
            major / (n as f64).sqrt()
        ));
    }
    Ok(())
}

/// The points' extent on the image: the largest distance between two of them, px.
fn extent(pixels: &[[f64; 2]]) -> f64 {
    let mut e = 0.0f64;
    for (i, a) in pixels.iter().enumerate() {
        for b in &pixels[i + 1..] {
            e = e.max((a[0] - b[0]).hypot(a[1] - b[1]));
        }
    }
    e
}

/// Fits the camera of a `size` photo in which `points` were picked, the landmarks lying at
/// `model` (head space, mm, in the points' order); `focal_px` when the photo says its lens.
/// `max_error_px` overrides the refusal threshold. Refuses degenerate points and a fit whose
/// worst point lands too far from where it was picked, naming it.
pub fn fit_camera(
    points: &PhotoPoints,
    model: &[DVec3],
    size: (u32, u32),
    focal_px: Option<f64>,
    max_error_px: Option<f64>,
) -> Result<Fit> {
    check_points(points, size)?;
    let pixels: Vec<[f64; 2]> = points.points.iter().map(|p| p.1).collect();
    let camera = solve(model, &pixels, size, focal_px)
        .ok_or_else(|| ScalpError::invalid(WHAT, "no camera puts every landmark in front of it"))?;
    let errors: Vec<(PhotoLandmark, f64)> = points
        .points
        .iter()
        .zip(model)
        .map(|((l, px), p)| {
            let e = camera
                .project(*p)
                .map_or(f64::INFINITY, |q| (q[0] - px[0]).hypot(q[1] - px[1]));
            (*l, e)
        })
        .collect();
    let tolerance_px =
        max_error_px.unwrap_or((MAX_ERROR_SHARE * extent(&pixels)).max(MIN_MAX_ERROR_PX));
    let fit = Fit {
        camera,
        errors,
        tolerance_px,
        focal_given: focal_px.is_some(),
    };
    let (worst, e) = fit.worst();
    if e.is_nan() || e > tolerance_px {
        return Err(ScalpError::invalid(
            WHAT,
            format!(
                "the fitted camera puts `{}` {e:.1} px from where it was picked (at most \
                 {tolerance_px:.1} px allowed): check that point, or that the head is the \
                 client's; every point:\n{}",
                worst.name(),
                fit.describe().join("\n")
            ),
        ));
    }
    Ok(fit)
}

/// Pixel residuals of `cam` (2 a point); a point behind the camera counts as far off.
fn residuals(cam: &PhotoCamera, model: &[DVec3], pixels: &[[f64; 2]], out: &mut Vec<f64>) {
    out.clear();
    let far = 1e4 * cam.size.0.max(cam.size.1) as f64;
    for (p, px) in model.iter().zip(pixels) {
        match cam.project(*p) {
            Some(q) => out.extend([q[0] - px[0], q[1] - px[1]]),
            None => out.extend([far, far]),
        }
    }
}

fn cost(cam: &PhotoCamera, model: &[DVec3], pixels: &[[f64; 2]]) -> f64 {
    let mut r = Vec::new();
    residuals(cam, model, pixels, &mut r);
    r.iter().map(|v| v * v).sum()
}

/// The best camera for the points: many starts, the best refined.
fn solve(
    model: &[DVec3],
    pixels: &[[f64; 2]],
    size: (u32, u32),
    focal_px: Option<f64>,
) -> Option<PhotoCamera> {
    let focal_of = |fov_deg: f64| 0.5 * size.1 as f64 / (0.5 * fov_deg.to_radians()).tan();
    let focals: Vec<f64> = match focal_px {
        Some(f) => vec![f],
        None => START_FOV_DEG.iter().map(|d| focal_of(*d)).collect(),
    };
    let mut starts: Vec<(f64, PhotoCamera)> = Vec::new();
    for az in (0..12).map(|i| (i as f64 * 30.0).to_radians()) {
        for el in [-40.0f64, -15.0, 10.0, 35.0, 60.0, 85.0].map(f64::to_radians) {
            for roll in [-25.0f64, 0.0, 25.0].map(f64::to_radians) {
                let back = DVec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos());
                let up = if el > 1.4 { DVec3::Z } else { DVec3::Y };
                let base = PhotoCamera::looking_at(back * 1000.0, DVec3::ZERO, up, 1.0, size);
                let rotation = DQuat::from_rotation_z(roll) * base.rotation;
                for &f in &focals {
                    if let Some(t) = translation_for(rotation, f, model, pixels, size) {
                        let cam = PhotoCamera {
                            rotation,
                            translation: t,
                            focal_px: f,
                            size,
                        };
                        starts.push((cost(&cam, model, pixels), cam));
                    }
                }
            }
        }
    }
    if model.len() >= 6 {
        if let Some(cam) = dlt(model, pixels, size) {
            let cam = PhotoCamera {
                focal_px: focal_px.unwrap_or(cam.focal_px),
                ..cam
            };
            starts.push((cost(&cam, model, pixels), cam));
        }
    }
    starts.sort_by(|a, b| a.0.total_cmp(&b.0));
    let f_range = (focal_of(FOV_RANGE_DEG.1), focal_of(FOV_RANGE_DEG.0));
    starts
        .iter()
        .take(12)
        .map(|(_, c)| refine(*c, model, pixels, focal_px.is_none(), f_range))
        .map(|c| (cost(&c, model, pixels), c))
        .filter(|(e, _)| e.is_finite())
        .min_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, c)| c)
}

/// Least-squares translation for a given rotation and focal length: each point gives
/// f·tx − u'·tz = u'·Yz − f·Yx and f·ty − v'·tz = v'·Yz − f·Yy (Y = R·X, u' = u − cx).
fn translation_for(
    rotation: DQuat,
    f: f64,
    model: &[DVec3],
    pixels: &[[f64; 2]],
    size: (u32, u32),
) -> Option<DVec3> {
    let (cx, cy) = (0.5 * size.0 as f64, 0.5 * size.1 as f64);
    let mut ata = DMat3::ZERO;
    let mut atb = DVec3::ZERO;
    for (p, px) in model.iter().zip(pixels) {
        let y = rotation * *p;
        let (u, v) = (px[0] - cx, px[1] - cy);
        for (row, rhs) in [
            (DVec3::new(f, 0.0, -u), u * y.z - f * y.x),
            (DVec3::new(0.0, f, -v), v * y.z - f * y.y),
        ] {
            ata += DMat3::from_cols(row * row.x, row * row.y, row * row.z);
            atb += row * rhs;
        }
    }
    if ata.determinant().abs() < 1e-12 {
        return None;
    }
    let t = ata.inverse() * atb;
    model
        .iter()
        .all(|p| (rotation * *p + t).z > 1.0)
        .then_some(t)
}

/// Levenberg–Marquardt on the pixel residuals: a rotation increment (3), the translation (3)
/// and, when fitted, ln f (1); central-difference Jacobian (a handful of points).
fn refine(
    mut cam: PhotoCamera,
    model: &[DVec3],
    pixels: &[[f64; 2]],
    fit_focal: bool,
    f_range: (f64, f64),
) -> PhotoCamera {
    let n = if fit_focal { 7 } else { 6 };
    let apply = |c: &PhotoCamera, d: &[f64]| {
        let dq = DQuat::from_scaled_axis(DVec3::new(d[0], d[1], d[2]));
        let mut out = PhotoCamera {
            rotation: (dq * c.rotation).normalize(),
            translation: c.translation + DVec3::new(d[3], d[4], d[5]),
            ..*c
        };
        if d.len() > 6 {
            out.focal_px = (c.focal_px * d[6].exp()).clamp(f_range.0, f_range.1);
        }
        out
    };
    let mut lambda = 1e-3;
    let mut r = Vec::new();
    let (mut rp, mut rm) = (Vec::new(), Vec::new());
    let mut current = cost(&cam, model, pixels);
    for _ in 0..200 {
        residuals(&cam, model, pixels, &mut r);
        let m = r.len();
        // Steps: radians, mm (scaled by the distance), ln f.
        let dist = cam.translation.length().max(1.0);
        let mut jac = vec![0.0; m * n];
        for k in 0..n {
            let h = if (3..6).contains(&k) {
                1e-6 * dist
            } else {
                1e-7
            };
            let mut d = vec![0.0; n];
            d[k] = h;
            residuals(&apply(&cam, &d), model, pixels, &mut rp);
            d[k] = -h;
            residuals(&apply(&cam, &d), model, pixels, &mut rm);
            for i in 0..m {
                jac[i * n + k] = (rp[i] - rm[i]) / (2.0 * h);
            }
        }
        let mut jtj = vec![0.0; n * n];
        let mut jtr = vec![0.0; n];
        for i in 0..m {
            for a in 0..n {
                jtr[a] += jac[i * n + a] * r[i];
                for b in 0..n {
                    jtj[a * n + b] += jac[i * n + a] * jac[i * n + b];
                }
            }
        }
        let mut improved = false;
        for _ in 0..12 {
            let mut a = jtj.clone();
            for k in 0..n {
                a[k * n + k] += lambda * jtj[k * n + k].max(1e-9);
            }
            let b: Vec<f64> = jtr.iter().map(|v| -v).collect();
            let Some(d) = solve_linear(&mut a, b, n) else {
                lambda *= 10.0;
                continue;
            };
            let next = apply(&cam, &d);
            let c = cost(&next, model, pixels);
            if c < current {
                let gain = current - c;
                cam = next;
                current = c;
                lambda = (lambda * 0.3).max(1e-12);
                improved = gain > 1e-12 * (1.0 + current);
                break;
            }
            lambda *= 10.0;
        }
        if !improved {
            break;
        }
    }
    cam
}

/// Solves the n×n system `a·x = b` by Gaussian elimination with partial pivoting.
fn solve_linear(a: &mut [f64], mut b: Vec<f64>, n: usize) -> Option<Vec<f64>> {
    for col in 0..n {
        let piv =
            (col..n).max_by(|&i, &j| a[i * n + col].abs().total_cmp(&a[j * n + col].abs()))?;
        if a[piv * n + col].abs() < 1e-300 {
            return None;
        }
        for k in 0..n {
            a.swap(col * n + k, piv * n + k);
        }
        b.swap(col, piv);
        for row in col + 1..n {
            let f = a[row * n + col] / a[col * n + col];
            for k in col..n {
                a[row * n + k] -= f * a[col * n + k];
            }
            b[row] -= f * b[col];
        }
    }
    let mut x = vec![0.0; n];
    for row in (0..n).rev() {
        let s: f64 = (row + 1..n).map(|k| a[row * n + k] * x[k]).sum();
        x[row] = (b[row] - s) / a[row * n + row];
    }
    x.iter().all(|v| v.is_finite()).then_some(x)
}

/// The direct linear transform (six points or more, not all in one plane): the 3×4 projection
/// matrix as the null vector of the 2n×12 system, split into focal length, rotation and
/// translation under this module's camera (square pixels, centred principal point).
fn dlt(model: &[DVec3], pixels: &[[f64; 2]], size: (u32, u32)) -> Option<PhotoCamera> {
    let (cx, cy) = (0.5 * size.0 as f64, 0.5 * size.1 as f64);
    // Normal equations AᵀA (12×12); the null vector is its eigenvector of least eigenvalue,
    // found by inverse iteration.
    let mut ata = vec![0.0; 144];
    for (p, px) in model.iter().zip(pixels) {
        let (u, v) = (px[0] - cx, px[1] - cy);
        let x = [p.x, p.y, p.z, 1.0];
        let mut r1 = [0.0; 12];
        let mut r2 = [0.0; 12];
        for k in 0..4 {
            r1[k] = x[k];
            r1[8 + k] = -u * x[k];
            r2[4 + k] = x[k];
            r2[8 + k] = -v * x[k];
        }
        for a in 0..12 {
            for b in 0..12 {
                ata[a * 12 + b] += r1[a] * r1[b] + r2[a] * r2[b];
            }
        }
    }
    let scale = (0..12)
        .map(|k| ata[k * 13])
        .fold(0.0f64, f64::max)
        .max(1e-30);
    let mut v = vec![1.0; 12];
    for _ in 0..60 {
        let mut a = ata.clone();
        for k in 0..12 {
            a[k * 13] += 1e-12 * scale;
        }
        let w = solve_linear(&mut a, v.clone(), 12)?;
        let norm = w.iter().map(|x| x * x).sum::<f64>().sqrt();
        v = w.iter().map(|x| x / norm).collect();
    }
    let row = |i: usize| DVec3::new(v[4 * i], v[4 * i + 1], v[4 * i + 2]);
    let (a1, a2, a3) = (row(0), row(1), row(2));
    // P = [K R | K t] with K = diag(f, f, 1): a3 = λ r3, a1 = λ f r1, a2 = λ f r2.
    let lambda = a3.length();
    if lambda < 1e-300 {
        return None;
    }
    let sign = if (a3.dot(model[0]) + v[11]) > 0.0 {
        1.0
    } else {
        -1.0
    };
    let s = sign / lambda;
    let f = 0.5 * (a1.length() + a2.length()) * lambda.recip();
    let r3 = a3 * s;
    let r1 = (a1 * s / f).normalize();
    let r2 = r3.cross(r1).normalize();
    let r1 = r2.cross(r3);
    let r = DMat3::from_cols(r1, r2, r3).transpose();
    let rotation = DQuat::from_mat3(&r).normalize();
    let t = DVec3::new(v[3] * s / f, v[7] * s / f, v[11] * s);
    (f.is_finite() && f > 0.0).then_some(PhotoCamera {
        rotation,
        translation: t,
        focal_px: f,
        size,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The built-in head's landmarks (no mesh needed: the numbers of assets/head.landmarks.toml
    /// and the template's nasion are read through Head::builtin once).
    fn model() -> Vec<(PhotoLandmark, DVec3)> {
        let head = crate::head::Head::builtin().unwrap();
        PhotoLandmark::ALL
            .iter()
            .map(|l| (*l, l.position(&head).unwrap().as_dvec3()))
            .collect()
    }

    /// The points a camera sees of `which` landmarks (those in front of it), with their pixels.
    fn shoot(cam: &PhotoCamera, which: &[PhotoLandmark]) -> (PhotoPoints, Vec<DVec3>) {
        let m = model();
        let mut pts = PhotoPoints::default();
        let mut xyz = Vec::new();
        for (l, p) in m.iter().filter(|(l, _)| which.contains(l)) {
            pts.points.push((*l, cam.project(*p).unwrap()));
            xyz.push(*p);
        }
        (pts, xyz)
    }

    fn camera(az_deg: f64, el_deg: f64, dist: f64, fov_deg: f64, size: (u32, u32)) -> PhotoCamera {
        let (az, el) = (az_deg.to_radians(), el_deg.to_radians());
        let back = DVec3::new(el.cos() * az.sin(), el.sin(), el.cos() * az.cos());
        let f = 0.5 * size.1 as f64 / (0.5 * fov_deg.to_radians()).tan();
        let target = DVec3::new(3.0, 30.0, -5.0);
        PhotoCamera::looking_at(target + back * dist, target, DVec3::Y, f, size)
    }

    use PhotoLandmark::*;
    const FRONT: [PhotoLandmark; 7] = [
        Nasion,
        Glabella,
        Hairline,
        TempleLeft,
        TempleRight,
        EarLeft,
        EarRight,
    ];

    #[test]
    fn synthetic_cameras_are_recovered_to_a_fraction_of_a_pixel() {
        let cases: [(f64, f64, f64, f64, &[PhotoLandmark]); 5] = [
            (0.0, 10.0, 600.0, 40.0, &FRONT),
            (
                35.0,
                20.0,
                1200.0,
                20.0,
                &[Nasion, Hairline, TempleLeft, EarLeft, Vertex, Glabella],
            ),
            (
                -80.0,
                5.0,
                450.0,
                55.0,
                &[Nasion, TempleRight, EarRight, Vertex, Occipital],
            ),
            (
                0.0,
                75.0,
                700.0,
                35.0,
                &[
                    Hairline,
                    TempleLeft,
                    TempleRight,
                    Vertex,
                    Occipital,
                    EarLeft,
                    EarRight,
                ],
            ),
            (
                170.0,
                15.0,
                900.0,
                30.0,
                &[Vertex, Occipital, EarLeft, EarRight],
            ),
        ];
        for (az, el, dist, fov, which) in cases {
            let truth = camera(az, el, dist, fov, (1200, 900));
            let (pts, xyz) = shoot(&truth, which);
            let fit = fit_camera(&pts, &xyz, truth.size, None, None)
                .unwrap_or_else(|e| panic!("az {az} el {el}: {e}"));
            assert!(fit.worst().1 < 0.05, "az {az} el {el}: {:?}", fit.errors);
            // Every landmark, given or not, lands where the true camera puts it.
            for (l, p) in model() {
                if let (Some(a), Some(b)) = (truth.project(p), fit.camera.project(p)) {
                    let d = (a[0] - b[0]).hypot(a[1] - b[1]);
                    // Four points leave one equation spare: the others may drift a little.
                    let tol = if which.len() >= 6 { 1.0 } else { 40.0 };
                    assert!(d < tol, "az {az} el {el}: {} off by {d:.2} px", l.name());
                }
            }
            if which.len() >= 6 {
                let ratio = fit.camera.focal_px / truth.focal_px;
                assert!((ratio - 1.0).abs() < 0.01, "az {az}: focal ratio {ratio}");
            }
        }
    }

    #[test]
    fn a_given_focal_length_is_kept_and_noise_stays_within_a_few_pixels() {
        let truth = camera(20.0, 15.0, 800.0, 30.0, (1000, 1000));
        let (mut pts, xyz) = shoot(&truth, &FRONT);
        // ±1.5 px of picking noise, deterministic.
        for (i, p) in pts.points.iter_mut().enumerate() {
            p.1[0] += [1.5, -1.2, 0.7, -1.5, 1.0, 0.3, -0.8][i];
            p.1[1] += [-0.9, 1.4, -1.5, 0.6, 1.1, -0.4, 1.2][i];
        }
        let fit = fit_camera(&pts, &xyz, truth.size, Some(truth.focal_px), None).unwrap();
        assert_eq!(fit.camera.focal_px, truth.focal_px);
        assert!(fit.worst().1 < 3.0, "{:?}", fit.errors);
        let d = (fit.camera.eye() - truth.eye()).length();
        assert!(d < 25.0, "eye off by {d} mm");
    }

    #[test]
    fn a_misplaced_point_is_refused_by_name() {
        let truth = camera(0.0, 10.0, 700.0, 35.0, (1000, 800));
        let (mut pts, xyz) = shoot(&truth, &FRONT);
        let k = pts.points.iter().position(|p| p.0 == TempleLeft).unwrap();
        pts.points[k].1[1] += 80.0;
        let e = fit_camera(&pts, &xyz, truth.size, None, None)
            .unwrap_err()
            .to_string();
        assert!(e.contains("`temple_left`"), "{e}");
    }

    #[test]
    fn degenerate_points_are_refused_before_fitting() {
        let size = (1000, 800);
        let pts = |t: &str| super::super::points::parse_points(t).unwrap();
        let e = |t: &str| check_points(&pts(t), size).unwrap_err().to_string();
        assert!(e("nasion=1,2;vertex=500,3;ear_left=100,200").contains("at least 4"));
        let s = e("nasion=100,100;vertex=200,200;ear_left=300,300;ear_right=400,401");
        assert!(s.contains("one line"), "{s}");
        let s = e("nasion=100,100;vertex=200,50;ear_left=300,300;ear_right=301,301");
        assert!(s.contains("`ear_left` and `ear_right`"), "{s}");
        let s = e("nasion=100,100;vertex=200,50;ear_left=300,300;ear_right=1001,300");
        assert!(s.contains("`ear_right`") && s.contains("outside"), "{s}");
        assert!(check_points(
            &pts("nasion=100,100;vertex=200,50;ear_left=300,300;ear_right=700,300"),
            size
        )
        .is_ok());
    }

    #[test]
    fn the_engine_camera_projects_as_the_photo_camera() {
        let truth = camera(30.0, 20.0, 700.0, 30.0, (640, 480));
        let cam = truth.to_camera(Vec3::new(0.0, 20.0, 0.0), 130.0);
        let aspect = 640.0 / 480.0;
        let vp = cam.proj(aspect) * cam.view();
        for (_, p) in model() {
            let c = vp.project_point3(p.as_vec3());
            let px = [(1.0 + c.x as f64) * 320.0, (1.0 - c.y as f64) * 240.0];
            let q = truth.project(p).unwrap();
            assert!((px[0] - q[0]).hypot(px[1] - q[1]) < 0.05, "{px:?} vs {q:?}");
        }
    }
}
