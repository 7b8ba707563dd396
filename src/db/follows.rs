//! Queries over `follows`: a member watching or muting a tag, watching a topic, and the fan-out that
//! finds who watches what a new answer, comment or topic belongs to.
use super::{now, Db, DbError};

/// What a follow points at, as stored in `follows.target_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    Tag(i64),
    /// A question or article.
    Post(i64),
}

impl Target {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Target::Tag(id) => ("tag", id),
            Target::Post(id) => ("post", id),
        }
    }
}

/// A stored follow level; "normal" is the absence of a row.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Watch,
    Mute,
}

impl Level {
    pub fn as_str(self) -> &'static str {
        match self {
            Level::Watch => "watch",
            Level::Mute => "mute",
        }
    }

    pub fn from_stored(text: &str) -> Option<Level> {
        match text {
            "watch" => Some(Level::Watch),
            "mute" => Some(Level::Mute),
            _ => None,
        }
    }
}

/// At most this many watchers are told about one event (a topic watched by a crowd is not a
/// broadcast channel; the newest watchers past it are skipped).
pub const MAX_FANOUT: i64 = 1000;

/// Sets the member's level for a target (`None` = normal: the row goes).
pub async fn set(
    db: &Db,
    user_id: i64,
    target: Target,
    level: Option<Level>,
) -> Result<(), DbError> {
    let (kind, id) = target.parts();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3")
        .bind(user_id)
        .bind(kind)
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if let Some(level) = level {
        sqlx::query(
            "INSERT INTO follows (user_id, target_kind, target_id, level, created_at) \
             VALUES ($1, $2, $3, $4, $5)",
        )
        .bind(user_id)
        .bind(kind)
        .bind(id)
        .bind(level.as_str())
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(())
}

/// The member's level for a target, `None` for normal.
pub async fn level_of(db: &Db, user_id: i64, target: Target) -> Result<Option<Level>, DbError> {
    let (kind, id) = target.parts();
    let level: Option<String> = sqlx::query_scalar(
        "SELECT level FROM follows WHERE user_id = $1 AND target_kind = $2 AND target_id = $3",
    )
    .bind(user_id)
    .bind(kind)
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    Ok(level.as_deref().and_then(Level::from_stored))
}

/// Who watches the topic `post_id`, except `actor_id`.
pub async fn topic_watchers(db: &Db, post_id: i64, actor_id: i64) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar(
        "SELECT user_id FROM follows \
         WHERE target_kind = 'post' AND target_id = $1 AND level = 'watch' AND user_id <> $2 \
         ORDER BY user_id LIMIT $3",
    )
    .bind(post_id)
    .bind(actor_id)
    .bind(MAX_FANOUT)
    .fetch_all(db.reader())
    .await
}

/// Who watches any of the tags of the topic `post_id` and mutes none of them, except `actor_id`.
pub async fn tag_watchers(db: &Db, post_id: i64, actor_id: i64) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar(
        "SELECT DISTINCT f.user_id FROM post_tags pt \
         JOIN follows f ON f.target_kind = 'tag' AND f.target_id = pt.tag_id AND f.level = 'watch' \
         WHERE pt.post_id = $1 AND f.user_id <> $2 \
           AND NOT EXISTS (SELECT 1 FROM post_tags mt JOIN follows mf \
                ON mf.user_id = f.user_id AND mf.target_kind = 'tag' AND mf.target_id = mt.tag_id \
               WHERE mt.post_id = $1 AND mf.level = 'mute') \
         ORDER BY f.user_id LIMIT $3",
    )
    .bind(post_id)
    .bind(actor_id)
    .bind(MAX_FANOUT)
    .fetch_all(db.reader())
    .await
}

/// The condition a list adds to leave out posts carrying a tag the member `$n` muted: one probe of
/// `post_tags`' primary key per post and of `follows`' primary key per tag.
pub fn muted_clause(param: usize) -> String {
    format!(
        "NOT EXISTS (SELECT 1 FROM post_tags mt JOIN follows mf \
         ON mf.user_id = ${param} AND mf.target_kind = 'tag' AND mf.target_id = mt.tag_id \
         WHERE mt.post_id = p.id AND mf.level = 'mute')"
    )
}
