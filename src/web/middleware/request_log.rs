//! The request span behind every log line (`tracing-actix-web`'s, with one change): the logged
//! target has secrets taken out. The stock span logs the full path and query, so an invite link
//! (`/register?invite=…`) or a token in a path would be written to the log of every request.
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::{Error, HttpMessage};
use tracing::Span;
use tracing_actix_web::{DefaultRootSpanBuilder, RequestId, RootSpanBuilder};

/// Query parameters whose values are never logged.
const SECRET_PARAMETERS: &[&str] = &["invite", "token", "code", "key", "secret", "password"];
/// Path prefixes whose next segment is a secret (links sent by mail).
const SECRET_PATHS: &[&str] = &["/password-reset/", "/verify-email/", "/unsubscribe/"];
const REDACTED: &str = "[redacted]";

pub struct RedactedRootSpan;

impl RootSpanBuilder for RedactedRootSpan {
    fn on_request_start(request: &ServiceRequest) -> Span {
        let request_id = request
            .extensions()
            .get::<RequestId>()
            .map(ToString::to_string)
            .unwrap_or_default();
        let route = request.match_pattern().unwrap_or_else(|| "default".into());
        let target = redacted_target(request.path(), request.uri().query().unwrap_or_default());
        let user_agent = request
            .headers()
            .get(actix_web::http::header::USER_AGENT)
            .and_then(|h| h.to_str().ok())
            .unwrap_or("");
        tracing::info_span!(
            "HTTP request",
            http.method = %request.method(),
            http.route = %route,
            http.target = %target,
            http.user_agent = %user_agent,
            http.status_code = tracing::field::Empty,
            otel.status_code = tracing::field::Empty,
            request_id = %request_id,
            exception.message = tracing::field::Empty,
            exception.details = tracing::field::Empty,
        )
    }

    fn on_request_end<B: MessageBody>(span: Span, outcome: &Result<ServiceResponse<B>, Error>) {
        DefaultRootSpanBuilder::on_request_end(span, outcome);
    }
}

/// The path and query as logged: values of secret parameters and secret path segments replaced.
pub fn redacted_target(path: &str, query: &str) -> String {
    let mut path = path.to_string();
    for prefix in SECRET_PATHS {
        if let Some(rest) = path.strip_prefix(prefix) {
            let tail = rest.find('/').map_or("", |i| &rest[i..]);
            path = format!("{prefix}{REDACTED}{tail}");
            break;
        }
    }
    if query.is_empty() {
        return path;
    }
    let query: Vec<String> = query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            if SECRET_PARAMETERS.contains(&name.to_ascii_lowercase().as_str()) {
                format!("{name}={REDACTED}")
            } else {
                pair.to_string()
            }
        })
        .collect();
    format!("{path}?{}", query.join("&"))
}

#[cfg(test)]
mod tests {
    use std::io::Write;
    use std::sync::{Arc, Mutex};

    use super::*;

    #[test]
    fn invite_codes_and_mailed_tokens_are_redacted() {
        assert_eq!(
            redacted_target("/register", "invite=k3y-secret&next=/q"),
            "/register?invite=[redacted]&next=/q"
        );
        assert_eq!(
            redacted_target("/password-reset/abc123", ""),
            "/password-reset/[redacted]"
        );
        assert_eq!(
            redacted_target("/questions", "tab=votes"),
            "/questions?tab=votes"
        );
    }

    #[derive(Clone, Default)]
    struct Captured(Arc<Mutex<Vec<u8>>>);

    impl Write for Captured {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if let Ok(mut bytes) = self.0.lock() {
                bytes.extend_from_slice(buf);
            }
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn the_request_log_line_never_holds_the_invite_code() {
        let captured = Captured::default();
        let writer = captured.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_writer(move || writer.clone())
            .with_span_events(tracing_subscriber::fmt::format::FmtSpan::CLOSE)
            .finish();
        tracing::subscriber::with_default(subscriber, || {
            let request = actix_web::test::TestRequest::get()
                .uri("/register?invite=s3cret-invite-code")
                .to_srv_request();
            let span = RedactedRootSpan::on_request_start(&request);
            drop(span.enter());
            drop(span);
        });
        let log = String::from_utf8(captured.0.lock().map(|b| b.clone()).unwrap_or_default())
            .unwrap_or_default();
        assert!(log.contains("invite=[redacted]"), "{log}");
        assert!(!log.contains("s3cret-invite-code"), "{log}");
    }
}
