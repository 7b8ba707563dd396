//! One error type for every request. Each variant means something to the user; internal causes are logged
//! once here and never shown. The response carries an [`ErrorPage`] that `web::error_pages` turns into
//! the full, translated page (or JSON for fetch calls).
use actix_web::http::{header, StatusCode};
use actix_web::{HttpResponse, ResponseError};

#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("not found")]
    NotFound,
    #[error("forbidden")]
    Forbidden,
    /// Refused for a reason the user should read (e.g. sign-up is closed).
    #[error("closed: {0}")]
    Closed(String),
    #[error("login required")]
    LoginRequired(String),
    #[error("invalid request: {0}")]
    Invalid(String),
    #[error("the form expired or came from another site")]
    Csrf(CsrfFailure),
    #[error("too many requests")]
    RateLimited { retry_after_secs: u64 },
    #[error("request body too large")]
    PayloadTooLarge,
    #[error("busy")]
    Busy { retry_after_secs: u64 },
    #[error(transparent)]
    Db(sqlx::Error),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<sqlx::Error> for AppError {
    /// A query cut off by its deadline, or a pool with no free connection in time, is load, not a
    /// fault: the reader gets "busy, try again" (503) instead of an error page.
    fn from(error: sqlx::Error) -> Self {
        if is_busy(&error) {
            tracing::warn!(error = %error, "database busy");
            AppError::Busy {
                retry_after_secs: 2,
            }
        } else {
            AppError::Db(error)
        }
    }
}

/// Whether a database error means "overloaded, try again" rather than a fault: a read past its
/// deadline, no free connection in time, PostgreSQL's `statement_timeout` (57014), or SQLite still
/// locked after `busy_timeout` (SQLITE_BUSY, 5).
pub fn is_busy(error: &sqlx::Error) -> bool {
    match error {
        sqlx::Error::PoolTimedOut => true,
        sqlx::Error::Io(e) => e.kind() == std::io::ErrorKind::TimedOut,
        sqlx::Error::Database(e) => matches!(e.code().as_deref(), Some("57014" | "5" | "517")),
        _ => false,
    }
}

/// What a refused POST carried, so the error page can give the user their text back.
#[derive(Debug, Clone, Default)]
pub struct CsrfFailure {
    /// Submitted fields except secrets (passwords, tokens).
    pub fields: Vec<(String, String)>,
    /// The form's target, offered for a resubmit only when the request came from this site.
    pub resubmit_to: Option<String>,
}

/// The part of an error the page renderer needs; attached to the error response's extensions.
#[derive(Debug, Clone)]
pub enum ErrorPage {
    NotFound,
    Forbidden,
    Closed(String),
    Invalid(String),
    Csrf(CsrfFailure),
    RateLimited { retry_after_secs: u64 },
    PayloadTooLarge,
    Busy { retry_after_secs: u64 },
    Internal,
}

impl AppError {
    pub fn page(&self) -> ErrorPage {
        match self {
            AppError::NotFound => ErrorPage::NotFound,
            AppError::Forbidden | AppError::LoginRequired(_) => ErrorPage::Forbidden,
            AppError::Closed(m) => ErrorPage::Closed(m.clone()),
            AppError::Invalid(m) => ErrorPage::Invalid(m.clone()),
            AppError::Csrf(f) => ErrorPage::Csrf(f.clone()),
            AppError::RateLimited { retry_after_secs } => ErrorPage::RateLimited {
                retry_after_secs: *retry_after_secs,
            },
            AppError::PayloadTooLarge => ErrorPage::PayloadTooLarge,
            AppError::Busy { retry_after_secs } => ErrorPage::Busy {
                retry_after_secs: *retry_after_secs,
            },
            AppError::Db(_) | AppError::Internal(_) => ErrorPage::Internal,
        }
    }
}

impl ResponseError for AppError {
    fn status_code(&self) -> StatusCode {
        match self {
            AppError::NotFound => StatusCode::NOT_FOUND,
            AppError::Forbidden | AppError::Closed(_) | AppError::Csrf(_) => StatusCode::FORBIDDEN,
            AppError::LoginRequired(_) => StatusCode::SEE_OTHER,
            AppError::Invalid(_) => StatusCode::BAD_REQUEST,
            AppError::RateLimited { .. } => StatusCode::TOO_MANY_REQUESTS,
            AppError::PayloadTooLarge => StatusCode::PAYLOAD_TOO_LARGE,
            AppError::Busy { .. } => StatusCode::SERVICE_UNAVAILABLE,
            AppError::Db(_) | AppError::Internal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    fn error_response(&self) -> HttpResponse {
        let mut builder = HttpResponse::build(self.status_code());
        match self {
            AppError::LoginRequired(next) => {
                let target = format!("/login?next={}", url_encode(next));
                return builder.insert_header((header::LOCATION, target)).finish();
            }
            AppError::RateLimited { retry_after_secs } | AppError::Busy { retry_after_secs } => {
                builder.insert_header((header::RETRY_AFTER, retry_after_secs.to_string()));
            }
            AppError::Db(e) => tracing::error!(error = %e, "database error"),
            AppError::Internal(e) => tracing::error!(error = format!("{e:#}"), "internal error"),
            _ => {}
        }
        let mut response = builder.finish();
        response.extensions_mut().insert(self.page());
        response
    }
}

fn url_encode(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}
