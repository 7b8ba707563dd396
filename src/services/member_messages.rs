//! A staff member's private message to a member (from /admin/users/{id}): in-app as a moderation
//! notification, by mail when the forum has mail, and in the audit log.
use super::gate::WriteError;
use super::mail;
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::users::UserRecord;
use crate::db::{self};
use crate::domain::notification_mail::{Delivery, MailKind};

/// The longest message, in characters.
pub const MAX_CHARS: usize = 5000;

/// Sends `text` to `member`; returns whether it will be mailed too.
pub async fn send(
    app: &App,
    staff: &CurrentUser,
    member: &UserRecord,
    text: &str,
) -> Result<bool, WriteError> {
    let text = text.trim();
    let length = text.chars().count();
    if length == 0 || length > MAX_CHARS {
        return Err(WriteError::Invalid {
            field: "body",
            key: "modmsg.empty",
        });
    }
    db::notifications::notify(
        &app.db,
        member.id,
        db::notifications::Kind::Moderation,
        Some(staff.id),
        None,
        None,
        text,
    )
    .await?;
    let mut tx = app.db.begin_write().await?;
    db::mod_log::record(
        &mut tx,
        db::mod_log::NewAction {
            actor_id: staff.id,
            action: "message_user",
            target_kind: "user",
            target_id: Some(member.id),
            reason: "",
            detail: text,
        },
    )
    .await?;
    tx.commit().await?;
    // The mail goes out with the member's other moderator notifications, as they chose.
    if !mail::available(app) || member.deleted {
        return Ok(false);
    }
    let delivery =
        super::notification_mail::delivery_for(app, member.id, MailKind::Moderator).await?;
    super::notification_mail::queue_sweep(app).await?;
    Ok(delivery != Delivery::Never)
}
