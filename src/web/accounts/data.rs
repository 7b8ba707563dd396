//! `/settings/data`: the member's personal data. `POST /settings/export` asks for a zip of
//! everything they wrote and did (built by a job), `GET /settings/export/{id}` downloads it (only
//! for whoever asked), and `POST /settings/delete-account` (password, `content`: keep | remove)
//! deletes the account.
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::{rate_limit, CurrentUser};
use crate::db;
use crate::domain::paths;
use crate::error::AppError;
use crate::services::personal_data::{self, Content, ExportRecord};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal;

/// One export as the page lists it.
pub struct ExportLine {
    pub requested: String,
    pub ready: bool,
    pub download: String,
    pub size: String,
}

impl ExportLine {
    pub fn new(export: &ExportRecord) -> ExportLine {
        ExportLine {
            requested: crate::web::format::time(export.created_at),
            ready: export.status == "ready",
            download: paths::export_download_url(export.id),
            size: format!("{} KB", (export.bytes + 1023) / 1024),
        }
    }
}

#[derive(Template)]
#[template(path = "accounts/data.html")]
struct DataPage {
    page: Page,
    exports: Vec<ExportLine>,
    remove_chosen: bool,
    errors: FormErrors,
}

async fn data_page(
    ctx: &Ctx,
    state: &App,
    me: &CurrentUser,
    remove_chosen: bool,
    errors: FormErrors,
) -> Result<DataPage, AppError> {
    let exports = db::personal_data::exports(&state.db, me.id, me.id).await?;
    Ok(DataPage {
        page: ctx.page(ctx.t().get("data.title")),
        exports: exports.iter().map(ExportLine::new).collect(),
        remove_chosen,
        errors,
    })
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    crate::web::ok(&data_page(&ctx, &state, &me, false, FormErrors::default()).await?)
}

pub async fn request_export(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    personal_data::request_export(&state, &me, me.id)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("data.export_requested");
    Ok(crate::web::see_other(paths::SETTINGS_DATA))
}

/// The zip, to the member who asked for it; anyone else gets 404.
pub async fn download(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let id = path.into_inner();
    let archive = db::personal_data::archive(&state.db, id, me.id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type("application/zip")
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"agora-export-{id}.zip\""),
        ))
        .insert_header((header::CACHE_CONTROL, "private, no-store"))
        .body(archive))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    content: String,
}

/// `keep` (the default) or `remove`.
pub fn content_choice(value: &str) -> Content {
    if value == "remove" {
        Content::Remove
    } else {
        Content::Keep
    }
}

pub async fn delete_account(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let choice = content_choice(&form.content);
    if !password_matches(&state, &me, &form.password).await? {
        let mut errors = FormErrors::default();
        errors.add_key("password", "error.current_password_wrong", ctx.t());
        let page = data_page(&ctx, &state, &me, choice == Content::Remove, errors).await?;
        return crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY);
    }
    personal_data::delete_account(&state, &me, me.id, choice)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("data.account_deleted");
    Ok(crate::web::see_other("/"))
}

/// The password check of log-in, counted against the account's log-in budget the same way.
async fn password_matches(state: &App, me: &CurrentUser, password: &str) -> Result<bool, AppError> {
    let limits = &state.settings.limits;
    let bucket = super::login::login_account_bucket(&crate::domain::username_key(&me.username));
    let budget = rate_limit::Budget {
        bucket: &bucket,
        limit: limits.login_failures_per_account,
        window: limits.login_window,
    };
    rate_limit::take(&state.db, &budget).await?;
    let ticket = match state.hashes.enter() {
        Ok(ticket) => ticket,
        Err(busy) => {
            rate_limit::give_back(&state.db, &bucket).await?;
            return Err(busy);
        }
    };
    let stored = db::users::password_hash(&state.db, me.id).await?;
    let matches = ticket.verify(password.to_string(), stored).await?;
    if matches {
        rate_limit::give_back(&state.db, &bucket).await?;
    }
    Ok(matches)
}
