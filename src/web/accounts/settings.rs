//! `/settings`: the signed-in user's own account (password, language).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::{rate_limit, CurrentUser};
use crate::db;
use crate::domain::NewPassword;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::services;
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal;

#[derive(Template)]
#[template(path = "accounts/settings.html")]
struct SettingsPage {
    page: Page,
    me: CurrentUser,
    errors: FormErrors,
}

fn settings_page(ctx: &Ctx, me: CurrentUser, errors: FormErrors) -> SettingsPage {
    SettingsPage {
        page: ctx.page(ctx.t().get("settings.title")),
        me,
        errors,
    }
}

pub async fn show(ctx: Ctx) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    crate::web::ok(&settings_page(&ctx, me, FormErrors::default()))
}

#[derive(Deserialize)]
pub struct PasswordForm {
    current_password: String,
    new_password: String,
}

/// Changing the password needs the current one, and ends every other session of the account.
pub async fn change_password(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<PasswordForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let limits = &state.settings.limits;
    let bucket = super::login::login_account_bucket(&crate::domain::username_key(&me.username));
    let budget = rate_limit::Budget {
        bucket: &bucket,
        limit: limits.login_failures_per_account,
        window: limits.login_window,
    };
    rate_limit::take(&state.db, &budget).await?;
    let ticket = match state.hashes.enter() {
        Ok(ticket) => ticket,
        Err(busy) => {
            rate_limit::give_back(&state.db, &bucket).await?;
            return Err(busy);
        }
    };

    let t = ctx.t();
    let mut errors = FormErrors::default();
    let stored = db::users::password_hash(&state.db, me.id).await?;
    if ticket.verify(form.current_password.clone(), stored).await? {
        rate_limit::give_back(&state.db, &bucket).await?;
    } else {
        errors.add_key("current_password", "error.current_password_wrong", t);
    }
    let new = NewPassword::parse(&form.new_password, &[&me.username])
        .map_err(|e| {
            let mut e = e;
            e.field = "new_password";
            errors.add(&e, t)
        })
        .ok();
    let Some(new) = new.filter(|_| errors.is_empty()) else {
        return crate::web::render(
            &settings_page(&ctx, me, errors),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    let hash = state.hashes.enter()?.hash(new.expose().to_string()).await?;
    let keep = ctx.session().map(|s| s.id_hash);
    services::accounts::set_password(&state, &me, &hash, keep.as_deref())
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    ctx.flash("flash.password_changed");
    Ok(crate::web::see_other("/settings"))
}

#[derive(Deserialize)]
pub struct LanguageForm {
    lang: String,
}

pub async fn change_language(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<LanguageForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let lang = Lang::from_tag(&form.lang)
        .ok_or_else(|| AppError::Invalid(ctx.t().get("error.unknown_language").to_string()))?;
    services::accounts::set_language(&state, &me, lang)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.set_lang(lang);
    ctx.flash("flash.settings_saved");
    Ok(crate::web::see_other("/settings"))
}
