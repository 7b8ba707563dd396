//! Link and image policy: which URLs may be linked, which are external, and how images load.
//!
//! The renderer has no notion of the site's own host, so every absolute http(s) URL is
//! treated as external and gets `rel="nofollow ugc noopener"`; links inside the forum are
//! written as relative paths (`/questions/1`). Remote images are never embedded: they become
//! a click-to-load link so that viewing a post does not reveal readers' IP addresses to
//! third-party hosts. Only images served by the forum itself become `<img>`.

use url::Url;

use super::escape::escape_html;

/// `rel` for links that leave the site: no ranking credit for user content, no `window.opener`.
pub const EXTERNAL_REL: &str = "nofollow ugc noopener";

/// What a Markdown link destination turns into.
#[derive(Debug, PartialEq, Eq)]
pub enum Href {
    /// Same-site path or fragment, linked as written.
    Relative(String),
    /// Absolute http(s) or protocol-relative URL, linked with [`EXTERNAL_REL`].
    External(String),
    /// `mailto:` address.
    Mail(String),
    /// Any other scheme (`javascript:`, `data:`, `vbscript:`, ...): not linked at all.
    Refused,
}

/// Classifies a link destination. Parsing with a real URL parser (rather than prefix checks)
/// sees through case tricks, entities already decoded by the Markdown parser, and
/// embedded tabs or newlines.
pub fn classify(dest: &str) -> Href {
    let dest = dest.trim();
    // Browsers read `\\host` and `/\host` like `//host`: another site.
    let mut lead = dest.chars().take(2);
    if lead.next().is_some_and(|c| c == '/' || c == '\\')
        && lead.next().is_some_and(|c| c == '/' || c == '\\')
    {
        return Href::External(dest.to_owned());
    }
    match Url::parse(dest) {
        // The author's spelling is kept; the parse only decides the scheme.
        Ok(url) => match url.scheme() {
            "http" | "https" => Href::External(dest.to_owned()),
            "mailto" => Href::Mail(dest.to_owned()),
            _ => Href::Refused,
        },
        Err(url::ParseError::RelativeUrlWithoutBase) => {
            // `url` accepts some odd inputs as relative; refuse anything with a colon before
            // the first slash, which a browser could read as a scheme.
            let head = dest.split(['/', '?', '#']).next().unwrap_or("");
            if head.contains(':') || dest.chars().any(char::is_control) {
                Href::Refused
            } else {
                Href::Relative(dest.to_owned())
            }
        }
        Err(_) => Href::Refused,
    }
}

/// Images the forum serves itself; only these load without a click.
pub fn is_local_image(src: &str) -> bool {
    (src.starts_with("/static/") || src.starts_with("/uploads/"))
        && !src.chars().any(|c| c.is_control() || c == '\\')
}

/// The opening `<a>` for a classified link, or `None` when the link is refused.
pub fn anchor_open(href: &Href, title: &str) -> Option<String> {
    let (url, rel) = match href {
        Href::Relative(url) | Href::Mail(url) => (url, ""),
        Href::External(url) => (url, EXTERNAL_REL),
        Href::Refused => return None,
    };
    let mut html = format!("<a href=\"{}\"", escape_html(url));
    if !title.is_empty() {
        html.push_str(&format!(" title=\"{}\"", escape_html(title)));
    }
    if !rel.is_empty() {
        html.push_str(&format!(" rel=\"{rel}\""));
    }
    html.push('>');
    Some(html)
}

/// An image: `<img loading="lazy">` when local, a click-to-load link when remote, and just
/// its alt text otherwise.
pub fn image_html(src: &str, alt: &str, title: &str) -> String {
    let src = src.trim();
    if is_local_image(src) {
        let mut html = format!(
            "<img src=\"{}\" alt=\"{}\" loading=\"lazy\"",
            escape_html(src),
            escape_html(alt)
        );
        if !title.is_empty() {
            html.push_str(&format!(" title=\"{}\"", escape_html(title)));
        }
        html.push('>');
        return html;
    }
    match classify(src) {
        Href::External(url) => {
            let host = Url::parse(&url)
                .ok()
                .and_then(|u| u.host_str().map(str::to_owned))
                .unwrap_or_default();
            let label = if alt.trim().is_empty() { "image" } else { alt };
            format!(
                "<a class=\"remote-image\" href=\"{}\" rel=\"{EXTERNAL_REL}\" title=\"{}\">{} ({})</a>",
                escape_html(&url),
                escape_html(&format!("Load image from {host}")),
                escape_html(label),
                escape_html(&host)
            )
        }
        _ => escape_html(alt),
    }
}

/// Splits text into pieces, marking bare `http(s)://` URLs (GFM's extended autolinks) so
/// they can be linked. A URL ends at whitespace, a non-ASCII character (`。` right after a
/// link is common in Chinese) or `<>"\``; trailing punctuation and an unbalanced `)` are
/// left out of it.
pub fn split_bare_urls(text: &str) -> Vec<(bool, &str)> {
    let mut pieces = Vec::new();
    let mut plain_start = 0;
    let mut from = 0;
    while let Some(start) = find_url_start(text, from) {
        let end = start + url_len(&text[start..]);
        from = end;
        if text[start..end].ends_with("://") {
            continue;
        }
        if start > plain_start {
            pieces.push((false, &text[plain_start..start]));
        }
        pieces.push((true, &text[start..end]));
        plain_start = end;
    }
    if plain_start < text.len() {
        pieces.push((false, &text[plain_start..]));
    }
    pieces
}

/// Length in bytes of the URL at the start of `tail`.
fn url_len(tail: &str) -> usize {
    let mut end = tail
        .find(|c: char| !c.is_ascii_graphic() || matches!(c, '<' | '>' | '"' | '`'))
        .unwrap_or(tail.len());
    // Only ASCII is left in `tail[..end]`, so stepping back one byte stays on a boundary.
    while let Some(last) = tail[..end].chars().last() {
        let url = &tail[..end];
        let unbalanced_paren = last == ')' && url.matches('(').count() < url.matches(')').count();
        if matches!(
            last,
            '.' | ',' | ':' | ';' | '!' | '?' | '\'' | '*' | '_' | '~'
        ) || unbalanced_paren
        {
            end -= 1;
        } else {
            break;
        }
    }
    end
}

/// Byte offset (at or after `from`) of the next `http://` or `https://` that does not
/// continue an ASCII word.
fn find_url_start(text: &str, from: usize) -> Option<usize> {
    let mut from = from;
    while let Some(found) = text.get(from..)?.find("http") {
        let at = from + found;
        let tail = &text[at..];
        let word_before = text[..at]
            .chars()
            .last()
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '/');
        if !word_before && (tail.starts_with("http://") || tail.starts_with("https://")) {
            return Some(at);
        }
        from = at + "http".len();
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn script_schemes_are_refused_in_any_disguise() {
        for dest in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            " javascript:alert(1)",
            "java\tscript:alert(1)",
            "java\nscript:alert(1)",
            "data:text/html,<script>alert(1)</script>",
            "vbscript:msgbox(1)",
            "\u{1}javascript:alert(1)",
        ] {
            assert_eq!(classify(dest), Href::Refused, "{dest:?}");
        }
    }

    #[test]
    fn relative_and_external_links_are_told_apart() {
        assert_eq!(
            classify("/questions/1"),
            Href::Relative("/questions/1".into())
        );
        assert_eq!(classify("#intro"), Href::Relative("#intro".into()));
        assert_eq!(
            classify("https://example.com/a"),
            Href::External("https://example.com/a".into())
        );
        assert_eq!(
            classify("//example.com/a"),
            Href::External("//example.com/a".into())
        );
        assert_eq!(
            classify("/\\example.com/a"),
            Href::External("/\\example.com/a".into())
        );
    }

    #[test]
    fn remote_images_become_click_to_load_links() {
        let html = image_html("https://img.example.org/cat.png", "a cat", "");
        assert!(
            html.starts_with("<a class=\"remote-image\" href=\"https://img.example.org/cat.png\"")
        );
        assert!(html.contains("a cat (img.example.org)"));
        assert!(!html.contains("<img"));
    }

    #[test]
    fn local_images_load_lazily() {
        assert_eq!(
            image_html("/uploads/1.png", "one", ""),
            "<img src=\"/uploads/1.png\" alt=\"one\" loading=\"lazy\">"
        );
        assert_eq!(image_html("javascript:x", "alt<", ""), "alt&lt;");
    }

    #[test]
    fn bare_urls_are_found_and_trimmed() {
        assert_eq!(
            split_bare_urls("see https://example.com/a_(b). 以及http://x.org/p。"),
            vec![
                (false, "see "),
                (true, "https://example.com/a_(b)"),
                (false, ". 以及"),
                (true, "http://x.org/p"),
                (false, "。"),
            ]
        );
        assert_eq!(
            split_bare_urls("(https://example.com/x) https:// xhttp://no"),
            vec![
                (false, "("),
                (true, "https://example.com/x"),
                (false, ") https:// xhttp://no"),
            ]
        );
    }
}
