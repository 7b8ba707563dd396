//! `/admin/resources` (moderators and admins): pending entries oldest first with approve and reject
//! (with a reason), entries whose link check failed, and "check all links". Every decision is an
//! audit-log row and a notification to the submitter (`db::resources::review`).
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::ResourceView;
use crate::app::App;
use crate::db;
use crate::error::AppError;
use crate::services;
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

const LIST_SIZE: i64 = 200;
const REASON_MAX: usize = 500;

#[derive(Template)]
#[template(path = "resources/admin.html")]
struct AdminPage {
    page: Page,
    pending: Vec<ResourceView>,
    dead: Vec<ResourceView>,
}

/// `GET /admin/resources`
pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let t = ctx.t();
    let pending = db::resources::pending(&state.db, LIST_SIZE).await?;
    let dead = db::resources::dead_links(&state.db, LIST_SIZE).await?;
    crate::web::ok(&AdminPage {
        page: ctx.page(t.get("resource.admin_title")),
        pending: ResourceView::list(&pending, t),
        dead: ResourceView::list(&dead, t),
    })
}

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/resources/{id}/approve` and `…/reject` (reason).
pub async fn act(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<(i64, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let t = ctx.t();
    let (id, action) = path.into_inner();
    let approve = match action.as_str() {
        "approve" => true,
        "reject" => false,
        _ => return Err(AppError::NotFound),
    };
    let reason: String = form
        .reason
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(REASON_MAX)
        .collect();
    if !approve && reason.is_empty() {
        return Err(AppError::Invalid(
            t.get("resource.error.reason_required").to_string(),
        ));
    }
    let done = services::resources::review(&state, &me, id, approve, &reason)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    if !done {
        return Err(AppError::NotFound);
    }
    if approve {
        ctx.flash("resource.flash.approved");
    } else {
        ctx.flash("resource.flash.rejected");
    }
    Ok(crate::web::see_other("/admin/resources"))
}

/// `POST /admin/resources/check-links`: queues a check of every approved entry's link.
pub async fn check_all_links(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    services::resources::check_all_links(&state)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("resource.flash.checks_queued");
    Ok(crate::web::see_other("/admin/resources"))
}
