//! What a post is made of: its kind, a title (10-200 characters), a Markdown body with a size cap, and
//! the URL slug derived from the title.
use super::FieldError;

pub const TITLE_MIN: usize = 10;
pub const TITLE_MAX: usize = 200;
/// Bodies longer than this are refused with the form kept (well under the request size limit).
pub const BODY_MAX_CHARS: usize = 60_000;
const SLUG_MAX_CHARS: usize = 80;

/// The kinds of post stored in `posts.kind`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostKind {
    Article,
    Question,
    Answer,
    BotAnswer,
}

impl PostKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PostKind::Article => "article",
            PostKind::Question => "question",
            PostKind::Answer => "answer",
            PostKind::BotAnswer => "bot_answer",
        }
    }

    /// Reads a stored kind; anything unknown is treated as an answer (the narrowest rights).
    pub fn from_stored(text: &str) -> Self {
        match text {
            "article" => PostKind::Article,
            "question" => PostKind::Question,
            "bot_answer" => PostKind::BotAnswer,
            _ => PostKind::Answer,
        }
    }

    pub fn is_answer(self) -> bool {
        matches!(self, PostKind::Answer | PostKind::BotAnswer)
    }
}

/// Where a post stands (`posts.status`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PostStatus {
    Published,
    Draft,
    Pending,
    Hidden,
    Deleted,
}

impl PostStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            PostStatus::Published => "published",
            PostStatus::Draft => "draft",
            PostStatus::Pending => "pending",
            PostStatus::Hidden => "hidden",
            PostStatus::Deleted => "deleted",
        }
    }

    pub fn from_stored(text: &str) -> Self {
        match text {
            "published" => PostStatus::Published,
            "draft" => PostStatus::Draft,
            "pending" => PostStatus::Pending,
            "hidden" => PostStatus::Hidden,
            _ => PostStatus::Deleted,
        }
    }
}

/// A post title: trimmed, inner whitespace collapsed, 10-200 characters by weighted length (a CJK
/// character counts 2, see [`super::text::weighted_len`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Title(String);

impl Title {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let title = input.split_whitespace().collect::<Vec<_>>().join(" ");
        let count = super::text::weighted_len(&title);
        if count < TITLE_MIN {
            return Err(FieldError::new("title", "post.error.title_short"));
        }
        if count > TITLE_MAX {
            return Err(FieldError::new("title", "post.error.title_long"));
        }
        if title.chars().any(char::is_control) {
            return Err(FieldError::new("title", "post.error.title_chars"));
        }
        Ok(Self(title))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn slug(&self) -> String {
        post_slug(&self.0)
    }
}

/// A post body in Markdown: not blank, at most [`BODY_MAX_CHARS`] characters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Markdown(String);

impl Markdown {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        if input.trim().is_empty() {
            return Err(FieldError::new("body", "post.error.body_empty"));
        }
        let count = input.chars().count();
        if count > BODY_MAX_CHARS {
            return Err(FieldError::new("body", "post.error.body_long")
                .with_detail(format!("{count} / {BODY_MAX_CHARS}")));
        }
        Ok(Self(input.replace("\r\n", "\n")))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The URL slug of a title: lower-case letters and digits of any script (so Chinese titles keep their
/// words), everything else collapsed into single `-`; `post` when nothing is left.
pub fn post_slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.is_empty() && !out.ends_with('-') {
            out.push('-');
        }
        if out.chars().count() >= SLUG_MAX_CHARS {
            break;
        }
    }
    let trimmed = out.trim_end_matches('-');
    match trimmed {
        "" => "post".to_string(),
        // Sub-pages of a post (`/articles/1/edit`) must never be mistaken for its slug.
        "edit" | "revisions" | "delete" | "answers" | "accept" | "feed-atom" => {
            format!("{trimmed}-post")
        }
        _ => trimmed.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn titles_are_trimmed_and_bounded() {
        assert_eq!(
            Title::parse("  How   do I\tuse LoRA?  ").unwrap().as_str(),
            "How do I use LoRA?"
        );
        assert_eq!(
            Title::parse("short").unwrap_err().key,
            "post.error.title_short"
        );
        assert_eq!(
            Title::parse(&"x".repeat(201)).unwrap_err().key,
            "post.error.title_long"
        );
        assert!(Title::parse("如何在本地部署大语言模型？").is_ok());
    }

    #[test]
    fn title_length_counts_a_chinese_character_twice() {
        assert_eq!(Title::parse("1. 背景介绍").unwrap().as_str(), "1. 背景介绍");
        assert_eq!(
            Title::parse("背景介绍").unwrap_err().key,
            "post.error.title_short",
            "four characters weigh 8, under the minimum of 10"
        );
        assert!(Title::parse(&"模".repeat(100)).is_ok());
        assert_eq!(
            Title::parse(&"模".repeat(101)).unwrap_err().key,
            "post.error.title_long"
        );
        assert_eq!(Title::parse("Intro text").unwrap().as_str(), "Intro text");
    }

    #[test]
    fn bodies_must_say_something_and_fit() {
        assert_eq!(
            Markdown::parse(" \n ").unwrap_err().key,
            "post.error.body_empty"
        );
        assert_eq!(
            Markdown::parse(&"a".repeat(BODY_MAX_CHARS + 1))
                .unwrap_err()
                .key,
            "post.error.body_long"
        );
        assert_eq!(Markdown::parse("a\r\nb").unwrap().as_str(), "a\nb");
    }

    #[test]
    fn slugs_keep_chinese_and_drop_punctuation() {
        assert_eq!(post_slug("How do I use LoRA?"), "how-do-i-use-lora");
        assert_eq!(
            post_slug("如何部署 LLaMA（量化版）"),
            "如何部署-llama-量化版"
        );
        assert_eq!(post_slug("???"), "post");
        assert_eq!(post_slug("Edit!!!!!!!!!"), "edit-post");
        assert!(post_slug(&"词".repeat(300)).chars().count() <= SLUG_MAX_CHARS);
    }
}

/// A valid article or question: what the editor's form parses into.
#[derive(Debug, Clone)]
pub struct TopicInput {
    pub title: Title,
    pub body: Markdown,
    pub tags: super::TagList,
}
