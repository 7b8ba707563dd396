//! Reputation events and the totals they add up to.
//!
//! Every change to `users.reputation` is a row in `reputation_events` written in the same transaction,
//! so a user's reputation is always explained by their events, line by line.
//!
//! | event                                   | who                | delta |
//! |-----------------------------------------|--------------------|-------|
//! | upvote on an answer                     | the answerer       | +10   |
//! | upvote on an article                    | the author         | +10   |
//! | upvote on a question                    | the asker          | +5    |
//! | downvote on a question/answer/article   | the author         | −2    |
//! | casting a downvote on an answer         | the voter          | −1    |
//! | answer accepted                         | the answerer       | +15   |
//! | accepting an answer                     | the asker          | +2    |
//!
//! Rules: reputation is `max(1, 1 + SUM(delta))` over the user's events, so it never shows below 1,
//! and the part the floor hides (`users.reputation_shortfall`) is paid back before later gains count;
//! the result depends only on which events exist, not on their order (concurrent votes agree).
//! Retracting or changing a vote and un-accepting add an event that reverses the earlier one.
//! Answers written by the bot (kind `bot_answer` or an `is_bot` author) never earn or lose
//! reputation, and downvoting one costs the voter nothing; accepting your own answer earns nothing.
//! Articles earn like answers because they are long-form work. (Setting `users.reputation` by hand,
//! as an admin or a test may, moves the base the events add to.)
//!
//! Farming does not pay (as on Stack Overflow): upvotes earn at most [`DAILY_VOTE_CAP`] a UTC day
//! (an upvote past it is recorded with the part it still earned, possibly 0, so undoing it takes
//! back exactly that; acceptance is exempt); an acceptance between related accounts (the same
//! sign-up network, `users.signup_network`) pays neither side; and the daily serial-vote job
//! (`services::votes`) takes back runs of votes from one voter to one author.
use sqlx::Row;

use super::{now, DbError, Tx};

/// Why reputation changed. Stored as `reason`; a reversal is stored as `<reason>_reversed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    UpvoteReceived,
    DownvoteReceived,
    DownvoteCast,
    AnswerAccepted,
    AcceptedAnAnswer,
}

impl Cause {
    pub fn as_str(self) -> &'static str {
        match self {
            Cause::UpvoteReceived => "upvote_received",
            Cause::DownvoteReceived => "downvote_received",
            Cause::DownvoteCast => "downvote_cast",
            Cause::AnswerAccepted => "answer_accepted",
            Cause::AcceptedAnAnswer => "accepted_an_answer",
        }
    }

    pub fn reversed_str(self) -> &'static str {
        match self {
            Cause::UpvoteReceived => "upvote_received_reversed",
            Cause::DownvoteReceived => "downvote_received_reversed",
            Cause::DownvoteCast => "downvote_cast_reversed",
            Cause::AnswerAccepted => "answer_accepted_reversed",
            Cause::AcceptedAnAnswer => "accepted_an_answer_reversed",
        }
    }
}

/// The lowest reputation an account can have.
pub const FLOOR: i64 = 1;
pub const ANSWER_UPVOTE: i64 = 10;
pub const ARTICLE_UPVOTE: i64 = 10;
pub const QUESTION_UPVOTE: i64 = 5;
pub const DOWNVOTE_RECEIVED: i64 = -2;
pub const ANSWER_DOWNVOTE_CAST: i64 = -1;
pub const ANSWER_ACCEPTED: i64 = 15;
pub const ACCEPTED_AN_ANSWER: i64 = 2;
/// The most reputation upvotes earn one member in a UTC day.
pub const DAILY_VOTE_CAP: i64 = 200;

/// A reputation change to make: `user_id` gains `delta` because `actor_id` did something to `post_id`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Change {
    pub user_id: i64,
    pub cause: Cause,
    pub delta: i64,
    pub post_id: i64,
    pub actor_id: i64,
}

/// What a vote of `value` (1 or -1) by `voter_id` on a post of `post_kind` written by `author_id` earns.
/// Bot answers (`author_is_bot` or kind `bot_answer`) earn nothing and cost nothing to downvote.
pub fn vote_changes(
    post_kind: &str,
    post_id: i64,
    author_id: i64,
    author_is_bot: bool,
    voter_id: i64,
    value: i64,
) -> Vec<Change> {
    if author_is_bot || post_kind == "bot_answer" || author_id == voter_id {
        return Vec::new();
    }
    let change = |user_id, cause, delta| Change {
        user_id,
        cause,
        delta,
        post_id,
        actor_id: voter_id,
    };
    match value {
        1 => {
            let delta = match post_kind {
                "question" => QUESTION_UPVOTE,
                "article" => ARTICLE_UPVOTE,
                _ => ANSWER_UPVOTE,
            };
            vec![change(author_id, Cause::UpvoteReceived, delta)]
        }
        -1 => {
            let mut changes = vec![change(
                author_id,
                Cause::DownvoteReceived,
                DOWNVOTE_RECEIVED,
            )];
            if post_kind == "answer" {
                changes.push(change(voter_id, Cause::DownvoteCast, ANSWER_DOWNVOTE_CAST));
            }
            changes
        }
        _ => Vec::new(),
    }
}

/// Records `change` and adds it to the user's reputation (see [`record`]); an upvote earns only
/// what is left of the day's [`DAILY_VOTE_CAP`].
pub async fn apply(tx: &mut Tx, change: Change) -> Result<(), DbError> {
    let delta = if change.cause == Cause::UpvoteReceived {
        change.delta.min(left_today(tx, change.user_id).await?)
    } else {
        change.delta
    };
    record(tx, change, change.cause.as_str(), delta).await
}

/// What upvotes may still earn `user_id` today (UTC): the cap less today's upvotes and reversals.
async fn left_today(tx: &mut Tx, user_id: i64) -> Result<i64, DbError> {
    let at = now();
    let earned: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(delta), 0) AS BIGINT) FROM reputation_events \
         WHERE user_id = $1 AND reason IN ($2, $3) AND at >= $4",
    )
    .bind(user_id)
    .bind(Cause::UpvoteReceived.as_str())
    .bind(Cause::UpvoteReceived.reversed_str())
    .bind(at - at.rem_euclid(86_400))
    .fetch_one(&mut **tx)
    .await?;
    Ok((DAILY_VOTE_CAP - earned).max(0))
}

/// Two accounts are related when they signed up from the same network (an IPv4 address or an
/// IPv6 /64, `auth::rate_limit::attributable_network`); accounts whose network is unknown relate
/// to nobody.
pub async fn related(tx: &mut Tx, a: i64, b: i64) -> Result<bool, DbError> {
    let shared: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM users x JOIN users y ON y.signup_network = x.signup_network \
         WHERE x.id = $1 AND y.id = $2",
    )
    .bind(a)
    .bind(b)
    .fetch_one(&mut **tx)
    .await?;
    Ok(shared > 0)
}

/// Undoes the latest `change.cause` event for the same user, post and actor (a retracted vote, an
/// un-accepted answer) by recording its opposite.
pub async fn reverse(tx: &mut Tx, change: Change) -> Result<(), DbError> {
    let earlier: Option<i64> = sqlx::query_scalar(
        "SELECT delta FROM reputation_events \
         WHERE user_id = $1 AND reason = $2 AND post_id = $3 AND actor_id = $4 \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(change.user_id)
    .bind(change.cause.as_str())
    .bind(change.post_id)
    .bind(change.actor_id)
    .fetch_optional(&mut **tx)
    .await?;
    match earlier {
        Some(delta) => record(tx, change, change.cause.reversed_str(), -delta).await,
        None => Ok(()),
    }
}

/// Adds `delta` to the user's total and stores `max(FLOOR, total)` as their reputation. The part the
/// floor hides is kept in `users.reputation_shortfall` and paid back first by later gains, so the
/// result depends only on which events exist, never on their order. One relative UPDATE (the same
/// arithmetic as [`settle`]), so concurrent changes cannot lose each other.
async fn record(tx: &mut Tx, change: Change, reason: &str, delta: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE users SET \
           reputation = CASE WHEN reputation - reputation_shortfall + $1 < $2 THEN $2 \
                        ELSE reputation - reputation_shortfall + $1 END, \
           reputation_shortfall = CASE WHEN reputation - reputation_shortfall + $1 < $2 \
                        THEN $2 - (reputation - reputation_shortfall + $1) ELSE 0 END \
         WHERE id = $3",
    )
    .bind(delta)
    .bind(FLOOR)
    .bind(change.user_id)
    .execute(&mut **tx)
    .await?;
    sqlx::query(
        "INSERT INTO reputation_events (user_id, delta, reason, post_id, actor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6)",
    )
    .bind(change.user_id)
    .bind(delta)
    .bind(reason)
    .bind(change.post_id)
    .bind(change.actor_id)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// `(reputation, shortfall)` after adding `delta`: the total is `reputation - shortfall`, shown
/// floored at [`FLOOR`], with what the floor hides as the new shortfall.
pub fn settle(reputation: i64, shortfall: i64, delta: i64) -> (i64, i64) {
    let total = reputation - shortfall + delta;
    if total < FLOOR {
        (FLOOR, FLOOR - total)
    } else {
        (total, 0)
    }
}

/// Reverses `undo` and applies `apply` in one go. Every user row involved is locked first, in id
/// order, so concurrent transactions cannot deadlock on PostgreSQL.
pub async fn revise(tx: &mut Tx, undo: Vec<Change>, apply_now: Vec<Change>) -> Result<(), DbError> {
    let mut users: Vec<i64> = undo
        .iter()
        .chain(apply_now.iter())
        .map(|c| c.user_id)
        .collect();
    users.sort_unstable();
    users.dedup();
    for user_id in users {
        sqlx::query("UPDATE users SET reputation = reputation WHERE id = $1")
            .bind(user_id)
            .execute(&mut **tx)
            .await?;
    }
    for change in undo {
        reverse(tx, change).await?;
    }
    for change in apply_now {
        apply(tx, change).await?;
    }
    Ok(())
}

/// An answer taking part in an acceptance: `(answer id, author id)`.
pub type AnswerRef = (i64, i64);

/// Reputation and notification side of accepting an answer, called by the accept handler inside the
/// transaction that sets `posts.accepted_answer_id`. `old_answer` is the answer accepted before (if
/// any), `new_answer` the one accepted now (`None` to un-accept). The previous acceptance's events are
/// reversed; the new answerer gets +15 and the accepter +2 (nothing when accepting your own answer,
/// nothing for the bot), and the new answerer is notified.
pub async fn on_accept(
    tx: &mut Tx,
    old_answer: Option<AnswerRef>,
    new_answer: Option<AnswerRef>,
    accepter_id: i64,
) -> Result<(), DbError> {
    if old_answer == new_answer {
        return Ok(());
    }
    let undo = match old_answer {
        Some((answer_id, author_id)) => {
            accept_changes(tx, answer_id, author_id, accepter_id).await?
        }
        None => Vec::new(),
    };
    let apply_now = match new_answer {
        Some((answer_id, author_id)) => {
            accept_changes(tx, answer_id, author_id, accepter_id).await?
        }
        None => Vec::new(),
    };
    revise(tx, undo, apply_now).await?;
    if let Some((answer_id, author_id)) = new_answer {
        if author_id != accepter_id {
            super::notifications::notify_in(
                tx,
                super::notifications::NewNotification {
                    user_id: author_id,
                    kind: super::notifications::Kind::Accepted,
                    actor_id: Some(accepter_id),
                    post_id: Some(answer_id),
                    comment_id: None,
                    detail: String::new(),
                },
            )
            .await?;
        }
    }
    Ok(())
}

async fn accept_changes(
    tx: &mut Tx,
    answer_id: i64,
    author_id: i64,
    accepter_id: i64,
) -> Result<Vec<Change>, DbError> {
    if author_id == accepter_id || related(tx, author_id, accepter_id).await? {
        return Ok(Vec::new());
    }
    let row = sqlx::query(
        "SELECT p.kind, u.is_bot FROM posts p JOIN users u ON u.id = p.author_id WHERE p.id = $1",
    )
    .bind(answer_id)
    .fetch_optional(&mut **tx)
    .await?;
    let is_bot = match row {
        Some(row) => {
            row.try_get::<String, _>("kind")? == "bot_answer"
                || row.try_get::<i64, _>("is_bot")? != 0
        }
        None => false,
    };
    let mut changes = vec![Change {
        user_id: accepter_id,
        cause: Cause::AcceptedAnAnswer,
        delta: ACCEPTED_AN_ANSWER,
        post_id: answer_id,
        actor_id: accepter_id,
    }];
    if !is_bot {
        changes.push(Change {
            user_id: author_id,
            cause: Cause::AnswerAccepted,
            delta: ANSWER_ACCEPTED,
            post_id: answer_id,
            actor_id: accepter_id,
        });
    }
    Ok(changes)
}

/// One line of a user's reputation history.
#[derive(Debug, Clone)]
pub struct Event {
    pub delta: i64,
    /// A [`Cause`] as stored, possibly with `_reversed`.
    pub reason: String,
    pub post_id: Option<i64>,
    pub post_kind: Option<String>,
    pub parent_id: Option<i64>,
    /// The post's title, or its question's title for answers.
    pub title: String,
    pub at: i64,
}

/// A user's latest reputation events, newest first. A post that is no longer public (held, hidden,
/// deleted, or an answer whose question is) keeps its line but loses its title and link.
pub async fn recent_events(
    db: &super::Db,
    user_id: i64,
    limit: i64,
) -> Result<Vec<Event>, DbError> {
    let rows = sqlx::query(
        "SELECT e.delta, e.reason, e.post_id, \
                CASE WHEN p.parent_id IS NULL OR q.id IS NOT NULL THEN p.kind END AS kind, \
                p.parent_id, \
                CASE WHEN p.parent_id IS NULL OR q.id IS NOT NULL \
                     THEN COALESCE(NULLIF(p.title, ''), q.title, '') ELSE '' END AS title, e.at \
         FROM reputation_events e \
         LEFT JOIN posts p ON p.id = e.post_id AND p.status = 'published' \
         LEFT JOIN posts q ON q.id = p.parent_id AND q.status = 'published' \
         WHERE e.user_id = $1 ORDER BY e.id DESC LIMIT $2",
    )
    .bind(user_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Event {
                delta: r.try_get("delta")?,
                reason: r.try_get("reason")?,
                post_id: r.try_get("post_id")?,
                post_kind: r.try_get("kind")?,
                parent_id: r.try_get("parent_id")?,
                title: r.try_get("title")?,
                at: r.try_get("at")?,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reputation_never_drops_below_one_and_the_floor_is_paid_back_first() {
        assert_eq!(settle(1, 0, -2), (1, 2));
        assert_eq!(settle(2, 0, -2), (1, 1));
        assert_eq!(settle(10, 0, -2), (8, 0));
        assert_eq!(
            settle(1, 2, 2),
            (1, 0),
            "undoing the downvote at the floor gives nothing"
        );
        assert_eq!(settle(1, 2, 10), (9, 0));
    }

    #[test]
    fn the_order_of_events_does_not_matter() {
        let apply = |deltas: &[i64]| deltas.iter().fold((1, 0), |(r, s), d| settle(r, s, *d));
        let a = apply(&[10, -2, -2, -10, 2, 2, 15]);
        let b = apply(&[-2, -2, -10, 2, 15, 10, 2]);
        assert_eq!(a, b);
        assert_eq!(a, (16, 0));
    }

    #[test]
    fn upvotes_earn_by_post_kind() {
        let up = |kind| vote_changes(kind, 7, 2, false, 3, 1);
        assert_eq!(up("answer")[0].delta, 10);
        assert_eq!(up("article")[0].delta, 10);
        assert_eq!(up("question")[0].delta, 5);
        assert_eq!(up("question")[0].user_id, 2);
    }

    #[test]
    fn downvoting_an_answer_costs_the_voter_one() {
        let changes = vote_changes("answer", 7, 2, false, 3, -1);
        assert_eq!(changes.len(), 2);
        assert!(changes.contains(&Change {
            user_id: 3,
            cause: Cause::DownvoteCast,
            delta: -1,
            post_id: 7,
            actor_id: 3
        }));
        assert_eq!(vote_changes("question", 7, 2, false, 3, -1).len(), 1);
    }

    #[test]
    fn bot_answers_never_earn_or_cost() {
        assert!(vote_changes("bot_answer", 7, 2, false, 3, 1).is_empty());
        assert!(vote_changes("answer", 7, 2, true, 3, -1).is_empty());
        assert!(
            vote_changes("answer", 7, 2, false, 2, 1).is_empty(),
            "self votes earn nothing"
        );
    }
}
