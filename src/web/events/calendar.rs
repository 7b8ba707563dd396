//! `GET /events/{id}.ics` (one event) and `GET /events.ics` (the feed: upcoming events and the
//! last month's): RFC 5545 text from `render::ical`, times in UTC so every calendar shows them in
//! its own zone.
use actix_web::http::header;
use actix_web::{web, HttpRequest, HttpResponse};

use crate::app::App;
use crate::auth::policy;
use crate::db::{self, events::EventRecord};
use crate::domain::{paths, PostStatus};
use crate::error::AppError;
use crate::render::ical::{self, IcalEvent};
use crate::web::context::{origin, Ctx};

/// Events in the feed: upcoming, and past ones a calendar may still show.
const FEED_UPCOMING: i64 = 200;
const FEED_PAST: i64 = 50;

fn ical_event<'a>(event: &'a EventRecord, origin: &str, url: &'a str) -> IcalEvent<'a> {
    let host = origin.split("://").nth(1).unwrap_or(origin);
    IcalEvent {
        uid: format!("event-{}@{host}", event.id),
        title: &event.title,
        description: &event.body_md,
        starts_at: event.starts_at,
        ends_at: event.ends_at,
        stamp: event.edited_at.unwrap_or(event.created_at),
        location: if event.place.is_empty() {
            &event.online_url
        } else {
            &event.place
        },
        url,
        cancelled: event.status != PostStatus::Published,
    }
}

fn calendar_response(text: String, filename: Option<String>) -> HttpResponse {
    let mut response = HttpResponse::Ok();
    response.content_type("text/calendar; charset=utf-8");
    if let Some(name) = filename {
        response.insert_header((
            header::CONTENT_DISPOSITION,
            format!("attachment; filename=\"{name}\""),
        ));
    }
    response.body(text)
}

/// `GET /events/{id}.ics`
pub async fn one(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let event = db::events::by_id(&state.db, path.into_inner())
        .await?
        .filter(|e| policy::event_visible(e, ctx.user().as_ref()))
        .ok_or(AppError::NotFound)?;
    let origin = origin(&req, &state.settings);
    let url = format!("{origin}{}", paths::event_url(event.id));
    let site = crate::services::settings::load(&state.db).await?.site_name;
    let text = ical::calendar(&site, &[ical_event(&event, &origin, &url)]);
    Ok(calendar_response(
        text,
        Some(format!("event-{}.ics", event.id)),
    ))
}

/// `GET /events.ics`
pub async fn feed(req: HttpRequest, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let at = db::now();
    let mut events = db::events::upcoming(&state.db, at, FEED_UPCOMING).await?;
    events.extend(db::events::past(&state.db, at, FEED_PAST).await?);
    let origin = origin(&req, &state.settings);
    let urls: Vec<String> = events
        .iter()
        .map(|e| format!("{origin}{}", paths::event_url(e.id)))
        .collect();
    let items: Vec<IcalEvent<'_>> = events
        .iter()
        .zip(&urls)
        .map(|(e, url)| ical_event(e, &origin, url))
        .collect();
    let site = crate::services::settings::load(&state.db).await?.site_name;
    Ok(calendar_response(ical::calendar(&site, &items), None))
}
