//! The front page: the site's description, the next three events, latest articles and questions,
//! and the most used tags.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use super::context::{Ctx, Page};
use super::events::{reader_zone, EventView};
use super::posts::views::{tag_links, SummaryView, TagLink};
use crate::app::App;
use crate::db::{self, posts::lists};
use crate::error::AppError;

const LATEST_ARTICLES: i64 = 5;
const LATEST_QUESTIONS: i64 = 10;
const HOT_TAGS: i64 = 20;
const NEXT_EVENTS: i64 = 3;

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    page: Page,
    description: String,
    articles: Vec<SummaryView>,
    questions: Vec<SummaryView>,
    tags: Vec<TagLink>,
    events: Vec<EventView>,
}

pub async fn show(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let db = &state.db;
    let events = db::events::upcoming(db, db::now(), NEXT_EVENTS).await?;
    let events = match events.is_empty() {
        true => Vec::new(),
        false => EventView::list(
            &events,
            reader_zone(&ctx, &req, &state).await?.zone,
            ctx.t(),
        ),
    };
    let description = crate::services::settings::load(db).await?.site_description;
    // A member's muted tags leave the front page too.
    let viewer = ctx.user().map(|u| u.id);
    let articles = lists::page_for(
        db,
        viewer,
        lists::Scope::Articles,
        lists::Order::Newest,
        None,
        LATEST_ARTICLES,
    )
    .await?;
    let questions = lists::page_for(
        db,
        viewer,
        lists::Scope::Questions,
        lists::Order::Active,
        None,
        LATEST_QUESTIONS,
    )
    .await?;
    let (hot, _) = db::posts::tags::page_by_popularity(db, None, HOT_TAGS).await?;
    let names: Vec<String> = hot
        .into_iter()
        .filter(|t| t.post_count > 0)
        .map(|t| t.name)
        .collect();
    crate::web::ok(&HomePage {
        page: ctx.page(ctx.t().get("home.title")),
        description,
        articles: SummaryView::list(&articles.items),
        questions: SummaryView::list(&questions.items),
        tags: tag_links(&names),
        events,
    })
}
