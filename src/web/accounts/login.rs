//! `GET|POST /login` and `POST /logout`.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::current_user;
use crate::app::App;
use crate::auth::rate_limit;
use crate::db;
use crate::domain::username_key;
use crate::error::AppError;
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::redirect::local_target;

#[derive(Template)]
#[template(path = "accounts/login.html")]
struct LoginPage {
    page: Page,
    username: String,
    next: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
}

#[derive(Deserialize)]
pub struct LoginForm {
    username: String,
    password: String,
    #[serde(default)]
    next: String,
}

pub async fn form(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    let next = query
        .next
        .as_deref()
        .and_then(local_target)
        .unwrap_or_default();
    if ctx.user().is_some() {
        return Ok(crate::web::see_other(if next.is_empty() {
            "/"
        } else {
            &next
        }));
    }
    ctx.ensure_session(&state).await?;
    crate::web::ok(&LoginPage {
        page: ctx.page(ctx.t().get("login.title")),
        username: String::new(),
        next,
        errors: FormErrors::default(),
    })
}

pub async fn submit(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<LoginForm>,
) -> Result<HttpResponse, AppError> {
    let form = form.into_inner();
    let limits = &state.settings.limits;
    let key = username_key(&form.username);
    let ip_bucket = login_ip_bucket(&ctx.client_ip());
    let account_bucket = login_account_bucket(&key);
    let ip_budget = rate_limit::Budget {
        bucket: &ip_bucket,
        limit: limits.login_failures_per_ip,
        window: limits.login_window,
    };
    let account_budget = rate_limit::Budget {
        bucket: &account_bucket,
        limit: limits.login_failures_per_account,
        window: limits.login_window,
    };
    // Counted before the hash, in one statement each: a burst cannot get past the limits.
    rate_limit::take(&state.db, &ip_budget).await?;
    rate_limit::take(&state.db, &account_budget).await?;
    // Only attempts within both budgets queue for the hash; one turned away as busy (the queue is
    // full of other accounts' log-ins) did not happen, so its counts are given back.
    let ticket = match state.hashes.enter() {
        Ok(ticket) => ticket,
        Err(busy) => {
            rate_limit::give_back(&state.db, &ip_bucket).await?;
            rate_limit::give_back(&state.db, &account_bucket).await?;
            return Err(busy);
        }
    };

    let found = db::users::credentials_by_username_key(&state.db, &key).await?;
    let (record, hash) = match found {
        Some((record, hash)) if !record.deleted => (Some(record), Some(hash)),
        _ => (None, None),
    };
    let verified = ticket.verify(form.password.clone(), hash).await?;

    let t = ctx.t();
    let mut errors = FormErrors::default();
    match record {
        Some(record) if verified => {
            let now = db::now();
            if let Some(until) = record.suspended_until.filter(|u| *u > now) {
                let until = crate::web::format::time(until);
                let reason = record.suspend_reason.clone().unwrap_or_default();
                let message = t.fill("error.suspended", &[("until", &until), ("reason", &reason)]);
                errors.add_text("username", message);
            } else {
                rate_limit::forget(&state.db, &account_bucket).await?;
                rate_limit::give_back(&state.db, &ip_bucket).await?;
                let next = local_target(&form.next).unwrap_or_else(|| "/".into());
                if let Some(code_step) = second_factor_step(&ctx, &state, record.id, &next).await? {
                    return Ok(code_step);
                }
                ctx.sign_in(&state, current_user(&record)).await?;
                return Ok(crate::web::see_other(&next));
            }
        }
        _ => errors.add_key("username", "error.login_failed", t),
    }
    crate::web::render(
        &LoginPage {
            page: ctx.page(t.get("login.title")),
            username: form.username,
            next: local_target(&form.next).unwrap_or_default(),
            errors,
        },
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// With the second factor on, the password only opens the code step (`/login/2fa`) for this
/// browser's session; `None` when the account has no second factor.
async fn second_factor_step(
    ctx: &Ctx,
    state: &App,
    user_id: i64,
    next: &str,
) -> Result<Option<HttpResponse>, AppError> {
    let t = ctx.t();
    let on = crate::services::two_factor::is_enabled(state, user_id)
        .await
        .map_err(|e| crate::web::refusal::error_page(e, t))?;
    if !on {
        return Ok(None);
    }
    let session = ctx.start_pending_session(state).await?;
    crate::services::two_factor::begin_login(state, &session.id_hash, user_id, next)
        .await
        .map_err(|e| crate::web::refusal::error_page(e, t))?;
    Ok(Some(crate::web::see_other(
        crate::domain::paths::LOGIN_CODE,
    )))
}

/// Log-in attempts from one address (an IPv6 /64), counted before the password is checked.
pub fn login_ip_bucket(client_ip: &str) -> String {
    format!("login:ip:{}", rate_limit::address_key(client_ip))
}

/// Log-in attempts for one account (by username key), shared with the password change form.
pub fn login_account_bucket(username_key: &str) -> String {
    format!("login:user:{username_key}")
}

pub async fn logout(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.sign_out(&state).await?;
    ctx.flash("flash.logged_out");
    Ok(crate::web::see_other("/"))
}
