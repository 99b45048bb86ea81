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

    /// wgpu reported an error (validation, internal, device lost) while we worked.
    #[error("GPU error during {during}: {message}")]
    Gpu { during: String, message: String },

    /// The GPU could not make an allocation while we worked: everything on the device may be
    /// gone, and a program that keeps running (the viewer) makes a new one.
    #[error("the GPU ran out of memory during {during}: {message}")]
    GpuOutOfMemory { during: String, message: String },

    /// A bad argument given on the command line or through the library API. `what` names the
    /// quantity in words (see [`Quantity`]), never a command-line flag: the library is also
    /// driven by the viewer's sliders. The CLI maps the quantity back to its flag.
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

    /// A value of `quantity` that cannot be used.
    pub fn bad(quantity: Quantity, message: impl Into<String>) -> Self {
        Self::invalid(quantity.name(), message)
    }
}

/// The quantities a caller gives the library, named in words in its errors. Front ends say
/// how each is given (the CLI's flag, the viewer's control).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Quantity {
    /// The time since the first session.
    Years,
    /// The size of an image in pixels.
    ImageSize,
    /// The number of dots asked for.
    DotCount,
    /// The three landmarks that align a scan.
    Landmarks,
    /// The way dots are splatted (raster or compute).
    SplattingPath,
    /// The GPU adapter asked for.
    Adapter,
}

impl Quantity {
    pub const ALL: [Quantity; 6] = [
        Quantity::Years,
        Quantity::ImageSize,
        Quantity::DotCount,
        Quantity::Landmarks,
        Quantity::SplattingPath,
        Quantity::Adapter,
    ];

    /// The quantity in words, as errors name it.
    pub fn name(self) -> &'static str {
        match self {
            Quantity::Years => "years",
            Quantity::ImageSize => "image size",
            Quantity::DotCount => "dot count",
            Quantity::Landmarks => "landmarks",
            Quantity::SplattingPath => "splatting path",
            Quantity::Adapter => "adapter",
        }
    }

    /// The quantity an error's `what` names, if it names one.
    pub fn from_name(name: &str) -> Option<Quantity> {
        Quantity::ALL.into_iter().find(|q| q.name() == name)
    }
}

impl std::fmt::Display for Quantity {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}
