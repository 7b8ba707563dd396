//! `GET /settings/2fa`, `POST /settings/2fa/enable` (code), `POST /settings/2fa/disable` (password,
//! code), and the code step of log-in, `GET|POST /login/2fa` (code or recovery code). The code step
//! belongs to the anonymous session that passed the password; it lasts five minutes.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::current_user;
use crate::app::App;
use crate::db;
use crate::domain::paths;
use crate::error::AppError;
use crate::services;
use crate::services::two_factor::Setup;
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::redirect::local_target;
use crate::web::refusal;

#[derive(Template)]
#[template(path = "accounts/two_factor.html")]
struct SettingsPage {
    page: Page,
    enabled: bool,
    setup: Option<Setup>,
    /// "On; N recovery codes left."
    on_lead: String,
    /// The admins require it of staff, and it is off.
    required: bool,
    /// Shown once, right after the factor was turned on.
    recovery_codes: Vec<String>,
    errors: FormErrors,
}

#[derive(Template)]
#[template(path = "accounts/login_code.html")]
struct CodePage {
    page: Page,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct CodeForm {
    #[serde(default)]
    code: String,
}

#[derive(Deserialize)]
pub struct DisableForm {
    #[serde(default)]
    password: String,
    #[serde(default)]
    code: String,
}

async fn settings_page(
    ctx: &Ctx,
    state: &App,
    recovery_codes: Vec<String>,
    errors: FormErrors,
) -> Result<SettingsPage, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let enabled = services::two_factor::is_enabled(state, me.id)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    let setup = if enabled {
        None
    } else {
        Some(
            services::two_factor::setup(state, &me)
                .await
                .map_err(|e| refusal::error_page(e, t))?,
        )
    };
    let left = db::two_factor::recovery_codes_left(&state.db, me.id).await?;
    let required = services::account_settings::needs_two_factor(&state.db, &me).await?;
    Ok(SettingsPage {
        page: ctx.page(t.get("twofa.title")),
        enabled,
        setup,
        on_lead: t.fill("twofa.on_lead", &[("count", &left.to_string())]),
        required,
        recovery_codes,
        errors,
    })
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let page = settings_page(&ctx, &state, Vec::new(), FormErrors::default()).await?;
    crate::web::ok(&page)
}

pub async fn enable(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let codes = services::two_factor::enable(&state, &me, &form.code)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    match codes {
        Some(codes) => {
            let page = settings_page(&ctx, &state, codes, FormErrors::default()).await?;
            crate::web::ok(&page)
        }
        None => {
            let mut errors = FormErrors::default();
            errors.add_key("code", "twofa.bad_code", t);
            let page = settings_page(&ctx, &state, Vec::new(), errors).await?;
            crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY)
        }
    }
}

pub async fn disable(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<DisableForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let done = services::two_factor::disable(&state, &me, &form.password, &form.code)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    if done {
        ctx.flash("twofa.disabled");
        return Ok(crate::web::see_other(paths::TWO_FACTOR_SETTINGS));
    }
    let mut errors = FormErrors::default();
    errors.add_key("disable", "twofa.bad_credentials", t);
    let page = settings_page(&ctx, &state, Vec::new(), errors).await?;
    crate::web::render(&page, StatusCode::UNPROCESSABLE_ENTITY)
}

/// The member this browser's half-finished log-in is for, and where it goes after.
async fn pending(ctx: &Ctx, state: &App) -> Result<Option<(String, i64, String)>, AppError> {
    let Some(session) = ctx.session().filter(|s| s.user.is_none()) else {
        return Ok(None);
    };
    Ok(db::two_factor::pending_login(&state.db, &session.id_hash)
        .await?
        .map(|(user_id, next)| (session.id_hash, user_id, next)))
}

fn expired(ctx: &Ctx) -> HttpResponse {
    ctx.flash("login2fa.expired");
    crate::web::see_other("/login")
}

pub async fn code_form(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    if pending(&ctx, &state).await?.is_none() {
        return Ok(expired(&ctx));
    }
    crate::web::ok(&CodePage {
        page: ctx.page(ctx.t().get("login2fa.title")),
        errors: FormErrors::default(),
    })
}

pub async fn code_submit(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<CodeForm>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let Some((session_hash, user_id, next)) = pending(&ctx, &state).await? else {
        return Ok(expired(&ctx));
    };
    let ok = services::two_factor::verify(&state, user_id, &form.code)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    if !ok {
        let mut errors = FormErrors::default();
        errors.add_key("code", "login2fa.failed", t);
        return crate::web::render(
            &CodePage {
                page: ctx.page(t.get("login2fa.title")),
                errors,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    services::two_factor::end_login(&state, &session_hash)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    let record = db::users::by_id(&state.db, user_id)
        .await?
        .filter(|r| !r.deleted)
        .ok_or(AppError::NotFound)?;
    ctx.sign_in(&state, current_user(&record)).await?;
    let next = local_target(&next).unwrap_or_else(|| "/".into());
    Ok(crate::web::see_other(&next))
}
