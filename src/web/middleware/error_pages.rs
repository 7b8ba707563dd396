//! Turns error responses into one consistent, translated page (or a small JSON body for fetch calls).
use std::cell::RefCell;
use std::rc::Rc;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::StatusCode;
use actix_web::middleware::Next;
use actix_web::{web, Error, HttpMessage, HttpRequest, HttpResponse};
use askama::Template;

use super::error_texts::texts;
use crate::app::App;
use crate::error::ErrorPage;
use crate::web::context::{Ctx, Page, RequestContext};
use crate::web::problem::{self, Problem};

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorTemplate {
    page: Page,
    status: u16,
    heading: String,
    message: String,
    fields: Vec<(String, String)>,
    resubmit_to: Option<String>,
}

pub async fn render_error_pages(
    req: ServiceRequest,
    next: Next<impl MessageBody + 'static>,
) -> Result<ServiceResponse<BoxBody>, Error> {
    let wants_json = wants_json(req.request());
    let api = problem::is_api_path(req.path());
    let res = next.call(req).await?.map_into_boxed_body();
    let status = res.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return Ok(res);
    }
    // The JSON API answered with a problem already: send it as it is.
    let answered = res.response().extensions().get::<Problem>().cloned();
    if let Some(problem) = answered {
        let (http_req, _) = res.into_parts();
        return Ok(ServiceResponse::new(http_req, problem.response()));
    }
    let attached = res.response().extensions().get::<ErrorPage>().cloned();
    let raised = res.response().error().is_some();
    let page = match attached {
        Some(page) => page,
        None => match status {
            StatusCode::NOT_FOUND => ErrorPage::NotFound,
            StatusCode::PAYLOAD_TOO_LARGE => ErrorPage::PayloadTooLarge,
            StatusCode::METHOD_NOT_ALLOWED => ErrorPage::NotFound,
            s if raised && s.is_client_error() => ErrorPage::Invalid(String::new()),
            s if raised && s.is_server_error() => ErrorPage::Internal,
            // A handler rendered its own page (e.g. a form with errors): keep it.
            _ => return Ok(res),
        },
    };
    let (http_req, old) = res.into_parts();
    let mut response = if api {
        let lang = context(&http_req).map_or(crate::i18n::Lang::En, |c| c.lang());
        Problem::from_page(&page, status, lang.catalog()).response()
    } else if wants_json {
        json_error(&http_req, status, &page)
    } else {
        html_error(&http_req, status, page).await
    };
    for (name, value) in old.headers() {
        if name == "retry-after" && response.headers().contains_key(name) {
            continue;
        }
        if name == "retry-after" || name == "location" || name == "set-cookie" {
            response.headers_mut().append(name.clone(), value.clone());
        }
    }
    Ok(ServiceResponse::new(http_req, response))
}

fn wants_json(req: &HttpRequest) -> bool {
    let accept = req
        .headers()
        .get("accept")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("");
    accept.contains("application/json") || req.headers().contains_key("x-csrf-token")
}

fn context(req: &HttpRequest) -> Option<Ctx> {
    req.extensions()
        .get::<Rc<RefCell<RequestContext>>>()
        .cloned()
        .map(Ctx::from_shared)
}

fn json_error(req: &HttpRequest, status: StatusCode, page: &ErrorPage) -> HttpResponse {
    let lang = context(req).map_or(crate::i18n::Lang::En, |c| c.lang());
    let (heading, message) = texts(page, lang.catalog());
    HttpResponse::build(status).json(serde_json::json!({ "error": heading, "message": message }))
}

async fn html_error(req: &HttpRequest, status: StatusCode, page: ErrorPage) -> HttpResponse {
    let Some(ctx) = context(req) else {
        return HttpResponse::build(status)
            .content_type("text/plain; charset=utf-8")
            .body(status.to_string());
    };
    let (heading, message) = texts(&page, ctx.t());
    let (fields, mut resubmit_to) = match page {
        ErrorPage::Csrf(failure) => (failure.fields, failure.resubmit_to),
        _ => (Vec::new(), None),
    };
    // Offering "send again" needs a fresh token; without a session store we only show the text.
    if resubmit_to.is_some() {
        let state = req.app_data::<web::Data<App>>().cloned();
        let ok = match state {
            Some(state) => ctx.ensure_session(&state).await.is_ok(),
            None => false,
        };
        if !ok {
            resubmit_to = None;
        }
    }
    let template = ErrorTemplate {
        page: ctx.page(heading.clone()),
        status: status.as_u16(),
        heading,
        message,
        fields,
        resubmit_to,
    };
    match template.render() {
        Ok(html) => HttpResponse::build(status)
            .content_type("text/html; charset=utf-8")
            .body(html),
        Err(e) => {
            tracing::error!(error = %e, "error page failed to render");
            HttpResponse::build(status)
                .content_type("text/plain; charset=utf-8")
                .body(status.to_string())
        }
    }
}
