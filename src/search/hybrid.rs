//! Hybrid retrieval: the full-text index queried twice — with the query's own words, and with the
//! words expanded through the bilingual glossary (English <-> Chinese, synonyms) — and the two
//! ranked lists fused by reciprocal rank fusion. A small forum prior (accepted and well-voted
//! answers) breaks near ties. `/search`, the answer bot and similar questions all read from it.
use std::collections::HashMap;

use super::glossary::{coverage, glossary, Concept};
use super::query::{best_answer_hit, run_terms, SearchHit, SearchQuery, SearchResults};
use super::tokenize::{query_terms, tokens_among, Combine, Wanted};
use crate::db::{Db, DbError};

/// The `k` of reciprocal rank fusion: `score = Σ 1 / (k + rank)` over the lists.
pub const RRF_K: f64 = 60.0;
/// How many results of each list are fused.
pub const LIST_DEPTH: i64 = 60;

/// The identity of a hit across lists (resources and posts have separate id sequences).
fn key(hit: &SearchHit) -> (bool, i64) {
    (hit.kind == "resource", hit.post_id)
}

/// What the forum says about a hit, as a multiplier of its fused score: an accepted answer (or a
/// question that has one) and net votes lead a little; nothing else moves.
pub fn forum_prior(hit: &SearchHit) -> f64 {
    let accepted = if hit.accepted { 0.15 } else { 0.0 };
    let votes = hit.score.clamp(0, 10) as f64 * 0.01;
    1.0 + accepted + votes
}

/// Fuses ranked lists by reciprocal rank times the forum prior, best first. Where a hit is in
/// several lists, the copy from the later list is kept (its snippet is centred on more terms).
pub fn fuse(lists: Vec<Vec<SearchHit>>) -> Vec<SearchHit> {
    let mut scores: HashMap<(bool, i64), (f64, SearchHit, usize)> = HashMap::new();
    let mut order = 0;
    for list in lists {
        for (rank, hit) in list.into_iter().enumerate() {
            let share = 1.0 / (RRF_K + rank as f64 + 1.0);
            order += 1;
            scores
                .entry(key(&hit))
                .and_modify(|(score, kept, _)| {
                    *score += share;
                    *kept = hit.clone();
                })
                .or_insert((share, hit, order));
        }
    }
    let mut fused: Vec<(f64, SearchHit, usize)> = scores
        .into_values()
        .map(|(score, hit, first)| (score * forum_prior(&hit), hit, first))
        .collect();
    fused.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.2.cmp(&b.2)));
    fused
        .into_iter()
        .map(|(score, mut hit, _)| {
            hit.relevance = score;
            hit
        })
        .collect()
}

/// The fused ranking for `query` (its kind and tag filters apply; paging does not): plain full text
/// with every word, with any word, and the glossary-expanded query. The terms that last list used
/// come back too (for highlighting), and whether any post had every word.
pub async fn ranked(
    db: &Db,
    query: &SearchQuery,
) -> Result<(Vec<SearchHit>, Vec<String>, bool), DbError> {
    let terms = query_terms(&query.text);
    if terms.is_empty() {
        return Ok((Vec::new(), terms, false));
    }
    // Deep enough for the page asked for.
    let wanted = i64::from(query.page.max(1)) * i64::from(query.per_page.clamp(1, 100)) + 1;
    let depth = wanted.clamp(LIST_DEPTH, super::query::MAX_CANDIDATES);
    let all = if terms.len() > 1 {
        run_terms(db, query, &terms, Combine::All, depth, 0)
            .await?
            .0
    } else {
        Vec::new()
    };
    // With a full list of posts holding every word, the any-word list would only add posts
    // holding fewer of them: it is read when the every-word list runs short.
    let any = if (all.len() as i64) < depth {
        run_terms(db, query, &terms, Combine::Any, depth, 0)
            .await?
            .0
    } else {
        Vec::new()
    };
    let every_word = !all.is_empty() || (terms.len() == 1 && !any.is_empty());
    let expanded = glossary().expanded_terms(&query.text);
    let mut lists = vec![all, any];
    let highlight = if expanded.len() > terms.len() {
        lists.push(
            run_terms(db, query, &expanded, Combine::Any, depth, 0)
                .await?
                .0,
        );
        expanded
    } else {
        terms
    };
    let concepts = glossary().weighted_concepts(&query.text, super::similar::meaningful);
    let mut fused = fuse(lists);
    // The head is reranked by the passages, so only its hits are cut here.
    for hit in fused.iter_mut().take(RERANK_DEPTH) {
        hit.cut(&highlight);
    }
    Ok((rerank(fused, &concepts), highlight, every_word))
}

/// Orders fused hits by how much of the query they cover (a concept counts when its words or any
/// glossary term for them are in the hit's title or passage), the fused score breaking near ties.
pub fn rerank(mut hits: Vec<SearchHit>, concepts: &[(Concept, usize)]) -> Vec<SearchHit> {
    if concepts.is_empty() {
        return hits;
    }
    let top = hits.iter().map(|h| h.relevance).fold(0.0, f64::max);
    // Only the head is reranked (tokenising passages costs); the tail keeps its fused order below.
    let mut tail = hits.split_off(hits.len().min(RERANK_DEPTH));
    for hit in &mut tail {
        hit.relevance = FUSED_WEIGHT * if top > 0.0 { hit.relevance / top } else { 0.0 } - 1.0;
    }
    // Only the concepts' own words matter to coverage.
    let wanted = Wanted::new(
        concepts
            .iter()
            .flat_map(|(c, _)| c.alternatives.iter().flatten())
            .map(String::as_str),
    );
    for hit in &mut hits {
        let tokens = tokens_among(&format!("{} {}", hit.title, hit.passage), &wanted);
        let fused = if top > 0.0 { hit.relevance / top } else { 0.0 };
        hit.relevance = coverage(concepts, &tokens) + FUSED_WEIGHT * fused;
    }
    hits.sort_by(|a, b| b.relevance.total_cmp(&a.relevance));
    hits.append(&mut tail);
    hits
}

/// How many fused hits are reranked by coverage.
pub const RERANK_DEPTH: usize = 50;

/// How much the fused rank counts next to coverage (which runs from 0 to 1).
pub const FUSED_WEIGHT: f64 = 0.5;

/// [`ranked`] for the answer bot: every question hit that has answers brings its accepted (or best
/// voted) answer along, so a thread is answered from an answer and the question body stays context.
pub async fn candidates(db: &Db, query: &SearchQuery) -> Result<Vec<SearchHit>, DbError> {
    let (mut hits, terms, _) = ranked(db, query).await?;
    for hit in &mut hits {
        hit.cut(&terms);
    }
    let mut extra = Vec::new();
    for hit in &hits {
        let has_answer_hit = hits
            .iter()
            .any(|other| other.kind == "answer" && other.question_id == Some(hit.post_id));
        if hit.kind == "question" && hit.answer_count > 0 && !has_answer_hit {
            if let Some(mut answer) = best_answer_hit(db, hit.post_id, &terms).await? {
                answer.relevance = hit.relevance;
                extra.push(answer);
            }
        }
    }
    hits.extend(extra);
    Ok(hits)
}

/// [`super::search`] for the results page: the hybrid ranking ([`ranked`]) of the words as typed,
/// any of them, and their glossary translations; `relaxed` when no post had every word.
pub async fn search_page(db: &Db, query: &SearchQuery) -> Result<SearchResults, DbError> {
    let (fused, terms, every_word) = ranked(db, query).await?;
    if terms.is_empty() {
        return Ok(SearchResults::default());
    }
    let per_page = query.per_page.clamp(1, 100) as usize;
    let offset = (query.page.max(1) as usize - 1) * per_page;
    let has_next = fused.len() > offset + per_page;
    let mut hits: Vec<SearchHit> = fused.into_iter().skip(offset).take(per_page).collect();
    for hit in &mut hits {
        hit.cut(&terms);
    }
    Ok(SearchResults {
        relaxed: !every_word && !hits.is_empty(),
        hits,
        terms,
        has_next,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: i64, accepted: bool, score: i64) -> SearchHit {
        SearchHit {
            post_id: id,
            kind: "answer".into(),
            title: format!("t{id}"),
            question_id: Some(100 + id),
            url: String::new(),
            author: String::new(),
            score,
            answer_count: 0,
            accepted,
            created_at: 0,
            relevance: 0.0,
            title_html: String::new(),
            snippet_html: String::new(),
            passage: String::new(),
            body: String::new(),
        }
    }

    #[test]
    fn fusion_rewards_agreement_between_lists() {
        let a = vec![hit(1, false, 0), hit(2, false, 0), hit(3, false, 0)];
        let b = vec![hit(3, false, 0), hit(4, false, 0)];
        let fused: Vec<i64> = fuse(vec![a, b]).iter().map(|h| h.post_id).collect();
        assert_eq!(fused, [3, 1, 2, 4]);
    }

    #[test]
    fn rerank_puts_the_hit_covering_the_query_in_either_language_first() {
        let mut english = hit(1, false, 0);
        english.passage = "Unrelated text about cooking.".into();
        english.relevance = 1.0;
        let mut chinese = hit(2, false, 0);
        chinese.passage = "每个 token 约 0.5 MB 显存。".into();
        chinese.relevance = 0.5;
        let concepts = glossary().weighted_concepts("GPU memory per token", |_| true);
        let ranked: Vec<i64> = rerank(vec![english, chinese], &concepts)
            .iter()
            .map(|h| h.post_id)
            .collect();
        assert_eq!(ranked, [2, 1]);
    }

    #[test]
    fn accepted_and_voted_answers_lead_near_ties() {
        let a = vec![hit(1, false, 0), hit(2, true, 6)];
        let fused: Vec<i64> = fuse(vec![a]).iter().map(|h| h.post_id).collect();
        assert_eq!(fused, [2, 1]);
        // A clearly better rank still wins over the prior.
        let far: Vec<SearchHit> = (1..=40).map(|i| hit(i, i == 40, 10)).collect();
        assert_eq!(fuse(vec![far])[0].post_id, 1);
    }
}
