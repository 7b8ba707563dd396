//! Accounts: creating one at sign-up (taking an invite's use on an invite-only forum and giving it
//! back when the sign-up fails), a new password (ending every other session) and the interface
//! language. Passwords are checked and hashed by the caller through `auth` (the hashing gate).
use super::gate::WriteError;
use crate::app::App;
use crate::auth::{invite, CurrentUser};
use crate::db;
use crate::db::users::{CreateUserError, NewUser};
use crate::domain::Registration;
use crate::i18n::Lang;

/// Why a sign-up was not stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SignUpRefusal {
    UsernameTaken,
    /// The address cannot be used (the caller answers without saying whether it exists).
    EmailUnusable,
    /// Invite-only, and the code is not (or no longer) usable.
    NeedsInvite,
}

/// Creates a member's account; returns its id.
pub async fn sign_up(
    app: &App,
    new: NewUser<'_>,
    invite_code: &str,
) -> Result<Result<i64, SignUpRefusal>, WriteError> {
    let taken_invite = match super::settings::load(&app.db).await?.registration {
        Registration::Invite => {
            match db::invites::take_use(&app.db, &invite::hash(invite_code)).await? {
                Some(id) => Some(id),
                None => return Ok(Err(SignUpRefusal::NeedsInvite)),
            }
        }
        _ => None,
    };
    let username = new.username.to_string();
    let created = db::users::create(&app.db, new).await;
    if let (Err(_), Some(invite_id)) = (&created, taken_invite) {
        db::invites::return_use(&app.db, invite_id).await?;
    }
    match created {
        Ok(id) => {
            let event = super::webhooks::Event::MemberRegistered {
                user_id: id,
                username,
            };
            super::webhooks::emit(app, event).await;
            Ok(Ok(id))
        }
        Err(CreateUserError::UsernameTaken) => Ok(Err(SignUpRefusal::UsernameTaken)),
        Err(CreateUserError::EmailTaken) => Ok(Err(SignUpRefusal::EmailUnusable)),
        Err(CreateUserError::Db(e)) => Err(e.into()),
    }
}

/// Stores a new password hash and ends every session of the account but `keep` (the one in use).
pub async fn set_password(
    app: &App,
    me: &CurrentUser,
    hash: &str,
    keep: Option<&str>,
) -> Result<(), WriteError> {
    db::users::set_password_hash(&app.db, me.id, hash).await?;
    db::sessions::delete_for_user(&app.db, me.id, keep).await?;
    Ok(())
}

/// The member's interface language.
pub async fn set_language(app: &App, me: &CurrentUser, lang: Lang) -> Result<(), WriteError> {
    db::users::set_locale(&app.db, me.id, Some(lang.code())).await?;
    Ok(())
}
