//! Short plain-text excerpts that never cut inside a character.

/// Shortens `text` to at most `max_chars` characters (counting the ellipsis), collapsing
/// whitespace. A cut ends with `…`; in Latin text it falls back to the last word boundary
/// when one is near, while CJK text may be cut between any two characters.
pub fn excerpt(text: &str, max_chars: usize) -> String {
    let collapsed = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if collapsed.chars().count() <= max_chars {
        return collapsed;
    }
    if max_chars == 0 {
        return String::new();
    }
    let keep = max_chars - 1;
    let cut = collapsed
        .char_indices()
        .nth(keep)
        .map_or(collapsed.len(), |(i, _)| i);
    let mut head = &collapsed[..cut];
    let next = collapsed[cut..].chars().next();
    let mid_word = head.chars().last().is_some_and(is_word_char) && next.is_some_and(is_word_char);
    if mid_word {
        // Only back off a short way: a long run without spaces (a URL, a hash) is cut anyway.
        if let Some(space) = head.rfind(' ') {
            if head[space..].chars().count() <= 20 {
                head = &head[..space];
            }
        }
    }
    format!("{}…", head.trim_end())
}

/// Characters that form space-separated words; CJK ideographs do not, so they may be cut.
fn is_word_char(c: char) -> bool {
    (c.is_alphanumeric() && !is_cjk(c)) || c == '_'
}

fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x2E80..=0x9FFF | 0xA960..=0xA97F | 0xAC00..=0xD7FF | 0xF900..=0xFAFF
        | 0xFF00..=0xFFEF | 0x20000..=0x3FFFF)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn short_text_is_untouched() {
        assert_eq!(excerpt("  hello \n world ", 20), "hello world");
    }

    #[test]
    fn cjk_is_cut_on_char_boundaries() {
        let text = "大型语言模型的推理优化".repeat(30);
        let out = excerpt(&text, 10);
        assert_eq!(out.chars().count(), 10);
        assert!(out.ends_with('…'));
        assert!(out.starts_with("大型语言模型的推理"));
    }

    #[test]
    fn latin_text_is_cut_at_a_word_boundary() {
        assert_eq!(excerpt("the quick brown fox jumps", 13), "the quick…");
    }

    #[test]
    fn emoji_and_zero_lengths_do_not_panic() {
        assert_eq!(excerpt("🦀🦀🦀", 2), "🦀…");
        assert_eq!(excerpt("abc", 0), "");
    }
}
