//! Post revisions: every save of a post's title, body and tags, numbered from 1. The history page
//! reads them a page at a time and the two compared ones by number, so a post with thousands of
//! edits opens like one with two. Staff may redact one (its text removed, the redaction audited).
use sqlx::Row;

use crate::db::{now, Db, DbError, Tx};

/// Revisions listed per page of a post's history.
pub const PER_PAGE: i64 = 50;

#[derive(Debug, Clone)]
pub struct Revision {
    pub n: i64,
    pub title: String,
    pub body_md: String,
    pub tags: String,
    pub editor_name: String,
    pub at: i64,
    /// Staff removed its text.
    pub redacted: bool,
}

#[allow(clippy::too_many_arguments)]
pub(super) async fn insert(
    tx: &mut Tx,
    post_id: i64,
    n: i64,
    title: &str,
    body_md: &str,
    tags: &str,
    editor_id: i64,
    at: i64,
) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO post_revisions (post_id, n, title, body_md, tags, editor_id, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7)",
    )
    .bind(post_id)
    .bind(n)
    .bind(title)
    .bind(body_md)
    .bind(tags)
    .bind(editor_id)
    .bind(at)
    .execute(&mut **tx)
    .await?;
    Ok(())
}

const COLUMNS: &str = "r.n, r.title, r.body_md, r.tags, u.username, r.at, r.redacted_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<Revision, DbError> {
    Ok(Revision {
        n: row.try_get("n")?,
        title: row.try_get("title")?,
        body_md: row.try_get("body_md")?,
        tags: row.try_get("tags")?,
        editor_name: row.try_get("username")?,
        at: row.try_get("at")?,
        redacted: row.try_get::<Option<i64>, _>("redacted_at")?.is_some(),
    })
}

/// The number of a post's latest revision (0 when it has none).
pub async fn latest(db: &Db, post_id: i64) -> Result<i64, DbError> {
    let n: Option<i64> = sqlx::query_scalar("SELECT MAX(n) FROM post_revisions WHERE post_id = $1")
        .bind(post_id)
        .fetch_one(db.reader())
        .await?;
    Ok(n.unwrap_or(0))
}

/// Page `page` (from 1) of a post's revisions, oldest first: numbers `(page-1)*PER_PAGE+1` to
/// `page*PER_PAGE` (revision numbers have no gaps). Bodies are left out: the list shows none.
pub async fn page(db: &Db, post_id: i64, page: i64) -> Result<Vec<Revision>, DbError> {
    let first = (page.max(1) - 1).saturating_mul(PER_PAGE);
    let sql = format!(
        "SELECT {} FROM post_revisions r JOIN users u ON u.id = r.editor_id \
         WHERE r.post_id = $1 AND r.n > $2 AND r.n <= $3 ORDER BY r.n",
        COLUMNS.replace("r.body_md", "'' AS body_md")
    );
    let rows = sqlx::query(&sql)
        .bind(post_id)
        .bind(first)
        .bind(first.saturating_add(PER_PAGE))
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Revision `n` of a post, with its text.
pub async fn by_number(db: &Db, post_id: i64, n: i64) -> Result<Option<Revision>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM post_revisions r JOIN users u ON u.id = r.editor_id \
         WHERE r.post_id = $1 AND r.n = $2"
    );
    let row = sqlx::query(&sql)
        .bind(post_id)
        .bind(n)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Removes revision `n`'s title, text and tags for staff member `actor_id`, with an audit row giving
/// `reason`. `false` when there is no such revision or it is redacted already.
pub async fn redact(
    db: &Db,
    actor_id: i64,
    post_id: i64,
    n: i64,
    reason: &str,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query(
        "UPDATE post_revisions SET title = '', body_md = '', tags = '', redacted_by = $1, \
         redacted_at = $2 WHERE post_id = $3 AND n = $4 AND redacted_at IS NULL",
    )
    .bind(actor_id)
    .bind(now())
    .bind(post_id)
    .bind(n)
    .execute(&mut *tx)
    .await?;
    if done.rows_affected() == 0 {
        tx.rollback().await?;
        return Ok(false);
    }
    crate::db::mod_log::record(
        &mut tx,
        crate::db::mod_log::NewAction {
            actor_id,
            action: "redact_revision",
            target_kind: "post",
            target_id: Some(post_id),
            reason,
            detail: &format!("revision {n}"),
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
