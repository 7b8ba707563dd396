//! Markdown pipeline: parse -> math -> highlight -> sanitise -> HTML; excerpts; text for search.
//!
//! Posts and comments are rendered once, when written, and the HTML is stored; the stored
//! [`RENDERER_VERSION`] tells `agora reindex` which ones to render again.

mod budget;
pub mod diff;
mod escape;
mod excerpt;
mod highlight;
pub mod ical;
mod links;
mod markdown;
mod math;
mod mentions;
mod preprocess;
mod sanitize;
mod slug;
pub mod text;

pub use budget::{Limits, RenderError};
pub use escape::escape_html;
pub use excerpt::excerpt;
pub use links::EXTERNAL_REL;
pub use mentions::mentions_in;
pub use text::cjk_sentences;

use markdown::Mode;

/// Bump whenever the HTML produced for the same Markdown changes. 2: the cost caps (formulas past
/// their MathML budget show their source; padding of short table rows capped per post), so that
/// `agora reindex` re-renders content stored before them.
pub const RENDERER_VERSION: i64 = 2;

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
/// Mermaid diagrams. Raw HTML is shown as text. Content whose HTML or CPU time would pass
/// `limits` is refused; see [`budget`] for the caps inside (math, table padding).
///
/// This runs on the calling thread: request handlers use [`post`], which runs it on the
/// blocking pool.
pub fn render_post(markdown: &str, limits: Limits) -> Result<Rendered, RenderError> {
    render(markdown, Mode::Post, limits)
}

/// Renders a comment: emphasis, code spans, links and inline math only. Headings, lists,
/// quotes and code blocks become plain paragraphs; images become links.
pub fn render_comment(markdown: &str, limits: Limits) -> Result<Rendered, RenderError> {
    render(markdown, Mode::Comment, limits)
}

/// [`render_post`] on the blocking pool, so a slow render never holds an async worker.
pub async fn post(markdown: &str, limits: Limits) -> Result<Rendered, RenderError> {
    off_the_workers(markdown, Mode::Post, limits).await
}

/// [`render_comment`] on the blocking pool.
pub async fn comment(markdown: &str, limits: Limits) -> Result<Rendered, RenderError> {
    off_the_workers(markdown, Mode::Comment, limits).await
}

/// For content that was accepted before and must be shown anyway (re-rendering stored posts,
/// text the forum wrote itself): when it no longer fits `limits` its escaped source is shown.
pub fn render_post_or_source(markdown: &str, limits: Limits) -> Rendered {
    render_post(markdown, limits).unwrap_or_else(|_| source_only(markdown))
}

/// [`render_post_or_source`] for comments and bios.
pub fn render_comment_or_source(markdown: &str, limits: Limits) -> Rendered {
    render_comment(markdown, limits).unwrap_or_else(|_| source_only(markdown))
}

async fn off_the_workers(
    markdown: &str,
    mode: Mode,
    limits: Limits,
) -> Result<Rendered, RenderError> {
    let markdown = markdown.to_owned();
    match tokio::task::spawn_blocking(move || render(&markdown, mode, limits)).await {
        Ok(result) => result,
        // The render panicked or the runtime is shutting down: refused like an over-budget one,
        // which keeps the author's text on the form.
        Err(_) => Err(RenderError::TooSlow {
            budget: limits.cpu_budget,
        }),
    }
}

fn render(markdown: &str, mode: Mode, limits: Limits) -> Result<Rendered, RenderError> {
    let output = markdown::render(markdown, mode, limits)?;
    let summary_source = if output.prose.is_empty() {
        &output.text
    } else {
        &output.prose
    };
    let html = sanitize::sanitize(&output.html);
    if html.len() > limits.max_html_bytes {
        return Err(RenderError::TooLarge {
            limit_bytes: limits.max_html_bytes,
        });
    }
    Ok(Rendered {
        html,
        excerpt: excerpt(summary_source, EXCERPT_CHARS),
        text: output.text,
        mentions: output.mentions,
        has_math: output.has_math,
        has_mermaid: output.has_mermaid,
    })
}

/// The source as preformatted, escaped text: always small, always safe.
fn source_only(markdown: &str) -> Rendered {
    Rendered {
        html: format!("<pre>{}</pre>\n", escape::escape_html(markdown)),
        text: markdown.to_owned(),
        excerpt: excerpt(markdown, EXCERPT_CHARS),
        mentions: Vec::new(),
        has_math: false,
        has_mermaid: false,
    }
}

#[cfg(test)]
mod tests;
