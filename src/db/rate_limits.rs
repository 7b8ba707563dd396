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
