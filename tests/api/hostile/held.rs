//! Held content tells nobody until review publishes it: an answer and a comment a hold rule keeps
//! back send the asker, the post's author and the people they mention nothing; approval sends it all.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, TestApp};
use crate::member::{id_after, Member};
use crate::rules::add_rule;
use agora::domain::Role;

async fn notifications(app: &TestApp, user_id: i64, kind: &str) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE user_id = $1 AND kind = $2")
        .bind(user_id)
        .bind(kind)
        .fetch_one(app.db.reader())
        .await
        .expect("count")
}

#[tokio::test]
async fn held_answers_and_comments_notify_only_when_approved() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let asker = Member::join(&app, "asker").await;
    let carol = Member::join(&app, "carol").await;
    let spammer = Member::with(&app, "spammer", Role::Member, 50).await;
    add_rule(
        &admin,
        &app,
        &[
            ("kind", "regex"),
            ("description", "Messenger handles are reviewed first."),
            ("pattern", r"(?i)\bwhatsapp\b"),
            ("action", "hold"),
        ],
    )
    .await;
    let question = asker.ask("Which optimiser for a 7B fine-tune?").await;

    let res = spammer
        .post(
            &format!("/questions/{question}/answers"),
            &[("body", "Ask @carol or me on WhatsApp for the answer.")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let answer = id_after(&location(&res), "#answer-");
    let res = spammer
        .comment(question, "@carol reach me on WhatsApp")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let comment = id_after(&location(&res), "#comment-");

    assert_eq!(notifications(&app, asker.id, "answer").await, 0);
    assert_eq!(notifications(&app, asker.id, "comment").await, 0);
    assert_eq!(notifications(&app, carol.id, "mention").await, 0);
    let (_, page) = carol.get("/notifications").await;
    assert!(!page.contains("spammer"), "nothing about held content");
    let (_, page) = asker.get(&format!("/questions/{question}")).await;
    assert!(
        !page.contains("reach me on WhatsApp"),
        "held comment unseen"
    );

    let res = admin
        .post(&format!("/admin/posts/{answer}/approve"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(notifications(&app, asker.id, "answer").await, 1);
    assert_eq!(notifications(&app, carol.id, "mention").await, 1);
    let res = admin
        .post(&format!("/admin/comments/{comment}/approve"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(notifications(&app, asker.id, "comment").await, 1);
    assert_eq!(notifications(&app, carol.id, "mention").await, 2);
    let (_, page) = carol.get("/notifications").await;
    assert!(page.contains("spammer"), "told once approved");

    // Approving again (already published) tells nobody twice.
    admin
        .post(&format!("/admin/comments/{comment}/approve"), &[])
        .await;
    assert_eq!(notifications(&app, carol.id, "mention").await, 2);
}

#[tokio::test]
async fn a_held_edit_of_a_comment_mentions_nobody() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let carol = Member::join(&app, "carol").await;
    let author = Member::with(&app, "author", Role::Member, 50).await;
    let question = author.ask("Where do LoRA adapters get merged?").await;
    let res = author.comment(question, "Into the base weights.").await;
    let comment = id_after(&location(&res), "#comment-");
    add_rule(
        &admin,
        &app,
        &[
            ("kind", "regex"),
            ("description", "Messenger handles are reviewed first."),
            ("pattern", r"(?i)\bwhatsapp\b"),
            ("action", "hold"),
        ],
    )
    .await;
    let res = author
        .post(
            &format!("/comments/{comment}/edit"),
            &[("body", "@carol on WhatsApp")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "edit saved");
    let status: String = sqlx::query_scalar("SELECT status FROM comments WHERE id = $1")
        .bind(comment)
        .fetch_one(app.db.reader())
        .await
        .expect("status");
    assert_eq!(status, "pending", "the edit is held");
    assert_eq!(notifications(&app, carol.id, "mention").await, 0);
}
