//! Output files written whole or not at all: each is written to a hidden temporary file beside
//! its target (`.NAME.PID.partial`), synced and renamed over the target. A run killed mid-write
//! (kill -9, power loss) cannot clean up, so the writer holds an exclusive lock on its partial
//! file while it writes, and every later write into that folder removes the partial files whose
//! lock is free and whose process is gone.
use crate::error::{Result, ScalpError};
use std::io::Write;
use std::path::{Path, PathBuf};

/// Whether a PNG can be written at `path`: a `.png` name in a folder that exists and takes
/// files. Commands ask before they render, so a bad path costs no render; [`write_png`] asks
/// again. Returns the temporary file's path beside it.
pub fn check_path(path: &Path) -> Result<PathBuf> {
    check_output(path, "png")
}

/// The folder an output path lies in ("." for a bare name).
fn folder_of(path: &Path) -> PathBuf {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// The temporary file a process `pid` writes `name` through.
fn partial_name(name: &str, pid: u32) -> String {
    format!(".{name}.{pid}.partial")
}

/// The process id a partial file's name carries, if `file_name` is one of ours.
fn partial_pid(file_name: &str) -> Option<u32> {
    let rest = file_name.strip_prefix('.')?.strip_suffix(".partial")?;
    let (name, pid) = rest.rsplit_once('.')?;
    if name.is_empty() {
        return None;
    }
    pid.parse().ok()
}

/// Whether process `pid` still runs (on this machine's process table). Where that cannot be
/// told it is taken as running, so nothing of a live writer is removed.
fn process_alive(pid: u32) -> bool {
    #[cfg(unix)]
    {
        let Ok(pid) = libc::pid_t::try_from(pid) else {
            return true;
        };
        // Signal 0 only asks whether the process exists; EPERM means it does (another user's).
        // SAFETY: kill with signal 0 sends nothing.
        let r = unsafe { libc::kill(pid, 0) };
        r == 0 || std::io::Error::last_os_error().raw_os_error() != Some(libc::ESRCH)
    }
    #[cfg(not(unix))]
    {
        let _ = pid;
        true
    }
}

/// Takes the exclusive lock a writer holds on its partial file; false when another process
/// (or another open file) holds it. The lock goes with the process, even on kill -9.
fn try_lock(file: &std::fs::File) -> bool {
    #[cfg(unix)]
    {
        use std::os::fd::AsRawFd;
        // SAFETY: flock on a descriptor this File owns; it does not outlive the call.
        unsafe { libc::flock(file.as_raw_fd(), libc::LOCK_EX | libc::LOCK_NB) == 0 }
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        true
    }
}

/// Removes the partial files in `dir` that runs killed mid-write left: ours by name, with a
/// process that is gone and a lock nobody holds (a live writer in another pid namespace still
/// holds its lock). Returns how many were removed. Errors are ignored: cleaning up is a
/// courtesy, never a reason to fail a write.
pub fn remove_stale_partials(dir: &Path) -> usize {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return 0;
    };
    let me = std::process::id();
    let mut removed = 0;
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(pid) = name.to_str().and_then(partial_pid) else {
            continue;
        };
        if pid == me || process_alive(pid) {
            continue;
        }
        let path = entry.path();
        if !entry.file_type().is_ok_and(|t| t.is_file()) {
            continue;
        }
        let Ok(file) = std::fs::File::open(&path) else {
            continue;
        };
        if try_lock(&file) && std::fs::remove_file(&path).is_ok() {
            log::info!("removed {} left by a run that was killed", path.display());
            removed += 1;
        }
    }
    removed
}

/// Whether an output file can be written whole at `path`: a name ending in `.extension` in a
/// folder that exists and takes files (PNGs, matched plans). Removes what killed runs left in
/// that folder ([`remove_stale_partials`]). Returns the temporary file's path beside it, to
/// write to and rename.
pub fn check_output(path: &Path, extension: &str) -> Result<PathBuf> {
    let err = |message: String| ScalpError::Output {
        path: path.to_path_buf(),
        message,
    };
    match path.extension().and_then(|e| e.to_str()) {
        Some(e) if e.eq_ignore_ascii_case(extension) => {}
        _ => {
            return Err(err(format!(
                "the output file name must end in .{extension}"
            )))
        }
    }
    let dir = folder_of(path);
    if !dir.is_dir() {
        return Err(err(format!("the folder {} does not exist", dir.display())));
    }
    if path.is_dir() {
        return Err(err("it is a folder".into()));
    }
    remove_stale_partials(&dir);
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| format!("out.{extension}"));
    let tmp = dir.join(partial_name(&name, std::process::id()));
    // A folder that exists may still refuse files (read-only, full): find out now.
    std::fs::File::create(&tmp)
        .and_then(|_| std::fs::remove_file(&tmp))
        .map_err(|e| err(format!("the folder {} takes no files: {e}", dir.display())))?;
    Ok(tmp)
}

/// Writes an output file whole or not at all: `write` fills a locked temporary file beside
/// `path` (see the module), which is synced and renamed over `path`; on any error it is
/// removed. `extension` is the one `path` must have.
pub fn write_whole(
    path: &Path,
    extension: &str,
    write: impl FnOnce(&mut dyn Write) -> std::result::Result<(), String>,
) -> Result<()> {
    let err = |message: String| ScalpError::Output {
        path: path.to_path_buf(),
        message,
    };
    let tmp = check_output(path, extension)?;
    let result = (|| -> std::result::Result<(), String> {
        let file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        // Held until the file is closed: tells later runs this partial file is being written.
        try_lock(&file);
        let mut w = std::io::BufWriter::new(file);
        write(&mut w)?;
        let file = w.into_inner().map_err(|e| e.to_string())?;
        file.sync_all().map_err(|e| e.to_string())?;
        std::fs::rename(&tmp, path).map_err(|e| e.to_string())
    })();
    if let Err(e) = result {
        let _ = std::fs::remove_file(&tmp);
        return Err(err(e));
    }
    Ok(())
}

/// Writes a PNG whole or not at all ([`write_whole`]).
pub fn write_png(img: &image::RgbaImage, path: &Path) -> Result<()> {
    write_whole(path, "png", |w| {
        img.write_with_encoder(image::codecs::png::PngEncoder::new(w))
            .map_err(|e| e.to_string())
    })
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    /// The id of a process that has ended (a child run and reaped).
    fn dead_pid() -> u32 {
        let mut child = std::process::Command::new("true").spawn().unwrap();
        let pid = child.id();
        child.wait().unwrap();
        pid
    }

    #[test]
    fn partial_names_carry_the_pid() {
        assert_eq!(partial_pid(&partial_name("a.b.png", 4321)), Some(4321));
        assert_eq!(partial_pid(".a.png.partial"), None);
        assert_eq!(partial_pid("a.png.12.partial"), None);
        assert_eq!(partial_pid("..12.partial"), None);
    }

    #[test]
    fn what_a_killed_run_left_is_removed_and_a_live_writer_is_not() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dead = dead_pid();
        assert!(!process_alive(dead));
        // A killed run's partial file of this output and of another one in the folder.
        let left = d.join(partial_name("out.png", dead));
        let other = d.join(partial_name("sheet.png", dead));
        std::fs::write(&left, b"\x89PNG half").unwrap();
        std::fs::write(&other, b"").unwrap();
        // A writer whose pid we cannot see (another pid namespace) holds its lock.
        let held = d.join(partial_name("held.png", dead_pid()));
        let writer = std::fs::File::create(&held).unwrap();
        assert!(try_lock(&writer));
        // A running process's partial file, and a file that only looks like ours.
        let mut sleeper = std::process::Command::new("sleep")
            .arg("60")
            .spawn()
            .unwrap();
        let live = d.join(partial_name("out.png", sleeper.id()));
        std::fs::write(&live, b"").unwrap();
        let foreign = d.join(".notes.partial");
        std::fs::write(&foreign, b"").unwrap();

        let img = image::RgbaImage::from_pixel(3, 2, image::Rgba([10, 20, 30, 255]));
        write_png(&img, &d.join("out.png")).unwrap();
        assert!(
            !left.exists() && !other.exists(),
            "stale partial files stay"
        );
        assert!(held.exists(), "a locked partial file was removed");
        assert!(live.exists(), "a live process's partial file was removed");
        assert!(foreign.exists());
        assert_eq!(image::open(d.join("out.png")).unwrap().to_rgba8(), img);

        // Once its writer has gone, the locked one goes too.
        drop(writer);
        assert_eq!(remove_stale_partials(d), 1);
        assert!(!held.exists());
        sleeper.kill().unwrap();
        sleeper.wait().unwrap();
    }
}
