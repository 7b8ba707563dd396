//! Queries over notifications: creating them (inside the transaction that caused them, or on their own
//! for moderation outcomes), listing a user's, counting and marking the unread ones.
use sqlx::Row;

use super::plans::{Arg, ListQuery};
use super::{now, Db, DbError, Tx};

/// What happened. Stored as text in `notifications.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// Someone answered your question (`post_id` = the answer).
    Answer,
    /// Someone commented on your post (`post_id` = the post, `comment_id` = the comment).
    Comment,
    /// Someone @mentioned you (`post_id` and, in a comment, `comment_id`).
    Mention,
    /// Your answer was accepted (`post_id` = the answer).
    Accepted,
    /// A moderator acted on your content or account; `detail` says what.
    Moderation,
    /// Someone commented on your resource (`resource_id`, `comment_id` = the resource comment).
    ResourceComment,
    /// A new answer on a topic you watch (`post_id` = the answer).
    WatchedAnswer,
    /// A new comment on a topic you watch (`post_id` = the post, `comment_id` = the comment).
    WatchedComment,
    /// A new topic in a tag you watch (`post_id` = the topic).
    WatchedTag,
    /// You earned a badge; `detail` is `badge:tag` (the tag empty for other badges).
    Badge,
    /// An event you answered going or maybe starts soon (`event_id`; `detail` = `day` or `hour`).
    EventReminder,
}

impl Kind {
    pub const ALL: [Kind; 11] = [
        Kind::Answer,
        Kind::Comment,
        Kind::Mention,
        Kind::Accepted,
        Kind::Moderation,
        Kind::ResourceComment,
        Kind::WatchedAnswer,
        Kind::WatchedComment,
        Kind::WatchedTag,
        Kind::Badge,
        Kind::EventReminder,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::Answer => "answer",
            Kind::Comment => "comment",
            Kind::Mention => "mention",
            Kind::Accepted => "accepted",
            Kind::Moderation => "moderation",
            Kind::ResourceComment => "resource_comment",
            Kind::WatchedAnswer => "watched_answer",
            Kind::WatchedComment => "watched_comment",
            Kind::WatchedTag => "watched_tag",
            Kind::Badge => "badge",
            Kind::EventReminder => "event_reminder",
        }
    }

    pub fn from_stored(text: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == text)
    }
}

/// A notification to store.
#[derive(Debug, Clone)]
pub struct NewNotification {
    pub user_id: i64,
    pub kind: Kind,
    pub actor_id: Option<i64>,
    pub post_id: Option<i64>,
    pub comment_id: Option<i64>,
    pub detail: String,
}

/// Stores a notification inside the caller's transaction, so it exists exactly when what caused it does.
pub async fn notify_in(tx: &mut Tx, new: NewNotification) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO notifications (user_id, kind, actor_id, post_id, comment_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.user_id)
    .bind(new.kind.as_str())
    .bind(new.actor_id)
    .bind(new.post_id)
    .bind(new.comment_id)
    .bind(new.detail)
    .bind(now())
    .fetch_one(&mut **tx)
    .await?;
    row.try_get("id")
}

/// Tells a resource's submitter about a comment on it.
pub async fn notify_resource_comment(
    db: &Db,
    user_id: i64,
    actor_id: i64,
    resource_id: i64,
    comment_id: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, actor_id, resource_id, comment_id, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(user_id)
    .bind(Kind::ResourceComment.as_str())
    .bind(actor_id)
    .bind(resource_id)
    .bind(comment_id)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Stores one notification on its own (moderation outcomes and other one-off messages).
pub async fn notify(
    db: &Db,
    user_id: i64,
    kind: Kind,
    actor_id: Option<i64>,
    post_id: Option<i64>,
    comment_id: Option<i64>,
    detail: &str,
) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let new = NewNotification {
        user_id,
        kind,
        actor_id,
        post_id,
        comment_id,
        detail: detail.to_string(),
    };
    let id = notify_in(&mut tx, new).await?;
    tx.commit().await?;
    Ok(id)
}

/// Notifies each of `mentioned` (usernames as written after `@`) that `actor_id` mentioned them:
/// only existing, not deleted accounts, never the actor, each account once, and none in `skip`
/// (people already notified about the same thing). Returns the ids notified.
pub async fn notify_mentions(
    tx: &mut Tx,
    mentioned: &[String],
    actor_id: i64,
    post_id: i64,
    comment_id: Option<i64>,
    skip: &[i64],
) -> Result<Vec<i64>, DbError> {
    let mut notified: Vec<i64> = Vec::new();
    for name in mentioned.iter().take(MAX_MENTIONS) {
        let key = crate::domain::username_key(name);
        let id: Option<i64> = sqlx::query_scalar(
            "SELECT id FROM users WHERE username_key = $1 AND deleted_at IS NULL",
        )
        .bind(key)
        .fetch_optional(&mut **tx)
        .await?;
        let Some(id) = id else { continue };
        if id == actor_id || skip.contains(&id) || notified.contains(&id) {
            continue;
        }
        let new = NewNotification {
            user_id: id,
            kind: Kind::Mention,
            actor_id: Some(actor_id),
            post_id: Some(post_id),
            comment_id,
            detail: String::new(),
        };
        notify_in(tx, new).await?;
        notified.push(id);
    }
    Ok(notified)
}

/// Content that has just become visible to readers: created published, or published by review.
/// Held content tells nobody until then (`tell_published_in` runs at that moment, once).
#[derive(Debug, Clone, Copy)]
pub struct Published<'a> {
    pub actor_id: i64,
    pub post_id: i64,
    pub comment_id: Option<i64>,
    /// Whom the content answers (the asker of an answer, the author of a commented post), and how.
    pub owner: Option<(i64, Kind)>,
    pub mentions: &'a [String],
}

/// Tells the owner and the people mentioned about newly visible content, inside the transaction
/// that made it visible; nobody twice, never the actor.
pub async fn tell_published_in(tx: &mut Tx, p: Published<'_>) -> Result<(), DbError> {
    let mut told = Vec::new();
    if let Some((owner, kind)) = p.owner.filter(|(owner, _)| *owner != p.actor_id) {
        let notice = NewNotification {
            user_id: owner,
            kind,
            actor_id: Some(p.actor_id),
            post_id: Some(p.post_id),
            comment_id: p.comment_id,
            detail: String::new(),
        };
        notify_in(tx, notice).await?;
        told.push(owner);
    }
    notify_mentions(tx, p.mentions, p.actor_id, p.post_id, p.comment_id, &told).await?;
    Ok(())
}

/// Review has just published a held post or comment: the notifications it held back go out now.
/// The mentions are read from the stored text (the post's plain text, the comment's source).
pub async fn tell_approved_in(tx: &mut Tx, target_kind: &str, id: i64) -> Result<(), DbError> {
    let sql = if target_kind == "comment" {
        "SELECT c.author_id AS actor_id, c.post_id AS post_id, c.body_md AS text, \
         p.author_id AS owner_id, 'comment' AS kind FROM comments c \
         JOIN posts p ON p.id = c.post_id WHERE c.id = $1"
    } else {
        "SELECT p.author_id AS actor_id, p.id AS post_id, p.body_text AS text, \
         q.author_id AS owner_id, 'answer' AS kind FROM posts p \
         LEFT JOIN posts q ON q.id = p.parent_id WHERE p.id = $1"
    };
    let Some(row) = sqlx::query(sql).bind(id).fetch_optional(&mut **tx).await? else {
        return Ok(());
    };
    let text: String = row.try_get("text")?;
    let owner: Option<i64> = row.try_get("owner_id")?;
    let kind = if target_kind == "comment" {
        Kind::Comment
    } else {
        Kind::Answer
    };
    let mentions = crate::render::mentions_in(&text);
    let published = Published {
        actor_id: row.try_get("actor_id")?,
        post_id: row.try_get("post_id")?,
        comment_id: (target_kind == "comment").then_some(id),
        owner: owner.map(|o| (o, kind)),
        mentions: &mentions,
    };
    tell_published_in(tx, published).await
}

/// At most this many people are notified from one piece of text (a wall of @names is not a broadcast).
pub const MAX_MENTIONS: usize = 10;

/// The most unread notifications counted; past it the badge says "99+" (every page of a signed-in
/// member shows the badge, so its cost must not grow with their history).
pub const UNREAD_COUNTED: i64 = 100;

/// Unread notifications, up to [`UNREAD_COUNTED`]: the counter triggers keep in `unread_counts`,
/// one primary-key read.
pub async fn unread_count(db: &Db, user_id: i64) -> Result<i64, DbError> {
    let value: Option<i64> =
        sqlx::query_scalar("SELECT value FROM unread_counts WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.reader())
            .await?;
    Ok(value.unwrap_or(0).clamp(0, UNREAD_COUNTED))
}

/// A notification as the list shows it, with what it points at.
#[derive(Debug, Clone)]
pub struct NotificationView {
    pub id: i64,
    pub kind: Option<Kind>,
    pub actor: Option<String>,
    pub post_id: Option<i64>,
    pub post_kind: Option<String>,
    /// The question an answer belongs to.
    pub parent_id: Option<i64>,
    /// The post's title, or its question's title for answers.
    pub title: String,
    pub comment_id: Option<i64>,
    /// The resource a resource comment is on.
    pub resource_id: Option<i64>,
    /// The event a reminder is about.
    pub event_id: Option<i64>,
    pub detail: String,
    pub created_at: i64,
    pub read: bool,
}

/// The statement for a member's latest `limit` notifications, read along
/// `notifications_by_user_new` (its order) and never sorted, however many the member has.
pub fn list_query(user_id: i64, limit: i64) -> ListQuery {
    ListQuery::new(
        "notifications",
        "SELECT n.id, n.kind, a.username AS actor, n.post_id, p.kind AS post_kind, p.parent_id, \
                COALESCE(NULLIF(p.title, ''), q.title, r.title, e.title, '') AS title, n.comment_id, \
                n.resource_id, n.event_id, n.detail, n.created_at, n.read_at \
         FROM notifications n \
         LEFT JOIN users a ON a.id = n.actor_id \
         LEFT JOIN posts p ON p.id = n.post_id \
         LEFT JOIN posts q ON q.id = p.parent_id \
         LEFT JOIN resources r ON r.id = n.resource_id \
         LEFT JOIN events e ON e.id = n.event_id \
         WHERE n.user_id = $1 ORDER BY n.created_at DESC, n.id DESC LIMIT $2",
        vec![Arg::Int(user_id), Arg::Int(limit)],
    )
    .served_by(&["notifications_by_user_new"])
}

/// A user's notifications, newest first.
pub async fn list_for_user(
    db: &Db,
    user_id: i64,
    limit: i64,
) -> Result<Vec<NotificationView>, DbError> {
    let rows = list_query(user_id, limit).fetch_all(db).await?;
    rows.iter()
        .map(|r| {
            Ok(NotificationView {
                id: r.try_get("id")?,
                kind: Kind::from_stored(&r.try_get::<String, _>("kind")?),
                actor: r.try_get("actor")?,
                post_id: r.try_get("post_id")?,
                post_kind: r.try_get("post_kind")?,
                parent_id: r.try_get("parent_id")?,
                title: r.try_get("title")?,
                comment_id: r.try_get("comment_id")?,
                resource_id: r.try_get("resource_id")?,
                event_id: r.try_get("event_id")?,
                detail: r.try_get("detail")?,
                created_at: r.try_get("created_at")?,
                read: r.try_get::<Option<i64>, _>("read_at")?.is_some(),
            })
        })
        .collect()
}

/// Marks one notification (`Some(id)`, only if it is the user's) or all of them read.
pub async fn mark_read(db: &Db, user_id: i64, id: Option<i64>) -> Result<u64, DbError> {
    let done = match id {
        Some(id) => {
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND id = $3 AND read_at IS NULL")
                .bind(now())
                .bind(user_id)
                .bind(id)
                .execute(db.writer())
                .await?
        }
        None => {
            sqlx::query("UPDATE notifications SET read_at = $1 WHERE user_id = $2 AND read_at IS NULL")
                .bind(now())
                .bind(user_id)
                .execute(db.writer())
                .await?
        }
    };
    Ok(done.rows_affected())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_round_trip_through_storage() {
        for kind in Kind::ALL {
            assert_eq!(Kind::from_stored(kind.as_str()), Some(kind));
        }
        assert_eq!(Kind::from_stored("nonsense"), None);
    }

    #[test]
    fn each_kind_is_mailed_under_exactly_one_mail_choice() {
        use crate::domain::notification_mail::MailKind;
        for kind in Kind::ALL {
            let under = MailKind::ALL
                .into_iter()
                .filter(|m| m.notification_kinds().contains(&kind.as_str()))
                .count();
            assert_eq!(under, 1, "{}", kind.as_str());
        }
    }
}
