//! Refuses state-changing requests that lack this session's CSRF token (a visitor's: the token of
//! their signed cookie) or that the browser marks as cross-site. Form bodies are read here (within the body limit) and handed on untouched.
use std::cell::RefCell;
use std::rc::Rc;

use actix_web::body::{EitherBody, MessageBody};
use actix_web::dev::{Payload, ServiceRequest, ServiceResponse};
use actix_web::http::Method;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage};

use crate::auth::csrf::{self, Provenance};
use crate::error::{AppError, CsrfFailure};
use crate::web::context::RequestContext;

/// Fields never echoed back on the error page.
const SECRET_FIELDS: [&str; 4] = ["password", "current_password", "new_password", "csrf_token"];

pub async fn verify_csrf(
    mut req: ServiceRequest,
    next: Next<impl MessageBody>,
) -> Result<ServiceResponse<EitherBody<impl MessageBody>>, Error> {
    // A Bearer token is no ambient credential (browsers never attach one by themselves), and the
    // API's extractor then ignores the session cookie, so such a request needs no CSRF token.
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS)
        || carries_its_own_authority(&req)
        || carries_api_token(&req)
    {
        return next
            .call(req)
            .await
            .map(ServiceResponse::map_into_left_body);
    }
    let expected = req
        .extensions()
        .get::<Rc<RefCell<RequestContext>>>()
        .and_then(|c| {
            let c = c.borrow();
            match (&c.session, &c.visitor_csrf) {
                (Some(session), _) => Some(session.csrf_token.clone()),
                // A visitor: the token their signed cookie carries must come back in the form.
                (None, Some(visitor)) if visitor.in_cookie => Some(visitor.token.clone()),
                (None, _) => None,
            }
        })
        .unwrap_or_default();

    let host = req.connection_info().host().to_string();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|h| h.to_str().ok())
            .map(str::to_string)
    };
    let sec_fetch_site = header("sec-fetch-site");
    let origin = header("origin");
    let cross_site = csrf::is_cross_site(&Provenance {
        sec_fetch_site: sec_fetch_site.as_deref(),
        origin: origin.as_deref(),
        host: &host,
    });

    let header_token = header(csrf::HEADER);
    let is_form = req.content_type() == "application/x-www-form-urlencoded";
    let is_multipart = req.content_type() == "multipart/form-data";
    let mut fields: Vec<(String, String)> = Vec::new();
    let given = match header_token {
        Some(token) => token,
        None if is_form => {
            let body = match req.extract::<web::Bytes>().await {
                Ok(body) => body,
                Err(_) => return refuse(req, AppError::PayloadTooLarge),
            };
            fields = url::form_urlencoded::parse(&body).into_owned().collect();
            req.set_payload(Payload::from(body));
            fields
                .iter()
                .find(|(k, _)| k == csrf::FORM_FIELD)
                .map(|(_, v)| v.clone())
                .unwrap_or_default()
        }
        None if is_multipart => multipart_token(&mut req).await.unwrap_or_default(),
        None => String::new(),
    };

    if cross_site || !csrf::tokens_match(&expected, &given) {
        tracing::warn!(
            cross_site,
            path = req.path(),
            "refused a request without a valid CSRF token"
        );
        let failure = CsrfFailure {
            fields: fields
                .into_iter()
                .filter(|(k, v)| !SECRET_FIELDS.contains(&k.as_str()) && !v.is_empty())
                .collect(),
            resubmit_to: (!cross_site).then(|| req.path().to_string()),
        };
        return refuse(req, AppError::Csrf(failure));
    }
    next.call(req)
        .await
        .map(ServiceResponse::map_into_left_body)
}

/// POSTs whose URL holds a mailed token that is the whole authority: RFC 8058 one-click
/// unsubscribe is sent by the mail client, with no session and no CSRF token.
const TOKEN_AUTHORISED: [&str; 1] = ["/unsubscribe/"];

fn carries_its_own_authority(req: &ServiceRequest) -> bool {
    *req.method() == Method::POST && TOKEN_AUTHORISED.iter().any(|p| req.path().starts_with(p))
}

/// Most a multipart body is read for its `csrf_token` field before the check gives up.
const MULTIPART_HEAD_BYTES: usize = 16 * 1024;

/// Reads the start of a multipart body until its `csrf_token` field is complete, then hands the
/// whole body on (what was read, then the rest of the stream), untouched.
async fn multipart_token(req: &mut ServiceRequest) -> Option<String> {
    use futures_util::StreamExt;
    let mut payload = req.take_payload();
    let mut head = web::BytesMut::new();
    let mut token = None;
    while head.len() < MULTIPART_HEAD_BYTES {
        match payload.next().await {
            Some(Ok(chunk)) => head.extend_from_slice(&chunk),
            _ => break,
        }
        token = csrf::multipart_token(&head);
        if token.is_some() {
            break;
        }
    }
    let first = futures_util::stream::once(futures_util::future::ready(Ok(head.freeze())));
    req.set_payload(Payload::Stream {
        payload: Box::pin(first.chain(payload)),
    });
    token
}

fn refuse<B>(
    req: ServiceRequest,
    error: AppError,
) -> Result<ServiceResponse<EitherBody<B>>, Error> {
    let (req, _) = req.into_parts();
    let response = actix_web::ResponseError::error_response(&error);
    Ok(ServiceResponse::new(req, response).map_into_right_body())
}

/// An API request (`/api/v1/...`) authenticated by `Authorization: Bearer`.
fn carries_api_token(req: &ServiceRequest) -> bool {
    crate::web::problem::is_api_path(req.path())
        && req
            .headers()
            .get(actix_web::http::header::AUTHORIZATION)
            .and_then(|h| h.to_str().ok())
            .and_then(crate::auth::tokens::bearer)
            .is_some()
}
