//! The SMTP transport (`AGORA_SMTP_URL`: smtp://, STARTTLS with `?tls=required`, smtps://, credentials
//! in the URL) and turning an outbox row into a MIME message: multipart/alternative (plain text +
//! HTML), with `List-Unsubscribe` and `List-Unsubscribe-Post` (RFC 8058) when the row has a link.
use std::time::Duration;

use lettre::message::header::{HeaderName, HeaderValue};
use lettre::message::{Mailbox, MultiPart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

use crate::config::MailSettings;
use crate::db::outbox::OutboxMessage;

/// How long one SMTP command may take (lettre's own timeout).
const COMMAND_TIMEOUT: Duration = Duration::from_secs(20);
/// How long one whole delivery may take before it counts as failed and is retried by the job. A
/// server that accepts the connection and never greets is not caught by the command timeout, and
/// would hold the job worker (and every other job) for good.
pub const SEND_TIMEOUT: Duration = Duration::from_secs(30);

pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    pub fn new(settings: &MailSettings) -> Result<Mailer, String> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(&settings.smtp_url)
            .map_err(|e| format!("AGORA_SMTP_URL cannot be used: {e}"))?
            .timeout(Some(COMMAND_TIMEOUT))
            .build();
        Ok(Mailer {
            transport,
            from: settings.from.clone(),
        })
    }

    /// The MIME message for an outbox row.
    pub fn message(&self, row: &OutboxMessage) -> Result<Message, String> {
        let to: Mailbox = row
            .to_address
            .parse()
            .map_err(|e| format!("bad recipient address: {e}"))?;
        let mut builder = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(row.subject.clone())
            .message_id(None);
        if !row.unsubscribe_url.is_empty() {
            builder = builder
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe"),
                    format!("<{}>", row.unsubscribe_url),
                ))
                .raw_header(HeaderValue::new(
                    HeaderName::new_from_ascii_str("List-Unsubscribe-Post"),
                    "List-Unsubscribe=One-Click".to_string(),
                ));
        }
        builder
            .multipart(MultiPart::alternative_plain_html(
                row.body_text.clone(),
                row.body_html.clone(),
            ))
            .map_err(|e| format!("cannot build the message: {e}"))
    }

    /// Delivers one outbox row; the error says what the server (or the connection) answered.
    pub async fn send(&self, row: &OutboxMessage) -> Result<(), String> {
        self.send_within(row, SEND_TIMEOUT).await
    }

    /// [`Mailer::send`] with its own limit on the whole delivery.
    pub async fn send_within(&self, row: &OutboxMessage, limit: Duration) -> Result<(), String> {
        let message = self.message(row)?;
        match tokio::time::timeout(limit, self.transport.send(message)).await {
            Ok(sent) => sent.map(|_| ()).map_err(|e| format!("SMTP: {e}")),
            Err(_) => Err(format!(
                "SMTP: the server did not finish within {} s",
                limit.as_secs()
            )),
        }
    }
}
