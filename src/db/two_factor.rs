//! The second factor's tables: the TOTP secret per member (`two_factor`), single-use recovery codes
//! (`recovery_codes`, hashed) and the half-logged-in state between password and code
//! (`pending_logins`).
use sqlx::Row;

use super::{now, Db, DbError};

#[derive(Debug, Clone)]
pub struct TwoFactorRecord {
    /// Base32 (RFC 4648, no padding).
    pub secret: String,
    /// `None` while the member is still setting it up.
    pub enabled_at: Option<i64>,
    /// The last time step a code was accepted for.
    pub last_step: i64,
}

pub async fn by_user(db: &Db, user_id: i64) -> Result<Option<TwoFactorRecord>, DbError> {
    let row =
        sqlx::query("SELECT secret, enabled_at, last_step FROM two_factor WHERE user_id = $1")
            .bind(user_id)
            .fetch_optional(db.writer())
            .await?;
    row.map(|r| {
        Ok(TwoFactorRecord {
            secret: r.try_get("secret")?,
            enabled_at: r.try_get("enabled_at")?,
            last_step: r.try_get("last_step")?,
        })
    })
    .transpose()
}

/// Whether the member has the second factor on.
pub async fn is_enabled(db: &Db, user_id: i64) -> Result<bool, DbError> {
    let on: Option<i64> = sqlx::query_scalar(
        "SELECT user_id FROM two_factor WHERE user_id = $1 AND enabled_at IS NOT NULL",
    )
    .bind(user_id)
    .fetch_optional(db.reader())
    .await?;
    Ok(on.is_some())
}

/// Stores a secret being set up; an enabled one is never replaced.
pub async fn start_setup(db: &Db, user_id: i64, secret: &str) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO two_factor (user_id, secret) VALUES ($1, $2) \
         ON CONFLICT (user_id) DO UPDATE SET secret = excluded.secret \
         WHERE two_factor.enabled_at IS NULL",
    )
    .bind(user_id)
    .bind(secret)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Turns the factor on with its first accepted step and the recovery codes' hashes, in one
/// transaction. Returns false when it was on already.
pub async fn enable(
    db: &Db,
    user_id: i64,
    step: i64,
    recovery_hashes: &[String],
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE two_factor SET enabled_at = $1, last_step = $2 \
         WHERE user_id = $3 AND enabled_at IS NULL",
    )
    .bind(now())
    .bind(step)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() != 1 {
        return Ok(false);
    }
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    for hash in recovery_hashes {
        sqlx::query("INSERT INTO recovery_codes (user_id, code_hash) VALUES ($1, $2)")
            .bind(user_id)
            .bind(hash)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// Accepts a code's time step once: later than the last accepted one. Returns whether it did.
pub async fn accept_step(db: &Db, user_id: i64, step: i64) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE two_factor SET last_step = $1 \
         WHERE user_id = $2 AND enabled_at IS NOT NULL AND last_step < $1",
    )
    .bind(step)
    .bind(user_id)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Uses a recovery code (by hash) once. Returns whether it was an unused code of this member.
pub async fn use_recovery_code(db: &Db, user_id: i64, code_hash: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE recovery_codes SET used_at = $1 \
         WHERE user_id = $2 AND code_hash = $3 AND used_at IS NULL",
    )
    .bind(now())
    .bind(user_id)
    .bind(code_hash)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn recovery_codes_left(db: &Db, user_id: i64) -> Result<i64, DbError> {
    sqlx::query_scalar("SELECT COUNT(*) FROM recovery_codes WHERE user_id = $1 AND used_at IS NULL")
        .bind(user_id)
        .fetch_one(db.reader())
        .await
}

/// Turns the factor off: the secret and the recovery codes go.
pub async fn disable(db: &Db, user_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM recovery_codes WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("DELETE FROM two_factor WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await
}

/// Records that the (anonymous) session `session_hash` passed the password of `user_id`.
pub async fn start_pending_login(
    db: &Db,
    session_hash: &str,
    user_id: i64,
    next_path: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO pending_logins (session_hash, user_id, next_path, expires_at) \
         VALUES ($1, $2, $3, $4) \
         ON CONFLICT (session_hash) DO UPDATE SET user_id = excluded.user_id, \
            next_path = excluded.next_path, expires_at = excluded.expires_at",
    )
    .bind(session_hash)
    .bind(user_id)
    .bind(next_path)
    .bind(expires_at)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The member and the page to go to after the code, while the half-logged-in state lasts.
pub async fn pending_login(db: &Db, session_hash: &str) -> Result<Option<(i64, String)>, DbError> {
    sqlx::query_as(
        "SELECT user_id, next_path FROM pending_logins WHERE session_hash = $1 AND expires_at > $2",
    )
    .bind(session_hash)
    .bind(now())
    .fetch_optional(db.writer())
    .await
}

pub async fn end_pending_login(db: &Db, session_hash: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM pending_logins WHERE session_hash = $1")
        .bind(session_hash)
        .execute(db.writer())
        .await?;
    Ok(())
}
