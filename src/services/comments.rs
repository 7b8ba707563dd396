//! Comments on posts and on resources, through one path: gate -> render -> store (held ones as
//! `pending`, telling nobody until review publishes them) -> after-write. The caller has parsed the body and checked `auth::policy` (locked threads, privileges).
use super::gate::{after_write, gate, WriteError, Writer};
use super::render;
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db;
use crate::db::comments::{CommentRecord, CommentTarget, NewComment};
use crate::db::resource_comments::{NewResourceComment, ResourceCommentRecord};
use crate::db::resources::ResourceRecord;
use crate::domain::{CommentBody, CommentStatus};
use crate::moderation::{Action, Content, Target};
use crate::render::RENDERER_VERSION;

/// What a comment is on.
#[derive(Debug, Clone, Copy)]
pub enum CommentOn<'a> {
    Post(&'a CommentTarget),
    Resource(&'a ResourceRecord),
}

/// A stored comment.
#[derive(Debug, Clone, Copy)]
pub struct Added {
    pub id: i64,
    /// A hold rule matched: it waits for review.
    pub held: bool,
}

/// Adds a comment. Counted as a comment by the rules (rate limits, content rules) wherever it goes.
pub async fn add(
    app: &App,
    writer: Writer<'_>,
    on: CommentOn<'_>,
    body: &CommentBody,
) -> Result<Added, WriteError> {
    let verdict = gate(
        app,
        writer,
        Action::CreateComment,
        Content::body(body.as_str()),
    )
    .await?;
    let rendered = render::comment(app, body.as_str()).await?;
    let held = verdict.is_held();
    let status = if held {
        CommentStatus::Pending
    } else {
        CommentStatus::Published
    };
    let (id, target) = match on {
        CommentOn::Post(post) => {
            let id = db::comments::create(
                &app.db,
                NewComment {
                    post,
                    author_id: writer.user.id,
                    body_md: body.as_str(),
                    body_html: &rendered.html,
                    renderer_version: RENDERER_VERSION,
                    mentions: &rendered.mentions,
                    status,
                },
            )
            .await?;
            if !held {
                let topic = post.parent_id.unwrap_or(post.post_id);
                let told = [post.author_id];
                super::follows::commented(app, topic, post.post_id, id, writer.user.id, &told)
                    .await;
            }
            (id, Target::Comment(id))
        }
        CommentOn::Resource(resource) => {
            let id = db::resource_comments::create(
                &app.db,
                &NewResourceComment {
                    resource_id: resource.id,
                    author_id: writer.user.id,
                    body_md: body.as_str(),
                    body_html: &rendered.html,
                    renderer_version: RENDERER_VERSION,
                    status: status.as_str(),
                },
            )
            .await?;
            if !held && resource.submitted_by != writer.user.id {
                db::notifications::notify_resource_comment(
                    &app.db,
                    resource.submitted_by,
                    writer.user.id,
                    resource.id,
                    id,
                )
                .await?;
            }
            (id, Target::ResourceComment(id))
        }
    };
    after_write(app, writer, &verdict, target).await?;
    Ok(Added { id, held })
}

/// Replaces a post comment's text (the caller checked `policy::may_edit_comment`). Returns whether a
/// hold rule matched.
pub async fn edit(
    app: &App,
    writer: Writer<'_>,
    comment: &CommentRecord,
    body: &CommentBody,
) -> Result<bool, WriteError> {
    let verdict = gate(
        app,
        writer,
        Action::EditComment,
        Content::body(body.as_str()),
    )
    .await?;
    let rendered = render::comment(app, body.as_str()).await?;
    db::comments::update(
        &app.db,
        comment,
        body.as_str(),
        &rendered.html,
        RENDERER_VERSION,
        &rendered.mentions,
        verdict.is_held(),
    )
    .await?;
    after_write(app, writer, &verdict, Target::Comment(comment.id)).await?;
    Ok(verdict.is_held())
}

/// Deletes a post comment (the caller checked `policy::may_delete_comment`).
pub async fn delete_on_post(app: &App, comment: &CommentRecord) -> Result<(), WriteError> {
    db::comments::delete(&app.db, comment).await?;
    Ok(())
}

/// Deletes a resource comment; staff deleting someone else's comment is audited.
pub async fn delete_on_resource(
    app: &App,
    actor: &CurrentUser,
    comment: &ResourceCommentRecord,
) -> Result<(), WriteError> {
    let audited_by = (actor.id != comment.author_id).then_some(actor.id);
    db::resource_comments::delete(&app.db, comment, audited_by).await?;
    Ok(())
}

/// Staff publish a held resource comment (audited). `false` when it was not waiting.
pub async fn approve_on_resource(
    app: &App,
    actor: &CurrentUser,
    comment_id: i64,
) -> Result<bool, WriteError> {
    Ok(db::resource_comments::approve(&app.db, comment_id, actor.id).await?)
}
