//! `/admin/webhooks` (admins): webhooks (a URL and the events it wants), each with the secret its
//! bodies are signed with, and the delivery log with the status each target answered. An address
//! the outbound guard refuses (loopback, private ranges) is refused here, before anything is stored.
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use crate::app::App;
use crate::db;
use crate::error::AppError;
use crate::services;
use crate::services::webhooks::{WebhookRefusal, EVENTS};
use crate::web::context::{Ctx, Page};
use crate::web::refusal;

struct HookLine {
    id: i64,
    url: String,
    events: String,
    secret: String,
    created: String,
}

struct DeliveryLine {
    id: i64,
    url: String,
    event: String,
    status: String,
    attempts: i64,
    response_status: String,
    error: String,
    at: String,
}

#[derive(Template)]
#[template(path = "admin/webhooks.html")]
struct WebhooksPage {
    page: Page,
    hooks: Vec<HookLine>,
    deliveries: Vec<DeliveryLine>,
    /// Every event with whether the form has it ticked.
    events: Vec<(&'static str, bool)>,
    url: String,
    error: String,
}

async fn page(
    ctx: &Ctx,
    state: &App,
    form: Option<&WebhookForm>,
    error: String,
) -> Result<WebhooksPage, AppError> {
    let t = ctx.t();
    let hooks = db::webhooks::active(&state.db)
        .await?
        .into_iter()
        .map(|h| HookLine {
            id: h.id,
            url: h.url,
            events: h.events.replace(',', ", "),
            secret: h.secret,
            created: crate::web::format::time(h.created_at),
        })
        .collect();
    let deliveries = db::webhooks::recent_deliveries(&state.db, 100)
        .await?
        .into_iter()
        .map(|d| DeliveryLine {
            id: d.id,
            url: d.url,
            event: d.event,
            status: d.status,
            attempts: d.attempts,
            response_status: d
                .response_status
                .map_or_else(String::new, |s| s.to_string()),
            error: d.last_error,
            at: crate::web::format::time(d.delivered_at.unwrap_or(d.created_at)),
        })
        .collect();
    let events = EVENTS
        .iter()
        .map(|e| (*e, form.is_none_or(|f| f.events.iter().any(|c| c == e))))
        .collect();
    Ok(WebhooksPage {
        page: ctx.page(t.get("webhooks.title")),
        hooks,
        deliveries,
        events,
        url: form.map_or_else(String::new, |f| f.url.clone()),
        error,
    })
}

/// `GET /admin/webhooks`
pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_admin()?;
    crate::web::ok(&page(&ctx, &state, None, String::new()).await?)
}

#[derive(Deserialize)]
pub struct WebhookForm {
    #[serde(default)]
    url: String,
    /// The ticked events (`event=post.created&event=flag.raised`).
    #[serde(default)]
    events: Vec<String>,
}

/// `POST /admin/webhooks` (url, event...): adds a webhook whose address passes the outbound guard.
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    body: web::Bytes,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    let t = ctx.t();
    // Repeated `event` fields: parsed by hand (the urlencoded extractor keeps only one).
    let mut form = WebhookForm {
        url: String::new(),
        events: Vec::new(),
    };
    for (key, value) in url::form_urlencoded::parse(&body) {
        match key.as_ref() {
            "url" => form.url = value.into_owned(),
            "event" => form.events.push(value.into_owned()),
            _ => {}
        }
    }
    let message = match services::webhooks::create(&state, &me, &form.url, &form.events).await {
        Ok(_) => {
            ctx.flash("webhooks.flash.created");
            return Ok(crate::web::see_other("/admin/webhooks"));
        }
        Err(WebhookRefusal::Address(e)) => {
            t.fill("webhooks.error.address", &[("reason", &e.to_string())])
        }
        Err(WebhookRefusal::NoEvents) => t.get("webhooks.error.events").to_string(),
        Err(WebhookRefusal::Write(e)) => return Err(refusal::error_page(e, t)),
    };
    let rendered = page(&ctx, &state, Some(&form), message).await?;
    crate::web::render(&rendered, StatusCode::UNPROCESSABLE_ENTITY)
}

/// `POST /admin/webhooks/{id}/delete`
pub async fn delete(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_admin()?;
    services::webhooks::delete(&state, &me, path.into_inner())
        .await
        .map_err(|e| refusal::error_page(e, ctx.t()))?;
    ctx.flash("webhooks.flash.deleted");
    Ok(crate::web::see_other("/admin/webhooks"))
}
