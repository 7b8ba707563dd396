//! `/settings/tokens`: a member's personal access tokens for the JSON API. A new token is shown once,
//! on the page that made it; the list shows each token's name, scope, when it was made and last used,
//! and revokes it. Only the member's browser session manages tokens (a token cannot make tokens).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::auth::tokens::TokenScope;
use crate::auth::CurrentUser;
use crate::db;
use crate::error::AppError;
use crate::services;
use crate::web::context::{Ctx, Page};
use crate::web::refusal::{self, Refused};

struct TokenLine {
    id: i64,
    name: String,
    scope: String,
    created: String,
    last_used: String,
    revoked: bool,
}

#[derive(Template)]
#[template(path = "accounts/tokens.html")]
struct TokensPage {
    page: Page,
    /// The token just made (shown only now).
    new_token: String,
    tokens: Vec<TokenLine>,
    error: String,
    name: String,
    write_scope: bool,
}

#[derive(Deserialize, Default)]
pub struct TokenForm {
    #[serde(default)]
    name: String,
    #[serde(default)]
    scope: String,
}

async fn page(
    ctx: &Ctx,
    state: &App,
    me: &CurrentUser,
    new_token: String,
    error: String,
    form: &TokenForm,
) -> Result<TokensPage, AppError> {
    let t = ctx.t();
    let tokens = db::api_tokens::of_user(&state.db, me.id)
        .await?
        .into_iter()
        .map(|r| TokenLine {
            id: r.id,
            name: r.name,
            scope: t.get(&format!("tokens.scope_{}", r.scope)).to_string(),
            created: crate::web::format::time(r.created_at),
            last_used: r.last_used_at.map_or_else(
                || t.get("tokens.never_used").to_string(),
                crate::web::format::time,
            ),
            revoked: r.revoked_at.is_some(),
        })
        .collect();
    Ok(TokensPage {
        page: ctx.page(t.get("tokens.title")),
        new_token,
        tokens,
        error,
        name: form.name.clone(),
        write_scope: form.scope == "write",
    })
}

/// `GET /settings/tokens`
pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let form = TokenForm::default();
    crate::web::ok(&page(&ctx, &state, &me, String::new(), String::new(), &form).await?)
}

/// `POST /settings/tokens` (name, scope: read|write): makes a token and shows it once.
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<TokenForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let form = form.into_inner();
    let t = ctx.t();
    let again = |refused: Refused| async {
        let rendered = page(
            &ctx,
            &state,
            &me,
            String::new(),
            refused.message.clone(),
            &form,
        )
        .await;
        refused.respond(rendered.and_then(|p| crate::web::render(&p, StatusCode::OK)))
    };
    let Some(scope) = TokenScope::parse(&form.scope) else {
        return again(Refused::invalid(
            "scope",
            t.get("tokens.error.scope").to_string(),
        ))
        .await;
    };
    match services::tokens::create(&state, &me, &form.name, scope).await {
        Ok(token) => {
            let blank = TokenForm::default();
            crate::web::ok(&page(&ctx, &state, &me, token, String::new(), &blank).await?)
        }
        Err(e) => again(Refused::explain(e, t)?).await,
    }
}

/// `POST /settings/tokens/{id}/revoke`: only the member's own tokens; another's is a 404.
pub async fn revoke(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let revoked = services::tokens::revoke(&state, &me, path.into_inner())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    if !revoked {
        return Err(AppError::NotFound);
    }
    ctx.flash("tokens.flash.revoked");
    Ok(crate::web::see_other("/settings/tokens"))
}
