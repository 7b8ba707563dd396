//! Conditional GET for pages: every successful HTML page gets an ETag computed from its body, and
//! a browser or cache that already holds those exact bytes gets 304 with no body. Feeds and
//! sitemaps set their own tags (and Last-Modified) in `web::posts::feeds`. Because the tag is the
//! body's own hash, a personalised page can never be answered with someone else's copy.
use std::hash::{Hash, Hasher};

use actix_web::body::{self, BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::header::{self, HeaderValue};
use actix_web::http::{Method, StatusCode};
use actix_web::middleware::Next;
use actix_web::{Error, HttpResponse};

/// Pages larger than this are sent as they are (hashing them is not worth holding them).
const MAX_TAGGED_BYTES: usize = 4 * 1024 * 1024;

pub async fn etag_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let wanted = req
        .headers()
        .get(header::IF_NONE_MATCH)
        .and_then(|v| v.to_str().ok())
        .map(str::to_string);
    let is_get = matches!(*req.method(), Method::GET | Method::HEAD);
    let res = next.call(req).await?.map_into_boxed_body();
    let is_html = res
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|t| t.starts_with("text/html"));
    if !is_get
        || res.status() != StatusCode::OK
        || !is_html
        || res.headers().contains_key(header::ETAG)
    {
        return Ok(res);
    }
    let (request, response) = res.into_parts();
    let (head, body) = response.into_parts();
    let bytes = match body::to_bytes_limited(body, MAX_TAGGED_BYTES).await {
        Ok(Ok(bytes)) => bytes,
        Ok(Err(e)) => return Err(actix_web::error::ErrorInternalServerError(e.to_string())),
        Err(_) => {
            return Err(actix_web::error::ErrorInternalServerError(
                "page too large to tag",
            ))
        }
    };
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut hasher);
    let tag = format!("W/\"{:016x}\"", hasher.finish());
    let fresh = wanted.is_some_and(|tags| tags.split(',').any(|t| t.trim() == tag));
    let mut response = if fresh {
        let mut not_modified = HttpResponse::NotModified().finish();
        for (name, value) in head.headers().iter() {
            if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
                not_modified
                    .headers_mut()
                    .append(name.clone(), value.clone());
            }
        }
        not_modified
    } else {
        head.set_body(BoxBody::new(bytes))
    };
    if let Ok(value) = HeaderValue::from_str(&tag) {
        response.headers_mut().insert(header::ETAG, value);
    }
    Ok(ServiceResponse::new(request, response))
}
