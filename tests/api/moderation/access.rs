//! Who may open the moderation routes: staff only; members get 403, visitors are sent to log in, and
//! nothing changes either way.
use reqwest::StatusCode;

use super::{app, post_status, Member};
use crate::helpers::location;
use agora::domain::Role;

#[tokio::test]
async fn members_and_visitors_are_kept_out_of_every_moderation_route() {
    let app = app().await;
    let author = Member::join(&app, "asker").await;
    let member = Member::with(&app, "member", Role::Member, 5000).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let question = author.ask("Which vector database for 10M rows?").await;
    let res = author.comment(question, "Rows are 768-dim.").await;
    let comment = super::id_after(&location(&res), "#comment-");
    let anonymous = app.new_browser().0;

    let pages = [
        "/admin/queue".to_string(),
        "/admin/flags".to_string(),
        format!("/admin/posts/{question}"),
    ];
    for path in &pages {
        let res = anonymous.get(app.url(path)).send().await.expect("get");
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "anonymous {path}");
        assert!(location(&res).starts_with("/login"), "anonymous {path}");
        assert_eq!(
            member.get(path).await.0,
            StatusCode::FORBIDDEN,
            "member {path}"
        );
        assert_eq!(
            moderator.get(path).await.0,
            StatusCode::OK,
            "moderator {path}"
        );
    }

    let mut actions: Vec<(String, Vec<(&str, &str)>)> = Vec::new();
    for action in [
        "approve", "hide", "unhide", "delete", "restore", "lock", "unlock", "pin", "unpin",
        "reopen",
    ] {
        actions.push((format!("/admin/posts/{question}/{action}"), vec![]));
    }
    actions.push((
        format!("/admin/posts/{question}/close"),
        vec![("close_reason", "off_topic")],
    ));
    for action in ["approve", "hide", "unhide", "delete", "restore"] {
        actions.push((format!("/admin/comments/{comment}/{action}"), vec![]));
    }
    for action in ["spammer", "restore_content", "unsilence", "dismiss_flags"] {
        actions.push((format!("/admin/users/{}/{action}", author.id), vec![]));
    }
    actions.push((
        format!("/admin/users/{}/silence", author.id),
        vec![("days", "3"), ("reason", "x")],
    ));
    for (path, fields) in &actions {
        let res = member.post(path, fields).await;
        assert_eq!(res.status(), StatusCode::FORBIDDEN, "member {path}");
        let res = anonymous
            .post(app.url(path))
            .form(fields)
            .send()
            .await
            .expect("post");
        assert!(
            matches!(res.status(), StatusCode::FORBIDDEN | StatusCode::SEE_OTHER),
            "anonymous {path}: {}",
            res.status()
        );
    }
    assert_eq!(post_status(&app, question).await, "published");
    let audit: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mod_actions")
        .fetch_one(app.db.reader())
        .await
        .expect("audit");
    assert_eq!(audit, 0, "nothing was done");
    let flag_link = author.get("/admin/queue").await.0;
    assert_eq!(flag_link, StatusCode::FORBIDDEN);
}
