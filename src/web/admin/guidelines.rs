//! Community guidelines: Markdown kept in site settings, edited by admins, shown at `/guidelines`.
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;
use crate::services::{self, settings};
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

const MAX_BYTES: usize = 64 * 1024;

#[derive(Template)]
#[template(path = "admin/guidelines_public.html")]
struct GuidelinesPage {
    page: Page,
    html: String,
}

#[derive(Template)]
#[template(path = "admin/guidelines.html")]
struct EditPage {
    page: Page,
    markdown: String,
    error: Option<String>,
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let html = match settings::guidelines(&state.db).await?.1 {
        Some(html) => html,
        None => {
            services::render::post(&state, ctx.t().get("guidelines.default"))
                .await
                .map_err(|e| refusal::error_page(e, ctx.t()))?
                .html
        }
    };
    crate::web::ok(&GuidelinesPage {
        page: ctx.page(ctx.t().get("footer.guidelines")),
        html,
    })
}

pub async fn edit(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    let markdown = match settings::guidelines(&state.db).await?.0 {
        Some(md) => md,
        None => ctx.t().get("guidelines.default").to_string(),
    };
    crate::web::ok(&EditPage {
        page: ctx.page(ctx.t().get("footer.guidelines")),
        markdown,
        error: None,
    })
}

#[derive(Deserialize)]
pub struct GuidelinesForm {
    body: String,
}

pub async fn save(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<GuidelinesForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let body = form.into_inner().body;
    if body.trim().is_empty() || body.len() > MAX_BYTES {
        return crate::web::render(
            &EditPage {
                page: ctx.page(ctx.t().get("footer.guidelines")),
                markdown: body,
                error: Some(ctx.t().get("admin.guidelines_invalid").to_string()),
            },
            actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    settings::save_guidelines(&state, &me, &body)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("admin.saved");
    Ok(crate::web::see_other("/guidelines"))
}
