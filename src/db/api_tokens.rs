//! Personal access tokens: stored as SHA-256 hashes, looked up by hash with their member, revoked in
//! place (the row stays for the audit trail). Creating and revoking are audited.
use sqlx::Row;

use super::{now, Db, DbError};
use crate::domain::Role;

/// A token as its owner's settings page lists it (never the token itself).
#[derive(Debug, Clone)]
pub struct TokenRecord {
    pub id: i64,
    pub user_id: i64,
    pub name: String,
    pub scope: String,
    pub created_at: i64,
    pub last_used_at: Option<i64>,
    pub revoked_at: Option<i64>,
}

/// A live token's member, as the API authenticates it.
#[derive(Debug, Clone)]
pub struct TokenOwner {
    pub token_id: i64,
    pub scope: String,
    pub last_used_at: Option<i64>,
    pub user_id: i64,
    pub username: String,
    pub role: Role,
    pub reputation: i64,
    pub trust_level: i64,
    pub locale: Option<String>,
    pub suspended_until: Option<i64>,
    pub deleted: bool,
}

/// Stores a new token hash and its audit row together.
pub async fn create(
    db: &Db,
    user_id: i64,
    name: &str,
    scope: &str,
    token_hash: &str,
) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO api_tokens (user_id, name, scope, token_hash, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(scope)
    .bind(token_hash)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let detail = format!("{name} ({scope})");
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: user_id,
            action: "create_api_token",
            target_kind: "api_token",
            target_id: Some(id),
            reason: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// A member's tokens, newest first.
pub async fn of_user(db: &Db, user_id: i64) -> Result<Vec<TokenRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT id, user_id, name, scope, created_at, last_used_at, revoked_at FROM api_tokens \
         WHERE user_id = $1 ORDER BY created_at DESC, id DESC",
    )
    .bind(user_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(TokenRecord {
                id: r.try_get("id")?,
                user_id: r.try_get("user_id")?,
                name: r.try_get("name")?,
                scope: r.try_get("scope")?,
                created_at: r.try_get("created_at")?,
                last_used_at: r.try_get("last_used_at")?,
                revoked_at: r.try_get("revoked_at")?,
            })
        })
        .collect()
}

/// How many live tokens a member holds.
pub async fn live_count(db: &Db, user_id: i64) -> Result<i64, DbError> {
    sqlx::query("SELECT COUNT(*) AS n FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL")
        .bind(user_id)
        .fetch_one(db.reader())
        .await?
        .try_get("n")
}

/// The live (not revoked) token with this hash, with its member.
pub async fn owner_by_hash(db: &Db, token_hash: &str) -> Result<Option<TokenOwner>, DbError> {
    let row = sqlx::query(
        "SELECT t.id AS token_id, t.scope, t.last_used_at, u.id AS user_id, u.username, u.role, \
                u.reputation, u.trust_level, u.locale, u.suspended_until, u.deleted_at \
         FROM api_tokens t JOIN users u ON u.id = t.user_id \
         WHERE t.token_hash = $1 AND t.revoked_at IS NULL",
    )
    .bind(token_hash)
    .fetch_optional(db.reader())
    .await?;
    let Some(r) = row else { return Ok(None) };
    Ok(Some(TokenOwner {
        token_id: r.try_get("token_id")?,
        scope: r.try_get("scope")?,
        last_used_at: r.try_get("last_used_at")?,
        user_id: r.try_get("user_id")?,
        username: r.try_get("username")?,
        role: Role::from_stored(&r.try_get::<String, _>("role")?),
        reputation: r.try_get("reputation")?,
        trust_level: r.try_get("trust_level")?,
        locale: r.try_get("locale")?,
        suspended_until: r.try_get("suspended_until")?,
        deleted: r.try_get::<Option<i64>, _>("deleted_at")?.is_some(),
    }))
}

/// Records that a token was used just now.
pub async fn touch(db: &Db, token_id: i64, at: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(at)
        .bind(token_id)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// Revokes one of `user_id`'s live tokens (audited); `false` when there is no such live token.
pub async fn revoke(db: &Db, user_id: i64, token_id: i64) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now())
    .bind(token_id)
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: user_id,
            action: "revoke_api_token",
            target_kind: "api_token",
            target_id: Some(token_id),
            reason: "",
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
