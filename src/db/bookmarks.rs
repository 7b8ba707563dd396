//! Queries over `bookmarks`: toggling one and the member's list newest first (keyset pages),
//! showing only what they may still open (which of a page's posts a member saved is read with
//! their other marks, `db::marks`).
use sqlx::Row;

use super::{now, Db, DbError};

/// What a bookmark points at, as stored in `bookmarks.target_kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Target {
    /// A question, article or answer.
    Post(i64),
    Resource(i64),
}

impl Target {
    fn parts(self) -> (&'static str, i64) {
        match self {
            Target::Post(id) => ("post", id),
            Target::Resource(id) => ("resource", id),
        }
    }
}

/// Saves the bookmark if it is not there, removes it if it is; returns whether it is now saved.
pub async fn toggle(db: &Db, user_id: i64, target: Target) -> Result<bool, DbError> {
    let (kind, id) = target.parts();
    let mut tx = db.begin_write().await?;
    let removed = sqlx::query(
        "DELETE FROM bookmarks WHERE user_id = $1 AND target_kind = $2 AND target_id = $3",
    )
    .bind(user_id)
    .bind(kind)
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if removed == 0 {
        sqlx::query(
            "INSERT INTO bookmarks (user_id, target_kind, target_id, created_at) \
             VALUES ($1, $2, $3, $4)",
        )
        .bind(user_id)
        .bind(kind)
        .bind(id)
        .bind(now())
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await?;
    Ok(removed == 0)
}

/// Whether the member bookmarked this target.
pub async fn is_saved(db: &Db, user_id: i64, target: Target) -> Result<bool, DbError> {
    let (kind, id) = target.parts();
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT 1 FROM bookmarks WHERE user_id = $1 AND target_kind = $2 AND target_id = $3",
    )
    .bind(user_id)
    .bind(kind)
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    Ok(found.is_some())
}

/// A position in the list: the time and target id of the last bookmark shown (`time:id` in URLs).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub at: i64,
    pub id: i64,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (at, id) = text.split_once(':')?;
        Some(Cursor {
            at: at.trim().parse().ok()?,
            id: id.trim().parse().ok()?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.at, self.id)
    }
}

/// One saved item as the list shows it.
#[derive(Debug, Clone)]
pub struct SavedItem {
    /// `article`, `question`, `answer`, `bot_answer` or `resource`.
    pub kind: String,
    pub id: i64,
    /// The question an answer belongs to.
    pub parent_id: Option<i64>,
    /// The post's title, its question's for an answer, or the resource's.
    pub title: String,
    pub excerpt: String,
    pub saved_at: i64,
}

/// A page of the member's bookmarks, newest first, and the next page's cursor. Only published posts
/// (an answer's question published too), approved resources, and the member's own not deleted
/// posts and entries are listed: a bookmark of something taken down stays stored but hidden.
pub async fn page_of(
    db: &Db,
    user_id: i64,
    after: Option<Cursor>,
    limit: i64,
) -> Result<(Vec<SavedItem>, Option<Cursor>), DbError> {
    let after = after.unwrap_or(Cursor {
        at: i64::MAX,
        id: i64::MAX,
    });
    let rows = sqlx::query(
        "SELECT b.target_kind, b.target_id, b.created_at, p.kind AS post_kind, p.parent_id, \
                COALESCE(NULLIF(p.title, ''), q.title, r.title, '') AS title, \
                COALESCE(p.excerpt, r.description_text, '') AS excerpt \
         FROM bookmarks b \
         LEFT JOIN posts p ON b.target_kind = 'post' AND p.id = b.target_id \
         LEFT JOIN posts q ON q.id = p.parent_id \
         LEFT JOIN resources r ON b.target_kind = 'resource' AND r.id = b.target_id \
         WHERE b.user_id = $1 AND (b.created_at, b.target_id) < ($2, $3) \
           AND ((p.id IS NOT NULL AND (p.status = 'published' OR (p.author_id = $1 AND p.status <> 'deleted')) \
                 AND (q.id IS NULL OR q.status = 'published' OR q.author_id = $1)) \
             OR (r.id IS NOT NULL AND (r.status = 'approved' OR r.submitted_by = $1))) \
         ORDER BY b.created_at DESC, b.target_id DESC LIMIT $4",
    )
    .bind(user_id)
    .bind(after.at)
    .bind(after.id)
    .bind(limit + 1)
    .fetch_all(db.reader())
    .await?;
    let mut items = Vec::with_capacity(rows.len());
    for row in &rows {
        let target_kind: String = row.try_get("target_kind")?;
        let kind = if target_kind == "resource" {
            target_kind
        } else {
            row.try_get::<Option<String>, _>("post_kind")?
                .unwrap_or_default()
        };
        let excerpt: String = row.try_get("excerpt")?;
        items.push(SavedItem {
            kind,
            id: row.try_get("target_id")?,
            parent_id: row.try_get("parent_id")?,
            title: row.try_get("title")?,
            excerpt: excerpt.chars().take(200).collect(),
            saved_at: row.try_get("created_at")?,
        });
    }
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items.last().map(|last| Cursor {
            at: last.saved_at,
            id: last.id,
        })
    } else {
        None
    };
    Ok((items, next))
}
