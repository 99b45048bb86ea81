//! Rendering: skin pass → dot (splat) pass → composite, into a texture view the caller gives.
//! Pipelines are built once per output format ([`Renderer`]); the head's buffers once per head
//! ([`HeadGpu`]); the intermediate targets once per size ([`Targets`]).
pub mod composite;
pub mod hair;
pub mod hair_bins;
pub mod shadow;
pub mod shaft;
pub mod skin;
pub mod skin_deferred;
pub mod splat;
pub mod splat_compute;

use crate::ageing::age::AgedDots;
use crate::camera::{Camera, Outline};
use crate::dots::generate::GpuDots;
use crate::error::{Result, ScalpError};
use crate::gpu::timer::FrameTimer;
use crate::gpu::Gpu;
use crate::light::{Key, Light, LightPreset};
use crate::optics::SkinTone;
use bytemuck::{Pod, Zeroable};
use glam::Vec3;

/// User-facing render settings.
#[derive(Clone, Debug)]
pub struct RenderSettings {
    /// Draw the dots (false: the untreated head).
    pub dots: bool,
    /// Supersampling per axis (1–4); 0 picks 2 up to 4 MP output, else 1.
    pub ssaa: u32,
    /// Left part of the image, in output pixels, drawn untreated (before/after); None: off.
    pub split_x: Option<f32>,
    /// Extra exposure on top of the light preset's, linear (1 = as the preset sets it).
    pub exposure: f32,
    /// The room the head is seen in.
    pub light: LightPreset,
    /// The client's skin type (epidermal melanin).
    pub skin: SkinTone,
    /// Ink tone, −1 cool … +1 warm (0: neutral carbon black).
    pub ink_tone: f32,
    /// Draw the head's existing hairs (when it has any, see `HeadGpu::set_hairs`).
    pub hair: bool,
    /// What the head shows.
    pub show: Show,
    /// How dots reach the density target.
    pub path: SplatPath,
    /// Where the compute path first sums each dot's pixels (the same image either way).
    pub sums: splat_compute::DotSums,
    /// The client's scars, drawn in the skin (see `Treatment::render_settings`); zero: none.
    pub scars: crate::scar::ScarGpu,
    /// Shadows cast by the key light (the ears, the head itself); false: every surface
    /// facing the key is lit by it.
    pub shadows: bool,
    /// Draw the skin from the head's coarse triangles where it has them ([`HeadGpu::coarse`]):
    /// the viewer's previews, whose skin pass a CPU driver spends mostly on the vertices.
    pub coarse_skin: bool,
}

/// The two ways to fill the optical-density target (DESIGN.md "Rendering dots").
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum SplatPath {
    /// Instanced surface-aligned quads through the raster pipeline, additive blending.
    #[default]
    Raster,
    /// A compute pass projecting each dot and adding its footprint with integer atomics.
    Compute,
}

impl SplatPath {
    /// The path `--path auto` takes: compute wherever the adapter can run the compute
    /// splatter (`compute_supported`, a storage texture of the HDR format), raster elsewhere. A
    /// rule of the adapter's capabilities alone, never a timing: the two paths round
    /// differently (the compute path adds in steps of 1/4096, the raster path blends floats),
    /// so picking the one that happened to be faster made the same command write different
    /// bytes (a few pixels 1/255 apart) from run to run. Compute measured faster everywhere it
    /// was measured (BENCHMARKS.md): on lavapipe, and on an NVIDIA H200 9–28× at 10⁴–10⁸ dots
    /// (its graphics work runs on a few of its multiprocessors); its integer sums are bit-exact
    /// whatever order the dots arrive in.
    pub fn auto(compute_supported: bool) -> SplatPath {
        if compute_supported {
            SplatPath::Compute
        } else {
            SplatPath::Raster
        }
    }
}

impl SplatPath {
    /// This path for frames of `internal` pixels: raster where the compute path's fixed-point
    /// density would not fit one storage binding (a capability at that size, not a timing).
    pub fn at_size(self, gpu: &Gpu, internal: (u32, u32)) -> SplatPath {
        match self {
            SplatPath::Compute if !splat_compute::density_fits(gpu, internal) => SplatPath::Raster,
            p => p,
        }
    }
}

impl RenderSettings {
    pub fn draws_dots(&self) -> bool {
        self.dots && self.show == Show::Skin
    }
}

/// What the skin shows: the skin itself, or a map of a quantity on it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum Show {
    #[default]
    Skin,
    /// Each point's relative yearly UV dose (1 = the top of the head under default habits),
    /// dark blue 0 → yellow 2. Dots are not drawn.
    Exposure,
}

impl Default for RenderSettings {
    fn default() -> Self {
        RenderSettings {
            dots: true,
            ssaa: 0,
            split_x: None,
            exposure: 1.0,
            light: LightPreset::default(),
            skin: SkinTone::default(),
            ink_tone: 0.0,
            hair: true,
            show: Show::Skin,
            path: SplatPath::Raster,
            sums: splat_compute::DotSums::Auto,
            scars: crate::scar::ScarGpu::default(),
            shadows: true,
            coarse_skin: false,
        }
    }
}

/// GPU mirror of the view and lights (`ViewGpu` in shaders/shared/view.wgsl).
#[repr(C)]
#[derive(Clone, Copy, Debug, Pod, Zeroable)]
pub struct ViewGpu {
    pub view_proj: [[f32; 4]; 4],
    pub view: [[f32; 4]; 4],
    pub eye: [f32; 4],
    pub viewport: [f32; 4],
    pub proj: [f32; 4],
    pub key_dir: [f32; 4],
    pub key_color: [f32; 4],
    pub fill_dir: [f32; 4],
    pub fill_color: [f32; 4],
    pub sky: [f32; 4],
    pub ground: [f32; 4],
    pub dermis: [f32; 4],
    pub epidermis: [f32; 4],
    pub ink: [f32; 4],
    pub hair: [f32; 4],
    pub light: [f32; 4],
    pub mode: [f32; 4],
    /// Where the client's scars are (none: all zero).
    pub scars: crate::scar::ScarGpu,
    /// Scar tissue's dermal reflectance (rgb) and sheen roughness (w).
    pub scar_dermis: [f32; 4],
    /// Scar tissue's epidermal reflectance.
    pub scar_epidermis: [f32; 4],
}

pub const HDR_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;

/// View distance: two half floats (quarter millimetres + rest), since R32Float is not a
/// render target on every backend (GL).
pub const DISTANCE_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Rgba16Float;
pub const DEPTH_FORMAT: wgpu::TextureFormat = wgpu::TextureFormat::Depth32Float;
/// A vertex attribute at a mirror field's `offset_of!`, so a layout follows its Rust struct.
/// One vertex of [`HeadGpu::vertices`]: position then normal (mm, head space).
pub type HeadVertex = [f32; 6];
/// One vertex of a scan's texture coordinates ([`skin::ScanTexture::uvw`]): u, v, weight.
pub type ScanUvw = [f32; 3];

/// The head's vertex buffer as a pipeline reads it (`attributes`: the position at its offset
/// 0, the normal at 12 where the pass wants it).
pub(crate) fn head_vertex_layout(
    attributes: &[wgpu::VertexAttribute],
) -> wgpu::VertexBufferLayout<'_> {
    wgpu::VertexBufferLayout {
        array_stride: size_of::<HeadVertex>() as u64,
        step_mode: wgpu::VertexStepMode::Vertex,
        attributes,
    }
}

/// How every pass that rasterises the head draws it: both faces (scans are not always
/// consistently wound) ...
pub(crate) fn head_primitive() -> wgpu::PrimitiveState {
    wgpu::PrimitiveState {
        cull_mode: None,
        ..Default::default()
    }
}

/// ... and the depth test keeping the nearest.
pub(crate) fn head_depth_test() -> wgpu::DepthStencilState {
    wgpu::DepthStencilState {
        format: DEPTH_FORMAT,
        depth_write_enabled: Some(true),
        depth_compare: Some(wgpu::CompareFunction::Less),
        stencil: Default::default(),
        bias: Default::default(),
    }
}

/// Draws the whole head from its positions (vertex buffer 0) and `triangles`: every pass that
/// rasterises it binds any other per-vertex buffers first.
pub(crate) fn draw_head(rp: &mut wgpu::RenderPass<'_>, head: &HeadGpu, triangles: Triangles<'_>) {
    rp.set_vertex_buffer(0, head.vertices.slice(..));
    rp.set_index_buffer(triangles.0.slice(..), wgpu::IndexFormat::Uint32);
    rp.draw_indexed(0..triangles.1, 0, 0..1);
}

/// An index buffer of the head's triangles and its length: the head's own, or its coarse ones.
pub(crate) type Triangles<'a> = (&'a wgpu::Buffer, u32);

/// A pipeline that draws only the head's depth (no fragment stage): `entry` of `module` reads
/// the head's vertex buffer with `attrs` (the skin's depth pre-pass, the shadow map).
pub(crate) fn head_depth_pipeline(
    gpu: &Gpu,
    label: &str,
    (module, entry): (&wgpu::ShaderModule, &str),
    bgl: &wgpu::BindGroupLayout,
    attrs: &[wgpu::VertexAttribute],
) -> wgpu::RenderPipeline {
    let layout = gpu
        .device
        .create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(bgl)],
            immediate_size: 0,
        });
    gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
        label: Some(label),
        layout: Some(&layout),
        vertex: wgpu::VertexState {
            module,
            entry_point: Some(entry),
            compilation_options: Default::default(),
            buffers: &[Some(head_vertex_layout(attrs))],
        },
        // Both faces: scans are not always wound one way, and both faces cast.
        primitive: head_primitive(),
        depth_stencil: Some(head_depth_test()),
        multisample: Default::default(),
        fragment: None,
        multiview_mask: None,
        cache: None,
    })
}

/// A depth target cleared to the far plane and kept.
pub(crate) fn cleared_depth(
    view: &wgpu::TextureView,
) -> wgpu::RenderPassDepthStencilAttachment<'_> {
    wgpu::RenderPassDepthStencilAttachment {
        view,
        depth_ops: Some(wgpu::Operations {
            load: wgpu::LoadOp::Clear(1.0),
            store: wgpu::StoreOp::Store,
        }),
        stencil_ops: None,
    }
}

pub(crate) fn attribute(
    location: u32,
    format: wgpu::VertexFormat,
    offset: usize,
) -> wgpu::VertexAttribute {
    wgpu::VertexAttribute {
        format,
        offset: offset as u64,
        shader_location: location,
    }
}

/// The view distance stored where nothing was drawn, mm: the composite shows the background.
pub const NO_SURFACE_MM: f32 = 60000.0;
/// How far behind the skin's surface a dot, a shaft or a hair is still drawn, mm (plus two
/// pixels' slope): the skin's distance target is a sample's, a footprint is not.
pub const SKIN_TOLERANCE_MM: f32 = 0.6;
/// Smallest σ a footprint is drawn with, in internal pixels.
pub const MIN_SIGMA_PX: f32 = 0.6;

/// The head's mesh on the GPU.
#[derive(Clone)]
pub struct HeadGpu {
    pub vertices: wgpu::Buffer,
    pub indices: wgpu::Buffer,
    pub index_count: u32,
    /// Relative yearly UV dose per vertex (for `Show::Exposure`); ones until set.
    pub exposure: wgpu::Buffer,
    /// What the preset views frame: the head from the crown to the chin (`frame_outline`).
    pub outline: Outline,
    /// The client's stubble (`crate::hair::Hair`) and its count; None: bald or razor-fresh.
    pub hairs: Option<(wgpu::Buffer, u32)>,
    /// The pieces of their shafts under the skin (`crate::hair::Shaft`); None: bald.
    pub shafts: Option<(wgpu::Buffer, u32)>,
    /// Where the shaft pass puts those pieces as a frame draws them ([`shaft::ShaftDraw`]).
    pub shaft_draws: Option<wgpu::Buffer>,
    /// How many hairs the head has (above the skin or not).
    pub hair_count: u32,
    /// The hairs and shaft pieces grouped by where their roots face ([`hair_bins`]): the
    /// instance ranges a frame draws.
    pub hair_bins: Vec<hair_bins::HairBin>,
    /// Linear albedo of those hairs.
    pub hair_albedo: Vec3,
    /// The scan's own skin colour ([`skin::ScanTexture`]): per-vertex (u, v, weight) and the
    /// image; weight 0 and a 1×1 image where the head has none.
    pub texture: skin::ScanTexture,
    /// The head's triangles decimated within [`crate::head::decimate::MAX_DEVIATION_MM`], as
    /// indices into the same vertices, and their count ([`HeadGpu::set_coarse`]); None: not
    /// made. Drawn by the skin passes when [`RenderSettings::coarse_skin`] asks.
    pub coarse: Option<(wgpu::Buffer, u32)>,
    /// Counts writes into `exposure` (shared by clones, which share the buffer): the skin a
    /// frame cached must not outlive the exposure it was drawn with.
    exposure_writes: std::sync::Arc<std::sync::atomic::AtomicU64>,
}

impl HeadGpu {
    pub fn new(gpu: &Gpu, head: &crate::head::Head) -> HeadGpu {
        let mesh = &head.mesh;
        let outline = frame_outline(head);
        let verts: Vec<HeadVertex> = mesh
            .positions
            .iter()
            .zip(&mesh.normals)
            .map(|(p, n)| [p.x, p.y, p.z, n.x, n.y, n.z])
            .collect();
        // Storage too: the deferred skin pass reads the triangles it shades.
        let (vertex, index, storage) = (
            wgpu::BufferUsages::VERTEX,
            wgpu::BufferUsages::INDEX,
            wgpu::BufferUsages::STORAGE,
        );
        HeadGpu {
            vertices: gpu.upload("head vertices", &verts, vertex | storage),
            indices: gpu.upload("head indices", &mesh.indices, index | storage),
            index_count: mesh.indices.len() as u32,
            exposure: gpu.upload(
                "head exposure",
                &vec![1.0f32; mesh.positions.len()],
                vertex | storage | wgpu::BufferUsages::COPY_DST,
            ),
            outline,
            hairs: None,
            shafts: None,
            shaft_draws: None,
            hair_count: 0,
            hair_bins: Vec::new(),
            hair_albedo: Vec3::ZERO,
            texture: skin::ScanTexture::new(gpu, head),
            coarse: None,
            exposure_writes: Default::default(),
        }
    }

    /// Sets the coarse triangles previews draw the skin from: indices into this head's
    /// vertices, as [`crate::head::decimate::coarse_triangles`] makes them.
    pub fn set_coarse(&mut self, gpu: &Gpu, indices: &[u32]) {
        let usage = wgpu::BufferUsages::INDEX | wgpu::BufferUsages::STORAGE;
        self.coarse = (!indices.is_empty()).then(|| {
            (
                gpu.upload("head coarse indices", indices, usage),
                indices.len() as u32,
            )
        });
    }

    /// The triangles the skin passes draw: the coarse ones when asked and made.
    pub(crate) fn skin_triangles(&self, coarse: bool) -> Triangles<'_> {
        match &self.coarse {
            Some((b, n)) if coarse => (b, *n),
            _ => (&self.indices, self.index_count),
        }
    }

    /// Sets the hairs drawn on this head (an empty list: none).
    pub fn set_hairs(&mut self, gpu: &Gpu, strands: &[crate::hair::Strand], albedo: [f32; 3]) {
        // Instances in groups by where their roots face, so that a frame can skip the groups
        // that face away (hair_bins.rs).
        let (order, groups) = hair_bins::grouped(strands);
        let (mut hairs, mut shafts, mut bins) = (Vec::new(), Vec::new(), Vec::new());
        for g in groups {
            let members: Vec<crate::hair::Strand> = order[g].iter().map(|&i| strands[i]).collect();
            let (h0, s0) = (hairs.len() as u32, shafts.len() as u32);
            hairs.extend(crate::hair::grow::hair_instances(&members));
            shafts.extend(crate::hair::grow::shaft_instances(&members));
            bins.push(hair_bins::HairBin::new(
                &members,
                h0..hairs.len() as u32,
                s0..shafts.len() as u32,
            ));
        }
        self.hair_bins = bins;
        self.hairs = (!hairs.is_empty()).then(|| {
            (
                gpu.upload("hairs", &hairs, wgpu::BufferUsages::VERTEX),
                hairs.len() as u32,
            )
        });
        self.shafts = (!shafts.is_empty()).then(|| {
            (
                // Read by the shaft pass's `prepare` (render::shaft).
                gpu.upload("hair shafts", &shafts, wgpu::BufferUsages::STORAGE),
                shafts.len() as u32,
            )
        });
        self.shaft_draws = self
            .shafts
            .as_ref()
            .map(|(_, n)| shaft::draw_buffer(gpu, *n));
        self.hair_count = strands.len() as u32;
        self.hair_albedo = Vec3::from(albedo);
    }
}

impl HeadGpu {
    /// Sets the per-vertex exposure the exposure map shows.
    pub fn set_exposure(&self, gpu: &Gpu, exposure: &[f32]) {
        if exposure.len() as u64 * 4 == self.exposure.size() {
            gpu.queue
                .write_buffer(&self.exposure, 0, bytemuck::cast_slice(exposure));
            self.exposure_writes
                .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        }
    }

    /// What the head gives the skin-side passes: every buffer and image they read (handles
    /// kept, so a freed one's id cannot come back as a new buffer's and pass for it).
    fn skin_inputs(&self) -> HeadKey {
        HeadKey {
            buffers: [
                Some(self.vertices.clone()),
                Some(self.indices.clone()),
                Some(self.exposure.clone()),
                Some(self.texture.uvw.clone()),
                Some(self.texture.colour.clone()),
                self.hairs.as_ref().map(|h| h.0.clone()),
                self.shafts.as_ref().map(|s| s.0.clone()),
                self.coarse.as_ref().map(|c| c.0.clone()),
            ],
            counts: [
                self.index_count,
                self.hairs.as_ref().map_or(0, |h| h.1),
                self.shafts.as_ref().map_or(0, |s| s.1),
            ],
            texture: self.texture.view.clone(),
            exposure_writes: self
                .exposure_writes
                .load(std::sync::atomic::Ordering::Relaxed),
        }
    }
}

/// A head as the skin-side passes see it (see [`HeadGpu::skin_inputs`]).
#[derive(Clone, PartialEq)]
struct HeadKey {
    buffers: [Option<wgpu::Buffer>; 8],
    counts: [u32; 3],
    texture: wgpu::TextureView,
    exposure_writes: u64,
}

/// Everything the passes that do not depend on the dots read (shadow, skin, shaft, hair):
/// the view parameters less the dots' own (ink tone, dots drawn), the shadow map's, the head.
/// Equal keys draw equal pixels into a [`Targets`], so a frame whose key is the one the
/// targets were last drawn with keeps their skin and reruns only the dots' passes.
#[derive(Clone, PartialEq)]
struct SkinKey {
    view: Vec<u8>,
    shadow: Vec<u8>,
    head: HeadKey,
    /// The skin was drawn from the head's coarse triangles.
    coarse: bool,
}

/// What the shadow pass reads: where the map looks from and the head's triangles. The map
/// is the renderer's, independent of the camera.
#[derive(Clone, PartialEq)]
struct ShadowKey {
    shadow: Vec<u8>,
    vertices: wgpu::Buffer,
    indices: wgpu::Buffer,
    index_count: u32,
}

/// The passes of a frame, in the order they are recorded ([`Renderer::last_frame_passes`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FramePass {
    Shadow,
    Skin,
    Shaft,
    Hair,
    Splat,
    Composite,
}

/// How far below the brow (glabella) the chin sits, mm: the face's lower height (glabella to
/// menton ≈ 120–130 mm in adults) with a little of the neck, so the preset views show the whole
/// head down to the chin as a clinic photographs it, and leave a scan's neck and shoulders out.
pub const CHIN_BELOW_GLABELLA_MM: f32 = 135.0;

/// What the preset views frame: the head from the crown down to the chin.
pub fn frame_outline(head: &crate::head::Head) -> Outline {
    let floor = head.landmarks.glabella.y - CHIN_BELOW_GLABELLA_MM;
    let above = head.mesh.positions.iter().filter(|p| p.y >= floor);
    if above.clone().next().is_some() {
        Outline::new(above.copied())
    } else {
        Outline::new(head.mesh.positions.iter().copied())
    }
}

/// Bytes the intermediate targets hold per internal pixel: the five HDR ones (diffuse,
/// specular, density, hair, shafts), the view distance and the depth (the compute path's
/// density buffer and the deferred skin's triangle ids come on top where they are made).
pub const TARGET_BYTES_PER_PIXEL: u64 = 5 * 8 + 8 + 4;
/// Bytes per output pixel: the broad shafts' target and the output.
pub const OUTPUT_BYTES_PER_PIXEL: u64 = 8 + 4;

/// Intermediate render targets at the internal (supersampled) size.
pub struct Targets {
    pub size: (u32, u32),
    pub ssaa: u32,
    pub diffuse: wgpu::TextureView,
    pub specular: wgpu::TextureView,
    pub distance: wgpu::TextureView,
    pub density: wgpu::TextureView,
    /// Existing hair: Σ colour·thickness (rgb) and Σ thickness (a), see hair.wgsl.
    pub hair: wgpu::TextureView,
    /// The hair shafts under the skin: Σ optical thickness per channel (shaft.wgsl). Summed as
    /// thickness, a half float is exact enough (the shaved-look drops of tests/gpu/hair.rs
    /// move ≤ 0.1 point against f32); transmittances multiplied into the f16 diffuse light
    /// were not (BENCHMARKS.md step 23).
    pub shafts: wgpu::TextureView,
    /// The same for the shaft pieces blurred over half an output pixel or more
    /// (`shaft::BROAD_MIN_PX`), one texel per output pixel: drawn per sample they were most of
    /// the pass's fragments (BENCHMARKS.md step 27). With no supersampling, every piece is in
    /// `shafts` and this stays clear.
    pub broad_shafts: wgpu::TextureView,
    pub depth: wgpu::TextureView,
    /// The triangle seen in each pixel, made when a deferred skin pass first draws here.
    visible: std::sync::OnceLock<wgpu::TextureView>,
    /// The HDR targets by name (diffuse, specular, density, hair, shafts, broad shafts), for
    /// reading back.
    pub hdr: Vec<(&'static str, wgpu::Texture)>,
    /// Fixed-point density of the compute path (3 × u32 per internal pixel); None where the
    /// adapter cannot run it or it would not fit one storage binding.
    pub density_buffer: Option<wgpu::Buffer>,
    /// What the skin-side targets (diffuse, specular, distance, depth, hair, both shafts) hold
    /// now; None: nothing known (new, or a frame that failed).
    skin_drawn: std::sync::Mutex<Option<SkinKey>>,
    /// The passes the last frame drawn into these targets ran.
    last_passes: std::sync::Mutex<Vec<FramePass>>,
}

impl Targets {
    /// The per-pixel triangle ids of the deferred skin pass, made on first use.
    fn visible_triangles(&self, gpu: &Gpu) -> &wgpu::TextureView {
        self.visible.get_or_init(|| {
            gpu.device
                .create_texture(&wgpu::TextureDescriptor {
                    label: Some("visible triangles"),
                    size: wgpu::Extent3d {
                        width: self.size.0,
                        height: self.size.1,
                        depth_or_array_layers: 1,
                    },
                    mip_level_count: 1,
                    sample_count: 1,
                    dimension: wgpu::TextureDimension::D2,
                    format: skin_deferred::VISIBLE_FORMAT,
                    usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                        | wgpu::TextureUsages::TEXTURE_BINDING,
                    view_formats: &[],
                })
                .create_view(&Default::default())
        })
    }

    /// Forgets the skin these targets hold, so that the next frame draws every pass (a
    /// benchmark timing whole frames).
    pub fn forget_skin(&self) {
        *lock(&self.skin_drawn) = None;
    }

    /// The passes the last frame drawn into these targets ran, in order: a frame whose view,
    /// light, head and skin settings are those the targets were last drawn with runs only the
    /// dots' passes.
    pub fn last_frame_passes(&self) -> Vec<FramePass> {
        lock(&self.last_passes).clone()
    }

    pub fn new(gpu: &Gpu, out: (u32, u32), ssaa: u32) -> Result<Targets> {
        let size = (out.0 * ssaa, out.1 * ssaa);
        // The targets per internal pixel; the broad shafts, the output and its readback (4 bytes)
        // per output pixel: refuse before allocating what cannot fit.
        let needed = size.0 as u64 * size.1 as u64 * TARGET_BYTES_PER_PIXEL
            + out.0 as u64 * out.1 as u64 * (OUTPUT_BYTES_PER_PIXEL + 4);
        let budget = crate::gpu::memory_budget(&gpu.info);
        if needed > budget {
            return Err(ScalpError::TooLarge {
                what: format!("a {}×{} image with {ssaa}× supersampling", out.0, out.1),
                needed,
                allowed: budget,
                hint: "GPU memory budget; use a smaller --size or --ssaa 1, or set SCALP_GPU_MEMORY_MB"
                    .into(),
            });
        }
        let max = gpu.device.limits().max_texture_dimension_2d;
        if size.0 > max || size.1 > max {
            return Err(ScalpError::bad(
                crate::error::Quantity::ImageSize,
                format!(
                    "{}×{} with {ssaa}× supersampling needs {}×{} textures; this adapter allows {max}",
                    out.0, out.1, size.0, size.1
                ),
            ));
        }
        let compute = splat_compute::supported(gpu);
        // Storage writes for a deferred skin pass, wherever one can run.
        let deferred = skin_deferred::supported(gpu);
        let tex_sized = |label: &'static str, format, storage: bool, size: (u32, u32)| {
            gpu.device.create_texture(&wgpu::TextureDescriptor {
                label: Some(label),
                size: wgpu::Extent3d {
                    width: size.0,
                    height: size.1,
                    depth_or_array_layers: 1,
                },
                mip_level_count: 1,
                sample_count: 1,
                dimension: wgpu::TextureDimension::D2,
                format,
                usage: wgpu::TextureUsages::RENDER_ATTACHMENT
                    | wgpu::TextureUsages::TEXTURE_BINDING
                    | wgpu::TextureUsages::COPY_SRC
                    | if storage {
                        wgpu::TextureUsages::STORAGE_BINDING
                    } else {
                        wgpu::TextureUsages::empty()
                    },
                view_formats: &[],
            })
        };
        let tex = |label, format, storage| tex_sized(label, format, storage, size);
        let view = |t: &wgpu::Texture| t.create_view(&Default::default());
        let diffuse = tex("skin diffuse", HDR_FORMAT, deferred);
        let specular = tex("skin specular", HDR_FORMAT, deferred);
        let density = tex("optical density", HDR_FORMAT, compute);
        let hair = tex("hair", HDR_FORMAT, false);
        let shafts = tex("shaft thickness", HDR_FORMAT, false);
        let broad_shafts = tex_sized("broad shaft thickness", HDR_FORMAT, false, out);
        Ok(Targets {
            size,
            ssaa,
            diffuse: view(&diffuse),
            specular: view(&specular),
            distance: view(&tex("view distance", DISTANCE_FORMAT, false)),
            visible: Default::default(),
            density: view(&density),
            hair: view(&hair),
            shafts: view(&shafts),
            broad_shafts: view(&broad_shafts),
            depth: view(&tex("depth", DEPTH_FORMAT, false)),
            hdr: vec![
                ("diffuse", diffuse),
                ("specular", specular),
                ("density", density),
                ("hair", hair),
                ("shafts", shafts),
                ("broad shafts", broad_shafts),
            ],
            density_buffer: {
                (compute && splat_compute::density_fits(gpu, size)).then(|| {
                    gpu.device.create_buffer(&wgpu::BufferDescriptor {
                        label: Some("fixed-point optical density"),
                        size: splat_compute::density_bytes(size),
                        usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
                        mapped_at_creation: false,
                    })
                })
            },
            skin_drawn: Default::default(),
            last_passes: Default::default(),
        })
    }
}

/// A new frame encoder.
fn enc_for_lap(gpu: &Gpu) -> wgpu::CommandEncoder {
    gpu.device
        .create_command_encoder(&wgpu::CommandEncoderDescriptor {
            label: Some("frame"),
        })
}

/// When `clock` runs (debug level): submits what `enc` holds, waits for it, logs the time
/// since the last lap as `pass`'s and gives `enc` a fresh encoder.
fn lap(
    gpu: &Gpu,
    enc: &mut wgpu::CommandEncoder,
    clock: &mut Option<std::time::Instant>,
    pass: FramePass,
) {
    let Some(start) = clock else { return };
    let done = std::mem::replace(enc, enc_for_lap(gpu));
    gpu.queue.submit([done.finish()]);
    let _ = gpu.wait();
    log::debug!(
        target: "scalp::gpu",
        "pass {pass:?}: {:.1} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
    *clock = Some(std::time::Instant::now());
}

/// A mutex's value even if a thread panicked holding it: these hold plain caches.
fn lock<T>(m: &std::sync::Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// An instanced-quad pass that adds into one HDR target (dots and hairs): the view parameters and
/// the skin's distance texture bound, the given instance buffers, the quad's two triangles over
/// four corners, additive blending (order-independent accumulation).
pub(crate) struct AdditiveQuads {
    label: &'static str,
    pipeline: wgpu::RenderPipeline,
    bgl: wgpu::BindGroupLayout,
    quad: wgpu::Buffer,
}

impl AdditiveQuads {
    pub fn new(
        gpu: &Gpu,
        label: &'static str,
        module: &wgpu::ShaderModule,
        buffers: &[Option<wgpu::VertexBufferLayout<'_>>],
    ) -> AdditiveQuads {
        use crate::gpu::entry;
        let d = &gpu.device;
        let bgl = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(label),
            entries: &[
                entry::params(0, wgpu::ShaderStages::VERTEX_FRAGMENT),
                entry::texture(1, wgpu::ShaderStages::FRAGMENT),
            ],
        });
        let layout = d.create_pipeline_layout(&wgpu::PipelineLayoutDescriptor {
            label: Some(label),
            bind_group_layouts: &[Some(&bgl)],
            immediate_size: 0,
        });
        let additive = wgpu::BlendComponent {
            src_factor: wgpu::BlendFactor::One,
            dst_factor: wgpu::BlendFactor::One,
            operation: wgpu::BlendOperation::Add,
        };
        let pipeline = gpu.render_pipeline(wgpu::RenderPipelineDescriptor {
            label: Some(label),
            layout: Some(&layout),
            vertex: wgpu::VertexState {
                module,
                entry_point: Some("vs_main"),
                compilation_options: Default::default(),
                buffers,
            },
            primitive: wgpu::PrimitiveState::default(),
            depth_stencil: None,
            multisample: Default::default(),
            fragment: Some(wgpu::FragmentState {
                module,
                entry_point: Some("fs_main"),
                compilation_options: Default::default(),
                targets: &[Some(wgpu::ColorTargetState {
                    format: HDR_FORMAT,
                    blend: Some(wgpu::BlendState {
                        color: additive,
                        alpha: additive,
                    }),
                    write_mask: wgpu::ColorWrites::ALL,
                })],
            }),
            multiview_mask: None,
            cache: None,
        });
        // Four corners drawn as two indexed triangles (0 1 2, 0 2 3): the post-transform cache
        // then runs the vertex shader four times per instance instead of six.
        let quad = gpu.upload(label, &[0u16, 1, 2, 0, 2, 3], wgpu::BufferUsages::INDEX);
        AdditiveQuads {
            label,
            pipeline,
            bgl,
            quad,
        }
    }

    /// Clears `target` and returns a pass ready to draw quads into it (pipeline, bindings and
    /// quad indices set; the caller sets its instance buffers and draws `0..6` per instance).
    pub fn begin<'e>(
        &self,
        gpu: &Gpu,
        enc: &'e mut wgpu::CommandEncoder,
        view: &wgpu::Buffer,
        t: &Targets,
        target: &wgpu::TextureView,
        timestamp_writes: Option<wgpu::RenderPassTimestampWrites<'_>>,
    ) -> wgpu::RenderPass<'e> {
        let bg = gpu.device.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(self.label),
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
            ],
        });
        let mut rp = enc.begin_render_pass(&wgpu::RenderPassDescriptor {
            label: Some(self.label),
            color_attachments: &[Some(wgpu::RenderPassColorAttachment {
                view: target,
                depth_slice: None,
                resolve_target: None,
                ops: wgpu::Operations {
                    load: wgpu::LoadOp::Clear(wgpu::Color::TRANSPARENT),
                    store: wgpu::StoreOp::Store,
                },
            })],
            depth_stencil_attachment: None,
            timestamp_writes,
            occlusion_query_set: None,
            multiview_mask: None,
        });
        rp.set_pipeline(&self.pipeline);
        rp.set_bind_group(0, &bg, &[]);
        rp.set_index_buffer(self.quad.slice(..), wgpu::IndexFormat::Uint16);
        rp
    }
}

/// Long-lived pipelines for one output format.
pub struct Renderer {
    pub format: wgpu::TextureFormat,
    skin: skin::SkinPass,
    /// How the skin is shaded, as asked.
    pub skin_shading: skin_deferred::SkinShading,
    /// The skin shaded in compute, where the adapter can and the choice may (see
    /// skin_deferred.rs why).
    skin_deferred: Option<skin_deferred::SkinDeferredPass>,
    shadow: shadow::ShadowPass,
    splat: splat::SplatPass,
    splat_compute: Option<splat_compute::SplatComputePass>,
    hair: hair::HairPass,
    shaft: shaft::ShaftPass,
    composite: composite::CompositePass,
    /// What the shadow map holds now.
    shadow_drawn: std::sync::Mutex<Option<ShadowKey>>,
}

pub fn auto_ssaa(out: (u32, u32), requested: u32) -> u32 {
    match requested {
        0 if (out.0 as u64) * (out.1 as u64) <= 4_000_000 => 2,
        0 => 1,
        s => s.clamp(1, 4),
    }
}

impl Renderer {
    pub fn new(gpu: &Gpu, format: wgpu::TextureFormat) -> Renderer {
        Renderer::with_skin_shading(gpu, format, skin_deferred::SkinShading::Auto)
    }

    /// How this renderer shades the skin of a frame supersampled `ssaa`× a side.
    pub fn skin_path(&self, gpu: &Gpu, ssaa: u32) -> skin_deferred::SkinPath {
        match &self.skin_deferred {
            Some(_) => self.skin_shading.path(gpu, ssaa),
            None => skin_deferred::SkinPath::Forward,
        }
    }

    /// A renderer that shades the skin as `shading` says (where the adapter can).
    pub fn with_skin_shading(
        gpu: &Gpu,
        format: wgpu::TextureFormat,
        shading: skin_deferred::SkinShading,
    ) -> Renderer {
        Renderer {
            format,
            skin: skin::SkinPass::new(gpu),
            skin_shading: shading,
            skin_deferred: shading
                .may_defer(gpu)
                .then(|| skin_deferred::SkinDeferredPass::new(gpu)),
            shadow: shadow::ShadowPass::new(gpu),
            splat: splat::SplatPass::new(gpu),
            splat_compute: splat_compute::supported(gpu)
                .then(|| splat_compute::SplatComputePass::new(gpu)),
            hair: hair::HairPass::new(gpu),
            shaft: shaft::ShaftPass::new(gpu),
            composite: composite::CompositePass::new(gpu, format),
            shadow_drawn: Default::default(),
        }
    }

    /// The view's parameters; `skin_samples`: the supersamples a side each skin shading
    /// covers (1: every sample shaded).
    fn view_params(
        &self,
        head: &HeadGpu,
        camera: &Camera,
        targets: &Targets,
        skin_samples: u32,
        settings: &RenderSettings,
    ) -> ViewGpu {
        let aspect = targets.size.0 as f32 / targets.size.1 as f32;
        let view = camera.view();
        let vp = camera.proj(aspect) * view;
        let focal_px = 0.5 * targets.size.1 as f32 / (0.5 * camera.fov_y).tan();
        let light = Light::preset(settings.light);
        let (key_dir, at_camera) = match light.key {
            Key::Directional(d) => (d, 0.0),
            Key::AtCamera => (Vec3::Y, 1.0),
        };
        let layers = settings.skin.layers();
        let scar = crate::scar::tissue_layers(settings.skin);
        let ink = crate::optics::ink_tone_scale(settings.ink_tone);
        let v4 = |v: Vec3, w: f32| [v.x, v.y, v.z, w];
        ViewGpu {
            view_proj: vp.to_cols_array_2d(),
            view: view.to_cols_array_2d(),
            eye: v4(camera.eye, camera.near - 1.0),
            viewport: [
                targets.size.0 as f32,
                targets.size.1 as f32,
                1.0 / targets.size.0 as f32,
                1.0 / targets.size.1 as f32,
            ],
            proj: [
                focal_px,
                SKIN_TOLERANCE_MM,
                MIN_SIGMA_PX,
                if settings.draws_dots() { 1.0 } else { 0.0 },
            ],
            key_dir: v4(key_dir, 0.0),
            key_color: v4(light.key_rgb, light.key_softness),
            fill_dir: v4(light.fill_dir, 0.0),
            fill_color: v4(light.fill_rgb, 0.0),
            sky: v4(light.sky_rgb, 0.0),
            ground: v4(light.ground_rgb, 0.0),
            // Sebum: a thin oily film; its strength and roughness set the sheen.
            dermis: v4(Vec3::from(layers.dermal), 0.35),
            epidermis: v4(Vec3::from(layers.epidermal), 0.42),
            ink: [ink[0], ink[1], ink[2], 0.0],
            hair: v4(
                head.hair_albedo,
                (settings.hair && settings.show == Show::Skin && head.hair_count > 0) as u32 as f32,
            ),
            light: [
                at_camera,
                light.key_softness,
                (camera.eye - camera.target).length_squared(),
                0.0,
            ],
            mode: [
                (settings.show == Show::Exposure) as u32 as f32,
                skin_samples as f32,
                targets.ssaa as f32,
                0.0,
            ],
            scars: settings.scars,
            scar_dermis: v4(Vec3::from(scar.dermal), crate::scar::ROUGHNESS),
            scar_epidermis: v4(Vec3::from(scar.epidermal), 0.0),
        }
    }

    /// Renders the head (and its dots) into `target`, which must have `self.format` and the
    /// size `out`. `targets` must have been made for `out`.
    #[allow(clippy::too_many_arguments)]
    pub fn render(
        &self,
        gpu: &Gpu,
        head: &HeadGpu,
        dots: Option<(&GpuDots, &AgedDots)>,
        camera: &Camera,
        settings: &RenderSettings,
        targets: &Targets,
        target: &wgpu::TextureView,
    ) -> Result<()> {
        self.render_timed(gpu, head, dots, camera, settings, targets, target, None)
    }

    /// As [`Renderer::render`], writing each pass's GPU time into `timer` when given.
    #[allow(clippy::too_many_arguments)]
    pub fn render_timed(
        &self,
        gpu: &Gpu,
        head: &HeadGpu,
        dots: Option<(&GpuDots, &AgedDots)>,
        camera: &Camera,
        settings: &RenderSettings,
        targets: &Targets,
        target: &wgpu::TextureView,
        timer: Option<&FrameTimer>,
    ) -> Result<()> {
        let skin_path = self.skin_path(gpu, targets.ssaa);
        let view = self.view_params(head, camera, targets, skin_path.samples(), settings);
        let light = Light::preset(settings.light);
        let shadow = shadow::shadow_gpu(
            &light,
            head.outline.bounds(),
            settings.shadows && settings.show == Show::Skin,
        );
        let shadow_on = shadow.params[0] > 0.5;
        let skin_key = SkinKey {
            view: bytemuck::bytes_of(&ViewGpu {
                // The dots' own parameters: the skin-side passes do not read them.
                ink: [0.0; 4],
                proj: [view.proj[0], view.proj[1], view.proj[2], 0.0],
                ..view
            })
            .to_vec(),
            shadow: bytemuck::bytes_of(&shadow).to_vec(),
            head: head.skin_inputs(),
            coarse: settings.coarse_skin && head.coarse.is_some(),
        };
        let skin_triangles = head.skin_triangles(settings.coarse_skin);
        let shadow_key = shadow_on.then(|| ShadowKey {
            shadow: skin_key.shadow.clone(),
            vertices: head.vertices.clone(),
            indices: head.indices.clone(),
            index_count: head.index_count,
        });
        // Both held until the frame is submitted: another thread's frame on this renderer must
        // not redraw the shadow map between this frame's check and its submission (the queue
        // runs submissions in order, so after it is harmless).
        let mut shadow_state = lock(&self.shadow_drawn);
        let mut skin_state = lock(&targets.skin_drawn);
        // A timed frame (the bench) runs every pass: its figures are per pass.
        let skin_cached = timer.is_none() && skin_state.as_ref() == Some(&skin_key);
        let shadow_cached = timer.is_none() && shadow_key.is_some() && *shadow_state == shadow_key;
        // Until this frame is known to have run, the targets hold nothing known.
        *skin_state = None;
        let mut passes = Vec::new();
        // At debug level each pass is submitted and waited for alone and its wall time logged
        // (on a CPU driver the first frame's times are mostly shader compilation).
        let mut clock = log::log_enabled!(target: "scalp::gpu", log::Level::Debug)
            .then(std::time::Instant::now);
        let drawn = gpu.checked("rendering", || {
            let view_buf = gpu.params("view", &view);
            let mut enc = gpu
                .device
                .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                    label: Some("frame"),
                });
            let hair_drawn = view.hair[3] > 0.5;
            let mut shadow_drawn = None;
            // The skin side: nothing here depends on the dots or the time.
            if !skin_cached {
                let shadow_buf = gpu.params("shadow", &shadow);
                let drawn = !shadow_cached
                    && self
                        .shadow
                        .record(gpu, &mut enc, &shadow_buf, shadow_on, head, timer);
                if drawn {
                    lap(gpu, &mut enc, &mut clock, FramePass::Shadow);
                    passes.push(FramePass::Shadow);
                    shadow_drawn = Some(shadow_key.clone());
                }
                let shadows = (&self.shadow, &shadow_buf, drawn);
                match (&self.skin_deferred, skin_path) {
                    (Some(pass), skin_deferred::SkinPath::Deferred { samples }) => pass.record(
                        gpu,
                        &mut enc,
                        &view_buf,
                        (head, skin_triangles),
                        (&self.skin, targets, targets.visible_triangles(gpu)),
                        shadows,
                        samples,
                        timer,
                    ),
                    _ => self.skin.record(
                        gpu,
                        &mut enc,
                        &view_buf,
                        (head, skin_triangles),
                        targets,
                        shadows,
                        timer,
                    ),
                }
                lap(gpu, &mut enc, &mut clock, FramePass::Skin);
                passes.push(FramePass::Skin);
                // The shafts darken the skin's diffuse light and the hairs have their own
                // target: both are kept with the skin. Neither touches the density.
                if self.shaft.record(
                    gpu,
                    &mut enc,
                    (&view_buf, camera.eye),
                    head,
                    hair_drawn,
                    (targets, timer),
                ) {
                    lap(gpu, &mut enc, &mut clock, FramePass::Shaft);
                    passes.push(FramePass::Shaft);
                }
                self.hair.record(
                    gpu,
                    &mut enc,
                    (&view_buf, camera.eye),
                    head,
                    hair_drawn,
                    (targets, timer),
                );
                lap(gpu, &mut enc, &mut clock, FramePass::Hair);
                passes.push(FramePass::Hair);
            }
            let dots = dots.filter(|_| settings.draws_dots());
            match settings.path {
                SplatPath::Raster => self
                    .splat
                    .record(gpu, &mut enc, &view_buf, dots, targets, timer),
                SplatPath::Compute => {
                    let (Some(pass), Some(buffer)) = (&self.splat_compute, &targets.density_buffer)
                    else {
                        return Err(ScalpError::bad(
                            crate::error::Quantity::SplattingPath,
                            format!(
                                "this adapter cannot run the compute splatter at {}×{} \
                                 (no storage texture of {:?}, or the density buffer is over \
                                 one storage binding); the raster path can",
                                targets.size.0, targets.size.1, HDR_FORMAT
                            ),
                        ));
                    };
                    pass.record(
                        gpu,
                        &mut enc,
                        &view_buf,
                        dots,
                        targets,
                        buffer,
                        settings.sums,
                        timer,
                    )
                }
            }
            lap(gpu, &mut enc, &mut clock, FramePass::Splat);
            passes.push(FramePass::Splat);
            self.composite
                .record(gpu, &mut enc, settings, targets, target, timer);
            passes.push(FramePass::Composite);
            gpu.queue.submit([enc.finish()]);
            if clock.is_some() {
                lap(gpu, &mut enc_for_lap(gpu), &mut clock, FramePass::Composite);
            }
            Ok(shadow_drawn)
        });
        *lock(&targets.last_passes) = passes;
        match drawn {
            Ok(shadow_drawn) => {
                if let Some(key) = shadow_drawn {
                    *shadow_state = key;
                }
                *skin_state = Some(skin_key);
                Ok(())
            }
            Err(e) => {
                // The map may be half drawn: redraw it next time.
                *shadow_state = None;
                Err(e)
            }
        }
    }
}
