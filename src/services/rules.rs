//! The rules of the forum and the trust thresholds, as admins change them on `/admin/rules`: every
//! change is an audit-log row (`db::rules::*_by`, `db::settings::set_by`).
use super::gate::WriteError;
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db;
use crate::domain::rules::Rule;

/// What an admin does to an existing rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RuleChange {
    Enable,
    Disable,
    Delete,
}

impl RuleChange {
    pub fn parse(text: &str) -> Option<RuleChange> {
        match text {
            "enable" => Some(RuleChange::Enable),
            "disable" => Some(RuleChange::Disable),
            "delete" => Some(RuleChange::Delete),
            _ => None,
        }
    }
}

pub async fn create(app: &App, admin: &CurrentUser, rule: &Rule) -> Result<i64, WriteError> {
    Ok(db::rules::create_by(&app.db, admin.id, rule).await?)
}

pub async fn update(
    app: &App,
    admin: &CurrentUser,
    id: i64,
    rule: &Rule,
) -> Result<(), WriteError> {
    Ok(db::rules::update_by(&app.db, admin.id, id, rule).await?)
}

pub async fn change(
    app: &App,
    admin: &CurrentUser,
    id: i64,
    change: RuleChange,
) -> Result<(), WriteError> {
    match change {
        RuleChange::Enable => db::rules::set_enabled_by(&app.db, admin.id, id, true).await?,
        RuleChange::Disable => db::rules::set_enabled_by(&app.db, admin.id, id, false).await?,
        RuleChange::Delete => db::rules::delete_by(&app.db, admin.id, id).await?,
    }
    Ok(())
}

/// Stores changed trust thresholds (`trust.tlN.field` keys), each with its audit row.
pub async fn save_thresholds(
    app: &App,
    admin: &CurrentUser,
    changes: &[(String, String)],
) -> Result<(), WriteError> {
    for (key, value) in changes {
        db::settings::set_by(&app.db, admin.id, key, value, None).await?;
    }
    Ok(())
}
