//! Personal access tokens for the JSON API: `agora_` and 256 random bits, shown once; only the
//! SHA-256 is stored. A token acts as its member, within its scope: `read` may only read, `write`
//! may also write. It is sent as `Authorization: Bearer <token>` and is never an ambient credential
//! (a browser does not add it to a cross-site request), so requests carrying one need no CSRF token.
use super::session::{hash_id, random_token};
use super::CurrentUser;
use crate::db::{self, Db, DbError};

/// What every token starts with, so a leaked one is recognisable (and secret scanners can match it).
pub const PREFIX: &str = "agora_";

/// Refresh `last_used_at` at most this often.
const TOUCH_INTERVAL_SECS: i64 = 60;

/// What a token may do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenScope {
    Read,
    Write,
}

impl TokenScope {
    pub fn parse(text: &str) -> Option<TokenScope> {
        match text.trim() {
            "read" => Some(TokenScope::Read),
            "write" => Some(TokenScope::Write),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            TokenScope::Read => "read",
            TokenScope::Write => "write",
        }
    }

    pub fn may_write(self) -> bool {
        self == TokenScope::Write
    }
}

/// A new token (shown to its member once, never stored).
pub fn new_token() -> String {
    format!("{PREFIX}{}", random_token(32))
}

/// What the database stores and looks tokens up by.
pub fn hash(token: &str) -> String {
    hash_id(token.trim())
}

/// The token in an `Authorization` header value, if it is a Bearer one.
pub fn bearer(header: &str) -> Option<&str> {
    let (scheme, token) = header.trim().split_once(' ')?;
    scheme
        .eq_ignore_ascii_case("bearer")
        .then(|| token.trim())
        .filter(|t| !t.is_empty())
}

/// The member and scope a live token stands for. A revoked or unknown token, or one of a suspended
/// or deleted member, stands for nobody.
pub async fn authenticate(
    db: &Db,
    token: &str,
) -> Result<Option<(CurrentUser, TokenScope)>, DbError> {
    let Some(owner) = db::api_tokens::owner_by_hash(db, &hash(token)).await? else {
        return Ok(None);
    };
    let now = db::now();
    if owner.deleted || owner.suspended_until.is_some_and(|until| until > now) {
        return Ok(None);
    }
    let Some(scope) = TokenScope::parse(&owner.scope) else {
        return Ok(None);
    };
    if owner
        .last_used_at
        .is_none_or(|at| now - at >= TOUCH_INTERVAL_SECS)
    {
        db::api_tokens::touch(db, owner.token_id, now).await?;
    }
    let user = CurrentUser {
        id: owner.user_id,
        username: owner.username,
        role: owner.role,
        reputation: owner.reputation,
        trust_level: owner.trust_level,
        locale: owner.locale,
    };
    Ok(Some((user, scope)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_prefixed_random_and_hashed() {
        let (a, b) = (new_token(), new_token());
        assert_ne!(a, b);
        assert!(a.starts_with(PREFIX) && a.len() >= PREFIX.len() + 43);
        assert_eq!(hash(&a).len(), 64);
        assert_ne!(hash(&a), a);
    }

    #[test]
    fn only_bearer_headers_carry_a_token() {
        assert_eq!(bearer("Bearer agora_x"), Some("agora_x"));
        assert_eq!(bearer("bearer  agora_x "), Some("agora_x"));
        assert_eq!(bearer("Basic dXNlcg=="), None);
        assert_eq!(bearer("Bearer "), None);
    }

    #[test]
    fn scopes_parse_and_only_write_writes() {
        assert_eq!(TokenScope::parse("read"), Some(TokenScope::Read));
        assert!(TokenScope::parse("write").is_some_and(TokenScope::may_write));
        assert!(!TokenScope::Read.may_write());
        assert_eq!(TokenScope::parse("admin"), None);
    }
}
