//! Notification mail: each member's choice per kind (immediately, daily or weekly digest, never),
//! the one-click unsubscribe those mails carry, and the sweep job that mails what is due — only
//! about posts the recipient may see — plus the summary digest of the best new posts for members
//! who have been away. [`delivery_for`] is the one place that decides whether and when a kind of
//! notification is mailed to a member; each stored notification kind (watched topics and tags,
//! event reminders, badges ...) belongs to one choice through `MailKind::notification_kinds`.
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use super::gate::WriteError;
use super::mail::{self, Recipient};
use crate::app::App;
use crate::auth::session::hash_id;
use crate::auth::{policy, CurrentUser};
use crate::db::account_tokens::Purpose;
use crate::db::notification_mail::Unmailed;
use crate::db::users::UserRecord;
use crate::db::{self};
use crate::domain::notification_mail::{Delivery, MailKind};
use crate::domain::paths;
use crate::jobs::Registry;
use crate::mail::letters;

/// The job kind of one sweep.
pub const SWEEP_JOB: &str = "notification_mail";
/// Members handled per sweep.
const MEMBERS_PER_SWEEP: i64 = 200;

/// Every kind with the member's choice (or its default).
pub async fn preferences(app: &App, user_id: i64) -> Result<Vec<(MailKind, Delivery)>, WriteError> {
    let stored = db::notification_mail::preferences(&app.db, user_id).await?;
    Ok(MailKind::ALL
        .into_iter()
        .map(|kind| {
            let chosen = stored.iter().find(|(k, _)| *k == kind).map(|(_, d)| *d);
            (kind, chosen.unwrap_or(kind.default_delivery()))
        })
        .collect())
}

/// Whether and when `kind` is mailed to the member: the one decision every notification mail
/// (replies, mentions, watched topics and tags, moderator messages) goes through.
pub async fn delivery_for(app: &App, user_id: i64, kind: MailKind) -> Result<Delivery, WriteError> {
    Ok(preferences(app, user_id)
        .await?
        .into_iter()
        .find(|(k, _)| *k == kind)
        .map_or(kind.default_delivery(), |(_, d)| d))
}

/// Stores the member's choices; a choice a kind does not offer is refused.
pub async fn save_preferences(
    app: &App,
    me: &CurrentUser,
    choices: &[(MailKind, Delivery)],
) -> Result<(), WriteError> {
    if choices.iter().any(|(k, d)| !k.choices().contains(d)) {
        return Err(WriteError::Invalid {
            field: "delivery",
            key: "notify_settings.invalid",
        });
    }
    for (kind, delivery) in choices {
        db::notification_mail::set_preference(&app.db, me.id, *kind, *delivery).await?;
    }
    Ok(())
}

/// What an unsubscribe link stops: one kind, or (`None`) every notification mail.
pub async fn unsubscribe_target(
    app: &App,
    token: &str,
) -> Result<Option<(UserRecord, Option<MailKind>)>, WriteError> {
    let Some(live) =
        db::account_tokens::find_live(&app.db, &hash_id(token), Purpose::Unsubscribe).await?
    else {
        return Ok(None);
    };
    let Some(user) = db::users::by_id(&app.db, live.user_id).await? else {
        return Ok(None);
    };
    Ok(Some((user, MailKind::parse(&live.detail))))
}

/// One-click unsubscribe (RFC 8058): the token is the whole authority. Returns whether it was valid.
pub async fn unsubscribe(app: &App, token: &str) -> Result<bool, WriteError> {
    let Some((user, kind)) = unsubscribe_target(app, token).await? else {
        return Ok(false);
    };
    let kinds: Vec<MailKind> = match kind {
        Some(kind) => vec![kind],
        None => MailKind::ALL.to_vec(),
    };
    for kind in kinds {
        db::notification_mail::set_preference(&app.db, user.id, kind, Delivery::Never).await?;
    }
    Ok(true)
}

/// Queues one sweep (at most one waits at a time).
pub async fn queue_sweep(app: &App) -> Result<(), WriteError> {
    db::jobs::enqueue(&app.db, SWEEP_JOB, "{}", Some(SWEEP_JOB), 3).await?;
    Ok(())
}

/// Queues a sweep every `every` (the first after one interval), for instances that run jobs.
pub async fn sweep_every(app: App, every: Duration) {
    let mut tick = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
    loop {
        tick.tick().await;
        if let Err(e) = queue_sweep(&app).await {
            tracing::warn!(error = %e, "could not queue the notification mail sweep");
        }
    }
}

/// The sweep: mails each member what is due of each kind, then the summary digests. Returns how
/// many letters it queued.
pub async fn sweep(app: &App) -> Result<usize, WriteError> {
    if !mail::available(app) {
        return Ok(0);
    }
    let now = db::now();
    let site = super::settings::load(&app.db).await?;
    let mut queued = 0;
    for user_id in db::notification_mail::members_with_unmailed(&app.db, MEMBERS_PER_SWEEP).await? {
        let Some(user) = db::users::by_id(&app.db, user_id)
            .await?
            .filter(|u| !u.deleted)
        else {
            continue;
        };
        let recipient = Recipient::member(&user, site.default_language);
        let viewer = viewer(&user);
        for kind in MailKind::ALL {
            if kind == MailKind::Summary {
                continue;
            }
            let (through, last_sent) =
                db::notification_mail::cursor(&app.db, user_id, kind).await?;
            let items = db::notification_mail::unmailed(
                &app.db,
                user_id,
                kind.notification_kinds(),
                through,
            )
            .await?;
            let Some(newest) = items.last().map(|n| n.id) else {
                continue;
            };
            let delivery = delivery_for(app, user_id, kind).await?;
            let Some(interval) = delivery.interval_secs() else {
                db::notification_mail::save_cursor(&app.db, user_id, kind, newest, last_sent)
                    .await?;
                continue;
            };
            if now - last_sent < interval {
                continue;
            }
            let frame = mail::frame_for(app, &recipient, &fallback_origin(app), Some(kind)).await?;
            let mut lines = Vec::new();
            for item in &items {
                if let Some(line) = line_for(app, &viewer, item, &frame, now).await? {
                    lines.push(line);
                }
            }
            if lines.is_empty() {
                db::notification_mail::save_cursor(&app.db, user_id, kind, newest, last_sent)
                    .await?;
                continue;
            }
            let notifications_url = format!("{}/notifications", frame.site_url);
            let letter = letters::notifications(&frame, kind.as_str(), lines, &notifications_url);
            mail::enqueue(
                app,
                &recipient,
                &format!("notify_{}", kind.as_str()),
                &letter,
            )
            .await?;
            db::notification_mail::save_cursor(&app.db, user_id, kind, newest, now).await?;
            queued += 1;
        }
    }
    let away_days = super::account_settings::load(&app.db)
        .await?
        .summary_away_days;
    queued += summaries(app, now, site.default_language, away_days).await?;
    Ok(queued)
}

/// The summary digests for members away at least `away_days` (the admins' setting on
/// /admin/settings/accounts), sent at most once per that many days.
async fn summaries(
    app: &App,
    now: i64,
    default_lang: crate::i18n::Lang,
    away_days: i64,
) -> Result<usize, WriteError> {
    let since = now - away_days * 86_400;
    let posts = db::notification_mail::best_new_posts(&app.db, since, 5).await?;
    if posts.is_empty() {
        return Ok(0);
    }
    let mut queued = 0;
    for user_id in
        db::notification_mail::away_members(&app.db, since, since, MEMBERS_PER_SWEEP).await?
    {
        let Some(user) = db::users::by_id(&app.db, user_id)
            .await?
            .filter(|u| !u.deleted)
        else {
            continue;
        };
        let recipient = Recipient::member(&user, default_lang);
        let frame = mail::frame_for(
            app,
            &recipient,
            &fallback_origin(app),
            Some(MailKind::Summary),
        )
        .await?;
        let items = posts
            .iter()
            .map(|p| {
                let kind = crate::domain::PostKind::from_stored(&p.kind);
                let path = paths::post_url(kind, p.id, &p.slug, None);
                (
                    format!("{} ({:+})", p.title, p.score),
                    format!("{}{path}", frame.site_url),
                )
            })
            .collect();
        let letter = letters::summary(&frame, away_days, items);
        mail::enqueue(app, &recipient, "summary", &letter).await?;
        db::notification_mail::save_cursor(&app.db, user_id, MailKind::Summary, 0, now).await?;
        queued += 1;
    }
    Ok(queued)
}

/// The line of a digest about one notification, or `None` when what it is about is not one the
/// recipient may see (a deleted, hidden or held post; a hidden, deleted or finished event).
async fn line_for(
    app: &App,
    viewer: &CurrentUser,
    item: &Unmailed,
    frame: &letters::Frame,
    now: i64,
) -> Result<Option<(String, String)>, WriteError> {
    let t = frame.lang.catalog();
    if item.kind == "badge" {
        return Ok(Some(badge_line(item, frame)));
    }
    if let Some(event_id) = item.event_id {
        return event_line(app, viewer, item, event_id, frame, now).await;
    }
    let path = match (item.post_id, item.resource_id) {
        (Some(post_id), _) => {
            let Some(post) = db::posts::by_id(&app.db, post_id).await? else {
                return Ok(None);
            };
            if !policy::post_visible(&post, Some(viewer)) {
                return Ok(None);
            }
            if let Some(parent_id) = post.parent_id {
                let parent = db::posts::by_id(&app.db, parent_id).await?;
                if !parent.is_some_and(|p| policy::post_visible(&p, Some(viewer))) {
                    return Ok(None);
                }
            }
            paths::post_url(post.kind, post.id, &post.slug, post.parent_id)
        }
        (None, Some(resource_id)) => {
            let Some(resource) = db::resources::by_id(&app.db, resource_id).await? else {
                return Ok(None);
            };
            if !policy::resource_visible(&resource, Some(viewer)) {
                return Ok(None);
            }
            paths::resource_url(resource_id)
        }
        (None, None) => "/notifications".to_string(),
    };
    let key = match item.kind.as_str() {
        "answer" => "notification.answer",
        "comment" => "notification.comment",
        "mention" => "notification.mention",
        "accepted" => "notification.accepted",
        "resource_comment" => "notification.resource_comment",
        "watched_answer" => "notification.watched_answer",
        "watched_comment" => "notification.watched_comment",
        "watched_tag" => "notification.watched_tag",
        _ => "notification.moderation",
    };
    let actor = item
        .actor
        .clone()
        .unwrap_or_else(|| t.get("notification.someone").to_string());
    let mut text = t.fill(key, &[("actor", &actor), ("title", &item.title)]);
    if !item.detail.is_empty() {
        text = format!("{text}: {}", item.detail);
    }
    Ok(Some((text, format!("{}{path}", frame.site_url))))
}

/// "You earned the badge X (tag)", linking the badge's holders.
fn badge_line(item: &Unmailed, frame: &letters::Frame) -> (String, String) {
    let t = frame.lang.catalog();
    let (badge, tag) = item
        .detail
        .split_once(':')
        .unwrap_or((item.detail.as_str(), ""));
    let badge = crate::domain::Badge::parse(badge);
    let name = badge.map_or("", |b| t.get(b.catalog_key()));
    let mut text = t.fill("notification.badge", &[("badge", name)]);
    if !tag.is_empty() {
        text = format!("{text} ({tag})");
    }
    let path = badge.map_or_else(|| "/notifications".to_string(), paths::badge_url);
    (text, format!("{}{path}", frame.site_url))
}

/// "Tomorrow: <title>, starting <time in the recipient's zone>", linking the event; `None` when the
/// recipient may no longer see the event or it is over.
async fn event_line(
    app: &App,
    viewer: &CurrentUser,
    item: &Unmailed,
    event_id: i64,
    frame: &letters::Frame,
    now: i64,
) -> Result<Option<(String, String)>, WriteError> {
    let t = frame.lang.catalog();
    let Some(event) = db::events::by_id(&app.db, event_id).await? else {
        return Ok(None);
    };
    if !policy::event_visible(&event, Some(viewer)) || event.ends_at <= now {
        return Ok(None);
    }
    // The member's chosen zone; without one (pages use the browser's), the organiser's.
    let chosen = db::users::time_zone(&app.db, viewer.id).await?;
    let zone = crate::domain::parse_zone(&chosen)
        .or_else(|_| crate::domain::parse_zone(&event.time_zone))
        .unwrap_or(chrono_tz::Tz::UTC);
    let key = if item.detail == "hour" {
        "notification.event_reminder_hour"
    } else {
        "notification.event_reminder_day"
    };
    let text = t.fill(
        "mail.notify.event_line",
        &[
            ("reminder", &t.fill(key, &[("title", &event.title)])),
            ("when", &crate::domain::time_in_zone(event.starts_at, zone)),
        ],
    );
    Ok(Some((
        text,
        format!("{}{}", frame.site_url, paths::event_url(event.id)),
    )))
}

fn viewer(user: &UserRecord) -> CurrentUser {
    CurrentUser {
        id: user.id,
        username: user.username.clone(),
        role: user.role,
        reputation: user.reputation,
        trust_level: user.trust_level,
        locale: user.locale.clone(),
    }
}

/// Where links in mail that no request caused start: `AGORA_PUBLIC_URL`, else the bind address.
fn fallback_origin(app: &App) -> String {
    format!("http://{}", app.settings.bind)
}

/// Registers the sweep job.
pub fn register_jobs(registry: &mut Registry, app: &App) {
    let app = Arc::new(app.clone());
    registry.register(
        SWEEP_JOB,
        Arc::new(move |_payload: String| {
            let app = app.clone();
            async move { sweep(&app).await.map(|_| ()).map_err(|e| e.to_string()) }.boxed()
        }),
    );
}
