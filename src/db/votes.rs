//! Queries over votes and the scores they keep.
//!
//! A vote, the post's score and the reputation it earns change together in one write transaction.
//! The post row is locked first, so votes on one post are applied one after another and the score is
//! always the sum of its votes, however many arrive at once. Comments take upvotes only and earn no
//! reputation; their score lives in `comments.score`.
use std::collections::HashMap;

use sqlx::Row;

use super::reputation;
use super::{now, Db, DbError, Tx};

/// What can be voted on (`target_kind` in the form and in the `votes` table).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TargetKind {
    Question,
    Answer,
    Article,
    Comment,
    /// A listed resource: scored like a post, earning no reputation.
    Resource,
}

impl TargetKind {
    pub fn parse(text: &str) -> Option<TargetKind> {
        match text {
            "question" => Some(TargetKind::Question),
            "answer" => Some(TargetKind::Answer),
            "article" => Some(TargetKind::Article),
            "comment" => Some(TargetKind::Comment),
            "resource" => Some(TargetKind::Resource),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TargetKind::Question => "question",
            TargetKind::Answer => "answer",
            TargetKind::Article => "article",
            TargetKind::Comment => "comment",
            TargetKind::Resource => "resource",
        }
    }

    /// The table whose `score` column this target's votes move (a fixed name, never user input).
    fn scored_table(self) -> &'static str {
        match self {
            TargetKind::Question | TargetKind::Answer | TargetKind::Article => "posts",
            TargetKind::Comment => "comments",
            TargetKind::Resource => "resources",
        }
    }

    /// The target kind a post of `post_kind` is voted on as (bot answers are answers).
    pub fn of_post_kind(post_kind: &str) -> Option<TargetKind> {
        match post_kind {
            "bot_answer" => Some(TargetKind::Answer),
            "question" | "answer" | "article" => TargetKind::parse(post_kind),
            _ => None,
        }
    }
}

/// Why a vote was not stored.
#[derive(Debug, thiserror::Error)]
pub enum VoteError {
    #[error("no such post")]
    NotFound,
    #[error("you cannot vote on your own post or comment")]
    OwnPost,
    #[error("comments take upvotes only")]
    CommentDownvote,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The state after a vote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VoteOutcome {
    pub score: i64,
    pub my_vote: i64,
    /// The post voted on, or the post a voted comment is on.
    pub post_id: i64,
    pub post_kind: String,
    pub parent_id: Option<i64>,
    /// The comment voted on, if it was one.
    pub comment_id: Option<i64>,
}

/// Sets `voter_id`'s vote on a published post to `value` (1 up, -1 down, 0 retract), adjusting the
/// score by the difference and reversing/applying the reputation the old/new vote earns.
pub async fn cast(
    db: &Db,
    voter_id: i64,
    target: TargetKind,
    post_id: i64,
    value: i64,
) -> Result<VoteOutcome, VoteError> {
    let value = value.clamp(-1, 1);
    if target == TargetKind::Comment {
        return cast_on_comment(db, voter_id, post_id, value).await;
    }
    if target == TargetKind::Resource {
        return cast_on_resource(db, voter_id, post_id, value).await;
    }
    let mut tx = db.begin_write().await?;
    // The no-op update takes the post's row lock (PostgreSQL) before anything is read.
    let row = sqlx::query(
        "UPDATE posts SET score = score WHERE id = $1 AND status = 'published' \
         RETURNING kind, author_id, parent_id, score",
    )
    .bind(post_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(VoteError::NotFound);
    };
    let post_kind: String = row.try_get("kind")?;
    let author_id: i64 = row.try_get("author_id")?;
    let parent_id: Option<i64> = row.try_get("parent_id")?;
    let score: i64 = row.try_get("score")?;
    if TargetKind::of_post_kind(&post_kind) != Some(target) {
        return Err(VoteError::NotFound);
    }
    if author_id == voter_id {
        return Err(VoteError::OwnPost);
    }
    let old = current_vote(&mut tx, voter_id, target, post_id).await?;
    if old == value {
        tx.rollback().await?;
        return Ok(VoteOutcome {
            score,
            my_vote: value,
            post_id,
            post_kind,
            parent_id,
            comment_id: None,
        });
    }

    let score = change_vote(&mut tx, voter_id, target, post_id, old, value).await?;

    let author_is_bot: i64 = sqlx::query_scalar("SELECT is_bot FROM users WHERE id = $1")
        .bind(author_id)
        .fetch_one(&mut *tx)
        .await?;
    let earned = |v| {
        reputation::vote_changes(
            &post_kind,
            post_id,
            author_id,
            author_is_bot != 0,
            voter_id,
            v,
        )
    };
    reputation::revise(&mut tx, earned(old), earned(value)).await?;
    tx.commit().await?;
    Ok(VoteOutcome {
        score,
        my_vote: value,
        post_id,
        post_kind,
        parent_id,
        comment_id: None,
    })
}

/// Upvotes (1) or takes back (0) a vote on a published comment; the comment row is locked first,
/// as posts are. No reputation changes hands.
async fn cast_on_comment(
    db: &Db,
    voter_id: i64,
    comment_id: i64,
    value: i64,
) -> Result<VoteOutcome, VoteError> {
    if value < 0 {
        return Err(VoteError::CommentDownvote);
    }
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "UPDATE comments SET score = score WHERE id = $1 AND status = 'published' \
         RETURNING author_id, post_id, score",
    )
    .bind(comment_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(VoteError::NotFound);
    };
    let author_id: i64 = row.try_get("author_id")?;
    let post_id: i64 = row.try_get("post_id")?;
    let mut score: i64 = row.try_get("score")?;
    if author_id == voter_id {
        return Err(VoteError::OwnPost);
    }
    let post =
        sqlx::query("SELECT kind, parent_id FROM posts WHERE id = $1 AND status = 'published'")
            .bind(post_id)
            .fetch_optional(&mut *tx)
            .await?;
    let Some(post) = post else {
        return Err(VoteError::NotFound);
    };
    let old = current_vote(&mut tx, voter_id, TargetKind::Comment, comment_id).await?;
    if old != value {
        score = change_vote(
            &mut tx,
            voter_id,
            TargetKind::Comment,
            comment_id,
            old,
            value,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(VoteOutcome {
        score,
        my_vote: value,
        post_id,
        post_kind: post.try_get("kind")?,
        parent_id: post.try_get("parent_id")?,
        comment_id: Some(comment_id),
    })
}

/// Sets a vote on an approved resource; the resource row is locked first, as posts are. No
/// reputation changes hands: a resource is a link to someone else's work, not the submitter's own.
async fn cast_on_resource(
    db: &Db,
    voter_id: i64,
    resource_id: i64,
    value: i64,
) -> Result<VoteOutcome, VoteError> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "UPDATE resources SET score = score WHERE id = $1 AND status = 'approved' \
         RETURNING submitted_by, score",
    )
    .bind(resource_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Err(VoteError::NotFound);
    };
    let submitter: i64 = row.try_get("submitted_by")?;
    let mut score: i64 = row.try_get("score")?;
    if submitter == voter_id {
        return Err(VoteError::OwnPost);
    }
    let old = current_vote(&mut tx, voter_id, TargetKind::Resource, resource_id).await?;
    if old != value {
        score = change_vote(
            &mut tx,
            voter_id,
            TargetKind::Resource,
            resource_id,
            old,
            value,
        )
        .await?;
    }
    tx.commit().await?;
    Ok(VoteOutcome {
        score,
        my_vote: value,
        post_id: resource_id,
        post_kind: "resource".into(),
        parent_id: None,
        comment_id: None,
    })
}

/// `user_id`'s votes on the given resources: resource id -> 1 or -1.
pub async fn mine_on_resources(
    db: &Db,
    user_id: i64,
    resource_ids: &[i64],
) -> Result<HashMap<i64, i64>, DbError> {
    mine_where(db, user_id, "target_kind = 'resource'", resource_ids).await
}

async fn mine_where(
    db: &Db,
    user_id: i64,
    kinds: &str,
    ids: &[i64],
) -> Result<HashMap<i64, i64>, DbError> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let placeholders: Vec<String> = (0..ids.len()).map(|i| format!("${}", i + 2)).collect();
    let sql = format!(
        "SELECT target_id, value FROM votes WHERE user_id = $1 AND {kinds} AND target_id IN ({})",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql).bind(user_id);
    for id in ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(db.reader()).await?;
    rows.iter()
        .map(|r| Ok((r.try_get("target_id")?, r.try_get("value")?)))
        .collect()
}

/// A post's score recomputed from its votes (for checks and repairs; pages read `posts.score`).
pub async fn tally(db: &Db, target: TargetKind, post_id: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(value), 0) AS BIGINT) FROM votes WHERE target_kind = $1 AND target_id = $2",
    )
    .bind(target.as_str())
    .bind(post_id)
    .fetch_one(db.reader())
    .await
}

/// The voter's current vote on a target (0 when none), inside the vote's transaction.
async fn current_vote(
    tx: &mut Tx,
    voter_id: i64,
    target: TargetKind,
    target_id: i64,
) -> Result<i64, DbError> {
    Ok(sqlx::query_scalar(
        "SELECT value FROM votes WHERE user_id = $1 AND target_kind = $2 AND target_id = $3",
    )
    .bind(voter_id)
    .bind(target.as_str())
    .bind(target_id)
    .fetch_optional(&mut **tx)
    .await?
    .unwrap_or(0))
}

/// Replaces the voter's vote `old` on a target by `value` (`0` removes it) and moves the target's
/// score by the difference; returns the new score.
async fn change_vote(
    tx: &mut Tx,
    voter_id: i64,
    target: TargetKind,
    target_id: i64,
    old: i64,
    value: i64,
) -> Result<i64, DbError> {
    let kind = target.as_str();
    if value == 0 {
        sqlx::query("DELETE FROM votes WHERE user_id = $1 AND target_kind = $2 AND target_id = $3")
            .bind(voter_id)
            .bind(kind)
            .bind(target_id)
            .execute(&mut **tx)
            .await?;
    } else {
        sqlx::query(
            "INSERT INTO votes (user_id, target_kind, target_id, value, created_at) \
             VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (user_id, target_kind, target_id) \
             DO UPDATE SET value = excluded.value, created_at = excluded.created_at",
        )
        .bind(voter_id)
        .bind(kind)
        .bind(target_id)
        .bind(value)
        .bind(now())
        .execute(&mut **tx)
        .await?;
    }
    let sql = format!(
        "UPDATE {} SET score = score + $1 WHERE id = $2 RETURNING score",
        target.scored_table()
    );
    sqlx::query_scalar(&sql)
        .bind(value - old)
        .bind(target_id)
        .fetch_one(&mut **tx)
        .await
}

/// One vote in a serial run: `voter_id` upvoted post `post_id` (a `target_kind`) by `author_id`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SerialVote {
    pub voter_id: i64,
    pub author_id: i64,
    pub target_kind: TargetKind,
    pub post_id: i64,
}

/// The upvotes cast since `since` by voters who gave one author's posts more than `more_than` of
/// them in that time (serial voting), grouped by voter and author.
pub async fn serial_runs(db: &Db, since: i64, more_than: i64) -> Result<Vec<SerialVote>, DbError> {
    let rows = sqlx::query(
        "SELECT v.user_id, p.author_id, v.target_kind, v.target_id FROM votes v \
         JOIN posts p ON p.id = v.target_id \
         JOIN (SELECT v2.user_id AS voter, p2.author_id AS author FROM votes v2 \
               JOIN posts p2 ON p2.id = v2.target_id \
               WHERE v2.target_kind IN ('question', 'answer', 'article') AND v2.value = 1 \
               AND v2.created_at >= $1 \
               GROUP BY v2.user_id, p2.author_id HAVING COUNT(*) > $2) runs \
           ON runs.voter = v.user_id AND runs.author = p.author_id \
         WHERE v.target_kind IN ('question', 'answer', 'article') AND v.value = 1 \
         AND v.created_at >= $1 ORDER BY v.user_id, p.author_id, v.target_id",
    )
    .bind(since)
    .bind(more_than)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .filter_map(|r| {
            let kind: String = match r.try_get("target_kind") {
                Ok(kind) => kind,
                Err(e) => return Some(Err(e)),
            };
            let target_kind = TargetKind::parse(&kind)?;
            Some((|| {
                Ok(SerialVote {
                    voter_id: r.try_get("user_id")?,
                    author_id: r.try_get("author_id")?,
                    target_kind,
                    post_id: r.try_get("target_id")?,
                })
            })())
        })
        .collect()
}

/// Logs that the serial-vote job took back `count` votes from `voter_id` to `author_id`.
pub async fn record_serial_reversal(
    db: &Db,
    voter_id: i64,
    author_id: i64,
    count: usize,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    super::mod_log::record_automatic(
        &mut tx,
        "reverse_serial_votes",
        "user",
        Some(author_id),
        "serial voting",
        &format!("{count} upvotes from user {voter_id} taken back"),
    )
    .await?;
    tx.commit().await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn target_kinds_parse_and_bot_answers_are_answers() {
        assert_eq!(TargetKind::parse("answer"), Some(TargetKind::Answer));
        assert_eq!(TargetKind::parse("comment"), Some(TargetKind::Comment));
        assert_eq!(TargetKind::parse("tag"), None);
        assert_eq!(TargetKind::of_post_kind("comment"), None);
        assert_eq!(
            TargetKind::of_post_kind("bot_answer"),
            Some(TargetKind::Answer)
        );
        assert_eq!(
            TargetKind::of_post_kind("article"),
            Some(TargetKind::Article)
        );
    }
}
