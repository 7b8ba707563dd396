//! Queries over `sessions`. Only the SHA-256 of a session id is ever stored, so a leaked table cannot be
//! replayed as cookies.
use sqlx::Row;

use super::{Db, DbError};
use crate::domain::Role;

/// A live session joined with its (optional) user.
#[derive(Debug, Clone)]
pub struct SessionRecord {
    pub id_hash: String,
    pub csrf_token: String,
    pub created_at: i64,
    pub last_seen_at: i64,
    pub expires_at: i64,
    pub user: Option<SessionUser>,
}

#[derive(Debug, Clone)]
pub struct SessionUser {
    pub id: i64,
    pub username: String,
    pub role: Role,
    pub reputation: i64,
    pub trust_level: i64,
    pub locale: Option<String>,
    pub suspended_until: Option<i64>,
    pub deleted: bool,
}

pub async fn create(
    db: &Db,
    id_hash: &str,
    user_id: Option<i64>,
    csrf_token: &str,
    now: i64,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO sessions (id_hash, user_id, csrf_token, created_at, last_seen_at, expires_at) \
         VALUES ($1, $2, $3, $4, $4, $5)",
    )
    .bind(id_hash)
    .bind(user_id)
    .bind(csrf_token)
    .bind(now)
    .bind(expires_at)
    .execute(db.writer())
    .await?;
    Ok(())
}

pub async fn find(db: &Db, id_hash: &str) -> Result<Option<SessionRecord>, DbError> {
    let row = sqlx::query(
        "SELECT s.id_hash, s.csrf_token, s.created_at, s.last_seen_at, s.expires_at, s.user_id, \
                u.username, u.role, u.reputation, u.trust_level, u.locale, u.suspended_until, u.deleted_at \
         FROM sessions s LEFT JOIN users u ON u.id = s.user_id WHERE s.id_hash = $1",
    )
    .bind(id_hash)
    .fetch_optional(db.reader())
    .await?;
    let Some(row) = row else { return Ok(None) };
    let user = match row.try_get::<Option<i64>, _>("user_id")? {
        Some(id) => Some(SessionUser {
            id,
            username: row.try_get("username")?,
            role: Role::from_stored(&row.try_get::<String, _>("role")?),
            reputation: row.try_get("reputation")?,
            trust_level: row.try_get("trust_level")?,
            locale: row.try_get("locale")?,
            suspended_until: row.try_get("suspended_until")?,
            deleted: row.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
        }),
        None => None,
    };
    Ok(Some(SessionRecord {
        id_hash: row.try_get("id_hash")?,
        csrf_token: row.try_get("csrf_token")?,
        created_at: row.try_get("created_at")?,
        last_seen_at: row.try_get("last_seen_at")?,
        expires_at: row.try_get("expires_at")?,
        user,
    }))
}

pub async fn touch(db: &Db, id_hash: &str, now: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE sessions SET last_seen_at = $1 WHERE id_hash = $2")
        .bind(now)
        .bind(id_hash)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn delete(db: &Db, id_hash: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM sessions WHERE id_hash = $1")
        .bind(id_hash)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Ends every session of a user except, optionally, the one in use (after a password change).
pub async fn delete_for_user(db: &Db, user_id: i64, keep: Option<&str>) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// Removes sessions past their absolute expiry or idle for longer than `idle_secs`.
pub async fn delete_expired(db: &Db, now: i64, idle_secs: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at <= $2")
        .bind(now)
        .bind(now - idle_secs)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}
