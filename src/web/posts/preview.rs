//! `POST /preview` (body): the Markdown rendered exactly as saving would, as an HTML fragment for the
//! editor's live preview (`static/js/editor-preview.js`).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::domain::Markdown;
use crate::error::AppError;
use crate::render::render_post;
use crate::web::context::Ctx;

#[derive(Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    body: String,
}

pub async fn render(ctx: Ctx, form: web::Form<PreviewForm>) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    if form.body.trim().is_empty() {
        return Ok(fragment(StatusCode::OK, String::new()));
    }
    let body = Markdown::parse(&form.body)
        .map_err(|e| AppError::Invalid(ctx.t().get(e.key).to_string()))?;
    Ok(fragment(StatusCode::OK, render_post(body.as_str()).html))
}

fn fragment(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(html)
}
