//! Copy-constrained decoding: drafts that stay in their sources. The model may only produce tokens
//! found in the source text (as the tokenizer splits it, with and without a leading space), a
//! short list of function words and punctuation ([`FUNCTION_WORDS`]), and its end-of-text token;
//! every other token's logit is set to minus infinity before sampling.
use super::tokenizer::TextTokenizer;
use super::AiError;

/// Words and marks a draft may use although the source lacks them: what joins copied phrases.
pub const FUNCTION_WORDS: &[&str] = &[
    "the", "a", "an", "of", "to", "in", "on", "for", "and", "or", "but", "is", "are", "was", "be",
    "it", "this", "that", "with", "as", "by", "at", "from", "not", "no", "can", "so", "its",
    "their", "which", "when", "if", "than", "also", "only", "each", "per", "you", "your", "use",
    "uses", "it's", "The", "A", "It", "This", "In", "To", "For", "You", "Use", "的", "了", "是",
    "在", "和", "与", "也", "就", "都", "而", "及", "或", "但", "这", "个", "一", "不", "会",
    "可以", "需要", "因为", "所以", "如果", "用", "把", "对", "更", "，", "。", "；", "：", "、",
    "（", "）", ",", ".", ";", ":", "(", ")", "-", "/", "[1]", "[2]", "[3]", "\n",
];

/// The allowed-token mask for drafting from `source`: `true` where the token may be generated.
pub fn allowed_tokens(
    tokenizer: &TextTokenizer,
    source: &str,
    vocab_size: usize,
    eos: Option<u32>,
) -> Result<Vec<bool>, AiError> {
    let mut allowed = vec![false; vocab_size];
    let mut allow = |ids: Vec<u32>| {
        for id in ids {
            if let Some(slot) = allowed.get_mut(id as usize) {
                *slot = true;
            }
        }
    };
    allow(tokenizer.encode(source)?);
    // A word copied at the start of a line or after punctuation tokenizes without its space.
    for word in source.split_whitespace().take(4000) {
        allow(tokenizer.encode(&format!(" {word}"))?);
        allow(tokenizer.encode(word)?);
    }
    for word in FUNCTION_WORDS {
        allow(tokenizer.encode(word)?);
        allow(tokenizer.encode(&format!(" {word}"))?);
    }
    if let Some(eos) = eos {
        allow(vec![eos]);
    }
    Ok(allowed)
}

/// Sets every token outside `allowed` to minus infinity.
pub fn constrain(logits: &mut [f32], allowed: &[bool]) {
    for (logit, ok) in logits.iter_mut().zip(allowed) {
        if !ok {
            *logit = f32::NEG_INFINITY;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer() -> TextTokenizer {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/fixtures/ai/tiny-fp32/tokenizer.json");
        TextTokenizer::from_file(&path).expect("fixture tokenizer")
    }

    #[test]
    fn only_source_tokens_function_words_and_eos_are_allowed() {
        let tokenizer = tokenizer();
        let vocab = tokenizer.vocab_size();
        let allowed = allowed_tokens(&tokenizer, "KV cache stores keys.", vocab, Some(0))
            .expect("mask");
        let ok = |text: &str| {
            tokenizer
                .encode(text)
                .expect("encodes")
                .iter()
                .all(|&id| allowed[id as usize])
        };
        assert!(ok(" cache stores keys"));
        assert!(ok("The cache"));
        assert!(allowed[0], "end of text");
        assert!(!ok(" banana"), "a word the source lacks");
        let mut logits = vec![1.0; vocab];
        constrain(&mut logits, &allowed);
        let open = logits.iter().filter(|l| l.is_finite()).count();
        assert_eq!(open, allowed.iter().filter(|a| **a).count());
        assert!(open < vocab / 10, "{open} of {vocab}");
    }
}
