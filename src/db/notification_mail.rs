//! Notification mail's tables: each member's choices (`mail_preferences`), how far mail has got per
//! member and kind (`mail_cursors`), the unread notifications not yet considered for mail, the
//! members who are away (for the summary digest) and the site's best new posts for it.
use sqlx::Row;

use super::{Db, DbError};
use crate::domain::notification_mail::{Delivery, MailKind};

/// The member's stored choices (kinds without a row take their default).
pub async fn preferences(db: &Db, user_id: i64) -> Result<Vec<(MailKind, Delivery)>, DbError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT kind, delivery FROM mail_preferences WHERE user_id = $1")
            .bind(user_id)
            .fetch_all(db.reader())
            .await?;
    Ok(rows
        .iter()
        .filter_map(|(k, d)| Some((MailKind::parse(k)?, Delivery::parse(d)?)))
        .collect())
}

pub async fn set_preference(
    db: &Db,
    user_id: i64,
    kind: MailKind,
    delivery: Delivery,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO mail_preferences (user_id, kind, delivery) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, kind) DO UPDATE SET delivery = excluded.delivery",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(delivery.as_str())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// How far mail of `kind` has got for the member: the last notification id considered, and when
/// the last mail went.
pub async fn cursor(db: &Db, user_id: i64, kind: MailKind) -> Result<(i64, i64), DbError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT mailed_through, last_sent_at FROM mail_cursors WHERE user_id = $1 AND kind = $2",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .fetch_optional(db.writer())
    .await?;
    Ok(row.unwrap_or((0, 0)))
}

pub async fn save_cursor(
    db: &Db,
    user_id: i64,
    kind: MailKind,
    mailed_through: i64,
    last_sent_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO mail_cursors (user_id, kind, mailed_through, last_sent_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (user_id, kind) DO UPDATE SET mailed_through = excluded.mailed_through, \
            last_sent_at = excluded.last_sent_at",
    )
    .bind(user_id)
    .bind(kind.as_str())
    .bind(mailed_through)
    .bind(last_sent_at)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Members with unread notifications newer than some cursor of theirs, oldest first.
pub async fn members_with_unmailed(db: &Db, limit: i64) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar(
        "SELECT n.user_id FROM notifications n JOIN users u ON u.id = n.user_id \
         WHERE n.read_at IS NULL AND u.deleted_at IS NULL \
           AND n.id > COALESCE((SELECT MIN(c.mailed_through) FROM mail_cursors c \
                                WHERE c.user_id = n.user_id), 0) \
         GROUP BY n.user_id ORDER BY MIN(n.id) LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// An unread notification not yet considered for mail.
#[derive(Debug, Clone)]
pub struct Unmailed {
    pub id: i64,
    pub kind: String,
    pub actor: Option<String>,
    pub post_id: Option<i64>,
    pub resource_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub event_id: Option<i64>,
    pub title: String,
    pub detail: String,
}

/// The member's unread notifications of `kinds` after `after_id`, oldest first (at most 50).
pub async fn unmailed(
    db: &Db,
    user_id: i64,
    kinds: &[&str],
    after_id: i64,
) -> Result<Vec<Unmailed>, DbError> {
    let rows = sqlx::query(
        "SELECT n.id, n.kind, a.username AS actor, n.post_id, n.resource_id, n.comment_id, \
                n.event_id, COALESCE(NULLIF(p.title, ''), q.title, r.title, e.title, '') AS title, \
                n.detail \
         FROM notifications n \
         LEFT JOIN users a ON a.id = n.actor_id \
         LEFT JOIN posts p ON p.id = n.post_id \
         LEFT JOIN posts q ON q.id = p.parent_id \
         LEFT JOIN resources r ON r.id = n.resource_id \
         LEFT JOIN events e ON e.id = n.event_id \
         WHERE n.user_id = $1 AND n.read_at IS NULL AND n.id > $2 \
           AND (',' || $3 || ',') LIKE ('%,' || n.kind || ',%') \
         ORDER BY n.id LIMIT 50",
    )
    .bind(user_id)
    .bind(after_id)
    .bind(kinds.join(","))
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Unmailed {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                actor: r.try_get("actor")?,
                post_id: r.try_get("post_id")?,
                resource_id: r.try_get("resource_id")?,
                comment_id: r.try_get("comment_id")?,
                event_id: r.try_get("event_id")?,
                title: r.try_get("title")?,
                detail: r.try_get("detail")?,
            })
        })
        .collect()
}

/// Members last seen (any session) at or before `away_since` whose summary digest last went at or
/// before `summary_before`, who have not turned it off.
pub async fn away_members(
    db: &Db,
    away_since: i64,
    summary_before: i64,
    limit: i64,
) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar(
        "SELECT u.id FROM users u \
         WHERE u.deleted_at IS NULL AND u.is_bot = 0 \
           AND COALESCE((SELECT MAX(s.last_seen_at) FROM sessions s WHERE s.user_id = u.id), \
                        u.created_at) <= $1 \
           AND COALESCE((SELECT c.last_sent_at FROM mail_cursors c \
                         WHERE c.user_id = u.id AND c.kind = 'summary'), 0) <= $2 \
           AND NOT EXISTS (SELECT 1 FROM mail_preferences m WHERE m.user_id = u.id \
                           AND m.kind = 'summary' AND m.delivery = 'never') \
         ORDER BY u.id LIMIT $3",
    )
    .bind(away_since)
    .bind(summary_before)
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// A published article or question for the summary digest.
#[derive(Debug, Clone)]
pub struct BestPost {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub slug: String,
    pub score: i64,
}

/// The best published articles and questions created after `since`, by score.
pub async fn best_new_posts(db: &Db, since: i64, limit: i64) -> Result<Vec<BestPost>, DbError> {
    let rows = sqlx::query(
        "SELECT id, kind, title, slug, score FROM posts \
         WHERE kind IN ('article', 'question') AND status = 'published' AND created_at > $1 \
         ORDER BY score DESC, answer_count DESC, id DESC LIMIT $2",
    )
    .bind(since)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(BestPost {
                id: r.try_get("id")?,
                kind: r.try_get("kind")?,
                title: r.try_get("title")?,
                slug: r.try_get("slug")?,
                score: r.try_get("score")?,
            })
        })
        .collect()
}
