//! `GET|POST /register`: create an account, then sign in.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::current_user;
use crate::app::App;
use crate::auth::{invite, rate_limit};
use crate::db;
use crate::domain::{Email, NewPassword, Registration, Role, Username};
use crate::error::AppError;
use crate::services::accounts::SignUpRefusal;
use crate::services::{self, settings};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::redirect::local_target;
use crate::web::refusal;

#[derive(Template)]
#[template(path = "accounts/register.html")]
struct RegisterPage {
    page: Page,
    username: String,
    email: String,
    next: String,
    /// The invite code from the link, carried through the form on an invite-only forum.
    invite: String,
    errors: FormErrors,
}

#[derive(Deserialize)]
pub struct NextQuery {
    next: Option<String>,
    invite: Option<String>,
}

#[derive(Deserialize)]
pub struct RegisterForm {
    username: String,
    email: String,
    password: String,
    #[serde(default)]
    next: String,
    #[serde(default)]
    invite: String,
}

/// Refuses sign-up when it is closed, or invite-only without a usable invite (checked again, and
/// used up, when the form is sent).
async fn check_open(ctx: &Ctx, state: &App, invite: &str) -> Result<(), AppError> {
    let t = ctx.t();
    match settings::load(&state.db).await?.registration {
        Registration::Open => Ok(()),
        Registration::Closed => Err(AppError::Closed(t.get("register.closed").to_string())),
        Registration::Invite => {
            let usable = !invite.trim().is_empty()
                && db::invites::is_usable(&state.db, &invite::hash(invite)).await?;
            if usable {
                Ok(())
            } else {
                Err(AppError::Closed(t.get("register.invite_only").to_string()))
            }
        }
    }
}

pub async fn form(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<NextQuery>,
) -> Result<HttpResponse, AppError> {
    if ctx.user().is_some() {
        return Ok(crate::web::see_other("/"));
    }
    let invite = query.invite.clone().unwrap_or_default();
    check_open(&ctx, &state, &invite).await?;
    ctx.ensure_session(&state).await?;
    let next = query
        .next
        .as_deref()
        .and_then(local_target)
        .unwrap_or_default();
    crate::web::ok(&RegisterPage {
        page: ctx.page(ctx.t().get("register.title")),
        username: String::new(),
        email: String::new(),
        next,
        invite,
        errors: FormErrors::default(),
    })
}

pub async fn submit(
    ctx: Ctx,
    req: actix_web::HttpRequest,
    state: web::Data<App>,
    form: web::Form<RegisterForm>,
) -> Result<HttpResponse, AppError> {
    check_open(&ctx, &state, &form.invite).await?;
    let limits = &state.settings.limits;
    rate_limit::hit(
        &state.db,
        &rate_limit::Budget {
            bucket: &format!("register:ip:{}", rate_limit::address_key(&ctx.client_ip())),
            limit: limits.registrations_per_ip,
            window: limits.registration_window,
        },
    )
    .await?;

    let form = form.into_inner();
    let t = ctx.t();
    let mut errors = FormErrors::default();
    let username = Username::parse(&form.username)
        .map_err(|e| errors.add(&e, t))
        .ok();
    let email = Email::parse(&form.email)
        .map_err(|e| errors.add(&e, t))
        .ok();
    let password = NewPassword::parse(&form.password, &[&form.username, &form.email])
        .map_err(|e| errors.add(&e, t))
        .ok();

    let rejected = |errors: FormErrors| {
        crate::web::render(
            &RegisterPage {
                page: ctx.page(t.get("register.title")),
                username: form.username.clone(),
                email: form.email.clone(),
                next: local_target(&form.next).unwrap_or_default(),
                invite: form.invite.clone(),
                errors,
            },
            StatusCode::UNPROCESSABLE_ENTITY,
        )
    };
    let (Some(username), Some(email), Some(password)) = (username, email, password) else {
        return rejected(errors);
    };

    let hash = state
        .hashes
        .enter()?
        .hash(password.expose().to_string())
        .await?;
    let network = rate_limit::attributable_network(&ctx.client_ip());
    let new_user = db::users::NewUser {
        username: &username,
        email: &email,
        password_hash: &hash,
        role: Role::Member,
        locale: Some(ctx.lang().code()),
        signup_network: network.as_deref(),
    };
    let created = services::accounts::sign_up(&state, new_user, &form.invite)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    let id = match created {
        Ok(id) => id,
        Err(SignUpRefusal::NeedsInvite) => {
            return Err(AppError::Closed(t.get("register.invite_only").to_string()))
        }
        Err(SignUpRefusal::UsernameTaken) => {
            errors.add_key("username", "error.username_taken", t);
            return rejected(errors);
        }
        // A forum that signs new members in at once cannot hide that an email is registered:
        // the sign-up either works or it does not. Discourse answers the same way (its
        // `hide_email_address_taken` mode needs a confirmation mail, which this forum does not
        // send at sign-up), and makes asking cost what guessing at log-in costs. So do we: the
        // answer names no account ("cannot be used", not "exists"), it took the same password
        // hash as a real sign-up, and each one spends the address's failed-log-in budget, so
        // probing emails here is no faster than probing usernames at /login.
        Err(SignUpRefusal::EmailUnusable) => {
            rate_limit::take(
                &state.db,
                &rate_limit::Budget {
                    bucket: &super::login::login_ip_bucket(&ctx.client_ip()),
                    limit: limits.login_failures_per_ip,
                    window: limits.login_window,
                },
            )
            .await?;
            errors.add_key("email", "error.email_unusable", t);
            return rejected(errors);
        }
    };
    let record = db::users::by_id(&state.db, id)
        .await?
        .ok_or(AppError::NotFound)?;
    services::email_verification::after_sign_up(
        &state,
        &record,
        &crate::web::context::origin(&req, &state.settings),
    )
    .await
    .map_err(|e| refusal::error_page(e, t))?;
    ctx.sign_in(&state, current_user(&record)).await?;
    ctx.flash("flash.welcome");
    let next = local_target(&form.next).unwrap_or_else(|| "/".into());
    Ok(crate::web::see_other(&next))
}
