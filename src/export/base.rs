//! The skin under the dots in texture space: a scan's own image, its vertex colours, or both
//! (glTF's base colour is their product), as the 3D render's skin pass takes them. Vertex
//! colours are rasterised into the texture on the CPU, interpolated across each triangle by its
//! texture coordinates.
use super::unwrap::UvMesh;

/// Each texel's interpolated vertex colour (linear RGB) and weight (w: 1 where the scan's
/// colour is shown, 0 where the plain skin is), with whether a triangle covered the texel.
/// `colours` are per source-mesh vertex (`UvMesh::source`). Texels just off a triangle's edge
/// (where the GPU's rasterisation may still mark skin) are filled from covered neighbours.
pub fn rasterise_colours(mesh: &UvMesh, colours: &[[f32; 4]], size: u32) -> Vec<[f32; 4]> {
    let side = size as usize;
    let mut out = vec![[0.0f32; 4]; side * side];
    let mut covered = vec![false; side * side];
    let colour = |i: usize| {
        mesh.source
            .get(i)
            .and_then(|&s| colours.get(s as usize))
            .copied()
            .unwrap_or([1.0, 1.0, 1.0, 0.0])
    };
    for t in mesh.indices.chunks_exact(3) {
        let [a, b, c] = [0, 1, 2].map(|k| mesh.uvs[t[k] as usize] * size as f32);
        let cs = [0, 1, 2].map(|k| colour(t[k] as usize));
        let area = (b - a).perp_dot(c - a);
        if area.abs() < 1e-12 {
            continue;
        }
        let lo = a.min(b).min(c).floor().max(glam::Vec2::ZERO);
        let hi = a.max(b).max(c).ceil().min(glam::Vec2::splat(size as f32));
        for y in lo.y as usize..hi.y as usize {
            for x in lo.x as usize..hi.x as usize {
                let p = glam::Vec2::new(x as f32 + 0.5, y as f32 + 0.5);
                let w0 = (b - p).perp_dot(c - p) / area;
                let w1 = (c - p).perp_dot(a - p) / area;
                let w2 = 1.0 - w0 - w1;
                if w0 < -1e-6 || w1 < -1e-6 || w2 < -1e-6 {
                    continue;
                }
                let i = y * side + x;
                out[i] = std::array::from_fn(|k| w0 * cs[0][k] + w1 * cs[1][k] + w2 * cs[2][k]);
                covered[i] = true;
            }
        }
    }
    super::fill_gutters(&mut out, covered, side, [1.0, 1.0, 1.0, 0.0], 2);
    out
}

/// The skin's linear albedo per texel: the image's texel (or white) times the vertex colour
/// where its weight says, the plain skin where neither the image nor a colour is.
pub fn combine(image: Option<&[[f32; 3]]>, colours: &[[f32; 4]], plain: [f32; 3]) -> Vec<[f32; 3]> {
    colours
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let w = c[3].clamp(0.0, 1.0);
            match image {
                Some(img) => std::array::from_fn(|k| img[i][k] * (1.0 + (c[k] - 1.0) * w)),
                None => std::array::from_fn(|k| plain[k] + (c[k] - plain[k]) * w),
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use glam::{Vec2, Vec3};

    /// Two triangles making the square's left half red (weight 1) and the right half
    /// uncoloured: texels take each side's colour, mixed only across the diagonal between.
    #[test]
    fn colours_are_interpolated_in_texture_space_and_weights_mix_with_plain_skin() {
        let mesh = UvMesh {
            positions: vec![Vec3::ZERO; 4],
            normals: vec![Vec3::Z; 4],
            uvs: vec![
                Vec2::new(0.0, 0.0),
                Vec2::new(1.0, 0.0),
                Vec2::new(1.0, 1.0),
                Vec2::new(0.0, 1.0),
            ],
            indices: vec![0, 1, 2, 0, 2, 3],
            source: vec![0, 1, 2, 3],
        };
        let colours = [
            [1.0, 0.0, 0.0, 1.0],
            [0.0, 0.0, 1.0, 0.0],
            [0.0, 0.0, 1.0, 0.0],
            [1.0, 0.0, 0.0, 1.0],
        ];
        let size = 16;
        let r = rasterise_colours(&mesh, &colours, size);
        // Every texel is covered; colour and weight run linearly from the left edge (red,
        // weight 1) to the right (weight 0), sampled at texel centres.
        let at = |x: usize, y: usize| r[y * size as usize + x];
        let near = |a: [f32; 4], b: [f32; 4]| (0..4).all(|k| (a[k] - b[k]).abs() < 0.04);
        assert!(near(at(0, 8), [1.0, 0.0, 0.0, 1.0]), "{:?}", at(0, 8));
        assert!(at(15, 8)[3] < 0.05, "{:?}", at(15, 8));
        assert!((at(8, 8)[3] - 0.5).abs() < 0.05, "{:?}", at(8, 8));
        let plain = [0.6, 0.45, 0.4];
        let base = combine(None, &r, plain);
        assert!(
            base[8 * 16][0] > 0.95 && base[8 * 16][1] < 0.03,
            "{:?}",
            base[8 * 16]
        );
        let right = base[8 * 16 + 15];
        assert!(
            (right[0] - 0.6).abs() < 0.03 && right[2] < 0.45,
            "{right:?}"
        );
        // Over an image, the colour multiplies it where its weight is 1 and leaves it where 0.
        let img = vec![[0.5f32, 0.5, 0.5]; 256];
        let over = combine(Some(&img), &r, plain);
        assert!(
            over[8 * 16][0] > 0.48 && over[8 * 16][1] < 0.02,
            "{:?}",
            over[8 * 16]
        );
        assert!((over[8 * 16 + 15][1] - 0.5).abs() < 0.03);
    }
}
