//! HTTP: one module per feature. [`routes`] lists the foundation's routes and hands each feature its
//! own table (`posts::routes`, `social::routes`, `search::routes`), so features never edit each other's.
pub mod accounts;
pub mod admin;
pub mod bot;
pub mod context;
pub mod form;
pub mod health;
pub mod home;
pub mod metrics;
pub mod middleware;
pub mod moderation;
pub mod posts;
pub mod redirect;
pub mod resources;
pub mod search;
pub mod social;
pub mod state;

use actix_web::{web, HttpResponse};
use askama::Template;

use crate::error::AppError;

/// The route table. Every POST passes the CSRF middleware; admin routes check roles in their handlers
/// through `auth::permissions`.
pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/", web::get().to(home::show))
        .route("/healthz", web::get().to(health::check))
        .route("/metrics", web::get().to(metrics::show))
        .route("/register", web::get().to(accounts::register::form))
        .route("/register", web::post().to(accounts::register::submit))
        .route("/login", web::get().to(accounts::login::form))
        .route("/login", web::post().to(accounts::login::submit))
        .route("/logout", web::post().to(accounts::login::logout))
        .route("/settings", web::get().to(accounts::settings::show))
        .route(
            "/settings/password",
            web::post().to(accounts::settings::change_password),
        )
        .route(
            "/settings/language",
            web::post().to(accounts::settings::change_language),
        )
        .route("/guidelines", web::get().to(admin::guidelines::show))
        .route("/admin", web::get().to(admin::dashboard))
        .route("/admin/users", web::get().to(admin::users::list))
        .route("/admin/users/{id}", web::get().to(admin::users::show))
        .route(
            "/admin/users/{id}/role",
            web::post().to(admin::users::change_role),
        )
        .route(
            "/admin/users/{id}/suspend",
            web::post().to(admin::users::suspend),
        )
        .route(
            "/admin/users/{id}/unsuspend",
            web::post().to(admin::users::unsuspend),
        )
        .route("/admin/log", web::get().to(admin::log::show))
        .route("/admin/invites", web::get().to(admin::invites::show))
        .route("/admin/invites", web::post().to(admin::invites::create))
        .route(
            "/admin/invites/{id}/revoke",
            web::post().to(admin::invites::revoke),
        )
        .route("/admin/ai", web::get().to(admin::ai::show))
        .route("/admin/ai/settings", web::post().to(admin::ai::save))
        .route(
            "/admin/ai/regenerate",
            web::post().to(admin::ai::regenerate),
        )
        .route("/admin/settings", web::get().to(admin::settings::show))
        .route("/admin/settings", web::post().to(admin::settings::save))
        .route("/admin/guidelines", web::get().to(admin::guidelines::edit))
        .route("/admin/guidelines", web::post().to(admin::guidelines::save))
        .configure(posts::routes)
        .configure(social::routes)
        .configure(search::routes)
        .configure(bot::routes)
        .configure(moderation::routes)
        .configure(resources::routes);
}

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
