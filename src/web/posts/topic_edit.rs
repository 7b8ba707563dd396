//! Editing and deleting topics (articles and questions): the same steps for both, told apart by a
//! [`Topic`] that names the kind, the editor page and where deletion returns to.
use crate::moderation::{Action, Content, Target};
use crate::web::moderation::rules;
use actix_web::{web, HttpResponse};

use super::editor::{parse_topic, EditorKind, EditorPage, PostForm};
use super::{post_url, search_index_changed, visible_post};
use crate::auth::privileges::{can_delete_post, can_edit_post};
use crate::auth::CurrentUser;
use crate::db;
use crate::db::posts::{PostEdit, PostRecord};
use crate::domain::{PostKind, PostStatus};
use crate::error::AppError;
use crate::web::context::Ctx;
use crate::web::state::AppState;

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
    state: &AppState,
    topic: &Topic,
    id: i64,
    me: &CurrentUser,
) -> Result<PostRecord, AppError> {
    let post = visible_post(state, id, &[topic.kind], Some(me)).await?;
    if !can_edit_post(me, post.author_id) {
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
        post_url(post.kind, post.id, &post.slug, None),
    )
}

/// `GET /{segment}/{id}/edit`: the editor filled with the current text.
pub async fn edit_form(
    topic: &Topic,
    ctx: Ctx,
    state: web::Data<AppState>,
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
    state: web::Data<AppState>,
    id: i64,
    form: PostForm,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let post = editable(&state, topic, id, &me).await?;
    if let Some(message) = crate::web::moderation::silenced_message(&state, &me, ctx.t()).await? {
        let mut errors = crate::web::form::FormErrors::default();
        errors.add_text("body", message);
        return edit_page(&ctx, topic, &post, &form)
            .with_errors(errors)
            .rejected();
    }
    let input = match parse_topic(&form, ctx.t()) {
        Ok(input) => input,
        Err(errors) => {
            return edit_page(&ctx, topic, &post, &form)
                .with_errors(errors)
                .rejected()
        }
    };
    // Publishing a draft is when a post first appears, so the rules for new posts apply.
    let publishes_draft =
        post.status == PostStatus::Draft && me.id == post.author_id && !form.wants_draft();
    let action = if publishes_draft {
        Action::CreatePost
    } else {
        Action::EditPost
    };
    let verdict = rules::check(
        &ctx,
        &state,
        &me,
        action,
        Content::new(&form.title, &form.body),
    )
    .await?;
    if let Some(refusal) = verdict.refusal() {
        let page = edit_page(&ctx, topic, &post, &form)
            .with_errors(rules::refusal_errors(refusal, ctx.t()));
        return rules::with_retry_after(refusal, page.rejected());
    }
    // Only the author decides whether their post is a draft; other editors keep its status.
    let status = match post.status {
        PostStatus::Draft | PostStatus::Published if topic.drafts && me.id == post.author_id => {
            if form.wants_draft() {
                PostStatus::Draft
            } else {
                PostStatus::Published
            }
        }
        other => other,
    };
    let rendered = match crate::render::post(input.body.as_str(), state.settings.render).await {
        Ok(rendered) => rendered,
        Err(e) => {
            let errors = crate::web::form::render_errors("body", &e, ctx.t());
            return edit_page(&ctx, topic, &post, &form)
                .with_errors(errors)
                .rejected();
        }
    };
    db::posts::update(
        &state.db,
        post.id,
        PostEdit {
            title: Some(&input.title),
            body: &input.body,
            rendered: &rendered,
            tags: Some(&input.tags),
            status,
            editor_id: me.id,
        },
    )
    .await?;
    crate::moderation::after_write(&state.db, &me, &verdict, Target::Post(post.id)).await?;
    search_index_changed(&state, post.id).await;
    super::topic_written(&state, post.id, false).await;
    ctx.flash(if verdict.is_held() {
        "rules.flash.held"
    } else {
        "post.flash.saved"
    });
    Ok(crate::web::see_other(&post_url(
        post.kind,
        post.id,
        &input.title.slug(),
        None,
    )))
}

/// `POST /{segment}/{id}/delete`: a soft delete, back to the list.
pub async fn delete(
    topic: &Topic,
    ctx: Ctx,
    state: web::Data<AppState>,
    id: i64,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let post = visible_post(&state, id, &[topic.kind], Some(&me)).await?;
    if !can_delete_post(&me, post.author_id) {
        return Err(AppError::Forbidden);
    }
    db::posts::soft_delete(&state.db, post.id).await?;
    search_index_changed(&state, post.id).await;
    ctx.flash("post.flash.deleted");
    Ok(crate::web::see_other(&format!("/{}", topic.segment)))
}
