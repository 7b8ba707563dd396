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

#[tokio::test]
async fn a_moderator_cannot_act_on_an_admin_another_moderator_or_themself() {
    let app = app().await;
    let admin = Member::with(&app, "boss", Role::Admin, 1).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let other = Member::with(&app, "modtwo", Role::Moderator, 1).await;
    let member = Member::join(&app, "plain").await;
    let actions: [(&str, Vec<(&str, &str)>); 6] = [
        ("silence", vec![("days", "3"), ("reason", "calm down")]),
        ("unsilence", vec![("reason", "fine")]),
        ("dismiss_flags", vec![("reason", "no")]),
        ("suspend", vec![("days", "3"), ("reason", "calm down")]),
        ("unsuspend", vec![("reason", "fine")]),
        ("trust", vec![("level", "4"), ("reason", "promote")]),
    ];
    for target in [&admin, &other, &moderator] {
        for (action, fields) in &actions {
            let path = format!("/admin/users/{}/{action}", target.id);
            let res = moderator.post(&path, fields).await;
            assert_eq!(
                res.status(),
                StatusCode::FORBIDDEN,
                "moderator {action} on {}",
                target.name
            );
        }
    }
    let audited: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM mod_actions WHERE actor_id = $1")
        .bind(moderator.id)
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(audited, 0, "nothing was done, so nothing is audited");

    // On a member the same actions go through, and an admin may act on a moderator.
    for (action, fields) in &actions {
        let path = format!("/admin/users/{}/{action}", member.id);
        let res = moderator.post(&path, fields).await;
        assert_eq!(
            res.status(),
            StatusCode::SEE_OTHER,
            "moderator {action} on a member"
        );
    }
    let res = admin
        .post(
            &format!("/admin/users/{}/silence", other.id),
            &[("days", "1"), ("reason", "cool off")],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "admin silences a moderator"
    );
}
