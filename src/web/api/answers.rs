//! `/api/v1/questions/{id}/answers` and `/api/v1/answers/{id}`: a question's published answers
//! (oldest first, keyset by id), one answer, and answering through `services::posts::answer`.
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::cursor::{PageParams, Paged, Position};
use super::questions::visible_post;
use super::views::{CreatedOut, PostOut};
use crate::app::App;
use crate::db;
use crate::domain::{Markdown, PostKind};
use crate::error::AppError;
use crate::services;
use crate::web::problem::Problem;

/// A question's published answers, oldest first.
#[utoipa::path(
    operation_id = "answers_list",
    tag = "answers",
    params(("id" = i64, Path, description = "The question's id"), PageParams),
    responses(
        (status = 200, description = "A page of answers", body = Paged<PostOut>),
        (status = 404, description = "No such question, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/questions/{id}/answers")]
pub async fn list(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<i64>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let question = visible_post(&state, &caller, path.into_inner(), &[PostKind::Question]).await?;
    let (after, limit) = params.read(t)?;
    let after_id = after.map_or(0, |p| p.id);
    let mut answers = db::posts::keyset::answers_after(&state.db, question.id, after_id, limit + 1)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?;
    let next = (answers.len() as i64 > limit).then(|| {
        answers.truncate(limit as usize);
        answers.last().map(|a| Position { key: 0, id: a.id })
    });
    let items = answers.into_iter().map(PostOut::from).collect();
    Ok(HttpResponse::Ok().json(Paged::<PostOut>::new(items, next.flatten())))
}

/// One answer.
#[utoipa::path(
    operation_id = "answers_show",
    tag = "answers",
    params(("id" = i64, Path, description = "The answer's id")),
    responses(
        (status = 200, description = "The answer", body = PostOut),
        (status = 404, description = "No such answer, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/answers/{id}")]
pub async fn show(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let kinds = [PostKind::Answer, PostKind::BotAnswer];
    let post = visible_post(&state, &caller, path.into_inner(), &kinds).await?;
    Ok(HttpResponse::Ok().json(PostOut::from(post)))
}

/// A new answer.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewAnswer {
    /// Markdown.
    pub body: String,
}

/// Answers a question: the same rules, rate limits and review holds as the form.
#[utoipa::path(
    operation_id = "answers_create",
    tag = "answers",
    params(("id" = i64, Path, description = "The question's id")),
    request_body = NewAnswer,
    responses(
        (status = 201, description = "Answered (status `pending` when a rule held it)", body = CreatedOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token, a silenced member or a closed question", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such open question", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused input", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (see Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/questions/{id}/answers")]
pub async fn create(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<i64>,
    input: web::Json<NewAnswer>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let writer = caller.writer()?;
    let question = visible_post(&state, &caller, path.into_inner(), &[PostKind::Question]).await?;
    if !question.is_published() {
        return Err(Problem::not_found(t));
    }
    let closed = db::moderation::post_state(&state.db, question.id)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?
        .unwrap_or_default()
        .close_reason()
        .is_some();
    if closed {
        return Err(Problem::forbidden(t, t.get("close.no_answers")));
    }
    let body = Markdown::parse(&input.body).map_err(|e| Problem::invalid(e.field, t.get(e.key)))?;
    let written = services::posts::answer(&state, writer, &question, &body)
        .await
        .map_err(|e| Problem::from_write(e, t))?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, written.url.clone()))
        .json(CreatedOut {
            id: written.id,
            url: written.url,
            status: written.status.as_str().to_string(),
        }))
}
