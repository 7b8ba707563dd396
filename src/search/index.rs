//! The full-text index: one row per searchable document (published articles, questions and
//! answers; resources later), written from the pre-tokenised text of [`index_text`].
//!
//! SQLite keeps the tokens in an FTS5 table (`search_fts`, rowid = `search_docs.id`); PostgreSQL
//! keeps them in a `tsvector` column of `search_docs` with a GIN index, built here as a literal
//! with positions and weights because `to_tsvector` would split `torch.nn.module` or `gpt-2` again.
//! The backend difference lives in this file and in [`super::query`] only.
use std::collections::BTreeMap;

use sqlx::{AnyConnection, Row};

use super::tokenize::index_text;
use crate::db::{now, Backend, Db, DbError};
use crate::render::{render_comment_or_source, render_post_or_source, Limits, RENDERER_VERSION};

/// `search_docs.source` of a post.
pub const SOURCE_POST: &str = "post";

/// `search_docs.source` (and `kind`) of a resource listing.
pub const SOURCE_RESOURCE: &str = "resource";

/// `search_docs.source` (and `kind`) of an event.
pub const SOURCE_EVENT: &str = "event";

/// The SQLite full-text table holding the documents of `source` or `kind` (a post kind, or empty
/// for every post kind; resources and events have kind = source): posts in `search_fts`;
/// resources and events, a few thousand rows, in `search_side_fts`, so searching them never walks
/// the posts that hold the words (a kind filter is checked per matching row).
pub fn fts_table(source_or_kind: &str) -> &'static str {
    if source_or_kind == SOURCE_RESOURCE || source_or_kind == SOURCE_EVENT {
        "search_side_fts"
    } else {
        "search_fts"
    }
}

/// Post kinds that are searched; bot answers are left out so the bot never retrieves itself.
pub const POST_KINDS: [&str; 3] = ["article", "question", "answer"];

/// One document as the index stores it: tokenised separately per field so a title match can
/// outrank a body match.
#[derive(Debug, Clone)]
pub struct IndexDoc {
    pub source: &'static str,
    pub source_id: i64,
    pub kind: String,
    pub title: String,
    /// Tags, and for an answer its question's title.
    pub context: String,
    pub body: String,
}

/// (Re)writes the index row of a post, or removes it when the post is not searchable (not
/// published, its question not published, or a bot answer). A question's answers are refreshed
/// with it, since they carry its title, tags and visibility.
pub async fn upsert_post(db: &Db, post_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    upsert_post_in(&mut tx, db.backend(), post_id).await?;
    tx.commit().await
}

/// [`upsert_post`] inside the caller's transaction (pass `&mut *tx`).
pub async fn upsert_post_in(
    conn: &mut AnyConnection,
    backend: Backend,
    post_id: i64,
) -> Result<(), DbError> {
    index_one_post(conn, backend, post_id).await?;
    for answer_id in answer_ids(conn, post_id).await? {
        index_one_post(conn, backend, answer_id).await?;
    }
    Ok(())
}

/// Removes a post (and its answers, if it is a question) from the index.
pub async fn remove_post(db: &Db, post_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    remove_post_in(&mut tx, db.backend(), post_id).await?;
    tx.commit().await
}

/// [`remove_post`] inside the caller's transaction.
pub async fn remove_post_in(
    conn: &mut AnyConnection,
    backend: Backend,
    post_id: i64,
) -> Result<(), DbError> {
    remove_doc(conn, backend, SOURCE_POST, post_id).await?;
    for answer_id in answer_ids(conn, post_id).await? {
        remove_doc(conn, backend, SOURCE_POST, answer_id).await?;
    }
    Ok(())
}

async fn answer_ids(conn: &mut AnyConnection, post_id: i64) -> Result<Vec<i64>, DbError> {
    let rows = sqlx::query("SELECT id FROM posts WHERE parent_id = $1 ORDER BY id")
        .bind(post_id)
        .fetch_all(&mut *conn)
        .await?;
    rows.iter().map(|row| row.try_get("id")).collect()
}

async fn index_one_post(
    conn: &mut AnyConnection,
    backend: Backend,
    post_id: i64,
) -> Result<(), DbError> {
    match load_post_doc(conn, post_id).await? {
        Some(doc) => write_doc(conn, backend, &doc).await,
        None => remove_doc(conn, backend, SOURCE_POST, post_id).await,
    }
}

/// The post as an index document, or `None` when it must not be found by search.
async fn load_post_doc(
    conn: &mut AnyConnection,
    post_id: i64,
) -> Result<Option<IndexDoc>, DbError> {
    let row = sqlx::query(
        "SELECT p.kind, p.status, p.title, p.body_text, p.parent_id, q.status AS parent_status, \
         q.title AS parent_title \
         FROM posts p LEFT JOIN posts q ON q.id = p.parent_id WHERE p.id = $1",
    )
    .bind(post_id)
    .fetch_optional(&mut *conn)
    .await?;
    let Some(row) = row else { return Ok(None) };
    let kind: String = row.try_get("kind")?;
    let status: String = row.try_get("status")?;
    let parent_id: Option<i64> = row.try_get("parent_id")?;
    let parent_status: Option<String> = row.try_get("parent_status")?;
    let parent_visible = parent_id.is_none() || parent_status.as_deref() == Some("published");
    if !POST_KINDS.contains(&kind.as_str()) || status != "published" || !parent_visible {
        return Ok(None);
    }
    // An answer is found by its question's tags too.
    let tags = tag_names(conn, parent_id.unwrap_or(post_id)).await?;
    let parent_title: Option<String> = row.try_get("parent_title")?;
    let mut context = tags.join(" ");
    if let Some(parent_title) = parent_title {
        context = format!("{parent_title} {context}");
    }
    Ok(Some(IndexDoc {
        source: SOURCE_POST,
        source_id: post_id,
        kind,
        title: row.try_get("title")?,
        context,
        body: row.try_get("body_text")?,
    }))
}

async fn tag_names(conn: &mut AnyConnection, post_id: i64) -> Result<Vec<String>, DbError> {
    let rows = sqlx::query(
        "SELECT t.name FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
         WHERE pt.post_id = $1 ORDER BY t.name",
    )
    .bind(post_id)
    .fetch_all(&mut *conn)
    .await?;
    rows.iter().map(|row| row.try_get("name")).collect()
}

/// Inserts or replaces one document's index row.
pub async fn write_doc(
    conn: &mut AnyConnection,
    backend: Backend,
    doc: &IndexDoc,
) -> Result<(), DbError> {
    let title = index_text(&doc.title);
    let context = index_text(&doc.context);
    let body = index_text(&doc.body);
    match backend {
        Backend::Sqlite => {
            let id: i64 = sqlx::query(
                "INSERT INTO search_docs (source, source_id, kind, updated_at) VALUES ($1, $2, $3, $4) \
                 ON CONFLICT (source, source_id) DO UPDATE SET kind = excluded.kind, \
                 updated_at = excluded.updated_at RETURNING id",
            )
            .bind(doc.source)
            .bind(doc.source_id)
            .bind(&doc.kind)
            .bind(now())
            .fetch_one(&mut *conn)
            .await?
            .try_get("id")?;
            let table = fts_table(doc.source);
            sqlx::query(&format!("DELETE FROM {table} WHERE rowid = $1"))
                .bind(id)
                .execute(&mut *conn)
                .await?;
            sqlx::query(&format!(
                "INSERT INTO {table} (rowid, title, context, body, kind) VALUES ($1, $2, $3, $4, $5)"
            ))
            .bind(id)
            .bind(title)
            .bind(context)
            .bind(body)
            .bind(&doc.kind)
            .execute(&mut *conn)
            .await?;
        }
        Backend::Postgres => {
            let vector = tsvector_literal(&[(&title, 'A'), (&context, 'B'), (&body, 'D')]);
            sqlx::query(
                "INSERT INTO search_docs (source, source_id, kind, tokens, updated_at) \
                 VALUES ($1, $2, $3, $4::tsvector, $5) \
                 ON CONFLICT (source, source_id) DO UPDATE SET kind = excluded.kind, \
                 tokens = excluded.tokens, updated_at = excluded.updated_at",
            )
            .bind(doc.source)
            .bind(doc.source_id)
            .bind(&doc.kind)
            .bind(vector)
            .bind(now())
            .execute(&mut *conn)
            .await?;
        }
    }
    Ok(())
}

/// Removes one document's index row, if it has one.
pub async fn remove_doc(
    conn: &mut AnyConnection,
    backend: Backend,
    source: &str,
    source_id: i64,
) -> Result<(), DbError> {
    if backend == Backend::Sqlite {
        let found = sqlx::query("SELECT id FROM search_docs WHERE source = $1 AND source_id = $2")
            .bind(source)
            .bind(source_id)
            .fetch_optional(&mut *conn)
            .await?;
        if let Some(row) = found {
            let id: i64 = row.try_get("id")?;
            sqlx::query(&format!(
                "DELETE FROM {} WHERE rowid = $1",
                fts_table(source)
            ))
            .bind(id)
            .execute(&mut *conn)
            .await?;
        }
    }
    sqlx::query("DELETE FROM search_docs WHERE source = $1 AND source_id = $2")
        .bind(source)
        .bind(source_id)
        .execute(&mut *conn)
        .await?;
    Ok(())
}

/// (Re)writes the index row of a resource listing, or removes it when the entry is not approved:
/// pending and rejected entries are never found by search.
pub async fn upsert_resource(db: &Db, resource_id: i64) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    let row = sqlx::query(
        "SELECT title, authors, identifier, kind, status, description_text FROM resources \
         WHERE id = $1",
    )
    .bind(resource_id)
    .fetch_optional(&mut *tx)
    .await?;
    match row {
        Some(row) if row.try_get::<String, _>("status")? == "approved" => {
            let tags = sqlx::query("SELECT tag FROM resource_tags WHERE resource_id = $1")
                .bind(resource_id)
                .fetch_all(&mut *tx)
                .await?
                .iter()
                .map(|r| r.try_get::<String, _>("tag"))
                .collect::<Result<Vec<_>, _>>()?;
            let identifier: Option<String> = row.try_get("identifier")?;
            let kind: String = row.try_get("kind")?;
            let authors: String = row.try_get("authors")?;
            let context = format!(
                "{kind} {authors} {} {}",
                identifier.unwrap_or_default(),
                tags.join(" ")
            );
            let doc = IndexDoc {
                source: SOURCE_RESOURCE,
                source_id: resource_id,
                kind: SOURCE_RESOURCE.to_string(),
                title: row.try_get("title")?,
                context,
                body: row.try_get("description_text")?,
            };
            write_doc(&mut tx, db.backend(), &doc).await?;
        }
        _ => remove_doc(&mut tx, db.backend(), SOURCE_RESOURCE, resource_id).await?,
    }
    tx.commit().await
}

/// (Re)writes the index row of an event, or removes it when the event is not published: held,
/// hidden and deleted events are never found by search. The description is indexed as the plain
/// text of its Markdown; the place is context.
pub async fn upsert_event(db: &Db, event_id: i64) -> Result<(), DbError> {
    let row = sqlx::query("SELECT title, body_md, place, status FROM events WHERE id = $1")
        .bind(event_id)
        .fetch_optional(db.reader())
        .await?;
    let doc = match row {
        Some(row) if row.try_get::<String, _>("status")? == "published" => {
            // Render outside the write transaction: it is CPU work and SQLite has one writer.
            let body =
                render_post_or_source(&row.try_get::<String, _>("body_md")?, Limits::default());
            Some(IndexDoc {
                source: SOURCE_EVENT,
                source_id: event_id,
                kind: SOURCE_EVENT.to_string(),
                title: row.try_get("title")?,
                context: row.try_get("place")?,
                body: body.text,
            })
        }
        _ => None,
    };
    let mut tx = db.begin_write().await?;
    match doc {
        Some(doc) => write_doc(&mut tx, db.backend(), &doc).await?,
        None => remove_doc(&mut tx, db.backend(), SOURCE_EVENT, event_id).await?,
    }
    tx.commit().await
}

/// Rewrites every event's index row (published ones indexed, the rest removed).
async fn reindex_events(db: &Db) -> Result<(), DbError> {
    let mut after = 0_i64;
    loop {
        let ids: Vec<i64> =
            sqlx::query_scalar("SELECT id FROM events WHERE id > $1 ORDER BY id LIMIT $2")
                .bind(after)
                .bind(BATCH)
                .fetch_all(db.reader())
                .await?;
        let Some(last) = ids.last() else {
            return Ok(());
        };
        after = *last;
        for id in ids {
            upsert_event(db, id).await?;
        }
    }
}

/// PostgreSQL caps positions at 16383 and keeps at most 256 per lexeme.
const MAX_POSITION: usize = 16_383;
const MAX_POSITIONS_PER_LEXEME: usize = 256;

/// A tsvector literal (`'lexeme':1A,4B 'other':2A`) from space-separated token fields, each with
/// its weight; positions run on across fields. Bound as a parameter and cast, never spliced.
pub fn tsvector_literal(fields: &[(&str, char)]) -> String {
    let mut lexemes: BTreeMap<&str, Vec<(usize, char)>> = BTreeMap::new();
    let mut position = 0;
    for (tokens, weight) in fields {
        for token in tokens.split(' ').filter(|t| !t.is_empty()) {
            position = (position + 1).min(MAX_POSITION);
            let positions = lexemes.entry(token).or_default();
            if positions.len() < MAX_POSITIONS_PER_LEXEME
                && positions.last().is_none_or(|(p, _)| *p != position)
            {
                positions.push((position, *weight));
            }
        }
    }
    let mut out = String::new();
    for (lexeme, positions) in lexemes {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push('\'');
        for c in lexeme.chars() {
            match c {
                '\'' => out.push_str("''"),
                '\\' => out.push_str("\\\\"),
                _ => out.push(c),
            }
        }
        out.push_str("':");
        let list: Vec<String> = positions
            .iter()
            .map(|(p, w)| {
                if *w == 'D' {
                    p.to_string()
                } else {
                    format!("{p}{w}")
                }
            })
            .collect();
        out.push_str(&list.join(","));
    }
    out
}

/// What `agora reindex` did.
#[derive(Debug, Default, Clone, Copy)]
pub struct ReindexReport {
    pub posts_rerendered: u64,
    pub comments_rerendered: u64,
    pub posts_seen: u64,
    pub orphans_removed: u64,
}

const BATCH: i64 = 200;

/// Re-renders posts and comments stored by an older renderer ([`RENDERER_VERSION`]) and rebuilds
/// every post's, resource's and event's index row: the "render on write, re-render on version change" contract.
pub async fn reindex_all(db: &Db) -> Result<ReindexReport, DbError> {
    let mut report = ReindexReport::default();
    let backend = db.backend();
    let mut after = 0_i64;
    loop {
        let rows = sqlx::query(
            "SELECT id, body_md, renderer_version FROM posts WHERE id > $1 ORDER BY id LIMIT $2",
        )
        .bind(after)
        .bind(BATCH)
        .fetch_all(db.reader())
        .await?;
        let Some(last) = rows.last() else { break };
        after = last.try_get("id")?;
        // Render outside the write transaction: it is CPU work and SQLite has one writer.
        let mut batch = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let version: i64 = row.try_get("renderer_version")?;
            let rendered = if version < RENDERER_VERSION {
                Some(render_post_or_source(
                    &row.try_get::<String, _>("body_md")?,
                    Limits::default(),
                ))
            } else {
                None
            };
            batch.push((id, rendered));
        }
        let mut tx = db.begin_write().await?;
        for (id, rendered) in batch {
            if let Some(r) = rendered {
                sqlx::query(
                    "UPDATE posts SET body_html = $1, body_text = $2, excerpt = $3, \
                     renderer_version = $4 WHERE id = $5",
                )
                .bind(r.html)
                .bind(r.text)
                .bind(r.excerpt)
                .bind(RENDERER_VERSION)
                .bind(id)
                .execute(&mut *tx)
                .await?;
                report.posts_rerendered += 1;
            }
            index_one_post(&mut tx, backend, id).await?;
            report.posts_seen += 1;
        }
        tx.commit().await?;
    }
    report.comments_rerendered = rerender_comments(db).await?;
    reindex_resources(db).await?;
    reindex_events(db).await?;
    report.orphans_removed = remove_orphans(db).await?;
    if backend == Backend::Sqlite {
        for table in ["search_fts", "search_side_fts"] {
            sqlx::query(&format!(
                "INSERT INTO {table} ({table}) VALUES ('optimize')"
            ))
            .execute(db.writer())
            .await?;
        }
    }
    Ok(report)
}

/// Re-renders resource descriptions stored by an older renderer and rewrites every resource's
/// index row (approved ones indexed, the rest removed).
async fn reindex_resources(db: &Db) -> Result<(), DbError> {
    let rows =
        sqlx::query("SELECT id, description_md, renderer_version FROM resources ORDER BY id")
            .fetch_all(db.reader())
            .await?;
    for row in &rows {
        let id: i64 = row.try_get("id")?;
        let version: i64 = row.try_get("renderer_version")?;
        if version < RENDERER_VERSION {
            let r = render_post_or_source(
                &row.try_get::<String, _>("description_md")?,
                Limits::default(),
            );
            sqlx::query(
                "UPDATE resources SET description_html = $1, description_text = $2, \
                 renderer_version = $3 WHERE id = $4",
            )
            .bind(r.html)
            .bind(r.text)
            .bind(RENDERER_VERSION)
            .bind(id)
            .execute(db.writer())
            .await?;
        }
        upsert_resource(db, id).await?;
    }
    Ok(())
}

async fn rerender_comments(db: &Db) -> Result<u64, DbError> {
    let mut count = 0;
    loop {
        let rows = sqlx::query(
            "SELECT id, body_md FROM comments WHERE renderer_version < $1 ORDER BY id LIMIT $2",
        )
        .bind(RENDERER_VERSION)
        .bind(BATCH)
        .fetch_all(db.reader())
        .await?;
        if rows.is_empty() {
            return Ok(count);
        }
        let mut rendered = Vec::with_capacity(rows.len());
        for row in &rows {
            let id: i64 = row.try_get("id")?;
            let html =
                render_comment_or_source(&row.try_get::<String, _>("body_md")?, Limits::default())
                    .html;
            rendered.push((id, html));
        }
        let mut tx = db.begin_write().await?;
        for (id, html) in rendered {
            sqlx::query("UPDATE comments SET body_html = $1, renderer_version = $2 WHERE id = $3")
                .bind(html)
                .bind(RENDERER_VERSION)
                .bind(id)
                .execute(&mut *tx)
                .await?;
            count += 1;
        }
        tx.commit().await?;
    }
}

/// Index rows whose post no longer exists.
async fn remove_orphans(db: &Db) -> Result<u64, DbError> {
    let rows = sqlx::query(
        "SELECT d.source_id FROM search_docs d WHERE d.source = $1 \
         AND NOT EXISTS (SELECT 1 FROM posts p WHERE p.id = d.source_id)",
    )
    .bind(SOURCE_POST)
    .fetch_all(db.reader())
    .await?;
    if rows.is_empty() {
        return Ok(0);
    }
    let mut tx = db.begin_write().await?;
    let mut count = 0;
    for row in &rows {
        let id: i64 = row.try_get("source_id")?;
        remove_doc(&mut tx, db.backend(), SOURCE_POST, id).await?;
        count += 1;
    }
    tx.commit().await?;
    Ok(count)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tsvector_literal_keeps_code_tokens_whole_with_weights() {
        let title = index_text("gpt-2 and torch.nn.Module");
        let body = index_text("it's gpt-2");
        let literal = tsvector_literal(&[(&title, 'A'), ("", 'B'), (&body, 'D')]);
        assert!(literal.contains("'gpt-2':1A,"), "{literal}");
        assert!(literal.contains("'torch.nn.module':"), "{literal}");
        assert!(!literal.contains("it's"), "{literal}");
    }

    #[test]
    fn tsvector_literal_escapes_quotes_and_caps_positions() {
        let literal = tsvector_literal(&[("a'b c\\d", 'D')]);
        assert_eq!(literal, "'a''b':1 'c\\\\d':2");
        let many = vec!["x"; 20_000].join(" ");
        let literal = tsvector_literal(&[(&many, 'D')]);
        assert_eq!(literal.matches(',').count(), MAX_POSITIONS_PER_LEXEME - 1);
    }
}
