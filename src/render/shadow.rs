//! Shadow pass (`shadow.wgsl`): the head's depth seen from a distant key light, so that the
//! skin pass can tell which skin the ears and the head itself hide from it. The map is
//! orthographic over the sphere round the framed head; the skin pass filters it with
//! percentage-closer filtering whose width follows the key's angular size (a soft ceiling panel
//! gives a wide penumbra, the sun a sharp edge). A key at the camera (a flash) casts its
//! shadows straight behind what the camera sees, so it gets no map.
use super::{HeadGpu, DEPTH_FORMAT};
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{entry, Gpu};
use crate::light::{Key, Light};
use crate::shaders;
use bytemuck::{Pod, Zeroable};
use glam::{Mat4, Vec3};

/// Side of the square shadow map, texels. Over the ~340 mm sphere round the built-in head a
/// texel is ~0.33 mm, with bilinear PCF fine enough for the sun's ear shadow. 2048² cost
/// ~0.6 s a frame more than this on lavapipe (its depth pass), for edges no one sees.
pub const MAP_SIZE: u32 = 1024;
/// The receiver is looked up this many texels along its normal, so that the skin does not
/// shadow itself where the map's texels are coarser than its curvature ("acne").
pub const NORMAL_OFFSET_TEXELS: f32 = 1.5;
/// A further depth margin, mm: the skin's tangent plane (the receiver-plane bias) departs from
/// the curved scalp by ~0.35 mm over the widest kernel (8² / 2·90 mm).
pub const DEPTH_BIAS_MM: f32 = 0.6;
/// An occluder must stand above the skin's tangent plane by this share of its distance
/// across the map: the curved skin (an ear's rim) falls below its tangent plane by d²/2ρ and
/// is not taken for one, while a real occluder at height h, seen at most h·tan(angular radius)
/// ≤ 0.48·h away (the softest key), stays above 0.6 × that.
pub const CONE_SLOPE: f32 = 0.6;
/// Farthest an occluder is looked for from the skin it shades, mm (an ear over the skin
/// behind and below it): sets the blocker search's width for a soft light.
pub const MAX_BLOCKER_MM: f32 = 60.0;
/// Widest penumbra drawn, mm: beyond this the PCF taps would be too sparse to be smooth; a
/// light this soft gives a shadow too faint to matter anyway.
pub const MAX_PENUMBRA_MM: f32 = 8.0;

/// Comparison taps over the penumbra (each a bilinear 2×2 PCF), only where the blocker search
/// found the skin partly shadowed.
pub const PCF_TAPS: u32 = 8;
/// Heights at which the blocker search counts the occluders again to find their mean height
/// (the map is read by comparison only), spaced evenly in the penumbra they give between a
/// texel and MAX_PENUMBRA_MM: with 6, neighbouring heights differ by ×1.7 and the penumbra
/// of one occluder is found within about ±25 %. Only skin in a penumbra pays for them.
pub const GAP_LEVELS: u32 = 6;
/// Below this cos θ to the key the skin gets at most what scattering wraps round a sharp rim
/// (the pre-integrated lookup), so it is not looked up in the map: a saving on the half of the
/// head turned away, which the key's shadow would barely change.
pub const FACING_AWAY: f32 = -0.4;

/// GPU mirror of the key light's shadow map (`ShadowGpu` in shaders/shared/shadow_map.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct ShadowGpu {
    /// Head space → the map's clip space (orthographic; depth 0–1 over `params.w` mm).
    pub light_view_proj: [[f32; 4]; 4],
    /// x: shadows on (1/0); y: a texel's size, mm; z: tan of the key's angular radius
    /// (penumbra width per mm between occluder and skin); w: the map's depth range, mm.
    pub params: [f32; 4],
}

/// Where the key light's shadow map looks from; all zero (no map: the skin is lit
/// everywhere the key faces) when shadows are off or the key is at the camera.
pub fn shadow_gpu(light: &Light, bounds: (Vec3, Vec3), on: bool) -> ShadowGpu {
    let Key::Directional(toward) = light.key else {
        return ShadowGpu::zeroed();
    };
    if !on {
        return ShadowGpu::zeroed();
    }
    let centre = 0.5 * (bounds.0 + bounds.1);
    // The sphere round the framed head, with a margin for the ears' rims.
    let radius = 0.5 * (bounds.1 - bounds.0).length() + 5.0;
    let toward = toward.normalize();
    let up = if toward.y.abs() > 0.9 {
        Vec3::Z
    } else {
        Vec3::Y
    };
    let eye = centre + toward * (2.0 * radius);
    let view = Mat4::look_at_rh(eye, centre, up);
    let (near, far) = (0.9 * radius, 3.1 * radius);
    let proj = Mat4::orthographic_rh(-radius, radius, -radius, radius, near, far);
    ShadowGpu {
        light_view_proj: (proj * view).to_cols_array_2d(),
        params: [
            1.0,
            2.0 * radius / MAP_SIZE as f32,
            light.key_softness.tan(),
            far - near,
        ],
    }
}

/// The shadow pipeline and its map (fixed size: made once per renderer).
pub struct ShadowPass {
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
    /// The depth map the skin pass samples.
    pub map: wgpu::TextureView,
    /// Hardware depth comparison with bilinear filtering: each tap is a 2×2 PCF; the blocker
    /// search gathers comparisons through it too (the map's only sampler, for GL).
    pub compare: wgpu::Sampler,
}

impl ShadowPass {
    pub fn new(gpu: &Gpu) -> ShadowPass {
        let d = &gpu.device;
        let module = shaders::module(d, "shadow.wgsl", &shaders::shadow());
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("shadow"),
            entries: &[entry::params(0, wgpu::ShaderStages::VERTEX)],
        });
        let pipeline = super::head_depth_pipeline(
            gpu,
            "shadow",
            (&module, "vs_main"),
            &bgl,
            &wgpu::vertex_attr_array![0 => Float32x3, 1 => Float32x3],
        );
        let map = d
            .create_texture(&wgpu::TextureDescriptor {
                label: Some("key light shadow map"),
                size: wgpu::Extent3d {
                    width: MAP_SIZE,
                    height: MAP_SIZE,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format: DEPTH_FORMAT,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::TEXTURE_BINDING,
                view_formats: &[],
            })
            .create_view(&Default::default());
        ShadowPass {
            pipeline,
            bgl,
            map,
            compare: d.create_sampler(&wgpu::SamplerDescriptor {
                label: Some("shadow comparison"),
                address_mode_u: wgpu::AddressMode::ClampToEdge,
                address_mode_v: wgpu::AddressMode::ClampToEdge,
                mag_filter: wgpu::FilterMode::Linear,
                min_filter: wgpu::FilterMode::Linear,
                compare: Some(wgpu::CompareFunction::LessEqual),
                ..Default::default()
            }),
        }
    }

    /// Draws the head's depth from the key into the map, when `shadow` says there is one.
    /// Its time is counted with the skin pass's (the pass opens the skin's timestamp pair).
    /// Returns whether it drew.
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        shadow: &wgpu::Buffer,
        on: bool,
        head: &HeadGpu,
        timer: Option<&FrameTimer>,
    ) -> bool {
        if !on {
            return false;
        }
        let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some("shadow"),
            layout: &self.bgl,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: shadow.as_entire_binding(),
            }],
        });
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some("shadow"),
            color_attachments: &[],
            depth_stencil_attachment: Some(super::cleared_depth(&self.map)),
            timestamp_writes: timer.map(|t| t.render_opens(Pass::Skin)),
            occlusion_query_set: None,
            multiview_mask: None,
        });
        rp.set_pipeline(&self.pipeline);
        rp.set_bind_group(0, &bg, &[]);
        super::draw_head(&mut rp, head, (&head.indices, head.index_count));
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::light::LightPreset;

    #[test]
    fn the_map_covers_the_head_and_a_flash_has_none() {
        let bounds = (
            Vec3::new(-80.0, -120.0, -100.0),
            Vec3::new(80.0, 110.0, 100.0),
        );
        for p in [
            LightPreset::Sun,
            LightPreset::Daylight,
            LightPreset::Consultation,
        ] {
            let s = shadow_gpu(&Light::preset(p), bounds, true);
            assert_eq!(s.params[0], 1.0);
            let m = Mat4::from_cols_array_2d(&s.light_view_proj);
            // Every corner of the bounds lands inside the map, depth within 0–1.
            for i in 0..8 {
                let c = Vec3::new(
                    if i & 1 == 0 { bounds.0.x } else { bounds.1.x },
                    if i & 2 == 0 { bounds.0.y } else { bounds.1.y },
                    if i & 4 == 0 { bounds.0.z } else { bounds.1.z },
                );
                let q = m.project_point3(c);
                assert!(q.x.abs() <= 1.0 && q.y.abs() <= 1.0, "{p:?} {q}");
                assert!(q.z > 0.0 && q.z < 1.0, "{p:?} {q}");
            }
            // Nearer the light is smaller depth.
            let Key::Directional(d) = Light::preset(p).key else {
                unreachable!()
            };
            let centre = 0.5 * (bounds.0 + bounds.1);
            assert!(m.project_point3(centre + d * 10.0).z < m.project_point3(centre).z);
        }
        let flash = shadow_gpu(&Light::preset(LightPreset::Flash), bounds, true);
        assert_eq!(flash.params[0], 0.0);
        let off = shadow_gpu(&Light::preset(LightPreset::Sun), bounds, false);
        assert_eq!(off.params[0], 0.0);
    }
}
