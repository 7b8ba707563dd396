//! `/admin/settings` (admins): site name and description, sign-up (open, closed or by invitation),
//! the default language and the moderation thresholds.
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
pub const DEFAULT_LANGUAGE: &str = "default_language";

/// Who may sign up (admins can always create accounts with `agora admin create`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registration {
    Open,
    Closed,
    /// Only with an invite link from `/admin/invites`.
    Invite,
}

impl Registration {
    pub fn parse(text: &str) -> Option<Registration> {
        match text {
            "open" => Some(Registration::Open),
            "closed" => Some(Registration::Closed),
            "invite" => Some(Registration::Invite),
            _ => None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Registration::Open => "open",
            Registration::Closed => "closed",
            Registration::Invite => "invite",
        }
    }
}

pub async fn registration(state: &AppState) -> Result<Registration, AppError> {
    Ok(db::settings::get(&state.db, REGISTRATION)
        .await?
        .as_deref()
        .and_then(Registration::parse)
        .unwrap_or(Registration::Open))
}

/// The language for visitors who state none the forum supports.
pub async fn default_language(db: &db::Db) -> Result<crate::i18n::Lang, db::DbError> {
    Ok(db::settings::get(db, DEFAULT_LANGUAGE)
        .await?
        .as_deref()
        .and_then(crate::i18n::Lang::from_tag)
        .unwrap_or(crate::i18n::Lang::En))
}

#[derive(Template)]
#[template(path = "admin/settings.html")]
struct SettingsPage {
    page: Page,
    site_name: String,
    site_description: String,
    registration: &'static str,
    default_language: &'static str,
    languages: Vec<(&'static str, &'static str)>,
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
        registration: registration(&state).await?.as_str(),
        default_language: default_language(&state.db).await?.code(),
        languages: crate::i18n::Lang::ALL
            .iter()
            .map(|l| (l.code(), l.native_name()))
            .collect(),
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
    /// Absent from older forms: then unchanged.
    #[serde(default)]
    default_language: Option<String>,
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
    let registration = Registration::parse(&form.registration)
        .ok_or_else(|| AppError::Invalid(t.get("admin.settings_invalid").to_string()))?
        .as_str();
    let mut moderation = Vec::new();
    if let Some(tag) = &form.default_language {
        let lang = crate::i18n::Lang::from_tag(tag)
            .ok_or_else(|| AppError::Invalid(t.get("admin.settings_invalid").to_string()))?;
        moderation.push((DEFAULT_LANGUAGE, lang.code().to_string()));
    }
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
