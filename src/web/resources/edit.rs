//! `GET|POST /resources/{id}/edit`: the submitter and staff edit a listed (or waiting) entry. The
//! form is the submission form filled with the entry; a refused edit shows it again with every
//! value kept; an edit by a member below the trust threshold sends the entry back to review.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use chrono::Datelike;

use super::submit::{form_page, FormPage, ResourceForm};
use crate::app::App;
use crate::auth::{policy, CurrentUser};
use crate::db;
use crate::db::resources::{DuplicateOf, ResourceRecord};
use crate::domain::{paths, ResourceInput};
use crate::error::AppError;
use crate::services::resources::Edited;
use crate::services::{self, WriteError, Writer};
use crate::web::context::Ctx;
use crate::web::form::FormErrors;
use crate::web::refusal::Refused;

/// The entry, if the member may edit it.
async fn editable(state: &App, me: &CurrentUser, id: i64) -> Result<ResourceRecord, AppError> {
    let record = db::resources::by_id(&state.db, id)
        .await?
        .filter(|r| policy::resource_visible(r, Some(me)))
        .ok_or(AppError::NotFound)?;
    if !policy::may_edit_resource(me, &record) {
        return Err(AppError::Forbidden);
    }
    Ok(record)
}

fn filled(record: &ResourceRecord) -> ResourceForm {
    ResourceForm {
        kind: record.kind.clone(),
        title: record.title.clone(),
        url: record.url.clone(),
        authors: record.authors.clone(),
        year: record.year.map(|y| y.to_string()).unwrap_or_default(),
        identifier: record.identifier.clone().unwrap_or_default(),
        level: record.level.clone().unwrap_or_default(),
        language: record.language.clone(),
        licence: record.licence.clone(),
        description: record.description_md.clone(),
        tags: record.tags.join(", "),
    }
}

fn edit_page(ctx: &Ctx, id: i64, form: ResourceForm, errors: FormErrors) -> FormPage {
    let mut page = form_page(ctx, form, errors);
    page.action = paths::resource_edit_url(id);
    page.cancel_url = paths::resource_url(id);
    page.heading_key = "resource.edit_title";
    page.hint_key = "resource.edit_hint";
    page.submit_key = "resource.save";
    page
}

/// `GET /resources/{id}/edit`
pub async fn form(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let id = path.into_inner();
    let record = editable(&state, &me, id).await?;
    ctx.ensure_session(&state).await?;
    crate::web::ok(&edit_page(&ctx, id, filled(&record), FormErrors::default()))
}

/// `POST /resources/{id}/edit`
pub async fn save(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<ResourceForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let id = path.into_inner();
    let record = editable(&state, &me, id).await?;
    let form = form.into_inner();
    let year = i64::from(chrono::Utc::now().year());
    let input = match ResourceInput::parse(form.raw(), year) {
        Ok(input) => input,
        Err(problems) => {
            let mut errors = FormErrors::default();
            for problem in &problems {
                errors.add(problem, t);
            }
            let page = edit_page(&ctx, id, form, errors);
            return crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY);
        }
    };
    let ip = ctx.client_ip();
    match services::resources::edit(&state, Writer::new(&me, &ip), &record, &input).await {
        Ok(Edited::Saved) => ctx.flash("resource.flash.edited"),
        Ok(Edited::BackToReview) => ctx.flash("resource.flash.edited_review"),
        Ok(Edited::Duplicate(dup)) => {
            let (field, key, other) = match dup {
                DuplicateOf::Url(other) => ("url", "resource.error.duplicate_url", other),
                DuplicateOf::Identifier(other) => {
                    ("identifier", "resource.error.duplicate_identifier", other)
                }
            };
            let mut errors = FormErrors::default();
            errors.add_text(field, t.get(key).to_string());
            let mut page = edit_page(&ctx, id, form, errors);
            page.duplicate_url = Some(paths::resource_url(other));
            return crate::web::render(&page, StatusCode::CONFLICT);
        }
        Err(e) => {
            let silenced = matches!(e, WriteError::Silenced { .. });
            let mut refused = Refused::explain(e, t)?;
            refused.field = if silenced { "title" } else { "description" };
            let page =
                crate::web::render(&edit_page(&ctx, id, form, refused.errors()), refused.status);
            return refused.respond(page);
        }
    }
    Ok(crate::web::see_other(&paths::resource_url(id)))
}
