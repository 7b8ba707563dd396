//! The AI on post pages: the summary box readers see (accepted summaries only), the author's draft
//! page (`/posts/{id}/summary`: accept, edit, dismiss, ask again), asking the bot for a draft answer
//! on a question, and members vouching for a bot answer ("verified by a human").
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::visible_post;
use crate::ai::summarize;
use crate::app::App;
use crate::auth::permissions::CurrentUser;
use crate::auth::privileges::{has_privilege, Privilege};
use crate::db;
use crate::db::posts::PostRecord;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::services;
use crate::web::context::{Ctx, Page};
use crate::web::refusal::{error_page, Refused};

/// What an article or question page shows about its summary.
#[derive(Default)]
pub struct SummaryBox {
    /// The accepted summary (sanitised HTML); empty when there is none.
    pub html: String,
    /// The post changed since the summary was accepted.
    pub stale: bool,
    /// The author or staff: they see the link to the draft page.
    pub can_manage: bool,
    pub manage_url: String,
    /// A draft is waiting for the author.
    pub draft_waiting: bool,
}

pub async fn summary_box(
    state: &App,
    user: Option<&CurrentUser>,
    post: &PostRecord,
) -> Result<SummaryBox, AppError> {
    let summary = db::ai::summary(&state.db, post.id).await?;
    let manage = crate::auth::policy::may_manage_summary(user, post);
    Ok(match summary {
        Some(s) => SummaryBox {
            html: if s.status == "accepted" {
                s.accepted_html
            } else {
                String::new()
            },
            stale: s.stale,
            can_manage: manage,
            manage_url: format!("/posts/{}/summary", post.id),
            draft_waiting: manage && (s.status == "draft" || s.stale),
        },
        None => SummaryBox {
            can_manage: manage,
            manage_url: format!("/posts/{}/summary", post.id),
            ..SummaryBox::default()
        },
    })
}

struct SentenceLink {
    text: String,
    /// The sentence's place in the post (a text fragment link).
    url: String,
}

#[derive(Template)]
#[template(path = "posts/summary_draft.html")]
struct DraftPage {
    page: Page,
    post_title: String,
    post_url: String,
    action_base: String,
    /// `none`, `queued`, `draft`, `accepted` or `dismissed`.
    status: String,
    stale: bool,
    sentences: Vec<SentenceLink>,
    generated: String,
    rejected_reason: String,
    model: String,
    text: String,
    error: String,
    ai_note: String,
}

/// The signed-in author (or staff member) and the article or question they manage.
async fn managed_post(
    ctx: &Ctx,
    state: &App,
    id: i64,
) -> Result<(CurrentUser, PostRecord), AppError> {
    let me = ctx.require_user()?;
    let post = visible_post(
        state,
        id,
        &[PostKind::Article, PostKind::Question],
        Some(&me),
    )
    .await?;
    if !crate::auth::policy::may_manage_summary(Some(&me), &post) {
        return Err(AppError::Forbidden);
    }
    Ok((me, post))
}

fn post_link(post: &PostRecord) -> String {
    crate::domain::paths::post_url(post.kind, post.id, &post.slug, None)
}

/// A link that scrolls to and highlights `sentence` in the post (URL text fragment).
fn fragment_link(post_url: &str, sentence: &str) -> String {
    let words: Vec<&str> = sentence.split_whitespace().collect();
    let start = if words.len() > 8 {
        words[..8].join(" ")
    } else {
        sentence.chars().take(40).collect()
    };
    let encoded: String = url::form_urlencoded::byte_serialize(start.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
        .replace('-', "%2D");
    format!("{post_url}#:~:text={encoded}")
}

async fn draft_page(
    ctx: &Ctx,
    state: &App,
    post: &PostRecord,
    text: Option<String>,
    error: String,
) -> Result<DraftPage, AppError> {
    let summary = db::ai::summary(&state.db, post.id).await?;
    let post_url = post_link(post);
    let ai_note = match state.ai_status() {
        crate::ai::AiStatus::Off { reason } => {
            format!("{} {reason}", ctx.t().get("ai.off_prefix"))
        }
        _ => String::new(),
    };
    let page = ctx.page(ctx.t().get("summary.title"));
    let action_base = format!("/posts/{}/summary", post.id);
    Ok(match summary {
        Some(s) => {
            let sentences = summarize::stored_sentences(&s.extractive);
            let default_text = if s.status == "accepted" && !s.stale {
                s.accepted_md.clone()
            } else {
                summarize::default_summary_text(&sentences, &s.generated)
            };
            DraftPage {
                page,
                post_title: post.title.clone(),
                action_base,
                status: s.status,
                stale: s.stale,
                sentences: sentences
                    .iter()
                    .map(|x| SentenceLink {
                        url: fragment_link(&post_url, &x.text),
                        text: x.text.clone(),
                    })
                    .collect(),
                generated: s.generated,
                rejected_reason: s.rejected_reason,
                model: s.model,
                text: text.unwrap_or(default_text),
                error,
                ai_note,
                post_url,
            }
        }
        None => DraftPage {
            page,
            post_title: post.title.clone(),
            post_url,
            action_base,
            status: "none".into(),
            stale: false,
            sentences: Vec::new(),
            generated: String::new(),
            rejected_reason: String::new(),
            model: String::new(),
            text: text.unwrap_or_default(),
            error,
            ai_note,
        },
    })
}

/// `GET /posts/{id}/summary`: the author's view of the draft.
pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (_, post) = managed_post(&ctx, &state, path.into_inner()).await?;
    ctx.ensure_session(&state).await?;
    crate::web::ok(&draft_page(&ctx, &state, &post, None, String::new()).await?)
}

/// `POST /posts/{id}/summary`: summarise now (also a short post); staff may force a new one.
pub async fn request(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (_, post) = managed_post(&ctx, &state, path.into_inner()).await?;
    services::summaries::request(&state, &post)
        .await
        .map_err(|e| error_page(e, ctx.t()))?;
    ctx.flash("summary.flash.queued");
    Ok(crate::web::see_other(&format!(
        "/posts/{}/summary",
        post.id
    )))
}

#[derive(Deserialize)]
pub struct AcceptForm {
    #[serde(default)]
    text: String,
}

/// `POST /posts/{id}/summary/accept` (text): the text (the draft, or the author's edit of it) is
/// shown on the post as its summary.
pub async fn accept(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let (me, post) = managed_post(&ctx, &state, path.into_inner()).await?;
    let text = form.into_inner().text;
    if let Err(e) = services::summaries::accept(&state, &me, &post, &text).await {
        let refused = Refused::explain(e, ctx.t())?;
        let page = draft_page(&ctx, &state, &post, Some(text), refused.message.clone()).await?;
        return refused.respond(crate::web::render(&page, actix_web::http::StatusCode::OK));
    }
    ctx.flash("summary.flash.accepted");
    Ok(crate::web::see_other(&post_link(&post)))
}

/// `POST /posts/{id}/summary/dismiss`: no summary on the post.
pub async fn dismiss(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (_, post) = managed_post(&ctx, &state, path.into_inner()).await?;
    services::summaries::dismiss(&state, &post)
        .await
        .map_err(|e| error_page(e, ctx.t()))?;
    ctx.flash("summary.flash.dismissed");
    Ok(crate::web::see_other(&post_link(&post)))
}

/// `POST /questions/{id}/bot-answer`: the asker or staff ask the bot for a draft answer; it
/// arrives as a labelled answer when the background job has run (or not at all if the forum has
/// nothing on the subject).
pub async fn request_bot_answer(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (me, post) = managed_post(&ctx, &state, path.into_inner()).await?;
    if post.kind != PostKind::Question
        || !crate::auth::policy::may_request_bot_answer(Some(&me), &post)
    {
        return Err(AppError::NotFound);
    }
    services::bot::request_answer(&state, &me, &post)
        .await
        .map_err(|e| error_page(e, ctx.t()))?;
    ctx.flash("bot.flash.answer_queued");
    Ok(crate::web::see_other(&post_link(&post)))
}

/// `POST /answers/{id}/verify`: a member with the privilege vouches for a bot answer.
pub async fn verify(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &[PostKind::BotAnswer], Some(&me)).await?;
    if !has_privilege(&me, Privilege::VerifyBotAnswers) {
        return Err(AppError::Forbidden);
    }
    services::bot::verify_answer(&state, &me, &answer)
        .await
        .map_err(|e| error_page(e, ctx.t()))?;
    ctx.flash("bot.flash.verified");
    Ok(crate::web::see_other(&crate::domain::paths::post_url(
        answer.kind,
        answer.id,
        "",
        answer.parent_id,
    )))
}

/// What a bot answer shows beside its text.
pub struct BotAnswerMarks {
    pub model: String,
    pub verified_by: Option<String>,
    pub can_verify: bool,
}

pub async fn bot_marks(
    state: &App,
    user: Option<&CurrentUser>,
    answer: &PostRecord,
) -> Result<Option<BotAnswerMarks>, AppError> {
    if answer.kind != PostKind::BotAnswer {
        return Ok(None);
    }
    let marks = db::ai::bot_marks(&state.db, answer.id).await?;
    Ok(Some(BotAnswerMarks {
        can_verify: marks.verified_by.is_none()
            && user.is_some_and(|u| has_privilege(u, Privilege::VerifyBotAnswers)),
        model: marks.model,
        verified_by: marks.verified_by,
    }))
}

/// [`bot_marks`] for every answer of a page in one query (`None` for answers written by people).
pub async fn bot_marks_for(
    state: &App,
    user: Option<&CurrentUser>,
    answers: &[PostRecord],
) -> Result<Vec<Option<BotAnswerMarks>>, AppError> {
    let bot_ids: Vec<i64> = answers
        .iter()
        .filter(|a| a.kind == PostKind::BotAnswer)
        .map(|a| a.id)
        .collect();
    let mut found: std::collections::HashMap<i64, db::ai::BotMarks> =
        db::ai::bot_marks_for(&state.db, &bot_ids)
            .await?
            .into_iter()
            .collect();
    let may_verify = user.is_some_and(|u| has_privilege(u, Privilege::VerifyBotAnswers));
    Ok(answers
        .iter()
        .map(|a| {
            (a.kind == PostKind::BotAnswer).then(|| {
                let marks = found.remove(&a.id).unwrap_or_default();
                BotAnswerMarks {
                    can_verify: marks.verified_by.is_none() && may_verify,
                    model: marks.model,
                    verified_by: marks.verified_by,
                }
            })
        })
        .collect())
}
