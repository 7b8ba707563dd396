//! What reputation earns: the privilege table and the post-level decisions built on it (who may edit,
//! delete or accept). Pure functions of the user and the post, so they are easy to test and to show.
use super::CurrentUser;

/// A right a member earns with reputation. Staff (moderators, admins) hold every privilege.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Privilege {
    VoteUp,
    Comment,
    VoteDown,
    EditOthersPosts,
    /// Mark a bot answer "verified by a human".
    VerifyBotAnswers,
}

impl Privilege {
    pub const ALL: [Privilege; 5] = [
        Privilege::VoteUp,
        Privilege::Comment,
        Privilege::VoteDown,
        Privilege::VerifyBotAnswers,
        Privilege::EditOthersPosts,
    ];

    /// The documented reputation table.
    pub fn min_reputation(self) -> i64 {
        match self {
            Privilege::VoteUp => 15,
            Privilege::Comment => 50,
            Privilege::VoteDown => 125,
            Privilege::VerifyBotAnswers => 500,
            Privilege::EditOthersPosts => 2000,
        }
    }

    /// Catalog key of the privilege's name.
    pub fn catalog_key(self) -> &'static str {
        match self {
            Privilege::VoteUp => "privilege.vote_up",
            Privilege::Comment => "privilege.comment",
            Privilege::VoteDown => "privilege.vote_down",
            Privilege::VerifyBotAnswers => "privilege.verify_bot",
            Privilege::EditOthersPosts => "privilege.edit_others",
        }
    }
}

/// Whether `user` holds `privilege` (by reputation or by being staff).
pub fn has_privilege(user: &CurrentUser, privilege: Privilege) -> bool {
    user.is_staff() || user.reputation >= privilege.min_reputation()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    use crate::auth::permissions::test_member as member;

    #[test]
    fn the_table_is_ordered_and_documented() {
        let mins: Vec<i64> = Privilege::ALL.iter().map(|p| p.min_reputation()).collect();
        assert_eq!(mins, [15, 50, 125, 500, 2000]);
    }

    #[test]
    fn reputation_unlocks_privileges_at_the_threshold() {
        assert!(!has_privilege(&member(1, 14), Privilege::VoteUp));
        assert!(has_privilege(&member(1, 15), Privilege::VoteUp));
        assert!(!has_privilege(&member(1, 124), Privilege::VoteDown));
        assert!(has_privilege(&member(1, 125), Privilege::VoteDown));
    }

    #[test]
    fn authors_edit_their_own_posts_and_others_need_2000() {
        assert!(crate::auth::policy::may_edit_post(&member(1, 1), 1));
        assert!(!crate::auth::policy::may_edit_post(&member(2, 1999), 1));
        assert!(crate::auth::policy::may_edit_post(&member(2, 2000), 1));
        let mut moderator = member(3, 1);
        moderator.role = Role::Moderator;
        assert!(crate::auth::policy::may_edit_post(&moderator, 1));
        assert!(crate::auth::policy::may_delete_post(&moderator, 1));
        assert!(!crate::auth::policy::may_delete_post(&member(2, 5000), 1));
    }

    #[test]
    fn only_the_asker_accepts_and_never_a_bot_answer() {
        assert!(crate::auth::policy::may_accept_answer(
            &member(1, 1),
            1,
            false
        ));
        assert!(!crate::auth::policy::may_accept_answer(
            &member(1, 1),
            1,
            true
        ));
        assert!(!crate::auth::policy::may_accept_answer(
            &member(2, 9999),
            1,
            false
        ));
    }
}
