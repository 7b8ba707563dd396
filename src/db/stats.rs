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

pub async fn totals(db: &Db) -> Result<Totals, DbError> {
    let scalar = |sql: &'static str| async move {
        sqlx::query_scalar::<_, i64>(sql)
            .fetch_one(db.reader())
            .await
    };
    Ok(Totals {
        users: scalar("SELECT COUNT(*) FROM users WHERE is_bot = 0").await?,
        articles: scalar(
            "SELECT COUNT(*) FROM posts WHERE kind = 'article' AND status = 'published'",
        )
        .await?,
        questions: scalar(
            "SELECT COUNT(*) FROM posts WHERE kind = 'question' AND status = 'published'",
        )
        .await?,
        answers: scalar(
            "SELECT COUNT(*) FROM posts WHERE kind IN ('answer', 'bot_answer') AND status = 'published'",
        )
        .await?,
        open_flags: scalar("SELECT COUNT(*) FROM flags WHERE status = 'open'").await?,
        pending: scalar(
            "SELECT (SELECT COUNT(*) FROM posts WHERE status = 'pending') \
                  + (SELECT COUNT(*) FROM comments WHERE status = 'pending')",
        )
        .await?,
        hidden: scalar(
            "SELECT (SELECT COUNT(*) FROM posts WHERE status = 'hidden') \
                  + (SELECT COUNT(*) FROM comments WHERE status = 'hidden')",
        )
        .await?,
        queued_jobs: scalar("SELECT COUNT(*) FROM jobs WHERE status IN ('queued', 'running')").await?,
    })
}

/// Counts per UTC day for the `days` days ending with the day of `now` (oldest first, zeros kept).
async fn per_day(db: &Db, sql: &str, now: i64, days: i64) -> Result<Vec<i64>, DbError> {
    let today = now.div_euclid(86_400);
    let first = today - days + 1;
    let rows: Vec<(i64, i64)> = sqlx::query_as(sql)
        .bind(first * 86_400)
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
    per_day(
        db,
        "SELECT created_at / 86400 AS day, COUNT(*) FROM users \
         WHERE created_at >= $1 AND is_bot = 0 GROUP BY created_at / 86400",
        now,
        days,
    )
    .await
}

/// Articles, questions and answers written per day.
pub async fn posts_per_day(db: &Db, now: i64, days: i64) -> Result<Vec<i64>, DbError> {
    per_day(
        db,
        "SELECT created_at / 86400 AS day, COUNT(*) FROM posts \
         WHERE created_at >= $1 GROUP BY created_at / 86400",
        now,
        days,
    )
    .await
}
