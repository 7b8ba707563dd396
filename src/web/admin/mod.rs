//! The admin panel (staff only). The dashboard shows the figures the foundation knows about; moderation
//! pages join it as they are built.
pub mod account_settings;
pub mod ai;
pub mod brand;
pub mod chart;
pub mod guidelines;
pub mod invites;
pub mod log;
pub mod mail;
pub mod personal_data;
pub mod reports;
pub mod settings;
pub mod users;
pub mod webhooks;

use actix_web::{web, HttpResponse};
use askama::Template;

use super::context::{Ctx, Page};
use crate::ai::AiStatus;
use crate::app::App;
use crate::db;
use crate::error::AppError;

#[derive(Template)]
#[template(path = "admin/dashboard.html")]
struct Dashboard {
    page: Page,
    totals: db::stats::Totals,
    /// Sign-ups and posts per day over the last [`CHART_DAYS`] days, as SVG.
    chart: String,
    ai_on: bool,
    ai_line: String,
    mail: mail::MailPanel,
}

/// Days the dashboard chart covers.
pub const CHART_DAYS: i64 = 30;

pub async fn dashboard(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let t = ctx.t();
    let totals = db::stats::totals(&state.db).await?;
    let now = db::now();
    let signups = db::stats::signups_per_day(&state.db, now, CHART_DAYS).await?;
    let posts = db::stats::posts_per_day(&state.db, now, CHART_DAYS).await?;
    let chart = chart::line_chart(
        &t.fill("admin.chart_title", &[("days", &CHART_DAYS.to_string())]),
        &[
            chart::Series {
                label: t.get("admin.chart_signups"),
                values: &signups,
            },
            chart::Series {
                label: t.get("admin.chart_posts"),
                values: &posts,
            },
        ],
        &crate::web::format::day(now - (CHART_DAYS - 1) * 86_400),
        &crate::web::format::day(now),
    );
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
    let mail = mail::panel(&state).await?;
    let page = ctx.page(t.get("admin.title"));
    super::ok(&Dashboard {
        page,
        totals,
        chart,
        ai_on,
        ai_line,
        mail,
    })
}
