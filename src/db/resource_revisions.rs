//! Edits of resource listings: replacing an entry's fields and tags with a revision row that keeps
//! who edited, when, which fields changed and the entry as it was; the log a resource page shows.
use sqlx::Row;

use super::resources::{find_duplicate, CreateError, NewResource, ResourceRecord};
use super::{now, Db, DbError};

/// Replaces entry `before.id` with `new` (its `status` too: an untrusted member's edit goes back to
/// review) and records the revision. A duplicate address or identifier of another entry refuses it.
pub async fn update(
    db: &Db,
    before: &ResourceRecord,
    new: &NewResource<'_>,
    editor_id: i64,
) -> Result<(), CreateError> {
    let duplicate = find_duplicate_other(db, before.id, new).await?;
    if let Some(dup) = duplicate {
        return Err(CreateError::Duplicate(dup));
    }
    let at = now();
    let changed = changed_fields(before, new).join(", ");
    let mut tx = db.begin_write().await?;
    let updated = sqlx::query(
        "UPDATE resources SET kind = $1, title = $2, url = $3, url_key = $4, authors = $5, \
         year = $6, identifier = $7, identifier_key = $8, level = $9, language = $10, \
         licence = $11, description_md = $12, description_html = $13, description_text = $14, \
         renderer_version = $15, status = $16, updated_at = $17, \
         link_status = CASE WHEN url_key = $4 THEN link_status ELSE 'unchecked' END \
         WHERE id = $18",
    )
    .bind(new.kind)
    .bind(new.title)
    .bind(new.url)
    .bind(new.url_key)
    .bind(new.authors)
    .bind(new.year)
    .bind(new.identifier.clone())
    .bind(new.identifier_key.clone())
    .bind(new.level)
    .bind(new.language)
    .bind(new.licence)
    .bind(new.description_md)
    .bind(new.description_html)
    .bind(new.description_text)
    .bind(new.renderer_version)
    .bind(new.status)
    .bind(at)
    .bind(before.id)
    .execute(&mut *tx)
    .await;
    match updated {
        Ok(_) => {}
        Err(DbError::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            return match find_duplicate_other(db, before.id, new).await? {
                Some(dup) => Err(CreateError::Duplicate(dup)),
                None => Err(CreateError::Db(DbError::Database(e))),
            };
        }
        Err(e) => return Err(e.into()),
    }
    sqlx::query("DELETE FROM resource_tags WHERE resource_id = $1")
        .bind(before.id)
        .execute(&mut *tx)
        .await?;
    for tag in &new.tags {
        sqlx::query("INSERT INTO resource_tags (resource_id, tag) VALUES ($1, $2)")
            .bind(before.id)
            .bind(tag)
            .execute(&mut *tx)
            .await?;
    }
    sqlx::query(
        "INSERT INTO resource_revisions (resource_id, editor_id, at, changed, title, url, \
         description_md, status_after) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(before.id)
    .bind(editor_id)
    .bind(at)
    .bind(changed)
    .bind(&before.title)
    .bind(&before.url)
    .bind(&before.description_md)
    .bind(new.status)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// A duplicate held by an entry other than `id`.
async fn find_duplicate_other(
    db: &Db,
    id: i64,
    new: &NewResource<'_>,
) -> Result<Option<super::resources::DuplicateOf>, DbError> {
    use super::resources::DuplicateOf;
    Ok(
        find_duplicate(db, new.url_key, new.identifier_key.as_deref())
            .await?
            .filter(|dup| match dup {
                DuplicateOf::Url(other) | DuplicateOf::Identifier(other) => *other != id,
            }),
    )
}

/// The names of the fields an edit changes, in form order.
fn changed_fields(before: &ResourceRecord, new: &NewResource<'_>) -> Vec<&'static str> {
    let mut changed = Vec::new();
    let mut check = |name, same: bool| {
        if !same {
            changed.push(name);
        }
    };
    check("kind", before.kind == new.kind);
    check("title", before.title == new.title);
    check("url", before.url == new.url);
    check("authors", before.authors == new.authors);
    check("year", before.year == new.year);
    check("identifier", before.identifier == new.identifier);
    check("level", before.level.as_deref() == new.level);
    check("language", before.language == new.language);
    check("licence", before.licence == new.licence);
    check("description", before.description_md == new.description_md);
    check("tags", before.tags == new.tags);
    changed
}

/// One line of an entry's revision log.
#[derive(Debug, Clone)]
pub struct RevisionView {
    pub editor: String,
    pub at: i64,
    /// The changed fields, comma-separated.
    pub changed: String,
    /// The title before the edit.
    pub title_before: String,
    pub status_after: String,
}

/// An entry's revisions, newest first.
pub async fn of_resource(
    db: &Db,
    resource_id: i64,
    limit: i64,
) -> Result<Vec<RevisionView>, DbError> {
    let rows = sqlx::query(
        "SELECT u.username, r.at, r.changed, r.title, r.status_after FROM resource_revisions r \
         JOIN users u ON u.id = r.editor_id WHERE r.resource_id = $1 ORDER BY r.id DESC LIMIT $2",
    )
    .bind(resource_id)
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(RevisionView {
                editor: r.try_get("username")?,
                at: r.try_get("at")?,
                changed: r.try_get("changed")?,
                title_before: r.try_get("title")?,
                status_after: r.try_get("status_after")?,
            })
        })
        .collect()
}
