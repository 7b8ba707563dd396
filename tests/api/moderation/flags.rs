//! Flagging: once per member and target, never one's own content, notes where the reason needs one,
//! and enough trusted flags hide content until staff review it.
use reqwest::StatusCode;

use super::{app, audit_rows, comment_status, moderation_notices, post_status, Member};
use crate::helpers::location;
use agora::domain::Role;

#[tokio::test]
async fn a_second_flag_on_the_same_target_is_refused_with_a_clear_message() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let reporter = Member::join(&app, "reporter").await;
    let question = author.ask("How do I quantise a model to int8?").await;

    let res = reporter.flag("post", question, "spam", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "first flag accepted");
    let res = reporter.flag("post", question, "rude", "really rude").await;
    assert_eq!(res.status(), StatusCode::CONFLICT);
    let html = res.text().await.expect("body");
    assert!(html.contains("already flagged"), "{html}");
    assert!(html.contains("really rude"), "the note is kept: {html}");

    let flags: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM flags WHERE target_id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(flags, 1);

    // The unique constraint stands behind the friendly check.
    let again = sqlx::query(
        "INSERT INTO flags (target_kind, target_id, reporter_id, reason, created_at) \
         VALUES ('post', $1, $2, 'spam', 0)",
    )
    .bind(question)
    .bind(reporter.id)
    .execute(app.db.writer())
    .await;
    assert!(again.is_err(), "the database refuses a second flag");
}

#[tokio::test]
async fn members_cannot_flag_their_own_content_and_notes_are_checked() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let reporter = Member::join(&app, "reporter").await;
    let question = author.ask("Which tokenizer handles Chinese best?").await;

    let res = author.flag("post", question, "spam", "").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert!(res.text().await.expect("body").contains("your own"));

    let res = reporter
        .flag("post", question, "duplicate", "asked before, I think")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("link to the original"), "{html}");
    assert!(html.contains("asked before, I think"), "note kept: {html}");

    let res = reporter.flag("post", question, "needs_attention", "").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);

    let res = reporter
        .flag("post", question, "duplicate", "same as /questions/1")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let res = reporter.flag("post", 999_999, "spam", "").await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let res = reporter.flag("planet", question, "spam", "").await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    // Users can be flagged too (from their profile), and the flag shows on their admin page.
    let (_, profile) = reporter.get("/u/asker").await;
    assert!(
        profile.contains("name=\"target_kind\" value=\"user\""),
        "{profile}"
    );
    let (_, own_profile) = author.get("/u/asker").await;
    assert!(!own_profile.contains("name=\"target_kind\" value=\"user\""));
    let res = reporter.flag("user", author.id, "spam", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let (_, html) = moderator.get(&format!("/admin/users/{}", author.id)).await;
    assert!(html.contains("reporter"), "{html}");
    let res = moderator
        .post(&format!("/admin/users/{}/dismiss_flags", author.id), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        audit_rows(&app, "dismiss_user_flags", "user", author.id).await,
        1
    );
}

#[tokio::test]
async fn trusted_flags_hide_a_post_until_review_and_the_queue_says_why() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let question = author
        .ask("Why does my loss go to NaN after a while?")
        .await;
    let url = format!("/questions/{question}");

    // Flags from members below the trusted reputation (and trust level 2) do not count.
    for name in ["newbie1", "newbie2", "newbie3"] {
        let newbie = Member::join(&app, name).await;
        let res = newbie.flag("post", question, "spam", "").await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    assert_eq!(post_status(&app, question).await, "published");

    let mut trusted = Vec::new();
    for name in ["trusty1", "trusty2", "trusty3"] {
        trusted.push(trusted_member(&app, name, 15).await);
    }
    trusted[0]
        .flag("post", question, "rude", "insults the answerers")
        .await;
    trusted[1].flag("post", question, "spam", "").await;
    assert_eq!(
        post_status(&app, question).await,
        "published",
        "two of three"
    );
    let res = trusted[2].flag("post", question, "off_topic", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/", "the reporter cannot see it any more");
    assert_eq!(post_status(&app, question).await, "hidden");
    assert_eq!(audit_rows(&app, "auto_hide", "post", question).await, 1);
    let actor: Option<i64> =
        sqlx::query_scalar("SELECT actor_id FROM mod_actions WHERE action = 'auto_hide'")
            .fetch_one(app.db.reader())
            .await
            .expect("actor");
    assert_eq!(actor, None, "no staff member did this");
    assert_eq!(moderation_notices(&app, author.id).await, 1);

    // Anonymous visitors and other members get a 404; the author sees it with a note.
    let anonymous = app.new_browser().0;
    let status = anonymous
        .get(app.url(&url))
        .send()
        .await
        .expect("get")
        .status();
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(trusted[0].get(&url).await.0, StatusCode::NOT_FOUND);
    let res = author.client.get(app.url(&url)).send().await.expect("get");
    let canonical = location(&res);
    let (status, html) = author.get(&canonical).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("Hidden pending review"), "{html}");

    // The queue lists it with each reason, note and reporter.
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    for path in ["/admin/queue", "/admin/flags"] {
        let (status, html) = moderator.get(path).await;
        assert_eq!(status, StatusCode::OK);
        assert!(html.contains(&format!("queue-post-{question}")), "{html}");
        assert!(html.contains("insults the answerers"), "{html}");
        assert!(
            html.contains("trusty3") && html.contains("newbie1"),
            "{html}"
        );
        assert!(html.contains("Rude or abusive") && html.contains("Off topic"));
    }

    // Approving dismisses the flags and publishes it again.
    let res = moderator
        .post(
            &format!("/admin/posts/{question}/approve"),
            &[("reason", "heated but fine"), ("back", "/admin/queue")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/admin/queue");
    assert_eq!(post_status(&app, question).await, "published");
    let open: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM flags WHERE target_id = $1 AND status = 'open'")
            .bind(question)
            .fetch_one(app.db.reader())
            .await
            .expect("open flags");
    assert_eq!(open, 0);
    let resolved: Vec<(Option<i64>, Option<String>)> =
        sqlx::query_as("SELECT resolved_by, resolution FROM flags WHERE target_id = $1")
            .bind(question)
            .fetch_all(app.db.reader())
            .await
            .expect("resolved flags");
    assert_eq!(resolved.len(), 6);
    assert!(resolved
        .iter()
        .all(|(by, how)| *by == Some(moderator.id) && how.as_deref() == Some("dismissed")));
    assert_eq!(audit_rows(&app, "approve_post", "post", question).await, 1);
    let (_, html) = moderator.get("/admin/queue").await;
    assert!(!html.contains(&format!("queue-post-{question}")));
}

#[tokio::test]
async fn the_threshold_is_a_setting_and_comments_are_hidden_the_same_way() {
    let app = app().await;
    let admin = Member::with(&app, "boss", Role::Admin, 1).await;
    let res = admin
        .post(
            "/admin/settings",
            &[
                ("site_name", "agora"),
                ("site_description", ""),
                ("registration", "open"),
                ("flag_hide_threshold", "1"),
                ("flag_trusted_reputation", "15"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = admin.get("/admin/settings").await;
    assert!(html.contains("name=\"flag_hide_threshold\""), "{html}");
    let res = admin
        .post(
            "/admin/settings",
            &[
                ("site_name", "agora"),
                ("registration", "open"),
                ("flag_hide_threshold", "zero"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);

    let author = Member::join(&app, "asker").await;
    let question = author.ask("How large a batch fits on one GPU?").await;
    let res = author
        .comment(question, "Adding detail: it is a 24 GB card.")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let comment = super::id_after(&location(&res), "#comment-");
    let reporter = trusted_member(&app, "trusty", 20).await;
    let res = reporter.flag("comment", comment, "off_topic", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        comment_status(&app, comment).await,
        "hidden",
        "one flag is enough now"
    );

    // Hidden comments stay visible to their author (with the note), not to others.
    let slug_url = sqlx::query_scalar::<_, String>("SELECT slug FROM posts WHERE id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("slug");
    let page = format!("/questions/{question}/{slug_url}");
    let (_, html) = reporter.get(&page).await;
    assert!(
        !html.contains(&format!("id=\"comment-{comment}\"")),
        "{html}"
    );
    let (_, html) = author.get(&page).await;
    assert!(html.contains(&format!("id=\"comment-{comment}\"")));
    assert!(html.contains("Hidden pending review"));
}

#[tokio::test]
async fn staff_flags_always_count_and_flagging_is_rate_limited() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let question = author.ask("Does flash attention help on older GPUs?").await;
    for name in ["trusty1", "trusty2"] {
        let member = trusted_member(&app, name, 15).await;
        member.flag("post", question, "spam", "").await;
    }
    assert_eq!(post_status(&app, question).await, "published");
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let res = moderator.flag("post", question, "spam", "").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        post_status(&app, question).await,
        "hidden",
        "a moderator with 1 reputation still counts"
    );

    let busy = Member::join(&app, "busy").await;
    let other = author.ask("Another question to flag, for the budget").await;
    for _ in 0..30 {
        sqlx::query("INSERT INTO rate_limit_hits (bucket, at) VALUES ($1, $2)")
            .bind(format!("flag:user:{}", busy.id))
            .bind(agora::db::now())
            .execute(app.db.writer())
            .await
            .expect("hit");
    }
    let res = busy.flag("post", other, "spam", "").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().contains_key("retry-after"));
}

/// A member whose flags count toward hiding: trust level 2 and `reputation`.
async fn trusted_member(app: &crate::helpers::TestApp, name: &str, reputation: i64) -> Member {
    let member = Member::with(app, name, Role::Member, reputation).await;
    sqlx::query("UPDATE users SET trust_level = 2 WHERE id = $1")
        .bind(member.id)
        .execute(app.db.writer())
        .await
        .expect("trust level");
    member
}
