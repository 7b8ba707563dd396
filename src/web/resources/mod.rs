//! Resource listings (`/resources`): members submit typed entries (books, courses, papers, tools,
//! models, datasets); staff approve or reject them on `/admin/resources`; approved ones are listed,
//! filtered, voted on, flagged and searched; a background job checks their links. Queries live in
//! `db::resources`; this module holds the routes and what the pages share.
pub mod browse;
pub mod comments;
pub mod edit;
pub mod review;
pub mod submit;
pub mod thread;

use crate::db::resources::ResourceRecord;
use crate::domain::{Level, ResourceKind};
use crate::i18n::Catalog;

use crate::domain::ResourceStatus;

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
            url: crate::domain::paths::resource_url(r.id),
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
            submitter_url: crate::domain::paths::profile_url(&r.submitter),
            status: r.status.as_str().to_string(),
            is_pending: r.status == ResourceStatus::Pending,
            is_rejected: r.status == ResourceStatus::Rejected,
            review_reason: r.review_reason.clone(),
            score: r.score,
            link_status: r.link_status.clone(),
            link_dead: r.link_status == "dead",
            link_detail: r.link_detail.clone(),
            link_checked: r
                .link_checked_at
                .map(crate::web::format::time)
                .unwrap_or_default(),
            created: crate::web::format::time(r.created_at),
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
