//! `/api/v1/posts/{id}/comments` and `POST /api/v1/comments`: a visible post's published comments
//! (oldest first, keyset by id) and commenting through `services::comments::add` with the same
//! checks as the form (locked threads, the comment privilege, the body's length).
use actix_web::{get, post, web, HttpResponse};
use serde::Deserialize;
use utoipa::ToSchema;

use super::auth::Caller;
use super::cursor::{PageParams, Paged, Position};
use super::questions::visible_post;
use super::views::{CommentOut, CreatedOut};
use crate::app::App;
use crate::auth::policy;
use crate::auth::privileges::Privilege;
use crate::db;
use crate::domain::{
    paths, BodyProblem, CommentBody, PostKind, COMMENT_MAX_CHARS, COMMENT_MIN_CHARS,
};
use crate::error::AppError;
use crate::services;
use crate::services::comments::CommentOn;
use crate::web::problem::Problem;

const POST_KINDS: [PostKind; 4] = [
    PostKind::Question,
    PostKind::Article,
    PostKind::Answer,
    PostKind::BotAnswer,
];

/// A post's published comments, oldest first.
#[utoipa::path(
    operation_id = "comments_list",
    tag = "comments",
    params(("id" = i64, Path, description = "The post's id"), PageParams),
    responses(
        (status = 200, description = "A page of comments", body = Paged<CommentOut>),
        (status = 404, description = "No such post, or not one the caller may see", body = Problem, content_type = "application/problem+json"),
    ),
    security((), ("bearer" = []), ("session" = []))
)]
#[get("/posts/{id}/comments")]
pub async fn list(
    state: web::Data<App>,
    caller: Caller,
    path: web::Path<i64>,
    params: web::Query<PageParams>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let post = visible_post(&state, &caller, path.into_inner(), &POST_KINDS).await?;
    let (after, limit) = params.read(t)?;
    let mut comments =
        db::comments::published_after(&state.db, post.id, after.map_or(0, |p| p.id), limit + 1)
            .await
            .map_err(|e| Problem::from_app(&AppError::from(e), t))?;
    let next = if comments.len() as i64 > limit {
        comments.truncate(limit as usize);
        comments.last().map(|c| Position { key: 0, id: c.id })
    } else {
        None
    };
    let items = comments.into_iter().map(CommentOut::from).collect();
    Ok(HttpResponse::Ok().json(Paged::<CommentOut>::new(items, next)))
}

/// A new comment.
#[derive(Debug, Deserialize, ToSchema)]
pub struct NewComment {
    pub post_id: i64,
    /// Markdown, 15 to 600 characters.
    pub body: String,
}

/// Comments on a post.
#[utoipa::path(
    operation_id = "comments_create",
    tag = "comments",
    request_body = NewComment,
    responses(
        (status = 201, description = "Commented (status `pending` when a rule held it)", body = CreatedOut),
        (status = 401, description = "Not signed in", body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "A read-only token, a locked thread, too little reputation or a silenced member", body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "No such published post", body = Problem, content_type = "application/problem+json"),
        (status = 422, description = "Refused input", body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "Rate limited (see Retry-After)", body = Problem, content_type = "application/problem+json"),
    ),
    security(("bearer" = []), ("session" = []))
)]
#[post("/comments")]
pub async fn create(
    state: web::Data<App>,
    caller: Caller,
    input: web::Json<NewComment>,
) -> Result<HttpResponse, Problem> {
    let t = caller.t();
    let writer = caller.writer()?;
    let post = db::comments::target(&state.db, input.post_id)
        .await
        .map_err(|e| Problem::from_app(&AppError::from(e), t))?
        .ok_or_else(|| Problem::not_found(t))?;
    if post.comments_locked {
        return Err(Problem::forbidden(t, t.get("moderation.comments_locked")));
    }
    if !policy::may_comment_on_post(writer.user, &post) {
        let needed = Privilege::Comment.min_reputation().to_string();
        return Err(Problem::forbidden(
            t,
            t.fill("comment.error_reputation", &[("needed", &needed)]),
        ));
    }
    let body = CommentBody::parse(&input.body).map_err(|problem| {
        let message = match problem {
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
        };
        Problem::invalid("body", message)
    })?;
    let added = services::comments::add(&state, writer, CommentOn::Post(&post), &body)
        .await
        .map_err(|e| Problem::from_write(e, t))?;
    let back = paths::target_path(&post.post_kind, post.post_id, post.parent_id);
    Ok(HttpResponse::Created().json(CreatedOut {
        id: added.id,
        url: paths::comment_url(&back, added.id),
        status: if added.held { "pending" } else { "published" }.to_string(),
    }))
}
