//! `/admin/settings` (admins): site name and description, sign-up (open, closed or by invitation),
//! the default language, the moderation thresholds, the trust level events need, and the brand's
//! form (saved by [`super::brand`]).
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::domain::{BadgeThresholds, Registration};
use crate::error::AppError;
use crate::services::brand::StoredBrand;
use crate::services::settings::{
    self, DEFAULT_LANGUAGE, FLAG_HIDE_THRESHOLD, FLAG_TRUSTED_REPUTATION, REGISTRATION,
    SITE_DESCRIPTION, SITE_NAME,
};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;

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
    /// `(setting key, label key, value)` for each badge threshold.
    badge_thresholds: Vec<(&'static str, &'static str, i64)>,
    events_min_trust: i64,
    brand: StoredBrand,
    brand_errors: FormErrors,
    /// "Light background #fbfbfa, dark background #15171b, at least 4.5:1."
    contrast_hint: String,
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    let brand = crate::services::brand::stored(&state.db).await?;
    crate::web::ok(&settings_page(&ctx, &state, brand, FormErrors::default()).await?)
}

/// The settings page with the brand form as given (stored, or refused with `brand_errors`).
pub(super) async fn settings_page(
    ctx: &Ctx,
    state: &App,
    brand: StoredBrand,
    brand_errors: FormErrors,
) -> Result<impl Template, AppError> {
    let site = settings::load(&state.db).await?;
    let threshold = site.hide_threshold;
    let (light, dark) = crate::domain::backgrounds();
    let badges = settings::badge_thresholds(&state.db).await?;
    let values = [
        badges.good_answer,
        badges.great_answer,
        badges.tag_bronze,
        badges.tag_silver,
        badges.tag_gold,
    ];
    let t = ctx.t();
    Ok(SettingsPage {
        badge_thresholds: BadgeThresholds::KEYS
            .into_iter()
            .zip(BADGE_LABELS)
            .zip(values)
            .map(|((key, label), value)| (key, label, value))
            .collect(),
        page: ctx.page(t.get("admin.settings")),
        site_name: site.site_name,
        site_description: site.site_description,
        registration: site.registration.as_str(),
        default_language: site.default_language.code(),
        languages: crate::i18n::Lang::ALL
            .iter()
            .map(|l| (l.code(), l.native_name()))
            .collect(),
        flag_hide_threshold: threshold.count,
        flag_trusted_reputation: threshold.trusted_reputation,
        events_min_trust: crate::services::events::min_trust(&state.db).await?,
        brand,
        brand_errors,
        contrast_hint: t.fill(
            "brand.contrast_hint",
            &[
                ("light", &light.hex()),
                ("dark", &dark.hex()),
                ("ratio", &crate::domain::MIN_CONTRAST.to_string()),
            ],
        ),
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
    /// The badge thresholds (absent from older forms: then unchanged).
    #[serde(default)]
    badge_good_answer: Option<String>,
    #[serde(default)]
    badge_great_answer: Option<String>,
    #[serde(default)]
    badge_tag_bronze: Option<String>,
    #[serde(default)]
    badge_tag_silver: Option<String>,
    #[serde(default)]
    badge_tag_gold: Option<String>,
    /// Absent from forms older than events: then unchanged.
    #[serde(default)]
    events_min_trust: Option<String>,
}

/// The labels of the badge thresholds, in the order of [`BadgeThresholds::KEYS`].
const BADGE_LABELS: [&str; 5] = [
    "badge.setting_good_answer",
    "badge.setting_great_answer",
    "badge.setting_tag_bronze",
    "badge.setting_tag_silver",
    "badge.setting_tag_gold",
];

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
    state: web::Data<App>,
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
        (FLAG_HIDE_THRESHOLD, &form.flag_hide_threshold, 1..=100),
        (
            FLAG_TRUSTED_REPUTATION,
            &form.flag_trusted_reputation,
            1..=1_000_000,
        ),
        (
            crate::services::events::MIN_TRUST,
            &form.events_min_trust,
            0..=4,
        ),
    ] {
        if let Some(text) = given {
            let value = number_in(text, range)
                .ok_or_else(|| AppError::Invalid(t.get("moderation.settings_invalid").into()))?;
            moderation.push((key, value));
        }
    }
    let badge_fields = [
        &form.badge_good_answer,
        &form.badge_great_answer,
        &form.badge_tag_bronze,
        &form.badge_tag_silver,
        &form.badge_tag_gold,
    ];
    for (key, given) in BadgeThresholds::KEYS.into_iter().zip(badge_fields) {
        if let Some(text) = given {
            let value = number_in(text, 1..=1_000_000)
                .ok_or_else(|| AppError::Invalid(t.get("badge.settings_invalid").into()))?;
            moderation.push((key, value));
        }
    }
    let mut changes = vec![
        (SITE_NAME, name.to_string()),
        (SITE_DESCRIPTION, form.site_description.trim().to_string()),
        (REGISTRATION, registration.to_string()),
    ];
    changes.extend(moderation);
    settings::save(&state, &me, &changes).await?;
    ctx.flash("admin.saved");
    Ok(crate::web::see_other("/admin/settings"))
}
