//! `POST /preview` (body): the Markdown rendered exactly as saving would, as an HTML fragment for the
//! editor's live preview (`static/js/editor-preview.js`). Rendering costs CPU, so previews are
//! counted per member (`AGORA_PREVIEWS_PER_MINUTE`) and rendered on the blocking pool.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::auth::rate_limit;
use crate::domain::Markdown;
use crate::error::AppError;
use crate::web::context::Ctx;

#[derive(Deserialize)]
pub struct PreviewForm {
    #[serde(default)]
    body: String,
}

pub async fn render(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<PreviewForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    if form.body.trim().is_empty() {
        return Ok(fragment(StatusCode::OK, String::new()));
    }
    rate_limit::hit(
        &state.db,
        &rate_limit::Budget {
            bucket: &format!("preview:user:{}", me.id),
            limit: state.settings.previews_per_minute,
            window: std::time::Duration::from_secs(60),
        },
    )
    .await?;
    let body = Markdown::parse(&form.body)
        .map_err(|e| AppError::Invalid(ctx.t().get(e.key).to_string()))?;
    match crate::render::post(body.as_str(), state.settings.render).await {
        Ok(rendered) => Ok(fragment(StatusCode::OK, rendered.html)),
        Err(e) => {
            let message = crate::web::form::render_message(&e, ctx.t());
            let html = format!(
                "<p class=\"preview-refused\">{}</p>",
                crate::render::escape_html(&message)
            );
            Ok(fragment(StatusCode::UNPROCESSABLE_ENTITY, html))
        }
    }
}

fn fragment(status: StatusCode, html: String) -> HttpResponse {
    HttpResponse::build(status)
        .content_type("text/html; charset=utf-8")
        .insert_header((actix_web::http::header::CACHE_CONTROL, "no-store"))
        .body(html)
}
