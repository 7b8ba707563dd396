//! The answer bot's pure steps: choosing passages from search hits (or abstaining), building a
//! prompt that fits the model's context, a grounded answer made of sentences from those passages,
//! and the citation check every answer passes before anyone sees it.
use regex::Regex;
use std::sync::LazyLock;

use super::draft::{Draft, DraftEnd};
use super::terms::{concept_coverage, on_topic, question_concepts, tokens};
use crate::render::cjk_sentences;
use crate::search::glossary::Concept;
use crate::search::SearchHit;

/// A passage after the first is kept only when it scores at least this share of the first's.
pub const RELATIVE_SCORE: f64 = 0.75;
/// Passages an answer may use.
pub const MAX_PASSAGES: usize = 3;
/// A passage must contain at least this share of the question's terms (title included).
pub const MIN_COVERAGE: f64 = 0.5;
/// Characters of each passage put into the prompt and shown under the answer.
pub const PASSAGE_PROMPT_CHARS: usize = 420;

/// A retrieved passage, numbered as the answer cites it (`[1]`, `[2]`…).
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct Passage {
    pub n: usize,
    pub post_id: i64,
    /// The post a citation points at: an answer's question for answers.
    pub thread_id: i64,
    pub kind: String,
    pub title: String,
    pub url: String,
    pub text: String,
    pub accepted: bool,
}

/// A thread's key: (is a resource, thread id) — resource ids and post ids are separate sequences.
type Thread = (bool, i64);

/// The thread a hit belongs to.
fn thread_of(hit: &SearchHit) -> Thread {
    (
        hit.kind == "resource",
        hit.question_id.unwrap_or(hit.post_id),
    )
}

/// The passages to answer from, best first and one per thread; empty means "abstain".
///
/// Hits are grouped by thread: the thread's title, question and answers together must cover
/// [`MIN_COVERAGE`] of the question (glossary terms count for the words they translate), but the
/// passage quoted is an article, a listed resource or an answer — the accepted one first, then the
/// best voted — never the question's own body, which asks rather than tells.
pub fn choose_passages(question: &str, hits: &[SearchHit]) -> Vec<Passage> {
    let concepts = question_concepts(question);
    let mut threads: Vec<(Thread, Vec<(usize, &SearchHit)>)> = Vec::new();
    for (rank, hit) in hits.iter().enumerate() {
        let thread = thread_of(hit);
        match threads.iter_mut().find(|(t, _)| *t == thread) {
            Some((_, group)) => group.push((rank, hit)),
            None => threads.push((thread, vec![(rank, hit)])),
        }
    }
    let mut scored: Vec<(f64, usize, &SearchHit, Thread)> = threads
        .iter()
        .filter_map(|(thread, group)| {
            let rank = group.iter().map(|(r, _)| *r).min().unwrap_or(0);
            let context: Vec<String> = group
                .iter()
                .map(|(_, h)| format!("{} {}", h.title, h.passage))
                .collect();
            let cover = concept_coverage(&concepts, &context.join(" "));
            let best = group
                .iter()
                .filter(|(_, h)| h.kind != "question")
                .min_by_key(|(r, h)| (!h.accepted, std::cmp::Reverse(h.score), *r))?
                .1;
            // Relevance order breaks ties; accepted answers and articles get a small lead.
            let lead = if best.accepted || best.kind == "article" {
                0.05
            } else {
                0.0
            };
            let score = cover + lead - rank.min(40) as f64 * 0.01;
            (cover >= MIN_COVERAGE && score > 0.0).then_some((score, rank, best, *thread))
        })
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0).then(a.1.cmp(&b.1)));
    // Later passages must be nearly as good as the first: a weak second source is noise.
    let best = scored.first().map_or(0.0, |s| s.0);
    scored
        .into_iter()
        .filter(|s| s.0 >= best * RELATIVE_SCORE)
        .take(MAX_PASSAGES)
        .enumerate()
        .map(|(i, (_, _, hit, thread))| Passage {
            n: i + 1,
            post_id: hit.post_id,
            thread_id: thread.1,
            kind: hit.kind.clone(),
            title: hit.title.clone(),
            url: hit.url.clone(),
            text: cut_chars(&hit.passage, PASSAGE_PROMPT_CHARS),
            accepted: hit.accepted,
        })
        .collect()
}

fn cut_chars(text: &str, max: usize) -> String {
    let text = text.trim();
    match text.char_indices().nth(max) {
        Some((end, _)) => format!("{}…", &text[..end]),
        None => text.to_string(),
    }
}

/// A rough token count for budgeting the prompt (Chinese characters cost about one token each,
/// other text about one per four bytes); the engine still cuts from the left if it is over.
pub fn estimate_tokens(text: &str) -> usize {
    let (wide, narrow) = text.chars().fold((0usize, 0usize), |(w, n), c| {
        if c.is_ascii() {
            (w, n + 1)
        } else {
            (w + 1, n)
        }
    });
    wide + narrow.div_ceil(3)
}

/// The prompt: numbered sources, then the question and the answer cue. Passages are shortened
/// until the whole fits in `budget_tokens`.
pub fn build_prompt(question: &str, passages: &[Passage], budget_tokens: usize) -> String {
    let mut limit = PASSAGE_PROMPT_CHARS;
    loop {
        let mut prompt = String::from("Forum posts:\n");
        for p in passages {
            prompt.push_str(&format!(
                "[{}] {}: {}\n",
                p.n,
                p.title,
                cut_chars(&p.text, limit)
            ));
        }
        prompt.push_str(&format!(
            "\nQuestion: {}\nAnswer (cite posts as [n]):",
            question.trim()
        ));
        if estimate_tokens(&prompt) <= budget_tokens || limit <= 40 {
            return prompt;
        }
        limit = limit * 3 / 4;
    }
}

/// The grounded part of an answer: from each passage, the sentence that shares most terms with
/// the question, followed by its citation.
pub fn grounded_answer(question: &str, passages: &[Passage]) -> String {
    let concepts = question_concepts(question);
    let mut lines = Vec::new();
    for p in passages {
        // Prose sentences only (no headings, formulas or code run together by the snippet),
        // unless the passage has none.
        let all = cjk_sentences(&p.text);
        let prose: Vec<&str> = all
            .iter()
            .copied()
            .filter(|s| super::summarize::is_quotable(s))
            .collect();
        let candidates = if prose.is_empty() { all } else { prose };
        let mut scored: Vec<(usize, usize, &str)> = candidates
            .into_iter()
            .enumerate()
            .map(|(i, s)| {
                let words = tokens(s);
                let hits: usize = concepts
                    .iter()
                    .filter(|(c, _)| c.found_in(&words))
                    .map(|(_, w)| w)
                    .sum();
                (hits, i, s)
            })
            .filter(|(hits, _, _)| *hits > 0)
            .collect();
        // The best matching sentences (shorter first on a tie), then back in the passage's order.
        scored.sort_by_key(|(hits, _, s)| (std::cmp::Reverse(*hits), s.len()));
        scored.truncate(SENTENCES_PER_PASSAGE);
        scored.sort_by_key(|(_, i, _)| *i);
        if scored.is_empty() {
            continue;
        }
        let quoted: Vec<&str> = scored
            .iter()
            .map(|(_, _, s)| s.trim().trim_end_matches('…'))
            .collect();
        lines.push(format!("- {} [{}]", quoted.join(" "), p.n));
    }
    lines.join("\n")
}

/// Generated sentences kept in an answer, at most.
pub const MAX_GENERATED_SENTENCES: usize = 2;

/// The model's sentences that may be shown, each ending with the citation of the passage it drew
/// on. A sentence is kept when it passes the quality gate, is about the question, and every
/// content word is in the passage it cites ([`super::summarize::faithful`]); a sentence that
/// cites a passage it did not draw on is dropped, and one without a citation gets the first
/// passage it did draw on (or is dropped when there is none).
pub fn checked_sentences(question: &str, generated: &str, passages: &[Passage]) -> Vec<String> {
    let concepts = question_concepts(question);
    let mut kept = Vec::new();
    for raw in cjk_sentences(generated) {
        let citations = cited(raw);
        let Some(plain) = says_something_on(&concepts, raw) else {
            continue;
        };
        let sources: Vec<&Passage> = if citations.is_empty() {
            passages
                .iter()
                .filter(|p| draws_on(&plain, p))
                .take(1)
                .collect()
        } else {
            let cited_passages: Vec<&Passage> = passages
                .iter()
                .filter(|p| citations.contains(&p.n))
                .collect();
            let all_drawn = cited_passages.len() == citations.len()
                && cited_passages.iter().all(|p| draws_on(&plain, p));
            if all_drawn {
                cited_passages
            } else {
                Vec::new()
            }
        };
        if sources.is_empty() {
            continue;
        }
        let marks: Vec<String> = sources.iter().map(|p| format!("[{}]", p.n)).collect();
        kept.push(format!("{} {}", plain, marks.join("")));
        if kept.len() == MAX_GENERATED_SENTENCES {
            break;
        }
    }
    kept
}

/// The sentence kept from a beam search's drafts (best score first), drafted per passage:
/// `numbers[i]` is the passage draft source `i` drew from. The first draft that is one finished
/// sentence passing the checks of [`checked_sentences`] against that very passage is kept, cited
/// as that passage (a draft citing any other passage inline is dropped), with its index.
pub fn drafted_sentence(
    question: &str,
    drafts: &[Draft],
    numbers: &[usize],
    passages: &[Passage],
) -> Option<(String, usize)> {
    let concepts = question_concepts(question);
    drafts.iter().enumerate().find_map(|(index, draft)| {
        let n = *numbers.get(draft.source)?;
        let passage = passages.iter().find(|p| p.n == n)?;
        if draft.end == DraftEnd::Length || cited(&draft.text).iter().any(|c| *c != n) {
            return None;
        }
        let plain = says_something_on(&concepts, &draft.text)?;
        draws_on(&plain, passage).then(|| (format!("{plain} [{n}]"), index))
    })
}

/// Whether every content word of `sentence` is in the passage (title included) and the sentence
/// is about it.
fn draws_on(sentence: &str, passage: &Passage) -> bool {
    let source = format!("{} {}", passage.title, passage.text);
    super::summarize::faithful(sentence, &source)
        && on_topic(sentence, &source)
        && super::summarize::reads_as_source_phrases(sentence, &source).is_ok()
}

/// `raw` without its citations, when it is one finished sentence that passes the quality gate,
/// says something and touches the question.
fn says_something_on(concepts: &[(Concept, usize)], raw: &str) -> Option<String> {
    let plain = CITATION
        .replace_all(raw, "")
        .replace(" .", ".")
        .replace(" ,", ",")
        .trim()
        .to_string();
    let plain = super::summarize::quality_gate(&plain).ok()?;
    let finished = super::summarize::finished_sentences(&plain).is_ok_and(|f| f == plain);
    if !finished || !super::summarize::says_something(&plain) {
        return None;
    }
    (concept_coverage(concepts, &plain) > 0.0).then_some(plain)
}

/// Sentences quoted from each passage.
pub const SENTENCES_PER_PASSAGE: usize = 2;

static CITATION: LazyLock<Regex> = LazyLock::new(|| Regex::new(r"\[(\d{1,3})\]").expect("regex"));

/// Keeps only citations `[n]` whose `n` is in `allowed`; returns the text and how many were removed.
pub fn check_citations(text: &str, allowed: &[usize]) -> (String, usize) {
    let mut removed = 0;
    let kept = CITATION.replace_all(text, |caps: &regex::Captures<'_>| {
        let n: usize = caps[1].parse().unwrap_or(0);
        if allowed.contains(&n) {
            caps[0].to_string()
        } else {
            removed += 1;
            String::new()
        }
    });
    (kept.into_owned(), removed)
}

/// Turns each citation `[n]` into a Markdown link to `url_of(n)` (left as text where there is none).
pub fn link_citations(text: &str, url_of: impl Fn(usize) -> Option<String>) -> String {
    CITATION
        .replace_all(text, |caps: &regex::Captures<'_>| {
            let n: usize = caps[1].parse().unwrap_or(0);
            match url_of(n) {
                Some(url) => format!("[\\[{n}\\]]({url})"),
                None => caps[0].to_string(),
            }
        })
        .into_owned()
}

/// The citation numbers an answer uses, in order of first use.
pub fn cited(text: &str) -> Vec<usize> {
    let mut seen = Vec::new();
    for caps in CITATION.captures_iter(text) {
        if let Ok(n) = caps[1].parse::<usize>() {
            if !seen.contains(&n) {
                seen.push(n);
            }
        }
    }
    seen
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hit(id: i64, title: &str, passage: &str) -> SearchHit {
        SearchHit {
            post_id: id,
            kind: "article".into(),
            title: title.into(),
            question_id: None,
            url: format!("/articles/{id}/x"),
            author: "a".into(),
            score: 0,
            answer_count: 0,
            accepted: false,
            created_at: 0,
            relevance: 1.0,
            title_html: String::new(),
            snippet_html: String::new(),
            passage: passage.into(),
            body: String::new(),
        }
    }

    #[test]
    fn passages_need_coverage_and_one_per_thread() {
        let hits = vec![
            hit(
                1,
                "LoRA in practice",
                "The LoRA update is scaled by alpha over rank.",
            ),
            hit(2, "Unrelated", "Cooking pasta takes ten minutes."),
            hit(
                3,
                "LoRA ranks",
                "LoRA rank and alpha decide how the update is scaled.",
            ),
        ];
        let chosen = choose_passages("How is the LoRA update scaled?", &hits);
        assert_eq!(
            chosen.iter().map(|p| p.post_id).collect::<Vec<_>>(),
            vec![1, 3]
        );
        assert_eq!(chosen[0].n, 1);
        assert_eq!(chosen[1].n, 2);
        assert!(choose_passages("How do I bake bread?", &hits).is_empty());
        let mut unanswered = hit(4, "LoRA update scaled?", "How is the LoRA update scaled?");
        unanswered.kind = "question".into();
        assert!(
            choose_passages("How is the LoRA update scaled?", &[unanswered.clone()]).is_empty()
        );
        unanswered.answer_count = 1;
        assert!(
            choose_passages("How is the LoRA update scaled?", &[unanswered.clone()]).is_empty(),
            "a question's own body is never the answer"
        );
        let mut answer = hit(5, "LoRA update scaled?", "Multiply it by alpha / r.");
        answer.kind = "answer".into();
        answer.question_id = Some(4);
        let mut voted = answer.clone();
        voted.post_id = 6;
        voted.score = 3;
        let mut accepted = answer.clone();
        accepted.post_id = 7;
        accepted.accepted = true;
        let chosen = choose_passages(
            "How is the LoRA update scaled?",
            &[unanswered, answer, voted.clone(), accepted],
        );
        assert_eq!(chosen.len(), 1, "one passage per thread");
        assert_eq!((chosen[0].post_id, chosen[0].thread_id), (7, 4));
        let mut hits = vec![voted];
        hits.push(hit(8, "Other", "LoRA updates are scaled."));
        assert_eq!(
            choose_passages("How is the LoRA update scaled?", &hits)[0].post_id,
            6
        );
    }

    #[test]
    fn a_question_in_one_language_finds_a_passage_in_the_other() {
        let hits = vec![hit(
            1,
            "KV cache 原理",
            "以 7B 模型为例，fp16 下每个 token 约 0.5 MB 显存。",
        )];
        let chosen = choose_passages(
            "How much GPU memory does the KV cache take per token?",
            &hits,
        );
        assert_eq!(chosen.len(), 1);
        let answer = grounded_answer(
            "How much GPU memory does the KV cache take per token?",
            &chosen,
        );
        assert!(answer.contains("0.5 MB"), "{answer}");
        assert!(choose_passages("How do I train a diffusion model?", &hits).is_empty());
    }

    /// Passage 1 answers the LoRA question; passage 2 is about something else.
    fn lora_and_warm_up() -> Vec<Passage> {
        let passage = |n: usize, title: &str, text: &str| Passage {
            n,
            post_id: n as i64,
            thread_id: n as i64,
            kind: "article".into(),
            title: title.into(),
            url: String::new(),
            text: text.into(),
            accepted: false,
        };
        vec![
            passage(
                1,
                "LoRA",
                "The LoRA update is scaled by alpha over the rank r.",
            ),
            passage(
                2,
                "Warm-up",
                "Warm-up raises the learning rate linearly from zero.",
            ),
        ]
    }

    #[test]
    fn generated_sentences_are_kept_only_citing_the_passage_they_drew_on() {
        let passages = lora_and_warm_up();
        let q = "How is the LoRA update scaled?";
        assert_eq!(
            checked_sentences(
                q,
                "The LoRA update is scaled by alpha over r [1].",
                &passages
            ),
            vec!["The LoRA update is scaled by alpha over r. [1]".to_string()]
        );
        assert!(
            checked_sentences(
                q,
                "The LoRA update is scaled by alpha over r [2].",
                &passages
            )
            .is_empty(),
            "cites a passage it did not draw on"
        );
        assert_eq!(
            checked_sentences(q, "The LoRA update is scaled by the rank.", &passages),
            vec!["The LoRA update is scaled by the rank. [1]".to_string()],
            "an uncited sentence gets the passage it drew on"
        );
        assert!(
            checked_sentences(q, "The LoRA update is scaled by bananas.", &passages).is_empty()
        );
        assert!(checked_sentences(q, "[1] [2] of of", &passages).is_empty());
    }

    #[test]
    fn a_drafted_sentence_cites_the_passage_it_was_drafted_from_or_is_dropped() {
        let passages = lora_and_warm_up();
        let draft = |source: usize, text: &str, end: DraftEnd| Draft {
            source,
            text: text.into(),
            tokens: vec![1, 2, 3, 4, 5],
            log_prob: -5.0,
            end_log_prob: -1.0,
            score: -1.0,
            copied_tokens: 5,
            end,
        };
        let q = "How is the LoRA update scaled?";
        let numbers = [1, 2];
        let drafts = vec![
            // Drawn from passage 1 but drafted for passage 2: never cited as 2.
            draft(
                1,
                " The LoRA update is scaled by alpha.",
                DraftEnd::Sentence,
            ),
            draft(0, " The LoRA update is scaled by alpha", DraftEnd::Length),
            draft(
                0,
                " The LoRA update is scaled by alpha [2].",
                DraftEnd::Sentence,
            ),
            draft(
                0,
                " The LoRA update is scaled by the rank r.",
                DraftEnd::Sentence,
            ),
        ];
        assert_eq!(
            drafted_sentence(q, &drafts, &numbers, &passages),
            Some((
                "The LoRA update is scaled by the rank r. [1]".to_string(),
                3
            ))
        );
        assert_eq!(drafted_sentence(q, &drafts[..3], &numbers, &passages), None);
        assert_eq!(
            drafted_sentence(q, &drafts, &numbers, &passages[1..]),
            None,
            "passage 1 is no longer visible"
        );
    }

    #[test]
    fn citations_outside_the_retrieved_set_are_removed() {
        let (text, removed) = check_citations("A [1] and B [4] and C [2][9].", &[1, 2]);
        assert_eq!(text, "A [1] and B  and C [2].");
        assert_eq!(removed, 2);
        assert_eq!(cited("x [2] y [1] z [2]"), vec![2, 1]);
        let linked = link_citations("A [1] B [3]", |n| (n == 1).then(|| "/articles/1/a".into()));
        assert_eq!(linked, "A [\\[1\\]](/articles/1/a) B [3]");
    }

    #[test]
    fn prompt_fits_the_budget_and_ends_with_the_question() {
        let long = "attention ".repeat(300);
        let passages: Vec<Passage> = (1..=3)
            .map(|n| Passage {
                n,
                post_id: n as i64,
                thread_id: n as i64,
                kind: "article".into(),
                title: format!("Post {n}"),
                url: String::new(),
                text: long.clone(),
                accepted: false,
            })
            .collect();
        let prompt = build_prompt("What is attention?", &passages, 380);
        assert!(
            estimate_tokens(&prompt) <= 380,
            "{}",
            estimate_tokens(&prompt)
        );
        assert!(prompt.contains("[3] Post 3"));
        assert!(prompt.ends_with("Answer (cite posts as [n]):"));
    }

    #[test]
    fn grounded_answer_quotes_matching_sentences_with_citations() {
        let passages = vec![Passage {
            n: 1,
            post_id: 1,
            thread_id: 1,
            kind: "article".into(),
            title: "LoRA".into(),
            url: String::new(),
            text: "LoRA adds two small matrices. The update is scaled by alpha / r. Cats sleep."
                .into(),
            accepted: false,
        }];
        let answer = grounded_answer("How is the LoRA update scaled?", &passages);
        assert_eq!(
            answer,
            "- LoRA adds two small matrices. The update is scaled by alpha / r. [1]"
        );
    }

    #[test]
    fn generated_text_is_on_topic_only_when_its_content_words_are_in_the_source() {
        let source = "How is the LoRA update scaled? The update is scaled by alpha / r.";
        assert!(on_topic("The LoRA update is scaled by alpha.", source));
        assert!(!on_topic("You can use the following example:", source));
        assert!(!on_topic("The compiler checks every crate twice.", source));
        assert!(!on_topic("LoRA", source), "one content word is not enough");
    }
}
