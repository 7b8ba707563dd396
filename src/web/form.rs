//! Form errors shown next to their fields, translated for the reader.
use crate::domain::{BodyProblem, FieldError, COMMENT_MAX_CHARS, COMMENT_MIN_CHARS};
use crate::i18n::Catalog;
use crate::render::RenderError;

#[derive(Default)]
pub struct FormErrors {
    entries: Vec<(&'static str, String)>,
}

impl FormErrors {
    pub fn add(&mut self, error: &FieldError, t: &Catalog) {
        let mut text = t.get(error.key).to_string();
        if let Some(detail) = &error.detail {
            text = format!("{text} ({detail})");
        }
        self.entries.push((error.field, text));
    }

    pub fn add_key(&mut self, field: &'static str, key: &'static str, t: &Catalog) {
        self.add(&FieldError::new(field, key), t);
    }

    pub fn add_text(&mut self, field: &'static str, text: String) {
        self.entries.push((field, text));
    }

    /// Content the renderer refused (too large or too slow to render), on the field it came from.
    pub fn add_render(&mut self, field: &'static str, error: &RenderError, t: &Catalog) {
        self.add_text(field, render_message(error, t));
    }

    pub fn get(&self, field: &str) -> Option<&str> {
        self.entries
            .iter()
            .find(|(f, _)| *f == field)
            .map(|(_, m)| m.as_str())
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    pub fn all(&self) -> impl Iterator<Item = &str> {
        self.entries.iter().map(|(_, m)| m.as_str())
    }
}

/// Where a comment goes: the messages differ a little (a long post comment is pointed at answers).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentPlace {
    Post,
    Resource,
}

/// Why a comment's text was refused, as the reader is told it.
pub fn comment_problem(problem: BodyProblem, place: CommentPlace, t: &Catalog) -> String {
    let (short, long) = match place {
        CommentPlace::Post => ("comment.error_short", "comment.error_long"),
        CommentPlace::Resource => (
            "resource.comment_error_short",
            "resource.comment_error_long",
        ),
    };
    match problem {
        BodyProblem::TooShort => t.fill(short, &[("min", &COMMENT_MIN_CHARS.to_string())]),
        BodyProblem::TooLong { chars } => t.fill(
            long,
            &[
                ("max", &COMMENT_MAX_CHARS.to_string()),
                ("chars", &chars.to_string()),
            ],
        ),
    }
}

/// The author-facing sentence for a refused render, naming the limit.
pub fn render_message(error: &RenderError, t: &Catalog) -> String {
    t.fill(error.message_key(), &[("limit", &error.limit_text())])
}

/// A form with just the render refusal on `field`.
pub fn render_errors(field: &'static str, error: &RenderError, t: &Catalog) -> FormErrors {
    let mut errors = FormErrors::default();
    errors.add_render(field, error, t);
    errors
}
