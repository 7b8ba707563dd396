//! Events in the full-text index and under the community's flags, as members meet them: `/search`
//! finds an event by a word of its description (English and Chinese) and links to it while it is
//! published, never while it is held, hidden or deleted; trusted flaggers on distinct networks hide
//! an event at the same threshold as a post, and the hiding is audited.
use chrono::Duration;
use reqwest::StatusCode;

use crate::events::{organiser, set_trust, utc_in};
use crate::helpers::{location, spawn_app, spawn_app_with, TestApp};
use crate::member::{id_after, set_reputation, Member};
use agora::domain::Role;

/// Organises an event starting in `days` days with this title and description.
async fn organise(member: &Member, title: &str, body: &str, days: i64) -> i64 {
    let res = member
        .post(
            "/events",
            &[
                ("title", title),
                ("body", body),
                ("starts", &utc_in(Duration::days(days))),
                ("ends", &utc_in(Duration::days(days) + Duration::hours(2))),
                ("time_zone", "UTC"),
                ("online_url", "https://meet.example.org/agora"),
                ("place", ""),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "event created");
    id_after(&location(&res), "/events/")
}

/// Whether `/search?q=…` (as `member`) links to the event.
async fn search_finds(member: &Member, q: &str, id: i64) -> bool {
    let query: String = url::form_urlencoded::byte_serialize(q.as_bytes()).collect();
    let (status, page) = member.get(&format!("/search?q={query}")).await;
    assert_eq!(status, StatusCode::OK);
    page.contains(&format!("href=\"/events/{id}\""))
}

async fn event_status(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM events WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("status")
}

async fn index_rows(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM search_docs WHERE source = 'event' AND source_id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("index rows")
}

#[tokio::test]
async fn search_finds_an_event_by_a_word_of_its_description_in_english_and_chinese() {
    let app = spawn_app().await;
    let alice = organiser(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let english = organise(
        &alice,
        "Office hours",
        "Bring your **GGUF** files; we compare quantisers side by side.",
        3,
    )
    .await;
    let chinese = organise(
        &alice,
        "线上读书会",
        "我们一起阅读论文，讨论大模型的量化方法和推理加速。",
        4,
    )
    .await;
    assert_eq!(index_rows(&app, english).await, 1, "in the posts' index");
    assert!(search_finds(&bob, "gguf", english).await);
    assert!(search_finds(&bob, "quantisers", english).await);
    assert!(!search_finds(&bob, "gguf", chinese).await);
    assert!(search_finds(&bob, "量化", chinese).await);
    assert!(search_finds(&bob, "推理加速", chinese).await);
    assert!(!search_finds(&bob, "量化", english).await);
    // The result names the event and opens it.
    let (_, page) = bob.get("/search?q=gguf").await;
    assert!(page.contains("Office hours"), "{page}");
    let (status, _) = bob.get(&format!("/events/{english}")).await;
    assert_eq!(status, StatusCode::OK);

    // The index follows an edit: the old word no longer finds it, the new one does.
    let res = alice
        .post(
            &format!("/events/{english}/edit"),
            &[
                ("title", "Office hours"),
                ("body", "Bring your safetensors checkpoints."),
                ("starts", &utc_in(Duration::days(3))),
                ("ends", &utc_in(Duration::days(3) + Duration::hours(2))),
                ("time_zone", "UTC"),
                ("online_url", ""),
                ("place", "Room 3"),
                ("capacity", ""),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!search_finds(&bob, "gguf", english).await);
    assert!(search_finds(&bob, "safetensors", english).await);
    // A post with the same word is still found next to it.
    let question = bob.ask("How do I load safetensors checkpoints?").await;
    let (_, page) = bob.get("/search?q=safetensors").await;
    assert!(page.contains(&format!("/questions/{question}")), "{page}");
    assert!(page.contains(&format!("href=\"/events/{english}\"")));
}

#[tokio::test]
async fn held_hidden_and_deleted_events_never_appear_in_search() {
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
    let held = organise(
        &alice,
        "Agents meetup",
        "Crypto wallets for autonomous agents, a zeitgeist talk.",
        2,
    )
    .await;
    assert_eq!(event_status(&app, held).await, "pending");
    assert!(!search_finds(&bob, "zeitgeist", held).await, "held");
    assert!(
        !search_finds(&admin, "zeitgeist", held).await,
        "held, even for staff"
    );
    assert_eq!(index_rows(&app, held).await, 0);
    let res = admin
        .post(
            &format!("/admin/events/{held}/approve"),
            &[("reason", "fine")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(search_finds(&bob, "zeitgeist", held).await, "approved");

    let res = admin
        .post(&format!("/admin/events/{held}/hide"), &[("reason", "spam")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!search_finds(&bob, "zeitgeist", held).await, "hidden");
    assert_eq!(index_rows(&app, held).await, 0);

    let other = organise(&alice, "Paper club", "We read the zeitgeist paper.", 5).await;
    assert!(search_finds(&bob, "zeitgeist", other).await);
    let res = admin
        .post(
            &format!("/admin/events/{other}/delete"),
            &[("reason", "dup")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(!search_finds(&bob, "zeitgeist", other).await, "deleted");

    // `agora reindex` rebuilds event rows the same way: published ones only.
    let back = organise(&alice, "Reading circle", "Zeitgeist, chapter two.", 6).await;
    sqlx::query("DELETE FROM search_docs WHERE source = 'event'")
        .execute(app.db.writer())
        .await
        .expect("drop rows");
    if app.db.backend() == agora::db::Backend::Sqlite {
        sqlx::query("INSERT INTO search_fts (search_fts) VALUES ('rebuild')")
            .execute(app.db.writer())
            .await
            .expect("rebuild");
    }
    agora::search::reindex_all(&app.db).await.expect("reindex");
    assert!(search_finds(&bob, "zeitgeist", back).await);
    assert!(!search_finds(&bob, "zeitgeist", held).await);
    assert!(!search_finds(&bob, "zeitgeist", other).await);
}

/// A member whose flags count toward hiding, requests from `address`.
async fn trusted_from(app: &TestApp, name: &str, address: &str) -> Member {
    let member = Member::join_from(app, name, address).await;
    set_reputation(app, member.id, 100).await;
    set_trust(app, &member, 2).await;
    member
}

#[tokio::test]
async fn trusted_flags_from_distinct_networks_hide_an_event_as_they_hide_a_post() {
    let app = spawn_app_with(&[("AGORA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let alice = organiser(&app, "alice").await;
    let reader = Member::join(&app, "reader").await;
    let id = organise(
        &alice,
        "Free GPU giveaway",
        "Send a deposit to claim your xylophone GPU.",
        2,
    )
    .await;

    // Fresh members (trust level 0), however reputable, do not count.
    for n in 0..3 {
        let fresh = Member::join_from(&app, &format!("fresh{n}"), &format!("198.51.100.{n}")).await;
        set_reputation(&app, fresh.id, 100).await;
        let res = fresh.flag("event", id, "spam", "").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(event_status(&app, id).await, "published");
    // Trusted members on one network count once.
    for n in 0..3 {
        trusted_from(&app, &format!("local{n}"), "192.0.2.77")
            .await
            .flag("event", id, "spam", "")
            .await;
    }
    assert_eq!(event_status(&app, id).await, "published", "one network");
    trusted_from(&app, "far0", "2001:db8:1::1")
        .await
        .flag("event", id, "spam", "")
        .await;
    assert_eq!(event_status(&app, id).await, "published", "two of three");
    let last = trusted_from(&app, "far1", "2001:db8:2::1").await;
    let res = last.flag("event", id, "spam", "a deposit scam").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        "/events",
        "the reporter cannot see it any more"
    );
    assert_eq!(event_status(&app, id).await, "hidden");

    // Audited with no actor, the author told, gone for others and from search.
    let (audits, actor): (i64, Option<i64>) = sqlx::query_as(
        "SELECT COUNT(*), MAX(actor_id) FROM mod_actions WHERE action = 'auto_hide' \
         AND target_kind = 'event' AND target_id = $1",
    )
    .bind(id)
    .fetch_one(app.db.reader())
    .await
    .expect("audit");
    assert_eq!((audits, actor), (1, None));
    let (_, notices) = alice.get("/notifications").await;
    assert!(notices.contains(&format!("/events/{id}")), "{notices}");
    assert_eq!(
        reader.get(&format!("/events/{id}")).await.0,
        StatusCode::NOT_FOUND
    );
    let (_, list) = reader.get("/events").await;
    assert!(!list.contains("Free GPU giveaway"));
    assert!(!search_finds(&reader, "xylophone", id).await);
    let (status, page) = alice.get(&format!("/events/{id}")).await;
    assert_eq!(status, StatusCode::OK, "the organiser still sees it");
    assert!(page.contains("Free GPU giveaway"));

    // The same threshold setting governs events: at 1, one trusted flag hides.
    agora::db::settings::set(&app.db, "flag_hide_threshold", "1")
        .await
        .expect("setting");
    let second = organise(&alice, "Another giveaway", "Claim it now.", 3).await;
    let res = last.flag("event", second, "spam", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(event_status(&app, second).await, "hidden");
}
