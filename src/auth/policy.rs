//! Who may see and do what with a post, comment, resource, summary or member: decided here and nowhere
//! else. Templates only hide links; handlers and services ask these functions. Reputation thresholds
//! live in [`super::privileges`].
use super::privileges::{has_privilege, Privilege};
use super::CurrentUser;
use crate::db::comments::CommentTarget;
use crate::db::events::EventRecord;
use crate::db::posts::PostRecord;
use crate::db::resources::ResourceRecord;
use crate::db::users::UserRecord;
use crate::domain::{PostStatus, ResourceStatus, Role};

/// A comment author may edit it for this long after posting.
pub const COMMENT_EDIT_WINDOW_SECS: i64 = 5 * 60;

/// Members with at least this much reputation (and staff) list resources without review.
pub const TRUSTED_SUBMITTER_REPUTATION: i64 = 200;

/// Who may open a post: published ones are public; drafts only to their author; held and hidden
/// ones to their author and staff; deleted ones to nobody.
pub fn post_visible(post: &PostRecord, user: Option<&CurrentUser>) -> bool {
    match post.status {
        PostStatus::Published => true,
        PostStatus::Draft => user.is_some_and(|u| u.id == post.author_id),
        PostStatus::Pending | PostStatus::Hidden => {
            user.is_some_and(|u| u.id == post.author_id || u.is_staff())
        }
        PostStatus::Deleted => false,
    }
}

/// Approved entries are public; pending and rejected ones are seen by their submitter and staff.
pub fn resource_visible(resource: &ResourceRecord, user: Option<&CurrentUser>) -> bool {
    resource.status == ResourceStatus::Approved
        || user.is_some_and(|u| u.id == resource.submitted_by || u.is_staff())
}

/// Published events are public; held and hidden ones are seen by their organiser and staff.
pub fn event_visible(event: &EventRecord, user: Option<&CurrentUser>) -> bool {
    match event.status {
        PostStatus::Published => true,
        PostStatus::Pending | PostStatus::Hidden => {
            user.is_some_and(|u| u.id == event.author_id || u.is_staff())
        }
        PostStatus::Draft | PostStatus::Deleted => false,
    }
}

/// Staff, and members at the trust level the admins set (`events.min_trust`), organise events.
pub fn may_create_event(user: &CurrentUser, min_trust: i64) -> bool {
    user.is_staff() || user.trust_level >= min_trust
}

/// The organiser and staff edit an event.
pub fn may_edit_event(user: &CurrentUser, event: &EventRecord) -> bool {
    user.id == event.author_id || user.is_staff()
}

/// Members answer published events that are not over yet.
pub fn may_rsvp(event: &EventRecord, now: i64) -> bool {
    event.status == PostStatus::Published && event.ends_at > now
}

/// Authors edit their own posts; others need the edit privilege.
pub fn may_edit_post(user: &CurrentUser, author_id: i64) -> bool {
    user.id == author_id || has_privilege(user, Privilege::EditOthersPosts)
}

/// Authors delete their own posts; moderators and admins delete any.
pub fn may_delete_post(user: &CurrentUser, author_id: i64) -> bool {
    user.id == author_id || user.is_staff()
}

/// Only the asker accepts an answer, and never an answer written by the bot.
pub fn may_accept_answer(user: &CurrentUser, question_author_id: i64, answer_is_bot: bool) -> bool {
    user.id == question_author_id && !answer_is_bot
}

/// Members comment anywhere once they have the privilege; everyone may comment on their own posts
/// and on answers to their own questions (to reply to the people helping them).
pub fn may_comment_on_post(user: &CurrentUser, post: &CommentTarget) -> bool {
    has_privilege(user, Privilege::Comment)
        || user.id == post.author_id
        || post.parent_author_id == Some(user.id)
}

/// Members with the comment privilege comment on any listed resource; the submitter always may.
pub fn may_comment_on_resource(user: &CurrentUser, resource: &ResourceRecord) -> bool {
    has_privilege(user, Privilege::Comment) || user.id == resource.submitted_by
}

/// The author may edit a comment for [`COMMENT_EDIT_WINDOW_SECS`] after posting.
pub fn may_edit_comment(
    user: &CurrentUser,
    comment_author: i64,
    created_at: i64,
    now: i64,
) -> bool {
    user.id == comment_author && now - created_at <= COMMENT_EDIT_WINDOW_SECS
}

/// The author or a moderator may delete a comment.
pub fn may_delete_comment(user: &CurrentUser, comment_author: i64) -> bool {
    user.id == comment_author || user.is_staff()
}

/// Whether `user` lists resources without review.
pub fn may_list_without_review(user: &CurrentUser) -> bool {
    user.is_staff() || user.reputation >= TRUSTED_SUBMITTER_REPUTATION
}

/// The submitter and staff edit a resource entry (an untrusted editor's edit goes back to review).
pub fn may_edit_resource(user: &CurrentUser, resource: &ResourceRecord) -> bool {
    user.id == resource.submitted_by || user.is_staff()
}

/// Moderators act on members; admins also on moderators; nobody on an admin or on themselves (the
/// same rule as suspension).
pub fn may_act_on_member(me: &CurrentUser, user: &UserRecord) -> bool {
    may_act_on_role(me, user.id, user.role)
}

/// [`may_act_on_member`] for a member known by id and role.
pub fn may_act_on_role(me: &CurrentUser, user_id: i64, role: Role) -> bool {
    user_id != me.id && role != Role::Admin && (me.is_admin() || role == Role::Member)
}

/// Staff may redact a revision's text (what it said stays out of the history; who and why is
/// audited).
pub fn may_redact_revision(me: &CurrentUser) -> bool {
    me.is_staff()
}

/// A decision an admin took (a suspension, a silence, a trust level, a spam sweep, hiding or
/// deleting content) is lifted or changed only by an admin; a moderator's by any staff member.
pub fn may_change_decision(me: &CurrentUser, taken_by_admin: bool) -> bool {
    me.is_admin() || !taken_by_admin
}

/// The author and staff manage a post's summary (request, accept, dismiss a draft).
pub fn may_manage_summary(user: Option<&CurrentUser>, post: &PostRecord) -> bool {
    user.is_some_and(|u| u.id == post.author_id || u.is_staff())
}

/// The asker and staff may ask the bot for a draft answer on a published question.
pub fn may_request_bot_answer(user: Option<&CurrentUser>, question: &PostRecord) -> bool {
    question.is_published() && may_manage_summary(user, question)
}

/// Whether `me` may export or delete `user`'s account data: the member themself, or an admin acting
/// on an account that is not another admin's.
pub fn may_manage_account(me: &CurrentUser, user: &UserRecord) -> bool {
    me.id == user.id || (me.is_admin() && user.role != Role::Admin && !user.deleted)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::permissions::test_member as member;

    fn answer_by(author_id: i64, asker: i64) -> CommentTarget {
        CommentTarget {
            post_id: 10,
            post_kind: "answer".into(),
            author_id,
            parent_id: Some(9),
            parent_author_id: Some(asker),
            comments_locked: false,
        }
    }

    #[test]
    fn new_members_comment_on_their_own_threads_only() {
        let post = answer_by(2, 3);
        assert!(!may_comment_on_post(&member(1, 1), &post));
        assert!(may_comment_on_post(&member(2, 1), &post), "the answerer");
        assert!(may_comment_on_post(&member(3, 1), &post), "the asker");
        assert!(
            may_comment_on_post(&member(1, 50), &post),
            "with the privilege"
        );
    }

    #[test]
    fn authors_edit_their_comments_for_five_minutes() {
        let author = member(1, 1);
        assert!(may_edit_comment(&author, 1, 1000, 1000 + 300));
        assert!(!may_edit_comment(&author, 1, 1000, 1000 + 301));
        assert!(!may_edit_comment(&member(2, 99_999), 1, 1000, 1001));
    }

    #[test]
    fn authors_and_staff_delete_comments() {
        assert!(may_delete_comment(&member(1, 1), 1));
        assert!(!may_delete_comment(&member(2, 9999), 1));
        let mut moderator = member(3, 1);
        moderator.role = Role::Moderator;
        assert!(may_delete_comment(&moderator, 1));
    }

    #[test]
    fn moderators_act_on_members_only_and_never_on_themselves() {
        let mut moderator = member(3, 1);
        moderator.role = Role::Moderator;
        assert!(may_act_on_role(&moderator, 5, Role::Member));
        assert!(!may_act_on_role(&moderator, 6, Role::Moderator));
        assert!(!may_act_on_role(&moderator, 7, Role::Admin));
        assert!(!may_act_on_role(&moderator, 3, Role::Member));
        let mut admin = member(9, 1);
        admin.role = Role::Admin;
        assert!(may_act_on_role(&admin, 6, Role::Moderator));
        assert!(!may_act_on_role(&admin, 7, Role::Admin));
    }

    #[test]
    fn the_bot_answer_is_never_accepted() {
        assert!(may_accept_answer(&member(1, 1), 1, false));
        assert!(!may_accept_answer(&member(1, 1), 1, true));
        assert!(!may_accept_answer(&member(2, 1), 1, false));
    }
}
