//! `GET /badges` (every badge with how often it was awarded and its latest holders) and
//! `GET /badges/{badge}` (all its holders, newest first, a page at a time).
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db::badges::{self, Held};
use crate::domain::{paths, Badge};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::web::context::{Ctx, Page};

/// Holders shown per badge on `/badges`.
const LATEST_HOLDERS: i64 = 5;
/// Holders per page of `/badges/{badge}`.
const PAGE_SIZE: i64 = 50;

/// A badge as the pages name it.
pub struct BadgeView {
    pub name: String,
    pub about: String,
    pub rank: &'static str,
    pub url: String,
}

impl BadgeView {
    pub fn new(badge: Badge, t: &Catalog, thresholds: &crate::domain::BadgeThresholds) -> Self {
        let score = badge.threshold(thresholds).unwrap_or_default().to_string();
        BadgeView {
            name: t.get(badge.catalog_key()).to_string(),
            about: t.fill(badge.about_key(), &[("score", &score)]),
            rank: badge.rank().as_str(),
            url: paths::badge_url(badge),
        }
    }
}

/// One holder: who, in which tag, since when.
pub struct HolderView {
    pub username: String,
    pub profile: String,
    pub tag: Option<String>,
    pub when: String,
}

fn holder(h: &Held) -> HolderView {
    HolderView {
        username: h.username.clone(),
        profile: paths::profile_url(&h.username),
        tag: h.tag.clone(),
        when: crate::web::format::time(h.awarded_at),
    }
}

pub struct BadgeRow {
    pub badge: BadgeView,
    pub count: i64,
    pub holders: Vec<HolderView>,
}

#[derive(Template)]
#[template(path = "social/badges.html")]
struct BadgesPage {
    page: Page,
    rows: Vec<BadgeRow>,
}

pub async fn list(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let thresholds = crate::services::settings::badge_thresholds(&state.db).await?;
    let counts = badges::counts(&state.db).await?;
    let mut rows = Vec::with_capacity(Badge::ALL.len());
    for badge in Badge::ALL {
        let (held, _) = badges::holders(&state.db, badge, None, LATEST_HOLDERS).await?;
        rows.push(BadgeRow {
            badge: BadgeView::new(badge, t, &thresholds),
            count: counts
                .iter()
                .find(|(b, _)| *b == badge)
                .map_or(0, |(_, n)| *n),
            holders: held.iter().map(holder).collect(),
        });
    }
    crate::web::ok(&BadgesPage {
        page: ctx.page(t.get("badge.title")),
        rows,
    })
}

#[derive(Template)]
#[template(path = "social/badge.html")]
struct BadgePage {
    page: Page,
    badge: BadgeView,
    holders: Vec<HolderView>,
    next_url: Option<String>,
}

#[derive(Deserialize)]
pub struct HoldersQuery {
    before: Option<i64>,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<String>,
    query: web::Query<HoldersQuery>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let badge = Badge::parse(path.as_str()).ok_or(AppError::NotFound)?;
    let thresholds = crate::services::settings::badge_thresholds(&state.db).await?;
    let (held, more) = badges::holders(&state.db, badge, query.before, PAGE_SIZE).await?;
    let next_url = held
        .last()
        .filter(|_| more)
        .map(|last| format!("{}?before={}", paths::badge_url(badge), last.id));
    let view = BadgeView::new(badge, t, &thresholds);
    crate::web::ok(&BadgePage {
        page: ctx.page(view.name.clone()),
        badge: view,
        holders: held.iter().map(holder).collect(),
        next_url,
    })
}

/// A member's badges as their profile lists them.
pub async fn of_member(
    state: &App,
    user_id: i64,
    t: &Catalog,
) -> Result<Vec<(BadgeView, HolderView)>, AppError> {
    let thresholds = crate::services::settings::badge_thresholds(&state.db).await?;
    let held = badges::of_user(&state.db, user_id, 100).await?;
    Ok(held
        .iter()
        .map(|h| (BadgeView::new(h.badge, t, &thresholds), holder(h)))
        .collect())
}
