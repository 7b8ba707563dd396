//! `POST /admin/posts/{id}/revisions/{n}/redact` (reason): staff remove a revision's text from a
//! post's history; the redaction is audited and the history page shows it as such.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::auth::policy;
use crate::db;
use crate::error::AppError;
use crate::services;
use crate::web::context::Ctx;
use crate::web::refusal;

#[derive(Deserialize)]
pub struct RedactForm {
    #[serde(default)]
    reason: String,
}

pub async fn redact(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<(i64, i64)>,
    form: web::Form<RedactForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    if !policy::may_redact_revision(&me) {
        return Err(AppError::Forbidden);
    }
    let (post_id, n) = path.into_inner();
    let post = db::posts::by_id(&state.db, post_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let reason: String = form.reason.trim().chars().take(500).collect();
    let redacted = services::moderation::redact_revision(&state, &me, post.id, n, &reason)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if !redacted {
        return Err(AppError::NotFound);
    }
    ctx.flash("post.redacted_done");
    let back = crate::domain::paths::revisions_url(post.kind, post.id);
    Ok(crate::web::see_other(&format!("{back}?from={n}&to={n}")))
}
