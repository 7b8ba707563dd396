//! `GET /events/{id}`: one event in the reader's zone, who is going, the RSVP form and the
//! calendar file; `POST /events/{id}/rsvp` (answer: going | maybe | not_going). A refused answer
//! (a full event, a rule) comes back as the page with the reason next to the form.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{reader_zone, EventView};
use crate::app::App;
use crate::auth::policy;
use crate::db::events::EventRecord;
use crate::db::{self};
use crate::domain::{paths, RsvpAnswer};
use crate::error::AppError;
use crate::services::{self, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal::Refused;

/// The most names listed per answer.
const NAMES_SHOWN: i64 = 200;

#[derive(Template)]
#[template(path = "events/show.html")]
struct EventPage {
    page: Page,
    event: EventView,
    body_html: String,
    zone_line: String,
    going: Vec<(String, String)>,
    maybe: Vec<(String, String)>,
    /// `(value, label, chosen)`
    answers: Vec<(&'static str, String, bool)>,
    may_rsvp: bool,
    may_edit: bool,
    can_flag: bool,
    is_pending: bool,
    is_hidden: bool,
    errors: FormErrors,
}

async fn visible_event(ctx: &Ctx, state: &App, id: i64) -> Result<EventRecord, AppError> {
    db::events::by_id(&state.db, id)
        .await?
        .filter(|e| policy::event_visible(e, ctx.user().as_ref()))
        .ok_or(AppError::NotFound)
}

async fn event_page(
    ctx: &Ctx,
    req: &HttpRequest,
    state: &App,
    event: &EventRecord,
    errors: FormErrors,
) -> Result<EventPage, AppError> {
    let t = ctx.t();
    let zone = reader_zone(ctx, req, state).await?;
    let me = ctx.user();
    let mine = match &me {
        Some(user) => db::events::answer_of(&state.db, event.id, user.id).await?,
        None => None,
    };
    let names = |list: Vec<String>| -> Vec<(String, String)> {
        list.into_iter()
            .map(|n| {
                let url = paths::profile_url(&n);
                (n, url)
            })
            .collect()
    };
    let going =
        names(db::events::answered(&state.db, event.id, RsvpAnswer::Going, NAMES_SHOWN).await?);
    let maybe =
        names(db::events::answered(&state.db, event.id, RsvpAnswer::Maybe, NAMES_SHOWN).await?);
    Ok(EventPage {
        page: ctx.page(event.title.clone()),
        event: EventView::new(event, zone.zone, t),
        body_html: event.body_html.clone(),
        zone_line: zone.line(t),
        going,
        maybe,
        answers: RsvpAnswer::ALL
            .into_iter()
            .map(|a| {
                (
                    a.as_str(),
                    t.get(a.catalog_key()).to_string(),
                    mine == Some(a),
                )
            })
            .collect(),
        may_rsvp: policy::may_rsvp(event, db::now()),
        may_edit: me
            .as_ref()
            .is_some_and(|u| policy::may_edit_event(u, event)),
        can_flag: me.as_ref().is_some_and(|u| u.id != event.author_id),
        is_pending: event.status == crate::domain::PostStatus::Pending,
        is_hidden: event.status == crate::domain::PostStatus::Hidden,
        errors,
    })
}

/// `GET /events/{id}`
pub async fn show(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let event = visible_event(&ctx, &state, path.into_inner()).await?;
    crate::web::ok(&event_page(&ctx, &req, &state, &event, FormErrors::default()).await?)
}

#[derive(Deserialize)]
pub struct RsvpForm {
    #[serde(default)]
    answer: String,
}

/// `POST /events/{id}/rsvp`
pub async fn rsvp(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<RsvpForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let event = visible_event(&ctx, &state, path.into_inner()).await?;
    let Some(answer) = RsvpAnswer::parse(&form.answer) else {
        let refused = Refused::invalid("answer", t.get("event.error.answer").to_string());
        return refused_page(&ctx, &req, &state, &event, refused).await;
    };
    if !policy::may_rsvp(&event, db::now()) {
        let refused = Refused::invalid("answer", t.get("event.error.closed").to_string());
        return refused_page(&ctx, &req, &state, &event, refused).await;
    }
    let ip = ctx.client_ip();
    match services::events::rsvp(&state, Writer::new(&me, &ip), &event, answer).await {
        Ok(()) => {
            ctx.flash("event.flash.rsvp_saved");
            Ok(crate::web::see_other(&paths::event_url(event.id)))
        }
        Err(e) => {
            let mut refused = Refused::explain(e, t)?;
            refused.field = "answer";
            refused_page(&ctx, &req, &state, &event, refused).await
        }
    }
}

/// The event's page again with the reason next to the RSVP form, under the refusal's status.
async fn refused_page(
    ctx: &Ctx,
    req: &HttpRequest,
    state: &App,
    event: &EventRecord,
    refused: Refused,
) -> Result<HttpResponse, AppError> {
    let page = event_page(ctx, req, state, event, refused.errors()).await?;
    refused.respond(crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY))
}
