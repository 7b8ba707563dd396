//! Badges: the award job reads what changed since its watermark (new questions and answers, new
//! revisions, reputation moves), works out what each of those members has earned now and stores
//! the awards they lack, each with a notification. Idempotent (an award exists once by its unique
//! key) and incremental (only members active since the last run are looked at).
use crate::db::{self, Db, DbError};

pub const BADGE_JOB: &str = "award_badges";

/// How often an instance that runs jobs queues a badge run.
pub const BADGE_RUN_EVERY: std::time::Duration = std::time::Duration::from_secs(600);

/// Queues one badge run; while one waits, another is not queued (returns `None` then).
pub async fn queue(db: &Db) -> Result<Option<i64>, DbError> {
    db::jobs::enqueue(db, BADGE_JOB, "{}", Some(BADGE_JOB), 5).await
}

/// Queues a badge run every [`BADGE_RUN_EVERY`] until the task is dropped (instances running jobs).
pub async fn schedule(db: Db) {
    let mut tick = tokio::time::interval(BADGE_RUN_EVERY);
    loop {
        tick.tick().await;
        if let Err(e) = queue(&db).await {
            tracing::warn!(error = %e, "could not queue the badge job");
        }
    }
}

/// One run: returns how many badges were awarded.
pub async fn award_new(db: &Db) -> Result<usize, DbError> {
    let started = db::now();
    let since = db::badges::watermark(db).await?;
    let t = super::settings::badge_thresholds(db).await?;
    let mut awarded = 0;
    for user_id in db::badges::active_since(db, since).await? {
        let earned = db::badges::earned(db, user_id, &t).await?;
        awarded += db::badges::award(db, user_id, &earned).await?.len();
    }
    // The next run starts a second early: activity stored while this one ran is read again, and
    // the unique key keeps it from counting twice.
    db::badges::set_watermark(db, started - 1).await?;
    Ok(awarded)
}
