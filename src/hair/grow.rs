//! Growing the hairs: follicular units thrown over the scalp, 1–4 hairs each, every hair a
//! shaft in the skin and the stubble above it (see the module notes of `hair`). CPU only;
//! ~100k hairs in well under a second. `hair_instances` and `shaft_instances` turn the
//! grown hairs into what the hair and shaft passes draw.
use super::*;
use crate::hash::{rand01, stream};
use crate::head::Head;
use crate::zone::{Zone, ZoneSample};

/// One grown hair (CPU, head space, mm).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Strand {
    /// The follicle opening on the skin.
    pub root: Vec3,
    /// The skin's normal there.
    pub normal: Vec3,
    /// Where the follicle ends: the bulb, under the skin.
    pub bulb: Vec3,
    /// The stubble's control point and cut tip (both `root` when nothing shows above the skin).
    pub bend: Vec3,
    pub tip: Vec3,
    /// Stubble length above the skin, mm (0: razor-fresh, nothing shows).
    pub above_mm: f32,
    /// Shaft diameter, mm.
    pub diameter_mm: f32,
    /// Angle of the follicle (and of the emerging hair) to the skin, radians.
    pub angle: f32,
    /// Linear albedo of this hair.
    pub colour: [f32; 3],
    /// Unpigmented (grey/white).
    pub grey: bool,
    /// Resting (telogen): a short follicle without a bulb, no regrowth.
    pub telogen: bool,
    /// Hairs in its follicular unit (1–4) and the unit's id.
    pub unit_size: u32,
    pub unit: u32,
}

impl Strand {
    /// Depth of the bulb under the skin, mm.
    pub fn bulb_depth_mm(&self) -> f32 {
        (self.root - self.bulb).dot(self.normal)
    }

    /// Length of the follicle (opening to bulb), mm.
    pub fn shaft_mm(&self) -> f32 {
        (self.root - self.bulb).length()
    }
}

/// How many hairs a follicular unit holds, from a unit float ([`UNIT_MIX`]).
pub fn unit_size(u: f32) -> u32 {
    let mut acc = 0.0;
    for (k, share) in UNIT_MIX.iter().enumerate() {
        acc += share;
        if u < acc {
            return k as u32 + 1;
        }
    }
    UNIT_MIX.len() as u32
}

/// Mean hairs per unit.
pub fn mean_unit_size() -> f32 {
    UNIT_MIX
        .iter()
        .enumerate()
        .map(|(k, s)| (k + 1) as f32 * s)
        .sum()
}

/// Where hair `hid` of a unit of `size` hairs leaves the skin, relative to the unit's centre:
/// (angle round it, radians; distance, mm). A single hair sits on the centre.
pub fn hair_offset(seed: u32, hid: u32, size: u32) -> (f32, f32) {
    let phi = std::f32::consts::TAU * rand01(seed, hid, stream::HAIR_OFFSET_ANGLE);
    let off = if size == 1 {
        0.0
    } else {
        UNIT_SPREAD_MM.0
            + (UNIT_SPREAD_MM.1 - UNIT_SPREAD_MM.0) * rand01(seed, hid, stream::HAIR_OFFSET_MM)
    };
    (phi, off)
}

/// Mean area round one follicular unit within `radius` of any of its hairs, mm²: the union of
/// their discs, by Steiner's formula on the convex hull of the openings (area + perimeter·r +
/// πr²; exact where the discs cover the hull, as they do for radii over the unit's 0.3 mm).
/// Averaged over the unit mix with the same offset rule as `grow`, on a fixed set of 4096
/// hashed units, so it is deterministic. Dots keep clear of hairs by this (`HairGrid`).
pub fn mean_unit_exclusion_mm2(radius: f32) -> f32 {
    const SAMPLES: u32 = 4096;
    let mut sum = 0.0f64;
    for id in 0..SAMPLES {
        let size = unit_size(rand01(0, id, stream::HAIR_UNIT));
        let pts: Vec<glam::Vec2> = (0..size)
            .map(|j| {
                let (phi, off) = hair_offset(0, id * 4 + j, size);
                glam::Vec2::from_angle(phi) * off
            })
            .collect();
        let hull = convex_hull(&pts);
        let (mut area, mut perimeter) = (0.0f32, 0.0f32);
        for k in 0..hull.len() {
            let (a, b) = (hull[k], hull[(k + 1) % hull.len()]);
            area += 0.5 * a.perp_dot(b);
            perimeter += a.distance(b);
        }
        // A segment's hull has no area, and its "perimeter" runs there and back (2·length,
        // as the loop adds it).
        if hull.len() < 3 {
            area = 0.0;
        }
        sum += (area.abs() + perimeter * radius + std::f32::consts::PI * radius * radius) as f64;
    }
    (sum / SAMPLES as f64) as f32
}

/// The convex hull of a few points, counter-clockwise (gift wrapping; n ≤ 4 here).
fn convex_hull(pts: &[glam::Vec2]) -> Vec<glam::Vec2> {
    if pts.len() < 2 {
        return pts.to_vec();
    }
    let start = pts
        .iter()
        .copied()
        .min_by(|a, b| a.x.total_cmp(&b.x).then(a.y.total_cmp(&b.y)))
        .unwrap();
    let mut hull = vec![start];
    let mut p = start;
    loop {
        let mut q = pts[0];
        for &r in pts {
            let turn = (q - p).perp_dot(r - p);
            if q == p || turn < 0.0 || (turn == 0.0 && p.distance(r) > p.distance(q)) {
                q = r;
            }
        }
        if q == start || hull.len() > pts.len() {
            break;
        }
        hull.push(q);
        p = q;
    }
    hull
}

/// Whether `p` is on an ear rather than the scalp: the helix stands out beyond the skull's side
/// (the ear's attachment, `ear_top_*`, lies on it) and reaches above the ear-top landmark,
/// where the treated zone's boundary falls toward the back; scalp hair never grows there.
pub fn on_ear(head: &Head, p: Vec3) -> bool {
    let lm = &head.landmarks;
    [lm.ear_top_left, lm.ear_top_right].iter().any(|ear| {
        p.x * ear.x > 0.0
            && p.x.abs() > ear.x.abs() + EAR_CLEARANCE_MM
            && p.y < ear.y + EAR_REACH_MM
    })
}

/// How far beyond the ear's attachment (laterally) a point must stand to be ear, mm.
const EAR_CLEARANCE_MM: f32 = 1.0;
/// How far above the ear-top landmark the helix can reach, mm (adult ears ~60 mm long, the
/// attachment's top ~1/4 of the way down).
const EAR_REACH_MM: f32 = 25.0;

/// Grows the hairs of a plan on a head: units thrown area-weighted over the scalp (above the
/// zone's boundary), thinned to each zone's fraction.
pub fn grow(head: &Head, zone: &Zone, settings: &HairSettings, seed: u32) -> Vec<Strand> {
    if !settings.enabled {
        return Vec::new();
    }
    let mesh = &head.mesh;
    let units_per_mm2 = settings.density_per_cm2 / 100.0 / mean_unit_size();
    let w = whorl(head);
    let max_cov = ZoneId::ALL
        .iter()
        .map(|&z| settings.coverage(z))
        .fold(0.0f32, f32::max);
    if max_cov <= 0.0 {
        return Vec::new();
    }
    let pigmented = settings.albedo();
    let mut out = Vec::new();
    for t in 0..mesh.triangle_count() {
        let [a, b, c] = mesh.triangle(t);
        // Only the scalp: the zone's boundary is the natural hairline all round.
        let centroid = (a + b + c) / 3.0;
        if zone.sample(centroid).above_mm < -2.0 * zone.band_width() || on_ear(head, centroid) {
            continue;
        }
        let expected = mesh.triangle_area(t) * units_per_mm2 * max_cov;
        let base = (t as u32).wrapping_mul(64);
        let count = expected.floor() as u32
            + u32::from(rand01(seed, base, stream::HAIR_PICK) < expected.fract());
        let normals: [Vec3; 3] =
            std::array::from_fn(|k| mesh.normals[mesh.indices[3 * t + k] as usize]);
        for k in 0..count.min(63) {
            let id = base + 1 + k;
            let (mut u, mut v) = (
                rand01(seed, id, stream::HAIR_U),
                rand01(seed, id, stream::HAIR_V),
            );
            if u + v > 1.0 {
                (u, v) = (1.0 - u, 1.0 - v);
            }
            let p = a + (b - a) * u + (c - a) * v;
            if on_ear(head, p) {
                continue;
            }
            // Zones meet along hard lines; natural hair thins out over a centimetre or so.
            // Looking the zone up a random few millimetres away dithers the border.
            let jitter = Vec3::new(
                rand01(seed, id, stream::HAIR_BORDER) - 0.5,
                rand01(seed, id ^ 0x4000_0000, stream::HAIR_BORDER) - 0.5,
                rand01(seed, id ^ 0x8000_0000, stream::HAIR_BORDER) - 0.5,
            ) * BORDER_MM;
            let s_here = zone.sample(p);
            let s_near = zone.sample(p + jitter);
            let s = ZoneSample {
                zone: s_near.zone,
                ..s_here
            };
            // Thin to this spot's density: its zone's fraction, ramping in over the band.
            let keep = if s.above_mm > 0.0 {
                settings.coverage(s.zone) * s.ramp / max_cov
            } else {
                0.0
            };
            if rand01(seed, id, stream::HAIR_PICK) >= keep {
                continue;
            }
            let n =
                (normals[0] * (1.0 - u - v) + normals[1] * u + normals[2] * v).normalize_or_zero();
            if n == Vec3::ZERO {
                continue;
            }
            let dir = flow(p, n, w);
            let side = n.cross(dir);
            let size = unit_size(rand01(seed, id, stream::HAIR_UNIT));
            for j in 0..size {
                // Hair ids: four per unit, after the unit's own id.
                let hid = id.wrapping_mul(4).wrapping_add(j);
                let r = |s: u32| rand01(seed, hid, s);
                let (phi, off) = hair_offset(seed, hid, size);
                let root = p + (dir * phi.cos() + side * phi.sin()) * off;
                // The hairs of a unit fan out a little round the unit's flow.
                let twist = 0.25 * (2.0 * r(stream::HAIR_TWIST) - 1.0);
                let along = dir * twist.cos() + side * twist.sin();
                let angle = SHAFT_ANGLE.0 + (SHAFT_ANGLE.1 - SHAFT_ANGLE.0) * r(stream::HAIR_ANGLE);
                let telogen = r(stream::HAIR_PHASE) < TELOGEN_SHARE;
                let shaft = (SHAFT_MM.0 + (SHAFT_MM.1 - SHAFT_MM.0) * r(stream::HAIR_SHAFT))
                    * if telogen { TELOGEN_FOLLICLE } else { 1.0 };
                // The follicle runs down against the flow: the hair leaves it along the flow.
                let out_dir = along * angle.cos() + n * angle.sin();
                let bulb = root - out_dir * shaft;
                let diameter = settings.diameter_mm
                    * (1.0 + DIAMETER_JITTER * (2.0 * r(stream::HAIR_DIAMETER) - 1.0));
                let cut = settings.shave_mm
                    * (1.0 + LENGTH_JITTER * (2.0 * r(stream::HAIR_LENGTH) - 1.0));
                let regrown = if telogen { 0.0 } else { REGROWTH_MM_PER_DAY }
                    * settings.days_since_shave
                    * (1.0 + REGROWTH_JITTER * (2.0 * r(stream::HAIR_GROWTH) - 1.0));
                let above = (cut + regrown).max(0.0);
                let grey = r(stream::HAIR_GREY) < settings.grey;
                let colour = if grey {
                    WHITE_HAIR_ALBEDO
                } else {
                    let tone =
                        TONE_SPREAD.0 + (TONE_SPREAD.1 - TONE_SPREAD.0) * r(stream::HAIR_TONE);
                    pigmented.map(|x| (x * tone).min(1.0))
                };
                // Stubble: a slight curl sideways and a droop toward the skin, both growing
                // with the length.
                let curl = CURL * (2.0 * r(stream::HAIR_CURL) - 1.0);
                let tip = root + out_dir * above;
                let bend =
                    root + out_dir * (0.5 * above) + (side * curl - n * (0.3 * CURL)) * above;
                out.push(Strand {
                    root,
                    normal: n,
                    bulb,
                    bend,
                    tip,
                    above_mm: above,
                    diameter_mm: diameter,
                    angle,
                    colour,
                    grey,
                    telogen,
                    unit_size: size,
                    unit: id,
                });
            }
        }
    }
    out
}

/// The stubble the hair pass draws: one instance per hair that shows above the skin.
pub fn hair_instances(strands: &[Strand]) -> Vec<Hair> {
    strands
        .iter()
        .filter(|s| s.above_mm > 0.005)
        .map(|s| Hair {
            root: s.root.into(),
            diameter_mm: s.diameter_mm,
            bend: s.bend.into(),
            exit_width: EXIT_WIDTH,
            tip: s.tip.into(),
            length_mm: s.above_mm,
            colour: s.colour,
            pigmented: if s.grey { 0.0 } else { 1.0 },
        })
        .collect()
}

/// What the shaft pass draws: per hair its shaft in [`SHAFT_PIECES`] pieces, its bulb (growing
/// hairs only) and its follicle opening.
pub fn shaft_instances(strands: &[Strand]) -> Vec<Shaft> {
    let mut out = Vec::with_capacity(strands.len() * (SHAFT_PIECES + 2));
    for s in strands {
        let n = s.normal;
        let down = s.bulb - s.root;
        let shaft = down.length();
        let axis = (down - down.dot(n) * n).normalize_or_zero();
        let axis = if axis == Vec3::ZERO {
            n.any_orthonormal_vector()
        } else {
            axis
        };
        let absorptance = shaft_absorptance(s.colour);
        let piece = |from: f32, to: f32, width: f32| {
            let mid = s.root + down * (0.5 * (from + to) / shaft);
            let depth = (s.root - mid).dot(n);
            Shaft {
                centre: (mid + n * depth).into(),
                depth_mm: depth,
                normal: n.into(),
                width_mm: width,
                axis: axis.into(),
                length_mm: (to - from) * s.angle.cos(),
                absorptance,
                kind: shaft_kind::SEGMENT,
            }
        };
        let step = (shaft - BULB_MM) / SHAFT_PIECES as f32;
        for k in 0..SHAFT_PIECES {
            out.push(piece(k as f32 * step, (k + 1) as f32 * step, s.diameter_mm));
        }
        out.push(piece(shaft - BULB_MM, shaft, BULB_WIDTH * s.diameter_mm));
        out.push(Shaft {
            centre: s.root.into(),
            depth_mm: 0.0,
            normal: n.into(),
            width_mm: OPENING_WIDTH * s.diameter_mm,
            axis: axis.into(),
            // The pit is drawn out along the hair's lean.
            length_mm: OPENING_WIDTH * s.diameter_mm / s.angle.sin(),
            absorptance: [OPENING_DARKNESS; 3],
            kind: shaft_kind::OPENING,
        });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plan::Plan;
    use crate::treatment::Treatment;

    fn strands(f: impl FnOnce(&mut HairSettings)) -> Vec<Strand> {
        let head = crate::head::Head::builtin().unwrap();
        let mut plan = Plan::default();
        // The tests' own baseline, apart from the default client's: a dense 1 mm cut today,
        // 80 µm shafts.
        plan.hair.enabled = true;
        plan.hair.density_per_cm2 = 200.0;
        plan.hair.shave_mm = 1.0;
        plan.hair.days_since_shave = 0.0;
        plan.hair.diameter_mm = 0.08;
        f(&mut plan.hair);
        let t = Treatment::new(&head, &plan, None).unwrap();
        t.hairs.as_ref().clone()
    }

    #[test]
    fn no_hair_grows_on_the_ears_and_the_scalp_beside_them_keeps_its_hair() {
        let head = crate::head::Head::builtin().unwrap();
        let ear = head.landmarks.ear_top_left;
        // The helix: the vertex farthest out on the left side at ear height.
        let helix = head
            .mesh
            .positions
            .iter()
            .filter(|p| p.x > 0.0 && (p.y - ear.y).abs() < 12.0)
            .max_by(|a, b| a.x.total_cmp(&b.x))
            .unwrap();
        assert!(on_ear(&head, *helix), "{helix}");
        assert!(!on_ear(&head, ear + Vec3::new(-2.0, 20.0, 0.0)));
        let hairs = strands(|_| {});
        let near_ears = hairs
            .iter()
            .filter(|h| (h.root.y - ear.y).abs() < 30.0 && h.root.x.abs() > 60.0)
            .count();
        assert!(near_ears > 500, "{near_ears} hairs beside the ears");
        // A unit's hairs spread 0.1–0.3 mm round its centre, which is off the ear.
        let inward = |p: Vec3| p - Vec3::X * p.x.signum() * 0.35;
        assert!(hairs.iter().all(|h| !on_ear(&head, inward(h.root))));
    }

    #[test]
    fn shafts_run_down_at_30_to_60_degrees_to_a_bulb_1_5_to_3_5_mm_deep() {
        let hairs = strands(|_| {});
        assert!(hairs.len() > 10_000);
        let resting = hairs.iter().filter(|h| h.telogen).count() as f32 / hairs.len() as f32;
        assert!((resting - TELOGEN_SHARE).abs() < 0.01, "{resting} resting");
        for h in hairs.iter().filter(|h| !h.telogen) {
            let deg = h.angle.to_degrees();
            assert!((30.0..=60.0).contains(&deg), "{deg}°");
            let sin = h.bulb_depth_mm() / h.shaft_mm();
            assert!(
                (sin - h.angle.sin()).abs() < 1e-3,
                "{sin} vs {}",
                h.angle.sin()
            );
            assert!(
                (3.0..=4.0 + 1e-3).contains(&h.shaft_mm()),
                "{}",
                h.shaft_mm()
            );
            let depth = h.bulb_depth_mm();
            assert!((1.49..=3.47).contains(&depth), "bulb {depth} mm deep");
            // The stubble leaves the skin outward, the follicle goes in.
            assert!((h.tip - h.root).dot(h.normal) >= 0.0);
            assert!(
                (0.0696..=0.0897).contains(&h.diameter_mm),
                "{}",
                h.diameter_mm
            );
        }
    }

    #[test]
    fn units_hold_one_to_four_hairs_in_the_planned_mix_close_together() {
        let hairs = strands(|_| {});
        let mut units: std::collections::HashMap<u32, Vec<&Strand>> = Default::default();
        for h in &hairs {
            units.entry(h.unit).or_default().push(h);
        }
        let mut counts = [0usize; 4];
        for hs in units.values() {
            assert_eq!(hs.len() as u32, hs[0].unit_size);
            counts[hs.len() - 1] += 1;
            for a in hs {
                for b in hs {
                    assert!(a.root.distance(b.root) <= 0.3 + 1e-4);
                }
            }
        }
        let total = units.len() as f32;
        for (k, share) in UNIT_MIX.iter().enumerate() {
            let seen = counts[k] as f32 / total;
            assert!(
                (seen - share).abs() < 0.02,
                "{}-hair units: {seen} vs {share}",
                k + 1
            );
        }
        assert!((mean_unit_size() - 2.25).abs() < 1e-6);
    }

    #[test]
    fn a_units_exclusion_lies_between_one_disc_and_its_hairs_apart() {
        let r = 0.36;
        let one = std::f32::consts::PI * r * r;
        let a = mean_unit_exclusion_mm2(r);
        // Clustered hairs overlap: more than one disc, far less than 2.25 separate ones.
        assert!(a > 1.1 * one && a < 1.5 * one, "{a} vs one disc {one}");
        // A square's hull: area 1, perimeter 4.
        let sq = [
            glam::Vec2::new(0.0, 0.0),
            glam::Vec2::new(1.0, 0.0),
            glam::Vec2::new(1.0, 1.0),
            glam::Vec2::new(0.0, 1.0),
            glam::Vec2::new(0.5, 0.5),
        ];
        assert_eq!(convex_hull(&sq).len(), 4);
    }

    #[test]
    fn stubble_is_the_cut_length_plus_regrowth_and_razor_leaves_none() {
        let razor = strands(|h| h.shave_mm = 0.0);
        assert!(razor.iter().all(|h| h.above_mm == 0.0 && h.tip == h.root));
        assert!(hair_instances(&razor).is_empty());
        // Three days after a razor: ~1.1 mm back, each hair within its rate's spread.
        let grown = strands(|h| {
            h.shave_mm = 0.0;
            h.days_since_shave = 3.0;
        });
        let growing: Vec<&Strand> = grown.iter().filter(|h| !h.telogen).collect();
        let mean = growing.iter().map(|h| h.above_mm).sum::<f32>() / growing.len() as f32;
        assert!((mean - 3.0 * REGROWTH_MM_PER_DAY).abs() < 0.01, "{mean}");
        let (lo, hi) = (
            3.0 * REGROWTH_MM_PER_DAY * (1.0 - REGROWTH_JITTER),
            3.0 * REGROWTH_MM_PER_DAY * (1.0 + REGROWTH_JITTER),
        );
        // Resting hairs do not grow back.
        assert!(grown.iter().all(|h| if h.telogen {
            h.above_mm == 0.0
        } else {
            (lo - 1e-4..=hi + 1e-4).contains(&h.above_mm)
        }));
        // 1 mm clippers, two days on.
        let clip = strands(|h| h.days_since_shave = 2.0);
        let growing: Vec<&Strand> = clip.iter().filter(|h| !h.telogen).collect();
        let mean = growing.iter().map(|h| h.above_mm).sum::<f32>() / growing.len() as f32;
        assert!(
            (mean - (1.0 + 2.0 * REGROWTH_MM_PER_DAY)).abs() < 0.02,
            "{mean}"
        );
        // The same hairs grow, only longer: the openings do not move.
        assert_eq!(razor.len(), clip.len());
        assert!(razor.iter().zip(&clip).all(|(a, b)| a.root == b.root));
    }

    #[test]
    fn the_grey_share_is_the_planned_one_and_grey_shafts_nearly_vanish() {
        let hairs = strands(|h| h.grey = 0.3);
        let grey = hairs.iter().filter(|h| h.grey).count() as f32 / hairs.len() as f32;
        assert!((grey - 0.3).abs() < 0.01, "{grey}");
        for h in &hairs {
            let a = shaft_absorptance(h.colour);
            if h.grey {
                assert!(a.iter().all(|x| *x < 0.05), "{a:?}");
            } else {
                assert!(a.iter().all(|x| *x > 0.6), "{a:?}");
            }
        }
    }

    #[test]
    fn the_same_seed_grows_the_same_hairs_and_another_seed_others() {
        let a = strands(|_| {});
        let b = strands(|_| {});
        assert_eq!(a, b);
        let head = crate::head::Head::builtin().unwrap();
        let mut plan = Plan::default();
        plan.hair.enabled = true;
        plan.seed ^= 1;
        let c = Treatment::new(&head, &plan, None).unwrap();
        assert_ne!(a.first().map(|h| h.root), c.hairs.first().map(|h| h.root));
    }

    #[test]
    fn each_hair_draws_its_shaft_pieces_in_order_of_depth_then_bulb_then_opening() {
        let hairs: Vec<Strand> = strands(|_| {}).into_iter().filter(|h| !h.telogen).collect();
        let s = shaft_instances(&hairs[..1]);
        assert_eq!(s.len(), SHAFT_PIECES + 2);
        for w in s[..SHAFT_PIECES + 1].windows(2) {
            assert!(w[1].depth_mm > w[0].depth_mm);
        }
        assert_eq!(s[SHAFT_PIECES + 1].kind, shaft_kind::OPENING);
        // Projected pieces add up to the follicle's run along the skin.
        let run: f32 = s[..SHAFT_PIECES + 1].iter().map(|p| p.length_mm).sum();
        assert!((run - hairs[0].shaft_mm() * hairs[0].angle.cos()).abs() < 1e-3);
    }
}
