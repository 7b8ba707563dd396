//! `POST /admin/events/{id}/{action}` (staff): approve (publish a held event, keep a flagged one),
//! hide or delete an event; its open flags are resolved and the action goes to the audit log.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;
use crate::services::events::{self, EventAction};
use crate::web::context::Ctx;

#[derive(Deserialize)]
pub struct ActionForm {
    #[serde(default)]
    reason: String,
    /// Where to go afterwards (a local path).
    #[serde(default)]
    back: String,
}

pub async fn act(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<(i64, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let (id, name) = path.into_inner();
    let action = EventAction::parse(&name).ok_or(AppError::NotFound)?;
    let reason: String = form.reason.trim().chars().take(500).collect();
    let found = events::moderate(&state, &me, id, action, &reason)
        .await
        .map_err(|e| crate::web::refusal::error_page(e, ctx.t()))?;
    if !found {
        return Err(AppError::NotFound);
    }
    ctx.flash("moderation.done");
    let back = crate::web::redirect::local_target(&form.back)
        .unwrap_or_else(|| crate::domain::paths::event_url(id));
    Ok(crate::web::see_other(&back))
}
