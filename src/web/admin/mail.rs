//! Mail on the admin pages: the outbox panel of the dashboard (messages per state, the ones failing or
//! dead with their error), and staff's private messages to a member from `/admin/users/{id}`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db;
use crate::domain::paths;
use crate::error::AppError;
use crate::services::{self, WriteError};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal::{self, Refused};

/// What the dashboard shows about mail.
pub struct MailPanel {
    pub on: bool,
    pub queued: i64,
    pub sent: i64,
    pub dead: i64,
    pub problems: Vec<ProblemLine>,
}

pub struct ProblemLine {
    pub id: i64,
    pub to: String,
    pub kind: String,
    pub status: String,
    pub attempts: i64,
    pub error: String,
    pub queued_at: String,
}

pub async fn panel(state: &App) -> Result<MailPanel, AppError> {
    let counts = db::outbox::counts_by_status(&state.db).await?;
    let count = |status: &str| {
        counts
            .iter()
            .find(|(s, _)| s == status)
            .map_or(0, |(_, n)| *n)
    };
    let problems = db::outbox::problems(&state.db, 20)
        .await?
        .into_iter()
        .map(|m| ProblemLine {
            id: m.id,
            to: m.to_address,
            kind: m.kind,
            status: m.status,
            attempts: m.attempts,
            error: m.last_error,
            queued_at: crate::web::format::time(m.created_at),
        })
        .collect();
    Ok(MailPanel {
        on: services::mail::available(state),
        queued: count("queued"),
        sent: count("sent"),
        dead: count("dead"),
        problems,
    })
}

#[derive(Template)]
#[template(path = "admin/message.html")]
struct MessagePage {
    page: Page,
    user_id: i64,
    username: String,
    body: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct MessageForm {
    #[serde(default)]
    body: String,
}

fn message_page(
    ctx: &Ctx,
    user: &db::users::UserRecord,
    body: String,
    errors: FormErrors,
) -> MessagePage {
    MessagePage {
        page: ctx.page(ctx.t().get("modmsg.title")),
        user_id: user.id,
        username: user.username.clone(),
        body,
        errors,
    }
}

pub async fn message_form(
    ctx: Ctx,
    state: web::Data<App>,
    id: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    ctx.require_staff()?;
    let user = db::users::by_id(&state.db, id.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    crate::web::ok(&message_page(
        &ctx,
        &user,
        String::new(),
        FormErrors::default(),
    ))
}

pub async fn send_message(
    ctx: Ctx,
    state: web::Data<App>,
    id: web::Path<i64>,
    form: web::Form<MessageForm>,
) -> Result<HttpResponse, AppError> {
    let staff = ctx.require_staff()?;
    let t = ctx.t();
    let user = db::users::by_id(&state.db, id.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let body = form.into_inner().body;
    match services::member_messages::send(&state, &staff, &user, &body).await {
        Ok(_) => {
            ctx.flash("modmsg.sent");
            Ok(crate::web::see_other(&paths::admin_user_url(user.id)))
        }
        Err(e @ WriteError::Invalid { .. }) => {
            let refused = Refused::explain(e, t)?;
            let mut errors = FormErrors::default();
            errors.add_text("body", refused.message);
            crate::web::render(
                &message_page(&ctx, &user, body, errors),
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(refusal::error_page(e, t)),
    }
}
