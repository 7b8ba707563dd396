//! New passwords: at least 10 characters, at most 256, no composition rules, and not guessable according
//! to the zxcvbn strength estimator (which knows common passwords, names, keyboard walks and dates).
use super::FieldError;

pub const PASSWORD_MIN: usize = 10;
pub const PASSWORD_MAX: usize = 256;

/// A password that passed the strength rules. Deliberately not `Debug`/`Display` so it cannot end up in logs.
pub struct NewPassword(String);

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PasswordProblem {
    TooShort,
    TooLong,
    TooGuessable(Option<String>),
}

impl NewPassword {
    /// `context` holds words the password must not lean on, such as the username and email.
    pub fn parse(input: &str, context: &[&str]) -> Result<Self, FieldError> {
        let count = input.chars().count();
        if count < PASSWORD_MIN {
            return Err(FieldError::new("password", "error.password_short"));
        }
        if count > PASSWORD_MAX {
            return Err(FieldError::new("password", "error.password_long"));
        }
        // zxcvbn's cost grows with length; a long password's first 100 characters are plenty to judge it.
        let judged: String = input.chars().take(100).collect();
        let estimate = zxcvbn::zxcvbn(&judged, context);
        if (estimate.score() as u8) < 3 {
            let hint = estimate
                .feedback()
                .and_then(|f| f.warning().map(|w| w.to_string()));
            let error = FieldError::new("password", "error.password_weak");
            return Err(match hint {
                Some(h) => error.with_detail(h),
                None => error,
            });
        }
        Ok(Self(input.to_string()))
    }

    pub fn expose(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn length_bounds() {
        assert_eq!(
            NewPassword::parse("short", &[]).err().map(|e| e.key),
            Some("error.password_short")
        );
        let long = "correct horse battery staple ".repeat(10);
        assert_eq!(
            NewPassword::parse(&long, &[]).err().map(|e| e.key),
            Some("error.password_long")
        );
        let max_ok = "x7Qz!p".repeat(22);
        assert!(max_ok.chars().count() >= 128);
        assert!(
            NewPassword::parse(&max_ok, &[]).is_ok(),
            "128+ chars allowed"
        );
    }

    #[test]
    fn common_passwords_are_refused() {
        for weak in ["password123", "qwertyuiop", "1234567890", "iloveyou12"] {
            assert_eq!(
                NewPassword::parse(weak, &[]).err().map(|e| e.key),
                Some("error.password_weak"),
                "{weak}"
            );
        }
    }

    #[test]
    fn passwords_built_on_the_username_are_refused() {
        assert!(NewPassword::parse("alice_wonder", &["alice_wonder"]).is_err());
    }

    #[test]
    fn strong_passphrases_pass_without_composition_rules() {
        assert!(NewPassword::parse("tidal quartz lantern mosaic", &[]).is_ok());
    }
}
