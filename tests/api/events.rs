//! Events as members use them: organising one, answering it from other accounts (a full event
//! refuses a new "going"), the calendar files a calendar client reads, reminders a day and an hour
//! before (in-app and by mail, in the member's zone), times in the reader's zone, search, flags and staff decisions, and bad input that comes
//! back with the form kept.
use chrono::{Duration, Utc};
use icalendar::Component;
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, spawn_app_with_mail, TestApp};
use crate::member::{id_after, Member};
use agora::domain::Role;

pub(crate) async fn set_trust(app: &TestApp, member: &Member, level: i64) {
    sqlx::query("UPDATE users SET trust_level = $1 WHERE id = $2")
        .bind(level)
        .bind(member.id)
        .execute(app.db.writer())
        .await
        .expect("trust");
}

/// An organiser at trust level 1 (the default the admins may change).
pub(crate) async fn organiser(app: &TestApp, name: &str) -> Member {
    let member = Member::join(app, name).await;
    set_trust(app, &member, 1).await;
    member
}

/// `datetime-local` text for `from_now` ahead, in UTC.
pub(crate) fn utc_in(from_now: Duration) -> String {
    (Utc::now() + from_now).format("%Y-%m-%dT%H:%M").to_string()
}

struct NewEvent<'a> {
    title: &'a str,
    starts: String,
    ends: String,
    zone: &'a str,
    capacity: &'a str,
}

impl NewEvent<'_> {
    fn in_utc(title: &str, starts_in: Duration) -> NewEvent<'_> {
        NewEvent {
            title,
            starts: utc_in(starts_in),
            ends: utc_in(starts_in + Duration::hours(2)),
            zone: "UTC",
            capacity: "",
        }
    }
}

async fn post_event(member: &Member, event: &NewEvent<'_>) -> reqwest::Response {
    member
        .post(
            "/events",
            &[
                ("title", event.title),
                ("body", "We read **section 3** together; bring questions."),
                ("starts", &event.starts),
                ("ends", &event.ends),
                ("time_zone", event.zone),
                ("online_url", "https://meet.example.org/agora"),
                ("place", ""),
                ("capacity", event.capacity),
            ],
        )
        .await
}

async fn create_event(member: &Member, event: &NewEvent<'_>) -> i64 {
    let res = post_event(member, event).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "event created");
    id_after(&location(&res), "/events/")
}

async fn rsvp(member: &Member, id: i64, answer: &str) -> reqwest::Response {
    member
        .post(&format!("/events/{id}/rsvp"), &[("answer", answer)])
        .await
}

#[tokio::test]
async fn an_organised_event_is_answered_by_others_and_its_calendar_file_parses() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let carol = Member::join(&app, "carol").await;
    let title = "Reading group; attention, transformers \\ and you";
    let event = NewEvent {
        title,
        starts: "2031-06-01T18:30".into(),
        ends: "2031-06-01T20:00".into(),
        zone: "Asia/Shanghai",
        capacity: "1",
    };
    let id = create_event(&alice, &event).await;

    assert_eq!(
        rsvp(&bob, id, "going").await.status(),
        StatusCode::SEE_OTHER
    );
    // The only place is taken: carol's "going" is refused with the reason and the page kept.
    let full = rsvp(&carol, id, "going").await;
    assert_eq!(full.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = full.text().await.expect("body");
    assert!(page.contains("Every place is taken"), "{page}");
    assert!(page.contains("rsvp-form"));
    assert_eq!(
        rsvp(&carol, id, "maybe").await.status(),
        StatusCode::SEE_OTHER
    );
    // Bob changing his mind keeps one row, and frees the place.
    assert_eq!(
        rsvp(&bob, id, "not_going").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        rsvp(&carol, id, "going").await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        rsvp(&bob, id, "going").await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );

    let (status, page) = bob.get(&format!("/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let going = page
        .split("class=\"inline-list going\"")
        .nth(1)
        .expect("going list");
    let going = going.split("</ul>").next().unwrap_or_default();
    assert!(
        going.contains(">carol<") && !going.contains(">bob<"),
        "{going}"
    );
    assert!(page.contains("1 of 1 places taken"));

    // The file a calendar client downloads: one VEVENT in UTC, the title unescaped whole.
    let res = bob
        .client
        .get(app.url(&format!("/events/{id}.ics")))
        .send()
        .await
        .expect("ics");
    assert_eq!(res.status(), StatusCode::OK);
    let content_type = res.headers()["content-type"]
        .to_str()
        .unwrap_or_default()
        .to_string();
    assert!(content_type.starts_with("text/calendar"), "{content_type}");
    let text = res.text().await.expect("ics body");
    for line in text.split("\r\n") {
        assert!(line.len() <= 75, "folded at 75 octets: {line}");
    }
    let calendar: icalendar::Calendar = text.parse().expect("RFC 5545 calendar");
    let events: Vec<&icalendar::Event> = calendar
        .components
        .iter()
        .filter_map(|c| c.as_event())
        .collect();
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].get_summary(), Some(title));
    // 18:30 in Shanghai is 10:30 UTC.
    let start = events[0].get_start().expect("DTSTART");
    assert_eq!(
        start,
        icalendar::DatePerhapsTime::DateTime(icalendar::CalendarDateTime::Utc(
            chrono::DateTime::parse_from_rfc3339("2031-06-01T10:30:00Z")
                .expect("time")
                .with_timezone(&Utc)
        ))
    );
    assert!(events[0]
        .get_description()
        .is_some_and(|d| d.contains("section 3")));

    // The feed holds it too, and the list and home page show it as upcoming.
    let feed = bob
        .client
        .get(app.url("/events.ics"))
        .send()
        .await
        .expect("feed")
        .text()
        .await
        .expect("feed body");
    let feed: icalendar::Calendar = feed.parse().expect("feed parses");
    assert_eq!(
        feed.components.iter().filter_map(|c| c.as_event()).count(),
        1
    );
    let (_, list) = bob.get("/events").await;
    let upcoming = list.split("event-list upcoming").nth(1).expect("upcoming");
    assert!(upcoming.contains(&format!("/events/{id}")));
    let (_, home) = bob.get("/").await;
    assert!(
        home.contains(&format!("/events/{id}")),
        "home shows the event"
    );
}

#[tokio::test]
async fn bad_event_input_comes_back_with_the_form_kept() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let mut event = NewEvent::in_utc("Paper club: the Chinchilla paper", Duration::days(2));
    event.ends = utc_in(Duration::days(1));
    let res = post_event(&alice, &event).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.expect("body");
    assert!(page.contains("The end must come after the start."));
    assert!(page.contains("value=\"Paper club: the Chinchilla paper\""));
    assert!(page.contains("section 3"), "the description is kept");

    let mut event = NewEvent::in_utc("Paper club: the Chinchilla paper", Duration::days(2));
    event.zone = "Mars/Olympus_Mons";
    event.capacity = "lots";
    let page = post_event(&alice, &event).await;
    assert_eq!(page.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = page.text().await.expect("body");
    assert!(page.contains("This is not a time zone we know"));
    assert!(page.contains("value=\"Mars/Olympus_Mons\""));
    assert!(page.contains("The capacity must be a whole number"));
    let stored: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM events")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(stored, 0);
}

#[tokio::test]
async fn members_below_the_trust_level_cannot_organise_but_staff_can() {
    let app = spawn_app().await;
    let newcomer = Member::join(&app, "newcomer").await;
    let (status, _) = newcomer.get("/events/new").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let event = NewEvent::in_utc("An AMA with the maintainers", Duration::days(3));
    assert_eq!(
        post_event(&newcomer, &event).await.status(),
        StatusCode::FORBIDDEN
    );
    let moderator = Member::with(&app, "moderator", Role::Moderator, 1).await;
    set_trust(&app, &moderator, 0).await;
    let (status, form) = moderator.get("/events/new").await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("name=\"time_zone\""));
    create_event(&moderator, &event).await;
}

#[tokio::test]
async fn reminders_go_out_a_day_and_an_hour_before_once_each() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let dave = Member::join(&app, "dave").await;
    let tomorrow = create_event(
        &alice,
        &NewEvent::in_utc("Meetup tomorrow evening", Duration::hours(20)),
    )
    .await;
    let soon = create_event(
        &alice,
        &NewEvent::in_utc("Lightning talks very soon", Duration::minutes(30)),
    )
    .await;
    let later = create_event(
        &alice,
        &NewEvent::in_utc("Conference next month", Duration::days(30)),
    )
    .await;
    for id in [tomorrow, soon, later] {
        assert_eq!(
            rsvp(&bob, id, "going").await.status(),
            StatusCode::SEE_OTHER
        );
        assert_eq!(
            rsvp(&dave, id, "not_going").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    for _ in 0..2 {
        agora::services::events::queue_reminders(&app.db)
            .await
            .expect("queue");
        app.run_jobs().await;
    }
    let (_, page) = bob.get("/notifications").await;
    assert_eq!(
        page.matches("Tomorrow: Meetup tomorrow evening").count(),
        1,
        "{page}"
    );
    assert_eq!(
        page.matches("Starting within the hour: Lightning talks very soon")
            .count(),
        1
    );
    assert!(!page.contains("Conference next month"));
    assert!(
        !page.contains("Tomorrow: Lightning talks"),
        "no day reminder inside the hour"
    );
    assert!(page.contains(&format!("/events/{soon}")));
    let (_, page) = dave.get("/notifications").await;
    assert!(
        !page.contains("Meetup tomorrow evening"),
        "not going: no reminder"
    );
}

#[tokio::test]
async fn times_show_in_the_readers_zone_and_name_it() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let event = NewEvent {
        title: "Winter reading group",
        starts: "2031-01-10T18:00".into(),
        ends: "2031-01-10T19:00".into(),
        zone: "Asia/Shanghai",
        capacity: "",
    };
    let id = create_event(&alice, &event).await;
    let (_, page) = bob.get(&format!("/events/{id}")).await;
    assert!(
        page.contains("2031-01-10 10:00 (UTC, UTC+00:00)"),
        "UTC by default"
    );
    assert!(page.contains("2031-01-10 18:00 (Asia/Shanghai, UTC+08:00)"));
    let res = bob
        .post("/settings/time-zone", &[("time_zone", "Europe/Berlin")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = bob.get(&format!("/events/{id}")).await;
    assert!(page.contains("2031-01-10 11:00 (Europe/Berlin, UTC+01:00)"));
    assert!(page.contains("Times are shown in Europe/Berlin (your setting)"));
    // A zone we do not know: the events page again, the text kept, the reason next to the field.
    let refused = bob
        .post("/settings/time-zone", &[("time_zone", "Nowhere/Land")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("body");
    assert!(page.contains("Upcoming"), "the events page: {page}");
    assert!(page.contains("Winter reading group"));
    assert!(page.contains("value=\"Nowhere/Land\""), "the text is kept");
    assert!(page.contains("aria-invalid=\"true\""));
    assert!(page.contains("This is not a time zone we know"));
    let (_, page) = bob.get(&format!("/events/{id}")).await;
    assert!(
        page.contains("Times are shown in Europe/Berlin (your setting)"),
        "the setting is unchanged"
    );
    bob.post("/settings/language", &[("lang", "zh-CN")]).await;
    let refused = bob
        .post("/settings/time-zone", &[("time_zone", "Asia/Shang")])
        .await;
    assert_eq!(refused.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = refused.text().await.expect("body");
    assert!(page.contains("value=\"Asia/Shang\""));
    assert!(page.contains("无法识别这个时区"), "{page}");
}

#[tokio::test]
async fn events_are_found_by_search_and_editable_by_their_organiser() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let bob = organiser(&app, "bob").await;
    let id = create_event(
        &alice,
        &NewEvent::in_utc("Quantisation office hours", Duration::days(4)),
    )
    .await;
    let (_, results) = bob.get("/search?q=quantisation").await;
    assert!(results.contains(&format!("/events/{id}")), "{results}");

    let (status, _) = bob.get(&format!("/events/{id}/edit")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, form) = alice.get(&format!("/events/{id}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"Quantisation office hours\""));
    let mut changed = NewEvent::in_utc("Quantisation office hours, part two", Duration::days(5));
    changed.capacity = "10";
    let res = alice
        .post(
            &format!("/events/{id}/edit"),
            &[
                ("title", changed.title),
                ("body", "Bring your GGUF files."),
                ("starts", &changed.starts),
                ("ends", &changed.ends),
                ("time_zone", changed.zone),
                ("online_url", ""),
                ("place", "Room 3, Hacker space"),
                ("capacity", changed.capacity),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = bob.get(&format!("/events/{id}")).await;
    assert!(page.contains("part two") && page.contains("Room 3, Hacker space"));
    assert!(page.contains("0 of 10 places taken"));
}

#[tokio::test]
async fn a_flagged_event_waits_for_staff_who_hide_it() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let moderator = Member::with(&app, "moderator", Role::Moderator, 1).await;
    let id = create_event(
        &alice,
        &NewEvent::in_utc("Totally legit crypto giveaway", Duration::days(1)),
    )
    .await;
    let res = bob.flag("event", id, "spam", "").await;
    assert!(
        res.status().is_redirection(),
        "flag accepted: {}",
        res.status()
    );
    let (_, queue) = moderator.get("/admin/flags").await;
    assert!(queue.contains(&format!("/admin/events/{id}")), "{queue}");
    assert!(queue.contains("Totally legit crypto giveaway"));
    let res = moderator
        .post(&format!("/admin/events/{id}/hide"), &[("reason", "spam")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, _) = bob.get(&format!("/events/{id}")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (_, list) = bob.get("/events").await;
    assert!(!list.contains("Totally legit"));
    let (_, queue) = moderator.get("/admin/flags").await;
    assert!(!queue.contains(&format!("/admin/events/{id}")));
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mod_actions WHERE action = 'hide_event' AND target_id = $1",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("audit");
    assert_eq!(audited, 1);
    // Members cannot take staff decisions.
    let res = bob.post(&format!("/admin/events/{id}/approve"), &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn answers_sent_at_once_never_take_more_places_than_there_are() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let mut event = NewEvent::in_utc("Hands-on workshop, two seats", Duration::days(3));
    event.capacity = "2";
    let id = create_event(&alice, &event).await;
    let mut members = Vec::new();
    for n in 0..6 {
        members.push(Member::join(&app, &format!("eager{n}")).await);
    }
    let answers = members.iter().map(|m| rsvp(m, id, "going"));
    let statuses: Vec<StatusCode> = futures_util::future::join_all(answers)
        .await
        .iter()
        .map(reqwest::Response::status)
        .collect();
    let saved = statuses
        .iter()
        .filter(|s| **s == StatusCode::SEE_OTHER)
        .count();
    let refused = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!((saved, refused), (2, 4), "{statuses:?}");
    let going: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM event_rsvps WHERE event_id = $1 AND answer = 'going'",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("count");
    assert_eq!(going, 2);
}

#[tokio::test]
async fn the_rules_hold_an_event_until_staff_approve_it_and_block_what_they_block() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    crate::rules::add_rule(
        &admin,
        &app,
        &[
            ("kind", "banned_words"),
            ("description", "Crypto events wait for a moderator."),
            ("pattern", "crypto"),
            ("action", "hold"),
        ],
    )
    .await;
    crate::rules::add_rule(
        &admin,
        &app,
        &[
            ("kind", "banned_words"),
            ("description", "No gambling advertising."),
            ("pattern", "casino"),
            ("action", "block"),
        ],
    )
    .await;
    let blocked = post_event(
        &alice,
        &NewEvent::in_utc("Casino night for the community", Duration::days(2)),
    )
    .await;
    assert_eq!(blocked.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = blocked.text().await.expect("body");
    assert!(page.contains("No gambling advertising."));
    assert!(
        page.contains("value=\"Casino night for the community\""),
        "the form is kept"
    );

    let id = create_event(
        &alice,
        &NewEvent::in_utc("Crypto and LLM agents meetup", Duration::days(2)),
    )
    .await;
    let (status, page) = alice.get(&format!("/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains("This event is waiting for a moderator"));
    let (status, _) = bob.get(&format!("/events/{id}")).await;
    assert_eq!(
        status,
        StatusCode::NOT_FOUND,
        "held events are hidden from others"
    );
    let (_, queue) = admin.get("/admin/queue").await;
    assert!(queue.contains("Crypto and LLM agents meetup"));
    let res = admin
        .post(
            &format!("/admin/events/{id}/approve"),
            &[("reason", "fine")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, _) = bob.get(&format!("/events/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    let (_, list) = bob.get("/events").await;
    assert!(list.contains("Crypto and LLM agents meetup"));
}

#[tokio::test]
async fn reminders_are_mailed_in_the_members_zone_but_not_for_an_event_since_hidden() {
    let (app, sink) = spawn_app_with_mail(&[]).await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let moderator = Member::with(&app, "moderator", Role::Moderator, 1).await;
    let bob_mail = format!("{}@example.com", hex::encode("bob"));
    let (_, settings) = bob.get("/settings/notifications").await;
    assert!(
        settings.contains("Reminders of events you are going to"),
        "{settings}"
    );
    let events_choice = &settings[settings.find("id=\"pref-events\"").expect("events")..];
    let events_choice = &events_choice[..events_choice.find("</select>").expect("select")];
    assert!(
        events_choice.contains("value=\"immediately\" selected"),
        "at once by default: {events_choice}"
    );
    let res = bob
        .post("/settings/time-zone", &[("time_zone", "Asia/Shanghai")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let meetup = NewEvent::in_utc("Reading group tomorrow", Duration::hours(20));
    let starts = chrono::NaiveDateTime::parse_from_str(&meetup.starts, "%Y-%m-%dT%H:%M")
        .expect("start")
        .and_utc()
        .timestamp();
    let meetup = create_event(&alice, &meetup).await;
    let hidden = create_event(
        &alice,
        &NewEvent::in_utc("Workshop staff will hide", Duration::hours(20)),
    )
    .await;
    for id in [meetup, hidden] {
        assert_eq!(
            rsvp(&bob, id, "going").await.status(),
            StatusCode::SEE_OTHER
        );
    }
    // The reminder job stores both notices; before the mail sweep runs, staff hide one event.
    let sent = agora::services::events::send_reminders(&app.state())
        .await
        .expect("reminders");
    assert_eq!(sent, 2);
    let res = moderator
        .post(
            &format!("/admin/events/{hidden}/hide"),
            &[("reason", "spam")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    app.run_jobs().await;

    let mails = sink.messages_to(&bob_mail);
    assert_eq!(mails.len(), 1, "{:?}", sink.messages());
    let mail = &mails[0];
    assert!(mail.subject.contains("starts soon"), "{}", mail.subject);
    let when = agora::domain::time_in_zone(starts, chrono_tz::Tz::Asia__Shanghai);
    assert!(when.contains("Asia/Shanghai, UTC+08:00"), "{when}");
    assert!(
        mail.text.contains(&format!(
            "Tomorrow: Reading group tomorrow, starting {when}"
        )),
        "{}",
        mail.text
    );
    assert!(
        mail.text.contains(&format!("/events/{meetup}")),
        "{}",
        mail.text
    );
    assert!(
        !mail.text.contains("Workshop staff will hide"),
        "{}",
        mail.text
    );
    assert!(!mail.text.contains(&format!("/events/{hidden}")));
    assert!(
        sink.messages_to(&format!("{}@example.com", hex::encode("alice")))
            .iter()
            .all(|m| !m.subject.contains("starts soon")),
        "the organiser did not answer, so no reminder"
    );
}
