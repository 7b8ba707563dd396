//! Site settings: one typed loader for every setting the pages and write paths read (the site's and
//! the AI features'), with the defaults in one place, and the admins' save (each change audited).
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

// ---------------------------------------------------------------------------------------------
// The AI features (edited on /admin/ai)

pub const AI_SUMMARIES: &str = "ai.summaries";
pub const AI_SUMMARY_MIN_CHARS: &str = "ai.summary_min_chars";
pub const AI_BOT: &str = "ai.bot";
pub const AI_BOT_AUTO_ANSWER: &str = "ai.bot_auto_answer";
pub const AI_BOT_NAME: &str = "ai.bot_name";
pub const AI_BOT_MAX_TOKENS: &str = "ai.bot_max_tokens";
pub const BOT_MAX_TOKENS_RANGE: std::ops::RangeInclusive<usize> = crate::ai::answer::MAX_TOKENS;
pub const SUMMARY_MIN_CHARS_RANGE: std::ops::RangeInclusive<usize> = 100..=100_000;

/// The AI features' run-time settings, with their defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct FeatureSettings {
    pub summaries: bool,
    /// Posts with at least this many characters of Markdown get a summary draft on their own.
    pub summary_min_chars: usize,
    pub bot: bool,
    /// Post a bot answer on every new question (off by default).
    pub bot_auto_answer: bool,
    pub bot_name: String,
    pub bot_max_tokens: usize,
}

impl Default for FeatureSettings {
    fn default() -> Self {
        FeatureSettings {
            summaries: true,
            summary_min_chars: 600,
            bot: true,
            bot_auto_answer: false,
            bot_name: "agora-bot".to_string(),
            bot_max_tokens: 96,
        }
    }
}

impl FeatureSettings {
    /// Reads every `ai.*` setting in one query; unreadable or out-of-range values give the default.
    pub async fn load(db: &Db) -> Result<FeatureSettings, DbError> {
        let stored = db::settings::with_prefix(db, "ai.").await?;
        Ok(FeatureSettings::from_stored(&stored))
    }

    fn from_stored(stored: &HashMap<String, String>) -> FeatureSettings {
        let defaults = FeatureSettings::default();
        let get = |key: &str| stored.get(key).map(String::as_str);
        let flag = |key: &str, default: bool| get(key).map_or(default, |v| v == "on");
        let number = |key: &str, default: usize, range: &std::ops::RangeInclusive<usize>| {
            get(key)
                .and_then(|v| v.parse::<usize>().ok())
                .filter(|n| range.contains(n))
                .unwrap_or(default)
        };
        FeatureSettings {
            summaries: flag(AI_SUMMARIES, defaults.summaries),
            summary_min_chars: number(
                AI_SUMMARY_MIN_CHARS,
                defaults.summary_min_chars,
                &SUMMARY_MIN_CHARS_RANGE,
            ),
            bot: flag(AI_BOT, defaults.bot),
            bot_auto_answer: flag(AI_BOT_AUTO_ANSWER, defaults.bot_auto_answer),
            bot_name: get(AI_BOT_NAME)
                .filter(|n| crate::domain::Username::parse(n).is_ok())
                .map_or(defaults.bot_name, str::to_string),
            bot_max_tokens: number(
                AI_BOT_MAX_TOKENS,
                defaults.bot_max_tokens,
                &BOT_MAX_TOKENS_RANGE,
            ),
        }
    }
}

/// The admins' save of the AI features: each value that differs from what is in force now is a
/// setting change in the audit log; a new bot name renames the bot's account.
pub async fn save_features(
    app: &App,
    actor: &CurrentUser,
    wanted: &FeatureSettings,
    bot_name: &crate::domain::Username,
) -> Result<(), DbError> {
    let current = FeatureSettings::load(&app.db).await?;
    let on_off = |b: bool| if b { "on" } else { "off" };
    let changes: [(&str, String, String); 6] = [
        (
            AI_SUMMARIES,
            on_off(current.summaries).into(),
            on_off(wanted.summaries).into(),
        ),
        (
            AI_SUMMARY_MIN_CHARS,
            current.summary_min_chars.to_string(),
            wanted.summary_min_chars.to_string(),
        ),
        (
            AI_BOT,
            on_off(current.bot).into(),
            on_off(wanted.bot).into(),
        ),
        (
            AI_BOT_AUTO_ANSWER,
            on_off(current.bot_auto_answer).into(),
            on_off(wanted.bot_auto_answer).into(),
        ),
        (
            AI_BOT_NAME,
            current.bot_name.clone(),
            wanted.bot_name.clone(),
        ),
        (
            AI_BOT_MAX_TOKENS,
            current.bot_max_tokens.to_string(),
            wanted.bot_max_tokens.to_string(),
        ),
    ];
    for (key, old, new) in changes {
        if old != new {
            db::settings::set_by(&app.db, actor.id, key, &new, None).await?;
        }
    }
    if current.bot_name != wanted.bot_name {
        db::ai::ensure_bot_user(&app.db, bot_name).await?;
    }
    Ok(())
}

/// The scores the badges earned by score need (`badge_*` site settings), defaults for the rest.
pub async fn badge_thresholds(db: &Db) -> Result<crate::domain::BadgeThresholds, DbError> {
    let keys = crate::domain::BadgeThresholds::KEYS;
    let stored = db::settings::many(db, &keys).await?;
    Ok(crate::domain::BadgeThresholds::from_settings(
        stored.iter().map(|(k, v)| (k.as_str(), v.as_str())),
    ))
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

    #[test]
    fn ai_features_keep_their_defaults_for_values_out_of_range() {
        let stored: HashMap<String, String> = [
            (AI_BOT_MAX_TOKENS.to_string(), "100000".to_string()),
            (AI_SUMMARY_MIN_CHARS.to_string(), "800".to_string()),
            (AI_BOT_NAME.to_string(), "no spaces allowed".to_string()),
            (AI_BOT_AUTO_ANSWER.to_string(), "on".to_string()),
        ]
        .into_iter()
        .collect();
        let s = FeatureSettings::from_stored(&stored);
        assert_eq!(s.bot_max_tokens, FeatureSettings::default().bot_max_tokens);
        assert_eq!(s.summary_min_chars, 800);
        assert_eq!(s.bot_name, "agora-bot");
        assert!(s.bot_auto_answer && s.bot && s.summaries);
    }
}
