//! Votes on questions, answers, articles, comments and resources: the gate (silence, rate limits),
//! then the vote with its score and reputation in one transaction (`db::votes`). The caller checked
//! the vote privilege. The daily serial-vote job takes back runs of upvotes from one voter to one
//! author (Stack Overflow's serial-voting reversal).
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

/// The job kind that takes back serial votes; queued once a UTC day by the janitor.
pub const SERIAL_VOTES_JOB: &str = "reverse_serial_votes";
/// More upvotes than this from one voter to one author's posts in a day are a serial run.
pub const SERIAL_VOTES_PER_DAY: i64 = 5;

/// Queues today's serial-vote reversal (once a UTC day: the job's key is the day).
pub async fn queue_serial_votes(app: &App) -> Result<(), WriteError> {
    let day = db::now().div_euclid(86_400);
    let key = format!("{SERIAL_VOTES_JOB}:{day}");
    if db::jobs::ever_queued(&app.db, &key).await? {
        return Ok(());
    }
    db::jobs::enqueue(&app.db, SERIAL_VOTES_JOB, "{}", Some(&key), 3).await?;
    Ok(())
}

/// Takes back every upvote of a serial run in the last 24 hours (score and reputation, as if the
/// voter had retracted it), one audit row per voter and author. Returns how many votes.
pub async fn reverse_serial_votes(app: &App) -> Result<usize, WriteError> {
    let since = db::now() - 86_400;
    let runs = db::votes::serial_runs(&app.db, since, SERIAL_VOTES_PER_DAY).await?;
    let mut reversed = 0;
    for pair in runs.chunk_by(|a, b| (a.voter_id, a.author_id) == (b.voter_id, b.author_id)) {
        for vote in pair {
            match db::votes::cast(&app.db, vote.voter_id, vote.target_kind, vote.post_id, 0).await {
                Ok(_) | Err(VoteError::NotFound) => {}
                Err(VoteError::Db(e)) => return Err(e.into()),
                Err(VoteError::OwnPost | VoteError::CommentDownvote) => {}
            }
        }
        reversed += pair.len();
        db::votes::record_serial_reversal(&app.db, pair[0].voter_id, pair[0].author_id, pair.len())
            .await?;
    }
    Ok(reversed)
}
