//! Accounts: sign-up, log-in/out and the user's own settings.
pub mod data;
pub mod login;
pub mod notification_settings;
pub mod register;
pub mod reset;
pub mod settings;
pub mod tokens;
pub mod two_factor;
pub mod unsubscribe;
pub mod verify;

use crate::auth::CurrentUser;
use crate::db::users::UserRecord;

fn current_user(record: &UserRecord) -> CurrentUser {
    CurrentUser {
        id: record.id,
        username: record.username.clone(),
        role: record.role,
        reputation: record.reputation,
        trust_level: record.trust_level,
        locale: record.locale.clone(),
    }
}
