//! Measuring a decimation (tests, benches, reports): distances between surfaces, and the
//! noisy subdivided stand-in for a big scan.
use super::point_triangle_distance_sq;
use crate::head::Mesh;
use glam::Vec3;

/// Distance from each of `points` to the triangle mesh (`positions`, `indices`), mm, exactly
/// (point to triangle) for distances up to `cap`; `f32::INFINITY` where no triangle is within
/// `cap`. Triangles are binned in a uniform grid, the points queried in parallel.
#[doc(hidden)]
pub fn surface_distances(
    points: &[Vec3],
    positions: &[Vec3],
    indices: &[u32],
    cap: f32,
) -> Vec<f32> {
    let tris: Vec<[Vec3; 3]> = indices
        .chunks_exact(3)
        .filter(|t| t.iter().all(|&i| (i as usize) < positions.len()))
        .map(|t| [0, 1, 2].map(|k| positions[t[k] as usize]))
        .filter(|t| t.iter().all(|p| p.is_finite()))
        .collect();
    if tris.is_empty() {
        return vec![f32::INFINITY; points.len()];
    }
    let mean_edge = tris
        .iter()
        .map(|t| (t[1] - t[0]).length() + (t[2] - t[1]).length() + (t[0] - t[2]).length())
        .sum::<f32>()
        / (3 * tris.len()) as f32;
    let cell = mean_edge.max(cap).max(1e-3);
    let key = |c: [i32; 3]| -> u64 {
        let f = |x: i32| (x as i64 + (1 << 20)) as u64 & 0x1f_ffff;
        f(c[0]) << 42 | f(c[1]) << 21 | f(c[2])
    };
    let cell_of = |p: Vec3| (p / cell).floor().as_ivec3().to_array();
    let mut bins: Vec<(u64, u32)> = Vec::new();
    for (t, tri) in tris.iter().enumerate() {
        let lo = cell_of(tri[0].min(tri[1]).min(tri[2]) - Vec3::splat(cap));
        let hi = cell_of(tri[0].max(tri[1]).max(tri[2]) + Vec3::splat(cap));
        for x in lo[0]..=hi[0] {
            for y in lo[1]..=hi[1] {
                for z in lo[2]..=hi[2] {
                    bins.push((key([x, y, z]), t as u32));
                }
            }
        }
    }
    bins.sort_unstable();
    crate::parallel::map_indices(points.len(), crate::parallel::threads(), |i| {
        let p = points[i];
        if !p.is_finite() {
            return f32::INFINITY;
        }
        let k = key(cell_of(p));
        let s = bins.partition_point(|b| b.0 < k);
        let mut best = cap * cap;
        let mut found = false;
        for &(bk, t) in &bins[s..] {
            if bk != k {
                break;
            }
            let [a, b, c] = tris[t as usize];
            let d = point_triangle_distance_sq(p, a, b, c);
            if d <= best {
                best = d;
                found = true;
            }
        }
        if found {
            best.sqrt()
        } else {
            f32::INFINITY
        }
    })
}

/// Points spread over a triangle mesh's surface: its vertices and, on every triangle, the
/// points at barycentric coordinates (i, j, k)/`n` with i + j + k = `n` inside it.
#[doc(hidden)]
pub fn surface_samples(positions: &[Vec3], indices: &[u32], n: u32) -> Vec<Vec3> {
    let mut out: Vec<Vec3> = positions.to_vec();
    let n = n.max(1);
    for t in indices.chunks_exact(3) {
        if t.iter().any(|&i| i as usize >= positions.len()) {
            continue;
        }
        let [a, b, c] = [0, 1, 2].map(|k| positions[t[k] as usize]);
        for i in 0..=n {
            for j in 0..=n - i {
                let k = n - i - j;
                if i == n || j == n || k == n {
                    continue; // a corner: already in
                }
                out.push((a * i as f32 + b * j as f32 + c * k as f32) / n as f32);
            }
        }
    }
    out
}

/// The symmetric deviation between two meshes, mm: (largest distance from a vertex of `a` to
/// the surface of `b`, largest distance from a sample of `b`'s surface to `a`). Distances are
/// exact up to `cap`; beyond it they count as infinite.
#[doc(hidden)]
pub fn max_deviation(a: &Mesh, b: &Mesh, cap: f32) -> (f32, f32) {
    let max = |d: Vec<f32>| d.into_iter().fold(0.0f32, f32::max);
    let ab = max(surface_distances(
        &a.positions,
        &b.positions,
        &b.indices,
        cap,
    ));
    let samples = surface_samples(&b.positions, &b.indices, 4);
    let ba = max(surface_distances(&samples, &a.positions, &a.indices, cap));
    (ab, ba)
}

/// SplitMix64 of `x`: deterministic noise for the test scan.
fn splitmix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// One 4:1 subdivision whose new edge points lie on a smooth surface: each edge's midpoint is
/// that of the cubic curve of the PN triangle (Vlachos et al. 2001) through the edge's ends
/// with their vertex normals, so the new points bulge with the surface instead of lying flat.
fn subdivide_smooth(mesh: &Mesh) -> Mesh {
    let (p, n) = (&mesh.positions, &mesh.normals);
    let mut positions = p.clone();
    let mut mid: std::collections::HashMap<(u32, u32), u32> =
        std::collections::HashMap::with_capacity(mesh.indices.len());
    let mut indices = Vec::with_capacity(mesh.indices.len() * 4);
    for t in mesh.indices.chunks_exact(3) {
        let mut m = [0u32; 3];
        for k in 0..3 {
            let (a, b) = (t[k], t[(k + 1) % 3]);
            m[k] = *mid.entry((a.min(b), a.max(b))).or_insert_with(|| {
                let (pa, pb) = (p[a as usize], p[b as usize]);
                let (na, nb) = (n[a as usize], n[b as usize]);
                let b1 = (2.0 * pa + pb - (pb - pa).dot(na) * na) / 3.0;
                let b2 = (2.0 * pb + pa - (pa - pb).dot(nb) * nb) / 3.0;
                positions.push((pa + 3.0 * b1 + 3.0 * b2 + pb) / 8.0);
                (positions.len() - 1) as u32
            });
        }
        indices.extend_from_slice(&[t[0], m[0], m[2], t[1], m[1], m[0], t[2], m[2], m[1]]);
        indices.extend_from_slice(&m);
    }
    let mut out = Mesh {
        positions,
        normals: Vec::new(),
        indices,
    };
    out.compute_normals();
    out
}

/// A stand-in for a big scan: the built-in head subdivided 4:1 `levels` times onto a smooth
/// surface (see `subdivide_smooth`), then every vertex moved along its normal by noise uniform in
/// ±`noise_mm` (a scanner's). Two levels give 1.65 M triangles. Shared by tests and benches.
#[doc(hidden)]
pub fn subdivided_builtin_head(levels: u32, noise_mm: f32) -> Mesh {
    let mut mesh = crate::head::Head::builtin().expect("built-in head").mesh;
    for _ in 0..levels {
        mesh = subdivide_smooth(&mesh);
    }
    for (i, (p, n)) in mesh.positions.iter_mut().zip(&mesh.normals).enumerate() {
        let u = (splitmix(i as u64) >> 40) as f32 / (1u64 << 24) as f32;
        *p += *n * noise_mm * (2.0 * u - 1.0);
    }
    mesh.compute_normals();
    mesh
}
