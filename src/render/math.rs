//! LaTeX math to MathML on the server, so readers need no math JavaScript.

use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};

use pulldown_latex::config::DisplayMode;
use pulldown_latex::{write_mathml, Parser, RenderConfig, Storage};

use super::budget::Budget;
use super::escape::escape_html;

/// Formulas longer than this are shown as source: MathML for them would be huge and
/// nobody writes a legitimate formula this long.
const MAX_SOURCE_CHARS: usize = 8_000;

/// The smallest MathML a formula can have (`<math display="inline"><mi>x</mi></math>`): with less
/// left of the post's math budget, formulas are shown as source without trying.
const MIN_MATHML_BYTES: usize = 40;

/// Renders one formula to a `<math>` element, or to `<code class="math-error">` holding
/// the escaped source when the LaTeX is invalid or its MathML would pass what `budget` allows
/// (per formula and per post). Never panics.
pub fn render_math(source: &str, display: bool, budget: &mut Budget) -> String {
    match to_mathml(source, display, budget) {
        Ok(mathml) => {
            budget.spend_mathml(mathml.len());
            mathml
        }
        Err(reason) => error_html(source, display, &reason),
    }
}

fn to_mathml(source: &str, display: bool, budget: &mut Budget) -> Result<String, String> {
    if source.trim().is_empty() {
        return Err("empty formula".to_owned());
    }
    if source.chars().count() > MAX_SOURCE_CHARS {
        return Err("formula too long".to_owned());
    }
    let allowance = budget.formula_allowance(source.len());
    if allowance < MIN_MATHML_BYTES {
        return Err(TOO_LARGE.to_owned());
    }
    // Every event writes at least a few bytes, so this many events cannot fit the allowance;
    // stopping here also bounds the memory a macro that repeats its argument can take.
    let max_events = allowance / 4 + 16;
    let storage = Storage::new();
    // Collecting first lets a parse error show the source instead of a half-written formula.
    let mut events = Vec::new();
    for event in Parser::new(source, &storage) {
        match event {
            Ok(event) => events.push(event),
            Err(error) => return Err(first_line(&error.to_string())),
        }
        if events.len() > max_events {
            return Err(TOO_LARGE.to_owned());
        }
        if events.len() % 1024 == 0 && !budget.check_time() {
            return Err(TOO_LARGE.to_owned());
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
        let mut out = CappedWriter {
            bytes: Vec::new(),
            cap: allowance,
        };
        let ok = events.into_iter().map(Ok::<_, io::Error>);
        write_mathml(&mut out, ok, config).map(|()| out.bytes)
    }));
    match written {
        Ok(Ok(bytes)) => String::from_utf8(bytes).map_err(|_| "invalid MathML".to_owned()),
        Ok(Err(error)) if error.kind() == io::ErrorKind::OutOfMemory => Err(TOO_LARGE.to_owned()),
        Ok(Err(error)) => Err(error.to_string()),
        Err(_) => Err("formula could not be rendered".to_owned()),
    }
}

const TOO_LARGE: &str = "formula too large";

/// Collects MathML up to `cap` bytes and fails the write past it, so an exploding formula
/// stops at its allowance instead of filling memory first.
struct CappedWriter {
    bytes: Vec<u8>,
    cap: usize,
}

impl io::Write for CappedWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.bytes.len().saturating_add(buf.len()) > self.cap {
            return Err(io::Error::new(io::ErrorKind::OutOfMemory, TOO_LARGE));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
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
    use super::super::budget::{Limits, MAX_FORMULA_MATHML_BYTES, MAX_POST_MATHML_BYTES};
    use super::*;

    fn render_math(source: &str, display: bool) -> String {
        super::render_math(source, display, &mut Budget::new(Limits::default()))
    }

    /// A macro that writes its argument 32 times, applied to itself: 1 024 copies of a long
    /// argument from under 700 characters of source.
    fn repeating_macro_formula() -> String {
        let body = "#1".repeat(32);
        let argument = r"\frac{\alpha_{i}^{2}}{\beta_{j}+\gamma}\sqrt{x_{k}}".repeat(11);
        format!(r"\def\f#1{{{body}}}\f{{\f{{{argument}}}}}")
    }

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

    #[test]
    fn a_formula_past_its_mathml_allowance_shows_its_source() {
        let formula = repeating_macro_formula();
        assert!((600..=700).contains(&formula.len()), "{}", formula.len());
        let html = render_math(&formula, true);
        assert!(html.contains("class=\"math-error\""), "{}", &html[..200]);
        assert!(html.contains("formula too large"));
        assert!(html.len() < 2 * formula.len(), "{}", html.len());
    }

    #[test]
    fn formulas_past_the_post_budget_show_their_source() {
        let mut budget = Budget::new(Limits::default());
        budget.spend_mathml(MAX_POST_MATHML_BYTES - 10);
        let html = super::render_math(r"\frac{a}{b}", false, &mut budget);
        assert!(html.contains("math-error"), "{html}");
        const { assert!(MAX_FORMULA_MATHML_BYTES <= MAX_POST_MATHML_BYTES) };
    }
}
