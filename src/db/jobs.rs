//! The job queue's table: enqueue, lease (with expiry, so a crashed worker's job is taken over),
//! finish, and retry with back-off until the job is marked dead.
use sqlx::Row;

use super::{now, Backend, Db, DbError};

/// A job leased to one worker until `locked_until`.
#[derive(Debug, Clone)]
pub struct LeasedJob {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    /// Counting this one.
    pub attempts: i64,
    pub max_attempts: i64,
}

#[derive(Debug, Clone)]
pub struct JobRecord {
    pub id: i64,
    pub kind: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub run_after: i64,
    pub last_error: String,
    pub updated_at: i64,
}

/// Queues a job. With a `dedupe_key`, a second job with the same key is not queued while the first is
/// unfinished; returns `None` then.
pub async fn enqueue(
    db: &Db,
    kind: &str,
    payload: &str,
    dedupe_key: Option<&str>,
    max_attempts: i64,
) -> Result<Option<i64>, DbError> {
    let t = now();
    let inserted = sqlx::query(
        "INSERT INTO jobs (kind, payload, dedupe_key, max_attempts, run_after, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $5, $5) RETURNING id",
    )
    .bind(kind)
    .bind(payload)
    .bind(dedupe_key)
    .bind(max_attempts)
    .bind(t)
    .fetch_one(db.writer())
    .await;
    match inserted {
        Ok(row) => Ok(Some(row.try_get("id")?)),
        Err(DbError::Database(e)) if e.is_unique_violation() => Ok(None),
        Err(e) => Err(e),
    }
}

/// Whether any job, finished or not, was ever queued with `dedupe_key` (once-a-day jobs).
pub async fn ever_queued(db: &Db, dedupe_key: &str) -> Result<bool, DbError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM jobs WHERE dedupe_key = $1 LIMIT 1")
            .bind(dedupe_key)
            .fetch_optional(db.reader())
            .await?;
    Ok(found.is_some())
}

/// Takes the oldest ready job (queued and due, or running with an expired lease) for `worker`.
/// PostgreSQL skips rows other instances have locked; SQLite serialises writers, so the one
/// statement is atomic there.
pub async fn lease(
    db: &Db,
    worker: &str,
    lease_secs: i64,
    kinds: &[&str],
) -> Result<Option<LeasedJob>, DbError> {
    let t = now();
    let kinds = kinds.join(",");
    let skip_locked = match db.backend() {
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
        Backend::Sqlite => "",
    };
    // `kinds` is matched as a comma-separated list so the statement text stays fixed.
    let sql = format!(
        "UPDATE jobs SET status = 'running', locked_until = $1, locked_by = $2, \
                attempts = attempts + 1, updated_at = $3 \
         WHERE id = (SELECT id FROM jobs \
                     WHERE ((status = 'queued' AND run_after <= $3) \
                            OR (status = 'running' AND locked_until < $3)) \
                       AND ($4 = '' OR (',' || $4 || ',') LIKE ('%,' || kind || ',%')) \
                     ORDER BY run_after, id LIMIT 1{skip_locked}) \
         RETURNING id, kind, payload, attempts, max_attempts"
    );
    let row = sqlx::query(&sql)
        .bind(t + lease_secs)
        .bind(worker)
        .bind(t)
        .bind(kinds)
        .fetch_optional(db.writer())
        .await?;
    row.map(|r| {
        Ok(LeasedJob {
            id: r.try_get("id")?,
            kind: r.try_get("kind")?,
            payload: r.try_get("payload")?,
            attempts: r.try_get("attempts")?,
            max_attempts: r.try_get("max_attempts")?,
        })
    })
    .transpose()
}

/// Marks a job done, if `worker` still holds its lease (a worker whose lease expired and was taken
/// over must not overwrite the new holder's outcome). Returns whether it did.
pub async fn complete(db: &Db, id: i64, worker: &str) -> Result<bool, DbError> {
    let done = sqlx::query(
        "UPDATE jobs SET status = 'done', locked_until = NULL, updated_at = $1 \
         WHERE id = $2 AND locked_by = $3 AND status = 'running'",
    )
    .bind(now())
    .bind(id)
    .bind(worker)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Records a failure: the job is queued again after `retry_in_secs`, or marked dead once it has used
/// all its attempts.
pub async fn fail(
    db: &Db,
    id: i64,
    worker: &str,
    error: &str,
    retry_in_secs: i64,
) -> Result<bool, DbError> {
    let t = now();
    let error: String = error.chars().take(2000).collect();
    let done = sqlx::query(
        "UPDATE jobs SET \
            status = CASE WHEN attempts >= max_attempts THEN 'dead' ELSE 'queued' END, \
            run_after = $1, locked_until = NULL, last_error = $2, updated_at = $3 \
         WHERE id = $4 AND locked_by = $5 AND status = 'running'",
    )
    .bind(t + retry_in_secs)
    .bind(error)
    .bind(t)
    .bind(id)
    .bind(worker)
    .execute(db.writer())
    .await?;
    Ok(done.rows_affected() == 1)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<JobRecord>, DbError> {
    let row = sqlx::query(
        "SELECT id, kind, payload, status, attempts, run_after, last_error, updated_at \
         FROM jobs WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    row.as_ref().map(job_from_row).transpose()
}

/// How many jobs are in each state, for the admin pages.
pub async fn counts_by_status(db: &Db) -> Result<Vec<(String, i64)>, DbError> {
    // Kept by triggers (`row_counts`), so a long queue history costs nothing to summarise.
    Ok(super::stats::row_counts(db, "jobs:")
        .await?
        .into_iter()
        .filter(|(_, count)| *count > 0)
        .map(|(name, count)| (name.trim_start_matches("jobs:").to_string(), count))
        .collect())
}

/// Jobs that failed at least once and are waiting for a retry, or gave up (dead), newest first.
pub async fn problems(db: &Db, limit: i64) -> Result<Vec<JobRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT id, kind, payload, status, attempts, run_after, last_error, updated_at FROM jobs \
         WHERE status = 'dead' OR (status IN ('queued', 'running') AND last_error <> '') \
         ORDER BY updated_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(job_from_row).collect()
}

fn job_from_row(r: &sqlx::any::AnyRow) -> Result<JobRecord, DbError> {
    Ok(JobRecord {
        id: r.try_get("id")?,
        kind: r.try_get("kind")?,
        payload: r.try_get("payload")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        run_after: r.try_get("run_after")?,
        last_error: r.try_get("last_error")?,
        updated_at: r.try_get("updated_at")?,
    })
}
