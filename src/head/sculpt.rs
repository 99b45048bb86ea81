//! The built-in default head, sculpted from code.
//!
//! The head is a signed distance function (SDF) in head space (millimetres, +Y up, face toward
//! +Z, client's left = +X, origin at the centre of the cranium), built from ellipsoids, capsules
//! and round cones joined by cubic polynomial smooth unions and subtractions. It is meshed by
//! surface nets on a regular 2 mm grid; each vertex is then projected onto the zero set by Newton
//! steps along the SDF gradient, and its normal is the normalised gradient. The neck is cut by a
//! plane so the mesh is closed (and manifold, which the tests check).
//!
//! Everything here uses only `+ - * /`, `sqrt`, `min`/`max`, `abs`, `signum` and `clamp` on
//! `f64` (no `sin`, `exp` or `powf`, whose last bits differ between math libraries), all exactly
//! rounded in IEEE arithmetic, and runs single-threaded in a fixed order: the output is the same,
//! byte for byte, on every run, at every optimisation level and on every platform.
//! `assets/head.obj` and `assets/head.landmarks.toml` are made by [`write_default_head_assets`]
//! (`scalp sculpt`).
use crate::error::{Result, ScalpError};
use crate::head::{Landmarks, Mesh};
use glam::{DVec3, Vec3};
use std::io::Write;
use std::path::Path;

/// Grid cell size of the surface-nets mesher, in mm.
pub const CELL_MM: f64 = 2.0;
/// The neck is cut off by the plane y = NECK_CUT_Y (mm).
pub const NECK_CUT_Y: f64 = -150.0;

#[inline]
fn sq(x: f64) -> f64 {
    x * x
}

#[inline]
fn v3(x: f64, y: f64, z: f64) -> DVec3 {
    DVec3::new(x, y, z)
}

// ---------------------------------------------------------------------------------------------
// SDF primitives and operators (after Inigo Quilez).

/// Approximate distance to an axis-aligned ellipsoid (exact on the surface, good near it).
fn ellipsoid(p: DVec3, c: DVec3, r: DVec3) -> f64 {
    let q = p - c;
    let k0 = (q / r).length();
    let k1 = (q / (r * r)).length();
    if k1 < 1e-12 {
        return -r.min_element();
    }
    k0 * (k0 - 1.0) / k1
}

fn capsule(p: DVec3, a: DVec3, b: DVec3, r: f64) -> f64 {
    let pa = p - a;
    let ba = b - a;
    let h = (pa.dot(ba) / ba.dot(ba)).clamp(0.0, 1.0);
    (pa - ba * h).length() - r
}

/// A cone with rounded ends: sphere of radius `ra` at `a` swept to radius `rb` at `b`.
fn round_cone(p: DVec3, a: DVec3, b: DVec3, ra: f64, rb: f64) -> f64 {
    let ba = b - a;
    let l2 = ba.dot(ba);
    let rr = ra - rb;
    let a2 = l2 - rr * rr;
    let il2 = 1.0 / l2;
    let pa = p - a;
    let y = pa.dot(ba);
    let z = y - l2;
    let x2 = (pa * l2 - ba * y).length_squared();
    let y2 = y * y * l2;
    let z2 = z * z * l2;
    let k = rr.signum() * rr * rr * x2;
    if z.signum() * a2 * z2 > k {
        return (x2 + z2).sqrt() * il2 - rb;
    }
    if y.signum() * a2 * y2 < k {
        return (x2 + y2).sqrt() * il2 - ra;
    }
    ((x2 * a2 * il2).sqrt() + y * rr) * il2 - ra
}

/// Smooth minimum (union): where the two surfaces meet they swell by `k`/4 mm, blending over
/// |a - b| < 1.5 `k`. Cubic, so continuous in curvature: the blends leave no lines in shading.
fn smin(a: f64, b: f64, k: f64) -> f64 {
    let w = 1.5 * k;
    let h = (w - (a - b).abs()).max(0.0) / w;
    a.min(b) - h * h * h * w * (1.0 / 6.0)
}

/// Smooth maximum (intersection).
fn smax(a: f64, b: f64, k: f64) -> f64 {
    -smin(-a, -b, k)
}

/// Smooth subtraction of `b` from `a`.
fn ssub(a: f64, b: f64, k: f64) -> f64 {
    smax(a, -b, k)
}

/// The cranium: an ellipsoid made squarer in the horizontal plane (a blend of the L2 and L4
/// norms of x and z), as real skulls are, so the head circumference matches its length and
/// breadth.
fn cranium(p: DVec3) -> f64 {
    let c = v3(0.0, 8.0, -3.0);
    let r = v3(75.0, 95.0, 90.0);
    let q = (p - c) / r;
    let (x2, z2) = (q.x * q.x, q.z * q.z);
    let l2 = x2 + z2;
    let l4 = (x2 * x2 + z2 * z2).sqrt();
    let t = 0.45;
    let k = ((1.0 - t) * l2 + t * l4 + q.y * q.y).sqrt();
    (k - 1.0) * 85.0
}

/// Frame of the (client's left) ear: origin at the middle of the auricle, `s` from the front
/// attachment toward the back rim, `t` up along the ear, `n` out of its outer face.
struct EarFrame {
    o: DVec3,
    s: DVec3,
    t: DVec3,
    n: DVec3,
}

fn ear_frame() -> EarFrame {
    // Long axis tilted back ~15 degrees; the ear plane opens ~25 degrees away from the head.
    let t = v3(0.0, 1.0, -0.27).normalize();
    let back = v3(0.0, -0.27, -1.0).normalize();
    let s = (back * 0.9 + DVec3::X * 0.42).normalize();
    let n = s.cross(t);
    let n = if n.x < 0.0 { -n } else { n };
    EarFrame {
        o: v3(75.0, -33.0, -14.0),
        s,
        t,
        n,
    }
}

/// Distance to the left ear, `p` already in head space with x >= 0.
fn ear(p: DVec3, f: &EarFrame) -> f64 {
    let d = p - f.o;
    let q = v3(d.dot(f.s), d.dot(f.t), d.dot(f.n));
    // Auricle plate: wider above, the lobe below.
    let mut e = ellipsoid(q, v3(1.5, 5.0, 0.0), v3(16.0, 24.0, 4.0));
    e = smin(
        e,
        ellipsoid(q, v3(-1.0, -18.0, 0.5), v3(10.5, 11.0, 4.5)),
        8.0,
    );
    // Helix: a tube around the upper rim, and the scapha, a groove just inside it.
    let rim = ring(q, v3(1.5, 5.0, 1.8), 14.5, 22.5) - 3.2;
    e = smin(e, rim, 2.0);
    e = ssub(e, ring(q, v3(2.0, 6.0, 5.4), 9.5, 16.5) - 2.6, 3.0);
    // Concha, the bowl in front of the antihelix.
    e = ssub(
        e,
        ellipsoid(q, v3(-3.0, -5.0, 6.0), v3(8.0, 10.0, 5.5)),
        2.5,
    );
    // Tragus and antitragus.
    e = smin(
        e,
        ellipsoid(q, v3(-12.5, -7.0, 2.5), v3(4.0, 6.5, 3.5)),
        3.0,
    );
    e = smin(
        e,
        ellipsoid(q, v3(-1.5, -15.5, 3.0), v3(5.0, 3.5, 3.0)),
        3.0,
    );
    e
}

/// Distance to a thin ring: the ellipse with semi-axes `rs`, `rt` in the plane n = `c.z`,
/// centred at (c.x, c.y) (the caller subtracts the tube radius).
fn ring(q: DVec3, c: DVec3, rs: f64, rt: f64) -> f64 {
    let (s, t) = (q.x - c.x, q.y - c.y);
    let k0 = (sq(s / rs) + sq(t / rt)).sqrt();
    let k1 = (sq(s / (rs * rs)) + sq(t / (rt * rt))).sqrt();
    let d2 = if k1 > 1e-12 {
        k0 * (k0 - 1.0) / k1
    } else {
        -rs
    };
    (d2 * d2 + sq(q.z - c.z)).sqrt()
}

/// A primitive that crosses the midline, joined smoothly with its mirror image so that the
/// left-right symmetry (`|x|`) leaves no crease at x = 0.
fn mirrored(p: DVec3, k: f64, prim: impl Fn(DVec3) -> f64) -> f64 {
    smin(prim(p), prim(v3(-p.x, p.y, p.z)), k)
}

/// Signed distance (mm, approximately) from `p` to the default head: negative inside.
pub fn head_sdf(p: DVec3) -> f64 {
    head_sdf_with(p, &ear_frame())
}

fn head_sdf_with(p: DVec3, ef: &EarFrame) -> f64 {
    smax(
        smin(head_no_ears(p), ear(v3(p.x.abs(), p.y, p.z), ef), 6.0),
        NECK_CUT_Y - p.y,
        4.0,
    )
}

/// An ellipsoid (centre, semi-axes, all mm) joined to a shape with a smooth blend of `k` mm
/// (see [`smin`]). The first ellipsoid of a list starts the shape; its `k` is unused.
struct Blob {
    c: [f64; 3],
    r: [f64; 3],
    k: f64,
}

const fn blob(c: [f64; 3], r: [f64; 3], k: f64) -> Blob {
    Blob { c, r, k }
}

impl Blob {
    fn sdf(&self, p: DVec3) -> f64 {
        ellipsoid(p, DVec3::from(self.c), DVec3::from(self.r))
    }
}

/// Joins `blobs` to `d` in order (smooth union).
fn join(mut d: f64, p: DVec3, blobs: &[Blob]) -> f64 {
    for b in blobs {
        d = smin(d, b.sdf(p), b.k);
    }
    d
}

/// Masses added to the cranium: occipital bulge, forehead (frontal bone).
const CRANIUM_MASSES: [Blob; 2] = [
    blob([0.0, 10.0, -50.0], [58.0, 50.0, 44.0], 20.0),
    blob([0.0, 30.0, 28.0], [60.0, 66.0, 60.0], 20.0),
];
/// Hollow of each temple (left side; the head is mirrored).
const TEMPLE: Blob = blob([86.0, 12.0, 50.0], [18.0, 26.0, 22.0], 12.0);
/// Lateral part of the brow ridge, over the outer orbit.
const BROW_LATERAL: Blob = blob([42.0, -1.0, 72.0], [15.0, 7.0, 10.0], 6.0);
/// Medial brow ridge (superciliary arch); it crosses the midline, so it is mirrored.
const BROW_MEDIAL: Blob = blob([16.0, 1.0, 82.0], [22.0, 8.0, 10.0], 6.0);
/// The face, joined in order: maxilla, cheek, cheekbone, outer orbit, side of the face over the
/// masseter, zygomatic arch, dental arch, lower cheek, lower face.
const FACE: [Blob; 9] = [
    blob([0.0, -45.0, 48.0], [54.0, 42.0, 46.0], 0.0),
    blob([38.0, -46.0, 59.0], [24.0, 25.0, 23.0], 12.0),
    blob([46.0, -30.0, 62.0], [16.0, 10.0, 18.0], 12.0),
    blob([46.0, -16.0, 55.0], [18.0, 20.0, 20.0], 12.0),
    blob([43.0, -62.0, 24.0], [15.0, 34.0, 30.0], 16.0),
    blob([57.0, -30.0, 32.0], [10.0, 9.0, 26.0], 14.0),
    blob([0.0, -79.0, 70.0], [26.0, 20.0, 27.0], 12.0),
    blob([34.0, -72.0, 52.0], [18.0, 22.0, 26.0], 14.0),
    blob([0.0, -94.0, 42.0], [42.0, 30.0, 46.0], 18.0),
];
/// Chin (mental protuberance).
const CHIN: Blob = blob([0.0, -114.0, 81.0], [18.0, 14.0, 13.0], 12.0);
/// Orbit hollowed out of the face, and the closed eye (eyeball under the lids) in it.
const ORBIT: Blob = blob([33.0, -15.0, 84.0], [17.0, 10.0, 12.0], 8.0);
const EYE_CENTRE: [f64; 3] = [32.0, -18.0, 67.0];
const EYE_RADIUS: f64 = 12.0;
/// Nose: body over the cartilage, and the ala of each nostril (the tip is a sphere).
const NOSE: [Blob; 2] = [
    blob([0.0, -51.0, 103.0], [13.0, 9.0, 10.0], 6.0),
    blob([12.0, -55.0, 100.0], [5.5, 5.0, 7.0], 7.0),
];
/// Upper and lower lip.
const LIPS: [Blob; 2] = [
    blob([0.0, -76.0, 86.0], [21.0, 5.0, 13.0], 0.0),
    blob([0.0, -87.5, 85.0], [17.0, 6.0, 12.0], 2.0),
];

/// The head without its ears and without the neck cut.
fn head_no_ears(p: DVec3) -> f64 {
    let p = v3(p.x.abs(), p.y, p.z);

    // Cranium with occipital bulge and forehead; temple hollows; brow ridge.
    let mut d = join(cranium(p), p, &CRANIUM_MASSES);
    d = ssub(d, TEMPLE.sdf(p), TEMPLE.k);
    let brow = smin(
        mirrored(p, BROW_MEDIAL.k, |q| BROW_MEDIAL.sdf(q)),
        BROW_LATERAL.sdf(p),
        BROW_LATERAL.k,
    );
    d = smin(d, brow, 12.0);

    // Face; the mandible (body from the jaw angle to the chin, ramus up to the joint) crosses
    // the midline at the chin, so it is mirrored.
    let mut f = join(FACE[0].sdf(p), p, &FACE[1..]);
    let jaw = mirrored(p, 8.0, |q| {
        let gonion = v3(44.0, -100.0, 10.0);
        smin(
            capsule(q, gonion, v3(15.0, -119.0, 76.0), 9.0),
            capsule(q, gonion, v3(50.0, -50.0, 8.0), 8.0),
            8.0,
        )
    });
    f = smin(f, jaw, 20.0);
    f = join(f, p, std::slice::from_ref(&CHIN));
    d = smin(d, f, 22.0);

    // Orbits and closed eyes.
    d = ssub(d, ORBIT.sdf(p), ORBIT.k);
    d = smin(d, (p - DVec3::from(EYE_CENTRE)).length() - EYE_RADIUS, 6.0);

    // Nose: bridge (a round cone, wider across), body, tip, alae.
    let pn = v3(p.x / 1.3, p.y, p.z);
    let bridge = round_cone(pn, v3(0.0, -17.0, 83.0), v3(0.0, -46.0, 109.0), 5.5, 7.0);
    let mut n = join(bridge, p, &NOSE[..1]);
    n = smin(n, (p - v3(0.0, -49.0, 112.0)).length() - 7.5, 5.0);
    n = join(n, p, &NOSE[1..]);
    d = smin(d, n, 7.0);

    // Lips, meeting in the line of the mouth.
    d = smin(d, join(LIPS[0].sdf(p), p, &LIPS[1..]), 6.0);

    // Neck, slightly flattened from side to side; its blend is tight under the jaw and wide at
    // the nape.
    let pk = v3(p.x * 1.12, p.y, p.z);
    let neck = round_cone(
        pk,
        v3(0.0, -70.0, -14.0),
        v3(0.0, -200.0, -18.0),
        54.0,
        56.0,
    );
    let k = 16.0 + 14.0 * ((10.0 - p.z) / 60.0).clamp(0.0, 1.0);
    smin(d, neck, k)
}

/// SDF gradient by central differences (not normalised).
fn gradient(f: &impl Fn(DVec3) -> f64, p: DVec3) -> DVec3 {
    let e = 0.02;
    v3(
        f(p + v3(e, 0.0, 0.0)) - f(p - v3(e, 0.0, 0.0)),
        f(p + v3(0.0, e, 0.0)) - f(p - v3(0.0, e, 0.0)),
        f(p + v3(0.0, 0.0, e)) - f(p - v3(0.0, 0.0, e)),
    ) / (2.0 * e)
}

/// Newton steps along the gradient onto the zero set, never moving further than `max_move`
/// from the start.
fn project(f: &impl Fn(DVec3) -> f64, p0: DVec3, max_move: f64) -> DVec3 {
    let mut p = p0;
    for _ in 0..6 {
        let d = f(p);
        if d.abs() < 1e-6 {
            break;
        }
        let g = gradient(f, p);
        let g2 = g.length_squared();
        if g2 < 1e-12 {
            break;
        }
        let mut q = p - g * (d / g2);
        let m = q - p0;
        if m.length() > max_move {
            q = p0 + m * (max_move / m.length());
        }
        p = q;
    }
    p
}

// ---------------------------------------------------------------------------------------------
// Surface nets.

struct RawMesh {
    positions: Vec<DVec3>,
    normals: Vec<DVec3>,
    indices: Vec<u32>,
}

/// Corners of a grid cell, as offsets from its lowest corner.
const CORNERS: [[usize; 3]; 8] = [
    [0, 0, 0],
    [1, 0, 0],
    [0, 1, 0],
    [1, 1, 0],
    [0, 0, 1],
    [1, 0, 1],
    [0, 1, 1],
    [1, 1, 1],
];
/// Edges of a grid cell, as pairs of [`CORNERS`].
const EDGES: [[usize; 2]; 12] = [
    [0, 1],
    [2, 3],
    [4, 5],
    [6, 7],
    [0, 2],
    [1, 3],
    [4, 6],
    [5, 7],
    [0, 4],
    [1, 5],
    [2, 6],
    [3, 7],
];

/// The field sampled on a grid of n[0] × n[1] × n[2] points from `lo`, `h` apart.
struct Grid {
    lo: DVec3,
    h: f64,
    n: [usize; 3],
    val: Vec<f64>,
}

impl Grid {
    fn sample(f: &impl Fn(DVec3) -> f64, lo: DVec3, h: f64, n: [usize; 3]) -> Grid {
        let mut grid = Grid {
            lo,
            h,
            n,
            val: vec![0.0f64; n[0] * n[1] * n[2]],
        };
        for k in 0..n[2] {
            for j in 0..n[1] {
                for i in 0..n[0] {
                    let v = f(grid.pt(i, j, k));
                    let at = grid.idx(i, j, k);
                    grid.val[at] = v;
                }
            }
        }
        grid
    }

    /// Index of a grid point.
    fn idx(&self, i: usize, j: usize, k: usize) -> usize {
        (k * self.n[1] + j) * self.n[0] + i
    }

    /// Index of a cell (by its lowest corner).
    fn cidx(&self, i: usize, j: usize, k: usize) -> usize {
        (k * (self.n[1] - 1) + j) * (self.n[0] - 1) + i
    }

    fn pt(&self, i: usize, j: usize, k: usize) -> DVec3 {
        self.lo + v3(i as f64, j as f64, k as f64) * self.h
    }

    fn inside(&self, i: usize, j: usize, k: usize) -> bool {
        self.val[self.idx(i, j, k)] < 0.0
    }
}

fn surface_nets(f: &impl Fn(DVec3) -> f64, lo: DVec3, h: f64, n: [usize; 3]) -> RawMesh {
    let grid = Grid::sample(f, lo, h, n);
    let (cell_vertex, positions) = cell_vertices(f, &grid);
    let indices = quads(&grid, &cell_vertex, &positions);
    let normals = positions
        .iter()
        .map(|&p| gradient(f, p).try_normalize().unwrap_or(DVec3::Y))
        .collect();
    RawMesh {
        positions,
        normals,
        indices,
    }
}

/// One vertex per cell that the surface crosses: at the mean of the crossings on the cell's
/// edges, projected onto the surface. Returns each cell's vertex (`u32::MAX`: none) and the
/// vertices.
fn cell_vertices(f: &impl Fn(DVec3) -> f64, grid: &Grid) -> (Vec<u32>, Vec<DVec3>) {
    let [nx, ny, nz] = grid.n;
    let h = grid.h;
    let mut cell_vertex = vec![u32::MAX; (nx - 1) * (ny - 1) * (nz - 1)];
    let mut positions = Vec::new();
    for k in 0..nz - 1 {
        for j in 0..ny - 1 {
            for i in 0..nx - 1 {
                let mut cv = [0.0; 8];
                let mut mask = 0u8;
                for (c, o) in CORNERS.iter().enumerate() {
                    cv[c] = grid.val[grid.idx(i + o[0], j + o[1], k + o[2])];
                    if cv[c] < 0.0 {
                        mask |= 1 << c;
                    }
                }
                if mask == 0 || mask == 0xff {
                    continue;
                }
                let mut sum = DVec3::ZERO;
                let mut cnt = 0.0;
                for e in EDGES {
                    let (a, b) = (e[0], e[1]);
                    if (cv[a] < 0.0) != (cv[b] < 0.0) {
                        let t = cv[a] / (cv[a] - cv[b]);
                        let corner = |c: usize| {
                            v3(
                                CORNERS[c][0] as f64,
                                CORNERS[c][1] as f64,
                                CORNERS[c][2] as f64,
                            )
                        };
                        let (pa, pb) = (corner(a), corner(b));
                        sum += pa + (pb - pa) * t;
                        cnt += 1.0;
                    }
                }
                let p0 = grid.pt(i, j, k) + sum / cnt * h;
                let p = project(f, p0, 1.5 * h);
                cell_vertex[grid.cidx(i, j, k)] = positions.len() as u32;
                positions.push(p);
            }
        }
    }
    (cell_vertex, positions)
}

/// One quad per grid edge with a sign change, joining the four cells around the edge, wound
/// counter-clockwise seen from outside; each split into two triangles along its shorter
/// diagonal.
fn quads(grid: &Grid, cell_vertex: &[u32], positions: &[DVec3]) -> Vec<u32> {
    let [nx, ny, nz] = grid.n;
    let cv = |i: usize, j: usize, k: usize| cell_vertex[grid.cidx(i, j, k)];
    let mut indices = Vec::new();
    let mut quad = |q: [u32; 4], flip: bool| {
        let [a, b, c, d] = if flip { [q[3], q[2], q[1], q[0]] } else { q };
        let p = |i: u32| positions[i as usize];
        if p(a).distance_squared(p(c)) <= p(b).distance_squared(p(d)) {
            indices.extend_from_slice(&[a, b, c, a, c, d]);
        } else {
            indices.extend_from_slice(&[a, b, d, b, c, d]);
        }
    };
    for k in 1..nz - 1 {
        for j in 1..ny - 1 {
            for i in 1..nx - 1 {
                let s = grid.inside(i, j, k);
                // x edge: cells around it lie in the (y, z) plane.
                if i + 1 < nx && s != grid.inside(i + 1, j, k) {
                    let q = [
                        cv(i, j - 1, k - 1),
                        cv(i, j, k - 1),
                        cv(i, j, k),
                        cv(i, j - 1, k),
                    ];
                    quad(q, !s);
                }
                if j + 1 < ny && s != grid.inside(i, j + 1, k) {
                    let q = [
                        cv(i - 1, j, k - 1),
                        cv(i - 1, j, k),
                        cv(i, j, k),
                        cv(i, j, k - 1),
                    ];
                    quad(q, !s);
                }
                if k + 1 < nz && s != grid.inside(i, j, k + 1) {
                    let q = [
                        cv(i - 1, j - 1, k),
                        cv(i, j - 1, k),
                        cv(i, j, k),
                        cv(i - 1, j, k),
                    ];
                    quad(q, !s);
                }
            }
        }
    }
    indices
}

// ---------------------------------------------------------------------------------------------
// Output.

/// Formats like `{:.prec}` but never writes a negative zero.
fn fmt_num(x: f32, prec: usize) -> String {
    let s = format!("{:.*}", prec, x);
    if s.starts_with('-') && s[1..].bytes().all(|b| b == b'0' || b == b'.') {
        s[1..].to_string()
    } else {
        s
    }
}

fn round_via_text(x: f64, prec: usize) -> f32 {
    fmt_num(x as f32, prec).parse().unwrap_or(x as f32)
}

/// Turns the mesher's output into a [`Mesh`] whose values are exactly those written to the
/// OBJ file (positions to 1 µm, normals to 4 decimals), without triangles that are degenerate
/// at that precision.
fn finish(raw: RawMesh) -> Mesh {
    let positions: Vec<Vec3> = raw
        .positions
        .iter()
        .map(|p| {
            Vec3::new(
                round_via_text(p.x, 3),
                round_via_text(p.y, 3),
                round_via_text(p.z, 3),
            )
        })
        .collect();
    let normals: Vec<Vec3> = raw
        .normals
        .iter()
        .map(|n| {
            Vec3::new(
                round_via_text(n.x, 4),
                round_via_text(n.y, 4),
                round_via_text(n.z, 4),
            )
        })
        .collect();
    let mut mesh = Mesh {
        positions,
        normals,
        indices: Vec::with_capacity(raw.indices.len()),
    };
    for tri in raw.indices.chunks_exact(3) {
        let [a, b, c] = [0, 1, 2].map(|i| mesh.positions[tri[i] as usize]);
        if tri[0] == tri[1] || tri[1] == tri[2] || tri[0] == tri[2] {
            continue;
        }
        if 0.5 * (b - a).cross(c - a).length() < 1e-4 {
            continue;
        }
        mesh.indices.extend_from_slice(tri);
    }
    mesh
}

// ---------------------------------------------------------------------------------------------
// Landmarks.

/// First surface crossing (inside to outside) along a ray from an inside point.
fn ray_exit(f: &impl Fn(DVec3) -> f64, o: DVec3, dir: DVec3) -> DVec3 {
    let dir = dir.normalize();
    let step = 0.5;
    let mut t0 = 0.0;
    let mut t1 = step;
    while f(o + dir * t1) < 0.0 && t1 < 400.0 {
        t0 = t1;
        t1 += step;
    }
    for _ in 0..50 {
        let tm = 0.5 * (t0 + t1);
        if f(o + dir * tm) < 0.0 {
            t0 = tm;
        } else {
            t1 = tm;
        }
    }
    o + dir * (0.5 * (t0 + t1))
}

fn find_landmarks(f: &impl Fn(DVec3) -> f64) -> Landmarks {
    // Glabella: the most anterior midline point of the brow ridge.
    let mut glabella = DVec3::new(0.0, 0.0, f64::NEG_INFINITY);
    for i in 0..=200 {
        let y = -6.0 + 0.1 * i as f64;
        let p = ray_exit(f, v3(0.0, y, 0.0), DVec3::Z);
        if p.z > glabella.z {
            glabella = p;
        }
    }
    // Trichion: 65 mm above the glabella on the midline.
    let front_hairline = ray_exit(f, v3(0.0, glabella.y + 65.0, 0.0), DVec3::Z);
    // Fronto-temporal corners: 55 mm above the glabella, about 50 mm off the midline.
    let ty = glabella.y + 55.0;
    let temple_left = ray_exit(f, v3(0.0, ty, 0.0), v3(0.66, 0.0, 0.75));
    let temple_right = ray_exit(f, v3(0.0, ty, 0.0), v3(-0.66, 0.0, 0.75));
    // Vertex: highest midline point.
    let mut vertex = DVec3::new(0.0, f64::NEG_INFINITY, 0.0);
    for i in 0..=800 {
        let z = -60.0 + 0.1 * i as f64;
        let p = ray_exit(f, v3(0.0, 0.0, z), DVec3::Y);
        if p.y > vertex.y {
            vertex = p;
        }
    }
    // Opisthocranion: most posterior midline point.
    let mut occipital = DVec3::new(0.0, 0.0, f64::INFINITY);
    for i in 0..=800 {
        let y = -30.0 + 0.1 * i as f64;
        let p = ray_exit(f, v3(0.0, y, 0.0), -DVec3::Z);
        if p.z < occipital.z {
            occipital = p;
        }
    }
    // Otobasion superius: where the top of the helix root meets the head, found by projecting
    // a point at the front-top of the auricle's attachment onto the surface.
    let ef = ear_frame();
    let guess = ef.o + ef.s * -15.0 + ef.t * 17.0;
    let on_head = project(&head_no_ears, guess, 30.0);
    let ear_top_left = project(f, on_head, 3.0);
    let ear_top_right = v3(-ear_top_left.x, ear_top_left.y, ear_top_left.z);

    let r = |p: DVec3| Vec3::new(p.x as f32, p.y as f32, p.z as f32);
    Landmarks {
        glabella: r(glabella),
        front_hairline: r(front_hairline),
        temple_left: r(temple_left),
        temple_right: r(temple_right),
        vertex: r(vertex),
        occipital: r(occipital),
        ear_top_left: r(ear_top_left),
        ear_top_right: r(ear_top_right),
    }
}

// ---------------------------------------------------------------------------------------------
// Public API.

/// Sculpts the default head: its mesh (as written to `assets/head.obj`) and its landmarks.
pub fn sculpt_default_head() -> (Mesh, Landmarks) {
    let ef = ear_frame();
    let f = |p: DVec3| head_sdf_with(p, &ef);
    let h = CELL_MM;
    // Grid symmetric about x = 0 (x = 0 is a grid plane), reaching past the ears and the nose,
    // and below the neck cut so the cut face is meshed too.
    let half_x = 56usize;
    let lo = v3(-(half_x as f64) * h, NECK_CUT_Y - 3.0 * h, -118.0);
    let hi = v3(half_x as f64 * h, 118.0, 132.0);
    let n = [
        2 * half_x + 1,
        ((hi.y - lo.y) / h).ceil() as usize + 1,
        ((hi.z - lo.z) / h).ceil() as usize + 1,
    ];
    let mesh = finish(surface_nets(&f, lo, h, n));
    let landmarks = find_landmarks(&f);
    (mesh, landmarks)
}

/// Writes `mesh` as a Wavefront OBJ (positions to 1 µm, unit normals to 4 decimals).
pub fn write_obj(mesh: &Mesh, out: &mut impl Write) -> std::io::Result<()> {
    let mut w = std::io::BufWriter::new(out);
    writeln!(
        w,
        "# scalp default head, generated by `scalp sculpt` (src/head/sculpt.rs); do not edit."
    )?;
    writeln!(
        w,
        "# Units: millimetres. Axes: right-handed, +Y up, face toward +Z, client's left = +X,"
    )?;
    writeln!(w, "# origin at the centre of the skull.")?;
    writeln!(
        w,
        "# {} vertices, {} triangles",
        mesh.positions.len(),
        mesh.triangle_count()
    )?;
    writeln!(w, "o head")?;
    for p in &mesh.positions {
        writeln!(
            w,
            "v {} {} {}",
            fmt_num(p.x, 3),
            fmt_num(p.y, 3),
            fmt_num(p.z, 3)
        )?;
    }
    for n in &mesh.normals {
        writeln!(
            w,
            "vn {} {} {}",
            fmt_num(n.x, 4),
            fmt_num(n.y, 4),
            fmt_num(n.z, 4)
        )?;
    }
    for t in mesh.indices.chunks_exact(3) {
        let (a, b, c) = (t[0] + 1, t[1] + 1, t[2] + 1);
        writeln!(w, "f {a}//{a} {b}//{b} {c}//{c}")?;
    }
    w.flush()
}

/// Writes `bytes` to `dir/name` through a temporary file in the same folder and a rename, so a
/// failed write never leaves a partial file behind.
fn write_atomic(dir: &Path, name: &str, bytes: &[u8]) -> Result<()> {
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.tmp-{}", std::process::id()));
    let err = |e: std::io::Error| ScalpError::Output {
        path: path.clone(),
        message: e.to_string(),
    };
    let res = (|| {
        let mut file = std::fs::File::create(&tmp)?;
        file.write_all(bytes)?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, &path)
    })();
    if let Err(e) = res {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

/// Sculpts the default head and writes `head.obj` and `head.landmarks.toml` into `dir`.
pub fn write_default_head_assets(dir: &Path) -> Result<()> {
    if !dir.is_dir() {
        return Err(ScalpError::Output {
            path: dir.to_path_buf(),
            message: "not an existing folder".into(),
        });
    }
    let (mesh, landmarks) = sculpt_default_head();
    let mut obj = Vec::new();
    write_obj(&mesh, &mut obj).map_err(|e| ScalpError::Output {
        path: dir.join("head.obj"),
        message: e.to_string(),
    })?;
    write_atomic(dir, "head.obj", &obj)?;
    write_atomic(dir, "head.landmarks.toml", landmarks.to_toml().as_bytes())
}
