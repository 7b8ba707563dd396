//! `GET /api/v1/tags`: tags, most used first (keyset over the post count and id).
use actix_web::{get, web, HttpResponse};

use super::auth::Caller;
use super::cursor::{PageParams, Paged, Position};
use super::views::TagOut;
use crate::app::App;
use crate::db::posts::tags::{self, TagCursor};
use crate::error::AppError;
use crate::web::problem::Problem;

/// Tags, most used first.
#[utoipa::path(
    operation_id = "tags_list",
    tag = "tags",
    params(PageParams),
    responses(
        (status = 200, description = "A page of tags", body = Paged<TagOut>),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/tags")]
pub async fn list(
    state: web::Data<App>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let (after, limit) = params.read(t)?;
    let after = after.map(|p| TagCursor {
        post_count: p.key,
        id: p.id,
    });
    let (found, more) = tags::page_by_popularity(&state.db, after, limit)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?;
    let next = found.last().filter(|_| more).map(|tag| Position {
        key: tag.post_count,
        id: tag.id,
    });
    let items = found.into_iter().map(TagOut::from).collect();
    Ok(HttpResponse::Ok().json(Paged::<TagOut>::new(items, next)))
}
