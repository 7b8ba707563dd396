//! Site settings editable at run time (key/value), read with defaults.
use super::{Db, DbError};

pub async fn get(db: &Db, key: &str) -> Result<Option<String>, DbError> {
    sqlx::query_scalar("SELECT value FROM site_settings WHERE key = $1")
        .bind(key)
        .fetch_optional(db.reader())
        .await
}

pub async fn set(db: &Db, key: &str, value: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO site_settings (key, value) VALUES ($1, $2) \
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
    )
    .bind(key)
    .bind(value)
    .execute(db.writer())
    .await?;
    Ok(())
}
