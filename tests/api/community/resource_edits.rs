//! Editable resource listings: the submitter and staff edit an entry with a revision log (who, when,
//! what); an edit by a member below the trust threshold sends it back to review; others may not.
use reqwest::StatusCode;

use crate::helpers::{spawn_app, TestApp};
use crate::member::Member;
use crate::resources::{paper, resource_status, submit_ok};
use agora::domain::Role;

fn edit_fields(fields: &[(String, String)]) -> Vec<(&str, &str)> {
    fields
        .iter()
        .map(|(n, v)| (n.as_str(), v.as_str()))
        .collect()
}

async fn approve(app: &TestApp, staff: &Member, id: i64) {
    let res = staff
        .post(&format!("/admin/resources/{id}/approve"), &[("reason", "")])
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    assert_eq!(resource_status(app, id).await, "approved");
}

#[tokio::test]
async fn an_untrusted_submitters_edit_goes_back_to_review_with_a_revision_logged() {
    let app = spawn_app().await;
    let mod_ = Member::with(&app, "mod", Role::Moderator, 1).await;
    let newbie = Member::join(&app, "newbie").await;
    let id = submit_ok(
        &newbie,
        &paper("LoRA paper", "https://arxiv.org/abs/2106.09685", &[]),
    )
    .await;
    approve(&app, &mod_, id).await;

    let (status, form) = newbie.get(&format!("/resources/{id}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("value=\"LoRA paper\""), "the form is filled");

    let fields = paper(
        "LoRA: Low-Rank Adaptation",
        "https://arxiv.org/abs/2106.09685",
        &[],
    );
    let res = newbie
        .post(&format!("/resources/{id}/edit"), &edit_fields(&fields))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(resource_status(&app, id).await, "pending", "back to review");
    let page = mod_.get(&format!("/resources/{id}")).await.1;
    assert!(page.contains("LoRA: Low-Rank Adaptation"));
    assert!(
        page.contains("newbie") && page.contains("title") && page.contains("sent back to review"),
        "{page}"
    );
    // Not listed while it waits.
    assert!(!app
        .get_html("/resources")
        .await
        .1
        .contains("LoRA: Low-Rank Adaptation"));
}

#[tokio::test]
async fn staff_edits_keep_the_entry_listed_and_others_may_not_edit() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "root", Role::Admin, 1).await;
    let trusted = Member::with(&app, "trusted", Role::Member, 500).await;
    let other = Member::join(&app, "other").await;
    let id = submit_ok(
        &trusted,
        &paper("Attention paper", "https://arxiv.org/abs/1706.03762", &[]),
    )
    .await;
    assert_eq!(resource_status(&app, id).await, "approved");

    let fields = paper(
        "Attention Is All You Need",
        "https://arxiv.org/abs/1706.03762",
        &[],
    );
    let res = admin
        .post(&format!("/resources/{id}/edit"), &edit_fields(&fields))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resource_status(&app, id).await,
        "approved",
        "a staff edit stays listed"
    );
    let res = trusted
        .post(&format!("/resources/{id}/edit"), &edit_fields(&fields))
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        resource_status(&app, id).await,
        "approved",
        "a trusted submitter's too"
    );
    let revisions: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM resource_revisions WHERE resource_id = $1")
            .bind(id)
            .fetch_one(app.db.reader())
            .await
            .expect("count");
    assert_eq!(revisions, 2);

    assert_eq!(
        other.get(&format!("/resources/{id}/edit")).await.0,
        StatusCode::FORBIDDEN
    );
    let res = other
        .post(&format!("/resources/{id}/edit"), &edit_fields(&fields))
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_bad_edit_comes_back_with_the_text_kept() {
    let app = spawn_app().await;
    let trusted = Member::with(&app, "trusted", Role::Member, 500).await;
    let first = submit_ok(
        &trusted,
        &paper("Paper one", "https://example.org/one", &[]),
    )
    .await;
    submit_ok(
        &trusted,
        &paper("Paper two", "https://example.org/two", &[]),
    )
    .await;
    let fields = paper("Paper one, renamed", "not a url", &[]);
    let res = trusted
        .post(&format!("/resources/{first}/edit"), &edit_fields(&fields))
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("Paper one, renamed"));
    let fields = paper("Paper one", "https://example.org/two", &[]);
    let res = trusted
        .post(&format!("/resources/{first}/edit"), &edit_fields(&fields))
        .await;
    assert_eq!(
        res.status(),
        StatusCode::CONFLICT,
        "another entry holds the address"
    );
    assert_eq!(resource_status(&app, first).await, "approved");
}
