//! Queries over `flags`: a member flags a post, comment, event, resource or user (once per target);
//! enough open flags from trusted members on distinct networks hide a post, comment or event until
//! staff review it; staff resolve flags. The
//! moderation queue (open flags and held posts, oldest first) is read here too.
use std::collections::BTreeMap;

use sqlx::Row;

use super::moderation::status::{set_comment_status_in, set_post_status_in};
use super::notifications::{notify_in, Kind, NewNotification};
use super::{now, Db, DbError, Tx};
use crate::domain::{FlagInput, FlagTarget};

/// When flags hide content: `count` open flags from members with at least `trusted_reputation`
/// (staff always count).
#[derive(Debug, Clone, Copy)]
pub struct HideThreshold {
    pub count: i64,
    pub trusted_reputation: i64,
}

pub struct NewFlag<'a> {
    pub target: FlagTarget,
    pub target_id: i64,
    pub reporter_id: i64,
    pub input: &'a FlagInput,
    pub threshold: HideThreshold,
    /// `auth::rate_limit::attributable_network` of the flag's request.
    pub reporter_network: Option<&'a str>,
}

/// Members' flags count toward hiding from this trust level up (staff's always do).
pub const FLAG_COUNTS_FROM_TRUST_LEVEL: i64 = 2;

/// What flagging did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FlagOutcome {
    pub flag_id: i64,
    /// The flag tipped the target over the threshold and it is now hidden.
    pub hid: bool,
    /// The post the target is (or belongs to), for going back to it.
    pub post_id: Option<i64>,
}

#[derive(Debug, thiserror::Error)]
pub enum FlagError {
    #[error("no such target")]
    NotFound,
    #[error("own content")]
    OwnContent,
    #[error("already flagged")]
    Duplicate,
    #[error(transparent)]
    Db(#[from] DbError),
}

/// The author, status and post of a flaggable target (`None` if it does not exist or is deleted).
struct TargetFacts {
    author_id: i64,
    status: String,
    post_id: Option<i64>,
}

async fn target_facts(
    tx: &mut Tx,
    target: FlagTarget,
    id: i64,
) -> Result<Option<TargetFacts>, DbError> {
    let row = match target {
        FlagTarget::Post => {
            sqlx::query("SELECT author_id, status, id AS post_id FROM posts WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
        }
        FlagTarget::Comment => {
            sqlx::query("SELECT author_id, status, post_id FROM comments WHERE id = $1")
                .bind(id)
                .fetch_optional(&mut **tx)
                .await?
        }
        FlagTarget::User => {
            sqlx::query(
                "SELECT id AS author_id, CASE WHEN deleted_at IS NULL THEN 'published' ELSE 'deleted' END \
                 AS status, CAST(NULL AS BIGINT) AS post_id FROM users WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
        }
        // Only listed resources can be flagged; pending ones are already waiting for staff.
        FlagTarget::Resource => {
            sqlx::query(
                "SELECT submitted_by AS author_id, CASE WHEN status = 'approved' THEN 'published' \
                 ELSE 'draft' END AS status, CAST(NULL AS BIGINT) AS post_id FROM resources \
                 WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
        }
        // Held events are already waiting for staff; hidden ones are out of sight.
        FlagTarget::Event => {
            sqlx::query(
                "SELECT author_id, CASE WHEN status = 'published' THEN 'published' ELSE 'draft' END \
                 AS status, CAST(NULL AS BIGINT) AS post_id FROM events WHERE id = $1",
            )
            .bind(id)
            .fetch_optional(&mut **tx)
            .await?
        }
    };
    let Some(row) = row else { return Ok(None) };
    let facts = TargetFacts {
        author_id: row.try_get("author_id")?,
        status: row.try_get("status")?,
        post_id: row.try_get::<Option<i64>, _>("post_id")?,
    };
    Ok((facts.status != "deleted" && facts.status != "draft").then_some(facts))
}

/// Stores a flag. When it brings the target's trusted open flags to the threshold, the post,
/// comment or event is hidden, the author told and the hiding logged (with no actor: the community hid it),
/// all in the same transaction.
pub async fn create(db: &Db, new: NewFlag<'_>) -> Result<FlagOutcome, FlagError> {
    let mut tx = db.begin_write().await?;
    let facts = target_facts(&mut tx, new.target, new.target_id)
        .await?
        .ok_or(FlagError::NotFound)?;
    if facts.author_id == new.reporter_id {
        return Err(FlagError::OwnContent);
    }
    let already: Option<i64> = sqlx::query_scalar(
        "SELECT id FROM flags WHERE reporter_id = $1 AND target_kind = $2 AND target_id = $3",
    )
    .bind(new.reporter_id)
    .bind(new.target.as_str())
    .bind(new.target_id)
    .fetch_optional(&mut *tx)
    .await?;
    if already.is_some() {
        return Err(FlagError::Duplicate);
    }
    let inserted = sqlx::query_scalar(
        "INSERT INTO flags (target_kind, target_id, reporter_id, reason, note, created_at, \
         reporter_network) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.target.as_str())
    .bind(new.target_id)
    .bind(new.reporter_id)
    .bind(new.input.reason.as_str())
    .bind(&new.input.note)
    .bind(now())
    .bind(new.reporter_network)
    .fetch_one(&mut *tx)
    .await;
    let flag_id: i64 = match inserted {
        Ok(id) => id,
        // Two submissions racing on another instance: the unique index decides.
        Err(DbError::Database(e)) if e.is_unique_violation() => return Err(FlagError::Duplicate),
        Err(e) => return Err(e.into()),
    };
    let mut hid = false;
    // Flags hide posts, comments and events; accounts and resources wait for staff.
    let hideable = matches!(
        new.target,
        FlagTarget::Post | FlagTarget::Comment | FlagTarget::Event
    );
    if hideable && facts.status == "published" {
        // Staff count, and members at trust level 2 with the trusted reputation; flags from one
        // network count once (a flag with no attributable network counts for its reporter alone).
        let trusted: i64 = sqlx::query_scalar(
            "SELECT COUNT(DISTINCT COALESCE(f.reporter_network, \
                    'account:' || CAST(f.reporter_id AS TEXT))) \
             FROM flags f JOIN users u ON u.id = f.reporter_id \
             WHERE f.target_kind = $1 AND f.target_id = $2 AND f.status = 'open' \
             AND ((u.trust_level >= $4 AND u.reputation >= $3) \
                  OR u.role IN ('moderator', 'admin'))",
        )
        .bind(new.target.as_str())
        .bind(new.target_id)
        .bind(new.threshold.trusted_reputation)
        .bind(FLAG_COUNTS_FROM_TRUST_LEVEL)
        .fetch_one(&mut *tx)
        .await?;
        if trusted >= new.threshold.count.max(1) {
            hid = true;
            let (post_id, comment_id) = match new.target {
                FlagTarget::Post => {
                    set_post_status_in(&mut tx, new.target_id, "hidden").await?;
                    (facts.post_id, None)
                }
                FlagTarget::Event => {
                    sqlx::query("UPDATE events SET status = 'hidden' WHERE id = $1")
                        .bind(new.target_id)
                        .execute(&mut *tx)
                        .await?;
                    (None, None)
                }
                _ => {
                    set_comment_status_in(&mut tx, new.target_id, "hidden").await?;
                    (facts.post_id, Some(new.target_id))
                }
            };
            let detail = format!(
                "{trusted} open flags from trusted members on distinct networks (the last by user {})",
                new.reporter_id
            );
            super::mod_log::record_automatic(
                &mut tx,
                "auto_hide",
                new.target.as_str(),
                Some(new.target_id),
                new.input.reason.as_str(),
                &detail,
            )
            .await?;
            let notice = NewNotification {
                user_id: facts.author_id,
                kind: Kind::Moderation,
                actor_id: None,
                post_id,
                comment_id,
                detail: "hidden pending review after flags from the community".into(),
            };
            if new.target == FlagTarget::Event {
                notify_event_in(&mut tx, notice, new.target_id).await?;
            } else {
                notify_in(&mut tx, notice).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(FlagOutcome {
        flag_id,
        hid,
        post_id: facts.post_id,
    })
}

/// The author's notice that flags hid their event (linked to the event).
async fn notify_event_in(
    tx: &mut Tx,
    notice: NewNotification,
    event_id: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, event_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(notice.user_id)
    .bind(notice.kind.as_str())
    .bind(event_id)
    .bind(notice.detail)
    .bind(now())
    .execute(&mut **tx)
    .await?;
    Ok(())
}

/// Marks every open flag on a target resolved by `resolver` with `resolution`. Returns how many.
pub async fn resolve_open_in(
    tx: &mut Tx,
    target_kind: &str,
    target_id: i64,
    resolver: i64,
    resolution: &str,
) -> Result<u64, DbError> {
    let done = sqlx::query(
        "UPDATE flags SET status = 'resolved', resolved_by = $1, resolution = $2, resolved_at = $3 \
         WHERE target_kind = $4 AND target_id = $5 AND status = 'open'",
    )
    .bind(resolver)
    .bind(resolution)
    .bind(now())
    .bind(target_kind)
    .bind(target_id)
    .execute(&mut **tx)
    .await?;
    Ok(done.rows_affected())
}

/// A flag as it is stored, for tests and the queue.
#[derive(Debug, Clone)]
pub struct FlagRecord {
    pub id: i64,
    pub target_kind: String,
    pub target_id: i64,
    pub reporter: String,
    pub reason: String,
    pub note: String,
    pub status: String,
    pub resolution: Option<String>,
    pub resolved_by: Option<i64>,
    pub created_at: i64,
}

fn flag_from_row(r: &sqlx::any::AnyRow) -> Result<FlagRecord, DbError> {
    Ok(FlagRecord {
        id: r.try_get("id")?,
        target_kind: r.try_get("target_kind")?,
        target_id: r.try_get("target_id")?,
        reporter: r.try_get("reporter")?,
        reason: r.try_get("reason")?,
        note: r.try_get("note")?,
        status: r.try_get("status")?,
        resolution: r.try_get("resolution")?,
        resolved_by: r.try_get("resolved_by")?,
        created_at: r.try_get("created_at")?,
    })
}

const FLAG_SELECT: &str =
    "SELECT f.id, f.target_kind, f.target_id, u.username AS reporter, f.reason, \
     f.note, f.status, f.resolution, f.resolved_by, f.created_at \
     FROM flags f JOIN users u ON u.id = f.reporter_id";

/// Every flag on one target, oldest first.
pub async fn for_target(
    db: &Db,
    target_kind: &str,
    target_id: i64,
) -> Result<Vec<FlagRecord>, DbError> {
    let sql = format!(
        "{FLAG_SELECT} WHERE f.target_kind = $1 AND f.target_id = $2 ORDER BY f.created_at, f.id"
    );
    let rows = sqlx::query(&sql)
        .bind(target_kind)
        .bind(target_id)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(flag_from_row).collect()
}

/// One thing waiting for staff: flagged content or a held post, with the open flags explaining why.
#[derive(Debug, Clone)]
pub struct QueueItem {
    /// `post`, `comment` or `user`.
    pub target_kind: String,
    pub target_id: i64,
    pub author_id: i64,
    pub author: String,
    /// The kind of the post (for a comment: of the post it is on): `article`, `question`,
    /// `answer`, `bot_answer`.
    pub post_kind: String,
    pub title: String,
    pub excerpt: String,
    pub status: String,
    /// The post a comment belongs to, or an answer's question.
    pub post_id: Option<i64>,
    pub parent_id: Option<i64>,
    /// When the item entered the queue (its oldest open flag, or a held post's creation).
    pub since: i64,
    pub flags: Vec<FlagRecord>,
}

/// Open flags read per queue item asked for (a target usually has one or a few).
const OPEN_FLAGS_READ_PER_ITEM: i64 = 10;

/// The queue: targets with open flags and held (`pending`) posts, oldest first. With `flags_only`,
/// held posts without flags are left out.
pub async fn queue(db: &Db, flags_only: bool, limit: i64) -> Result<Vec<QueueItem>, DbError> {
    // The oldest open flags (read along `flags_open_by_time`), enough for `limit` targets in all
    // but a flood; a target's later flags still show on its own page.
    let sql = format!("{FLAG_SELECT} WHERE f.status = 'open' ORDER BY f.created_at, f.id LIMIT $1");
    let rows = sqlx::query(&sql)
        .bind(limit.saturating_mul(OPEN_FLAGS_READ_PER_ITEM))
        .fetch_all(db.reader())
        .await?;
    let mut flags_by_target: BTreeMap<(String, i64), Vec<FlagRecord>> = BTreeMap::new();
    for row in &rows {
        let flag = flag_from_row(row)?;
        let key = (flag.target_kind.clone(), flag.target_id);
        if flags_by_target.len() as i64 >= limit && !flags_by_target.contains_key(&key) {
            continue;
        }
        flags_by_target.entry(key).or_default().push(flag);
    }
    let mut items = Vec::new();
    for ((kind, id), flags) in flags_by_target {
        let Some(mut item) = describe(db, &kind, id).await? else {
            continue;
        };
        item.since = flags.iter().map(|f| f.created_at).min().unwrap_or(0);
        item.flags = flags;
        items.push(item);
    }
    if !flags_only {
        // Held posts, comments a hold rule kept (`db::rules::hold_comment`), resource submissions
        // waiting for review (`/admin/resources` acts on them), resource comments and events: one
        // statement per kind.
        for kind in ["post", "comment", "resource", "resource_comment", "event"] {
            for item in held(db, kind, limit).await? {
                if !items
                    .iter()
                    .any(|i| i.target_kind == kind && i.target_id == item.target_id)
                {
                    items.push(item);
                }
            }
        }
    }
    items.sort_by_key(|i| (i.since, i.target_id));
    items.truncate(usize::try_from(limit).unwrap_or(usize::MAX));
    Ok(items)
}

/// The statement describing targets of `kind` as the queue shows them, up to its `WHERE`, and the
/// alias of the target's table (so a caller adds `WHERE {alias}.id = $1` or a status filter).
fn describe_select(kind: &str) -> (&'static str, &'static str) {
    match kind {
        "post" => (
            "SELECT p.id AS target_id, p.author_id, u.username AS author, p.kind AS post_kind, \
             COALESCE(NULLIF(p.title, ''), q.title, '') AS title, p.excerpt, p.status, \
             p.id AS post_id, p.parent_id, p.created_at \
             FROM posts p JOIN users u ON u.id = p.author_id LEFT JOIN posts q ON q.id = p.parent_id",
            "p",
        ),
        "comment" => (
            "SELECT c.id AS target_id, c.author_id, u.username AS author, p.kind AS post_kind, \
             COALESCE(NULLIF(p.title, ''), q.title, '') AS title, c.body_md AS excerpt, c.status, \
             c.post_id, p.parent_id, c.created_at \
             FROM comments c JOIN users u ON u.id = c.author_id JOIN posts p ON p.id = c.post_id \
             LEFT JOIN posts q ON q.id = p.parent_id",
            "c",
        ),
        "resource_comment" => (
            "SELECT c.id AS target_id, c.author_id, u.username AS author, 'resource' AS post_kind, \
             r.title, c.body_md AS excerpt, c.status, r.id AS post_id, \
             CAST(NULL AS BIGINT) AS parent_id, c.created_at \
             FROM resource_comments c JOIN users u ON u.id = c.author_id \
             JOIN resources r ON r.id = c.resource_id",
            "c",
        ),
        "resource" => (
            "SELECT r.id AS target_id, r.submitted_by AS author_id, u.username AS author, \
             'resource' AS post_kind, r.title, r.description_md AS excerpt, r.status, \
             CAST(NULL AS BIGINT) AS post_id, CAST(NULL AS BIGINT) AS parent_id, r.created_at \
             FROM resources r JOIN users u ON u.id = r.submitted_by",
            "r",
        ),
        "event" => (
            "SELECT e.id AS target_id, e.author_id, u.username AS author, 'event' AS post_kind, \
             e.title, e.body_md AS excerpt, e.status, CAST(NULL AS BIGINT) AS post_id, \
             CAST(NULL AS BIGINT) AS parent_id, e.created_at \
             FROM events e JOIN users u ON u.id = e.author_id",
            "e",
        ),
        _ => (
            "SELECT x.id AS target_id, x.id AS author_id, x.username AS author, \
             'user' AS post_kind, x.username AS title, x.bio_md AS excerpt, \
             CASE WHEN x.deleted_at IS NULL THEN 'published' ELSE 'deleted' END AS status, \
             CAST(NULL AS BIGINT) AS post_id, CAST(NULL AS BIGINT) AS parent_id, x.created_at \
             FROM users x",
            "x",
        ),
    }
}

/// Up to `limit` targets of `kind` held for review (`status = 'pending'`), oldest first, described
/// in one statement (read along each table's `(status, created_at)` index).
async fn held(db: &Db, kind: &str, limit: i64) -> Result<Vec<QueueItem>, DbError> {
    let (select, alias) = describe_select(kind);
    let sql = format!(
        "{select} WHERE {alias}.status = 'pending' ORDER BY {alias}.created_at, {alias}.id LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(db.reader()).await?;
    rows.iter().map(|r| queue_item(kind, r)).collect()
}

/// What the queue shows about one target (`since` is the target's creation time).
async fn describe(db: &Db, kind: &str, id: i64) -> Result<Option<QueueItem>, DbError> {
    let (select, alias) = describe_select(kind);
    let row = sqlx::query(&format!("{select} WHERE {alias}.id = $1"))
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.map(|r| queue_item(kind, &r)).transpose()
}

fn queue_item(kind: &str, r: &sqlx::any::AnyRow) -> Result<QueueItem, DbError> {
    let id: i64 = r.try_get("target_id")?;
    let excerpt: String = r.try_get("excerpt")?;
    Ok(QueueItem {
        target_kind: kind.to_string(),
        target_id: id,
        author_id: r.try_get("author_id")?,
        author: r.try_get("author")?,
        post_kind: r.try_get("post_kind")?,
        title: r.try_get("title")?,
        excerpt: excerpt.chars().take(300).collect(),
        status: r.try_get("status")?,
        post_id: r.try_get::<Option<i64>, _>("post_id")?,
        parent_id: r.try_get::<Option<i64>, _>("parent_id")?,
        since: r.try_get("created_at")?,
        flags: Vec::new(),
    })
}
