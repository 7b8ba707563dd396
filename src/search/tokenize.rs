//! Search tokens shared by indexing and querying: jieba for Chinese, code-aware for the rest.
//!
//! Both sides go through the same function, so a query term matches exactly when the
//! indexed text produced the same token. Tokens contain only lowercase letters (any
//! script), digits, `_`, `.` and `-`, and are separated by single spaces.
//!
//! Storing them: the index column holds [`index_text`]'s output verbatim, and the search
//! engine must split it on spaces only —
//! SQLite: `fts5(..., tokenize = "unicode61 remove_diacritics 0 tokenchars '_.-'")`;
//! PostgreSQL: `array_to_tsvector(string_to_array(tokens, ' '))` (not `to_tsvector`, whose
//! parser would split `torch.nn.module` again). Queries: [`fts5_query`] for `MATCH ?`,
//! [`tsquery`] for `?::tsquery`.

use crate::domain::is_cjk;
use std::collections::HashSet;
use std::sync::LazyLock;

use jieba_rs::Jieba;

static JIEBA: LazyLock<Jieba> = LazyLock::new(Jieba::new);

/// Longer "words" are hashes, base64 or minified code: noise in an index.
const MAX_TOKEN_CHARS: usize = 64;

/// The space-separated tokens to store in the full-text index, in text order (repeats kept,
/// they count towards relevance).
pub fn index_text(text: &str) -> String {
    let mut tokens = Vec::new();
    tokenize_into(text, &mut tokens);
    tokens.join(" ")
}

/// The tokens of a search query, without repeats, in query order.
pub fn query_terms(query: &str) -> Vec<String> {
    let mut tokens = Vec::new();
    tokenize_into(query, &mut tokens);
    let mut terms: Vec<String> = Vec::with_capacity(tokens.len());
    for token in tokens {
        if !terms.contains(&token) {
            terms.push(token);
        }
    }
    terms
}

/// How query terms combine.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Combine {
    /// Every term must match.
    All,
    /// Any term may match (rank decides).
    Any,
}

/// An FTS5 `MATCH` expression: each term as a quoted string, joined by `AND`/`OR`.
/// Empty when there are no terms (the caller should not search then).
pub fn fts5_query(terms: &[String], combine: Combine) -> String {
    let joiner = match combine {
        Combine::All => " AND ",
        Combine::Any => " OR ",
    };
    terms
        .iter()
        .map(|term| format!("\"{}\"", term.replace('"', "\"\"")))
        .collect::<Vec<_>>()
        .join(joiner)
}

/// A PostgreSQL tsquery literal (bind it as `$1::tsquery`): each term a quoted lexeme,
/// joined by `&`/`|`. Empty when there are no terms.
pub fn tsquery(terms: &[String], combine: Combine) -> String {
    let joiner = match combine {
        Combine::All => " & ",
        Combine::Any => " | ",
    };
    terms
        .iter()
        .map(|term| format!("'{}'", term.replace('\\', "\\\\").replace('\'', "''")))
        .collect::<Vec<_>>()
        .join(joiner)
}

/// The words [`tokens_among`] looks for, with the Chinese ones picked out once (ranking asks
/// about many passages with the same words).
pub struct Wanted<'a> {
    words: Vec<&'a str>,
    cjk: Vec<&'a str>,
}

impl<'a> Wanted<'a> {
    pub fn new(words: impl IntoIterator<Item = &'a str>) -> Self {
        let words: Vec<&str> = words.into_iter().collect();
        let cjk = words
            .iter()
            .copied()
            .filter(|w| w.chars().any(is_cjk))
            .collect();
        Self { words, cjk }
    }
}

/// The distinct tokens of `text` that `wanted` holds: [`index_text`]'s tokens, kept where
/// `wanted` has them, found without segmenting a Chinese run that contains none of the wanted
/// Chinese words (jieba's words are pieces of their run, so such a run cannot give one). Ranking
/// asks this of many passages per search, and segmenting is most of what tokenising costs.
pub fn tokens_among(text: &str, wanted: &Wanted<'_>) -> HashSet<String> {
    let mut tokens = Vec::new();
    for_each_chunk(text, |chunk, kind| {
        if kind != Kind::Cjk || wanted.cjk.iter().any(|w| chunk.contains(w)) {
            emit_chunk(chunk, kind, &mut tokens);
        }
    });
    tokens
        .into_iter()
        .filter(|t| wanted.words.contains(&t.as_str()))
        .collect()
}

/// A term's letters and digits, lowercased: what [`word_may_give`] looks for.
pub fn term_key(term: &str) -> String {
    term.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

/// Whether the code-aware `word` (one run of word characters) can give a term whose
/// [`term_key`] is among `keys` as a search token. `false` only when it certainly cannot: every
/// token of an ASCII word without `+` or `#` (nothing spelled out) is a run of the word's
/// lowercased letters and digits, so a word holding no key as such a run gives no term. Marking
/// matches asks this of every word of a title and snippet; tokenising each costs far more.
pub fn word_may_give(word: &str, keys: &[String]) -> bool {
    if !word.is_ascii() || word.contains(['+', '#']) {
        return true;
    }
    let letters: String = word
        .chars()
        .filter(char::is_ascii_alphanumeric)
        .map(|c| c.to_ascii_lowercase())
        .collect();
    keys.iter()
        .any(|key| !key.is_empty() && letters.contains(key.as_str()))
}

fn tokenize_into(text: &str, tokens: &mut Vec<String>) {
    for_each_chunk(text, |chunk, kind| emit_chunk(chunk, kind, tokens));
}

/// Splits `text` into runs of one [`Kind`], in order.
fn for_each_chunk(text: &str, mut emit: impl FnMut(&str, Kind)) {
    let mut chunk_start = 0;
    let mut chunk_kind = Kind::Gap;
    for (index, c) in text.char_indices() {
        let kind = Kind::of(c);
        if kind != chunk_kind {
            emit(&text[chunk_start..index], chunk_kind);
            chunk_start = index;
            chunk_kind = kind;
        }
    }
    emit(&text[chunk_start..], chunk_kind);
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    /// Han, kana, hangul: segmented by jieba.
    Cjk,
    /// Letters, digits and the punctuation that holds identifiers together.
    Word,
    /// Everything else separates tokens.
    Gap,
}

impl Kind {
    fn of(c: char) -> Kind {
        if is_cjk(c) {
            Kind::Cjk
        } else if c.is_alphanumeric() || matches!(c, '_' | '.' | '-' | '+' | '#' | ':' | '/') {
            Kind::Word
        } else {
            Kind::Gap
        }
    }
}

fn emit_chunk(chunk: &str, kind: Kind, tokens: &mut Vec<String>) {
    match kind {
        Kind::Cjk => {
            for word in JIEBA.cut_for_search(chunk, true) {
                push_token(tokens, word.to_lowercase());
            }
        }
        Kind::Word => word_tokens(chunk, tokens),
        Kind::Gap => {}
    }
}

/// One code-aware word (`torch.nn.Module`, `c++`, `gpt-2`, `snake_case`, `camelCase`):
/// the whole word, a joined form when it contains hyphens, then its parts.
fn word_tokens(word: &str, tokens: &mut Vec<String>) {
    let parts = split_parts(word);
    if parts.is_empty() {
        return;
    }
    let whole = whole_form(word);
    let pushed_whole = parts.len() > 1 || parts.first() != Some(&whole);
    if pushed_whole {
        push_token(tokens, whole.clone());
        if whole.contains('-') {
            push_token(tokens, whole.replace(['-', '.'], ""));
        }
    }
    for part in parts {
        if !(pushed_whole && part == whole) {
            push_token(tokens, part);
        }
    }
}

/// The lowercase word with `++`/`#` spelled out, `:` and `/` read as `.`, and separators
/// trimmed from the ends (sentence full stops, `--flags`, `#hashtags`).
fn whole_form(word: &str) -> String {
    let spelled = spell_symbols(word);
    let mut whole = String::with_capacity(spelled.len());
    for c in spelled.chars().flat_map(char::to_lowercase) {
        let c = if matches!(c, ':' | '/') { '.' } else { c };
        let is_sep = matches!(c, '.' | '-' | '_');
        if is_sep && whole.ends_with(['.', '-', '_']) {
            continue;
        }
        if c.is_alphanumeric() || is_sep {
            whole.push(c);
        }
    }
    whole.trim_matches(['.', '-', '_']).to_owned()
}

/// `c++` -> `cpp`, `c#` -> `csharp`, `g++` -> `gpp`: a trailing `++`/`#` right after a
/// letter is part of the name; anywhere else `+` and `#` are separators.
fn spell_symbols(word: &str) -> String {
    let mut out = String::with_capacity(word.len() + 8);
    let mut chars = word.chars().peekable();
    while let Some(c) = chars.next() {
        let after_letter = out.chars().last().is_some_and(char::is_alphabetic);
        match c {
            '+' if after_letter && chars.peek() == Some(&'+') => {
                chars.next();
                out.push_str("pp");
                // `c++17`: keep the version as its own part.
                if chars.peek().is_some_and(char::is_ascii_digit) {
                    out.push('-');
                }
            }
            '#' if after_letter => out.push_str("sharp"),
            '+' | '#' => out.push(' '),
            _ => out.push(c),
        }
    }
    out
}

/// Parts of a word: split on separators and at camelCase boundaries, lowercased.
fn split_parts(word: &str) -> Vec<String> {
    let spelled = spell_symbols(word);
    let mut parts = Vec::new();
    for piece in spelled.split(|c: char| !c.is_alphanumeric()) {
        split_camel(piece, &mut parts);
    }
    parts
}

/// `HTTPServer` -> `http`, `server`; `camelCaseName` -> `camel`, `case`, `name`; digits stay
/// with the letters before them (`gpt2Model` -> `gpt2`, `model`).
fn split_camel(piece: &str, parts: &mut Vec<String>) {
    let chars: Vec<char> = piece.chars().collect();
    let mut start = 0;
    for i in 1..chars.len() {
        let (prev, cur) = (chars[i - 1], chars[i]);
        let next_lower = chars.get(i + 1).is_some_and(|c| c.is_lowercase());
        let boundary = cur.is_uppercase()
            && (prev.is_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_uppercase() && next_lower));
        if boundary {
            parts.push(lowercase(&chars[start..i]));
            start = i;
        }
    }
    if start < chars.len() {
        parts.push(lowercase(&chars[start..]));
    }
}

/// Lowercasing can add combining marks (`İ` -> `i̇`); those are dropped.
fn lowercase(chars: &[char]) -> String {
    chars
        .iter()
        .flat_map(|c| c.to_lowercase())
        .filter(|c| c.is_alphanumeric())
        .collect()
}

fn push_token(tokens: &mut Vec<String>, token: String) {
    let valid = !token.is_empty()
        && token.chars().count() <= MAX_TOKEN_CHARS
        && token
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && token.chars().any(char::is_alphanumeric);
    if valid {
        tokens.push(token);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(text: &str) -> Vec<String> {
        query_terms(text)
    }

    #[test]
    fn dotted_identifier_indexes_whole_and_parts() {
        assert_eq!(
            terms("torch.nn.Module"),
            vec!["torch.nn.module", "torch", "nn", "module"]
        );
    }

    #[test]
    fn language_names_with_symbols_are_spelled_out() {
        assert_eq!(terms("c++"), vec!["cpp"]);
        assert_eq!(terms("C#"), vec!["csharp"]);
        assert_eq!(terms("c++17"), vec!["cpp-17", "cpp17", "cpp", "17"]);
        assert_eq!(terms("a + b"), vec!["a", "b"]);
        assert_eq!(terms("#include"), vec!["include"]);
    }

    #[test]
    fn hyphenated_model_names_match_with_or_without_hyphen() {
        let indexed = index_text("fine-tuning GPT-2 today");
        for term in [
            "gpt-2",
            "gpt2",
            "gpt",
            "fine-tuning",
            "finetuning",
            "tuning",
        ] {
            assert!(indexed.split(' ').any(|t| t == term), "{term} in {indexed}");
        }
        assert!(terms("gpt2")
            .iter()
            .all(|t| indexed.split(' ').any(|i| i == t)));
    }

    #[test]
    fn snake_and_camel_case_split_into_parts() {
        assert_eq!(
            terms("snake_case_name"),
            vec!["snake_case_name", "snake", "case", "name"]
        );
        assert_eq!(
            terms("HTTPServer camelCaseName"),
            vec![
                "httpserver",
                "http",
                "server",
                "camelcasename",
                "camel",
                "case",
                "name"
            ]
        );
    }

    #[test]
    fn chinese_is_segmented_in_search_mode() {
        let tokens = terms("我来到北京清华大学");
        for expected in ["北京", "清华", "大学", "清华大学"] {
            assert!(
                tokens.iter().any(|t| t == expected),
                "{expected} in {tokens:?}"
            );
        }
    }

    #[test]
    fn mixed_text_keeps_both_scripts_and_drops_punctuation() {
        let tokens = terms("用PyTorch训练GPT-2模型，速度很快！(真的)");
        for expected in ["pytorch", "训练", "gpt-2", "gpt2", "模型", "速度", "真的"] {
            assert!(
                tokens.iter().any(|t| t == expected),
                "{expected} in {tokens:?}"
            );
        }
        assert!(tokens.iter().all(|t| !t.contains(['，', '！', '(', ')'])));
    }

    #[test]
    fn trailing_full_stops_and_urls_are_tidied() {
        assert_eq!(terms("end."), vec!["end"]);
        assert_eq!(
            terms("see https://example.com/a"),
            vec!["see", "https.example.com.a", "https", "example", "com", "a"]
        );
    }

    #[test]
    fn tokens_are_safe_to_quote() {
        let nasty = "\"x\" OR '1'='1' -- ; DROP NEAR(a b) * ^ : \\ 'it''s' \u{0}";
        for token in terms(nasty) {
            assert!(
                token
                    .chars()
                    .all(|c| c.is_alphanumeric() || matches!(c, '_' | '.' | '-')),
                "{token}"
            );
        }
        let quoted = vec!["it's".to_owned(), "a\"b".to_owned()];
        assert_eq!(fts5_query(&quoted, Combine::All), "\"it's\" AND \"a\"\"b\"");
        assert_eq!(tsquery(&quoted, Combine::Any), "'it''s' | 'a\"b'");
    }

    #[test]
    fn tokens_among_finds_what_the_index_would_hold_of_the_wanted_words() {
        let texts = [
            "用PyTorch训练GPT-2模型，显存占用很高。Attention 的序列长度 grows.",
            "我来到北京清华大学, torch.nn.Module and c++17",
            "没有想要的词 only english words here",
            "",
        ];
        let wanted = [
            "训练",
            "gpt2",
            "显存",
            "清华大学",
            "大学",
            "torch.nn.module",
            "cpp",
            "序列",
            "长度",
            "attention",
            "missing",
            "缺席",
        ];
        let prepared = Wanted::new(wanted);
        for text in texts {
            let indexed: HashSet<String> = index_text(text)
                .split(' ')
                .filter(|t| wanted.contains(t))
                .map(str::to_string)
                .collect();
            assert_eq!(tokens_among(text, &prepared), indexed, "{text}");
        }
        assert!(tokens_among("显存", &Wanted::new([])).is_empty());
    }

    #[test]
    fn a_word_ruled_out_by_its_letters_gives_none_of_the_terms() {
        let words = [
            "torch.nn.Module",
            "HTTPServer",
            "camelCaseName",
            "GPT-2",
            "fine-tuning",
            "c++17",
            "C#",
            "snake_case_name",
            "https://example.com/a",
            "end.",
            "--flags",
            "gpt2Model",
            "Ärger",
            "x",
        ];
        let terms = [
            "module",
            "server",
            "case",
            "gpt2",
            "finetuning",
            "cpp",
            "csharp",
            "snake_case_name",
            "example",
            "end",
            "flags",
            "model",
            "ärger",
            "torch.nn",
            "y",
            "nothing",
        ];
        for word in words {
            for term in terms {
                let gives = query_terms(word).iter().any(|t| t == term);
                let keys = vec![term_key(term)];
                assert!(!gives || word_may_give(word, &keys), "{word} gives {term}");
            }
        }
        assert!(!word_may_give("attention", &[term_key("gpt2")]));
        assert!(!word_may_give("attention", &[]));
    }

    #[test]
    fn empty_and_symbol_only_input_gives_no_terms() {
        assert!(terms("").is_empty());
        assert!(terms("!!! ... --- +++ ###").is_empty());
        assert_eq!(index_text("   "), "");
    }
}
