//! Revisions are paged (a post edited hundreds of times opens its history 50 at a time) and staff
//! can redact a revision's text: gone from the page and the database, the redaction audited and
//! shown as such; members cannot.
use reqwest::StatusCode;

use crate::helpers::spawn_app;
use crate::member::Member;
use agora::domain::Role;

#[tokio::test]
async fn revisions_come_fifty_a_page_and_staff_redact_one_with_an_audit_row() {
    let app = spawn_app().await;
    let author = Member::join(&app, "author").await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let reader = Member::with(&app, "reader", Role::Member, 5000).await;
    let id = author
        .write_article("Notes that keep changing", false)
        .await;
    let edit = |body: String| {
        let author = &author;
        async move {
            let res = author
                .post(
                    &format!("/articles/{id}/edit"),
                    &[
                        ("title", "Notes that keep changing"),
                        ("body", body.as_str()),
                        ("tags", "transformers"),
                    ],
                )
                .await;
            assert_eq!(res.status(), StatusCode::SEE_OTHER, "edit saved");
        }
    };
    edit("My API key is sk-secret-0000 oops".to_string()).await;
    for n in 3..=120 {
        edit(format!("Revision number {n} of the notes.")).await;
    }
    let history = format!("/articles/{id}/revisions");

    // 120 revisions: the latest page holds 101-120; page 1 holds 1-50.
    let (status, html) = reader.get(&history).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(html.matches("<li value=").count(), 20, "the last page");
    assert!(html.contains("rel=\"prev\""));
    let (_, html) = reader.get(&format!("{history}?page=1")).await;
    assert_eq!(html.matches("<li value=").count(), 50);
    assert!(html.contains("rel=\"next\""));
    let (_, html) = reader.get(&format!("{history}?from=1&to=2")).await;
    assert!(html.contains("sk-secret-0000"), "the diff shows revision 2");

    // A member cannot redact; staff can, once.
    let path = format!("/admin/posts/{id}/revisions/2/redact");
    let res = reader.post(&path, &[("reason", "mine")]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = moderator.post(&path, &[("reason", "leaked API key")]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = moderator.post(&path, &[("reason", "again")]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "already redacted");

    let (_, html) = reader.get(&format!("{history}?from=1&to=2")).await;
    assert!(
        !html.contains("sk-secret-0000"),
        "the text is gone from the page"
    );
    assert!(
        html.contains("Redacted by staff"),
        "and the redaction is shown"
    );
    let stored: i64 =
        sqlx::query_scalar("SELECT COUNT(*) FROM post_revisions WHERE body_md LIKE '%sk-secret%'")
            .fetch_one(app.db.reader())
            .await
            .expect("count");
    assert_eq!(stored, 0, "and from the database");
    let audit: (i64, String, String) = sqlx::query_as(
        "SELECT actor_id, reason, detail FROM mod_actions WHERE action = 'redact_revision'",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("audited");
    assert_eq!(
        audit,
        (
            moderator.id,
            "leaked API key".to_string(),
            "revision 2".to_string()
        )
    );
}
