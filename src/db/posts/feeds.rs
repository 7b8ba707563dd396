//! What feeds and the sitemap list.
use sqlx::Row;

use crate::db::{Db, DbError};
use crate::domain::PostKind;

/// A published article or question as the sitemap lists it.
#[derive(Debug, Clone)]
pub struct SitemapEntry {
    pub id: i64,
    pub kind: PostKind,
    pub slug: String,
    pub last_modified: i64,
}

/// Every published article and question (up to `limit`, the sitemap protocol's cap), newest first.
pub async fn sitemap_entries(db: &Db, limit: i64) -> Result<Vec<SitemapEntry>, DbError> {
    let rows = sqlx::query(
        "SELECT id, kind, slug, last_activity_at FROM posts \
         WHERE status = 'published' AND kind IN ('article', 'question') \
         ORDER BY created_at DESC, id DESC LIMIT $1",
    )
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(SitemapEntry {
                id: row.try_get("id")?,
                kind: PostKind::from_stored(&row.try_get::<String, _>("kind")?),
                slug: row.try_get("slug")?,
                last_modified: row.try_get("last_activity_at")?,
            })
        })
        .collect()
}
