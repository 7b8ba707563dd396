//! Queries over `resources` and `resource_tags`: submitting (refusing duplicate addresses and
//! identifiers), the filtered lists, staff review (each decision an audit row and a notification),
//! and the link checker's results.
use sqlx::Row;

use super::notifications::{notify_in, Kind, NewNotification};
use super::{now, Db, DbError};
use crate::domain::ResourceStatus;

/// A resource to store; the caller has validated and rendered it.
pub struct NewResource<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub url: &'a str,
    pub url_key: &'a str,
    pub authors: &'a str,
    pub year: Option<i64>,
    pub identifier: Option<String>,
    pub identifier_key: Option<String>,
    pub level: Option<&'a str>,
    pub language: &'a str,
    pub licence: &'a str,
    pub description_md: &'a str,
    pub description_html: &'a str,
    pub description_text: &'a str,
    pub renderer_version: i64,
    pub tags: Vec<String>,
    pub submitted_by: i64,
    /// `pending` or `approved` (a trusted submitter's entry is listed at once).
    pub status: &'a str,
}

/// Which field an existing entry already holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuplicateOf {
    Url(i64),
    Identifier(i64),
}

#[derive(Debug, thiserror::Error)]
pub enum CreateError {
    #[error("duplicate")]
    Duplicate(DuplicateOf),
    #[error(transparent)]
    Db(#[from] DbError),
}

/// A resource as stored, with its submitter's name and tags.
#[derive(Debug, Clone)]
pub struct ResourceRecord {
    pub id: i64,
    pub kind: String,
    pub title: String,
    pub url: String,
    pub authors: String,
    pub year: Option<i64>,
    pub identifier: Option<String>,
    pub level: Option<String>,
    pub language: String,
    pub licence: String,
    pub description_md: String,
    pub description_html: String,
    pub description_text: String,
    pub submitted_by: i64,
    pub submitter: String,
    pub status: ResourceStatus,
    pub score: i64,
    pub review_reason: String,
    pub link_status: String,
    pub link_detail: String,
    pub link_checked_at: Option<i64>,
    pub created_at: i64,
    pub tags: Vec<String>,
}

const COLUMNS: &str = "r.id, r.kind, r.title, r.url, r.authors, r.year, r.identifier, r.level, \
    r.language, r.licence, r.description_md, r.description_html, r.description_text, \
    r.submitted_by, u.username AS submitter, r.status, r.score, r.review_reason, r.link_status, \
    r.link_detail, r.link_checked_at, r.created_at";

fn from_row(row: &sqlx::any::AnyRow) -> Result<ResourceRecord, DbError> {
    Ok(ResourceRecord {
        id: row.try_get("id")?,
        kind: row.try_get("kind")?,
        title: row.try_get("title")?,
        url: row.try_get("url")?,
        authors: row.try_get("authors")?,
        year: row.try_get("year")?,
        identifier: row.try_get("identifier")?,
        level: row.try_get("level")?,
        language: row.try_get("language")?,
        licence: row.try_get("licence")?,
        description_md: row.try_get("description_md")?,
        description_html: row.try_get("description_html")?,
        description_text: row.try_get("description_text")?,
        submitted_by: row.try_get("submitted_by")?,
        submitter: row.try_get("submitter")?,
        status: ResourceStatus::from_stored(&row.try_get::<String, _>("status")?),
        score: row.try_get("score")?,
        review_reason: row.try_get("review_reason")?,
        link_status: row.try_get("link_status")?,
        link_detail: row.try_get("link_detail")?,
        link_checked_at: row.try_get("link_checked_at")?,
        created_at: row.try_get("created_at")?,
        tags: Vec::new(),
    })
}

/// The entry that already holds this address or identifier, if any (any status).
pub async fn find_duplicate(
    db: &Db,
    url_key: &str,
    identifier_key: Option<&str>,
) -> Result<Option<DuplicateOf>, DbError> {
    let by_url: Option<i64> = sqlx::query_scalar("SELECT id FROM resources WHERE url_key = $1")
        .bind(url_key)
        .fetch_optional(db.reader())
        .await?;
    if let Some(id) = by_url {
        return Ok(Some(DuplicateOf::Url(id)));
    }
    let Some(key) = identifier_key else {
        return Ok(None);
    };
    let by_identifier: Option<i64> =
        sqlx::query_scalar("SELECT id FROM resources WHERE identifier_key = $1")
            .bind(key)
            .fetch_optional(db.reader())
            .await?;
    Ok(by_identifier.map(DuplicateOf::Identifier))
}

/// Stores a submission with its tags. A duplicate that slipped in between the check and the insert
/// is caught by the unique indexes and reported the same way.
pub async fn create(db: &Db, new: &NewResource<'_>) -> Result<i64, CreateError> {
    if let Some(dup) = find_duplicate(db, new.url_key, new.identifier_key.as_deref()).await? {
        return Err(CreateError::Duplicate(dup));
    }
    let t = now();
    let mut tx = db.begin_write().await?;
    let inserted = sqlx::query(
        "INSERT INTO resources (kind, title, url, url_key, authors, year, identifier, \
         identifier_key, level, language, licence, description_md, description_html, \
         description_text, renderer_version, submitted_by, status, created_at, updated_at, \
         reviewed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, \
         $18, CASE WHEN $17 = 'approved' THEN $18 ELSE NULL END) RETURNING id",
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
    .bind(new.submitted_by)
    .bind(new.status)
    .bind(t)
    .fetch_one(&mut *tx)
    .await;
    let id: i64 = match inserted {
        Ok(row) => row.try_get("id")?,
        Err(DbError::Database(e)) if e.is_unique_violation() => {
            drop(tx);
            return match find_duplicate(db, new.url_key, new.identifier_key.as_deref()).await? {
                Some(dup) => Err(CreateError::Duplicate(dup)),
                None => Err(CreateError::Db(DbError::Database(e))),
            };
        }
        Err(e) => return Err(e.into()),
    };
    for tag in &new.tags {
        sqlx::query("INSERT INTO resource_tags (resource_id, tag) VALUES ($1, $2)")
            .bind(id)
            .bind(tag)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(id)
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<ResourceRecord>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resources r JOIN users u ON u.id = r.submitted_by WHERE r.id = $1"
    );
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    let Some(row) = row else { return Ok(None) };
    let mut record = from_row(&row)?;
    record.tags = tags_of(db, id).await?;
    Ok(Some(record))
}

async fn tags_of(db: &Db, id: i64) -> Result<Vec<String>, DbError> {
    let rows = sqlx::query("SELECT tag FROM resource_tags WHERE resource_id = $1 ORDER BY tag")
        .bind(id)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(|r| r.try_get("tag")).collect()
}

/// Records from rows, each with its tags (one query for the whole page).
async fn with_tags(db: &Db, rows: Vec<sqlx::any::AnyRow>) -> Result<Vec<ResourceRecord>, DbError> {
    let mut records = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
    if records.is_empty() {
        return Ok(records);
    }
    let placeholders: Vec<String> = (1..=records.len()).map(|i| format!("${i}")).collect();
    let sql = format!(
        "SELECT resource_id, tag FROM resource_tags WHERE resource_id IN ({}) ORDER BY tag",
        placeholders.join(", ")
    );
    let mut query = sqlx::query(&sql);
    for record in &records {
        query = query.bind(record.id);
    }
    for row in query.fetch_all(db.reader()).await? {
        let id: i64 = row.try_get("resource_id")?;
        let tag: String = row.try_get("tag")?;
        if let Some(record) = records.iter_mut().find(|r| r.id == id) {
            record.tags.push(tag);
        }
    }
    Ok(records)
}

/// The order of a list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sort {
    Score,
    Newest,
}

/// Filters of the public list (empty strings mean "any").
#[derive(Debug, Clone, Default)]
pub struct ListFilter {
    pub kind: String,
    pub tag: String,
    pub level: String,
    pub language: String,
}

/// One page of approved resources (`offset`-paged; lists are short and curated) and whether
/// another page follows.
pub async fn list_approved(
    db: &Db,
    filter: &ListFilter,
    sort: Sort,
    offset: i64,
    limit: i64,
) -> Result<(Vec<ResourceRecord>, bool), DbError> {
    let order = match sort {
        Sort::Score => "r.score DESC, r.id DESC",
        Sort::Newest => "r.id DESC",
    };
    // Only the filters in effect go into the statement, so each reads along an index made for it
    // (`resources_by_kind_score`, a tag's rows in `resource_tags_by_tag`) instead of testing every
    // approved resource against "any or this".
    let mut conditions = vec!["r.status = 'approved'".to_string()];
    let mut args: Vec<&str> = Vec::new();
    let mut from = "resources r".to_string();
    if !filter.tag.is_empty() {
        args.push(&filter.tag);
        from = format!(
            "resource_tags rt JOIN resources r ON r.id = rt.resource_id AND rt.tag = ${}",
            args.len()
        );
    }
    for (column, value) in [
        ("r.kind", &filter.kind),
        ("r.level", &filter.level),
        ("r.language", &filter.language),
    ] {
        if !value.is_empty() {
            args.push(value);
            conditions.push(format!("{column} = ${}", args.len()));
        }
    }
    let sql = format!(
        "SELECT {COLUMNS} FROM {from} JOIN users u ON u.id = r.submitted_by \
         WHERE {} ORDER BY {order} LIMIT ${} OFFSET ${}",
        conditions.join(" AND "),
        args.len() + 1,
        args.len() + 2,
    );
    let mut query = sqlx::query(&sql);
    for arg in args {
        query = query.bind(arg);
    }
    let rows = query
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(db.reader())
        .await?;
    let has_next = rows.len() as i64 > limit;
    let rows = rows.into_iter().take(limit as usize).collect();
    Ok((with_tags(db, rows).await?, has_next))
}

/// Up to `limit` approved resources (of `kind`, or any with `""`) with an id below `before_id`,
/// newest first: the JSON API's keyset walk of the directory.
pub async fn approved_before(
    db: &Db,
    kind: &str,
    before_id: i64,
    limit: i64,
) -> Result<Vec<ResourceRecord>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resources r JOIN users u ON u.id = r.submitted_by \
         WHERE r.status = 'approved' AND ($1 = '' OR r.kind = $1) AND r.id < $2 \
         ORDER BY r.id DESC LIMIT $3"
    );
    let rows = sqlx::query(&sql)
        .bind(kind)
        .bind(before_id)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    with_tags(db, rows).await
}

/// `user_id`'s own entries that are not (yet) listed: pending and rejected ones.
pub async fn unlisted_of(db: &Db, user_id: i64) -> Result<Vec<ResourceRecord>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resources r JOIN users u ON u.id = r.submitted_by \
         WHERE r.submitted_by = $1 AND r.status <> 'approved' ORDER BY r.id DESC LIMIT 50"
    );
    let rows = sqlx::query(&sql)
        .bind(user_id)
        .fetch_all(db.reader())
        .await?;
    with_tags(db, rows).await
}

/// Entries waiting for review, oldest first.
pub async fn pending(db: &Db, limit: i64) -> Result<Vec<ResourceRecord>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resources r JOIN users u ON u.id = r.submitted_by \
         WHERE r.status = 'pending' ORDER BY r.created_at, r.id LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(db.reader()).await?;
    with_tags(db, rows).await
}

/// Approved entries whose last link check failed, longest dead first.
pub async fn dead_links(db: &Db, limit: i64) -> Result<Vec<ResourceRecord>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM resources r JOIN users u ON u.id = r.submitted_by \
         WHERE r.status = 'approved' AND r.link_status = 'dead' \
         ORDER BY r.link_checked_at, r.id LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(db.reader()).await?;
    with_tags(db, rows).await
}

/// Ids of every approved entry (for "check all links").
pub async fn approved_ids(db: &Db) -> Result<Vec<i64>, DbError> {
    sqlx::query_scalar("SELECT id FROM resources WHERE status = 'approved' ORDER BY id")
        .fetch_all(db.reader())
        .await
}

/// A staff decision on a pending entry.
pub struct Review<'a> {
    pub id: i64,
    pub actor_id: i64,
    pub approve: bool,
    pub reason: &'a str,
}

/// Approves or rejects a pending entry, or a listed one that members flagged (approving keeps it
/// listed, rejecting unlists it), resolving its open flags, writing the audit row and telling the
/// submitter, in one transaction. Returns `false` when there is nothing to decide (already
/// reviewed and not flagged, or missing).
pub async fn review(db: &Db, review: Review<'_>) -> Result<bool, DbError> {
    let status = if review.approve {
        "approved"
    } else {
        "rejected"
    };
    let t = now();
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "UPDATE resources SET status = $1, reviewed_by = $2, reviewed_at = $3, review_reason = $4, \
         updated_at = $3 WHERE id = $5 AND (status = 'pending' OR (status = 'approved' AND EXISTS \
         (SELECT 1 FROM flags f WHERE f.target_kind = 'resource' AND f.target_id = $5 \
         AND f.status = 'open'))) RETURNING submitted_by, title",
    )
    .bind(status)
    .bind(review.actor_id)
    .bind(t)
    .bind(review.reason)
    .bind(review.id)
    .fetch_optional(&mut *tx)
    .await?;
    let Some(row) = row else {
        return Ok(false);
    };
    let submitter: i64 = row.try_get("submitted_by")?;
    let title: String = row.try_get("title")?;
    super::flags::resolve_open_in(&mut tx, "resource", review.id, review.actor_id, status).await?;
    let action = if review.approve {
        "approve_resource"
    } else {
        "reject_resource"
    };
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: review.actor_id,
            action,
            target_kind: "resource",
            target_id: Some(review.id),
            reason: review.reason,
            detail: &title,
        },
    )
    .await?;
    let mut detail = format!("resource {status}: {title} (/resources/{})", review.id);
    if !review.reason.is_empty() {
        detail = format!("{detail} — {}", review.reason);
    }
    notify_in(
        &mut tx,
        NewNotification {
            user_id: submitter,
            kind: Kind::Moderation,
            actor_id: Some(review.actor_id),
            post_id: None,
            comment_id: None,
            detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Records a link check: `ok` or `dead`, with the HTTP status or error text.
pub async fn set_link_status(db: &Db, id: i64, status: &str, detail: &str) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE resources SET link_status = $1, link_detail = $2, link_checked_at = $3 WHERE id = $4",
    )
    .bind(status)
    .bind(detail)
    .bind(now())
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// The address a link check fetches, for approved entries only.
pub async fn url_to_check(db: &Db, id: i64) -> Result<Option<String>, DbError> {
    sqlx::query_scalar("SELECT url FROM resources WHERE id = $1 AND status = 'approved'")
        .bind(id)
        .fetch_optional(db.reader())
        .await
}
