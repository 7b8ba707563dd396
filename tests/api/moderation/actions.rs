//! Staff actions on posts and comments: each changes the state, writes an audit row and tells the
//! author; closed questions refuse answers and locked posts refuse comments, saying why.
use reqwest::StatusCode;

use super::{app, audit_rows, comment_status, moderation_notices, post_status, Member};
use crate::helpers::location;
use agora::domain::Role;

async fn question_page(app: &crate::helpers::TestApp, id: i64) -> String {
    let slug: String = sqlx::query_scalar("SELECT slug FROM posts WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("slug");
    format!("/questions/{id}/{slug}")
}

#[tokio::test]
async fn each_post_action_changes_state_logs_and_notifies() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let question = author.ask("How do I shard a 70B model across GPUs?").await;
    let reader = app.new_browser().0;
    let page = question_page(&app, question).await;

    let steps: [(&str, &str, &str); 4] = [
        ("hide", "hide_post", "hidden"),
        ("unhide", "unhide_post", "published"),
        ("delete", "delete_post", "deleted"),
        ("restore", "restore_post", "published"),
    ];
    let mut notices = 0;
    for (action, logged, status) in steps {
        let res = moderator
            .post(
                &format!("/admin/posts/{question}/{action}"),
                &[("reason", "testing the tools")],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
        assert_eq!(post_status(&app, question).await, status, "{action}");
        assert_eq!(
            audit_rows(&app, logged, "post", question).await,
            1,
            "{action}"
        );
        notices += 1;
        assert_eq!(
            moderation_notices(&app, author.id).await,
            notices,
            "{action}"
        );
        let seen = reader
            .get(app.url(&page))
            .send()
            .await
            .expect("get")
            .status();
        let expected = if status == "published" {
            StatusCode::OK
        } else {
            StatusCode::NOT_FOUND
        };
        assert_eq!(seen, expected, "anonymous after {action}");
    }
    // Deleted content is kept.
    let body: String = sqlx::query_scalar("SELECT body_md FROM posts WHERE id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("body");
    assert!(body.contains("fine-tune"));

    // Pinning.
    let res = moderator
        .post(&format!("/admin/posts/{question}/pin"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let pinned: i64 = sqlx::query_scalar("SELECT pinned FROM posts WHERE id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("pinned");
    assert_eq!(pinned, 1);
    assert_eq!(audit_rows(&app, "pin_post", "post", question).await, 1);
    let newer = author.ask("A newer question that would come first").await;
    let (_, list) = author.get("/questions").await;
    let pinned_at = list.find("pinned-heading").expect("a pinned section");
    let pinned_item = list
        .find(&format!("/questions/{question}/"))
        .expect("listed");
    let newer_item = list.find(&format!("/questions/{newer}/")).expect("listed");
    assert!(
        pinned_at < pinned_item && pinned_item < newer_item,
        "{list}"
    );
    let res = moderator
        .post(&format!("/admin/posts/{question}/unpin"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(audit_rows(&app, "unpin_post", "post", question).await, 1);

    // The moderation page shows the post and its tools; unknown actions are 404s.
    let (status, html) = moderator.get(&format!("/admin/posts/{question}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/admin/posts/{question}/close")),
        "{html}"
    );
    let res = moderator
        .post(&format!("/admin/posts/{question}/explode"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // The log page lists the decisions.
    let (_, log) = moderator.get("/admin/log?action=hide_post").await;
    assert!(log.contains("testing the tools"), "{log}");
    // The author's notifications say what happened.
    let (_, html) = author.get("/notifications").await;
    assert!(html.contains("hide post"), "{html}");
}

#[tokio::test]
async fn locked_posts_refuse_comments_with_a_clear_message() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let question = author.ask("Is RLHF still worth it for small models?").await;

    let res = moderator
        .post(
            &format!("/admin/posts/{question}/lock"),
            &[("reason", "flame war")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(audit_rows(&app, "lock_comments", "post", question).await, 1);
    assert_eq!(moderation_notices(&app, author.id).await, 1);

    let res = author
        .comment(question, "One more thought on this topic.")
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("locked"), "{html}");
    assert!(
        html.contains("One more thought on this topic."),
        "text kept"
    );
    let (_, html) = author.get(&question_page(&app, question).await).await;
    assert!(html.contains("comments-locked"), "{html}");

    let res = moderator
        .post(&format!("/admin/posts/{question}/unlock"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = author
        .comment(question, "One more thought on this topic.")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "comments open again");
}

#[tokio::test]
async fn closed_questions_refuse_answers_showing_the_reason() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let helper = Member::join(&app, "helper").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let original = author.ask("How do I load a GGUF model in Rust?").await;
    let question = author.ask("Loading GGUF models from Rust code?").await;

    // Closing as a duplicate needs the original; the form keeps what was typed.
    let res = moderator
        .post(
            &format!("/admin/posts/{question}/close"),
            &[("close_reason", "duplicate"), ("reason", "asked last week")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("original question"), "{html}");
    assert!(html.contains("asked last week"), "{html}");
    let res = moderator
        .post(
            &format!("/admin/posts/{question}/close"),
            &[
                ("close_reason", "duplicate"),
                ("duplicate_of", &question.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY, "not itself");

    let res = moderator
        .post(
            &format!("/admin/posts/{question}/close"),
            &[
                ("close_reason", "duplicate"),
                ("duplicate_of", &format!("/questions/{original}/how-do-i")),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        audit_rows(&app, "close_question", "post", question).await,
        1
    );
    assert_eq!(moderation_notices(&app, author.id).await, 1);
    let page = question_page(&app, question).await;
    let (_, html) = helper.get(&page).await;
    assert!(html.contains("duplicate of another question"), "{html}");
    assert!(
        html.contains(&format!("href=\"/questions/{original}\"")),
        "{html}"
    );

    let res = helper
        .post(
            &format!("/questions/{question}/answers"),
            &[("body", "Try the candle crate.")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("This question is closed"), "{html}");
    assert!(html.contains("Try the candle crate."), "text kept: {html}");

    // Closing an answer is refused; reopening lets answers in again.
    let answer = helper.answer(original).await;
    let res = moderator
        .post(
            &format!("/admin/posts/{answer}/close"),
            &[("close_reason", "off_topic")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let res = moderator
        .post(&format!("/admin/posts/{question}/reopen"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        audit_rows(&app, "reopen_question", "post", question).await,
        1
    );
    helper.answer(question).await;
}

#[tokio::test]
async fn a_hidden_answer_stays_visible_to_its_author_and_staff_only() {
    let app = app().await;
    let asker = Member::join(&app, "asker").await;
    let helper = Member::join(&app, "helper").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let question = asker.ask("Why is my tokenizer so slow on CJK text?").await;
    let answer = helper.answer(question).await;
    let res = moderator
        .post(
            &format!("/admin/posts/{answer}/hide"),
            &[("reason", "check")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let page = question_page(&app, question).await;
    let marker = format!("id=\"answer-{answer}\"");
    let (_, html) = asker.get(&page).await;
    assert!(!html.contains(&marker), "others do not see it");
    for who in [&helper, &moderator] {
        let (_, html) = who.get(&page).await;
        assert!(html.contains(&marker), "{html}");
        assert!(html.contains("Hidden pending review"));
    }
    let count: i64 = sqlx::query_scalar("SELECT answer_count FROM posts WHERE id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 0, "a hidden answer is not counted");
}

#[tokio::test]
async fn comment_actions_change_state_log_and_notify() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let question = author.ask("What learning rate for LoRA on 7B?").await;
    let res = author.comment(question, "Context: it is Llama 2.").await;
    let comment = super::id_after(&location(&res), "#comment-");

    for (action, logged, status) in [
        ("hide", "hide_comment", "hidden"),
        ("unhide", "unhide_comment", "published"),
        ("delete", "delete_comment", "deleted"),
        ("restore", "restore_comment", "published"),
    ] {
        let res = moderator
            .post(&format!("/admin/comments/{comment}/{action}"), &[])
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{action}");
        assert_eq!(comment_status(&app, comment).await, status, "{action}");
        assert_eq!(audit_rows(&app, logged, "comment", comment).await, 1);
    }
    assert_eq!(moderation_notices(&app, author.id).await, 4);
    let count: i64 = sqlx::query_scalar("SELECT comment_count FROM posts WHERE id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 1, "the comment counts again after restoring");
}
