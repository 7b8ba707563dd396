//! "Has this been asked before?": published questions whose title shares words (Chinese-aware, through
//! the search tokeniser) with a draft question, found in the full-text index's title column and ranked
//! by how much they share (words, then tags).
use std::collections::HashSet;

use super::glossary::{glossary, Concept};
use super::query_terms;
use super::tokenize::{fts5_query, tsquery, Combine};
use crate::db::posts::lists::{attach_tags, summary_from_row, PostSummary};
use crate::db::{Backend, Db, DbError};

/// Words too common to say two titles are alike.
const STOP_WORDS: &[&str] = &[
    "a",
    "an",
    "and",
    "are",
    "can",
    "do",
    "does",
    "for",
    "from",
    "get",
    "how",
    "i",
    "in",
    "is",
    "it",
    "my",
    "of",
    "on",
    "or",
    "the",
    "to",
    "use",
    "using",
    "what",
    "when",
    "why",
    "with",
    "you",
    "的",
    "了",
    "吗",
    "呢",
    "是",
    "在",
    "我",
    "如何",
    "怎么",
    "怎样",
    "什么",
    "为什么",
    "和",
    "与",
    "有",
    "中",
    "用",
    "使用",
    "问题",
    "？",
    "?",
];

/// A title term worth matching on.
pub(crate) fn meaningful(term: &str) -> bool {
    !STOP_WORDS.contains(&term) && (term.chars().count() > 1 || !term.is_ascii())
}

/// Up to `limit` questions most like `title` (and `tags`), best first, leaving out `exclude`.
pub async fn similar_questions(
    db: &Db,
    title: &str,
    tags: &[String],
    exclude: Option<i64>,
    limit: usize,
) -> Result<Vec<PostSummary>, DbError> {
    let mut terms: Vec<String> = query_terms(title)
        .into_iter()
        .filter(|t| meaningful(t))
        .collect();
    terms.truncate(12);
    // The title's words and their glossary translations (a Chinese title finds an English one).
    let concepts: Vec<Concept> = glossary()
        .concepts(title)
        .into_iter()
        .filter(|c| c.words.iter().any(|w| terms.contains(w)))
        .take(12)
        .collect();
    let mut alternatives: Vec<Vec<String>> = Vec::new();
    for alternative in concepts.iter().flat_map(|c| &c.alternatives) {
        if !alternatives.contains(alternative) && alternatives.len() < 32 {
            alternatives.push(alternative.clone());
        }
    }
    let found = candidates(db, &alternatives).await?;
    let mut ranked = rank_concepts(&concepts, tags, found);
    ranked.retain(|p| Some(p.id) != exclude);
    ranked.truncate(limit);
    Ok(ranked)
}

/// Orders candidates by the share of the query's terms their titles contain, plus a smaller weight for
/// shared tags; candidates sharing no term and under half the tags are dropped.
pub fn rank(terms: &[String], tags: &[String], candidates: Vec<PostSummary>) -> Vec<PostSummary> {
    let concepts: Vec<Concept> = terms
        .iter()
        .map(|t| Concept {
            words: vec![t.clone()],
            alternatives: vec![vec![t.clone()]],
        })
        .collect();
    rank_concepts(&concepts, tags, candidates)
}

/// [`rank`] over the title's concepts: a concept is shared when the candidate's title has any of
/// its terms (in either language).
pub fn rank_concepts(
    terms: &[Concept],
    tags: &[String],
    candidates: Vec<PostSummary>,
) -> Vec<PostSummary> {
    let mut scored: Vec<(f64, PostSummary)> = candidates
        .into_iter()
        .filter_map(|candidate| {
            let own: HashSet<String> = query_terms(&candidate.title).into_iter().collect();
            let shared_terms = terms.iter().filter(|c| c.found_in(&own)).count();
            let shared_tags = tags.iter().filter(|t| candidate.tags.contains(t)).count();
            let term_share = if terms.is_empty() {
                0.0
            } else {
                shared_terms as f64 / terms.len() as f64
            };
            let tag_share = if tags.is_empty() {
                0.0
            } else {
                shared_tags as f64 / tags.len() as f64
            };
            let relevant =
                shared_terms > 0 && (term_share >= 0.3 || shared_terms >= 2 || tag_share >= 0.5);
            relevant.then_some((term_share + 0.3 * tag_share, candidate))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(b.1.score.cmp(&a.1.score)));
    scored.into_iter().map(|(_, c)| c).collect()
}

/// At most this many rows are ranked; newer questions win when more match.
const CANDIDATE_LIMIT: i64 = 200;

/// The newest published questions whose title holds any of `alternatives` (each a sequence of
/// search tokens, all of which must be in the title), read from the full-text index in id order so
/// the read stops at [`CANDIDATE_LIMIT`] however many titles match. `tags` only rank the candidates:
/// a question sharing tags but no title word is never suggested ([`rank_concepts`]).
async fn candidates(db: &Db, alternatives: &[Vec<String>]) -> Result<Vec<PostSummary>, DbError> {
    let alternatives: Vec<&Vec<String>> = alternatives.iter().filter(|a| !a.is_empty()).collect();
    if alternatives.is_empty() {
        return Ok(Vec::new());
    }
    let (found, expression) = match db.backend() {
        Backend::Sqlite => {
            let any: Vec<String> = alternatives
                .iter()
                .map(|alt| format!("({})", fts5_query(alt, Combine::All)))
                .collect();
            // Only questions and articles have titles in this table (answers' are empty,
            // resources and events have their own table), so the kind is left to the join: checked
            // here it read every matching row's stored text, ten times the cost of the match.
            (
                "SELECT rowid AS doc_id FROM search_fts \
                 WHERE search_fts MATCH $1 ORDER BY rowid DESC LIMIT $2",
                format!("title : ({})", any.join(" OR ")),
            )
        }
        Backend::Postgres => {
            let any: Vec<String> = alternatives
                .iter()
                .map(|alt| {
                    let all: Vec<String> = alt
                        .iter()
                        .map(|t| format!("{}:A", tsquery(std::slice::from_ref(t), Combine::All)))
                        .collect();
                    format!("({})", all.join(" & "))
                })
                .collect();
            (
                "SELECT id AS doc_id FROM search_docs \
                 WHERE tokens @@ $1::tsquery AND kind = 'question' ORDER BY id DESC LIMIT $2",
                any.join(" | "),
            )
        }
    };
    // CROSS JOIN keeps SQLite reading from the matches outwards (it never reorders one; on
    // PostgreSQL it is a plain join): planned without statistics, the bundled SQLite could start
    // from the questions and look each up in the matches, a read of every question past the
    // statement deadline at 1M.
    let sql = format!(
        "WITH found AS ({found}) \
         SELECT p.id, p.kind, p.title, p.slug, p.excerpt, u.username AS author_name, p.score, \
         p.answer_count, p.view_count, p.accepted_answer_id, p.created_at, p.edited_at, \
         p.last_activity_at \
         FROM found CROSS JOIN search_docs d CROSS JOIN posts p CROSS JOIN users u \
         WHERE d.id = found.doc_id AND p.id = d.source_id AND u.id = p.author_id \
           AND d.source = 'post' AND p.kind = 'question' AND p.status = 'published' \
         ORDER BY p.created_at DESC, p.id DESC"
    );
    let rows = sqlx::query(&sql)
        .bind(expression)
        .bind(CANDIDATE_LIMIT)
        .fetch_all(db.reader())
        .await?;
    let mut items = rows
        .iter()
        .map(summary_from_row)
        .collect::<Result<Vec<_>, _>>()?;
    attach_tags(db, &mut items).await?;
    Ok(items)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::PostKind;

    fn question(id: i64, title: &str, tags: &[&str]) -> PostSummary {
        PostSummary {
            id,
            kind: PostKind::Question,
            title: title.into(),
            slug: String::new(),
            excerpt: String::new(),
            author_name: String::new(),
            score: 0,
            answer_count: 0,
            view_count: 0,
            has_accepted: false,
            created_at: 0,
            edited_at: None,
            last_activity_at: 0,
            tags: tags.iter().map(|t| t.to_string()).collect(),
        }
    }

    fn terms(title: &str) -> Vec<String> {
        query_terms(title)
            .into_iter()
            .filter(|t| meaningful(t))
            .collect()
    }

    #[test]
    fn closer_titles_rank_first_and_unrelated_ones_are_dropped() {
        let found = vec![
            question(1, "Fine-tuning BERT on a small dataset", &["bert"]),
            question(2, "How to quantize llama weights to 4 bit", &["llama"]),
            question(
                3,
                "Quantize llama model with GPTQ",
                &["llama", "quantization"],
            ),
        ];
        let ranked = rank(
            &terms("How do I quantize a llama model?"),
            &["llama".into()],
            found,
        );
        let ids: Vec<i64> = ranked.iter().map(|q| q.id).collect();
        assert_eq!(ids, [3, 2]);
    }

    #[test]
    fn a_title_in_the_other_language_is_similar_through_the_glossary() {
        let found = vec![
            question(1, "How large should the LoRA rank be?", &[]),
            question(2, "How do I bake bread?", &[]),
        ];
        let title = "LoRA 的秩设多大合适？";
        let wanted = terms(title);
        let concepts: Vec<Concept> = glossary()
            .concepts(title)
            .into_iter()
            .filter(|c| c.words.iter().any(|w| wanted.contains(w)))
            .collect();
        let ranked = rank_concepts(&concepts, &[], found);
        assert_eq!(ranked.iter().map(|q| q.id).collect::<Vec<_>>(), [1]);
    }

    #[test]
    fn chinese_titles_match_on_words() {
        let found = vec![
            question(1, "如何在本地部署大语言模型", &[]),
            question(2, "图像分类的数据增强方法", &[]),
        ];
        let ranked = rank(&terms("本地部署大语言模型需要多少显存"), &[], found);
        assert_eq!(ranked.iter().map(|q| q.id).collect::<Vec<_>>(), [1]);
    }
}
