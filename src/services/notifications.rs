//! A member's notifications: marking one or all read.
use super::gate::WriteError;
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db;

/// Marks one notification (or all of them with `None`) read; returns the unread count left.
pub async fn mark_read(app: &App, me: &CurrentUser, id: Option<i64>) -> Result<i64, WriteError> {
    db::notifications::mark_read(&app.db, me.id, id).await?;
    Ok(db::notifications::unread_count(&app.db, me.id).await?)
}
