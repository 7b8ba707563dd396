//! Identifiers of published works: new-style arXiv ids, DOIs and ISBNs (check digit verified),
//! each with a canonical written form and the key duplicates are found by.
use super::FieldError;

/// A work's identifier, stored in its canonical written form; [`Identifier::key`] is what
/// duplicates are found by.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Identifier {
    /// A new-style arXiv id (`2106.09685`, `arXiv:2106.09685v2`) without its version.
    Arxiv(String),
    /// A DOI (`10.48550/arXiv.2106.09685`), as typed (DOIs compare case-insensitively).
    Doi(String),
    /// An ISBN-13 (an ISBN-10 is converted), digits only.
    Isbn(String),
}

impl Identifier {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim();
        let invalid = || FieldError::new("identifier", "resource.error.identifier");
        let lower = text.to_ascii_lowercase();
        // A DOI may come as a link or with a `doi:` prefix.
        for prefix in ["https://doi.org/", "http://doi.org/", "doi:"] {
            if let Some(rest) = lower.strip_prefix(prefix) {
                return parse_doi(&text[text.len() - rest.len()..]).ok_or_else(invalid);
            }
        }
        if lower.starts_with("10.") {
            return parse_doi(text).ok_or_else(invalid);
        }
        if let Some(rest) = lower.strip_prefix("arxiv:") {
            return parse_arxiv(rest.trim()).ok_or_else(invalid);
        }
        if let Some(rest) = lower.strip_prefix("isbn") {
            let rest = rest.trim_start_matches([':', ' ']);
            return parse_isbn(rest)
                .ok_or_else(|| FieldError::new("identifier", "resource.error.isbn"));
        }
        if let Some(arxiv) = parse_arxiv(&lower) {
            return Ok(arxiv);
        }
        let digits: String = text.chars().filter(|c| !matches!(c, '-' | ' ')).collect();
        if (digits.len() == 10 || digits.len() == 13)
            && digits
                .chars()
                .all(|c| c.is_ascii_digit() || c == 'X' || c == 'x')
        {
            return parse_isbn(text).ok_or(FieldError::new("identifier", "resource.error.isbn"));
        }
        Err(invalid())
    }

    /// The written form: `arXiv:2106.09685`, `10.48550/arXiv.2106.09685`, `ISBN 9780262035613`.
    pub fn display(&self) -> String {
        match self {
            Identifier::Arxiv(id) => format!("arXiv:{id}"),
            Identifier::Doi(doi) => doi.clone(),
            Identifier::Isbn(isbn) => format!("ISBN {isbn}"),
        }
    }

    /// The form duplicates are found by.
    pub fn key(&self) -> String {
        match self {
            Identifier::Arxiv(id) => format!("arxiv:{id}"),
            Identifier::Doi(doi) => format!("doi:{}", doi.to_ascii_lowercase()),
            Identifier::Isbn(isbn) => format!("isbn:{isbn}"),
        }
    }

    /// Where the identifier resolves, for the detail page.
    pub fn link(&self) -> Option<String> {
        match self {
            Identifier::Arxiv(id) => Some(format!("https://arxiv.org/abs/{id}")),
            Identifier::Doi(doi) => Some(format!("https://doi.org/{doi}")),
            Identifier::Isbn(_) => None,
        }
    }
}

/// `YYMM.NNNNN` (or `.NNNN` before 2015), optionally with `vN`; the version is dropped.
fn parse_arxiv(text: &str) -> Option<Identifier> {
    let (base, version) = match text.split_once('v') {
        Some((base, v)) => (base, Some(v)),
        None => (text, None),
    };
    if version.is_some_and(|v| v.is_empty() || !v.chars().all(|c| c.is_ascii_digit())) {
        return None;
    }
    let (yymm, number) = base.split_once('.')?;
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    if yymm.len() != 4 || !digits(yymm) || !digits(number) {
        return None;
    }
    // Five-digit sequence numbers since January 2015, four before.
    let expected = if yymm >= "1501" { 5 } else { 4 };
    if number.len() != expected {
        return None;
    }
    let month: u32 = yymm[2..].parse().ok()?;
    if !(1..=12).contains(&month) {
        return None;
    }
    Some(Identifier::Arxiv(base.to_string()))
}

/// `10.<registrant>/<suffix>`: the registrant is digits (and dots), the suffix any printable text.
fn parse_doi(text: &str) -> Option<Identifier> {
    let text = text.trim();
    let (prefix, suffix) = text.split_once('/')?;
    let registrant = prefix.strip_prefix("10.")?;
    let ok_registrant = !registrant.is_empty()
        && registrant.chars().all(|c| c.is_ascii_digit() || c == '.')
        && registrant
            .chars()
            .next()
            .is_some_and(|c| c.is_ascii_digit());
    let ok_suffix = !suffix.is_empty()
        && suffix.chars().count() <= 200
        && !suffix.chars().any(|c| c.is_whitespace() || c.is_control());
    (ok_registrant && ok_suffix).then(|| Identifier::Doi(text.to_string()))
}

/// An ISBN-10 or ISBN-13 with a valid check digit (hyphens and spaces allowed); returned as ISBN-13.
fn parse_isbn(text: &str) -> Option<Identifier> {
    let chars: Vec<char> = text
        .trim()
        .chars()
        .filter(|c| !matches!(c, '-' | ' '))
        .collect();
    match chars.len() {
        10 => {
            let mut sum = 0;
            for (i, c) in chars.iter().enumerate() {
                let value = match c {
                    'X' | 'x' if i == 9 => 10,
                    c => c.to_digit(10)?,
                };
                sum += value * (10 - i as u32);
            }
            if sum % 11 != 0 {
                return None;
            }
            let body: String = std::iter::once("978".to_string())
                .chain(chars[..9].iter().map(char::to_string))
                .collect();
            let check = isbn13_check(&body)?;
            Some(Identifier::Isbn(format!("{body}{check}")))
        }
        13 => {
            let digits: String = chars.iter().collect();
            if !digits.chars().all(|c| c.is_ascii_digit())
                || !(digits.starts_with("978") || digits.starts_with("979"))
            {
                return None;
            }
            let check = isbn13_check(&digits[..12])?;
            (digits[12..] == check.to_string()).then_some(Identifier::Isbn(digits))
        }
        _ => None,
    }
}

fn isbn13_check(first12: &str) -> Option<u32> {
    let mut sum = 0;
    for (i, c) in first12.chars().enumerate() {
        sum += c.to_digit(10)? * if i % 2 == 0 { 1 } else { 3 };
    }
    Some((10 - sum % 10) % 10)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arxiv_ids_parse_with_or_without_prefix_and_version() {
        let plain = Identifier::parse("2106.09685").unwrap();
        assert_eq!(plain, Identifier::Arxiv("2106.09685".into()));
        assert_eq!(Identifier::parse("arXiv:2106.09685v2").unwrap(), plain);
        assert_eq!(plain.display(), "arXiv:2106.09685");
        assert_eq!(plain.key(), "arxiv:2106.09685");
        assert_eq!(
            Identifier::parse("1412.6980").unwrap(),
            Identifier::Arxiv("1412.6980".into())
        );
        assert!(Identifier::parse("arXiv:2113.09685").is_err(), "month 13");
        assert!(Identifier::parse("arXiv:2106.096").is_err());
        assert!(
            Identifier::parse("arXiv:2106.0968").is_err(),
            "4 digits after 2015"
        );
        assert!(Identifier::parse("arXiv:1706.037620").is_err());
        assert!(Identifier::parse("arXiv:2106.09685v").is_err());
    }

    #[test]
    fn dois_parse_and_compare_case_insensitively() {
        let doi = Identifier::parse("10.48550/arXiv.2106.09685").unwrap();
        assert_eq!(doi, Identifier::Doi("10.48550/arXiv.2106.09685".into()));
        assert_eq!(doi.key(), "doi:10.48550/arxiv.2106.09685");
        assert_eq!(
            Identifier::parse("https://doi.org/10.48550/ARXIV.2106.09685")
                .unwrap()
                .key(),
            doi.key()
        );
        assert_eq!(
            Identifier::parse("doi:10.1000/xyz123").unwrap(),
            Identifier::Doi("10.1000/xyz123".into())
        );
        assert!(Identifier::parse("10.abc/x").is_err());
        assert!(Identifier::parse("10.1000/").is_err());
    }

    #[test]
    fn isbns_need_a_valid_check_digit() {
        let thirteen = Identifier::parse("978-0-262-03561-3").unwrap();
        assert_eq!(thirteen, Identifier::Isbn("9780262035613".into()));
        // The same book as an ISBN-10 becomes the same ISBN-13.
        assert_eq!(Identifier::parse("0-262-03561-8").unwrap(), thirteen);
        assert_eq!(Identifier::parse("ISBN 0262035618").unwrap(), thirteen);
        assert_eq!(
            Identifier::parse("080442957X").unwrap(),
            Identifier::Isbn("9780804429573".into())
        );
        let wrong = Identifier::parse("978-0-262-03561-4").unwrap_err();
        assert_eq!(wrong.key, "resource.error.isbn");
        assert!(Identifier::parse("0-262-03561-7").is_err());
        assert!(Identifier::parse("hello").is_err());
    }
}
