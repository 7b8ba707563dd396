//! Cross-site request forgery defences: a synchronizer token bound to the session (form field
//! `csrf_token` or header `X-CSRF-Token`), plus a check that the browser says the request came from this
//! site (Sec-Fetch-Site / Origin).
use subtle::ConstantTimeEq;

pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

/// Compares tokens in constant time.
pub fn tokens_match(expected: &str, given: &str) -> bool {
    !expected.is_empty() && expected.as_bytes().ct_eq(given.as_bytes()).into()
}

/// The `csrf_token` field of a multipart form read from the start of its body (the upload forms put
/// it before the file, so the first few KiB hold it). `None` until the field is complete.
pub fn multipart_token(head: &[u8]) -> Option<String> {
    let marker = b"name=\"csrf_token\"";
    let rest = &head[find(head, marker)? + marker.len()..];
    let value = &rest[find(rest, b"\r\n\r\n")? + 4..];
    let end = find(value, b"\r\n")?;
    std::str::from_utf8(&value[..end]).ok().map(str::to_string)
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// What the browser told us about where a request came from.
pub struct Provenance<'a> {
    pub sec_fetch_site: Option<&'a str>,
    pub origin: Option<&'a str>,
    pub host: &'a str,
}

/// Whether the request is visibly from another site. Browsers that send neither header (old ones,
/// non-browser clients) fall back on the token alone.
pub fn is_cross_site(p: &Provenance<'_>) -> bool {
    if let Some(site) = p.sec_fetch_site {
        return !matches!(site, "same-origin" | "none");
    }
    match p.origin {
        None => false,
        Some("null") => true,
        Some(origin) => {
            let host = origin
                .split_once("://")
                .map_or(origin, |(_, rest)| rest)
                .trim_end_matches('/');
            !host.eq_ignore_ascii_case(p.host)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_token_of_a_multipart_form_is_read_from_its_head() {
        let body = b"--b\r\nContent-Disposition: form-data; name=\"csrf_token\"\r\n\r\nabc123\r\n\
                     --b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n";
        assert_eq!(multipart_token(body).as_deref(), Some("abc123"));
        assert_eq!(multipart_token(&body[..60]), None);
        assert_eq!(
            multipart_token(b"--b\r\nname=\"file\"\r\n\r\nxyz\r\n"),
            None
        );
    }

    #[test]
    fn tokens_must_match_exactly_and_not_be_empty() {
        assert!(tokens_match("abc", "abc"));
        assert!(!tokens_match("abc", "abd"));
        assert!(!tokens_match("abc", ""));
        assert!(!tokens_match("", ""));
    }

    #[test]
    fn cross_site_detection() {
        let p = |sfs, origin| Provenance {
            sec_fetch_site: sfs,
            origin,
            host: "forum.example:8080",
        };
        assert!(!is_cross_site(&p(Some("same-origin"), None)));
        assert!(is_cross_site(&p(Some("cross-site"), None)));
        assert!(is_cross_site(&p(Some("same-site"), None)));
        assert!(!is_cross_site(&p(None, Some("http://forum.example:8080"))));
        assert!(is_cross_site(&p(None, Some("https://evil.example"))));
        assert!(is_cross_site(&p(None, Some("null"))));
        assert!(!is_cross_site(&p(None, None)));
    }
}
