//! Copy-constrained decoding: drafts that stay in their sources. The model may only produce tokens
//! found in the source text (as the tokenizer splits it, with and without a leading space), a
//! short list of function words and punctuation ([`FUNCTION_WORDS`]), and its end-of-text token;
//! every other token's logit is set to minus infinity before sampling. After a copied token the
//! draft continues the source: only the tokens that follow it somewhere in the source (or a
//! function word, or the end) may come next, so drafts are spans of the source joined by function
//! words, not new combinations of its pieces. Once a span runs two tokens or more it follows the
//! place (or places) in the source where those tokens stand together: "is exact, not" cannot hop
//! to another sentence's "not" through a shared word.
use std::collections::HashMap;

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

/// The per-step constraint: the open mask, and what may follow each copied token.
#[derive(Debug, Clone)]
pub struct CopyConstraint {
    open: Vec<bool>,
    function: Vec<bool>,
    successors: HashMap<u32, Vec<u32>>,
    /// The source as one token sequence, for following a span where it stands.
    whole: Vec<u32>,
    eos: Option<u32>,
    /// Tokens that end a word somewhere in the source (a span may only be left there).
    word_end: Vec<bool>,
    /// Per token: begins a word (a leading space, or Chinese / other non-ASCII text).
    word_start: Vec<bool>,
    /// Per token: punctuation only (no letter or digit).
    punctuation: Vec<bool>,
    /// Per token: ends with an opening bracket or quote (a word may follow without a space).
    opening: Vec<bool>,
}

impl CopyConstraint {
    pub fn new(
        tokenizer: &TextTokenizer,
        source: &str,
        vocab_size: usize,
        eos: Option<u32>,
    ) -> Result<CopyConstraint, AiError> {
        let open = allowed_tokens(tokenizer, source, vocab_size, eos)?;
        let mut function = vec![false; vocab_size];
        for word in FUNCTION_WORDS {
            for ids in [
                tokenizer.encode(word)?,
                tokenizer.encode(&format!(" {word}"))?,
            ] {
                // Only single-token function words are free joints; longer ones are copied as spans.
                if let [id] = ids.as_slice() {
                    let id = *id;
                    if let Some(slot) = function.get_mut(id as usize) {
                        *slot = true;
                    }
                }
            }
        }
        let mut successors: HashMap<u32, Vec<u32>> = HashMap::new();
        let mut link = |ids: &[u32]| {
            for pair in ids.windows(2) {
                let next = successors.entry(pair[0]).or_default();
                if !next.contains(&pair[1]) {
                    next.push(pair[1]);
                }
            }
        };
        let whole = tokenizer.encode(source)?;
        link(&whole);
        let mut words = Vec::new();
        for word in source.split_whitespace().take(4000) {
            let ids = tokenizer.encode(&format!(" {word}"))?;
            link(&ids);
            words.push(ids);
        }
        let bytes = |id: u32| tokenizer.token_bytes(id);
        let word_start: Vec<bool> = (0..vocab_size as u32)
            .map(|id| {
                bytes(id)
                    .first()
                    .is_some_and(|b| b.is_ascii_whitespace() || !b.is_ascii())
            })
            .collect();
        let punctuation: Vec<bool> = (0..vocab_size as u32)
            .map(|id| {
                let b = bytes(id);
                !b.is_empty() && b.iter().all(|c| c.is_ascii() && !c.is_ascii_alphanumeric())
            })
            .collect();
        let opening: Vec<bool> = (0..vocab_size as u32)
            .map(|id| matches!(bytes(id).last(), Some(b'(' | b'"' | b'\'' | b'[')))
            .collect();
        // A token ends a word where the next one does not go on with letters or digits.
        let goes_on = |id: u32| bytes(id).first().is_some_and(|b| b.is_ascii_alphanumeric());
        let mut word_end = vec![false; vocab_size];
        for ids in std::iter::once(&whole).chain(&words) {
            for (i, id) in ids.iter().enumerate() {
                let ends = ids.get(i + 1).is_none_or(|next| !goes_on(*next))
                    || bytes(*id).last().is_some_and(|b| !b.is_ascii());
                if ends {
                    if let Some(slot) = word_end.get_mut(*id as usize) {
                        *slot = true;
                    }
                }
            }
        }
        Ok(CopyConstraint {
            open,
            function,
            successors,
            whole,
            eos,
            word_end,
            word_start,
            punctuation,
            opening,
        })
    }

    /// Whether `next` may join the draft after `generated` as a free joint or the start of a new
    /// span: whole words only ("A:A", "FlashAtt, and" are not), never two marks in a row or
    /// three joints in a row.
    fn may_join(&self, generated: &[u32], next: u32) -> bool {
        let flag = |v: &Vec<bool>, t: u32| v.get(t as usize).copied().unwrap_or(false);
        let Some(&last) = generated.last() else {
            // The draft starts with a word.
            return !flag(&self.punctuation, next);
        };
        if flag(&self.punctuation, next) {
            return !flag(&self.punctuation, last);
        }
        let joints = generated
            .iter()
            .rev()
            .take_while(|t| self.is_function(**t))
            .count();
        if self.is_function(next) && joints >= 2 {
            return false;
        }
        // A word after a word or a mark starts with a space (or is Chinese); after an opening
        // bracket or quote it may follow directly.
        flag(&self.word_start, next) || flag(&self.opening, last)
    }

    /// Whether `token` is a free joint (a single-token function word or punctuation mark).
    pub fn is_function(&self, token: u32) -> bool {
        self.function.get(token as usize).copied().unwrap_or(false)
    }

    /// How many spans `generated` holds: copied tokens that do not follow the token before them
    /// anywhere in the source each begin one.
    fn spans(&self, generated: &[u32]) -> usize {
        (0..generated.len())
            .filter(|&i| {
                !self.is_function(generated[i])
                    && (i == 0 || !self.follows(generated[i - 1], generated[i]))
            })
            .count()
    }

    /// What may continue a span ending `generated` where it stands in the source: how many of the
    /// draft's last tokens (two or more, up to [`MAX_MATCH`]) stand together in the source, and
    /// the tokens after every place they do; `None` when only its last token is found there (a
    /// span just begun, or a word the source has at a line start, tokenised without its space).
    fn continuations(&self, generated: &[u32]) -> Option<(usize, Vec<u32>)> {
        let (&last, before) = generated.split_last()?;
        let mut ends: Vec<usize> = (0..self.whole.len())
            .filter(|&p| self.whole[p] == last)
            .collect();
        let mut matched = 1;
        for &token in before.iter().rev().take(MAX_MATCH - 1) {
            let longer: Vec<usize> = ends
                .iter()
                .copied()
                .filter(|&p| p >= matched && self.whole[p - matched] == token)
                .collect();
            if longer.is_empty() {
                break;
            }
            ends = longer;
            matched += 1;
        }
        if matched < 2 {
            return None;
        }
        let mut next: Vec<u32> = ends
            .iter()
            .filter_map(|&p| self.whole.get(p + 1).copied())
            .collect();
        next.sort_unstable();
        next.dedup();
        Some((matched, next))
    }

    /// Whether `next` follows `token` somewhere in the source.
    pub fn follows(&self, token: u32, next: u32) -> bool {
        self.successors
            .get(&token)
            .is_some_and(|successors| successors.contains(&next))
    }

    /// Whether a draft ending in `generated` is inside a copied span: its last token is copied
    /// from the source and the source continues after it.
    pub fn in_span(&self, generated: &[u32]) -> bool {
        generated
            .last()
            .is_some_and(|t| !self.is_function(*t) && self.successors.contains_key(t))
    }

    /// How many of `draft`'s tokens lie in spans copied from the source: runs of two or more
    /// tokens each following the one before somewhere in the source.
    pub fn copied_tokens(&self, draft: &[u32]) -> usize {
        (0..draft.len())
            .filter(|&i| {
                (i > 0 && self.follows(draft[i - 1], draft[i]))
                    || (i + 1 < draft.len() && self.follows(draft[i], draft[i + 1]))
            })
            .count()
    }

    /// Masks `logits` for the step after `generated` (the draft's tokens so far): a span of copied
    /// tokens continues the source (where it stands there, once it runs two tokens) for at least
    /// [`MIN_SPAN`] tokens before a function word, a new span or the end may follow; at most
    /// [`MAX_SPANS`] spans; no three-token sequence repeats.
    pub fn apply(&self, generated: &[u32], logits: &mut [f32]) {
        let is_function = |t: u32| self.function.get(t as usize).copied().unwrap_or(false);
        let flag = |v: &Vec<bool>, t: u32| v.get(t as usize).copied().unwrap_or(false);
        let may_open = self.spans(generated) < MAX_SPANS;
        let joins = |id: u32| self.may_join(generated, id);
        if let Some((matched, next)) = self.continuations(generated) {
            // Inside a span that stands in the source, function words included: go on with it,
            // or, once long enough and at the end of a word, leave it.
            let last = generated.last().copied().unwrap_or_default();
            let may_leave = matched >= MIN_SPAN && flag(&self.word_end, last);
            let after_joint = is_function(last);
            for (id, logit) in logits.iter_mut().enumerate() {
                let id = id as u32;
                let ok = next.contains(&id)
                    || (may_leave
                        && (Some(id) == self.eos
                            || (is_function(id) && joins(id))
                            || (after_joint && may_open && flag(&self.open, id) && joins(id))));
                if !ok {
                    *logit = f32::NEG_INFINITY;
                }
            }
        } else if let Some(next) = generated
            .last()
            .filter(|t| !is_function(**t))
            .and_then(|t| self.successors.get(t))
        {
            // A span just begun: any token that follows its word somewhere in the source.
            let run = generated
                .iter()
                .rev()
                .take_while(|t| !is_function(**t))
                .count();
            let may_leave =
                run >= MIN_SPAN && generated.last().is_some_and(|t| flag(&self.word_end, *t));
            for (id, logit) in logits.iter_mut().enumerate() {
                let id = id as u32;
                let ok = next.contains(&id)
                    || (may_leave && (Some(id) == self.eos || (is_function(id) && joins(id))));
                if !ok {
                    *logit = f32::NEG_INFINITY;
                }
            }
        } else {
            // At the start or after a joint: a function word, the end, or a new span's first word.
            constrain(logits, &self.open);
            for (id, logit) in logits.iter_mut().enumerate() {
                let id = id as u32;
                let ok = Some(id) == self.eos || (joins(id) && (may_open || is_function(id)));
                if logit.is_finite() && !ok {
                    *logit = f32::NEG_INFINITY;
                }
            }
        }
        // No repeated trigram.
        if let [.., a, b] = generated {
            for w in generated.windows(3) {
                if w[0] == *a && w[1] == *b {
                    if let Some(logit) = logits.get_mut(w[2] as usize) {
                        *logit = f32::NEG_INFINITY;
                    }
                }
            }
        }
        // Never leave nothing to choose.
        if logits.iter().all(|l| l.is_infinite()) {
            if let Some(eos) = self.eos.and_then(|e| logits.get_mut(e as usize)) {
                *eos = 0.0;
            }
        }
    }
}

/// Tokens a copied span runs before it may end.
pub const MIN_SPAN: usize = 4;

/// Most spans a draft may join (the gate's limit, `summarize::reads_as_source_phrases`).
pub const MAX_SPANS: usize = 2;

/// The longest ending of a draft looked up in the source to place its span (a longer span is
/// placed by its last tokens).
pub const MAX_MATCH: usize = 12;

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
        let allowed =
            allowed_tokens(&tokenizer, "KV cache stores keys.", vocab, Some(0)).expect("mask");
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

    #[test]
    fn after_a_copied_token_the_draft_continues_the_source() {
        let tokenizer = tokenizer();
        let vocab = tokenizer.vocab_size();
        let source = "KV cache stores keys. Quantisation shrinks weights.";
        let constraint = CopyConstraint::new(&tokenizer, source, vocab, Some(0)).expect("mask");
        let ids = tokenizer.encode(" cache stores").expect("encodes");
        let mut logits = vec![1.0; vocab];
        constraint.apply(&ids[..1], &mut logits);
        assert!(
            logits[ids[1] as usize].is_finite(),
            "the source's next token"
        );
        let weights = tokenizer.encode(" weights").expect("encodes");
        assert!(
            logits[weights[0] as usize].is_infinite(),
            "a source token that does not follow"
        );
        let mut logits = vec![1.0; vocab];
        constraint.apply(&[], &mut logits);
        assert!(
            logits[weights[0] as usize].is_finite(),
            "any source token opens a span"
        );
    }

    #[test]
    fn a_span_goes_on_where_it_stands_in_the_source_not_where_its_last_word_recurs() {
        let tokenizer = tokenizer();
        let vocab = tokenizer.vocab_size();
        let source = "The KV cache grows with the sequence. A prompt cache saves the prefix.";
        let constraint = CopyConstraint::new(&tokenizer, source, vocab, Some(0)).expect("mask");
        let grows = tokenizer.encode(" grows").expect("encodes")[0] as usize;
        let saves = tokenizer.encode(" saves").expect("encodes")[0] as usize;
        let draft = tokenizer.encode("The KV cache").expect("encodes");
        let mut logits = vec![1.0; vocab];
        constraint.apply(&draft, &mut logits);
        assert!(logits[grows].is_finite(), "the sentence goes on");
        assert!(
            logits[saves].is_infinite(),
            "the other sentence's \"cache saves\" is not this span's"
        );
        // A span of one word may go on wherever the source has that word.
        let draft = tokenizer.encode(" cache").expect("encodes");
        let mut logits = vec![1.0; vocab];
        constraint.apply(&draft, &mut logits);
        assert!(logits[grows].is_finite() && logits[saves].is_finite());
    }
}
