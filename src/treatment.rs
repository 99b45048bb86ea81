//! A plan laid out on a head: the treated zone, the generation layout, the client's hairs and
//! the sun exposure per vertex (CPU side, no GPU).
use crate::dots::layout::plan_for_dot_count;
use crate::dots::Layout;
use crate::error::{Result, ScalpError};
use crate::gpu::Gpu;
use crate::head::Head;
use crate::plan::Plan;
use crate::render::{HeadGpu, RenderSettings};
use crate::zone::Zone;

/// A plan laid out on a head: the zone and the generation layout (CPU side, no GPU).
#[derive(Clone, Debug)]
pub struct Treatment {
    /// The plan as used (densities scaled when a dot count was asked for).
    pub plan: Plan,
    pub zone: Zone,
    pub layout: Layout,
    /// Relative yearly UV dose per mesh vertex (src/exposure.rs), carried into each dot.
    pub exposure: std::sync::Arc<Vec<f32>>,
    /// The client's existing hairs (empty when the plan has none), grown once: the dots keep
    /// clear of these roots (`layout.hair`) and the renderer draws these same hairs.
    pub hairs: std::sync::Arc<Vec<crate::hair::Hair>>,
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
            Some(n) => plan_for_dot_count(plan, &head.mesh, &head.landmarks, n)?,
            None => plan.clone(),
        };
        if plan.dots.match_hair {
            // The plan as used carries the matched ink, so every stage and report sees it.
            let (shade, tone) =
                crate::optics::match_hair(plan.hair.albedo(), &plan.skin.tone.layers());
            plan.dots.shade = shade;
            plan.dots.tone = tone;
        }
        let zone = Zone::new(&plan, &head.landmarks);
        let hairs = std::sync::Arc::new(grow_hairs(head, &plan, &zone, &plan.hair));
        let hair_grid = crate::dots::HairGrid::for_plan(&plan, &hairs);
        let layout = Layout::with_hair(&head.mesh, &zone, &plan, std::sync::Arc::new(hair_grid))?;
        let exposure = crate::exposure::cached_vertex_exposure(&head.mesh, &plan.exposure);
        Ok(Treatment {
            plan,
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
            ink_tone: crate::technique::ink_tone(&self.plan),
            scars: self.zone.gpu.scars,
            ..Default::default()
        }
    }

    /// The client's existing hairs (empty when the plan has none): the ones the dots avoid.
    pub fn hairs(&self) -> std::sync::Arc<Vec<crate::hair::Hair>> {
        self.hairs.clone()
    }

    /// The hairs `hair` describes on this treatment's head (its own `enabled` included): the
    /// viewer grows them whatever the plan says, to switch them on and off without regrowing.
    pub fn hairs_as(
        &self,
        head: &Head,
        hair: &crate::hair::HairSettings,
    ) -> Vec<crate::hair::Hair> {
        if hair == &self.plan.hair {
            return self.hairs.as_ref().clone();
        }
        grow_hairs(head, &self.plan, &self.zone, hair)
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

/// The hairs `hair` describes for `plan` on `head` (`zone`: the plan's treated zone).
fn grow_hairs(
    head: &Head,
    plan: &Plan,
    zone: &Zone,
    hair: &crate::hair::HairSettings,
) -> Vec<crate::hair::Hair> {
    if !hair.enabled {
        return Vec::new();
    }
    // Hair grows down to the natural hairline round the ears and the nape, which is lower
    // than where a treatment usually stops; the front line is the designed one.
    let mut natural = plan.clone();
    natural.hairline.side_above_ear_mm = natural.hairline.side_above_ear_mm.min(-8.0);
    natural.hairline.back_below_occipital_mm = natural.hairline.back_below_occipital_mm.max(60.0);
    natural.alopecia.patches.clear();
    natural.zones.custom.clear();
    natural.scars = Default::default();
    let natural_zone = Zone::new(&natural, &head.landmarks);
    let mut hairs = crate::hair::grow(head, &natural_zone, hair, plan.seed);
    // Alopecia patches are bald, and scar tissue has no follicles: no hair grows in them.
    hairs.retain(|h| {
        let root = glam::Vec3::from(h.root);
        zone.patch_inside_mm(root).is_none_or(|inside| inside < 0.0)
            && zone.gpu.scars.tissue(root) < 0.5
    });
    hairs
}
