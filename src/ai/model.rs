//! One ONNX Runtime session of a GPT-2 decoder with past key/values, checked against config.json.
//!
//! The graph layout is Hugging Face optimum's `text-generation-with-past`: inputs `input_ids`,
//! optional `attention_mask` and `position_ids`, `past_key_values.{i}.key/.value`
//! [batch, n_head, past_seq, head_dim]; outputs `logits` and `present.{i}.key/.value`.
use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, Outlet, Tensor, TensorRef};

use super::config::ModelConfig;
use super::error::{AiError, LoadError};
use super::layout::{ports, resolve_layout, Layout};
use super::runtime::{panic_message, Runtime};

/// A name, element type and shape of one graph input or output, for `ai info`.
#[derive(Debug, Clone)]
pub struct TensorInfo {
    pub name: String,
    pub description: String,
}

/// The present key/values of the tokens fed so far (in the graph's `past` order) and how many
/// tokens they hold. One cache may be the past of several continuations (beam search forks it).
#[derive(Debug, Default)]
pub struct KvCache {
    values: Vec<DynValue>,
    len: usize,
}

impl KvCache {
    /// Tokens this cache holds.
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }
}

/// A GPT-2 decoder session plus its KV cache; use from one thread at a time.
pub struct Gpt2Model {
    session: Session,
    config: ModelConfig,
    layout: Layout,
    /// The cache of [`Gpt2Model::forward`]'s running context.
    cache: KvCache,
    mask: Vec<i64>,
    ids: Vec<i64>,
    positions: Vec<i64>,
    last_logits: Vec<f32>,
}

impl std::fmt::Debug for Gpt2Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpt2Model")
            .field("config", &self.config)
            .field("cached_len", &self.cache.len)
            .finish_non_exhaustive()
    }
}

impl Gpt2Model {
    /// Opens `model.onnx` with `intra_threads` threads for its operators and checks it against `config`.
    pub fn load(
        runtime: &Runtime,
        model_path: &Path,
        config: &ModelConfig,
        intra_threads: usize,
    ) -> Result<Gpt2Model, LoadError> {
        if !model_path.is_file() {
            return Err(LoadError::ModelFileMissing(model_path.to_path_buf()));
        }
        let bad = |reason: String| LoadError::BadModel {
            path: model_path.to_path_buf(),
            reason,
        };
        let session = catch_unwind(AssertUnwindSafe(|| -> Result<Session, String> {
            Session::builder(runtime.environment())
                .map_err(|e| e.to_string())?
                .with_intra_threads(intra_threads.max(1))
                .map_err(|e| e.to_string())?
                .with_inter_threads(1)
                .map_err(|e| e.to_string())?
                .commit_from_file(model_path)
                .map_err(|e| e.to_string())
        }))
        .map_err(|panic| bad(panic_message(&panic)))?
        .map_err(bad)?;
        let layout = resolve_layout(&ports(session.inputs()), &ports(session.outputs()), config)?;
        let mut model = Gpt2Model {
            session,
            config: config.clone(),
            layout,
            cache: KvCache::default(),
            mask: vec![1; config.n_positions],
            ids: Vec::with_capacity(config.n_positions),
            positions: Vec::with_capacity(config.n_positions),
            last_logits: vec![0.0; config.vocab_size],
        };
        model.reset().map_err(|e| bad(e.to_string()))?;
        Ok(model)
    }

    pub fn config(&self) -> &ModelConfig {
        &self.config
    }

    /// Tokens currently held in the KV cache.
    pub fn cached_len(&self) -> usize {
        self.cache.len
    }

    pub fn inputs(&self) -> Vec<TensorInfo> {
        describe(self.session.inputs())
    }

    pub fn outputs(&self) -> Vec<TensorInfo> {
        describe(self.session.outputs())
    }

    /// Forgets the cached context (a new prompt starts from position 0).
    pub fn reset(&mut self) -> Result<(), AiError> {
        self.cache = self.empty_cache()?;
        Ok(())
    }

    /// A cache holding no tokens (empty past tensors), to start a context from.
    pub fn empty_cache(&self) -> Result<KvCache, AiError> {
        let shape = [1, self.config.n_head, 0, self.config.head_dim()];
        let mut values = Vec::with_capacity(self.layout.past.len());
        for _ in 0..self.layout.past.len() {
            let empty =
                Tensor::<f32>::from_array((shape, Vec::<f32>::new())).map_err(model_error)?;
            values.push(empty.into_dyn());
        }
        Ok(KvCache { values, len: 0 })
    }

    /// Feeds `tokens` after `past` (which stays as it was) and returns the extended cache; the
    /// logits of the last token are then [`Gpt2Model::last_logits`]. Beam search continues one
    /// cache several ways with this.
    pub fn forward_from(&mut self, past: &KvCache, tokens: &[u32]) -> Result<KvCache, AiError> {
        self.run(past, tokens, None)
    }

    /// The logits of the last token of the latest forward pass.
    pub fn last_logits(&self) -> &[f32] {
        &self.last_logits
    }

    /// Feeds `tokens` after the cached context and returns the logits of the last one.
    ///
    /// The prompt goes in one call, then one token per call; `present.*` outputs become the next
    /// call's `past_key_values.*` without copying.
    pub fn forward(&mut self, tokens: &[u32]) -> Result<&[f32], AiError> {
        let past = std::mem::take(&mut self.cache);
        match self.run(&past, tokens, None) {
            Ok(next) => self.cache = next,
            Err(e) => {
                self.cache = past;
                return Err(e);
            }
        }
        Ok(&self.last_logits)
    }

    /// Runs `tokens` from an empty cache and returns the logits of every position (for checks).
    pub fn forward_all_positions(&mut self, tokens: &[u32]) -> Result<Vec<Vec<f32>>, AiError> {
        self.reset()?;
        let mut rows = Vec::with_capacity(tokens.len());
        let past = std::mem::take(&mut self.cache);
        let result = self.run(&past, tokens, Some(&mut rows));
        self.cache = match result {
            Ok(next) => next,
            Err(e) => {
                self.cache = past;
                return Err(e);
            }
        };
        Ok(rows)
    }

    fn run(
        &mut self,
        past: &KvCache,
        tokens: &[u32],
        mut all_rows: Option<&mut Vec<Vec<f32>>>,
    ) -> Result<KvCache, AiError> {
        if past.values.len() != self.layout.past.len() {
            return Err(AiError::Model(
                "the cache does not fit this model".to_string(),
            ));
        }
        let total = past.len + tokens.len();
        if tokens.is_empty() {
            return Err(AiError::Invalid("no tokens to run".to_string()));
        }
        if total > self.config.n_positions {
            return Err(AiError::Invalid(format!(
                "{total} tokens exceed the model's context of {}",
                self.config.n_positions
            )));
        }
        self.ids.clear();
        self.ids.extend(tokens.iter().map(|&t| i64::from(t)));
        self.positions.clear();
        self.positions.extend((past.len..total).map(|p| p as i64));

        let Gpt2Model {
            session,
            layout,
            mask,
            ids,
            positions,
            ..
        } = self;
        let seq = [1, tokens.len()];
        let mut inputs: Vec<(Cow<'_, str>, SessionInputValue<'_>)> =
            Vec::with_capacity(3 + past.values.len());
        inputs.push((
            Cow::Borrowed(layout.input_ids.as_str()),
            TensorRef::from_array_view((seq, ids.as_slice()))
                .map_err(model_error)?
                .into(),
        ));
        if let Some(name) = &layout.attention_mask {
            let view =
                TensorRef::from_array_view(([1, total], &mask[..total])).map_err(model_error)?;
            inputs.push((Cow::Borrowed(name.as_str()), view.into()));
        }
        if let Some(name) = &layout.position_ids {
            let view =
                TensorRef::from_array_view((seq, positions.as_slice())).map_err(model_error)?;
            inputs.push((Cow::Borrowed(name.as_str()), view.into()));
        }
        for (name, value) in layout.past.iter().zip(past.values.iter()) {
            inputs.push((Cow::Borrowed(name.as_str()), value.into()));
        }
        let outputs = session.run(inputs).map_err(model_error)?;

        let mut next_cache: Vec<Option<DynValue>> = (0..layout.past.len()).map(|_| None).collect();
        for (index, (_, value)) in outputs.into_iter().enumerate() {
            if index == layout.logits_output {
                let (shape, data) = value.try_extract_tensor::<f32>().map_err(model_error)?;
                let vocab = shape.last().copied().unwrap_or(0).max(0) as usize;
                let rows = data.len().checked_div(vocab).unwrap_or(0);
                if vocab != self.last_logits.len() || rows != tokens.len() {
                    return Err(AiError::Model(format!(
                        "logits came back with shape {shape}"
                    )));
                }
                self.last_logits
                    .copy_from_slice(&data[(rows - 1) * vocab..]);
                if let Some(all) = all_rows.as_deref_mut() {
                    all.extend(data.chunks(vocab).map(<[f32]>::to_vec));
                }
            } else if let Some(Some(slot)) = layout.output_slots.get(index) {
                next_cache[*slot] = Some(value);
            }
        }
        let values = next_cache
            .into_iter()
            .map(|value| {
                value.ok_or_else(|| AiError::Model("a present output was missing".to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(KvCache { values, len: total })
    }
}

fn model_error(err: impl std::fmt::Display) -> AiError {
    AiError::Model(err.to_string())
}

fn describe(outlets: &[Outlet]) -> Vec<TensorInfo> {
    outlets
        .iter()
        .map(|o| TensorInfo {
            name: o.name().to_string(),
            description: o.dtype().to_string(),
        })
        .collect()
}
