//! Staff decisions on a member's account from `/admin/users/{id}`: role, suspension and its lifting.
//! Each is audited (`db::users::*_by`) and the member is told with a moderation notification; a
//! moderator never lifts or changes what an admin decided (`services::decisions`).
use super::decisions::{self, Decision};
use super::gate::WriteError;
use crate::app::App;
use crate::auth::{policy, CurrentUser};
use crate::db;
use crate::db::users::UserRecord;
use crate::domain::Role;
use crate::error::AppError;

/// Why a staff decision on an account was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MemberRefusal {
    /// Admins do not change their own role (another admin must).
    OwnRole,
    /// Staff may not act on this account (`policy::may_act_on_member`).
    NotAllowed,
}

/// An admin gives a member a role.
pub async fn set_role(
    app: &App,
    admin: &CurrentUser,
    user: &UserRecord,
    role: Role,
    reason: &str,
) -> Result<Result<(), MemberRefusal>, WriteError> {
    if user.id == admin.id {
        return Ok(Err(MemberRefusal::OwnRole));
    }
    if !admin.is_admin() {
        return Err(WriteError::Failed(AppError::Forbidden));
    }
    db::users::set_role_by(&app.db, admin.id, user.id, role, reason.trim()).await?;
    tell(
        app,
        admin.id,
        user.id,
        &format!("role: {}", role.as_str()),
        reason,
    )
    .await?;
    Ok(Ok(()))
}

/// Suspends a member until `until` (signed out, cannot log in).
pub async fn suspend(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    until: i64,
    until_text: &str,
    reason: &str,
) -> Result<Result<(), MemberRefusal>, WriteError> {
    if !allowed(app, actor, user, Decision::Suspension).await? {
        return Ok(Err(MemberRefusal::NotAllowed));
    }
    db::users::suspend_by(&app.db, actor.id, user.id, until, reason).await?;
    tell(
        app,
        actor.id,
        user.id,
        &format!("suspended until {until_text}"),
        reason,
    )
    .await?;
    Ok(Ok(()))
}

/// Lifts a suspension.
pub async fn unsuspend(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    reason: &str,
) -> Result<Result<(), MemberRefusal>, WriteError> {
    if !allowed(app, actor, user, Decision::Suspension).await? {
        return Ok(Err(MemberRefusal::NotAllowed));
    }
    db::users::unsuspend_by(&app.db, actor.id, user.id, reason.trim()).await?;
    tell(app, actor.id, user.id, "suspension lifted", reason).await?;
    Ok(Ok(()))
}

/// Staff may act on this member and, for a moderator, the decision standing is not an admin's.
async fn allowed(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    decision: Decision,
) -> Result<bool, WriteError> {
    Ok(policy::may_act_on_member(actor, user)
        && decisions::may_change(app, actor, decision, user.id).await?)
}

/// The member hears about every staff decision on their account (a moderation notification).
async fn tell(
    app: &App,
    actor_id: i64,
    user_id: i64,
    what: &str,
    reason: &str,
) -> Result<(), WriteError> {
    let reason = reason.trim();
    let detail = if reason.is_empty() {
        what.to_string()
    } else {
        format!("{what} — {reason}")
    };
    db::notifications::notify(
        &app.db,
        user_id,
        db::notifications::Kind::Moderation,
        Some(actor_id),
        None,
        None,
        &detail,
    )
    .await?;
    Ok(())
}

/// Staff set a member's trust level, locked (kept whatever the activity) or not.
pub async fn set_trust(
    app: &App,
    actor: &CurrentUser,
    user: &UserRecord,
    level: i64,
    locked: bool,
    reason: &str,
) -> Result<Result<(), MemberRefusal>, WriteError> {
    if !allowed(app, actor, user, Decision::TrustLevel).await? {
        return Ok(Err(MemberRefusal::NotAllowed));
    }
    db::trust::set_level_by(&app.db, actor.id, user.id, level, locked, reason).await?;
    let what = format!(
        "trust level: {level}{}",
        if locked { " (locked)" } else { "" }
    );
    tell(app, actor.id, user.id, &what, reason).await?;
    Ok(Ok(()))
}
