//! Dot pass, compute path (`splat_compute.wgsl`): each dot adds its footprint into a fixed-point
//! optical-density buffer with integer atomics, then a resolve writes the density target the
//! composite reads. Same image as the raster path within the tolerance of `tests/gpu/paths.rs`.
use super::Targets;
use crate::ageing::age::AgedDots;
use crate::dots::generate::GpuDots;
use crate::gpu::timer::{FrameTimer, Pass};
use crate::gpu::{dispatch_size, entry, Gpu};
use crate::shaders;

/// Optical density per integer step of the fixed-point buffer: 1/4096 is far below what 8-bit
/// output can show, and sums stay exact and independent of thread order.
pub const FIXED: f32 = 4096.0;
/// Footprints wider than this (in pixels, half-size) are clipped. A healed dot seen by a 20×
/// trichoscope at 640 px already spans ~60 px each way (48 cut it to a visible square); only a
/// handful of dots are that close, so the bound is there against runaway cost, not for speed.
pub const MAX_HALF_PX: f32 = 320.0;
/// A dot whose box holds more pixels than this is drawn by a workgroup of threads
/// (`splat_big`) rather than by its own thread: close-ups (a trichoscope's 60×) make footprints
/// of 10⁵ pixels, which one thread draws slowly on a GPU and lavapipe cuts off (it stops an
/// invocation after 65535 loop iterations in all).
pub const BIG_DOT_PX: u32 = 1024;
/// How many big dots one chunk can hand to `splat_big` (4 bytes each); past it a dot is drawn by
/// its own thread, as every dot was before.
pub const BIG_DOTS_MAX: u32 = 1 << 18;
/// Words ahead of the big dots' ids in their list: the count as they are listed, and the count
/// `big_dispatch` handed on.
pub const BIG_LIST_HEADER: u32 = 2;
/// A dot visits the pixels whose centres lie in its footprint's bounding box widened by this
/// much (pixels): the margin keeps a centre on the footprint's very edge, where rounding could
/// put it either side, among the visited; the footprint's own test decides what it adds.
pub const BOX_MARGIN_PX: f32 = 0.01;
/// A row of the box is visited where the footprint's ellipse, grown by this factor (of its
/// squared radius), crosses the row's centre line: a row that only grazes it is not lost to
/// rounding.
pub const ROW_SLACK: f32 = 1.001;
/// Side of the square of pixels a workgroup of the `splat_shared` entry sums its dots into, in
/// workgroup memory, before one atomic add per pixel and channel to the buffer; a dot's pixels
/// outside it go straight to the buffer. 32² pixels × 3 channels × 4 bytes = 12 KiB, inside the
/// 16 KiB every wgpu adapter gives a workgroup. The dots of one workgroup lie together (ids
/// follow the spacing cells), so where dots overlap deeply their footprints share pixels.
pub const SHARED_PX: u32 = 32;
// The square and the box's five words fit the workgroup memory every adapter gives (16 KiB).
const _: () = assert!(3 * SHARED_PX * SHARED_PX * 4 + 5 * 4 <= 16384);
/// How deep (the dot-pixel pairs of its dots' boxes over the pixels of the box they cover
/// together) a workgroup's dots must overlap before it uses its square: the square costs its
/// zeroing, barriers and flush, and pays only where many adds land on each pixel.
pub const SHARED_MIN_OVERLAP: f32 = 8.0;
/// `DotSums::Auto` runs the workgroup entry on a GPU from this many dots drawn. How many adds
/// land on a pixel grows with the dots on the head, not with the resolution (the footprints
/// grow with it), so the count is the rule. On an NVIDIA H200 at 1080p (BENCHMARKS.md "Real GPU", step 4)
/// the workgroup entry cost the same as the direct one at 3·10⁷ dots, more below, and 21–29%
/// less at 10⁸; a simpler build was still 5% slower at 5·10⁷. On lavapipe its barriers cost more
/// than they save at every density (490 against 350 ms at 13 dots a pixel), so a CPU adapter
/// adds directly.
pub const SHARED_MIN_DOTS: u64 = 70_000_000;

/// Where the compute splatter first adds up a dot's pixels. All give the same integers, so the
/// same image to the bit; only the time differs.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum DotSums {
    /// From `SHARED_MIN_DOTS` dots on a GPU, each workgroup whose dots overlap
    /// `SHARED_MIN_OVERLAP` deep sums them in workgroup memory; direct elsewhere.
    #[default]
    Auto,
    /// Every dot-pixel pair is one atomic add per channel in the density buffer.
    Direct,
    /// Every workgroup of dots sums them in a square of workgroup memory first.
    Workgroup,
}

impl DotSums {
    /// From which overlap each workgroup sums its `dots` drawn dots in workgroup memory (0:
    /// always); None: the direct entry runs (`cpu_adapter`: the adapter is a CPU driver).
    pub fn min_overlap(self, dots: u64, cpu_adapter: bool) -> Option<f32> {
        match self {
            DotSums::Direct => None,
            DotSums::Workgroup => Some(0.0),
            DotSums::Auto => {
                (!cpu_adapter && dots >= SHARED_MIN_DOTS).then_some(SHARED_MIN_OVERLAP)
            }
        }
    }
}

pub struct SplatComputePass {
    splat: wgpu::ComputePipeline,
    /// `splat_shared` from `SHARED_MIN_OVERLAP` and from 0, each made on first use: a CPU
    /// adapter never uses them unless asked, and on a cold cache each pipeline costs a compile.
    splat_shared: [std::sync::OnceLock<wgpu::ComputePipeline>; 2],
    module: wgpu::ShaderModule,
    layout: wgpu::PipelineLayout,
    resolve: wgpu::ComputePipeline,
    big_dispatch: wgpu::ComputePipeline,
    splat_big: wgpu::ComputePipeline,
    bgl: wgpu::BindGroupLayout,
    empty: wgpu::Buffer,
    /// The big dots' list (two counters, then ids) and `splat_big`'s dispatch. Each chunk's
    /// commands empty the list before the next chunk's fill it.
    big: crate::gpu::IndirectList,
}

/// Bytes of the fixed-point density of `internal` pixels (three u32 each).
pub fn density_bytes(internal: (u32, u32)) -> u64 {
    internal.0 as u64 * internal.1 as u64 * 12
}

/// Whether that density fits one storage binding of this device: past it a frame takes the
/// raster path.
pub fn density_fits(gpu: &Gpu, internal: (u32, u32)) -> bool {
    density_bytes(internal) <= gpu.storage_binding_limit()
}

/// Whether this adapter can run the compute path (a storage texture of the density format).
pub fn supported(gpu: &Gpu) -> bool {
    gpu.adapter
        .get_texture_format_features(super::HDR_FORMAT)
        .allowed_usages
        .contains(wgpu::TextureUsages::STORAGE_BINDING)
}

impl SplatComputePass {
    pub fn new(gpu: &Gpu) -> SplatComputePass {
        let d = &gpu.device;
        let module = shaders::module(d, "splat_compute.wgsl", &shaders::splat_compute());
        let c = wgpu::ShaderStages::COMPUTE;
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some("splat compute"),
            entries: &[
                entry::params(0, c),
                entry::texture(1, c),
                entry::storage(2, c, true),
                entry::storage(3, c, true),
                entry::storage(4, c, false),
                wgpu::BindGroupLayoutEntry {
                    binding: 5,
                    visibility: wgpu::ShaderStages::COMPUTE,
                    ty: wgpu::BindingType::StorageTexture {
                        access: wgpu::StorageTextureAccess::WriteOnly,
                        format: super::HDR_FORMAT,
                        view_dimension: wgpu::TextureViewDimension::D2,
                    },
                    count: None,
                },
                entry::storage(6, c, false),
            ],
        });
        let big = crate::gpu::IndirectList::new(gpu, "big dots", BIG_DOTS_MAX + BIG_LIST_HEADER);
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("splat compute"),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let args_layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some("splat compute big dots' dispatch"),
            bind_group_layouts: &[Some(&bgl), Some(&big.args_layout)],
            immediate_size: 0,
        });
        let pipeline = |entry: &str, layout: &wgpu::PipelineLayout| {
            gpu.compute_pipeline(wgpu::ComputePipelineDescriptor {
                label: Some(entry),
                layout: Some(layout),
                module: &module,
                entry_point: Some(entry),
                compilation_options: Default::default(),
                cache: None,
            })
        };
        SplatComputePass {
            splat: pipeline("splat", &layout),
            resolve: pipeline("resolve", &layout),
            big_dispatch: pipeline("big_dispatch", &args_layout),
            splat_big: pipeline("splat_big", &layout),
            big,
            splat_shared: Default::default(),
            bgl,
            empty: gpu.upload(
                "no dots",
                &[<crate::dots::Dot as bytemuck::Zeroable>::zeroed()],
                wgpu::BufferUsages::STORAGE,
            ),
            module,
            layout,
        }
    }

    fn shared(&self, gpu: &Gpu, min_overlap: f32) -> &wgpu::ComputePipeline {
        let always = min_overlap <= 0.0;
        self.splat_shared[usize::from(always)].get_or_init(|| {
            let constants = [("shared_min_overlap", 0.0)];
            gpu.compute_pipeline(wgpu::ComputePipelineDescriptor {
                label: Some("splat_shared"),
                layout: Some(&self.layout),
                module: &self.module,
                entry_point: Some("splat_shared"),
                compilation_options: wgpu::PipelineCompilationOptions {
                    constants: if always { &constants } else { &[] },
                    // The entry zeroes the part of its square it uses, no more.
                    zero_initialize_workgroup_memory: false,
                },
                cache: None,
            })
        })
    }

    #[allow(clippy::too_many_arguments)]
    pub fn record(
        &self,
        gpu: &Gpu,
        enc: &mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        dots: Option<(&GpuDots, &AgedDots)>,
        t: &Targets,
        density: &wgpu::Buffer,
        sums: DotSums,
        timer: Option<&FrameTimer>,
    ) {
        let bind = |dots: &wgpu::Buffer, looks: &wgpu::Buffer| {
            gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
                label: Some("splat compute"),
                layout: &self.bgl,
                entries: &[
                    wgpu::BindGroupEntry {
                        binding: 0,
                        resource: view.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 1,
                        resource: wgpu::BindingResource::TextureView(&t.distance),
                    },
                    wgpu::BindGroupEntry {
                        binding: 2,
                        resource: dots.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 3,
                        resource: looks.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 4,
                        resource: density.as_entire_binding(),
                    },
                    wgpu::BindGroupEntry {
                        binding: 5,
                        resource: wgpu::BindingResource::TextureView(&t.density),
                    },
                    wgpu::BindGroupEntry {
                        binding: 6,
                        resource: self.big.list.as_entire_binding(),
                    },
                ],
            })
        };
        let groups: Vec<(wgpu::BindGroup, u32)> = dots
            .map(|(d, a)| {
                d.chunks
                    .iter()
                    .zip(&a.chunks)
                    .filter(|(c, _)| c.count > 0)
                    .map(|(c, look)| (bind(&c.buffer, look), c.count))
                    .collect()
            })
            .unwrap_or_default();
        let resolve_group = bind(&self.empty, &self.empty);
        enc.clear_buffer(density, 0, None);
        let mut cp = enc.begin_compute_pass(&wgpu::ComputePassDescriptor {
            label: Some("splat compute"),
            timestamp_writes: timer.map(|t| t.compute_writes(Pass::Splat)),
        });
        let drawn: u64 = groups.iter().map(|(_, n)| u64::from(*n)).sum();
        let splat = match sums.min_overlap(drawn, gpu.is_cpu()) {
            Some(overlap) => self.shared(gpu, overlap),
            None => &self.splat,
        };
        for (g, count) in &groups {
            cp.set_pipeline(splat);
            cp.set_bind_group(0, g, &[]);
            let (x, y) = dispatch_size(*count);
            cp.dispatch_workgroups(x, y, 1);
            // The chunk's big dots, a workgroup each.
            cp.set_pipeline(&self.big_dispatch);
            cp.set_bind_group(1, &self.big.args_group, &[]);
            cp.dispatch_workgroups(1, 1, 1);
            cp.set_pipeline(&self.splat_big);
            cp.dispatch_workgroups_indirect(&self.big.args, 0);
        }
        cp.set_pipeline(&self.resolve);
        cp.set_bind_group(0, &resolve_group, &[]);
        let tile = crate::gpu::IMAGE_TILE;
        cp.dispatch_workgroups(t.size.0.div_ceil(tile), t.size.1.div_ceil(tile), 1);
    }
}

/// The pixels a dot visits (CPU mirror of `dot_cover` in shaders/splat_compute.wgsl, before
/// the viewport's clamp): its footprint is the ellipse `centre + pt·cos θ + pb·sin θ` (pixels);
/// the pixels whose centres lie in its bounding box widened by [`BOX_MARGIN_PX`], the box
/// clipped to [`MAX_HALF_PX`] each way. Inclusive corners.
pub fn pixel_box(centre: glam::Vec2, pt: glam::Vec2, pb: glam::Vec2) -> (glam::IVec2, glam::IVec2) {
    let reach = pt * pt + pb * pb;
    let half = glam::Vec2::new(reach.x.sqrt(), reach.y.sqrt()).min(glam::Vec2::splat(MAX_HALF_PX))
        + BOX_MARGIN_PX;
    (
        (centre - half - 0.5).ceil().as_ivec2(),
        (centre + half - 0.5).floor().as_ivec2(),
    )
}

/// The pixels of row `y` a dot visits (CPU mirror of `row_span` in
/// shaders/splat_compute.wgsl): those whose centres lie in its footprint's ellipse (see
/// [`pixel_box`]), widened by the margins, within `lo.x..=hi.x`; empty when start > end.
pub fn pixel_row(centre: glam::Vec2, pt: glam::Vec2, pb: glam::Vec2, y: i32) -> (i32, i32) {
    let (lo, hi) = pixel_box(centre, pt, pb);
    let inv = glam::Mat2::from_cols(pt, pb).inverse();
    let (a, b) = (inv.x_axis, inv.y_axis * (y as f32 + 0.5 - centre.y));
    let (aa, ab) = (a.dot(a), a.dot(b));
    let disc = ab * ab - aa * (b.dot(b) - ROW_SLACK);
    if disc < 0.0 {
        return (1, 0);
    }
    let r = disc.sqrt();
    let x0 = centre.x + (-ab - r) / aa - 0.5 - BOX_MARGIN_PX;
    let x1 = centre.x + (-ab + r) / aa - 0.5 + BOX_MARGIN_PX;
    ((x0.ceil() as i32).max(lo.x), (x1.floor() as i32).min(hi.x))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every pixel whose centre lies in a footprint is visited, the box is that footprint's
    /// bounding box, and a row visits the ellipse's chord, not the box's corners.
    #[test]
    fn a_dots_pixel_box_holds_every_pixel_its_footprint_covers_and_no_more() {
        use glam::{IVec2, Vec2};
        let mut k = 0u32;
        let mut rnd = || {
            k += 1;
            crate::hash::rand01(7, k, 0)
        };
        for _ in 0..2000 {
            let centre = Vec2::new(rnd() * 40.0 + 20.0, rnd() * 40.0 + 20.0);
            let size = 0.3 + rnd() * 8.0;
            let (a, b) = (rnd() * std::f32::consts::TAU, rnd() * std::f32::consts::TAU);
            let pt = Vec2::new(a.cos(), a.sin()) * size * (0.2 + rnd());
            let pb = Vec2::new(b.cos(), b.sin()) * size * (0.2 + rnd());
            let det = pt.perp_dot(pb);
            if det.abs() < 1e-3 {
                continue;
            }
            let (lo, hi) = pixel_box(centre, pt, pb);
            let inv = glam::Mat2::from_cols(pt, pb).inverse();
            let (mut seen_lo, mut seen_hi) = (IVec2::MAX, IVec2::MIN);
            for y in 0..100 {
                let mut in_row = 0;
                for x in 0..100 {
                    let uv = inv * (Vec2::new(x as f32 + 0.5, y as f32 + 0.5) - centre);
                    if uv.length_squared() <= 1.0 {
                        in_row += 1;
                        let p = IVec2::new(x, y);
                        assert!(
                            p.cmpge(lo).all() && p.cmple(hi).all(),
                            "pixel {p} of the footprint at {centre} ({pt}, {pb}) is outside {lo}..{hi}"
                        );
                        let (x0, x1) = pixel_row(centre, pt, pb, y);
                        assert!(
                            (x0..=x1).contains(&x),
                            "pixel {p} of the footprint at {centre} ({pt}, {pb}) is outside its row's {x0}..={x1}"
                        );
                        seen_lo = seen_lo.min(p);
                        seen_hi = seen_hi.max(p);
                    }
                }
                // A row visits its chord's pixels and at most one more at each end (the
                // margins), not the box's corners.
                let (x0, x1) = pixel_row(centre, pt, pb, y);
                assert!(
                    (x0..=x1).count() <= in_row + 2,
                    "row {y}: {x0}..={x1} for {in_row}"
                );
            }
            if seen_lo.x <= seen_hi.x {
                // The box may hold a pixel the ellipse's corner misses, never one beyond its
                // bounding box.
                let reach = pt * pt + pb * pb;
                let bound = Vec2::new(reach.x.sqrt(), reach.y.sqrt());
                assert!(
                    (lo.as_vec2() + 0.5 - (centre - bound)).min_element() > -BOX_MARGIN_PX - 1e-4
                );
                assert!(
                    ((centre + bound) - (hi.as_vec2() + 0.5)).min_element() > -BOX_MARGIN_PX - 1e-4
                );
            }
        }
    }

    #[test]
    fn auto_sums_in_workgroup_memory_only_for_deep_overlap_on_a_gpu() {
        let many = SHARED_MIN_DOTS;
        assert_eq!(DotSums::Auto.min_overlap(many - 1, false), None);
        assert_eq!(
            DotSums::Auto.min_overlap(many, false),
            Some(SHARED_MIN_OVERLAP)
        );
        // Never on a CPU adapter, where the barriers cost more than they save.
        assert_eq!(DotSums::Auto.min_overlap(u64::MAX, true), None);
        // The explicit choices hold whatever the count and adapter.
        for (n, cpu) in [(1, true), (many, false)] {
            assert_eq!(DotSums::Direct.min_overlap(n, cpu), None);
            assert_eq!(DotSums::Workgroup.min_overlap(n, cpu), Some(0.0));
        }
    }
}
