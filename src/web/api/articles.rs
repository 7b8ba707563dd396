//! `/api/v1/articles`: published articles, newest first (keyset pages), and one article. Drafts
//! are seen by their author only, as on the pages.
use actix_web::{get, web, HttpResponse};

use super::auth::Caller;
use super::cursor::{PageParams, Paged};
use super::questions::{summaries, visible_post};
use super::views::{PostOut, PostSummaryOut};
use crate::app::App;
use crate::db::posts::lists::Scope;
use crate::domain::PostKind;
use crate::web::problem::Problem;

/// Newest articles first.
#[utoipa::path(
    operation_id = "articles_list",
    tag = "articles",
    params(PageParams),
    responses(
        (status = 200, description = "A page of articles", body = Paged<PostSummaryOut>),
        (status = 422, description = "A bad cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/articles")]
pub async fn list(
    state: web::Data<App>,
    caller: Caller,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, Problem> {
    summaries(&state, &caller, Scope::Articles, &params).await
}

/// One article.
#[utoipa::path(
    operation_id = "articles_show",
    tag = "articles",
    params(("id" = i64, Path, description = "The article's id")),
    responses(
        (status = 200, description = "The article", body = PostOut),
        (status = 404, description = "No such article, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/articles/{id}")]
pub async fn show(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<i64>,
) -> Result<HttpResponse, Problem> {
    let post = visible_post(&state, &caller, path.into_inner(), &[PostKind::Article]).await?;
    Ok(HttpResponse::Ok().json(PostOut::from(post)))
}
