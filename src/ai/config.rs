//! The model's shape as config.json (a Hugging Face GPT2Config) states it; never hard-coded.
use std::path::Path;

use serde::Deserialize;

use super::error::LoadError;

/// Sizes of a GPT-2-family decoder, read from config.json.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelConfig {
    pub n_layer: usize,
    pub n_head: usize,
    pub n_embd: usize,
    /// Context length: the most positions the model has embeddings for.
    pub n_positions: usize,
    pub vocab_size: usize,
    /// Width of the MLP's hidden layer (GPT2Config's `n_inner`, 4 * n_embd when unset).
    pub n_inner: usize,
    pub eos_token_id: Option<u32>,
    pub bos_token_id: Option<u32>,
    pub model_type: Option<String>,
}

#[derive(Deserialize)]
struct RawConfig {
    n_layer: Option<usize>,
    num_hidden_layers: Option<usize>,
    n_head: Option<usize>,
    num_attention_heads: Option<usize>,
    n_embd: Option<usize>,
    hidden_size: Option<usize>,
    n_positions: Option<usize>,
    max_position_embeddings: Option<usize>,
    n_ctx: Option<usize>,
    vocab_size: Option<usize>,
    n_inner: Option<usize>,
    eos_token_id: Option<serde_json::Value>,
    bos_token_id: Option<serde_json::Value>,
    model_type: Option<String>,
}

impl ModelConfig {
    pub fn from_file(path: &Path) -> Result<ModelConfig, LoadError> {
        let text = std::fs::read_to_string(path).map_err(|e| match e.kind() {
            std::io::ErrorKind::NotFound => LoadError::ModelFileMissing(path.to_path_buf()),
            _ => bad(path, e.to_string()),
        })?;
        ModelConfig::from_json(&text).map_err(|reason| bad(path, reason))
    }

    /// Parses and checks the sizes; the error is a reason without the file name.
    pub fn from_json(text: &str) -> Result<ModelConfig, String> {
        let raw: RawConfig = serde_json::from_str(text).map_err(|e| e.to_string())?;
        let need = |value: Option<usize>, name: &str| -> Result<usize, String> {
            match value {
                Some(0) => Err(format!("{name} is 0")),
                Some(v) => Ok(v),
                None => Err(format!("{name} is missing")),
            }
        };
        let n_layer = need(raw.n_layer.or(raw.num_hidden_layers), "n_layer")?;
        let n_head = need(raw.n_head.or(raw.num_attention_heads), "n_head")?;
        let n_embd = need(raw.n_embd.or(raw.hidden_size), "n_embd")?;
        let n_positions = need(
            raw.n_positions
                .or(raw.max_position_embeddings)
                .or(raw.n_ctx),
            "n_positions",
        )?;
        let vocab_size = need(raw.vocab_size, "vocab_size")?;
        if n_embd % n_head != 0 {
            return Err(format!(
                "n_embd={n_embd} is not a multiple of n_head={n_head}"
            ));
        }
        Ok(ModelConfig {
            n_layer,
            n_head,
            n_embd,
            n_positions,
            vocab_size,
            n_inner: raw.n_inner.unwrap_or(4 * n_embd),
            eos_token_id: first_token_id(raw.eos_token_id.as_ref()),
            bos_token_id: first_token_id(raw.bos_token_id.as_ref()),
            model_type: raw.model_type,
        })
    }

    pub fn head_dim(&self) -> usize {
        self.n_embd / self.n_head
    }

    /// Parameters of a GPT-2 with these sizes (tied output embedding), for `ai info`.
    pub fn parameter_count(&self) -> u64 {
        let d = self.n_embd as u64;
        let inner = self.n_inner as u64;
        let embeddings = (self.vocab_size as u64 + self.n_positions as u64) * d;
        // ln_1, attention (qkv + projection), ln_2, MLP (up + down), each with biases.
        let per_layer = 2 * d
            + (d * 3 * d + 3 * d)
            + (d * d + d)
            + 2 * d
            + (d * inner + inner)
            + (inner * d + d);
        embeddings + self.n_layer as u64 * per_layer + 2 * d
    }
}

/// `eos_token_id` may be a number or a list of numbers in newer configs.
fn first_token_id(value: Option<&serde_json::Value>) -> Option<u32> {
    match value? {
        serde_json::Value::Number(n) => n.as_u64().and_then(|v| u32::try_from(v).ok()),
        serde_json::Value::Array(items) => items.first().and_then(|v| first_token_id(Some(v))),
        _ => None,
    }
}

fn bad(path: &Path, reason: String) -> LoadError {
    LoadError::BadConfig {
        path: path.to_path_buf(),
        reason,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const GPT2_SMALL: &str = r#"{"model_type":"gpt2","n_layer":12,"n_head":12,"n_embd":768,
        "n_positions":1024,"n_ctx":1024,"vocab_size":50257,"n_inner":null,"eos_token_id":50256,"bos_token_id":50256}"#;

    #[test]
    fn reads_gpt2_small_and_counts_124m_parameters() {
        let config = ModelConfig::from_json(GPT2_SMALL).unwrap();
        assert_eq!(
            (config.n_layer, config.n_head, config.n_embd),
            (12, 12, 768)
        );
        assert_eq!((config.n_positions, config.vocab_size), (1024, 50257));
        assert_eq!(config.head_dim(), 64);
        assert_eq!(config.eos_token_id, Some(50256));
        assert_eq!(config.parameter_count(), 124_439_808);
    }

    #[test]
    fn missing_or_inconsistent_sizes_are_named() {
        let err =
            ModelConfig::from_json(r#"{"n_head":2,"n_embd":64,"n_positions":8,"vocab_size":9}"#)
                .unwrap_err();
        assert_eq!(err, "n_layer is missing");
        let err = ModelConfig::from_json(
            r#"{"n_layer":1,"n_head":3,"n_embd":64,"n_positions":8,"vocab_size":9}"#,
        )
        .unwrap_err();
        assert!(err.contains("not a multiple"), "{err}");
        assert!(ModelConfig::from_json("not json").is_err());
    }

    #[test]
    fn eos_may_be_a_list() {
        let config = ModelConfig::from_json(
            r#"{"n_layer":1,"n_head":1,"n_embd":4,"n_positions":8,"vocab_size":9,"eos_token_id":[7,8]}"#,
        )
        .unwrap();
        assert_eq!(config.eos_token_id, Some(7));
    }
}
