//! What a face tells about its own orientation, found on the scan before any template fit:
//! the left–right symmetry plane, the nose (the sharpest peak on that plane) and the ears (a
//! mirrored pair of peaks on its two sides). They fix which side is the front, which a
//! template fit alone can get wrong on a head with a bun or a hair mass at the back.
//!
//! All points here are the scan's samples centred on their centroid, in millimetres.
use super::geometry::principal_axes;
use super::kdtree::KdTree;
use glam::{DMat3, DVec3};

/// Surface samples the cues are looked for on.
pub(super) const CUE_SAMPLES: usize = 20_000;

/// Radius of the neighbourhood whose shape tells a peak, at the built-in head's size, mm.
pub(super) const PEAK_RADIUS_MM: f64 = 18.0;

/// Angular sectors around a point: a peak stands above its neighbours in every one of them,
/// a ridge (a box's edge) not along itself, a boundary point has empty ones.
const SECTORS: usize = 6;

/// Candidate plane normals spread over a hemisphere (Fibonacci), besides the principal axes.
const PLANE_CANDIDATES: usize = 240;

/// Samples that score each candidate plane, and that refine the best.
const PLANE_SCORE_SAMPLES: usize = 400;

const PLANE_REFINE_SAMPLES: usize = 1500;

/// Best candidate planes refined, and mirrored-point ICP rounds each.
const PLANE_FINALISTS: usize = 4;

const PLANE_ROUNDS: usize = 30;

/// A plane is the symmetry plane when the next best distinct plane mirrors the surface at
/// least this many times worse.
pub(super) const PLANE_SURE_RATIO: f64 = 1.5;

/// A nose is the nose when the next peak on the plane (further than two peak radii) is at
/// most this share of its sharpness, and it is at least [`NOSE_MIN_SHARPNESS`].
pub(super) const NOSE_SURE_RATIO: f64 = 0.7;

pub(super) const NOSE_MIN_SHARPNESS: f64 = 0.12;

/// Ears: a peak on each side at least this sharp, mirror images of each other to within
/// this share of the head's RMS radius.
const EAR_MIN_SHARPNESS: f64 = 0.08;

const EAR_MIRROR_SHARE: f64 = 0.15;

/// A nose is a narrow ridge: beside its tip, this share of the head's size off the plane (the
/// cheeks by the nostrils), the surface at the tip's height lies at least
/// [`NOSE_MIN_RECESS`] of that size behind it (a worn statue's 16 mm). A chin, a brow or a mask over the lower face is
/// broad and lies a few millimetres back there (a real nose 20–30 mm, a masked face's 7).
const NOSE_FLANK: (f64, f64) = (0.17, 0.24);

const NOSE_MIN_RECESS: f64 = 0.12;

/// Ears stand out at least this share of the head's size off the plane (the built-in head's
/// at 0.73), and their midpoint lies at least this share behind the nose (the built-in's
/// 1.26): what stands beside the eyes or on the brow is not an ear.
const EAR_MIN_OFF_PLANE: f64 = 0.5;

const EAR_MIN_BEHIND_NOSE: f64 = 0.7;

/// The sharpest left-side peaks tried as one ear of the pair.
const EAR_CANDIDATES: usize = 40;

/// An ear's centre: the sharp points (at least this sharp) within this reach of it (a share
/// of the distance between the two ears' peaks: 40 mm on the built-in head, whichever units
/// or torso the scan has), moved onto their mean this many times (see [`pinna_centre`]).
const PINNA_MIN_SHARPNESS: f64 = 0.04;

const PINNA_REACH: f64 = 0.26;

const PINNA_SHIFTS: usize = 4;

/// Samples of the surface within [`FACE_REACH_MM`] of the nose (at the built-in head's size)
/// that the eye sockets are looked for on.
pub(super) const FACE_SAMPLES: usize = 12_000;

pub(super) const FACE_REACH_MM: f64 = 110.0;

/// The eye sockets, looked for beside the midline (this far off it, in strips this wide, mm
/// at the built-in head's size) over this span up from the nose's tip, in rows this tall: the
/// frontmost surface of each row, going up from the cheek, falls into the socket and rises
/// again to the brow. Below the nose the cheeks and jaw mostly recede.
const SOCKET_SIDE_MM: f64 = 32.0;

const SOCKET_HALF_WIDTH_MM: f64 = 8.0;

const SOCKET_SPAN_MM: (f64, f64) = (4.0, 80.0);

const SOCKET_ROW_MM: f64 = 4.0;

/// The face beside the nose lies within this range ahead of its tip, mm (negative: behind).
const SOCKET_DEPTH_MM: (f64, f64) = (-70.0, 5.0);

/// A socket-like dip is found when it is at least this deep on both sides, mm at the built-in
/// head's size; it tells up when the other way from the nose shows less than this, or than a
/// quarter of its depth ([`Sockets::tell_up`]).
pub(super) const SOCKET_MIN_MM: f64 = 3.0;

/// A mirror plane `n·p = d`.
#[derive(Clone, Copy, Debug)]
pub(super) struct Plane {
    pub(super) normal: DVec3,
    pub(super) offset: f64,
    /// Truncated RMS distance of the mirrored surface from the surface, mm.
    pub(super) mirror_rms: f64,
}

impl Plane {
    pub(super) fn signed(&self, p: DVec3) -> f64 {
        self.normal.dot(p) - self.offset
    }

    fn mirror(&self, p: DVec3) -> DVec3 {
        p - self.normal * (2.0 * self.signed(p))
    }
}

/// A peak of the surface: where, and how sharp (mean height above its neighbours in the
/// flattest sector, over the neighbourhood's radius).
#[derive(Clone, Copy, Debug)]
pub(super) struct Peak {
    pub(super) at: DVec3,
    pub(super) sharpness: f64,
}

/// The cues found on a scan.
#[derive(Clone, Debug)]
pub(super) struct Found {
    pub(super) plane: Plane,
    /// The next best distinct plane's mirror RMS.
    pub(super) next_plane_rms: f64,
    pub(super) nose: Option<Peak>,
    /// The next sharpest peak on the plane away from the nose.
    pub(super) next_peak: Option<Peak>,
    pub(super) ears: Option<[Peak; 2]>,
    /// The centres of the ears (their pinnae), left of the plane first.
    pub(super) pinnae: Option<[DVec3; 2]>,
    /// The eye sockets above the nose, which tell up from down.
    pub(super) sockets: Option<Sockets>,
}

/// What the eye sockets told: the way along the plane they were deepest (up, if they tell
/// it), and how deep the dip is that way and the other (the lesser of the cheek's and the
/// brow's rise in front of its deepest row, the shallower side, mm at the built-in head's
/// size).
#[derive(Clone, Copy, Debug)]
pub(super) struct Sockets {
    pub(super) up: DVec3,
    pub(super) depth_mm: f64,
    pub(super) other_way_mm: f64,
}

impl Sockets {
    /// A socket-like dip beside the nose, one way or the other.
    pub(super) fn found(&self) -> bool {
        self.depth_mm >= SOCKET_MIN_MM
    }

    /// The dip is there one way only, so it tells up: a beard or a torso can raise a dip
    /// below the nose too, and then up is left to the fit.
    pub(super) fn tell_up(&self) -> bool {
        self.found() && self.other_way_mm < SOCKET_MIN_MM.max(0.25 * self.depth_mm)
    }
}

impl Found {
    /// The same cues for the points moved by `by`.
    pub(super) fn shift(&mut self, by: DVec3) {
        self.plane.offset += self.plane.normal.dot(by);
        for p in [&mut self.nose, &mut self.next_peak].into_iter().flatten() {
            p.at += by;
        }
        for e in self.ears.iter_mut().flatten() {
            e.at += by;
        }
        for c in self.pinnae.iter_mut().flatten() {
            *c += by;
        }
    }

    /// The distance from the nose tip to the middle of the ears' centres, and that middle:
    /// the face's own measure of its size, which neither a torso nor a hair mass changes.
    pub(super) fn ears_to_nose(&self) -> Option<(f64, DVec3)> {
        let (n, [l, r]) = (self.nose?.at, self.pinnae?);
        let ears = 0.5 * (l + r);
        Some((n.distance(ears), ears))
    }

    /// Looks for the eye sockets on `face`, samples of the surface around the nose (in the
    /// same frame as the cues), dense enough to see them. Lengths are scaled by the face's
    /// size ([`Found::ears_to_nose`]) over `reference`, the built-in head's. Forward is from
    /// the ears to the nose: the surface's own lean at the nose tips with how much neck or
    /// shoulder was scanned.
    pub(super) fn look_for_sockets(&mut self, face: &[DVec3], reference: f64) {
        self.sockets = self
            .nose
            .zip(self.ears_to_nose())
            .and_then(|(n, (len, ears))| {
                let d = n.at - ears;
                let forward =
                    (d - self.plane.normal * self.plane.normal.dot(d)).normalize_or_zero();
                let k = len / reference.max(1e-9);
                (forward != DVec3::ZERO).then(|| eye_sockets(face, &self.plane, n.at, forward, k))
            });
    }

    /// The head's frame as the face alone gives it, as rotations into head space (+X the
    /// client's left, +Y up, +Z forward), with the pitch that puts the line from the ears'
    /// centres to the nose at the angle it has on `template`'s cues: from a sure plane and
    /// nose, and the ears. One frame when the eye sockets tell up; otherwise two, upright and
    /// upside down, turned half about that line, and the fit chooses.
    pub(super) fn frames(&self, template: &Found) -> Vec<DMat3> {
        let (Some(nose), Some((_, ears)), Some(tn), Some((_, ears_t))) = (
            self.sure_nose(),
            self.ears_to_nose(),
            template.nose,
            template.ears_to_nose(),
        ) else {
            return Vec::new();
        };
        // X = up × forward; forward (from the ears to the nose) lies in the plane.
        let n = self.plane.normal;
        let along = |d: DVec3, x: DVec3| (d - x * x.dot(d)).normalize_or_zero();
        let d = along(nose.at - ears, n);
        let dt = along(tn.at - ears_t, DVec3::X);
        if d == DVec3::ZERO || dt == DVec3::ZERO {
            return Vec::new();
        }
        let head = DMat3::from_cols(DVec3::X, dt, DVec3::X.cross(dt));
        let ways = match self.sockets.filter(|s| s.tell_up()) {
            Some(s) if s.up.cross(d).dot(n) > 0.0 => vec![n],
            Some(_) => vec![-n],
            None => vec![n, -n],
        };
        ways.into_iter()
            .map(|x| head * DMat3::from_cols(x, d, x.cross(d)).transpose())
            .collect()
    }

    /// A start for the fit in the face's frame `r` ([`Found::frames`]): scaled and moved so
    /// that the nose and the ears' centres sit where `template`'s do (centred points in, the
    /// template's head space out).
    pub(super) fn place_by_face(&self, template: &Found, r: DMat3) -> Option<super::icp::Pose> {
        let ((len, ears), (len_t, ears_t)) = (self.ears_to_nose()?, template.ears_to_nose()?);
        let (a, at) = (
            0.5 * (self.nose?.at + ears),
            0.5 * (template.nose?.at + ears_t),
        );
        let s = len_t / len.max(1e-9);
        Some(super::icp::Pose {
            s,
            r,
            t: at - r * a * s,
        })
    }

    pub(super) fn plane_sure(&self) -> bool {
        self.next_plane_rms > PLANE_SURE_RATIO * self.plane.mirror_rms
    }

    /// The nose, if it is clearly the sharpest peak on a sure plane.
    pub(super) fn sure_nose(&self) -> Option<Peak> {
        let nose = self.nose?;
        let next = self.next_peak.map_or(0.0, |p| p.sharpness);
        (self.plane_sure()
            && nose.sharpness >= NOSE_MIN_SHARPNESS
            && next <= NOSE_SURE_RATIO * nose.sharpness)
            .then_some(nose)
    }
}

/// Points within a radius, by a uniform grid of that cell size.
pub(super) struct Neighbours<'a> {
    pts: &'a [DVec3],
    lo: DVec3,
    cell: f64,
    dims: [i64; 3],
    start: Vec<u32>,
    items: Vec<u32>,
}

impl<'a> Neighbours<'a> {
    pub(super) fn new(pts: &'a [DVec3], cell: f64) -> Self {
        let (lo, hi) = super::geometry::bounds(pts);
        let n = ((hi - lo) / cell).floor();
        // A scan far bigger than its neighbourhood (wrong units) must not allocate a huge grid.
        let cap = 256.0;
        let cell = cell * (n.max_element() / cap).max(1.0);
        let n = ((hi - lo) / cell).floor();
        let dims = [n.x as i64 + 1, n.y as i64 + 1, n.z as i64 + 1];
        let mut g = Neighbours {
            pts,
            lo,
            cell,
            dims,
            start: Vec::new(),
            items: Vec::new(),
        };
        let cells = (dims[0] * dims[1] * dims[2]) as usize;
        let mut start = vec![0u32; cells + 1];
        let keys: Vec<usize> = pts.iter().map(|p| g.key(g.cell_of(*p))).collect();
        for &k in &keys {
            start[k + 1] += 1;
        }
        for i in 0..cells {
            start[i + 1] += start[i];
        }
        let mut fill = start.clone();
        let mut items = vec![0u32; pts.len()];
        for (i, &k) in keys.iter().enumerate() {
            items[fill[k] as usize] = i as u32;
            fill[k] += 1;
        }
        g.start = start;
        g.items = items;
        g
    }

    fn cell_of(&self, p: DVec3) -> [i64; 3] {
        let c = ((p - self.lo) / self.cell).floor();
        [
            (c.x as i64).clamp(0, self.dims[0] - 1),
            (c.y as i64).clamp(0, self.dims[1] - 1),
            (c.z as i64).clamp(0, self.dims[2] - 1),
        ]
    }

    fn key(&self, c: [i64; 3]) -> usize {
        ((c[2] * self.dims[1] + c[1]) * self.dims[0] + c[0]) as usize
    }

    /// Indices of the points within `r` (at most the grid's cell) of `q`.
    pub(super) fn within(&self, q: DVec3, r: f64, out: &mut Vec<u32>) {
        out.clear();
        let c = self.cell_of(q);
        for z in (c[2] - 1).max(0)..=(c[2] + 1).min(self.dims[2] - 1) {
            for y in (c[1] - 1).max(0)..=(c[1] + 1).min(self.dims[1] - 1) {
                for x in (c[0] - 1).max(0)..=(c[0] + 1).min(self.dims[0] - 1) {
                    let k = self.key([x, y, z]);
                    for &i in &self.items[self.start[k] as usize..self.start[k + 1] as usize] {
                        if self.pts[i as usize].distance_squared(q) <= r * r {
                            out.push(i);
                        }
                    }
                }
            }
        }
    }
}

/// Sharpness of the surface at sample `i` as a peak (0 when it is not one): its mean height
/// above its neighbours within `r`, along the local normal turned away from `centre`, in the
/// sector where that is least, over `r`.
pub(super) fn peak_sharpness(
    pts: &[DVec3],
    nb: &Neighbours,
    i: usize,
    r: f64,
    centre: DVec3,
    scratch: &mut Vec<u32>,
) -> f64 {
    let c = pts[i];
    nb.within(c, r, scratch);
    if scratch.len() < 4 * SECTORS {
        return 0.0;
    }
    let mean = scratch.iter().map(|&k| pts[k as usize]).sum::<DVec3>() / scratch.len() as f64;
    let local: Vec<DVec3> = scratch.iter().map(|&k| pts[k as usize] - mean).collect();
    let axes = principal_axes(&local);
    let mut n = axes[2];
    if n.dot(c - centre) < 0.0 {
        n = -n;
    }
    let (u, v) = (axes[0], n.cross(axes[0]));
    let mut sum = [0.0f64; SECTORS];
    let mut count = [0usize; SECTORS];
    for &k in scratch.iter() {
        let d = pts[k as usize] - c;
        let (du, dv) = (d.dot(u), d.dot(v));
        // Points at the centre have no direction; too close to tell anyway.
        if du * du + dv * dv < 0.04 * r * r {
            continue;
        }
        let a = dv.atan2(du) + std::f64::consts::PI;
        let s = ((a / std::f64::consts::TAU * SECTORS as f64) as usize).min(SECTORS - 1);
        sum[s] += -d.dot(n);
        count[s] += 1;
    }
    let mut least = f64::INFINITY;
    let total: usize = count.iter().sum();
    for s in 0..SECTORS {
        // A sector with few points is beyond the scan's edge: not a peak.
        if count[s] < 2 || count[s] * 3 * SECTORS < total {
            return 0.0;
        }
        least = least.min(sum[s] / count[s] as f64);
    }
    (least / r).max(0.0)
}

/// Every `step`-th point, at most `n` of them.
fn subsample(pts: &[DVec3], n: usize) -> Vec<DVec3> {
    let step = (pts.len() / n.max(1)).max(1);
    pts.iter().step_by(step).take(n).copied().collect()
}

/// Truncated RMS distance of the mirrored points from the surface.
fn mirror_score(pts: &[DVec3], kd: &KdTree, sub: &[DVec3], plane: &Plane, cap: f64) -> f64 {
    let sum: f64 = sub
        .iter()
        .map(|p| {
            let m = plane.mirror(*p);
            let q = pts[kd.nearest(pts, m) as usize];
            q.distance_squared(m).min(cap * cap)
        })
        .sum();
    (sum / sub.len().max(1) as f64).sqrt()
}

/// Mirrored-point ICP: each point's mirror image paired with the surface point nearest it;
/// a pair's difference lies along the normal and its midpoint on the plane.
/// The best plane met is kept: nearest-point pairs can also lead a plane astray.
fn refine_plane(pts: &[DVec3], kd: &KdTree, sub: &[DVec3], mut plane: Plane, cap: f64) -> Plane {
    plane.mirror_rms = mirror_score(pts, kd, sub, &plane, cap);
    let mut best = plane;
    for _ in 0..PLANE_ROUNDS {
        let pairs: Vec<(DVec3, DVec3, f64)> = sub
            .iter()
            .map(|p| {
                let q = pts[kd.nearest(pts, plane.mirror(*p)) as usize];
                (*p, q, plane.mirror(*p).distance(q))
            })
            .collect();
        let mut d: Vec<f64> = pairs.iter().map(|x| x.2).collect();
        let mid = d.len() / 2;
        let median = *d.select_nth_unstable_by(mid, f64::total_cmp).1;
        let tau = (2.5 * median).max(0.02 * cap);
        let mut m = [[0.0f64; 3]; 3];
        let mut kept = Vec::new();
        for &(p, q, e) in &pairs {
            if e > tau {
                continue;
            }
            let v = p - q;
            let v = if v.dot(plane.normal) < 0.0 { -v } else { v };
            let a = [v.x, v.y, v.z];
            for i in 0..3 {
                for k in 0..3 {
                    m[i][k] += a[i] * a[k];
                }
            }
            kept.push((p, q));
        }
        if kept.len() < 10 {
            break;
        }
        // The dominant direction of the differences: the largest principal axis of the
        // second-moment matrix, found by power iteration from the current normal.
        let mut n = plane.normal;
        for _ in 0..20 {
            let w = DVec3::new(
                m[0][0] * n.x + m[0][1] * n.y + m[0][2] * n.z,
                m[1][0] * n.x + m[1][1] * n.y + m[1][2] * n.z,
                m[2][0] * n.x + m[2][1] * n.y + m[2][2] * n.z,
            );
            n = w.normalize_or(n);
        }
        let offset = kept
            .iter()
            .map(|(p, q)| n.dot((*p + *q) * 0.5))
            .sum::<f64>()
            / kept.len() as f64;
        plane = Plane {
            normal: n,
            offset,
            mirror_rms: 0.0,
        };
        plane.mirror_rms = mirror_score(pts, kd, sub, &plane, cap);
        if plane.mirror_rms < best.mirror_rms {
            best = plane;
        }
    }
    best
}

/// The symmetry plane and the next best distinct one's score.
fn symmetry_plane(pts: &[DVec3], kd: &KdTree, size: f64) -> (Plane, f64) {
    let cap = 0.1 * size;
    let score_sub = subsample(pts, PLANE_SCORE_SAMPLES);
    let refine_sub = subsample(pts, PLANE_REFINE_SAMPLES);
    let mut normals: Vec<DVec3> = principal_axes(pts).to_vec();
    let golden = std::f64::consts::PI * (3.0 - 5f64.sqrt());
    for i in 0..PLANE_CANDIDATES {
        let z = 1.0 - (i as f64 + 0.5) / PLANE_CANDIDATES as f64;
        let r = (1.0 - z * z).sqrt();
        let a = golden * i as f64;
        normals.push(DVec3::new(r * a.cos(), r * a.sin(), z));
    }
    let mut scored: Vec<(f64, Plane)> = crate::parallel::map(&normals, |n| {
        let plane = Plane {
            normal: *n,
            offset: 0.0,
            mirror_rms: 0.0,
        };
        (mirror_score(pts, kd, &score_sub, &plane, cap), plane)
    });
    scored.sort_by(|a, b| a.0.total_cmp(&b.0));
    let mut starts: Vec<Plane> = Vec::new();
    for (_, p) in scored {
        if starts
            .iter()
            .all(|s| s.normal.dot(p.normal).abs() < 20f64.to_radians().cos())
        {
            starts.push(p);
        }
        if starts.len() == PLANE_FINALISTS {
            break;
        }
    }
    let mut refined: Vec<Plane> =
        crate::parallel::map(&starts, |p| refine_plane(pts, kd, &refine_sub, *p, cap));
    refined.sort_by(|a, b| a.mirror_rms.total_cmp(&b.mirror_rms));
    let best = refined[0];
    let next = refined
        .iter()
        .skip(1)
        .find(|p| p.normal.dot(best.normal).abs() < 20f64.to_radians().cos())
        .map_or(cap, |p| p.mirror_rms);
    (best, next)
}

/// The cues of a scan: `pts` its samples centred and in mm, `size` the RMS radius of a head
/// of its size (the built-in head's, scaled), which sets the neighbourhoods.
/// `known`: the plane, when it is known (the built-in head's, x = 0).
pub(super) fn find(pts: &[DVec3], size: f64, head_rms: f64, known: Option<Plane>) -> Found {
    let kd = KdTree::new(pts);
    let (plane, next_plane_rms) = match known {
        Some(p) => (p, f64::INFINITY),
        None => symmetry_plane(pts, &kd, size),
    };
    let r = PEAK_RADIUS_MM * size / head_rms;
    let nb = Neighbours::new(pts, r);
    let centre = pts.iter().copied().sum::<DVec3>() / pts.len().max(1) as f64;
    // The centre pulled onto the plane, so that normals turn away from the head's middle.
    let centre = centre - plane.normal * plane.signed(centre);
    let sharpness_where = |keep: &(dyn Fn(DVec3) -> bool + Sync)| -> Vec<Peak> {
        let idx: Vec<usize> = (0..pts.len()).filter(|&i| keep(pts[i])).collect();
        let sharp = crate::parallel::map(&idx, |&i| {
            peak_sharpness(pts, &nb, i, r, centre, &mut Vec::new())
        });
        idx.iter()
            .zip(sharp)
            .filter(|(_, s)| *s > 0.0)
            .map(|(&i, s)| Peak {
                at: pts[i],
                sharpness: s,
            })
            .collect()
    };
    let sharpest = |peaks: &[Peak], keep: &dyn Fn(&Peak) -> bool| -> Option<Peak> {
        peaks
            .iter()
            .filter(|p| keep(p))
            .max_by(|a, b| a.sharpness.total_cmp(&b.sharpness))
            .copied()
    };
    // Forward at a point of the plane: away from the centre of the surface within the head's
    // size of it, within the plane. Not from the centre of all, which a bust or a long neck
    // pulls down; not the surface's own normal, which tips down at a mask's lower edge.
    let outward = |p: DVec3| {
        let (mut sum, mut n) = (DVec3::ZERO, 0usize);
        for q in pts.iter().filter(|q| q.distance_squared(p) < size * size) {
            sum += *q;
            n += 1;
        }
        let d = p - sum / n.max(1) as f64;
        (d - plane.normal * plane.normal.dot(d)).normalize_or(DVec3::Z)
    };
    // How far the surface beside a midline peak, at its height, lies behind it.
    let recess = |p: DVec3| {
        let m = outward(p);
        let g = plane.normal.cross(m);
        pts.iter()
            .filter(|q| {
                let side = plane.signed(**q).abs();
                side > NOSE_FLANK.0 * size
                    && side < NOSE_FLANK.1 * size
                    && (**q - p).dot(g).abs() < 0.06 * size
            })
            .map(|q| (p - *q).dot(m))
            .fold(f64::INFINITY, f64::min)
    };
    let midline: Vec<Peak> = sharpness_where(&|p| plane.signed(p).abs() < 0.5 * r)
        .into_iter()
        .filter(|p| recess(p.at) >= NOSE_MIN_RECESS * size)
        .collect();
    let nose = sharpest(&midline, &|_| true);
    let next_peak = nose.and_then(|n| sharpest(&midline, &|p| p.at.distance(n.at) > 2.0 * r));
    // Ears: off the plane on either side, no further from the nose than ears are (shoulders
    // are).
    let side = match nose {
        Some(n) => sharpness_where(&|p| {
            plane.signed(p).abs() > EAR_MIN_OFF_PLANE * size && p.distance(n.at) < 2.2 * size
        }),
        None => Vec::new(),
    };
    let ears = nose.and_then(|n| {
        let fwd = outward(n.at);
        // An ear has several peaks (the helix, the lobe): the pair is the left peak and the
        // right one nearest its mirror image whose weaker is sharpest.
        let mut left: Vec<Peak> = side
            .iter()
            .filter(|p| plane.signed(p.at) > 0.0)
            .copied()
            .collect();
        left.sort_by(|a, b| b.sharpness.total_cmp(&a.sharpness));
        left.truncate(EAR_CANDIDATES);
        let pair = left
            .iter()
            .filter_map(|l| {
                let m = plane.mirror(l.at);
                let r = sharpest(&side, &|p| {
                    plane.signed(p.at) < 0.0 && p.at.distance(m) < EAR_MIRROR_SHARE * size
                })?;
                let behind = (n.at - 0.5 * (l.at + r.at)).dot(fwd);
                (behind > EAR_MIN_BEHIND_NOSE * size).then_some([*l, r])
            })
            .max_by(|a, b| {
                a[0].sharpness
                    .min(a[1].sharpness)
                    .total_cmp(&b[0].sharpness.min(b[1].sharpness))
            })?;
        (pair[0].sharpness.min(pair[1].sharpness) >= EAR_MIN_SHARPNESS).then_some(pair)
    });
    let pinnae = ears.map(|e| {
        let reach = PINNA_REACH * e[0].at.distance(e[1].at);
        e.map(|p| pinna_centre(&side, &plane, p.at, reach))
    });
    Found {
        plane,
        next_plane_rms,
        nose,
        next_peak,
        ears,
        pinnae,
        sockets: None,
    }
}

/// The centre of the ear whose peak is at `peak`: the mean of the sharp points around it,
/// weighted by their sharpness, the window moved onto that mean a few times. Only the pinna
/// is sharp there (the skull beside it is smooth), so wherever on the ear the peak was, the
/// centre comes out near the pinna's middle. `side_peaks`: the sharp points off the plane.
fn pinna_centre(side_peaks: &[Peak], plane: &Plane, peak: DVec3, reach: f64) -> DVec3 {
    let side = plane.signed(peak).signum();
    let mut centre = peak;
    for _ in 0..PINNA_SHIFTS {
        let (sum, weight) = side_peaks
            .iter()
            .filter(|p| {
                plane.signed(p.at) * side > 0.0
                    && p.sharpness >= PINNA_MIN_SHARPNESS
                    && p.at.distance_squared(centre) < reach * reach
            })
            .fold((DVec3::ZERO, 0.0), |(s, w), p| {
                (s + p.at * p.sharpness, w + p.sharpness)
            });
        if weight == 0.0 {
            break;
        }
        centre = sum / weight;
    }
    centre
}

/// The eye sockets beside the nose whose tip is at `tip`, looking `forward` (see
/// [`SOCKET_SIDE_MM`]): tried both ways along the plane, the way they are found is up.
fn eye_sockets(pts: &[DVec3], plane: &Plane, tip: DVec3, forward: DVec3, k: f64) -> Sockets {
    let up = plane.normal.cross(forward).normalize_or(DVec3::Y);
    let rows = ((SOCKET_SPAN_MM.1 - SOCKET_SPAN_MM.0) / SOCKET_ROW_MM).ceil() as usize;
    // The depth of the dip going `way` from the tip, the shallower of the two sides.
    let rise = |way: f64| {
        let mut least = f64::INFINITY;
        for side in [-1.0, 1.0] {
            let mut front = vec![f64::NEG_INFINITY; rows];
            for p in pts {
                let d = *p - tip;
                let off = plane.signed(*p) - plane.signed(tip);
                if (off - side * SOCKET_SIDE_MM * k).abs() > SOCKET_HALF_WIDTH_MM * k {
                    continue;
                }
                let h = way * d.dot(up) / k - SOCKET_SPAN_MM.0;
                if !(0.0..SOCKET_SPAN_MM.1 - SOCKET_SPAN_MM.0).contains(&h) {
                    continue;
                }
                // Debris in front of the face, or the far side of the head, is no brow.
                let ahead = d.dot(forward) / k;
                if !(SOCKET_DEPTH_MM.0..SOCKET_DEPTH_MM.1).contains(&ahead) {
                    continue;
                }
                let row = ((h / SOCKET_ROW_MM) as usize).min(rows - 1);
                front[row] = front[row].max(ahead);
            }
            // The median of three rows: where a row holds few samples (a scan with a torso
            // spends most of them below the head), one may miss its front.
            let front: Vec<f64> = front.into_iter().filter(|f| f.is_finite()).collect();
            let smooth = (0..front.len()).map(|i| {
                let mut w = [
                    front[i.saturating_sub(1)],
                    front[i],
                    front[(i + 1).min(front.len() - 1)],
                ];
                w.sort_by(f64::total_cmp);
                w[1]
            });
            let smooth: Vec<f64> = smooth.collect();
            // A socket is a dip with the cheek before it and the brow after it: the lesser of
            // the two rises about its deepest row. A surface that only climbs (a beard's
            // slope, hair over the brow) or only recedes has none.
            let mut best = 0.0f64;
            for i in 1..smooth.len().saturating_sub(1) {
                let before = smooth[..i]
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max);
                let after = smooth[i + 1..]
                    .iter()
                    .copied()
                    .fold(f64::NEG_INFINITY, f64::max);
                best = best.max((before - smooth[i]).min(after - smooth[i]));
            }
            least = least.min(best);
        }
        least
    };
    let (a, b) = (rise(1.0), rise(-1.0));
    if a >= b {
        Sockets {
            up,
            depth_mm: a,
            other_way_mm: b,
        }
    } else {
        Sockets {
            up: -up,
            depth_mm: b,
            other_way_mm: a,
        }
    }
}
