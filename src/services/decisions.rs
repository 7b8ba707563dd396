//! Who owns a standing staff decision. The audit log (`mod_actions`) says who took the decision
//! that stands on an account or a post; `auth::policy::may_change_decision` says whether this
//! staff member may lift or change it (a moderator never undoes an admin).
use crate::app::App;
use crate::auth::{policy, CurrentUser};
use crate::db;
use crate::db::moderation::PostAction;
use crate::error::AppError;

/// A kind of decision that stands until someone lifts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Suspension,
    Silence,
    TrustLevel,
    SpamSweep,
    PostStatus,
    CommentStatus,
}

impl Decision {
    /// The audited target kind, the actions that make or undo the decision, and those that restrict.
    fn actions(
        self,
    ) -> (
        &'static str,
        &'static [&'static str],
        &'static [&'static str],
    ) {
        match self {
            Decision::Suspension => (
                "user",
                &["suspend_user", "unsuspend_user"],
                &["suspend_user"],
            ),
            Decision::Silence => (
                "user",
                &["silence_user", "unsilence_user"],
                &["silence_user"],
            ),
            Decision::TrustLevel => ("user", &["set_trust_level"], &["set_trust_level"]),
            Decision::SpamSweep => (
                "user",
                &["delete_spammer", "restore_spammer"],
                &["delete_spammer"],
            ),
            Decision::PostStatus => (
                "post",
                &[
                    "approve_post",
                    "hide_post",
                    "unhide_post",
                    "delete_post",
                    "restore_post",
                ],
                &["hide_post", "delete_post"],
            ),
            Decision::CommentStatus => (
                "comment",
                &[
                    "approve_comment",
                    "hide_comment",
                    "unhide_comment",
                    "delete_comment",
                    "restore_comment",
                ],
                &["hide_comment", "delete_comment"],
            ),
        }
    }
}

/// The decision a staff action on a post's status touches (none for pins, locks and closing).
pub fn on_post(action: PostAction) -> Option<Decision> {
    matches!(
        action,
        PostAction::Approve
            | PostAction::Hide
            | PostAction::Unhide
            | PostAction::Delete
            | PostAction::Restore
    )
    .then_some(Decision::PostStatus)
}

/// Whether `actor` may lift or change the `decision` standing on target `id`.
pub async fn may_change(
    app: &App,
    actor: &CurrentUser,
    decision: Decision,
    id: i64,
) -> Result<bool, AppError> {
    if actor.is_admin() {
        return Ok(true);
    }
    let (kind, group, standing) = decision.actions();
    let by_admin = db::mod_log::admin_decision_stands(&app.db, kind, id, group, standing).await?;
    Ok(policy::may_change_decision(actor, by_admin))
}
