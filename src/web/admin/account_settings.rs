//! `GET|POST /admin/settings/accounts` (admins): email confirmation (off, optional, required before
//! posting) and whether staff must use two-factor authentication.
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::error::AppError;
use crate::services::account_settings::{self, AccountSettings, EmailVerification};
use crate::web::context::{Ctx, Page};

#[derive(Template)]
#[template(path = "admin/account_settings.html")]
struct SettingsPage {
    page: Page,
    /// (value, label key, selected)
    verification: Vec<(&'static str, String, bool)>,
    staff_two_factor: bool,
}

#[derive(Deserialize)]
pub struct SettingsForm {
    email_verification: String,
    #[serde(default)]
    staff_two_factor: Option<String>,
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    let t = ctx.t();
    let current = account_settings::load(&state.db).await?;
    crate::web::ok(&SettingsPage {
        page: ctx.page(t.get("admin.account_settings")),
        verification: EmailVerification::ALL
            .iter()
            .map(|v| {
                (
                    v.as_str(),
                    t.get(&format!("admin.email_verification_{}", v.as_str()))
                        .to_string(),
                    *v == current.email_verification,
                )
            })
            .collect(),
        staff_two_factor: current.staff_two_factor,
    })
}

pub async fn save(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let email_verification = EmailVerification::parse(&form.email_verification)
        .ok_or_else(|| AppError::Invalid(ctx.t().get("admin.settings_invalid").to_string()))?;
    account_settings::save(
        &state,
        &me,
        AccountSettings {
            email_verification,
            staff_two_factor: form.staff_two_factor.is_some(),
        },
    )
    .await?;
    ctx.flash("admin.account_settings_saved");
    Ok(crate::web::see_other("/admin/settings/accounts"))
}
