//! Staff decisions on an account from `/admin/users/{id}`: delete as spammer (suspend, end sessions,
//! hide everything they wrote) and its exact undo, silencing (read-only until a date), and dismissing
//! flags raised against the account.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::CurrentUser;
use crate::db::{self, users::UserRecord};
use crate::domain::Role;
use crate::error::AppError;
use crate::web::context::Ctx;
use crate::web::posts::search_index_changed;
use crate::web::state::AppState;

/// Moderators act on members; admins also on moderators; nobody on an admin or on themselves (the
/// same rule as suspension).
pub fn may_act_on(me: &CurrentUser, user: &UserRecord) -> bool {
    user.id != me.id && user.role != Role::Admin && (me.is_admin() || user.role == Role::Member)
}

async fn load(ctx: &Ctx, state: &AppState, id: i64) -> Result<(CurrentUser, UserRecord), AppError> {
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
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    if !may_act_on(&me, &user) {
        return Err(AppError::Forbidden);
    }
    let reason = form.reason.trim();
    let reason = if reason.is_empty() { "spam" } else { reason };
    let hidden = db::moderation::sweep_spammer(&state.db, me.id, user.id, reason).await?;
    reindex(&state, &hidden).await;
    ctx.flash("moderation.spammer_deleted");
    Ok(back_to(user.id))
}

/// `POST /admin/users/{id}/restore_content`: undoes the latest spammer deletion.
pub async fn restore_spammer(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    if !may_act_on(&me, &user) {
        return Err(AppError::Forbidden);
    }
    let restored = db::moderation::restore_spammer(&state.db, me.id, user.id, form.reason.trim())
        .await?
        .ok_or_else(|| AppError::Invalid(ctx.t().get("moderation.nothing_to_restore").into()))?;
    reindex(&state, &restored).await;
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
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<SilenceForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    if !may_act_on(&me, &user) {
        return Err(AppError::Forbidden);
    }
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
    db::moderation::silence(&state.db, me.id, user.id, until, reason).await?;
    ctx.flash("admin.saved");
    Ok(back_to(user.id))
}

/// `POST /admin/users/{id}/unsilence` (reason)
pub async fn unsilence(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    db::moderation::unsilence(&state.db, me.id, user.id, form.reason.trim()).await?;
    ctx.flash("admin.saved");
    Ok(back_to(user.id))
}

/// `POST /admin/users/{id}/dismiss_flags` (reason)
pub async fn dismiss_flags(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<ReasonForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = load(&ctx, &state, path.into_inner()).await?;
    db::moderation::dismiss_user_flags(&state.db, me.id, user.id, form.reason.trim()).await?;
    ctx.flash("moderation.done");
    Ok(back_to(user.id))
}

/// The search index follows what a sweep hid or brought back.
async fn reindex(state: &AppState, swept: &db::moderation::Swept) {
    for post_id in &swept.posts {
        search_index_changed(state, *post_id).await;
    }
    for resource_id in &swept.resources {
        crate::web::resources::search_index_changed(state, *resource_id).await;
    }
}
