//! Post revisions: every save of a post's title, body and tags, numbered from 1.
use sqlx::Row;

use crate::db::{Db, DbError, Tx};

#[derive(Debug, Clone)]
pub struct Revision {
    pub n: i64,
    pub title: String,
    pub body_md: String,
    pub tags: String,
    pub editor_name: String,
    pub at: i64,
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

/// Every revision of a post, oldest first.
pub async fn for_post(db: &Db, post_id: i64) -> Result<Vec<Revision>, DbError> {
    let rows = sqlx::query(
        "SELECT r.n, r.title, r.body_md, r.tags, u.username, r.at FROM post_revisions r \
         JOIN users u ON u.id = r.editor_id WHERE r.post_id = $1 ORDER BY r.n",
    )
    .bind(post_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(Revision {
                n: row.try_get("n")?,
                title: row.try_get("title")?,
                body_md: row.try_get("body_md")?,
                tags: row.try_get("tags")?,
                editor_name: row.try_get("username")?,
                at: row.try_get("at")?,
            })
        })
        .collect()
}
