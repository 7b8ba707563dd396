//! Staff decisions on posts and comments: publishing held content, hiding, soft deletion and
//! restoring, locking comments, pinning, closing questions. Each decision, its audit row (`mod_log`),
//! the resolution of the open flags it answers and the author's notification commit together; held
//! content that review publishes sends then the notifications it held back.
//! Decisions on accounts (silence, the spammer sweep) live in [`accounts`].
mod accounts;
pub mod status;

pub use accounts::{
    dismiss_user_flags, has_open_sweep, restore_spammer, silence, silenced_until, sweep_spammer,
    unsilence, Swept, SPAMMER_SUSPENSION_SECS,
};

use sqlx::Row;

use super::flags::resolve_open_in;
use super::notifications::{notify_in, tell_approved_in, Kind, NewNotification};
use super::{now, Db, DbError, Tx};
use crate::domain::CloseReason;

use status::{set_comment_status_in, set_post_status_in};

/// What staff can do to a post.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostAction {
    /// Dismiss the open flags and publish the post if it was held or hidden.
    Approve,
    Hide,
    Unhide,
    /// Soft deletion: the content stays in the database.
    Delete,
    Restore,
    LockComments,
    UnlockComments,
    Pin,
    Unpin,
    Close {
        reason: CloseReason,
        duplicate_of: Option<i64>,
    },
    Reopen,
}

impl PostAction {
    /// The audit log's name for the action.
    pub fn log_name(self) -> &'static str {
        match self {
            PostAction::Approve => "approve_post",
            PostAction::Hide => "hide_post",
            PostAction::Unhide => "unhide_post",
            PostAction::Delete => "delete_post",
            PostAction::Restore => "restore_post",
            PostAction::LockComments => "lock_comments",
            PostAction::UnlockComments => "unlock_comments",
            PostAction::Pin => "pin_post",
            PostAction::Unpin => "unpin_post",
            PostAction::Close { .. } => "close_question",
            PostAction::Reopen => "reopen_question",
        }
    }

    /// How the open flags are resolved, for the actions that answer them.
    fn resolution(self) -> Option<&'static str> {
        match self {
            PostAction::Approve => Some("dismissed"),
            PostAction::Hide => Some("hidden"),
            PostAction::Delete => Some("deleted"),
            _ => None,
        }
    }

    /// The status the post moves to from `current`, if it moves.
    fn next_status(self, current: &str) -> Option<&'static str> {
        match (self, current) {
            (PostAction::Approve, "pending" | "hidden") => Some("published"),
            (PostAction::Hide, "published" | "pending") => Some("hidden"),
            (PostAction::Unhide, "hidden") => Some("published"),
            (PostAction::Delete, "published" | "pending" | "hidden") => Some("deleted"),
            (PostAction::Restore, "deleted" | "hidden") => Some("published"),
            _ => None,
        }
    }
}

/// What staff can do to a comment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    Approve,
    Hide,
    Unhide,
    Delete,
    Restore,
}

impl CommentAction {
    pub fn log_name(self) -> &'static str {
        match self {
            CommentAction::Approve => "approve_comment",
            CommentAction::Hide => "hide_comment",
            CommentAction::Unhide => "unhide_comment",
            CommentAction::Delete => "delete_comment",
            CommentAction::Restore => "restore_comment",
        }
    }

    fn as_post_action(self) -> PostAction {
        match self {
            CommentAction::Approve => PostAction::Approve,
            CommentAction::Hide => PostAction::Hide,
            CommentAction::Unhide => PostAction::Unhide,
            CommentAction::Delete => PostAction::Delete,
            CommentAction::Restore => PostAction::Restore,
        }
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ModerationError {
    #[error("not found")]
    NotFound,
    /// Closing something that is not a question.
    #[error("only questions can be closed")]
    NotAQuestion,
    /// A duplicate must name another live question.
    #[error("the original is not another question")]
    BadOriginal,
    /// A moderator tried to lift or change what an admin decided (`services::decisions`).
    #[error("an admin's decision stands")]
    AdminDecision,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// Which post was acted on, for going back to it and refreshing the search index.
#[derive(Debug, Clone, Copy)]
pub struct Acted {
    pub post_id: i64,
    pub parent_id: Option<i64>,
    pub author_id: i64,
}

/// Applies `action` to a post: the change, the flag resolutions, the audit row and the author's
/// notification in one transaction.
pub async fn moderate_post(
    db: &Db,
    actor_id: i64,
    post_id: i64,
    action: PostAction,
    note: &str,
) -> Result<Acted, ModerationError> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query("SELECT author_id, status, kind, parent_id FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_optional(&mut *tx)
        .await?
        .ok_or(ModerationError::NotFound)?;
    let author_id: i64 = row.try_get("author_id")?;
    let status: String = row.try_get("status")?;
    let kind: String = row.try_get("kind")?;
    let parent_id: Option<i64> = row.try_get("parent_id")?;
    if status == "draft" {
        return Err(ModerationError::NotFound);
    }
    let mut detail = String::new();
    match action {
        PostAction::LockComments | PostAction::UnlockComments => {
            let locked = i64::from(action == PostAction::LockComments);
            sqlx::query("UPDATE posts SET comments_locked = $1 WHERE id = $2")
                .bind(locked)
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
        }
        PostAction::Pin | PostAction::Unpin => {
            sqlx::query("UPDATE posts SET pinned = $1 WHERE id = $2")
                .bind(i64::from(action == PostAction::Pin))
                .bind(post_id)
                .execute(&mut *tx)
                .await?;
        }
        PostAction::Close {
            reason,
            duplicate_of,
        } => {
            if kind != "question" {
                return Err(ModerationError::NotAQuestion);
            }
            if reason == CloseReason::Duplicate {
                let original = duplicate_of.filter(|id| *id != post_id);
                let Some(original) = original else {
                    return Err(ModerationError::BadOriginal);
                };
                let live: Option<i64> = sqlx::query_scalar(
                    "SELECT id FROM posts WHERE id = $1 AND kind = 'question' AND status = 'published'",
                )
                .bind(original)
                .fetch_optional(&mut *tx)
                .await?;
                if live.is_none() {
                    return Err(ModerationError::BadOriginal);
                }
                detail = format!("duplicate of {original}");
            } else {
                detail = reason.as_str().to_string();
            }
            let duplicate_of = duplicate_of.filter(|_| reason == CloseReason::Duplicate);
            sqlx::query(
                "UPDATE posts SET closed_reason = $1, duplicate_of = $2, closed_at = $3 WHERE id = $4",
            )
            .bind(reason.as_str())
            .bind(duplicate_of)
            .bind(now())
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        }
        PostAction::Reopen => {
            sqlx::query(
                "UPDATE posts SET closed_reason = NULL, duplicate_of = NULL, closed_at = NULL \
                 WHERE id = $1",
            )
            .bind(post_id)
            .execute(&mut *tx)
            .await?;
        }
        _ => {
            if let Some(next) = action.next_status(&status) {
                set_post_status_in(&mut tx, post_id, next).await?;
                if status == "pending" && next == "published" {
                    tell_approved_in(&mut tx, "post", post_id).await?;
                }
                detail = format!("{status} -> {next}");
            }
        }
    }
    if let Some(resolution) = action.resolution() {
        resolve_open_in(&mut tx, "post", post_id, actor_id, resolution).await?;
    }
    record_and_tell(
        &mut tx,
        Decision {
            actor_id,
            action: action.log_name(),
            target_kind: "post",
            target_id: post_id,
            note,
            detail: &detail,
            author_id,
            post_id: Some(post_id),
            comment_id: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Acted {
        post_id,
        parent_id,
        author_id,
    })
}

/// Applies `action` to a comment, like [`moderate_post`].
pub async fn moderate_comment(
    db: &Db,
    actor_id: i64,
    comment_id: i64,
    action: CommentAction,
    note: &str,
) -> Result<Acted, ModerationError> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "SELECT c.author_id, c.status, c.post_id, p.parent_id FROM comments c \
         JOIN posts p ON p.id = c.post_id WHERE c.id = $1",
    )
    .bind(comment_id)
    .fetch_optional(&mut *tx)
    .await?
    .ok_or(ModerationError::NotFound)?;
    let author_id: i64 = row.try_get("author_id")?;
    let status: String = row.try_get("status")?;
    let post_id: i64 = row.try_get("post_id")?;
    let parent_id: Option<i64> = row.try_get("parent_id")?;
    let as_post = action.as_post_action();
    let mut detail = String::new();
    if let Some(next) = as_post.next_status(&status) {
        set_comment_status_in(&mut tx, comment_id, next).await?;
        if status == "pending" && next == "published" {
            tell_approved_in(&mut tx, "comment", comment_id).await?;
        }
        detail = format!("{status} -> {next}");
    }
    if let Some(resolution) = as_post.resolution() {
        resolve_open_in(&mut tx, "comment", comment_id, actor_id, resolution).await?;
    }
    record_and_tell(
        &mut tx,
        Decision {
            actor_id,
            action: action.log_name(),
            target_kind: "comment",
            target_id: comment_id,
            note,
            detail: &detail,
            author_id,
            post_id: Some(post_id),
            comment_id: Some(comment_id),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Acted {
        post_id,
        parent_id,
        author_id,
    })
}

/// One staff decision to log and tell its subject about.
pub(super) struct Decision<'a> {
    pub(super) actor_id: i64,
    pub(super) action: &'a str,
    pub(super) target_kind: &'a str,
    pub(super) target_id: i64,
    pub(super) note: &'a str,
    pub(super) detail: &'a str,
    /// Who is told (nobody when staff act on their own content).
    pub(super) author_id: i64,
    pub(super) post_id: Option<i64>,
    pub(super) comment_id: Option<i64>,
}

pub(super) async fn record_and_tell(tx: &mut Tx, d: Decision<'_>) -> Result<(), DbError> {
    super::mod_log::record(
        tx,
        super::mod_log::NewAction {
            actor_id: d.actor_id,
            action: d.action,
            target_kind: d.target_kind,
            target_id: Some(d.target_id),
            reason: d.note,
            detail: d.detail,
        },
    )
    .await?;
    if d.author_id != d.actor_id {
        let what = d.action.replace('_', " ");
        let detail = if d.note.trim().is_empty() {
            what
        } else {
            format!("{what} — {}", d.note.trim())
        };
        notify_in(
            tx,
            NewNotification {
                user_id: d.author_id,
                kind: Kind::Moderation,
                actor_id: Some(d.actor_id),
                post_id: d.post_id,
                comment_id: d.comment_id,
                detail,
            },
        )
        .await?;
    }
    Ok(())
}

/// Moderation state of a post that its page shows and its write paths check.
#[derive(Debug, Clone, Default)]
pub struct PostModeration {
    pub comments_locked: bool,
    pub pinned: bool,
    /// A [`CloseReason`] as stored, when the question is closed.
    pub closed_reason: Option<String>,
    pub duplicate_of: Option<i64>,
}

impl PostModeration {
    pub fn close_reason(&self) -> Option<CloseReason> {
        self.closed_reason.as_deref().and_then(CloseReason::parse)
    }
}

pub async fn post_state(db: &Db, post_id: i64) -> Result<Option<PostModeration>, DbError> {
    let row = sqlx::query(
        "SELECT comments_locked, pinned, closed_reason, duplicate_of FROM posts WHERE id = $1",
    )
    .bind(post_id)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| {
        Ok(PostModeration {
            comments_locked: r.try_get::<i64, _>("comments_locked")? != 0,
            pinned: r.try_get::<i64, _>("pinned")? != 0,
            closed_reason: r.try_get("closed_reason")?,
            duplicate_of: r.try_get("duplicate_of")?,
        })
    })
    .transpose()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn status_changes_follow_the_action() {
        assert_eq!(
            PostAction::Approve.next_status("pending"),
            Some("published")
        );
        assert_eq!(PostAction::Approve.next_status("hidden"), Some("published"));
        assert_eq!(PostAction::Approve.next_status("published"), None);
        assert_eq!(PostAction::Hide.next_status("published"), Some("hidden"));
        assert_eq!(
            PostAction::Hide.next_status("deleted"),
            None,
            "no resurrection"
        );
        assert_eq!(PostAction::Unhide.next_status("deleted"), None);
        assert_eq!(PostAction::Delete.next_status("hidden"), Some("deleted"));
        assert_eq!(
            PostAction::Restore.next_status("deleted"),
            Some("published")
        );
        assert_eq!(PostAction::Pin.next_status("published"), None);
    }

    #[test]
    fn only_decisions_about_content_resolve_flags() {
        assert_eq!(PostAction::Approve.resolution(), Some("dismissed"));
        assert_eq!(PostAction::Hide.resolution(), Some("hidden"));
        assert_eq!(PostAction::Delete.resolution(), Some("deleted"));
        assert_eq!(PostAction::LockComments.resolution(), None);
        assert_eq!(PostAction::Reopen.resolution(), None);
    }
}
