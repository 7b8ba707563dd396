//! One ONNX Runtime session of a GPT-2 decoder with past key/values, checked against config.json.
//!
//! The graph layout is Hugging Face optimum's `text-generation-with-past`: inputs `input_ids`,
//! optional `attention_mask` and `position_ids`, `past_key_values.{i}.key/.value`
//! [batch, n_head, past_seq, head_dim]; outputs `logits` and `present.{i}.key/.value`.
use std::borrow::Cow;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use ort::session::{Session, SessionInputValue};
use ort::value::{DynValue, Outlet, Tensor, TensorElementType, TensorRef, ValueType};

use super::config::ModelConfig;
use super::error::{AiError, LoadError};
use super::runtime::{panic_message, Runtime};

/// Where each graph input/output sits, resolved once at load.
#[derive(Debug, Clone)]
struct Layout {
    input_ids: String,
    attention_mask: Option<String>,
    position_ids: Option<String>,
    /// `past_key_values.{i}.key`, `.value` for layer 0, 1, ... (key then value).
    past: Vec<String>,
    /// For each session output in order: `Some(slot)` of the present it fills, or `None`.
    output_slots: Vec<Option<usize>>,
    logits_output: usize,
}

/// A name, element type and shape of one graph input or output, for `ai info`.
#[derive(Debug, Clone)]
pub struct TensorInfo {
    pub name: String,
    pub description: String,
}

/// A GPT-2 decoder session plus its KV cache; use from one thread at a time.
pub struct Gpt2Model {
    session: Session,
    config: ModelConfig,
    layout: Layout,
    /// Present key/values of the tokens fed so far, in `layout.past` order.
    cache: Vec<DynValue>,
    cached_len: usize,
    mask: Vec<i64>,
    ids: Vec<i64>,
    positions: Vec<i64>,
    last_logits: Vec<f32>,
}

impl std::fmt::Debug for Gpt2Model {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gpt2Model")
            .field("config", &self.config)
            .field("cached_len", &self.cached_len)
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
            cache: Vec::new(),
            cached_len: 0,
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
        self.cached_len
    }

    pub fn inputs(&self) -> Vec<TensorInfo> {
        describe(self.session.inputs())
    }

    pub fn outputs(&self) -> Vec<TensorInfo> {
        describe(self.session.outputs())
    }

    /// Forgets the cached context (a new prompt starts from position 0).
    pub fn reset(&mut self) -> Result<(), AiError> {
        let shape = [1, self.config.n_head, 0, self.config.head_dim()];
        self.cache.clear();
        for _ in 0..self.layout.past.len() {
            let empty =
                Tensor::<f32>::from_array((shape, Vec::<f32>::new())).map_err(model_error)?;
            self.cache.push(empty.into_dyn());
        }
        self.cached_len = 0;
        Ok(())
    }

    /// Feeds `tokens` after the cached context and returns the logits of the last one.
    ///
    /// The prompt goes in one call, then one token per call; `present.*` outputs become the next
    /// call's `past_key_values.*` without copying.
    pub fn forward(&mut self, tokens: &[u32]) -> Result<&[f32], AiError> {
        self.run(tokens, None)?;
        Ok(&self.last_logits)
    }

    /// Runs `tokens` from an empty cache and returns the logits of every position (for checks).
    pub fn forward_all_positions(&mut self, tokens: &[u32]) -> Result<Vec<Vec<f32>>, AiError> {
        self.reset()?;
        let mut rows = Vec::with_capacity(tokens.len());
        self.run(tokens, Some(&mut rows))?;
        Ok(rows)
    }

    fn run(
        &mut self,
        tokens: &[u32],
        mut all_rows: Option<&mut Vec<Vec<f32>>>,
    ) -> Result<(), AiError> {
        let total = self.cached_len + tokens.len();
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
        self.positions
            .extend((self.cached_len..total).map(|p| p as i64));

        let Gpt2Model {
            session,
            layout,
            cache,
            mask,
            ids,
            positions,
            ..
        } = self;
        let seq = [1, tokens.len()];
        let mut inputs: Vec<(Cow<'_, str>, SessionInputValue<'_>)> =
            Vec::with_capacity(3 + cache.len());
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
        for (name, value) in layout.past.iter().zip(cache.iter()) {
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
        for (slot, value) in next_cache.into_iter().enumerate() {
            cache[slot] =
                value.ok_or_else(|| AiError::Model("a present output was missing".to_string()))?;
        }
        self.cached_len = total;
        Ok(())
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

/// A graph input or output as the layout check sees it (plain data, so it is testable without ORT).
#[derive(Debug, Clone)]
struct Port {
    name: String,
    /// Element type and dimensions (`None` where symbolic); `None` when not a tensor.
    tensor: Option<(TensorElementType, Vec<Option<i64>>)>,
    description: String,
}

impl Port {
    fn of(outlet: &Outlet) -> Port {
        let tensor = match outlet.dtype() {
            ValueType::Tensor { ty, shape, .. } => Some((
                *ty,
                shape
                    .iter()
                    .map(|&d| if d > 0 { Some(d) } else { None })
                    .collect(),
            )),
            _ => None,
        };
        Port {
            name: outlet.name().to_string(),
            tensor,
            description: outlet.dtype().to_string(),
        }
    }
}

fn ports(outlets: &[Outlet]) -> Vec<Port> {
    outlets.iter().map(Port::of).collect()
}

/// Parses `past_key_values.{i}.key` / `present.{i}.value` into (layer, is_value).
fn cache_entry(name: &str, prefix: &str) -> Option<(usize, bool)> {
    let rest = name.strip_prefix(prefix)?;
    let (layer, kind) = rest.split_once('.')?;
    let layer = layer.parse().ok()?;
    match kind {
        "key" => Some((layer, false)),
        "value" => Some((layer, true)),
        _ => None,
    }
}

fn resolve_layout(
    inputs: &[Port],
    outputs: &[Port],
    config: &ModelConfig,
) -> Result<Layout, LoadError> {
    let mismatch = |text: String| LoadError::Mismatch(text);
    let n_layer = config.n_layer;
    let expected = 2 * n_layer;
    let mut input_ids = None;
    let mut attention_mask = None;
    let mut position_ids = None;
    let mut past: Vec<Option<String>> = vec![None; expected];
    let mut past_count = 0;
    for input in inputs {
        let name = input.name.as_str();
        let dims = input.tensor.clone();
        match name {
            "input_ids" | "attention_mask" | "position_ids" => {
                if !matches!(dims, Some((TensorElementType::Int64, ref d)) if d.len() == 2) {
                    return Err(mismatch(format!(
                        "model.onnx input `{name}` is {}, expected a 2-D int64 tensor",
                        input.description
                    )));
                }
                let slot = match name {
                    "input_ids" => &mut input_ids,
                    "attention_mask" => &mut attention_mask,
                    _ => &mut position_ids,
                };
                *slot = Some(name.to_string());
            }
            _ => {
                let Some((layer, is_value)) = cache_entry(name, "past_key_values.") else {
                    return Err(mismatch(format!(
                        "model.onnx has an input `{name}` that a GPT-2 decoder does not have"
                    )));
                };
                past_count += 1;
                check_cache_dims(input, config)?;
                if layer < n_layer {
                    past[2 * layer + usize::from(is_value)] = Some(name.to_string());
                }
            }
        }
    }
    let input_ids =
        input_ids.ok_or_else(|| mismatch("model.onnx has no `input_ids` input".to_string()))?;
    if past_count == 0 {
        return Err(mismatch(
            "model.onnx has no past_key_values inputs; export it with optimum's `text-generation-with-past` task"
                .to_string(),
        ));
    }
    if past_count != expected {
        return Err(mismatch(format!(
            "model.onnx has {past_count} past inputs but config.json says n_layer={n_layer} (which needs {expected})"
        )));
    }
    let past = past
        .into_iter()
        .enumerate()
        .map(|(i, name)| {
            name.ok_or_else(|| {
                let kind = if i % 2 == 0 { "key" } else { "value" };
                mismatch(format!(
                    "model.onnx lacks input past_key_values.{}.{kind}",
                    i / 2
                ))
            })
        })
        .collect::<Result<Vec<_>, _>>()?;

    let mut logits_output = None;
    let mut output_slots = Vec::with_capacity(outputs.len());
    let mut present_count = 0;
    for (index, output) in outputs.iter().enumerate() {
        let name = output.name.as_str();
        if name == "logits" {
            match &output.tensor {
                Some((TensorElementType::Float32, dims)) if dims.len() == 3 => {
                    if let Some(Some(classes)) = dims.last() {
                        if *classes as usize != config.vocab_size {
                            return Err(mismatch(format!(
                                "model.onnx logits have {classes} classes but config.json says vocab_size={}",
                                config.vocab_size
                            )));
                        }
                    }
                }
                _ => {
                    return Err(mismatch(format!(
                        "model.onnx output `logits` is {}, expected a 3-D float32 tensor",
                        output.description
                    )))
                }
            }
            logits_output = Some(index);
            output_slots.push(None);
        } else if let Some((layer, is_value)) = cache_entry(name, "present.") {
            present_count += 1;
            check_cache_dims(output, config)?;
            output_slots.push((layer < n_layer).then_some(2 * layer + usize::from(is_value)));
        } else {
            output_slots.push(None);
        }
    }
    let logits_output =
        logits_output.ok_or_else(|| mismatch("model.onnx has no `logits` output".to_string()))?;
    if present_count != expected {
        return Err(mismatch(format!(
            "model.onnx has {present_count} present outputs but config.json says n_layer={n_layer} (which needs {expected})"
        )));
    }
    for slot in 0..expected {
        if !output_slots.contains(&Some(slot)) {
            let kind = if slot % 2 == 0 { "key" } else { "value" };
            return Err(mismatch(format!(
                "model.onnx lacks output present.{}.{kind}",
                slot / 2
            )));
        }
    }
    Ok(Layout {
        input_ids,
        attention_mask,
        position_ids,
        past,
        output_slots,
        logits_output,
    })
}

/// A cache tensor must be float32 [batch, n_head, seq, head_dim] where its dims are static.
fn check_cache_dims(port: &Port, config: &ModelConfig) -> Result<(), LoadError> {
    let name = &port.name;
    let Some((ty, dims)) = &port.tensor else {
        return Err(LoadError::Mismatch(format!(
            "model.onnx `{name}` is not a tensor"
        )));
    };
    if *ty != TensorElementType::Float32 {
        return Err(LoadError::Mismatch(format!(
            "model.onnx `{name}` holds {ty}; only float32 key/value caches are supported"
        )));
    }
    if dims.len() != 4 {
        return Err(LoadError::Mismatch(format!(
            "model.onnx `{name}` has {} dimensions, expected 4 [batch, n_head, seq, head_dim]",
            dims.len()
        )));
    }
    if let Some(heads) = dims[1] {
        if heads as usize != config.n_head {
            return Err(LoadError::Mismatch(format!(
                "model.onnx `{name}` has {heads} heads but config.json says n_head={}",
                config.n_head
            )));
        }
    }
    if let Some(head_dim) = dims[3] {
        if head_dim as usize != config.head_dim() {
            return Err(LoadError::Mismatch(format!(
                "model.onnx `{name}` has head size {head_dim} but config.json gives n_embd/n_head={}",
                config.head_dim()
            )));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn port(name: impl Into<String>, ty: TensorElementType, dims: &[i64]) -> Port {
        Port {
            name: name.into(),
            tensor: Some((ty, dims.iter().map(|&d| (d > 0).then_some(d)).collect())),
            description: format!("{ty}{dims:?}"),
        }
    }

    fn config(n_layer: usize) -> ModelConfig {
        ModelConfig::from_json(&format!(
            r#"{{"n_layer":{n_layer},"n_head":2,"n_embd":8,"n_positions":16,"vocab_size":10}}"#
        ))
        .unwrap()
    }

    fn graph(layers: usize, head_dim: i64) -> (Vec<Port>, Vec<Port>) {
        let int64 = TensorElementType::Int64;
        let mut inputs = vec![
            port("input_ids", int64, &[-1, -1]),
            port("attention_mask", int64, &[-1, -1]),
            port("position_ids", int64, &[-1, -1]),
        ];
        let mut outputs = vec![port("logits", TensorElementType::Float32, &[-1, -1, 10])];
        for i in 0..layers {
            for kind in ["key", "value"] {
                let dims = [-1, 2, -1, head_dim];
                inputs.push(port(
                    format!("past_key_values.{i}.{kind}"),
                    TensorElementType::Float32,
                    &dims,
                ));
                outputs.push(port(
                    format!("present.{i}.{kind}"),
                    TensorElementType::Float32,
                    &dims,
                ));
            }
        }
        (inputs, outputs)
    }

    #[test]
    fn optimum_layout_resolves() {
        let (inputs, outputs) = graph(2, 4);
        let layout = resolve_layout(&inputs, &outputs, &config(2)).unwrap();
        assert_eq!(layout.past[3], "past_key_values.1.value");
        assert_eq!(layout.logits_output, 0);
        assert_eq!(
            layout.output_slots[1..],
            [Some(0), Some(1), Some(2), Some(3)]
        );
    }

    #[test]
    fn wrong_layer_count_is_named() {
        let (inputs, outputs) = graph(2, 4);
        let err = resolve_layout(&inputs, &outputs, &config(1)).unwrap_err();
        assert_eq!(
            err.to_string(),
            "model.onnx has 4 past inputs but config.json says n_layer=1 (which needs 2)"
        );
    }

    #[test]
    fn wrong_head_size_and_vocab_are_named() {
        let (inputs, outputs) = graph(2, 5);
        let err = resolve_layout(&inputs, &outputs, &config(2)).unwrap_err();
        assert!(err.to_string().contains("head size 5"), "{err}");
        let (inputs, mut outputs) = graph(2, 4);
        outputs[0] = port("logits", TensorElementType::Float32, &[-1, -1, 11]);
        let err = resolve_layout(&inputs, &outputs, &config(2)).unwrap_err();
        assert!(err.to_string().contains("11 classes"), "{err}");
    }

    #[test]
    fn a_model_without_cache_is_refused() {
        let (inputs, outputs) = graph(0, 4);
        let err = resolve_layout(&inputs, &outputs, &config(2)).unwrap_err();
        assert!(
            err.to_string().contains("text-generation-with-past"),
            "{err}"
        );
    }
}
