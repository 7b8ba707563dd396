//! `/admin/log`: the append-only record of every staff action, newest first, filterable.
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db::{self, mod_log::ActionRecord};
use crate::error::AppError;
use crate::web::context::{Ctx, Page};

const PAGE_SIZE: i64 = 50;

#[derive(Template)]
#[template(path = "admin/log.html")]
struct LogPage {
    page: Page,
    action: String,
    actor: String,
    entries: Vec<(ActionRecord, String)>,
    next_before: Option<i64>,
}

#[derive(Deserialize)]
pub struct LogQuery {
    #[serde(default)]
    action: String,
    #[serde(default)]
    actor: String,
    before: Option<i64>,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<LogQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let query = query.into_inner();
    let filter = db::mod_log::LogFilter {
        action: query.action.clone(),
        actor: query.actor.clone(),
        before_id: query.before,
    };
    let rows = db::mod_log::page(&state.db, &filter, PAGE_SIZE).await?;
    let next_before = (rows.len() as i64 == PAGE_SIZE)
        .then(|| rows.last().map(|r| r.id))
        .flatten();
    let entries = rows
        .into_iter()
        .map(|r| {
            let when = crate::web::format::time(r.at);
            (r, when)
        })
        .collect();
    crate::web::ok(&LogPage {
        page: ctx.page(ctx.t().get("admin.log")),
        action: query.action,
        actor: query.actor,
        entries,
        next_before,
    })
}
