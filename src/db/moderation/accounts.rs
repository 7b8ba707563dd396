//! Staff decisions on accounts: silencing (read-only until a date), dismissing flags raised against
//! an account, and the "delete as spammer" sweep with its exact undo.
use super::{record_and_tell, set_comment_status_in, set_post_status_in, Decision};
use crate::db::flags::resolve_open_in;
use crate::db::{now, Db, DbError};

/// How long a spammer's suspension lasts (the longest the panel allows).
pub const SPAMMER_SUSPENSION_SECS: i64 = 3650 * 86_400;

/// Until when a member is silenced (`None` when they are not, or no longer).
pub async fn silenced_until(db: &Db, user_id: i64) -> Result<Option<i64>, DbError> {
    let until: Option<i64> = sqlx::query_scalar("SELECT silenced_until FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(db.reader())
        .await?
        .flatten();
    Ok(until.filter(|t| *t > now()))
}

/// Silences a member until `until` (they read but cannot write), logged and told.
pub async fn silence(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    until: i64,
    reason: &str,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET silenced_until = $1 WHERE id = $2")
        .bind(until)
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!("until {until}");
    record_and_tell(
        &mut tx,
        Decision {
            actor_id,
            action: "silence_user",
            target_kind: "user",
            target_id: user_id,
            note: reason,
            detail: &detail,
            author_id: user_id,
            post_id: None,
            comment_id: None,
        },
    )
    .await?;
    tx.commit().await
}

pub async fn unsilence(db: &Db, actor_id: i64, user_id: i64, reason: &str) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query("UPDATE users SET silenced_until = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    record_and_tell(
        &mut tx,
        Decision {
            actor_id,
            action: "unsilence_user",
            target_kind: "user",
            target_id: user_id,
            note: reason,
            detail: "",
            author_id: user_id,
            post_id: None,
            comment_id: None,
        },
    )
    .await?;
    tx.commit().await
}

/// Dismisses the open flags on an account.
pub async fn dismiss_user_flags(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    note: &str,
) -> Result<u64, DbError> {
    let mut tx = db.begin_write().await?;
    let n = resolve_open_in(&mut tx, "user", user_id, actor_id, "dismissed").await?;
    crate::db::mod_log::record(
        &mut tx,
        crate::db::mod_log::NewAction {
            actor_id,
            action: "dismiss_user_flags",
            target_kind: "user",
            target_id: Some(user_id),
            reason: note,
            detail: &format!("{n} flags"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(n)
}

/// What a sweep (or its undoing) changed, for the search index.
#[derive(Debug, Default)]
pub struct Swept {
    pub posts: Vec<i64>,
    pub resources: Vec<i64>,
    pub events: Vec<i64>,
}

/// How each kind of content is hidden by a sweep: its table, the statuses a sweep takes, and the
/// status it sets (resources have no "hidden": they are unlisted as rejected).
const SWEPT_KINDS: [(&str, &str, &str, &str); 3] = [
    (
        "resource",
        "SELECT id, status FROM resources WHERE submitted_by = $1 \
         AND status IN ('pending', 'approved') ORDER BY id",
        "UPDATE resources SET status = $2 WHERE id = $1",
        "rejected",
    ),
    (
        "resource_comment",
        "SELECT id, status FROM resource_comments WHERE author_id = $1 \
         AND status IN ('published', 'pending') ORDER BY id",
        "UPDATE resource_comments SET status = $2 WHERE id = $1",
        "hidden",
    ),
    (
        "event",
        "SELECT id, status FROM events WHERE author_id = $1 \
         AND status IN ('published', 'pending') ORDER BY id",
        "UPDATE events SET status = $2 WHERE id = $1",
        "hidden",
    ),
];

/// Deletes a member as a spammer in one step: suspends the account (ending its sessions), hides
/// every live post, comment, resource, resource comment and event of theirs (an event's reminders
/// withdrawn) and records which, so
/// [`restore_spammer`] brings exactly those back.
pub async fn sweep_spammer(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    reason: &str,
) -> Result<Swept, DbError> {
    let at = now();
    let mut tx = db.begin_write().await?;
    crate::db::users::suspend_in(&mut tx, user_id, at + SPAMMER_SUSPENSION_SECS, reason).await?;
    let sweep_id: i64 = sqlx::query_scalar(
        "INSERT INTO spam_sweeps (user_id, actor_id, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(user_id)
    .bind(actor_id)
    .bind(at)
    .fetch_one(&mut *tx)
    .await?;
    let posts: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM posts WHERE author_id = $1 AND status IN ('published', 'pending') \
         ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    let comments: Vec<(i64, String)> = sqlx::query_as(
        "SELECT id, status FROM comments WHERE author_id = $1 AND status IN ('published', 'pending') \
         ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(&mut *tx)
    .await?;
    for (kind, items) in [("post", &posts), ("comment", &comments)] {
        for (id, previous) in items {
            sqlx::query(
                "INSERT INTO spam_sweep_items (sweep_id, target_kind, target_id, previous_status) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(sweep_id)
            .bind(kind)
            .bind(*id)
            .bind(previous.as_str())
            .execute(&mut *tx)
            .await?;
            if kind == "post" {
                set_post_status_in(&mut tx, *id, "hidden").await?;
            } else {
                set_comment_status_in(&mut tx, *id, "hidden").await?;
            }
            resolve_open_in(&mut tx, kind, *id, actor_id, "spammer").await?;
        }
    }
    let mut resources = Vec::new();
    let mut events = Vec::new();
    let mut others = 0;
    for (kind, select, update, hidden) in SWEPT_KINDS {
        let items: Vec<(i64, String)> = sqlx::query_as(select)
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        for (id, previous) in items {
            sqlx::query(
                "INSERT INTO spam_sweep_items (sweep_id, target_kind, target_id, previous_status) \
                 VALUES ($1, $2, $3, $4)",
            )
            .bind(sweep_id)
            .bind(kind)
            .bind(id)
            .bind(previous.as_str())
            .execute(&mut *tx)
            .await?;
            sqlx::query(update)
                .bind(id)
                .bind(hidden)
                .execute(&mut *tx)
                .await?;
            match kind {
                "resource" => {
                    resolve_open_in(&mut tx, kind, id, actor_id, "spammer").await?;
                    resources.push(id);
                }
                "event" => {
                    resolve_open_in(&mut tx, kind, id, actor_id, "spammer").await?;
                    crate::db::events::withdraw_reminders_in(&mut tx, id, None).await?;
                    events.push(id);
                }
                _ => others += 1,
            }
        }
    }
    resolve_open_in(&mut tx, "user", user_id, actor_id, "spammer").await?;
    let detail = format!(
        "sweep {sweep_id}: {} posts, {} comments, {} resources, {others} resource comments, \
         {} events hidden",
        posts.len(),
        comments.len(),
        resources.len(),
        events.len()
    );
    record_and_tell(
        &mut tx,
        Decision {
            actor_id,
            action: "delete_spammer",
            target_kind: "user",
            target_id: user_id,
            note: reason,
            detail: &detail,
            author_id: user_id,
            post_id: None,
            comment_id: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Swept {
        posts: posts.into_iter().map(|(id, _)| id).collect(),
        resources,
        events,
    })
}

/// Whether a member has a spammer sweep that can still be restored.
pub async fn has_open_sweep(db: &Db, user_id: i64) -> Result<bool, DbError> {
    let id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM spam_sweeps WHERE user_id = $1 AND restored_at IS NULL LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(db.reader())
    .await?;
    Ok(id.is_some())
}

/// Undoes the member's latest spammer sweep: what it hid (and is still hidden) goes back to the
/// status it had, and the suspension is lifted. Returns the restored posts, or `None` if there was
/// no sweep to undo.
pub async fn restore_spammer(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    reason: &str,
) -> Result<Option<Swept>, DbError> {
    let mut tx = db.begin_write().await?;
    let sweep_id: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM spam_sweeps WHERE user_id = $1 AND restored_at IS NULL \
         ORDER BY id DESC LIMIT 1",
    )
    .bind(user_id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(sweep_id) = sweep_id else {
        return Ok(None);
    };
    let items: Vec<(String, i64, String)> = sqlx::query_as(
        "SELECT target_kind, target_id, previous_status FROM spam_sweep_items WHERE sweep_id = $1",
    )
    .bind(sweep_id)
    .fetch_all(&mut *tx)
    .await?;
    let mut restored = Swept::default();
    let mut comments = 0;
    for (kind, id, previous) in items {
        let (table, hidden) = match kind.as_str() {
            "post" => ("posts", "hidden"),
            "comment" => ("comments", "hidden"),
            "resource" => ("resources", "rejected"),
            "event" => ("events", "hidden"),
            _ => ("resource_comments", "hidden"),
        };
        let current: Option<String> =
            sqlx::query_scalar(&format!("SELECT status FROM {table} WHERE id = $1"))
                .bind(id)
                .fetch_optional(&mut *tx)
                .await?;
        // Something staff deleted (or decided) separately since the sweep stays as it is.
        if current.as_deref() != Some(hidden) {
            continue;
        }
        match kind.as_str() {
            "post" => {
                set_post_status_in(&mut tx, id, &previous).await?;
                restored.posts.push(id);
            }
            "comment" => {
                set_comment_status_in(&mut tx, id, &previous).await?;
                comments += 1;
            }
            _ => {
                sqlx::query(&format!("UPDATE {table} SET status = $2 WHERE id = $1"))
                    .bind(id)
                    .bind(previous.as_str())
                    .execute(&mut *tx)
                    .await?;
                match kind.as_str() {
                    "resource" => restored.resources.push(id),
                    "event" => restored.events.push(id),
                    _ => comments += 1,
                }
            }
        }
    }
    sqlx::query("UPDATE spam_sweeps SET restored_at = $1 WHERE id = $2")
        .bind(now())
        .bind(sweep_id)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE users SET suspended_until = NULL, suspend_reason = NULL WHERE id = $1")
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    let detail = format!(
        "sweep {sweep_id}: {} posts, {comments} comments, {} resources, {} events restored",
        restored.posts.len(),
        restored.resources.len(),
        restored.events.len()
    );
    record_and_tell(
        &mut tx,
        Decision {
            actor_id,
            action: "restore_spammer",
            target_kind: "user",
            target_id: user_id,
            note: reason,
            detail: &detail,
            author_id: user_id,
            post_id: None,
            comment_id: None,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(Some(restored))
}
