//! A resource listing's fields, valid by construction: kind, title, web address (with the normalised
//! form duplicates are found by), authors, year, identifier (see [`super::Identifier`]), level,
//! language, licence, Markdown description and tags.
use super::{FieldError, Identifier, TagList};

pub const RESOURCE_TITLE_MIN: usize = 2;
pub const RESOURCE_TITLE_MAX: usize = 200;
pub const URL_MAX: usize = 2000;
pub const AUTHORS_MAX: usize = 300;
pub const LICENCE_MAX: usize = 100;
pub const DESCRIPTION_MAX: usize = 10_000;
/// The oldest year a listed work may carry (older classics are rare enough to type as 1900).
pub const YEAR_MIN: i64 = 1900;

/// What a resource is (`resources.kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceKind {
    Book,
    Course,
    Paper,
    Tool,
    Model,
    Dataset,
}

impl ResourceKind {
    pub const ALL: [ResourceKind; 6] = [
        ResourceKind::Book,
        ResourceKind::Course,
        ResourceKind::Paper,
        ResourceKind::Tool,
        ResourceKind::Model,
        ResourceKind::Dataset,
    ];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == text.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            ResourceKind::Book => "book",
            ResourceKind::Course => "course",
            ResourceKind::Paper => "paper",
            ResourceKind::Tool => "tool",
            ResourceKind::Model => "model",
            ResourceKind::Dataset => "dataset",
        }
    }

    pub fn catalog_key(self) -> &'static str {
        match self {
            ResourceKind::Book => "resource.kind_book",
            ResourceKind::Course => "resource.kind_course",
            ResourceKind::Paper => "resource.kind_paper",
            ResourceKind::Tool => "resource.kind_tool",
            ResourceKind::Model => "resource.kind_model",
            ResourceKind::Dataset => "resource.kind_dataset",
        }
    }

    /// Which identifier schemes fit this kind: ISBNs name books only; arXiv ids name papers,
    /// models and datasets (which are often published as papers); DOIs fit anything.
    fn accepts(self, identifier: &Identifier) -> bool {
        match identifier {
            Identifier::Isbn(_) => self == ResourceKind::Book,
            Identifier::Arxiv(_) => matches!(
                self,
                ResourceKind::Paper | ResourceKind::Model | ResourceKind::Dataset
            ),
            Identifier::Doi(_) => true,
        }
    }
}

/// How much a reader needs to know already (`resources.level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Level {
    Beginner,
    Intermediate,
    Advanced,
}

impl Level {
    pub const ALL: [Level; 3] = [Level::Beginner, Level::Intermediate, Level::Advanced];

    pub fn parse(text: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|l| l.as_str() == text.trim())
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Level::Beginner => "beginner",
            Level::Intermediate => "intermediate",
            Level::Advanced => "advanced",
        }
    }

    pub fn catalog_key(self) -> &'static str {
        match self {
            Level::Beginner => "resource.level_beginner",
            Level::Intermediate => "resource.level_intermediate",
            Level::Advanced => "resource.level_advanced",
        }
    }
}

/// An http(s) address as typed (trimmed) and its normalised key: scheme and host lower-cased,
/// `www.` dropped, default port, fragment and trailing slash removed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceUrl {
    pub url: String,
    pub key: String,
}

impl ResourceUrl {
    pub fn parse(input: &str) -> Result<Self, FieldError> {
        let text = input.trim();
        let invalid = || FieldError::new("url", "resource.error.url");
        if text.is_empty() {
            return Err(FieldError::new("url", "resource.error.url_empty"));
        }
        if text.chars().count() > URL_MAX || text.chars().any(char::is_whitespace) {
            return Err(invalid());
        }
        let key = normalise_url(text).ok_or_else(invalid)?;
        Ok(Self {
            url: text.to_string(),
            key,
        })
    }
}

/// The form two addresses of the same page share, or `None` if `text` is not an http(s) URL with
/// a host.
pub fn normalise_url(text: &str) -> Option<String> {
    let mut url = url::Url::parse(text.trim()).ok()?;
    if !matches!(url.scheme(), "http" | "https") {
        return None;
    }
    let host = url.host_str()?.to_ascii_lowercase();
    if host.is_empty() {
        return None;
    }
    let host = host.strip_prefix("www.").unwrap_or(&host).to_string();
    url.set_fragment(None);
    let port = url.port().map(|p| format!(":{p}")).unwrap_or_default();
    let path = url.path().trim_end_matches('/');
    let query = url.query().map(|q| format!("?{q}")).unwrap_or_default();
    // Scheme and host are already lower-case in `url`; the key keeps the path's case.
    Some(format!("{}://{host}{port}{path}{query}", url.scheme()))
}

/// The fields as typed in the form.
#[derive(Debug, Clone, Copy, Default)]
pub struct RawResource<'a> {
    pub kind: &'a str,
    pub title: &'a str,
    pub url: &'a str,
    pub authors: &'a str,
    pub year: &'a str,
    pub identifier: &'a str,
    pub level: &'a str,
    pub language: &'a str,
    pub licence: &'a str,
    pub description: &'a str,
    pub tags: &'a str,
}

/// A valid submission.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResourceInput {
    pub kind: ResourceKind,
    pub title: String,
    pub url: ResourceUrl,
    pub authors: String,
    pub year: Option<i64>,
    pub identifier: Option<Identifier>,
    pub level: Option<Level>,
    pub language: String,
    pub licence: String,
    pub description: String,
    pub tags: TagList,
}

impl ResourceInput {
    /// Checks every field, collecting every problem. `current_year` bounds the year (next year is
    /// allowed for announced books).
    pub fn parse(raw: RawResource<'_>, current_year: i64) -> Result<Self, Vec<FieldError>> {
        let mut errors = Vec::new();
        let kind = ResourceKind::parse(raw.kind);
        if kind.is_none() {
            errors.push(FieldError::new("kind", "resource.error.kind"));
        }
        let title = raw.title.split_whitespace().collect::<Vec<_>>().join(" ");
        // Weighted as post titles are: a CJK character counts 2.
        let count = super::text::weighted_len(&title);
        if !(RESOURCE_TITLE_MIN..=RESOURCE_TITLE_MAX).contains(&count) {
            errors.push(FieldError::new("title", "resource.error.title"));
        }
        let url = ResourceUrl::parse(raw.url).map_err(|e| errors.push(e)).ok();
        let authors = single_line(raw.authors);
        if authors.chars().count() > AUTHORS_MAX {
            errors.push(FieldError::new("authors", "resource.error.authors"));
        }
        let year = match raw.year.trim() {
            "" => None,
            text => match text.parse::<i64>() {
                Ok(y) if (YEAR_MIN..=current_year + 1).contains(&y) => Some(y),
                _ => {
                    errors.push(
                        FieldError::new("year", "resource.error.year")
                            .with_detail(format!("{YEAR_MIN}–{}", current_year + 1)),
                    );
                    None
                }
            },
        };
        let identifier = match raw.identifier.trim() {
            "" => None,
            text => match Identifier::parse(text) {
                Ok(id) if kind.is_none_or(|k| k.accepts(&id)) => Some(id),
                Ok(_) => {
                    errors.push(FieldError::new(
                        "identifier",
                        "resource.error.identifier_kind",
                    ));
                    None
                }
                Err(e) => {
                    errors.push(e);
                    None
                }
            },
        };
        let level = match raw.level.trim() {
            "" => None,
            text => {
                let level = Level::parse(text);
                if level.is_none() {
                    errors.push(FieldError::new("level", "resource.error.level"));
                }
                level
            }
        };
        let language = raw.language.trim().to_string();
        if !language.is_empty() && !is_language_tag(&language) {
            errors.push(FieldError::new("language", "resource.error.language"));
        }
        let licence = single_line(raw.licence);
        if licence.chars().count() > LICENCE_MAX {
            errors.push(FieldError::new("licence", "resource.error.licence"));
        }
        let description = raw.description.replace("\r\n", "\n");
        if description.chars().count() > DESCRIPTION_MAX {
            errors.push(FieldError::new("description", "resource.error.description"));
        }
        let tags = if raw.tags.trim().is_empty() {
            TagList::default()
        } else {
            TagList::parse(raw.tags)
                .map_err(|e| errors.push(e))
                .unwrap_or_default()
        };
        match (kind, url) {
            (Some(kind), Some(url)) if errors.is_empty() => Ok(Self {
                kind,
                title,
                url,
                authors,
                year,
                identifier,
                level,
                language,
                licence,
                description,
                tags,
            }),
            _ => Err(errors),
        }
    }
}

fn single_line(text: &str) -> String {
    text.split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .chars()
        .filter(|c| !c.is_control())
        .collect()
}

/// A BCP 47-ish language tag: `en`, `zh`, `zh-CN`, `pt-BR`, `zh-Hans`.
fn is_language_tag(text: &str) -> bool {
    let mut parts = text.split('-');
    let primary = parts.next().unwrap_or("");
    let primary_ok =
        (2..=3).contains(&primary.len()) && primary.chars().all(|c| c.is_ascii_alphabetic());
    let rest_ok =
        parts.all(|p| (2..=8).contains(&p.len()) && p.chars().all(|c| c.is_ascii_alphanumeric()));
    primary_ok && rest_ok && text.len() <= 16
}

/// Where a listing stands in review.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResourceStatus {
    Pending,
    Approved,
    Rejected,
}

impl ResourceStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            ResourceStatus::Pending => "pending",
            ResourceStatus::Approved => "approved",
            ResourceStatus::Rejected => "rejected",
        }
    }

    /// Reads a stored value; anything unknown waits for review rather than being listed.
    pub fn from_stored(value: &str) -> Self {
        match value {
            "approved" => ResourceStatus::Approved,
            "rejected" => ResourceStatus::Rejected,
            _ => ResourceStatus::Pending,
        }
    }
}

#[cfg(test)]
mod tests {

    use super::*;

    #[test]
    fn urls_are_normalised_for_duplicate_checks() {
        let key = |s| normalise_url(s).unwrap();
        assert_eq!(
            key("HTTPS://WWW.Example.com/Papers/LoRA/#abstract"),
            "https://example.com/Papers/LoRA"
        );
        assert_eq!(key("https://example.com/"), "https://example.com");
        assert_eq!(key("https://example.com"), "https://example.com");
        assert_eq!(
            key("https://example.com:443/a?b=1#c"),
            "https://example.com/a?b=1"
        );
        assert_eq!(key("http://127.0.0.1:8080/x/"), "http://127.0.0.1:8080/x");
        assert!(normalise_url("ftp://example.com/file").is_none());
        assert!(normalise_url("javascript:alert(1)").is_none());
        assert!(normalise_url("not a url").is_none());
        assert!(ResourceUrl::parse("https://exa mple.com").is_err());
    }

    #[test]
    fn a_resource_title_is_counted_by_weighted_length() {
        let title_refused = |title: &str| {
            ResourceInput::parse(RawResource { title, ..raw() }, 2026)
                .err()
                .is_some_and(|errors| errors.iter().any(|e| e.field == "title"))
        };
        assert!(
            !title_refused(&"模".repeat(100)),
            "100 CJK characters weigh 200"
        );
        assert!(title_refused(&"模".repeat(101)), "101 weigh 202");
        assert!(!title_refused(&"m".repeat(200)));
        assert!(title_refused(&"m".repeat(201)));
        assert!(!title_refused("书"), "one CJK character weighs 2");
        assert!(title_refused("b"));
    }

    fn raw() -> RawResource<'static> {
        RawResource {
            kind: "paper",
            title: "LoRA: Low-Rank Adaptation",
            url: "https://arxiv.org/abs/2106.09685",
            year: "2021",
            identifier: "2106.09685",
            level: "advanced",
            language: "en",
            tags: "fine-tuning, lora",
            ..RawResource::default()
        }
    }

    #[test]
    fn a_valid_submission_parses() {
        let input = ResourceInput::parse(raw(), 2026).unwrap();
        assert_eq!(input.kind, ResourceKind::Paper);
        assert_eq!(input.year, Some(2021));
        assert_eq!(input.tags.names(), ["fine-tuning", "lora"]);
    }

    #[test]
    fn every_bad_field_is_reported() {
        let bad = RawResource {
            kind: "podcast",
            url: "ftp://x.org",
            year: "1850",
            identifier: "978-0-262-03561-4",
            level: "expert",
            language: "english!",
            ..raw()
        };
        let errors = ResourceInput::parse(bad, 2026).unwrap_err();
        let fields: Vec<_> = errors.iter().map(|e| e.field).collect();
        for field in ["kind", "url", "year", "identifier", "level", "language"] {
            assert!(fields.contains(&field), "{field} in {fields:?}");
        }
    }

    #[test]
    fn identifiers_must_fit_the_kind() {
        let book_with_arxiv = RawResource {
            kind: "book",
            ..raw()
        };
        let errors = ResourceInput::parse(book_with_arxiv, 2026).unwrap_err();
        assert_eq!(errors[0].key, "resource.error.identifier_kind");
        let paper_with_isbn = RawResource {
            identifier: "9780262035613",
            ..raw()
        };
        assert!(ResourceInput::parse(paper_with_isbn, 2026).is_err());
        assert!(ResourceInput::parse(
            RawResource {
                year: "2027",
                ..raw()
            },
            2026
        )
        .is_ok());
        assert!(ResourceInput::parse(
            RawResource {
                year: "2028",
                ..raw()
            },
            2026
        )
        .is_err());
    }
}
