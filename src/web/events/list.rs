//! `GET /events`: upcoming events (soonest first) and past ones (latest first), in the reader's
//! zone, with a link to the calendar feed; and `POST /settings/time-zone`, where a member picks
//! the zone event times are shown in (an unknown zone: the list again, the text kept, 422).
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::{reader_zone, EventView};
use crate::app::App;
use crate::auth::policy;
use crate::db;
use crate::error::AppError;
use crate::services;
use crate::web::context::{Ctx, Page};

const UPCOMING: i64 = 50;
const PAST: i64 = 20;

#[derive(Template)]
#[template(path = "events/list.html")]
struct ListPage {
    page: Page,
    upcoming: Vec<EventView>,
    past: Vec<EventView>,
    zone_line: String,
    chosen_zone: String,
    /// Why the zone typed was refused (empty: it was not).
    zone_error: String,
    may_create: bool,
}

pub async fn list(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let page = list_page(&ctx, &req, &state, None).await?;
    crate::web::ok(&page)
}

/// The list; with `refused` (what was typed, why it was refused) the zone form keeps the text and
/// says why.
async fn list_page(
    ctx: &Ctx,
    req: &HttpRequest,
    state: &App,
    refused: Option<(String, String)>,
) -> Result<ListPage, AppError> {
    let t = ctx.t();
    let zone = reader_zone(ctx, req, state).await?;
    let at = db::now();
    let upcoming = db::events::upcoming(&state.db, at, UPCOMING).await?;
    let past = db::events::past(&state.db, at, PAST).await?;
    let min_trust = services::events::min_trust(&state.db).await?;
    let (chosen_zone, zone_error) = refused.unwrap_or((zone.chosen.clone(), String::new()));
    Ok(ListPage {
        page: ctx.page(t.get("event.list_title")),
        upcoming: EventView::list(&upcoming, zone.zone, t),
        past: EventView::list(&past, zone.zone, t),
        zone_line: zone.line(t),
        chosen_zone,
        zone_error,
        may_create: ctx
            .user()
            .is_some_and(|u| policy::may_create_event(&u, min_trust)),
    })
}

#[derive(Deserialize)]
pub struct ZoneForm {
    #[serde(default)]
    time_zone: String,
}

/// Longer text is no zone name; the form keeps this much of it.
const MAX_ZONE_CHARS: usize = 64;

/// `POST /settings/time-zone` (time_zone: an IANA name, or empty for the browser's zone). A zone we
/// do not know comes back as the list with the text kept and the reason next to the field (422).
pub async fn set_zone(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    form: web::Form<ZoneForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let wanted = form.time_zone.trim();
    let zone = if wanted.is_empty() {
        None
    } else {
        match crate::domain::parse_zone(wanted) {
            Ok(zone) => Some(zone),
            Err(e) => {
                let kept: String = wanted.chars().take(MAX_ZONE_CHARS).collect();
                let message = t.get(e.key).to_string();
                let page = list_page(&ctx, &req, &state, Some((kept, message))).await?;
                return crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY);
            }
        }
    };
    services::events::set_reader_zone(&state, &me, zone).await?;
    ctx.flash("flash.settings_saved");
    Ok(crate::web::see_other(crate::domain::paths::EVENTS))
}
