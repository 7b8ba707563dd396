//! Summaries that cannot invent facts: an extractive core chosen from the post's own sentences
//! (each with its place in the post), a prompt for a generated TL;DR draft, and the quality gate
//! generated text must pass before anyone sees it. Pure functions; the job that feeds them from the
//! database lives in `services::summaries`.
use std::collections::{HashMap, HashSet};
use std::time::Duration;

use sha2::{Digest, Sha256};

use super::draft::{BeamSearch, Draft, DraftEnd, DraftSource};
use super::{GenerateRequest, SamplingParams};

use crate::domain::is_cjk;
use crate::render::cjk_sentences;
use crate::search::tokenize::index_text;

/// Sentences in the extractive core (fewer when the post is short).
pub const EXTRACTIVE_SENTENCES: usize = 3;
/// Longest sentence considered, in characters (longer ones are usually code or tables).
const MAX_SENTENCE_CHARS: usize = 320;

/// One sentence of the post, with its byte offset in the post's plain text.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Sentence {
    pub text: String,
    pub at: usize,
}

/// The hash that decides whether a post must be summarised again: title and Markdown source.
pub fn source_hash(title: &str, body_md: &str) -> String {
    let mut hasher = Sha256::new();
    hasher.update(title.as_bytes());
    hasher.update([0]);
    hasher.update(body_md.as_bytes());
    hex::encode(hasher.finalize())
}

/// The post's prose sentences (Chinese and Western punctuation), code-like lines left out.
pub fn sentences(text: &str) -> Vec<Sentence> {
    cjk_sentences(text)
        .into_iter()
        .filter(|s| is_prose(s))
        .map(|s| Sentence {
            text: s.to_string(),
            at: s.as_ptr() as usize - text.as_ptr() as usize,
        })
        .collect()
}

/// A sentence fit to quote as evidence: prose that ends like a sentence (see [`key_candidates`]).
pub fn is_quotable(sentence: &str) -> bool {
    is_prose(sentence) && is_key_sentence(sentence) && !sentence.contains('\\')
}

fn is_prose(sentence: &str) -> bool {
    let chars = sentence.chars().count();
    if chars > MAX_SENTENCE_CHARS {
        return false;
    }
    let cjk = sentence.chars().filter(|c| is_cjk(*c)).count();
    let letters = sentence.chars().filter(|c| c.is_alphabetic()).count();
    let words = sentence.split_whitespace().count();
    let long_enough = cjk >= 8 || words >= 5;
    // Code, formulas and tables are mostly symbols and digits.
    long_enough && letters * 10 >= chars * 6
}

/// Sentences that may be key sentences: prose that ends like a sentence. Headings, table-of-contents
/// lines ("总结：未来发展趋势与挑战：总结…"), link lists and list-item stubs end without a full stop,
/// trail off, chain title fragments with colons or are mostly addresses.
pub fn key_candidates(text: &str) -> Vec<Sentence> {
    sentences(text)
        .into_iter()
        .filter(|s| is_key_sentence(&s.text))
        .collect()
}

fn is_key_sentence(sentence: &str) -> bool {
    let s = sentence.trim();
    let Some(last) = s.chars().last() else {
        return false;
    };
    // A finished sentence ends with a full stop, question or exclamation mark (or a closing quote
    // after one); "…" and "..." are a contents line or a cut, a colon introduces a list.
    let body = s.trim_end_matches(['”', '’', '」', '』', '）', ')', '"', '\'', '》', '】']);
    let ends = body
        .chars()
        .last()
        .is_some_and(|c| matches!(c, '。' | '！' | '？' | '!' | '?' | '.' | '；' | ';'));
    if !ends || body.ends_with("...") || last == '…' {
        return false;
    }
    // Title fragments chained by colons: "附录：常见问题与解答：…".
    let colons = s.matches(['：', ':']).count();
    if colons >= 2 {
        let pieces: Vec<&str> = s.split(['：', ':']).collect();
        if pieces.iter().all(|p| p.trim().chars().count() <= 24) {
            return false;
        }
    }
    // Link lists: mostly addresses.
    let link_chars: usize = s
        .split_whitespace()
        .filter(|w| w.contains("://") || w.starts_with("www."))
        .map(|w| w.chars().count())
        .sum();
    if link_chars * 3 >= s.chars().count() {
        return false;
    }
    // Numbered section titles ("3.2 召回策略."), and stubs too short to say anything.
    let numbered = s
        .split_whitespace()
        .next()
        .is_some_and(|w| w.contains('.') && w.chars().all(|c| c.is_ascii_digit() || c == '.'));
    let cjk = s.chars().filter(|c| is_cjk(*c)).count();
    let words = s.split_whitespace().count();
    !(numbered && s.chars().count() <= 30) && (cjk >= 10 || words >= 5)
}

fn terms(text: &str) -> HashSet<String> {
    index_text(text)
        .split_whitespace()
        .filter(|t| t.chars().count() > 1 || t.chars().any(is_cjk))
        .filter(|t| !STOP_WORDS.contains(t))
        .map(str::to_string)
        .collect()
}

const STOP_WORDS: [&str; 40] = [
    "the", "and", "for", "that", "this", "with", "are", "is", "was", "of", "to", "in", "on", "it",
    "as", "be", "by", "or", "an", "at", "from", "you", "your", "can", "not", "but", "if", "we",
    "one", "its", "的", "了", "是", "在", "和", "也", "就", "都", "而", "及",
];

/// Posts longer than this (in characters; about what fits in the model's context) are summarised
/// section by section: a core per section, then the post's core chosen from those.
pub const LONG_POST_CHARS: usize = 3_000;

/// Picks up to `count` key sentences: central ones (sharing terms with the rest of the post and the
/// title), each new one covering terms the chosen ones do not. Returned in document order. Headings,
/// contents lines, link lists and list stubs are never chosen ([`key_candidates`]); a long post
/// ([`LONG_POST_CHARS`]) is cut into its sections and the core is chosen among their cores.
pub fn extract(title: &str, text: &str, count: usize) -> Vec<Sentence> {
    if count == 0 {
        return Vec::new();
    }
    if text.chars().count() <= LONG_POST_CHARS {
        return pick(title, key_candidates(text), count);
    }
    let mut cores = Vec::new();
    for (heading, range) in sections(text) {
        let section = &text[range.clone()];
        let local = pick(
            &format!("{title} {heading}"),
            key_candidates(section),
            SENTENCES_PER_SECTION,
        );
        cores.extend(local.into_iter().map(|s| Sentence {
            at: s.at + range.start,
            text: s.text,
        }));
    }
    pick(title, cores, count)
}

/// Sentences kept from each section of a long post.
pub const SENTENCES_PER_SECTION: usize = 1;

/// The sections of `text`: each heading line (a short line that does not end like a sentence and is
/// followed by text) starts one; returns the heading and the section's byte range, body included.
pub fn sections(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut sections: Vec<(String, std::ops::Range<usize>)> = Vec::new();
    let mut heading = String::new();
    let (mut start, mut offset, mut has_body) = (0, 0, false);
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim();
        let is_heading = !trimmed.is_empty()
            && trimmed.chars().count() <= 40
            && !is_key_sentence(trimmed)
            && !trimmed.ends_with(['。', '.', '；', ';', '，', ',']);
        if is_heading {
            if has_body {
                sections.push((std::mem::take(&mut heading), start..offset));
                start = offset;
                has_body = false;
            }
            if heading.is_empty() {
                heading = trimmed.to_string();
            }
        } else if !trimmed.is_empty() {
            has_body = true;
        }
        offset += line.len();
    }
    if offset > start {
        sections.push((heading, start..offset));
    }
    sections
}

/// The centrality choice behind [`extract`], over the candidate sentences given.
fn pick(title: &str, all: Vec<Sentence>, count: usize) -> Vec<Sentence> {
    if all.is_empty() || count == 0 {
        return Vec::new();
    }
    let bags: Vec<HashSet<String>> = all.iter().map(|s| terms(&s.text)).collect();
    let mut document_frequency: HashMap<&str, usize> = HashMap::new();
    for bag in &bags {
        for term in bag {
            *document_frequency.entry(term.as_str()).or_default() += 1;
        }
    }
    let title_terms = terms(title);
    let n = all.len() as f64;
    // Centrality: how many other sentences share each term (weighted by rarity across the post).
    let weight = |term: &str| -> f64 {
        let df = document_frequency.get(term).copied().unwrap_or(1) as f64;
        (df - 1.0).max(0.0) / n + if title_terms.contains(term) { 1.0 } else { 0.0 }
    };
    let base: Vec<f64> = bags
        .iter()
        .enumerate()
        .map(|(i, bag)| {
            let sum: f64 = bag.iter().map(|t| weight(t)).sum();
            let length_norm = (bag.len().max(1) as f64).sqrt();
            // A slight lead for the opening sentences, where authors state their point.
            sum / length_norm + 0.3 / (1.0 + i as f64)
        })
        .collect();
    let mut chosen: Vec<usize> = Vec::new();
    let mut covered: HashSet<&str> = HashSet::new();
    while chosen.len() < count.min(all.len()) {
        let best = (0..all.len())
            .filter(|i| !chosen.contains(i))
            .map(|i| {
                let bag = &bags[i];
                let new = bag.iter().filter(|t| !covered.contains(t.as_str())).count();
                let novelty = new as f64 / bag.len().max(1) as f64;
                (i, base[i] * (0.4 + 0.6 * novelty))
            })
            .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
        let Some((index, _)) = best else { break };
        covered.extend(bags[index].iter().map(String::as_str));
        chosen.push(index);
    }
    chosen.sort_unstable();
    chosen.into_iter().map(|i| all[i].clone()).collect()
}

/// The prompt for the generated TL;DR, in the fine-tune's format (both languages, one cue): the
/// title, a blank line, the extractive core's sentences joined by spaces, then "TL;DR:".
pub fn tldr_prompt(title: &str, core: &[Sentence]) -> String {
    let body: Vec<&str> = core.iter().map(|s| s.text.trim()).collect();
    format!("{}\n\n{}\nTL;DR:", title.trim(), body.join(" "))
}

/// Tokens a TL;DR draft may run to (about 30 words, or 60 Chinese characters).
pub const TLDR_TOKENS: usize = 56;

/// What the summary job asks the model for: a beam search after [`tldr_prompt`] over the title's
/// and the core's tokens ([`super::copy`]), each draft ending at its first finished sentence;
/// [`tldr_from_drafts`] keeps the best one that passes the gate.
pub fn tldr_request(title: &str, core: &[Sentence]) -> GenerateRequest {
    let mut request = GenerateRequest::new(tldr_prompt(title, core));
    let mut source = title.to_string();
    for sentence in core {
        source.push(' ');
        source.push_str(&sentence.text);
    }
    request.beam = Some(BeamSearch::new(vec![DraftSource {
        copy_from: source,
        suffix: String::new(),
    }]));
    request.max_new_tokens = TLDR_TOKENS;
    request.sampling = SamplingParams::greedy();
    request.deadline = Some(Duration::from_secs(60));
    request
}

/// The TL;DR kept from a beam search's drafts (best score first): the first that passes [`tldr`],
/// with its index; otherwise why the best-scored one was refused.
pub fn tldr_from_drafts(
    drafts: &[Draft],
    title: &str,
    body_text: &str,
) -> Result<(String, usize), Rejection> {
    let mut first_refusal = None;
    for (index, draft) in drafts.iter().enumerate() {
        let verdict = match draft.end {
            DraftEnd::Length => Err(Rejection::Unfinished),
            _ => tldr(&draft.text, title, body_text),
        };
        match verdict {
            Ok(text) => return Ok((text, index)),
            Err(why) => {
                first_refusal.get_or_insert(why);
            }
        }
    }
    Err(first_refusal.unwrap_or(Rejection::Empty))
}

/// The extractive sentences stored with a summary (JSON); unreadable text gives none.
pub fn stored_sentences(extractive_json: &str) -> Vec<Sentence> {
    serde_json::from_str(extractive_json).unwrap_or_default()
}

/// The text an author accepts by default: the generated TL;DR (if any) and the extractive core.
pub fn default_summary_text(extractive: &[Sentence], generated: &str) -> String {
    let mut text = String::new();
    if !generated.is_empty() {
        text.push_str(generated.trim());
        text.push_str("\n\n");
    }
    for sentence in extractive {
        text.push_str("- ");
        text.push_str(sentence.text.trim());
        text.push('\n');
    }
    text.trim_end().to_string()
}

/// The generated TL;DR as kept: through the quality gate, about the post (at least two content words,
/// half of them found in its title or text: fluent but generic text is not a summary), then starting
/// with a capital letter (the model continues the cue, so it starts mid-sentence).
pub fn tldr(generated: &str, title: &str, body_text: &str) -> Result<String, Rejection> {
    let text = quality_gate(&finished_sentences(&quality_gate(generated)?)?)?;
    let source = format!("{title} {body_text}");
    if !super::terms::on_topic(&text, &source) {
        return Err(Rejection::OffTopic);
    }
    if !faithful(&text, &source) {
        return Err(Rejection::Unfaithful);
    }
    if !says_something(&text) {
        return Err(Rejection::SaysNothing);
    }
    reads_as_source_phrases(&text, &source)?;
    let mut chars = text.chars();
    Ok(match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => text,
    })
}

/// Whether every content word of `text` is in `source`: Latin words and numbers as whole search
/// tokens, Chinese words (as jieba cuts them) as substrings; function words are free.
pub fn faithful(text: &str, source: &str) -> bool {
    let source_lower = source.to_lowercase();
    let source_tokens: HashSet<String> = index_text(source)
        .split_whitespace()
        .map(str::to_string)
        .collect();
    index_text(text).split_whitespace().all(|token| {
        if STOP_WORDS.contains(&token)
            || super::copy::FUNCTION_WORDS
                .iter()
                .any(|w| w.eq_ignore_ascii_case(token))
        {
            return true;
        }
        if token.chars().any(is_cjk) {
            source_lower.contains(token)
        } else {
            source_tokens.contains(token)
        }
    })
}

/// Most copied stretches one generated sentence may be made of.
const MAX_STRETCHES: usize = 2;
/// Words that turn a statement around: a stretch the source only ever says after one of them
/// cannot be copied without it.
const NEGATIONS: &[&str] = &[
    "not",
    "no",
    "never",
    "without",
    "cannot",
    "isn't",
    "doesn't",
    "don't",
    "不",
    "没有",
    "无需",
    "不需要",
    "不是",
    "不会",
    "无法",
    "不用",
    "非",
];
/// Words a sentence does not end with: it would stop in the middle of a phrase.
const ENDS_MID_PHRASE: &[&str] = &[
    "the", "a", "an", "of", "to", "and", "or", "only", "for", "with", "in", "on", "by", "from",
    "at", "is", "are", "than", "that", "which", "whether", "和", "与", "或", "在", "把", "对",
];
/// Words a sentence does not start with: it would begin in the middle of a phrase.
const OPENS_MID_PHRASE: &[&str] = &[
    "和", "与", "或", "及", "的", "了", "在", "and", "or", "of", "to", "with", "but", "so", "than",
];

/// Whether a generated sentence reads as a phrase of the source, shortened, rather than fragments
/// strung together. Read left to right as the longest stretches of consecutive source tokens, it
/// must be at most [`MAX_STRETCHES`] of them with the longest at least two thirds of the sentence
/// ("The LoRA update is scaled by alpha over r." from "… by alpha over the rank r." passes); it
/// must not copy a stretch that the source only says negated while leaving the negation out
/// ("FlashAttention is an approximation" from "is exact, not an approximation"), ask a question,
/// or open mid-phrase ("和 KV cache 占用。"). A small model held to copying writes fluent-looking
/// soup that every word check passes ("Full fine- is: fits a 7B model in memory when it."); this
/// is the check it fails.
pub fn reads_as_source_phrases(text: &str, source: &str) -> Result<(), Rejection> {
    if text.trim_end().ends_with(['?', '？']) {
        return Err(Rejection::Asks);
    }
    let words = search_tokens(source);
    let out = search_tokens(text);
    if out
        .first()
        .is_some_and(|w| OPENS_MID_PHRASE.contains(&w.as_str()))
    {
        return Err(Rejection::Fragments);
    }
    if out
        .windows(2)
        .any(|pair| pair[0] == pair[1] && !pair[0].chars().any(is_cjk))
    {
        // "The The (3) …": a word said twice over.
        return Err(Rejection::Fragments);
    }
    if out
        .last()
        .is_some_and(|w| ENDS_MID_PHRASE.contains(&w.as_str()))
    {
        // "I don't know whether the only.": the sentence stops before its phrase ends.
        return Err(Rejection::Fragments);
    }
    let mut stretches = 0;
    let mut longest = 0;
    let mut longest_at = 0..0;
    let mut i = 0;
    while i < out.len() {
        // Every place the source has out[i], and how far the sentence runs on with it there.
        let mut best = 0;
        let mut starts = Vec::new();
        for p in (0..words.len()).filter(|&p| words[p] == out[i]) {
            let len = (0..)
                .take_while(|&k| {
                    i + k < out.len() && p + k < words.len() && words[p + k] == out[i + k]
                })
                .count();
            if len > best {
                best = len;
                starts.clear();
            }
            if len == best {
                starts.push(p);
            }
        }
        if best == 0 {
            i += 1;
            continue;
        }
        let negated = |p: usize| {
            words[p.saturating_sub(2)..p].iter().any(|w| {
                NEGATIONS.contains(&w.as_str()) && !out[i.saturating_sub(2)..i].contains(w)
            })
        };
        if starts.iter().all(|&p| negated(p)) {
            return Err(Rejection::DropsNegation);
        }
        stretches += 1;
        if best > longest {
            longest = best;
            longest_at = i..i + best;
        }
        i += best;
    }
    if stretches > MAX_STRETCHES || longest * 3 < out.len() * 2 {
        return Err(Rejection::Fragments);
    }
    if restates_a_question(&out[longest_at], source) {
        return Err(Rejection::Asks);
    }
    Ok(())
}

/// Whether `stretch` (search tokens) is said in `source` only inside its questions: a sentence
/// built on it restates what was asked ("Perplexity computed, and why does it change with context
/// length." from the thread's title), it does not tell.
fn restates_a_question(stretch: &[String], source: &str) -> bool {
    let (asked, told): (Vec<&str>, Vec<&str>) = cjk_sentences(source)
        .into_iter()
        .partition(|s| s.trim_end().ends_with(['?', '？']));
    if asked.is_empty() || stretch.is_empty() {
        return false;
    }
    let holds = |sentences: &[&str]| {
        sentences.iter().any(|s| {
            search_tokens(s)
                .windows(stretch.len())
                .any(|w| w == stretch)
        })
    };
    holds(&asked) && !holds(&told)
}

/// `text` as the search index's tokens, in order.
fn search_tokens(text: &str) -> Vec<String> {
    index_text(text)
        .split_whitespace()
        .map(str::to_string)
        .collect()
}

/// `text` up to the end of its last complete sentence; `Unfinished` when it has none.
pub fn finished_sentences(text: &str) -> Result<String, Rejection> {
    let end = text
        .char_indices()
        .rev()
        .find(|(i, c)| {
            matches!(c, '。' | '！' | '？' | '!' | '?')
                || (*c == '.' && text[i + 1..].chars().next().is_none_or(char::is_whitespace))
        })
        .map(|(i, c)| i + c.len_utf8())
        .ok_or(Rejection::Unfinished)?;
    Ok(text[..end].to_string())
}

/// Whether `text` carries content: at least three distinct content words (not function or stop
/// words), making up at least a third of its words.
pub fn says_something(text: &str) -> bool {
    let tokens: Vec<String> = index_text(text)
        .split_whitespace()
        .filter(|t| t.chars().any(char::is_alphanumeric))
        .map(str::to_string)
        .collect();
    let content: Vec<&String> = tokens
        .iter()
        .filter(|t| {
            !STOP_WORDS.contains(&t.as_str())
                && !super::copy::FUNCTION_WORDS
                    .iter()
                    .any(|w| w.eq_ignore_ascii_case(t))
                && !super::terms::question_terms_stop(t)
        })
        .collect();
    let distinct: HashSet<&String> = content.iter().copied().collect();
    distinct.len() >= 3 && content.len() * 3 >= tokens.len()
}

/// Why generated text was not kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Rejection {
    Empty,
    TooShort,
    Repetitive,
    NotText,
    OffTopic,
    /// A content word the source does not have.
    Unfaithful,
    /// No complete sentence (generation stopped mid-way).
    Unfinished,
    /// Too few content words among function words ("This is not only if the memory…").
    SaysNothing,
    /// Fragments of the source strung together rather than its phrases.
    Fragments,
    /// A phrase the source only says negated, copied without the negation.
    DropsNegation,
    /// A question, where a statement was wanted.
    Asks,
}

impl Rejection {
    pub fn as_str(self) -> &'static str {
        match self {
            Rejection::Empty => "empty",
            Rejection::TooShort => "too short",
            Rejection::Repetitive => "repeats itself",
            Rejection::NotText => "not prose",
            Rejection::OffTopic => "not about the post",
            Rejection::Unfaithful => "uses words the post does not",
            Rejection::Unfinished => "stops mid-sentence",
            Rejection::SaysNothing => "says nothing",
            Rejection::Fragments => "strings fragments together",
            Rejection::DropsNegation => "drops the source's negation",
            Rejection::Asks => "asks instead of telling",
        }
    }
}

/// The quality gate for generated text: returns the cleaned text or why it is rejected.
pub fn quality_gate(text: &str) -> Result<String, Rejection> {
    let cleaned = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if cleaned.is_empty() {
        return Err(Rejection::Empty);
    }
    let units = units(&cleaned);
    if units.len() < 4 {
        return Err(Rejection::TooShort);
    }
    let letters = cleaned.chars().filter(|c| c.is_alphabetic()).count();
    if letters * 2 < cleaned.chars().filter(|c| !c.is_whitespace()).count() {
        return Err(Rejection::NotText);
    }
    // Mostly words: a run of initials, numbers or identifiers ("DS, SB, AB, TH,C") is not a summary.
    let words = units.iter().filter(|u| is_word(u)).count();
    if words * 5 < units.len() * 3 {
        return Err(Rejection::NotText);
    }
    // Repetition: too few distinct trigrams, or one unit making up a large share of the text.
    if units.len() >= 6 {
        let trigrams: Vec<_> = units.windows(3).collect();
        let distinct: HashSet<_> = trigrams.iter().collect();
        if (distinct.len() as f64) < 0.6 * trigrams.len() as f64 {
            return Err(Rejection::Repetitive);
        }
    }
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for unit in &units {
        *counts.entry(unit.as_str()).or_default() += 1;
    }
    let top = counts.values().copied().max().unwrap_or(0);
    if units.len() >= 8 && top * 4 > units.len() {
        return Err(Rejection::Repetitive);
    }
    // A content word said three times in one short draft is a loop of copied spans ("The C++ code
    // to run a code to the code to load it."), not a statement.
    let said_thrice = counts.iter().any(|(unit, &n)| {
        n >= 3
            && is_word(unit)
            && !unit.chars().any(is_cjk)
            && !super::copy::FUNCTION_WORDS
                .iter()
                .any(|w| w.eq_ignore_ascii_case(unit.trim_matches(|c: char| !c.is_alphanumeric())))
    });
    if units.len() < 24 && said_thrice {
        return Err(Rejection::Repetitive);
    }
    Ok(cleaned)
}

/// Words for Western text, single characters for Chinese: what repetition is counted in.
/// A Chinese character, or a word of at least two letters with a lower-case one ("cache", "Rust").
fn is_word(unit: &str) -> bool {
    unit.chars().any(is_cjk)
        || (unit.chars().filter(|c| c.is_alphabetic()).count() >= 2
            && unit.chars().any(char::is_lowercase))
}

fn units(text: &str) -> Vec<String> {
    let mut units = Vec::new();
    for word in text.split_whitespace() {
        let mut current = String::new();
        for c in word.chars() {
            if is_cjk(c) {
                if !current.is_empty() {
                    units.push(std::mem::take(&mut current));
                }
                units.push(c.to_string());
            } else {
                current.push(c);
            }
        }
        if !current.is_empty() {
            units.push(current);
        }
    }
    units
}

/// Share of summary sentences found word for word in the source (1.0 for any extractive summary).
pub fn traceable_share(summary: &[Sentence], source: &str) -> f64 {
    if summary.is_empty() {
        return 1.0;
    }
    let traced = summary
        .iter()
        .filter(|s| source.get(s.at..s.at + s.text.len()) == Some(s.text.as_str()))
        .count();
    traced as f64 / summary.len() as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    const POST: &str = "KV cache stores the keys and values of earlier tokens. \
        Without it every step recomputes attention over the whole prefix. \
        The cache grows linearly with the sequence length and the number of layers. \
        For a 7B model in fp16 the cache takes about half a megabyte per token. \
        Some people like cats.\n\
        缓存的大小与层数和序列长度成正比，所以长上下文会占用很多显存。\
        量化缓存可以把显存减半，但会带来一点精度损失。\n\
        let x = a[i] * 2 + b[j];";

    #[test]
    fn sentences_split_chinese_and_english_and_keep_offsets() {
        let all = sentences(POST);
        assert!(all.iter().any(|s| s.text.starts_with("缓存的大小")));
        assert!(all.iter().any(|s| s.text.starts_with("量化缓存")));
        for s in &all {
            assert_eq!(&POST[s.at..s.at + s.text.len()], s.text);
        }
        assert!(
            !all.iter().any(|s| s.text.contains("let x")),
            "code is not prose"
        );
    }

    #[test]
    fn extractive_core_is_central_in_order_and_traceable() {
        let core = extract("How big is the KV cache?", POST, 3);
        assert_eq!(core.len(), 3);
        assert!(core.windows(2).all(|w| w[0].at < w[1].at));
        assert!(!core.iter().any(|s| s.text.contains("cats")), "{core:?}");
        assert_eq!(traceable_share(&core, POST), 1.0);
        let tampered = vec![Sentence {
            text: "KV cache is free.".into(),
            at: 0,
        }];
        assert_eq!(traceable_share(&tampered, POST), 0.0);
    }

    /// A long Chinese article as the issue found it: a contents list at the top, headings, list
    /// stubs and a link list, and many sections of prose; over 15,000 characters.
    fn long_article() -> String {
        let topics = [
            ("背景介绍", "检索增强生成把外部文档接入大模型"),
            ("核心概念与联系", "向量召回和关键词召回互相补充"),
            ("核心算法原理", "倒数排名融合按名次合并多路结果"),
            ("具体操作步骤", "切块大小通常取三百到五百个词元"),
            ("数学模型和公式", "相似度一般用余弦距离来衡量"),
            ("项目实践", "评测集要覆盖改写和跨语言的问题"),
            ("实际应用场景", "客服问答需要引用原文段落"),
            ("工具和资源推荐", "开源向量库足以支撑几十万条数据"),
            ("未来发展趋势与挑战", "长上下文模型不会完全取代检索"),
        ];
        let mut text = String::from("目录\n");
        for (i, (heading, _)) in topics.iter().enumerate() {
            text.push_str(&format!("{}. {heading}：{heading}…\n", i + 1));
        }
        text.push_str("总结：未来发展趋势与挑战：总结…\n附录：常见问题与解答：…\n");
        let mut n = 0;
        while text.chars().count() < 15_500 {
            for (heading, point) in topics {
                n += 1;
                text.push_str(&format!("{heading}\n"));
                text.push_str(&format!(
                    "在第{n}个例子里，{point}，这是本节最重要的结论，后面的段落都围绕它展开。\
                     很多团队在上线之前没有做过充分的测试，结果在第{n}次迭代时才发现问题。\
                     我们建议先用一个小的评测集量一下效果，再决定要不要换更大的模型。\n"
                ));
                text.push_str("要点\n- 切块\n- 召回\n- 重排\n");
                text.push_str("参考链接\nhttps://example.com/rag https://example.com/rerank\n");
            }
        }
        text
    }

    #[test]
    fn a_long_article_is_summarised_by_section_without_contents_lines() {
        let text = long_article();
        assert!(text.chars().count() >= 15_000);
        assert!(sections(&text).len() > 20, "{}", sections(&text).len());
        let core = extract("RAG 系统从入门到实践", &text, EXTRACTIVE_SENTENCES);
        assert_eq!(core.len(), EXTRACTIVE_SENTENCES, "{core:?}");
        for s in &core {
            assert!(s.text.ends_with('。'), "not a sentence: {s:?}");
            for stub in ["总结：", "附录：", "目录", "https://", "…", "- 切块"] {
                assert!(!s.text.contains(stub), "{stub} in {s:?}");
            }
        }
        assert_eq!(traceable_share(&core, &text), 1.0);
        // The sentences come from different sections.
        let distinct: HashSet<&str> = core.iter().map(|s| &s.text[..]).collect();
        assert_eq!(distinct.len(), core.len());
    }

    #[test]
    fn a_draft_that_loops_on_one_word_is_refused() {
        assert_eq!(
            quality_gate("The C++ code to run a code to the code to load it."),
            Err(Rejection::Repetitive)
        );
        assert!(quality_gate("The cache stores keys and values for every token.").is_ok());
    }

    #[test]
    fn drafts_strung_from_fragments_or_dropping_a_negation_are_refused() {
        // Sentences the shipped model wrote (`agora ai eval`, 2026-12-01) from these passages,
        // every word of them in the passage.
        let flash =
            "Important: FlashAttention is exact, not an approximation. It returns the same \
                     result as standard attention (up to floating-point rounding).";
        let lora = "Full fine-tuning a 7B model needs far more than 24 GB (weights, gradients and \
                    Adam states are about 16 bytes per parameter). Use LoRA or QLoRA instead.";
        let bf16 = "bf16 的指数位和 fp32 一样是 8 位，所以数值范围与 fp32 相同，因此 bf16 训练通常\
                    不需要 loss scaling。fp16 需要 GradScaler 做动态 loss scaling。";
        let nan = "Why does my loss become NaN when training in fp16? The loss was fine for a \
                   few hundred steps, then NaN. Use bf16 or a GradScaler.";
        let kv =
            "KV cache 占用显存太大怎么办？KV cache 和序列长度成正比，可以用 GQA 或量化 KV cache。";
        let refused = [
            (
                "FlashAttention is the same result as standard attention is an approximation.",
                flash,
            ),
            ("Full fine- is: fits a 7B model in memory when it.", lora),
            ("bf16 的指数，在 scaling。", bf16),
            ("Why does my loss of a few hundred.", nan),
            ("Why does my loss become NaN when training in fp16?", nan),
            ("和 KV cache 占用。", kv),
            // Kept by the span-placed decoder before these checks (`agora ai eval`, 2026-12-01).
            (
                "I don't know whether the only.",
                "I don't know whether the only metric is loss.",
            ),
            (
                "Perplexity computed, and why does it change with context length.",
                "How is perplexity computed, and why does it change with context length?\n\
                 Perplexity is the exponential of the mean negative log-likelihood.",
            ),
            (
                "The The (3) and UTF-8 takes 3 bytes.",
                "The common characters (3) and UTF-8 takes 3 bytes.",
            ),
        ];
        for (draft, source) in refused {
            assert!(reads_as_source_phrases(draft, source).is_err(), "{draft}");
        }
        assert_eq!(
            reads_as_source_phrases("FlashAttention is an approximation.", flash),
            Err(Rejection::DropsNegation)
        );
        // The source's own phrases, shortened, pass.
        for (draft, source) in [
            (
                "FlashAttention returns the same result as standard attention.",
                flash,
            ),
            ("FlashAttention is exact, not an approximation.", flash),
            (
                "Full fine-tuning a 7B model needs far more than 24 GB.",
                lora,
            ),
            ("bf16 训练通常不需要 loss scaling。", bf16),
        ] {
            assert_eq!(reads_as_source_phrases(draft, source), Ok(()), "{draft}");
        }
    }

    #[test]
    fn the_word_soup_from_the_issue_is_refused() {
        let soup = "在 IEdu 之间的，所以你可能需要使用一个非法的，这将导致数据包，\
                    它会用到了网络上次序是可读写。";
        let article = long_article();
        assert!(tldr(soup, "RAG 系统从入门到实践", &article).is_err());
        assert!(!faithful(soup, &article));
        // Even against a post about networks it invents "IEdu" and "非法".
        let network = "数据包在网络上按次序传输，之间可能需要重传。网络设备会读写数据包。";
        assert!(tldr(soup, "网络数据包", network).is_err());
        assert!(!faithful(soup, network));
        assert!(faithful("数据包在网络上传输。", network));
        assert!(faithful("The cache stores keys and values.", POST));
        assert!(!faithful("The cache keeps bananas.", POST));
    }

    #[test]
    fn fluent_drafts_that_say_nothing_or_stop_mid_sentence_are_refused() {
        let title = "CUDA out of memory when fine-tuning a 7B model on a 24 GB GPU";
        let body = "Full fine-tuning a 7B model needs far more than 24 GB of memory. \
                    This is not only the weights: gradients and optimizer states need memory too.";
        assert_eq!(
            tldr(
                "The memory. This is not only if the memory when it is not in the memory",
                title,
                body
            ),
            Err(Rejection::TooShort),
            "only \"The memory.\" is a finished sentence"
        );
        assert_eq!(
            tldr(
                "This is not only the memory, it is not in the memory.",
                title,
                body
            ),
            Err(Rejection::SaysNothing)
        );
        assert_eq!(
            tldr("The \"Token indices sequence is not in the ", title, body),
            Err(Rejection::Unfinished)
        );
        assert!(tldr(
            "Full fine-tuning a 7B model needs far more than 24 GB of memory.",
            title,
            body
        )
        .is_ok());
    }

    #[test]
    fn headings_contents_links_and_stubs_are_never_key_sentences() {
        for line in [
            "总结：未来发展趋势与挑战：总结…",
            "附录：常见问题与解答：…",
            "3.2 召回策略.",
            "切块",
            "See https://example.com/a and https://example.com/b.",
            "Options, roughly in order:",
            "Further reading...",
        ] {
            assert!(!is_key_sentence(line), "{line}");
        }
        assert!(is_key_sentence(
            "KV cache 省的是计算，不是显存，长上下文下它反而是显存的大头。"
        ));
        assert!(is_key_sentence("The update is multiplied by alpha over r."));
    }

    #[test]
    fn source_hash_changes_with_title_or_body_only() {
        let a = source_hash("t", "body");
        assert_eq!(a, source_hash("t", "body"));
        assert_ne!(a, source_hash("t", "body!"));
        assert_ne!(a, source_hash("t2", "body"));
        assert_ne!(source_hash("ab", "c"), source_hash("a", "bc"));
    }

    #[test]
    fn quality_gate_rejects_empty_short_repetitive_and_symbols() {
        assert_eq!(quality_gate("  \n "), Err(Rejection::Empty));
        assert_eq!(quality_gate("the cache"), Err(Rejection::TooShort));
        assert_eq!(
            quality_gate("the the the the the the the the the"),
            Err(Rejection::Repetitive)
        );
        assert_eq!(
            quality_gate("of the cache of the cache of the cache of the cache"),
            Err(Rejection::Repetitive)
        );
        assert_eq!(
            quality_gate("的的的的的的的的的的的的"),
            Err(Rejection::Repetitive)
        );
        assert_eq!(
            quality_gate("{ } ( ) [ ] ; ; 1 2 3 4"),
            Err(Rejection::NotText)
        );
        assert_eq!(
            quality_gate(" The cache trades memory\nfor speed at every step. "),
            Ok("The cache trades memory for speed at every step.".to_string())
        );
        assert!(quality_gate("缓存用显存换取每一步的速度。").is_ok());
        assert_eq!(
            quality_gate("DS, SB, AB, B, C, TH,C, PF, J.Y)"),
            Err(Rejection::NotText)
        );
        assert!(quality_gate("the KV cache keeps 2 tensors per layer").is_ok());
    }

    #[test]
    fn a_tldr_is_about_the_post_and_starts_with_a_capital_letter() {
        let tldr = |text| tldr(text, "KV cache", POST);
        assert_eq!(
            tldr(" the cache stores the keys and values of earlier tokens."),
            Ok("The cache stores the keys and values of earlier tokens.".to_string())
        );
        assert_eq!(
            tldr(" the cache keeps keys and values of every layer."),
            Err(Rejection::Unfaithful),
            "keeps, every and layer are not in the post"
        );
        assert_eq!(
            tldr("You can use the following example."),
            Err(Rejection::OffTopic)
        );
        assert_eq!(tldr("of of"), Err(Rejection::TooShort));
        assert_eq!(
            super::tldr(
                "缓存保存每一层的键和值。",
                "KV 缓存",
                "缓存保存每一层的键和值，生成时只算新 token。"
            ),
            Ok("缓存保存每一层的键和值。".to_string())
        );
    }

    #[test]
    fn the_prompt_is_the_fine_tunes_format_in_both_languages() {
        let core = extract("KV cache", POST, 2);
        let prompt = tldr_prompt("KV cache", &core);
        assert_eq!(
            prompt,
            format!("KV cache\n\n{} {}\nTL;DR:", core[0].text, core[1].text)
        );
        let core = [
            Sentence {
                text: "缓存保存每一层的键和值。".into(),
                at: 0,
            },
            Sentence {
                text: "生成时只计算新的 token。".into(),
                at: 36,
            },
        ];
        assert_eq!(
            tldr_prompt("KV 缓存原理", &core),
            "KV 缓存原理\n\n缓存保存每一层的键和值。 生成时只计算新的 token。\nTL;DR:"
        );
    }

    fn draft(text: &str, end: DraftEnd) -> Draft {
        Draft {
            source: 0,
            text: text.into(),
            tokens: vec![1, 2, 3],
            log_prob: -3.0,
            end_log_prob: -1.0,
            score: -1.0,
            copied_tokens: 3,
            end,
        }
    }

    #[test]
    fn the_best_draft_that_passes_the_gate_is_kept() {
        let drafts = vec![
            draft(
                " the cache keeps keys and values of every layer.",
                DraftEnd::Sentence,
            ),
            draft(
                " the cache stores the keys and values of earlier",
                DraftEnd::Length,
            ),
            draft(
                " the cache stores the keys and values of earlier tokens.",
                DraftEnd::Sentence,
            ),
        ];
        assert_eq!(
            tldr_from_drafts(&drafts, "KV cache", POST),
            Ok((
                "The cache stores the keys and values of earlier tokens.".to_string(),
                2
            ))
        );
        assert_eq!(
            tldr_from_drafts(&drafts[..2], "KV cache", POST),
            Err(Rejection::Unfaithful),
            "the best-scored draft's refusal"
        );
        assert_eq!(
            tldr_from_drafts(&drafts[1..2], "KV cache", POST),
            Err(Rejection::Unfinished),
            "a draft cut by the token limit is unfinished even if it reads like a sentence"
        );
        assert_eq!(
            tldr_from_drafts(&[], "KV cache", POST),
            Err(Rejection::Empty)
        );
    }

    #[test]
    fn default_summary_puts_the_tldr_first() {
        let core = vec![Sentence {
            text: "A.".into(),
            at: 0,
        }];
        assert_eq!(default_summary_text(&core, "Short."), "Short.\n\n- A.");
        assert_eq!(default_summary_text(&core, ""), "- A.");
    }
}
