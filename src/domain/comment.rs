//! A comment's text, valid by construction: trimmed and within the length limits. Comments are short
//! remarks on posts and resources; longer text belongs in an answer.
pub const COMMENT_MIN_CHARS: usize = 2;
pub const COMMENT_MAX_CHARS: usize = 1000;

/// A comment's Markdown, trimmed and within the length limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

/// Why a comment's text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    TooShort,
    TooLong { chars: usize },
}

impl CommentBody {
    pub fn parse(text: &str) -> Result<Self, BodyProblem> {
        let text = text.trim();
        let chars = super::text::weighted_len(text);
        if chars < COMMENT_MIN_CHARS {
            Err(BodyProblem::TooShort)
        } else if chars > COMMENT_MAX_CHARS {
            Err(BodyProblem::TooLong { chars })
        } else {
            Ok(Self(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The review state of a comment (post and resource comments alike).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentStatus {
    Published,
    /// Held by a rule until staff approve it.
    Pending,
    /// Hidden by flags or staff.
    Hidden,
    Deleted,
}

impl CommentStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            CommentStatus::Published => "published",
            CommentStatus::Pending => "pending",
            CommentStatus::Hidden => "hidden",
            CommentStatus::Deleted => "deleted",
        }
    }

    /// Reads a stored value; anything unknown is treated as deleted (shown to nobody).
    pub fn from_stored(value: &str) -> Self {
        match value {
            "published" => CommentStatus::Published,
            "pending" => CommentStatus::Pending,
            "hidden" => CommentStatus::Hidden,
            _ => CommentStatus::Deleted,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_length_is_limited_after_trimming() {
        assert_eq!(CommentBody::parse("  a "), Err(BodyProblem::TooShort));
        assert_eq!(CommentBody::parse("  ok  ").map(|b| b.0), Ok("ok".into()));
        let long = "a".repeat(COMMENT_MAX_CHARS + 1);
        assert_eq!(
            CommentBody::parse(&long),
            Err(BodyProblem::TooLong {
                chars: COMMENT_MAX_CHARS + 1
            })
        );
    }

    #[test]
    fn comment_length_counts_a_chinese_character_twice() {
        assert_eq!(CommentBody::parse("好").map(|b| b.0), Ok("好".into()));
        let half = "字".repeat(COMMENT_MAX_CHARS / 2);
        assert!(CommentBody::parse(&half).is_ok());
        assert_eq!(
            CommentBody::parse(&format!("{half}字")),
            Err(BodyProblem::TooLong {
                chars: COMMENT_MAX_CHARS + 2
            })
        );
    }

    #[test]
    fn stored_statuses_round_trip() {
        for s in [
            CommentStatus::Published,
            CommentStatus::Pending,
            CommentStatus::Hidden,
            CommentStatus::Deleted,
        ] {
            assert_eq!(CommentStatus::from_stored(s.as_str()), s);
        }
    }
}
