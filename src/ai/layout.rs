//! Checks a GPT-2 graph's inputs and outputs against config.json and records where each one sits.
use ort::value::{Outlet, TensorElementType, ValueType};

use super::config::ModelConfig;
use super::error::LoadError;

/// Where each graph input/output sits, resolved once at load.
#[derive(Debug, Clone)]
pub(super) struct Layout {
    pub(super) input_ids: String,
    pub(super) attention_mask: Option<String>,
    pub(super) position_ids: Option<String>,
    /// `past_key_values.{i}.key`, `.value` for layer 0, 1, ... (key then value).
    pub(super) past: Vec<String>,
    /// For each session output in order: `Some(slot)` of the present it fills, or `None`.
    pub(super) output_slots: Vec<Option<usize>>,
    pub(super) logits_output: usize,
}

/// A graph input or output as the layout check sees it (plain data, so it is testable without ORT).
#[derive(Debug, Clone)]
pub(super) struct Port {
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

pub(super) fn ports(outlets: &[Outlet]) -> Vec<Port> {
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

pub(super) fn resolve_layout(
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
