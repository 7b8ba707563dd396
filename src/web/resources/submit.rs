//! `GET /resources/new` and `POST /resources`: the submission form. A refused submission shows the
//! form again with every value kept and a message per field; a duplicate address or identifier
//! links the entry that already has it.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use crate::app::App;
use crate::db::resources::DuplicateOf;
use crate::domain::{paths, Level, RawResource, ResourceInput, ResourceKind};
use crate::error::AppError;
use crate::services::resources::Submission;
use crate::services::{self, WriteError, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal::Refused;

/// The form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct ResourceForm {
    #[serde(default)]
    pub kind: String,
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub url: String,
    #[serde(default)]
    pub authors: String,
    #[serde(default)]
    pub year: String,
    #[serde(default)]
    pub identifier: String,
    #[serde(default)]
    pub level: String,
    #[serde(default)]
    pub language: String,
    #[serde(default)]
    pub licence: String,
    #[serde(default)]
    pub description: String,
    #[serde(default)]
    pub tags: String,
}

impl ResourceForm {
    pub fn raw(&self) -> RawResource<'_> {
        RawResource {
            kind: &self.kind,
            title: &self.title,
            url: &self.url,
            authors: &self.authors,
            year: &self.year,
            identifier: &self.identifier,
            level: &self.level,
            language: &self.language,
            licence: &self.licence,
            description: &self.description,
            tags: &self.tags,
        }
    }
}

#[derive(Template)]
#[template(path = "resources/form.html")]
pub struct FormPage {
    page: Page,
    /// Where the form posts, and where Cancel goes.
    pub action: String,
    pub cancel_url: String,
    pub heading_key: &'static str,
    pub hint_key: &'static str,
    pub submit_key: &'static str,
    form: ResourceForm,
    /// `(value, label, selected)`
    kinds: Vec<(&'static str, String, bool)>,
    levels: Vec<(&'static str, String, bool)>,
    errors: FormErrors,
    /// The entry a duplicate points at.
    pub duplicate_url: Option<String>,
}

pub fn form_page(ctx: &Ctx, form: ResourceForm, errors: FormErrors) -> FormPage {
    let t = ctx.t();
    FormPage {
        page: ctx.page(t.get("resource.new_title")),
        action: "/resources".into(),
        cancel_url: "/resources".into(),
        heading_key: "resource.new_title",
        hint_key: "resource.new_hint",
        submit_key: "resource.submit",
        kinds: ResourceKind::ALL
            .into_iter()
            .map(|k| {
                (
                    k.as_str(),
                    t.get(k.catalog_key()).to_string(),
                    k.as_str() == form.kind.trim(),
                )
            })
            .collect(),
        levels: Level::ALL
            .into_iter()
            .map(|l| {
                (
                    l.as_str(),
                    t.get(l.catalog_key()).to_string(),
                    l.as_str() == form.level.trim(),
                )
            })
            .collect(),
        form,
        errors,
        duplicate_url: None,
    }
}

/// `GET /resources/new`
pub async fn new_form(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    ctx.ensure_session(&state).await?;
    crate::web::ok(&form_page(
        &ctx,
        ResourceForm::default(),
        FormErrors::default(),
    ))
}

fn rejected(page: &FormPage, status: StatusCode) -> Result<HttpResponse, AppError> {
    crate::web::render(page, status)
}

/// `POST /resources`: pending unless the submitter is trusted ([`crate::auth::policy::TRUSTED_SUBMITTER_REPUTATION`]).
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<ResourceForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let form = form.into_inner();
    let year = i64::from(chrono::Utc::now().year());
    let input = match ResourceInput::parse(form.raw(), year) {
        Ok(input) => input,
        Err(problems) => {
            let mut errors = FormErrors::default();
            for problem in &problems {
                errors.add(problem, t);
            }
            return rejected(
                &form_page(&ctx, form, errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let ip = ctx.client_ip();
    let id = match services::resources::submit(&state, Writer::new(&me, &ip), &input).await {
        Ok(Submission::Listed(id)) => {
            ctx.flash("resource.flash.listed");
            id
        }
        Ok(Submission::Pending(id)) => {
            ctx.flash("resource.flash.pending");
            id
        }
        Ok(Submission::Duplicate(dup)) => {
            let (field, key, id) = match dup {
                DuplicateOf::Url(id) => ("url", "resource.error.duplicate_url", id),
                DuplicateOf::Identifier(id) => {
                    ("identifier", "resource.error.duplicate_identifier", id)
                }
            };
            let mut errors = FormErrors::default();
            errors.add_text(field, t.get(key).to_string());
            let mut page = form_page(&ctx, form, errors);
            page.duplicate_url = Some(paths::resource_url(id));
            return rejected(&page, StatusCode::CONFLICT);
        }
        Err(e) => {
            // A silenced member is told at the top of the form; a rule's refusal next to the
            // description it read.
            let silenced = matches!(e, WriteError::Silenced { .. });
            let mut refused = Refused::explain(e, t)?;
            refused.field = if silenced { "title" } else { "description" };
            let page = rejected(&form_page(&ctx, form, refused.errors()), refused.status);
            return refused.respond(page);
        }
    };
    Ok(crate::web::see_other(&paths::resource_url(id)))
}
