//! A member's flag: what it points at, why, and the note some reasons require (a duplicate names its
//! original by link; "needs attention" says what needs it).
use super::FieldError;

/// Flag notes are a sentence or a link, not an essay.
pub const FLAG_NOTE_MAX: usize = 500;

/// What a flag points at (`flags.target_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagTarget {
    Post,
    Comment,
    User,
    /// A listed resource (`/resources/{id}`).
    Resource,
    /// An event (`/events/{id}`).
    Event,
}

impl FlagTarget {
    pub fn parse(text: &str) -> Option<Self> {
        match text.trim() {
            "post" => Some(FlagTarget::Post),
            "comment" => Some(FlagTarget::Comment),
            "user" => Some(FlagTarget::User),
            "resource" => Some(FlagTarget::Resource),
            "event" => Some(FlagTarget::Event),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FlagTarget::Post => "post",
            FlagTarget::Comment => "comment",
            FlagTarget::User => "user",
            FlagTarget::Resource => "resource",
            FlagTarget::Event => "event",
        }
    }
}

/// Why a member flagged something (`flags.reason`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlagReason {
    Spam,
    Rude,
    OffTopic,
    Duplicate,
    NeedsAttention,
}

impl FlagReason {
    pub const ALL: [FlagReason; 5] = [
        FlagReason::Spam,
        FlagReason::Rude,
        FlagReason::OffTopic,
        FlagReason::Duplicate,
        FlagReason::NeedsAttention,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            FlagReason::Spam => "spam",
            FlagReason::Rude => "rude",
            FlagReason::OffTopic => "off_topic",
            FlagReason::Duplicate => "duplicate",
            FlagReason::NeedsAttention => "needs_attention",
        }
    }

    /// Catalog key of the reason's label.
    pub fn catalog_key(self) -> &'static str {
        match self {
            FlagReason::Spam => "flag.reason_spam",
            FlagReason::Rude => "flag.reason_rude",
            FlagReason::OffTopic => "flag.reason_off_topic",
            FlagReason::Duplicate => "flag.reason_duplicate",
            FlagReason::NeedsAttention => "flag.reason_needs_attention",
        }
    }
}

/// A reason with the note it needs: trimmed, at most [`FLAG_NOTE_MAX`] characters; a duplicate's
/// note holds a link to the original (`https://…` or a path on this site such as `/questions/12`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlagInput {
    pub reason: FlagReason,
    pub note: String,
}

impl FlagInput {
    pub fn parse(reason: &str, note: &str) -> Result<Self, FieldError> {
        let reason =
            FlagReason::parse(reason).ok_or(FieldError::new("reason", "flag.error_reason"))?;
        let note = note.trim();
        if note.chars().count() > FLAG_NOTE_MAX {
            return Err(FieldError::new("note", "flag.error_note_long")
                .with_detail(format!("{} / {FLAG_NOTE_MAX}", note.chars().count())));
        }
        if note
            .chars()
            .any(|c| c.is_control() && c != '\n' && c != '\r')
        {
            return Err(FieldError::new("note", "flag.error_note_chars"));
        }
        match reason {
            FlagReason::Duplicate if !contains_link(note) => {
                return Err(FieldError::new("note", "flag.error_duplicate_link"))
            }
            FlagReason::NeedsAttention if note.is_empty() => {
                return Err(FieldError::new("note", "flag.error_note_required"))
            }
            _ => {}
        }
        Ok(Self {
            reason,
            note: note.to_string(),
        })
    }
}

/// Whether `text` holds a web link or a local post path.
fn contains_link(text: &str) -> bool {
    text.split_whitespace().any(|word| {
        word.starts_with("https://")
            || word.starts_with("http://")
            || word.starts_with("/questions/")
            || word.starts_with("/articles/")
            || word.starts_with("/answers/")
    })
}

/// Why staff closed a question (`posts.closed_reason`). A duplicate also names its original.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CloseReason {
    Duplicate,
    OffTopic,
    Unclear,
    TooBroad,
    Other,
}

impl CloseReason {
    pub const ALL: [CloseReason; 5] = [
        CloseReason::Duplicate,
        CloseReason::OffTopic,
        CloseReason::Unclear,
        CloseReason::TooBroad,
        CloseReason::Other,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|r| r.as_str() == text.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            CloseReason::Duplicate => "duplicate",
            CloseReason::OffTopic => "off_topic",
            CloseReason::Unclear => "unclear",
            CloseReason::TooBroad => "too_broad",
            CloseReason::Other => "other",
        }
    }

    /// Catalog key of the reason's label.
    pub fn catalog_key(self) -> &'static str {
        match self {
            CloseReason::Duplicate => "close.reason_duplicate",
            CloseReason::OffTopic => "close.reason_off_topic",
            CloseReason::Unclear => "close.reason_unclear",
            CloseReason::TooBroad => "close.reason_too_broad",
            CloseReason::Other => "close.reason_other",
        }
    }
}

/// The post a duplicate points at, written as an id (`12`) or a link to it (`/questions/12/slug`,
/// `https://host/questions/12`).
pub fn parse_post_reference(text: &str) -> Option<i64> {
    let text = text.trim();
    if let Ok(id) = text.parse::<i64>() {
        return (id > 0).then_some(id);
    }
    let path = text.split("/questions/").nth(1)?;
    path.split(['/', '?', '#'])
        .next()?
        .parse::<i64>()
        .ok()
        .filter(|id| *id > 0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_round_trip_and_unknown_ones_are_refused() {
        for reason in FlagReason::ALL {
            assert_eq!(FlagReason::parse(reason.as_str()), Some(reason));
        }
        assert_eq!(
            FlagInput::parse("boring", "").unwrap_err().key,
            "flag.error_reason"
        );
    }

    #[test]
    fn duplicates_need_a_link_and_attention_needs_a_note() {
        assert_eq!(
            FlagInput::parse("duplicate", "same as the other one")
                .unwrap_err()
                .key,
            "flag.error_duplicate_link"
        );
        assert!(FlagInput::parse("duplicate", "see /questions/12").is_ok());
        assert!(FlagInput::parse("duplicate", "https://example.com/q/1").is_ok());
        assert_eq!(
            FlagInput::parse("needs_attention", "  ").unwrap_err().key,
            "flag.error_note_required"
        );
        assert!(FlagInput::parse("spam", "").is_ok());
    }

    #[test]
    fn duplicates_are_named_by_id_or_link() {
        assert_eq!(parse_post_reference(" 12 "), Some(12));
        assert_eq!(parse_post_reference("/questions/7/some-slug"), Some(7));
        assert_eq!(
            parse_post_reference("https://forum.example/questions/9#answer-3"),
            Some(9)
        );
        assert_eq!(parse_post_reference("the other one"), None);
        assert_eq!(parse_post_reference("-3"), None);
    }

    #[test]
    fn notes_are_limited() {
        let long = "x".repeat(FLAG_NOTE_MAX + 1);
        assert_eq!(
            FlagInput::parse("rude", &long).unwrap_err().key,
            "flag.error_note_long"
        );
    }
}
