//! Site settings: one typed loader for every setting the pages and write paths read, with the
//! defaults in one place, and the admins' save (each change audited).
use std::collections::HashMap;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::flags::HideThreshold;
use crate::db::{self, Db, DbError};
use crate::domain::Registration;
use crate::i18n::Lang;

pub const SITE_NAME: &str = "site_name";
pub const SITE_DESCRIPTION: &str = "site_description";
pub const REGISTRATION: &str = "registration";
pub const DEFAULT_LANGUAGE: &str = "default_language";
pub const FLAG_HIDE_THRESHOLD: &str = "flag_hide_threshold";
pub const FLAG_TRUSTED_REPUTATION: &str = "flag_trusted_reputation";
pub const DEFAULT_HIDE_THRESHOLD: i64 = 3;
pub const DEFAULT_TRUSTED_REPUTATION: i64 = 15;

/// Every site setting with its default filled in.
#[derive(Debug, Clone)]
pub struct SiteSettings {
    pub site_name: String,
    pub site_description: String,
    pub registration: Registration,
    pub default_language: Lang,
    pub hide_threshold: HideThreshold,
}

impl SiteSettings {
    fn from_stored(stored: &HashMap<String, String>) -> SiteSettings {
        let number = |key: &str, default: i64| {
            stored
                .get(key)
                .and_then(|v| v.trim().parse::<i64>().ok())
                .unwrap_or(default)
        };
        SiteSettings {
            site_name: stored
                .get(SITE_NAME)
                .cloned()
                .unwrap_or_else(|| "agora".into()),
            site_description: stored.get(SITE_DESCRIPTION).cloned().unwrap_or_default(),
            registration: stored
                .get(REGISTRATION)
                .and_then(|v| Registration::parse(v))
                .unwrap_or(Registration::Open),
            default_language: stored
                .get(DEFAULT_LANGUAGE)
                .and_then(|v| Lang::from_tag(v))
                .unwrap_or(Lang::En),
            hide_threshold: HideThreshold {
                count: number(FLAG_HIDE_THRESHOLD, DEFAULT_HIDE_THRESHOLD),
                trusted_reputation: number(FLAG_TRUSTED_REPUTATION, DEFAULT_TRUSTED_REPUTATION),
            },
        }
    }
}

/// Reads the site settings in one query.
pub async fn load(db: &Db) -> Result<SiteSettings, DbError> {
    let keys = [
        SITE_NAME,
        SITE_DESCRIPTION,
        REGISTRATION,
        DEFAULT_LANGUAGE,
        FLAG_HIDE_THRESHOLD,
        FLAG_TRUSTED_REPUTATION,
    ];
    let stored = db::settings::many(db, &keys).await?;
    Ok(SiteSettings::from_stored(&stored))
}

/// The language for visitors who state none the forum supports (read on every visitor's request, so
/// alone).
pub async fn default_language(db: &Db) -> Result<Lang, DbError> {
    Ok(db::settings::get(db, DEFAULT_LANGUAGE)
        .await?
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or(Lang::En))
}

const GUIDELINES_MARKDOWN: &str = "guidelines_md";
const GUIDELINES_HTML: &str = "guidelines_html";

/// The community guidelines as stored: (Markdown, rendered HTML), `None` until an admin writes them.
pub async fn guidelines(db: &Db) -> Result<(Option<String>, Option<String>), DbError> {
    let stored = db::settings::many(db, &[GUIDELINES_MARKDOWN, GUIDELINES_HTML]).await?;
    Ok((
        stored.get(GUIDELINES_MARKDOWN).cloned(),
        stored.get(GUIDELINES_HTML).cloned(),
    ))
}

/// An admin replaces the guidelines: rendered like a post, stored with their HTML, audited.
pub async fn save_guidelines(
    app: &App,
    admin: &CurrentUser,
    markdown: &str,
) -> Result<(), super::WriteError> {
    let rendered = super::render::post(app, markdown).await?;
    db::settings::set_by(
        &app.db,
        admin.id,
        GUIDELINES_MARKDOWN,
        markdown,
        Some((GUIDELINES_HTML, &rendered.html)),
    )
    .await?;
    Ok(())
}

/// Stores the changed values (each change is an audit-log row); unchanged ones are left alone.
pub async fn save(
    app: &App,
    actor: &CurrentUser,
    changes: &[(&'static str, String)],
) -> Result<(), DbError> {
    let keys: Vec<&str> = changes.iter().map(|(k, _)| *k).collect();
    let stored = db::settings::many(&app.db, &keys).await?;
    for (key, value) in changes {
        if stored.get(*key) != Some(value) {
            db::settings::set_by(&app.db, actor.id, key, value, None).await?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_empty_table_gives_the_defaults() {
        let s = SiteSettings::from_stored(&HashMap::new());
        assert_eq!(s.site_name, "agora");
        assert_eq!(s.registration, Registration::Open);
        assert_eq!(s.default_language, Lang::En);
        assert_eq!(s.hide_threshold.count, DEFAULT_HIDE_THRESHOLD);
    }

    #[test]
    fn unreadable_values_fall_back_to_the_defaults() {
        let stored: HashMap<String, String> = [
            (REGISTRATION.to_string(), "sometimes".to_string()),
            (FLAG_HIDE_THRESHOLD.to_string(), "many".to_string()),
            (FLAG_TRUSTED_REPUTATION.to_string(), " 40 ".to_string()),
        ]
        .into_iter()
        .collect();
        let s = SiteSettings::from_stored(&stored);
        assert_eq!(s.registration, Registration::Open);
        assert_eq!(s.hide_threshold.count, DEFAULT_HIDE_THRESHOLD);
        assert_eq!(s.hide_threshold.trusted_reputation, 40);
    }
}
