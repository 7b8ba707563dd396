//! Sliding-window counters kept in the database, so every app instance sees the same count.
use super::{Db, DbError};

/// Hits recorded in `bucket` since `since`, and the oldest of them (to tell the user when to retry).
pub async fn hits_since(db: &Db, bucket: &str, since: i64) -> Result<(i64, Option<i64>), DbError> {
    sqlx::query_as("SELECT COUNT(*), MIN(at) FROM rate_limit_hits WHERE bucket = $1 AND at > $2")
        .bind(bucket)
        .bind(since)
        .fetch_one(db.reader())
        .await
}

pub async fn record(db: &Db, bucket: &str, at: i64) -> Result<(), DbError> {
    sqlx::query("INSERT INTO rate_limit_hits (bucket, at) VALUES ($1, $2)")
        .bind(bucket)
        .bind(at)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn clear(db: &Db, bucket: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM rate_limit_hits WHERE bucket = $1")
        .bind(bucket)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn delete_older_than(db: &Db, before: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM rate_limit_hits WHERE at <= $1")
        .bind(before)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// Counts one attempt in `bucket` and returns the attempts in its current window and when that
/// window started. One statement: parallel requests each get their own number, so exactly `limit`
/// of a burst see a count within the limit. A window that started at or before `expired_before`
/// starts again at this attempt.
pub async fn count_attempt(
    db: &Db,
    bucket: &str,
    now: i64,
    expired_before: i64,
) -> Result<(i64, i64), DbError> {
    sqlx::query_as(
        "INSERT INTO attempt_counters (bucket, window_start, hits) VALUES ($1, $2, 1) \
         ON CONFLICT (bucket) DO UPDATE SET \
         hits = CASE WHEN attempt_counters.window_start <= $3 THEN 1 \
                ELSE attempt_counters.hits + 1 END, \
         window_start = CASE WHEN attempt_counters.window_start <= $3 THEN $2 \
                ELSE attempt_counters.window_start END \
         RETURNING hits, window_start",
    )
    .bind(bucket)
    .bind(now)
    .bind(expired_before)
    .fetch_one(db.writer())
    .await
}

/// Takes back one counted attempt (one that turned out to be a success).
pub async fn uncount_attempt(db: &Db, bucket: &str) -> Result<(), DbError> {
    sqlx::query("UPDATE attempt_counters SET hits = hits - 1 WHERE bucket = $1 AND hits > 0")
        .bind(bucket)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn clear_attempts(db: &Db, bucket: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM attempt_counters WHERE bucket = $1")
        .bind(bucket)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn delete_attempts_older_than(db: &Db, before: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM attempt_counters WHERE window_start <= $1")
        .bind(before)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}
