//! The bilingual technical glossary (`glossary.tsv`, English <-> Simplified Chinese, written by the
//! project) and what search does with it: a query is read as a list of concepts, each the query's
//! own words plus every other term the glossary gives for them, in both languages. Search expands
//! a query with them (the second ranked list fused with plain full text), and the answer bot counts
//! a question word as found when any of its terms is.
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use super::tokenize::index_text;

/// The glossary's text: `english|synonym<TAB>中文|同义词`, `#` lines are comments.
const GLOSSARY_TSV: &str = include_str!("glossary.tsv");

static GLOSSARY: LazyLock<Glossary> = LazyLock::new(|| Glossary::parse(GLOSSARY_TSV));

/// The glossary the forum ships.
pub fn glossary() -> &'static Glossary {
    &GLOSSARY
}

/// Concept lines, each a list of terms as search tokens.
#[derive(Debug, Default)]
pub struct Glossary {
    entries: Vec<Vec<Vec<String>>>,
    /// First token of a term -> (entry, term) pairs starting with it.
    by_first: HashMap<String, Vec<(usize, usize)>>,
}

/// One concept of a query: the query words it stands for and every term that says the same.
#[derive(Debug, Clone, PartialEq)]
pub struct Concept {
    /// The query's own tokens this concept covers.
    pub words: Vec<String>,
    /// Token sequences that express it (the words themselves first).
    pub alternatives: Vec<Vec<String>>,
}

impl Concept {
    /// Whether `tokens` (a text's search tokens) contain one of the concept's terms entirely.
    pub fn found_in(&self, tokens: &HashSet<String>) -> bool {
        self.alternatives
            .iter()
            .any(|alt| !alt.is_empty() && alt.iter().all(|t| tokens.contains(t)))
    }
}

/// Share of the concepts' weight (how many query words each stands for) found in `tokens`.
pub fn coverage(concepts: &[(Concept, usize)], tokens: &HashSet<String>) -> f64 {
    let total: usize = concepts.iter().map(|(_, w)| w).sum();
    if total == 0 {
        return 0.0;
    }
    let found: usize = concepts
        .iter()
        .filter(|(c, _)| c.found_in(tokens))
        .map(|(_, w)| w)
        .sum();
    found as f64 / total as f64
}

impl Glossary {
    /// [`Glossary::concepts`] weighted by how many of their words `keep` accepts; concepts of
    /// words it rejects only (stop words) are left out.
    pub fn weighted_concepts(
        &self,
        query: &str,
        keep: impl Fn(&str) -> bool,
    ) -> Vec<(Concept, usize)> {
        self.concepts(query)
            .into_iter()
            .filter_map(|concept| {
                let weight = concept.words.iter().filter(|w| keep(w)).count();
                (weight > 0).then_some((concept, weight))
            })
            .collect()
    }

    /// Reads the TSV text; malformed lines (no tab, an empty side) are skipped.
    pub fn parse(text: &str) -> Glossary {
        let mut glossary = Glossary::default();
        for line in text.lines() {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let Some((english, chinese)) = line.split_once('\t') else {
                continue;
            };
            let mut terms: Vec<Vec<String>> = Vec::new();
            for term in english.split('|').chain(chinese.split('|')) {
                let tokens: Vec<String> = index_text(term)
                    .split_whitespace()
                    .map(str::to_string)
                    .collect();
                if !tokens.is_empty() && !terms.contains(&tokens) {
                    terms.push(tokens);
                }
            }
            if terms.len() < 2 {
                continue;
            }
            let entry = glossary.entries.len();
            for (i, term) in terms.iter().enumerate() {
                glossary
                    .by_first
                    .entry(term[0].clone())
                    .or_default()
                    .push((entry, i));
            }
            glossary.entries.push(terms);
        }
        glossary
    }

    /// Concept lines read.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// The query's concepts in query order: the longest glossary term starting at each token
    /// claims its tokens (all entries with that term are merged); other tokens stand for themselves.
    pub fn concepts(&self, query: &str) -> Vec<Concept> {
        let tokens: Vec<String> = index_text(query)
            .split_whitespace()
            .map(str::to_string)
            .collect();
        let mut concepts: Vec<Concept> = Vec::new();
        let mut i = 0;
        while i < tokens.len() {
            let mut best_len = 0;
            let mut best_entries: Vec<usize> = Vec::new();
            for &(entry, term) in self.by_first.get(&tokens[i]).into_iter().flatten() {
                let seq = &self.entries[entry][term];
                if tokens[i..].starts_with(seq) {
                    if seq.len() > best_len {
                        best_len = seq.len();
                        best_entries.clear();
                    }
                    if seq.len() == best_len && !best_entries.contains(&entry) {
                        best_entries.push(entry);
                    }
                }
            }
            let len = best_len.max(1);
            let words: Vec<String> = tokens[i..i + len].to_vec();
            let mut alternatives = vec![words.clone()];
            for entry in best_entries {
                for term in &self.entries[entry] {
                    if !alternatives.contains(term) {
                        alternatives.push(term.clone());
                    }
                }
            }
            i += len;
            if let Some(same) = concepts.iter_mut().find(|c| c.words == words) {
                for alt in alternatives {
                    if !same.alternatives.contains(&alt) {
                        same.alternatives.push(alt);
                    }
                }
                continue;
            }
            concepts.push(Concept {
                words,
                alternatives,
            });
        }
        concepts
    }

    /// The search terms for `query` expanded by the glossary: its own terms, then every token of
    /// every other term of its concepts, without repeats.
    pub fn expanded_terms(&self, query: &str) -> Vec<String> {
        let mut terms: Vec<String> = Vec::new();
        let concepts = self.concepts(query);
        for concept in &concepts {
            for word in &concept.words {
                if !terms.contains(word) {
                    terms.push(word.clone());
                }
            }
        }
        for concept in &concepts {
            for token in concept.alternatives.iter().skip(1).flatten() {
                if !terms.contains(token) {
                    terms.push(token.clone());
                }
            }
        }
        terms
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shipped_glossary_has_a_thousand_concepts_in_both_languages() {
        let glossary = glossary();
        assert!(glossary.len() >= 1000, "{}", glossary.len());
        let zh_terms = glossary
            .entries
            .iter()
            .filter(|e| e.iter().any(|t| t.iter().any(|w| !w.is_ascii())))
            .count();
        assert!(zh_terms >= 950, "{zh_terms}");
    }

    #[test]
    fn english_phrases_expand_to_chinese_and_back() {
        let glossary = Glossary::parse("gpu memory|vram\t显存\nwarm-up|warmup\t预热\n");
        let concepts = glossary.concepts("How much GPU memory for warm-up?");
        let memory = concepts
            .iter()
            .find(|c| c.words == ["gpu", "memory"])
            .expect("the phrase is one concept");
        assert!(memory.alternatives.contains(&vec!["显存".to_string()]));
        assert!(memory.alternatives.contains(&vec!["vram".to_string()]));
        let terms = glossary.expanded_terms("显存不够");
        assert!(terms.contains(&"gpu".to_string()), "{terms:?}");
        assert!(terms.contains(&"vram".to_string()));
        assert_eq!(terms[0], "显存");
        let tokens: HashSet<String> = ["预热".to_string()].into();
        let warm = glossary.concepts("warmup");
        assert!(warm[0].found_in(&tokens));
        assert!(!glossary.concepts("cache")[0].found_in(&tokens));
    }

    #[test]
    fn malformed_lines_and_comments_are_skipped() {
        let glossary = Glossary::parse("# note\nno tab here\nonly\t\n\tonly\nkv cache\tkv 缓存\n");
        assert_eq!(glossary.len(), 1);
    }
}
