//! Server-side syntax highlighting of code blocks with syntect, emitting `hl-` CSS classes.

use std::sync::LazyLock;

use syntect::html::{ClassStyle, ClassedHTMLGenerator};
use syntect::parsing::SyntaxSet;
use syntect::util::LinesWithEndings;

use super::escape::escape_html;

/// Prefix of every highlight class; the stylesheet and the sanitiser both key on it.
pub const CLASS_PREFIX: &str = "hl-";

static SYNTAXES: LazyLock<SyntaxSet> = LazyLock::new(SyntaxSet::load_defaults_newlines);

/// Past these sizes highlighting costs more than it helps; the block stays plain text.
const MAX_HIGHLIGHT_BYTES: usize = 64 * 1024;
const MAX_HIGHLIGHT_LINE_BYTES: usize = 4 * 1024;

/// Reduces a fenced block's info string (` ```Rust title=x `) to a safe language name,
/// usable in a class attribute: lowercase, `[a-z0-9+#._-]`, at most 32 chars.
pub fn language_name(info: &str) -> Option<String> {
    let first = info.split_whitespace().next()?;
    let first = first.split([',', '{']).next().unwrap_or(first);
    let name: String = first
        .chars()
        .flat_map(char::to_lowercase)
        .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '+' | '#' | '.' | '_' | '-'))
        .take(32)
        .collect();
    (!name.is_empty()).then_some(name)
}

/// Renders a code block as `<pre><code class="language-x">` with highlighted spans, or
/// escaped plain text when the language is unknown or the block too large.
pub fn code_block_html(language: Option<&str>, code: &str) -> String {
    let class = language
        .map(|lang| format!(" class=\"language-{}\"", escape_html(lang)))
        .unwrap_or_default();
    let body = language
        .and_then(|lang| highlight(lang, code))
        .unwrap_or_else(|| escape_html(code));
    format!("<pre><code{class}>{body}</code></pre>\n")
}

fn highlight(language: &str, code: &str) -> Option<String> {
    if code.len() > MAX_HIGHLIGHT_BYTES
        || code
            .lines()
            .any(|line| line.len() > MAX_HIGHLIGHT_LINE_BYTES)
    {
        return None;
    }
    let syntax = SYNTAXES.find_syntax_by_token(syntax_token(language))?;
    let mut generator = ClassedHTMLGenerator::new_with_class_style(
        syntax,
        &SYNTAXES,
        ClassStyle::SpacedPrefixed {
            prefix: CLASS_PREFIX,
        },
    );
    for line in LinesWithEndings::from(code) {
        // A regex that gives up mid-block would leave a half-highlighted block; plain is better.
        generator
            .parse_html_for_line_which_includes_newline(line)
            .ok()?;
    }
    Some(generator.finalize())
}

/// Maps names people write after ``` to ones syntect's default set knows.
fn syntax_token(language: &str) -> &str {
    match language {
        "c++" | "cxx" | "hpp" => "cpp",
        "shell" | "console" | "zsh" | "sh" => "bash",
        "golang" => "go",
        "yml" => "yaml",
        "jsonc" | "json5" => "json",
        "py3" | "python3" => "python",
        "rs" => "rust",
        "text" | "plain" | "plaintext" | "txt" => "",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rust_python_and_cpp_get_prefixed_classes() {
        for (lang, code) in [
            ("rust", "fn main() { let x = 1; }\n"),
            ("python", "def f(x):\n    return x\n"),
            ("cpp", "int main() { return 0; }\n"),
            ("c++", "#include <vector>\n"),
        ] {
            let html = code_block_html(Some(lang), code);
            assert!(html.starts_with(&format!("<pre><code class=\"language-{lang}\">")));
            assert!(html.contains("<span class=\"hl-"), "{lang}: {html}");
        }
    }

    #[test]
    fn unknown_language_falls_back_to_escaped_text() {
        let html = code_block_html(Some("nosuchlang"), "<script>x</script>");
        assert_eq!(
            html,
            "<pre><code class=\"language-nosuchlang\">&lt;script&gt;x&lt;/script&gt;</code></pre>\n"
        );
    }

    #[test]
    fn language_name_is_reduced_to_safe_chars() {
        assert_eq!(language_name("Rust ignore"), Some("rust".to_owned()));
        assert_eq!(language_name("c++"), Some("c++".to_owned()));
        assert_eq!(language_name("\"><x"), Some("x".to_owned()));
        assert_eq!(language_name("  "), None);
    }
}
