//! Queries over events and their RSVPs: storing and editing an event, the upcoming and past lists,
//! answering (a full event refuses a new "going" inside the same transaction that counts it), who
//! is going, the reminders due, and the moderation of an event (status, flags, the audit log).
use sqlx::Row;

use super::mod_log::{self, NewAction};
use super::notifications::Kind;
use super::{now, Db, DbError};
use crate::domain::{PostStatus, RsvpAnswer};

/// An event as stored.
#[derive(Debug, Clone)]
pub struct EventRecord {
    pub id: i64,
    pub author_id: i64,
    pub author: String,
    pub title: String,
    pub body_md: String,
    pub body_html: String,
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: String,
    pub online_url: String,
    pub place: String,
    pub capacity: Option<i64>,
    pub status: PostStatus,
    pub created_at: i64,
    pub edited_at: Option<i64>,
    /// Members going (kept off the row: counted when read).
    pub going: i64,
}

const EVENT_SELECT: &str = "SELECT e.id, e.author_id, u.username AS author, e.title, e.body_md, \
     e.body_html, e.starts_at, e.ends_at, e.time_zone, e.online_url, e.place, e.capacity, e.status, \
     e.created_at, e.edited_at, \
     (SELECT COUNT(*) FROM event_rsvps r WHERE r.event_id = e.id AND r.answer = 'going') AS going \
     FROM events e JOIN users u ON u.id = e.author_id";

fn from_row(r: &sqlx::any::AnyRow) -> Result<EventRecord, DbError> {
    Ok(EventRecord {
        id: r.try_get("id")?,
        author_id: r.try_get("author_id")?,
        author: r.try_get("author")?,
        title: r.try_get("title")?,
        body_md: r.try_get("body_md")?,
        body_html: r.try_get("body_html")?,
        starts_at: r.try_get("starts_at")?,
        ends_at: r.try_get("ends_at")?,
        time_zone: r.try_get("time_zone")?,
        online_url: r.try_get("online_url")?,
        place: r.try_get("place")?,
        capacity: r.try_get("capacity")?,
        status: PostStatus::from_stored(&r.try_get::<String, _>("status")?),
        created_at: r.try_get("created_at")?,
        edited_at: r.try_get("edited_at")?,
        going: r.try_get("going")?,
    })
}

/// What an organiser wrote, rendered.
#[derive(Debug, Clone, Copy)]
pub struct EventFields<'a> {
    pub title: &'a str,
    pub body_md: &'a str,
    pub body_html: &'a str,
    pub renderer_version: i64,
    pub starts_at: i64,
    pub ends_at: i64,
    pub time_zone: &'a str,
    pub online_url: &'a str,
    pub place: &'a str,
    pub capacity: Option<i64>,
}

/// Stores a new event with `status` (`published`, or `pending` when a rule held it).
pub async fn create(
    db: &Db,
    author_id: i64,
    fields: EventFields<'_>,
    status: PostStatus,
) -> Result<i64, DbError> {
    let row = sqlx::query(
        "INSERT INTO events (author_id, title, body_md, body_html, renderer_version, starts_at, \
         ends_at, time_zone, online_url, place, capacity, status, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13) RETURNING id",
    )
    .bind(author_id)
    .bind(fields.title)
    .bind(fields.body_md)
    .bind(fields.body_html)
    .bind(fields.renderer_version)
    .bind(fields.starts_at)
    .bind(fields.ends_at)
    .bind(fields.time_zone)
    .bind(fields.online_url)
    .bind(fields.place)
    .bind(fields.capacity)
    .bind(status.as_str())
    .bind(now())
    .fetch_one(db.writer())
    .await?;
    row.try_get("id")
}

/// Replaces an event's fields; a held edit puts a published event back to `pending`. A `moved`
/// event's reminders are withdrawn in the same transaction, so the job sends them again before
/// the new start.
pub async fn update(
    db: &Db,
    id: i64,
    fields: EventFields<'_>,
    held: bool,
    moved: bool,
) -> Result<(), DbError> {
    let mut tx = db.begin_write().await?;
    sqlx::query(
        "UPDATE events SET title = $1, body_md = $2, body_html = $3, renderer_version = $4, \
         starts_at = $5, ends_at = $6, time_zone = $7, online_url = $8, place = $9, capacity = $10, \
         edited_at = $11, status = CASE WHEN $12 = 1 AND status = 'published' THEN 'pending' \
         ELSE status END WHERE id = $13",
    )
    .bind(fields.title)
    .bind(fields.body_md)
    .bind(fields.body_html)
    .bind(fields.renderer_version)
    .bind(fields.starts_at)
    .bind(fields.ends_at)
    .bind(fields.time_zone)
    .bind(fields.online_url)
    .bind(fields.place)
    .bind(fields.capacity)
    .bind(now())
    .bind(i64::from(held))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    if moved {
        withdraw_reminders_in(&mut tx, id, None).await?;
    }
    tx.commit().await
}

/// Withdraws the reminders of an event (of one member, or of everyone): their notifications go,
/// so neither the page nor the next mail sweep shows them, and the record that they were sent
/// goes too, so a member going again (or a moved event) is reminded afresh.
pub async fn withdraw_reminders_in(
    tx: &mut super::Tx,
    event_id: i64,
    user_id: Option<i64>,
) -> Result<(), DbError> {
    let (notices, sent) = match user_id {
        Some(_) => (
            "DELETE FROM notifications WHERE event_id = $1 AND kind = $2 AND user_id = $3",
            "DELETE FROM event_reminders WHERE event_id = $1 AND user_id = $2",
        ),
        None => (
            "DELETE FROM notifications WHERE event_id = $1 AND kind = $2",
            "DELETE FROM event_reminders WHERE event_id = $1",
        ),
    };
    let mut query = sqlx::query(notices)
        .bind(event_id)
        .bind(Kind::EventReminder.as_str());
    let mut record = sqlx::query(sent).bind(event_id);
    if let Some(user_id) = user_id {
        query = query.bind(user_id);
        record = record.bind(user_id);
    }
    query.execute(&mut **tx).await?;
    record.execute(&mut **tx).await?;
    Ok(())
}

pub async fn by_id(db: &Db, id: i64) -> Result<Option<EventRecord>, DbError> {
    let sql = format!("{EVENT_SELECT} WHERE e.id = $1");
    let row = sqlx::query(&sql)
        .bind(id)
        .fetch_optional(db.reader())
        .await?;
    row.as_ref().map(from_row).transpose()
}

/// Published events not yet over, soonest first.
pub async fn upcoming(db: &Db, at: i64, limit: i64) -> Result<Vec<EventRecord>, DbError> {
    let sql = format!(
        "{EVENT_SELECT} WHERE e.status = 'published' AND e.ends_at > $1 \
         ORDER BY e.starts_at, e.id LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(at)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(from_row).collect()
}

/// Published events that are over, latest first.
pub async fn past(db: &Db, at: i64, limit: i64) -> Result<Vec<EventRecord>, DbError> {
    let sql = format!(
        "{EVENT_SELECT} WHERE e.status = 'published' AND e.ends_at <= $1 \
         ORDER BY e.starts_at DESC, e.id DESC LIMIT $2"
    );
    let rows = sqlx::query(&sql)
        .bind(at)
        .bind(limit)
        .fetch_all(db.reader())
        .await?;
    rows.iter().map(from_row).collect()
}

/// What an answer did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RsvpOutcome {
    Saved,
    /// "Going" was refused: every place is taken.
    Full,
}

/// Stores `user_id`'s answer. A new "going" on an event at capacity is refused; someone already
/// going keeps their place.
pub async fn answer(
    db: &Db,
    event_id: i64,
    user_id: i64,
    answer: RsvpAnswer,
    capacity: Option<i64>,
) -> Result<RsvpOutcome, DbError> {
    let mut tx = db.begin_write().await?;
    if let (RsvpAnswer::Going, Some(capacity)) = (answer, capacity) {
        // PostgreSQL: answers to one event queue on its row, so two last places are not both
        // taken (SQLite's single writer already orders them).
        if db.backend() == super::Backend::Postgres {
            sqlx::query("SELECT id FROM events WHERE id = $1 FOR UPDATE")
                .bind(event_id)
                .fetch_optional(&mut *tx)
                .await?;
        }
        let others: i64 = sqlx::query_scalar(
            "SELECT COUNT(*) FROM event_rsvps WHERE event_id = $1 AND answer = 'going' \
             AND user_id <> $2",
        )
        .bind(event_id)
        .bind(user_id)
        .fetch_one(&mut *tx)
        .await?;
        if others >= capacity {
            return Ok(RsvpOutcome::Full);
        }
    }
    let t = now();
    sqlx::query(
        "INSERT INTO event_rsvps (event_id, user_id, answer, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $4) \
         ON CONFLICT (event_id, user_id) DO UPDATE SET answer = excluded.answer, \
         updated_at = excluded.updated_at",
    )
    .bind(event_id)
    .bind(user_id)
    .bind(answer.as_str())
    .bind(t)
    .execute(&mut *tx)
    .await?;
    if answer == RsvpAnswer::NotGoing {
        withdraw_reminders_in(&mut tx, event_id, Some(user_id)).await?;
    }
    tx.commit().await?;
    Ok(RsvpOutcome::Saved)
}

/// `user_id`'s answer to an event, if any.
pub async fn answer_of(
    db: &Db,
    event_id: i64,
    user_id: i64,
) -> Result<Option<RsvpAnswer>, DbError> {
    let text: Option<String> =
        sqlx::query_scalar("SELECT answer FROM event_rsvps WHERE event_id = $1 AND user_id = $2")
            .bind(event_id)
            .bind(user_id)
            .fetch_optional(db.reader())
            .await?;
    Ok(text.as_deref().and_then(RsvpAnswer::parse))
}

/// Usernames with `answer`, in the order they answered.
pub async fn answered(
    db: &Db,
    event_id: i64,
    answer: RsvpAnswer,
    limit: i64,
) -> Result<Vec<String>, DbError> {
    sqlx::query_scalar(
        "SELECT u.username FROM event_rsvps r JOIN users u ON u.id = r.user_id \
         WHERE r.event_id = $1 AND r.answer = $2 AND u.deleted_at IS NULL \
         ORDER BY r.created_at, u.id LIMIT $3",
    )
    .bind(event_id)
    .bind(answer.as_str())
    .bind(limit)
    .fetch_all(db.reader())
    .await
}

/// How long before the start a reminder goes out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lead {
    Day,
    Hour,
}

impl Lead {
    pub const ALL: [Lead; 2] = [Lead::Day, Lead::Hour];

    pub fn as_str(self) -> &'static str {
        match self {
            Lead::Day => "day",
            Lead::Hour => "hour",
        }
    }

    pub fn secs(self) -> i64 {
        match self {
            Lead::Day => 86_400,
            Lead::Hour => 3_600,
        }
    }
}

/// A reminder to send: the member, the event.
#[derive(Debug, Clone)]
pub struct DueReminder {
    pub event_id: i64,
    pub user_id: i64,
    pub title: String,
    pub starts_at: i64,
}

/// Members going or maybe going to a published event that starts within `lead` of `at` and have
/// not had this reminder. The day reminder is skipped for an event already inside the hour (the
/// hour one covers it).
pub async fn due_reminders(
    db: &Db,
    at: i64,
    lead: Lead,
    limit: i64,
) -> Result<Vec<DueReminder>, DbError> {
    let not_before = match lead {
        Lead::Day => at + Lead::Hour.secs(),
        Lead::Hour => at,
    };
    let rows = sqlx::query(
        "SELECT e.id AS event_id, r.user_id, e.title, e.starts_at FROM events e \
         JOIN event_rsvps r ON r.event_id = e.id AND r.answer IN ('going', 'maybe') \
         WHERE e.status = 'published' AND e.starts_at > $1 AND e.starts_at <= $2 \
         AND NOT EXISTS (SELECT 1 FROM event_reminders m WHERE m.event_id = e.id \
                         AND m.user_id = r.user_id AND m.lead = $3) \
         ORDER BY e.starts_at, e.id, r.user_id LIMIT $4",
    )
    .bind(not_before)
    .bind(at + lead.secs())
    .bind(lead.as_str())
    .bind(limit)
    .fetch_all(db.reader())
    .await?;
    rows.iter()
        .map(|r| {
            Ok(DueReminder {
                event_id: r.try_get("event_id")?,
                user_id: r.try_get("user_id")?,
                title: r.try_get("title")?,
                starts_at: r.try_get("starts_at")?,
            })
        })
        .collect()
}

/// Records the reminder and stores its notification together, so each goes out once.
pub async fn send_reminder(db: &Db, due: &DueReminder, lead: Lead) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let t = now();
    let inserted = sqlx::query(
        "INSERT INTO event_reminders (event_id, user_id, lead, sent_at) VALUES ($1, $2, $3, $4) \
         ON CONFLICT (event_id, user_id, lead) DO NOTHING",
    )
    .bind(due.event_id)
    .bind(due.user_id)
    .bind(lead.as_str())
    .bind(t)
    .execute(&mut *tx)
    .await?;
    if inserted.rows_affected() == 0 {
        return Ok(false);
    }
    sqlx::query(
        "INSERT INTO notifications (user_id, kind, event_id, detail, created_at) \
         VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(due.user_id)
    .bind(Kind::EventReminder.as_str())
    .bind(due.event_id)
    .bind(lead.as_str())
    .bind(t)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(true)
}

/// A staff decision on an event: its new status, the open flags resolved, the action audited.
pub async fn moderate(
    db: &Db,
    actor_id: i64,
    id: i64,
    status: PostStatus,
    action: &str,
    reason: &str,
) -> Result<bool, DbError> {
    let mut tx = db.begin_write().await?;
    let done = sqlx::query("UPDATE events SET status = $1 WHERE id = $2")
        .bind(status.as_str())
        .bind(id)
        .execute(&mut *tx)
        .await?;
    if done.rows_affected() == 0 {
        return Ok(false);
    }
    if status != PostStatus::Published {
        withdraw_reminders_in(&mut tx, id, None).await?;
    }
    super::flags::resolve_open_in(&mut tx, "event", id, actor_id, action).await?;
    mod_log::record(
        &mut tx,
        NewAction {
            actor_id,
            action,
            target_kind: "event",
            target_id: Some(id),
            reason,
            detail: "",
        },
    )
    .await?;
    tx.commit().await?;
    Ok(true)
}
