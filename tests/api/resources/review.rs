//! Pending submissions, review by moderators (audit rows and notifications), trusted submitters,
//! and who may open the review routes.
use reqwest::StatusCode;

use super::{paper, resource_status, submit_ok};
use crate::helpers::location;
use crate::moderation::{app, audit_rows, moderation_notices, Member};
use agora::domain::Role;

#[tokio::test]
async fn a_submission_waits_for_review_then_is_listed_searchable_and_votable() {
    let app = app().await;
    let author = Member::join(&app, "curator").await;
    let reader = Member::with(&app, "reader", Role::Member, 5).await;
    let voter = Member::with(&app, "voter", Role::Member, 20).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let anonymous = app.new_browser().0;

    let id = submit_ok(
        &author,
        &paper(
            "LoRA: Low-Rank Adaptation of Large Language Models",
            "https://arxiv.org/abs/2106.09685",
            &[("identifier", "arXiv:2106.09685v2")],
        ),
    )
    .await;
    assert_eq!(resource_status(&app, id).await, "pending");

    // Pending: not listed, not searchable; the author and staff see it, nobody else.
    let (_, list) = app.get_html("/resources").await;
    assert!(
        !list.contains("LoRA: Low-Rank"),
        "pending entry is not listed"
    );
    let path = format!("/resources/{id}");
    let res = anonymous.get(app.url(&path)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    assert_eq!(reader.get(&path).await.0, StatusCode::NOT_FOUND);
    let (status, html) = author.get(&path).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("LoRA: Low-Rank"));
    assert!(
        html.contains("arXiv:2106.09685"),
        "identifier shown in canonical form"
    );
    let (_, mine) = author.get("/resources").await;
    assert!(
        mine.contains("LoRA: Low-Rank"),
        "the author sees their pending entry"
    );
    assert_eq!(moderator.get(&path).await.0, StatusCode::OK);
    let (_, found) = app.get_html("/search?q=LoRA&kind=resource").await;
    assert!(!found.contains(&path), "pending entry is not searchable");

    // The moderator sees it on /admin/resources and approves it.
    let (status, admin) = moderator.get("/admin/resources").await;
    assert_eq!(status, StatusCode::OK);
    assert!(admin.contains(&format!("pending-resource-{id}")));
    let res = moderator
        .post(&format!("/admin/resources/{id}/approve"), &[("reason", "")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(resource_status(&app, id).await, "approved");
    assert_eq!(
        audit_rows(&app, "approve_resource", "resource", id).await,
        1
    );
    assert_eq!(moderation_notices(&app, author.id).await, 1);
    let (_, notices) = author.get("/notifications").await;
    assert!(
        notices.contains("LoRA"),
        "the notification names the resource"
    );
    // A second decision on the same entry is refused.
    let res = moderator
        .post(
            &format!("/admin/resources/{id}/reject"),
            &[("reason", "late")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);

    // Approved: listed, readable by anyone, searchable (its own tab and page one of "All").
    let (_, list) = app.get_html("/resources").await;
    assert!(list.contains("LoRA: Low-Rank"));
    let res = anonymous.get(app.url(&path)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let (_, found) = app.get_html("/search?q=LoRA&kind=resource").await;
    assert!(
        found.contains(&path),
        "approved entry found on the Resources tab"
    );
    let (_, found) = app.get_html("/search?q=adapters").await;
    assert!(found.contains(&path), "approved entry found on the All tab");

    // Votes: a member with the privilege votes; the author cannot vote on their own entry.
    let res = voter
        .post(
            "/votes",
            &[
                ("target_kind", "resource"),
                ("target_id", &id.to_string()),
                ("value", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), path);
    let score: i64 = sqlx::query_scalar("SELECT score FROM resources WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("score");
    assert_eq!(score, 1);
    let own = author
        .post(
            "/votes",
            &[
                ("target_kind", "resource"),
                ("target_id", &id.to_string()),
                ("value", "1"),
            ],
        )
        .await;
    assert_eq!(own.status(), StatusCode::FORBIDDEN);
    let author_reputation: i64 = sqlx::query_scalar("SELECT reputation FROM users WHERE id = $1")
        .bind(author.id)
        .fetch_one(app.db.reader())
        .await
        .expect("reputation");
    assert_eq!(author_reputation, 1, "resources earn no reputation");
}

#[tokio::test]
async fn trusted_members_and_staff_are_listed_at_once() {
    let app = app().await;
    let trusted = Member::with(&app, "veteran", Role::Member, 200).await;
    let almost = Member::with(&app, "almost", Role::Member, 199).await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let a = submit_ok(
        &trusted,
        &paper(
            "Attention Is All You Need",
            "https://arxiv.org/abs/1706.03762",
            &[],
        ),
    )
    .await;
    let b = submit_ok(
        &almost,
        &paper(
            "Deep Residual Learning",
            "https://arxiv.org/abs/1512.03385",
            &[],
        ),
    )
    .await;
    let c = submit_ok(
        &admin,
        &paper(
            "Adam: A Method for Stochastic Optimization",
            "https://arxiv.org/abs/1412.6980",
            &[],
        ),
    )
    .await;
    assert_eq!(resource_status(&app, a).await, "approved");
    assert_eq!(resource_status(&app, b).await, "pending");
    assert_eq!(resource_status(&app, c).await, "approved");
    let (_, list) = app.get_html("/resources").await;
    assert!(list.contains("Attention Is All You Need"));
    assert!(list.contains("Adam: A Method"));
    assert!(!list.contains("Deep Residual Learning"));
    // Listed at once also means searchable at once.
    let (_, found) = app.get_html("/search?q=attention&kind=resource").await;
    assert!(found.contains(&format!("/resources/{a}")));
    // `agora reindex` keeps listed resources in the index and pending ones out.
    agora::search::reindex_all(&app.db).await.expect("reindex");
    let (_, found) = app.get_html("/search?q=attention&kind=resource").await;
    assert!(found.contains(&format!("/resources/{a}")));
    let (_, found) = app.get_html("/search?q=residual&kind=resource").await;
    assert!(!found.contains(&format!("/resources/{b}")));
}

#[tokio::test]
async fn rejecting_needs_a_reason_is_logged_and_told_to_the_submitter() {
    let app = app().await;
    let author = Member::join(&app, "hopeful").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let id = submit_ok(
        &author,
        &paper("My startup's landing page", "https://example.com/buy", &[]),
    )
    .await;
    let res = moderator
        .post(&format!("/admin/resources/{id}/reject"), &[("reason", "")])
        .await;
    assert_eq!(
        res.status(),
        StatusCode::BAD_REQUEST,
        "a reason is required"
    );
    assert_eq!(resource_status(&app, id).await, "pending");
    let res = moderator
        .post(
            &format!("/admin/resources/{id}/reject"),
            &[("reason", "advertising, not a resource")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(resource_status(&app, id).await, "rejected");
    assert_eq!(audit_rows(&app, "reject_resource", "resource", id).await, 1);
    assert_eq!(moderation_notices(&app, author.id).await, 1);
    let (_, notices) = author.get("/notifications").await;
    assert!(notices.contains("advertising, not a resource"));
    // The author still sees it, with the reason; it is not listed or searchable.
    let (status, html) = author.get(&format!("/resources/{id}")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("advertising, not a resource"));
    let (_, list) = app.get_html("/resources").await;
    assert!(!list.contains("landing page"));
    let (_, admin) = moderator.get("/admin/resources").await;
    assert!(!admin.contains(&format!("pending-resource-{id}")));
}

#[tokio::test]
async fn members_and_visitors_are_kept_out_of_resource_review() {
    let app = app().await;
    let author = Member::join(&app, "curator").await;
    let member = Member::with(&app, "member", Role::Member, 5000).await;
    let id = submit_ok(
        &author,
        &paper("Some paper title", "https://example.org/p", &[]),
    )
    .await;
    let anonymous = app.new_browser().0;

    let res = anonymous
        .get(app.url("/admin/resources"))
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
    assert_eq!(
        member.get("/admin/resources").await.0,
        StatusCode::FORBIDDEN
    );
    for action in [
        format!("/admin/resources/{id}/approve"),
        format!("/admin/resources/{id}/reject"),
        "/admin/resources/check-links".to_string(),
    ] {
        let res = member.post(&action, &[("reason", "because")]).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "member {action}");
    }
    assert_eq!(resource_status(&app, id).await, "pending");
    assert_eq!(
        audit_rows(&app, "approve_resource", "resource", id).await,
        0
    );
}

#[tokio::test]
async fn pending_resources_appear_in_the_moderation_queue() {
    let app = app().await;
    let author = Member::join(&app, "curator").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let id = submit_ok(
        &author,
        &paper("Queue visible paper", "https://example.org/q", &[]),
    )
    .await;
    let (status, html) = moderator.get("/admin/queue").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains(&format!("queue-resource-{id}")), "{html}");
    assert!(html.contains(&format!("/admin/resources/{id}/approve")));
}
