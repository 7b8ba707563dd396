//! Querying the index: relevance-ranked, filtered, paginated hits with highlighted snippets.
//!
//! The full-text index is queried first, on its own: the newest [`MAX_CANDIDATES`] matching
//! documents (the candidate window, [`super::window`]) are ranked, and posts, users and tags are
//! joined to that short list afterwards (a MATCH joined inside a large
//! filter is the classic thousand-fold slowdown). Visibility is checked at query time as well as
//! at index time, so a post hidden after it was indexed never shows up.
use sqlx::Row;

use super::index::{SOURCE_EVENT, SOURCE_POST, SOURCE_RESOURCE};
use super::snippet::{best_passage, highlight, snippet};
use super::tokenize::{query_terms, tsquery, Combine};
use super::window::{bm25, hits_json, sqlite_window, SQLITE_HITS};
use crate::db::{Backend, Db, DbError};
use crate::domain::{paths, PostKind};

/// How many full-text matches (the newest) are ranked, and the filters and pages choose from.
pub const MAX_CANDIDATES: i64 = super::window::WINDOW;
/// Characters in a result's snippet.
pub const SNIPPET_CHARS: usize = 220;
/// Characters in a hit's plain-text passage (what the answer bot reads).
pub const PASSAGE_CHARS: usize = 900;

/// The kinds of document a search can be limited to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchKind {
    Article,
    Question,
    Answer,
    /// Approved resource listings (searched on their own: they are not posts).
    Resource,
}

impl SearchKind {
    pub const ALL: [SearchKind; 4] = [
        SearchKind::Article,
        SearchKind::Question,
        SearchKind::Answer,
        SearchKind::Resource,
    ];

    pub fn parse(text: &str) -> Option<SearchKind> {
        match text {
            "article" => Some(SearchKind::Article),
            "question" => Some(SearchKind::Question),
            "answer" => Some(SearchKind::Answer),
            "resource" => Some(SearchKind::Resource),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            SearchKind::Article => "article",
            SearchKind::Question => "question",
            SearchKind::Answer => "answer",
            SearchKind::Resource => "resource",
        }
    }
}

/// One search request.
#[derive(Debug, Clone)]
pub struct SearchQuery {
    pub text: String,
    pub kind: Option<SearchKind>,
    /// A tag name (exact); an answer carries its question's tags.
    pub tag: Option<String>,
    /// 1-based.
    pub page: u32,
    pub per_page: u32,
    pub combine: Combine,
}

impl SearchQuery {
    /// The first page of results for `text`, every term required.
    pub fn new(text: impl Into<String>) -> Self {
        SearchQuery {
            text: text.into(),
            kind: None,
            tag: None,
            page: 1,
            per_page: 20,
            combine: Combine::All,
        }
    }
}

/// One matching post.
#[derive(Debug, Clone)]
pub struct SearchHit {
    pub post_id: i64,
    /// `article`, `question` or `answer`.
    pub kind: String,
    /// The post's title; for an answer, its question's title.
    pub title: String,
    /// The question an answer belongs to.
    pub question_id: Option<i64>,
    pub url: String,
    pub author: String,
    pub score: i64,
    pub answer_count: i64,
    /// An answer that its question accepted, or a question with an accepted answer.
    pub accepted: bool,
    pub created_at: i64,
    /// Higher is more relevant; comparable only within one result list.
    pub relevance: f64,
    /// Escaped title with matches in `<mark>` (from [`SearchHit::cut`]): safe to output as HTML.
    pub title_html: String,
    /// Escaped text around the first match with matches in `<mark>`: safe to output as HTML.
    pub snippet_html: String,
    /// Plain text around the first match, longer than the snippet.
    pub passage: String,
    /// The whole plain text, until [`SearchHit::cut`] takes the snippet and the passage from it
    /// (a fused ranking cuts only the hits it reranks or shows).
    pub body: String,
}

impl SearchHit {
    /// Marks `terms` in the title and cuts the snippet and the passage around them from the hit's
    /// text (once): only hits that are reranked or shown need them.
    pub fn cut(&mut self, terms: &[String]) {
        if self.title_html.is_empty() {
            self.title_html = highlight(&self.title, terms);
        }
        if self.body.is_empty() {
            return;
        }
        let body = std::mem::take(&mut self.body);
        self.snippet_html = snippet(&body, terms, SNIPPET_CHARS).html;
        self.passage = best_passage(&body, terms, PASSAGE_CHARS);
    }
}

/// A page of results and what the page needs to say about them.
#[derive(Debug, Clone, Default)]
pub struct SearchResults {
    pub hits: Vec<SearchHit>,
    pub terms: Vec<String>,
    pub has_next: bool,
    /// No post had every term, so these are posts with any of them.
    pub relaxed: bool,
}

/// The hits for one page of `query`, best first; empty when the query has no searchable words.
pub async fn search(db: &Db, query: &SearchQuery) -> Result<Vec<SearchHit>, DbError> {
    let terms = query_terms(&query.text);
    Ok(run(db, query, &terms, query.combine).await?.0)
}

/// The join that follows the full-text step: `hits(doc_id, rank)` with lower rank = better.
const JOIN_AND_FILTER: &str = "\
    SELECT p.id, p.kind, p.title, p.slug, p.body_text, p.score, p.answer_count, p.created_at, \
           p.parent_id, p.accepted_answer_id, q.title AS parent_title, q.slug AS parent_slug, \
           q.accepted_answer_id AS parent_accepted_id, u.username, hits.rank \
    FROM hits \
    JOIN search_docs d ON d.id = hits.doc_id \
    JOIN posts p ON p.id = d.source_id \
    JOIN users u ON u.id = p.author_id \
    LEFT JOIN posts q ON q.id = p.parent_id \
    WHERE d.source = $4 AND p.status = 'published' \
      AND (p.parent_id IS NULL OR q.status = 'published') \
      AND ($5 = '' OR EXISTS (SELECT 1 FROM post_tags pt JOIN tags t ON t.id = pt.tag_id \
                              WHERE pt.post_id = COALESCE(p.parent_id, p.id) AND t.name = $5)) \
    ORDER BY hits.rank, p.id \
    LIMIT $6 OFFSET $7";

/// The join for resource hits: approved entries only, checked again at query time.
const JOIN_RESOURCES: &str = "\
    SELECT r.id, r.title, r.description_text, r.score, r.created_at, u.username, hits.rank \
    FROM hits \
    JOIN search_docs d ON d.id = hits.doc_id \
    JOIN resources r ON r.id = d.source_id \
    JOIN users u ON u.id = r.submitted_by \
    WHERE d.source = $4 AND r.status = 'approved' \
      AND ($5 = '' OR EXISTS (SELECT 1 FROM resource_tags rt \
                              WHERE rt.resource_id = r.id AND rt.tag = $5)) \
    ORDER BY hits.rank, r.id \
    LIMIT $6 OFFSET $7";

/// The join for event hits: published events only, checked again at query time.
const JOIN_EVENTS: &str = "\
    SELECT e.id FROM hits \
    JOIN search_docs d ON d.id = hits.doc_id \
    JOIN events e ON e.id = d.source_id \
    WHERE d.source = $4 AND e.status = 'published' \
    ORDER BY hits.rank, e.id \
    LIMIT $5";

/// The published events whose title, place or description hold every word of `text`, best first:
/// at most `limit` event ids, from the same full-text index as posts and bounded by it
/// ([`MAX_CANDIDATES`]).
pub async fn search_events(db: &Db, text: &str, limit: i64) -> Result<Vec<i64>, DbError> {
    let terms = query_terms(text);
    if terms.is_empty() {
        return Ok(Vec::new());
    }
    let (sql, first) = match db.backend() {
        Backend::Sqlite => (
            format!("{SQLITE_HITS}{JOIN_EVENTS}"),
            sqlite_ranked(
                db,
                &terms,
                Combine::All,
                SOURCE_EVENT,
                MAX_CANDIDATES as usize,
            )
            .await?,
        ),
        Backend::Postgres => (
            format!("{}{JOIN_EVENTS}", postgres_window("kind = $2")),
            tsquery(&terms, Combine::All),
        ),
    };
    sqlx::query_scalar(&sql)
        .bind(first)
        .bind(SOURCE_EVENT)
        .bind(MAX_CANDIDATES)
        .bind(SOURCE_EVENT)
        .bind(limit)
        .fetch_all(db.reader())
        .await
}

/// The PostgreSQL `hits(doc_id, rank)` step: the newest [`MAX_CANDIDATES`] documents matching the
/// tsquery `$1` under `filter` (`$2` the kind), ranked by `ts_rank` (lower rank = better). ts_rank
/// weights D, C, B, A = 0.1, 0.2, 0.4, 1.0 (the default).
fn postgres_window(filter: &str) -> String {
    format!(
        "WITH window_docs AS (\
           SELECT id, tokens FROM search_docs WHERE tokens @@ $1::tsquery AND {filter} \
           ORDER BY id DESC LIMIT $3), \
         hits AS (\
           SELECT id AS doc_id, -(ts_rank(tokens, $1::tsquery)::float8) AS rank FROM window_docs) "
    )
}

/// The SQLite window for `terms` of `kind` (all kinds when empty), ranked here ([`bm25`]): its best
/// `keep` as the JSON that [`SQLITE_HITS`] reads.
async fn sqlite_ranked(
    db: &Db,
    terms: &[String],
    combine: Combine,
    kind: &str,
    keep: usize,
) -> Result<String, DbError> {
    let window = sqlite_window(db, terms, combine, kind).await?;
    let mut ranked = bm25(&window, terms);
    ranked.truncate(keep);
    Ok(hits_json(&ranked))
}

async fn run(
    db: &Db,
    query: &SearchQuery,
    terms: &[String],
    combine: Combine,
) -> Result<(Vec<SearchHit>, bool), DbError> {
    let per_page = query.per_page.clamp(1, 100);
    let offset = i64::from(query.page.max(1) - 1) * i64::from(per_page);
    let (mut hits, more) =
        run_terms(db, query, terms, combine, i64::from(per_page), offset).await?;
    for hit in &mut hits {
        hit.cut(terms);
    }
    Ok((hits, more))
}

/// One full-text query for `terms` with `query`'s filters: `limit` hits from `offset`, and whether
/// there are more. The hits are not cut yet ([`SearchHit::cut`]).
pub(crate) async fn run_terms(
    db: &Db,
    query: &SearchQuery,
    terms: &[String],
    combine: Combine,
    limit: i64,
    offset: i64,
) -> Result<(Vec<SearchHit>, bool), DbError> {
    if terms.is_empty() {
        return Ok((Vec::new(), false));
    }
    let resources = query.kind == Some(SearchKind::Resource);
    let (join, source) = if resources {
        (JOIN_RESOURCES, SOURCE_RESOURCE)
    } else {
        (JOIN_AND_FILTER, SOURCE_POST)
    };
    let kind = query.kind.map_or("", SearchKind::as_str);
    let (sql, first) = match db.backend() {
        Backend::Sqlite => {
            // Only a tag filter drops many candidates (the index holds published posts only, the
            // status checks are a safety net): without one, the best few (and a few spare) are
            // all the join needs — each is a read of a post row.
            let keep = if query.tag.as_deref().unwrap_or("").is_empty() {
                (offset + limit + 1 + 20) as usize
            } else {
                MAX_CANDIDATES as usize
            };
            let r = sqlite_ranked(db, terms, combine, kind, keep).await?;
            (format!("{SQLITE_HITS}{join}"), r)
        }
        Backend::Postgres => (
            format!("{}{join}", postgres_window("($2 = '' OR kind = $2)")),
            tsquery(terms, combine),
        ),
    };
    let rows = sqlx::query(&sql)
        .bind(first)
        .bind(kind)
        .bind(MAX_CANDIDATES)
        .bind(source)
        .bind(query.tag.clone().unwrap_or_default())
        .bind(limit + 1)
        .bind(offset)
        .fetch_all(db.reader())
        .await?;
    let has_next = rows.len() > limit as usize;
    let mut hits = Vec::with_capacity(rows.len());
    for row in rows.iter().take(limit as usize) {
        hits.push(if resources {
            resource_hit_from_row(row)?
        } else {
            hit_from_row(row)?
        });
    }
    Ok((hits, has_next))
}

/// The answer a question is best answered by (accepted, else best voted), as a hit with its
/// passage around `terms`; `None` when it has no published answer.
pub(crate) async fn best_answer_hit(
    db: &Db,
    question_id: i64,
    terms: &[String],
) -> Result<Option<SearchHit>, DbError> {
    let row = sqlx::query(
        "SELECT p.id, p.kind, p.title, p.slug, p.body_text, p.score, p.answer_count, p.created_at, \
                p.parent_id, p.accepted_answer_id, q.title AS parent_title, q.slug AS parent_slug, \
                q.accepted_answer_id AS parent_accepted_id, u.username, \
                CAST(0 AS DOUBLE PRECISION) AS rank \
         FROM posts p JOIN posts q ON q.id = p.parent_id JOIN users u ON u.id = p.author_id \
         WHERE p.parent_id = $1 AND p.kind = 'answer' AND p.status = 'published' \
           AND q.status = 'published' \
         ORDER BY CASE WHEN q.accepted_answer_id = p.id THEN 0 ELSE 1 END, p.score DESC, p.id \
         LIMIT 1",
    )
    .bind(question_id)
    .fetch_optional(db.reader())
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    let mut hit = hit_from_row(&row)?;
    hit.cut(terms);
    Ok(Some(hit))
}

fn hit_from_row(row: &sqlx::any::AnyRow) -> Result<SearchHit, DbError> {
    let id: i64 = row.try_get("id")?;
    let kind: String = row.try_get("kind")?;
    let parent_id: Option<i64> = row.try_get("parent_id")?;
    let own_title: String = row.try_get("title")?;
    let parent_title: Option<String> = row.try_get("parent_title")?;
    let body: String = row.try_get("body_text")?;
    let slug: String = row.try_get("slug")?;
    let parent_slug: Option<String> = row.try_get("parent_slug")?;
    let accepted_answer_id: Option<i64> = row.try_get("accepted_answer_id")?;
    let parent_accepted_id: Option<i64> = row.try_get("parent_accepted_id")?;
    let rank: f64 = row.try_get("rank")?;

    let title = match (&parent_title, own_title.is_empty()) {
        (Some(parent), true) => parent.clone(),
        _ => own_title,
    };
    let url = match (kind.as_str(), parent_id) {
        ("answer", Some(question)) => {
            paths::answer_url(question, parent_slug.as_deref().unwrap_or(""), id)
        }
        ("article", _) => paths::post_url(PostKind::Article, id, &slug, None),
        _ => paths::post_url(PostKind::Question, id, &slug, None),
    };
    let accepted = match kind.as_str() {
        "answer" => parent_accepted_id == Some(id),
        _ => accepted_answer_id.is_some(),
    };
    Ok(SearchHit {
        post_id: id,
        title_html: String::new(),
        title,
        question_id: parent_id,
        url,
        author: row.try_get("username")?,
        score: row.try_get("score")?,
        answer_count: row.try_get("answer_count")?,
        accepted,
        created_at: row.try_get("created_at")?,
        relevance: -rank,
        snippet_html: String::new(),
        passage: String::new(),
        body,
        kind,
    })
}

fn resource_hit_from_row(row: &sqlx::any::AnyRow) -> Result<SearchHit, DbError> {
    let id: i64 = row.try_get("id")?;
    let title: String = row.try_get("title")?;
    let body: String = row.try_get("description_text")?;
    let rank: f64 = row.try_get("rank")?;
    Ok(SearchHit {
        post_id: id,
        kind: SOURCE_RESOURCE.to_string(),
        title_html: String::new(),
        title,
        question_id: None,
        url: paths::resource_url(id),
        author: row.try_get("username")?,
        score: row.try_get("score")?,
        answer_count: 0,
        accepted: false,
        created_at: row.try_get("created_at")?,
        relevance: -rank,
        snippet_html: String::new(),
        passage: String::new(),
        body,
    })
}
