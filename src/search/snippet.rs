//! Highlighted snippets for search results. The stored text is escaped here and only the matched
//! words are wrapped in `<mark>`; stored HTML is never used, so a snippet cannot carry markup.
use std::ops::Range;

use super::tokenize::{query_terms, term_key, tokens_among, word_may_give, Wanted};
use crate::domain::is_cjk;
use crate::render::cjk_sentences;
use crate::render::escape_html;

/// A snippet: the same window of text as HTML (escaped, matches marked) and as plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snippet {
    pub html: String,
    pub text: String,
}

/// Only this much of a long body is scanned for the first match.
const SCAN_BYTES: usize = 64 * 1024;
/// Characters shown before the first match.
const LEAD_CHARS: usize = 60;

/// About `max_chars` characters of `text` around the first word matching `terms`, whitespace
/// collapsed, with `…` where it was cut.
pub fn snippet(text: &str, terms: &[String], max_chars: usize) -> Snippet {
    let scan_end = floor_char_boundary(text, SCAN_BYTES);
    let first = match_ranges(&text[..scan_end], terms, true)
        .first()
        .map_or(0, |r| r.start);
    let lead_start = text[..first]
        .char_indices()
        .rev()
        .nth(LEAD_CHARS.saturating_sub(1))
        .map_or(0, |(i, _)| i);
    let start = if lead_start == 0 {
        0
    } else {
        // Start at a word boundary where there is one nearby.
        text[lead_start..first]
            .find(char::is_whitespace)
            .map_or(lead_start, |i| lead_start + i + 1)
    };
    let end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| start + i);
    let window = collapse_whitespace(&text[start..end]);
    let mut html = highlight(&window, terms);
    let mut plain = window;
    if start > 0 {
        html.insert(0, '…');
        plain.insert(0, '…');
    }
    if end < text.len() {
        html.push('…');
        plain.push('…');
    }
    Snippet { html, text: plain }
}

/// About `max_chars` characters of `text` from the sentence that holds the most distinct `terms`
/// (where an answer most likely is, not merely the first mention), whitespace collapsed, with `…`
/// where it was cut; the first match's window when no sentence matches.
pub fn best_passage(text: &str, terms: &[String], max_chars: usize) -> String {
    let scan = &text[..floor_char_boundary(text, SCAN_BYTES)];
    let wanted = Wanted::new(terms.iter().map(String::as_str));
    let mut best: Option<(usize, usize)> = None;
    for sentence in cjk_sentences(scan) {
        let found = tokens_among(sentence, &wanted).len();
        if found > 0 && best.is_none_or(|(most, _)| found > most) {
            best = Some((found, sentence.as_ptr() as usize - scan.as_ptr() as usize));
        }
    }
    let Some((_, start)) = best else {
        return snippet(text, terms, max_chars).text;
    };
    let end = text[start..]
        .char_indices()
        .nth(max_chars)
        .map_or(text.len(), |(i, _)| start + i);
    let mut plain = collapse_whitespace(&text[start..end]);
    if start > 0 {
        plain.insert(0, '…');
    }
    if end < text.len() {
        plain.push('…');
    }
    plain
}

/// The whole of `text`, escaped, with words matching `terms` in `<mark>`.
pub fn highlight(text: &str, terms: &[String]) -> String {
    let mut out = String::with_capacity(text.len() + 32);
    let mut at = 0;
    for range in match_ranges(text, terms, false) {
        out.push_str(&escape_html(&text[at..range.start]));
        out.push_str("<mark>");
        out.push_str(&escape_html(&text[range.clone()]));
        out.push_str("</mark>");
        at = range.end;
    }
    out.push_str(&escape_html(&text[at..]));
    out
}

/// Byte ranges of the words in `text` that the index would have matched against `terms`: a word
/// (`torch.nn.Module`, `C++`, `GPT-2`) matches when one of its search tokens is a term; in Chinese
/// text every occurrence of a Chinese term is marked.
fn match_ranges(text: &str, terms: &[String], first_only: bool) -> Vec<Range<usize>> {
    let mut ranges: Vec<Range<usize>> = Vec::new();
    if terms.is_empty() {
        return ranges;
    }
    let cjk_terms: Vec<&str> = terms
        .iter()
        .filter(|t| t.chars().any(is_cjk))
        .map(String::as_str)
        .collect();
    let keys: Vec<String> = terms.iter().map(|t| term_key(t)).collect();
    let mut run_start = 0;
    let mut run_kind = Kind::Gap;
    let boundaries = text
        .char_indices()
        .map(|(i, c)| (i, Kind::of(c)))
        .chain(std::iter::once((text.len(), Kind::End)));
    for (index, kind) in boundaries {
        if kind == run_kind {
            continue;
        }
        let run = &text[run_start..index];
        match run_kind {
            Kind::Word => {
                if word_may_give(run, &keys) && query_terms(run).iter().any(|t| terms.contains(t)) {
                    let trimmed = run.trim_matches(['.', '-', '_', ':', '/', '+', '#']);
                    let offset = run.len()
                        - run
                            .trim_start_matches(['.', '-', '_', ':', '/', '+', '#'])
                            .len();
                    if !trimmed.is_empty() {
                        // Keep `c++`/`c#` whole: only leading separators are trimmed there.
                        let end = if trimmed.ends_with(char::is_alphanumeric)
                            && (run.ends_with("++") || run.ends_with('#'))
                        {
                            run_start + run.len()
                        } else {
                            run_start + offset + trimmed.len()
                        };
                        ranges.push(run_start + offset..end);
                    }
                }
            }
            Kind::Cjk => {
                let mut found: Vec<Range<usize>> = Vec::new();
                for term in &cjk_terms {
                    for (i, _) in run.match_indices(term) {
                        found.push(run_start + i..run_start + i + term.len());
                    }
                }
                ranges.extend(found);
            }
            Kind::Gap | Kind::End => {}
        }
        if first_only && !ranges.is_empty() {
            break;
        }
        run_start = index;
        run_kind = kind;
    }
    merge(ranges)
}

fn merge(mut ranges: Vec<Range<usize>>) -> Vec<Range<usize>> {
    ranges.sort_by_key(|r| (r.start, r.end));
    let mut merged: Vec<Range<usize>> = Vec::with_capacity(ranges.len());
    for range in ranges {
        match merged.last_mut() {
            Some(last) if range.start <= last.end => last.end = last.end.max(range.end),
            _ => merged.push(range),
        }
    }
    merged
}

/// The same character classes as the tokeniser: Chinese/Japanese/Korean, word characters
/// (letters, digits and the punctuation inside identifiers), everything else.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Kind {
    Cjk,
    Word,
    Gap,
    End,
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

fn collapse_whitespace(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

fn floor_char_boundary(text: &str, max: usize) -> usize {
    if max >= text.len() {
        return text.len();
    }
    (0..=max)
        .rev()
        .find(|i| text.is_char_boundary(*i))
        .unwrap_or(0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn terms(q: &str) -> Vec<String> {
        query_terms(q)
    }

    #[test]
    fn code_words_are_marked_whole() {
        let html = highlight(
            "Subclass torch.nn.Module, then use C++ or GPT-2.",
            &terms("torch.nn.module c++ gpt2"),
        );
        assert_eq!(
            html,
            "Subclass <mark>torch.nn.Module</mark>, then use <mark>C++</mark> or <mark>GPT-2</mark>."
        );
    }

    #[test]
    fn chinese_terms_are_marked_inside_sentences() {
        let html = highlight("中文分词用结巴。", &terms("分词"));
        assert_eq!(html, "中文<mark>分词</mark>用结巴。");
    }

    #[test]
    fn markup_in_the_text_is_escaped() {
        let html = highlight("<script>alert('x')</script> KV cache", &terms("cache"));
        assert_eq!(
            html,
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; KV <mark>cache</mark>"
        );
    }

    #[test]
    fn the_passage_starts_at_the_sentence_with_most_terms() {
        let text = "Attention is everywhere. Some filler text here. \
                    FlashAttention is exact, not an approximation of attention.";
        let terms: Vec<String> = ["flashattention", "approximation", "attention"]
            .map(String::from)
            .to_vec();
        let passage = best_passage(text, &terms, 40);
        assert!(passage.starts_with("…FlashAttention is exact"), "{passage}");
        assert_eq!(best_passage("nothing", &terms, 40), "nothing");
    }

    #[test]
    fn snippet_windows_around_the_first_match() {
        let text = format!(
            "{} the LoRA rank decides {}",
            "word ".repeat(100),
            "tail ".repeat(100)
        );
        let s = snippet(&text, &terms("lora"), 120);
        assert!(
            s.html.starts_with('…') && s.html.ends_with('…'),
            "{}",
            s.html
        );
        assert!(s.html.contains("<mark>LoRA</mark>"), "{}", s.html);
        assert!(s.text.contains("LoRA rank"), "{}", s.text);
    }

    #[test]
    fn snippet_without_match_starts_at_the_beginning() {
        let s = snippet("short\n\n text", &terms("absent"), 100);
        assert_eq!(s.html, "short text");
    }
}
