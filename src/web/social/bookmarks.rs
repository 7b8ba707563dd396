//! `POST /bookmarks` (save or unsave a question, article, answer or resource: JSON for `fetch`, a
//! redirect back for the plain form) and `GET /bookmarks` (the member's saved items, newest first).
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db::bookmarks::{self, Cursor, SavedItem};
use crate::error::AppError;
use crate::services::bookmarks::{BookmarkRefusal, BookmarkTarget};
use crate::services::{self, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

/// Bookmarks per page of `/bookmarks`.
const PAGE_SIZE: i64 = 30;

#[derive(Deserialize)]
pub struct BookmarkForm {
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target_id: String,
}

/// The form's kind and id as a target (the id as typed).
fn parse_target(kind: &str, id: &str) -> Option<BookmarkTarget> {
    BookmarkTarget::parse(kind, id.trim().parse::<i64>().ok()?)
}

pub async fn toggle(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<BookmarkForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let target = parse_target(&form.target_kind, &form.target_id)
        .ok_or_else(|| AppError::Invalid(t.get("bookmark.error_target").to_string()))?;
    let ip = ctx.client_ip();
    let toggled = match services::bookmarks::toggle(&state, Writer::new(&me, &ip), target).await {
        Ok(toggled) => toggled,
        Err(BookmarkRefusal::NotFound) => return Err(AppError::NotFound),
        Err(BookmarkRefusal::Write(e)) => return Err(refusal::error_page(e, t)),
    };
    if super::wants_json(&req) {
        return Ok(HttpResponse::Ok().json(serde_json::json!({
            "bookmarked": toggled.saved,
            "label": t.get(if toggled.saved { "bookmark.remove" } else { "bookmark.add" }),
        })));
    }
    ctx.flash(if toggled.saved {
        "bookmark.flash_saved"
    } else {
        "bookmark.flash_removed"
    });
    Ok(crate::web::see_other(&toggled.url))
}

/// One saved item as the list shows it.
pub struct SavedView {
    pub title: String,
    pub path: String,
    pub kind_label: String,
    pub excerpt: String,
    pub saved: String,
}

fn view(item: &SavedItem, t: &crate::i18n::Catalog) -> SavedView {
    let kind_key = match item.kind.as_str() {
        "article" => "bookmark.kind_article",
        "answer" | "bot_answer" => "bookmark.kind_answer",
        "resource" => "bookmark.kind_resource",
        _ => "bookmark.kind_question",
    };
    SavedView {
        title: if item.title.is_empty() {
            t.get("notification.untitled").to_string()
        } else {
            item.title.clone()
        },
        path: crate::domain::paths::target_path(&item.kind, item.id, item.parent_id),
        kind_label: t.get(kind_key).to_string(),
        excerpt: item.excerpt.clone(),
        saved: crate::web::format::time(item.saved_at),
    }
}

#[derive(Template)]
#[template(path = "social/bookmarks.html")]
struct BookmarksPage {
    page: Page,
    items: Vec<SavedView>,
    next_url: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

pub async fn list(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let after = match query
        .after
        .as_deref()
        .map(str::trim)
        .filter(|a| !a.is_empty())
    {
        Some(text) => Some(
            Cursor::parse(text)
                .ok_or_else(|| AppError::Invalid(t.get("bookmark.error_page").to_string()))?,
        ),
        None => None,
    };
    let (items, next) = bookmarks::page_of(&state.db, me.id, after, PAGE_SIZE).await?;
    crate::web::ok(&BookmarksPage {
        page: ctx.page(t.get("bookmark.title")),
        items: items.iter().map(|i| view(i, t)).collect(),
        next_url: next.map(|c| format!("/bookmarks?after={c}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_parse_strictly() {
        assert_eq!(parse_target("answer", "7"), Some(BookmarkTarget::Post(7)));
        assert_eq!(
            parse_target("resource", " 3 "),
            Some(BookmarkTarget::Resource(3))
        );
        assert_eq!(parse_target("comment", "7"), None);
        assert_eq!(parse_target("question", "-1"), None);
        assert_eq!(parse_target("question", "x"), None);
    }
}
