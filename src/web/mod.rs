//! HTTP: one folder per feature (handlers and view models), the route table in [`routes`], and what
//! the features share: [`format`] (times), [`refusal`] (refused forms), [`context`] (the request
//! context), [`form`] (form errors), [`middleware`].
pub mod accounts;
pub mod admin;
pub mod api;
pub mod bot;
pub mod context;
pub mod events;
pub mod form;
pub mod format;
pub mod health;
pub mod home;
pub mod metrics;
pub mod middleware;
pub mod moderation;
pub mod posts;
pub mod problem;
pub mod redirect;
pub mod refusal;
pub mod resources;
pub mod routes;
pub mod search;
pub mod social;
pub mod uploads;

use actix_web::HttpResponse;
use askama::Template;

use crate::error::AppError;

/// Renders a template into an HTML response with the given status.
pub fn render(
    template: &impl Template,
    status: actix_web::http::StatusCode,
) -> Result<HttpResponse, AppError> {
    let html = template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template failed: {e}")))?;
    Ok(HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .body(html))
}

pub fn ok(template: &impl Template) -> Result<HttpResponse, AppError> {
    render(template, actix_web::http::StatusCode::OK)
}

/// 303 See Other: the browser follows with a GET (post/redirect/get).
pub fn see_other(location: &str) -> HttpResponse {
    HttpResponse::SeeOther()
        .insert_header((actix_web::http::header::LOCATION, location.to_string()))
        .finish()
}
