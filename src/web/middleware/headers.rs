//! Security headers on every response, and the request id for correlating a page with its log lines.
use actix_web::body::MessageBody;
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{HeaderName, HeaderValue};
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use crate::app::App;

/// A year of HTTPS-only, sent when `AGORA_PUBLIC_URL` is https (the forum is then only reached
/// over TLS, whatever address it binds to behind its proxy).
pub const STRICT_TRANSPORT_SECURITY: &str = "max-age=31536000";

/// Scripts only from our own files (no inline script at all); styles may be inline because Mermaid's
/// SVG output carries style elements.
pub const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; \
     style-src 'self' 'unsafe-inline'; img-src 'self' data: https:; font-src 'self'; \
     connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; \
     form-action 'self'";

pub async fn security_headers(
    req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<impl MessageBody>, Error> {
    let request_id = req
        .extensions()
        .get::<tracing_actix_web::RequestId>()
        .map(|id| id.to_string());
    let https = req
        .app_data::<web::Data<App>>()
        .and_then(|s| {
            s.settings
                .public_url
                .as_ref()
                .map(|u| u.scheme() == "https")
        })
        .unwrap_or(false);
    let mut res = next.call(req).await?;
    let headers = res.headers_mut();
    // A response that states a stricter policy of its own (served uploads) keeps it.
    let own_policy = headers.contains_key("content-security-policy");
    let mut set = |name: &'static str, value: &'static str| {
        headers.insert(
            HeaderName::from_static(name),
            HeaderValue::from_static(value),
        );
    };
    if !own_policy {
        set("content-security-policy", CONTENT_SECURITY_POLICY);
    }
    set("x-content-type-options", "nosniff");
    if https {
        set("strict-transport-security", STRICT_TRANSPORT_SECURITY);
    }
    set("referrer-policy", "strict-origin-when-cross-origin");
    set("x-frame-options", "DENY");
    set("cross-origin-opener-policy", "same-origin");
    set(
        "permissions-policy",
        "camera=(), microphone=(), geolocation=()",
    );
    if let Some(id) = request_id.and_then(|id| HeaderValue::from_str(&id).ok()) {
        headers.insert(HeaderName::from_static("x-request-id"), id);
    }
    Ok(res)
}
