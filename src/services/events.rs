//! Events end to end: organising and editing one (gate -> render -> store -> after-write, held like
//! a post when a rule says so), answering one (gate -> a capacity check in the store), the reminder
//! job (a day and an hour before, in-app and then by mail), and staff decisions on flagged or held
//! events. Rules count an event as a post and an answer as a vote; the search index follows every
//! change (published events only).
use super::gate::{after_write, gate, WriteError, Writer};
use super::render;
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::events::{EventFields, EventRecord, Lead, RsvpOutcome};
use crate::db::{self, Db, DbError};
use crate::domain::{EventInput, PostStatus, RsvpAnswer};
use crate::moderation::{Action, Content, Target};
use crate::render::RENDERER_VERSION;

/// The job that sends the reminders due (queued every few minutes; one at a time).
pub const REMINDER_JOB: &str = "event_reminders";
/// The setting naming the trust level a member needs to organise events (staff always may).
pub const MIN_TRUST: &str = "events.min_trust";
pub const DEFAULT_MIN_TRUST: i64 = 1;
/// Reminders sent per lead and run; the next run picks up the rest.
const REMINDERS_PER_RUN: i64 = 500;

/// The trust level members need to organise an event.
pub async fn min_trust(db: &Db) -> Result<i64, DbError> {
    Ok(db::settings::get(db, MIN_TRUST)
        .await?
        .and_then(|v| v.trim().parse::<i64>().ok())
        .filter(|n| (0..=4).contains(n))
        .unwrap_or(DEFAULT_MIN_TRUST))
}

/// A stored event.
#[derive(Debug, Clone, Copy)]
pub struct Saved {
    pub id: i64,
    /// A hold rule matched: it waits for review.
    pub held: bool,
}

/// Organises an event (the caller checked `policy::may_create_event`).
pub async fn create(
    app: &App,
    writer: Writer<'_>,
    input: &EventInput,
) -> Result<Saved, WriteError> {
    let verdict = gate(app, writer, Action::CreatePost, content(input)).await?;
    let rendered = render::post(app, input.body.as_str()).await?;
    let held = verdict.is_held();
    let status = if held {
        PostStatus::Pending
    } else {
        PostStatus::Published
    };
    let id = db::events::create(
        &app.db,
        writer.user.id,
        fields(input, &rendered.html),
        status,
    )
    .await?;
    after_write(app, writer, &verdict, Target::Event(id)).await?;
    super::index::event_changed(app, id).await;
    Ok(Saved { id, held })
}

/// Replaces an event's details (the caller checked `policy::may_edit_event`). Returns whether a
/// hold rule matched. Moving the start withdraws the reminders already sent.
pub async fn edit(
    app: &App,
    writer: Writer<'_>,
    event: &EventRecord,
    input: &EventInput,
) -> Result<bool, WriteError> {
    let verdict = gate(app, writer, Action::EditPost, content(input)).await?;
    let rendered = render::post(app, input.body.as_str()).await?;
    let held = verdict.is_held();
    // A moved event's reminders are sent again before its new start.
    let moved = event.starts_at != input.starts_at;
    db::events::update(
        &app.db,
        event.id,
        fields(input, &rendered.html),
        held,
        moved,
    )
    .await?;
    after_write(app, writer, &verdict, Target::Event(event.id)).await?;
    super::index::event_changed(app, event.id).await;
    Ok(held)
}

fn content(input: &EventInput) -> Content<'_> {
    Content::new(input.title.as_str(), input.body.as_str())
}

fn fields<'a>(input: &'a EventInput, html: &'a str) -> EventFields<'a> {
    EventFields {
        title: input.title.as_str(),
        body_md: input.body.as_str(),
        body_html: html,
        renderer_version: RENDERER_VERSION,
        starts_at: input.starts_at,
        ends_at: input.ends_at,
        time_zone: input.time_zone.name(),
        online_url: &input.online_url,
        place: &input.place,
        capacity: input.capacity,
    }
}

/// A member answers an event (the caller checked `policy::may_rsvp`). "Going" to a full event is
/// refused with the reason on the answer; "not going" withdraws their reminders.
pub async fn rsvp(
    app: &App,
    writer: Writer<'_>,
    event: &EventRecord,
    answer: RsvpAnswer,
) -> Result<(), WriteError> {
    gate(app, writer, Action::Vote, Content::default()).await?;
    match db::events::answer(&app.db, event.id, writer.user.id, answer, event.capacity).await? {
        RsvpOutcome::Saved => Ok(()),
        RsvpOutcome::Full => Err(WriteError::Invalid {
            field: "answer",
            key: "event.error.full",
        }),
    }
}

/// What staff do with a flagged or held event.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventAction {
    /// Published (a held one listed, a flagged one kept), its flags resolved.
    Approve,
    Hide,
    Delete,
}

impl EventAction {
    pub fn parse(text: &str) -> Option<EventAction> {
        match text {
            "approve" => Some(EventAction::Approve),
            "hide" => Some(EventAction::Hide),
            "delete" => Some(EventAction::Delete),
            _ => None,
        }
    }
}

/// Staff act on an event (audited, its open flags resolved; a hidden or deleted one's reminders
/// withdrawn). `false` when there is no such event.
pub async fn moderate(
    app: &App,
    actor: &CurrentUser,
    event_id: i64,
    action: EventAction,
    reason: &str,
) -> Result<bool, WriteError> {
    let (status, name) = match action {
        EventAction::Approve => (PostStatus::Published, "approve_event"),
        EventAction::Hide => (PostStatus::Hidden, "hide_event"),
        EventAction::Delete => (PostStatus::Deleted, "delete_event"),
    };
    let found = db::events::moderate(&app.db, actor.id, event_id, status, name, reason).await?;
    if found {
        super::index::event_changed(app, event_id).await;
    }
    Ok(found)
}

/// Queues the reminder run unless one is waiting already.
pub async fn queue_reminders(db: &Db) -> Result<(), DbError> {
    db::jobs::enqueue(db, REMINDER_JOB, "{}", Some(REMINDER_JOB), 3).await?;
    Ok(())
}

/// The reminder job: every member going or maybe going to an event that starts within a day (then
/// within an hour) gets one notification for each, mailed by the next notification-mail sweep.
/// Returns how many were sent.
pub async fn send_reminders(app: &App) -> Result<usize, String> {
    let at = db::now();
    let mut sent = 0;
    for lead in Lead::ALL {
        let due = db::events::due_reminders(&app.db, at, lead, REMINDERS_PER_RUN)
            .await
            .map_err(|e| e.to_string())?;
        for reminder in &due {
            if db::events::send_reminder(&app.db, reminder, lead)
                .await
                .map_err(|e| e.to_string())?
            {
                sent += 1;
            }
        }
    }
    // The reminders are notifications of kind `event_reminder`: the notification-mail sweep mails
    // them under the member's "Events" choice (at once by default), so one is queued now.
    if sent > 0 {
        super::notification_mail::queue_sweep(app)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(sent)
}

/// A member picks the zone event times are shown in (`None`: their browser's).
pub async fn set_reader_zone(
    app: &App,
    member: &CurrentUser,
    zone: Option<chrono_tz::Tz>,
) -> Result<(), DbError> {
    db::users::set_time_zone(&app.db, member.id, zone.map_or("", |z| z.name())).await
}
