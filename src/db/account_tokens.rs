//! Mailed tokens (`account_tokens`): password reset, address verification, unsubscribe. Only the
//! SHA-256 of a token is stored; using one is a single statement, so it works once.
use super::{now, Db, DbError};

/// What a token is for (the `purpose` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    PasswordReset,
    VerifyEmail,
    Unsubscribe,
}

impl Purpose {
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::PasswordReset => "password_reset",
            Purpose::VerifyEmail => "verify_email",
            Purpose::Unsubscribe => "unsubscribe",
        }
    }
}

/// A token that may still be used.
#[derive(Debug, Clone)]
pub struct LiveToken {
    pub user_id: i64,
    pub detail: String,
}

pub async fn insert(
    db: &Db,
    token_hash: &str,
    user_id: i64,
    purpose: Purpose,
    detail: &str,
    expires_at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO account_tokens (token_hash, user_id, purpose, detail, created_at, expires_at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(token_hash)
    .bind(user_id)
    .bind(purpose.as_str())
    .bind(detail)
    .bind(now())
    .bind(expires_at)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The token, if it exists for `purpose`, is unused and has not expired (nothing changes).
pub async fn find_live(
    db: &Db,
    token_hash: &str,
    purpose: Purpose,
) -> Result<Option<LiveToken>, DbError> {
    let row: Option<(i64, String)> = sqlx::query_as(
        "SELECT user_id, detail FROM account_tokens \
         WHERE token_hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3",
    )
    .bind(token_hash)
    .bind(purpose.as_str())
    .bind(now())
    .fetch_optional(db.writer())
    .await?;
    Ok(row.map(|(user_id, detail)| LiveToken { user_id, detail }))
}

/// Uses the token: marks it used if it is live, in one statement, and returns it; `None` when it
/// is unknown, used already or expired.
pub async fn take(
    db: &Db,
    token_hash: &str,
    purpose: Purpose,
) -> Result<Option<LiveToken>, DbError> {
    let t = now();
    let row: Option<(i64, String)> = sqlx::query_as(
        "UPDATE account_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = $3 AND used_at IS NULL AND expires_at > $1 \
         RETURNING user_id, detail",
    )
    .bind(t)
    .bind(token_hash)
    .bind(purpose.as_str())
    .fetch_optional(db.writer())
    .await?;
    Ok(row.map(|(user_id, detail)| LiveToken { user_id, detail }))
}

/// Ends every unused token of `purpose` the member holds (a new password voids older reset links).
pub async fn revoke_for_user(db: &Db, user_id: i64, purpose: Purpose) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE account_tokens SET used_at = $1 \
         WHERE user_id = $2 AND purpose = $3 AND used_at IS NULL",
    )
    .bind(now())
    .bind(user_id)
    .bind(purpose.as_str())
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected())
}

/// Uses a password-reset token and sets the new hash in one transaction: the token and every other
/// reset link of the account are used up, every session (and half-finished two-factor log-in)
/// ends, and the audit log records it. Returns
/// the account, or `None` when the token is unknown, used or expired.
pub async fn reset_password(
    db: &Db,
    token_hash: &str,
    password_hash: &str,
) -> Result<Option<i64>, DbError> {
    let t = now();
    let mut tx = db.begin_write().await?;
    let user_id: Option<i64> = sqlx::query_scalar(
        "UPDATE account_tokens SET used_at = $1 \
         WHERE token_hash = $2 AND purpose = 'password_reset' AND used_at IS NULL \
           AND expires_at > $1 \
         RETURNING user_id",
    )
    .bind(t)
    .bind(token_hash)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(user_id) = user_id else {
        return Ok(None);
    };
    sqlx::query("UPDATE users SET password_hash = $1 WHERE id = $2")
        .bind(password_hash)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE account_tokens SET used_at = $1 \
         WHERE user_id = $2 AND purpose = 'password_reset' AND used_at IS NULL",
    )
    .bind(t)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    let sessions = sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
    // A half-finished log-in with the old password ends too.
    sqlx::query("DELETE FROM pending_logins WHERE user_id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("by a mailed link; {sessions} session(s) ended");
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: user_id,
            action: "password_reset",
            target_kind: "user",
            target_id: Some(user_id),
            reason: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(user_id))
}
