//! View counts kept in memory and written in batches: a page view by anyone (a visitor included)
//! is a counter bump here, and the start-up task writes the sums in one transaction every
//! `AGORA_VIEW_FLUSH_SECS` (30 s) and at shut-down, so reading the forum writes nothing per request.
//! A crash loses at most that long's counts.
use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use crate::db::{Db, DbError};

/// Views counted since the last flush, per post. Cloning shares the counts.
#[derive(Debug, Clone, Default)]
pub struct ViewCounts {
    pending: Arc<Mutex<HashMap<i64, i64>>>,
}

impl ViewCounts {
    /// Counts one view of a published post (the caller loaded it, so the map holds real posts only).
    pub fn count(&self, post_id: i64) {
        let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        *pending.entry(post_id).or_insert(0) += 1;
    }

    /// Views counted and not yet written.
    pub fn pending(&self) -> i64 {
        let pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
        pending.values().sum()
    }

    /// Writes the pending counts in one transaction; on failure they are put back for the next
    /// flush. Returns how many posts were updated.
    pub async fn flush(&self, db: &Db) -> Result<usize, DbError> {
        let batch: Vec<(i64, i64)> = {
            let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
            pending.drain().collect()
        };
        if batch.is_empty() {
            return Ok(0);
        }
        match write(db, &batch).await {
            Ok(()) => Ok(batch.len()),
            Err(e) => {
                let mut pending = self.pending.lock().unwrap_or_else(PoisonError::into_inner);
                for (id, n) in batch {
                    *pending.entry(id).or_insert(0) += n;
                }
                Err(e)
            }
        }
    }
}

async fn write(db: &Db, batch: &[(i64, i64)]) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    for (id, n) in batch {
        sqlx::query("UPDATE posts SET view_count = view_count + $1 WHERE id = $2")
            .bind(n)
            .bind(id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}
