//! Answers: posting one to a question, editing, deleting, and the asker accepting one.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use serde::Deserialize;

use super::editor::{parse_body, EditorKind, EditorPage, PostForm};
use super::questions::{closed_note, question_page};
use super::{post_url, search_index_changed, visible_post};
use crate::auth::privileges::{can_accept_answer, can_delete_post, can_edit_post};
use crate::db;
use crate::db::posts::{NewPost, PostEdit, PostRecord};
use crate::domain::{PostKind, PostStatus};
use crate::error::AppError;
use crate::moderation::{Action, Content, Target};
use crate::web::context::Ctx;
use crate::web::moderation::rules;
use crate::web::state::AppState;

const ANSWER_KINDS: [PostKind; 2] = [PostKind::Answer, PostKind::BotAnswer];

#[derive(Deserialize)]
pub struct AnswerForm {
    #[serde(default)]
    body: String,
}

/// `POST /questions/{id}/answers` (body). An empty or oversized answer shows the question again with
/// the text kept.
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
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
    let refusal = match crate::web::moderation::silenced_message(&state, &me, t).await? {
        Some(message) => Some(message),
        None => closed_note(&state, question.id, t)
            .await?
            .map(|note| format!("{} {}", t.get("close.no_answers"), note.message)),
    };
    if let Some(message) = refusal {
        let mut errors = crate::web::form::FormErrors::default();
        errors.add_text("body", message);
        return question_page(
            &ctx,
            &state,
            &req,
            &question,
            form.body,
            errors,
            StatusCode::FORBIDDEN,
        )
        .await;
    }
    let body = match parse_body(&form.body, ctx.t()) {
        Ok(body) => body,
        Err(errors) => {
            return question_page(
                &ctx,
                &state,
                &req,
                &question,
                form.body,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await
        }
    };
    let verdict = rules::check(
        &ctx,
        &state,
        &me,
        Action::CreatePost,
        Content::body(&form.body),
    )
    .await?;
    if let Some(refusal) = verdict.refusal() {
        let errors = rules::refusal_errors(refusal, ctx.t());
        let page = question_page(
            &ctx,
            &state,
            &req,
            &question,
            form.body,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        )
        .await;
        return rules::with_retry_after(refusal, page);
    }
    let rendered = match crate::render::post(body.as_str(), state.settings.render).await {
        Ok(rendered) => rendered,
        Err(e) => {
            let errors = crate::web::form::render_errors("body", &e, ctx.t());
            return question_page(
                &ctx,
                &state,
                &req,
                &question,
                form.body,
                errors,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
    };
    let id = db::posts::create(
        &state.db,
        NewPost {
            kind: PostKind::Answer,
            parent_id: Some(question.id),
            author_id: me.id,
            title: None,
            body: &body,
            rendered: &rendered,
            tags: None,
            status: verdict.post_status(PostStatus::Published),
        },
    )
    .await?;
    crate::moderation::after_write(&state.db, &me, &verdict, Target::Post(id)).await?;
    search_index_changed(&state, id).await;
    ctx.flash(if verdict.is_held() {
        "rules.flash.held"
    } else {
        "post.flash.answer_posted"
    });
    Ok(crate::web::see_other(&post_url(
        PostKind::Answer,
        id,
        "",
        Some(question.id),
    )))
}

/// `GET /answers/{id}`: an answer's address is its place on the question page.
pub async fn show(
    ctx: Ctx,
    state: web::Data<AppState>,
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
        post_url(question.kind, question.id, &question.slug, None),
        answer.id
    )))
}

async fn question_of(
    state: &AppState,
    answer: &PostRecord,
    ctx: &Ctx,
) -> Result<PostRecord, AppError> {
    let parent = answer.parent_id.ok_or(AppError::NotFound)?;
    visible_post(state, parent, &[PostKind::Question], ctx.user().as_ref()).await
}

fn edit_page(ctx: &Ctx, answer: &PostRecord, form: &PostForm) -> EditorPage {
    let page = ctx.page(ctx.t().get("post.edit_answer"));
    EditorPage::new(
        page,
        EditorKind::EditAnswer,
        format!("/answers/{}/edit", answer.id),
        form,
        post_url(answer.kind, answer.id, "", answer.parent_id),
    )
}

/// `GET /answers/{id}/edit`
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    if !can_edit_post(&me, answer.author_id) {
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
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    if !can_edit_post(&me, answer.author_id) {
        return Err(AppError::Forbidden);
    }
    let form = form.into_inner();
    if let Some(message) = crate::web::moderation::silenced_message(&state, &me, ctx.t()).await? {
        let mut errors = crate::web::form::FormErrors::default();
        errors.add_text("body", message);
        return edit_page(&ctx, &answer, &form)
            .with_errors(errors)
            .rejected();
    }
    let body = match parse_body(&form.body, ctx.t()) {
        Ok(body) => body,
        Err(errors) => {
            return edit_page(&ctx, &answer, &form)
                .with_errors(errors)
                .rejected()
        }
    };
    let verdict = rules::check(
        &ctx,
        &state,
        &me,
        Action::EditPost,
        Content::body(&form.body),
    )
    .await?;
    if let Some(refusal) = verdict.refusal() {
        let page =
            edit_page(&ctx, &answer, &form).with_errors(rules::refusal_errors(refusal, ctx.t()));
        return rules::with_retry_after(refusal, page.rejected());
    }
    let rendered = match crate::render::post(body.as_str(), state.settings.render).await {
        Ok(rendered) => rendered,
        Err(e) => {
            let errors = crate::web::form::render_errors("body", &e, ctx.t());
            return edit_page(&ctx, &answer, &form)
                .with_errors(errors)
                .rejected();
        }
    };
    db::posts::update(
        &state.db,
        answer.id,
        PostEdit {
            title: None,
            body: &body,
            rendered: &rendered,
            tags: None,
            status: answer.status,
            editor_id: me.id,
        },
    )
    .await?;
    crate::moderation::after_write(&state.db, &me, &verdict, Target::Post(answer.id)).await?;
    search_index_changed(&state, answer.id).await;
    ctx.flash(if verdict.is_held() {
        "rules.flash.held"
    } else {
        "post.flash.saved"
    });
    Ok(crate::web::see_other(&format!("/answers/{}", answer.id)))
}

/// `POST /answers/{id}/delete`
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    if !can_delete_post(&me, answer.author_id) {
        return Err(AppError::Forbidden);
    }
    db::posts::soft_delete(&state.db, answer.id).await?;
    search_index_changed(&state, answer.id).await;
    ctx.flash("post.flash.deleted");
    let question = question_of(&state, &answer, &ctx).await?;
    Ok(crate::web::see_other(&post_url(
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
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<AcceptForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let answer = visible_post(&state, path.into_inner(), &ANSWER_KINDS, Some(&me)).await?;
    let question = question_of(&state, &answer, &ctx).await?;
    if !answer.is_published()
        || !can_accept_answer(&me, question.author_id, answer.kind == PostKind::BotAnswer)
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
    db::posts::accept_answer(&state.db, question.id, target, me.id).await?;
    ctx.flash(if accepting {
        "post.flash.accepted"
    } else {
        "post.flash.unaccepted"
    });
    Ok(crate::web::see_other(&format!(
        "{}#answer-{}",
        post_url(question.kind, question.id, &question.slug, None),
        answer.id
    )))
}
