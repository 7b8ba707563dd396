//! What feeds and the sitemap list. The sitemap comes in parts by id range, each read straight off
//! the primary key, so no request ever reads every post.
use sqlx::Row;

use crate::db::plans::{Arg, ListQuery};
use crate::db::{Backend, Db, DbError};
use crate::domain::PostKind;

/// Post ids per sitemap part. A part lists the published articles and questions whose id falls in
/// its range, so it never holds more URLs than this (the protocol allows 50,000 per file).
pub const SITEMAP_PART_IDS: i64 = 49_000;

/// A published article or question as the sitemap lists it.
#[derive(Debug, Clone)]
pub struct SitemapEntry {
    pub id: i64,
    pub kind: PostKind,
    pub slug: String,
    pub last_modified: i64,
}

fn size_query() -> ListQuery {
    ListQuery::new(
        "sitemap index",
        "SELECT COALESCE(MAX(id), 0) AS last_id FROM posts",
        Vec::new(),
    )
}

/// How many parts the sitemap has (at least one): the highest post id decides, read from the
/// primary key in one step.
pub async fn sitemap_parts(db: &Db) -> Result<i64, DbError> {
    let rows = size_query().fetch_all(db).await?;
    let last: i64 = match rows.first() {
        Some(row) => row.try_get("last_id")?,
        None => 0,
    };
    Ok(last / SITEMAP_PART_IDS + 1)
}

/// How many parts the sitemap has, and how often part `part` has changed (the counter the
/// `sitemap_stamped` triggers keep): a rendered copy of the part made at the same count is current.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PartStamp {
    pub parts: i64,
    pub changes: i64,
}

fn stamp_query(part: i64) -> ListQuery {
    ListQuery::new(
        "sitemap part stamp",
        "SELECT (SELECT COALESCE(MAX(id), 0) FROM posts) AS last_id, \
                (SELECT COALESCE(MAX(changes), 0) FROM sitemap_stamps WHERE part = $1) AS changes",
        vec![Arg::Int(part)],
    )
}

/// The sitemap's size and part `part`'s change count, in one read of two primary keys.
pub async fn sitemap_part_stamp(db: &Db, part: i64) -> Result<PartStamp, DbError> {
    let rows = stamp_query(part).fetch_all(db).await?;
    let (last, changes): (i64, i64) = match rows.first() {
        Some(row) => (row.try_get("last_id")?, row.try_get("changes")?),
        None => (0, 0),
    };
    Ok(PartStamp {
        parts: last / SITEMAP_PART_IDS + 1,
        changes,
    })
}

/// The statement for part `part` (1-based): ids `[(part - 1) * SITEMAP_PART_IDS, part * …)`.
/// SQLite, which plans without statistics, would rather read every published article and question
/// from `posts_by_kind_score` and test each id (a million rows per part at a million questions):
/// it is told to read the id range off the table itself.
pub fn sitemap_part_query(backend: Backend, part: i64) -> ListQuery {
    let first = (part.max(1) - 1).saturating_mul(SITEMAP_PART_IDS);
    let by_id = match backend {
        Backend::Sqlite => " NOT INDEXED",
        Backend::Postgres => "",
    };
    ListQuery::new(
        "sitemap part",
        format!(
            "SELECT id, kind, slug, last_activity_at FROM posts{by_id} \
             WHERE id >= $1 AND id < $2 AND status = 'published' \
             AND kind IN ('article', 'question')"
        ),
        vec![
            Arg::Int(first),
            Arg::Int(first.saturating_add(SITEMAP_PART_IDS)),
        ],
    )
    .served_by(&["INTEGER PRIMARY KEY", "posts_pkey"])
}

/// The published articles and questions of sitemap part `part` (1-based), in no set order (a
/// sitemap needs none, and sorting would cost as much as the read).
pub async fn sitemap_part(db: &Db, part: i64) -> Result<Vec<SitemapEntry>, DbError> {
    let rows = sitemap_part_query(db.backend(), part).fetch_all(db).await?;
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

/// The sitemap statements, for the plan check.
pub fn list_queries(backend: Backend) -> Vec<ListQuery> {
    vec![
        size_query(),
        stamp_query(1),
        sitemap_part_query(backend, 1),
        sitemap_part_query(backend, 3),
    ]
}
