//! Comments on listed resources: `POST /resources/{id}/comments` (approved entries only, under the
//! same privilege, silence, length and rules checks as post comments) and
//! `POST /resource-comments/{id}/delete` (the author, or staff with an audit row) and staff approval;
//! the thread the resource page shows is built in [`super::thread`].
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use super::thread::CommentDraft;
use crate::app::App;
use crate::auth::policy;
use crate::auth::privileges::Privilege;
use crate::db;
use crate::db::resource_comments;
use crate::domain::ResourceStatus;
use crate::domain::{CommentBody, CommentStatus};
use crate::error::AppError;
use crate::services::comments::CommentOn;
use crate::services::{self, Writer};
use crate::web::context::Ctx;
use crate::web::form::{comment_problem, CommentPlace};
use crate::web::refusal::{self, Refused};

#[derive(Deserialize)]
pub struct NewCommentForm {
    body: String,
}

/// `POST /resources/{id}/comments`
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<NewCommentForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let resource = db::resources::by_id(&state.db, path.into_inner())
        .await?
        .filter(|r| r.status == ResourceStatus::Approved)
        .ok_or(AppError::NotFound)?;
    let t = ctx.t();
    let form = form.into_inner();
    let refused = |status, message: String| {
        let draft = CommentDraft {
            body: form.body.clone(),
            error: Some(message),
        };
        super::browse::render_show(&ctx, &state, &resource, draft, status)
    };
    if !policy::may_comment_on_resource(&me, &resource) {
        let needed = Privilege::Comment.min_reputation().to_string();
        let message = t.fill("resource.comment_needs_reputation", &[("needed", &needed)]);
        return refused(StatusCode::FORBIDDEN, message).await;
    }
    let body = match CommentBody::parse(&form.body) {
        Ok(body) => body,
        Err(problem) => {
            let message = comment_problem(problem, CommentPlace::Resource, t);
            return refused(StatusCode::UNPROCESSABLE_ENTITY, message).await;
        }
    };
    let ip = ctx.client_ip();
    let on = CommentOn::Resource(&resource);
    let added = match services::comments::add(&state, Writer::new(&me, &ip), on, &body).await {
        Ok(added) => added,
        Err(e) => {
            let why = Refused::explain(e, t)?;
            let page = refused(why.status, why.message.clone()).await;
            return why.respond(page);
        }
    };
    if added.held {
        ctx.flash("resource.flash.comment_held");
    }
    Ok(crate::web::see_other(
        &crate::domain::paths::resource_comment_url(resource.id, added.id),
    ))
}

/// `POST /resource-comments/{id}/delete`
pub async fn delete(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let comment = resource_comments::by_id(&state.db, path.into_inner())
        .await?
        .filter(|c| matches!(c.status, CommentStatus::Published | CommentStatus::Pending))
        .ok_or(AppError::NotFound)?;
    if !policy::may_delete_comment(&me, comment.author_id) {
        return Err(AppError::Forbidden);
    }
    services::comments::delete_on_resource(&state, &me, &comment)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("flash.comment_deleted");
    Ok(crate::web::see_other(&crate::domain::paths::resource_url(
        comment.resource_id,
    )))
}

/// `POST /admin/resource-comments/{id}/approve` (staff): publishes a held comment.
pub async fn approve(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let approved = services::comments::approve_on_resource(&state, &me, path.into_inner())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if !approved {
        return Err(AppError::NotFound);
    }
    ctx.flash("moderation.done");
    Ok(crate::web::see_other("/admin/queue"))
}
