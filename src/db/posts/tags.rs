//! Tags: created on first use, attached to posts, counted over published posts, listed by popularity.
use sqlx::Row;

use crate::db::{now, Db, DbError, Tx};
use crate::domain::TagList;

#[derive(Debug, Clone)]
pub struct TagRecord {
    pub id: i64,
    pub name: String,
    pub description: String,
    pub post_count: i64,
}

/// Makes the post carry exactly `tags`, creating unknown ones, and recounts every tag involved.
pub(super) async fn replace_for_post(
    tx: &mut Tx,
    post_id: i64,
    tags: &TagList,
) -> Result<(), DbError> {
    let old: Vec<i64> = sqlx::query_scalar("SELECT tag_id FROM post_tags WHERE post_id = $1")
        .bind(post_id)
        .fetch_all(&mut **tx)
        .await?;
    sqlx::query("DELETE FROM post_tags WHERE post_id = $1")
        .bind(post_id)
        .execute(&mut **tx)
        .await?;
    let mut touched = old;
    for tag in tags.iter() {
        sqlx::query(
            "INSERT INTO tags (name, created_at) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING",
        )
        .bind(tag.as_str())
        .bind(now())
        .execute(&mut **tx)
        .await?;
        let id: i64 = sqlx::query_scalar("SELECT id FROM tags WHERE name = $1")
            .bind(tag.as_str())
            .fetch_one(&mut **tx)
            .await?;
        sqlx::query(
            "INSERT INTO post_tags (post_id, tag_id) VALUES ($1, $2) ON CONFLICT DO NOTHING",
        )
        .bind(post_id)
        .bind(id)
        .execute(&mut **tx)
        .await?;
        touched.push(id);
    }
    recount(tx, &touched).await
}

/// Recounts the tags of a post whose status changed.
pub(crate) async fn recount_for_post(tx: &mut Tx, post_id: i64) -> Result<(), DbError> {
    let ids: Vec<i64> = sqlx::query_scalar("SELECT tag_id FROM post_tags WHERE post_id = $1")
        .bind(post_id)
        .fetch_all(&mut **tx)
        .await?;
    recount(tx, &ids).await
}

async fn recount(tx: &mut Tx, tag_ids: &[i64]) -> Result<(), DbError> {
    for id in tag_ids {
        sqlx::query(
            "UPDATE tags SET post_count = (SELECT COUNT(*) FROM post_tags pt JOIN posts p \
             ON p.id = pt.post_id WHERE pt.tag_id = $1 AND p.status = 'published') WHERE id = $1",
        )
        .bind(*id)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}

/// A post's tag names in the order they were typed.
pub async fn names_for_post(db: &Db, post_id: i64) -> Result<Vec<String>, DbError> {
    sqlx::query_scalar(
        "SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id WHERE pt.post_id = $1 ORDER BY t.id",
    )
    .bind(post_id)
    .fetch_all(db.reader())
    .await
}

/// Tag names for many posts at once: `(post_id, name)` pairs.
pub async fn names_for_posts(db: &Db, post_ids: &[i64]) -> Result<Vec<(i64, String)>, DbError> {
    if post_ids.is_empty() {
        return Ok(Vec::new());
    }
    let placeholders: Vec<String> = (1..=post_ids.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT pt.post_id, t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
         WHERE pt.post_id IN ({}) ORDER BY pt.post_id, t.id",
        placeholders.join(", ")
    );
    let mut query = sqlx::query_as::<_, (i64, String)>(&sql);
    for id in post_ids {
        query = query.bind(*id);
    }
    query.fetch_all(db.reader()).await
}

fn tag_from_row(row: &sqlx::any::AnyRow) -> Result<TagRecord, DbError> {
    Ok(TagRecord {
        id: row.try_get("id")?,
        name: row.try_get("name")?,
        description: row.try_get("description")?,
        post_count: row.try_get("post_count")?,
    })
}

pub async fn by_name(db: &Db, name: &str) -> Result<Option<TagRecord>, DbError> {
    let row = sqlx::query("SELECT id, name, description, post_count FROM tags WHERE name = $1")
        .bind(name)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(tag_from_row).transpose()
}

/// Where the tag list continues: after the tag with this count and id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TagCursor {
    pub post_count: i64,
    pub id: i64,
}

/// One page of tags, most used first (keyset: `post_count DESC, id DESC`). Returns `limit` tags and
/// whether more follow. A tag no published post carries is not listed (a draft's or a held post's
/// tag would otherwise name what it is about).
pub async fn page_by_popularity(
    db: &Db,
    after: Option<TagCursor>,
    limit: i64,
) -> Result<(Vec<TagRecord>, bool), DbError> {
    let after = after.unwrap_or(TagCursor {
        post_count: i64::MAX,
        id: i64::MAX,
    });
    let rows = sqlx::query(
        "SELECT id, name, description, post_count FROM tags \
         WHERE post_count > 0 AND (post_count < $1 OR (post_count = $1 AND id < $2)) \
         ORDER BY post_count DESC, id DESC LIMIT $3",
    )
    .bind(after.post_count)
    .bind(after.id)
    .bind(limit + 1)
    .fetch_all(db.reader())
    .await?;
    let mut tags = rows
        .iter()
        .map(tag_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    let more = tags.len() as i64 > limit;
    tags.truncate(limit as usize);
    Ok((tags, more))
}
