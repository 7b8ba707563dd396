//! Cross-site request forgery defences: a synchronizer token bound to the session (form field
//! `csrf_token` or header `X-CSRF-Token`), plus a check that the browser says the request came from this
//! site (Sec-Fetch-Site / Origin). A visitor has no session: their forms carry a signed
//! double-submit token instead, a random nonce and its HMAC under a key every instance shares
//! ([`VisitorKey`]); it lives in a cookie and must come back equal in the form, so a visitor's form
//! costs no database row, and a cookie planted by another site fails the signature.
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::Sha256;
use subtle::ConstantTimeEq;

use crate::db::{self, Db, DbError};

pub const FORM_FIELD: &str = "csrf_token";
pub const HEADER: &str = "x-csrf-token";

/// The visitor CSRF cookie's name (`__Host-` prefixed when cookies are secure).
pub fn visitor_cookie_name(secure: bool) -> &'static str {
    if secure {
        "__Host-agora_csrf"
    } else {
        "agora_csrf"
    }
}

/// The key that signs visitors' double-submit tokens.
#[derive(Clone)]
pub struct VisitorKey {
    key: Vec<u8>,
}

impl std::fmt::Debug for VisitorKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("VisitorKey(..)")
    }
}

impl VisitorKey {
    /// The key the instances share, created in `secrets` by the first one to start.
    pub async fn load(db: &Db) -> Result<VisitorKey, DbError> {
        let fresh = super::session::random_token(32);
        let secret = db::secrets::get_or_create(db, "visitor_csrf_key", &fresh).await?;
        Ok(VisitorKey::from_secret(&secret))
    }

    /// A key of this process alone (jobs and tools that serve no forms).
    pub fn ephemeral() -> VisitorKey {
        VisitorKey::from_secret(&super::session::random_token(32))
    }

    fn from_secret(secret: &str) -> VisitorKey {
        VisitorKey {
            key: secret.as_bytes().to_vec(),
        }
    }

    fn mac(&self) -> Hmac<Sha256> {
        // HMAC takes a key of any length.
        Hmac::<Sha256>::new_from_slice(&self.key).unwrap_or_else(|_| unreachable!())
    }

    /// A new token: `nonce.signature`.
    pub fn mint(&self) -> String {
        let nonce = super::session::random_token(16);
        let mut mac = self.mac();
        mac.update(nonce.as_bytes());
        let signature = URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes());
        format!("{nonce}.{signature}")
    }

    /// Whether `token` is one this key signed (constant-time on the signature).
    pub fn verify(&self, token: &str) -> bool {
        let Some((nonce, signature)) = token.split_once('.') else {
            return false;
        };
        let Ok(signature) = URL_SAFE_NO_PAD.decode(signature) else {
            return false;
        };
        let mut mac = self.mac();
        mac.update(nonce.as_bytes());
        !nonce.is_empty() && mac.verify_slice(&signature).is_ok()
    }
}

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
    fn visitor_tokens_verify_only_under_their_key() {
        let key = VisitorKey::from_secret("one key");
        let token = key.mint();
        assert!(key.verify(&token));
        assert_ne!(key.mint(), token, "a new nonce each time");
        assert!(!VisitorKey::from_secret("another key").verify(&token));
        let (nonce, _) = token.split_once('.').expect("two parts");
        assert!(!key.verify(&format!("{nonce}.AAAA")), "a forged signature");
        assert!(!key.verify(nonce), "no signature");
        assert!(!key.verify(""));
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
