//! What list pages share: reading `?after=` and building the next page's link.
use crate::db::posts::lists::Cursor;
use crate::error::AppError;
use crate::i18n::Catalog;

/// The `after` cursor of a list URL; a malformed one is a bad request, not page one.
pub fn parse_after(after: Option<&str>, t: &Catalog) -> Result<Option<Cursor>, AppError> {
    match after.map(str::trim).filter(|a| !a.is_empty()) {
        None => Ok(None),
        Some(text) => Cursor::parse(text)
            .map(Some)
            .ok_or_else(|| AppError::Invalid(t.get("post.error.bad_cursor").to_string())),
    }
}

/// `base` with `after=<cursor>` appended (`base` may already carry a query).
pub fn next_url(base: &str, next: Option<Cursor>) -> Option<String> {
    let next = next?;
    let joiner = if base.contains('?') { '&' } else { '?' };
    Some(format!("{base}{joiner}after={next}"))
}
