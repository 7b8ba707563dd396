//! The admin panel (staff only). The dashboard shows the figures the foundation knows about; moderation
//! pages join it as they are built.
use actix_web::{web, HttpResponse};
use askama::Template;

use super::context::{Ctx, Page};
use super::state::AppState;
use crate::db;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    page: Page,
    users: i64,
}

pub async fn dashboard(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let users = db::users::count(&state.db).await?;
    let page = ctx.page(ctx.t().get("admin.title"));
    super::ok(&Dashboard { page, users })
}
