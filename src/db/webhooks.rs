//! Webhooks and their delivery log: the targets admins configure (with the secret bodies are signed
//! with), and one row per event sent to a target, with its attempts and the last HTTP status.
use sqlx::Row;

use super::{now, Db, DbError};

#[derive(Debug, Clone)]
pub struct WebhookRecord {
    pub id: i64,
    pub url: String,
    /// Event names, comma-separated.
    pub events: String,
    pub secret: String,
    pub created_at: i64,
}

impl WebhookRecord {
    pub fn wants(&self, event: &str) -> bool {
        self.events.split(',').any(|e| e.trim() == event)
    }
}

#[derive(Debug, Clone)]
pub struct DeliveryRecord {
    pub id: i64,
    pub webhook_id: i64,
    pub url: String,
    pub secret: String,
    pub event: String,
    pub payload: String,
    pub status: String,
    pub attempts: i64,
    pub response_status: Option<i64>,
    pub last_error: String,
    pub created_at: i64,
    pub delivered_at: Option<i64>,
}

/// Stores a webhook and its audit row together.
pub async fn create(
    db: &Db,
    admin_id: i64,
    url: &str,
    events: &str,
    secret: &str,
) -> Result<i64, DbError> {
    let mut tx = db.begin_write().await?;
    let id: i64 = sqlx::query(
        "INSERT INTO webhooks (url, events, secret, created_by, created_at) \
         VALUES ($1, $2, $3, $4, $5) RETURNING id",
    )
    .bind(url)
    .bind(events)
    .bind(secret)
    .bind(admin_id)
    .bind(now())
    .fetch_one(&mut *tx)
    .await?
    .try_get("id")?;
    let detail = format!("{url} [{events}]");
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: admin_id,
            action: "create_webhook",
            target_kind: "webhook",
            target_id: Some(id),
            reason: "",
            detail: &detail,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(id)
}

/// Removes a webhook from service (its deliveries stay in the log); audited. `false` when it was
/// gone already.
pub async fn delete(db: &Db, admin_id: i64, id: i64) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let done =
        sqlx::query("UPDATE webhooks SET deleted_at = $1 WHERE id = $2 AND deleted_at IS NULL")
            .bind(now())
            .bind(id)
            .execute(&mut *tx)
            .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    super::mod_log::record(
        &mut tx,
        super::mod_log::NewAction {
            actor_id: admin_id,
            action: "delete_webhook",
            target_kind: "webhook",
            target_id: Some(id),
            reason: "",
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// Every webhook in service, oldest first.
pub async fn active(db: &Db) -> Result<Vec<WebhookRecord>, DbError> {
    let rows = sqlx::query(
        "SELECT id, url, events, secret, created_at FROM webhooks WHERE deleted_at IS NULL \
         ORDER BY id",
    )
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(WebhookRecord {
                id: r.try_get("id")?,
                url: r.try_get("url")?,
                events: r.try_get("events")?,
                secret: r.try_get("secret")?,
                created_at: r.try_get("created_at")?,
            })
        })
        .collect()
}

/// Logs a delivery waiting to be sent; returns its id.
pub async fn add_delivery(
    db: &Db,
    webhook_id: i64,
    event: &str,
    payload: &str,
) -> Result<i64, DbError> {
    sqlx::query(
        "INSERT INTO webhook_deliveries (webhook_id, event, payload, created_at) \
         VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(webhook_id)
    .bind(event)
    .bind(payload)
    .bind(now())
    .fetch_one(db.writer())
    .await?
    .try_get("id")
}

const DELIVERY_COLUMNS: &str =
    "d.id, d.webhook_id, w.url, w.secret, d.event, d.payload, d.status, d.attempts, \
     d.response_status, d.last_error, d.created_at, d.delivered_at";

fn delivery_from_row(r: &sqlx::any::AnyRow) -> Result<DeliveryRecord, DbError> {
    Ok(DeliveryRecord {
        id: r.try_get("id")?,
        webhook_id: r.try_get("webhook_id")?,
        url: r.try_get("url")?,
        secret: r.try_get("secret")?,
        event: r.try_get("event")?,
        payload: r.try_get("payload")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        response_status: r.try_get("response_status")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
        delivered_at: r.try_get("delivered_at")?,
    })
}

/// A delivery whose webhook is still in service.
pub async fn delivery(db: &Db, id: i64) -> Result<Option<DeliveryRecord>, DbError> {
    let row = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         WHERE d.id = $1 AND w.deleted_at IS NULL"
    ))
    .bind(id)
    .fetch_optional(db.reader())
    .await?;
    row.as_ref().map(delivery_from_row).transpose()
}

/// The delivery log, newest first.
pub async fn recent_deliveries(db: &Db, limit: i64) -> Result<Vec<DeliveryRecord>, DbError> {
    let rows = sqlx::query(&format!(
        "SELECT {DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id \
         ORDER BY d.created_at DESC, d.id DESC LIMIT $1"
    ))
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter().map(delivery_from_row).collect()
}

/// Records one attempt: `status` is `delivered`, `retrying` or `failed`; the HTTP status the target
/// answered, if it answered, and the error text otherwise.
pub async fn record_attempt(
    db: &Db,
    id: i64,
    status: &str,
    response_status: Option<i64>,
    error: &str,
) -> Result<(), DbError> {
    let delivered_at = (status == "delivered").then(now);
    sqlx::query(
        "UPDATE webhook_deliveries SET status = $1, attempts = attempts + 1, response_status = $2, \
         last_error = $3, delivered_at = $4 WHERE id = $5",
    )
    .bind(status)
    .bind(response_status)
    .bind(error)
    .bind(delivered_at)
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}
