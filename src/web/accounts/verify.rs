//! `GET /settings/email` (the address and whether it is confirmed), `POST /settings/email` (email,
//! password: mails a link to the new address), `POST /settings/email/confirm` (a new link for the
//! current address), and `GET /verify-email/{token}`, the link itself.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db;
use crate::domain::Email;
use crate::error::AppError;
use crate::services::{self, email_verification::ChangeRefusal};
use crate::web::context::{origin, Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal;

#[derive(Template)]
#[template(path = "accounts/email.html")]
struct EmailPage {
    page: Page,
    status: String,
    confirmed: bool,
    mail_off: bool,
    new_email: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "accounts/verify_result.html")]
struct ResultPage {
    page: Page,
    done: bool,
}

#[derive(Deserialize)]
pub struct ChangeForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn email_page(
    ctx: &Ctx,
    state: &App,
    new_email: String,
    errors: FormErrors,
) -> Result<EmailPage, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let user = db::users::by_id(&state.db, me.id)
        .await?
        .ok_or(AppError::NotFound)?;
    let confirmed = db::email_addresses::is_verified(&state.db, me.id).await?;
    let key = if confirmed {
        "verify.status_confirmed"
    } else {
        "verify.status_unconfirmed"
    };
    Ok(EmailPage {
        page: ctx.page(t.get("verify.title")),
        status: t.fill(key, &[("address", &user.email)]),
        confirmed,
        mail_off: !services::mail::available(state),
        new_email,
        errors,
    })
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let page = email_page(&ctx, &state, String::new(), FormErrors::default()).await?;
    crate::web::ok(&page)
}

pub async fn resend(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    if !services::mail::available(&state) {
        return Err(refusal::error_page(services::mail::unavailable(), t));
    }
    let user = db::users::by_id(&state.db, me.id)
        .await?
        .ok_or(AppError::NotFound)?;
    services::email_verification::send_link(
        &state,
        &user,
        &user.email,
        &origin(&req, &state.settings),
    )
    .await
    .map_err(|e| refusal::error_page(e, t))?;
    ctx.flash("verify.sent");
    Ok(crate::web::see_other("/settings/email"))
}

pub async fn change(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    form: web::Form<ChangeForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let form = form.into_inner();
    let mut errors = FormErrors::default();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.add(&e, t))
        .ok();
    let stored = db::users::password_hash(&state.db, me.id).await?;
    let password_ok = state
        .hashes
        .enter()?
        .verify(form.password.clone(), stored)
        .await?;
    if !password_ok {
        errors.add_key("password", "error.current_password_wrong", t);
    }
    let Some(email) = email.filter(|_| errors.is_empty()) else {
        return rejected(&ctx, &state, form.email, errors).await;
    };
    let started = services::email_verification::request_change(
        &state,
        &me,
        &email,
        &origin(&req, &state.settings),
    )
    .await
    .map_err(|e| refusal::error_page(e, t))?;
    if let Err(ChangeRefusal::Unusable) = started {
        errors.add_key("email", "error.email_unusable", t);
        return rejected(&ctx, &state, form.email, errors).await;
    }
    ctx.flash("verify.change_sent");
    Ok(crate::web::see_other("/settings/email"))
}

/// The page again with the address typed and the errors (never the password).
async fn rejected(
    ctx: &Ctx,
    state: &App,
    email: String,
    errors: FormErrors,
) -> Result<HttpResponse, AppError> {
    let page = email_page(ctx, state, email, errors).await?;
    crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

pub async fn confirm(
    ctx: Ctx,
    state: web::Data<App>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let done = services::email_verification::confirm(&state, &token.into_inner())
        .await
        .map_err(|e| refusal::error_page(e, t))?
        .is_some();
    crate::web::render(
        &ResultPage {
            page: ctx.page(t.get("verify.title")),
            done,
        },
        if done {
            StatusCode::OK
        } else {
            StatusCode::GONE
        },
    )
}
