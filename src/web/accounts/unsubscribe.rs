//! `GET /unsubscribe/{token}` shows what the link stops and a button; `POST /unsubscribe/{token}` is
//! RFC 8058's one-click unsubscribe: no log-in and no CSRF token (the token is the authority; the
//! CSRF middleware lets this one path through).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::app::App;
use crate::error::AppError;
use crate::services;
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

#[derive(Template)]
#[template(path = "accounts/unsubscribe.html")]
struct UnsubscribePage {
    page: Page,
    token: String,
    /// The question asked (`None` once done or when the link is bad).
    question: Option<String>,
    done: bool,
    bad_link: bool,
}

pub async fn confirm(
    ctx: Ctx,
    state: web::Data<App>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let token = token.into_inner();
    let target = services::notification_mail::unsubscribe_target(&state, &token)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    let (status, question) = match &target {
        Some((user, Some(kind))) => (
            StatusCode::OK,
            Some(format!(
                "{} ({})",
                t.fill("unsubscribe.confirm", &[("name", &user.username)]),
                t.get(&format!("notify_settings.kind.{}", kind.as_str()))
            )),
        ),
        Some((user, None)) => (
            StatusCode::OK,
            Some(t.fill("unsubscribe.confirm_all", &[("name", &user.username)])),
        ),
        None => (StatusCode::GONE, None),
    };
    crate::web::render(
        &UnsubscribePage {
            page: ctx.page(t.get("unsubscribe.title")),
            bad_link: target.is_none(),
            token,
            question,
            done: false,
        },
        status,
    )
}

pub async fn one_click(
    ctx: Ctx,
    state: web::Data<App>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let token = token.into_inner();
    let done = services::notification_mail::unsubscribe(&state, &token)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    crate::web::render(
        &UnsubscribePage {
            page: ctx.page(t.get("unsubscribe.title")),
            token,
            question: None,
            done,
            bad_link: !done,
        },
        if done {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
    )
}
