//! Building pipelines: each one timed (logged at debug level, target `scalp::gpu`) and, where
//! the backend has one (Vulkan), through wgpu's pipeline cache kept on disk per user and
//! adapter, so that a later run reuses what the driver compiled. A CPU driver (lavapipe)
//! compiles each shader at its first use instead (7 s of a first `scalp render` since the
//! generation pipelines are specialised per plan; 66 s before).
//!
//! The file: `<cache dir>/<wgpu's key for the adapter>.bin`, our header (magic, length, FNV-1a
//! of the data) then wgpu's data, written to a temporary file and renamed over the old one. A
//! file that is short, damaged or from another adapter is ignored (our checksum, then wgpu's
//! own validation), and the run starts with an empty cache.
use std::path::{Path, PathBuf};
use std::time::Instant;

const MAGIC: &[u8; 8] = b"SCALPPC1";
const HEADER: usize = 8 + 8 + 8;

/// Where scalp keeps its caches: `$SCALP_CACHE_DIR`, else `$XDG_CACHE_HOME/scalp`, else
/// `~/.cache/scalp`; None when none of them is set.
pub fn cache_dir() -> Option<PathBuf> {
    let var = |k: &str| std::env::var_os(k).filter(|v| !v.is_empty());
    if let Some(d) = var("SCALP_CACHE_DIR") {
        return Some(PathBuf::from(d));
    }
    if let Some(d) = var("XDG_CACHE_HOME") {
        return Some(PathBuf::from(d).join("scalp"));
    }
    var("HOME").map(|h| PathBuf::from(h).join(".cache").join("scalp"))
}

fn fnv1a(data: &[u8]) -> u64 {
    data.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The cache file's contents for wgpu's `data`.
pub fn wrap(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER + data.len());
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&(data.len() as u64).to_le_bytes());
    out.extend_from_slice(&fnv1a(data).to_le_bytes());
    out.extend_from_slice(data);
    out
}

/// wgpu's data inside a cache file, if the file is whole and ours.
pub fn unwrap(file: &[u8]) -> Option<&[u8]> {
    if file.len() < HEADER || &file[..8] != MAGIC {
        return None;
    }
    let len = u64::from_le_bytes(file[8..16].try_into().ok()?);
    let sum = u64::from_le_bytes(file[16..24].try_into().ok()?);
    let data = &file[HEADER..];
    (data.len() as u64 == len && fnv1a(data) == sum).then_some(data)
}

/// The device's pipeline cache and the file it is kept in.
pub struct PipelineCacheFile {
    pub cache: wgpu::PipelineCache,
    pub path: PathBuf,
    /// Whether the file held a cache that was used (false: this run compiles everything).
    pub warm: bool,
    /// Size of the data last read or written, so that an unchanged cache is not rewritten.
    saved_len: std::sync::atomic::AtomicUsize,
}

impl PipelineCacheFile {
    /// Opens the cache for `device` on the adapter `info` from `dir`; None where the backend
    /// has no pipeline cache (GL) or the device lacks the feature.
    pub fn open(
        device: &wgpu::Device,
        info: &wgpu::AdapterInfo,
        dir: &Path,
    ) -> Option<PipelineCacheFile> {
        if !device.features().contains(wgpu::Features::PIPELINE_CACHE) {
            return None;
        }
        let path = dir.join(format!("{}.bin", wgpu::util::pipeline_cache_key(info)?));
        let file = std::fs::read(&path).ok();
        let data = file.as_deref().and_then(unwrap);
        if file.is_some() && data.is_none() {
            log::warn!(
                "ignoring the damaged pipeline cache {} (it will be rebuilt)",
                path.display()
            );
        }
        let create = |data: Option<&[u8]>| {
            let scope = device.push_error_scope(wgpu::ErrorFilter::Validation);
            // SAFETY: `data` is only ever what `PipelineCache::get_data` gave for an adapter
            // with this key (our checksum rules out a damaged file); wgpu checks its header
            // (version, adapter, driver) and ignores the data where they differ.
            let cache = unsafe {
                device.create_pipeline_cache(&wgpu::PipelineCacheDescriptor {
                    label: Some("scalp pipelines"),
                    data,
                    fallback: true,
                })
            };
            match pollster::block_on(scope.pop()) {
                None => Some(cache),
                Some(e) => {
                    log::warn!(
                        "ignoring the pipeline cache {}: {}",
                        path.display(),
                        super::error_chain(&e)
                    );
                    None
                }
            }
        };
        let (cache, warm) = match data.and_then(|d| create(Some(d))) {
            Some(c) => (c, true),
            None => (create(None)?, false),
        };
        Some(PipelineCacheFile {
            cache,
            path,
            warm,
            saved_len: data.filter(|_| warm).map_or(0, |d| d.len()).into(),
        })
    }

    /// Writes the cache to its file when it has grown since it was read or last written:
    /// to a temporary file beside it, then renamed over it, so that a reader never sees half
    /// a file and two runs writing at once leave one whole file.
    pub fn save(&self) {
        use std::sync::atomic::Ordering::Relaxed;
        let Some(data) = self.cache.get_data() else {
            return;
        };
        if data.len() == self.saved_len.load(Relaxed) {
            return;
        }
        let dir = self.path.parent().unwrap_or(Path::new("."));
        let tmp = self
            .path
            .with_extension(format!("tmp{}", std::process::id()));
        let written = std::fs::create_dir_all(dir)
            .and_then(|_| std::fs::write(&tmp, wrap(&data)))
            .and_then(|_| std::fs::rename(&tmp, &self.path));
        match written {
            Ok(()) => {
                self.saved_len.store(data.len(), Relaxed);
                log::debug!(target: "scalp::gpu", "pipeline cache: {} bytes written to {}", data.len(), self.path.display());
            }
            Err(e) => {
                let _ = std::fs::remove_file(&tmp);
                log::warn!(
                    "cannot write the pipeline cache {}: {e}",
                    self.path.display()
                );
            }
        }
    }
}

impl super::Gpu {
    /// The pipeline cache to build pipelines with, where the backend has one.
    pub fn pipeline_cache(&self) -> Option<&wgpu::PipelineCache> {
        self.pipelines.as_ref().map(|p| &p.cache)
    }

    /// Builds a render pipeline through the cache (its `cache` field is replaced), logging how
    /// long the driver took.
    pub fn render_pipeline(&self, desc: wgpu::RenderPipelineDescriptor) -> wgpu::RenderPipeline {
        let start = Instant::now();
        let label = desc.label.unwrap_or("unnamed");
        let p = self
            .device
            .create_render_pipeline(&wgpu::RenderPipelineDescriptor {
                cache: self.pipeline_cache(),
                ..desc
            });
        log_built(label, start);
        p
    }

    /// Builds a compute pipeline through the cache (its `cache` field is replaced), logging
    /// how long the driver took.
    pub fn compute_pipeline(&self, desc: wgpu::ComputePipelineDescriptor) -> wgpu::ComputePipeline {
        let start = Instant::now();
        let label = desc.label.unwrap_or("unnamed");
        let p = self
            .device
            .create_compute_pipeline(&wgpu::ComputePipelineDescriptor {
                cache: self.pipeline_cache(),
                ..desc
            });
        log_built(label, start);
        p
    }

    /// Keeps what the driver compiled so far for the next run (see [`PipelineCacheFile::save`]).
    pub fn save_pipeline_cache(&self) {
        if let Some(p) = &self.pipelines {
            p.save();
        }
    }

    /// A line for the user while the pipelines are first compiled on a CPU driver (lavapipe,
    /// llvmpipe: seconds), when nothing of them is cached yet; None otherwise.
    pub fn first_run_note(&self) -> Option<String> {
        if self.info.device_type != wgpu::DeviceType::Cpu {
            return None;
        }
        let dir = cache_dir();
        match &self.pipelines {
            Some(p) if p.warm => None,
            Some(p) => Some(format!(
                "compiling shaders for {} (first run, some seconds; cached afterwards in {})",
                self.info.name,
                p.path.parent().unwrap_or(Path::new(".")).display()
            )),
            // No pipeline cache (GL): the driver's own disk cache is all there is; say it once
            // per adapter, marked by a stamp file.
            None => {
                let stamp = dir?.join(format!("{}.seen", stamp_name(&self.info)));
                if stamp.exists() {
                    return None;
                }
                let _ = std::fs::create_dir_all(stamp.parent()?);
                let _ = std::fs::write(&stamp, b"");
                Some(format!(
                    "compiling shaders for {} (first run, some seconds; the driver caches them \
                     afterwards)",
                    self.info.name
                ))
            }
        }
    }
}

/// A file name for an adapter without a pipeline cache key.
fn stamp_name(info: &wgpu::AdapterInfo) -> String {
    format!(
        "{:?}_{}_{}_{}",
        info.backend, info.name, info.driver, info.driver_info
    )
    .chars()
    .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
    .collect()
}

fn log_built(label: &str, start: Instant) {
    log::debug!(
        target: "scalp::gpu",
        "pipeline {label}: {:.0} ms",
        start.elapsed().as_secs_f64() * 1e3
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cache_file_is_read_back_only_when_whole() {
        let data = b"some pipeline bytes".to_vec();
        let file = wrap(&data);
        assert_eq!(unwrap(&file), Some(&data[..]));
        // Cut short, one byte changed, another program's file, empty: all refused.
        assert_eq!(unwrap(&file[..file.len() - 1]), None);
        let mut flipped = file.clone();
        *flipped.last_mut().unwrap() ^= 1;
        assert_eq!(unwrap(&flipped), None);
        let mut foreign = file.clone();
        foreign[0] = b'X';
        assert_eq!(unwrap(&foreign), None);
        assert_eq!(unwrap(&[]), None);
    }
}
