//! Queries over comments. Writing a comment, counting it on its post and notifying the post's author
//! and the people it mentions happen in one transaction.
use sqlx::Row;

use super::notifications::{self, Kind};
use super::{now, placeholders, Db, DbError, Tx};
use crate::domain::CommentStatus;

/// The post a comment is about, with what authorisation needs.
#[derive(Debug, Clone)]
pub struct CommentTarget {
    pub post_id: i64,
    pub post_kind: String,
    pub author_id: i64,
    pub parent_id: Option<i64>,
    /// The asker, when the post is an answer.
    pub parent_author_id: Option<i64>,
    /// Staff locked the post's comments: nobody adds new ones.
    pub comments_locked: bool,
}

const TARGET_SELECT: &str =
    "SELECT p.id, p.kind, p.author_id, p.parent_id, q.author_id AS parent_author_id, \
     p.comments_locked FROM posts p LEFT JOIN posts q ON q.id = p.parent_id WHERE p.status = 'published' AND ";

fn target_from_row(r: &sqlx::any::AnyRow) -> Result<CommentTarget, DbError> {
    Ok(CommentTarget {
        post_id: r.try_get("id")?,
        post_kind: r.try_get("kind")?,
        author_id: r.try_get("author_id")?,
        parent_id: r.try_get("parent_id")?,
        parent_author_id: r.try_get("parent_author_id")?,
        comments_locked: r.try_get::<i64, _>("comments_locked")? != 0,
    })
}

/// A published post that can take comments.
pub async fn target(db: &Db, post_id: i64) -> Result<Option<CommentTarget>, DbError> {
    let sql = format!("{TARGET_SELECT} p.id = $1");
    let row = sqlx::query(&sql)
        .bind(post_id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(target_from_row).transpose()
}

/// The published posts among `post_ids`, for deciding who may comment on each.
pub async fn targets(db: &Db, post_ids: &[i64]) -> Result<Vec<CommentTarget>, DbError> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let sql = format!(
        "{TARGET_SELECT} p.id IN ({})",
        placeholders(1, post_ids.len())
    );
    let mut query = sqlx::query(&sql);
    for id in post_ids {
        query = query.bind(*id);
    }
    let rows = query.fetch_all(db.reader()).await?;
    rows.iter().map(target_from_row).collect()
}

pub struct NewComment<'a> {
    pub post: &'a CommentTarget,
    pub author_id: i64,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub renderer_version: i64,
    /// `@names` found in the body.
    pub mentions: &'a [String],
    /// `pending` when a hold rule matched: stored uncounted, and nobody is told until review
    /// publishes it.
    pub status: CommentStatus,
}

/// Stores a comment; a published one also bumps the post's comment count and notifies the post's
/// author (`comment`) and the mentioned users (`mention`; the post's author is told once). Returns
/// the comment id.
pub async fn create(db: &Db, new: NewComment<'_>) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO comments (post_id, author_id, body_md, body_html, renderer_version, status, \
         created_at) VALUES ($1, $2, $3, $4, $5, $6, $7) RETURNING id",
    )
    .bind(new.post.post_id)
    .bind(new.author_id)
    .bind(new.body_md)
    .bind(new.body_html)
    .bind(new.renderer_version)
    .bind(new.status.as_str())
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    if new.status == CommentStatus::Published {
        sqlx::query("UPDATE posts SET comment_count = comment_count + 1 WHERE id = $1")
            .bind(new.post.post_id)
            .execute(&mut *tx)
            .await?;
    }
    if new.status == CommentStatus::Published {
        let published = notifications::Published {
            actor_id: new.author_id,
            post_id: new.post.post_id,
            comment_id: Some(id),
            owner: Some((new.post.author_id, Kind::Comment)),
            mentions: new.mentions,
        };
        notifications::tell_published_in(&mut tx, published).await?;
    }
    tx.commit().await?;
    Ok(id)
}

/// A stored comment, for edit and delete decisions.
#[derive(Debug, Clone)]
pub struct CommentRecord {
    pub id: i64,
    pub post_id: i64,
    pub author_id: i64,
    pub body_md: String,
    pub status: CommentStatus,
    pub created_at: i64,
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<CommentRecord>, DbError> {
    let row = sqlx::query(
        "SELECT id, post_id, author_id, body_md, status, created_at FROM comments WHERE id = $1",
    )
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    row.map(|r| {
        Ok(CommentRecord {
            id: r.try_get("id")?,
            post_id: r.try_get("post_id")?,
            author_id: r.try_get("author_id")?,
            body_md: r.try_get("body_md")?,
            status: CommentStatus::from_stored(&r.try_get::<String, _>("status")?),
            created_at: r.try_get("created_at")?,
        })
    })
    .transpose()
}

/// Replaces a comment's text. People newly @mentioned by the edit are notified, nobody twice, and
/// only while the comment is published and the edit is not `held` for review (approval tells them).
pub async fn update(
    db: &Db,
    comment: &CommentRecord,
    body_md: &str,
    body_html: &str,
    renderer_version: i64,
    mentions: &[String],
    held: bool,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE comments SET body_md = $1, body_html = $2, renderer_version = $3, edited_at = $4 WHERE id = $5",
    )
    .bind(body_md)
    .bind(body_html)
    .bind(renderer_version)
    .bind(now())
    .bind(comment.id)
    .execute(&mut *tx)
    .await?;
    if held || comment.status != CommentStatus::Published {
        return tx.commit().await;
    }
    let told = already_notified(&mut tx, comment.id).await?;
    notifications::notify_mentions(
        &mut tx,
        mentions,
        comment.author_id,
        comment.post_id,
        Some(comment.id),
        &told,
    )
    .await?;
    tx.commit().await
}

async fn already_notified(tx: &mut Tx, comment_id: i64) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar("SELECT user_id FROM notifications WHERE comment_id = $1")
        .bind(comment_id)
        .fetch_all(&mut **tx)
        .await
}

/// Soft-deletes a comment (the row stays for moderation history) and uncounts it.
pub async fn delete(db: &Db, comment: &CommentRecord) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let changed = sqlx::query(
        "UPDATE comments SET status = 'deleted' WHERE id = $1 AND status = 'published'",
    )
    .bind(comment.id)
    .execute(&mut *tx)
    .await?
    .rows_affected();
    if changed > 0 {
        sqlx::query("UPDATE posts SET comment_count = comment_count - 1 WHERE id = $1 AND comment_count > 0")
            .bind(comment.post_id)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await
}

/// A comment as a post page shows it.
#[derive(Debug, Clone)]
pub struct CommentView {
    pub id: i64,
    pub post_id: i64,
    pub author_id: i64,
    pub author: String,
    /// Sanitised HTML from `render::render_comment`.
    pub body_html: String,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub score: i64,
    /// Hidden pending review: only its author and staff see it.
    pub hidden: bool,
    /// How many published and hidden comments its post has.
    pub total: i64,
}

/// The published and hidden comments on the given posts, oldest first, at most `per_post` of each
/// post except `expanded` (the one whose "show all" the reader followed), each with how many its post
/// has (callers show hidden ones to their author and staff only). One statement, however many.
pub async fn for_posts(
    db: &Db,
    post_ids: &[i64],
    per_post: i64,
    expanded: Option<i64>,
) -> Result<Vec<CommentView>, DbError> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let n = post_ids.len();
    let sql = format!(
        "SELECT id, post_id, author_id, username, body_html, created_at, edited_at, score, status, \
         total FROM (SELECT c.id, c.post_id, c.author_id, u.username, c.body_html, c.created_at, \
         c.edited_at, c.score, c.status, \
         ROW_NUMBER() OVER (PARTITION BY c.post_id ORDER BY c.created_at, c.id) AS n, \
         COUNT(*) OVER (PARTITION BY c.post_id) AS total \
         FROM comments c JOIN users u ON u.id = c.author_id \
         WHERE c.status IN ('published', 'hidden') AND c.post_id IN ({})) shown \
         WHERE n <= ${} OR post_id = ${} ORDER BY created_at, id",
        placeholders(1, n),
        n + 1,
        n + 2
    );
    let mut query = sqlx::query(&sql);
    for id in post_ids {
        query = query.bind(*id);
    }
    let rows = query
        .bind(per_post)
        .bind(expanded.unwrap_or(0))
        .fetch_all(db.reader())
        .await?;
    rows.iter()
        .map(|r| {
            Ok(CommentView {
                total: r.try_get("total")?,
                id: r.try_get("id")?,
                post_id: r.try_get("post_id")?,
                author_id: r.try_get("author_id")?,
                author: r.try_get("username")?,
                body_html: r.try_get("body_html")?,
                created_at: r.try_get("created_at")?,
                edited_at: r.try_get("edited_at")?,
                score: r.try_get("score")?,
                hidden: CommentStatus::from_stored(&r.try_get::<String, _>("status")?)
                    == CommentStatus::Hidden,
            })
        })
        .collect()
}

/// A published comment as the JSON API lists it.
#[derive(Debug, Clone)]
pub struct PublishedComment {
    pub id: i64,
    pub post_id: i64,
    pub author: String,
    pub body_md: String,
    pub body_html: String,
    pub score: i64,
    pub created_at: i64,
    pub edited_at: Option<i64>,
}

/// Up to `limit` published comments on `post_id` with an id above `after_id`, oldest first
/// (keyset: ids grow with creation time).
pub async fn published_after(
    db: &Db,
    post_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<PublishedComment>, DbError> {
    let rows = sqlx::query(
        "SELECT c.id, c.post_id, u.username, c.body_md, c.body_html, c.score, c.created_at,          c.edited_at FROM comments c JOIN users u ON u.id = c.author_id          WHERE c.post_id = $1 AND c.status = 'published' AND c.id > $2 ORDER BY c.id LIMIT $3",
    )
    .bind(post_id)
    .bind(after_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(PublishedComment {
                id: r.try_get("id")?,
                post_id: r.try_get("post_id")?,
                author: r.try_get("username")?,
                body_md: r.try_get("body_md")?,
                body_html: r.try_get("body_html")?,
                score: r.try_get("score")?,
                created_at: r.try_get("created_at")?,
                edited_at: r.try_get("edited_at")?,
            })
        })
        .collect()
}
