//! A member's address and whether a mailed link confirmed it (`users.email_verified_at`).
use super::{now, Db, DbError};

pub async fn is_verified(db: &Db, user_id: i64) -> Result<bool, DbError> {
    let at: Option<Option<i64>> =
        sqlx::query_scalar("SELECT email_verified_at FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(db.reader())
            .await?;
    Ok(at.flatten().is_some())
}

/// Whether another account uses `email_key` (the lower-cased address).
pub async fn taken_by_other(db: &Db, user_id: i64, email_key: &str) -> Result<bool, DbError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM users WHERE email_key = $1 AND id <> $2")
            .bind(email_key)
            .bind(user_id)
            .fetch_optional(db.reader())
            .await?;
    Ok(found.is_some())
}

/// Makes `address` the member's confirmed address. Returns false when another account took it in
/// the meantime.
pub async fn confirm(db: &Db, user_id: i64, address: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE users SET email = $1, email_key = $2, email_verified_at = $3 WHERE id = $4",
    )
    .bind(address)
    .bind(address.to_lowercase())
    .bind(now())
    .bind(user_id)
    .execute(db.writer())
    .await;
    match done {
        Ok(done) => Ok(done.rows_affected() == 1),
        Err(DbError::Database(e)) if e.is_unique_violation() => Ok(false),
        Err(e) => Err(e),
    }
}
