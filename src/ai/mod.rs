//! GPT-2-family inference on ONNX Runtime: runtime loading, tokenizer, generation, service.
use std::path::PathBuf;
use std::time::Duration;

pub mod bot;
pub mod cli;
pub mod config;
pub mod engine;
pub mod error;
pub mod forum;
pub mod generate;
mod layout;
pub mod model;
pub mod runtime;
pub mod sampling;
pub mod service;
pub mod summarize;
pub mod tokenizer;

pub use config::ModelConfig;
pub use engine::Engine;
pub use error::{AiError, LoadError};
pub use generate::{Controls, FinishReason, GenerateRequest, Generation};
pub use runtime::Runtime;
pub use sampling::SamplingParams;
pub use service::{AiService, AiStats, AiStatus, ModelSummary, TextStream};

/// What the AI module needs from the forum's settings (built by `crate::config`).
#[derive(Debug, Clone)]
pub struct AiSettings {
    /// `ORT_DYLIB_PATH`: the libonnxruntime.so to load; `None` means "not configured".
    pub ort_dylib_path: Option<PathBuf>,
    /// `AGORA_MODEL_DIR`: holds model.onnx, tokenizer.json, config.json.
    pub model_dir: PathBuf,
    /// `AGORA_AI_THREADS`: inference threads (each owns a session).
    pub threads: usize,
    /// `AGORA_AI_QUEUE`: requests that may wait before callers get "busy".
    pub queue_capacity: usize,
    /// `AGORA_AI_DEADLINE_SECS`: wall-clock limit for one generation.
    pub deadline: Duration,
}
