//! The second factor (TOTP) end to end: setting it up (a secret shown as text and QR code), turning it
//! on with a current code (ten recovery codes shown once, hashed at rest), checking a code at log-in
//! (each time step accepted once; attempts counted per account), and turning it off with the
//! password and a code. A refusal never says which of the two was wrong.
use super::gate::WriteError;
use crate::app::App;
use crate::auth::rate_limit::{self, Budget};
use crate::auth::second_factor as totp;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;

/// How long the half-logged-in state (password right, code not yet given) lasts.
pub const PENDING_LOGIN_SECS: i64 = 300;

/// What the settings page shows while the factor is being set up.
#[derive(Debug, Clone)]
pub struct Setup {
    pub secret: String,
    pub otpauth_url: String,
    /// An SVG data URL of the QR code.
    pub qr: String,
}

/// The member's pending secret (a new one if there is none), ready to scan.
pub async fn setup(app: &App, me: &CurrentUser) -> Result<Setup, WriteError> {
    let secret = match db::two_factor::by_user(&app.db, me.id).await? {
        Some(record) if record.enabled_at.is_none() => record.secret,
        _ => {
            let secret = totp::new_secret();
            db::two_factor::start_setup(&app.db, me.id, &secret).await?;
            secret
        }
    };
    let site = super::settings::load(&app.db).await?;
    let otpauth_url = totp::otpauth_url(&secret, &site.site_name, &me.username);
    let qr = totp::qr_data_url(&otpauth_url).unwrap_or_default();
    Ok(Setup {
        secret,
        otpauth_url,
        qr,
    })
}

/// Turns the factor on if `code` is current for the pending secret; returns the recovery codes to
/// show once, or `None` for a wrong code.
pub async fn enable(
    app: &App,
    me: &CurrentUser,
    code: &str,
) -> Result<Option<Vec<String>>, WriteError> {
    let Some(record) = db::two_factor::by_user(&app.db, me.id)
        .await?
        .filter(|r| r.enabled_at.is_none())
    else {
        return Ok(None);
    };
    take_attempt(app, me.id).await?;
    let Some(step) = totp::matching_step(&record.secret, code, db::now()) else {
        return Ok(None);
    };
    let codes = totp::new_recovery_codes();
    let hashes: Vec<String> = codes.iter().map(|c| totp::hash_recovery_code(c)).collect();
    if !db::two_factor::enable(&app.db, me.id, step, &hashes).await? {
        return Ok(None);
    }
    forget_attempts(app, me.id).await?;
    audit(app, me.id, "enable_2fa").await?;
    Ok(Some(codes))
}

/// Whether `input` (a current code, or an unused recovery code, which is then used up) proves the
/// second factor of `user_id`. Counts the attempt; past the budget, 429.
pub async fn verify(app: &App, user_id: i64, input: &str) -> Result<bool, WriteError> {
    take_attempt(app, user_id).await?;
    let ok = check(app, user_id, input).await?;
    if ok {
        forget_attempts(app, user_id).await?;
    }
    Ok(ok)
}

async fn check(app: &App, user_id: i64, input: &str) -> Result<bool, WriteError> {
    let Some(record) = db::two_factor::by_user(&app.db, user_id)
        .await?
        .filter(|r| r.enabled_at.is_some())
    else {
        return Ok(false);
    };
    if totp::looks_like_code(input) {
        return Ok(
            match totp::matching_step(&record.secret, input, db::now()) {
                Some(step) => db::two_factor::accept_step(&app.db, user_id, step).await?,
                None => false,
            },
        );
    }
    let hash = totp::hash_recovery_code(input);
    Ok(db::two_factor::use_recovery_code(&app.db, user_id, &hash).await?)
}

/// Turns the factor off when both the password and a code are right; `false` otherwise (the caller
/// says only that one of them was wrong).
pub async fn disable(
    app: &App,
    me: &CurrentUser,
    password: &str,
    code: &str,
) -> Result<bool, WriteError> {
    take_attempt(app, me.id).await?;
    let stored = db::users::password_hash(&app.db, me.id).await?;
    let password_ok = app
        .hashes
        .enter()?
        .verify(password.to_string(), stored)
        .await?;
    // Both are checked whatever the first answer, so the time taken does not tell them apart.
    let code_ok = check(app, me.id, code).await?;
    if !(password_ok && code_ok) {
        return Ok(false);
    }
    db::two_factor::disable(&app.db, me.id).await?;
    forget_attempts(app, me.id).await?;
    audit(app, me.id, "disable_2fa").await?;
    Ok(true)
}

/// Whether log-in needs a code from this member.
pub async fn is_enabled(app: &App, user_id: i64) -> Result<bool, WriteError> {
    Ok(db::two_factor::is_enabled(&app.db, user_id).await?)
}

/// Records that the session `session_hash` passed the password of `user_id`; the code step must
/// follow within [`PENDING_LOGIN_SECS`].
pub async fn begin_login(
    app: &App,
    session_hash: &str,
    user_id: i64,
    next: &str,
) -> Result<(), WriteError> {
    db::two_factor::start_pending_login(
        &app.db,
        session_hash,
        user_id,
        next,
        db::now() + PENDING_LOGIN_SECS,
    )
    .await?;
    Ok(())
}

/// Ends the half-logged-in state (after the code, or when it is abandoned).
pub async fn end_login(app: &App, session_hash: &str) -> Result<(), WriteError> {
    db::two_factor::end_pending_login(&app.db, session_hash).await?;
    Ok(())
}

fn attempts_bucket(user_id: i64) -> String {
    format!("2fa:user:{user_id}")
}

/// Code attempts per account share the log-in budget (`AGORA_LOGIN_FAILURES_PER_ACCOUNT` per 15
/// minutes).
async fn take_attempt(app: &App, user_id: i64) -> Result<(), AppError> {
    let limits = &app.settings.limits;
    rate_limit::take(
        &app.db,
        &Budget {
            bucket: &attempts_bucket(user_id),
            limit: limits.login_failures_per_account,
            window: limits.login_window,
        },
    )
    .await
}

async fn forget_attempts(app: &App, user_id: i64) -> Result<(), WriteError> {
    rate_limit::forget(&app.db, &attempts_bucket(user_id)).await?;
    Ok(())
}

async fn audit(app: &App, user_id: i64, action: &str) -> Result<(), WriteError> {
    let mut tx = app.db.begin_write().await?;
    db::mod_log::record(
        &mut tx,
        db::mod_log::NewAction {
            actor_id: user_id,
            action,
            target_kind: "user",
            target_id: Some(user_id),
            reason: "",
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}
