//! The decoding loop: prompt in one pass, then one token per step through the KV cache, with
//! stop strings, token and time limits, cancellation and streamed UTF-8 text.
use std::time::{Duration, Instant};

pub use super::controls::{Controls, FinishReason};
use super::draft::{BeamSearch, Draft};
use super::engine::Engine;
use super::error::AiError;
use super::sampling::{Sampler, SamplingParams};
use super::tokenizer::Utf8Stream;

/// What to generate and how.
#[derive(Debug, Clone, PartialEq)]
pub struct GenerateRequest {
    pub prompt: String,
    pub max_new_tokens: usize,
    pub sampling: SamplingParams,
    /// Seeds the sampler; the same seed, prompt and parameters give the same text.
    pub seed: Option<u64>,
    /// Generation ends when the text contains one of these; the stop string itself is not returned.
    pub stop: Vec<String>,
    /// End at the model's end-of-text token (config.json `eos_token_id`).
    pub stop_at_eos: bool,
    /// Wall-clock limit for this request, counted from submission (the service also caps it).
    pub deadline: Option<Duration>,
    /// Copy-constrained decoding: when set, only tokens of this text, a few function words and
    /// punctuation, and end-of-text may be generated ([`super::copy`]).
    pub copy_from: Option<String>,
    /// Drafting instead of sampling: one beam search per source, the drafts ranked by the model
    /// ([`super::draft`]); `sampling`, `seed`, `stop` and `copy_from` are then not used.
    pub beam: Option<BeamSearch>,
}

impl GenerateRequest {
    pub fn new(prompt: impl Into<String>) -> GenerateRequest {
        GenerateRequest {
            prompt: prompt.into(),
            max_new_tokens: 64,
            sampling: SamplingParams::default(),
            seed: None,
            stop: Vec::new(),
            stop_at_eos: true,
            deadline: None,
            copy_from: None,
            beam: None,
        }
    }

    pub fn validate(&self) -> Result<(), AiError> {
        if self.max_new_tokens == 0 {
            return Err(AiError::Invalid(
                "max_new_tokens must be at least 1".to_string(),
            ));
        }
        if self.stop.iter().any(String::is_empty) {
            return Err(AiError::Invalid(
                "stop strings must not be empty".to_string(),
            ));
        }
        if let Some(beam) = &self.beam {
            beam.validate().map_err(AiError::Invalid)?;
        }
        self.sampling.validate().map_err(AiError::Invalid)
    }
}

/// The result of one generation.
#[derive(Debug, Clone, PartialEq)]
pub struct Generation {
    pub text: String,
    /// Generated token ids (the end-of-text token excluded, a stop string's tokens included).
    pub tokens: Vec<u32>,
    /// Prompt tokens the model saw.
    pub prompt_tokens: usize,
    /// Prompt tokens cut from the left to fit the context.
    pub prompt_tokens_dropped: usize,
    pub finish: FinishReason,
    /// Time from start to the first generated token (prompt pass included).
    pub time_to_first_token: Duration,
    /// Time from start at which each generated token was chosen (for benchmarks and metrics).
    pub token_times: Vec<Duration>,
    pub elapsed: Duration,
    /// A beam search's drafts, best score first (empty for sampled text); `text` and `tokens`
    /// are the first one's, its suffix included in `text`.
    pub drafts: Vec<Draft>,
}

impl Generation {
    /// Decode speed after the first token, in tokens per second.
    pub fn decode_tokens_per_s(&self) -> f64 {
        let decode = self
            .elapsed
            .saturating_sub(self.time_to_first_token)
            .as_secs_f64();
        if self.tokens.len() < 2 || decode <= 0.0 {
            return 0.0;
        }
        (self.tokens.len() - 1) as f64 / decode
    }
}

/// How many prompt tokens to keep: all when prompt + answer fit; otherwise the most recent ones,
/// leaving room for the answer (at most half the context, so a long prompt keeps its tail).
pub fn prompt_window(prompt_len: usize, max_new_tokens: usize, context: usize) -> usize {
    if prompt_len + max_new_tokens <= context {
        return prompt_len;
    }
    let reserve = max_new_tokens.min(context / 2);
    prompt_len.min(context - reserve).max(1)
}

impl Engine {
    /// Generates text for `request`, calling `on_text` with each new piece of complete UTF-8 text.
    pub fn generate(
        &mut self,
        request: &GenerateRequest,
        controls: Controls<'_>,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation, AiError> {
        request.validate()?;
        let mut ids = self.tokenizer.encode(&request.prompt)?;
        if ids.is_empty() {
            let start = self.config().bos_token_id.or(self.config().eos_token_id);
            ids.push(start.ok_or_else(|| AiError::Invalid("the prompt is empty".to_string()))?);
        }
        self.generate_from_ids(&ids, request, controls, on_text)
    }

    /// Like [`Engine::generate`], from prompt token ids (e.g. a reference fixture's).
    pub fn generate_from_ids(
        &mut self,
        prompt: &[u32],
        request: &GenerateRequest,
        controls: Controls<'_>,
        on_text: &mut dyn FnMut(&str),
    ) -> Result<Generation, AiError> {
        let started = Instant::now();
        request.validate()?;
        if prompt.is_empty() {
            return Err(AiError::Invalid("the prompt is empty".to_string()));
        }
        let config = self.model.config().clone();
        let vocab = config.vocab_size;
        if let Some(&bad) = prompt.iter().find(|&&id| id as usize >= vocab) {
            return Err(AiError::Invalid(format!(
                "token id {bad} is outside the vocabulary"
            )));
        }
        let given = prompt.len();
        let keep = prompt_window(given, request.max_new_tokens, config.n_positions);
        let prompt = &prompt[given - keep..];
        let eos = if request.stop_at_eos {
            config.eos_token_id
        } else {
            None
        };
        if let Some(beam) = &request.beam {
            let (drafts, stopped) = match controls.interrupted() {
                Some(reason) => (Vec::new(), Some(reason)),
                None => self.drafts(prompt, beam, request.max_new_tokens, eos, controls)?,
            };
            let (text, tokens) = drafts.first().map_or_else(Default::default, |d| {
                let suffix = &beam.sources[d.source].suffix;
                (format!("{}{suffix}", d.text), d.tokens.clone())
            });
            if !text.is_empty() {
                on_text(&text);
            }
            let elapsed = started.elapsed();
            return Ok(Generation {
                text,
                tokens,
                prompt_tokens: keep,
                prompt_tokens_dropped: given - keep,
                finish: stopped.unwrap_or(FinishReason::Eos),
                time_to_first_token: elapsed,
                token_times: Vec::new(),
                elapsed,
                drafts,
            });
        }
        let copy = match &request.copy_from {
            Some(source) => Some(super::copy::CopyConstraint::new(
                &self.tokenizer,
                source,
                vocab,
                config.eos_token_id,
            )?),
            None => None,
        };
        let mut sampler = Sampler::new(request.sampling, request.seed, vocab);
        for &id in prompt {
            sampler.observe(id);
        }
        let mut stops = StopMatcher::new(&request.stop);
        let mut utf8 = Utf8Stream::default();
        let mut text = String::new();
        let mut emitted = 0usize;
        let mut tokens = Vec::with_capacity(request.max_new_tokens.min(config.n_positions));
        let mut time_to_first_token = Duration::ZERO;
        let mut token_times = Vec::with_capacity(request.max_new_tokens.min(config.n_positions));

        let mut finish = controls.interrupted();
        if finish.is_none() {
            self.model.reset()?;
            let logits = self.model.forward(prompt)?;
            self.logits.copy_from_slice(logits);
        }
        while finish.is_none() {
            if let Some(copy) = &copy {
                copy.apply(&tokens, &mut self.logits);
            }
            let token = sampler.next_token(&mut self.logits);
            let now = started.elapsed();
            if tokens.is_empty() {
                time_to_first_token = now;
            }
            if Some(token) == eos {
                finish = Some(FinishReason::Eos);
                break;
            }
            tokens.push(token);
            token_times.push(now);
            sampler.observe(token);
            utf8.push(self.tokenizer.token_bytes(token), &mut text);
            if let Some(at) = stops.find(&text) {
                text.truncate(at);
                finish = Some(FinishReason::Stop);
                break;
            }
            let safe = stops.safe_end(&text);
            if safe > emitted {
                on_text(&text[emitted..safe]);
                emitted = safe;
            }
            finish = if tokens.len() >= request.max_new_tokens {
                Some(FinishReason::Length)
            } else if self.model.cached_len() >= config.n_positions {
                Some(FinishReason::ContextFull)
            } else {
                controls.interrupted()
            };
            if finish.is_none() {
                let logits = self.model.forward(&[token])?;
                self.logits.copy_from_slice(logits);
            }
        }
        let finish = finish.unwrap_or(FinishReason::Length);
        if finish != FinishReason::Stop {
            utf8.finish(&mut text);
        }
        if text.len() > emitted {
            on_text(&text[emitted..]);
        }
        Ok(Generation {
            text,
            tokens,
            prompt_tokens: keep,
            prompt_tokens_dropped: given - keep,
            finish,
            time_to_first_token,
            token_times,
            elapsed: started.elapsed(),
            drafts: Vec::new(),
        })
    }
}

/// Finds stop strings in growing text and says how much text is safe to show (cannot yet turn
/// into a stop string).
struct StopMatcher<'a> {
    stops: &'a [String],
    longest: usize,
    searched: usize,
}

impl<'a> StopMatcher<'a> {
    fn new(stops: &'a [String]) -> StopMatcher<'a> {
        StopMatcher {
            stops,
            longest: stops.iter().map(String::len).max().unwrap_or(0),
            searched: 0,
        }
    }

    /// Byte offset of the earliest stop string in `text`, looking only where new text could complete one.
    fn find(&mut self, text: &str) -> Option<usize> {
        if self.stops.is_empty() {
            return None;
        }
        let mut from = self.searched.saturating_sub(self.longest.saturating_sub(1));
        while !text.is_char_boundary(from) {
            from -= 1;
        }
        self.searched = text.len();
        self.stops
            .iter()
            .filter_map(|stop| text[from..].find(stop.as_str()).map(|at| from + at))
            .min()
    }

    /// End of the text that is not the beginning of a stop string.
    fn safe_end(&self, text: &str) -> usize {
        let mut safe = text.len();
        for stop in self.stops {
            for k in (1..stop.len().min(text.len() + 1)).rev() {
                let start = text.len() - k;
                if text.is_char_boundary(start)
                    && stop.as_bytes().starts_with(&text.as_bytes()[start..])
                {
                    safe = safe.min(start);
                    break;
                }
            }
        }
        safe
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prompt_window_keeps_everything_that_fits() {
        assert_eq!(prompt_window(10, 20, 64), 10);
        assert_eq!(prompt_window(44, 20, 64), 44);
    }

    #[test]
    fn prompt_window_cuts_from_the_left_keeping_an_answer_budget() {
        assert_eq!(prompt_window(100, 20, 64), 44);
        // A huge answer budget still leaves the prompt half the context.
        assert_eq!(prompt_window(100, 1000, 64), 32);
        assert_eq!(prompt_window(100, 1000, 1), 1);
    }

    #[test]
    fn stop_strings_are_found_across_pieces() {
        let stops = vec!["\n\nQ:".to_string(), "END".to_string()];
        let mut matcher = StopMatcher::new(&stops);
        let mut text = String::from("answer\n");
        assert_eq!(matcher.find(&text), None);
        assert_eq!(matcher.safe_end(&text), "answer".len());
        text.push_str("\nQ");
        assert_eq!(matcher.find(&text), None);
        assert_eq!(matcher.safe_end(&text), "answer".len());
        text.push_str(": next");
        assert_eq!(matcher.find(&text), Some("answer".len()));
    }

    #[test]
    fn safe_end_respects_character_boundaries() {
        let stops = vec!["。结束".to_string()];
        let matcher = StopMatcher::new(&stops);
        assert_eq!(matcher.safe_end("好。"), "好".len());
        assert_eq!(matcher.safe_end("好。结"), "好".len());
        assert_eq!(matcher.safe_end("好的"), "好的".len());
    }

    #[test]
    fn requests_are_checked() {
        let mut request = GenerateRequest::new("hi");
        assert!(request.validate().is_ok());
        request.max_new_tokens = 0;
        assert!(matches!(request.validate(), Err(AiError::Invalid(_))));
        request.max_new_tokens = 1;
        request.stop = vec![String::new()];
        assert!(matches!(request.validate(), Err(AiError::Invalid(_))));
    }
}
