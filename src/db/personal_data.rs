//! Queries of a member's personal data: what an export gathers (as JSON rows, never the password
//! hash), the export rows and their archives, and the account deletion that either keeps the
//! member's posts under an anonymised account or removes them, audited in the same transaction.
use serde_json::{Map, Value};
use sqlx::{Column, Row};

use super::{now, Db, DbError};

/// One export as the settings page lists it (the archive stays in the database for a week).
#[derive(Debug, Clone)]
pub struct ExportRecord {
    pub id: i64,
    pub user_id: i64,
    pub status: String,
    pub bytes: i64,
    pub created_at: i64,
}

/// A row as JSON: integers as numbers, text as strings, NULL as null.
fn row_json(row: &sqlx::any::AnyRow) -> Value {
    let mut map = Map::new();
    for (i, column) in row.columns().iter().enumerate() {
        let value = match row.try_get::<Option<i64>, _>(i) {
            Ok(v) => v.map_or(Value::Null, Value::from),
            Err(_) => row
                .try_get::<Option<String>, _>(i)
                .ok()
                .flatten()
                .map_or(Value::Null, Value::from),
        };
        map.insert(column.name().to_string(), value);
    }
    Value::Object(map)
}

/// The rows `sql` (one `$1`: the member's id) returns, as JSON objects.
async fn rows(db: &Db, sql: &str, user_id: i64) -> Result<Vec<Value>, DbError> {
    let found = sqlx::query(sql)
        .bind(user_id)
        .fetch_all(db.reader())
        .await?;
    Ok(found.iter().map(row_json).collect())
}

pub async fn profile(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT id, username, email, role, reputation, trust_level, bio_md, locale, avatar, \
         created_at, last_seen_at FROM users WHERE id = $1",
        user_id,
    )
    .await
}

pub async fn posts(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT id, kind, parent_id, title, slug, body_md, status, score, created_at, edited_at \
         FROM posts WHERE author_id = $1 ORDER BY id",
        user_id,
    )
    .await
}

/// Every revision of the member's posts, and every revision they made of others' posts.
pub async fn revisions(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT r.post_id, r.n, r.title, r.body_md, r.tags, r.editor_id, r.at \
         FROM post_revisions r JOIN posts p ON p.id = r.post_id \
         WHERE p.author_id = $1 OR r.editor_id = $1 ORDER BY r.post_id, r.n",
        user_id,
    )
    .await
}

pub async fn comments(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT id, post_id, body_md, status, created_at, edited_at FROM comments \
         WHERE author_id = $1 ORDER BY id",
        user_id,
    )
    .await
}

pub async fn votes(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT target_kind, target_id, value, created_at FROM votes WHERE user_id = $1 \
         ORDER BY created_at, target_kind, target_id",
        user_id,
    )
    .await
}

pub async fn bookmarks(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT target_kind, target_id, created_at FROM bookmarks WHERE user_id = $1 \
         ORDER BY created_at, target_kind, target_id",
        user_id,
    )
    .await
}

pub async fn follows(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT target_kind, target_id, level, created_at FROM follows WHERE user_id = $1 \
         ORDER BY created_at, target_kind, target_id",
        user_id,
    )
    .await
}

pub async fn rsvps(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT event_id, answer, updated_at FROM event_rsvps WHERE user_id = $1 ORDER BY event_id",
        user_id,
    )
    .await
}

pub async fn resources(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT id, kind, title, url, authors, year, description_md, status, created_at \
         FROM resources WHERE submitted_by = $1 ORDER BY id",
        user_id,
    )
    .await
}

pub async fn resource_comments(db: &Db, user_id: i64) -> Result<Vec<Value>, DbError> {
    rows(
        db,
        "SELECT id, resource_id, body_md, status, created_at FROM resource_comments \
         WHERE author_id = $1 ORDER BY id",
        user_id,
    )
    .await
}

/// Records a request for an export and its audit row; returns the export's id.
pub async fn create_export(db: &Db, user_id: i64, requested_by: i64) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query_scalar(
        "INSERT INTO data_exports (user_id, requested_by, created_at) VALUES ($1, $2, $3) \
         RETURNING id",
    )
    .bind(user_id)
    .bind(requested_by)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?;
    let detail = format!("export {id}");
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: requested_by,
            action: "export_personal_data",
            target_kind: "user",
            target_id: Some(user_id),
            reason: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// The member whose data a pending export holds.
pub async fn pending_export_owner(db: &Db, id: i64) -> Result<Option<i64>, DbError> {
    sqlx::query_scalar("SELECT user_id FROM data_exports WHERE id = $1 AND status = 'pending'")
        .bind(id)
        .fetch_optional(db.reader())
        .await
}

pub async fn finish_export(db: &Db, id: i64, archive: &[u8]) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE data_exports SET status = 'ready', archive = $1, bytes = $2, ready_at = $3 \
         WHERE id = $4",
    )
    .bind(archive.to_vec())
    .bind(archive.len() as i64)
    .bind(now())
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The exports `requested_by` asked for about `user_id`, newest first.
pub async fn exports(
    db: &Db,
    requested_by: i64,
    user_id: i64,
) -> Result<Vec<ExportRecord>, DbError> {
    let found: Vec<(i64, i64, String, i64, i64)> = sqlx::query_as(
        "SELECT id, user_id, status, bytes, created_at FROM data_exports \
         WHERE requested_by = $1 AND user_id = $2 ORDER BY id DESC LIMIT 10",
    )
    .bind(requested_by)
    .bind(user_id)
    .fetch_all(db.reader())
    .await?;
    Ok(found
        .into_iter()
        .map(|(id, user_id, status, bytes, created_at)| ExportRecord {
            id,
            user_id,
            status,
            bytes,
            created_at,
        })
        .collect())
}

/// A ready archive, only for the member who asked for it.
pub async fn archive(db: &Db, id: i64, requested_by: i64) -> Result<Option<Vec<u8>>, DbError> {
    let found: Option<Option<Vec<u8>>> = sqlx::query_scalar(
        "SELECT archive FROM data_exports WHERE id = $1 AND requested_by = $2 AND status = 'ready'",
    )
    .bind(id)
    .bind(requested_by)
    .fetch_optional(db.reader())
    .await?;
    Ok(found.flatten())
}

/// Forgets exports asked for before `before` (their archives with them); returns how many.
pub async fn delete_exports_before(db: &Db, before: i64) -> Result<u64, DbError> {
    let done = sqlx::query("DELETE FROM data_exports WHERE created_at < $1")
        .bind(before)
        .execute(db.writer())
        .await?;
    Ok(done.rows_affected())
}

/// What happens to a deleted member's posts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ContentChoice {
    /// Kept, shown under the anonymised account.
    Keep,
    /// Deleted, their text erased.
    Remove,
}

/// What a deletion removed.
#[derive(Debug, Default, Clone)]
pub struct Erased {
    pub posts: Vec<i64>,
    pub resources: Vec<i64>,
    pub comments: u64,
}

/// The member's live posts (deleted one by one through `posts::soft_delete`, which keeps counts).
pub async fn live_posts(db: &Db, user_id: i64) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar(
        "SELECT id FROM posts WHERE author_id = $1 AND status <> 'deleted' ORDER BY id",
    )
    .bind(user_id)
    .fetch_all(db.reader())
    .await
}

/// Anonymises the account (name, address, password, bio, avatar, sessions, exports) and, with
/// [`ContentChoice::Remove`], erases the text of its posts, comments and resources; the audit row
/// commits with it. Posts were soft-deleted by the caller before.
pub async fn delete_account(
    db: &Db,
    actor_id: i64,
    user_id: i64,
    choice: ContentChoice,
) -> Result<Erased, DbError> {
    let mut erased = Erased::default();
    let mut tx = db.begin_write().await?;
    if choice == ContentChoice::Remove {
        erased.posts = sqlx::query_scalar("SELECT id FROM posts WHERE author_id = $1 ORDER BY id")
            .bind(user_id)
            .fetch_all(&mut *tx)
            .await?;
        sqlx::query(
            "UPDATE posts SET status = 'deleted', title = '', body_md = '', body_html = '', \
             body_text = '', excerpt = '' WHERE author_id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "DELETE FROM post_revisions WHERE post_id IN (SELECT id FROM posts WHERE author_id = $1)",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        erased.comments = sqlx::query(
            "UPDATE comments SET status = 'deleted', body_md = '', body_html = '' \
             WHERE author_id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query(
            "UPDATE posts SET comment_count = (SELECT COUNT(*) FROM comments c \
             WHERE c.post_id = posts.id AND c.status = 'published') \
             WHERE id IN (SELECT post_id FROM comments WHERE author_id = $1)",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        sqlx::query(
            "UPDATE resource_comments SET status = 'deleted', body_md = '', body_html = '' \
             WHERE author_id = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
        erased.resources =
            sqlx::query_scalar("SELECT id FROM resources WHERE submitted_by = $1 ORDER BY id")
                .bind(user_id)
                .fetch_all(&mut *tx)
                .await?;
        sqlx::query(
            "UPDATE resources SET status = 'rejected', review_reason = 'account deleted', \
             description_md = '', description_html = '', description_text = '' \
             WHERE submitted_by = $1",
        )
        .bind(user_id)
        .execute(&mut *tx)
        .await?;
    }
    let name = format!("deleted-member-{user_id}");
    let address = format!("deleted-member-{user_id}@deleted.invalid");
    sqlx::query(
        "UPDATE users SET username = $1, username_key = $1, email = $2, email_key = $2, \
         password_hash = '!', bio_md = '', bio_html = '', avatar = NULL, locale = NULL, \
         deleted_at = $3 WHERE id = $4",
    )
    .bind(&name)
    .bind(&address)
    .bind(now())
    .bind(user_id)
    .execute(&mut *tx)
    .await?;
    for sql in [
        "DELETE FROM sessions WHERE user_id = $1",
        "DELETE FROM data_exports WHERE user_id = $1",
        // Credentials, second factor and private lists go with the account.
        "DELETE FROM api_tokens WHERE user_id = $1",
        "DELETE FROM account_tokens WHERE user_id = $1",
        "DELETE FROM pending_logins WHERE user_id = $1",
        "DELETE FROM recovery_codes WHERE user_id = $1",
        "DELETE FROM two_factor WHERE user_id = $1",
        "DELETE FROM mail_preferences WHERE user_id = $1",
        "DELETE FROM mail_cursors WHERE user_id = $1",
        "DELETE FROM bookmarks WHERE user_id = $1",
        "DELETE FROM follows WHERE user_id = $1",
        "DELETE FROM event_rsvps WHERE user_id = $1",
    ] {
        sqlx::query(sql).bind(user_id).execute(&mut *tx).await?;
    }
    let detail = match choice {
        ContentChoice::Keep => "posts kept under the anonymised account".to_string(),
        ContentChoice::Remove => format!(
            "{} posts, {} comments, {} resources removed",
            erased.posts.len(),
            erased.comments,
            erased.resources.len()
        ),
    };
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id,
            action: "delete_account",
            target_kind: "user",
            target_id: Some(user_id),
            reason: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(erased)
}
