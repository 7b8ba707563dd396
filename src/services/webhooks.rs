//! Webhooks: admins point the forum at a URL for some events; every event a service emits becomes one
//! logged delivery per interested webhook, sent by the `webhook_delivery` job through the guarded
//! outbound client (public addresses only) and retried with back-off. Bodies are JSON signed with
//! HMAC-SHA256 over `"{timestamp}.{body}"` in `X-Agora-Signature: t=<timestamp>,sha256=<hex>`.
use std::sync::Arc;

use futures_util::FutureExt;
use hmac::{Hmac, Mac};
use serde::Deserialize;
use sha2::Sha256;

use super::gate::WriteError;
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::{self, Db};
use crate::domain::PostKind;
use crate::jobs::Registry;
use crate::outbound::{Outbound, OutboundError, OutboundPolicy};

pub const DELIVERY_JOB: &str = "webhook_delivery";
/// Attempts per delivery: the first and four retries (10 s, 20 s, 40 s, 80 s apart).
pub const MAX_ATTEMPTS: i64 = 5;
/// The header carrying the signature.
pub const SIGNATURE_HEADER: &str = "x-agora-signature";

/// Something that happened that integrators may want to hear about.
#[derive(Debug, Clone)]
pub enum Event {
    PostCreated {
        id: i64,
        kind: PostKind,
        author_id: i64,
        url: String,
    },
    PostEdited {
        id: i64,
        kind: PostKind,
        editor_id: i64,
        url: String,
    },
    AnswerAccepted {
        question_id: i64,
        answer_id: i64,
    },
    FlagRaised {
        flag_id: i64,
        target_kind: &'static str,
        target_id: i64,
    },
    MemberRegistered {
        user_id: i64,
        username: String,
    },
}

/// Every event name, as admins choose them and receivers read them in `event`.
pub const EVENTS: [&str; 5] = [
    "post.created",
    "post.edited",
    "answer.accepted",
    "flag.raised",
    "member.registered",
];

impl Event {
    pub fn name(&self) -> &'static str {
        match self {
            Event::PostCreated { .. } => EVENTS[0],
            Event::PostEdited { .. } => EVENTS[1],
            Event::AnswerAccepted { .. } => EVENTS[2],
            Event::FlagRaised { .. } => EVENTS[3],
            Event::MemberRegistered { .. } => EVENTS[4],
        }
    }

    fn data(&self) -> serde_json::Value {
        use serde_json::json;
        match self {
            Event::PostCreated {
                id,
                kind,
                author_id,
                url,
            } => {
                json!({ "post_id": id, "kind": kind.as_str(), "author_id": author_id, "url": url })
            }
            Event::PostEdited {
                id,
                kind,
                editor_id,
                url,
            } => {
                json!({ "post_id": id, "kind": kind.as_str(), "editor_id": editor_id, "url": url })
            }
            Event::AnswerAccepted {
                question_id,
                answer_id,
            } => json!({ "question_id": question_id, "answer_id": answer_id }),
            Event::FlagRaised {
                flag_id,
                target_kind,
                target_id,
            } => json!({ "flag_id": flag_id, "target_kind": target_kind, "target_id": target_id }),
            Event::MemberRegistered { user_id, username } => {
                json!({ "user_id": user_id, "username": username })
            }
        }
    }
}

/// Queues `event` for every webhook that wants it. The write it follows is stored already, so a
/// failure here is logged, never shown to the writer.
pub async fn emit(app: &App, event: Event) {
    if let Err(e) = queue(&app.db, &event).await {
        tracing::warn!(error = %e, event = event.name(), "could not queue webhook deliveries");
    }
}

async fn queue(db: &Db, event: &Event) -> Result<(), db::DbError> {
    let hooks = db::webhooks::active(db).await?;
    for hook in hooks.iter().filter(|h| h.wants(event.name())) {
        let body = serde_json::json!({
            "event": event.name(),
            "occurred_at": db::now(),
            "data": event.data(),
        })
        .to_string();
        let delivery = db::webhooks::add_delivery(db, hook.id, event.name(), &body).await?;
        let payload = serde_json::json!({ "delivery_id": delivery }).to_string();
        db::jobs::enqueue(db, DELIVERY_JOB, &payload, None, MAX_ATTEMPTS).await?;
    }
    Ok(())
}

/// `X-Agora-Signature` for `body` sent at `timestamp`: `t=<timestamp>,sha256=<hex HMAC>`.
pub fn signature(secret: &str, timestamp: i64, body: &str) -> String {
    // HMAC takes a key of any length.
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        Err(_) => return String::new(),
    };
    mac.update(timestamp.to_string().as_bytes());
    mac.update(b".");
    mac.update(body.as_bytes());
    format!(
        "t={timestamp},sha256={}",
        hex::encode(mac.finalize().into_bytes())
    )
}

/// Why a webhook was not stored.
#[derive(Debug, thiserror::Error)]
pub enum WebhookRefusal {
    #[error(transparent)]
    Write(#[from] WriteError),
    /// The address is not one the forum sends to (the message names why).
    #[error("refused address: {0}")]
    Address(OutboundError),
    #[error("no events chosen")]
    NoEvents,
}

/// A new webhook and its secret (shown on the admin page to put in the receiver).
pub struct Created {
    pub id: i64,
    pub secret: String,
}

/// Stores a webhook (audited) once its address passes the outbound guard; nothing is sent now.
pub async fn create(
    app: &App,
    admin: &CurrentUser,
    url: &str,
    events: &[String],
) -> Result<Created, WebhookRefusal> {
    let url = app
        .settings
        .outbound
        .screen(url)
        .map_err(WebhookRefusal::Address)?;
    let chosen: Vec<&str> = EVENTS
        .iter()
        .copied()
        .filter(|e| events.iter().any(|c| c == e))
        .collect();
    if chosen.is_empty() {
        return Err(WebhookRefusal::NoEvents);
    }
    let secret = crate::auth::tokens::new_token();
    let id = db::webhooks::create(&app.db, admin.id, url.as_str(), &chosen.join(","), &secret)
        .await
        .map_err(WriteError::from)?;
    Ok(Created { id, secret })
}

/// Takes a webhook out of service (audited); its log stays.
pub async fn delete(app: &App, admin: &CurrentUser, id: i64) -> Result<bool, WriteError> {
    Ok(db::webhooks::delete(&app.db, admin.id, id).await?)
}

#[derive(Deserialize)]
struct Payload {
    delivery_id: i64,
}

/// Adds the delivery job to a worker's registry.
pub fn register_jobs(registry: &mut Registry, db: Db, policy: OutboundPolicy) {
    let client = match Outbound::new(
        policy,
        concat!("agora-webhooks/", env!("CARGO_PKG_VERSION")),
    ) {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(error = %e, "webhooks are off: no HTTP client");
            return;
        }
    };
    registry.register(
        DELIVERY_JOB,
        Arc::new(move |payload: String| {
            let (db, client) = (db.clone(), client.clone());
            async move {
                let payload: Payload =
                    serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
                deliver(&db, &client, payload.delivery_id).await
            }
            .boxed()
        }),
    );
}

/// Sends one delivery and logs the attempt; an `Err` makes the queue retry it later.
async fn deliver(db: &Db, client: &Outbound, id: i64) -> Result<(), String> {
    let Some(delivery) = db::webhooks::delivery(db, id)
        .await
        .map_err(|e| e.to_string())?
    else {
        // The webhook was deleted: nothing to send.
        return Ok(());
    };
    if delivery.status == "delivered" {
        return Ok(());
    }
    let headers = [
        ("content-type", "application/json".to_string()),
        ("x-agora-event", delivery.event.clone()),
        ("x-agora-delivery", delivery.id.to_string()),
        (
            SIGNATURE_HEADER,
            signature(&delivery.secret, db::now(), &delivery.payload),
        ),
    ];
    let outcome = client
        .post(
            &delivery.url,
            &headers,
            delivery.payload.clone().into_bytes(),
        )
        .await;
    let last_attempt = delivery.attempts + 1 >= MAX_ATTEMPTS;
    let given_up = if last_attempt { "failed" } else { "retrying" };
    let (status, code, error) = match &outcome {
        Ok(res) if (200..300).contains(&res.status) => {
            ("delivered", Some(res.status), String::new())
        }
        Ok(res) => (given_up, Some(res.status), format!("HTTP {}", res.status)),
        // A refused address stays refused: no retry.
        Err(e @ (OutboundError::Refused { .. } | OutboundError::BadUrl)) => {
            ("failed", None, e.to_string())
        }
        Err(e) => (given_up, None, e.to_string()),
    };
    let mut error = error;
    error.truncate(300);
    db::webhooks::record_attempt(db, id, status, code.map(i64::from), &error)
        .await
        .map_err(|e| e.to_string())?;
    match status {
        "retrying" => Err(error),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signature_covers_the_timestamp_and_the_body() {
        let a = signature("secret", 1_700_000_000, "{\"a\":1}");
        assert!(a.starts_with("t=1700000000,sha256="), "{a}");
        assert_eq!(a.len(), "t=1700000000,sha256=".len() + 64);
        assert_ne!(a, signature("secret", 1_700_000_001, "{\"a\":1}"));
        assert_ne!(a, signature("secret", 1_700_000_000, "{\"a\":2}"));
        assert_ne!(a, signature("other", 1_700_000_000, "{\"a\":1}"));
        // RFC 4231 test case 2 (key "Jefe"), as a check that this is plain HMAC-SHA256.
        let mut mac = Hmac::<Sha256>::new_from_slice(b"Jefe").expect("key");
        mac.update(b"what do ya want for nothing?");
        assert_eq!(
            hex::encode(mac.finalize().into_bytes()),
            "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"
        );
    }
}
