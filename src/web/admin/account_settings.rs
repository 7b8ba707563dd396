//! `GET|POST /admin/settings/accounts` (admins): email confirmation (off, optional, required before
//! posting), whether staff must use two-factor authentication, and after how many days away a
//! member is mailed the summary digest (a bad number comes back as the form with the text kept).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;
use crate::services::account_settings::{
    self, AccountSettings, EmailVerification, SUMMARY_AWAY_DAYS_RANGE,
};
use crate::web::context::{Ctx, Page};

#[derive(Template)]
#[template(path = "admin/account_settings.html")]
struct SettingsPage {
    page: Page,
    /// (value, label key, selected)
    verification: Vec<(&'static str, String, bool)>,
    staff_two_factor: bool,
    /// The days-away field as shown (the stored number, or what was typed when refused).
    summary_away_days: String,
    min_days: i64,
    max_days: i64,
    error: Option<String>,
}

#[derive(Deserialize)]
pub struct SettingsForm {
    email_verification: String,
    #[serde(default)]
    staff_two_factor: Option<String>,
    /// Absent: the stored value is kept.
    #[serde(default)]
    summary_away_days: Option<String>,
}

fn page(
    ctx: &Ctx,
    email_verification: EmailVerification,
    staff_two_factor: bool,
    summary_away_days: String,
    error: Option<String>,
) -> SettingsPage {
    let t = ctx.t();
    SettingsPage {
        page: ctx.page(t.get("admin.account_settings")),
        verification: EmailVerification::ALL
            .iter()
            .map(|v| {
                (
                    v.as_str(),
                    t.get(&format!("admin.email_verification_{}", v.as_str()))
                        .to_string(),
                    *v == email_verification,
                )
            })
            .collect(),
        staff_two_factor,
        summary_away_days,
        min_days: *SUMMARY_AWAY_DAYS_RANGE.start(),
        max_days: *SUMMARY_AWAY_DAYS_RANGE.end(),
        error,
    }
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    let current = account_settings::load(&state.db).await?;
    crate::web::ok(&page(
        &ctx,
        current.email_verification,
        current.staff_two_factor,
        current.summary_away_days.to_string(),
        None,
    ))
}

pub async fn save(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let t = ctx.t();
    let email_verification = EmailVerification::parse(&form.email_verification)
        .ok_or_else(|| AppError::Invalid(t.get("admin.settings_invalid").to_string()))?;
    let staff_two_factor = form.staff_two_factor.is_some();
    let current = account_settings::load(&state.db).await?;
    let summary_away_days = match form.summary_away_days.as_deref() {
        None => current.summary_away_days,
        Some(text) => match account_settings::parse_away_days(text) {
            Some(days) => days,
            None => {
                let error = t.fill(
                    "admin.summary_away_days_invalid",
                    &[
                        ("min", &SUMMARY_AWAY_DAYS_RANGE.start().to_string()),
                        ("max", &SUMMARY_AWAY_DAYS_RANGE.end().to_string()),
                    ],
                );
                return crate::web::render(
                    &page(
                        &ctx,
                        email_verification,
                        staff_two_factor,
                        text.to_string(),
                        Some(error),
                    ),
                    StatusCode::UNPROCESSABLE_ENTITY,
                );
            }
        },
    };
    account_settings::save(
        &state,
        &me,
        AccountSettings {
            email_verification,
            staff_two_factor,
            summary_away_days,
        },
    )
    .await?;
    ctx.flash("admin.account_settings_saved");
    Ok(crate::web::see_other("/admin/settings/accounts"))
}
