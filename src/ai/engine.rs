//! A model directory (model.onnx, tokenizer.json, config.json) loaded and cross-checked as one engine.
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::config::ModelConfig;
use super::error::LoadError;
use super::model::Gpt2Model;
use super::runtime::Runtime;
use super::tokenizer::TextTokenizer;

/// The files a model directory must hold.
pub const MODEL_FILE: &str = "model.onnx";
pub const CONFIG_FILE: &str = "config.json";
pub const TOKENIZER_FILE: &str = "tokenizer.json";

/// One inference session with its tokenizer; owned by one thread (the session is not shared).
#[derive(Debug)]
pub struct Engine {
    pub(super) model: Gpt2Model,
    pub(super) tokenizer: TextTokenizer,
    /// Scratch copy of the last logits row, changed in place by sampling.
    pub(super) logits: Vec<f32>,
    dir: PathBuf,
    load_time: Duration,
}

impl Engine {
    /// Loads everything in `dir`; `intra_threads` is the operator thread count of the session.
    pub fn load(runtime: &Runtime, dir: &Path, intra_threads: usize) -> Result<Engine, LoadError> {
        Engine::load_variant(runtime, dir, MODEL_FILE, intra_threads)
    }

    /// Like [`Engine::load`] with another graph file of the same directory (e.g. a quantised copy).
    pub fn load_variant(
        runtime: &Runtime,
        dir: &Path,
        model_file: &str,
        intra_threads: usize,
    ) -> Result<Engine, LoadError> {
        let started = Instant::now();
        let config = ModelConfig::from_file(&dir.join(CONFIG_FILE))?;
        let tokenizer = TextTokenizer::from_file(&dir.join(TOKENIZER_FILE))?;
        if tokenizer.vocab_size() > config.vocab_size {
            return Err(LoadError::Mismatch(format!(
                "tokenizer.json has {} tokens but config.json says vocab_size={}",
                tokenizer.vocab_size(),
                config.vocab_size
            )));
        }
        let model = Gpt2Model::load(runtime, &dir.join(model_file), &config, intra_threads)?;
        Ok(Engine {
            logits: vec![0.0; config.vocab_size],
            model,
            tokenizer,
            dir: dir.to_path_buf(),
            load_time: started.elapsed(),
        })
    }

    pub fn config(&self) -> &ModelConfig {
        self.model.config()
    }

    pub fn tokenizer(&self) -> &TextTokenizer {
        &self.tokenizer
    }

    pub fn model(&self) -> &Gpt2Model {
        &self.model
    }

    /// Direct access to the session, e.g. to compare cached and full forward passes.
    pub fn model_mut(&mut self) -> &mut Gpt2Model {
        &mut self.model
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn load_time(&self) -> Duration {
        self.load_time
    }
}
