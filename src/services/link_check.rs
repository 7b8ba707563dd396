//! The `link_check` job: fetches an approved entry's address with bounded timeouts (HEAD, then GET
//! when HEAD is refused or fails) and records `ok` or `dead` with the HTTP status or error text.
//! Nothing is hidden or deleted: dead links are listed for moderators on `/admin/resources`.
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use serde::{Deserialize, Serialize};

use crate::db::{self, Db, DbError};
use crate::jobs::Registry;

pub const LINK_CHECK_JOB: &str = "link_check";
const CONNECT_TIMEOUT: Duration = Duration::from_secs(5);
const TOTAL_TIMEOUT: Duration = Duration::from_secs(10);
const MAX_REDIRECTS: usize = 5;
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
pub fn register_jobs(registry: &mut Registry, db: Db) {
    let client = match client() {
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

fn client() -> Result<reqwest::Client, reqwest::Error> {
    reqwest::Client::builder()
        .connect_timeout(CONNECT_TIMEOUT)
        .timeout(TOTAL_TIMEOUT)
        .redirect(reqwest::redirect::Policy::limited(MAX_REDIRECTS))
        .user_agent(concat!("agora-link-check/", env!("CARGO_PKG_VERSION")))
        .build()
}

/// What a fetch found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkOutcome {
    Ok(u16),
    Dead(String),
}

/// Checks one entry and stores the outcome. An entry that is no longer approved is skipped.
async fn check_resource(db: &Db, client: &reqwest::Client, id: i64) -> Result<(), String> {
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
pub async fn check_url(client: &reqwest::Client, url: &str) -> LinkOutcome {
    if let Ok(res) = client.head(url).send().await {
        if res.status().is_success() {
            return LinkOutcome::Ok(res.status().as_u16());
        }
    }
    match client.get(url).send().await {
        Ok(res) if res.status().is_success() => LinkOutcome::Ok(res.status().as_u16()),
        Ok(res) => LinkOutcome::Dead(format!("HTTP {}", res.status().as_u16())),
        Err(e) => LinkOutcome::Dead(error_text(&e)),
    }
}

fn error_text(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out"
    } else if e.is_connect() {
        "could not connect"
    } else if e.is_redirect() {
        "too many redirects"
    } else {
        "request failed"
    };
    let mut text = format!("{what}: {e}");
    text.truncate(300);
    text
}
