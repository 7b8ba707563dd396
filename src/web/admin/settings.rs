//! `/admin/settings` (admins): site name and description, and whether sign-up is open.
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::error::AppError;
use crate::web::context::{Ctx, Page};
use crate::web::state::AppState;

pub const SITE_NAME: &str = "site_name";
pub const SITE_DESCRIPTION: &str = "site_description";
pub const REGISTRATION: &str = "registration";

/// Whether new accounts may sign up (admins can always create accounts with `agora admin create`).
pub async fn registration_open(state: &AppState) -> Result<bool, AppError> {
    Ok(db::settings::get(&state.db, REGISTRATION).await?.as_deref() != Some("closed"))
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    page: Page,
    site_name: String,
    site_description: String,
    registration_open: bool,
    flag_hide_threshold: i64,
    flag_trusted_reputation: i64,
}

pub async fn show(ctx: Ctx, state: web::Data<AppState>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    let threshold = crate::web::moderation::hide_threshold(&state).await?;
    let get = |key| db::settings::get(&state.db, key);
    crate::web::ok(&SettingsPage {
        page: ctx.page(ctx.t().get("admin.settings")),
        site_name: get(SITE_NAME).await?.unwrap_or_else(|| "agora".into()),
        site_description: get(SITE_DESCRIPTION).await?.unwrap_or_default(),
        registration_open: registration_open(&state).await?,
        flag_hide_threshold: threshold.count,
        flag_trusted_reputation: threshold.trusted_reputation,
    })
}

#[derive(Deserialize)]
pub struct SettingsForm {
    site_name: String,
    #[serde(default)]
    site_description: String,
    registration: String,
    /// Absent from forms older than the moderation settings: then unchanged.
    #[serde(default)]
    flag_hide_threshold: Option<String>,
    #[serde(default)]
    flag_trusted_reputation: Option<String>,
}

/// A whole number in `range`, as text for storage.
fn number_in(text: &str, range: std::ops::RangeInclusive<i64>) -> Option<String> {
    text.trim()
        .parse::<i64>()
        .ok()
        .filter(|n| range.contains(n))
        .map(|n| n.to_string())
}

pub async fn save(
    ctx: Ctx,
    state: web::Data<AppState>,
    form: web::Form<SettingsForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let t = ctx.t();
    let name = form.site_name.trim();
    if name.is_empty() || name.chars().count() > 60 || form.site_description.chars().count() > 500 {
        return Err(AppError::Invalid(
            t.get("admin.settings_invalid").to_string(),
        ));
    }
    let registration = match form.registration.as_str() {
        "open" | "closed" => form.registration.as_str(),
        _ => {
            return Err(AppError::Invalid(
                t.get("admin.settings_invalid").to_string(),
            ))
        }
    };
    let mut moderation = Vec::new();
    for (key, given, range) in [
        (
            crate::web::moderation::FLAG_HIDE_THRESHOLD,
            &form.flag_hide_threshold,
            1..=100,
        ),
        (
            crate::web::moderation::FLAG_TRUSTED_REPUTATION,
            &form.flag_trusted_reputation,
            1..=1_000_000,
        ),
    ] {
        if let Some(text) = given {
            let value = number_in(text, range)
                .ok_or_else(|| AppError::Invalid(t.get("moderation.settings_invalid").into()))?;
            moderation.push((key, value));
        }
    }
    let fixed = [
        (SITE_NAME, name),
        (SITE_DESCRIPTION, form.site_description.trim()),
        (REGISTRATION, registration),
    ];
    let changes = fixed
        .into_iter()
        .chain(moderation.iter().map(|(k, v)| (*k, v.as_str())));
    for (key, value) in changes {
        if db::settings::get(&state.db, key).await?.as_deref() != Some(value) {
            db::settings::set_by(&state.db, me.id, key, value, None).await?;
        }
    }
    ctx.flash("admin.saved");
    Ok(crate::web::see_other("/admin/settings"))
}
