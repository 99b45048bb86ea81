//! Every `#[repr(C)]` GPU mirror with its layout as Rust sees it (size and each field's offset),
//! for tests/shaders.rs to compare with the WGSL struct of the same name as naga lays it out.
use crate::ageing::{AgeParams, Appearance};
use crate::dots::generate::Vertex;
use crate::dots::scan::ScanParams;
use crate::dots::{Dot, GenParams};
use crate::export::bake::BakeGpu;
use crate::hair::{Hair, Shaft};
use crate::render::composite::CompositeGpu;
use crate::render::shadow::ShadowGpu;
use crate::render::shaft::ShaftDraw;
use crate::render::ViewGpu;
use crate::scar::ScarGpu;
use crate::zone::ZoneGpu;

/// One mirror: its name (the same in Rust and WGSL), `size_of`, and (field, `offset_of!`) in
/// declaration order.
#[derive(Clone, Debug)]
pub struct Mirror {
    pub name: &'static str,
    pub size: usize,
    pub fields: Vec<(&'static str, usize)>,
}

/// The layout of `$t`; the pattern in the closure fails to compile unless every field is
/// listed, so a field added in Rust cannot be missed here.
macro_rules! mirror {
    ($t:ident { $($f:ident),* $(,)? }) => {{
        let _every_field_listed = |v: &$t| {
            let $t { $($f: _),* } = v;
        };
        Mirror {
            name: stringify!($t),
            size: std::mem::size_of::<$t>(),
            fields: vec![$((stringify!($f), std::mem::offset_of!($t, $f))),*],
        }
    }};
}

/// Every GPU mirror of the crate.
pub fn all() -> Vec<Mirror> {
    vec![
        mirror!(Dot {
            position,
            depth_mm,
            normal,
            diameter_mm,
            pigment,
            shade,
            id,
            flags
        }),
        mirror!(Vertex { position, normal }),
        mirror!(ScanParams {
            n,
            blocks,
            slot,
            _pad
        }),
        mirror!(GenParams {
            seed,
            cand_start,
            cand_count,
            tri_start,
            tri_end,
            work_count,
            work_tris,
            session_count,
            alpha,
            _pad0,
            depth_mm,
            depth_jitter_mm,
            diameter_mm,
            diameter_jitter,
            shade,
            lighter_first_steps,
            session_cum,
            cell_size,
            bucket_mask,
            _pad,
            big_factor,
            big_zone_mask,
            deep_fraction,
            deep_depth_mm,
            deep_jitter_mm,
            shallow_fraction,
            shallow_depth_mm,
            shallow_jitter_mm,
            grid_pitch_mm,
            grid_jitter,
            patchy,
            patchy_missed,
        }),
        mirror!(ZoneGpu {
            center,
            shape,
            limits,
            patch_info,
            patches,
            table,
            custom,
            scars
        }),
        mirror!(ScarGpu {
            frame,
            strip,
            fue,
            fue_band,
            zone
        }),
        mirror!(AgeParams {
            t_years,
            clearance_factor,
            touch_up_count,
            pad,
            touch_up_years,
            session_years
        }),
        mirror!(Appearance {
            amount,
            spread_mm2,
            redness,
            scab
        }),
        mirror!(ViewGpu {
            view_proj,
            view,
            eye,
            viewport,
            proj,
            key_dir,
            key_color,
            fill_dir,
            fill_color,
            sky,
            ground,
            dermis,
            epidermis,
            ink,
            hair,
            light,
            mode,
            scars,
            scar_dermis,
            scar_epidermis,
        }),
        mirror!(CompositeGpu {
            ssaa,
            encode_srgb,
            exposure,
            split,
            background_top,
            background_bottom,
        }),
        mirror!(ShadowGpu {
            light_view_proj,
            params
        }),
        mirror!(Hair {
            root,
            diameter_mm,
            bend,
            exit_width,
            tip,
            length_mm,
            colour,
            pigmented
        }),
        mirror!(Shaft {
            centre,
            depth_mm,
            normal,
            width_mm,
            axis,
            length_mm,
            absorptance,
            kind
        }),
        mirror!(ShaftDraw {
            centre,
            along,
            across,
            inv_2s2_along,
            inv_2s2_across,
            m0,
            peak
        }),
        mirror!(BakeGpu {
            size,
            min_sigma_texels,
            _pad,
            ink,
            tile
        }),
    ]
}
