//! The answer bot's pages: `/bot` (ask), `/bot/answers/{id}` (the answer with its sources) and
//! `/bot/answers/{id}/stream` (Server-Sent Events while the answer is written).
//!
//! With JavaScript the ask form sets `stream=1`, the answer page opens the event stream and shows
//! tokens as they come; closing the page closes the stream, which cancels the generation. Without
//! JavaScript the ask request waits for the whole answer and then shows it.
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::web::Bytes;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::{Ctx, Page};
use crate::ai::bot::Passage;
use crate::ai::forum::{self, BotEvent, BotReply, FeatureSettings};
use crate::ai::{AiError, AiService, AiStatus};
use crate::app::App;
use crate::auth::permissions::CurrentUser;
use crate::auth::rate_limit::{self, Budget};
use crate::db::{self, ai::AskRecord};
use crate::error::AppError;

pub const QUESTION_MIN_CHARS: usize = 5;
/// Longest silence on an event stream before a keep-alive comment is sent.
const HEARTBEAT: Duration = Duration::from_millis(250);
pub const QUESTION_MAX_CHARS: usize = 500;

#[derive(Deserialize)]
pub struct AskForm {
    #[serde(default)]
    question: String,
    #[serde(default)]
    stream: String,
}

struct AskLink {
    url: String,
    question: String,
    status: String,
}

#[derive(Template)]
#[template(path = "bot/ask.html")]
struct AskPage {
    page: Page,
    /// Why the bot cannot answer now (AI off, feature off); empty when it can.
    unavailable: String,
    question: String,
    error: String,
    recent: Vec<AskLink>,
    max_chars: usize,
}

struct SourceView {
    n: usize,
    title: String,
    url: String,
    passage: String,
}

#[derive(Template)]
#[template(path = "bot/answer.html")]
struct AnswerPage {
    page: Page,
    id: i64,
    question: String,
    status: String,
    pending: bool,
    answer_html: String,
    sources: Vec<SourceView>,
    model: String,
    error: String,
    removed_citations: i64,
    figures: String,
}

/// Why the bot cannot answer now, in the reader's language; `None` when it can.
async fn unavailable(ctx: &Ctx, state: &App) -> Result<Option<String>, AppError> {
    let settings = FeatureSettings::load(&state.db).await?;
    if !settings.bot {
        return Ok(Some(ctx.t().get("bot.feature_off").to_string()));
    }
    Ok(match state.ai_status() {
        AiStatus::Off { reason } => Some(format!("{} {reason}", ctx.t().get("ai.off_prefix"))),
        _ => None,
    })
}

async fn ask_view(
    ctx: &Ctx,
    state: &App,
    question: String,
    error: String,
) -> Result<AskPage, AppError> {
    let recent = match ctx.user() {
        Some(me) => db::ai::asks_by(&state.db, me.id, 10)
            .await?
            .into_iter()
            .map(|a| AskLink {
                url: format!("/bot/answers/{}", a.id),
                question: a.question,
                status: status_label(ctx, &a.status),
            })
            .collect(),
        None => Vec::new(),
    };
    Ok(AskPage {
        page: ctx.page(ctx.t().get("bot.title")),
        unavailable: unavailable(ctx, state).await?.unwrap_or_default(),
        question,
        error,
        recent,
        max_chars: QUESTION_MAX_CHARS,
    })
}

fn status_label(ctx: &Ctx, status: &str) -> String {
    status_text(ctx.t(), status)
}

fn status_text(t: &crate::i18n::Catalog, status: &str) -> String {
    let key = match status {
        "answered" => "bot.status.answered",
        "abstained" => "bot.status.abstained",
        "failed" => "bot.status.failed",
        "cancelled" => "bot.status.cancelled",
        _ => "bot.status.pending",
    };
    t.get(key).to_string()
}

/// `GET /bot`
pub async fn ask_page(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    if ctx.user().is_some() {
        ctx.ensure_session(&state).await?;
    }
    crate::web::ok(&ask_view(&ctx, &state, String::new(), String::new()).await?)
}

/// `POST /bot/ask` (question, stream). A refused question comes back in the form with the reason.
pub async fn ask(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<AskForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let form = form.into_inner();
    let question = form.question.trim().to_string();
    let refuse = |status: StatusCode, message: String| {
        let (ctx, state, text) = (&ctx, &state, form.question.clone());
        async move {
            let mut response =
                crate::web::render(&ask_view(ctx, state, text, message).await?, status)?;
            if status == StatusCode::SERVICE_UNAVAILABLE || status == StatusCode::TOO_MANY_REQUESTS
            {
                response.headers_mut().insert(
                    actix_web::http::header::RETRY_AFTER,
                    actix_web::http::header::HeaderValue::from_static("10"),
                );
            }
            Ok::<_, AppError>(response)
        }
    };
    if let Err(e) = crate::services::gate::refuse_if_silenced(&state, &me).await {
        let refused = crate::web::refusal::Refused::explain(e, ctx.t())?;
        return refuse(refused.status, refused.message).await;
    }
    if let Some(why) = unavailable(&ctx, &state).await? {
        return refuse(StatusCode::SERVICE_UNAVAILABLE, why).await;
    }
    let length = question.chars().count();
    if !(QUESTION_MIN_CHARS..=QUESTION_MAX_CHARS).contains(&length) {
        let message = ctx
            .t()
            .get("bot.error.length")
            .replace("{min}", &QUESTION_MIN_CHARS.to_string())
            .replace("{max}", &QUESTION_MAX_CHARS.to_string());
        return refuse(StatusCode::UNPROCESSABLE_ENTITY, message).await;
    }
    if let Err(AppError::RateLimited { retry_after_secs }) = spend_budget(&state, &me).await {
        let message = ctx
            .t()
            .get("bot.error.rate_limited")
            .replace("{secs}", &retry_after_secs.to_string());
        return refuse(StatusCode::TOO_MANY_REQUESTS, message).await;
    }
    let id = db::ai::create_ask(&state.db, me.id, &question).await?;
    if form.stream == "1" {
        // The answer page streams it.
        return Ok(crate::web::see_other(&format!("/bot/answers/{id}")));
    }
    // Without JavaScript: answer now and show the finished page.
    db::ai::claim_ask(&state.db, id).await?;
    let Some(ai) = state.ai.clone() else {
        return refuse(
            StatusCode::SERVICE_UNAVAILABLE,
            unavailable(&ctx, &state).await?.unwrap_or_default(),
        )
        .await;
    };
    let result = run_answer(
        &state,
        &ai,
        id,
        &question,
        &mut |_| true,
        std::future::pending(),
    )
    .await;
    if let Err(AiError::Busy) = result {
        let message = busy_message(&ctx, &ai);
        return refuse(StatusCode::SERVICE_UNAVAILABLE, message).await;
    }
    Ok(crate::web::see_other(&format!("/bot/answers/{id}")))
}

/// Per member per hour and for the whole forum per minute.
async fn spend_budget(state: &App, me: &CurrentUser) -> Result<(), AppError> {
    let per_user = format!("bot-ask:user:{}", me.id);
    let user_budget = Budget {
        bucket: &per_user,
        limit: state.settings.bot_asks_per_hour,
        window: Duration::from_secs(3600),
    };
    let global = Budget {
        bucket: "bot-ask:all",
        limit: state.settings.bot_asks_per_minute,
        window: Duration::from_secs(60),
    };
    rate_limit::check(&state.db, &user_budget).await?;
    rate_limit::check(&state.db, &global).await?;
    rate_limit::record(&state.db, user_budget.bucket).await?;
    rate_limit::record(&state.db, global.bucket).await?;
    Ok(())
}

fn busy_message(ctx: &Ctx, ai: &AiService) -> String {
    let stats = ai.stats();
    let secs = 5 * (stats.queue_depth as u64 + 1) / stats.threads.max(1) as u64;
    ctx.t()
        .get("bot.error.busy")
        .replace("{secs}", &secs.max(5).to_string())
}

/// Answers ask `id` and stores the outcome, whatever it is.
async fn run_answer(
    state: &App,
    ai: &AiService,
    id: i64,
    question: &str,
    emit: &mut (dyn FnMut(BotEvent) -> bool + Send),
    gone: impl std::future::Future<Output = ()> + Send,
) -> Result<BotReply, AiError> {
    let settings = FeatureSettings::load(&state.db)
        .await
        .map_err(|e| AiError::Model(e.to_string()))?;
    let result = forum::answer(
        &state.db,
        ai,
        question,
        None,
        id as u64,
        settings.bot_max_tokens,
        emit,
        gone,
    )
    .await;
    let stored = match &result {
        Ok(reply) => {
            let sources = serde_json::to_string(&reply.passages).unwrap_or_else(|_| "[]".into());
            let html = forum::render_answer(&reply.markdown, &reply.passages);
            db::ai::finish_ask(
                &state.db,
                id,
                db::ai::AskOutcome {
                    status: if reply.abstained {
                        "abstained"
                    } else {
                        "answered"
                    },
                    answer_md: &reply.markdown,
                    answer_html: &html,
                    sources: &sources,
                    removed_citations: reply.removed_citations as i64,
                    model: &reply.model,
                    error: "",
                    tokens: reply.tokens as i64,
                    elapsed_ms: reply.elapsed.as_millis() as i64,
                },
            )
            .await
        }
        Err(e) => {
            let status = if matches!(e, AiError::Cancelled) {
                "cancelled"
            } else {
                "failed"
            };
            db::ai::finish_ask(
                &state.db,
                id,
                db::ai::AskOutcome {
                    status,
                    answer_md: "",
                    answer_html: "",
                    sources: "[]",
                    removed_citations: 0,
                    model: "",
                    error: &e.to_string(),
                    tokens: 0,
                    elapsed_ms: 0,
                },
            )
            .await
        }
    };
    if let Err(e) = stored {
        tracing::warn!(error = %e, ask = id, "could not store a bot answer");
    }
    result
}

async fn own_ask(ctx: &Ctx, state: &App, id: i64) -> Result<AskRecord, AppError> {
    let me = ctx.require_user()?;
    db::ai::ask(&state.db, id)
        .await?
        .filter(|a| a.asker_id == me.id || me.is_staff())
        .ok_or(AppError::NotFound)
}

/// `GET /bot/answers/{id}`: the asker's (and staff's) view of one answer.
pub async fn answer_page(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let ask = own_ask(&ctx, &state, path.into_inner()).await?;
    let passages: Vec<Passage> = serde_json::from_str(&ask.sources).unwrap_or_default();
    let pending = matches!(ask.status.as_str(), "queued" | "running");
    let figures = if ask.finished_at.is_some() && ask.status == "answered" {
        ctx.t()
            .get("bot.figures")
            .replace("{tokens}", &ask.tokens.to_string())
            .replace("{secs}", &format!("{:.1}", ask.elapsed_ms as f64 / 1000.0))
    } else {
        String::new()
    };
    crate::web::ok(&AnswerPage {
        page: ctx.page(ctx.t().get("bot.answer_title")),
        id: ask.id,
        status: status_label(&ctx, &ask.status),
        pending,
        answer_html: ask.answer_html,
        sources: passages.into_iter().map(source_view).collect(),
        model: ask.model,
        error: ask.error,
        removed_citations: ask.removed_citations,
        figures,
        question: ask.question,
    })
}

fn source_view(p: Passage) -> SourceView {
    SourceView {
        n: p.n,
        title: p.title,
        url: p.url,
        passage: p.text,
    }
}

/// One Server-Sent Event; the data is JSON so newlines in text cannot break the framing.
fn sse(event: &str, data: &serde_json::Value) -> Bytes {
    Bytes::from(format!("event: {event}\ndata: {data}\n\n"))
}

/// `GET /bot/answers/{id}/stream`: writes a queued answer while streaming it, or replays a
/// finished one. The stream ends with a `done` event; a closed connection cancels generation.
pub async fn stream(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let ask = own_ask(&ctx, &state, path.into_inner()).await?;
    let (tx, rx) = tokio::sync::mpsc::unbounded_channel::<Bytes>();
    let state = state.into_inner();
    let off_reason = unavailable(&ctx, &state).await?;
    let t = ctx.t();
    tokio::spawn(async move {
        let claimed = ask.status == "queued"
            && off_reason.is_none()
            && db::ai::claim_ask(&state.db, ask.id).await.unwrap_or(false);
        if claimed {
            if let Some(ai) = state.ai.clone() {
                let sender = tx.clone();
                let mut emit = move |event: BotEvent| {
                    let bytes = match event {
                        BotEvent::Sources(passages) => sse(
                            "sources",
                            &serde_json::json!(passages
                                .iter()
                                .map(|p| serde_json::json!({"n": p.n, "title": p.title, "url": p.url}))
                                .collect::<Vec<_>>()),
                        ),
                        BotEvent::Text(text) => sse("text", &serde_json::json!(text)),
                    };
                    sender.send(bytes).is_ok()
                };
                let closed = tx.clone();
                let gone = async move { closed.closed().await };
                let _ = run_answer(&state, &ai, ask.id, &ask.question, &mut emit, gone).await;
            }
        } else if matches!(ask.status.as_str(), "queued" | "running") {
            if let Some(reason) = off_reason {
                let _ = tx.send(sse("error", &serde_json::json!({ "message": reason })));
                return;
            }
            // Another connection is writing it: wait for the result (bounded).
            for _ in 0..120 {
                tokio::time::sleep(Duration::from_millis(500)).await;
                let done = db::ai::ask(&state.db, ask.id)
                    .await
                    .ok()
                    .flatten()
                    .is_some_and(|a| !matches!(a.status.as_str(), "queued" | "running"));
                if done || tx.is_closed() {
                    break;
                }
            }
        }
        let finished = db::ai::ask(&state.db, ask.id).await.ok().flatten();
        if let Some(done) = finished {
            let sources: Vec<Passage> = serde_json::from_str(&done.sources).unwrap_or_default();
            let _ = tx.send(sse(
                "done",
                &serde_json::json!({
                    "status": done.status,
                    "status_text": status_text(t, &done.status),
                    "label": if done.model.is_empty() {
                        t.get("bot.label").to_string()
                    } else {
                        format!("{} · {}", t.get("bot.label"), done.model)
                    },
                    "html": done.answer_html,
                    "sources": sources
                        .iter()
                        .map(|p| serde_json::json!({"n": p.n, "title": p.title, "url": p.url, "passage": p.text}))
                        .collect::<Vec<_>>(),
                    "error": done.error,
                }),
            ));
        }
    });
    // A comment line whenever nothing else was sent for a while: the server only learns that the
    // reader left when a write fails, and that is what stops the generation.
    let body = futures_util::stream::unfold(rx, |mut rx| async move {
        let bytes = match tokio::time::timeout(HEARTBEAT, rx.recv()).await {
            Ok(Some(bytes)) => bytes,
            Ok(None) => return None,
            Err(_) => Bytes::from_static(b": waiting\n\n"),
        };
        Some((Ok::<_, actix_web::Error>(bytes), rx))
    });
    Ok(HttpResponse::Ok()
        .content_type("text/event-stream")
        .insert_header(("Cache-Control", "no-cache"))
        // Not compressed: a compressor would hold tokens back until its buffer fills.
        .insert_header(("Content-Encoding", "identity"))
        .insert_header(("X-Accel-Buffering", "no"))
        .streaming(body))
}
