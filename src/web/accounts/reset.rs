//! `GET|POST /password-reset` (field `login`) and `GET|POST /password-reset/{token}` (field
//! `password`). Asking answers the same page whether or not an account matches; a link that is
//! expired, used or forged gets one clear page offering a new one.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::domain::NewPassword;
use crate::error::AppError;
use crate::services;
use crate::web::context::{origin, Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal;

#[derive(Template)]
#[template(path = "accounts/reset_request.html")]
struct RequestPage {
    page: Page,
    login: String,
    sent: bool,
    mail_off: bool,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "accounts/reset_password.html")]
struct NewPasswordPage {
    page: Page,
    token: String,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "accounts/reset_invalid.html")]
struct InvalidLinkPage {
    page: Page,
}

#[derive(Deserialize)]
pub struct RequestForm {
    #[serde(default)]
    login: String,
}

#[derive(Deserialize)]
pub struct PasswordForm {
    #[serde(default)]
    password: String,
}

fn request_page(
    ctx: &Ctx,
    state: &App,
    login: String,
    sent: bool,
    errors: FormErrors,
) -> RequestPage {
    RequestPage {
        page: ctx.page(ctx.t().get("reset.title")),
        login,
        sent,
        mail_off: !services::mail::available(state),
        errors,
    }
}

pub async fn form(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.ensure_session(&state).await?;
    crate::web::ok(&request_page(
        &ctx,
        &state,
        String::new(),
        false,
        FormErrors::default(),
    ))
}

pub async fn submit(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    form: web::Form<RequestForm>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let login = form.into_inner().login;
    if !services::mail::available(&state) {
        let page = request_page(&ctx, &state, login, false, FormErrors::default());
        return crate::web::render(&page, StatusCode::SERVICE_UNAVAILABLE);
    }
    if login.trim().is_empty() {
        let mut errors = FormErrors::default();
        errors.add_key("login", "reset.login_missing", t);
        return crate::web::render(
            &request_page(&ctx, &state, login, false, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    let origin = origin(&req, &state.settings);
    services::password_reset::request(&state, login.trim(), &ctx.client_ip(), &origin)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    crate::web::ok(&request_page(
        &ctx,
        &state,
        String::new(),
        true,
        FormErrors::default(),
    ))
}

fn invalid_link(ctx: &Ctx) -> Result<HttpResponse, AppError> {
    crate::web::render(
        &InvalidLinkPage {
            page: ctx.page(ctx.t().get("reset.title")),
        },
        StatusCode::GONE,
    )
}

pub async fn token_form(
    ctx: Ctx,
    state: web::Data<App>,
    token: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let token = token.into_inner();
    let found = services::password_reset::account_for(&state, &token)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if found.is_none() {
        return invalid_link(&ctx);
    }
    ctx.ensure_session(&state).await?;
    crate::web::ok(&NewPasswordPage {
        page: ctx.page(ctx.t().get("reset.new_title")),
        token,
        errors: FormErrors::default(),
    })
}

pub async fn token_submit(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    token: web::Path<String>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let token = token.into_inner();
    let Some(user) = services::password_reset::account_for(&state, &token)
        .await
        .map_err(|e| refusal::error_page(e, t))?
    else {
        return invalid_link(&ctx);
    };
    let password = match NewPassword::parse(&form.password, &[&user.username, &user.email]) {
        Ok(password) => password,
        Err(e) => {
            let mut errors = FormErrors::default();
            errors.add(&e, t);
            return crate::web::render(
                &NewPasswordPage {
                    page: ctx.page(t.get("reset.new_title")),
                    token,
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            );
        }
    };
    let hash = state
        .hashes
        .enter()?
        .hash(password.expose().to_string())
        .await?;
    let origin = origin(&req, &state.settings);
    let done = services::password_reset::complete(&state, &token, &hash, &origin)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    if done.is_none() {
        return invalid_link(&ctx);
    }
    ctx.flash("reset.done");
    Ok(crate::web::see_other("/login"))
}
