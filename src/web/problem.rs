//! The JSON API's one error shape, RFC 9457 `application/problem+json`: `type`, `title`, `status`,
//! `detail` and, for input that was refused, `errors` per field. A service's [`WriteError`] becomes
//! a problem here (beside `refusal`, which turns the same errors into forms again), through the same
//! [`Refused::explain`], so the API and the pages refuse alike: 403 silenced, 422 a rule or bad
//! input, 429 with `Retry-After` for a rate limit.
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{AppError, ErrorPage};
use crate::i18n::Catalog;
use crate::services::WriteError;
use crate::web::refusal::Refused;

pub const CONTENT_TYPE: &str = "application/problem+json";

/// An RFC 9457 problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`about:blank` when the status says it all).
    #[serde(rename = "type")]
    pub kind: String,
    /// A short summary of the kind of problem.
    pub title: String,
    pub status: u16,
    /// What went wrong this time, in the reader's language.
    pub detail: String,
    /// Refused input, field by field.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<FieldError>,
    /// Seconds to wait before trying again (also sent as `Retry-After`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub retry_after: Option<u64>,
}

/// One refused field.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

impl Problem {
    pub fn new(status: StatusCode, slug: &str, detail: impl Into<String>) -> Problem {
        Problem {
            kind: if slug.is_empty() {
                "about:blank".into()
            } else {
                format!("urn:agora:problem:{slug}")
            },
            title: status.canonical_reason().unwrap_or("Error").to_string(),
            status: status.as_u16(),
            detail: detail.into(),
            errors: Vec::new(),
            retry_after: None,
        }
    }

    /// No credentials, or a token that stands for nobody.
    pub fn unauthorized(t: &Catalog) -> Problem {
        Problem::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            t.get("api.unauthorized"),
        )
    }

    /// A read-only token asked to write.
    pub fn read_only_token(t: &Catalog) -> Problem {
        Problem::new(
            StatusCode::FORBIDDEN,
            "read-only-token",
            t.get("api.read_only"),
        )
    }

    pub fn not_found(t: &Catalog) -> Problem {
        Problem::new(StatusCode::NOT_FOUND, "", t.get("error.not_found_body"))
    }

    pub fn forbidden(t: &Catalog, detail: impl Into<String>) -> Problem {
        let detail = detail.into();
        let detail = if detail.is_empty() {
            t.get("error.forbidden_body").to_string()
        } else {
            detail
        };
        Problem::new(StatusCode::FORBIDDEN, "forbidden", detail)
    }

    /// Input that did not parse, next to its field.
    pub fn invalid(field: &str, message: impl Into<String>) -> Problem {
        let message = message.into();
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            message.clone(),
        );
        problem.errors.push(FieldError {
            field: field.to_string(),
            message,
        });
        problem
    }

    /// Several refused fields at once.
    pub fn invalid_fields(t: &Catalog, errors: Vec<FieldError>) -> Problem {
        let mut problem = Problem::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "invalid-input",
            t.get("api.invalid"),
        );
        problem.errors = errors;
        problem
    }

    /// A service refused the write; a failure that is nobody's input stays an internal error.
    pub fn from_write(error: WriteError, t: &Catalog) -> Problem {
        match Refused::explain(error, t) {
            Ok(refused) => Problem::from_refused(refused),
            Err(e) => Problem::from_app(&e, t),
        }
    }

    pub fn from_refused(refused: Refused) -> Problem {
        let slug = match refused.status {
            StatusCode::FORBIDDEN => "forbidden",
            StatusCode::TOO_MANY_REQUESTS => "rate-limited",
            StatusCode::SERVICE_UNAVAILABLE => "unavailable",
            _ => "invalid-input",
        };
        let mut problem = Problem::new(refused.status, slug, refused.message.clone());
        problem.retry_after = refused.retry_after_secs;
        if refused.status == StatusCode::UNPROCESSABLE_ENTITY {
            problem.errors.push(FieldError {
                field: refused.field.to_string(),
                message: refused.message,
            });
        }
        problem
    }

    /// An [`AppError`] (a missing page, a spent rate limit, a failure) as a problem.
    pub fn from_app(error: &AppError, t: &Catalog) -> Problem {
        if let AppError::LoginRequired(_) = error {
            return Problem::unauthorized(t);
        }
        Problem::from_page(&error.page(), error.status_code(), t)
    }

    /// What the error-page middleware would have drawn, as a problem.
    pub fn from_page(page: &ErrorPage, status: StatusCode, t: &Catalog) -> Problem {
        let (_, detail) = crate::web::middleware::error_texts::texts(page, t);
        let slug = match page {
            ErrorPage::Csrf(_) => "csrf",
            ErrorPage::RateLimited { .. } => "rate-limited",
            ErrorPage::Busy { .. } => "busy",
            ErrorPage::Invalid(_) if status == StatusCode::BAD_REQUEST => "bad-request",
            ErrorPage::Closed(_) => "forbidden",
            _ => "",
        };
        let mut problem = Problem::new(status, slug, detail);
        if let ErrorPage::RateLimited { retry_after_secs } | ErrorPage::Busy { retry_after_secs } =
            page
        {
            problem.retry_after = Some(*retry_after_secs);
        }
        problem
    }

    pub fn status_code(&self) -> StatusCode {
        StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR)
    }

    /// The response: the JSON body, its media type and `Retry-After` when there is a wait.
    pub fn response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        builder.content_type(CONTENT_TYPE);
        if let Some(secs) = self.retry_after {
            builder.insert_header((header::RETRY_AFTER, secs.to_string()));
        }
        if self.status == 401 {
            builder.insert_header((header::WWW_AUTHENTICATE, "Bearer"));
        }
        builder.body(serde_json::to_string(self).unwrap_or_default())
    }
}

impl std::fmt::Display for Problem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status, self.title, self.detail)
    }
}

/// Handlers return `Err(problem)`; the response carries the problem so the error-page middleware
/// sends it as it is.
impl ResponseError for Problem {
    fn status_code(&self) -> StatusCode {
        Problem::status_code(self)
    }

    fn error_response(&self) -> HttpResponse {
        let mut response = self.response();
        response.extensions_mut().insert(self.clone());
        response
    }
}

/// Whether a path belongs to the JSON API (its errors are problems, never pages).
pub fn is_api_path(path: &str) -> bool {
    path == "/api/v1" || path.starts_with("/api/v1/")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::Lang;

    #[test]
    fn a_rate_limited_write_is_a_429_problem_with_its_wait() {
        let t = Lang::En.catalog();
        let problem = Problem::from_write(
            WriteError::OverBudget {
                key: "bot.error.rate_limited",
                retry_after_secs: 42,
            },
            t,
        );
        assert_eq!(problem.status, 429);
        assert_eq!(problem.retry_after, Some(42));
        assert_eq!(problem.kind, "urn:agora:problem:rate-limited");
        let response = problem.response();
        assert_eq!(
            response
                .headers()
                .get(header::RETRY_AFTER)
                .map(|v| v.as_bytes()),
            Some(&b"42"[..])
        );
    }

    #[test]
    fn refused_input_names_its_field() {
        let t = Lang::En.catalog();
        let problem = Problem::from_write(
            WriteError::Length {
                field: "question",
                key: "bot.error.length",
                min: 5,
                max: 500,
            },
            t,
        );
        assert_eq!(problem.status, 422);
        assert_eq!(problem.errors.len(), 1);
        assert_eq!(problem.errors[0].field, "question");
        assert_eq!(problem.title, "Unprocessable Entity");
    }
}
