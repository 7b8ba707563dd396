//! Badges: the award job (queued as instances queue it) gives first question / answer / accepted
//! answer, editor, good and great answer and tag badges, each once however often it runs; awards
//! show on the profile, in notifications and on `/badges`.
use reqwest::StatusCode;

use crate::helpers::{spawn_app, TestApp};
use crate::member::Member;
use agora::domain::Role;

async fn award_run(app: &TestApp) {
    agora::services::badges::queue(&app.db)
        .await
        .expect("queue");
    assert!(app.run_jobs().await >= 1, "the badge job ran");
}

async fn set(app: &TestApp, key: &str, value: &str) {
    agora::db::settings::set(&app.db, key, value)
        .await
        .expect("setting");
}

async fn badges_of(app: &TestApp, user_id: i64) -> Vec<(String, i64)> {
    sqlx::query_as(
        "SELECT badge, subject FROM user_badges WHERE user_id = $1 ORDER BY badge, subject",
    )
    .bind(user_id)
    .fetch_all(app.db.reader())
    .await
    .expect("badges")
}

#[tokio::test]
async fn the_badge_job_awards_each_badge_once_with_a_notification() {
    let app = spawn_app().await;
    set(&app, "badge_good_answer", "2").await;
    set(&app, "badge_great_answer", "3").await;
    set(&app, "badge_tag_bronze", "2").await;
    let asker = Member::join(&app, "asker").await;
    let alice = Member::join(&app, "alice").await;
    let voters = [
        Member::with(&app, "voter1", Role::Member, 100).await,
        Member::with(&app, "voter2", Role::Member, 100).await,
    ];
    let question = asker
        .ask_with("How do I pick a LoRA rank?", "Rank 8 or 64?", "lora")
        .await;
    let answer = alice.answer(question).await;
    for voter in &voters {
        voter.vote("answer", answer, 1).await;
    }
    let res = asker.post(&format!("/answers/{answer}/accept"), &[]).await;
    assert!(res.status().is_redirection(), "{}", res.status());

    award_run(&app).await;
    let alices: Vec<String> = badges_of(&app, alice.id)
        .await
        .into_iter()
        .map(|b| b.0)
        .collect();
    assert_eq!(
        alices,
        [
            "first_accepted",
            "first_answer",
            "good_answer",
            "tag_bronze"
        ],
        "score 2 of 3 needed for great"
    );
    let askers: Vec<String> = badges_of(&app, asker.id)
        .await
        .into_iter()
        .map(|b| b.0)
        .collect();
    assert_eq!(askers, ["first_question"]);

    let notices = alice.get("/notifications").await.1;
    assert!(
        notices.contains("You earned the badge “Teacher”"),
        "{notices}"
    );
    assert!(notices.contains("You earned the badge “Bronze tag badge” (lora)"));

    // Idempotent: a second run with nothing new awards nothing and tells nobody again.
    award_run(&app).await;
    assert_eq!(badges_of(&app, alice.id).await.len(), 4);
    let again = alice.get("/notifications").await.1;
    assert_eq!(again.matches("You earned the badge").count(), 4);

    // Incremental: a third vote since the last run reaches "great".
    let third = Member::with(&app, "voter3", Role::Member, 100).await;
    third.vote("answer", answer, 1).await;
    award_run(&app).await;
    assert!(badges_of(&app, alice.id)
        .await
        .contains(&("great_answer".to_string(), answer)));

    // An edit earns the editor badge.
    let res = alice
        .post(
            &format!("/answers/{answer}/edit"),
            &[("body", "Use LoRA with rank 16 for most models.")],
        )
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    award_run(&app).await;
    assert!(badges_of(&app, alice.id)
        .await
        .iter()
        .any(|(b, _)| b == "editor"));

    // Shown on the profile and on /badges with holders.
    let profile = app.get_html("/u/alice").await.1;
    assert!(
        profile.contains("Teacher") && profile.contains("Great answer"),
        "{profile}"
    );
    let (status, badges) = app.get_html("/badges").await;
    assert_eq!(status, StatusCode::OK);
    assert!(badges.contains("Student") && badges.contains("/u/asker"));
    let (status, holders) = app.get_html("/badges/good_answer").await;
    assert_eq!(status, StatusCode::OK);
    assert!(holders.contains("/u/alice"));
    assert_eq!(
        app.get_html("/badges/nonsense").await.0,
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn the_badges_page_in_chinese_names_the_badges() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/badges?lang=zh-CN").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("徽章") && html.contains("好回答"), "{html}");
}

#[tokio::test]
async fn admins_set_the_badge_thresholds_on_the_settings_page() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "root", Role::Admin, 1).await;
    let (status, page) = admin.get("/admin/settings").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains(
            "name=\"badge_good_answer\" type=\"number\" min=\"1\" max=\"1000000\" value=\"10\""
        ),
        "{page}"
    );
    let fields = [
        ("site_name", "agora"),
        ("registration", "open"),
        ("badge_good_answer", "12"),
        ("badge_great_answer", "30"),
        ("badge_tag_bronze", "5"),
        ("badge_tag_silver", "50"),
        ("badge_tag_gold", "500"),
    ];
    let res = admin.post("/admin/settings", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let t = agora::services::settings::badge_thresholds(&app.db)
        .await
        .expect("thresholds");
    assert_eq!((t.good_answer, t.tag_gold), (12, 500));
    assert!(app
        .get_html("/badges")
        .await
        .1
        .contains("An answer scored 12 or more."));
    let mut bad = fields.to_vec();
    bad[2] = ("badge_good_answer", "0");
    let res = admin.post("/admin/settings", &bad).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let member = Member::join(&app, "member").await;
    assert_eq!(
        member.post("/admin/settings", &fields).await.status(),
        StatusCode::FORBIDDEN
    );
}
