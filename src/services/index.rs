//! The reindex step of every write: the search index follows posts, resources and events. The content is saved
//! already, so an indexing failure is logged and repaired by `agora reindex`, never shown.
use crate::app::App;

/// After a post was written, edited, moved between states or deleted (the index drops posts that are
/// no longer public).
pub async fn post_changed(app: &App, post_id: i64) {
    if let Err(e) = crate::search::index::upsert_post(&app.db, post_id).await {
        tracing::warn!(error = %e, post_id, "could not update the search index");
    }
}

/// After an event was organised, edited, held, hidden (by staff or by flags) or deleted (the index
/// keeps published events only).
pub async fn event_changed(app: &App, event_id: i64) {
    if let Err(e) = crate::search::upsert_event(&app.db, event_id).await {
        tracing::warn!(error = %e, event_id, "could not update the search index");
    }
}

/// After a resource was submitted, reviewed, edited or unlisted.
pub async fn resource_changed(app: &App, resource_id: i64) {
    if let Err(e) = crate::search::upsert_resource(&app.db, resource_id).await {
        tracing::warn!(error = %e, resource_id, "could not update the search index");
    }
}
