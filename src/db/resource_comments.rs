//! Queries over `resource_comments`: writing one, the thread under a resource, and soft deletion
//! (a staff member's deletion of someone else's comment is audited in the same transaction).
use sqlx::Row;

use super::{now, Db, DbError};
use crate::domain::CommentStatus;

/// A comment to store; the caller has validated and rendered it.
pub struct NewResourceComment<'a> {
    pub resource_id: i64,
    pub author_id: i64,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub renderer_version: i64,
    /// `published`, or `pending` when a rule held it.
    pub status: &'a str,
}

/// Stores a comment and returns its id.
pub async fn create(db: &Db, new: &NewResourceComment<'_>) -> Result<i64, DbError> {
    sqlx::query_scalar(
        "INSERT INTO resource_comments (resource_id, author_id, body_md, body_html, \
         renderer_version, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.resource_id)
    .bind(new.author_id)
    .bind(new.body_md)
    .bind(new.body_html)
    .bind(new.renderer_version)
    .bind(new.status)
    .bind(now())
    .fetch_one(db.writer())
    .await
}

/// A comment as the resource page shows it, with its author's name.
#[derive(Debug, Clone)]
pub struct ResourceCommentView {
    pub id: i64,
    pub author_id: i64,
    pub author: String,
    /// Sanitised HTML from `render::render_comment`.
    pub body_html: String,
    pub status: CommentStatus,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// The published comments on a resource plus `viewer`'s own pending ones, oldest first.
pub async fn for_resource(
    db: &Db,
    resource_id: i64,
    viewer: Option<i64>,
) -> Result<Vec<ResourceCommentView>, DbError> {
    let rows = sqlx::query(
        "SELECT c.id, c.author_id, u.username, c.body_html, c.status, c.created_at, c.edited_at \
         FROM resource_comments c JOIN users u ON u.id = c.author_id \
         WHERE c.resource_id = $1 \
         AND (c.status = 'published' OR (c.status = 'pending' AND c.author_id = $2)) \
         ORDER BY c.created_at, c.id",
    )
    .bind(resource_id)
    .bind(viewer.unwrap_or(0))
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(ResourceCommentView {
                id: r.try_get("id")?,
                author_id: r.try_get("author_id")?,
                author: r.try_get("username")?,
                body_html: r.try_get("body_html")?,
                status: CommentStatus::from_stored(&r.try_get::<String, _>("status")?),
                created_at: r.try_get("created_at")?,
                edited_at: r.try_get("edited_at")?,
            })
        })
        .collect()
}

/// A stored comment, for delete decisions.
#[derive(Debug, Clone)]
pub struct ResourceCommentRecord {
    pub id: i64,
    pub resource_id: i64,
    pub author_id: i64,
    pub status: CommentStatus,
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<ResourceCommentRecord>, DbError> {
    let row = sqlx::query(
        "SELECT id, resource_id, author_id, status FROM resource_comments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| {
        Ok(ResourceCommentRecord {
            id: r.try_get("id")?,
            resource_id: r.try_get("resource_id")?,
            author_id: r.try_get("author_id")?,
            status: CommentStatus::from_stored(&r.try_get::<String, _>("status")?),
        })
    })
    .transpose()
}

/// Soft-deletes a live (published or pending) comment. When staff delete someone else's comment
/// (`audited_by`), the audit row is written in the same transaction. Returns `false` when the
/// comment was already gone.
pub async fn delete(
    db: &Db,
    comment: &ResourceCommentRecord,
    audited_by: Option<i64>,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE resource_comments SET status = 'deleted' \
         WHERE id = $1 AND status IN ('published', 'pending')",
    )
    .bind(comment.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    if let Some(actor_id) = audited_by {
        let detail = format!("on /resources/{}", comment.resource_id);
        super::mod_log::record(
            &mut tx,
            super::mod_log::NewAction {
                actor_id,
                action: "delete_resource_comment",
                target_kind: "resource_comment",
                target_id: Some(comment.id),
                reason: "",
                detail: &detail,
            },
        )
        .await?;
    }
    tx.commit().await?;
    Ok(true)
}

/// A moderator publishes a comment a hold rule kept back; the audit row commits with it. Returns
/// `false` when it was not waiting.
pub async fn approve(db: &Db, id: i64, actor_id: i64) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE resource_comments SET status = 'published' WHERE id = $1 AND status = 'pending'",
    )
    .bind(id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed == 0 {
        return Ok(false);
    }
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id,
            action: "approve_resource_comment",
            target_kind: "resource_comment",
            target_id: Some(id),
            reason: "",
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
