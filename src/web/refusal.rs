//! The one way a refused write comes back. A service's [`WriteError`] becomes the same form again with
//! the author's text kept and the reason next to the body: 403 for a silenced member, 422 for a rule
//! or invalid input, 429 with `Retry-After` for a rate limit or spent budget, 503 with `Retry-After`
//! for an AI feature that cannot take it now. Writes without a form (votes, flags)
//! get the matching error page instead.
use actix_web::http::{header, StatusCode};
use actix_web::HttpResponse;

use crate::error::AppError;
use crate::i18n::Catalog;
use crate::moderation::Refusal;
use crate::services::gate::Unavailable;
use crate::services::WriteError;
use crate::web::form::FormErrors;

/// A refusal as the reader is told it.
#[derive(Debug, Clone)]
pub struct Refused {
    pub status: StatusCode,
    pub field: &'static str,
    pub message: String,
    pub retry_after_secs: Option<u64>,
}

impl Refused {
    /// Reads a service error; a failure that is nobody's input stays an [`AppError`].
    pub fn explain(error: WriteError, t: &Catalog) -> Result<Refused, AppError> {
        Ok(match error {
            WriteError::Failed(e) => return Err(e),
            WriteError::Silenced { until } => Refused {
                status: StatusCode::FORBIDDEN,
                field: "body",
                message: silenced_message(until, t),
                retry_after_secs: None,
            },
            WriteError::Refused(refusal) => Refused {
                status: if refusal.retry_after_secs.is_some() {
                    StatusCode::TOO_MANY_REQUESTS
                } else {
                    StatusCode::UNPROCESSABLE_ENTITY
                },
                field: "body",
                message: rule_message(&refusal, t),
                retry_after_secs: refusal.retry_after_secs,
            },
            WriteError::Invalid { field, key } => Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                field,
                message: t.get(key).to_string(),
                retry_after_secs: None,
            },
            WriteError::Length {
                field,
                key,
                min,
                max,
            } => Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                field,
                message: t.fill(key, &[("min", &min.to_string()), ("max", &max.to_string())]),
                retry_after_secs: None,
            },
            WriteError::OverBudget {
                key,
                retry_after_secs,
            } => Refused {
                status: StatusCode::TOO_MANY_REQUESTS,
                field: "body",
                message: t.fill(key, &[("secs", &retry_after_secs.to_string())]),
                retry_after_secs: Some(retry_after_secs),
            },
            WriteError::Unavailable(why) => Refused {
                status: StatusCode::SERVICE_UNAVAILABLE,
                field: "body",
                message: unavailable_message(&why, t),
                // Worth another try soon: the model loads, the queue drains.
                retry_after_secs: Some(UNAVAILABLE_RETRY_SECS),
            },
        })
    }

    /// A refusal decided in the handler (a locked thread, a missing privilege) with its own message.
    pub fn forbidden(message: String) -> Refused {
        Refused {
            status: StatusCode::FORBIDDEN,
            field: "body",
            message,
            retry_after_secs: None,
        }
    }

    /// Input that did not parse, explained next to its field.
    pub fn invalid(field: &'static str, message: String) -> Refused {
        Refused {
            status: StatusCode::UNPROCESSABLE_ENTITY,
            field,
            message,
            retry_after_secs: None,
        }
    }

    /// The reason as form errors, for the page that shows the form again.
    pub fn errors(&self) -> FormErrors {
        let mut errors = FormErrors::default();
        errors.add_text(self.field, self.message.clone());
        errors
    }

    /// The form page again, with this refusal's status (and `Retry-After`).
    pub fn respond(self, page: Result<HttpResponse, AppError>) -> Result<HttpResponse, AppError> {
        let mut response = page?;
        *response.status_mut() = self.status;
        if let Some(secs) = self.retry_after_secs {
            if let Ok(value) = header::HeaderValue::from_str(&secs.to_string()) {
                response.headers_mut().insert(header::RETRY_AFTER, value);
            }
        }
        Ok(response)
    }

    /// For writes with no form to show again: the error page saying why (a feature that is off or
    /// unavailable is a closed door).
    pub fn into_error(self) -> AppError {
        match self.retry_after_secs {
            Some(retry_after_secs) if self.status == StatusCode::TOO_MANY_REQUESTS => {
                AppError::RateLimited { retry_after_secs }
            }
            _ if self.status == StatusCode::UNPROCESSABLE_ENTITY => AppError::Invalid(self.message),
            _ => AppError::Closed(self.message),
        }
    }
}

/// Shows the form again for a refused write: `page` draws it with the errors it is given.
pub fn form_again(
    error: WriteError,
    t: &Catalog,
    page: impl FnOnce(FormErrors) -> Result<HttpResponse, AppError>,
) -> Result<HttpResponse, AppError> {
    let refused = Refused::explain(error, t)?;
    let errors = refused.errors();
    refused.respond(page(errors))
}

/// A refused write with no form: the error page.
pub fn error_page(error: WriteError, t: &Catalog) -> AppError {
    match Refused::explain(error, t) {
        Ok(refused) => refused.into_error(),
        Err(e) => e,
    }
}

/// The `Retry-After` an unavailable feature answers with.
const UNAVAILABLE_RETRY_SECS: u64 = 10;

/// Why an AI feature cannot take a write now, as a sentence (also shown on its pages beforehand).
pub fn unavailable_message(why: &Unavailable, t: &Catalog) -> String {
    match why {
        Unavailable::FeatureOff { key } => t.get(key).to_string(),
        Unavailable::AiOff { reason } => format!("{} {reason}", t.get("ai.off_prefix")),
        Unavailable::Busy { secs } => t.fill("bot.error.busy", &[("secs", &secs.to_string())]),
    }
}

/// Why a silenced member cannot write, as a sentence.
pub fn silenced_message(until: i64, t: &Catalog) -> String {
    t.fill(
        "moderation.silenced",
        &[("until", &crate::web::format::time(until))],
    )
}

/// A rule's refusal, naming the rule (and when to retry a rate limit).
pub fn rule_message(refusal: &Refusal, t: &Catalog) -> String {
    match refusal.retry_after_secs {
        Some(secs) => t.fill(
            "rules.refused_rate",
            &[
                ("rule", &refusal.description),
                ("seconds", &secs.to_string()),
            ],
        ),
        None => t.fill("rules.refused", &[("rule", &refusal.description)]),
    }
}
