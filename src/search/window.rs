//! The candidate window: a full-text query ranks a bounded set of matches, the newest, however many
//! documents match. Reading matches in index order (newest first) stops after the window, where
//! ranking every match first reads them all (a word in a fifth of three million posts is 600,000).
//! With every term required the window is the newest [`WINDOW`] documents holding them all; with any
//! term it is the newest `WINDOW / terms` documents of each term, so a rare term's documents are all
//! ranked even next to a common term. The price: past the window, an older document is not found by
//! that list, however well it would rank (the every-term list and the glossary list still may).
//!
//! PostgreSQL ranks its window with `ts_rank` in SQL (it needs nothing beyond the row). SQLite's
//! `bm25()` cannot be used: before it scores the first row it counts every document holding each
//! term (its IDF), the very read the window avoids. So SQLite reads the window's pre-tokenised
//! columns and [`bm25`] scores them here with FTS5's formula and column weights, each term's document
//! frequency estimated from its window (exact when the window holds every match, else scaled from
//! the span of ids the window covers).
use std::collections::HashSet;

use super::tokenize::{fts5_query, Combine};
use crate::db::{Db, DbError};

/// How many of the newest matches a full-text query ranks.
pub const WINDOW: i64 = 400;

/// The fewest documents an any-term window reads per term.
const PER_TERM_MIN: i64 = 25;

/// Past this many terms, an any-term window is one window of the newest documents holding any of them
/// (one query, not one per term).
const MAX_SPLIT: usize = 16;

/// BM25 weights of the indexed columns: title, context (tags, an answer's question title), body.
pub const COLUMN_WEIGHTS: [f64; 3] = [10.0, 4.0, 1.0];
const K1: f64 = 1.2;
const B: f64 = 0.75;

/// One matching document of the window: its index id and its columns' tokens.
#[derive(Debug, Clone)]
pub struct WindowDoc {
    pub id: i64,
    pub columns: [String; 3],
}

/// The documents a query ranks, and what BM25 needs to know of the whole index: each term's
/// (estimated) document frequency and the number of documents.
#[derive(Debug, Clone, Default)]
pub struct Window {
    pub docs: Vec<WindowDoc>,
    pub frequencies: Vec<f64>,
    pub total: f64,
}

/// The SQLite window of `terms` (of `kind` unless empty): with every term required, the newest
/// [`WINDOW`] documents holding them all; with any term, the newest `WINDOW / terms` holding each
/// term, so a rare term's few documents are all there even when a common one matches millions.
pub async fn sqlite_window(
    db: &Db,
    terms: &[String],
    combine: Combine,
    kind: &str,
) -> Result<Window, DbError> {
    if terms.is_empty() {
        return Ok(Window::default());
    }
    let last_id: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) FROM search_docs")
        .fetch_one(db.reader())
        .await?;
    if combine == Combine::All || terms.len() == 1 || terms.len() > MAX_SPLIT {
        let docs = newest(db, &fts5_query(terms, combine), kind, WINDOW).await?;
        let frequencies = estimate(&docs, terms, last_id, WINDOW);
        return Ok(Window {
            total: last_id.max(docs.len() as i64) as f64,
            docs,
            frequencies,
        });
    }
    let each = (WINDOW / terms.len() as i64).max(PER_TERM_MIN);
    let mut docs: Vec<WindowDoc> = Vec::new();
    let mut seen = HashSet::new();
    let mut frequencies = Vec::with_capacity(terms.len());
    for term in terms {
        let found = newest(
            db,
            &fts5_query(std::slice::from_ref(term), Combine::All),
            kind,
            each,
        )
        .await?;
        frequencies.push(scaled(
            found.len(),
            found.iter().map(|d| d.id).min(),
            last_id,
            each,
        ));
        docs.extend(found.into_iter().filter(|d| seen.insert(d.id)));
    }
    Ok(Window {
        total: last_id.max(docs.len() as i64) as f64,
        docs,
        frequencies,
    })
}

/// The newest `limit` documents matching `match_expression` (FTS5 syntax), of `kind` unless empty.
async fn newest(
    db: &Db,
    match_expression: &str,
    kind: &str,
    limit: i64,
) -> Result<Vec<WindowDoc>, DbError> {
    // Resources and events have their own table: their kind check walks only them.
    let table = super::index::fts_table(kind);
    // One row, the window joined into one text: a row per document costs more than the reading of
    // it (each crosses from the database thread on its own). Index text never holds the two
    // separators (control characters; it is words and CJK runs joined by spaces).
    let joined: Option<String> = sqlx::query_scalar(&format!(
        "SELECT group_concat(id || char(31) || ifnull(title, '') || char(31) || ifnull(context, '') \
         || char(31) || ifnull(body, ''), \
         char(30)) FROM (SELECT rowid AS id, title, context, body FROM {table} \
         WHERE {table} MATCH $1 AND ($2 = '' OR kind = $2) ORDER BY rowid DESC LIMIT $3)"
    ))
    .bind(match_expression)
    .bind(kind)
    .bind(limit)
    .fetch_one(db.reader())
    .await?;
    let docs = joined.as_deref().map(split_window).unwrap_or_default();
    Ok(docs)
}

/// The documents of a window read as one text: `id US title US context US body`, joined by RS.
fn split_window(joined: &str) -> Vec<WindowDoc> {
    joined
        .split('\u{1e}')
        .filter_map(|doc| {
            let mut fields = doc.splitn(4, '\u{1f}');
            let id = fields.next()?.parse().ok()?;
            let title = fields.next()?.to_string();
            let context = fields.next()?.to_string();
            let body = fields.next()?.to_string();
            Some(WindowDoc {
                id,
                columns: [title, context, body],
            })
        })
        .collect()
}

/// A document frequency from a window of `found` documents asked for at most `limit`: exact when
/// the window is not full, else scaled from the ids it covers (its oldest up to `last_id`) to the
/// whole index.
fn scaled(found: usize, oldest: Option<i64>, last_id: i64, limit: i64) -> f64 {
    let found_f = found as f64;
    match oldest {
        Some(oldest) if found as i64 >= limit => {
            let span = (last_id - oldest + 1).max(found as i64) as f64;
            found_f * last_id.max(found as i64) as f64 / span
        }
        _ => found_f,
    }
}

/// Each term's document frequency from one window of documents that all matched the query.
fn estimate(docs: &[WindowDoc], terms: &[String], last_id: i64, limit: i64) -> Vec<f64> {
    let oldest = docs.iter().map(|d| d.id).min();
    terms
        .iter()
        .map(|term| {
            let holding = docs
                .iter()
                .filter(|d| {
                    d.columns
                        .iter()
                        .any(|c| c.split(' ').any(|token| token == term))
                })
                .count();
            let full = scaled(docs.len(), oldest, last_id, limit);
            if docs.is_empty() {
                0.0
            } else {
                full * holding as f64 / docs.len() as f64
            }
        })
        .collect()
}

/// BM25 scores of the window's documents for `terms` (higher is better), best first, ties to the
/// newer document: FTS5's formula (k1 = 1.2, b = 0.75, a term's frequency summed over the columns
/// times their weight, IDF floored just above zero).
pub fn bm25(window: &Window, terms: &[String]) -> Vec<(i64, f64)> {
    let docs = &window.docs;
    if docs.is_empty() || terms.is_empty() {
        return Vec::new();
    }
    // A query has a few terms: comparing each token with them (length first) is cheaper than
    // hashing every token of the window.
    let mut frequencies = vec![vec![0.0_f64; terms.len()]; docs.len()];
    let mut lengths = vec![0_usize; docs.len()];
    for (d, doc) in docs.iter().enumerate() {
        for (column, text) in doc.columns.iter().enumerate() {
            for token in text.split(' ').filter(|t| !t.is_empty()) {
                lengths[d] += 1;
                if let Some(i) = terms.iter().position(|t| t.as_str() == token) {
                    frequencies[d][i] += COLUMN_WEIGHTS[column];
                }
            }
        }
    }
    let total = window.total.max(docs.len() as f64);
    let idf: Vec<f64> = (0..terms.len())
        .map(|i| {
            let df = window.frequencies.get(i).copied().unwrap_or(0.0).min(total);
            ((total - df + 0.5) / (df + 0.5)).ln().max(1e-6)
        })
        .collect();
    let average = (lengths.iter().sum::<usize>() as f64 / docs.len() as f64).max(1.0);
    let mut scored: Vec<(i64, f64)> = docs
        .iter()
        .enumerate()
        .map(|(d, doc)| {
            let norm = K1 * (1.0 - B + B * lengths[d] as f64 / average);
            let score = frequencies[d]
                .iter()
                .zip(&idf)
                .map(|(f, idf)| idf * f * (K1 + 1.0) / (f + norm))
                .sum::<f64>();
            (doc.id, score)
        })
        .collect();
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(b.0.cmp(&a.0)));
    scored
}

/// `hits` as the JSON array `[[id, rank], …]` that SQLite's `json_each` reads back as the `hits`
/// table of a query (rank: lower is better, the negated score).
pub fn hits_json(hits: &[(i64, f64)]) -> String {
    let rows: Vec<String> = hits
        .iter()
        .map(|(id, score)| format!("[{id},{}]", -score))
        .collect();
    format!("[{}]", rows.join(","))
}

/// The `hits(doc_id, rank)` table of a ranked SQLite window bound as JSON at `$1`.
pub const SQLITE_HITS: &str = "WITH hits AS (\
      SELECT CAST(json_extract(value, '$[0]') AS INTEGER) AS doc_id, \
             CAST(json_extract(value, '$[1]') AS REAL) AS rank \
      FROM json_each($1)) ";

#[cfg(test)]
mod tests {
    use super::*;

    fn doc(id: i64, title: &str, body: &str) -> WindowDoc {
        WindowDoc {
            id,
            columns: [title.into(), String::new(), body.into()],
        }
    }

    fn terms(words: &[&str]) -> Vec<String> {
        words.iter().map(|w| w.to_string()).collect()
    }

    fn window(docs: Vec<WindowDoc>, terms: &[String], last_id: i64, limit: i64) -> Window {
        Window {
            frequencies: estimate(&docs, terms, last_id, limit),
            total: last_id as f64,
            docs,
        }
    }

    #[test]
    fn title_matches_and_rare_terms_rank_first() {
        let docs = vec![
            doc(5, "cooking", "attention and more attention"),
            doc(4, "attention", "something else entirely"),
            doc(3, "other", "the rare word kv here"),
            doc(2, "other", "the attention word once here"),
        ];
        let one = terms(&["attention"]);
        let ranked = bm25(&window(docs.clone(), &one, 100, 1000), &one);
        assert_eq!(ranked[0].0, 4, "a title match leads: {ranked:?}");
        let two = terms(&["attention", "kv"]);
        let ranked = bm25(&window(docs, &two, 100, 1000), &two);
        let at = |id: i64| ranked.iter().position(|(d, _)| *d == id);
        // One body mention each: the rarer term weighs more.
        assert!(at(3) < at(2), "{ranked:?}");
        assert_eq!(ranked.len(), 4);
    }

    #[test]
    fn a_window_read_as_one_text_splits_into_its_documents() {
        let docs =
            split_window("7\u{1f}kv cache\u{1f}\u{1f}每个 token\u{1e}3\u{1f}\u{1f}tag\u{1f}x");
        assert_eq!(docs.len(), 2);
        assert_eq!((docs[0].id, docs[0].columns[0].as_str()), (7, "kv cache"));
        assert_eq!(docs[0].columns[2], "每个 token");
        assert_eq!((docs[1].id, docs[1].columns[1].as_str()), (3, "tag"));
        assert!(split_window("").is_empty());
    }

    #[test]
    fn a_full_window_scales_document_frequency_to_the_index() {
        // Not full: the two documents are every match, exactly.
        assert_eq!(scaled(2, Some(9), 1000, 10), 2.0);
        // Full: two matches among ids 901..1000 stand for 20 in the index of 1000.
        assert_eq!(scaled(2, Some(901), 1000, 2), 20.0);
        let docs = vec![doc(1000, "", "x y"), doc(901, "", "x z")];
        let x = terms(&["x", "y"]);
        let frequencies = estimate(&docs, &x, 1000, 2);
        assert_eq!(frequencies, [20.0, 10.0]);
        assert_eq!(hits_json(&[(10, 1.5)]), "[[10,-1.5]]");
    }
}
