//! Invite codes: 128 random bits in the link, only their SHA-256 in the database.
use super::session::{hash_id, random_token};

/// A new code for an invite link.
pub fn new_code() -> String {
    random_token(16)
}

/// What the database stores and looks codes up by.
pub fn hash(code: &str) -> String {
    hash_id(code.trim())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_random_and_hashed() {
        let (a, b) = (new_code(), new_code());
        assert_ne!(a, b);
        assert!(a.len() >= 21, "128 bits in base64url");
        assert_eq!(hash(&a), hash(&format!(" {a} ")));
        assert_ne!(hash(&a), a);
    }
}
