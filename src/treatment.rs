//! A plan laid out on a head: the plan resolved as worked, the treated zone, the generation
//! layout, the client's hairs and the sun exposure per vertex (CPU side, no GPU).
use crate::dots::layout::treated_area_and_expected;
use crate::dots::Layout;
use crate::error::{Result, ScalpError};
use crate::gpu::Gpu;
use crate::head::Head;
use crate::head::{Landmarks, Mesh};
use crate::plan::Plan;
use crate::render::{HeadGpu, RenderSettings};
use crate::worked::{self, Worked};
use crate::zone::Zone;

/// A plan laid out on a head: the zone and the generation layout (CPU side, no GPU).
#[derive(Clone, Debug)]
pub struct Treatment {
    /// The plan as used (densities scaled when a dot count was asked for).
    pub plan: Plan,
    /// The plan as worked (technique errors in), resolved once: every stage takes its
    /// settings from here.
    pub worked: Worked,
    pub zone: Zone,
    pub layout: Layout,
    /// Relative yearly UV dose per mesh vertex (src/exposure.rs), carried into each dot.
    pub exposure: std::sync::Arc<Vec<f32>>,
    /// The client's existing hairs (empty when the plan has none), grown once: the dots keep
    /// clear of these roots (`layout.hair`) and the renderer draws these same hairs.
    pub hairs: std::sync::Arc<Vec<crate::hair::Strand>>,
}

impl Treatment {
    pub fn new(head: &Head, plan: &Plan, dots: Option<u64>) -> Result<Treatment> {
        let mut plan = match dots {
            Some(0) => {
                return Err(ScalpError::bad(
                    crate::error::Quantity::DotCount,
                    "must be at least 1",
                ))
            }
            Some(n) if n > crate::limits::MAX_DOTS => {
                return Err(ScalpError::bad(
                    crate::error::Quantity::DotCount,
                    format!("{n}, more than the limit of {}", crate::limits::MAX_DOTS),
                ))
            }
            Some(n) => plan_for_dot_count(plan, &head.mesh, &head.landmarks, n)?,
            None => plan.clone(),
        };
        // The plan as used carries the matched ink, so every stage and report sees it.
        plan.resolve_matched_ink();
        let worked = Worked::resolve(&plan);
        let zone = Zone::new(&worked.zone, &head.landmarks);
        let hairs = std::sync::Arc::new(grow_hairs(head, &worked, &zone, &plan.hair));
        let patches_only = !plan.alopecia.patches.is_empty();
        let hair_started = std::time::Instant::now();
        let hair_grid = crate::dots::HairGrid::for_hairs(
            &plan.hair,
            plan.dots.diameter_mm,
            patches_only,
            &hairs,
            &crate::dots::hair_yield::ZoneSpacing::of(&worked.deposit, &zone),
        );
        let hair_grid = std::sync::Arc::new(hair_grid);
        let hair_ms = hair_started.elapsed().as_secs_f64() * 1e3;
        let mut layout = Layout::with_hair(&head.mesh, &zone, &worked.deposit, hair_grid)?;
        layout.hair_ms = hair_ms;
        let exposure = crate::exposure::cached_vertex_exposure(&head.mesh, &plan.exposure);
        Ok(Treatment {
            plan,
            worked,
            zone,
            layout,
            exposure,
            hairs,
        })
    }

    /// A zone's name: a custom zone's as the plan gives it.
    pub fn zone_name(&self, zone: crate::zone::ZoneId) -> String {
        let custom = zone as usize;
        match custom.checked_sub(crate::zone::ZoneId::Custom0 as usize) {
            Some(k) if k < self.plan.zones.custom.len() => self.plan.zones.custom[k].name.clone(),
            _ => zone.name().to_string(),
        }
    }

    /// Time at which every session has healed: what `scalp render` shows without --years.
    pub fn healed_years(&self) -> f32 {
        self.plan.healed_years()
    }

    /// Render settings that follow the plan: the client's skin and the ink's tone.
    pub fn render_settings(&self) -> RenderSettings {
        RenderSettings {
            skin: self.plan.skin.tone,
            ink_tone: self.worked.ink_tone,
            scars: self.zone.scars.to_gpu(),
            ..Default::default()
        }
    }

    /// The client's existing hairs (empty when the plan has none): the ones the dots avoid.
    pub fn hairs(&self) -> std::sync::Arc<Vec<crate::hair::Strand>> {
        self.hairs.clone()
    }

    /// The hairs `hair` describes on this treatment's head (its own `enabled` included): the
    /// viewer grows them whatever the plan says, to switch them on and off without regrowing.
    pub fn hairs_as(
        &self,
        head: &Head,
        hair: &crate::hair::HairSettings,
    ) -> Vec<crate::hair::Strand> {
        if hair == &self.plan.hair {
            return self.hairs.as_ref().clone();
        }
        grow_hairs(head, &self.worked, &self.zone, hair)
    }

    /// Puts this plan's hairs on the head's GPU buffers.
    pub fn set_hairs(&self, gpu: &Gpu, _head: &Head, head_gpu: &mut HeadGpu) {
        head_gpu.set_hairs(gpu, &self.hairs, self.plan.hair.albedo());
    }

    pub fn age_params(&self, t_years: f32) -> crate::ageing::AgeParams {
        crate::ageing::AgeParams::with_sessions(
            &self.plan.ageing,
            &self.plan.sessions.start_years(&self.plan.ageing),
            t_years,
        )
    }

    /// The CPU reference dots (slow for millions; tests and spot checks).
    pub fn reference_dots(&self, head: &Head) -> Vec<crate::dots::Dot> {
        crate::dots::reference::generate(&head.mesh, &self.exposure, &self.layout, &self.zone)
    }
}

/// The hairs `hair` describes for the plan `worked` on `head` (`zone`: its treated zone).
fn grow_hairs(
    head: &Head,
    worked: &Worked,
    zone: &Zone,
    hair: &crate::hair::HairSettings,
) -> Vec<crate::hair::Strand> {
    if !hair.enabled {
        return Vec::new();
    }
    // Hair grows down to the natural hairline round the ears and the nape, which is lower
    // than where a treatment usually stops; the front line is the designed one.
    let mut natural = worked.zone.clone();
    let o = &mut natural.outline;
    o.side_above_ear_mm = o.side_above_ear_mm.min(-8.0);
    o.back_below_occipital_mm = o.back_below_occipital_mm.max(60.0);
    natural.patches.clear();
    natural.custom.clear();
    natural.scars = Default::default();
    natural.scars_only = false;
    let natural_zone = Zone::new(&natural, &head.landmarks);
    let mut hairs = crate::hair::grow(head, &natural_zone, hair, worked.deposit.seed);
    // Alopecia patches are bald, and scar tissue has no follicles: no hair grows in them.
    hairs.retain(|h| {
        let root = h.root;
        zone.patch_inside_mm(root).is_none_or(|inside| inside < 0.0)
            && zone.scars.tissue(root) < 0.5
    });
    hairs
}

/// Scales every zone density of `plan` so that its correct work asks for `dots` dots on
/// `mesh`: `--dots`.
pub fn plan_for_dot_count(plan: &Plan, mesh: &Mesh, lm: &Landmarks, dots: u64) -> Result<Plan> {
    // The count is that of correct work: technique errors keep their effect on it (an
    // over-saturated plan still has more dots than the correct one).
    let zone = Zone::new(&Worked::resolve(&worked::correct(plan)).zone, lm);
    let (_, expected) = treated_area_and_expected(mesh, &zone);
    if expected <= 0.0 {
        return Err(ScalpError::invalid(
            "--dots",
            "the plan's treated area is empty on this head, so no dot count can be reached",
        ));
    }
    let f = (dots as f64 / expected) as f32;
    let mut p = plan.clone();
    let d = &mut p.density;
    for v in [
        &mut d.hairline,
        &mut d.top,
        &mut d.crown,
        &mut d.sides,
        &mut d.back,
    ] {
        *v *= f;
    }
    p.scars.density *= f;
    for z in &mut p.zones.custom {
        z.density *= f;
    }
    Ok(p)
}
