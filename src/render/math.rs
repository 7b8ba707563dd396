//! LaTeX math to MathML on the server, so readers need no math JavaScript.

use std::panic::{catch_unwind, AssertUnwindSafe};

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{push_mathml, Parser, RenderConfig, Storage};

use super::escape::escape_html;

/// Formulas longer than this are shown as source: MathML for them would be huge and
/// nobody writes a legitimate formula this long.
const MAX_SOURCE_CHARS: usize = 8_000;

/// Renders one formula to a `<math>` element, or to `<code class="math-error">` holding
/// the escaped source when the LaTeX is invalid. Never panics.
pub fn render_math(source: &str, display: bool) -> String {
    match to_mathml(source, display) {
        Ok(mathml) => mathml,
        Err(reason) => error_html(source, display, &reason),
    }
}

fn to_mathml(source: &str, display: bool) -> Result<String, String> {
    if source.trim().is_empty() {
        return Err("empty formula".to_owned());
    }
    if source.chars().count() > MAX_SOURCE_CHARS {
        return Err("formula too long".to_owned());
    }
    let storage = Storage::new();
    // Collecting first lets a parse error show the source instead of a half-written formula.
    let mut events = Vec::new();
    for event in Parser::new(source, &storage) {
        match event {
            Ok(event) => events.push(event),
            Err(error) => return Err(first_line(&error.to_string())),
        }
    }
    let config = RenderConfig {
        display_mode: if display {
            DisplayMode::Block
        } else {
            DisplayMode::Inline
        },
        ..RenderConfig::default()
    };
    // The MathML writer is third-party code fed by user input; a panic in it must cost
    // one formula, not the request.
    let written = catch_unwind(AssertUnwindSafe(|| {
        let mut out = String::new();
        let ok = events.into_iter().map(Ok::<_, std::io::Error>);
        push_mathml(&mut out, ok, config).map(|()| out)
    }));
    match written {
        Ok(Ok(out)) => Ok(out),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("formula could not be rendered".to_owned()),
    }
}

fn first_line(message: &str) -> String {
    message
        .lines()
        .next()
        .unwrap_or("invalid formula")
        .to_owned()
}

fn error_html(source: &str, display: bool, reason: &str) -> String {
    let code = format!(
        "<code class=\"math-error\" title=\"LaTeX error: {}\">{}</code>",
        escape_html(reason),
        escape_html(source)
    );
    if display {
        format!("<p class=\"math-display\">{code}</p>")
    } else {
        code
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inline_fraction_becomes_mathml() {
        let html = render_math(r"\frac{a}{b}", false);
        assert!(html.starts_with("<math display=\"inline\""), "{html}");
        assert!(html.contains("<mfrac"), "{html}");
    }

    #[test]
    fn display_math_is_block() {
        let html = render_math(r"\sum_{i=1}^{n} i", true);
        assert!(html.starts_with("<math display=\"block\""), "{html}");
        assert!(html.contains("<munderover"), "{html}");
    }

    #[test]
    fn invalid_latex_shows_escaped_source() {
        let html = render_math(r"\frac{<b>}{", false);
        assert!(html.contains("class=\"math-error\""), "{html}");
        assert!(html.contains("&lt;b&gt;"), "{html}");
        assert!(!html.contains("<b>"), "{html}");
    }

    #[test]
    fn hostile_macros_do_not_hang_or_panic() {
        let bomb = r"\def\a{xxxxxxxx}\def\b{\a\a\a\a\a\a\a\a}\def\c{\b\b\b\b\b\b\b\b}\def\d{\c\c\c\c\c\c\c\c}\d\d\d\d";
        let _ = render_math(bomb, true);
        let _ = render_math(r"\def\x{\x}\x", false);
        let _ = render_math(&"{".repeat(5000), false);
        let _ = render_math(r"\begin{matrix}", true);
    }
}
