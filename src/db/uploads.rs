//! Queries over `uploads` (who uploaded which stored image) and `users.avatar`, and the reference
//! check of the clean-up job: an image is live while a post, comment, resource, resource comment,
//! bio, avatar or event that is not deleted, or the brand's logo or favicon, names it.
use sqlx::Row;

use super::{now, Db, DbError};

/// One member's upload, as the export lists it.
#[derive(Debug, Clone, serde::Serialize)]
pub struct UploadRecord {
    pub sha256: String,
    pub ext: String,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub purpose: String,
    pub created_at: i64,
}

pub struct NewUpload<'a> {
    pub owner_id: i64,
    pub sha256: &'a str,
    pub ext: &'a str,
    pub bytes: i64,
    pub width: i64,
    pub height: i64,
    pub purpose: &'a str,
}

/// Records that `owner_id` uploaded this image (again: nothing changes but the time).
pub async fn record(db: &Db, new: NewUpload<'_>) -> Result<(), DbError> {
    sqlx::query(
        "INSERT INTO uploads (owner_id, sha256, ext, bytes, width, height, purpose, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) \
         ON CONFLICT (owner_id, sha256) DO UPDATE SET created_at = excluded.created_at",
    )
    .bind(new.owner_id)
    .bind(new.sha256)
    .bind(new.ext)
    .bind(new.bytes)
    .bind(new.width)
    .bind(new.height)
    .bind(new.purpose)
    .bind(now())
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The bytes a member's uploads hold, and whether they already hold `sha256` (which costs nothing).
pub async fn quota_used(db: &Db, owner_id: i64, sha256: &str) -> Result<(i64, bool), DbError> {
    let row = sqlx::query(
        "SELECT CAST(COALESCE(SUM(bytes), 0) AS BIGINT) AS used, \
         CAST(COALESCE(SUM(CASE WHEN sha256 = $2 THEN 1 ELSE 0 END), 0) AS BIGINT) AS holds \
         FROM uploads WHERE owner_id = $1",
    )
    .bind(owner_id)
    .bind(sha256)
    .fetch_one(db.reader())
    .await?;
    Ok((row.try_get("used")?, row.try_get::<i64, _>("holds")? > 0))
}

pub async fn by_owner(db: &Db, owner_id: i64) -> Result<Vec<UploadRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT sha256, ext, bytes, width, height, purpose, created_at FROM uploads \
         WHERE owner_id = $1 ORDER BY id",
    )
    .bind(owner_id)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|row| {
            Ok(UploadRecord {
                sha256: row.try_get("sha256")?,
                ext: row.try_get("ext")?,
                bytes: row.try_get("bytes")?,
                width: row.try_get("width")?,
                height: row.try_get("height")?,
                purpose: row.try_get("purpose")?,
                created_at: row.try_get("created_at")?,
            })
        })
        .collect()
}

/// Whether any member's upload row names this stored file (so it may be served).
pub async fn is_stored(db: &Db, sha256: &str, ext: &str) -> Result<bool, DbError> {
    let found: Option<i64> =
        sqlx::query_scalar("SELECT id FROM uploads WHERE sha256 = $1 AND ext = $2 LIMIT 1")
            .bind(sha256)
            .bind(ext)
            .fetch_optional(db.reader())
            .await?;
    Ok(found.is_some())
}

/// Stored files whose every upload row is older than `before`: (sha256, ext).
pub async fn settled_before(db: &Db, before: i64) -> Result<Vec<(String, String)>, DbError> {
    sqlx::query_as(
        "SELECT sha256, MIN(ext) FROM uploads GROUP BY sha256 HAVING MAX(created_at) <= $1 \
         ORDER BY sha256",
    )
    .bind(before)
    .fetch_all(db.reader())
    .await
}

/// Whether live content names `file_name` (`{sha256}.{ext}`).
pub async fn is_referenced(db: &Db, file_name: &str) -> Result<bool, DbError> {
    let pattern = format!("%/uploads/{file_name}%");
    let found: Option<i64> = sqlx::query_scalar(
        "SELECT CAST(1 AS BIGINT) WHERE \
         EXISTS (SELECT 1 FROM posts WHERE status <> 'deleted' AND body_md LIKE $1) \
         OR EXISTS (SELECT 1 FROM comments WHERE status <> 'deleted' AND body_md LIKE $1) \
         OR EXISTS (SELECT 1 FROM resources WHERE description_md LIKE $1) \
         OR EXISTS (SELECT 1 FROM resource_comments WHERE status <> 'deleted' AND body_md LIKE $1) \
         OR EXISTS (SELECT 1 FROM users WHERE deleted_at IS NULL AND (bio_md LIKE $1 OR avatar = $2)) \
         OR EXISTS (SELECT 1 FROM events WHERE status <> 'deleted' AND body_md LIKE $1) \
         OR EXISTS (SELECT 1 FROM site_settings WHERE key IN ('brand.logo', 'brand.favicon') \
                    AND value LIKE $1)",
    )
    .bind(pattern)
    .bind(file_name)
    .fetch_optional(db.reader())
    .await?;
    Ok(found.is_some())
}

/// Forgets every upload row of a stored file (the job removes the file itself).
pub async fn forget(db: &Db, sha256: &str) -> Result<(), DbError> {
    sqlx::query("DELETE FROM uploads WHERE sha256 = $1")
        .bind(sha256)
        .execute(db.writer())
        .await?;
    Ok(())
}

/// The member's avatar (`{sha256}.{ext}`), if they set one.
pub async fn avatar(db: &Db, user_id: i64) -> Result<Option<String>, DbError> {
    let found: Option<Option<String>> =
        sqlx::query_scalar("SELECT avatar FROM users WHERE id = $1")
            .bind(user_id)
            .fetch_optional(db.reader())
            .await?;
    Ok(found.flatten())
}

pub async fn set_avatar(db: &Db, user_id: i64, file_name: Option<&str>) -> Result<(), DbError> {
    sqlx::query("UPDATE users SET avatar = $1 WHERE id = $2")
        .bind(file_name)
        .bind(user_id)
        .execute(db.writer())
        .await?;
    Ok(())
}
