//! `GET /notifications` (newest first, with links) and `POST /notifications/read` (one `id`, or all).
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db::notifications::{self, Kind, NotificationView};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::web::context::{Ctx, Page};

/// How many notifications the page lists.
const PAGE_SIZE: i64 = 100;

/// One line of the list, already in the reader's language.
pub struct NotificationItem {
    pub id: i64,
    pub text: String,
    pub link: Option<String>,
    pub when: String,
    pub unread: bool,
}

#[derive(Template)]
#[template(path = "social/notifications.html")]
struct NotificationsPage {
    page: Page,
    items: Vec<NotificationItem>,
    any_unread: bool,
}

fn describe(n: &NotificationView, t: &Catalog) -> NotificationItem {
    let actor = n
        .actor
        .clone()
        .unwrap_or_else(|| t.get("notification.someone").to_string());
    let title = if n.title.is_empty() {
        t.get("notification.untitled").to_string()
    } else {
        n.title.clone()
    };
    if n.kind == Some(Kind::Badge) {
        return badge_item(n, t);
    }
    let key = match n.kind {
        Some(Kind::Answer) => "notification.answer",
        Some(Kind::WatchedAnswer) => "notification.watched_answer",
        Some(Kind::WatchedComment) => "notification.watched_comment",
        Some(Kind::WatchedTag) => "notification.watched_tag",
        Some(Kind::Badge) => "notification.badge",
        Some(Kind::Comment) => "notification.comment",
        Some(Kind::Mention) => "notification.mention",
        Some(Kind::Accepted) => "notification.accepted",
        Some(Kind::ResourceComment) => "notification.resource_comment",
        Some(Kind::EventReminder) if n.detail == "hour" => "notification.event_reminder_hour",
        Some(Kind::EventReminder) => "notification.event_reminder_day",
        Some(Kind::Moderation) | None => "notification.moderation",
    };
    let mut text = t.fill(key, &[("actor", &actor), ("title", &title)]);
    if !n.detail.is_empty() && n.kind != Some(Kind::EventReminder) {
        text = format!("{text}: {}", n.detail);
    }
    let link = match (n.post_id, n.post_kind.as_deref()) {
        _ if n.event_id.is_some() => n.event_id.map(crate::domain::paths::event_url),
        _ if n.resource_id.is_some() => n.resource_id.map(|id| match n.comment_id {
            Some(comment) => crate::domain::paths::resource_comment_url(id, comment),
            None => crate::domain::paths::resource_url(id),
        }),
        (Some(id), Some(kind)) => {
            let path = crate::domain::paths::target_path(kind, id, n.parent_id);
            Some(match n.comment_id {
                Some(comment) => format!(
                    "{}#comment-{comment}",
                    path.split('#').next().unwrap_or(&path)
                ),
                None => path,
            })
        }
        _ => None,
    };
    NotificationItem {
        id: n.id,
        text,
        link,
        when: crate::web::format::time(n.created_at),
        unread: !n.read,
    }
}

/// "You earned the badge X" (in tag Y), linking the badge's holders.
fn badge_item(n: &NotificationView, t: &Catalog) -> NotificationItem {
    let (badge, tag) = n.detail.split_once(':').unwrap_or((n.detail.as_str(), ""));
    let badge = crate::domain::Badge::parse(badge);
    let name = badge.map_or("", |b| t.get(b.catalog_key()));
    let mut text = t.fill("notification.badge", &[("badge", name)]);
    if !tag.is_empty() {
        text = format!("{text} ({tag})");
    }
    NotificationItem {
        id: n.id,
        text,
        link: badge.map(crate::domain::paths::badge_url),
        when: crate::web::format::time(n.created_at),
        unread: !n.read,
    }
}

pub async fn list(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let found = notifications::list_for_user(&state.db, me.id, PAGE_SIZE).await?;
    let t = ctx.t();
    let items: Vec<NotificationItem> = found.iter().map(|n| describe(n, t)).collect();
    crate::web::ok(&NotificationsPage {
        page: ctx.page(t.get("notifications.title")),
        any_unread: items.iter().any(|i| i.unread),
        items,
    })
}

#[derive(Deserialize)]
pub struct ReadForm {
    /// One notification; absent or empty marks them all.
    #[serde(default)]
    id: Option<String>,
}

pub async fn mark_read(
    req: HttpRequest,
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<ReadForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let id =
        match form.id.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(text) => Some(text.parse::<i64>().map_err(|_| {
                AppError::Invalid(ctx.t().get("notifications.error_id").to_string())
            })?),
            None => None,
        };
    let unread = crate::services::notifications::mark_read(&state, &me, id)
        .await
        .map_err(|e| crate::web::refusal::error_page(e, ctx.t()))?;
    if super::wants_json(&req) {
        return Ok(HttpResponse::Ok().json(serde_json::json!({ "unread": unread })));
    }
    Ok(crate::web::see_other("/notifications"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    fn view(kind: Kind, comment_id: Option<i64>) -> NotificationView {
        NotificationView {
            id: 1,
            kind: Some(kind),
            actor: Some("alice".into()),
            post_id: Some(5),
            post_kind: Some("answer".into()),
            parent_id: Some(2),
            title: "How do I <b>fine-tune</b>?".into(),
            comment_id,
            resource_id: None,
            event_id: None,
            detail: String::new(),
            created_at: 0,
            read: false,
        }
    }

    #[test]
    fn notifications_link_to_what_they_are_about() {
        let t = Lang::En.catalog();
        let item = describe(&view(Kind::Accepted, None), t);
        assert_eq!(item.link.as_deref(), Some("/questions/2#answer-5"));
        assert!(item.text.contains("fine-tune"), "{}", item.text);
        let item = describe(&view(Kind::Mention, Some(9)), t);
        assert_eq!(item.link.as_deref(), Some("/questions/2#comment-9"));
        assert!(item.text.contains("alice"));
    }
}
