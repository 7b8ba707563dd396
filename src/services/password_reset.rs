//! Password reset by mail: asking for a link answers the same whether or not the account exists (an
//! unknown login, or an account past its budget, simply gets no mail), the link carries a random
//! 32-byte token of which only the SHA-256 is stored, it works once and for an hour, and using it
//! sets the password, ends every session of the account, is audited and mails a notice.
use std::time::Duration;

use super::gate::WriteError;
use super::mail::{self, Recipient};
use crate::app::App;
use crate::auth::rate_limit::{self, Budget};
use crate::auth::session::{hash_id, random_token};
use crate::db::account_tokens::Purpose;
use crate::db::users::UserRecord;
use crate::db::{self};
use crate::error::AppError;
use crate::mail::letters;

/// How long a reset link works.
pub const LINK_LIFETIME_SECS: i64 = 3600;
/// Reset requests per address (IPv6 per /64) per hour: past it, 429.
pub const REQUESTS_PER_ADDRESS: u32 = 10;
/// Reset mails per account per hour: past it, no more mail (and no different answer).
pub const MAILS_PER_ACCOUNT: u32 = 3;
const WINDOW: Duration = Duration::from_secs(3600);

/// Mails a reset link to the account `login` (username or email) names, if any. `origin` is the
/// address the link starts with when `AGORA_PUBLIC_URL` is unset.
pub async fn request(app: &App, login: &str, ip: &str, origin: &str) -> Result<(), WriteError> {
    if !mail::available(app) {
        return Err(mail::unavailable());
    }
    let ip_bucket = format!("reset:ip:{}", rate_limit::address_key(ip));
    rate_limit::take(
        &app.db,
        &Budget {
            bucket: &ip_bucket,
            limit: REQUESTS_PER_ADDRESS,
            window: WINDOW,
        },
    )
    .await?;
    let Some(user) = db::users::by_login(&app.db, login).await? else {
        return Ok(());
    };
    let account_bucket = format!("reset:user:{}", user.id);
    let within = rate_limit::take(
        &app.db,
        &Budget {
            bucket: &account_bucket,
            limit: MAILS_PER_ACCOUNT,
            window: WINDOW,
        },
    )
    .await;
    match within {
        Ok(()) => {}
        Err(AppError::RateLimited { .. }) => return Ok(()),
        Err(e) => return Err(e.into()),
    }
    let token = random_token(32);
    db::account_tokens::insert(
        &app.db,
        &hash_id(&token),
        user.id,
        Purpose::PasswordReset,
        "",
        db::now() + LINK_LIFETIME_SECS,
    )
    .await?;
    let site = super::settings::load(&app.db).await?;
    let recipient = Recipient::member(&user, site.default_language);
    let frame = mail::frame(app, &recipient, origin).await?;
    let url = format!(
        "{}{}",
        frame.site_url,
        crate::domain::paths::password_reset_url(&token)
    );
    mail::enqueue(
        app,
        &recipient,
        "password_reset",
        &letters::password_reset(&frame, &url),
    )
    .await?;
    Ok(())
}

/// The account a reset token opens, while it is live (nothing is used up).
pub async fn account_for(app: &App, token: &str) -> Result<Option<UserRecord>, WriteError> {
    let Some(live) =
        db::account_tokens::find_live(&app.db, &hash_id(token), Purpose::PasswordReset).await?
    else {
        return Ok(None);
    };
    Ok(db::users::by_id(&app.db, live.user_id)
        .await?
        .filter(|u| !u.deleted))
}

/// Uses the token to set `password_hash`; `None` when the link is no longer valid.
pub async fn complete(
    app: &App,
    token: &str,
    password_hash: &str,
    origin: &str,
) -> Result<Option<i64>, WriteError> {
    let Some(user_id) =
        db::account_tokens::reset_password(&app.db, &hash_id(token), password_hash).await?
    else {
        return Ok(None);
    };
    if let Some(user) = db::users::by_id(&app.db, user_id).await? {
        let site = super::settings::load(&app.db).await?;
        let recipient = Recipient::member(&user, site.default_language);
        let frame = mail::frame(app, &recipient, origin).await?;
        mail::enqueue(
            app,
            &recipient,
            "password_changed",
            &letters::password_changed(&frame),
        )
        .await?;
    }
    Ok(Some(user_id))
}
