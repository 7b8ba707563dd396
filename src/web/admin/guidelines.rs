//! Community guidelines: Markdown kept in site settings, edited by admins, shown at `/guidelines`.
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::error::AppError;
use crate::web::context::{Ctx, Page};
use crate::web::state::AppState;

const MARKDOWN_KEY: &str = "guidelines_md";
const HTML_KEY: &str = "guidelines_html";
const MAX_BYTES: usize = 64 * 1024;

#[derive(Template)]
#[template(path = "guidelines.html")]
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

pub async fn show(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    let html = match db::settings::get(&state.db, HTML_KEY).await? {
        Some(html) => html,
        None => {
            crate::render::render_post_or_source(
                ctx.t().get("guidelines.default"),
                state.settings.render,
            )
            .html
        }
    };
    crate::web::ok(&GuidelinesPage {
        page: ctx.page(ctx.t().get("footer.guidelines")),
        html,
    })
}

pub async fn edit(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    let markdown = match db::settings::get(&state.db, MARKDOWN_KEY).await? {
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
    state: web::Data<AppState>,
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
    let rendered = match crate::render::post(&body, state.settings.render).await {
        Ok(rendered) => rendered,
        Err(e) => {
            return crate::web::render(
                &EditPage {
                    page: ctx.page(ctx.t().get("footer.guidelines")),
                    markdown: body,
                    error: Some(crate::web::form::render_message(&e, ctx.t())),
                },
                actix_web::http::StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    db::settings::set_by(
        &state.db,
        me.id,
        MARKDOWN_KEY,
        &body,
        Some((HTML_KEY, &rendered.html)),
    )
    .await?;
    ctx.flash("admin.saved");
    Ok(crate::web::see_other("/guidelines"))
}
