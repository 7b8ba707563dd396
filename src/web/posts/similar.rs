//! `GET /questions/similar?title=…[&tags=…]`: up to five questions that may already answer the one
//! being asked, as an HTML fragment for the ask page (`static/js/similar-questions.js`) or as JSON
//! when the request accepts `application/json`.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::{Deserialize, Serialize};

use super::editor::SimilarItem;
use super::views::SummaryView;
use crate::app::App;
use crate::domain::TagList;
use crate::error::AppError;
use crate::web::context::{Ctx, Page};

/// How many suggestions the ask page shows.
pub const SIMILAR_LIMIT: usize = 5;

#[derive(Deserialize)]
pub struct SimilarQuery {
    #[serde(default)]
    title: String,
    #[serde(default)]
    tags: String,
}

#[derive(Template)]
#[template(path = "posts/similar_list.html")]
struct SimilarFragment {
    page: Page,
    similar: Vec<SimilarItem>,
}

#[derive(Serialize)]
struct SimilarJson {
    id: i64,
    title: String,
    url: String,
    answer_count: i64,
    has_accepted: bool,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
    query: web::Query<SimilarQuery>,
) -> Result<HttpResponse, AppError> {
    let tags = TagList::parse(&query.tags)
        .map(|l| l.names())
        .unwrap_or_default();
    let title: String = query.title.chars().take(300).collect();
    let found =
        crate::search::similar::similar_questions(&state.db, &title, &tags, None, SIMILAR_LIMIT)
            .await?;
    let views: Vec<SummaryView> = SummaryView::list(&found);
    if wants_json(&req) {
        let body: Vec<SimilarJson> = views
            .iter()
            .map(|v| SimilarJson {
                id: v.id,
                title: v.title.clone(),
                url: v.url.clone(),
                answer_count: v.answer_count,
                has_accepted: v.has_accepted,
            })
            .collect();
        return Ok(HttpResponse::Ok().json(body));
    }
    let fragment = SimilarFragment {
        page: ctx.page(ctx.t().get("post.similar_title")),
        similar: views.iter().map(SimilarItem::from_summary).collect(),
    };
    let html = fragment
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template failed: {e}")))?;
    Ok(HttpResponse::Ok()
        .content_type("text/html; charset=utf-8")
        .body(html))
}

fn wants_json(req: &HttpRequest) -> bool {
    req.headers()
        .get(actix_web::http::header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/json"))
}
