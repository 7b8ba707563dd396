//! Articles, questions and answers: writing, editing, revisions, tags, lists, post pages, previews and
//! feeds. This file holds the route table and what the pages share (who may see a post, URLs, dates).
pub mod ai;
pub mod answers;
pub mod articles;
pub mod editor;
pub mod feeds;
pub mod lists;
pub mod preview;
pub mod questions;
pub mod revisions;
pub mod similar;
pub mod sitemap_cache;
pub mod tags;
pub mod topic_edit;
pub mod views;
pub mod visitor_pages;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::posts::PostRecord;
use crate::domain::PostKind;

/// Posts per list page.
pub const PAGE_SIZE: i64 = 20;

/// A post the user may see, of the expected kind, or `NotFound`.
pub async fn visible_post(
    state: &App,
    id: i64,
    kinds: &[PostKind],
    user: Option<&CurrentUser>,
) -> Result<PostRecord, crate::error::AppError> {
    crate::db::posts::by_id(&state.db, id)
        .await?
        .filter(|p| kinds.contains(&p.kind) && crate::auth::policy::post_visible(p, user))
        .ok_or(crate::error::AppError::NotFound)
}

/// Keeps the search index in step with a post (it drops posts that are no longer public). The post
/// is already saved, so an indexing failure is logged and repaired by `agora reindex`, not shown.
pub async fn search_index_changed(state: &App, post_id: i64) {
    if let Err(e) = crate::search::index::upsert_post(&state.db, post_id).await {
        tracing::warn!(error = %e, post_id, "could not update the search index");
    }
}
