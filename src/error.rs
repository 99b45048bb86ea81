//! One error type for the whole library. Every variant says what was wrong and where
//! (file, line, field, allowed range), because the people who meet these errors are
//! clinicians loading a scan or trainers editing a plan, not developers with a debugger.
use std::path::PathBuf;

#[derive(Debug, thiserror::Error)]
pub enum ScalpError {
    /// A file could not be opened or read at all.
    #[error("cannot read {path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },

    /// A mesh file is malformed, or its content cannot be used as a head.
    /// `line` is 1-based where the problem is tied to one line of the file.
    #[error("{}: {message}", location(path, *line))]
    Mesh {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },

    /// A treatment plan is malformed or has a value out of range.
    #[error("{}: field `{field}`: {message}", location(path, *line))]
    Plan {
        path: PathBuf,
        line: Option<usize>,
        field: String,
        message: String,
    },

    /// A landmarks file beside a mesh is malformed.
    #[error("{}: {message}", location(path, *line))]
    Landmarks {
        path: PathBuf,
        line: Option<usize>,
        message: String,
    },

    /// No usable GPU adapter (real or software) was found.
    #[error("no GPU adapter found{detail}.\n  scalp needs a wgpu adapter. Without a GPU, install Mesa's software drivers:\n    Debian/Ubuntu: sudo apt-get install -y mesa-vulkan-drivers   (lavapipe, Vulkan)\n  llvmpipe (OpenGL) usually ships with libgl1-mesa-dri. List what was found with `scalp adapters`.")]
    NoAdapter { detail: String },

    /// A request does not fit on this adapter, even when split into chunks.
    #[error(
        "{what} does not fit: needs {needed} bytes, this adapter allows {allowed} bytes ({hint})"
    )]
    TooLarge {
        what: String,
        needed: u64,
        allowed: u64,
        hint: String,
    },

    /// wgpu reported an error (validation, out of memory, device lost) while we worked.
    #[error("GPU error during {during}: {message}")]
    Gpu { during: String, message: String },

    /// A bad argument given on the command line or through the library API.
    #[error("{what}: {message}")]
    Invalid { what: String, message: String },

    /// An output file could not be written. Nothing partial is left behind.
    #[error("cannot write {path}: {message}")]
    Output { path: PathBuf, message: String },
}

fn location(path: &std::path::Path, line: Option<usize>) -> String {
    match line {
        Some(l) => format!("{}:{}", path.display(), l),
        None => path.display().to_string(),
    }
}

pub type Result<T, E = ScalpError> = std::result::Result<T, E>;

impl ScalpError {
    pub fn invalid(what: impl Into<String>, message: impl Into<String>) -> Self {
        ScalpError::Invalid {
            what: what.into(),
            message: message.into(),
        }
    }
}
