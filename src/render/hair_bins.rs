//! The client's hairs grouped by where their roots face, so that a frame draws only the groups
//! that can be seen. The hair and shaft passes cost per instance on a CPU driver whatever the
//! image size (BENCHMARKS.md step 12), and about half of a head's hairs face away from any view.
//! Each group keeps a cone holding its roots' normals and a sphere holding the roots; a group is
//! skipped only when no root in it can face the eye (shafts: exactly the shaft pass's own test,
//! so skipping changes nothing it would draw; hairs: with a margin for stubble seen over the
//! silhouette).
use crate::hair::Strand;
use glam::Vec3;
use std::ops::Range;

/// Normals are binned on an octahedral map of this many cells a side.
pub const BINS_PER_SIDE: u32 = 8;
/// The smallest radius of curvature of a scalp the hair margin assumes, mm (a head's is
/// 60–100 mm over the vault; the margin grows as this shrinks).
pub const SCALP_RADIUS_MM: f32 = 50.0;

/// One group of hairs: which instances of the hair and shaft buffers it holds, and where its
/// roots are and face.
#[derive(Clone, Debug, PartialEq)]
pub struct HairBin {
    pub hairs: Range<u32>,
    pub shafts: Range<u32>,
    /// Unit axis of the cone holding every root's normal, and its half angle (radians).
    pub axis: Vec3,
    pub half_angle: f32,
    /// Sphere holding every root.
    pub centre: Vec3,
    pub radius: f32,
    /// Longest stubble above the skin in the group, mm.
    pub longest_mm: f32,
}

/// The octahedral cell of a unit normal.
pub fn bin_of(n: Vec3) -> u32 {
    let n = n / (n.x.abs() + n.y.abs() + n.z.abs()).max(1e-12);
    let (mut u, mut v) = (n.x, n.y);
    if n.z < 0.0 {
        (u, v) = (
            (1.0 - n.y.abs()) * n.x.signum(),
            (1.0 - n.x.abs()) * n.y.signum(),
        );
    }
    let cell = |t: f32| (((t * 0.5 + 0.5) * BINS_PER_SIDE as f32) as u32).min(BINS_PER_SIDE - 1);
    cell(v) * BINS_PER_SIDE + cell(u)
}

impl HairBin {
    /// The group of `strands` (one bin's), whose instances are `hairs` and `shafts`.
    pub fn new(strands: &[Strand], hairs: Range<u32>, shafts: Range<u32>) -> HairBin {
        let sum: Vec3 = strands.iter().map(|s| s.normal).sum();
        let axis = sum.normalize_or(Vec3::Y);
        let half_angle = strands
            .iter()
            .map(|s| axis.angle_between(s.normal))
            .fold(0.0f32, f32::max);
        let (lo, hi) = strands.iter().fold(
            (Vec3::splat(f32::MAX), Vec3::splat(f32::MIN)),
            |(lo, hi), s| (lo.min(s.root), hi.max(s.root)),
        );
        let centre = 0.5 * (lo + hi);
        let radius = strands
            .iter()
            .map(|s| s.root.distance(centre))
            .fold(0.0f32, f32::max);
        let longest_mm = strands.iter().map(|s| s.above_mm).fold(0.0f32, f32::max);
        HairBin {
            hairs,
            shafts,
            axis,
            half_angle,
            centre,
            radius,
            longest_mm,
        }
    }

    /// The largest cosine between a root's normal and the direction from that root to `eye`,
    /// over every normal and root the group's cone and sphere allow (an upper bound).
    pub fn best_facing(&self, eye: Vec3) -> f32 {
        let to = eye - self.centre;
        let d = to.length();
        if d <= self.radius {
            return 1.0;
        }
        // The directions from the sphere to the eye lie within this angle of its centre's.
        let spread = (self.radius / d).asin();
        let off = self.axis.angle_between(to / d) - self.half_angle - spread;
        off.max(0.0).cos()
    }

    /// Whether some shaft piece of the group can face `eye` (the shaft pass hides a piece
    /// whose root normal does not point toward the eye).
    pub fn shafts_seen(&self, eye: Vec3) -> bool {
        self.best_facing(eye) > 0.0
    }

    /// Whether some hair of the group can be seen from `eye`: a hair of length L rising from a
    /// root past the silhouette of a scalp of radius R shows over it while the root is less
    /// than acos(R / (R + L)) past the horizon.
    pub fn hairs_seen(&self, eye: Vec3) -> bool {
        let past = (SCALP_RADIUS_MM / (SCALP_RADIUS_MM + self.longest_mm)).acos();
        self.best_facing(eye) > -past.sin()
    }
}

/// The strands' order for the buffers (grouped by bin, in their order within a bin) and each
/// bin's range of that order.
pub fn grouped(strands: &[Strand]) -> (Vec<usize>, Vec<Range<usize>>) {
    let bins: Vec<u32> = strands.iter().map(|s| bin_of(s.normal)).collect();
    let mut order: Vec<usize> = (0..strands.len()).collect();
    order.sort_by_key(|&i| bins[i]);
    let mut groups = Vec::new();
    let mut start = 0;
    for run in order.chunk_by(|&a, &b| bins[a] == bins[b]) {
        groups.push(start..start + run.len());
        start += run.len();
    }
    (order, groups)
}

/// The instance ranges of `bins` that `seen` keeps, neighbours joined into one draw.
pub fn ranges(
    bins: &[HairBin],
    range: impl Fn(&HairBin) -> Range<u32>,
    seen: impl Fn(&HairBin) -> bool,
) -> Vec<Range<u32>> {
    let mut out: Vec<Range<u32>> = Vec::new();
    for b in bins.iter().filter(|b| seen(b)) {
        let r = range(b);
        if r.is_empty() {
            continue;
        }
        match out.last_mut() {
            Some(last) if last.end == r.start => last.end = r.end,
            _ => out.push(r),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strands() -> Vec<Strand> {
        let head = crate::head::Head::builtin().unwrap();
        let plan = crate::plan::Plan::default();
        let t = crate::treatment::Treatment::new(&head, &plan, Some(2000)).unwrap();
        assert!(t.hairs.len() > 10_000, "{}", t.hairs.len());
        t.hairs.to_vec()
    }

    #[test]
    fn every_normal_has_a_bin_and_neighbours_share_one() {
        for (n, expect_same) in [
            (Vec3::Y, Vec3::new(0.01, 1.0, 0.0)),
            // (−Z itself lies on the map's fold: its four corners.)
            (
                Vec3::new(0.3, 0.2, -0.93).normalize(),
                Vec3::new(0.31, 0.2, -0.93),
            ),
        ] {
            assert_eq!(bin_of(n), bin_of(expect_same.normalize()));
        }
        let mut seen = std::collections::HashSet::new();
        for i in 0..2000 {
            let a = i as f32 * 2.399_963;
            let z = 1.0 - 2.0 * (i as f32 + 0.5) / 2000.0;
            let r = (1.0 - z * z).sqrt();
            let b = bin_of(Vec3::new(r * a.cos(), r * a.sin(), z));
            assert!(b < BINS_PER_SIDE * BINS_PER_SIDE);
            seen.insert(b);
        }
        assert_eq!(seen.len() as u32, BINS_PER_SIDE * BINS_PER_SIDE);
    }

    /// The bound against every root: a group said hidden has no root that faces the eye (or,
    /// for hairs, none within the margin), from eyes all round the head and close to it.
    #[test]
    fn no_group_said_hidden_holds_a_root_that_faces_the_eye() {
        let s = strands();
        let (order, groups) = grouped(&s);
        assert!(groups.len() > 10, "{} groups", groups.len());
        let mut culled = 0usize;
        let mut views = 0usize;
        for i in 0..60 {
            let a = i as f32 * 2.399_963;
            let z = 1.0 - 2.0 * (i as f32 + 0.5) / 60.0;
            let r = (1.0 - z * z).sqrt();
            for dist in [150.0f32, 400.0, 1500.0] {
                let eye = Vec3::new(r * a.cos(), z, r * a.sin()) * dist + Vec3::new(0.0, 60.0, 0.0);
                views += 1;
                for g in &groups {
                    let members: Vec<Strand> = order[g.clone()].iter().map(|&k| s[k]).collect();
                    let bin = HairBin::new(&members, 0..0, 0..0);
                    let facing = |m: &Strand| m.normal.dot((eye - m.root).normalize());
                    let best = members.iter().map(facing).fold(f32::MIN, f32::max);
                    assert!(
                        bin.best_facing(eye) >= best - 1e-5,
                        "bound {} < {best}",
                        bin.best_facing(eye)
                    );
                    if !bin.shafts_seen(eye) {
                        assert!(best <= 0.0, "a shaft facing the eye would be skipped");
                        culled += members.len();
                    }
                    if !bin.hairs_seen(eye) {
                        assert!(!bin.shafts_seen(eye));
                    }
                }
            }
        }
        // And it is worth it: from outside the head a good share is skipped.
        let share = culled as f64 / (views * s.len()) as f64;
        assert!(share > 0.25, "only {share:.2} of the shafts skipped");
    }

    #[test]
    fn ranges_join_neighbours_and_keep_order() {
        let bin = |h: Range<u32>| HairBin {
            hairs: h,
            shafts: 0..0,
            axis: Vec3::Y,
            half_angle: 0.0,
            centre: Vec3::ZERO,
            radius: 0.0,
            longest_mm: 0.0,
        };
        let bins = [bin(0..3), bin(3..5), bin(5..9), bin(9..9), bin(9..12)];
        let keep = [true, true, false, true, true];
        let got = ranges(
            &bins,
            |b| b.hairs.clone(),
            |b| keep[bins.iter().position(|x| x == b).unwrap()],
        );
        assert_eq!(got, vec![0..5, 9..12]);
    }
}
