//! `GET /events/new`, `POST /events`, `GET|POST /events/{id}/edit`: the organiser's form. Staff
//! and members at the trust level the admins set may organise; the organiser and staff edit. Bad
//! input (an end before the start, an unknown zone, no place or link) comes back as the form with
//! every value kept and a message next to each field.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::reader_zone;
use crate::app::App;
use crate::auth::policy;
use crate::db::events::EventRecord;
use crate::domain::{local_input_value, paths, EventInput, RawEvent, CAPACITY_MAX};
use crate::error::AppError;
use crate::services::{self, WriteError, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal::Refused;

/// The form's fields, as typed.
#[derive(Deserialize, Default, Clone)]
pub struct EventForm {
    #[serde(default)]
    pub title: String,
    #[serde(default)]
    pub body: String,
    #[serde(default)]
    pub starts: String,
    #[serde(default)]
    pub ends: String,
    #[serde(default)]
    pub time_zone: String,
    #[serde(default)]
    pub online_url: String,
    #[serde(default)]
    pub place: String,
    #[serde(default)]
    pub capacity: String,
}

impl EventForm {
    fn raw(&self) -> RawEvent<'_> {
        RawEvent {
            title: &self.title,
            body: &self.body,
            starts: &self.starts,
            ends: &self.ends,
            time_zone: &self.time_zone,
            online_url: &self.online_url,
            place: &self.place,
            capacity: &self.capacity,
        }
    }

    /// A stored event's values, in its organiser's zone.
    fn of(event: &EventRecord) -> EventForm {
        let zone = crate::domain::parse_zone(&event.time_zone).unwrap_or(chrono_tz::Tz::UTC);
        EventForm {
            title: event.title.clone(),
            body: event.body_md.clone(),
            starts: local_input_value(event.starts_at, zone),
            ends: local_input_value(event.ends_at, zone),
            time_zone: event.time_zone.clone(),
            online_url: event.online_url.clone(),
            place: event.place.clone(),
            capacity: event.capacity.map(|c| c.to_string()).unwrap_or_default(),
        }
    }
}

#[derive(Template)]
#[template(path = "events/form.html")]
struct FormPage {
    page: Page,
    heading: String,
    action: String,
    form: EventForm,
    errors: FormErrors,
    capacity_help: String,
}

fn form_page(ctx: &Ctx, editing: Option<i64>, form: EventForm, errors: FormErrors) -> FormPage {
    let t = ctx.t();
    let (heading, action) = match editing {
        Some(id) => (t.get("event.edit_title"), paths::event_edit_url(id)),
        None => (t.get("event.new_title"), paths::EVENTS.to_string()),
    };
    FormPage {
        page: ctx.page(heading),
        heading: heading.to_string(),
        action,
        form,
        errors,
        capacity_help: t.fill("event.capacity_help", &[("max", &CAPACITY_MAX.to_string())]),
    }
}

async fn require_organiser(ctx: &Ctx, state: &App) -> Result<crate::auth::CurrentUser, AppError> {
    let me = ctx.require_user()?;
    let min_trust = services::events::min_trust(&state.db).await?;
    if !policy::may_create_event(&me, min_trust) {
        return Err(AppError::Forbidden);
    }
    Ok(me)
}

/// `GET /events/new`: the zone defaults to the reader's.
pub async fn new_form(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    require_organiser(&ctx, &state).await?;
    let zone = reader_zone(&ctx, &req, &state).await?;
    let form = EventForm {
        time_zone: zone.zone.name().to_string(),
        ..EventForm::default()
    };
    crate::web::ok(&form_page(&ctx, None, form, FormErrors::default()))
}

/// The input parsed, or a message per field.
fn parse(ctx: &Ctx, form: &EventForm) -> Result<EventInput, FormErrors> {
    EventInput::parse(form.raw()).map_err(|problems| {
        let mut errors = FormErrors::default();
        for problem in &problems {
            errors.add(problem, ctx.t());
        }
        errors
    })
}

/// The form again, every value kept, with the messages next to their fields.
fn invalid(
    ctx: &Ctx,
    editing: Option<i64>,
    form: EventForm,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    crate::web::render(
        &form_page(ctx, editing, form, errors),
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// A refused write: the form again, the reason next to the description (or at the top for a
/// silenced member).
fn refused(
    ctx: &Ctx,
    editing: Option<i64>,
    form: EventForm,
    error: WriteError,
) -> Result<HttpResponse, AppError> {
    let silenced = matches!(error, WriteError::Silenced { .. });
    let mut refused = Refused::explain(error, ctx.t())?;
    if refused.field == "body" && silenced {
        refused.field = "title";
    }
    let page = crate::web::render(
        &form_page(ctx, editing, form, refused.errors()),
        refused.status,
    );
    refused.respond(page)
}

/// `POST /events`
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<EventForm>,
) -> Result<HttpResponse, AppError> {
    let me = require_organiser(&ctx, &state).await?;
    let form = form.into_inner();
    let input = match parse(&ctx, &form) {
        Ok(input) => input,
        Err(errors) => return invalid(&ctx, None, form, errors),
    };
    let ip = ctx.client_ip();
    match services::events::create(&state, Writer::new(&me, &ip), &input).await {
        Ok(saved) => {
            ctx.flash(if saved.held {
                "event.flash.held"
            } else {
                "event.flash.created"
            });
            Ok(crate::web::see_other(&paths::event_url(saved.id)))
        }
        Err(e) => refused(&ctx, None, form, e),
    }
}

async fn editable(
    ctx: &Ctx,
    state: &App,
    id: i64,
) -> Result<(crate::auth::CurrentUser, EventRecord), AppError> {
    let me = ctx.require_user()?;
    let event = crate::db::events::by_id(&state.db, id)
        .await?
        .filter(|e| policy::event_visible(e, Some(&me)))
        .ok_or(AppError::NotFound)?;
    if !policy::may_edit_event(&me, &event) {
        return Err(AppError::Forbidden);
    }
    Ok((me, event))
}

/// `GET /events/{id}/edit`
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (_, event) = editable(&ctx, &state, path.into_inner()).await?;
    crate::web::ok(&form_page(
        &ctx,
        Some(event.id),
        EventForm::of(&event),
        FormErrors::default(),
    ))
}

/// `POST /events/{id}/edit`
pub async fn update(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<EventForm>,
) -> Result<HttpResponse, AppError> {
    let (me, event) = editable(&ctx, &state, path.into_inner()).await?;
    let form = form.into_inner();
    let input = match parse(&ctx, &form) {
        Ok(input) => input,
        Err(errors) => return invalid(&ctx, Some(event.id), form, errors),
    };
    let ip = ctx.client_ip();
    match services::events::edit(&state, Writer::new(&me, &ip), &event, &input).await {
        Ok(held) => {
            ctx.flash(if held {
                "event.flash.held"
            } else {
                "event.flash.saved"
            });
            Ok(crate::web::see_other(&paths::event_url(event.id)))
        }
        Err(e) => refused(&ctx, Some(event.id), form, e),
    }
}
