//! `GET|POST /settings/notifications`: per kind of notification, mail it immediately, in a daily or
//! weekly digest, or never (form fields named after the kinds: `replies=daily`, ...).
use std::collections::HashMap;

use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;

use crate::app::App;
use crate::domain::notification_mail::{Delivery, MailKind};
use crate::error::AppError;
use crate::services::{self, WriteError};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal;

#[derive(Template)]
#[template(path = "accounts/notification_settings.html")]
struct SettingsPage {
    page: Page,
    mail_off: bool,
    rows: Vec<Row>,
    errors: FormErrors,
}

/// One kind: its field name, label and the options with the chosen one marked.
struct Row {
    field: &'static str,
    label: String,
    options: Vec<(&'static str, String, bool)>,
}

fn rows(ctx: &Ctx, chosen: &[(MailKind, Delivery)]) -> Vec<Row> {
    let t = ctx.t();
    chosen
        .iter()
        .map(|(kind, delivery)| Row {
            field: kind.as_str(),
            label: t
                .get(&format!("notify_settings.kind.{}", kind.as_str()))
                .to_string(),
            options: kind
                .choices()
                .iter()
                .map(|d| {
                    (
                        d.as_str(),
                        t.get(&format!("notify_settings.delivery.{}", d.as_str()))
                            .to_string(),
                        d == delivery,
                    )
                })
                .collect(),
        })
        .collect()
}

pub async fn show(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let chosen = services::notification_mail::preferences(&state, me.id)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    crate::web::ok(&SettingsPage {
        page: ctx.page(t.get("notify_settings.title")),
        mail_off: !services::mail::available(&state),
        rows: rows(&ctx, &chosen),
        errors: FormErrors::default(),
    })
}

pub async fn save(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<HashMap<String, String>>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let t = ctx.t();
    let current = services::notification_mail::preferences(&state, me.id)
        .await
        .map_err(|e| refusal::error_page(e, t))?;
    // A kind missing from the form keeps its choice; an unknown value is refused.
    let mut choices = Vec::new();
    let mut bad = false;
    for (kind, delivery) in &current {
        match form.get(kind.as_str()) {
            None => choices.push((*kind, *delivery)),
            Some(value) => match Delivery::parse(value) {
                Some(d) => choices.push((*kind, d)),
                None => bad = true,
            },
        }
    }
    let saved = if bad {
        Err(WriteError::Invalid {
            field: "delivery",
            key: "notify_settings.invalid",
        })
    } else {
        services::notification_mail::save_preferences(&state, &me, &choices).await
    };
    match saved {
        Ok(()) => {
            ctx.flash("notify_settings.saved");
            Ok(crate::web::see_other("/settings/notifications"))
        }
        Err(WriteError::Invalid { field, key }) => {
            let mut errors = FormErrors::default();
            errors.add_key(field, key, t);
            crate::web::render(
                &SettingsPage {
                    page: ctx.page(t.get("notify_settings.title")),
                    mail_off: !services::mail::available(&state),
                    rows: rows(&ctx, &current),
                    errors,
                },
                StatusCode::UNPROCESSABLE_ENTITY,
            )
        }
        Err(e) => Err(refusal::error_page(e, t)),
    }
}
