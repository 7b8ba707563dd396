//! An admin acts on a member's personal data from `/admin/users/{id}`: `POST .../export` asks for
//! the member's export (downloadable by that admin at `/settings/export/{id}`), `POST
//! .../delete-account` (`content`: keep | remove) deletes the account. Never another admin's.
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::app::App;
use crate::auth::{policy, CurrentUser};
use crate::db::{self, users::UserRecord};
use crate::domain::paths;
use crate::error::AppError;
use crate::services::personal_data::{self, Content};
use crate::web::context::Ctx;
use crate::web::refusal;

/// An export this admin asked for, as the member's admin page lists it.
pub struct ExportLink {
    pub requested: String,
    pub ready: bool,
    pub download: String,
}

/// The exports `me` asked for about `user_id`.
pub async fn export_links(
    state: &App,
    me: &CurrentUser,
    user_id: i64,
) -> Result<Vec<ExportLink>, AppError> {
    Ok(db::personal_data::exports(&state.db, me.id, user_id)
        .await?
        .iter()
        .map(|e| ExportLink {
            requested: crate::web::format::time(e.created_at),
            ready: e.status == "ready",
            download: paths::export_download_url(e.id),
        })
        .collect())
}

/// Only an admin, and not on an admin's account (themself included: their own page does that).
async fn member_in_reach(
    ctx: &Ctx,
    state: &App,
    id: i64,
) -> Result<(CurrentUser, UserRecord), AppError> {
    let me = ctx.require_admin()?;
    let user = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    if me.id == user.id || !policy::may_manage_account(&me, &user) {
        return Err(AppError::Forbidden);
    }
    Ok((me, user))
}

pub async fn export(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = member_in_reach(&ctx, &state, *path).await?;
    personal_data::request_export(&state, &me, user.id)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("data.export_requested");
    Ok(crate::web::see_other(&paths::admin_user_url(user.id)))
}

#[derive(Deserialize)]
pub struct DeleteForm {
    #[serde(default)]
    content: String,
}

pub async fn delete_account(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<DeleteForm>,
) -> Result<HttpResponse, AppError> {
    let (me, user) = member_in_reach(&ctx, &state, *path).await?;
    let choice = if form.content == "remove" {
        Content::Remove
    } else {
        Content::Keep
    };
    personal_data::delete_account(&state, &me, user.id, choice)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    Ok(crate::web::see_other(&paths::admin_user_url(user.id)))
}
