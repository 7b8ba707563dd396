//! Event reminders that no longer hold are withdrawn: a member who stops going, an event moved
//! (its reminders sent again before the new start), an event staff hide, and the events of a
//! member swept as a spammer (hidden with their posts, audited, and brought back by the restore).
use chrono::Duration;
use reqwest::StatusCode;

use crate::events::{organiser, utc_in};
use crate::helpers::{location, spawn_app, TestApp};
use crate::member::{id_after, Member};
use agora::domain::Role;

fn event_fields<'a>(title: &'a str, starts: &'a str, ends: &'a str) -> [(&'a str, &'a str); 8] {
    [
        ("title", title),
        ("body", "We read **section 3** together; bring questions."),
        ("starts", starts),
        ("ends", ends),
        ("time_zone", "UTC"),
        ("online_url", "https://meet.example.org/agora"),
        ("place", ""),
        ("capacity", ""),
    ]
}

async fn organise(member: &Member, title: &str, starts_in: Duration) -> i64 {
    let (starts, ends) = (utc_in(starts_in), utc_in(starts_in + Duration::hours(2)));
    let res = member
        .post("/events", &event_fields(title, &starts, &ends))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "event created");
    id_after(&location(&res), "/events/")
}

async fn answer(member: &Member, id: i64, answer: &str) {
    let res = member
        .post(&format!("/events/{id}/rsvp"), &[("answer", answer)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{answer}");
}

async fn send_reminders(app: &TestApp) -> usize {
    agora::services::events::send_reminders(&app.state())
        .await
        .expect("reminders")
}

/// The member's reminders of the event still standing (in-app notices, mailed from the same rows).
async fn reminders(app: &TestApp, member: &Member, event: i64) -> i64 {
    sqlx::query_scalar(
        "SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND event_id = $2 \
         AND kind = 'event_reminder'",
    )
    .bind(member.id)
    .bind(event)
    .fetch_one(app.db.reader())
    .await
    .expect("reminders")
}

async fn event_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM events WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("status")
}

#[tokio::test]
async fn reminders_are_withdrawn_when_a_member_stops_going_and_sent_again_when_the_event_moves() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let carol = Member::join(&app, "carol").await;
    let moderator = Member::with(&app, "moderator", Role::Moderator, 1).await;
    let title = "Reading group tomorrow";
    let id = organise(&alice, title, Duration::hours(20)).await;
    answer(&bob, id, "going").await;
    answer(&carol, id, "maybe").await;
    assert_eq!(send_reminders(&app).await, 2);
    let (_, page) = bob.get("/notifications").await;
    assert!(page.contains("Tomorrow: Reading group tomorrow"), "{page}");

    // Bob is not going after all: his reminder is withdrawn, Carol's stays.
    answer(&bob, id, "not_going").await;
    assert_eq!(reminders(&app, &bob, id).await, 0);
    let (_, page) = bob.get("/notifications").await;
    assert!(!page.contains("Reading group tomorrow"), "{page}");
    assert_eq!(reminders(&app, &carol, id).await, 1);
    assert_eq!(send_reminders(&app).await, 0, "nothing new is due");

    // Moved two days on: the reminder that named the old time goes; none is due yet.
    let (starts, ends) = (utc_in(Duration::hours(68)), utc_in(Duration::hours(70)));
    let res = alice
        .post(
            &format!("/events/{id}/edit"),
            &event_fields(title, &starts, &ends),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(reminders(&app, &carol, id).await, 0);
    assert_eq!(send_reminders(&app).await, 0);
    // Moved back inside the day: Carol is reminded again, Bob (not going) is not.
    let (starts, ends) = (utc_in(Duration::hours(10)), utc_in(Duration::hours(12)));
    let res = alice
        .post(
            &format!("/events/{id}/edit"),
            &event_fields(title, &starts, &ends),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(send_reminders(&app).await, 1);
    assert_eq!(reminders(&app, &carol, id).await, 1);
    assert_eq!(reminders(&app, &bob, id).await, 0);
    // An edit that keeps the start keeps the reminder.
    let res = alice
        .post(
            &format!("/events/{id}/edit"),
            &event_fields("Reading group, room changed", &starts, &ends),
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(reminders(&app, &carol, id).await, 1);

    // Cancelled by staff: the reminder goes from the page too.
    let res = moderator
        .post(
            &format!("/admin/events/{id}/hide"),
            &[("reason", "cancelled")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(reminders(&app, &carol, id).await, 0);
    let (_, page) = carol.get("/notifications").await;
    assert!(!page.contains("Reading group"), "{page}");
    assert_eq!(
        send_reminders(&app).await,
        0,
        "a hidden event reminds nobody"
    );
}

#[tokio::test]
async fn a_spam_sweep_hides_the_members_events_and_the_restore_brings_them_back() {
    let app = spawn_app().await;
    let spammer = organiser(&app, "spammer").await;
    let bob = Member::join(&app, "bob").await;
    let moderator = Member::with(&app, "moderator", Role::Moderator, 1).await;
    let other = organiser(&app, "organiser").await;
    let spam = organise(&spammer, "Cheap GPU giveaway tomorrow", Duration::hours(20)).await;
    let kept = organise(&other, "Honest meetup tomorrow", Duration::hours(20)).await;
    for id in [spam, kept] {
        answer(&bob, id, "going").await;
    }
    assert_eq!(send_reminders(&app).await, 2);

    let res = moderator
        .post(
            &format!("/admin/users/{}/spammer", spammer.id),
            &[("reason", "GPU spam")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(event_status(&app, spam).await, "hidden");
    assert_eq!(event_status(&app, kept).await, "published");
    assert_eq!(
        bob.get(&format!("/events/{spam}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = bob.get("/events").await;
    assert!(!list.contains("Cheap GPU giveaway"), "{list}");
    assert!(list.contains("Honest meetup"), "{list}");
    assert_eq!(
        reminders(&app, &bob, spam).await,
        0,
        "its reminder withdrawn"
    );
    assert_eq!(reminders(&app, &bob, kept).await, 1);
    // Audited like the posts: the sweep's record names the event, the log counts it.
    let recorded: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM spam_sweep_items WHERE target_kind = 'event' AND target_id = $1 \
         AND previous_status = 'published'",
    )
    .bind(spam)
    .fetch_one(app.db.reader())
    .await
    .expect("sweep items");
    assert_eq!(recorded, 1);
    let detail: String = sqlx::query_scalar(
        "SELECT detail FROM mod_actions WHERE action = 'delete_spammer' AND target_id = $1",
    )
    .bind(spammer.id)
    .fetch_one(app.db.reader())
    .await
    .expect("audit row");
    assert!(detail.contains("1 events hidden"), "{detail}");
    let (_, log) = moderator.get("/admin/log").await;
    assert!(log.contains("1 events hidden"), "{log}");

    let res = moderator
        .post(
            &format!("/admin/users/{}/restore_content", spammer.id),
            &[("reason", "a mistake")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(event_status(&app, spam).await, "published");
    assert_eq!(bob.get(&format!("/events/{spam}")).await.0, StatusCode::OK);
    // Brought back before it starts: the reminder goes out again.
    assert_eq!(send_reminders(&app).await, 1);
    assert_eq!(reminders(&app, &bob, spam).await, 1);
}
