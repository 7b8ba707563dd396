//! `POST /flags` (target_kind, target_id, reason, note): a signed-in member flags someone else's post,
//! comment or account, once per target. A refused flag shows the form again with the note kept.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::{self, comments};
use crate::domain::{CommentStatus, FlagInput, FlagReason, FlagTarget, PostKind};
use crate::error::AppError;
use crate::services::moderation::FlagRefusal;
use crate::services::{self, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal::Refused;

#[derive(Deserialize)]
pub struct FlagForm {
    #[serde(default)]
    target_kind: String,
    #[serde(default)]
    target_id: String,
    #[serde(default)]
    reason: String,
    #[serde(default)]
    note: String,
}

#[derive(Template)]
#[template(path = "moderation/flag_form.html")]
struct FlagFormPage {
    page: Page,
    target_kind: String,
    target_id: i64,
    /// `(value, label, selected)` for each reason.
    reasons: Vec<(&'static str, String, bool)>,
    note: String,
    back: String,
    errors: FormErrors,
}

/// Where the flagged thing lives, if the member can see it.
async fn target_path(
    state: &App,
    me: &CurrentUser,
    target: FlagTarget,
    id: i64,
) -> Result<String, AppError> {
    match target {
        FlagTarget::Post => {
            let post = db::posts::by_id(&state.db, id)
                .await?
                .filter(|p| crate::auth::policy::post_visible(p, Some(me)))
                .ok_or(AppError::NotFound)?;
            Ok(crate::domain::paths::post_url(
                post.kind,
                post.id,
                &post.slug,
                post.parent_id,
            ))
        }
        FlagTarget::Comment => {
            let comment = comments::by_id(&state.db, id)
                .await?
                .filter(|c| matches!(c.status, CommentStatus::Published | CommentStatus::Hidden))
                .ok_or(AppError::NotFound)?;
            let post = db::posts::by_id(&state.db, comment.post_id)
                .await?
                .ok_or(AppError::NotFound)?;
            let path =
                crate::domain::paths::post_url(post.kind, post.id, &post.slug, post.parent_id);
            Ok(crate::domain::paths::comment_url(&path, id))
        }
        FlagTarget::User => {
            let user = db::users::by_id(&state.db, id)
                .await?
                .filter(|u| !u.deleted)
                .ok_or(AppError::NotFound)?;
            Ok(crate::domain::paths::profile_url(&user.username))
        }
        FlagTarget::Resource => {
            let resource = db::resources::by_id(&state.db, id)
                .await?
                .filter(|r| crate::auth::policy::resource_visible(r, Some(me)))
                .ok_or(AppError::NotFound)?;
            Ok(crate::domain::paths::resource_url(resource.id))
        }
        FlagTarget::Event => {
            let event = db::events::by_id(&state.db, id)
                .await?
                .filter(|e| crate::auth::policy::event_visible(e, Some(me)))
                .ok_or(AppError::NotFound)?;
            Ok(crate::domain::paths::event_url(event.id))
        }
    }
}

pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<FlagForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let form = form.into_inner();
    let target = FlagTarget::parse(&form.target_kind)
        .ok_or_else(|| AppError::Invalid(t.get("flag.error_target").to_string()))?;
    let target_id: i64 = form
        .target_id
        .trim()
        .parse()
        .map_err(|_| AppError::Invalid(t.get("flag.error_target").to_string()))?;
    let back = target_path(&state, &me, target, target_id).await?;
    let show_again = |status, field: &'static str, message: String| {
        let mut errors = FormErrors::default();
        errors.add_text(field, message);
        crate::web::render(
            &FlagFormPage {
                page: ctx.page(t.get("flag.title")),
                target_kind: target.as_str().to_string(),
                target_id,
                reasons: FlagReason::ALL
                    .into_iter()
                    .map(|r| {
                        (
                            r.as_str(),
                            t.get(r.catalog_key()).to_string(),
                            r.as_str() == form.reason.trim(),
                        )
                    })
                    .collect(),
                note: form.note.clone(),
                back: back.clone(),
                errors,
            },
            status,
        )
    };
    let input = match FlagInput::parse(&form.reason, &form.note) {
        Ok(input) => input,
        Err(e) => {
            let mut text = t.get(e.key).to_string();
            if let Some(detail) = &e.detail {
                text = format!("{text} ({detail})");
            }
            return show_again(StatusCode::UNPROCESSABLE_ENTITY, e.field, text);
        }
    };
    let ip = ctx.client_ip();
    let outcome =
        match services::moderation::flag(&state, Writer::new(&me, &ip), target, target_id, &input)
            .await
        {
            Ok(outcome) => outcome,
            Err(FlagRefusal::NotFound) => return Err(AppError::NotFound),
            Err(FlagRefusal::OwnContent) => {
                return show_again(
                    StatusCode::FORBIDDEN,
                    "reason",
                    t.get("flag.error_own").to_string(),
                )
            }
            Err(FlagRefusal::Duplicate) => {
                return show_again(
                    StatusCode::CONFLICT,
                    "reason",
                    t.get("flag.error_duplicate").to_string(),
                )
            }
            Err(FlagRefusal::Write(e)) => {
                let refused = Refused::explain(e, t)?;
                let page = show_again(refused.status, "reason", refused.message.clone());
                return refused.respond(page);
            }
        };
    let mut destination = back;
    if outcome.hid {
        ctx.flash("flag.thanks_hidden");
        if target == FlagTarget::Event {
            // A hidden event's page is a 404 for the reporter.
            destination = crate::domain::paths::EVENTS.to_string();
        }
        if let Some(post_id) = outcome.post_id {
            // A hidden question or article is gone for the reporter; its page would be a 404.
            let post = db::posts::by_id(&state.db, post_id).await?;
            if let Some(post) = post.filter(|p| !crate::auth::policy::post_visible(p, Some(&me))) {
                destination = match post.parent_id {
                    Some(q) if post.kind != PostKind::Question => {
                        crate::domain::paths::post_url(PostKind::Question, q, "", None)
                    }
                    _ => "/".to_string(),
                };
            }
        }
    } else {
        ctx.flash("flag.thanks");
    }
    Ok(crate::web::see_other(&destination))
}
