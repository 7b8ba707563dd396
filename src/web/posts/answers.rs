//! Answers: posting one to a question, editing, deleting, and the asker accepting one.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::editor::{parse_body, EditorKind, EditorPage, PostForm};
use super::questions::{closed_note, question_page};
use super::visible_post;

use crate::app::App;
use crate::auth::policy;
use crate::db::posts::PostRecord;
use crate::domain::paths;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::services::{self, Writer};
use crate::web::context::Ctx;
use crate::web::refusal::{self, Refused};

const ANSWER_KINDS: [PostKind; 2] = [PostKind::Answer, PostKind::BotAnswer];

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    body: String,
}

/// `POST /questions/{id}/answers` (body). An empty or oversized answer, or one refused, shows the
/// question again with the text kept.
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
    path: web::Path<i64>,
    form: web::Form<AnswerForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let question =
        visible_post(&state, path.into_inner(), &[PostKind::Question], Some(&me)).await?;
    if !question.is_published() {
        return Err(AppError::NotFound);
    }
    let form = form.into_inner();
    let t = ctx.t();
    let again = |errors, status| {
        question_page(
            &ctx,
            &state,
            &req,
            &question,
            form.body.clone(),
            errors,
            status,
        )
    };
    if let Some(note) = closed_note(&state, question.id, t).await? {
        let message = format!("{} {}", t.get("close.no_answers"), note.message);
        let refused = Refused::forbidden(message);
        return again(refused.errors(), refused.status).await;
    }
    let body = match parse_body(&form.body, t) {
        Ok(body) => body,
        Err(errors) => return again(errors, StatusCode::UNPROCESSABLE_ENTITY).await,
    };
    let ip = ctx.client_ip();
    let written =
        match services::posts::answer(&state, Writer::new(&me, &ip), &question, &body).await {
            Ok(written) => written,
            Err(e) => {
                let refused = Refused::explain(e, t)?;
                return again(refused.errors(), refused.status)
                    .await
                    .and_then(|page| refused.respond(Ok(page)));
            }
        };
    ctx.flash(if written.held {
        "rules.flash.held"
    } else {
        "post.flash.answer_posted"
    });
    Ok(crate::web::see_other(&written.url))
}

/// `GET /answers/{id}`: an answer's address is its place on the question page.
pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let answer = visible_post(
        &state,
        path.into_inner(),
        &ANSWER_KINDS,
        ctx.user().as_ref(),
    )
    .await?;
    let question = question_of(&state, &answer, &ctx).await?;
    Ok(crate::web::see_other(&format!(
        "{}#answer-{}",
        crate::domain::paths::post_url(question.kind, question.id, &question.slug, None),
        answer.id
    )))
}

async fn question_of(state: &App, answer: &PostRecord, ctx: &Ctx) -> Result<PostRecord, AppError> {
    let parent = answer.parent_id.ok_or(AppError::NotFound)?;
    visible_post(state, parent, &[PostKind::Question], ctx.user().as_ref()).await
}

fn edit_page(ctx: &Ctx, answer: &PostRecord, form: &PostForm) -> EditorPage {
    let page = ctx.page(ctx.t().get("post.edit_answer"));
    EditorPage::new(
        page,
        EditorKind::EditAnswer,
        paths::edit_url(answer.kind, answer.id),
        form,
        crate::domain::paths::post_url(answer.kind, answer.id, "", answer.parent_id),
    )
}

/// `GET /answers/{id}/edit`
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    if !policy::may_edit_post(&me, answer.author_id) {
        return Err(AppError::Forbidden);
    }
    ctx.ensure_session(&state).await?;
    let form = PostForm {
        body: answer.body_md.clone(),
        ..PostForm::default()
    };
    edit_page(&ctx, &answer, &form).ok()
}

/// `POST /answers/{id}/edit` (body)
pub async fn update(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    if !policy::may_edit_post(&me, answer.author_id) {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    let body = match parse_body(&form.body, ctx.t()) {
        Ok(body) => body,
        Err(errors) => {
            return edit_page(&ctx, &answer, &form)
                .with_errors(errors)
                .rejected()
        }
    };
    let ip = ctx.client_ip();
    let written =
        match services::posts::edit_answer(&state, Writer::new(&me, &ip), &answer, &body).await {
            Ok(written) => written,
            Err(e) => {
                return refusal::form_again(e, ctx.t(), |errors| {
                    edit_page(&ctx, &answer, &form)
                        .with_errors(errors)
                        .rejected()
                })
            }
        };
    ctx.flash(if written.held {
        "rules.flash.held"
    } else {
        "post.flash.saved"
    });
    Ok(crate::web::see_other(&paths::post_url(
        answer.kind,
        answer.id,
        "",
        None,
    )))
}

/// `POST /answers/{id}/delete`
pub async fn delete(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    if !policy::may_delete_post(&me, answer.author_id) {
        return Err(AppError::Forbidden);
    }
    services::posts::delete(&state, &answer)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("post.flash.deleted");
    let question = question_of(&state, &answer, &ctx).await?;
    Ok(crate::web::see_other(&crate::domain::paths::post_url(
        question.kind,
        question.id,
        &question.slug,
        None,
    )))
}

#[derive(Deserialize)]
pub struct AcceptForm {
    /// `0` takes the acceptance back; anything else (or nothing) accepts.
    #[serde(default)]
    accept: Option<String>,
}

/// `POST /answers/{id}/accept`: only the asker, never a bot answer; accepting another answer moves the
/// mark, `accept=0` removes it.
pub async fn accept(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    let question = question_of(&state, &answer, &ctx).await?;
    if !answer.is_published()
        || !policy::may_accept_answer(&me, question.author_id, answer.kind == PostKind::BotAnswer)
    {
        return Err(AppError::Forbidden);
    }
    let accepting = form.accept.as_deref() != Some("0");
    let target = if accepting {
        Some(answer.id)
    } else if question.accepted_answer_id == Some(answer.id) {
        None
    } else {
        question.accepted_answer_id
    };
    services::posts::accept(&state, &me, &question, target)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash(if accepting {
        "post.flash.accepted"
    } else {
        "post.flash.unaccepted"
    });
    Ok(crate::web::see_other(&format!(
        "{}#answer-{}",
        crate::domain::paths::post_url(question.kind, question.id, &question.slug, None),
        answer.id
    )))
}
