//! Keyset pages the JSON API walks that no HTML page lists this way: a question's published
//! answers, oldest first, each page starting after the last id shown.
use super::{post_from_row, PostRecord, POST_COLUMNS};
use crate::db::{Db, DbError};

/// Up to `limit` published answers to `question_id` with an id above `after_id`, oldest first.
pub async fn answers_after(
    db: &Db,
    question_id: i64,
    after_id: i64,
    limit: i64,
) -> Result<Vec<PostRecord>, DbError> {
    let sql = format!(
        "SELECT {POST_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id \
         WHERE p.parent_id = $1 AND p.status = 'published' AND p.id > $2 \
         ORDER BY p.id LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(question_id)
        .bind(after_id)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(post_from_row).collect()
}
