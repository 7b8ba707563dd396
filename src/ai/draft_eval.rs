//! `agora ai eval`'s measurements of the model's drafts: how many TL;DRs pass the gate, how many bot
//! answers keep a drafted sentence citing the passage it came from, how many cite one they did not
//! draw on, how much of each kept draft is copied, and how long each takes on the engine given.
use std::time::{Duration, Instant};

use super::bot::{self, Passage};
use super::draft::Draft;
use super::engine::Engine;
use super::summarize::{self, Sentence};
use super::{answer, AiError, Controls};
use crate::db::ai::PostSource;

/// One post's TL;DR as the summary job would store it.
#[derive(Debug, Clone)]
pub struct TldrRow {
    pub title: String,
    /// The kept TL;DR, or why the drafts were refused.
    pub outcome: Result<String, &'static str>,
    /// The draft kept, or the best-scored one when all were refused.
    pub draft: Option<Draft>,
    /// The kept draft is word for word one stretch of the title and core.
    pub verbatim: bool,
    pub drafts: usize,
    pub elapsed: Duration,
}

/// One answered question's outcome.
#[derive(Debug, Clone)]
pub struct BotRow {
    pub question: String,
    /// The answer's Markdown as stored (the kept sentence, if any, then the quoted evidence).
    pub markdown: String,
    /// The kept sentence and its draft.
    pub kept: Option<(String, Draft)>,
    /// The best-scored draft, to show what was refused.
    pub best: Option<Draft>,
    /// Citations of the kept sentence that point at a passage it does not draw on.
    pub miscited: usize,
    /// Retrieval and generation.
    pub elapsed: Duration,
}

/// Runs the summary job's TL;DR request on every post with a core.
pub fn tldrs(
    engine: &mut Engine,
    cores: &[(PostSource, Vec<Sentence>)],
) -> Result<Vec<TldrRow>, AiError> {
    let mut rows = Vec::new();
    for (source, core) in cores {
        let started = Instant::now();
        let request = summarize::tldr_request(&source.title, core);
        let controls = Controls {
            deadline: request.deadline.map(|d| Instant::now() + d),
            cancel: None,
        };
        let generation = engine.generate(&request, controls, &mut |_| {})?;
        let elapsed = started.elapsed();
        let drafts = generation.drafts;
        let (outcome, draft) =
            match summarize::tldr_from_drafts(&drafts, &source.title, &source.body_text) {
                Ok((text, index)) => (Ok(text), drafts.get(index).cloned()),
                Err(why) => (Err(why.as_str()), drafts.first().cloned()),
            };
        let copied_from = request
            .beam
            .as_ref()
            .and_then(|b| b.sources.first())
            .map_or(String::new(), |s| s.copy_from.clone());
        let verbatim = outcome.is_ok()
            && draft
                .as_ref()
                .is_some_and(|d| copied_from.contains(d.text.trim()));
        rows.push(TldrRow {
            title: source.title.clone(),
            outcome,
            draft,
            verbatim,
            drafts: drafts.len(),
            elapsed,
        });
    }
    Ok(rows)
}

/// Runs the bot's drafting on every answered question (`retrieval` is the time its passages took).
pub fn answers(
    engine: &mut Engine,
    answered: &[(String, Vec<Passage>, Duration)],
    deadline: Duration,
) -> Result<Vec<BotRow>, AiError> {
    let context = engine.config().n_positions;
    let mut rows = Vec::new();
    for (question, passages, retrieval) in answered {
        let started = Instant::now();
        let request = answer::answer_request(question, passages, context, answer::DRAFT_TOKENS);
        let controls = Controls {
            deadline: Some(Instant::now() + deadline),
            cancel: None,
        };
        let generation = engine.generate(&request, controls, &mut |_| {})?;
        let numbers: Vec<usize> = passages.iter().map(|p| p.n).collect();
        let kept = bot::drafted_sentence(question, &generation.drafts, &numbers, passages);
        let elapsed = started.elapsed() + *retrieval;
        let grounded = bot::grounded_answer(question, passages);
        let sentences: Vec<String> = kept.iter().map(|(s, _)| s.clone()).collect();
        // Re-check what is kept: every citation must point at a passage the sentence drew on.
        let miscited = sentences
            .iter()
            .map(|sentence| {
                let plain = sentence
                    .rsplit_once(' ')
                    .map_or(sentence.as_str(), |(s, _)| s);
                bot::cited(sentence)
                    .into_iter()
                    .filter(|n| {
                        !passages.iter().find(|p| p.n == *n).is_some_and(|p| {
                            summarize::faithful(plain, &format!("{} {}", p.title, p.text))
                        })
                    })
                    .count()
            })
            .sum();
        rows.push(BotRow {
            question: question.clone(),
            markdown: answer::answer_markdown(&sentences, &grounded),
            kept: kept.map(|(s, index)| (s, generation.drafts[index].clone())),
            best: generation.drafts.first().cloned(),
            miscited,
            elapsed,
        });
    }
    Ok(rows)
}

/// The `share` quantile of `times` in seconds (nearest rank), 0 when there are none.
pub fn quantile(times: &[Duration], share: f64) -> f64 {
    let mut seconds: Vec<f64> = times.iter().map(Duration::as_secs_f64).collect();
    seconds.sort_by(f64::total_cmp);
    if seconds.is_empty() {
        return 0.0;
    }
    let index = ((seconds.len() as f64 * share).ceil() as usize).clamp(1, seconds.len()) - 1;
    seconds[index]
}

/// Share of the drafts' tokens that lie in copied spans, over all `drafts` together.
pub fn copied_share<'a>(drafts: impl IntoIterator<Item = &'a Draft>) -> f64 {
    let (copied, total) = drafts.into_iter().fold((0, 0), |(c, t), d| {
        (c + d.copied_tokens, t + d.tokens.len())
    });
    if total == 0 {
        0.0
    } else {
        copied as f64 / total as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ai::draft::DraftEnd;

    #[test]
    fn quantiles_take_the_nearest_rank() {
        let times: Vec<Duration> = (1..=20).map(Duration::from_secs).collect();
        assert_eq!(quantile(&times, 0.5), 10.0);
        assert_eq!(quantile(&times, 0.95), 19.0);
        assert_eq!(quantile(&times, 1.0), 20.0);
        assert_eq!(quantile(&[], 0.5), 0.0);
    }

    #[test]
    fn the_copied_share_counts_tokens_over_all_drafts() {
        let draft = |tokens: usize, copied: usize| Draft {
            source: 0,
            text: String::new(),
            tokens: vec![0; tokens],
            log_prob: 0.0,
            end_log_prob: 0.0,
            score: 0.0,
            copied_tokens: copied,
            end: DraftEnd::Sentence,
        };
        assert_eq!(copied_share(&[draft(10, 5), draft(10, 10)]), 0.75);
        assert_eq!(copied_share(&[]), 0.0);
    }
}
