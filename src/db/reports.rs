//! Queries behind the community-health reports. One day's figures ([`day_figures`]) are computed
//! once the day is over and stored in `report_rollups` ([`store_day`]); a period reads the rollups
//! ([`rollups_between`]) plus today's figures computed live. Questions keep one row each in
//! `report_questions` (times to the first human answer and to the accepted answer), filled in as
//! answers arrive ([`refresh_questions`]). Days are days since the Unix epoch, UTC.
use sqlx::Row;

use super::{Db, DbError};

pub const DAY_SECS: i64 = 86_400;

/// One rolled-up figure: `metric` (`active`, `signups`, `posts`, `contributor`, `tag`, `flags`,
/// `summaries_accepted`, `bot_asked`, `bot_abstained`), a `subject` (a post kind, a member id, a
/// tag name; empty for plain counts) and its value for the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub day: i64,
    pub metric: String,
    pub subject: String,
    pub value: i64,
}

/// Marks a day as rolled up (a row of its own, so a quiet day is not computed again).
const ROLLED: &str = "rolled";

/// Every figure of one day, computed from the content tables.
pub async fn day_figures(db: &Db, day: i64) -> Result<Vec<Figure>, DbError> {
    let (from, to) = (day * DAY_SECS, (day + 1) * DAY_SECS);
    let mut figures = Vec::new();
    let mut push = |metric: &str, subject: String, value: i64| {
        if value != 0 {
            figures.push(Figure {
                day,
                metric: metric.to_string(),
                subject,
                value,
            });
        }
    };
    let active: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_visits WHERE day = $1")
        .bind(day)
        .fetch_one(db.reader())
        .await?;
    push("active", String::new(), active);
    let in_day = [
        (
            "signups",
            "SELECT COUNT(*) FROM users WHERE created_at >= $1 AND created_at < $2 AND is_bot = 0",
        ),
        (
            "flags",
            "SELECT COUNT(*) FROM flags WHERE created_at >= $1 AND created_at < $2",
        ),
        (
            "summaries_accepted",
            "SELECT COUNT(*) FROM ai_summaries WHERE status = 'accepted' AND updated_at >= $1 \
             AND updated_at < $2",
        ),
        (
            "bot_asked",
            "SELECT COUNT(*) FROM bot_asks WHERE created_at >= $1 AND created_at < $2",
        ),
        (
            "bot_abstained",
            "SELECT COUNT(*) FROM bot_asks WHERE status = 'abstained' AND created_at >= $1 \
             AND created_at < $2",
        ),
    ];
    for (metric, sql) in in_day {
        let value: i64 = sqlx::query_scalar(sql)
            .bind(from)
            .bind(to)
            .fetch_one(db.reader())
            .await?;
        push(metric, String::new(), value);
    }
    let grouped = [
        (
            "posts",
            "SELECT kind AS subject, COUNT(*) AS n FROM posts WHERE created_at >= $1 \
             AND created_at < $2 AND status <> 'deleted' AND status <> 'draft' GROUP BY kind",
        ),
        (
            "contributor",
            "SELECT CAST(author_id AS TEXT) AS subject, COUNT(*) AS n FROM posts \
             WHERE created_at >= $1 AND created_at < $2 AND status = 'published' \
             AND kind <> 'bot_answer' GROUP BY author_id",
        ),
        (
            "tag",
            "SELECT t.name AS subject, COUNT(*) AS n FROM posts p \
             JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id \
             WHERE p.created_at >= $1 AND p.created_at < $2 AND p.status = 'published' \
             GROUP BY t.name",
        ),
    ];
    for (metric, sql) in grouped {
        let rows = sqlx::query(sql)
            .bind(from)
            .bind(to)
            .fetch_all(db.reader())
            .await?;
        for row in rows {
            push(metric, row.try_get("subject")?, row.try_get("n")?);
        }
    }
    Ok(figures)
}

/// Replaces one closed day's rollups (and marks it rolled) in one transaction.
pub async fn store_day(db: &Db, day: i64, figures: &[Figure]) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM report_rollups WHERE day = $1")
        .bind(day)
        .execute(&mut *tx)
        .await?;
    let marker = Figure {
        day,
        metric: ROLLED.to_string(),
        subject: String::new(),
        value: 1,
    };
    for figure in figures.iter().chain(std::iter::once(&marker)) {
        sqlx::query(
            "INSERT INTO report_rollups (day, metric, subject, value) VALUES ($1, $2, $3, $4)",
        )
        .bind(figure.day)
        .bind(&figure.metric)
        .bind(&figure.subject)
        .bind(figure.value)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

/// The last day rolled up, if any.
pub async fn last_rolled_day(db: &Db) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT MAX(day) FROM report_rollups WHERE metric = $1")
        .bind(ROLLED)
        .fetch_one(db.reader())
        .await
}

/// The first day anything happened (a member joined or a post was written).
pub async fn first_day(db: &Db) -> Result<Option<i64>, DbError> {
    let first: Option<i64> = sqlx::query_scalar(
        "SELECT MIN(t) FROM (SELECT MIN(created_at) AS t FROM users \
         UNION ALL SELECT MIN(created_at) AS t FROM posts) firsts",
    )
    .fetch_one(db.reader())
    .await?;
    Ok(first.map(|t| t.div_euclid(DAY_SECS)))
}

/// Stored figures for the days `from..=to`, except the per-member and per-tag ones (see
/// [`top_subjects`]).
pub async fn rollups_between(db: &Db, from: i64, to: i64) -> Result<Vec<Figure>, DbError> {
    let rows = sqlx::query(
        "SELECT day, metric, subject, value FROM report_rollups WHERE day >= $1 AND day <= $2 \
         AND metric NOT IN ($3, 'contributor', 'tag') ORDER BY day, metric, subject",
    )
    .bind(from)
    .bind(to)
    .bind(ROLLED)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Figure {
                day: r.try_get("day")?,
                metric: r.try_get("metric")?,
                subject: r.try_get("subject")?,
                value: r.try_get("value")?,
            })
        })
        .collect()
}

/// The `limit` subjects of `metric` (`contributor`, `tag`) with the largest sums over the days
/// `from..=to`, summed in the database.
pub async fn top_subjects(
    db: &Db,
    metric: &str,
    from: i64,
    to: i64,
    limit: i64,
) -> Result<Vec<(String, i64)>, DbError> {
    let rows = sqlx::query(
        "SELECT subject, CAST(SUM(value) AS BIGINT) AS total FROM report_rollups WHERE metric = $1 \
         AND day >= $2 AND day <= $3 GROUP BY subject ORDER BY total DESC, subject LIMIT $4",
    )
    .bind(metric)
    .bind(from)
    .bind(to)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("subject")?, r.try_get("total")?)))
        .collect()
}

/// Adds new questions to `report_questions` and fills in the times still missing — to the first
/// published human answer, and to the accepted answer — for questions asked since `since_day` (an
/// old question that never got an answer is not looked at again on every run). Returns how many
/// rows changed.
pub async fn refresh_questions(db: &Db, since_day: i64) -> Result<u64, DbError> {
    let added = sqlx::query(
        "INSERT INTO report_questions (question_id, asked_day) \
         SELECT id, created_at / 86400 FROM posts WHERE kind = 'question' AND status <> 'deleted' \
         AND status <> 'draft' \
         AND id > (SELECT COALESCE(MAX(question_id), 0) FROM report_questions) \
         ON CONFLICT (question_id) DO NOTHING",
    )
    .execute(db.writer())
    .await?;
    let answered = sqlx::query(
        "UPDATE report_questions SET first_answer_secs = (\
            SELECT MIN(a.created_at) - q.created_at FROM posts a JOIN posts q ON q.id = a.parent_id \
            WHERE a.parent_id = report_questions.question_id AND a.kind = 'answer' \
            AND a.status = 'published' GROUP BY q.created_at) \
         WHERE first_answer_secs IS NULL AND asked_day >= $1",
    )
    .bind(since_day)
    .execute(db.writer())
    .await?;
    let accepted = sqlx::query(
        "UPDATE report_questions SET accepted_secs = (\
            SELECT a.created_at - q.created_at FROM posts q JOIN posts a ON a.id = q.accepted_answer_id \
            WHERE q.id = report_questions.question_id) \
         WHERE accepted_secs IS NULL AND asked_day >= $1",
    )
    .bind(since_day)
    .execute(db.writer())
    .await?;
    Ok(added.rows_affected() + answered.rows_affected() + accepted.rows_affected())
}

/// Questions asked on `from..=to`: how many, answered, accepted, and the median seconds to the
/// first answer and to the accepted answer.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct QuestionFigures {
    pub asked: i64,
    pub answered: i64,
    pub accepted: i64,
    pub median_first_answer_secs: Option<i64>,
    pub median_accepted_secs: Option<i64>,
}

pub async fn question_figures(db: &Db, from: i64, to: i64) -> Result<QuestionFigures, DbError> {
    let row = sqlx::query(
        "SELECT COUNT(*) AS asked, COUNT(first_answer_secs) AS answered, \
         COUNT(accepted_secs) AS accepted FROM report_questions \
         WHERE asked_day >= $1 AND asked_day <= $2",
    )
    .bind(from)
    .bind(to)
    .fetch_one(db.reader())
    .await?;
    let answered: i64 = row.try_get("answered")?;
    let accepted: i64 = row.try_get("accepted")?;
    Ok(QuestionFigures {
        asked: row.try_get("asked")?,
        answered,
        accepted,
        median_first_answer_secs: median(db, "first_answer_secs", from, to, answered).await?,
        median_accepted_secs: median(db, "accepted_secs", from, to, accepted).await?,
    })
}

/// The (lower) median of a `report_questions` column over `count` known values.
async fn median(
    db: &Db,
    column: &'static str,
    from: i64,
    to: i64,
    count: i64,
) -> Result<Option<i64>, DbError> {
    if count == 0 {
        return Ok(None);
    }
    let sql = format!(
        "SELECT {column} FROM report_questions WHERE asked_day >= $1 AND asked_day <= $2 \
         AND {column} IS NOT NULL ORDER BY {column} LIMIT 1 OFFSET $3"
    );
    sqlx::query_scalar(&sql)
        .bind(from)
        .bind(to)
        .bind((count - 1) / 2)
        .fetch_optional(db.reader())
        .await
}

/// Flags resolved within `[from_secs, to_secs)`: how many, and the (lower) median seconds from
/// filing to resolution.
pub async fn flag_resolution(
    db: &Db,
    from_secs: i64,
    to_secs: i64,
) -> Result<(i64, Option<i64>), DbError> {
    let count: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM flags WHERE resolved_at >= $1 AND resolved_at < $2",
    )
    .bind(from_secs)
    .bind(to_secs)
    .fetch_one(db.reader())
    .await?;
    if count == 0 {
        return Ok((0, None));
    }
    let median = sqlx::query_scalar(
        "SELECT resolved_at - created_at AS secs FROM flags WHERE resolved_at >= $1 \
         AND resolved_at < $2 ORDER BY secs LIMIT 1 OFFSET $3",
    )
    .bind(from_secs)
    .bind(to_secs)
    .bind((count - 1) / 2)
    .fetch_optional(db.reader())
    .await?;
    Ok((count, median))
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

/// Sign-up cohorts by week (weeks start on Monday) for members who joined on `from..=to`.
pub async fn cohorts(db: &Db, from: i64, to: i64) -> Result<Vec<Cohort>, DbError> {
    // Day 0 (1970-01-01) was a Thursday: day + 3 counts from a Monday.
    let rows = sqlx::query(
        "SELECT ((u.created_at / 86400 + 3) / 7) * 7 - 3 AS week_start, COUNT(*) AS joined, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM user_visits v WHERE v.user_id = u.id \
             AND v.day >= u.created_at / 86400 + 7) THEN 1 ELSE 0 END) AS retained_7, \
         SUM(CASE WHEN EXISTS (SELECT 1 FROM user_visits v WHERE v.user_id = u.id \
             AND v.day >= u.created_at / 86400 + 30) THEN 1 ELSE 0 END) AS retained_30 \
         FROM users u WHERE u.created_at >= $1 AND u.created_at < $2 AND u.is_bot = 0 \
         GROUP BY ((u.created_at / 86400 + 3) / 7) ORDER BY week_start",
    )
    .bind(from * DAY_SECS)
    .bind((to + 1) * DAY_SECS)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(Cohort {
                week_start: r.try_get("week_start")?,
                joined: r.try_get("joined")?,
                retained_7: r.try_get("retained_7")?,
                retained_30: r.try_get("retained_30")?,
            })
        })
        .collect()
}

/// A published question nobody has answered for 48 hours.
#[derive(Debug, Clone)]
pub struct Unanswered {
    pub id: i64,
    pub title: String,
    pub slug: String,
    pub created_at: i64,
}

/// The oldest-waiting questions first, asked before `before` and still without answers.
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
