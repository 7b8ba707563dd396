//! The words of an error: the heading and message an error page shows, which the API's problems
//! repeat, so both say the same in the reader's language.
use crate::error::ErrorPage;

/// The heading and message an error page shows (the API's problems say the same).
pub fn texts(page: &ErrorPage, t: &crate::i18n::Catalog) -> (String, String) {
    let (heading, body) = match page {
        ErrorPage::NotFound => ("error.not_found", "error.not_found_body"),
        ErrorPage::Forbidden | ErrorPage::Closed(_) => ("error.forbidden", "error.forbidden_body"),
        ErrorPage::Invalid(_) => ("error.invalid", "error.invalid_body"),
        ErrorPage::Csrf(_) => ("error.csrf", "error.csrf_body"),
        ErrorPage::RateLimited { .. } => ("error.rate_limited", "error.rate_limited_body"),
        ErrorPage::PayloadTooLarge => ("error.too_large", "error.too_large_body"),
        ErrorPage::Busy { .. } => ("error.busy", "error.busy_body"),
        ErrorPage::Internal => ("error.internal", "error.internal_body"),
    };
    let message = match page {
        ErrorPage::Invalid(detail) | ErrorPage::Closed(detail) if !detail.is_empty() => {
            detail.clone()
        }
        ErrorPage::RateLimited { retry_after_secs } | ErrorPage::Busy { retry_after_secs } => {
            let minutes = retry_after_secs.div_ceil(60).max(1).to_string();
            let seconds = retry_after_secs.to_string();
            t.fill(body, &[("minutes", &minutes), ("seconds", &seconds)])
        }
        _ => t.get(body).to_string(),
    };
    (t.get(heading).to_string(), message)
}
