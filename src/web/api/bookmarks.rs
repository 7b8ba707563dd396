//! `POST /api/v1/bookmarks`: saves a question, article, answer or resource for the caller, or
//! removes the bookmark, through `services::bookmarks::toggle` (the same budget as the button).
use actix_web::{post, web, HttpResponse};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use super::auth::Caller;
use crate::app::App;
use crate::services;
use crate::services::bookmarks::{BookmarkRefusal, BookmarkTarget};
use crate::web::problem::Problem;

/// What to bookmark.
#[derive(Debug, Deserialize, ToSchema)]
pub struct BookmarkToggle {
    /// `question`, `article`, `answer` or `resource`.
    pub target_kind: String,
    pub target_id: i64,
}

/// The bookmark after the call.
#[derive(Debug, Serialize, ToSchema)]
pub struct BookmarkOut {
    /// Saved now (`false`: the call removed it).
    pub bookmarked: bool,
    /// The page of what it points at.
    pub url: String,
}

/// Bookmarks the target, or removes the bookmark when it was saved.
#[utoipa::path(
    operation_id = "bookmarks_toggle",
    tag = "bookmarks",
    request_body = BookmarkToggle,
    responses(
        (status = 200, description = "Toggled", body = BookmarkOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "Nothing the caller may open", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused input", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (see Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/bookmarks")]
pub async fn toggle(
    state: web::Data<App>,
    caller: Caller,
    input: web::Json<BookmarkToggle>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let writer = caller.writer()?;
    let target = BookmarkTarget::parse(&input.target_kind, input.target_id)
        .ok_or_else(|| Problem::invalid("target_kind", t.get("bookmark.error_target")))?;
    match services::bookmarks::toggle(&state, writer, target).await {
        Ok(toggled) => Ok(HttpResponse::Ok().json(BookmarkOut {
            bookmarked: toggled.saved,
            url: toggled.url,
        })),
        Err(BookmarkRefusal::NotFound) => Err(Problem::not_found(t)),
        Err(BookmarkRefusal::Write(e)) => Err(Problem::from_write(e, t)),
    }
}
