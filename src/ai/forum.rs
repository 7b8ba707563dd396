//! The AI put to work in the forum: summary drafts and the answer bot, their settings, the job
//! kinds that run them in the background, and the evaluation over the demo community.
//!
//! The steps that decide anything (sentence choice, passage choice, prompt, citation check, quality
//! gate) are pure functions in [`super::summarize`] and [`super::bot`]; this module feeds them from
//! the database and the search index and runs the model through [`AiService`].
use std::sync::Arc;
use std::time::{Duration, Instant};

use futures_util::FutureExt;
use serde::Deserialize;

use super::bot::{self, Passage};
use super::summarize::{self, Sentence};
use super::{AiError, AiService, AiStatus, GenerateRequest, SamplingParams};
use crate::db::{self, Db, DbError};
use crate::domain::{Markdown, PostKind, PostStatus, Username};
use crate::jobs::Registry;
use crate::search::{self, Combine, SearchKind, SearchQuery};

pub const SUMMARY_JOB: &str = "summarize";
pub const BOT_ANSWER_JOB: &str = "bot_answer";

/// Site settings keys (edited on /admin/ai).
pub mod keys {
    pub const SUMMARIES: &str = "ai.summaries";
    pub const SUMMARY_MIN_CHARS: &str = "ai.summary_min_chars";
    pub const BOT: &str = "ai.bot";
    pub const BOT_AUTO_ANSWER: &str = "ai.bot_auto_answer";
    pub const BOT_NAME: &str = "ai.bot_name";
    pub const BOT_MAX_TOKENS: &str = "ai.bot_max_tokens";
}

/// The AI features' run-time settings, with their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSettings {
    pub summaries: bool,
    /// Posts with at least this many characters of Markdown get a summary draft on their own.
    pub summary_min_chars: usize,
    pub bot: bool,
    /// Post a bot answer on every new question (off by default).
    pub bot_auto_answer: bool,
    pub bot_name: String,
    pub bot_max_tokens: usize,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        FeatureSettings {
            summaries: true,
            summary_min_chars: 600,
            bot: true,
            bot_auto_answer: false,
            bot_name: "agora-bot".to_string(),
            bot_max_tokens: 96,
        }
    }
}

pub const BOT_MAX_TOKENS_RANGE: std::ops::RangeInclusive<usize> = 8..=400;
pub const SUMMARY_MIN_CHARS_RANGE: std::ops::RangeInclusive<usize> = 100..=100_000;

impl FeatureSettings {
    pub async fn load(db: &Db) -> Result<FeatureSettings, DbError> {
        let defaults = FeatureSettings::default();
        let stored = db::settings::with_prefix(db, "ai.").await?;
        let get = |key: &str| stored.get(key).map(String::as_str);
        let flag = |key: &str, default: bool| get(key).map_or(default, |v| v == "on");
        let number = |key: &str, default: usize, range: &std::ops::RangeInclusive<usize>| {
            get(key)
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| range.contains(n))
                .unwrap_or(default)
        };
        Ok(FeatureSettings {
            summaries: flag(keys::SUMMARIES, defaults.summaries),
            summary_min_chars: number(
                keys::SUMMARY_MIN_CHARS,
                defaults.summary_min_chars,
                &SUMMARY_MIN_CHARS_RANGE,
            ),
            bot: flag(keys::BOT, defaults.bot),
            bot_auto_answer: flag(keys::BOT_AUTO_ANSWER, defaults.bot_auto_answer),
            bot_name: get(keys::BOT_NAME)
                .filter(|n| Username::parse(n).is_ok())
                .map_or(defaults.bot_name, str::to_string),
            bot_max_tokens: number(
                keys::BOT_MAX_TOKENS,
                defaults.bot_max_tokens,
                &BOT_MAX_TOKENS_RANGE,
            ),
        })
    }
}

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

// ---------------------------------------------------------------------------------------------
// Summaries

/// What the summary job asks the model for: a greedy continuation of the title and the extractive
/// core, with a repetition penalty, ending at the first blank line.
pub fn tldr_request(title: &str, core: &[Sentence]) -> GenerateRequest {
    let mut request = GenerateRequest::new(summarize::tldr_prompt(title, core));
    request.max_new_tokens = 48;
    request.sampling = SamplingParams {
        repetition_penalty: 1.3,
        ..SamplingParams::greedy()
    };
    request.stop = vec!["\n\n".to_string()];
    request.deadline = Some(Duration::from_secs(60));
    request
}

#[derive(Deserialize)]
struct PostPayload {
    post_id: i64,
}

fn post_payload(post_id: i64) -> String {
    serde_json::json!({ "post_id": post_id }).to_string()
}

async fn enqueue_summary(db: &Db, post_id: i64) -> Result<bool, DbError> {
    let key = format!("summary:{post_id}");
    Ok(
        db::jobs::enqueue(db, SUMMARY_JOB, &post_payload(post_id), Some(&key), 5)
            .await?
            .is_some(),
    )
}

/// After an article or question is created or edited: an unchanged text queues nothing; an edited
/// one marks its summary stale and queues one job; a new long post queues its first summary.
/// Returns whether a job was queued.
pub async fn post_changed(db: &Db, post_id: i64) -> Result<bool, DbError> {
    let settings = FeatureSettings::load(db).await?;
    if !settings.summaries {
        return Ok(false);
    }
    let Some(post) = db::ai::post_source(db, post_id).await? else {
        return Ok(false);
    };
    if !matches!(post.kind.as_str(), "article" | "question") || post.status != "published" {
        return Ok(false);
    }
    let hash = summarize::source_hash(&post.title, &post.body_md);
    match db::ai::summary(db, post_id).await? {
        Some(existing) if existing.source_hash == hash => Ok(false),
        Some(existing) => {
            if existing.status != "queued" {
                db::ai::mark_stale(db, post_id).await?;
            }
            enqueue_summary(db, post_id).await
        }
        None if post.body_md.chars().count() >= settings.summary_min_chars => {
            enqueue_summary(db, post_id).await
        }
        None => Ok(false),
    }
}

/// The author or staff asks for a summary (also of a short post), or staff regenerate one.
pub async fn request_summary(db: &Db, post_id: i64, regenerate: bool) -> Result<bool, DbError> {
    if regenerate {
        db::ai::forget_source_hash(db, post_id).await?;
    }
    enqueue_summary(db, post_id).await
}

/// What one summary job did.
#[derive(Debug, Clone, PartialEq)]
pub enum SummaryOutcome {
    /// The stored summary was made from this very text and model.
    Unchanged,
    /// The post is gone or not public: nothing to summarise.
    Skipped,
    Drafted {
        generated: bool,
    },
}

/// The `summarize` job: the extractive core always, the generated TL;DR when the model is ready
/// and its text passes the quality gate. A busy model fails the job, so it is retried later.
pub async fn summarize_post(
    db: &Db,
    ai: Option<&AiService>,
    post_id: i64,
) -> Result<SummaryOutcome, String> {
    let Some(source) = db::ai::post_source(db, post_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(SummaryOutcome::Skipped);
    };
    if source.status != "published" || !matches!(source.kind.as_str(), "article" | "question") {
        return Ok(SummaryOutcome::Skipped);
    }
    if ai.is_some_and(|ai| ai.status() == AiStatus::Loading) {
        // Retried with back-off: the draft should have its TL;DR once the model is up.
        return Err("the model is still loading".into());
    }
    let hash = summarize::source_hash(&source.title, &source.body_md);
    let model = model_name(ai).unwrap_or_else(|| "extractive".to_string());
    let existing = db::ai::summary(db, post_id)
        .await
        .map_err(|e| e.to_string())?;
    if existing
        .as_ref()
        .is_some_and(|s| s.source_hash == hash && s.model == model)
    {
        return Ok(SummaryOutcome::Unchanged);
    }
    let core = summarize::extract(
        &source.title,
        &source.body_text,
        summarize::EXTRACTIVE_SENTENCES,
    );
    let started = Instant::now();
    let (generated, rejected, tokens) = match ai.filter(|_| !core.is_empty()) {
        Some(ai) if model != "extractive" => {
            match ai
                .generate(tldr_request(&source.title, &core), |_| {})
                .await
            {
                Ok(generation) => {
                    match summarize::tldr(&generation.text, &source.title, &source.body_text) {
                        Ok(text) => (text, String::new(), generation.tokens.len()),
                        Err(why) => (
                            String::new(),
                            why.as_str().to_string(),
                            generation.tokens.len(),
                        ),
                    }
                }
                Err(AiError::Busy) => return Err("the AI is busy; retrying later".into()),
                Err(e) => (String::new(), e.to_string(), 0),
            }
        }
        _ => (String::new(), "the AI is off".to_string(), 0),
    };
    let extractive = serde_json::to_string(&core).map_err(|e| e.to_string())?;
    db::ai::store_draft(
        db,
        db::ai::NewDraft {
            post_id,
            source_hash: &hash,
            model: &model,
            extractive: &extractive,
            generated: &generated,
            rejected_reason: &rejected,
            tokens: tokens as i64,
            elapsed_ms: started.elapsed().as_millis() as i64,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(SummaryOutcome::Drafted {
        generated: !generated.is_empty(),
    })
}

/// The extractive sentences stored with a summary.
pub fn stored_sentences(extractive_json: &str) -> Vec<Sentence> {
    serde_json::from_str(extractive_json).unwrap_or_default()
}

/// The text an author accepts by default: the generated TL;DR (if any) and the extractive core.
pub fn default_summary_text(extractive: &[Sentence], generated: &str) -> String {
    let mut text = String::new();
    if !generated.is_empty() {
        text.push_str(generated.trim());
        text.push_str("\n\n");
    }
    for sentence in extractive {
        text.push_str("- ");
        text.push_str(sentence.text.trim());
        text.push('\n');
    }
    text.trim_end().to_string()
}

// ---------------------------------------------------------------------------------------------
// The answer bot

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
    let mut hits: Vec<_> = search::search(db, &query)
        .await?
        .into_iter()
        .filter(|hit| exclude_thread.is_none_or(|t| hit.post_id != t && hit.question_id != Some(t)))
        .collect();
    query.kind = Some(SearchKind::Resource);
    query.per_page = 10;
    hits.extend(search::search(db, &query).await?);
    Ok(bot::choose_passages(question, &hits))
}

/// The words an abstention says, with the ask-a-question link.
pub fn abstention_markdown(question: &str) -> String {
    let title: String = question.trim().chars().take(150).collect();
    let encoded: String = url::form_urlencoded::byte_serialize(title.as_bytes()).collect();
    format!(
        "I found nothing in the forum that answers this, so I will not guess. \
         [Ask the community](/questions/ask?title={encoded}) instead.\n\n\
         我在论坛里没有找到能回答这个问题的内容，所以不作猜测。请[向社区提问](/questions/ask?title={encoded})。"
    )
}

/// Answers `question` from the forum's own posts: retrieve, quote, generate, check citations.
///
/// `emit` gets the sources, then the text as it is made; when it returns `false`, or when `gone`
/// completes (nobody is listening any more, e.g. the page was closed), generation is cancelled —
/// also while it still waits in the inference queue — and `Err(AiError::Cancelled)` comes back.
#[allow(clippy::too_many_arguments)]
pub async fn answer(
    db: &Db,
    ai: &AiService,
    question: &str,
    exclude_thread: Option<i64>,
    seed: u64,
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

    let max_tokens = max_tokens.clamp(*BOT_MAX_TOKENS_RANGE.start(), *BOT_MAX_TOKENS_RANGE.end());
    let budget = context_size(ai).saturating_sub(max_tokens + 8).max(64);
    let mut request = GenerateRequest::new(bot::build_prompt(question, &passages, budget));
    request.max_new_tokens = max_tokens;
    request.seed = Some(seed);
    request.sampling = SamplingParams {
        temperature: 0.7,
        top_k: 40,
        top_p: 0.9,
        repetition_penalty: 1.2,
    };
    request.stop = vec!["\nQuestion:".into(), "\n\n\n".into(), "Forum posts:".into()];
    let mut stream = ai.stream(request)?;
    let mut gone = std::pin::pin!(gone);
    loop {
        // Dropping the stream (by returning) cancels the generation at its next token.
        let piece = tokio::select! {
            piece = stream.next() => piece,
            () = &mut gone => return Err(AiError::Cancelled),
        };
        let Some(piece) = piece else { break };
        if !emit(BotEvent::Text(piece)) {
            return Err(AiError::Cancelled);
        }
    }
    let (generated, tokens) = match stream.finish().await {
        Ok(generation) => (generation.text, generation.tokens.len()),
        // Out of time: the quoted part still stands on its own.
        Err(AiError::DeadlineExceeded) => (String::new(), 0),
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
    let (generated, removed_generated) = bot::check_citations(&generated, &visible);
    // Generated text stays only if it passes the gate and is about the question and its sources.
    let sources: Vec<&str> = passages.iter().map(|p| p.text.as_str()).collect();
    let about = format!("{question} {}", sources.join(" "));
    let generated = summarize::quality_gate(&generated)
        .ok()
        .filter(|text| bot::on_topic(text, &about))
        .unwrap_or_default();
    let passages: Vec<Passage> = passages
        .into_iter()
        .filter(|p| visible.contains(&p.n))
        .collect();
    if passages.is_empty() || grounded.trim().is_empty() {
        return Ok(BotReply {
            abstained: true,
            markdown: abstention_markdown(question),
            passages: Vec::new(),
            removed_citations: removed_grounded + removed_generated,
            model,
            tokens,
            elapsed: started.elapsed(),
        });
    }
    let mut markdown = grounded;
    if !generated.is_empty() {
        markdown.push_str("\n\n");
        markdown.push_str(&generated);
    }
    Ok(BotReply {
        abstained: false,
        markdown,
        passages,
        removed_citations: removed_grounded + removed_generated,
        model,
        tokens,
        elapsed: started.elapsed(),
    })
}

/// The answer as HTML, each citation `[n]` a link to the post it cites.
pub fn render_answer(markdown: &str, passages: &[Passage]) -> String {
    let linked = bot::link_citations(markdown, |n| {
        passages.iter().find(|p| p.n == n).map(|p| p.url.clone())
    });
    crate::render::render_post_or_source(&linked, crate::render::Limits::default()).html
}

/// A bot answer as a post: the answer, then its sources with the passages used.
pub fn post_markdown(reply: &BotReply) -> String {
    let mut text = bot::link_citations(&reply.markdown, |n| {
        reply
            .passages
            .iter()
            .find(|p| p.n == n)
            .map(|p| p.url.clone())
    });
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

/// Queues a bot answer on a question (setting on, or asked for by the asker or staff).
pub async fn request_bot_answer(db: &Db, question_id: i64) -> Result<bool, DbError> {
    let key = format!("bot_answer:{question_id}");
    Ok(db::jobs::enqueue(
        db,
        BOT_ANSWER_JOB,
        &post_payload(question_id),
        Some(&key),
        3,
    )
    .await?
    .is_some())
}

/// After a question is posted: queue a bot answer when the setting says so.
pub async fn question_posted(db: &Db, question_id: i64) -> Result<bool, DbError> {
    let settings = FeatureSettings::load(db).await?;
    if settings.bot && settings.bot_auto_answer {
        return request_bot_answer(db, question_id).await;
    }
    Ok(false)
}

/// The `bot_answer` job: answers a question on its page as the bot user, or stays silent when the
/// forum has nothing on it. Returns the new answer's id.
pub async fn answer_on_question(
    db: &Db,
    ai: Option<&AiService>,
    question_id: i64,
) -> Result<Option<i64>, String> {
    let ai = ai.ok_or("the AI is off")?;
    let Some(question) = db::posts::by_id(db, question_id)
        .await
        .map_err(|e| e.to_string())?
        .filter(|q| q.kind == PostKind::Question && q.is_published())
    else {
        return Ok(None);
    };
    let settings = FeatureSettings::load(db).await.map_err(|e| e.to_string())?;
    let text = format!("{}\n{}", question.title, question.excerpt);
    let reply = answer(
        db,
        ai,
        &text,
        Some(question.id),
        question.id as u64,
        settings.bot_max_tokens,
        &mut |_| true,
        std::future::pending(),
    )
    .await
    .map_err(|e| e.to_string())?;
    if reply.abstained {
        return Ok(None);
    }
    let name = Username::parse(&settings.bot_name).map_err(|_| "invalid bot name".to_string())?;
    let bot_id = db::ai::ensure_bot_user(db, &name)
        .await
        .map_err(|e| e.to_string())?;
    let body = Markdown::parse(&post_markdown(&reply)).map_err(|e| format!("{e:?}"))?;
    // The model's text is short (a token limit) but rendered like any post, within the limits.
    let rendered = crate::render::post(body.as_str(), crate::render::Limits::default())
        .await
        .map_err(|e| e.to_string())?;
    let id = db::posts::create(
        db,
        db::posts::NewPost {
            kind: PostKind::BotAnswer,
            parent_id: Some(question.id),
            author_id: bot_id,
            title: None,
            body: &body,
            rendered: &rendered,
            tags: None,
            status: PostStatus::Published,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    db::ai::set_post_model(db, id, &reply.model)
        .await
        .map_err(|e| e.to_string())?;
    Ok(Some(id))
}

/// The job kinds the AI features run.
pub fn register_jobs(registry: &mut Registry, db: Db, ai: Option<AiService>) {
    let (summary_db, summary_ai) = (db.clone(), ai.clone());
    registry.register(
        SUMMARY_JOB,
        Arc::new(move |payload: String| {
            let (db, ai) = (summary_db.clone(), summary_ai.clone());
            async move {
                let payload: PostPayload =
                    serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
                summarize_post(&db, ai.as_ref(), payload.post_id)
                    .await
                    .map(|_| ())
            }
            .boxed()
        }),
    );
    registry.register(
        BOT_ANSWER_JOB,
        Arc::new(move |payload: String| {
            let (db, ai) = (db.clone(), ai.clone());
            async move {
                let payload: PostPayload =
                    serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
                answer_on_question(&db, ai.as_ref(), payload.post_id)
                    .await
                    .map(|_| ())
            }
            .boxed()
        }),
    );
}

// ---------------------------------------------------------------------------------------------
// Evaluation

/// One evaluation question: `answer_post_title` is the post (article or question thread) that
/// answers it, or `None` when the forum has no answer.
#[derive(Debug, Clone, Deserialize)]
pub struct EvalQuestion {
    pub question: String,
    pub answer_post_title: Option<String>,
}

/// Retrieval quality over the evaluation set.
#[derive(Debug, Clone, PartialEq)]
pub struct EvalReport {
    pub answerable: usize,
    /// Answerable questions whose answering post is among the (at most three) cited sources.
    pub found_in_top3: usize,
    /// Answerable questions the bot wrongly declined.
    pub wrongly_abstained: usize,
    pub unanswerable: usize,
    pub abstained: usize,
    /// Misses, for the report: (question, expected title, cited titles).
    pub misses: Vec<(String, String, Vec<String>)>,
    /// Unanswerable questions the bot answered anyway: (question, cited titles).
    pub false_answers: Vec<(String, Vec<String>)>,
    /// Share of extractive summary sentences found word for word in their source.
    pub summary_traceable: f64,
    pub summaries: usize,
}

impl EvalReport {
    pub fn recall_at_3(&self) -> f64 {
        ratio(self.found_in_top3, self.answerable)
    }

    pub fn abstention(&self) -> f64 {
        ratio(self.abstained, self.unanswerable)
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// Runs the retrieval half of the bot (what decides citations and abstention) over `questions`,
/// and checks the extractive summaries of every article and question.
/// Every published article and question with its extractive core (those with a core only).
pub async fn summary_cores(db: &Db) -> Result<Vec<(db::ai::PostSource, Vec<Sentence>)>, DbError> {
    Ok(db::ai::public_topics(db)
        .await?
        .into_iter()
        .map(|source| {
            let core = summarize::extract(
                &source.title,
                &source.body_text,
                summarize::EXTRACTIVE_SENTENCES,
            );
            (source, core)
        })
        .filter(|(_, core)| !core.is_empty())
        .collect())
}

pub async fn evaluate(db: &Db, questions: &[EvalQuestion]) -> Result<EvalReport, DbError> {
    let mut report = EvalReport {
        answerable: 0,
        found_in_top3: 0,
        wrongly_abstained: 0,
        unanswerable: 0,
        abstained: 0,
        misses: Vec::new(),
        false_answers: Vec::new(),
        summary_traceable: 1.0,
        summaries: 0,
    };
    for q in questions {
        let passages = retrieve(db, &q.question, None).await?;
        match &q.answer_post_title {
            None => {
                report.unanswerable += 1;
                if passages.is_empty() {
                    report.abstained += 1;
                } else {
                    report.false_answers.push((
                        q.question.clone(),
                        passages.iter().map(|p| p.title.clone()).collect(),
                    ));
                }
            }
            Some(expected) => {
                report.answerable += 1;
                if passages.is_empty() {
                    report.wrongly_abstained += 1;
                }
                if passages.iter().take(3).any(|p| &p.title == expected) {
                    report.found_in_top3 += 1;
                } else {
                    report.misses.push((
                        q.question.clone(),
                        expected.clone(),
                        passages.iter().map(|p| p.title.clone()).collect(),
                    ));
                }
            }
        }
    }
    let (mut traced, mut total) = (0.0, 0usize);
    for (source, core) in summary_cores(db).await? {
        traced += summarize::traceable_share(&core, &source.body_text) * core.len() as f64;
        total += core.len();
        report.summaries += 1;
    }
    if total > 0 {
        report.summary_traceable = traced / total as f64;
    }
    Ok(report)
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
    fn abstention_links_the_ask_page_with_the_question() {
        let md = abstention_markdown("What is RLHF?");
        assert!(md.contains("/questions/ask?title=What+is+RLHF%3F"), "{md}");
    }

    #[test]
    fn default_summary_puts_the_tldr_first() {
        let core = vec![Sentence {
            text: "A.".into(),
            at: 0,
        }];
        assert_eq!(default_summary_text(&core, "Short."), "Short.\n\n- A.");
        assert_eq!(default_summary_text(&core, ""), "- A.");
    }
}
