//! The route x role matrix: every page, opened by a visitor, a trust-level-0 newcomer, an
//! established member, a moderator, an admin and a suspended member, gets the status each must get.
//! (POST routes are checked per feature: tests/api/moderation/access.rs and friends.)
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, TestApp, PASSWORD};
use crate::posts::{answer, ask, user_id, write_article};
use agora::domain::Role;

#[derive(Clone, Copy, Debug, PartialEq)]
enum Who {
    Visitor,
    Newcomer,
    Member,
    Moderator,
    Admin,
    Suspended,
}

const EVERYONE: [Who; 6] = [
    Who::Visitor,
    Who::Newcomer,
    Who::Member,
    Who::Moderator,
    Who::Admin,
    Who::Suspended,
];

#[derive(Clone, Copy)]
enum Access {
    /// Anyone gets 200.
    Public,
    /// Signed-in users get 200; visitors (and the suspended, whose sessions ended) go to log in.
    SignedIn,
    /// Moderators and admins; members 403; visitors to log in.
    Staff,
    /// Admins only; moderators and members 403.
    AdminOnly,
    /// Log-in and sign-up: signed-in users are sent home.
    VisitorsOnly,
}

fn expected(access: Access, who: Who) -> StatusCode {
    let signed_in = !matches!(who, Who::Visitor | Who::Suspended);
    match (access, who) {
        (Access::Public, _) => StatusCode::OK,
        (Access::VisitorsOnly, _) if signed_in => StatusCode::SEE_OTHER,
        (Access::VisitorsOnly, _) => StatusCode::OK,
        (_, _) if !signed_in => StatusCode::SEE_OTHER,
        (Access::SignedIn, _) => StatusCode::OK,
        (Access::Staff, Who::Moderator | Who::Admin) => StatusCode::OK,
        (Access::AdminOnly, Who::Admin) => StatusCode::OK,
        _ => StatusCode::FORBIDDEN,
    }
}

async fn browser_for(app: &TestApp, who: Who) -> reqwest::Client {
    let (client, _) = app.new_browser();
    if who == Who::Visitor {
        return client;
    }
    let name = format!("{who:?}").to_lowercase();
    let res = app
        .register_in(&client, &name, &format!("{name}@example.com"), PASSWORD)
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "{name} signs up");
    let id = user_id(app, &name).await;
    let (role, trust, reputation) = match who {
        Who::Newcomer => (Role::Member, 0, 1),
        Who::Moderator => (Role::Moderator, 2, 1),
        Who::Admin => (Role::Admin, 2, 1),
        _ => (Role::Member, 2, 300),
    };
    agora::db::users::set_role(&app.db, id, role)
        .await
        .expect("role");
    sqlx::query("UPDATE users SET trust_level = $1, reputation = $2 WHERE id = $3")
        .bind(trust)
        .bind(reputation)
        .bind(id)
        .execute(app.db.writer())
        .await
        .expect("trust level");
    if who == Who::Suspended {
        agora::db::users::suspend(&app.db, id, agora::db::now() + 86_400, "testing")
            .await
            .expect("suspend");
    }
    client
}

#[tokio::test]
async fn every_page_answers_each_role_as_it_must() {
    let app = spawn_app().await;
    app.sign_up("author").await;
    let (article, article_url) =
        write_article(&app, "A public article", "Body.", "misc", false).await;
    let (question, question_url) = ask(&app, "A public question?", "Body.", "misc").await;
    answer(&app, &question_url, question, "An answer.").await;
    let author = user_id(&app, "author").await;
    let routes: Vec<(String, Access)> = vec![
        ("/".into(), Access::Public),
        ("/healthz".into(), Access::Public),
        ("/articles".into(), Access::Public),
        (article_url.clone(), Access::Public),
        (format!("/articles/{article}/revisions"), Access::Public),
        ("/questions".into(), Access::Public),
        ("/questions?tab=unanswered".into(), Access::Public),
        (question_url.clone(), Access::Public),
        ("/tags".into(), Access::Public),
        ("/tags/misc".into(), Access::Public),
        ("/search?q=public".into(), Access::Public),
        ("/guidelines".into(), Access::Public),
        ("/bot".into(), Access::Public),
        ("/u/author".into(), Access::Public),
        ("/resources".into(), Access::Public),
        ("/resources?kind=paper&sort=newest".into(), Access::Public),
        ("/resources/new".into(), Access::SignedIn),
        ("/admin/resources".into(), Access::Staff),
        ("/feed.atom".into(), Access::Public),
        ("/sitemap.xml".into(), Access::Public),
        ("/login".into(), Access::VisitorsOnly),
        ("/register".into(), Access::VisitorsOnly),
        ("/settings".into(), Access::SignedIn),
        ("/settings/tokens".into(), Access::SignedIn),
        ("/notifications".into(), Access::SignedIn),
        ("/articles/new".into(), Access::SignedIn),
        ("/questions/ask".into(), Access::SignedIn),
        ("/admin".into(), Access::Staff),
        ("/admin/users".into(), Access::Staff),
        (format!("/admin/users/{author}"), Access::Staff),
        ("/admin/log".into(), Access::Staff),
        ("/admin/queue".into(), Access::Staff),
        ("/admin/flags".into(), Access::Staff),
        (format!("/admin/posts/{question}"), Access::Staff),
        ("/admin/ai".into(), Access::Staff),
        ("/admin/rules".into(), Access::Staff),
        ("/admin/settings".into(), Access::AdminOnly),
        ("/admin/guidelines".into(), Access::AdminOnly),
        ("/admin/invites".into(), Access::AdminOnly),
        ("/admin/webhooks".into(), Access::AdminOnly),
    ];
    let mut browsers = Vec::new();
    for who in EVERYONE {
        browsers.push((who, browser_for(&app, who).await));
    }
    let mut wrong = Vec::new();
    for (path, access) in &routes {
        for (who, client) in &browsers {
            let res = client.get(app.url(path)).send().await.expect("get");
            let want = expected(*access, *who);
            if res.status() != want {
                wrong.push(format!("{who:?} {path}: {} (want {want})", res.status()));
            } else if want == StatusCode::SEE_OTHER {
                let to = location(&res);
                let home = matches!(access, Access::VisitorsOnly);
                if (home && to != "/") || (!home && !to.starts_with("/login")) {
                    wrong.push(format!("{who:?} {path}: sent to {to}"));
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));

    // The suspended member is told why when logging in again.
    let (client, _) = app.new_browser();
    let res = app
        .submit_in(
            &client,
            "/login",
            "/login",
            &[("username", "suspended"), ("password", PASSWORD)],
        )
        .await;
    let body = res.text().await.expect("body");
    assert!(body.contains("testing"), "the reason is shown");
}
