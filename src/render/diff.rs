//! Readable diffs between two Markdown revisions: changed lines with changed words marked.

use std::collections::{HashMap, HashSet};
use std::fmt::Write;
use std::sync::LazyLock;
use std::time::Duration;

use ammonia::Builder;
use similar::{Algorithm, ChangeTag, TextDiff};

use super::escape::escape_html;

/// Unchanged lines shown around each change.
const CONTEXT_LINES: usize = 3;

/// Diffing is quadratic in the worst case; past this it settles for a coarser result.
const DIFF_TIMEOUT: Duration = Duration::from_millis(500);

static DIFF_SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut classes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    classes.insert(
        "div",
        [
            "revision-diff",
            "diff-hunk",
            "diff-gap",
            "diff-line",
            "diff-equal",
            "diff-delete",
            "diff-insert",
            "diff-none",
        ]
        .into_iter()
        .collect(),
    );
    classes.insert("span", ["diff-sign"].into_iter().collect());
    let mut builder = Builder::empty();
    builder
        .tags(["div", "span", "ins", "del"].into_iter().collect())
        .allowed_classes(classes)
        .link_rel(None);
    builder
});

/// Renders the changes from `old` to `new` as sanitised HTML: one `div.diff-line` per line
/// (`diff-equal`, `diff-delete` or `diff-insert`), changed words inside changed lines wrapped
/// in `<del>`/`<ins>`, hunks separated by `div.diff-gap`.
pub fn revision_diff_html(old: &str, new: &str) -> String {
    let diff = TextDiff::configure()
        .algorithm(Algorithm::Patience)
        .timeout(DIFF_TIMEOUT)
        .diff_lines(old, new);
    let groups = diff.grouped_ops(CONTEXT_LINES);
    let mut html = String::from("<div class=\"revision-diff\">");
    if groups.is_empty() {
        html.push_str("<div class=\"diff-none\">No changes.</div>");
    }
    for (index, group) in groups.iter().enumerate() {
        if index > 0 {
            html.push_str("<div class=\"diff-gap\">\u{22ef}</div>");
        }
        html.push_str("<div class=\"diff-hunk\">");
        for op in group {
            for change in diff.iter_inline_changes(op) {
                let (class, sign, mark) = match change.tag() {
                    ChangeTag::Equal => ("diff-equal", ' ', ""),
                    ChangeTag::Delete => ("diff-delete", '-', "del"),
                    ChangeTag::Insert => ("diff-insert", '+', "ins"),
                };
                let _ = write!(
                    html,
                    "<div class=\"diff-line {class}\"><span class=\"diff-sign\">{sign}</span>"
                );
                for (emphasised, value) in change.iter_strings_lossy() {
                    let value = escape_html(value.trim_end_matches(['\n', '\r']));
                    if emphasised && !mark.is_empty() {
                        let _ = write!(html, "<{mark}>{value}</{mark}>");
                    } else {
                        html.push_str(&value);
                    }
                }
                html.push_str("</div>");
            }
        }
        html.push_str("</div>");
    }
    html.push_str("</div>");
    DIFF_SANITIZER.clean(&html).to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changed_words_are_marked() {
        let html = revision_diff_html(
            "line one\nthe cat sat\nend\n",
            "line one\nthe dog sat\nend\n",
        );
        assert!(
            html.contains("<div class=\"diff-line diff-delete\">"),
            "{html}"
        );
        assert!(html.contains("<del>cat</del>"), "{html}");
        assert!(html.contains("<ins>dog</ins>"), "{html}");
        assert!(html.contains("<div class=\"diff-line diff-equal\"><span class=\"diff-sign\"> </span>line one</div>"), "{html}");
    }

    #[test]
    fn markup_in_revisions_is_escaped() {
        let html = revision_diff_html("", "<script>alert(1)</script>\n<img src=x onerror=y>");
        assert!(!html.contains("<script"), "{html}");
        assert!(!html.contains("<img"), "{html}");
        assert!(html.contains("&lt;script&gt;"), "{html}");
    }

    #[test]
    fn identical_revisions_say_so() {
        assert!(revision_diff_html("same", "same").contains("diff-none"));
    }

    #[test]
    fn chinese_lines_diff_without_panicking() {
        let html = revision_diff_html("模型训练很慢。\n", "模型推理很快。\n");
        assert!(html.contains("diff-insert"), "{html}");
    }
}
