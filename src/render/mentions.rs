//! `@username` mentions found in prose (never in code or inside links).

/// Usernames longer than this are not usernames; the domain type enforces the real limit.
const MAX_MENTION_CHARS: usize = 64;

/// Collects mentions from runs of adjacent text; the Markdown parser may split one run
/// into several text events, so text is buffered until the run ends.
#[derive(Default)]
pub struct MentionScanner {
    run: String,
    found: Vec<String>,
}

impl MentionScanner {
    pub fn push(&mut self, text: &str) {
        self.run.push_str(text);
    }

    /// Ends the current run of text and scans it.
    pub fn flush(&mut self) {
        if self.run.is_empty() {
            return;
        }
        for name in mentions_in(&self.run) {
            if !self.found.contains(&name) {
                self.found.push(name);
            }
        }
        self.run.clear();
    }

    pub fn into_mentions(self) -> Vec<String> {
        self.found
    }
}

fn is_name_char(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '-' | '.')
}

/// Finds `@name` where `@` does not follow a name character, so `a@b.com` is no mention.
pub fn mentions_in(text: &str) -> Vec<String> {
    let mut names = Vec::new();
    let mut previous: Option<char> = None;
    let mut chars = text.char_indices().peekable();
    while let Some((index, c)) = chars.next() {
        let starts_mention = c == '@' && !previous.is_some_and(|p| is_name_char(p) || p == '@');
        previous = Some(c);
        if !starts_mention {
            continue;
        }
        let rest = &text[index + c.len_utf8()..];
        let end = rest
            .char_indices()
            .find(|&(_, c)| !is_name_char(c))
            .map_or(rest.len(), |(i, _)| i);
        // A sentence may end right after a name: "thanks @alice."
        let name = rest[..end].trim_end_matches(['.', '-']);
        if !name.is_empty() && name.chars().count() <= MAX_MENTION_CHARS {
            names.push(name.to_owned());
        }
        // Skip the name so an `@` inside it is not read as a new mention.
        while chars
            .peek()
            .is_some_and(|&(i, _)| i < index + c.len_utf8() + end)
        {
            if let Some((_, skipped)) = chars.next() {
                previous = Some(skipped);
            }
        }
    }
    names
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_latin_and_chinese_names() {
        assert_eq!(
            mentions_in("thanks @alice, @张三 and @bob_smith-2.x."),
            vec!["alice", "张三", "bob_smith-2.x"]
        );
    }

    #[test]
    fn ignores_emails_and_bare_at_signs() {
        assert!(mentions_in("mail me at a@b.com or @ nobody @@x").is_empty());
    }
}
