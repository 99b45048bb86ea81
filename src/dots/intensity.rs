//! How many candidates each triangle needs: an upper bound, per candidate triangle, of the keep
//! intensity (zone density × hair keep factor) anywhere on it. Candidates are thrown at this
//! bound and thinned by (local intensity / bound), so together they are still a Poisson process
//! of intensity K × local density, as if thrown at the head's largest density and thinned, but
//! a sparse zone no longer gets the densest zone's candidates only to throw most of them away.
//!
//! The bound must hold everywhere on the triangle, or the dots there come out too sparse. Zones
//! are regions of constant density with sharp borders, so the bound is the largest density of
//! the zones found on a lattice of points at most [`SAMPLE_STEP_MM`] apart over the triangle,
//! then over every triangle that shares a vertex with it: a zone that enters a triangle between
//! its lattice points carries on past its edge into a neighbour, where it is found. Only a zone
//! narrower than a lattice step that ends inside one triangle can be missed; no zone is that
//! small (a scar zone is its scar's width plus its edge either side). Triangles whose vertices
//! are split at a texture seam are not joined by the dilation; the lattice alone covers them.
use super::HairGrid;
use crate::head::Mesh;
use crate::zone::Zone;

/// Largest distance between lattice points on a triangle, mm.
pub const SAMPLE_STEP_MM: f32 = 1.0;
/// A triangle is sampled on at most this many steps per edge (a long sliver is sampled more
/// sparsely along its length; its neighbours still cover it).
const MAX_STEPS: u32 = 32;

/// The keep intensity's upper bound (dots/mm², hair factor included) of each of `tris`
/// (vertex indices, as `Layout::tris`).
pub fn triangle_bounds(mesh: &Mesh, zone: &Zone, hair: &HairGrid, tris: &[[u32; 4]]) -> Vec<f32> {
    let own: Vec<f32> = crate::parallel::map(tris, |t| sampled_max(mesh, zone, hair, t));
    // Dilate once over the triangles sharing a vertex.
    let mut at_vertex = vec![0.0f32; mesh.positions.len()];
    for (t, &b) in tris.iter().zip(&own) {
        for &v in &t[..3] {
            at_vertex[v as usize] = at_vertex[v as usize].max(b);
        }
    }
    tris.iter()
        .map(|t| {
            t[..3]
                .iter()
                .map(|&v| at_vertex[v as usize])
                .fold(0.0, f32::max)
        })
        .collect()
}

/// The largest keep intensity found on triangle `t`'s lattice. The density is the zone's full
/// one, whatever the hairline ramp and the boundary say there: both only lower it.
fn sampled_max(mesh: &Mesh, zone: &Zone, hair: &HairGrid, t: &[u32; 4]) -> f32 {
    let [a, b, c] = [0, 1, 2].map(|k| mesh.positions[t[k] as usize]);
    let longest = (b - a).length().max((c - b).length()).max((a - c).length());
    let n = ((longest / SAMPLE_STEP_MM).ceil() as u32).clamp(1, MAX_STEPS);
    let mut best = 0.0f32;
    for i in 0..=n {
        for j in 0..=n - i {
            let (u, v) = (i as f32 / n as f32, j as f32 / n as f32);
            let s = zone.sample(a + (b - a) * u + (c - a) * v);
            // Scar tissue sets the hair factor to 1, never above the region's.
            let factor = hair.keep_factor(s.region).max(1.0);
            best = best.max(zone.zone_density(s.zone) * factor);
        }
    }
    best
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::hash::rand01;

    /// The bound holds at random points of every triangle of the built-in head under the
    /// default plan and under one with several zone densities, custom zones and scars.
    #[test]
    fn no_point_of_a_triangle_is_denser_than_its_bound() {
        let head = crate::head::Head::builtin().unwrap();
        let asset = |name: &str| {
            let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("assets/plans")
                .join(name);
            crate::plan::Plan::load(&path).unwrap()
        };
        for plan in [
            crate::plan::Plan::default(),
            asset("custom-zones.toml"),
            asset("strip-scar.toml"),
            asset("fue-scars.toml"),
        ] {
            let worked = crate::worked::Worked::resolve(&plan);
            let zone = Zone::new(&worked.zone, &head.landmarks);
            let tris: Vec<[u32; 4]> = (0..head.mesh.triangle_count())
                .map(|t| {
                    let i = &head.mesh.indices[3 * t..3 * t + 3];
                    [i[0], i[1], i[2], t as u32]
                })
                .collect();
            let hair = HairGrid::empty();
            let bounds = triangle_bounds(&head.mesh, &zone, &hair, &tris);
            let mut below_max = 0;
            for (k, t) in tris.iter().enumerate() {
                let [a, b, c] = head.mesh.triangle(t[3] as usize);
                for s in 0..64u32 {
                    let u = rand01(3, k as u32 * 64 + s, 1).sqrt();
                    let v = rand01(3, k as u32 * 64 + s, 2);
                    let p = a * (1.0 - u) + b * (u * (1.0 - v)) + c * (u * v);
                    let d = zone.sample(p).density_per_mm2;
                    assert!(d <= bounds[k], "triangle {k}: {d} > bound {}", bounds[k]);
                }
                if bounds[k] < zone.max_density() {
                    below_max += 1;
                }
            }
            // The point of the bound: most triangles need fewer candidates than the densest
            // zone's.
            assert!(below_max > tris.len() / 4, "{below_max} of {}", tris.len());
        }
    }
}
