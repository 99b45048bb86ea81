//! Which plan features a generation pipeline is built for. A CPU driver (lavapipe) runs both
//! sides of every branch under a lane mask, so a branch a plan never takes still costs its full
//! price: the patchy test alone made `flag_dots` 30× slower than its work. Each feature is a
//! pipeline-overridable constant of `generate.wgsl` (and `shared/zone_sample.wgsl`); the
//! pipelines of a variant are built the first time a plan needs it.
use super::GenParams;
use crate::zone::ZoneGpu;

/// The overridable constants, in the order of [`Variant::constants`].
pub const OVERRIDES: [&str; 7] = [
    "GEN_GRID",
    "GEN_PATCHY",
    "GEN_HAIR",
    "GEN_HAIR_LISTS",
    "ZONE_PATCHES",
    "ZONE_CUSTOM",
    "ZONE_SCARS",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Variant {
    /// Grid spacing: candidates snap to a lattice.
    pub grid: bool,
    /// Patchy work: density noise before spacing, missed areas after.
    pub patchy: bool,
    /// The client's hair roots keep dots away.
    pub hair: bool,
    /// ... each candidate tested against its triangle's list of them (`Layout::hair_near`),
    /// not the hashed cells.
    pub hair_lists: bool,
    /// Alopecia patches or scars only: the hairline boundary is not the zone edge.
    pub patches: bool,
    /// Custom zones drawn by the clinic.
    pub custom: bool,
    /// Strip or FUE scars.
    pub scars: bool,
}

impl Variant {
    /// Every feature on: what the shader does without specialisation.
    pub const ALL: Variant = Variant {
        grid: true,
        patchy: true,
        hair: true,
        hair_lists: true,
        patches: true,
        custom: true,
        scars: true,
    };

    /// The features a plan's generation uses, read from what the GPU is given, so a feature
    /// is compiled out only where the shader's own test would skip it. `hair_lists`: the
    /// layout listed the roots per triangle.
    pub fn of(params: &GenParams, zone: &ZoneGpu, hair_roots: bool, hair_lists: bool) -> Variant {
        let s = &zone.scars;
        Variant {
            grid: params.grid_pitch_mm > 0.0,
            patchy: params.patchy > 0.0 || params.patchy_missed > 0.0,
            hair: hair_roots,
            hair_lists,
            patches: zone.patch_info[0] > 0.5,
            custom: zone.shape[3] > 0.5,
            scars: s.strip[1] > 0.0 || s.fue_band[0] > 0.5,
        }
    }

    /// The values of [`OVERRIDES`] for `wgpu::PipelineCompilationOptions::constants`.
    pub fn constants(&self) -> [(&'static str, f64); 7] {
        let f = [
            self.grid,
            self.patchy,
            self.hair,
            self.hair_lists,
            self.patches,
            self.custom,
            self.scars,
        ];
        std::array::from_fn(|i| (OVERRIDES[i], f[i] as u8 as f64))
    }
}
