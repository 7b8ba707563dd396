//! Votes on questions, answers, articles, comments and resources: the gate (silence, rate limits),
//! then the vote with its score and reputation in one transaction (`db::votes`). The caller checked
//! the vote privilege.
use super::gate::{gate, WriteError, Writer};
use crate::app::App;
use crate::db;
use crate::db::votes::{TargetKind, VoteError, VoteOutcome};
use crate::moderation::{Action, Content};

/// Why a vote was not counted.
#[derive(Debug, thiserror::Error)]
pub enum VoteRefusal {
    #[error(transparent)]
    Write(#[from] WriteError),
    #[error("no such target")]
    NotFound,
    #[error("own post")]
    OwnPost,
    #[error("comments take upvotes only")]
    CommentDownvote,
}

/// Up (1), down (-1) or retract (0).
pub async fn vote(
    app: &App,
    writer: Writer<'_>,
    target: TargetKind,
    target_id: i64,
    value: i64,
) -> Result<VoteOutcome, VoteRefusal> {
    gate(app, writer, Action::Vote, Content::default()).await?;
    match db::votes::cast(&app.db, writer.user.id, target, target_id, value).await {
        Ok(outcome) => Ok(outcome),
        Err(VoteError::NotFound) => Err(VoteRefusal::NotFound),
        Err(VoteError::OwnPost) => Err(VoteRefusal::OwnPost),
        Err(VoteError::CommentDownvote) => Err(VoteRefusal::CommentDownvote),
        Err(VoteError::Db(e)) => Err(VoteRefusal::Write(e.into())),
    }
}
