//! The account-security choices admins make on `/admin/settings/accounts`: whether members must
//! confirm their address by mail (before posting, optionally, or not at all) and whether moderators
//! and admins must use two-factor authentication. Every change is audited by `settings::save`.
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::{self, Db, DbError};

pub const EMAIL_VERIFICATION: &str = "accounts.email_verification";
pub const STAFF_TWO_FACTOR: &str = "accounts.staff_two_factor";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailVerification {
    /// No confirmation mail.
    Off,
    /// New members get a confirmation link; nothing waits for it.
    Optional,
    /// Members cannot post until they followed the link.
    Required,
}

impl EmailVerification {
    pub const ALL: [EmailVerification; 3] = [
        EmailVerification::Off,
        EmailVerification::Optional,
        EmailVerification::Required,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            EmailVerification::Off => "off",
            EmailVerification::Optional => "optional",
            EmailVerification::Required => "required",
        }
    }

    pub fn parse(text: &str) -> Option<EmailVerification> {
        EmailVerification::ALL
            .into_iter()
            .find(|v| v.as_str() == text)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AccountSettings {
    pub email_verification: EmailVerification,
    pub staff_two_factor: bool,
}

pub async fn load(db: &Db) -> Result<AccountSettings, DbError> {
    let stored = db::settings::many(db, &[EMAIL_VERIFICATION, STAFF_TWO_FACTOR]).await?;
    Ok(AccountSettings {
        email_verification: stored
            .get(EMAIL_VERIFICATION)
            .and_then(|v| EmailVerification::parse(v))
            .unwrap_or(EmailVerification::Off),
        staff_two_factor: stored.get(STAFF_TWO_FACTOR).map(String::as_str) == Some("on"),
    })
}

pub async fn save(app: &App, admin: &CurrentUser, wanted: AccountSettings) -> Result<(), DbError> {
    super::settings::save(
        app,
        admin,
        &[
            (
                EMAIL_VERIFICATION,
                wanted.email_verification.as_str().to_string(),
            ),
            (
                STAFF_TWO_FACTOR,
                if wanted.staff_two_factor { "on" } else { "off" }.to_string(),
            ),
        ],
    )
    .await
}

/// Whether `user` must turn two-factor authentication on before using the staff pages.
pub async fn needs_two_factor(db: &Db, user: &CurrentUser) -> Result<bool, DbError> {
    if !user.is_staff() || !load(db).await?.staff_two_factor {
        return Ok(false);
    }
    Ok(!db::two_factor::is_enabled(db, user.id).await?)
}
