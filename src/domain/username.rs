//! Usernames: 3-32 characters of letters (any script, so 中文 names work), digits, `_`, `-` and `.`,
//! starting with a letter or digit; two CJK characters are enough (李雷), since Chinese names are often
//! two characters long. Unique without regard to case or Unicode compatibility forms.
use super::is_cjk;
use unicode_normalization::UnicodeNormalization;

use super::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Username(String);

pub const USERNAME_MIN: usize = 3;
pub const USERNAME_MAX: usize = 32;

impl Username {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let name: String = input.trim().nfkc().collect();
        let count = name.chars().count();
        // A CJK character counts twice towards the minimum (it carries a syllable, not a letter).
        let weight: usize = name.chars().map(|c| if is_cjk(c) { 2 } else { 1 }).sum();
        if weight < USERNAME_MIN {
            return Err(FieldError::new("username", "error.username_short"));
        }
        if count > USERNAME_MAX {
            return Err(FieldError::new("username", "error.username_long"));
        }
        let allowed = |c: char| c.is_alphanumeric() || matches!(c, '_' | '-' | '.');
        if !name.chars().all(allowed) {
            return Err(FieldError::new("username", "error.username_chars"));
        }
        if !name.chars().next().is_some_and(char::is_alphanumeric) {
            return Err(FieldError::new("username", "error.username_start"));
        }
        Ok(Self(name))
    }

    /// Trusts a name read back from the database.
    pub fn from_stored(name: String) -> Self {
        Self(name)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The uniqueness key: `Alice`, `ALICE` and full-width `ＡＬＩＣＥ` are one account.
    pub fn key(&self) -> String {
        username_key(&self.0)
    }
}

/// The uniqueness key for any typed name (used at log-in, where the input need not be a valid new name).
pub fn username_key(input: &str) -> String {
    input.trim().nfkc().flat_map(char::to_lowercase).collect()
}

impl std::fmt::Display for Username {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_latin_cjk_and_punctuation() {
        for ok in [
            "alice",
            "bob_99",
            "李雷",
            "data.sci-ence",
            "张三abc",
            "김민",
        ] {
            assert!(Username::parse(ok).is_ok(), "{ok} should be accepted");
        }
    }

    #[test]
    fn refuses_bad_shapes_with_a_reason() {
        assert_eq!(
            Username::parse("ab").unwrap_err().key,
            "error.username_short"
        );
        assert_eq!(
            Username::parse("李").unwrap_err().key,
            "error.username_short"
        );
        assert_eq!(
            Username::parse(&"x".repeat(33)).unwrap_err().key,
            "error.username_long"
        );
        assert_eq!(
            Username::parse("a b c").unwrap_err().key,
            "error.username_chars"
        );
        assert_eq!(
            Username::parse("<script>").unwrap_err().key,
            "error.username_chars"
        );
        assert_eq!(
            Username::parse("_abc").unwrap_err().key,
            "error.username_start"
        );
    }

    #[test]
    fn key_folds_case_and_width() {
        let a = Username::parse("Alice").unwrap();
        let b = Username::parse("ＡＬＩＣＥ").unwrap();
        assert_eq!(a.key(), b.key());
    }
}
