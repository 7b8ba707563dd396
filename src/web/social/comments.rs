//! Comments on articles, questions and answers: `POST /comments`, `GET|POST /comments/{id}/edit`
//! (the author, within [`EDIT_WINDOW_SECS`]), `POST /comments/{id}/delete` (the author or staff), and
//! the comment thread post pages include (`templates/social/comments.html`).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::auth::privileges::{has_privilege, Privilege};
use crate::auth::CurrentUser;
use crate::db::comments::{self, CommentRecord, CommentTarget, NewComment};
use crate::db::Db;
use crate::error::AppError;
use crate::moderation::{Action, Content, Target};
use crate::render::{render_comment, RENDERER_VERSION};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::moderation::rules;
use crate::web::state::AppState;

/// Comments are short remarks; longer text belongs in an answer.
pub const COMMENT_MIN_CHARS: usize = 2;
pub const COMMENT_MAX_CHARS: usize = 1000;
/// How long after posting the author may still correct a comment.
pub const EDIT_WINDOW_SECS: i64 = 5 * 60;

/// A comment's Markdown, trimmed and within the length limits.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentBody(String);

/// Why a comment's text was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BodyProblem {
    TooShort,
    TooLong { chars: usize },
}

impl CommentBody {
    pub fn parse(text: &str) -> Result<Self, BodyProblem> {
        let text = text.trim();
        let chars = text.chars().count();
        if chars < COMMENT_MIN_CHARS {
            Err(BodyProblem::TooShort)
        } else if chars > COMMENT_MAX_CHARS {
            Err(BodyProblem::TooLong { chars })
        } else {
            Ok(Self(text.to_string()))
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

fn problem_text(problem: BodyProblem, t: &crate::i18n::Catalog) -> String {
    match problem {
        BodyProblem::TooShort => t.fill(
            "comment.error_short",
            &[("min", &COMMENT_MIN_CHARS.to_string())],
        ),
        BodyProblem::TooLong { chars } => t.fill(
            "comment.error_long",
            &[
                ("max", &COMMENT_MAX_CHARS.to_string()),
                ("chars", &chars.to_string()),
            ],
        ),
    }
}

/// Members comment anywhere once they have the privilege; everyone may comment on their own posts
/// and on answers to their own questions (to reply to the people helping them).
pub fn may_comment(user: &CurrentUser, post: &CommentTarget) -> bool {
    has_privilege(user, Privilege::Comment)
        || user.id == post.author_id
        || post.parent_author_id == Some(user.id)
}

/// The author may edit for [`EDIT_WINDOW_SECS`] after posting.
pub fn may_edit(user: &CurrentUser, comment_author: i64, created_at: i64, now: i64) -> bool {
    user.id == comment_author && now - created_at <= EDIT_WINDOW_SECS
}

/// The author or a moderator may delete.
pub fn may_delete(user: &CurrentUser, comment_author: i64) -> bool {
    user.id == comment_author || user.is_staff()
}

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
    state: web::Data<AppState>,
    form: web::Form<NewCommentForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let form = form.into_inner();
    let post = comments::target(&state.db, form.post_id)
        .await?
        .ok_or(AppError::NotFound)?;
    let back = super::post_path(&post.post_kind, post.post_id, post.parent_id);
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
    if let Some(message) = crate::web::moderation::silenced_message(&state, &me, t).await? {
        return rejected(StatusCode::FORBIDDEN, message);
    }
    if post.comments_locked {
        return rejected(
            StatusCode::FORBIDDEN,
            t.get("moderation.comments_locked").to_string(),
        );
    }
    if !may_comment(&me, &post) {
        let needed = Privilege::Comment.min_reputation().to_string();
        return rejected(
            StatusCode::FORBIDDEN,
            t.fill("comment.error_reputation", &[("needed", &needed)]),
        );
    }
    let body = match CommentBody::parse(&form.body) {
        Ok(body) => body,
        Err(problem) => {
            return rejected(StatusCode::UNPROCESSABLE_ENTITY, problem_text(problem, t))
        }
    };
    let verdict = rules::check(
        &ctx,
        &state,
        &me,
        Action::CreateComment,
        Content::body(body.as_str()),
    )
    .await?;
    if let Some(refusal) = verdict.refusal() {
        let message = rules::refusal_message(refusal, t);
        return rules::with_retry_after(
            refusal,
            rejected(StatusCode::UNPROCESSABLE_ENTITY, message),
        );
    }
    let rendered = render_comment(body.as_str());
    let id = comments::create(
        &state.db,
        NewComment {
            post: &post,
            author_id: me.id,
            body_md: body.as_str(),
            body_html: &rendered.html,
            renderer_version: RENDERER_VERSION,
            mentions: &rendered.mentions,
        },
    )
    .await?;
    crate::moderation::after_write(&state.db, &me, &verdict, Target::Comment(id)).await?;
    if verdict.is_held() {
        ctx.flash("rules.flash.comment_held");
    }
    Ok(crate::web::see_other(&with_anchor(&back, id)))
}

/// The post's address with the comment's anchor (replacing an answer's anchor).
pub fn with_anchor(post_path: &str, comment_id: i64) -> String {
    let base = post_path.split('#').next().unwrap_or(post_path);
    format!("{base}#comment-{comment_id}")
}

/// Loads a live comment and where its post lives.
async fn load(db: &Db, id: i64) -> Result<(CommentRecord, String), AppError> {
    let comment = comments::by_id(db, id)
        .await?
        .filter(|c| c.status == "published")
        .ok_or(AppError::NotFound)?;
    let back = match comments::target(db, comment.post_id).await? {
        Some(post) => with_anchor(
            &super::post_path(&post.post_kind, post.post_id, post.parent_id),
            id,
        ),
        None => "/".to_string(),
    };
    Ok((comment, back))
}

pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let (comment, back) = load(&state.db, path.into_inner()).await?;
    if !may_edit(&me, comment.author_id, comment.created_at, crate::db::now()) {
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
    state: web::Data<AppState>,
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
    if let Some(message) = crate::web::moderation::silenced_message(&state, &me, t).await? {
        return rejected(StatusCode::FORBIDDEN, message);
    }
    if !may_edit(&me, comment.author_id, comment.created_at, crate::db::now()) {
        let minutes = (EDIT_WINDOW_SECS / 60).to_string();
        return rejected(
            StatusCode::FORBIDDEN,
            t.fill("comment.error_edit_window", &[("minutes", &minutes)]),
        );
    }
    let body = match CommentBody::parse(&form.body) {
        Ok(body) => body,
        Err(problem) => {
            return rejected(StatusCode::UNPROCESSABLE_ENTITY, problem_text(problem, t))
        }
    };
    let verdict = rules::check(
        &ctx,
        &state,
        &me,
        Action::EditComment,
        Content::body(body.as_str()),
    )
    .await?;
    if let Some(refusal) = verdict.refusal() {
        let message = rules::refusal_message(refusal, t);
        return rules::with_retry_after(
            refusal,
            rejected(StatusCode::UNPROCESSABLE_ENTITY, message),
        );
    }
    let rendered = render_comment(body.as_str());
    comments::update(
        &state.db,
        &comment,
        body.as_str(),
        &rendered.html,
        RENDERER_VERSION,
        &rendered.mentions,
    )
    .await?;
    crate::moderation::after_write(&state.db, &me, &verdict, Target::Comment(comment.id)).await?;
    if verdict.is_held() {
        ctx.flash("rules.flash.comment_held");
    }
    Ok(crate::web::see_other(&back))
}

pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let (comment, back) = load(&state.db, path.into_inner()).await?;
    if !may_delete(&me, comment.author_id) {
        return Err(AppError::Forbidden);
    }
    comments::delete(&state.db, &comment).await?;
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

/// Comment threads for the posts on a page (an article, or a question and its answers), in the order
/// of `post_ids`, in three queries, each showing its first [`COMMENTS_SHOWN`].
pub async fn threads(
    db: &Db,
    viewer: Option<&CurrentUser>,
    post_ids: &[i64],
) -> Result<Vec<CommentThread>, AppError> {
    threads_showing(db, viewer, post_ids, None, "?").await
}

/// [`threads`] with every comment of `expanded` shown; the "show all" links go to `base_query`
/// (the page's own query string, ending in `?` or `&`) plus `comments=<post id>`.
pub async fn threads_showing(
    db: &Db,
    viewer: Option<&CurrentUser>,
    post_ids: &[i64],
    expanded: Option<i64>,
    base_query: &str,
) -> Result<Vec<CommentThread>, AppError> {
    let all = comments::for_posts(db, post_ids, COMMENTS_SHOWN, expanded).await?;
    let targets = comments::targets(db, post_ids).await?;
    let mine = match viewer {
        Some(user) => {
            let ids: Vec<i64> = all.iter().map(|c| c.id).collect();
            crate::db::votes::mine_on_comments(db, user.id, &ids).await?
        }
        None => Default::default(),
    };
    let now = crate::db::now();
    Ok(post_ids
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
                        author_path: super::profile_path(&c.author),
                        body_html: c.body_html.clone(),
                        created: super::timestamp(c.created_at),
                        edited: c.edited_at.is_some(),
                        can_edit: viewer
                            .is_some_and(|u| may_edit(u, c.author_id, c.created_at, now)),
                        can_delete: viewer.is_some_and(|u| may_delete(u, c.author_id)),
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
                    (Some(user), Some(post)) => !locked && may_comment(user, post),
                    _ => false,
                },
            }
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::Role;

    use crate::auth::permissions::test_member as member;

    fn answer_by(author_id: i64, asker: i64) -> CommentTarget {
        CommentTarget {
            post_id: 10,
            post_kind: "answer".into(),
            author_id,
            parent_id: Some(9),
            parent_author_id: Some(asker),
            comments_locked: false,
        }
    }

    #[test]
    fn comment_length_is_limited_after_trimming() {
        assert_eq!(CommentBody::parse("  a  "), Err(BodyProblem::TooShort));
        assert!(CommentBody::parse("ok").is_ok());
        assert!(CommentBody::parse(&"字".repeat(COMMENT_MAX_CHARS)).is_ok());
        assert_eq!(
            CommentBody::parse(&"x".repeat(COMMENT_MAX_CHARS + 1)),
            Err(BodyProblem::TooLong {
                chars: COMMENT_MAX_CHARS + 1
            })
        );
    }

    #[test]
    fn new_members_comment_on_their_own_threads_only() {
        let post = answer_by(2, 3);
        assert!(!may_comment(&member(1, 1), &post));
        assert!(may_comment(&member(2, 1), &post), "the answerer");
        assert!(may_comment(&member(3, 1), &post), "the asker");
        assert!(may_comment(&member(1, 50), &post), "with the privilege");
    }

    #[test]
    fn edits_close_after_five_minutes_and_only_for_the_author() {
        assert!(may_edit(&member(1, 1), 1, 1000, 1000 + EDIT_WINDOW_SECS));
        assert!(!may_edit(&member(1, 1), 1, 1000, 1001 + EDIT_WINDOW_SECS));
        assert!(!may_edit(&member(2, 9999), 1, 1000, 1000));
    }

    #[test]
    fn authors_and_staff_delete() {
        assert!(may_delete(&member(1, 1), 1));
        assert!(!may_delete(&member(2, 9999), 1));
        let mut moderator = member(3, 1);
        moderator.role = Role::Moderator;
        assert!(may_delete(&moderator, 1));
    }

    #[test]
    fn comment_anchors_replace_answer_anchors() {
        assert_eq!(
            with_anchor("/questions/2#answer-5", 7),
            "/questions/2#comment-7"
        );
        assert_eq!(with_anchor("/articles/3", 7), "/articles/3#comment-7");
    }
}
