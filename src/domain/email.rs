//! Email addresses: a deliberately loose check (one `@`, a dotted domain, no spaces); the real test of an
//! address is mail reaching it.
use super::FieldError;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email(String);

impl Email {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let email = input.trim();
        let invalid = || FieldError::new("email", "error.email_invalid");
        if email.len() > 254 || email.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(invalid());
        }
        let (local, domain) = email.rsplit_once('@').ok_or_else(invalid)?;
        if local.is_empty() || local.contains('@') || domain.len() < 3 {
            return Err(invalid());
        }
        if !domain.contains('.') || domain.starts_with('.') || domain.ends_with('.') {
            return Err(invalid());
        }
        Ok(Self(email.to_string()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Uniqueness key: the whole address lower-cased.
    pub fn key(&self) -> String {
        self.0.to_lowercase()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_ordinary_addresses() {
        assert!(Email::parse("a@example.com").is_ok());
        assert!(Email::parse(" 李@例子.中国 ").is_ok());
    }

    #[test]
    fn refuses_malformed_addresses() {
        for bad in ["", "a", "a@b", "@x.com", "a@.com", "a b@x.com", "a@x.com."] {
            assert!(Email::parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
