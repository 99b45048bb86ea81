//! The GPU context: adapter choice, device, error capture and small helpers (uploads,
//! readbacks, dispatch sizes). Knows nothing of windows.
pub mod pipelines;
pub mod readback;
pub mod timer;

use crate::error::{Result, ScalpError};
use wgpu::util::DeviceExt;

/// Storage buffers the busiest stage binds: the generate pass, its eight arrays and its two
/// parameter blocks (parameters are storage too: see [`Gpu::params`]).
pub const STORAGE_BUFFERS_PER_STAGE: u32 = 10;

/// An open device on the chosen adapter.
pub struct Gpu {
    pub adapter: wgpu::Adapter,
    pub device: wgpu::Device,
    pub queue: wgpu::Queue,
    pub info: wgpu::AdapterInfo,
    /// Why the device was lost, once it has been (set by its device-lost callback): every
    /// later GPU step reports this instead of a validation error about invalid objects.
    lost: std::sync::Arc<std::sync::Mutex<Option<String>>>,
    /// Set by [`Gpu::inject_out_of_memory`]: the next [`Gpu::checked`] step fails as if its
    /// out-of-memory scope had caught an error (a CPU driver overcommits memory and never
    /// reports one, so recovery could not be tested otherwise).
    inject_oom: std::sync::atomic::AtomicBool,
    /// wgpu's pipeline cache kept on disk (Vulkan only; see [`pipelines`]).
    pipelines: Option<pipelines::PipelineCacheFile>,
}

/// How an adapter ranks: real GPUs first, then Vulkan on the CPU (lavapipe), then GL on the CPU
/// (llvmpipe), then anything else. Lower is better.
fn rank(info: &wgpu::AdapterInfo) -> u32 {
    use wgpu::{Backend, DeviceType};
    match (info.device_type, info.backend) {
        (DeviceType::DiscreteGpu, _) => 0,
        (DeviceType::IntegratedGpu, _) => 1,
        (DeviceType::VirtualGpu, _) => 2,
        (DeviceType::Cpu, Backend::Vulkan) => 3,
        (DeviceType::Cpu, Backend::Gl) => 4,
        (_, Backend::Vulkan) => 5,
        _ => 6,
    }
}

/// One line describing an adapter, as printed by `scalp adapters` and `scalp render`.
pub fn describe(info: &wgpu::AdapterInfo) -> String {
    format!(
        "{} ({:?}, {:?}{})",
        info.name,
        info.backend,
        info.device_type,
        if info.driver.is_empty() {
            String::new()
        } else {
            format!(", {} {}", info.driver, info.driver_info)
        }
    )
}

fn instance(backends: wgpu::Backends) -> wgpu::Instance {
    instance_with_display(backends, None)
}

/// A wgpu instance on `backends` (unless `WGPU_BACKEND` says otherwise). `display` is the
/// window system connection when the caller will present to a window: GL needs it to present
/// (Vulkan ignores it). The library itself never opens a window.
pub fn instance_with_display(
    backends: wgpu::Backends,
    display: Option<Box<dyn wgpu::wgt::WgpuHasDisplayHandle>>,
) -> wgpu::Instance {
    let mut desc = wgpu::InstanceDescriptor::new_without_display_handle_from_env();
    desc.display = display;
    if std::env::var_os("WGPU_BACKEND").is_none() {
        desc.backends = backends;
    }
    wgpu::Instance::new(desc)
}

/// Adapters of `backends`, best first.
fn adapters(backends: wgpu::Backends) -> Vec<wgpu::Adapter> {
    let inst = instance(backends);
    let mut v = pollster::block_on(inst.enumerate_adapters(wgpu::Backends::all()));
    v.sort_by_key(|a| rank(&a.get_info()));
    v
}

/// Every adapter wgpu can see (Vulkan and GL), best first.
pub fn list_adapters() -> Vec<wgpu::AdapterInfo> {
    adapters(wgpu::Backends::VULKAN | wgpu::Backends::GL)
        .iter()
        .map(|a| a.get_info())
        .collect()
}

/// Whether `info` is the adapter a user means by `want`. Besides parts of the name, backend or
/// driver, "lavapipe" means Mesa's Vulkan CPU driver (whose name is "llvmpipe …") and
/// "llvmpipe" Mesa's GL CPU driver, as the two are usually called.
pub fn matches(info: &wgpu::AdapterInfo, want: &str) -> bool {
    let w = want.to_lowercase();
    let cpu = info.device_type == wgpu::DeviceType::Cpu;
    match w.as_str() {
        "lavapipe" => cpu && info.backend == wgpu::Backend::Vulkan,
        "llvmpipe" => cpu && info.backend == wgpu::Backend::Gl,
        _ => {
            info.name.to_lowercase().contains(&w)
                || format!("{:?}", info.backend).to_lowercase() == w
                || info.driver.to_lowercase().contains(&w)
        }
    }
}

impl Drop for Gpu {
    /// Keeps the pipelines built since the engine's (the bake pass, the dots') for next time.
    fn drop(&mut self) {
        self.save_pipeline_cache();
    }
}

impl Gpu {
    /// Opens the best adapter, or the best that [`matches`] `want` ("lavapipe", "llvmpipe",
    /// "vulkan", "gl", "nvidia", …). Vulkan is asked first; GL only when Vulkan has nothing
    /// suitable (probing GL/EGL is slow and noisy on headless machines).
    pub fn new(want: Option<&str>) -> Result<Gpu> {
        let mut found = adapters(wgpu::Backends::VULKAN);
        let pick = |list: &mut Vec<wgpu::Adapter>| -> Option<wgpu::Adapter> {
            let i = match want {
                Some(w) => list.iter().position(|a| matches(&a.get_info(), w))?,
                None if list.is_empty() => return None,
                None => 0,
            };
            Some(list.remove(i))
        };
        let adapter = match pick(&mut found) {
            Some(a) => a,
            None => {
                let mut gl = adapters(wgpu::Backends::GL);
                match pick(&mut gl) {
                    Some(a) => a,
                    None => {
                        let names: Vec<String> = found
                            .iter()
                            .chain(gl.iter())
                            .map(|a| describe(&a.get_info()))
                            .collect();
                        return Err(match want {
                            Some(w) if !names.is_empty() => ScalpError::bad(
                                crate::error::Quantity::Adapter,
                                format!(
                                    "no adapter matches \"{w}\"; available: {}",
                                    names.join("; ")
                                ),
                            ),
                            _ => ScalpError::NoAdapter {
                                detail: String::new(),
                            },
                        });
                    }
                }
            }
        };
        Gpu::open(adapter)
    }

    /// Opens the best adapter of `instance` that can present to `surface` (a window's, made
    /// from the same instance), or the best such adapter that [`matches`] `want`. For callers
    /// that show frames in a window; [`Gpu::new`] is the headless choice.
    pub fn for_surface(
        want: Option<&str>,
        instance: &wgpu::Instance,
        surface: &wgpu::Surface<'_>,
    ) -> Result<Gpu> {
        let mut all = pollster::block_on(instance.enumerate_adapters(wgpu::Backends::all()));
        all.sort_by_key(|a| rank(&a.get_info()));
        let fits = |a: &wgpu::Adapter| {
            a.is_surface_supported(surface) && want.is_none_or(|w| matches(&a.get_info(), w))
        };
        match all.iter().position(fits) {
            Some(i) => Gpu::open(all.swap_remove(i)),
            None => {
                let names: Vec<String> = all.iter().map(|a| describe(&a.get_info())).collect();
                Err(ScalpError::NoAdapter {
                    detail: format!(
                        " that can draw into this window{}; adapters seen: {}",
                        want.map(|w| format!(" and matches \"{w}\""))
                            .unwrap_or_default(),
                        if names.is_empty() {
                            "none".into()
                        } else {
                            names.join("; ")
                        }
                    ),
                })
            }
        }
    }

    /// Opens a device on `adapter` with the limits and features the passes need.
    fn open(adapter: wgpu::Adapter) -> Result<Gpu> {
        let info = adapter.get_info();
        let alimits = adapter.limits();
        // Ask for what the adapter has where we may need it: large storage bindings and buffers
        // (dot chunks), and the storage buffers a stage binds (the generate pass's most).
        let mut limits = wgpu::Limits::downlevel_defaults().using_resolution(alimits.clone());
        limits.max_storage_buffer_binding_size = alimits.max_storage_buffer_binding_size;
        limits.max_buffer_size = alimits.max_buffer_size;
        limits.max_storage_buffers_per_shader_stage =
            alimits.max_storage_buffers_per_shader_stage.min(16);
        limits.max_compute_workgroups_per_dimension = alimits.max_compute_workgroups_per_dimension;
        limits.max_compute_invocations_per_workgroup =
            alimits.max_compute_invocations_per_workgroup;
        limits.max_compute_workgroup_size_x = alimits.max_compute_workgroup_size_x;
        limits.max_compute_workgroup_storage_size = alimits.max_compute_workgroup_storage_size;
        limits.max_texture_dimension_2d = alimits.max_texture_dimension_2d;
        if limits.max_storage_buffers_per_shader_stage < STORAGE_BUFFERS_PER_STAGE {
            return Err(ScalpError::Gpu {
                during: "opening the adapter".into(),
                message: format!(
                    "{} allows {} storage buffers per shader stage; scalp needs {STORAGE_BUFFERS_PER_STAGE}",
                    describe(&info),
                    limits.max_storage_buffers_per_shader_stage
                ),
            });
        }
        let features = adapter.features()
            & (wgpu::Features::TIMESTAMP_QUERY | wgpu::Features::PIPELINE_CACHE
                // The deferred skin pass's triangle ids (render::skin_deferred).
                | wgpu::Features::PRIMITIVE_INDEX);
        let (device, queue) = pollster::block_on(adapter.request_device(&wgpu::DeviceDescriptor {
            label: Some("scalp device"),
            required_features: features,
            required_limits: limits,
            experimental_features: wgpu::ExperimentalFeatures::disabled(),
            memory_hints: wgpu::MemoryHints::Performance,
            trace: wgpu::Trace::Off,
        }))
        .map_err(|e| ScalpError::Gpu {
            during: format!("opening {}", describe(&info)),
            message: e.to_string(),
        })?;
        device.on_uncaptured_error(std::sync::Arc::new(|e| {
            log::error!("uncaptured GPU error: {}", error_chain(&e));
        }));
        let lost = std::sync::Arc::new(std::sync::Mutex::new(None));
        let slot = lost.clone();
        device.set_device_lost_callback(move |reason, message| {
            let why = match reason {
                wgpu::DeviceLostReason::Destroyed => "it was destroyed".to_string(),
                _ if message.is_empty() => "the driver gave no reason".to_string(),
                _ => message,
            };
            log::error!("the GPU device was lost: {why}");
            if let Ok(mut s) = slot.lock() {
                *s = Some(why);
            }
        });
        let pipelines = pipelines::cache_dir()
            .and_then(|dir| pipelines::PipelineCacheFile::open(&device, &info, &dir));
        Ok(Gpu {
            adapter,
            device,
            queue,
            info,
            lost,
            inject_oom: Default::default(),
            pipelines,
        })
    }

    /// Uses the pipeline cache kept in `dir` instead of the per-user one (tests, and callers
    /// that keep their own caches).
    pub fn use_pipeline_cache_dir(&mut self, dir: &std::path::Path) {
        self.pipelines = pipelines::PipelineCacheFile::open(&self.device, &self.info, dir);
    }

    pub fn describe(&self) -> String {
        describe(&self.info)
    }

    /// Whether the adapter is a CPU driver (lavapipe, llvmpipe), where some GPU-minded
    /// choices cost time instead of saving it.
    pub fn is_cpu(&self) -> bool {
        self.info.device_type == wgpu::DeviceType::Cpu
    }

    /// Why the device was lost, if it has been (a driver reset, a GPU hang, `destroy`).
    pub fn lost(&self) -> Option<String> {
        self.lost.lock().ok().and_then(|s| s.clone())
    }

    /// The error for a step attempted on a lost device.
    fn lost_error(&self, during: &str, why: String) -> ScalpError {
        ScalpError::Gpu {
            during: during.into(),
            message: format!(
                "the GPU device was lost ({why}); everything on it must be made again on a new \
                 device"
            ),
        }
    }

    /// Runs `f` inside out-of-memory, validation and internal error scopes and turns what they
    /// caught into our error, so a bad request never crashes or loses the device silently.
    /// Internal errors are what a backend reports when it cannot translate a shader (GL cannot
    /// join one texture to two samplers, for one): without their scope they were only logged,
    /// and the pass failed later as "pipeline is invalid".
    pub fn checked<T>(&self, during: &str, f: impl FnOnce() -> Result<T>) -> Result<T> {
        if let Some(why) = self.lost() {
            return Err(self.lost_error(during, why));
        }
        let oom = self.device.push_error_scope(wgpu::ErrorFilter::OutOfMemory);
        let val = self.device.push_error_scope(wgpu::ErrorFilter::Validation);
        let int = self.device.push_error_scope(wgpu::ErrorFilter::Internal);
        let out = f();
        let i = pollster::block_on(int.pop());
        let v = pollster::block_on(val.pop());
        let o = pollster::block_on(oom.pop());
        // Lost meanwhile: that is the cause of whatever the scopes caught.
        if let Some(why) = self.lost() {
            return Err(self.lost_error(during, why));
        }
        if self
            .inject_oom
            .swap(false, std::sync::atomic::Ordering::Relaxed)
        {
            return Err(ScalpError::GpuOutOfMemory {
                during: during.into(),
                message: "an allocation failed (injected for a test)".into(),
            });
        }
        if let Some(e) = o {
            return Err(ScalpError::GpuOutOfMemory {
                during: during.into(),
                message: error_chain(&e),
            });
        }
        if let Some(e) = v.or(i) {
            return Err(ScalpError::Gpu {
                during: during.into(),
                message: error_chain(&e),
            });
        }
        out
    }

    /// Makes the next [`Gpu::checked`] step fail with [`ScalpError::GpuOutOfMemory`], after
    /// it has run, as a real failed allocation would: for testing what callers do then.
    pub fn inject_out_of_memory(&self) {
        self.inject_oom
            .store(true, std::sync::atomic::Ordering::Relaxed);
    }

    pub fn storage_binding_limit(&self) -> u64 {
        self.device.limits().max_storage_buffer_binding_size
    }

    pub fn buffer_limit(&self) -> u64 {
        self.device.limits().max_buffer_size
    }

    /// A storage buffer holding `data`.
    pub fn upload<T: bytemuck::Pod>(
        &self,
        label: &str,
        data: &[T],
        usage: wgpu::BufferUsages,
    ) -> wgpu::Buffer {
        let bytes: &[u8] = bytemuck::cast_slice(data);
        // Zero-sized bindings are invalid: pad empty data to one element.
        let padded;
        let contents = if bytes.is_empty() {
            padded = vec![0u8; std::mem::size_of::<T>().max(4)];
            &padded[..]
        } else {
            bytes
        };
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents,
                usage,
            })
    }

    /// A pass's parameter block (`var<storage, read>` in WGSL, bound with [`entry::params`]).
    ///
    /// Read-only storage, never a uniform buffer: lavapipe (Mesa's Vulkan on the CPU, where
    /// tests and GPU-less users run) inlines uniform values that steer a branch or a loop into
    /// a freshly compiled shader at each draw or dispatch, and when that shader comes out no
    /// smaller it keeps doing so and never frees one (Mesa 22.3: ~16 kB a draw for the hair
    /// pass, 1.8 MB for the composite). Storage buffers are never inlined; on a real GPU the
    /// difference is nil. `tests/shaders.rs` checks that no shader declares a uniform.
    pub fn params<T: bytemuck::Pod>(&self, label: &str, value: &T) -> wgpu::Buffer {
        self.device
            .create_buffer_init(&wgpu::util::BufferInitDescriptor {
                label: Some(label),
                contents: bytemuck::bytes_of(value),
                usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::COPY_DST,
            })
    }

    /// Copies `size` bytes of `src` back to the CPU (waits for the GPU).
    pub fn read_buffer(&self, src: &wgpu::Buffer, offset: u64, size: u64) -> Result<Vec<u8>> {
        if size == 0 {
            return Ok(Vec::new());
        }
        let staging = self.device.create_buffer(&wgpu::BufferDescriptor {
            label: Some("readback staging"),
            size,
            usage: wgpu::BufferUsages::MAP_READ | wgpu::BufferUsages::COPY_DST,
            mapped_at_creation: false,
        });
        let mut enc = self
            .device
            .create_command_encoder(&wgpu::CommandEncoderDescriptor {
                label: Some("readback"),
            });
        enc.copy_buffer_to_buffer(src, offset, &staging, 0, size);
        self.queue.submit([enc.finish()]);
        self.map_and_read(&staging, size)
    }

    pub fn map_and_read(&self, staging: &wgpu::Buffer, size: u64) -> Result<Vec<u8>> {
        let (tx, rx) = std::sync::mpsc::channel();
        staging.map_async(wgpu::MapMode::Read, 0..size, move |r| {
            let _ = tx.send(r);
        });
        self.wait()?;
        match rx.recv() {
            Ok(Ok(())) => {}
            Ok(Err(e)) => {
                return Err(ScalpError::Gpu {
                    during: "reading back a buffer".into(),
                    message: e.to_string(),
                })
            }
            Err(_) => {
                return Err(ScalpError::Gpu {
                    during: "reading back a buffer".into(),
                    message: "the map callback never ran".into(),
                })
            }
        }
        let data = staging
            .get_mapped_range(0..size)
            .map_err(|e| ScalpError::Gpu {
                during: "reading back a buffer".into(),
                message: e.to_string(),
            })?
            .to_vec();
        staging.unmap();
        Ok(data)
    }

    pub fn wait(&self) -> Result<()> {
        if let Some(why) = self.lost() {
            return Err(self.lost_error("waiting for the GPU", why));
        }
        self.device
            .poll(wgpu::PollType::wait_indefinitely())
            .map(|_| ())
            .map_err(|e| ScalpError::Gpu {
                during: "waiting for the GPU".into(),
                message: e.to_string(),
            })
    }
}

/// A wgpu error with its causes: its own text is often only "Validation Error".
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut text = e.to_string();
    let mut source = e.source();
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.contains(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// Threads in a workgroup of every compute pass that runs one thread per item (a dot, a
/// candidate, a shaft piece); the shaders see it as `WORKGROUP_SIZE`. 64 fills two warps of 32 or
/// one wave of 64 on a GPU and eight AVX2 batches of eight on lavapipe.
pub const WORKGROUP_SIZE: u32 = 64;

/// The most workgroups a dispatch may have along one dimension (WebGPU's default limit); the
/// shaders see it as `MAX_GROUPS_PER_DIMENSION` where they size an indirect dispatch.
pub const MAX_GROUPS_PER_DIMENSION: u32 = 65_535;

/// Side of the square workgroups of the passes that run one thread per pixel (the skin's
/// deferred shading, the splat's resolve); the shaders see it as `IMAGE_TILE`.
pub const IMAGE_TILE: u32 = 8;

/// Workgroup counts for `n` threads of [`WORKGROUP_SIZE`], folded into 2D so no dimension passes
/// 65 535 (shaders rebuild the linear index as gid.x + gid.y · nwg.x · WORKGROUP_SIZE).
pub fn dispatch_size(n: u32) -> (u32, u32) {
    let groups = n.div_ceil(WORKGROUP_SIZE).max(1);
    if groups <= MAX_GROUPS_PER_DIMENSION {
        (groups, 1)
    } else {
        let x = 32_768;
        (x, groups.div_ceil(x))
    }
}

/// A list a compute pass fills (its counters, then the items), and the arguments of the
/// indirect dispatch that works through it, written by a one-thread pass from the count. The
/// arguments are bound in a group of their own, group 1 of the pipeline that writes them: a
/// buffer read as dispatch arguments cannot be bound writable in the same dispatch.
pub struct IndirectList {
    /// `words` u32s: the counters, then the items.
    pub list: wgpu::Buffer,
    /// Three u32 workgroup counts.
    pub args: wgpu::Buffer,
    /// Group 1 of the pipeline that writes `args` (binding 0).
    pub args_layout: wgpu::BindGroupLayout,
    pub args_group: wgpu::BindGroup,
}

impl IndirectList {
    pub fn new(gpu: &Gpu, label: &str, words: u32) -> IndirectList {
        let d = &gpu.device;
        let dispatch = format!("{label}' dispatch");
        let list = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some(label),
            size: u64::from(words) * 4,
            usage: wgpu::BufferUsages::STORAGE,
            mapped_at_creation: false,
        });
        let args = d.create_buffer(&wgpu::BufferDescriptor {
            label: Some(&dispatch),
            size: 16,
            usage: wgpu::BufferUsages::STORAGE | wgpu::BufferUsages::INDIRECT,
            mapped_at_creation: false,
        });
        let args_layout = d.create_bind_group_layout(&wgpu::BindGroupLayoutDescriptor {
            label: Some(&dispatch),
            entries: &[entry::storage(0, wgpu::ShaderStages::COMPUTE, false)],
        });
        let args_group = d.create_bind_group(&wgpu::BindGroupDescriptor {
            label: Some(&dispatch),
            layout: &args_layout,
            entries: &[wgpu::BindGroupEntry {
                binding: 0,
                resource: args.as_entire_binding(),
            }],
        });
        IndirectList {
            list,
            args,
            args_layout,
            args_group,
        }
    }
}

/// GPU memory we allow ourselves. wgpu cannot ask a device how much memory it has, so: the
/// `SCALP_GPU_MEMORY_MB` environment variable when set; on CPU adapters (lavapipe, llvmpipe,
/// whose "GPU memory" is system memory) a third of the available RAM (the CPU side holds
/// copies too); otherwise 12 GiB. Requests
/// over it are refused with the numbers; an allocation that still fails is caught by an
/// out-of-memory error scope.
pub fn memory_budget(info: &wgpu::AdapterInfo) -> u64 {
    if let Some(mb) = std::env::var("SCALP_GPU_MEMORY_MB")
        .ok()
        .and_then(|v| v.parse::<u64>().ok())
    {
        return mb << 20;
    }
    if info.device_type == wgpu::DeviceType::Cpu {
        if let Ok(text) = std::fs::read_to_string("/proc/meminfo") {
            for line in text.lines() {
                if let Some(rest) = line.strip_prefix("MemAvailable:") {
                    if let Some(kb) = rest
                        .split_whitespace()
                        .next()
                        .and_then(|v| v.parse::<u64>().ok())
                    {
                        return kb * 1024 / 3;
                    }
                }
            }
        }
    }
    12 << 30
}

/// Bind group layout entries, the few kinds the passes use.
pub mod entry {
    use wgpu::{BindGroupLayoutEntry, BindingType, BufferBindingType, ShaderStages};

    pub fn buffer(
        binding: u32,
        stages: ShaderStages,
        ty: BufferBindingType,
    ) -> BindGroupLayoutEntry {
        BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: BindingType::Buffer {
                ty,
                has_dynamic_offset: false,
                min_binding_size: None,
            },
            count: None,
        }
    }

    /// A parameter block made by [`Gpu::params`](super::Gpu::params): read-only storage.
    pub fn params(binding: u32, stages: ShaderStages) -> BindGroupLayoutEntry {
        storage(binding, stages, true)
    }

    pub fn storage(binding: u32, stages: ShaderStages, read_only: bool) -> BindGroupLayoutEntry {
        buffer(binding, stages, BufferBindingType::Storage { read_only })
    }

    /// A filterable 2D float texture read through a sampler.
    pub fn sampled_texture(binding: u32, stages: ShaderStages) -> BindGroupLayoutEntry {
        BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: true },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        }
    }

    pub fn filtering_sampler(binding: u32, stages: ShaderStages) -> BindGroupLayoutEntry {
        BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: BindingType::Sampler(wgpu::SamplerBindingType::Filtering),
            count: None,
        }
    }

    /// A 2D float texture read with textureLoad (no sampler).
    pub fn texture(binding: u32, stages: ShaderStages) -> BindGroupLayoutEntry {
        BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Float { filterable: false },
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        }
    }

    /// A depth texture (a shadow map), read by comparison or gathered.
    pub fn depth_texture(binding: u32, stages: ShaderStages) -> BindGroupLayoutEntry {
        BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: BindingType::Texture {
                sample_type: wgpu::TextureSampleType::Depth,
                view_dimension: wgpu::TextureViewDimension::D2,
                multisampled: false,
            },
            count: None,
        }
    }

    pub fn comparison_sampler(binding: u32, stages: ShaderStages) -> BindGroupLayoutEntry {
        BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: BindingType::Sampler(wgpu::SamplerBindingType::Comparison),
            count: None,
        }
    }

    pub fn non_filtering_sampler(binding: u32, stages: ShaderStages) -> BindGroupLayoutEntry {
        BindGroupLayoutEntry {
            binding,
            visibility: stages,
            ty: BindingType::Sampler(wgpu::SamplerBindingType::NonFiltering),
            count: None,
        }
    }
}
