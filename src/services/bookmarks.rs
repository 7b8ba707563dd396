//! Bookmarks: a member saves a question, article, answer or resource they may open, and unsaves it
//! with the same call. Bookmarks are private, so the content rules do not read them; a budget per
//! member keeps a script from filling the table.
use std::time::Duration;

use super::gate::{WriteError, Writer};
use crate::app::App;
use crate::auth::{policy, rate_limit};
use crate::db;
use crate::db::bookmarks::Target;
use crate::domain::paths;

/// Bookmark changes one member may make per hour.
const TOGGLES_PER_HOUR: u32 = 300;

/// What a member asks to bookmark.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BookmarkTarget {
    /// A question, article or answer.
    Post(i64),
    Resource(i64),
}

impl BookmarkTarget {
    /// `question`, `article`, `answer` (or `post`) and `resource`, with a positive id.
    pub fn parse(kind: &str, id: i64) -> Option<BookmarkTarget> {
        if id <= 0 {
            return None;
        }
        match kind.trim() {
            "question" | "article" | "answer" | "bot_answer" | "post" => {
                Some(BookmarkTarget::Post(id))
            }
            "resource" => Some(BookmarkTarget::Resource(id)),
            _ => None,
        }
    }
}

/// Why a bookmark did not change.
#[derive(Debug, thiserror::Error)]
pub enum BookmarkRefusal {
    #[error(transparent)]
    Write(#[from] WriteError),
    /// Nothing there the member may open.
    #[error("no such target")]
    NotFound,
}

impl From<crate::error::AppError> for BookmarkRefusal {
    fn from(e: crate::error::AppError) -> Self {
        BookmarkRefusal::Write(WriteError::Failed(e))
    }
}

impl From<sqlx::Error> for BookmarkRefusal {
    fn from(e: sqlx::Error) -> Self {
        BookmarkRefusal::Write(e.into())
    }
}

/// A bookmark after the toggle.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Toggled {
    /// Saved now (`false`: the bookmark was removed).
    pub saved: bool,
    /// The page of what it points at.
    pub url: String,
}

/// Saves the target, or removes the bookmark if it was saved.
pub async fn toggle(
    app: &App,
    writer: Writer<'_>,
    target: BookmarkTarget,
) -> Result<Toggled, BookmarkRefusal> {
    let (stored, url) = match target {
        BookmarkTarget::Post(id) => {
            let post = db::posts::by_id(&app.db, id)
                .await?
                .filter(|p| policy::post_visible(p, Some(writer.user)))
                .ok_or(BookmarkRefusal::NotFound)?;
            let url = paths::post_url(post.kind, post.id, &post.slug, post.parent_id);
            (Target::Post(id), url)
        }
        BookmarkTarget::Resource(id) => {
            db::resources::by_id(&app.db, id)
                .await?
                .filter(|r| policy::resource_visible(r, Some(writer.user)))
                .ok_or(BookmarkRefusal::NotFound)?;
            (Target::Resource(id), paths::resource_url(id))
        }
    };
    let bucket = format!("bookmark:user:{}", writer.user.id);
    let budget = rate_limit::Budget {
        bucket: &bucket,
        limit: TOGGLES_PER_HOUR,
        window: Duration::from_secs(3600),
    };
    rate_limit::hit(&app.db, &budget).await?;
    let saved = db::bookmarks::toggle(&app.db, writer.user.id, stored).await?;
    Ok(Toggled { saved, url })
}
