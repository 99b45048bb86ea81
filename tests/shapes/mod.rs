//! Heads unlike the built-in one, built from it by the tests (no fixtures): shared by the
//! alignment tests (tests/align.rs) and the GPU tests that render them (tests/gpu/scans.rs).
// Each test crate uses its own part of these.
#![allow(dead_code)]
use glam::Vec3;
use scalp::head::Head;

pub struct Mesh {
    pub pos: Vec<Vec3>,
    pub tris: Vec<[u32; 3]>,
}

impl Mesh {
    pub fn builtin() -> Mesh {
        let h = Head::builtin().unwrap();
        Mesh {
            pos: h.mesh.positions.clone(),
            tris: h
                .mesh
                .indices
                .chunks_exact(3)
                .map(|t| [t[0], t[1], t[2]])
                .collect(),
        }
    }

    pub fn add(&mut self, other: Mesh) {
        let base = self.pos.len() as u32;
        self.pos.extend(other.pos);
        self.tris
            .extend(other.tris.iter().map(|t| t.map(|i| i + base)));
    }

    pub fn map(mut self, f: impl Fn(Vec3) -> Vec3) -> Mesh {
        for p in &mut self.pos {
            *p = f(*p);
        }
        self
    }

    /// Keeps the triangles whose three corners `keep` accepts.
    pub fn crop(mut self, keep: impl Fn(Vec3) -> bool) -> Mesh {
        let pos = &self.pos;
        self.tris
            .retain(|t| t.iter().all(|&i| keep(pos[i as usize])));
        self
    }

    pub fn normals(&self) -> Vec<Vec3> {
        let mut n = vec![Vec3::ZERO; self.pos.len()];
        for t in &self.tris {
            let [a, b, c] = t.map(|i| self.pos[i as usize]);
            let f = (b - a).cross(c - a);
            for &i in t {
                n[i as usize] += f;
            }
        }
        n.iter().map(|v| v.normalize_or_zero()).collect()
    }

    /// Umbrella smoothing: each vertex moved `weight` of the way to its neighbours' mean.
    pub fn smooth(mut self, rounds: usize, weight: f32) -> Mesh {
        for _ in 0..rounds {
            let mut sum = vec![Vec3::ZERO; self.pos.len()];
            let mut count = vec![0u32; self.pos.len()];
            for t in &self.tris {
                for k in 0..3 {
                    let (a, b) = (t[k] as usize, t[(k + 1) % 3] as usize);
                    sum[a] += self.pos[b];
                    count[a] += 1;
                    sum[b] += self.pos[a];
                    count[b] += 1;
                }
            }
            for (i, p) in self.pos.iter_mut().enumerate() {
                if count[i] > 0 {
                    *p = p.lerp(sum[i] / count[i] as f32, weight);
                }
            }
        }
        self
    }
}

/// A closed ellipsoid (UV sphere) about `centre`.
pub fn ellipsoid(centre: Vec3, radii: Vec3, rows: u32, cols: u32) -> Mesh {
    let mut pos = Vec::new();
    let mut tris = Vec::new();
    for i in 0..=rows {
        let th = std::f32::consts::PI * i as f32 / rows as f32;
        for j in 0..cols {
            let ph = std::f32::consts::TAU * j as f32 / cols as f32;
            let d = Vec3::new(th.sin() * ph.cos(), th.cos(), th.sin() * ph.sin());
            pos.push(centre + d * radii);
        }
    }
    for i in 0..rows {
        for j in 0..cols {
            let a = i * cols + j;
            let b = i * cols + (j + 1) % cols;
            tris.push([a, b, a + cols]);
            tris.push([b, b + cols, a + cols]);
        }
    }
    Mesh { pos, tris }
}

pub fn smoothstep(e0: f32, e1: f32, x: f32) -> f32 {
    let t = ((x - e0) / (e1 - e0)).clamp(0.0, 1.0);
    t * t * (3.0 - 2.0 * t)
}

/// A torso below the neck: a broad ellipsoid, as a bust's shoulders and chest.
pub fn torso(width: f32) -> Mesh {
    ellipsoid(
        Vec3::new(0.0, -255.0, -10.0),
        Vec3::new(width, 120.0, 0.55 * width),
        40,
        80,
    )
}

/// The reported statue: its face's fine detail smoothed a little, a hair mass over the scalp,
/// a big bun at the back, on part of a bust.
pub fn statue() -> Mesh {
    // A weathered, shallow face: the front worn back by 30%.
    let mut m = Mesh::builtin().smooth(6, 0.5).map(|p| {
        Vec3::new(
            p.x,
            p.y,
            if p.z > 40.0 {
                40.0 + (p.z - 40.0) * 0.7
            } else {
                p.z
            },
        )
    });
    let n = m.normals();
    for (p, n) in m.pos.iter_mut().zip(n) {
        let hair = smoothstep(0.0, 35.0, p.y) * (1.0 - smoothstep(50.0, 85.0, p.z));
        *p += n * 14.0 * hair;
    }
    m.add(ellipsoid(
        Vec3::new(0.0, -5.0, -122.0),
        Vec3::new(55.0, 52.0, 50.0),
        30,
        60,
    ));
    m.add(torso(150.0));
    m
}
