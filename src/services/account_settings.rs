//! The account-security choices admins make on `/admin/settings/accounts`: whether members must
//! confirm their address by mail (before posting, optionally, or not at all), whether moderators
//! and admins must use two-factor authentication, and after how many days away a member is mailed
//! the summary digest. Every change is audited by `settings::save`.
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::{self, Db, DbError};

pub const EMAIL_VERIFICATION: &str = "accounts.email_verification";
pub const STAFF_TWO_FACTOR: &str = "accounts.staff_two_factor";
pub const SUMMARY_AWAY_DAYS: &str = "accounts.summary_away_days";
/// Members are sent the summary digest once they have been away this many days (and at most once
/// per that many days) unless the admins chose otherwise.
pub const DEFAULT_SUMMARY_AWAY_DAYS: i64 = 7;
/// The range the admins may choose the days away from.
pub const SUMMARY_AWAY_DAYS_RANGE: std::ops::RangeInclusive<i64> = 1..=365;

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
    /// Days away before the summary digest (within [`SUMMARY_AWAY_DAYS_RANGE`]).
    pub summary_away_days: i64,
}

/// The days-away field as an admin typed it: a whole number in [`SUMMARY_AWAY_DAYS_RANGE`].
pub fn parse_away_days(text: &str) -> Option<i64> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|d| SUMMARY_AWAY_DAYS_RANGE.contains(d))
}

pub async fn load(db: &Db) -> Result<AccountSettings, DbError> {
    let stored = db::settings::many(
        db,
        &[EMAIL_VERIFICATION, STAFF_TWO_FACTOR, SUMMARY_AWAY_DAYS],
    )
    .await?;
    Ok(AccountSettings {
        email_verification: stored
            .get(EMAIL_VERIFICATION)
            .and_then(|v| EmailVerification::parse(v))
            .unwrap_or(EmailVerification::Off),
        staff_two_factor: stored.get(STAFF_TWO_FACTOR).map(String::as_str) == Some("on"),
        summary_away_days: stored
            .get(SUMMARY_AWAY_DAYS)
            .and_then(|v| parse_away_days(v))
            .unwrap_or(DEFAULT_SUMMARY_AWAY_DAYS),
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
            (SUMMARY_AWAY_DAYS, wanted.summary_away_days.to_string()),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn days_away_are_whole_days_within_a_year() {
        assert_eq!(parse_away_days(" 14 "), Some(14));
        assert_eq!(parse_away_days("1"), Some(1));
        assert_eq!(parse_away_days("365"), Some(365));
        for bad in ["0", "-3", "366", "1.5", "a week", ""] {
            assert_eq!(parse_away_days(bad), None, "{bad}");
        }
    }
}
