//! Stable heading anchors that keep Chinese (and any other letters) readable in URLs.

use std::collections::{HashMap, HashSet};

const MAX_SLUG_CHARS: usize = 80;

/// Hands out unique slugs in document order, GitHub style: `setup`, `setup-1`, `setup-2`.
#[derive(Default)]
pub struct Slugger {
    taken: HashSet<String>,
    next_suffix: HashMap<String, usize>,
}

impl Slugger {
    pub fn slug(&mut self, heading_text: &str) -> String {
        let base = slugify(heading_text);
        if self.taken.insert(base.clone()) {
            return base;
        }
        let suffix = self.next_suffix.entry(base.clone()).or_insert(1);
        loop {
            let candidate = format!("{base}-{suffix}");
            *suffix += 1;
            if self.taken.insert(candidate.clone()) {
                return candidate;
            }
        }
    }
}

/// Lowercases, keeps letters, digits and `_`; whitespace, `-` and non-ASCII punctuation
/// (`（`, `：`) become `-`; ASCII punctuation is dropped as GitHub does (`what's` -> `whats`).
pub fn slugify(text: &str) -> String {
    let mut slug = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() || c == '_' {
            slug.push(c);
        } else if (c == '-' || c.is_whitespace() || !c.is_ascii())
            && !slug.is_empty()
            && !slug.ends_with('-')
        {
            slug.push('-');
        }
        if slug.chars().count() >= MAX_SLUG_CHARS {
            break;
        }
    }
    let slug = slug.trim_end_matches('-');
    if slug.is_empty() {
        "section".to_owned()
    } else {
        slug.to_owned()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_keep_chinese_and_drop_punctuation() {
        assert_eq!(slugify("安装 PyTorch（GPU 版）"), "安装-pytorch-gpu-版");
        assert_eq!(slugify("What's `torch.nn`?"), "whats-torchnn");
        assert_eq!(slugify("!!!"), "section");
    }

    #[test]
    fn repeated_headings_get_numbered() {
        let mut slugger = Slugger::default();
        assert_eq!(slugger.slug("Setup"), "setup");
        assert_eq!(slugger.slug("Setup"), "setup-1");
        assert_eq!(slugger.slug("Setup"), "setup-2");
        assert_eq!(slugger.slug("setup-1"), "setup-1-1");
    }
}
