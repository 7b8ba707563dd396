//! The outbox (`outbox`): every message rendered when it is queued, sent by the mail job, kept with
//! its last error and, once it has used its attempts, as dead.
use sqlx::Row;

use super::{now, Db, DbError};

/// A message to store: the rendered parts and where it goes.
pub struct NewMessage<'a> {
    pub recipient_id: Option<i64>,
    pub to_address: &'a str,
    pub kind: &'a str,
    pub subject: &'a str,
    pub body_text: &'a str,
    pub body_html: &'a str,
    pub unsubscribe_url: &'a str,
}

#[derive(Debug, Clone)]
pub struct OutboxMessage {
    pub id: i64,
    pub recipient_id: Option<i64>,
    pub to_address: String,
    pub kind: String,
    pub subject: String,
    pub body_text: String,
    pub body_html: String,
    pub unsubscribe_url: String,
    pub status: String,
    pub attempts: i64,
    pub last_error: String,
    pub created_at: i64,
}

const COLUMNS: &str = "id, recipient_id, to_address, kind, subject, body_text, body_html, \
                       unsubscribe_url, status, attempts, last_error, created_at";

fn message_from_row(r: &sqlx::any::AnyRow) -> Result<OutboxMessage, DbError> {
    Ok(OutboxMessage {
        id: r.try_get("id")?,
        recipient_id: r.try_get("recipient_id")?,
        to_address: r.try_get("to_address")?,
        kind: r.try_get("kind")?,
        subject: r.try_get("subject")?,
        body_text: r.try_get("body_text")?,
        body_html: r.try_get("body_html")?,
        unsubscribe_url: r.try_get("unsubscribe_url")?,
        status: r.try_get("status")?,
        attempts: r.try_get("attempts")?,
        last_error: r.try_get("last_error")?,
        created_at: r.try_get("created_at")?,
    })
}

pub async fn insert(db: &Db, message: NewMessage<'_>) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO outbox (recipient_id, to_address, kind, subject, body_text, body_html, \
                             unsubscribe_url, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) RETURNING id",
    )
    .bind(message.recipient_id)
    .bind(message.to_address)
    .bind(message.kind)
    .bind(message.subject)
    .bind(message.body_text)
    .bind(message.body_html)
    .bind(message.unsubscribe_url)
    .bind(now())
    .fetch_one(db.writer())
    .await?;
    row.try_get("id")
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<OutboxMessage>, DbError> {
    let sql = format!("SELECT {COLUMNS} FROM outbox WHERE id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.writer())
        .await?;
    row.as_ref().map(message_from_row).transpose()
}

pub async fn mark_sent(db: &Db, id: i64) -> Result<(), DbError> {
    sqlx::query(
        "UPDATE outbox SET status = 'sent', attempts = attempts + 1, sent_at = $1, last_error = '' \
         WHERE id = $2 AND status = 'queued'",
    )
    .bind(now())
    .bind(id)
    .execute(db.writer())
    .await?;
    Ok(())
}

/// Counts a failed attempt; the message is dead once it has made `max_attempts`. Returns whether it is.
pub async fn record_failure(
    db: &Db,
    id: i64,
    error: &str,
    max_attempts: i64,
) -> Result<bool, DbError> {
    let error: String = error.chars().take(2000).collect();
    let status: Option<String> = sqlx::query_scalar(
        "UPDATE outbox SET attempts = attempts + 1, last_error = $1, \
            status = CASE WHEN attempts + 1 >= $2 THEN 'dead' ELSE 'queued' END \
         WHERE id = $3 AND status = 'queued' RETURNING status",
    )
    .bind(error)
    .bind(max_attempts)
    .bind(id)
    .fetch_optional(db.writer())
    .await?;
    Ok(status.as_deref() == Some("dead"))
}

/// How many messages are in each state (queued, sent, dead), from the counters triggers keep in
/// `row_counts` (the outbox keeps every sent message, so counting it per visit would grow).
pub async fn counts_by_status(db: &Db) -> Result<Vec<(String, i64)>, DbError> {
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT name, value FROM row_counts WHERE name LIKE 'outbox:%' ORDER BY name",
    )
    .fetch_all(db.reader())
    .await?;
    Ok(rows
        .into_iter()
        .map(|(name, value)| (name.trim_start_matches("outbox:").to_string(), value))
        .collect())
}

/// Messages that failed at least once (waiting for a retry, or dead), newest first.
pub async fn problems(db: &Db, limit: i64) -> Result<Vec<OutboxMessage>, DbError> {
    let sql = format!(
        "SELECT {COLUMNS} FROM outbox WHERE status = 'dead' OR (status = 'queued' AND last_error <> '') \
         ORDER BY id DESC LIMIT $1"
    );
    let rows = sqlx::query(&sql).bind(limit).fetch_all(db.reader()).await?;
    rows.iter().map(message_from_row).collect()
}
