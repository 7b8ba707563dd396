//! Events: the list (`/events`), one event's page with its RSVP form, the organiser's form, the
//! iCalendar files, and the staff actions on a flagged or held event. Times are shown in the
//! reader's zone: the one they chose, else the one their browser reports, else UTC — and the zone
//! is always named.
pub mod calendar;
pub mod form;
pub mod list;
pub mod moderate;
pub mod show;

use actix_web::HttpRequest;
use chrono_tz::Tz;

use crate::app::App;
use crate::db::events::EventRecord;
use crate::domain::{paths, time_in_zone};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::web::context::Ctx;

/// The cookie `agora.js` sets to the browser's IANA zone.
pub const BROWSER_ZONE_COOKIE: &str = "agora_tz";

/// The zone event times are shown in, and where it came from.
pub struct ReaderZone {
    pub zone: Tz,
    /// A catalog key: the member's setting, the browser, or the UTC fallback.
    pub source: &'static str,
    /// What the member chose (empty: none).
    pub chosen: String,
}

impl ReaderZone {
    /// "Times are in Asia/Shanghai (your browser's zone)."
    pub fn line(&self, t: &Catalog) -> String {
        format!(
            "{} ({})",
            t.fill("event.times_in", &[("zone", self.zone.name())]),
            t.get(self.source)
        )
    }
}

/// The member's chosen zone, else the browser's, else UTC.
pub async fn reader_zone(
    ctx: &Ctx,
    req: &HttpRequest,
    state: &App,
) -> Result<ReaderZone, AppError> {
    let chosen = match ctx.user() {
        Some(user) => crate::db::users::time_zone(&state.db, user.id).await?,
        None => String::new(),
    };
    if let Ok(zone) = crate::domain::parse_zone(&chosen) {
        return Ok(ReaderZone {
            zone,
            source: "event.zone_source_setting",
            chosen,
        });
    }
    let browser = req
        .cookie(BROWSER_ZONE_COOKIE)
        .map(|c| c.value().to_string())
        .and_then(|v| crate::domain::parse_zone(&v).ok());
    Ok(match browser {
        Some(zone) => ReaderZone {
            zone,
            source: "event.zone_source_browser",
            chosen,
        },
        None => ReaderZone {
            zone: Tz::UTC,
            source: "event.zone_source_default",
            chosen,
        },
    })
}

/// One event as lists and pages show it, in the reader's zone.
pub struct EventView {
    pub id: i64,
    pub title: String,
    pub url: String,
    pub ics_url: String,
    pub starts: String,
    pub ends: String,
    /// The start in the organiser's zone, when it differs from the reader's.
    pub organiser_starts: Option<String>,
    pub starts_rfc3339: String,
    pub online_url: String,
    pub place: String,
    pub author: String,
    pub author_url: String,
    pub going: i64,
    pub capacity: Option<i64>,
    /// "12 of 30 places taken" or "12 going".
    pub attendance: String,
    pub full: bool,
    pub status: &'static str,
}

impl EventView {
    pub fn new(event: &EventRecord, zone: Tz, t: &Catalog) -> EventView {
        let organiser_zone = crate::domain::parse_zone(&event.time_zone).unwrap_or(Tz::UTC);
        let attendance = match event.capacity {
            Some(capacity) => t.fill(
                "event.places_taken",
                &[
                    ("going", &event.going.to_string()),
                    ("capacity", &capacity.to_string()),
                ],
            ),
            None => t.fill("event.going_count", &[("going", &event.going.to_string())]),
        };
        EventView {
            id: event.id,
            title: event.title.clone(),
            url: paths::event_url(event.id),
            ics_url: paths::event_ics_url(event.id),
            starts: time_in_zone(event.starts_at, zone),
            ends: time_in_zone(event.ends_at, zone),
            organiser_starts: (organiser_zone != zone)
                .then(|| time_in_zone(event.starts_at, organiser_zone)),
            starts_rfc3339: crate::web::format::rfc3339(event.starts_at),
            online_url: event.online_url.clone(),
            place: event.place.clone(),
            author: event.author.clone(),
            author_url: paths::profile_url(&event.author),
            going: event.going,
            capacity: event.capacity,
            attendance,
            full: event.capacity.is_some_and(|c| event.going >= c),
            status: event.status.as_str(),
        }
    }

    pub fn list(events: &[EventRecord], zone: Tz, t: &Catalog) -> Vec<EventView> {
        events.iter().map(|e| EventView::new(e, zone, t)).collect()
    }
}
