//! Summary drafts and bot answers queued after a write.
use crate::app::App;

/// After an article or question was written or edited: queue its summary draft when it needs one,
/// and on a new published question a bot answer when that setting is on. Failures are logged; the
/// post stands.
pub async fn queue_after_write(app: &App, post_id: i64, new_question: bool) {
    if let Err(e) = crate::ai::forum::post_changed(&app.db, post_id).await {
        tracing::warn!(error = %e, post_id, "could not queue a summary");
    }
    if new_question {
        if let Err(e) = crate::ai::forum::question_posted(&app.db, post_id).await {
            tracing::warn!(error = %e, post_id, "could not queue a bot answer");
        }
    }
}
