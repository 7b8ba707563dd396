//! Queries behind the community-health reports, the read side: a period's stored rows (a few per
//! day), its top contributors and tags summed over week and day blocks, and the two live lists
//! (members active in a window, questions waiting for an answer), each an indexed range.
use sqlx::Row;

use super::{week_start, Figure};
use crate::db::{Db, DbError};

/// The stored per-day metrics a period's report adds up (see the module of the rollups).
const PERIOD_METRICS: &str = "('active', 'signups', 'posts', 'flags', 'summaries_accepted', \
     'bot_asked', 'bot_abstained', 'flag_resolution', 'asked', 'first_answer', 'accepted', \
     'retained_7', 'retained_30')";

/// Stored figures for the days `from..=to`, except the per-member and per-tag ones (see
/// [`top_subjects`]).
pub async fn rollups_between(db: &Db, from: i64, to: i64) -> Result<Vec<Figure>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT day, metric, subject, value FROM report_sums WHERE metric IN {PERIOD_METRICS} \
         AND day >= $1 AND day <= $2"
    ))
    .bind(from)
    .bind(to)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(figure).collect()
}

/// Posts written since `from` (seconds), counted up to `cap` at most (an index range that stops).
pub async fn posts_since(db: &Db, from: i64, cap: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM (SELECT 1 FROM posts WHERE created_at >= $1 LIMIT $2) recent",
    )
    .bind(from)
    .bind(cap)
    .fetch_one(db.reader())
    .await
}

/// When the job counted the partial rows of `day` (a day still open), if it has.
pub async fn partial_counted_at(db: &Db, day: i64) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT value FROM report_sums WHERE metric = $1 AND day = $2")
        .bind(super::PARTIAL)
        .bind(day)
        .fetch_optional(db.reader())
        .await
}

/// The per-member and per-tag figures stored for one day (its best [`super::TOP_KEPT`] of each).
pub async fn subjects_of_day(db: &Db, day: i64) -> Result<Vec<Figure>, DbError> {
    let rows = sqlx::query(
        "SELECT day, metric, subject, value FROM report_sums \
         WHERE metric IN ('contributor', 'tag') AND day = $1",
    )
    .bind(day)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(figure).collect()
}

fn figure(r: &sqlx::any::AnyRow) -> Result<Figure, DbError> {
    Ok(Figure {
        day: r.try_get("day")?,
        metric: r.try_get("metric")?,
        subject: r.try_get("subject")?,
        value: r.try_get("value")?,
    })
}

/// How the closed days `from..=to` split into blocks: the whole weeks inside (Mondays
/// `weeks.0..=weeks.1`, only weeks rolled up, through `rolled_week`) and the days around them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Blocks {
    /// Days `from..first_monday` and `after_weeks..=to` are read day by day.
    pub from: i64,
    pub first_monday: i64,
    pub last_monday: i64,
    pub to: i64,
}

impl Blocks {
    pub fn of(from: i64, to: i64, rolled_week: Option<i64>) -> Blocks {
        let first_monday = week_start(from + 6);
        let last_full = week_start(to + 1) - 7;
        let last_monday = rolled_week.map_or(first_monday - 7, |w| last_full.min(w));
        if last_monday < first_monday {
            // No whole week: every day read on its own.
            return Blocks {
                from,
                first_monday: to + 1,
                last_monday: to - 6,
                to,
            };
        }
        Blocks {
            from,
            first_monday,
            last_monday,
            to,
        }
    }

    /// The last day covered by a week row.
    fn weeks_end(self) -> i64 {
        self.last_monday + 6
    }
}

/// The `limit` subjects of `metric` (`contributor`, `tag`) with the largest sums over `blocks`
/// (week rows for the whole weeks, day rows around them; three index ranges), summed in the
/// database.
pub async fn top_subjects(
    db: &Db,
    metric: &str,
    blocks: Blocks,
    limit: i64,
) -> Result<Vec<(String, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT subject, CAST(SUM(value) AS BIGINT) AS total FROM (\
         SELECT subject, value FROM report_sums WHERE metric = $1 AND day >= $2 AND day < $3 \
         UNION ALL SELECT subject, value FROM report_sums WHERE metric = $1 AND day > $4 \
         AND day <= $5 \
         UNION ALL SELECT subject, value FROM report_sums WHERE metric = $6 AND day >= $3 \
         AND day <= $7) blocks GROUP BY subject ORDER BY total DESC, subject LIMIT $8",
    )
    .bind(metric)
    .bind(blocks.from)
    .bind(blocks.first_monday)
    .bind(blocks.weeks_end())
    .bind(blocks.to)
    .bind(format!("{metric}_week"))
    .bind(blocks.last_monday)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("subject")?, r.try_get("total")?)))
        .collect()
}

/// Questions asked on a period: how many, answered, accepted, and the median seconds (the lower
/// bound of the median's bucket) to the first answer and to the accepted answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuestionFigures {
    pub asked: i64,
    pub answered: i64,
    pub accepted: i64,
    pub median_first_answer_secs: Option<i64>,
    pub median_accepted_secs: Option<i64>,
}

/// Members who visited on any of the days `from..=to`.
pub async fn active_between(db: &Db, from: i64, to: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "SELECT COUNT(DISTINCT user_id) FROM user_visits WHERE day >= $1 AND day <= $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.reader())
    .await
}

/// One sign-up week: its first day, members who joined, and how many of them came back 7 and
/// 30 days or more after joining.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cohort {
    pub week_start: i64,
    pub joined: i64,
    pub retained_7: i64,
    pub retained_30: i64,
}

/// A published question nobody has answered for 48 hours.
#[derive(Debug, Clone)]
pub struct Unanswered {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub created_at: i64,
}

/// The oldest-waiting questions first, asked before `before` and still without answers (a
/// backward walk of `posts_unanswered`).
pub async fn unanswered_before(
    db: &Db,
    before: i64,
    limit: i64,
) -> Result<Vec<Unanswered>, DbError> {
    let rows = sqlx::query(
        "SELECT id, title, slug, created_at FROM posts WHERE kind = 'question' \
         AND status = 'published' AND created_at < $1 AND answer_count = 0 \
         ORDER BY created_at DESC, id DESC LIMIT $2",
    )
    .bind(before)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Unanswered {
                id: r.try_get("id")?,
                title: r.try_get("title")?,
                slug: r.try_get("slug")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Usernames of the given member ids (top contributors are rolled up by id).
pub async fn usernames(db: &Db, ids: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    let mut names = Vec::with_capacity(ids.len());
    for id in ids {
        let name: Option<String> = sqlx::query_scalar("SELECT username FROM users WHERE id = $1")
            .bind(id)
            .fetch_optional(db.reader())
            .await?;
        if let Some(name) = name {
            names.push((*id, name));
        }
    }
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::Blocks;

    // Day 20787 (2026-11-30) was a Monday.
    const MONDAY: i64 = 20_787;

    #[test]
    fn whole_weeks_are_read_as_weeks_and_the_days_around_them_one_by_one() {
        let b = Blocks::of(MONDAY - 2, MONDAY + 15, Some(MONDAY + 7));
        assert_eq!((b.first_monday, b.last_monday), (MONDAY, MONDAY + 7));
        assert_eq!(b.weeks_end(), MONDAY + 13);
        // A week not rolled up yet is read by its days.
        let b = Blocks::of(MONDAY - 2, MONDAY + 15, Some(MONDAY));
        assert_eq!((b.first_monday, b.weeks_end()), (MONDAY, MONDAY + 6));
    }

    #[test]
    fn a_period_without_a_whole_week_is_read_by_days() {
        for rolled in [None, Some(MONDAY + 70)] {
            let b = Blocks::of(MONDAY + 1, MONDAY + 7, rolled);
            assert_eq!((b.first_monday, b.weeks_end()), (b.to + 1, b.to), "{b:?}");
        }
        let b = Blocks::of(MONDAY, MONDAY + 6, Some(MONDAY));
        assert_eq!((b.first_monday, b.weeks_end()), (MONDAY, MONDAY + 6));
    }
}
