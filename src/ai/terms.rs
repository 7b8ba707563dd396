//! Which words of a question matter and how much of them a text covers: the stop list, question
//! terms and concepts (through the glossary), and the coverage shares both the bot's passage choice
//! and the summary gate check drafts against.
use std::collections::HashSet;

use crate::search::glossary::{glossary, Concept};
use crate::search::tokenize::{index_text, query_terms};
use crate::search::SearchHit;

/// Words a question uses that say nothing about which post answers it.
const STOP: &[&str] = &[
    "the",
    "and",
    "for",
    "that",
    "this",
    "with",
    "are",
    "is",
    "was",
    "of",
    "to",
    "in",
    "on",
    "it",
    "as",
    "be",
    "by",
    "or",
    "an",
    "at",
    "from",
    "you",
    "your",
    "can",
    "not",
    "but",
    "if",
    "we",
    "how",
    "what",
    "why",
    "when",
    "which",
    "does",
    "do",
    "should",
    "much",
    "many",
    "什么",
    "怎么",
    "为什么",
    "哪个",
    "如何",
    "多少",
    "吗",
    "是",
    "的",
    "有",
    // Words every question uses: they say nothing about which post answers it.
    "use",
    "using",
    "get",
    "rather",
    "than",
    "myself",
    "一个",
    "里",
    "我",
    "你",
    "我们",
    "这个",
    "那个",
    "能",
    "会",
    "要",
    "呢",
    "了",
    "时",
    "怎样",
    "比",
    "多",
    "还是",
    "可以",
    "应该",
];

/// Whether `term` is one of the words [`question_terms`] leaves out.
pub fn question_terms_stop(term: &str) -> bool {
    STOP.contains(&term)
}

/// Question terms worth matching: words of two or more characters and every Chinese word.
pub fn question_terms(question: &str) -> Vec<String> {
    query_terms(question)
        .into_iter()
        .filter(|t| !STOP.contains(&t.as_str()))
        .filter(|t| t.chars().count() > 2 || !t.is_ascii())
        .collect()
}

/// The search tokens of `text`, for whole-token matching against question terms.
pub(super) fn tokens(text: &str) -> HashSet<String> {
    index_text(text)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// The question's concepts worth matching (through the glossary, so `显存` counts for "GPU memory"),
/// each weighted by how many of its [`question_terms`] it stands for.
pub fn question_concepts(question: &str) -> Vec<(Concept, usize)> {
    let terms = question_terms(question);
    glossary().weighted_concepts(question, |w| terms.iter().any(|t| t == w))
}

/// Share of the question's concept weight found in `text`.
pub fn concept_coverage(concepts: &[(Concept, usize)], text: &str) -> f64 {
    crate::search::glossary::coverage(concepts, &tokens(text))
}

/// Share of `terms` that occur in the hit's title or passage.
pub fn coverage(terms: &[String], hit: &SearchHit) -> f64 {
    text_coverage(terms, &format!("{} {}", hit.title, hit.passage))
}

/// Whether generated `text` is about `source`: at least two content words, half of them found in it.
/// Fluent but generic text ("You can use the following example:") is not.
pub fn on_topic(text: &str, source: &str) -> bool {
    let terms = question_terms(text);
    terms.len() >= 2 && text_coverage(&terms, source) >= 0.5
}

/// Share of `terms` that occur as whole tokens in `text`.
pub fn text_coverage(terms: &[String], text: &str) -> f64 {
    if terms.is_empty() {
        return 0.0;
    }
    let haystack = tokens(text);
    let found = terms.iter().filter(|t| haystack.contains(*t)).count();
    found as f64 / terms.len() as f64
}
