//! Attempt budgets ("at most N in a window") over the database counters in `db::rate_limits`.
use std::time::Duration;

use crate::db::{self, Db, DbError};
use crate::error::AppError;

/// One budget: `limit` hits per `window` in `bucket` (e.g. `login-fail:ip:203.0.113.9`).
pub struct Budget<'a> {
    pub bucket: &'a str,
    pub limit: u32,
    pub window: Duration,
}

/// Fails with `RateLimited` (and when to retry) if the budget is spent.
pub async fn check(db: &Db, budget: &Budget<'_>) -> Result<(), AppError> {
    let now = db::now();
    let window = budget.window.as_secs() as i64;
    let (count, oldest) = db::rate_limits::hits_since(db, budget.bucket, now - window).await?;
    if count >= i64::from(budget.limit) {
        let retry_after = oldest.map_or(window, |t| (t + window - now).max(1));
        return Err(AppError::RateLimited {
            retry_after_secs: retry_after as u64,
        });
    }
    Ok(())
}

pub async fn record(db: &Db, bucket: &str) -> Result<(), DbError> {
    db::rate_limits::record(db, bucket, db::now()).await
}

/// Checks and, if allowed, counts one hit.
pub async fn hit(db: &Db, budget: &Budget<'_>) -> Result<(), AppError> {
    check(db, budget).await?;
    record(db, budget.bucket).await?;
    Ok(())
}
