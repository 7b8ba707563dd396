//! Drafting by beam search: the model writes one sentence token by token, each token chosen by its
//! log-probability among the tokens its source allows ([`super::copy`]). A few hypotheses (the beam)
//! grow side by side from one shared prompt cache; each ends at its first finished sentence or at the
//! model's end of text, then the source's suffix (e.g. the citation " [2]") is forced and scored, and
//! the drafts come back ranked by the model's length-normalised log-probability. Which draft is shown
//! is the caller's choice: the best one that passes its gate.
use std::rc::Rc;

use super::controls::{Controls, FinishReason};
use super::copy::CopyConstraint;
use super::engine::Engine;
use super::error::AiError;
use super::model::KvCache;

/// Beam-search drafting, one search per source over the same prompt.
#[derive(Debug, Clone, PartialEq)]
pub struct BeamSearch {
    /// Hypotheses kept per step.
    pub width: usize,
    /// Drafts are ranked by log-probability / length^`length_norm` (0: plain sum, 1: per token).
    pub length_norm: f32,
    /// Tokens a draft needs before a sentence end or end of text counts ("The memory." is no draft).
    pub min_tokens: usize,
    pub sources: Vec<DraftSource>,
}

impl BeamSearch {
    pub fn new(sources: Vec<DraftSource>) -> BeamSearch {
        BeamSearch {
            width: 4,
            length_norm: 1.0,
            min_tokens: 5,
            sources,
        }
    }

    pub fn validate(&self) -> Result<(), String> {
        if !(1..=MAX_WIDTH).contains(&self.width) {
            return Err(format!(
                "the beam width must be 1 to {MAX_WIDTH}, not {}",
                self.width
            ));
        }
        if !(0.0..=2.0).contains(&self.length_norm) {
            return Err(format!(
                "length_norm must be between 0 and 2, not {}",
                self.length_norm
            ));
        }
        if self.sources.is_empty() {
            return Err("a beam search needs at least one source".to_string());
        }
        Ok(())
    }
}

/// Widest beam a request may ask for.
pub const MAX_WIDTH: usize = 8;

/// Search-score cost of leaving a copied span where the source goes on (a function word or the end
/// in its place): the draft keeps copying unless the model clearly prefers to leave.
pub const SPAN_LEAVE_PENALTY: f32 = 1.0;

/// What a draft may draw on, and what follows it once finished.
#[derive(Debug, Clone, PartialEq)]
pub struct DraftSource {
    /// The text whose tokens the draft may use (with the function words of [`super::copy`]).
    pub copy_from: String,
    /// Forced after the finished sentence and counted in its score (e.g. " [2]"); may be empty.
    pub suffix: String,
}

/// How a draft ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftEnd {
    /// Its first sentence finished (a full stop, question or exclamation mark).
    Sentence,
    /// The model ended the text (end-of-text token or a line break) before any sentence end.
    Eos,
    /// It ran out of tokens or time unfinished (kept only to show what was refused).
    Length,
}

/// One candidate draft.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    /// Index of its source in [`BeamSearch::sources`].
    pub source: usize,
    /// The draft as generated (its leading space kept), the suffix not included.
    pub text: String,
    pub tokens: Vec<u32>,
    /// The model's log-probability of the draft, its suffix and its end.
    pub log_prob: f32,
    /// The part of `log_prob` that is the end: end of text or a line break after the draft (and
    /// its suffix); 0 for an unfinished draft.
    pub end_log_prob: f32,
    /// `log_prob` normalised by length: what drafts are ranked by.
    pub score: f32,
    /// Tokens lying in spans copied from the source ([`CopyConstraint::copied_tokens`]).
    pub copied_tokens: usize,
    pub end: DraftEnd,
}

impl Draft {
    /// Share of the draft's tokens that lie in copied spans.
    pub fn copied_share(&self) -> f64 {
        if self.tokens.is_empty() {
            return 0.0;
        }
        self.copied_tokens as f64 / self.tokens.len() as f64
    }
}

/// A hypothesis in the beam.
struct Hyp {
    tokens: Vec<u32>,
    /// The model's log-probability of `tokens`.
    log_prob: f32,
    /// `log_prob` less the span-leaving penalties: what the beam keeps the best of.
    search: f32,
    cache: Rc<KvCache>,
    /// Log-probabilities of the next token.
    next: Rc<Vec<f32>>,
    /// The text ends with "." that may still be inside the sentence ("0.5", ".py").
    after_stop: bool,
}

/// What every search shares: the prompt's cache and next-token log-probabilities, the limits.
struct Root {
    cache: Rc<KvCache>,
    next: Rc<Vec<f32>>,
    max_tokens: usize,
    /// Tokens that end the text: end-of-text and line breaks.
    ends: Vec<u32>,
}

impl Engine {
    /// Runs one beam search per source of `spec` after `prompt` (fed once, its cache shared) and
    /// returns every draft, best score first, and why the search ended early (deadline or
    /// cancellation), if it did.
    pub(super) fn drafts(
        &mut self,
        prompt: &[u32],
        spec: &BeamSearch,
        max_new_tokens: usize,
        eos: Option<u32>,
        controls: Controls<'_>,
    ) -> Result<(Vec<Draft>, Option<FinishReason>), AiError> {
        let empty = self.model.empty_cache()?;
        let cache = self.model.forward_from(&empty, prompt)?;
        let room = self.config().n_positions.saturating_sub(prompt.len() + 1);
        let vocab = self.config().vocab_size;
        let ends: Vec<u32> = (0..vocab as u32)
            .filter(|&id| Some(id) == eos || self.line_break(id))
            .collect();
        let mut root = Root {
            cache: Rc::new(cache),
            next: Rc::new(log_softmax(self.model.last_logits())),
            max_tokens: max_new_tokens.min(room),
            ends,
        };
        let mut drafts = Vec::new();
        let mut stopped = None;
        for (index, source) in spec.sources.iter().enumerate() {
            if let Some(reason) = controls.interrupted() {
                stopped = Some(reason);
                break;
            }
            let constraint = CopyConstraint::new(
                &self.tokenizer,
                &source.copy_from,
                self.config().vocab_size,
                eos,
            )?;
            let suffix = if source.suffix.is_empty() {
                Vec::new()
            } else {
                self.tokenizer.encode(&source.suffix)?
            };
            let limit = root.max_tokens;
            root.max_tokens = limit.min(room.saturating_sub(suffix.len() + 1));
            let (found, reason) =
                self.search(index, &constraint, &suffix, spec, &root, controls)?;
            root.max_tokens = limit;
            drafts.extend(found);
            if reason.is_some() {
                stopped = reason;
                break;
            }
        }
        drafts.sort_by(|a, b| b.score.total_cmp(&a.score));
        Ok((drafts, stopped))
    }

    /// The beam search for one source.
    fn search(
        &mut self,
        index: usize,
        constraint: &CopyConstraint,
        suffix: &[u32],
        spec: &BeamSearch,
        root: &Root,
        controls: Controls<'_>,
    ) -> Result<(Vec<Draft>, Option<FinishReason>), AiError> {
        let norm = |len: usize| (len.max(1) as f32).powf(spec.length_norm);
        let mut beams = vec![Hyp {
            tokens: Vec::new(),
            log_prob: 0.0,
            search: 0.0,
            cache: root.cache.clone(),
            next: root.next.clone(),
            after_stop: false,
        }];
        let mut done: Vec<Draft> = Vec::new();
        for _ in 0..root.max_tokens {
            if let Some(reason) = controls.interrupted() {
                return Ok((done, Some(reason)));
            }
            let mut expansions: Vec<(f32, usize, u32, f32)> = Vec::new();
            for (b, hyp) in beams.iter().enumerate() {
                let mut masked = hyp.next.to_vec();
                constraint.apply(&hyp.tokens, &mut masked);
                let in_span = constraint.in_span(&hyp.tokens);
                for (id, lp) in top(&masked, spec.width * 2) {
                    let ends_line = root.ends.contains(&id);
                    if !ends_line && self.tokenizer.token_bytes(id).contains(&b'\n') {
                        // Text and a line break in one token (".\n"): the draft is one line.
                        continue;
                    }
                    if hyp.after_stop && (ends_line || self.starts_with_space(id)) {
                        continue;
                    }
                    if ends_line {
                        if hyp.tokens.len() >= spec.min_tokens && !hyp.after_stop {
                            done.push(self.draft(
                                index,
                                constraint,
                                hyp,
                                (hyp.log_prob + lp, lp),
                                norm(hyp.tokens.len() + 1),
                                DraftEnd::Eos,
                            ));
                        }
                        continue;
                    }
                    let leaves = in_span
                        && hyp
                            .tokens
                            .last()
                            .is_some_and(|last| !constraint.follows(*last, id));
                    let penalty = if leaves { SPAN_LEAVE_PENALTY } else { 0.0 };
                    expansions.push((hyp.search + lp - penalty, b, id, lp));
                }
            }
            expansions.sort_by(|a, b| b.0.total_cmp(&a.0));
            expansions.truncate(spec.width);
            if expansions.is_empty() {
                beams.clear();
                break;
            }
            let mut next_beams = Vec::with_capacity(expansions.len());
            for (search, b, id, lp) in expansions {
                let parent = &beams[b];
                let cache = self.model.forward_from(&parent.cache, &[id])?;
                let mut tokens = parent.tokens.clone();
                tokens.push(id);
                let mut hyp = Hyp {
                    tokens,
                    log_prob: parent.log_prob + lp,
                    search,
                    cache: Rc::new(cache),
                    next: Rc::new(log_softmax(self.model.last_logits())),
                    after_stop: false,
                };
                match sentence_end(&self.text(&hyp.tokens)) {
                    None => next_beams.push(hyp),
                    Some(may_continue) => {
                        if hyp.tokens.len() >= spec.min_tokens {
                            let (log_prob, end, len) = self.close(&hyp, suffix, &root.ends)?;
                            done.push(self.draft(
                                index,
                                constraint,
                                &hyp,
                                (log_prob, end),
                                norm(len),
                                DraftEnd::Sentence,
                            ));
                        }
                        // Only "0." may go on ("0.5"); a finished sentence is the draft's last.
                        if may_continue {
                            hyp.after_stop = true;
                            next_beams.push(hyp);
                        }
                    }
                }
            }
            beams = next_beams;
            // Log-probabilities only fall: stop once no hypothesis could overtake the best draft
            // even at the longest length allowed.
            let best = done
                .iter()
                .map(|d| d.score)
                .fold(f32::NEG_INFINITY, f32::max);
            let longest = norm(root.max_tokens + suffix.len() + 1);
            if beams.iter().all(|h| h.log_prob / longest <= best) {
                beams.clear();
                break;
            }
        }
        if done.is_empty() {
            // Nothing finished: the best unfinished hypothesis, to show what was refused.
            if let Some(hyp) = beams.first() {
                let draft = self.draft(
                    index,
                    constraint,
                    hyp,
                    (hyp.log_prob, 0.0),
                    norm(hyp.tokens.len()),
                    DraftEnd::Length,
                );
                done.push(draft);
            }
        }
        Ok((done, None))
    }

    /// Forces `suffix` after a finished sentence and adds the end's probability: the draft's whole
    /// log-probability, the end's part of it and the draft's length in tokens.
    fn close(
        &mut self,
        hyp: &Hyp,
        suffix: &[u32],
        ends: &[u32],
    ) -> Result<(f32, f32, usize), AiError> {
        let mut log_prob = hyp.log_prob;
        let mut next = hyp.next.clone();
        let mut cache = hyp.cache.clone();
        for &id in suffix {
            log_prob += next.get(id as usize).copied().unwrap_or(f32::NEG_INFINITY);
            cache = Rc::new(self.model.forward_from(&cache, &[id])?);
            next = Rc::new(log_softmax(self.model.last_logits()));
        }
        // The probability that the text ends here (end of text or a line break).
        let end: Vec<f32> = ends
            .iter()
            .filter_map(|id| next.get(*id as usize).copied())
            .collect();
        let end = log_sum_exp(&end);
        Ok((log_prob + end, end, hyp.tokens.len() + suffix.len() + 1))
    }

    fn draft(
        &self,
        source: usize,
        constraint: &CopyConstraint,
        hyp: &Hyp,
        (log_prob, end_log_prob): (f32, f32),
        norm: f32,
        end: DraftEnd,
    ) -> Draft {
        Draft {
            source,
            text: self.text(&hyp.tokens),
            tokens: hyp.tokens.clone(),
            log_prob,
            end_log_prob,
            score: log_prob / norm,
            copied_tokens: constraint.copied_tokens(&hyp.tokens),
            end,
        }
    }

    fn text(&self, tokens: &[u32]) -> String {
        let bytes: Vec<u8> = tokens
            .iter()
            .flat_map(|t| self.tokenizer.token_bytes(*t).iter().copied())
            .collect();
        String::from_utf8_lossy(&bytes).into_owned()
    }

    /// A token of line breaks (and spaces) only.
    fn line_break(&self, id: u32) -> bool {
        let bytes = self.tokenizer.token_bytes(id);
        bytes.contains(&b'\n') && bytes.iter().all(u8::is_ascii_whitespace)
    }

    fn starts_with_space(&self, id: u32) -> bool {
        self.tokenizer
            .token_bytes(id)
            .first()
            .is_some_and(u8::is_ascii_whitespace)
    }
}

/// Whether `text` ends a sentence; `Some(true)` when the end is a "." that may still be followed
/// by more of the same word ("0.5"), `Some(false)` for "?", "!", "。" and the like.
pub fn sentence_end(text: &str) -> Option<bool> {
    let body = text.trim_end_matches(['”', '’', '」', '』', '）', ')', '"', '\'', '》', '】']);
    match body.chars().last()? {
        '.' => Some(true),
        '!' | '?' | '。' | '！' | '？' => Some(false),
        _ => None,
    }
}

/// The `k` largest finite entries of `values` as (index, value), largest first.
pub fn top(values: &[f32], k: usize) -> Vec<(u32, f32)> {
    let mut finite: Vec<(u32, f32)> = values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .map(|(i, v)| (i as u32, *v))
        .collect();
    if finite.len() > k {
        finite.select_nth_unstable_by(k, |a, b| b.1.total_cmp(&a.1));
        finite.truncate(k);
    }
    finite.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    finite
}

/// Log-probabilities from logits.
pub fn log_softmax(logits: &[f32]) -> Vec<f32> {
    let total = log_sum_exp(logits);
    logits.iter().map(|l| l - total).collect()
}

fn log_sum_exp(values: &[f32]) -> f32 {
    let max = values.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    if !max.is_finite() {
        return max;
    }
    max + values.iter().map(|v| (v - max).exp()).sum::<f32>().ln()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn log_softmax_sums_to_one_and_keeps_order() {
        let lp = log_softmax(&[1.0, 2.0, 3.0, f32::NEG_INFINITY]);
        let total: f32 = lp.iter().map(|l| l.exp()).sum();
        assert!((total - 1.0).abs() < 1e-5, "{total}");
        assert!(lp[2] > lp[1] && lp[1] > lp[0]);
        assert_eq!(lp[3], f32::NEG_INFINITY);
    }

    #[test]
    fn top_returns_the_largest_finite_values_first() {
        let values = [0.5, f32::NEG_INFINITY, 2.0, 1.0, -1.0];
        assert_eq!(top(&values, 2), vec![(2, 2.0), (3, 1.0)]);
        assert_eq!(
            top(&values, 10).len(),
            4,
            "minus infinity is never a choice"
        );
    }

    #[test]
    fn sentences_end_at_full_stops_and_marks_only_dots_may_go_on() {
        assert_eq!(sentence_end(" The cache grows."), Some(true));
        assert_eq!(sentence_end(" Does it grow?"), Some(false));
        assert_eq!(sentence_end("缓存会变大。"), Some(false));
        assert_eq!(sentence_end(" (as the post says.)"), Some(true));
        assert_eq!(sentence_end(" The cache grows"), None);
        assert_eq!(sentence_end(" The cache, "), None);
    }

    #[test]
    fn beam_settings_are_checked() {
        let source = DraftSource {
            copy_from: "text".into(),
            suffix: String::new(),
        };
        let mut spec = BeamSearch::new(vec![source]);
        assert!(spec.validate().is_ok());
        spec.width = 0;
        assert!(spec.validate().is_err());
        spec.width = 4;
        spec.sources.clear();
        assert!(spec.validate().is_err());
    }
}
