//! `GET /api/v1/search?q=`: the search the `/search` page runs (public posts only: the index
//! holds nothing else), best first. Results are ranked by relevance, so the cursor names the next
//! page of that ranking rather than a row.
use actix_web::{get, web, HttpResponse};
use serde::Deserialize;
use utoipa::IntoParams;

use super::auth::Caller;
use super::cursor::{PageParams, Paged, Position};
use super::views::SearchHitOut;
use crate::app::App;
use crate::error::AppError;
use crate::search::{self, SearchQuery};
use crate::web::problem::Problem;

/// `?q=` of a search.
#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// The words to find (Chinese, English and code identifiers alike).
    pub q: String,
}

/// Searches posts.
#[utoipa::path(
    operation_id = "search_find",
    tag = "search",
    params(SearchParams, PageParams),
    responses(
        (status = 200, description = "A page of results, best first", body = Paged<SearchHitOut>),
        (status = 422, description = "A bad query, cursor or limit", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/search")]
pub async fn find(
    state: web::Data<App>,
    caller: Caller,
    query: web::Query<SearchParams>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let text = query.q.trim();
    if text.is_empty() || text.chars().count() > 200 {
        return Err(Problem::invalid("q", t.get("api.bad_query")));
    }
    let (after, limit) = params.read(t)?;
    let page = after.map_or(1, |p| p.key.clamp(1, 50));
    let mut request = SearchQuery::new(text);
    request.page = page as u32;
    request.per_page = limit as u32;
    let results = search::search_page(&state.db, &request)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?;
    let next = results.has_next.then_some(Position {
        key: page + 1,
        id: 0,
    });
    let items = results.hits.into_iter().map(SearchHitOut::from).collect();
    Ok(HttpResponse::Ok().json(Paged::<SearchHitOut>::new(items, next)))
}
