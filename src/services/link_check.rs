//! The `link_check` job: fetches an approved entry's address through the guarded client in
//! [`crate::outbound`] (public addresses only, bounded time and bytes; HEAD, then GET when HEAD is
//! refused or fails) and records `ok` or `dead` with the HTTP status or error text.
//! Nothing is hidden or deleted: dead links are listed for moderators on `/admin/resources`.
use std::sync::Arc;

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};

use crate::db::{self, Db, DbError};
use crate::jobs::Registry;
use crate::outbound::{Outbound, OutboundError, OutboundPolicy};

pub const LINK_CHECK_JOB: &str = "link_check";
const MAX_ATTEMPTS: i64 = 3;

#[derive(Serialize, Deserialize)]
struct Payload {
    resource_id: i64,
}

/// Queues a check of one entry; a check already queued for it is not queued twice.
pub async fn enqueue(db: &Db, resource_id: i64) -> Result<Option<i64>, DbError> {
    let payload = serde_json::json!({ "resource_id": resource_id }).to_string();
    let key = format!("{LINK_CHECK_JOB}:{resource_id}");
    db::jobs::enqueue(db, LINK_CHECK_JOB, &payload, Some(&key), MAX_ATTEMPTS).await
}

/// Queues a check of one entry; the entry is saved already, so a failure is only logged.
pub async fn queue(app: &crate::app::App, resource_id: i64) {
    if let Err(e) = enqueue(&app.db, resource_id).await {
        tracing::warn!(error = %e, resource_id, "could not queue a link check");
    }
}

/// Adds the `link_check` kind to a worker's registry.
pub fn register_jobs(registry: &mut Registry, db: Db, policy: OutboundPolicy) {
    let client = match client(policy) {
        Ok(client) => client,
        Err(e) => {
            tracing::warn!(error = %e, "link checks are off: no HTTP client");
            return;
        }
    };
    registry.register(
        LINK_CHECK_JOB,
        Arc::new(move |payload: String| {
            let (db, client) = (db.clone(), client.clone());
            async move {
                let payload: Payload =
                    serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
                check_resource(&db, &client, payload.resource_id).await
            }
            .boxed()
        }),
    );
}

fn client(policy: OutboundPolicy) -> Result<Outbound, reqwest::Error> {
    Outbound::new(
        policy,
        concat!("agora-link-check/", env!("CARGO_PKG_VERSION")),
    )
}

/// What a fetch found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    Ok(u16),
    Dead(String),
}

/// Checks one entry and stores the outcome. An entry that is no longer approved is skipped.
async fn check_resource(db: &Db, client: &Outbound, id: i64) -> Result<(), String> {
    let Some(url) = db::resources::url_to_check(db, id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(());
    };
    let (status, detail) = match check_url(client, &url).await {
        LinkOutcome::Ok(code) => ("ok", format!("HTTP {code}")),
        LinkOutcome::Dead(detail) => ("dead", detail),
    };
    db::resources::set_link_status(db, id, status, &detail)
        .await
        .map_err(|e| e.to_string())
}

/// HEAD first (cheap); servers that refuse or mishandle HEAD get a GET.
pub async fn check_url(client: &Outbound, url: &str) -> LinkOutcome {
    use reqwest::Method;
    match client.fetch(Method::HEAD, url).await {
        Ok(res) if (200..300).contains(&res.status) => return LinkOutcome::Ok(res.status),
        // A refused address is refused for GET too.
        Err(e @ (OutboundError::Refused { .. } | OutboundError::BadUrl)) => {
            return LinkOutcome::Dead(error_text(&e))
        }
        _ => {}
    }
    match client.fetch(Method::GET, url).await {
        Ok(res) if (200..300).contains(&res.status) => LinkOutcome::Ok(res.status),
        Ok(res) => LinkOutcome::Dead(format!("HTTP {}", res.status)),
        Err(e) => LinkOutcome::Dead(error_text(&e)),
    }
}

fn error_text(e: &OutboundError) -> String {
    let mut text = e.to_string();
    text.truncate(300);
    text
}
