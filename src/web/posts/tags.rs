//! `GET /tags` (most used first) and `GET /tags/{name}` (its articles and questions, newest first),
//! both paged by keyset cursors.
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::lists::{next_url, parse_after};
use super::views::SummaryView;
use super::PAGE_SIZE;
use crate::app::App;
use crate::db;
use crate::db::posts::lists::{Cursor, Order, Scope};
use crate::db::posts::tags::TagCursor;
use crate::error::AppError;
use crate::web::context::{Ctx, Page};

/// Tags per page of `/tags`.
const TAGS_PER_PAGE: i64 = 60;

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

struct TagRow {
    name: String,
    url: String,
    description: String,
    post_count: i64,
}

#[derive(Template)]
#[template(path = "posts/tags.html")]
struct TagsPage {
    page: Page,
    tags: Vec<TagRow>,
    next_url: Option<String>,
}

pub async fn list(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let after = parse_after(query.after.as_deref(), t)?.map(|c: Cursor| TagCursor {
        post_count: c.key,
        id: c.id,
    });
    let (tags, more) = db::posts::tags::page_by_popularity(&state.db, after, TAGS_PER_PAGE).await?;
    let next = tags.last().filter(|_| more).map(|last| Cursor {
        key: last.post_count,
        id: last.id,
    });
    crate::web::ok(&TagsPage {
        page: ctx.page(t.get("post.tags_title")),
        tags: tags
            .iter()
            .map(|tag| TagRow {
                name: tag.name.clone(),
                url: crate::domain::paths::tag_url(&tag.name),
                description: tag.description.clone(),
                post_count: tag.post_count,
            })
            .collect(),
        next_url: next_url("/tags", next),
    })
}

#[derive(Template)]
#[template(path = "posts/tag.html")]
struct TagPage {
    page: Page,
    name: String,
    description: String,
    post_count: i64,
    feed_url: String,
    items: Vec<SummaryView>,
    next_url: Option<String>,
    /// The viewer's level for this tag: `watch`, `mute` or `normal`.
    follow_level: &'static str,
    follow_label: &'static str,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<String>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let name = path.into_inner();
    let tag = db::posts::tags::by_name(&state.db, &name)
        .await?
        .ok_or(AppError::NotFound)?;
    let after = parse_after(query.after.as_deref(), t)?;
    let page = db::posts::lists::page(
        &state.db,
        Scope::Tagged(tag.id),
        Order::Newest,
        after,
        PAGE_SIZE,
    )
    .await?;
    let url = crate::domain::paths::tag_url(&tag.name);
    let level = match ctx.user() {
        Some(me) => {
            let target = db::follows::Target::Tag(tag.id);
            db::follows::level_of(&state.db, me.id, target).await?
        }
        None => None,
    };
    let follow_level = level.map_or("normal", db::follows::Level::as_str);
    crate::web::ok(&TagPage {
        follow_level,
        follow_label: match follow_level {
            "watch" => "follow.level_watch",
            "mute" => "follow.level_mute",
            _ => "follow.level_normal",
        },
        page: ctx.page(format!("{}: {}", t.get("post.tag_title"), tag.name)),
        feed_url: format!(
            "/tags/{}/feed.atom",
            crate::domain::paths::encode_segment(&tag.name)
        ),
        name: tag.name,
        description: tag.description,
        post_count: tag.post_count,
        items: SummaryView::list(&page.items),
        next_url: next_url(&url, page.next),
    })
}
