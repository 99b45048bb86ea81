//! Diffuse thinning (issue 8, part 5): dots go between the client's hairs, never within the
//! exclusion radius of a root, the GPU agreeing with the CPU reference; plans without hair keep
//! the dots they had; and the plan's density holds in the thinning zones.
use crate::common;
use common::{assert_agree, engine, head};
use glam::Vec3;
use scalp::dots::hair_grid::exclusion_radius_mm;
use scalp::dots::{Dot, Layout};
use scalp::plan::Plan;
use scalp::treatment::Treatment;
use scalp::zone::ZoneId;
use std::collections::HashMap;
use std::path::Path;

fn plan(hair: bool) -> Plan {
    let mut p = Plan::load(Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/assets/plans/diffuse-thinning.toml"
    )))
    .unwrap();
    p.hair.enabled = hair;
    p
}

/// Few enough dots for lavapipe (the plan's densities scaled down, the hair kept as it is).
const DOTS: u64 = 4000;

/// The nearest hair root to each point, mm, by a search of our own (1 mm cells, 3×3×3), so the
/// test does not lean on the grid it checks.
struct Roots(HashMap<(i32, i32, i32), Vec<Vec3>>);

impl Roots {
    fn new(hairs: &[scalp::hair::Strand]) -> Roots {
        let mut m: HashMap<_, Vec<Vec3>> = HashMap::new();
        for h in hairs {
            let p = h.root;
            m.entry(Self::key(p)).or_default().push(p);
        }
        Roots(m)
    }
    fn key(p: Vec3) -> (i32, i32, i32) {
        let c = p.floor();
        (c.x as i32, c.y as i32, c.z as i32)
    }
    /// Distance to the nearest root, or 1 mm when none is nearer than that.
    fn nearest(&self, p: Vec3) -> f32 {
        let (x, y, z) = Self::key(p);
        let mut best = 1.0f32;
        for dx in -1..=1 {
            for dy in -1..=1 {
                for dz in -1..=1 {
                    for q in self.0.get(&(x + dx, y + dy, z + dz)).into_iter().flatten() {
                        best = best.min(p.distance(*q));
                    }
                }
            }
        }
        best
    }
}

fn fnv(dots: &[Dot]) -> u64 {
    let mut x: u64 = 0xcbf2_9ce4_8422_2325;
    for w in bytemuck::cast_slice::<Dot, u32>(dots) {
        x = (x ^ *w as u64).wrapping_mul(0x100_0000_01b3);
    }
    x
}

#[test]
fn gpu_and_cpu_place_the_same_dots_between_the_hairs() {
    let h = head();
    let e = engine();
    let p = plan(true);
    let t = Treatment::new(h, &p, Some(DOTS)).unwrap();
    assert!(t.hairs.len() > 20_000, "{} hairs", t.hairs.len());
    assert_eq!(t.layout.hair.roots.len(), t.hairs.len());
    // The GPU tests each candidate against its triangle's list of roots.
    assert!(t.layout.hair_near.is_some());
    let gpu = e.generate(h, &t).unwrap().read(&e.gpu).unwrap();
    let cpu = t.reference_dots(h);
    assert!(cpu.len() > DOTS as usize / 2, "{} dots", cpu.len());
    assert_agree(&gpu, &cpu);

    // No GPU dot centre within the exclusion radius of any root (the test keeps d² ≥ r²).
    let r = exclusion_radius_mm(p.hair.diameter_mm, p.dots.diameter_mm);
    let roots = Roots::new(&t.hairs);
    let nearest: Vec<f32> = gpu.iter().map(|d| roots.nearest(d.position())).collect();
    let closest = nearest.iter().cloned().fold(f32::INFINITY, f32::min);
    assert!(
        closest >= r * (1.0 - 1e-5),
        "a dot {closest} mm from a root (radius {r} mm)"
    );
    // And they are between the hairs, not in hairless places only: in the thinning zones many
    // dots have a root within twice the radius.
    let near = gpu
        .iter()
        .zip(&nearest)
        .filter(|(d, n)| matches!(d.zone(), ZoneId::Top | ZoneId::Crown) && **n < 2.0 * r)
        .count();
    let thinning = gpu
        .iter()
        .filter(|d| matches!(d.zone(), ZoneId::Top | ZoneId::Crown))
        .count();
    println!(
        "{} GPU dots, {} hairs, radius {r:.3} mm, closest {closest:.3} mm; \
         {near} of {thinning} top/crown dots within {:.2} mm of a root",
        gpu.len(),
        t.hairs.len(),
        2.0 * r
    );
    assert!(near * 5 > thinning, "{near} of {thinning}");
}

#[test]
fn chunks_between_the_hairs_match_the_reference_across_their_borders() {
    // Small chunks: halo triangles' candidates test the roots listed for their triangles too.
    let h = head();
    let e = engine();
    let base = Treatment::new(h, &plan(true), Some(DOTS)).unwrap();
    let layout = Layout::with_hair_chunked(
        &h.mesh,
        &base.zone,
        &base.worked.deposit,
        base.layout.hair.clone(),
        2_000,
    )
    .unwrap();
    assert!(layout.chunks.len() >= 4, "{} chunks", layout.chunks.len());
    assert!(layout.halos.iter().all(|h| !h.is_empty()));
    let near = layout.hair_near.as_ref().expect("lists with hair, no grid");
    assert_eq!(near.unlisted(), 0);
    let t = Treatment { layout, ..base };
    let gpu = e.generate(h, &t).unwrap().read(&e.gpu).unwrap();
    let cpu = t.reference_dots(h);
    assert!(cpu.len() > DOTS as usize / 2, "{} dots", cpu.len());
    assert_agree(&gpu, &cpu);
    let ids = |d: &[Dot]| {
        let mut v: Vec<u32> = d.iter().map(|d| d.id).collect();
        v.sort_unstable();
        v
    };
    assert_eq!(ids(&gpu), ids(&cpu), "the same dots, not just nearly");
}

#[test]
fn a_coarse_heads_big_triangles_take_the_hashed_cells_and_agree() {
    // The built-in head decimated to ~1500 triangles (edges of 10-20 mm): their boxes span too
    // many cells for a list, so their candidates hash the cells, beside triangles with lists.
    let fine = head();
    let opts = scalp::head::decimate::DecimateOptions {
        max_deviation_mm: 20.0,
        target_triangles: 1500,
    };
    let d = scalp::head::decimate::decimate(&fine.mesh.positions, &fine.mesh.indices, &opts);
    let pick = |v: &[Vec3]| d.kept.iter().map(|&k| v[k as usize]).collect::<Vec<_>>();
    let coarse = scalp::head::Head {
        mesh: scalp::head::Mesh {
            positions: pick(&fine.mesh.positions),
            normals: pick(&fine.mesh.normals),
            indices: d.indices.clone(),
        },
        landmarks: fine.landmarks,
        source: "the built-in head, decimated".into(),
        texture: None,
        scan: None,
    };
    let h = &coarse;
    let e = engine();
    let t = Treatment::new(h, &plan(true), Some(DOTS)).unwrap();
    let near = t
        .layout
        .hair_near
        .as_ref()
        .expect("lists with hair, no grid");
    let listed = t.layout.tris.len() - near.unlisted();
    assert!(
        near.unlisted() > 0 && listed > 0,
        "{} unlisted, {listed} listed",
        near.unlisted()
    );
    let gpu = e.generate(h, &t).unwrap().read(&e.gpu).unwrap();
    let cpu = t.reference_dots(h);
    assert!(cpu.len() > DOTS as usize / 2, "{} dots", cpu.len());
    assert_agree(&gpu, &cpu);
}

#[test]
fn with_grid_spacing_the_gpu_keeps_to_the_hashed_cells_and_agrees() {
    // Grid spacing moves a candidate off its triangle, so the GPU tests the cells round it as
    // the reference does, not the triangle's list.
    let h = head();
    let e = engine();
    let p = scalp::worked::with_only(
        &plan(true),
        scalp::technique::TechniqueError::GridSpacing,
        0.8,
    );
    let t = Treatment::new(h, &p, Some(DOTS)).unwrap();
    assert!(t.layout.hair_near.is_none() && !t.layout.hair.is_empty());
    let gpu = e.generate(h, &t).unwrap().read(&e.gpu).unwrap();
    let cpu = t.reference_dots(h);
    assert!(cpu.len() > DOTS as usize / 4, "{} dots", cpu.len());
    assert_agree(&gpu, &cpu);
}

/// The diffuse-thinning plan without hair, at `DOTS`: the CPU reference's dots (count and FNV-1a
/// of their bytes) before hair was taken into account (commit 5c6cbbb), as generation has drawn
/// them since its candidates became a Poisson count per triangle decided in rounds over
/// conflict lists (issue 17; 4001 dots before), and since each triangle's candidates are
/// thrown at the largest density on and beside it rather than the head's (3975 dots before:
/// the same process, other draws), and since the ink matched to the hair became lighter
/// (shade 7 → 4.8, BENCHMARKS.md step 23: the same dots, their shade changed).
const BEFORE: (usize, u64) = (4042, 0x42dc_c77f_27d7_25d9);

#[test]
fn without_hair_the_dots_are_unchanged() {
    let h = head();
    let e = engine();
    let t = Treatment::new(h, &plan(false), Some(DOTS)).unwrap();
    assert!(t.hairs.is_empty() && t.layout.hair.is_empty());
    let cpu = t.reference_dots(h);
    assert_eq!((cpu.len(), fnv(&cpu)), BEFORE);
    let gpu = e.generate(h, &t).unwrap().read(&e.gpu).unwrap();
    assert_agree(&gpu, &cpu);

    // The same plan with hair, generated with an empty hair lookup: exactly the dots of the
    // plan without hair (the feature does nothing but through the lookup).
    let with_hair = Treatment::new(h, &plan(true), Some(DOTS)).unwrap();
    let layout = Layout::new(&h.mesh, &with_hair.zone, &with_hair.worked.deposit).unwrap();
    assert!(layout.hair.is_empty());
    let empty = Treatment {
        layout,
        ..with_hair
    };
    let gpu_empty = e.generate(h, &empty).unwrap().read(&e.gpu).unwrap();
    assert_eq!(gpu_empty, gpu);
    assert_eq!(empty.reference_dots(h), cpu);
}

#[test]
fn the_plan_density_holds_between_the_hairs() {
    // The full plan (no scaling), CPU reference: dots per zone with the hair and without.
    let h = head();
    let with = Treatment::new(h, &plan(true), None).unwrap();
    let without = Treatment::new(h, &plan(false), None).unwrap();
    let count = |dots: &[Dot], z: ZoneId| dots.iter().filter(|d| d.zone() == z).count() as f64;
    let a = with.reference_dots(h);
    let b = without.reference_dots(h);

    // Zone areas (triangles whose centroid is in the zone, past the hairline band).
    let mesh = &h.mesh;
    let mut area = [0.0f64; 5];
    for k in 0..mesh.triangle_count() {
        let [p, q, r] = mesh.triangle(k);
        let s = with.zone.sample((p + q + r) / 3.0);
        if s.above_mm > 0.0 {
            area[s.zone as usize] += mesh.triangle_area(k) as f64;
        }
    }
    // Share of the candidates (area-weighted points of the candidate triangles) the hair
    // excludes, per zone.
    let mut blocked = [(0u32, 0u32); 5];
    for p in &with.layout.params {
        for id in p.cand_start..p.cand_start + p.cand_count {
            let c = scalp::dots::reference::candidate(
                mesh,
                &with.exposure,
                &with.layout,
                &with.zone,
                p,
                id,
            );
            let e = &mut blocked[c.zone as usize];
            e.1 += 1;
            e.0 += with.layout.hair.blocks(c.position) as u32;
        }
    }
    println!("zone      plan/cm²  no hair/cm²  hair/cm²  ratio  excluded  keep factor");
    let mut worst = 0.0f64;
    for z in ZoneId::ALL {
        let (na, nb) = (count(&a, z), count(&b, z));
        let cm2 = area[z as usize] / 100.0;
        let ratio = na / nb;
        let (bl, all) = blocked[z as usize];
        println!(
            "{z:?}\t{:8.1}  {:11.1}  {:8.1}  {ratio:5.3}  {:7.1}%  {:.2}",
            with.zone.zone_density(z) * 100.0,
            nb / cm2,
            na / cm2,
            100.0 * bl as f64 / all.max(1) as f64,
            with.layout.hair.keep_factor(z)
        );
        if matches!(
            z,
            ZoneId::Top | ZoneId::Crown | ZoneId::Sides | ZoneId::Back
        ) {
            worst = worst.max((ratio - 1.0).abs());
        }
    }
    println!("total: {} dots with hair, {} without", a.len(), b.len());
    // Measured (seed of the plan, built-in head): within 0.9% in the top, crown and back and
    // 3.3% over on the sides, where the hair takes 15–39% of the area. With the free share alone
    // made up for (e^(μA)) it was 5–7% short: the spacing rule keeps fewer dots in a free share
    // full of holes about the size of its minimum distance, which `hair_yield` measures and
    // makes up for; without any factor it would be 15–39% short.
    assert!(worst < 0.045, "density off by {:.1}%", 100.0 * worst);
}

/// The largest dots and hairs a plan may have (`dots.diameter_mm` 1.0, `hair.diameter_mm` 0.15):
/// the exclusion radius (0.825 mm) is over half the usual grid cell, which used to abort every
/// command on an assertion (issue 19). The grid now grows its cells with the radius: GPU and CPU
/// still agree and no dot lies within the radius of a root.
#[test]
fn the_largest_dots_and_hairs_a_plan_allows_go_between_the_hairs() {
    let h = head();
    let e = engine();
    let mut p = plan(true);
    p.dots.diameter_mm = 1.0;
    p.hair.diameter_mm = 0.15;
    p.validate().unwrap();
    let t = Treatment::new(h, &p, Some(DOTS)).unwrap();
    let gpu = e.generate(h, &t).unwrap().read(&e.gpu).unwrap();
    let cpu = t.reference_dots(h);
    assert!(cpu.len() > DOTS as usize / 4, "{} dots", cpu.len());
    assert_agree(&gpu, &cpu);
    let r = exclusion_radius_mm(p.hair.diameter_mm, p.dots.diameter_mm);
    let roots = Roots::new(&t.hairs);
    let closest = gpu
        .iter()
        .map(|d| roots.nearest(d.position()))
        .fold(f32::INFINITY, f32::min);
    assert!(
        closest >= r * (1.0 - 1e-5),
        "a dot {closest} mm from a root (radius {r} mm)"
    );
}
