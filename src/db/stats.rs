//! Figures for the admin dashboard: totals, queue sizes and per-day series.
use super::{Db, DbError};

/// What the dashboard counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Totals {
    pub users: i64,
    pub articles: i64,
    pub questions: i64,
    pub answers: i64,
    pub open_flags: i64,
    /// Posts and comments waiting for a moderator (held by rules or new).
    pub pending: i64,
    pub hidden: i64,
    pub queued_jobs: i64,
}

/// The totals, from the counters triggers keep in `row_counts` (one small read, whatever the size
/// of the forum) rather than a `COUNT(*)` over each table per visit.
pub async fn totals(db: &Db) -> Result<Totals, DbError> {
    let counts = row_counts(db, "").await?;
    let sum = |keys: &[&str]| -> i64 {
        counts
            .iter()
            .filter(|(name, _)| keys.contains(&name.as_str()))
            .map(|(_, value)| *value)
            .sum()
    };
    Ok(Totals {
        users: sum(&["users:member"]),
        articles: sum(&["posts:article:published"]),
        questions: sum(&["posts:question:published"]),
        answers: sum(&["posts:answer:published", "posts:bot_answer:published"]),
        open_flags: sum(&["flags:open"]),
        pending: counts
            .iter()
            .filter(|(name, _)| name.starts_with("posts:") && name.ends_with(":pending"))
            .map(|(_, value)| *value)
            .sum::<i64>()
            + sum(&["comments:pending"]),
        hidden: counts
            .iter()
            .filter(|(name, _)| name.starts_with("posts:") && name.ends_with(":hidden"))
            .map(|(_, value)| *value)
            .sum::<i64>()
            + sum(&["comments:hidden"]),
        queued_jobs: sum(&["jobs:queued", "jobs:running"]),
    })
}

/// The maintained counters whose name starts with `prefix` (`posts:question:published`,
/// `jobs:queued`, ...), as `(name, value)`.
pub async fn row_counts(db: &Db, prefix: &str) -> Result<Vec<(String, i64)>, DbError> {
    sqlx::query_as("SELECT name, value FROM row_counts WHERE name LIKE $1 ORDER BY name")
        .bind(format!("{prefix}%"))
        .fetch_all(db.reader())
        .await
}

/// The `days` values of the daily counter `name` (`daily_counts`, kept by triggers) ending with the
/// day of `now`, oldest first, zeros kept: one read of at most `days` rows whatever was written.
async fn per_day(db: &Db, name: &str, now: i64, days: i64) -> Result<Vec<i64>, DbError> {
    let today = now.div_euclid(86_400);
    let first = today - days + 1;
    let rows: Vec<(i64, i64)> = sqlx::query_as(
        "SELECT day, value FROM daily_counts WHERE name = $1 AND day >= $2 AND day <= $3",
    )
    .bind(name)
    .bind(first)
    .bind(today)
    .fetch_all(db.reader())
    .await?;
    let mut series = vec![0; days as usize];
    for (day, count) in rows {
        if let Some(slot) = usize::try_from(day - first)
            .ok()
            .and_then(|i| series.get_mut(i))
        {
            *slot = count;
        }
    }
    Ok(series)
}

/// Sign-ups per day (bots left out).
pub async fn signups_per_day(db: &Db, now: i64, days: i64) -> Result<Vec<i64>, DbError> {
    per_day(db, "signups", now, days).await
}

/// Posts (articles, questions and answers) written per day.
pub async fn posts_per_day(db: &Db, now: i64, days: i64) -> Result<Vec<i64>, DbError> {
    per_day(db, "posts", now, days).await
}
