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
pub mod tags;
pub mod topic_edit;
pub mod views;

use actix_web::web;

use crate::auth::CurrentUser;
use crate::db::posts::PostRecord;
use crate::domain::{PostKind, PostStatus};
use crate::web::state::AppState;

pub fn routes(cfg: &mut web::ServiceConfig) {
    cfg.route("/articles", web::get().to(articles::list))
        .route("/articles", web::post().to(articles::create))
        .route("/articles/new", web::get().to(articles::new_form))
        .route("/articles/{id}", web::get().to(articles::show_without_slug))
        .route("/articles/{id}/edit", web::get().to(articles::edit_form))
        .route("/articles/{id}/edit", web::post().to(articles::update))
        .route("/articles/{id}/delete", web::post().to(articles::delete))
        .route("/articles/{id}/revisions", web::get().to(revisions::show))
        .route("/articles/{id}/{slug}", web::get().to(articles::show))
        .route("/questions", web::get().to(questions::list))
        .route("/questions", web::post().to(questions::create))
        .route("/questions/ask", web::get().to(questions::ask_form))
        .route("/questions/similar", web::get().to(similar::show))
        .route(
            "/questions/{id}",
            web::get().to(questions::show_without_slug),
        )
        .route("/questions/{id}/edit", web::get().to(questions::edit_form))
        .route("/questions/{id}/edit", web::post().to(questions::update))
        .route("/questions/{id}/delete", web::post().to(questions::delete))
        .route("/questions/{id}/revisions", web::get().to(revisions::show))
        .route("/questions/{id}/answers", web::post().to(answers::create))
        .route(
            "/questions/{id}/bot-answer",
            web::post().to(ai::request_bot_answer),
        )
        .route("/questions/{id}/{slug}", web::get().to(questions::show))
        .route("/answers/{id}", web::get().to(answers::show))
        .route("/answers/{id}/edit", web::get().to(answers::edit_form))
        .route("/answers/{id}/edit", web::post().to(answers::update))
        .route("/answers/{id}/delete", web::post().to(answers::delete))
        .route("/answers/{id}/accept", web::post().to(answers::accept))
        .route("/answers/{id}/verify", web::post().to(ai::verify))
        .route("/posts/{id}/summary", web::get().to(ai::show))
        .route("/posts/{id}/summary", web::post().to(ai::request))
        .route("/posts/{id}/summary/accept", web::post().to(ai::accept))
        .route("/posts/{id}/summary/dismiss", web::post().to(ai::dismiss))
        .route("/answers/{id}/revisions", web::get().to(revisions::show))
        .route("/tags", web::get().to(tags::list))
        .route("/tags/{name}", web::get().to(tags::show))
        .route("/tags/{name}/feed.atom", web::get().to(feeds::tag_feed))
        .route("/preview", web::post().to(preview::render))
        .route("/feed.atom", web::get().to(feeds::site_feed))
        .route("/sitemap.xml", web::get().to(feeds::sitemap))
        .route(
            "/sitemap-posts-{part}.xml",
            web::get().to(feeds::sitemap_part),
        );
}

/// Posts per list page.
pub const PAGE_SIZE: i64 = 20;

/// Who may open a post: published ones are public; drafts, held and hidden posts only to their author
/// (held and hidden ones also to staff); deleted ones to nobody.
pub fn visible_to(post: &PostRecord, user: Option<&CurrentUser>) -> bool {
    match post.status {
        PostStatus::Published => true,
        PostStatus::Draft => user.is_some_and(|u| u.id == post.author_id),
        PostStatus::Pending | PostStatus::Hidden => {
            user.is_some_and(|u| u.id == post.author_id || u.is_staff())
        }
        PostStatus::Deleted => false,
    }
}

/// A post the user may see, of the expected kind, or `NotFound`.
pub async fn visible_post(
    state: &AppState,
    id: i64,
    kinds: &[PostKind],
    user: Option<&CurrentUser>,
) -> Result<PostRecord, crate::error::AppError> {
    crate::db::posts::by_id(&state.db, id)
        .await?
        .filter(|p| kinds.contains(&p.kind) && visible_to(p, user))
        .ok_or(crate::error::AppError::NotFound)
}

/// A path segment safe in any URL and header (a Chinese slug becomes percent-encoded UTF-8).
pub fn encode_segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes()).collect()
}

/// The canonical address of a post's page (answers live on their question's page).
pub fn post_url(kind: PostKind, id: i64, slug: &str, parent_id: Option<i64>) -> String {
    match kind {
        PostKind::Article => format!("/articles/{id}/{}", encode_segment(slug)),
        PostKind::Question => format!("/questions/{id}/{}", encode_segment(slug)),
        PostKind::Answer | PostKind::BotAnswer => match parent_id {
            Some(parent) => format!("/questions/{parent}#answer-{id}"),
            None => format!("/answers/{id}"),
        },
    }
}

pub fn tag_url(name: &str) -> String {
    format!("/tags/{}", encode_segment(name))
}

/// A stored time as the pages show it.
pub fn format_time(at: i64) -> String {
    chrono::DateTime::from_timestamp(at, 0)
        .map(|d| d.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// Keeps the search index in step with a post (it drops posts that are no longer public). The post
/// is already saved, so an indexing failure is logged and repaired by `agora reindex`, not shown.
/// After an article or question was written or edited: queue its summary draft when it needs one,
/// and on a new question a bot answer when that setting is on. Failures are logged; the post stands.
pub async fn topic_written(state: &AppState, post_id: i64, new_question: bool) {
    if let Err(e) = crate::ai::forum::post_changed(&state.db, post_id).await {
        tracing::warn!(error = %e, post_id, "could not queue a summary");
    }
    if new_question {
        if let Err(e) = crate::ai::forum::question_posted(&state.db, post_id).await {
            tracing::warn!(error = %e, post_id, "could not queue a bot answer");
        }
    }
}

pub async fn search_index_changed(state: &AppState, post_id: i64) {
    if let Err(e) = crate::search::index::upsert_post(&state.db, post_id).await {
        tracing::warn!(error = %e, post_id, "could not update the search index");
    }
}
