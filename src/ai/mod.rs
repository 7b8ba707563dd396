//! GPT-2-family inference on ONNX Runtime (runtime loading, tokenizer, generation, service) and the
//! AI features' engine parts: the answer bot's retrieval and checks, summary steps, evaluation. Their
//! write paths and jobs live in `services::{summaries, bot}`.

pub mod answer;
pub mod bot;
pub mod config;
pub mod controls;
pub mod copy;
pub mod draft;
pub mod draft_eval;
pub mod engine;
pub mod error;
pub mod eval;
pub mod generate;
mod layout;
pub mod model;
pub mod runtime;
pub mod sampling;
pub mod service;
pub mod summarize;
pub mod terms;
pub mod tokenizer;

pub use config::ModelConfig;
pub use engine::Engine;
pub use error::{AiError, LoadError};
pub use generate::{Controls, FinishReason, GenerateRequest, Generation};
pub use runtime::Runtime;
pub use sampling::SamplingParams;
pub use service::{AiService, AiStats, AiStatus, ModelSummary, TextStream};

/// The AI module's settings, read with the rest by `crate::config`.
pub use crate::config::AiSettings;
