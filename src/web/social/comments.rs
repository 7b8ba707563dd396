//! Comments on articles, questions and answers: `POST /comments`, `GET|POST /comments/{id}/edit`
//! (the author, within [`policy::COMMENT_EDIT_WINDOW_SECS`]), `POST /comments/{id}/delete` (the author or staff), and
//! the comment thread post pages include (`templates/social/comments.html`).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::policy;
use crate::auth::privileges::{has_privilege, Privilege};
use crate::auth::CurrentUser;
use crate::db::comments::{self, CommentRecord};
use crate::db::Db;
use crate::domain::paths;
use crate::domain::{CommentBody, CommentStatus};
use crate::error::AppError;
use crate::services::comments::CommentOn;
use crate::services::{self, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::form::{comment_problem, CommentPlace, FormErrors};
use crate::web::refusal::{self, Refused};

#[derive(Template)]
#[template(path = "social/comment_form.html")]
struct CommentFormPage {
    page: Page,
    /// `/comments` for a new comment, `/comments/{id}/edit` for an edit.
    action: String,
    post_id: i64,
    body: String,
    back: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct NewCommentForm {
    post_id: i64,
    body: String,
}

pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<NewCommentForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let form = form.into_inner();
    let post = comments::target(&state.db, form.post_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let back = paths::target_path(&post.post_kind, post.post_id, post.parent_id);
    let t = ctx.t();
    let rejected = |status, message: String| {
        let mut errors = FormErrors::default();
        errors.add_text("body", message);
        crate::web::render(
            &CommentFormPage {
                page: ctx.page(t.get("comment.add")),
                action: "/comments".into(),
                post_id: post.post_id,
                body: form.body.clone(),
                back: back.clone(),
                errors,
            },
            status,
        )
    };
    if post.comments_locked {
        return rejected(
            StatusCode::FORBIDDEN,
            t.get("moderation.comments_locked").to_string(),
        );
    }
    if !policy::may_comment_on_post(&me, &post) {
        let needed = Privilege::Comment.min_reputation().to_string();
        return rejected(
            StatusCode::FORBIDDEN,
            t.fill("comment.error_reputation", &[("needed", &needed)]),
        );
    }
    let body = match CommentBody::parse(&form.body) {
        Ok(body) => body,
        Err(problem) => {
            return rejected(
                StatusCode::UNPROCESSABLE_ENTITY,
                comment_problem(problem, CommentPlace::Post, t),
            )
        }
    };
    let ip = ctx.client_ip();
    let on = CommentOn::Post(&post);
    let added = match services::comments::add(&state, Writer::new(&me, &ip), on, &body).await {
        Ok(added) => added,
        Err(e) => {
            let refused = Refused::explain(e, t)?;
            let page = rejected(refused.status, refused.message.clone());
            return refused.respond(page);
        }
    };
    if added.held {
        ctx.flash("rules.flash.comment_held");
    }
    Ok(crate::web::see_other(&paths::comment_url(&back, added.id)))
}

/// Loads a live comment and where its post lives.
async fn load(db: &Db, id: i64) -> Result<(CommentRecord, String), AppError> {
    let comment = comments::by_id(db, id)
        .await?
        .filter(|c| c.status == CommentStatus::Published)
        .ok_or(AppError::NotFound)?;
    let back = match comments::target(db, comment.post_id).await? {
        Some(post) => paths::comment_url(
            &paths::target_path(&post.post_kind, post.post_id, post.parent_id),
            id,
        ),
        None => "/".to_string(),
    };
    Ok((comment, back))
}

pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let (comment, back) = load(&state.db, path.into_inner()).await?;
    if !policy::may_edit_comment(&me, comment.author_id, comment.created_at, crate::db::now()) {
        return Err(AppError::Forbidden);
    }
    crate::web::ok(&CommentFormPage {
        page: ctx.page(ctx.t().get("comment.edit")),
        action: format!("/comments/{}/edit", comment.id),
        post_id: comment.post_id,
        body: comment.body_md,
        back,
        errors: FormErrors::default(),
    })
}

#[derive(Deserialize)]
pub struct EditCommentForm {
    body: String,
}

pub async fn edit(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<EditCommentForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let (comment, back) = load(&state.db, path.into_inner()).await?;
    let t = ctx.t();
    let rejected = |status, message: String| {
        let mut errors = FormErrors::default();
        errors.add_text("body", message);
        crate::web::render(
            &CommentFormPage {
                page: ctx.page(t.get("comment.edit")),
                action: format!("/comments/{}/edit", comment.id),
                post_id: comment.post_id,
                body: form.body.clone(),
                back: back.clone(),
                errors,
            },
            status,
        )
    };
    if me.id != comment.author_id {
        return Err(AppError::Forbidden);
    }
    if !policy::may_edit_comment(&me, comment.author_id, comment.created_at, crate::db::now()) {
        let minutes = (policy::COMMENT_EDIT_WINDOW_SECS / 60).to_string();
        return rejected(
            StatusCode::FORBIDDEN,
            t.fill("comment.error_edit_window", &[("minutes", &minutes)]),
        );
    }
    let body = match CommentBody::parse(&form.body) {
        Ok(body) => body,
        Err(problem) => {
            return rejected(
                StatusCode::UNPROCESSABLE_ENTITY,
                comment_problem(problem, CommentPlace::Post, t),
            )
        }
    };
    let ip = ctx.client_ip();
    let held = match services::comments::edit(&state, Writer::new(&me, &ip), &comment, &body).await
    {
        Ok(held) => held,
        Err(e) => {
            let refused = Refused::explain(e, t)?;
            let page = rejected(refused.status, refused.message.clone());
            return refused.respond(page);
        }
    };
    if held {
        ctx.flash("rules.flash.comment_held");
    }
    Ok(crate::web::see_other(&back))
}

pub async fn delete(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let (comment, back) = load(&state.db, path.into_inner()).await?;
    if !policy::may_delete_comment(&me, comment.author_id) {
        return Err(AppError::Forbidden);
    }
    services::comments::delete_on_post(&state, &comment)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("flash.comment_deleted");
    Ok(crate::web::see_other(back.split('#').next().unwrap_or("/")))
}

/// One comment as `templates/social/comments.html` shows it.
#[derive(Debug, Clone)]
pub struct CommentItem {
    pub id: i64,
    pub author: String,
    pub author_path: String,
    /// Sanitised HTML (rendered when the comment was written).
    pub body_html: String,
    pub created: String,
    pub edited: bool,
    pub can_edit: bool,
    pub can_delete: bool,
    /// Upvotes (comments take no downvotes).
    pub score: i64,
    /// The viewer's vote: 1 or 0.
    pub my_vote: i64,
    /// Signed in, not the author, and holding the upvote privilege.
    pub can_vote: bool,
    /// Hidden pending review (shown to its author and staff only).
    pub hidden: bool,
    /// Signed in and not the author: may flag it.
    pub can_flag: bool,
}

/// The comments under one post plus whether the viewer may add one.
#[derive(Debug, Clone)]
pub struct CommentThread {
    pub post_id: i64,
    pub comments: Vec<CommentItem>,
    /// "Show all N comments" when the thread shows only its first [`COMMENTS_SHOWN`].
    pub show_all: Option<(String, i64)>,
    pub can_comment: bool,
    /// Staff locked the comments.
    pub locked: bool,
}

/// Comments a thread shows before its "show all" link.
pub const COMMENTS_SHOWN: i64 = 5;

/// The comments and comment permissions of the posts on a page (an article, or a question and its
/// answers), read in two statements, each thread holding its first [`COMMENTS_SHOWN`] (every
/// comment of `expanded`); [`threads`] builds the threads from them.
pub struct ThreadRows {
    comments: Vec<comments::CommentView>,
    targets: Vec<comments::CommentTarget>,
    expanded: Option<i64>,
}

impl ThreadRows {
    pub async fn load(db: &Db, post_ids: &[i64], expanded: Option<i64>) -> Result<Self, AppError> {
        Ok(ThreadRows {
            comments: comments::for_posts(db, post_ids, COMMENTS_SHOWN, expanded).await?,
            targets: comments::targets(db, post_ids).await?,
            expanded,
        })
    }

    /// The ids of the comments read (the viewer's votes on them are read with the page's marks).
    pub fn comment_ids(&self) -> Vec<i64> {
        self.comments.iter().map(|c| c.id).collect()
    }
}

/// Comment threads for `post_ids`, in that order, from `rows`, with the viewer's votes on the
/// comments (`mine`: comment id -> 1); the "show all" links go to `base_query` (the page's own
/// query string, ending in `?` or `&`) plus `comments=<post id>`.
pub fn threads(
    viewer: Option<&CurrentUser>,
    post_ids: &[i64],
    rows: &ThreadRows,
    mine: &std::collections::HashMap<i64, i64>,
    base_query: &str,
) -> Vec<CommentThread> {
    let (all, targets, expanded) = (&rows.comments, &rows.targets, rows.expanded);
    let now = crate::db::now();
    post_ids
        .iter()
        .map(|post_id| {
            let target = targets.iter().find(|t| t.post_id == *post_id);
            let locked = target.is_some_and(|t| t.comments_locked);
            let total = all
                .iter()
                .find(|c| c.post_id == *post_id)
                .map_or(0, |c| c.total);
            let show_all = (expanded != Some(*post_id) && total > COMMENTS_SHOWN).then(|| {
                (
                    format!("{base_query}comments={post_id}#comments-{post_id}"),
                    total,
                )
            });
            CommentThread {
                post_id: *post_id,
                show_all,
                locked,
                comments: all
                    .iter()
                    .filter(|c| c.post_id == *post_id)
                    .filter(|c| {
                        !c.hidden || viewer.is_some_and(|u| u.id == c.author_id || u.is_staff())
                    })
                    .map(|c| CommentItem {
                        id: c.id,
                        author: c.author.clone(),
                        author_path: paths::profile_url(&c.author),
                        body_html: c.body_html.clone(),
                        created: crate::web::format::time(c.created_at),
                        edited: c.edited_at.is_some(),
                        can_edit: viewer.is_some_and(|u| {
                            policy::may_edit_comment(u, c.author_id, c.created_at, now)
                        }),
                        can_delete: viewer
                            .is_some_and(|u| policy::may_delete_comment(u, c.author_id)),
                        score: c.score,
                        my_vote: mine.get(&c.id).copied().unwrap_or(0),
                        can_vote: viewer.is_some_and(|u| {
                            u.id != c.author_id && has_privilege(u, Privilege::VoteUp)
                        }),
                        hidden: c.hidden,
                        can_flag: viewer.is_some_and(|u| u.id != c.author_id),
                    })
                    .collect(),
                can_comment: match (viewer, target) {
                    (Some(user), Some(post)) => !locked && policy::may_comment_on_post(user, post),
                    _ => false,
                },
            }
        })
        .collect()
}
