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
            WriteError::Render(e) => Refused {
                status: StatusCode::UNPROCESSABLE_ENTITY,
                field: "body",
                message: crate::web::form::render_message(&e, t),
                retry_after_secs: None,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_length_refusal_names_its_bounds_next_to_its_field() {
        let t = Lang::En.catalog();
        let refused = Refused::explain(
            WriteError::Length {
                field: "question",
                key: "bot.error.length",
                min: 5,
                max: 500,
            },
            t,
        )
        .expect("a refusal");
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
        assert_eq!(refused.field, "question");
        assert_eq!(refused.message, "Ask in 5 to 500 characters.");
    }

    #[test]
    fn a_spent_budget_is_429_with_its_wait() {
        let t = Lang::En.catalog();
        let error = || WriteError::OverBudget {
            key: "bot.error.rate_limited",
            retry_after_secs: 42,
        };
        let refused = Refused::explain(error(), t).expect("a refusal");
        assert_eq!(refused.status, StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(refused.retry_after_secs, Some(42));
        assert!(refused.message.contains("42 s"), "{}", refused.message);
        assert!(matches!(
            error_page(error(), t),
            AppError::RateLimited {
                retry_after_secs: 42
            }
        ));
    }

    #[test]
    fn an_unavailable_feature_is_503_on_a_form_and_a_closed_door_without_one() {
        let t = Lang::En.catalog();
        let off = || {
            WriteError::Unavailable(Unavailable::FeatureOff {
                key: "bot.feature_off",
            })
        };
        let refused = Refused::explain(off(), t).expect("a refusal");
        assert_eq!(refused.status, StatusCode::SERVICE_UNAVAILABLE);
        assert!(refused.retry_after_secs.is_some());
        assert_eq!(refused.message, t.get("bot.feature_off"));
        match error_page(off(), t) {
            AppError::Closed(message) => assert_eq!(message, t.get("bot.feature_off")),
            other => panic!("expected a closed door, got {other:?}"),
        }
        let busy = unavailable_message(&Unavailable::Busy { secs: 15 }, t);
        assert!(busy.contains("15 s"), "{busy}");
        let ai_off = unavailable_message(
            &Unavailable::AiOff {
                reason: "no model".into(),
            },
            t,
        );
        assert!(ai_off.ends_with(" no model"), "{ai_off}");
    }
}
