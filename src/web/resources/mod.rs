//! Resource listings (`/resources`): members submit typed entries (books, courses, papers, tools,
//! models, datasets); staff approve or reject them on `/admin/resources`; approved ones are listed,
//! filtered, voted on, flagged and searched; a background job checks their links. Queries live in
//! `db::resources`; this module holds the routes and what the pages share.
pub mod browse;
pub mod comments;
pub mod link_check;
pub mod review;
pub mod submit;

use actix_web::web;

use crate::auth::CurrentUser;
use crate::db::resources::ResourceRecord;
use crate::domain::{Level, ResourceKind};
use crate::i18n::Catalog;
use crate::web::posts::format_time;
use crate::web::state::AppState;

pub use link_check::register_jobs;

/// Members with at least this much reputation (and staff) are trusted: their submissions are
/// listed at once instead of waiting for review.
pub const TRUSTED_REPUTATION: i64 = 200;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/resources", web::get().to(browse::list))
        .route("/resources", web::post().to(submit::create))
        .route("/resources/new", web::get().to(submit::new_form))
        .route("/resources/{id}", web::get().to(browse::show))
        .route(
            "/resources/{id}/{slug}",
            web::get().to(browse::show_with_slug),
        )
        .route("/resources/{id}/comments", web::post().to(comments::create))
        .route(
            "/admin/resource-comments/{id}/approve",
            web::post().to(comments::approve),
        )
        .route(
            "/resource-comments/{id}/delete",
            web::post().to(comments::delete),
        )
        .route("/admin/resources", web::get().to(review::show))
        .route(
            "/admin/resources/check-links",
            web::post().to(review::check_all_links),
        )
        .route(
            "/admin/resources/{id}/{action}",
            web::post().to(review::act),
        );
}

/// Whether `user` trusts their own submissions past review.
pub fn is_trusted(user: &CurrentUser) -> bool {
    user.is_staff() || user.reputation >= TRUSTED_REPUTATION
}

/// Approved entries are public; pending and rejected ones are seen by their submitter and staff.
pub fn visible_to(resource: &ResourceRecord, user: Option<&CurrentUser>) -> bool {
    resource.status == "approved"
        || user.is_some_and(|u| u.id == resource.submitted_by || u.is_staff())
}

pub fn resource_url(id: i64) -> String {
    format!("/resources/{id}")
}

/// Re-indexes a resource for search; the entry is saved already, so a failure is only logged.
pub async fn search_index_changed(state: &AppState, id: i64) {
    if let Err(e) = crate::search::upsert_resource(&state.db, id).await {
        tracing::warn!(error = %e, resource_id = id, "could not update the search index");
    }
}

/// Queues a link check for one entry (one queued check per entry at a time).
pub async fn queue_link_check(state: &AppState, id: i64) {
    if let Err(e) = link_check::enqueue(&state.db, id).await {
        tracing::warn!(error = %e, resource_id = id, "could not queue a link check");
    }
}

/// A resource as the pages show it.
pub struct ResourceView {
    pub id: i64,
    pub url: String,
    pub kind: String,
    pub kind_label: String,
    pub title: String,
    pub link: String,
    pub authors: String,
    pub year: String,
    pub identifier: String,
    pub identifier_link: String,
    pub level_label: String,
    pub language: String,
    pub licence: String,
    pub description_html: String,
    pub submitter: String,
    pub submitter_url: String,
    pub status: String,
    pub is_pending: bool,
    pub is_rejected: bool,
    pub review_reason: String,
    pub score: i64,
    pub link_status: String,
    pub link_dead: bool,
    pub link_detail: String,
    pub link_checked: String,
    pub created: String,
    pub tags: Vec<(String, String)>,
}

impl ResourceView {
    pub fn new(r: &ResourceRecord, t: &Catalog) -> Self {
        let identifier = r.identifier.clone().unwrap_or_default();
        let identifier_link = crate::domain::Identifier::parse(&identifier)
            .ok()
            .and_then(|i| i.link())
            .unwrap_or_default();
        ResourceView {
            id: r.id,
            url: resource_url(r.id),
            kind: r.kind.clone(),
            kind_label: ResourceKind::parse(&r.kind)
                .map_or_else(|| r.kind.clone(), |k| t.get(k.catalog_key()).to_string()),
            title: r.title.clone(),
            link: r.url.clone(),
            authors: r.authors.clone(),
            year: r.year.map(|y| y.to_string()).unwrap_or_default(),
            identifier,
            identifier_link,
            level_label: r
                .level
                .as_deref()
                .and_then(Level::parse)
                .map(|l| t.get(l.catalog_key()).to_string())
                .unwrap_or_default(),
            language: r.language.clone(),
            licence: r.licence.clone(),
            description_html: r.description_html.clone(),
            submitter: r.submitter.clone(),
            submitter_url: crate::web::social::profile_path(&r.submitter),
            status: r.status.clone(),
            is_pending: r.status == "pending",
            is_rejected: r.status == "rejected",
            review_reason: r.review_reason.clone(),
            score: r.score,
            link_status: r.link_status.clone(),
            link_dead: r.link_status == "dead",
            link_detail: r.link_detail.clone(),
            link_checked: r.link_checked_at.map(format_time).unwrap_or_default(),
            created: format_time(r.created_at),
            tags: r
                .tags
                .iter()
                .map(|tag| (tag.clone(), browse::filter_url_for_tag(tag)))
                .collect(),
        }
    }

    pub fn list(records: &[ResourceRecord], t: &Catalog) -> Vec<Self> {
        records.iter().map(|r| ResourceView::new(r, t)).collect()
    }
}
