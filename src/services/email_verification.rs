//! Confirming a member's address by mail: a link (`/verify-email/{token}`, random 32 bytes, only the
//! SHA-256 stored, single use, 48 hours) to the address being confirmed. A new address becomes the
//! account's only when its link is followed; asking for the change also tells the old address.
//! With the admin setting "required", a member cannot post until the address is confirmed.
use super::account_settings::{self, EmailVerification};
use super::mail::{self, Recipient};
use super::write_error::WriteError;
use crate::app::App;
use crate::auth::session::{hash_id, random_token};
use crate::auth::CurrentUser;
use crate::db::account_tokens::Purpose;
use crate::db::users::UserRecord;
use crate::db::{self};
use crate::domain::Email;
use crate::mail::letters;

/// How long a confirmation link works.
pub const LINK_SECS: i64 = 48 * 3600;

/// Why an address change was not started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ChangeRefusal {
    /// Another account uses the address (answered as "cannot be used", as at sign-up).
    Unusable,
}

/// Mails a confirmation link for `address` (the current one, or the new one of a change).
pub async fn send_link(
    app: &App,
    user: &UserRecord,
    address: &str,
    origin: &str,
) -> Result<(), WriteError> {
    let token = random_token(32);
    db::account_tokens::insert(
        &app.db,
        &hash_id(&token),
        user.id,
        Purpose::VerifyEmail,
        address,
        db::now() + LINK_SECS,
    )
    .await?;
    let site = super::settings::load(&app.db).await?;
    let mut recipient = Recipient::member(user, site.default_language);
    recipient.address = address.to_string();
    let frame = mail::frame(app, &recipient, origin).await?;
    let url = format!("{}/verify-email/{token}", frame.site_url);
    mail::enqueue(
        app,
        &recipient,
        "verify_email",
        &letters::verify_email(&frame, address, &url),
    )
    .await?;
    Ok(())
}

/// After sign-up: the confirmation link, when the forum asks for one and can send mail.
pub async fn after_sign_up(app: &App, user: &UserRecord, origin: &str) -> Result<(), WriteError> {
    let mode = account_settings::load(&app.db).await?.email_verification;
    if mode == EmailVerification::Off || !mail::available(app) {
        return Ok(());
    }
    send_link(app, user, &user.email, origin).await
}

/// Follows a link: the address it was sent to becomes the account's, confirmed. `None` when the
/// link is unknown, used, expired, or the address was taken by another account meanwhile.
pub async fn confirm(app: &App, token: &str) -> Result<Option<i64>, WriteError> {
    let Some(live) =
        db::account_tokens::take(&app.db, &hash_id(token), Purpose::VerifyEmail).await?
    else {
        return Ok(None);
    };
    if !db::email_addresses::confirm(&app.db, live.user_id, &live.detail).await? {
        return Ok(None);
    }
    Ok(Some(live.user_id))
}

/// Starts a change of address: a link to the new one, a notice to the old one.
pub async fn request_change(
    app: &App,
    me: &CurrentUser,
    new: &Email,
    origin: &str,
) -> Result<Result<(), ChangeRefusal>, WriteError> {
    if !mail::available(app) {
        return Err(mail::unavailable());
    }
    if db::email_addresses::taken_by_other(&app.db, me.id, &new.key()).await? {
        return Ok(Err(ChangeRefusal::Unusable));
    }
    let Some(user) = db::users::by_id(&app.db, me.id).await? else {
        return Err(WriteError::Failed(crate::error::AppError::NotFound));
    };
    send_link(app, &user, new.as_str(), origin).await?;
    let site = super::settings::load(&app.db).await?;
    let recipient = Recipient::member(&user, site.default_language);
    let frame = mail::frame(app, &recipient, origin).await?;
    mail::enqueue(
        app,
        &recipient,
        "email_change_notice",
        &letters::email_change_notice(&frame, new.as_str()),
    )
    .await?;
    Ok(Ok(()))
}

/// The gate's check: with verification required, an unconfirmed member cannot post.
pub async fn refuse_if_unconfirmed(app: &App, user: &CurrentUser) -> Result<(), WriteError> {
    let mode = account_settings::load(&app.db).await?.email_verification;
    if mode != EmailVerification::Required
        || db::email_addresses::is_verified(&app.db, user.id).await?
    {
        return Ok(());
    }
    Err(WriteError::Invalid {
        field: "body",
        key: "verify.required",
    })
}
