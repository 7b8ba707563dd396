//! Comments on listed resources: `POST /resources/{id}/comments` (approved entries only, under the
//! same privilege, silence, length and rules checks as post comments) and
//! `POST /resource-comments/{id}/delete` (the author, or staff with an audit row), plus the thread
//! the resource page shows.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use serde::Deserialize;

use crate::auth::privileges::{has_privilege, Privilege};
use crate::auth::CurrentUser;
use crate::db::resource_comments::{self, NewResourceComment};
use crate::db::resources::ResourceRecord;
use crate::db::{self, Db};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::moderation::{Action, Content, Target};
use crate::render::RENDERER_VERSION;
use crate::web::context::Ctx;
use crate::web::moderation::rules;
use crate::web::social::comments::{
    may_delete, BodyProblem, CommentBody, COMMENT_MAX_CHARS, COMMENT_MIN_CHARS,
};
use crate::web::state::AppState;

/// Members with the comment privilege comment on any listed resource; the submitter always may.
pub fn may_comment(user: &CurrentUser, resource: &ResourceRecord) -> bool {
    has_privilege(user, Privilege::Comment) || user.id == resource.submitted_by
}

/// `/resources/{id}#resource-comment-{comment}`
pub fn comment_url(resource_id: i64, comment_id: i64) -> String {
    format!(
        "{}#resource-comment-{comment_id}",
        super::resource_url(resource_id)
    )
}

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
    let open = resource.status == "approved";
    let found = resource_comments::for_resource(db, resource.id, viewer.map(|u| u.id)).await?;
    let items = found
        .into_iter()
        .map(|c| CommentItem {
            id: c.id,
            author_path: crate::web::social::profile_path(&c.author),
            author: c.author,
            body_html: c.body_html,
            created: crate::web::social::timestamp(c.created_at),
            edited: c.edited_at.is_some(),
            held: c.status == "pending",
            can_delete: viewer.is_some_and(|u| may_delete(u, c.author_id)),
        })
        .collect();
    Ok(CommentThread {
        resource_id: resource.id,
        items,
        open,
        can_comment: open && viewer.is_some_and(|u| may_comment(u, resource)),
        max_chars: COMMENT_MAX_CHARS,
        draft,
    })
}

fn problem_text(problem: BodyProblem, t: &Catalog) -> String {
    match problem {
        BodyProblem::TooShort => t.fill(
            "resource.comment_error_short",
            &[("min", &COMMENT_MIN_CHARS.to_string())],
        ),
        BodyProblem::TooLong { chars } => t.fill(
            "resource.comment_error_long",
            &[
                ("max", &COMMENT_MAX_CHARS.to_string()),
                ("chars", &chars.to_string()),
            ],
        ),
    }
}

#[derive(Deserialize)]
pub struct NewCommentForm {
    body: String,
}

/// `POST /resources/{id}/comments`
pub async fn create(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
    form: web::Form<NewCommentForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let resource = db::resources::by_id(&state.db, path.into_inner())
        .await?
        .filter(|r| r.status == "approved")
        .ok_or(AppError::NotFound)?;
    let t = ctx.t();
    let form = form.into_inner();
    let refused = |status, message: String| {
        let draft = CommentDraft {
            body: form.body.clone(),
            error: Some(message),
        };
        super::browse::render_show(&ctx, &state, &resource, draft, status)
    };
    if let Some(message) = crate::web::moderation::silenced_message(&state, &me, t).await? {
        return refused(StatusCode::FORBIDDEN, message).await;
    }
    if !may_comment(&me, &resource) {
        let needed = Privilege::Comment.min_reputation().to_string();
        let message = t.fill("resource.comment_needs_reputation", &[("needed", &needed)]);
        return refused(StatusCode::FORBIDDEN, message).await;
    }
    let body = match CommentBody::parse(&form.body) {
        Ok(body) => body,
        Err(problem) => {
            return refused(StatusCode::UNPROCESSABLE_ENTITY, problem_text(problem, t)).await
        }
    };
    // Counted as a comment, so the comment rate limits and content rules apply here too.
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
        let page = refused(StatusCode::UNPROCESSABLE_ENTITY, message).await;
        return rules::with_retry_after(refusal, page);
    }
    let rendered = match crate::render::comment(body.as_str(), state.settings.render).await {
        Ok(rendered) => rendered,
        Err(e) => {
            let message = crate::web::form::render_message(&e, t);
            return refused(StatusCode::UNPROCESSABLE_ENTITY, message).await;
        }
    };
    let id = resource_comments::create(
        &state.db,
        &NewResourceComment {
            resource_id: resource.id,
            author_id: me.id,
            body_md: body.as_str(),
            body_html: &rendered.html,
            renderer_version: RENDERER_VERSION,
            status: if verdict.is_held() {
                "pending"
            } else {
                "published"
            },
        },
    )
    .await?;
    crate::moderation::after_write(&state.db, &me, &verdict, Target::ResourceComment(id)).await?;
    if verdict.is_held() {
        ctx.flash("resource.flash.comment_held");
    } else if resource.submitted_by != me.id {
        crate::db::notifications::notify_resource_comment(
            &state.db,
            resource.submitted_by,
            me.id,
            resource.id,
            id,
        )
        .await?;
    }
    Ok(crate::web::see_other(&comment_url(resource.id, id)))
}

/// `POST /resource-comments/{id}/delete`
pub async fn delete(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let comment = resource_comments::by_id(&state.db, path.into_inner())
        .await?
        .filter(|c| c.status == "published" || c.status == "pending")
        .ok_or(AppError::NotFound)?;
    if !may_delete(&me, comment.author_id) {
        return Err(AppError::Forbidden);
    }
    let audited_by = (me.id != comment.author_id).then_some(me.id);
    resource_comments::delete(&state.db, &comment, audited_by).await?;
    ctx.flash("flash.comment_deleted");
    Ok(crate::web::see_other(&super::resource_url(
        comment.resource_id,
    )))
}

/// `POST /admin/resource-comments/{id}/approve` (staff): publishes a held comment.
pub async fn approve(
    ctx: Ctx,
    state: web::Data<AppState>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_staff()?;
    if !resource_comments::approve(&state.db, path.into_inner(), me.id).await? {
        return Err(AppError::NotFound);
    }
    ctx.flash("moderation.done");
    Ok(crate::web::see_other("/admin/queue"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comment_links_point_at_the_comment_on_the_resource_page() {
        assert_eq!(comment_url(3, 7), "/resources/3#resource-comment-7");
    }
}
