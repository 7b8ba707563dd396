//! `GET /events`: upcoming events (soonest first) and past ones (latest first), in the reader's
//! zone, with a link to the calendar feed; and `POST /settings/time-zone`, where a member picks
//! the zone event times are shown in.
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
    may_create: bool,
}

pub async fn list(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let zone = reader_zone(&ctx, &req, &state).await?;
    let at = db::now();
    let upcoming = db::events::upcoming(&state.db, at, UPCOMING).await?;
    let past = db::events::past(&state.db, at, PAST).await?;
    let min_trust = services::events::min_trust(&state.db).await?;
    crate::web::ok(&ListPage {
        page: ctx.page(t.get("event.list_title")),
        upcoming: EventView::list(&upcoming, zone.zone, t),
        past: EventView::list(&past, zone.zone, t),
        zone_line: zone.line(t),
        chosen_zone: zone.chosen,
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

/// `POST /settings/time-zone` (time_zone: an IANA name, or empty for the browser's zone).
pub async fn set_zone(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<ZoneForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let wanted = form.time_zone.trim();
    let zone = if wanted.is_empty() {
        None
    } else {
        Some(
            crate::domain::parse_zone(wanted)
                .map_err(|e| AppError::Invalid(format!("{} ({wanted})", t.get(e.key))))?,
        )
    };
    services::events::set_reader_zone(&state, &me, zone).await?;
    ctx.flash("flash.settings_saved");
    Ok(crate::web::see_other(crate::domain::paths::EVENTS))
}
