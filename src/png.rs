//! PNG files written whole or not at all.
use crate::error::{Result, ScalpError};
use std::path::Path;

/// Whether a PNG can be written at `path`: a `.png` name in a folder that exists and takes
/// files. Commands ask before they render, so a bad path costs no render; [`write_png`] asks
/// again. Returns the temporary file's path beside it.
pub fn check_path(path: &Path) -> Result<std::path::PathBuf> {
    check_output(path, "png")
}

/// Whether an output file can be written whole at `path`: a name ending in `.extension` in a
/// folder that exists and takes files (PNGs, matched plans). Returns the temporary file's path
/// beside it, to write to and rename.
pub fn check_output(path: &Path, extension: &str) -> Result<std::path::PathBuf> {
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
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d.to_path_buf(),
        _ => std::path::PathBuf::from("."),
    };
    if !dir.is_dir() {
        return Err(err(format!("the folder {} does not exist", dir.display())));
    }
    if path.is_dir() {
        return Err(err("it is a folder".into()));
    }
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_string())
        .unwrap_or_else(|| format!("out.{extension}"));
    let tmp = dir.join(format!(".{name}.{}.partial", std::process::id()));
    // A folder that exists may still refuse files (read-only, full): find out now.
    std::fs::File::create(&tmp)
        .and_then(|_| std::fs::remove_file(&tmp))
        .map_err(|e| err(format!("the folder {} takes no files: {e}", dir.display())))?;
    Ok(tmp)
}

/// Writes a PNG whole or not at all: to a temporary file beside `path`, then renamed.
pub fn write_png(img: &image::RgbaImage, path: &Path) -> Result<()> {
    let err = |message: String| ScalpError::Output {
        path: path.to_path_buf(),
        message,
    };
    let tmp = check_path(path)?;
    let result = (|| -> std::result::Result<(), String> {
        let file = std::fs::File::create(&tmp).map_err(|e| e.to_string())?;
        let mut w = std::io::BufWriter::new(file);
        img.write_to(&mut w, image::ImageFormat::Png)
            .map_err(|e| e.to_string())?;
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
