//! The answer bot's write paths: a member asks on `/bot`, the asker or staff ask for a bot answer on a
//! question, the `bot_answer` job writes one, and [`store_reply`] stores every reply the bot makes,
//! wherever it was asked. Retrieval, the prompt and the citation check live in `ai::answer`.
use std::time::Duration;

use super::gate::{refuse_if_silenced, Unavailable, WriteError};
use super::render;
use super::settings::FeatureSettings;
use crate::ai::answer::{self, BotEvent, BotReply};
use crate::ai::{AiError, AiService, AiStatus};
use crate::app::App;
use crate::auth::rate_limit::{self, Budget};
use crate::auth::CurrentUser;
use crate::db::posts::{NewPost, PostRecord};
use crate::db::{self, Db, DbError};
use crate::domain::{AskStatus, Markdown, PostKind, PostStatus, Username};
use crate::error::AppError;
use crate::jobs::post_payload;

pub const BOT_ANSWER_JOB: &str = "bot_answer";
pub const QUESTION_MIN_CHARS: usize = 5;
pub const QUESTION_MAX_CHARS: usize = 500;

/// Why the bot cannot answer now (the feature is off, the AI is off); `None` when it can. A model
/// still loading counts as available: the answer waits for it.
pub async fn unavailable(app: &App) -> Result<Option<Unavailable>, DbError> {
    if !FeatureSettings::load(&app.db).await?.bot {
        return Ok(Some(Unavailable::FeatureOff {
            key: "bot.feature_off",
        }));
    }
    Ok(match app.ai_status() {
        AiStatus::Off { reason } => Some(Unavailable::AiOff { reason }),
        _ => None,
    })
}

/// How the asker waits for the answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AskMode {
    /// The answer page streams it (JavaScript on): the ask is only stored.
    Stream,
    /// The request waits for the whole answer (JavaScript off).
    Wait,
}

/// `POST /bot/ask`: silence, availability, length, the ask budgets, then the ask is stored (and with
/// [`AskMode::Wait`] answered). Returns the ask's id.
pub async fn ask(
    app: &App,
    asker: &CurrentUser,
    question: &str,
    mode: AskMode,
) -> Result<i64, WriteError> {
    refuse_if_silenced(app, asker).await?;
    if let Some(why) = unavailable(app).await? {
        return Err(WriteError::Unavailable(why));
    }
    let question = question.trim();
    let length = question.chars().count();
    if !(QUESTION_MIN_CHARS..=QUESTION_MAX_CHARS).contains(&length) {
        return Err(WriteError::Length {
            field: "question",
            key: "bot.error.length",
            min: QUESTION_MIN_CHARS,
            max: QUESTION_MAX_CHARS,
        });
    }
    spend_budget(app, asker).await?;
    let id = db::ai::create_ask(&app.db, asker.id, question).await?;
    if mode == AskMode::Stream {
        return Ok(id);
    }
    db::ai::claim_ask(&app.db, id).await?;
    let Some(ai) = app.ai.as_ref() else {
        let reason = match app.ai_status() {
            AiStatus::Off { reason } => reason,
            _ => String::new(),
        };
        return Err(WriteError::Unavailable(Unavailable::AiOff { reason }));
    };
    let result = answer_ask(app, ai, id, question, &mut |_| true, std::future::pending()).await;
    if let Err(AiError::Busy) = result {
        return Err(WriteError::Unavailable(Unavailable::Busy {
            secs: busy_secs(ai),
        }));
    }
    Ok(id)
}

/// Per member per hour and for the whole forum per minute.
async fn spend_budget(app: &App, asker: &CurrentUser) -> Result<(), WriteError> {
    let per_user = format!("bot-ask:user:{}", asker.id);
    let user_budget = Budget {
        bucket: &per_user,
        limit: app.settings.bot_asks_per_hour,
        window: Duration::from_secs(3600),
    };
    let global = Budget {
        bucket: "bot-ask:all",
        limit: app.settings.bot_asks_per_minute,
        window: Duration::from_secs(60),
    };
    let spent = |e: AppError| match e {
        AppError::RateLimited { retry_after_secs } => WriteError::OverBudget {
            key: "bot.error.rate_limited",
            retry_after_secs,
        },
        other => WriteError::Failed(other),
    };
    rate_limit::check(&app.db, &user_budget)
        .await
        .map_err(spent)?;
    rate_limit::check(&app.db, &global).await.map_err(spent)?;
    rate_limit::record(&app.db, user_budget.bucket).await?;
    rate_limit::record(&app.db, global.bucket).await?;
    Ok(())
}

/// About how long until the model has room: five seconds per queued job per thread, at least five.
fn busy_secs(ai: &AiService) -> u64 {
    let stats = ai.stats();
    let secs = 5 * (stats.queue_depth as u64 + 1) / stats.threads.max(1) as u64;
    secs.max(5)
}

/// The answer page's stream writes a queued ask: the first connection to claim it answers it (the
/// events go to `emit`), any other waits for that one. Returns whether this call wrote it.
pub async fn stream_answer(
    app: &App,
    ask_id: i64,
    question: &str,
    emit: &mut (dyn FnMut(BotEvent) -> bool + Send),
    gone: impl std::future::Future<Output = ()> + Send,
) -> Result<bool, DbError> {
    if !db::ai::claim_ask(&app.db, ask_id).await? {
        return Ok(false);
    }
    if let Some(ai) = app.ai.as_ref() {
        // Whatever the outcome, `answer_ask` stored it.
        let _ = answer_ask(app, ai, ask_id, question, emit, gone).await;
    }
    Ok(true)
}

/// Answers a claimed ask and stores the outcome, whatever it is.
async fn answer_ask(
    app: &App,
    ai: &AiService,
    ask_id: i64,
    question: &str,
    emit: &mut (dyn FnMut(BotEvent) -> bool + Send),
    gone: impl std::future::Future<Output = ()> + Send,
) -> Result<BotReply, AiError> {
    let settings = FeatureSettings::load(&app.db)
        .await
        .map_err(|e| AiError::Model(e.to_string()))?;
    let result = answer::answer(
        &app.db,
        ai,
        question,
        None,
        settings.bot_max_tokens,
        emit,
        gone,
    )
    .await;
    if let Err(e) = store_reply(app, ReplyTo::Ask(ask_id), &result).await {
        tracing::warn!(error = %e, ask = ask_id, "could not store a bot answer");
    }
    result
}

/// Where a bot reply is stored.
#[derive(Debug, Clone, Copy)]
pub enum ReplyTo<'a> {
    /// A question put on `/bot`: its row records the outcome, a failure or cancellation too.
    Ask(i64),
    /// A question thread: the reply becomes a labelled answer by the bot's account; an abstention
    /// or a failure stores nothing there.
    Question(&'a PostRecord),
}

/// Stores a bot reply, rendered with its citations linked. Returns the stored row's id (the ask, or
/// the new answer), `None` when nothing was stored.
pub async fn store_reply(
    app: &App,
    to: ReplyTo<'_>,
    result: &Result<BotReply, AiError>,
) -> Result<Option<i64>, WriteError> {
    match to {
        ReplyTo::Ask(id) => store_ask_reply(app, id, result).await.map(Some),
        ReplyTo::Question(question) => match result {
            Ok(reply) if !reply.abstained => {
                store_thread_reply(app, question, reply).await.map(Some)
            }
            _ => Ok(None),
        },
    }
}

/// The outcome of a `/bot` question, on its row.
async fn store_ask_reply(
    app: &App,
    id: i64,
    result: &Result<BotReply, AiError>,
) -> Result<i64, WriteError> {
    let (status, reply) = match result {
        Ok(reply) if reply.abstained => (AskStatus::Abstained, Some(reply)),
        Ok(reply) => (AskStatus::Answered, Some(reply)),
        Err(AiError::Cancelled) => (AskStatus::Cancelled, None),
        Err(_) => (AskStatus::Failed, None),
    };
    let error = result
        .as_ref()
        .err()
        .map(ToString::to_string)
        .unwrap_or_default();
    let (sources, html) = match reply {
        Some(reply) => (
            serde_json::to_string(&reply.passages).unwrap_or_else(|_| "[]".into()),
            render::post(
                app,
                &answer::linked_markdown(&reply.markdown, &reply.passages),
            )
            .await?
            .html,
        ),
        None => ("[]".to_string(), String::new()),
    };
    db::ai::finish_ask(
        &app.db,
        id,
        db::ai::AskOutcome {
            status,
            answer_md: reply.map_or("", |r| r.markdown.as_str()),
            answer_html: &html,
            sources: &sources,
            removed_citations: reply.map_or(0, |r| r.removed_citations as i64),
            model: reply.map_or("", |r| r.model.as_str()),
            error: &error,
            tokens: reply.map_or(0, |r| r.tokens as i64),
            elapsed_ms: reply.map_or(0, |r| r.elapsed.as_millis() as i64),
        },
    )
    .await?;
    Ok(id)
}

/// A reply on a question thread: a published answer by the bot's account, with its sources.
async fn store_thread_reply(
    app: &App,
    question: &PostRecord,
    reply: &BotReply,
) -> Result<i64, WriteError> {
    let settings = FeatureSettings::load(&app.db).await?;
    let name = Username::parse(&settings.bot_name)
        .map_err(|_| WriteError::Failed(AppError::Internal(anyhow::anyhow!("invalid bot name"))))?;
    let bot_id = db::ai::ensure_bot_user(&app.db, &name).await?;
    let body = Markdown::parse(&answer::post_markdown(reply)).map_err(|e| {
        WriteError::Failed(AppError::Internal(anyhow::anyhow!(
            "the bot answer is not valid Markdown: {e:?}"
        )))
    })?;
    let rendered = render::post(app, body.as_str()).await?;
    let id = db::posts::create(
        &app.db,
        NewPost {
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
    .await?;
    db::ai::set_post_model(&app.db, id, &reply.model).await?;
    Ok(id)
}

/// Queues a bot answer on a question; one already queued for it is not queued twice.
async fn enqueue_answer(db: &Db, question_id: i64) -> Result<bool, DbError> {
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

/// The asker or staff ask for a bot answer on a published question (the caller checked
/// `policy::may_request_bot_answer`); it arrives when the job has run, or not at all if the forum
/// has nothing on the subject.
pub async fn request_answer(
    app: &App,
    user: &CurrentUser,
    question: &PostRecord,
) -> Result<(), WriteError> {
    refuse_if_silenced(app, user).await?;
    if let Some(why) = unavailable(app).await? {
        return Err(WriteError::Unavailable(why));
    }
    enqueue_answer(&app.db, question.id).await?;
    Ok(())
}

/// A member with the privilege vouches for a bot answer (the caller checked it); an answer verified
/// already keeps its first voucher.
pub async fn verify_answer(
    app: &App,
    user: &CurrentUser,
    answer: &PostRecord,
) -> Result<(), WriteError> {
    refuse_if_silenced(app, user).await?;
    db::ai::verify_bot_answer(&app.db, answer.id, user.id).await?;
    Ok(())
}

/// After a question is posted: queue a bot answer when the settings say so.
pub async fn question_posted(db: &Db, question_id: i64) -> Result<bool, DbError> {
    let settings = FeatureSettings::load(db).await?;
    if settings.bot && settings.bot_auto_answer {
        return enqueue_answer(db, question_id).await;
    }
    Ok(false)
}

/// The `bot_answer` job: answers a question on its page as the bot's account, or stays silent when
/// the forum has nothing on it. A failed generation fails the job (it is retried). Returns the new
/// answer's id.
pub async fn answer_question(app: &App, question_id: i64) -> Result<Option<i64>, String> {
    let ai = app.ai.as_ref().ok_or("the AI is off")?;
    let Some(question) = db::posts::by_id(&app.db, question_id)
        .await
        .map_err(|e| e.to_string())?
        .filter(|q| q.kind == PostKind::Question && q.is_published())
    else {
        return Ok(None);
    };
    let settings = FeatureSettings::load(&app.db)
        .await
        .map_err(|e| e.to_string())?;
    let text = format!("{}\n{}", question.title, question.excerpt);
    let result = answer::answer(
        &app.db,
        ai,
        &text,
        Some(question.id),
        settings.bot_max_tokens,
        &mut |_| true,
        std::future::pending(),
    )
    .await;
    if let Err(e) = &result {
        return Err(e.to_string());
    }
    store_reply(app, ReplyTo::Question(&question), &result)
        .await
        .map_err(|e| e.to_string())
}
