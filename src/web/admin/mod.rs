//! The admin panel (staff only). The dashboard shows the figures the foundation knows about; moderation
//! pages join it as they are built.
pub mod ai;
pub mod guidelines;
pub mod log;
pub mod settings;
pub mod users;

use actix_web::{web, HttpResponse};
use askama::Template;

use super::context::{Ctx, Page};
use super::state::AppState;
use crate::ai::AiStatus;
use crate::db;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    page: Page,
    users: i64,
    ai_on: bool,
    ai_line: String,
}

pub async fn dashboard(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let users = db::users::count(&state.db).await?;
    let t = ctx.t();
    let (ai_on, ai_line) = match state.ai_status() {
        AiStatus::Ready(m) => (
            true,
            t.fill(
                "admin.ai_ready",
                &[("model", &m.model_dir), ("runtime", &m.runtime_version)],
            ),
        ),
        AiStatus::Loading => (false, t.get("admin.ai_loading").to_string()),
        AiStatus::Off { reason } => (false, t.fill("admin.ai_off", &[("reason", &reason)])),
    };
    let page = ctx.page(t.get("admin.title"));
    super::ok(&Dashboard {
        page,
        users,
        ai_on,
        ai_line,
    })
}
