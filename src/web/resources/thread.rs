//! The comment thread under a resource, as the resource page shows it: published comments, the
//! viewer's own held ones, and the form (with a refused draft kept).
use crate::auth::{policy, CurrentUser};
use crate::db::resource_comments;
use crate::db::resources::ResourceRecord;
use crate::db::Db;
use crate::domain::{CommentStatus, ResourceStatus, COMMENT_MAX_CHARS};
use crate::error::AppError;

/// What the comment form shows again: the text as typed and why it was refused.
#[derive(Debug, Clone, Default)]
pub struct CommentDraft {
    pub body: String,
    pub error: Option<String>,
}

/// One comment as `templates/resources/comments.inc.html` shows it.
#[derive(Debug, Clone)]
pub struct CommentItem {
    pub id: i64,
    pub author: String,
    pub author_path: String,
    /// Sanitised HTML (rendered when the comment was written).
    pub body_html: String,
    pub created: String,
    pub edited: bool,
    /// Held for review: shown to its author only, with a note.
    pub held: bool,
    pub can_delete: bool,
}

/// The comments under a resource and what the viewer may do there.
#[derive(Debug, Clone)]
pub struct CommentThread {
    pub resource_id: i64,
    pub items: Vec<CommentItem>,
    /// Only approved entries take comments.
    pub open: bool,
    pub can_comment: bool,
    pub max_chars: usize,
    pub draft: CommentDraft,
}

/// The thread for the resource page: published comments and the viewer's own held ones.
pub async fn thread(
    db: &Db,
    viewer: Option<&CurrentUser>,
    resource: &ResourceRecord,
    draft: CommentDraft,
) -> Result<CommentThread, AppError> {
    let open = resource.status == ResourceStatus::Approved;
    let found = resource_comments::for_resource(db, resource.id, viewer.map(|u| u.id)).await?;
    let items = found
        .into_iter()
        .map(|c| CommentItem {
            id: c.id,
            author_path: crate::domain::paths::profile_url(&c.author),
            author: c.author,
            body_html: c.body_html,
            created: crate::web::format::time(c.created_at),
            edited: c.edited_at.is_some(),
            held: c.status == CommentStatus::Pending,
            can_delete: viewer.is_some_and(|u| policy::may_delete_comment(u, c.author_id)),
        })
        .collect();
    Ok(CommentThread {
        resource_id: resource.id,
        items,
        open,
        can_comment: open && viewer.is_some_and(|u| policy::may_comment_on_resource(u, resource)),
        max_chars: COMMENT_MAX_CHARS,
        draft,
    })
}
