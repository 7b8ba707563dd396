//! Queries for trust levels: days visited and posts read (recorded once each), the activity counts a
//! level is computed from, the thresholds in site settings, and setting a level (automatically, or by
//! staff with an audit row).
use sqlx::Row;

use super::mod_log::{self, NewAction};
use super::{now, Db, DbError};
use crate::domain::trust::{Activity, Thresholds};

/// Records that the user visited on `day` (days since the Unix epoch); true if this is news.
pub async fn record_visit(db: &Db, user_id: i64, day: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "INSERT INTO user_visits (user_id, day) VALUES ($1, $2) ON CONFLICT (user_id, day) DO NOTHING",
    )
    .bind(user_id)
    .bind(day)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// Records that the user read a post; true the first time.
pub async fn record_read(db: &Db, user_id: i64, post_id: i64) -> Result<bool, DbError> {
    // A read already recorded (every visit after the first) costs a key lookup on a reader, not a
    // turn of the single writer: members reading a busy topic do not queue behind each other.
    let known: Option<i64> =
        sqlx::query_scalar("SELECT 1 FROM post_reads WHERE user_id = $1 AND post_id = $2")
            .bind(user_id)
            .bind(post_id)
            .fetch_optional(db.reader())
            .await?;
    if known.is_some() {
        return Ok(false);
    }
    let done = sqlx::query(
        "INSERT INTO post_reads (user_id, post_id, at) VALUES ($1, $2, $3) \
         ON CONFLICT (user_id, post_id) DO NOTHING",
    )
    .bind(user_id)
    .bind(post_id)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() > 0)
}

/// The counts a trust level is computed from, each up to `most` (see
/// [`Thresholds::counts_that_matter`]): a count stops there, so a member with 300,000 posts is
/// recounted as fast as one with 30. The likes are counted from the member's posts (`CROSS JOIN`
/// keeps that order on SQLite, which plans without statistics and would otherwise read every vote
/// on a post and look its author up: 9.7 s against 0.34 s for such a member at a million
/// questions, uncapped).
pub async fn activity(db: &Db, user_id: i64, most: &Activity) -> Result<Activity, DbError> {
    let row = sqlx::query(
        "SELECT \
           (SELECT COUNT(*) FROM (SELECT 1 FROM user_visits WHERE user_id = $1 LIMIT $2) x) \
              AS days_visited, \
           (SELECT COUNT(*) FROM (SELECT 1 FROM post_reads WHERE user_id = $1 LIMIT $3) x) \
              AS posts_read, \
           (SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE author_id = $1 \
              AND status = 'published' AND kind IN ('article', 'question', 'answer') LIMIT $4) x) \
              AS posts_made, \
           (SELECT COUNT(*) FROM (SELECT 1 FROM posts p CROSS JOIN votes v \
              WHERE v.target_id = p.id AND v.target_kind IN ('article', 'question', 'answer') \
              AND v.value = 1 AND p.author_id = $1 LIMIT $5) x) AS likes_received, \
           (SELECT COUNT(*) FROM (SELECT 1 FROM flags f \
              WHERE (f.status = 'open' OR f.resolution <> 'dismissed') AND ( \
              (f.target_kind = 'post' AND f.target_id IN (SELECT id FROM posts WHERE author_id = $1)) \
              OR (f.target_kind = 'comment' AND f.target_id IN \
                  (SELECT id FROM comments WHERE author_id = $1))) LIMIT $6) x) AS flags_against",
    )
    .bind(user_id)
    .bind(most.days_visited)
    .bind(most.posts_read)
    .bind(most.posts_made)
    .bind(most.likes_received)
    .bind(most.flags_against)
    .fetch_one(db.reader())
    .await?;
    Ok(Activity {
        days_visited: row.try_get("days_visited")?,
        posts_read: row.try_get("posts_read")?,
        posts_made: row.try_get("posts_made")?,
        likes_received: row.try_get("likes_received")?,
        flags_against: row.try_get("flags_against")?,
    })
}

/// The thresholds in site settings (`trust.tlN.field`) over the defaults.
pub async fn thresholds(db: &Db) -> Result<Thresholds, DbError> {
    let rows: Vec<(String, String)> =
        sqlx::query_as("SELECT key, value FROM site_settings WHERE key LIKE 'trust.tl%'")
            .fetch_all(db.reader())
            .await?;
    Ok(Thresholds::from_settings(
        rows.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ))
}

/// The user's level and whether staff locked it (`None` for an unknown or bot user).
pub async fn level(db: &Db, user_id: i64) -> Result<Option<(i64, bool)>, DbError> {
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT trust_level, trust_level_locked FROM users WHERE id = $1 AND is_bot = 0",
    )
    .bind(user_id)
    .fetch_optional(db.reader())
    .await?;
    Ok(row.map(|(level, locked)| (level, locked != 0)))
}

/// A level change the activity caused (logged without an actor).
pub async fn set_level_automatically(
    db: &Db,
    user_id: i64,
    from: i64,
    to: i64,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET trust_level = $1 WHERE id = $2 AND trust_level_locked = 0")
        .bind(to)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    mod_log::record_automatic(
        &mut tx,
        "trust_level",
        "user",
        Some(user_id),
        "activity",
        &format!("{from} -> {to}"),
    )
    .await?;
    tx.commit().await
}

/// Staff set (and lock or unlock) a member's level.
pub async fn set_level_by(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    level: i64,
    locked: bool,
    reason: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET trust_level = $1, trust_level_locked = $2 WHERE id = $3")
        .bind(level)
        .bind(i64::from(locked))
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("{level}{}", if locked { " (locked)" } else { "" });
    mod_log::record(
        &mut tx,
        NewAction {
            actor_id,
            action: "set_trust_level",
            target_kind: "user",
            target_id: Some(user_id),
            reason,
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await
}
