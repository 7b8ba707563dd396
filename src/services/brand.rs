//! The community's brand: read on every page (one query over the `brand.*` settings) and saved by
//! admins from `/admin/settings` (each changed value audited like any setting).
use std::collections::HashMap;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::{self, Db, DbError};
use crate::domain::{Brand, RawBrand};
use crate::i18n::Lang;

pub const LOGO: &str = "brand.logo";
pub const FAVICON: &str = "brand.favicon";
pub const ACCENT_LIGHT: &str = "brand.accent_light";
pub const ACCENT_DARK: &str = "brand.accent_dark";
pub const BANNER: &str = "brand.banner";
pub const BANNER_UNTIL: &str = "brand.banner_until";
pub const FOOTER_LINKS: &str = "brand.footer_links";

/// The stored values as the admins typed them (the settings form shows these).
#[derive(Debug, Clone, Default)]
pub struct StoredBrand {
    pub logo: String,
    pub favicon: String,
    pub accent_light: String,
    pub accent_dark: String,
    pub banner: String,
    pub banner_until: String,
    pub footer_links: String,
}

impl StoredBrand {
    fn from_stored(stored: &HashMap<String, String>) -> StoredBrand {
        let get = |key: &str| stored.get(key).cloned().unwrap_or_default();
        StoredBrand {
            logo: get(LOGO),
            favicon: get(FAVICON),
            accent_light: get(ACCENT_LIGHT),
            accent_dark: get(ACCENT_DARK),
            banner: get(BANNER),
            banner_until: get(BANNER_UNTIL),
            footer_links: get(FOOTER_LINKS),
        }
    }

    pub fn raw(&self) -> RawBrand<'_> {
        RawBrand {
            logo: &self.logo,
            favicon: &self.favicon,
            accent_light: &self.accent_light,
            accent_dark: &self.accent_dark,
            banner: &self.banner,
            banner_until: &self.banner_until,
            footer_links: &self.footer_links,
        }
    }
}

/// What is stored, as typed.
pub async fn stored(db: &Db) -> Result<StoredBrand, DbError> {
    Ok(StoredBrand::from_stored(
        &db::settings::with_prefix(db, "brand.").await?,
    ))
}

/// The brand in force: what is stored, parsed (stored values passed the same parse when saved; a
/// value that no longer does — the stylesheet's background changed — falls back to the forum's look).
pub async fn load(db: &Db) -> Result<Brand, DbError> {
    Ok(Brand::parse(stored(db).await?.raw()).unwrap_or_default())
}

/// The brand in force and the site's default language, in one read (a visitor whose request names
/// no language the forum has gets the default; the page frame needs both).
pub async fn load_with_default_language(db: &Db) -> Result<(Brand, Lang), DbError> {
    let mut stored =
        db::settings::with_prefix_and_keys(db, "brand.", &[super::settings::DEFAULT_LANGUAGE])
            .await?;
    let lang = stored
        .remove(super::settings::DEFAULT_LANGUAGE)
        .as_deref()
        .and_then(Lang::from_tag)
        .unwrap_or(Lang::En);
    let brand = Brand::parse(StoredBrand::from_stored(&stored).raw()).unwrap_or_default();
    Ok((brand, lang))
}

/// An admin saves the brand (parsed by the caller); values are stored as entered, trimmed.
pub async fn save(app: &App, admin: &CurrentUser, form: &StoredBrand) -> Result<(), DbError> {
    let changes = [
        (LOGO, form.logo.trim().to_string()),
        (FAVICON, form.favicon.trim().to_string()),
        (ACCENT_LIGHT, form.accent_light.trim().to_lowercase()),
        (ACCENT_DARK, form.accent_dark.trim().to_lowercase()),
        (BANNER, form.banner.trim().to_string()),
        (BANNER_UNTIL, form.banner_until.trim().to_string()),
        (FOOTER_LINKS, form.footer_links.trim().replace("\r\n", "\n")),
    ];
    super::settings::save(app, admin, &changes).await
}
