//! Invitations for an invite-only forum: admins create single- or multi-use links and revoke them
//! (audited). Only a code's hash is stored; the code itself is shown once.
use super::gate::WriteError;
use crate::app::App;
use crate::auth::{invite, CurrentUser};
use crate::db;

/// Creates an invite and returns its code (shown to the admin once, never stored).
pub async fn create(
    app: &App,
    admin: &CurrentUser,
    max_uses: i64,
    days_valid: i64,
    note: &str,
) -> Result<String, WriteError> {
    let code = invite::new_code();
    let note: String = note.trim().chars().take(200).collect();
    db::invites::create(
        &app.db,
        admin.id,
        &invite::hash(&code),
        max_uses,
        db::now() + days_valid * 86_400,
        &note,
    )
    .await?;
    Ok(code)
}

/// Revokes an invite; `false` when it was revoked already or does not exist.
pub async fn revoke(app: &App, admin: &CurrentUser, id: i64) -> Result<bool, WriteError> {
    Ok(db::invites::revoke(&app.db, id, admin.id).await?)
}
