//! Invite links for invite-only sign-up: stored as hashes, used up atomically.
use sqlx::Row;

use super::{now, Db, DbError};

#[derive(Debug, Clone)]
pub struct InviteRecord {
    pub id: i64,
    pub created_by: String,
    pub note: String,
    pub max_uses: i64,
    pub uses: i64,
    pub expires_at: i64,
    pub revoked_at: Option<i64>,
    pub created_at: i64,
}

/// Stores a new invite and its audit row together.
pub async fn create(
    db: &Db,
    created_by: i64,
    code_hash: &str,
    max_uses: i64,
    expires_at: i64,
    note: &str,
) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO invites (code_hash, created_by, note, max_uses, expires_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING id",
    )
    .bind(code_hash)
    .bind(created_by)
    .bind(note)
    .bind(max_uses)
    .bind(expires_at)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let detail = format!("{max_uses} use(s), {note}");
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: created_by,
            action: "create_invite",
            target_kind: "invite",
            target_id: Some(id),
            reason: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

pub async fn recent(db: &Db, limit: i64) -> Result<Vec<InviteRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT i.id, u.username, i.note, i.max_uses, i.uses, i.expires_at, i.revoked_at, i.created_at \
         FROM invites i JOIN users u ON u.id = i.created_by ORDER BY i.created_at DESC, i.id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(InviteRecord {
                id: r.try_get("id")?,
                created_by: r.try_get("username")?,
                note: r.try_get("note")?,
                max_uses: r.try_get("max_uses")?,
                uses: r.try_get("uses")?,
                expires_at: r.try_get("expires_at")?,
                revoked_at: r.try_get("revoked_at")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Whether the code may be used now (shown before the form is filled in).
pub async fn is_usable(db: &Db, code_hash: &str) -> Result<bool, DbError> {
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM invites WHERE code_hash = $1 AND uses < max_uses AND expires_at > $2 \
         AND revoked_at IS NULL",
    )
    .bind(code_hash)
    .bind(now())
    .fetch_optional(db.reader())
    .await?;
    Ok(found.is_some())
}

/// Takes one use of the invite if it has one left; returns its id. One statement, so two sign-ups
/// racing for the last use cannot both get it.
pub async fn take_use(db: &Db, code_hash: &str) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar(
        "UPDATE invites SET uses = uses + 1 WHERE code_hash = $1 AND uses < max_uses \
         AND expires_at > $2 AND revoked_at IS NULL RETURNING id",
    )
    .bind(code_hash)
    .bind(now())
    .fetch_optional(db.writer())
    .await
}

/// Gives a use back (the sign-up that took it failed).
pub async fn return_use(db: &Db, id: i64) -> Result<(), DbError> {
    sqlx::query("UPDATE invites SET uses = uses - 1 WHERE id = $1 AND uses > 0")
        .bind(id)
        .execute(db.writer())
        .await?;
    Ok(())
}

pub async fn revoke(db: &Db, id: i64, by: i64) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let done =
        sqlx::query("UPDATE invites SET revoked_at = $2 WHERE id = $1 AND revoked_at IS NULL")
            .bind(id)
            .bind(now())
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 1 {
        super::mod_log::record(
            &mut tx,
            super::mod_log::NewAction {
                actor_id: by,
                action: "revoke_invite",
                target_kind: "invite",
                target_id: Some(id),
                reason: "",
                detail: "",
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(done.rows_affected() == 1)
}
