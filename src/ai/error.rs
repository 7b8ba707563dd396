//! Typed errors of the AI module: what a user reads, and why a model or runtime could not load.
use std::path::PathBuf;

/// What a caller of the AI gets back instead of text; each variant displays one sentence a user can read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AiError {
    /// The runtime or the model is missing or unusable; the forum runs on without AI.
    #[error("AI is off: {0}")]
    Off(String),
    /// The request queue is full; the caller should retry later instead of piling up work.
    #[error("The AI is busy with other requests; please try again in a moment.")]
    Busy,
    /// The wall-clock limit passed before the answer was complete.
    #[error("The AI took too long to answer and was stopped.")]
    DeadlineExceeded,
    /// The caller went away (closed page, dropped request) and generation stopped.
    #[error("The AI request was cancelled.")]
    Cancelled,
    /// The request itself cannot be served (e.g. a parameter out of range).
    #[error("The AI request is invalid: {0}")]
    Invalid(String),
    /// The model failed while running.
    #[error("The AI model failed: {0}")]
    Model(String),
}

/// Why the runtime, the tokenizer or the model directory could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LoadError {
    #[error("ONNX Runtime library is not configured (run `make run` or set ORT_DYLIB_PATH)")]
    LibraryNotConfigured,
    #[error("ONNX Runtime library not found at {} (run `make run` or set ORT_DYLIB_PATH)", .0.display())]
    LibraryNotFound(PathBuf),
    #[error("{} is not a loadable ONNX Runtime library: {reason}", .path.display())]
    LibraryUnloadable { path: PathBuf, reason: String },
    #[error("ONNX Runtime at {} is version {found}, but agora needs {required} or newer", .path.display())]
    LibraryTooOld {
        path: PathBuf,
        found: String,
        required: String,
    },
    #[error("ONNX Runtime is already loaded from {} and cannot be switched to {} without a restart", .loaded.display(), .requested.display())]
    LibraryConflict { loaded: PathBuf, requested: PathBuf },
    #[error("ONNX Runtime could not start: {0}")]
    Environment(String),
    #[error("model file {} is missing", .0.display())]
    ModelFileMissing(PathBuf),
    #[error("{} is not valid: {reason}", .path.display())]
    BadConfig { path: PathBuf, reason: String },
    #[error("{} could not be loaded: {reason}", .path.display())]
    BadTokenizer { path: PathBuf, reason: String },
    #[error("{} could not be loaded by ONNX Runtime: {reason}", .path.display())]
    BadModel { path: PathBuf, reason: String },
    /// The graph's inputs/outputs do not match config.json (or the expected decoder-with-past layout).
    #[error("{0}")]
    Mismatch(String),
}

impl From<LoadError> for AiError {
    fn from(err: LoadError) -> Self {
        AiError::Off(err.to_string())
    }
}
