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
use crate::ai::answer::BotEvent;
use crate::ai::bot::Passage;
use crate::app::App;
use crate::db::{self, ai::AskRecord};
use crate::domain::AskStatus;
use crate::error::AppError;
use crate::services::bot::{self as bot_service, AskMode, QUESTION_MAX_CHARS};
use crate::web::refusal::{unavailable_message, Refused};

/// Longest silence on an event stream before a keep-alive comment is sent.
const HEARTBEAT: Duration = Duration::from_millis(250);

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
    Ok(bot_service::unavailable(state)
        .await?
        .map(|why| unavailable_message(&why, ctx.t())))
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
                status: status_label(ctx, a.status),
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

fn status_label(ctx: &Ctx, status: AskStatus) -> String {
    status_text(ctx.t(), status)
}

fn status_text(t: &crate::i18n::Catalog, status: AskStatus) -> String {
    let key = match status {
        AskStatus::Answered => "bot.status.answered",
        AskStatus::Abstained => "bot.status.abstained",
        AskStatus::Failed => "bot.status.failed",
        AskStatus::Cancelled => "bot.status.cancelled",
        AskStatus::Queued | AskStatus::Running => "bot.status.pending",
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
    let mode = if form.stream == "1" {
        AskMode::Stream
    } else {
        AskMode::Wait
    };
    match bot_service::ask(&state, &me, &form.question, mode).await {
        // With JavaScript the answer page streams it; without, it is written already.
        Ok(id) => Ok(crate::web::see_other(&format!("/bot/answers/{id}"))),
        Err(e) => {
            let refused = Refused::explain(e, ctx.t())?;
            let page = ask_view(&ctx, &state, form.question, refused.message.clone()).await?;
            refused.respond(crate::web::render(&page, StatusCode::OK))
        }
    }
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
    let pending = ask.status.is_pending();
    let figures = if ask.finished_at.is_some() && ask.status == AskStatus::Answered {
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
        status: status_label(&ctx, ask.status),
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
        let mut written = false;
        if ask.status == AskStatus::Queued && off_reason.is_none() {
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
            written = bot_service::stream_answer(&state, ask.id, &ask.question, &mut emit, gone)
                .await
                .unwrap_or(false);
        }
        if !written && ask.status.is_pending() {
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
                    .is_some_and(|a| !a.status.is_pending());
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
                    "status": done.status.as_str(),
                    "status_text": status_text(t, done.status),
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
