//! Keeping trust levels current: a visit is recorded once a day per session and a read once per post,
//! and each new record recomputes the member's level (a few indexed counts). Failures are logged and
//! never stop the page the member asked for.
use std::collections::HashMap;
use std::sync::{LazyLock, Mutex};

use super::trust::{earned_level, next_level};
use crate::auth::CurrentUser;
use crate::db::{self, Db, DbError};

/// Sessions whose visit today is already recorded (by this instance), so a visit costs one insert a
/// day per session rather than one per request. Losing it (restart, another instance) only repeats
/// an insert that the primary key turns into a no-op. Keyed by session, not user, because several
/// databases may share one process (tests).
static RECORDED: LazyLock<Mutex<(i64, HashMap<String, ()>)>> =
    LazyLock::new(|| Mutex::new((0, HashMap::new())));

fn first_time_today(session_key: &str, day: i64) -> bool {
    let Ok(mut recorded) = RECORDED.lock() else {
        return true;
    };
    if recorded.0 != day {
        *recorded = (day, HashMap::new());
    }
    recorded.1.insert(session_key.to_string(), ()).is_none()
}

/// A signed-in request: records today's visit (once) and recomputes the level when it is new.
pub async fn note_visit(db: &Db, session_key: &str, user: &CurrentUser) {
    let day = db::now().div_euclid(86_400);
    if !first_time_today(session_key, day) {
        return;
    }
    let result = async {
        if db::trust::record_visit(db, user.id, day).await? {
            recompute(db, user.id).await?;
        }
        Ok::<_, DbError>(())
    };
    if let Err(e) = result.await {
        tracing::warn!(error = %e, user_id = user.id, "could not record a visit");
    }
}

/// A signed-in member opened a post (not their own): records the read, recomputing on the first.
pub async fn note_read(db: &Db, user: &CurrentUser, post_id: i64, author_id: i64) {
    if user.id == author_id {
        return;
    }
    let result = async {
        if db::trust::record_read(db, user.id, post_id).await? {
            recompute(db, user.id).await?;
        }
        Ok::<_, DbError>(())
    };
    if let Err(e) = result.await {
        tracing::warn!(error = %e, user_id = user.id, post_id, "could not record a read");
    }
}

/// Sets the level the member's activity earns (unless locked or level 4); returns the new level
/// when it changed.
pub async fn recompute(db: &Db, user_id: i64) -> Result<Option<i64>, DbError> {
    let Some((current, locked)) = db::trust::level(db, user_id).await? else {
        return Ok(None);
    };
    if locked {
        return Ok(None);
    }
    let thresholds = db::trust::thresholds(db).await?;
    let activity = db::trust::activity(db, user_id, &thresholds.counts_that_matter()).await?;
    let next = next_level(current, locked, earned_level(&activity, &thresholds));
    if next == current {
        return Ok(None);
    }
    db::trust::set_level_automatically(db, user_id, current, next).await?;
    Ok(Some(next))
}
