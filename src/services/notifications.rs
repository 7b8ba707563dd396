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

/// The one door notifications about watched activity (and badges) go through: stores them in one
/// transaction and returns their ids. Notification mail (the mail settings' issue) hooks in here:
/// whatever is delivered in-app is what a member may also be mailed about.
pub async fn deliver(
    app: &App,
    notices: Vec<db::notifications::NewNotification>,
) -> Result<Vec<i64>, WriteError> {
    if notices.is_empty() {
        return Ok(Vec::new());
    }
    let mut tx = app.db.begin_write().await?;
    let mut ids = Vec::with_capacity(notices.len());
    for notice in notices {
        ids.push(db::notifications::notify_in(&mut tx, notice).await?);
    }
    tx.commit().await?;
    Ok(ids)
}
