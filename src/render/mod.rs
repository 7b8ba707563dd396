//! Markdown pipeline: parse -> math -> highlight -> sanitise -> HTML; excerpts; text for search.
//!
//! Posts and comments are rendered once, when written, and the HTML is stored; the stored
//! [`RENDERER_VERSION`] tells `agora reindex` which ones to render again.

pub mod diff;
mod escape;
mod excerpt;
mod highlight;
mod links;
mod markdown;
mod math;
mod mentions;
mod preprocess;
mod sanitize;
mod slug;
pub mod text;

pub use excerpt::excerpt;
pub use links::EXTERNAL_REL;
pub use text::cjk_sentences;

use markdown::Mode;

/// Bump whenever the HTML produced for the same Markdown changes.
pub const RENDERER_VERSION: i64 = 1;

/// Length of [`Rendered::excerpt`] in characters, ellipsis included.
pub const EXCERPT_CHARS: usize = 200;

/// A rendered piece of user content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rendered {
    /// Sanitised HTML, safe to mark as such in templates.
    pub html: String,
    /// Plain text for search and summaries: code and formula sources included, no markup.
    pub text: String,
    /// About [`EXCERPT_CHARS`] characters of prose (code blocks left out), ending in `…` if cut.
    pub excerpt: String,
    /// Distinct `@username` mentions outside code and links, in order of appearance.
    pub mentions: Vec<String>,
    pub has_math: bool,
    /// Pages with diagrams load `static/js/mermaid-init.js`.
    pub has_mermaid: bool,
}

/// Renders an article, question or answer: CommonMark with GFM tables, strikethrough, task
/// lists and footnotes, heading anchors, `$…$`/`$$…$$` math as MathML, highlighted code and
/// Mermaid diagrams. Raw HTML is shown as text.
pub fn render_post(markdown: &str) -> Rendered {
    render(markdown, Mode::Post)
}

/// Renders a comment: emphasis, code spans, links and inline math only. Headings, lists,
/// quotes and code blocks become plain paragraphs; images become links.
pub fn render_comment(markdown: &str) -> Rendered {
    render(markdown, Mode::Comment)
}

fn render(markdown: &str, mode: Mode) -> Rendered {
    let output = markdown::render(markdown, mode);
    let summary_source = if output.prose.is_empty() {
        &output.text
    } else {
        &output.prose
    };
    Rendered {
        html: sanitize::sanitize(&output.html),
        excerpt: excerpt(summary_source, EXCERPT_CHARS),
        text: output.text,
        mentions: output.mentions,
        has_math: output.has_math,
        has_mermaid: output.has_mermaid,
    }
}

#[cfg(test)]
mod tests;
