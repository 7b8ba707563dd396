//! The answer bot's engine: retrieval from the forum's own posts, the grounded answer, the model's
//! addition and the citation post-check, and the answer's Markdown as stored. The decisions are pure
//! functions in [`super::bot`]; this module feeds them from the search index and runs the model.
//! Storing a reply is `services::bot`'s job.
use std::ops::RangeInclusive;
use std::time::{Duration, Instant};

use super::bot::{self, Passage};
use super::draft::{BeamSearch, DraftSource};
use super::{AiError, AiService, AiStatus, GenerateRequest};
use crate::db::{self, Db, DbError};
use crate::domain::paths::ask_url;
use crate::search::{self, Combine, SearchKind, SearchQuery};

/// Tokens the model may add to an answer (the admins' `ai.bot_max_tokens` stays inside it).
pub const MAX_TOKENS: RangeInclusive<usize> = 8..=400;

/// The loaded model's name (its directory's name), if the AI is ready.
pub fn model_name(ai: Option<&AiService>) -> Option<String> {
    match ai.map(AiService::status) {
        Some(AiStatus::Ready(model)) => Some(
            std::path::Path::new(&model.model_dir)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or(model.model_dir),
        ),
        _ => None,
    }
}

fn context_size(ai: &AiService) -> usize {
    match ai.status() {
        AiStatus::Ready(model) => model.n_positions,
        _ => 512,
    }
}

/// How a question to the bot ended.
#[derive(Debug, Clone, PartialEq)]
pub struct BotReply {
    pub abstained: bool,
    /// Markdown: the grounded sentences with citations, then the model's checked text (if any).
    pub markdown: String,
    /// The passages the answer cites, numbered as cited.
    pub passages: Vec<Passage>,
    /// Citations the post-check took out (pointing at nothing retrieved or at posts now hidden).
    pub removed_citations: usize,
    pub model: String,
    pub tokens: usize,
    /// The model's sentences kept in the answer (each cites the passage it drew on).
    pub generated_sentences: usize,
    pub elapsed: Duration,
}

/// What the bot tells a page while it works.
#[derive(Debug, Clone)]
pub enum BotEvent {
    Sources(Vec<Passage>),
    Text(String),
}

/// The passages the forum has for `question` (articles, answered questions and their answers,
/// listed resources), best first, at most [`bot::MAX_PASSAGES`]; posts of `exclude_thread` (the
/// question being answered) are left out.
pub async fn retrieve(
    db: &Db,
    question: &str,
    exclude_thread: Option<i64>,
) -> Result<Vec<Passage>, DbError> {
    let mut query = SearchQuery::new(question);
    query.combine = Combine::Any;
    query.per_page = 30;
    let mut hits: Vec<_> = search::hybrid::candidates(db, &query)
        .await?
        .into_iter()
        .filter(|hit| exclude_thread.is_none_or(|t| hit.post_id != t && hit.question_id != Some(t)))
        .collect();
    query.kind = Some(SearchKind::Resource);
    query.per_page = 10;
    hits.extend(
        search::hybrid::ranked(db, &query)
            .await?
            .0
            .into_iter()
            .take(10),
    );
    Ok(bot::choose_passages(question, &hits))
}

/// The words an abstention says, with the ask-a-question link.
pub fn abstention_markdown(question: &str) -> String {
    let title: String = question.trim().chars().take(150).collect();
    let ask = ask_url(&title);
    format!(
        "I found nothing in the forum that answers this, so I will not guess. \
         [Ask the community]({ask}) instead.\n\n\
         我在论坛里没有找到能回答这个问题的内容，所以不作猜测。请[向社区提问]({ask})。"
    )
}

/// Answers `question` from the forum's own posts: retrieve, quote, generate, check citations.
///
/// `emit` gets the sources, then the text as it is made; when it returns `false`, or when `gone`
/// completes (nobody is listening any more, e.g. the page was closed), generation is cancelled —
/// also while it still waits in the inference queue — and `Err(AiError::Cancelled)` comes back.
pub async fn answer(
    db: &Db,
    ai: &AiService,
    question: &str,
    exclude_thread: Option<i64>,
    max_tokens: usize,
    emit: &mut (dyn FnMut(BotEvent) -> bool + Send),
    gone: impl std::future::Future<Output = ()> + Send,
) -> Result<BotReply, AiError> {
    let started = Instant::now();
    let model = model_name(Some(ai)).ok_or_else(|| match ai.status() {
        AiStatus::Off { reason } => AiError::Off(reason),
        _ => AiError::Busy,
    })?;
    let passages = retrieve(db, question, exclude_thread)
        .await
        .map_err(|e| AiError::Model(format!("search failed: {e}")))?;
    if passages.is_empty() {
        let markdown = abstention_markdown(question);
        if !emit(BotEvent::Text(markdown.clone())) {
            return Err(AiError::Cancelled);
        }
        return Ok(BotReply {
            abstained: true,
            markdown,
            passages,
            removed_citations: 0,
            model,
            tokens: 0,
            generated_sentences: 0,
            elapsed: started.elapsed(),
        });
    }
    if !emit(BotEvent::Sources(passages.clone())) {
        return Err(AiError::Cancelled);
    }
    let grounded = bot::grounded_answer(question, &passages);
    if !emit(BotEvent::Text(format!("{grounded}\n\n"))) {
        return Err(AiError::Cancelled);
    }

    let request = answer_request(question, &passages, context_size(ai), max_tokens);
    // Draft source i is passage numbers[i].
    let numbers: Vec<usize> = passages.iter().map(|p| p.n).collect();
    let mut stream = ai.stream(request)?;
    let mut gone = std::pin::pin!(gone);
    loop {
        // Dropping the stream (by returning) cancels the generation at its next token. The raw
        // text is not shown: only sentences that pass the checks below reach the reader.
        let piece = tokio::select! {
            piece = stream.next() => piece,
            () = &mut gone => return Err(AiError::Cancelled),
        };
        if piece.is_none() {
            break;
        }
    }
    let (drafts, tokens) = match stream.finish().await {
        Ok(generation) => (generation.drafts, generation.tokens.len()),
        // Out of time: the quoted part still stands on its own.
        Err(AiError::DeadlineExceeded) => (Vec::new(), 0),
        Err(e) => return Err(e),
    };

    // Post-check: only passages still visible to everyone may be cited.
    let mut visible = Vec::new();
    for passage in &passages {
        let listed = if passage.kind == "resource" {
            db::ai::resource_listed(db, passage.post_id).await
        } else {
            db::ai::publicly_visible(db, passage.post_id).await
        };
        if listed.map_err(|e| AiError::Model(e.to_string()))? {
            visible.push(passage.n);
        }
    }
    let (grounded, removed_grounded) = bot::check_citations(&grounded, &visible);
    let grounded: String = grounded
        .lines()
        .filter(|line| !bot::cited(line).is_empty())
        .collect::<Vec<_>>()
        .join("\n");
    // A drafted sentence stays only if it passes the gate, is about the question and cites the
    // (still visible) passage it was drafted from and drew on.
    let passages: Vec<Passage> = passages
        .into_iter()
        .filter(|p| visible.contains(&p.n))
        .collect();
    let generated: Vec<String> = bot::drafted_sentence(question, &drafts, &numbers, &passages)
        .map(|(sentence, _)| sentence)
        .into_iter()
        .collect();
    if passages.is_empty() || grounded.trim().is_empty() {
        return Ok(BotReply {
            abstained: true,
            markdown: abstention_markdown(question),
            passages: Vec::new(),
            removed_citations: removed_grounded,
            model,
            tokens,
            generated_sentences: 0,
            elapsed: started.elapsed(),
        });
    }
    let markdown = answer_markdown(&generated, &grounded);
    if !generated.is_empty() && !emit(BotEvent::Text(format!("\n\n{}", generated.join(" ")))) {
        return Err(AiError::Cancelled);
    }
    Ok(BotReply {
        abstained: false,
        markdown,
        passages,
        removed_citations: removed_grounded,
        model,
        tokens,
        generated_sentences: generated.len(),
        elapsed: started.elapsed(),
    })
}

/// Tokens a drafted answer sentence may run to.
pub const DRAFT_TOKENS: usize = 64;

/// What the bot asks the model for: after the numbered passages and the question
/// ([`bot::build_prompt`]), one beam search per passage over that passage's tokens, each draft
/// ending at its first finished sentence followed by the passage's citation " [n]", which the
/// model's score includes: the ranking says which passage the model finds answers, in its words.
/// The search is deterministic: the same passages give the same drafts.
pub fn answer_request(
    question: &str,
    passages: &[Passage],
    context: usize,
    max_tokens: usize,
) -> GenerateRequest {
    let max_tokens = max_tokens.clamp(*MAX_TOKENS.start(), *MAX_TOKENS.end());
    let budget = context
        .saturating_sub(max_tokens.min(DRAFT_TOKENS) + 8)
        .max(64);
    let mut request = GenerateRequest::new(bot::build_prompt(question, passages, budget));
    request.max_new_tokens = max_tokens.min(DRAFT_TOKENS);
    let sources = passages
        .iter()
        .map(|p| DraftSource {
            copy_from: format!("{}\n{}", p.title, p.text),
            suffix: format!(" [{}]", p.n),
        })
        .collect();
    request.beam = Some(BeamSearch {
        width: BOT_BEAM_WIDTH,
        ..BeamSearch::new(sources)
    });
    request
}

/// Hypotheses per passage in the bot's beam search (three passages share the time budget).
pub const BOT_BEAM_WIDTH: usize = 3;

/// The answer as stored: the model's checked sentences first, labelled as the model's, then the
/// quoted evidence they rest on (the sources follow in [`post_markdown`] and on the page).
pub fn answer_markdown(generated: &[String], grounded: &str) -> String {
    if generated.is_empty() {
        return grounded.to_string();
    }
    format!(
        "*{MODEL_LABEL}*\n\n{}\n\n*{EVIDENCE_LABEL}*\n\n{grounded}",
        generated.join(" ")
    )
}

/// The label over the model's own sentences (stored with the answer, so in both languages).
pub const MODEL_LABEL: &str =
    "In the model's words, checked against the sources · 模型的概括（已对照来源核对）";
/// The label over the quoted evidence.
pub const EVIDENCE_LABEL: &str = "Quoted from the sources · 来源原文";

/// The answer's Markdown with each citation `[n]` a link to the post it cites.
pub fn linked_markdown(markdown: &str, passages: &[Passage]) -> String {
    bot::link_citations(markdown, |n| {
        passages.iter().find(|p| p.n == n).map(|p| p.url.clone())
    })
}

/// A bot answer as a post: the linked answer, then its sources with the passages used.
pub fn post_markdown(reply: &BotReply) -> String {
    let mut text = linked_markdown(&reply.markdown, &reply.passages);
    text.push_str("\n\n**Sources**\n");
    for p in &reply.passages {
        let quote: String = p.text.chars().take(240).collect();
        text.push_str(&format!(
            "\n[{}] [{}]({})\n> {}\n",
            p.n,
            p.title.replace(['[', ']'], ""),
            p.url,
            quote.replace('\n', " ")
        ));
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_markdown_lists_sources_with_passages() {
        let reply = BotReply {
            abstained: false,
            markdown: "- LoRA scales by alpha / r. [1]".into(),
            passages: vec![Passage {
                n: 1,
                post_id: 4,
                thread_id: 4,
                kind: "article".into(),
                title: "LoRA [in] practice".into(),
                url: "/articles/4/lora".into(),
                text: "The update is scaled by alpha / r.".into(),
                accepted: false,
            }],
            removed_citations: 0,
            model: "agora-gpt2".into(),
            tokens: 0,
            generated_sentences: 0,
            elapsed: Duration::ZERO,
        };
        let md = post_markdown(&reply);
        assert!(
            md.contains("[1] [LoRA in practice](/articles/4/lora)"),
            "{md}"
        );
        assert!(md.contains("> The update is scaled by alpha / r."));
    }

    #[test]
    fn an_answer_leads_with_the_model_sentence_then_the_evidence_then_the_sources() {
        let generated = vec!["The update is scaled by alpha over r. [1]".to_string()];
        let grounded = "- The update is multiplied by alpha / r. [1]";
        let md = answer_markdown(&generated, grounded);
        let label = md.find(MODEL_LABEL).expect("labelled as the model's");
        let sentence = md.find("scaled by alpha over r").expect("sentence");
        let evidence = md.find(EVIDENCE_LABEL).expect("evidence label");
        let quote = md.find("multiplied by alpha").expect("quote");
        assert!(
            label < sentence && sentence < evidence && evidence < quote,
            "{md}"
        );
        assert_eq!(
            answer_markdown(&[], grounded),
            grounded,
            "no draft: the evidence alone"
        );
        let reply = BotReply {
            abstained: false,
            markdown: md,
            passages: vec![Passage {
                n: 1,
                post_id: 4,
                thread_id: 4,
                kind: "article".into(),
                title: "LoRA".into(),
                url: "/articles/4/lora".into(),
                text: "The update is multiplied by alpha / r.".into(),
                accepted: false,
            }],
            removed_citations: 0,
            model: "agora-gpt2".into(),
            tokens: 0,
            generated_sentences: 1,
            elapsed: Duration::ZERO,
        };
        let post = post_markdown(&reply);
        assert!(
            post.find("**Sources**") > post.find(EVIDENCE_LABEL),
            "sources last"
        );
    }

    #[test]
    fn abstention_links_the_ask_page_with_the_question() {
        let md = abstention_markdown("What is RLHF?");
        assert!(md.contains("/questions/ask?title=What+is+RLHF%3F"), "{md}");
    }
}
