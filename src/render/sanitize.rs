//! The last step of rendering: an explicit ammonia allow-list applied to all generated HTML.
//!
//! The renderer escapes raw HTML from Markdown, so this pass is defence in depth: whatever
//! reaches a reader's browser has been through it. Classes are limited to the families the
//! renderer and stylesheet use; no `style`, no event handlers, and links only to
//! http, https, mailto or relative URLs.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use ammonia::{Builder, UrlRelative};

use super::highlight::CLASS_PREFIX;
use super::links::{is_local_image, EXTERNAL_REL};

/// MathML Core elements that pulldown-latex emits, plus close relatives. No `href` is
/// allowed on any of them (MathML allows links on every element).
const MATHML_TAGS: &[&str] = &[
    "math",
    "semantics",
    "annotation",
    "mrow",
    "mi",
    "mn",
    "mo",
    "ms",
    "mtext",
    "mspace",
    "mfrac",
    "msqrt",
    "mroot",
    "msub",
    "msup",
    "msubsup",
    "munder",
    "mover",
    "munderover",
    "mmultiscripts",
    "mprescripts",
    "none",
    "mtable",
    "mtr",
    "mtd",
    "merror",
    "mpadded",
    "mphantom",
    "mstyle",
];

const MATHML_ATTRIBUTES: &[&str] = &[
    "class",
    "display",
    "mathvariant",
    "stretchy",
    "largeop",
    "movablelimits",
    "symmetric",
    "minsize",
    "maxsize",
    "displaystyle",
    "scriptlevel",
    "linethickness",
    "width",
    "height",
    "depth",
    "encoding",
    "accent",
    "accentunder",
    "lspace",
    "rspace",
    "fence",
    "separator",
    "form",
    "columnalign",
    "rowalign",
    "columnspan",
    "rowspan",
];

const HTML_TAGS: &[&str] = &[
    "p",
    "br",
    "hr",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "blockquote",
    "ul",
    "ol",
    "li",
    "pre",
    "code",
    "em",
    "strong",
    "del",
    "a",
    "img",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "sup",
    "sub",
    "span",
    "div",
    "section",
    "input",
    "dl",
    "dt",
    "dd",
];

static SANITIZER: LazyLock<Builder<'static>> = LazyLock::new(|| {
    let mut tags: HashSet<&'static str> = HTML_TAGS.iter().copied().collect();
    tags.extend(MATHML_TAGS.iter().copied());

    let mut attributes: HashMap<&'static str, HashSet<&'static str>> = HashMap::new();
    let mut allow = |tag: &'static str, attrs: &[&'static str]| {
        attributes
            .entry(tag)
            .or_default()
            .extend(attrs.iter().copied());
    };
    allow("a", &["href", "title", "rel", "class"]);
    allow("img", &["src", "alt", "title", "loading"]);
    allow("code", &["class", "title"]);
    allow("pre", &["class"]);
    allow("span", &["class"]);
    allow("p", &["class"]);
    allow("div", &["class", "id"]);
    allow("section", &["class"]);
    allow("sup", &["class", "id"]);
    allow("li", &["id"]);
    allow("ol", &["start"]);
    allow("th", &["class"]);
    allow("td", &["class"]);
    allow("input", &["type", "checked", "disabled"]);
    for heading in ["h1", "h2", "h3", "h4", "h5", "h6"] {
        allow(heading, &["id"]);
    }
    for tag in MATHML_TAGS {
        allow(tag, MATHML_ATTRIBUTES);
    }

    let mut builder = Builder::empty();
    builder
        .tags(tags)
        .clean_content_tags(["script", "style"].into_iter().collect())
        .tag_attributes(attributes)
        .generic_attributes(HashSet::new())
        .url_schemes(["http", "https", "mailto"].into_iter().collect())
        .url_relative(UrlRelative::PassThrough)
        // rel is written by the renderer only on external links; see `links`.
        .link_rel(None)
        .strip_comments(true)
        .attribute_filter(filter_attribute);
    builder
});

/// Cleans rendered HTML against the allow-list.
pub fn sanitize(html: &str) -> String {
    SANITIZER.clean(html).to_string()
}

/// Narrows allowed attributes to allowed values; returning `None` drops the attribute.
fn filter_attribute<'u>(element: &str, attribute: &str, value: &'u str) -> Option<Cow<'u, str>> {
    match attribute {
        "class" => filter_classes(element, value),
        "rel" => (value == EXTERNAL_REL).then_some(Cow::Borrowed(value)),
        "type" => (value == "checkbox").then_some(Cow::Borrowed(value)),
        "loading" => (value == "lazy").then_some(Cow::Borrowed(value)),
        // Remote images must never load without the reader's consent (their IP would leak).
        "src" if element == "img" => is_local_image(value).then_some(Cow::Borrowed(value)),
        "id" => is_safe_id(value).then_some(Cow::Borrowed(value)),
        _ => Some(Cow::Borrowed(value)),
    }
}

fn filter_classes<'u>(element: &str, value: &'u str) -> Option<Cow<'u, str>> {
    let kept: Vec<&str> = value
        .split_ascii_whitespace()
        .filter(|class| class_allowed(element, class))
        .collect();
    if kept.is_empty() {
        None
    } else if kept.join(" ") == value {
        Some(Cow::Borrowed(value))
    } else {
        Some(Cow::Owned(kept.join(" ")))
    }
}

fn class_allowed(element: &str, class: &str) -> bool {
    match element {
        "span" => class.starts_with(CLASS_PREFIX),
        "code" => class.starts_with("language-") || class == "math-error",
        "pre" => class == "mermaid",
        "a" => matches!(class, "remote-image" | "footnote-backref"),
        "p" => class == "math-display",
        "div" => class == "footnote-definition",
        "section" => class == "footnotes",
        "sup" => matches!(class, "footnote-reference" | "footnote-definition-label"),
        "th" | "td" => matches!(class, "align-left" | "align-center" | "align-right"),
        _ if MATHML_TAGS.contains(&element) => {
            class.starts_with("menv-") || class.starts_with("cell-")
        }
        _ => false,
    }
}

/// Ids come from the renderer's slugs; anything else is refused.
fn is_safe_id(value: &str) -> bool {
    !value.is_empty()
        && value.len() <= 200
        && value
            .chars()
            .all(|c| c.is_alphanumeric() || matches!(c, '-' | '_'))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_highlight_and_math_markup() {
        let html = "<pre><code class=\"language-rust\"><span class=\"hl-source hl-rust\">fn</span></code></pre>\
                    <math display=\"block\"><mfrac><mi>a</mi><mi>b</mi></mfrac></math>";
        assert_eq!(sanitize(html), html);
    }

    #[test]
    fn drops_unknown_classes_styles_and_handlers() {
        let out = sanitize(
            "<span class=\"hl-x evil\" style=\"color:red\" onclick=\"x()\">a</span><b class=\"x\">b</b>",
        );
        assert_eq!(out, "<span class=\"hl-x\">a</span>b");
    }

    #[test]
    fn remote_img_src_is_removed() {
        let out = sanitize(
            "<img src=\"https://evil.example/t.png\" alt=\"t\"><img src=\"/uploads/a.png\">",
        );
        assert_eq!(out, "<img alt=\"t\"><img src=\"/uploads/a.png\">");
    }

    #[test]
    fn mathml_links_are_removed() {
        let out = sanitize(
            "<math><mi href=\"javascript:alert(1)\" xlink:href=\"javascript:alert(1)\">x</mi></math>",
        );
        assert!(!out.contains("href"), "{out}");
    }
}
