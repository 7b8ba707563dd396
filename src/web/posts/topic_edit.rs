//! Editing and deleting topics (articles and questions): the same steps for both, told apart by a
//! [`Topic`] that names the kind, the editor page and where deletion returns to.
use actix_web::{web, HttpResponse};

use super::editor::{parse_topic, EditorKind, EditorPage, PostForm};
use super::visible_post;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::posts::PostRecord;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::services::{self, Writer};
use crate::web::context::Ctx;
use crate::web::refusal;

/// What differs between editing an article and editing a question.
pub struct Topic {
    pub kind: PostKind,
    pub editor: EditorKind,
    /// Catalog key of the editor page's title.
    pub title_key: &'static str,
    /// URL segment: `/articles/{id}/edit`, `/questions/{id}/edit`.
    pub segment: &'static str,
    /// Whether the author may keep or make the post a draft (`draft=1`).
    pub drafts: bool,
}

/// The post, if `me` may edit it.
async fn editable(
    state: &App,
    topic: &Topic,
    id: i64,
    me: &CurrentUser,
) -> Result<PostRecord, AppError> {
    let post = visible_post(state, id, &[topic.kind], Some(me)).await?;
    if !crate::auth::policy::may_edit_post(me, post.author_id) {
        return Err(AppError::Forbidden);
    }
    Ok(post)
}

fn edit_page(ctx: &Ctx, topic: &Topic, post: &PostRecord, form: &PostForm) -> EditorPage {
    EditorPage::new(
        ctx.page(ctx.t().get(topic.title_key)),
        topic.editor,
        format!("/{}/{}/edit", topic.segment, post.id),
        form,
        crate::domain::paths::post_url(post.kind, post.id, &post.slug, None),
    )
}

/// `GET /{segment}/{id}/edit`: the editor filled with the current text.
pub async fn edit_form(
    topic: &Topic,
    ctx: Ctx,
    state: web::Data<App>,
    id: i64,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let post = editable(&state, topic, id, &me).await?;
    ctx.ensure_session(&state).await?;
    let form = PostForm {
        title: post.title.clone(),
        body: post.body_md.clone(),
        tags: post.tags.join(", "),
        ..PostForm::default()
    };
    edit_page(&ctx, topic, &post, &form).ok()
}

/// `POST /{segment}/{id}/edit` (title, body, tags): a new revision, or the form again with its errors.
pub async fn update(
    topic: &Topic,
    ctx: Ctx,
    state: web::Data<App>,
    id: i64,
    form: PostForm,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let post = editable(&state, topic, id, &me).await?;
    let input = match parse_topic(&form, ctx.t()) {
        Ok(input) => input,
        Err(errors) => {
            return edit_page(&ctx, topic, &post, &form)
                .with_errors(errors)
                .rejected()
        }
    };
    let ip = ctx.client_ip();
    let wants_draft = topic.drafts && form.wants_draft();
    let written = match services::posts::edit_topic(
        &state,
        Writer::new(&me, &ip),
        &post,
        &input,
        wants_draft,
    )
    .await
    {
        Ok(written) => written,
        Err(e) => {
            return refusal::form_again(e, ctx.t(), |errors| {
                edit_page(&ctx, topic, &post, &form)
                    .with_errors(errors)
                    .rejected()
            })
        }
    };
    ctx.flash(if written.held {
        "rules.flash.held"
    } else {
        "post.flash.saved"
    });
    Ok(crate::web::see_other(&written.url))
}

/// `POST /{segment}/{id}/delete`: a soft delete, back to the list.
pub async fn delete(
    topic: &Topic,
    ctx: Ctx,
    state: web::Data<App>,
    id: i64,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let post = visible_post(&state, id, &[topic.kind], Some(&me)).await?;
    if !crate::auth::policy::may_delete_post(&me, post.author_id) {
        return Err(AppError::Forbidden);
    }
    services::posts::delete(&state, &post)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("post.flash.deleted");
    Ok(crate::web::see_other(&format!("/{}", topic.segment)))
}
