//! Queries behind the community-health reports, the rollup side. Everything a period shows is
//! stored per day in `report_sums(metric, day, subject, value)` by the `report_rollup` job, so
//! reading a period ([`read`]) costs rows per day of the period, never per post or member (the
//! table is keyed by metric, then day):
//! - a closed day's figures ([`day_figures`], stored by [`store_day`]): counts, posts per kind, the
//!   day's [`TOP_KEPT`] contributors and tags, and flag resolution times as a histogram;
//! - a closed week's contributors and tags summed exactly, top [`TOP_KEPT`] kept ([`week_figures`]),
//!   so a long period sums a row block per week instead of one per day;
//! - per day a question was asked: questions asked and histograms of the times to the first human
//!   answer and to the accepted answer ([`store_question_days`], kept current from
//!   `report_questions` as answers arrive);
//! - per sign-up day: members who came back 7 and 30 days or more after joining
//!   ([`refresh_cohorts`]).
//!
//! Durations are kept in buckets ([`bucket_sql`]): to the minute below 48 hours, to the hour below
//! 30 days, to the day beyond; a median is its bucket's lower bound. Days are days since the Unix
//! epoch, UTC; weeks start on Monday.
pub mod read;

use std::collections::BTreeSet;

use sqlx::Row;

use super::plans::{Arg, ListQuery};
use super::{Backend, Db, DbError};

pub use read::{Cohort, QuestionFigures, Unanswered};

pub const DAY_SECS: i64 = 86_400;

/// Contributors and tags kept per day and per week: a period's top list is exact whenever no day
/// (or week) it sums had more than this many; otherwise a total counts only the days or weeks the
/// member or tag was among that block's best.
pub const TOP_KEPT: i64 = 50;

/// One rolled-up figure: `metric`, a `subject` (a post kind, a member id, a tag name, a duration
/// bucket in seconds; empty for plain counts) and its value for the day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Figure {
    pub day: i64,
    pub metric: String,
    pub subject: String,
    pub value: i64,
}

/// Marks a day (or a week, on its Monday) as rolled up, so a quiet one is not computed again.
const ROLLED: &str = "rolled";
const ROLLED_WEEK: &str = "rolled_week";
/// Marks the question figures as summed per day from `report_questions` (see
/// [`refresh_questions`]).
const QUESTIONS_SUMMED: &str = "questions_summed";
/// Marks a day's rows as the job's count of a day still open (today); its value is when it was
/// counted (seconds since the epoch). [`store_day`] replaces them once the day has closed.
const PARTIAL: &str = "partial";
/// The metrics a day's count ([`day_figures`]) yields; [`store_day`] and [`store_partial`] own
/// them (the rest of a day's rows are kept by the other refreshes).
pub const DAY_OWNED: [&str; 10] = [
    "active",
    "signups",
    "posts",
    "contributor",
    "tag",
    "flags",
    "summaries_accepted",
    "bot_asked",
    "bot_abstained",
    "flag_resolution",
];

/// `DAY_OWNED` and the markers, as an SQL list.
fn day_metrics_sql() -> String {
    let names: Vec<String> = DAY_OWNED
        .iter()
        .chain(&[ROLLED, PARTIAL])
        .map(|m| format!("'{m}'"))
        .collect();
    format!("({})", names.join(", "))
}

/// The bucket a duration of `secs` seconds (an SQL expression) falls in, as its lower bound: the
/// minute below 48 hours, the hour below 30 days, the day beyond.
pub fn bucket_sql(secs: &str) -> String {
    format!(
        "(CASE WHEN {secs} < 172800 THEN ({secs} / 60) * 60 \
         WHEN {secs} < 2592000 THEN ({secs} / 3600) * 3600 ELSE ({secs} / 86400) * 86400 END)"
    )
}

/// The Monday of the week `day` falls in (day 0, 1970-01-01, was a Thursday).
pub fn week_start(day: i64) -> i64 {
    (day + 3).div_euclid(7) * 7 - 3
}

async fn count_in(db: &Db, sql: &str, from: i64, to: i64) -> Result<i64, DbError> {
    sqlx::query_scalar(sql)
        .bind(from)
        .bind(to)
        .fetch_one(db.reader())
        .await
}

/// `(subject, n)` rows of a grouped query over `[from, to)`.
async fn grouped_in(db: &Db, sql: &str, from: i64, to: i64) -> Result<Vec<(String, i64)>, DbError> {
    let rows = sqlx::query(sql)
        .bind(from)
        .bind(to)
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| Ok((r.try_get("subject")?, r.try_get("n")?)))
        .collect()
}

/// Posts per member and per tag written in `[from, to)` seconds, the [`TOP_KEPT`] best of each.
async fn contributors_and_tags(
    db: &Db,
    from: i64,
    to: i64,
) -> Result<[Vec<(String, i64)>; 2], DbError> {
    let contributors = format!(
        "SELECT CAST(author_id AS TEXT) AS subject, COUNT(*) AS n FROM posts \
         WHERE created_at >= $1 AND created_at < $2 AND status = 'published' \
         AND kind <> 'bot_answer' GROUP BY author_id ORDER BY n DESC, author_id LIMIT {TOP_KEPT}"
    );
    let tags = format!(
        "SELECT t.name AS subject, COUNT(*) AS n FROM posts p \
         JOIN post_tags pt ON pt.post_id = p.id JOIN tags t ON t.id = pt.tag_id \
         WHERE p.created_at >= $1 AND p.created_at < $2 AND p.status = 'published' \
         GROUP BY t.name ORDER BY n DESC, t.name LIMIT {TOP_KEPT}"
    );
    Ok([
        grouped_in(db, &contributors, from, to).await?,
        grouped_in(db, &tags, from, to).await?,
    ])
}

/// Every figure of one day, computed from the content tables (indexed time ranges).
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
        push(metric, String::new(), count_in(db, sql, from, to).await?);
    }
    let posts = grouped_in(
        db,
        "SELECT kind AS subject, COUNT(*) AS n FROM posts WHERE created_at >= $1 \
         AND created_at < $2 AND status <> 'deleted' AND status <> 'draft' GROUP BY kind",
        from,
        to,
    )
    .await?;
    let resolution = format!(
        "SELECT CAST(b AS TEXT) AS subject, COUNT(*) AS n FROM (SELECT {} AS b FROM flags \
         WHERE resolved_at >= $1 AND resolved_at < $2) x GROUP BY b",
        bucket_sql("(resolved_at - created_at)")
    );
    let resolution = grouped_in(db, &resolution, from, to).await?;
    let [contributors, tags] = contributors_and_tags(db, from, to).await?;
    for (metric, rows) in [
        ("posts", posts),
        ("flag_resolution", resolution),
        ("contributor", contributors),
        ("tag", tags),
    ] {
        for (subject, n) in rows {
            push(metric, subject, n);
        }
    }
    Ok(figures)
}

/// Inserts `figures` in an open transaction.
async fn insert_all(tx: &mut super::Tx, figures: &[Figure]) -> Result<(), DbError> {
    for figure in figures {
        sqlx::query(
            "INSERT INTO report_sums (day, metric, subject, value) VALUES ($1, $2, $3, $4)",
        )
        .bind(figure.day)
        .bind(&figure.metric)
        .bind(&figure.subject)
        .bind(figure.value)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// Replaces one closed day's figures (and marks it rolled) in one transaction.
pub async fn store_day(db: &Db, day: i64, figures: &[Figure]) -> Result<(), DbError> {
    replace_day(db, day, figures, ROLLED, 1).await
}

/// Replaces the figures of `day`, still open, with its count made at `counted_at`: read like a
/// closed day's until the day closes (the report reads them while they are fresh, see
/// [`read::partial_counted_at`]).
pub async fn store_partial(
    db: &Db,
    day: i64,
    figures: &[Figure],
    counted_at: i64,
) -> Result<(), DbError> {
    replace_day(db, day, figures, PARTIAL, counted_at).await
}

async fn replace_day(
    db: &Db,
    day: i64,
    figures: &[Figure],
    marker: &str,
    value: i64,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(&format!(
        "DELETE FROM report_sums WHERE day = $1 AND metric IN {}",
        day_metrics_sql()
    ))
    .bind(day)
    .execute(&mut *tx)
    .await?;
    let marker = Figure {
        day,
        metric: marker.to_string(),
        subject: String::new(),
        value,
    };
    insert_all(&mut tx, figures).await?;
    insert_all(&mut tx, std::slice::from_ref(&marker)).await?;
    tx.commit().await
}

/// The last day (or week, by its Monday) rolled up, if any.
pub async fn last_rolled(db: &Db, week: bool) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT MAX(day) FROM report_sums WHERE metric = $1")
        .bind(if week { ROLLED_WEEK } else { ROLLED })
        .fetch_one(db.reader())
        .await
}

/// The contributors and tags of the week starting on Monday `week`, summed over its seven days
/// from the content tables, the [`TOP_KEPT`] best of each, stored on the Monday as
/// `contributor_week` and `tag_week` (and the week marked rolled).
pub async fn store_week(db: &Db, week: i64) -> Result<(), DbError> {
    let [contributors, tags] =
        contributors_and_tags(db, week * DAY_SECS, (week + 7) * DAY_SECS).await?;
    let mut figures: Vec<Figure> = Vec::new();
    for (metric, rows) in [("contributor_week", contributors), ("tag_week", tags)] {
        figures.extend(rows.into_iter().map(|(subject, value)| Figure {
            day: week,
            metric: metric.to_string(),
            subject,
            value,
        }));
    }
    figures.push(Figure {
        day: week,
        metric: ROLLED_WEEK.to_string(),
        subject: String::new(),
        value: 1,
    });
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "DELETE FROM report_sums WHERE day = $1 \
         AND metric IN ('contributor_week', 'tag_week', 'rolled_week')",
    )
    .bind(week)
    .execute(&mut *tx)
    .await?;
    insert_all(&mut tx, &figures).await?;
    tx.commit().await
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

/// Questions one statement of [`refresh_questions`] adds, and how many one run adds at most.
const QUESTIONS_PER_BATCH: i64 = 20_000;
const QUESTIONS_PER_RUN: i64 = 400_000;

/// Seconds from a question to its first published human answer (an SQL expression over
/// `report_questions`). SQLite, which plans without statistics, would find the earliest answer
/// by walking every published answer in time order along `posts_by_kind_new` until one is the
/// question's (23.6 s for the 1,295 newest questions of the 10k bench forum; past the statement
/// deadline at a million posts); it is told to read the question's answers by `posts_by_parent`.
fn first_answer_secs(backend: Backend) -> String {
    let by_parent = match backend {
        Backend::Sqlite => " INDEXED BY posts_by_parent",
        Backend::Postgres => "",
    };
    format!(
        "(SELECT MIN(a.created_at) FROM posts a{by_parent} \
         WHERE a.parent_id = report_questions.question_id AND a.kind = 'answer' \
         AND a.status = 'published') - (SELECT q.created_at FROM posts q \
         WHERE q.id = report_questions.question_id)"
    )
}

/// The last id of the next batch of questions after `$1` (at most `$2` of them), read by id (the
/// table's own order): SQLite would rather read every question from `posts_by_kind_score` and
/// sort them.
fn batch_end_sql(backend: Backend) -> String {
    let by_id = match backend {
        Backend::Sqlite => " NOT INDEXED",
        Backend::Postgres => "",
    };
    format!(
        "SELECT MAX(id) FROM (SELECT id FROM posts{by_id} WHERE kind = 'question' AND id > $1 \
         ORDER BY id LIMIT $2) batch"
    )
}

/// The rollup's reads of `posts` that SQLite is told how to plan, for the plan check
/// (`every_list_query_is_served_by_an_index`), which fails if a hint is lost: the batch, and the
/// time to the first answer as the rollup's update computes it, for a range of questions.
/// PostgreSQL plans them from its statistics.
pub fn list_queries(backend: Backend) -> Vec<ListQuery> {
    if backend != Backend::Sqlite {
        return Vec::new();
    }
    vec![
        ListQuery::new(
            "report question batch",
            batch_end_sql(backend),
            vec![Arg::Int(0), Arg::Int(QUESTIONS_PER_BATCH)],
        )
        .served_by(&["INTEGER PRIMARY KEY"]),
        ListQuery::new(
            "report time to first answer",
            format!(
                "SELECT {} AS secs FROM report_questions WHERE question_id > $1",
                first_answer_secs(backend)
            ),
            vec![Arg::Int(0)],
        )
        .served_by(&["posts_by_parent"]),
    ]
}

/// Seconds from a question to its accepted answer.
const ACCEPTED_SECS: &str = "(SELECT a.created_at - q.created_at FROM posts q \
     JOIN posts a ON a.id = q.accepted_answer_id WHERE q.id = report_questions.question_id)";

/// Adds new questions to `report_questions` and fills in the times still missing — to the first
/// published human answer, and to the accepted answer — for questions asked since `since_day` (an
/// old question that never got an answer is not looked at again on every run). Returns the days
/// whose questions changed, for [`store_question_days`].
pub async fn refresh_questions(db: &Db, since_day: i64) -> Result<BTreeSet<i64>, DbError> {
    let first_answer = first_answer_secs(db.backend());
    let batch_end = batch_end_sql(db.backend());
    let mut before: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(question_id), 0) FROM report_questions")
            .fetch_one(db.reader())
            .await?;
    // New questions a batch at a time, so no statement grows with a backlog (a forum's first run
    // over a million questions would outlast the statement deadline); a backlog larger than
    // `QUESTIONS_PER_RUN` is caught up over the next runs.
    let mut new_days = Vec::new();
    for _ in 0..QUESTIONS_PER_RUN / QUESTIONS_PER_BATCH {
        let last: Option<i64> = sqlx::query_scalar(&batch_end)
            .bind(before)
            .bind(QUESTIONS_PER_BATCH)
            .fetch_one(db.reader())
            .await?;
        let Some(last) = last else { break };
        sqlx::query(
            "INSERT INTO report_questions (question_id, asked_day) \
             SELECT id, created_at / 86400 FROM posts WHERE kind = 'question' \
             AND status <> 'deleted' AND status <> 'draft' AND id > $1 AND id <= $2 \
             ON CONFLICT (question_id) DO NOTHING",
        )
        .bind(before)
        .bind(last)
        .execute(db.writer())
        .await?;
        // New questions get their times at once, whatever their age (a forum's first run).
        let days: Vec<i64> = sqlx::query_scalar(&format!(
            "UPDATE report_questions SET first_answer_secs = {first_answer}, \
             accepted_secs = {ACCEPTED_SECS} WHERE question_id > $1 AND question_id <= $2 \
             RETURNING asked_day"
        ))
        .bind(before)
        .bind(last)
        .fetch_all(db.writer())
        .await?;
        new_days.extend(days);
        before = last;
    }
    let answered: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE report_questions SET first_answer_secs = {first_answer} \
         WHERE first_answer_secs IS NULL AND asked_day >= $1 AND EXISTS (SELECT 1 FROM posts a \
         WHERE a.parent_id = report_questions.question_id AND a.kind = 'answer' \
         AND a.status = 'published') RETURNING asked_day"
    ))
    .bind(since_day)
    .fetch_all(db.writer())
    .await?;
    let accepted: Vec<i64> = sqlx::query_scalar(&format!(
        "UPDATE report_questions SET accepted_secs = {ACCEPTED_SECS} \
         WHERE accepted_secs IS NULL AND asked_day >= $1 AND EXISTS (SELECT 1 FROM posts q \
         WHERE q.id = report_questions.question_id AND q.accepted_answer_id IS NOT NULL) \
         RETURNING asked_day"
    ))
    .bind(since_day)
    .fetch_all(db.writer())
    .await?;
    let mut days: BTreeSet<i64> = new_days
        .into_iter()
        .chain(answered)
        .chain(accepted)
        .collect();
    // Questions counted before the sums existed (a forum upgraded from the first layout): every
    // day they were asked is summed once.
    let summed: Option<i64> =
        sqlx::query_scalar("SELECT MAX(day) FROM report_sums WHERE metric = $1")
            .bind(QUESTIONS_SUMMED)
            .fetch_one(db.reader())
            .await?;
    if summed.is_none() {
        let all: Vec<i64> = sqlx::query_scalar("SELECT DISTINCT asked_day FROM report_questions")
            .fetch_all(db.reader())
            .await?;
        days.extend(all);
    }
    Ok(days)
}

/// Recomputes the question figures of each day in `days` from `report_questions`: questions
/// asked that day (`asked`) and histograms of the times to the first answer (`first_answer`)
/// and to the accepted answer (`accepted`), subject = bucket.
pub async fn store_question_days(db: &Db, days: &BTreeSet<i64>) -> Result<(), DbError> {
    for &day in days {
        let mut tx = db.begin_write().await?;
        sqlx::query(
            "DELETE FROM report_sums WHERE day = $1 \
             AND metric IN ('asked', 'first_answer', 'accepted')",
        )
        .bind(day)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "INSERT INTO report_sums (day, metric, subject, value) \
             SELECT CAST($1 AS BIGINT), 'asked', '', COUNT(*) FROM report_questions \
             WHERE asked_day = $1 HAVING COUNT(*) > 0",
        )
        .bind(day)
        .execute(&mut *tx)
        .await?;
        for (metric, column) in [
            ("first_answer", "first_answer_secs"),
            ("accepted", "accepted_secs"),
        ] {
            sqlx::query(&format!(
                "INSERT INTO report_sums (day, metric, subject, value) \
                 SELECT CAST($1 AS BIGINT), '{metric}', CAST(b AS TEXT), COUNT(*) \
                 FROM (SELECT {} AS b FROM report_questions WHERE asked_day = $1 \
                 AND {column} IS NOT NULL) x GROUP BY b",
                bucket_sql(column)
            ))
            .bind(day)
            .execute(&mut *tx)
            .await?;
        }
        tx.commit().await?;
    }
    sqlx::query(
        "INSERT INTO report_sums (metric, day, subject, value) VALUES ($1, 0, '', 1) \
         ON CONFLICT (metric, day, subject) DO NOTHING",
    )
    .bind(QUESTIONS_SUMMED)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Recomputes, for every sign-up day from `since_day`, how many members who joined that day came
/// back 7 (`retained_7`) and 30 days or more (`retained_30`) after joining. Members who joined
/// that day are the day's `signups`.
pub async fn refresh_cohorts(db: &Db, since_day: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "DELETE FROM report_sums WHERE day >= $1 AND metric IN ('retained_7', 'retained_30')",
    )
    .bind(since_day)
    .execute(&mut *tx)
    .await?;
    for (metric, after) in [("retained_7", 7), ("retained_30", 30)] {
        sqlx::query(&format!(
            "INSERT INTO report_sums (day, metric, subject, value) \
             SELECT d, '{metric}', '', COUNT(*) FROM (SELECT u.created_at / 86400 AS d FROM users u \
             WHERE u.created_at >= $1 AND u.is_bot = 0 AND EXISTS (SELECT 1 FROM user_visits v \
             WHERE v.user_id = u.id AND v.day >= u.created_at / 86400 + {after})) x GROUP BY d"
        ))
        .bind(since_day * DAY_SECS)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await
}

#[cfg(test)]
mod tests {
    #[test]
    fn weeks_start_on_monday() {
        // 2026-11-30 was a Monday: day 20787.
        assert_eq!(super::week_start(20_787), 20_787);
        assert_eq!(super::week_start(20_793), 20_787);
        assert_eq!(super::week_start(20_794), 20_794);
        assert_eq!(super::week_start(0), -3);
    }
}
