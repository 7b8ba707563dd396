//! `GET /resources/new` and `POST /resources`: the submission form. A refused submission shows the
//! form again with every value kept and a message per field; a duplicate address or identifier
//! links the entry that already has it.
use std::time::Duration;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use chrono::Datelike;
use serde::Deserialize;

use super::{is_trusted, queue_link_check, resource_url, search_index_changed};
use crate::auth::rate_limit;
use crate::db::resources::{self, CreateError, DuplicateOf, NewResource};
use crate::domain::{Level, RawResource, ResourceInput, ResourceKind};
use crate::error::AppError;
use crate::moderation::{Action, Content, Target};
use crate::render::RENDERER_VERSION;
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::state::AppState;

/// Submissions per member per hour.
const SUBMISSIONS_PER_HOUR: u32 = 10;

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
    fn raw(&self) -> RawResource<'_> {
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
struct FormPage {
    page: Page,
    form: ResourceForm,
    /// `(value, label, selected)`
    kinds: Vec<(&'static str, String, bool)>,
    levels: Vec<(&'static str, String, bool)>,
    errors: FormErrors,
    /// The entry a duplicate points at.
    duplicate_url: Option<String>,
}

fn form_page(ctx: &Ctx, form: ResourceForm, errors: FormErrors) -> FormPage {
    let t = ctx.t();
    FormPage {
        page: ctx.page(t.get("resource.new_title")),
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
pub async fn new_form(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
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

/// `POST /resources`: pending unless the submitter is trusted ([`super::TRUSTED_REPUTATION`]).
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    form: web::Form<ResourceForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let form = form.into_inner();
    if let Some(message) = crate::web::moderation::silenced_message(&state, &me, t).await? {
        let mut errors = FormErrors::default();
        errors.add_text("title", message);
        return rejected(&form_page(&ctx, form, errors), StatusCode::FORBIDDEN);
    }
    let bucket = format!("resource:user:{}", me.id);
    rate_limit::check(
        &state.db,
        &rate_limit::Budget {
            bucket: &bucket,
            limit: SUBMISSIONS_PER_HOUR,
            window: Duration::from_secs(3600),
        },
    )
    .await?;
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
    // The moderation rules apply to resources as to posts: a block names the rule and keeps the
    // form, a hold sends even a trusted member's entry to review.
    let verdict = crate::web::moderation::rules::check(
        &ctx,
        &state,
        &me,
        Action::CreateResource,
        Content::new(&input.title, &input.description),
    )
    .await?;
    if let Some(refusal) = verdict.refusal() {
        let mut errors = FormErrors::default();
        errors.add_text(
            "description",
            crate::web::moderation::rules::refusal_message(refusal, t),
        );
        return crate::web::moderation::rules::with_retry_after(
            refusal,
            rejected(
                &form_page(&ctx, form, errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            ),
        );
    }
    let rendered = match crate::render::post(&input.description, state.settings.render).await {
        Ok(rendered) => rendered,
        Err(e) => {
            let errors = crate::web::form::render_errors("description", &e, t);
            return rejected(
                &form_page(&ctx, form, errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let status = if is_trusted(&me) && !verdict.is_held() {
        "approved"
    } else {
        "pending"
    };
    let new = NewResource {
        kind: input.kind.as_str(),
        title: &input.title,
        url: &input.url.url,
        url_key: &input.url.key,
        authors: &input.authors,
        year: input.year,
        identifier: input.identifier.as_ref().map(|i| i.display()),
        identifier_key: input.identifier.as_ref().map(|i| i.key()),
        level: input.level.map(Level::as_str),
        language: &input.language,
        licence: &input.licence,
        description_md: &input.description,
        description_html: &rendered.html,
        description_text: &rendered.text,
        renderer_version: RENDERER_VERSION,
        tags: input.tags.names(),
        submitted_by: me.id,
        status,
    };
    let id = match resources::create(&state.db, &new).await {
        Ok(id) => id,
        Err(CreateError::Duplicate(dup)) => {
            let (field, key, id) = match dup {
                DuplicateOf::Url(id) => ("url", "resource.error.duplicate_url", id),
                DuplicateOf::Identifier(id) => {
                    ("identifier", "resource.error.duplicate_identifier", id)
                }
            };
            let mut errors = FormErrors::default();
            errors.add_text(field, t.get(key).to_string());
            let mut page = form_page(&ctx, form, errors);
            page.duplicate_url = Some(resource_url(id));
            return rejected(&page, StatusCode::CONFLICT);
        }
        Err(CreateError::Db(e)) => return Err(e.into()),
    };
    rate_limit::record(&state.db, &bucket).await?;
    crate::moderation::after_write(&state.db, &me, &verdict, Target::Resource(id)).await?;
    if status == "approved" {
        search_index_changed(&state, id).await;
        queue_link_check(&state, id).await;
        ctx.flash("resource.flash.listed");
    } else {
        ctx.flash("resource.flash.pending");
    }
    Ok(crate::web::see_other(&resource_url(id)))
}
