//! Staff decisions on an account from `/admin/users/{id}`: delete as spammer (suspend, end sessions,
//! hide everything they wrote) and its exact undo, silencing (read-only until a date), and dismissing
//! flags raised against the account.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::{self, users::UserRecord};
use crate::error::AppError;
use crate::services;
use crate::web::context::Ctx;
use crate::web::refusal;

async fn load(ctx: &Ctx, state: &App, id: i64) -> Result<(CurrentUser, UserRecord), AppError> {
    let me = ctx.require_staff()?;
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok((me, user))
}

fn back_to(user_id: i64) -> HttpResponse {
    crate::web::see_other(&format!("/admin/users/{user_id}"))
}

#[derive(Deserialize)]
pub struct ReasonForm {
    #[serde(default)]
    reason: String,
}

/// `POST /admin/users/{id}/spammer` (reason): one step, recorded so it can be undone exactly.
pub async fn delete_spammer(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    services::moderation::sweep_spammer(&state, &me, &user, form.reason.trim())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("moderation.spammer_deleted");
    Ok(back_to(user.id))
}

/// `POST /admin/users/{id}/restore_content`: undoes the latest spammer deletion.
pub async fn restore_spammer(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    let restored = services::moderation::restore_spammer(&state, &me, &user, form.reason.trim())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if !restored {
        return Err(AppError::Invalid(
            ctx.t().get("moderation.nothing_to_restore").into(),
        ));
    }
    ctx.flash("moderation.spammer_restored");
    Ok(back_to(user.id))
}

#[derive(Deserialize)]
pub struct SilenceForm {
    #[serde(default)]
    days: String,
    #[serde(default)]
    reason: String,
}

/// `POST /admin/users/{id}/silence` (days 1-3650, reason).
pub async fn silence(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<SilenceForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    let days = form
        .days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|d| (1..=3650).contains(d));
    let reason = form.reason.trim();
    let Some(days) = days.filter(|_| !reason.is_empty()) else {
        return Err(AppError::Invalid(
            ctx.t().get("moderation.silence_invalid").to_string(),
        ));
    };
    let until = db::now() + days * 86_400;
    services::moderation::silence(&state, &me, &user, until, reason)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("admin.saved");
    Ok(back_to(user.id))
}

/// `POST /admin/users/{id}/unsilence` (reason)
pub async fn unsilence(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    services::moderation::unsilence(&state, &me, &user, form.reason.trim())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("admin.saved");
    Ok(back_to(user.id))
}

/// `POST /admin/users/{id}/dismiss_flags` (reason)
pub async fn dismiss_flags(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    services::moderation::dismiss_flags(&state, &me, &user, form.reason.trim())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("moderation.done");
    Ok(back_to(user.id))
}
