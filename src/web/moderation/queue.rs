//! The moderation queue (`GET /admin/queue`: flagged content and held posts; `GET /admin/flags`:
//! flagged content only), a post's moderation page (`GET /admin/posts/{id}`) and the staff actions
//! on posts and comments (`POST /admin/posts/{id}/{action}`, `POST /admin/comments/{id}/{action}`).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::db;
use crate::db::flags::{FlagRecord, QueueItem};
use crate::db::moderation::{CommentAction, ModerationError, PostAction};
use crate::domain::{parse_post_reference, CloseReason, FlagReason, PostKind};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::services;
use crate::web::context::{Ctx, Page};
use crate::web::redirect::local_target;

use crate::app::App;

const QUEUE_SIZE: i64 = 200;

/// One open flag as the queue shows it.
pub struct FlagLine {
    pub reason: String,
    pub note: String,
    pub reporter: String,
    pub at: String,
    pub status: String,
    pub resolution: String,
}

impl FlagLine {
    pub fn new(f: &FlagRecord, t: &Catalog) -> Self {
        FlagLine {
            reason: FlagReason::parse(&f.reason)
                .map_or_else(|| f.reason.clone(), |r| t.get(r.catalog_key()).to_string()),
            note: f.note.clone(),
            reporter: f.reporter.clone(),
            at: crate::web::format::time(f.created_at),
            status: f.status.clone(),
            resolution: f.resolution.clone().unwrap_or_default(),
        }
    }
}

/// One queue entry, formatted.
pub struct QueueView {
    pub kind: String,
    pub id: i64,
    pub title: String,
    pub excerpt: String,
    pub author: String,
    pub author_url: String,
    pub status: String,
    /// Where the content lives.
    pub link: String,
    /// Where its actions are posted (`/admin/posts/5`, `/admin/comments/7`, `/admin/users/3`).
    pub actions_base: String,
    pub is_user: bool,
    pub is_post: bool,
    /// A resource listing: approve / reject through `/admin/resources`.
    pub is_resource: bool,
    pub is_resource_comment: bool,
    pub since: String,
    pub flags: Vec<FlagLine>,
}

impl QueueView {
    fn new(item: &QueueItem, t: &Catalog) -> Self {
        let (link, actions_base) = match item.target_kind.as_str() {
            "post" => (
                crate::domain::paths::target_path(&item.post_kind, item.target_id, item.parent_id),
                format!("/admin/posts/{}", item.target_id),
            ),
            "comment" => (
                crate::domain::paths::comment_url(
                    &crate::domain::paths::target_path(
                        &item.post_kind,
                        item.post_id.unwrap_or_default(),
                        item.parent_id,
                    ),
                    item.target_id,
                ),
                format!("/admin/comments/{}", item.target_id),
            ),
            "resource" => (
                crate::domain::paths::resource_url(item.target_id),
                format!("/admin/resources/{}", item.target_id),
            ),
            "resource_comment" => (
                format!(
                    "{}#resource-comment-{}",
                    crate::domain::paths::resource_url(item.post_id.unwrap_or_default()),
                    item.target_id
                ),
                format!("/admin/resource-comments/{}", item.target_id),
            ),
            "event" => (
                crate::domain::paths::event_url(item.target_id),
                format!("/admin/events/{}", item.target_id),
            ),
            _ => (
                crate::domain::paths::profile_url(&item.author),
                format!("/admin/users/{}", item.target_id),
            ),
        };
        QueueView {
            kind: item.target_kind.clone(),
            id: item.target_id,
            title: item.title.clone(),
            excerpt: item.excerpt.clone(),
            author: item.author.clone(),
            author_url: crate::domain::paths::profile_url(&item.author),
            status: item.status.clone(),
            link,
            actions_base,
            is_user: item.target_kind == "user",
            is_post: item.target_kind == "post",
            is_resource: item.target_kind == "resource",
            is_resource_comment: item.target_kind == "resource_comment",
            since: crate::web::format::time(item.since),
            flags: item.flags.iter().map(|f| FlagLine::new(f, t)).collect(),
        }
    }
}

#[derive(Template)]
#[template(path = "moderation/queue.html")]
struct QueuePage {
    page: Page,
    flags_only: bool,
    back: String,
    items: Vec<QueueView>,
}

async fn queue_page(
    ctx: Ctx,
    state: web::Data<App>,
    flags_only: bool,
) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let t = ctx.t();
    let items = db::flags::queue(&state.db, flags_only, QUEUE_SIZE).await?;
    let title = if flags_only {
        "moderation.flags_title"
    } else {
        "moderation.queue_title"
    };
    crate::web::ok(&QueuePage {
        page: ctx.page(t.get(title)),
        flags_only,
        back: if flags_only {
            "/admin/flags".into()
        } else {
            "/admin/queue".into()
        },
        items: items.iter().map(|i| QueueView::new(i, t)).collect(),
    })
}

/// `GET /admin/queue`
pub async fn show_queue(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    queue_page(ctx, state, false).await
}

/// `GET /admin/flags`
pub async fn show_flags(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    queue_page(ctx, state, true).await
}

#[derive(Template)]
#[template(path = "moderation/post.html")]
struct PostModerationPage {
    page: Page,
    id: i64,
    kind: &'static str,
    is_question: bool,
    title: String,
    excerpt: String,
    author: String,
    author_url: String,
    status: &'static str,
    link: String,
    comments_locked: bool,
    pinned: bool,
    closed: Option<String>,
    /// `(value, label, selected)` for each close reason.
    close_reasons: Vec<(&'static str, String, bool)>,
    duplicate_of: String,
    note: String,
    error: Option<String>,
    flags: Vec<FlagLine>,
}

/// What a refused close form sends back.
#[derive(Default)]
struct CloseFormState {
    close_reason: String,
    duplicate_of: String,
    note: String,
    error: Option<String>,
}

async fn post_page(
    ctx: &Ctx,
    state: &App,
    id: i64,
    form: CloseFormState,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let post = db::posts::by_id(&state.db, id)
        .await?
        .filter(|p| p.status != crate::domain::PostStatus::Draft)
        .ok_or(AppError::NotFound)?;
    let moderation = db::moderation::post_state(&state.db, id)
        .await?
        .unwrap_or_default();
    let flags = db::flags::for_target(&state.db, "post", id).await?;
    let closed = moderation
        .close_reason()
        .map(|r| t.get(r.catalog_key()).to_string());
    let title = if post.title.is_empty() {
        post.excerpt.chars().take(80).collect()
    } else {
        post.title.clone()
    };
    crate::web::render(
        &PostModerationPage {
            page: ctx.page(t.get("moderation.post_title")),
            id,
            kind: post.kind.as_str(),
            is_question: post.kind == PostKind::Question,
            title,
            excerpt: post.excerpt.clone(),
            author_url: crate::domain::paths::profile_url(&post.author_name),
            author: post.author_name.clone(),
            status: post.status.as_str(),
            link: crate::domain::paths::post_url(post.kind, post.id, &post.slug, post.parent_id),
            comments_locked: moderation.comments_locked,
            pinned: moderation.pinned,
            closed,
            close_reasons: CloseReason::ALL
                .into_iter()
                .map(|r| {
                    (
                        r.as_str(),
                        t.get(r.catalog_key()).to_string(),
                        r.as_str() == form.close_reason,
                    )
                })
                .collect(),
            duplicate_of: form.duplicate_of,
            note: form.note,
            error: form.error,
            flags: flags.iter().map(|f| FlagLine::new(f, t)).collect(),
        },
        status,
    )
}

/// `GET /admin/posts/{id}`: everything staff can do to one post.
pub async fn show_post(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    ctx.ensure_session(&state).await?;
    post_page(
        &ctx,
        &state,
        path.into_inner(),
        CloseFormState::default(),
        StatusCode::OK,
    )
    .await
}

#[derive(Deserialize)]
pub struct ActionForm {
    /// A note for the audit log and the author.
    #[serde(default)]
    reason: String,
    #[serde(default)]
    close_reason: String,
    #[serde(default)]
    duplicate_of: String,
    /// Where to go afterwards (a local path).
    #[serde(default)]
    back: String,
}

fn post_action(name: &str) -> Option<PostAction> {
    Some(match name {
        "approve" => PostAction::Approve,
        "hide" => PostAction::Hide,
        "unhide" => PostAction::Unhide,
        "delete" => PostAction::Delete,
        "restore" => PostAction::Restore,
        "lock" => PostAction::LockComments,
        "unlock" => PostAction::UnlockComments,
        "pin" => PostAction::Pin,
        "unpin" => PostAction::Unpin,
        "reopen" => PostAction::Reopen,
        _ => return None,
    })
}

/// `POST /admin/posts/{id}/{action}` with action approve | hide | unhide | delete | restore | lock |
/// unlock | pin | unpin | close | reopen (close takes close_reason and, for duplicates,
/// duplicate_of).
pub async fn act_on_post(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<(i64, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let t = ctx.t();
    let (id, name) = path.into_inner();
    let form = form.into_inner();
    let note = form.reason.trim().chars().take(500).collect::<String>();
    let refuse_close = |key: &'static str| CloseFormState {
        close_reason: form.close_reason.clone(),
        duplicate_of: form.duplicate_of.clone(),
        note: form.reason.clone(),
        error: Some(t.get(key).to_string()),
    };
    let action = if name == "close" {
        let Some(reason) = CloseReason::parse(&form.close_reason) else {
            let state_back = refuse_close("close.error_reason");
            return post_page(
                &ctx,
                &state,
                id,
                state_back,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        };
        let duplicate_of = parse_post_reference(&form.duplicate_of);
        if reason == CloseReason::Duplicate && duplicate_of.is_none() {
            let state_back = refuse_close("close.error_duplicate");
            return post_page(
                &ctx,
                &state,
                id,
                state_back,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        PostAction::Close {
            reason,
            duplicate_of,
        }
    } else {
        post_action(&name).ok_or(AppError::NotFound)?
    };
    match services::moderation::act_on_post(&state, &me, id, action, &note).await {
        Ok(_) => {}
        Err(ModerationError::NotFound) => return Err(AppError::NotFound),
        Err(ModerationError::NotAQuestion) => {
            let state_back = refuse_close("close.error_not_question");
            return post_page(
                &ctx,
                &state,
                id,
                state_back,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(ModerationError::BadOriginal) => {
            let state_back = refuse_close("close.error_original");
            return post_page(
                &ctx,
                &state,
                id,
                state_back,
                StatusCode::UNPROCESSABLE_ENTITY,
            )
            .await;
        }
        Err(ModerationError::AdminDecision) => return Err(AppError::Forbidden),
        Err(ModerationError::Db(e)) => return Err(e.into()),
    };
    ctx.flash("moderation.done");
    let back = local_target(&form.back).unwrap_or_else(|| format!("/admin/posts/{id}"));
    Ok(crate::web::see_other(&back))
}

fn comment_action(name: &str) -> Option<CommentAction> {
    Some(match name {
        "approve" => CommentAction::Approve,
        "hide" => CommentAction::Hide,
        "unhide" => CommentAction::Unhide,
        "delete" => CommentAction::Delete,
        "restore" => CommentAction::Restore,
        _ => return None,
    })
}

/// `POST /admin/comments/{id}/{action}` with action approve | hide | unhide | delete | restore.
pub async fn act_on_comment(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<(i64, String)>,
    form: web::Form<ActionForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    let (id, name) = path.into_inner();
    let action = comment_action(&name).ok_or(AppError::NotFound)?;
    let note = form.reason.trim().chars().take(500).collect::<String>();
    match services::moderation::act_on_comment(&state, &me, id, action, &note).await {
        Ok(_) => {}
        Err(ModerationError::Db(e)) => return Err(e.into()),
        Err(ModerationError::AdminDecision) => return Err(AppError::Forbidden),
        Err(_) => return Err(AppError::NotFound),
    }
    ctx.flash("moderation.done");
    let back = local_target(&form.back).unwrap_or_else(|| "/admin/queue".to_string());
    Ok(crate::web::see_other(&back))
}
