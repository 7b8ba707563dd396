//! Lists of posts with keyset pagination: each page starts after the last item of the one before
//! (`WHERE (key, id) < (cursor)`), never at an OFFSET, so a deep page costs what the first one does.
use std::collections::HashMap;

use sqlx::Row;

use super::tags::names_for_posts;
use crate::db::plans::{Arg, ListQuery};
use crate::db::{Backend, Db, DbError};
use crate::domain::PostKind;

/// The order of a list; each one is backed by an index on `(kind, status, key, id)`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Order {
    /// Newest first (`created_at`).
    Newest,
    /// Most recent activity first (`last_activity_at`).
    Active,
    /// Highest score first.
    Votes,
}

impl Order {
    fn column(self) -> &'static str {
        match self {
            Order::Newest => "p.created_at",
            Order::Active => "p.last_activity_at",
            Order::Votes => "p.score",
        }
    }
}

/// Which posts a list shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scope {
    Articles,
    Questions,
    /// Questions without a published answer.
    Unanswered,
    /// Articles and questions.
    Topics,
    /// Articles and questions carrying this tag.
    Tagged(i64),
}

/// A position in a list: the sort key and id of the last item shown. Written `key:id` in URLs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Cursor {
    pub key: i64,
    pub id: i64,
}

impl Cursor {
    pub fn parse(text: &str) -> Option<Cursor> {
        let (key, id) = text.split_once(':')?;
        Some(Cursor {
            key: key.trim().parse().ok()?,
            id: id.trim().parse().ok()?,
        })
    }
}

impl std::fmt::Display for Cursor {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}", self.key, self.id)
    }
}

/// What a list row shows about a post.
#[derive(Debug, Clone)]
pub struct PostSummary {
    pub id: i64,
    pub kind: PostKind,
    pub title: String,
    pub slug: String,
    pub excerpt: String,
    pub author_name: String,
    pub score: i64,
    pub answer_count: i64,
    pub view_count: i64,
    pub has_accepted: bool,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    pub last_activity_at: i64,
    pub tags: Vec<String>,
}

/// One page of a list and the cursor of the next page, if there is one.
#[derive(Debug, Clone)]
pub struct ListPage {
    pub items: Vec<PostSummary>,
    pub next: Option<Cursor>,
}

/// Every (scope, order) a page lists, named for the plan check: each is served by an index
/// (`posts_by_kind_*`, `posts_unanswered`, `posts_topics_new`, `post_tags_by_tag`).
pub const SERVED: &[(&str, Scope, Order)] = &[
    ("questions newest", Scope::Questions, Order::Newest),
    ("questions active", Scope::Questions, Order::Active),
    ("questions votes", Scope::Questions, Order::Votes),
    ("questions unanswered", Scope::Unanswered, Order::Newest),
    ("articles newest", Scope::Articles, Order::Newest),
    ("topics newest (site feed)", Scope::Topics, Order::Newest),
    ("tag page and tag feed", Scope::Tagged(1), Order::Newest),
];

const SUMMARY_COLUMNS: &str =
    "p.id, p.kind, p.title, p.slug, p.excerpt, u.username AS author_name, \
     p.score, p.answer_count, p.view_count, p.accepted_answer_id, p.created_at, p.edited_at, \
     p.last_activity_at";

/// The statement behind [`page`]. Each scope's WHERE clause repeats its index's condition word for
/// word (`p.status = 'published'`, `p.answer_count = 0`, the kind list) so both planners match the
/// partial indexes, and the cursor is one row comparison, `(key, id) < ($1, $2)`, that the index
/// seeks to. A tag page walks `post_tags` by post id (ids grow with creation time), newest first.
pub fn page_query(
    backend: Backend,
    name: &'static str,
    scope: Scope,
    order: Order,
    after: Option<Cursor>,
    limit: i64,
) -> ListQuery {
    page_query_for(backend, name, scope, order, after, limit, None)
}

/// [`page_query`] as member `muted_by` sees it: posts carrying a tag they muted are left out (one
/// `NOT EXISTS` over primary keys per row read, so the list stays on its index).
pub fn page_query_for(
    backend: Backend,
    name: &'static str,
    scope: Scope,
    order: Order,
    after: Option<Cursor>,
    limit: i64,
    muted_by: Option<i64>,
) -> ListQuery {
    let after = after.unwrap_or(Cursor {
        key: i64::MAX,
        id: i64::MAX,
    });
    if let Scope::Tagged(tag_id) = scope {
        let sql = format!(
            "SELECT {SUMMARY_COLUMNS}, p.id AS sort_key \
             FROM post_tags pt JOIN posts p ON p.id = pt.post_id JOIN users u ON u.id = p.author_id \
             WHERE pt.tag_id = $1 AND pt.post_id < $2 AND p.status = 'published' \
             AND p.kind IN ('article', 'question'){muted} \
             ORDER BY pt.post_id DESC LIMIT $3",
            muted = muted_sql(muted_by, 4)
        );
        let mut args = vec![Arg::Int(tag_id), Arg::Int(after.id), Arg::Int(limit + 1)];
        args.extend(muted_by.map(Arg::Int));
        return ListQuery::new(name, sql, args).served_by(&["post_tags_by_tag"]);
    }
    let key = order.column();
    // SQLite would rather read both kinds from `posts_by_kind_new` and sort them all than walk
    // the one index in the right order; PostgreSQL's statistics find it alone.
    let hint = match (backend, scope) {
        (Backend::Sqlite, Scope::Topics) => " INDEXED BY posts_topics_new",
        _ => "",
    };
    let scope_sql = match scope {
        Scope::Articles => "p.kind = 'article' AND p.status = 'published'",
        Scope::Questions => "p.kind = 'question' AND p.status = 'published'",
        Scope::Unanswered => {
            "p.kind = 'question' AND p.status = 'published' AND p.answer_count = 0"
        }
        Scope::Topics | Scope::Tagged(_) => {
            "p.kind IN ('article', 'question') AND p.status = 'published'"
        }
    };
    let sql = format!(
        "SELECT {SUMMARY_COLUMNS}, {key} AS sort_key \
         FROM posts p{hint} JOIN users u ON u.id = p.author_id \
         WHERE {scope_sql} AND ({key}, p.id) < ($1, $2){muted} \
         ORDER BY {key} DESC, p.id DESC LIMIT $3",
        muted = muted_sql(muted_by, 4)
    );
    let index: &'static [&'static str] = match (scope, order) {
        (Scope::Unanswered, _) => &["posts_unanswered"],
        (Scope::Topics | Scope::Tagged(_), _) => &["posts_topics_new"],
        (_, Order::Newest) => &["posts_by_kind_new"],
        (_, Order::Active) => &["posts_by_kind_active"],
        (_, Order::Votes) => &["posts_by_kind_score"],
    };
    let mut args = vec![Arg::Int(after.key), Arg::Int(after.id), Arg::Int(limit + 1)];
    args.extend(muted_by.map(Arg::Int));
    ListQuery::new(name, sql, args).served_by(index)
}

/// ` AND NOT EXISTS (...)` for a member's muted tags, bound as `$param`; nothing for visitors.
fn muted_sql(muted_by: Option<i64>, param: usize) -> String {
    match muted_by {
        Some(_) => format!(" AND {}", crate::db::follows::muted_clause(param)),
        None => String::new(),
    }
}

/// One page of published posts in `scope`, sorted by `order` (ties broken by id, newest first).
pub async fn page(
    db: &Db,
    scope: Scope,
    order: Order,
    after: Option<Cursor>,
    limit: i64,
) -> Result<ListPage, DbError> {
    page_for(db, None, scope, order, after, limit).await
}

/// [`page`] without the posts carrying a tag the member `viewer` muted.
pub async fn page_for(
    db: &Db,
    viewer: Option<i64>,
    scope: Scope,
    order: Order,
    after: Option<Cursor>,
    limit: i64,
) -> Result<ListPage, DbError> {
    let rows = page_query_for(db.backend(), "list", scope, order, after, limit, viewer)
        .fetch_all(db)
        .await?;
    let mut items = Vec::with_capacity(rows.len());
    let mut keys = Vec::with_capacity(rows.len());
    for row in &rows {
        keys.push(row.try_get::<i64, _>("sort_key")?);
        items.push(summary_from_row(row)?);
    }
    let next = if items.len() as i64 > limit {
        items.truncate(limit as usize);
        items
            .last()
            .zip(keys.get(items.len() - 1))
            .map(|(last, key)| Cursor {
                key: *key,
                id: last.id,
            })
    } else {
        None
    };
    attach_tags(db, &mut items).await?;
    Ok(ListPage { items, next })
}

pub fn summary_from_row(row: &sqlx::any::AnyRow) -> Result<PostSummary, DbError> {
    Ok(PostSummary {
        id: row.try_get("id")?,
        kind: PostKind::from_stored(&row.try_get::<String, _>("kind")?),
        title: row.try_get("title")?,
        slug: row.try_get("slug")?,
        excerpt: row.try_get("excerpt")?,
        author_name: row.try_get("author_name")?,
        score: row.try_get("score")?,
        answer_count: row.try_get("answer_count")?,
        view_count: row.try_get("view_count")?,
        has_accepted: row
            .try_get::<Option<i64>, _>("accepted_answer_id")?
            .is_some(),
        created_at: row.try_get("created_at")?,
        edited_at: row.try_get("edited_at")?,
        last_activity_at: row.try_get("last_activity_at")?,
        tags: Vec::new(),
    })
}

pub async fn attach_tags(db: &Db, items: &mut [PostSummary]) -> Result<(), DbError> {
    let ids: Vec<i64> = items.iter().map(|p| p.id).collect();
    let mut by_post: HashMap<i64, Vec<String>> = HashMap::new();
    for (post_id, name) in names_for_posts(db, &ids).await? {
        by_post.entry(post_id).or_default().push(name);
    }
    for item in items {
        item.tags = by_post.remove(&item.id).unwrap_or_default();
    }
    Ok(())
}

/// The statement behind [`drafts_of`] (served by `posts_drafts_by_author`).
pub fn drafts_query(author_id: i64, limit: i64) -> ListQuery {
    ListQuery::new(
        "drafts of a member",
        format!(
            "SELECT {SUMMARY_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.author_id = $1 AND p.status = 'draft' ORDER BY p.id DESC LIMIT $2"
        ),
        vec![Arg::Int(author_id), Arg::Int(limit)],
    )
    .served_by(&["posts_drafts_by_author"])
}

/// A post author's drafts, newest first (shown to them on the article list).
pub async fn drafts_of(db: &Db, author_id: i64, limit: i64) -> Result<Vec<PostSummary>, DbError> {
    let rows = drafts_query(author_id, limit).fetch_all(db).await?;
    rows.iter().map(summary_from_row).collect()
}

/// The statement behind [`pinned`]: a handful of rows found through the partial index
/// `posts_pinned`, never by reading the list they sit on.
pub fn pinned_query(kind: PostKind, limit: i64) -> ListQuery {
    ListQuery::new(
        "pinned posts",
        format!(
            "SELECT {SUMMARY_COLUMNS} FROM posts p JOIN users u ON u.id = p.author_id \
             WHERE p.kind = $1 AND p.pinned = 1 AND p.status = 'published' \
             ORDER BY p.last_activity_at DESC, p.id DESC LIMIT $2"
        ),
        vec![Arg::Text(kind.as_str().to_string()), Arg::Int(limit)],
    )
    .served_by(&["posts_pinned"])
}

/// Published posts of `kind` that staff pinned, most recently active first (lists show them on top
/// of their first page).
pub async fn pinned(db: &Db, kind: PostKind, limit: i64) -> Result<Vec<PostSummary>, DbError> {
    let rows = pinned_query(kind, limit).fetch_all(db).await?;
    let mut items = rows
        .iter()
        .map(summary_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_tags(db, &mut items).await?;
    Ok(items)
}
