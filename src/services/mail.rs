//! Mail on the service layer: a letter is rendered into the outbox and a "mail" job is queued in the
//! same call; only that job talks to the SMTP server, so a server that is down delays mail (retried
//! with back-off, then kept as dead with its error for /admin), never a page.
use std::sync::Arc;

use futures_util::FutureExt;

use super::write_error::{Unavailable, WriteError};
use crate::app::App;
use crate::auth::session::{hash_id, random_token};
use crate::db::account_tokens::Purpose;
use crate::db::users::UserRecord;
use crate::db::{self, Db};
use crate::domain::notification_mail::MailKind;
use crate::domain::paths;
use crate::error::AppError;
use crate::i18n::Lang;
use crate::jobs::Registry;
use crate::mail::letters::Frame;
use crate::mail::{LetterParts, Mailer};

/// The job kind that sends one outbox message.
pub const MAIL_JOB: &str = "mail";
/// How long an unsubscribe link in a mail keeps working.
pub const UNSUBSCRIBE_LINK_SECS: i64 = 365 * 86_400;
/// Delivery attempts before a message is dead (with the job queue's back-off: about 5 minutes).
pub const MAIL_ATTEMPTS: i64 = 6;

/// Whether this forum can send mail at all (`AGORA_SMTP_URL` is set).
pub fn available(app: &App) -> bool {
    app.settings.mail.is_some()
}

/// The refusal of a page that needs mail on a forum without it.
pub fn unavailable() -> WriteError {
    WriteError::Unavailable(Unavailable::FeatureOff { key: "mail.off" })
}

/// Who a letter goes to.
#[derive(Debug, Clone)]
pub struct Recipient {
    pub user_id: i64,
    pub address: String,
    pub username: String,
    pub lang: Lang,
}

impl Recipient {
    /// The member at their address, in their language (the site's default when they chose none).
    pub fn member(user: &UserRecord, default_lang: Lang) -> Recipient {
        Recipient {
            user_id: user.id,
            address: user.email.clone(),
            username: user.username.clone(),
            lang: user
                .locale
                .as_deref()
                .and_then(Lang::from_tag)
                .unwrap_or(default_lang),
        }
    }
}

/// The frame of a letter to `recipient`: the site's name and absolute address (`AGORA_PUBLIC_URL`,
/// else `origin`, the address of the request that caused the letter), and a one-click unsubscribe
/// link that turns off every notification mail.
pub async fn frame(app: &App, recipient: &Recipient, origin: &str) -> Result<Frame, WriteError> {
    frame_for(app, recipient, origin, None).await
}

/// [`frame`] for a letter of one kind: its unsubscribe link turns off only that kind.
pub async fn frame_for(
    app: &App,
    recipient: &Recipient,
    origin: &str,
    kind: Option<MailKind>,
) -> Result<Frame, WriteError> {
    let site = super::settings::load(&app.db).await?;
    let site_url = site_url(app, origin);
    let token = random_token(32);
    db::account_tokens::insert(
        &app.db,
        &hash_id(&token),
        recipient.user_id,
        Purpose::Unsubscribe,
        kind.map_or("all", MailKind::as_str),
        db::now() + UNSUBSCRIBE_LINK_SECS,
    )
    .await?;
    Ok(Frame {
        lang: recipient.lang,
        username: recipient.username.clone(),
        site: site.site_name,
        unsubscribe_url: Some(format!("{site_url}{}", paths::unsubscribe_url(&token))),
        site_url,
    })
}

/// The forum's absolute address without a trailing slash.
pub fn site_url(app: &App, origin: &str) -> String {
    match &app.settings.public_url {
        Some(url) => url.as_str().trim_end_matches('/').to_string(),
        None => origin.trim_end_matches('/').to_string(),
    }
}

/// Renders `letter` into the outbox and queues its delivery; returns the outbox id.
pub async fn enqueue(
    app: &App,
    recipient: &Recipient,
    kind: &str,
    letter: &LetterParts,
) -> Result<i64, WriteError> {
    if !available(app) {
        return Err(unavailable());
    }
    let letter = letter
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("mail template: {e}")))?;
    let id = db::outbox::insert(
        &app.db,
        db::outbox::NewMessage {
            recipient_id: Some(recipient.user_id),
            to_address: &recipient.address,
            kind,
            subject: &letter.subject,
            body_text: &letter.text,
            body_html: &letter.html,
            unsubscribe_url: &letter.unsubscribe_url,
        },
    )
    .await?;
    let payload = serde_json::json!({ "outbox_id": id }).to_string();
    db::jobs::enqueue(&app.db, MAIL_JOB, &payload, None, MAIL_ATTEMPTS).await?;
    Ok(id)
}

/// The mail job: sends one outbox message unless it was sent already; a failure is recorded on the
/// message (dead after [`MAIL_ATTEMPTS`]) and returned so the queue retries it.
pub async fn deliver(db: &Db, mailer: Option<&Mailer>, outbox_id: i64) -> Result<(), String> {
    let row = db::outbox::by_id(db, outbox_id)
        .await
        .map_err(|e| e.to_string())?;
    let Some(row) = row.filter(|r| r.status == "queued") else {
        return Ok(());
    };
    let sent = match mailer {
        Some(mailer) => mailer.send(&row).await,
        None => Err("mail is not configured (AGORA_SMTP_URL)".to_string()),
    };
    match sent {
        Ok(()) => db::outbox::mark_sent(db, outbox_id)
            .await
            .map_err(|e| e.to_string()),
        Err(error) => {
            db::outbox::record_failure(db, outbox_id, &error, MAIL_ATTEMPTS)
                .await
                .map_err(|e| e.to_string())?;
            Err(error)
        }
    }
}

#[derive(serde::Deserialize)]
struct MailPayload {
    outbox_id: i64,
}

/// Registers the mail job with one transport for this instance.
pub fn register_jobs(registry: &mut Registry, app: &App) {
    let mailer: Option<Arc<Mailer>> =
        app.settings
            .mail
            .as_ref()
            .and_then(|settings| match Mailer::new(settings) {
                Ok(mailer) => Some(Arc::new(mailer)),
                Err(error) => {
                    tracing::warn!(%error, "mail is off");
                    None
                }
            });
    let db = app.db.clone();
    registry.register(
        MAIL_JOB,
        Arc::new(move |payload: String| {
            let db = db.clone();
            let mailer = mailer.clone();
            async move {
                let payload: MailPayload =
                    serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
                deliver(&db, mailer.as_deref(), payload.outbox_id).await
            }
            .boxed()
        }),
    );
}
