//! `/api/v1/questions`: the newest questions (keyset pages, as `/questions` lists them), one
//! question with its text, and asking one through `services::posts::ask` (the form's own path).
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::cursor::{PageParams, Paged};
use super::views::{CreatedOut, PostOut, PostSummaryOut};
use crate::app::App;
use crate::db::posts::lists::{self, Cursor, Order, Scope};
use crate::domain::{Markdown, PostKind, TagList, Title, TopicInput};
use crate::error::AppError;
use crate::services;
use crate::web::problem::{FieldError, Problem};

/// Lists published posts of `scope`, newest first: one keyset page.
pub async fn summaries(
    state: &App,
    caller: &Caller,
    scope: Scope,
    params: &PageParams,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let (after, limit) = params.read(t)?;
    let after = after.map(|p| Cursor {
        key: p.key,
        id: p.id,
    });
    let page = lists::page(&state.db, scope, Order::Newest, after, limit)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?;
    let next = page.next.map(|c| super::cursor::Position {
        key: c.key,
        id: c.id,
    });
    let items = page.items.into_iter().map(PostSummaryOut::from).collect();
    Ok(HttpResponse::Ok().json(Paged::<PostSummaryOut>::new(items, next)))
}

/// One post of `kinds` the caller may see (as its page would show it), or a 404 problem.
pub async fn visible_post(
    state: &App,
    caller: &Caller,
    id: i64,
    kinds: &[PostKind],
) -> Result<crate::db::posts::PostRecord, Problem> {
    let t = caller.t();
    crate::db::posts::by_id(&state.db, id)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?
        .filter(|p| {
            kinds.contains(&p.kind) && crate::auth::policy::post_visible(p, caller.viewer())
        })
        .ok_or_else(|| Problem::not_found(t))
}

/// Newest questions first.
#[utoipa::path(
    operation_id = "questions_list",
    tag = "questions",
    params(PageParams),
    responses(
        (status = 200, description = "A page of questions", body = Paged<PostSummaryOut>),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/questions")]
pub async fn list(
    state: web::Data<App>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, Problem> {
    summaries(&state, &caller, Scope::Questions, &params).await
}

/// One question.
#[utoipa::path(
    operation_id = "questions_show",
    tag = "questions",
    params(("id" = i64, Path, description = "The question's id")),
    responses(
        (status = 200, description = "The question", body = PostOut),
        (status = 404, description = "No such question, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/questions/{id}")]
pub async fn show(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let post = visible_post(&state, &caller, path.into_inner(), &[PostKind::Question]).await?;
    Ok(HttpResponse::Ok().json(PostOut::from(post)))
}

/// A new question.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewQuestion {
    pub title: String,
    /// Markdown.
    pub body: String,
    /// Tag names (at least one).
    #[serde(default)]
    pub tags: Vec<String>,
}

/// Asks a question: the same rules, rate limits and review holds as the form.
#[utoipa::path(
    operation_id = "questions_ask",
    tag = "questions",
    request_body = NewQuestion,
    responses(
        (status = 201, description = "Asked (status `pending` when a rule held it for review)", body = CreatedOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token, or a silenced member", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused input, field by field", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (see Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/questions")]
pub async fn ask(
    state: web::Data<App>,
    caller: Caller,
    body: web::Json<NewQuestion>,
) -> Result<HttpResponse, Problem> {
    let writer = caller.writer()?;
    let input = parse_topic(&body, &caller)?;
    let written = services::posts::ask(&state, writer, &input)
        .await
        .map_err(|e| Problem::from_write(e, caller.t()))?;
    Ok(HttpResponse::Created()
        .insert_header((actix_web::http::header::LOCATION, written.url.clone()))
        .json(CreatedOut {
            id: written.id,
            url: written.url,
            status: written.status.as_str().to_string(),
        }))
}

/// Title, body and tags parsed as the form parses them; every refused field is named.
fn parse_topic(input: &NewQuestion, caller: &Caller) -> Result<TopicInput, Problem> {
    let t = caller.t();
    let mut errors = Vec::new();
    let mut refuse = |e: crate::domain::FieldError| {
        let mut message = t.get(e.key).to_string();
        if let Some(detail) = &e.detail {
            message = format!("{message} ({detail})");
        }
        errors.push(FieldError {
            field: e.field.to_string(),
            message,
        });
    };
    let title = Title::parse(&input.title).map_err(&mut refuse).ok();
    let body = Markdown::parse(&input.body).map_err(&mut refuse).ok();
    let tags = TagList::parse(&input.tags.join(","))
        .map_err(&mut refuse)
        .ok();
    match (title, body, tags) {
        (Some(title), Some(body), Some(tags)) => Ok(TopicInput { title, body, tags }),
        _ => Err(Problem::invalid_fields(t, errors)),
    }
}
