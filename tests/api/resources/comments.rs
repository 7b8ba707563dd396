//! Comments on listed resources: who may write them, the length limits and rules with the text kept,
//! held comments seen by their author only, and deletion by the author or staff (audited).
use reqwest::{Response, StatusCode};

use super::{paper, submit_ok};
use crate::helpers::{location, TestApp};
use crate::moderation::{app, audit_rows, id_after, Member};
use crate::rules::add_rule;
use agora::domain::Role;

/// A listed (approved) paper, submitted by a trusted member.
async fn listed_paper(app: &TestApp) -> (Member, i64) {
    let curator = Member::with(app, "curator", Role::Member, 250).await;
    let id = submit_ok(
        &curator,
        &paper(
            "Attention Is All You Need",
            "https://arxiv.org/abs/1706.03762",
            &[],
        ),
    )
    .await;
    (curator, id)
}

async fn comment(member: &Member, resource: i64, body: &str) -> Response {
    member
        .post(
            &format!("/resources/{resource}/comments"),
            &[("body", body)],
        )
        .await
}

async fn comment_ok(member: &Member, resource: i64, body: &str) -> i64 {
    let res = comment(member, resource, body).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "comment saved");
    id_after(&location(&res), "#resource-comment-")
}

async fn status_of(app: &TestApp, id: i64) -> String {
    sqlx::query_scalar("SELECT status FROM resource_comments WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("comment status")
}

async fn count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM resource_comments")
        .fetch_one(app.db.reader())
        .await
        .expect("comment count")
}

#[tokio::test]
async fn a_member_with_reputation_comments_on_a_listed_resource_and_everyone_sees_it() {
    let app = app().await;
    let (curator, id) = listed_paper(&app).await;
    let reader = Member::with(&app, "reader", Role::Member, 60).await;
    let newcomer = Member::with(&app, "newcomer", Role::Member, 5).await;

    let (_, page) = reader.get(&format!("/resources/{id}")).await;
    assert!(
        page.contains("resource-comment-form"),
        "the form is offered"
    );
    let comment_id = comment_ok(&reader, id, "The appendix on positional encodings helps.").await;
    let (status, page) = app.get_html(&format!("/resources/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&format!("resource-comment-{comment_id}")));
    assert!(page.contains("The appendix on positional encodings helps."));
    assert!(
        page.contains("href=\"/login\"") && !page.contains("resource-comment-form"),
        "visitors get a login link, not the form"
    );

    // Without the privilege: refused with the reason and the text kept; no form offered.
    let (_, page) = newcomer.get(&format!("/resources/{id}")).await;
    assert!(!page.contains("resource-comment-form"));
    let res = comment(&newcomer, id, "First post here, thanks for sharing").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("50 reputation") && html.contains("First post here, thanks for sharing"));

    // The submitter is told, with a link to the comment; their own comments tell nobody.
    let (_, notices) = curator.get("/notifications").await;
    assert!(
        notices.contains("reader commented on your resource"),
        "{notices}"
    );
    assert!(notices.contains(&format!("/resources/{id}#resource-comment-{comment_id}")));

    // The submitter may always comment on their own entry.
    comment_ok(&curator, id, "Glad it helps.").await;
    assert_eq!(count(&app).await, 2);
    let told: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM notifications WHERE kind = 'resource_comment'")
            .fetch_one(app.db.reader())
            .await
            .expect("notifications");
    assert_eq!(told, 1);
}

#[tokio::test]
async fn a_pending_resource_refuses_comments() {
    let app = app().await;
    let author = Member::join(&app, "author").await;
    let reader = Member::with(&app, "reader", Role::Member, 60).await;
    let id = submit_ok(
        &author,
        &paper("Pending paper", "https://example.org/pending", &[]),
    )
    .await;
    assert_eq!(
        comment(&author, id, "My own pending entry").await.status(),
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        comment(&reader, id, "Someone else's").await.status(),
        StatusCode::NOT_FOUND
    );
    let (_, page) = author.get(&format!("/resources/{id}")).await;
    assert!(!page.contains("resource-comment-form"));
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn too_long_or_empty_comments_are_refused_with_the_text_kept() {
    let app = app().await;
    let (_, id) = listed_paper(&app).await;
    let reader = Member::with(&app, "reader", Role::Member, 60).await;

    let long = "y".repeat(1001);
    let res = comment(&reader, id, &long).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("at most 1000 characters"));
    assert!(html.contains(&long), "the text is kept");

    let res = comment(&reader, id, "   ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("at least 2 characters"));

    // Exactly the limit is fine.
    comment_ok(&reader, id, &"z".repeat(1000)).await;
    assert_eq!(count(&app).await, 1);
}

#[tokio::test]
async fn a_banned_word_blocks_a_comment_naming_the_rule_and_a_hold_keeps_it_for_its_author() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let (_, id) = listed_paper(&app).await;
    let reader = Member::with(&app, "reader", Role::Member, 60).await;
    let other = Member::with(&app, "other", Role::Member, 60).await;
    add_rule(
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

    let res = comment(&reader, id, "Best casino bonuses inside").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("No gambling advertising."), "names the rule");
    assert!(
        html.contains("Best casino bonuses inside"),
        "keeps the text"
    );
    assert_eq!(count(&app).await, 0);

    let held = comment_ok(&reader, id, "Ask me on WhatsApp").await;
    assert_eq!(status_of(&app, held).await, "pending");
    let (_, mine) = reader.get(&format!("/resources/{id}")).await;
    assert!(mine.contains("Ask me on WhatsApp") && mine.contains("Held for review"));
    let (_, theirs) = other.get(&format!("/resources/{id}")).await;
    assert!(!theirs.contains("Ask me on WhatsApp"), "held from others");

    // The held comment waits in the moderation queue; approving it publishes it, audited.
    let (_, queue) = admin.get("/admin/queue").await;
    assert!(queue.contains("Ask me on WhatsApp"), "listed for review");
    assert!(queue.contains(&format!("/admin/resource-comments/{held}/approve")));
    let res = other
        .post(&format!("/admin/resource-comments/{held}/approve"), &[])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "members cannot approve"
    );
    let res = admin
        .post(&format!("/admin/resource-comments/{held}/approve"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, held).await, "published");
    let (_, theirs) = other.get(&format!("/resources/{id}")).await;
    assert!(
        theirs.contains("Ask me on WhatsApp"),
        "published after review"
    );
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mod_actions WHERE action = 'approve_resource_comment'",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn authors_delete_their_comments_others_cannot_and_staff_deletions_are_audited() {
    let app = app().await;
    let (_, id) = listed_paper(&app).await;
    let writer = Member::with(&app, "writer", Role::Member, 60).await;
    let other = Member::with(&app, "other", Role::Member, 9999).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;

    let first = comment_ok(&writer, id, "A first remark to delete").await;
    let second = comment_ok(&writer, id, "A second remark for staff").await;

    let res = other
        .post(&format!("/resource-comments/{first}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(status_of(&app, first).await, "published");

    let res = writer
        .post(&format!("/resource-comments/{first}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/resources/{id}"));
    assert_eq!(status_of(&app, first).await, "deleted");
    assert_eq!(
        audit_rows(&app, "delete_resource_comment", "resource_comment", first).await,
        0,
        "deleting your own comment is not a moderation action"
    );

    let res = moderator
        .post(&format!("/resource-comments/{second}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(status_of(&app, second).await, "deleted");
    assert_eq!(
        audit_rows(&app, "delete_resource_comment", "resource_comment", second).await,
        1
    );

    let (_, page) = app.get_html(&format!("/resources/{id}")).await;
    assert!(!page.contains("A first remark") && !page.contains("A second remark"));
    // Gone is gone.
    let res = writer
        .post(&format!("/resource-comments/{first}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn visitors_cannot_comment() {
    let app = app().await;
    let (_, id) = listed_paper(&app).await;
    let (visitor, _) = app.new_browser();
    let res = visitor
        .post(app.url(&format!("/resources/{id}/comments")))
        .form(&[("body", "Drive-by remark")])
        .send()
        .await
        .expect("post");
    let status = res.status();
    assert!(
        status == StatusCode::FORBIDDEN
            || (status == StatusCode::SEE_OTHER && location(&res).starts_with("/login")),
        "refused: {status}"
    );
    assert_eq!(count(&app).await, 0);
}

#[tokio::test]
async fn silenced_members_are_refused_and_comment_rate_limits_apply() {
    let app = app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let (_, id) = listed_paper(&app).await;
    let quiet = Member::with(&app, "quiet", Role::Member, 60).await;
    let res = moderator
        .post(
            &format!("/admin/users/{}/silence", quiet.id),
            &[("days", "2"), ("reason", "cool down")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = comment(&quiet, id, "Silenced remark").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("silenced until") && html.contains("Silenced remark"));

    // A comment rate limit counts resource comments like post comments.
    add_rule(
        &admin,
        &app,
        &[
            ("kind", "rate_limit"),
            ("description", "At most 2 comments an hour."),
            ("max_count", "2"),
            ("window_secs", "3600"),
            ("applies_to", "comment"),
            ("scope", "user"),
            ("action", "block"),
        ],
    )
    .await;
    let busy = Member::with(&app, "busy", Role::Member, 60).await;
    comment_ok(&busy, id, "First remark").await;
    comment_ok(&busy, id, "Second remark").await;
    let res = comment(&busy, id, "Third remark kept").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
    let html = res.text().await.expect("body");
    assert!(html.contains("At most 2 comments an hour.") && html.contains("Third remark kept"));
    assert_eq!(count(&app).await, 2);
}
