//! `/admin/invites` (admins): invite links for an invite-only forum. A link is shown once, when it
//! is made; the database keeps only the code's hash. Making and revoking are audited.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db;
use crate::error::AppError;
use crate::services;
use crate::web::context::origin;
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

pub const MAX_USES: std::ops::RangeInclusive<i64> = 1..=1000;
pub const DAYS_VALID: std::ops::RangeInclusive<i64> = 1..=365;

struct InviteLine {
    id: i64,
    created_by: String,
    note: String,
    uses: String,
    expires: String,
    state: String,
    can_revoke: bool,
}

#[derive(Template)]
#[template(path = "admin/invites.html")]
struct InvitesPage {
    page: Page,
    /// The link just made (shown only now).
    new_link: String,
    invite_only: bool,
    invites: Vec<InviteLine>,
    error: String,
    max_uses: String,
    days: String,
    note: String,
}

async fn page(
    ctx: &Ctx,
    state: &App,
    new_link: String,
    error: String,
    form: Option<&InviteForm>,
) -> Result<InvitesPage, AppError> {
    let t = ctx.t();
    let now = db::now();
    let invites = db::invites::recent(&state.db, 100)
        .await?
        .into_iter()
        .map(|i| {
            let (state, can_revoke) = if i.revoked_at.is_some() {
                (t.get("invite.revoked"), false)
            } else if i.expires_at <= now {
                (t.get("invite.expired"), false)
            } else if i.uses >= i.max_uses {
                (t.get("invite.used_up"), false)
            } else {
                (t.get("invite.active"), true)
            };
            InviteLine {
                id: i.id,
                created_by: i.created_by,
                note: i.note,
                uses: format!("{} / {}", i.uses, i.max_uses),
                expires: crate::web::format::time(i.expires_at),
                state: state.to_string(),
                can_revoke,
            }
        })
        .collect();
    Ok(InvitesPage {
        page: ctx.page(t.get("admin.invites")),
        new_link,
        invite_only: crate::services::settings::load(&state.db)
            .await?
            .registration
            == crate::domain::Registration::Invite,
        invites,
        error,
        max_uses: form.map_or("1".into(), |f| f.max_uses.clone()),
        days: form.map_or("7".into(), |f| f.days.clone()),
        note: form.map_or(String::new(), |f| f.note.clone()),
    })
}

/// `GET /admin/invites`
pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    crate::web::ok(&page(&ctx, &state, String::new(), String::new(), None).await?)
}

#[derive(Deserialize)]
pub struct InviteForm {
    #[serde(default)]
    max_uses: String,
    #[serde(default)]
    days: String,
    #[serde(default)]
    note: String,
}

/// `POST /admin/invites` (max_uses, days, note): makes a link and shows it once.
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
    form: web::Form<InviteForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let form = form.into_inner();
    let uses = form
        .max_uses
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| MAX_USES.contains(n));
    let days = form
        .days
        .trim()
        .parse::<i64>()
        .ok()
        .filter(|n| DAYS_VALID.contains(n));
    let note = form.note.trim();
    let (Some(uses), Some(days)) = (uses, days) else {
        let message = ctx.t().get("invite.invalid").to_string();
        let rendered = page(&ctx, &state, String::new(), message, Some(&form)).await?;
        return crate::web::render(&rendered, actix_web::http::StatusCode::UNPROCESSABLE_ENTITY);
    };
    let code = services::invites::create(&state, &me, uses, days, note)
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    let link = format!("{}/register?invite={code}", origin(&req, &state.settings));
    crate::web::ok(&page(&ctx, &state, link, String::new(), None).await?)
}

/// `POST /admin/invites/{id}/revoke`
pub async fn revoke(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    services::invites::revoke(&state, &me, path.into_inner())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("invite.flash.revoked");
    Ok(crate::web::see_other("/admin/invites"))
}
