//! The route x role matrix: every page, opened by a visitor, a trust-level-0 newcomer, an
//! established member, a moderator, an admin and a suspended member, gets the status each must get.
//! (POST routes are checked per feature: tests/api/moderation/access.rs and friends.)
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, TestApp, PASSWORD};
use crate::member::Member;
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

/// Who took the decision standing on the target, and who tries to lift or change it.
#[derive(Clone, Copy, Debug, PartialEq)]
enum Decider {
    Admin,
    Moderator,
}

/// A staff decision on a member and the action that lifts or changes it: (the action that makes
/// it, the action that undoes it, the undoing form's fields).
type DecisionCase = (
    &'static str,
    &'static str,
    Vec<(&'static str, &'static str)>,
);

fn decision_cases() -> Vec<DecisionCase> {
    vec![
        ("silence", "unsilence", vec![("reason", "lifted")]),
        (
            "silence",
            "silence",
            vec![("days", "1"), ("reason", "shorter")],
        ),
        ("suspend", "unsuspend", vec![("reason", "lifted")]),
        (
            "suspend",
            "suspend",
            vec![("days", "1"), ("reason", "shorter")],
        ),
        (
            "trust",
            "trust",
            vec![("level", "0"), ("reason", "changed")],
        ),
        ("spammer", "restore_content", vec![("reason", "not spam")]),
    ]
}

fn make_fields(action: &str) -> Vec<(&'static str, &'static str)> {
    match action {
        "silence" | "suspend" => vec![("days", "3"), ("reason", "decided")],
        "trust" => vec![("level", "3"), ("reason", "decided")],
        _ => vec![("reason", "decided")],
    }
}

/// A moderator may not lift or change what an admin decided; an admin may lift anyone's decision,
/// and a moderator another moderator's.
fn may_lift(decider: Decider, lifter: Decider) -> bool {
    lifter == Decider::Admin || decider == Decider::Moderator
}

#[tokio::test]
async fn a_moderator_cannot_lift_or_change_an_admins_decision() {
    // Many sign-ups: each from its own address (through a trusted proxy) to stay in the budget.
    let app = crate::helpers::spawn_app_with(&[("AGORA_TRUSTED_PROXIES", "127.0.0.1/32")]).await;
    let admin = Member::with(&app, "boss", Role::Admin, 1).await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let other = Member::with(&app, "modtwo", Role::Moderator, 1).await;
    let staff = |who: Decider, second: bool| match (who, second) {
        (Decider::Admin, _) => &admin,
        (Decider::Moderator, false) => &moderator,
        (Decider::Moderator, true) => &other,
    };
    let mut wrong = Vec::new();
    let mut n = 0;
    for (make, undo, undo_fields) in decision_cases() {
        for decider in [Decider::Admin, Decider::Moderator] {
            for lifter in [Decider::Admin, Decider::Moderator] {
                n += 1;
                let target =
                    Member::join_from(&app, &format!("target{n}"), &format!("198.51.100.{n}"))
                        .await;
                target
                    .ask(&format!("Question number {n} of the target?"))
                    .await;
                let by = staff(decider, false);
                let res = by
                    .post(
                        &format!("/admin/users/{}/{make}", target.id),
                        &make_fields(make),
                    )
                    .await;
                assert_eq!(res.status(), StatusCode::SEE_OTHER, "{decider:?} {make}");
                let before = audit_count(&app).await;
                let res = staff(lifter, true)
                    .post(&format!("/admin/users/{}/{undo}", target.id), &undo_fields)
                    .await;
                let want = if may_lift(decider, lifter) {
                    StatusCode::SEE_OTHER
                } else {
                    StatusCode::FORBIDDEN
                };
                let audited = audit_count(&app).await - before;
                if res.status() != want || (want == StatusCode::FORBIDDEN && audited != 0) {
                    wrong.push(format!(
                        "{lifter:?} {undo} after {decider:?} {make}: {} (want {want}), {audited} audit rows",
                        res.status()
                    ));
                }
            }
        }
    }

    // Content: what an admin hid or deleted stays so for moderators.
    let author = Member::with(&app, "author", Role::Member, 50).await;
    for (make, undo) in [
        ("hide", "unhide"),
        ("hide", "approve"),
        ("delete", "restore"),
    ] {
        for decider in [Decider::Admin, Decider::Moderator] {
            for lifter in [Decider::Admin, Decider::Moderator] {
                let question = author
                    .ask(&format!(
                        "About {make} then {undo} by {decider:?} and {lifter:?}?"
                    ))
                    .await;
                let res = author.comment(question, "A comment to moderate.").await;
                let comment = crate::member::id_after(&location(&res), "#comment-");
                let want = if may_lift(decider, lifter) {
                    StatusCode::SEE_OTHER
                } else {
                    StatusCode::FORBIDDEN
                };
                for (kind, id) in [("posts", question), ("comments", comment)] {
                    staff(decider, false)
                        .post(&format!("/admin/{kind}/{id}/{make}"), &[])
                        .await;
                    let res = staff(lifter, true)
                        .post(&format!("/admin/{kind}/{id}/{undo}"), &[])
                        .await;
                    if res.status() != want {
                        wrong.push(format!(
                            "{lifter:?} {undo} on {kind} after {decider:?} {make}: {} (want {want})",
                            res.status()
                        ));
                    }
                }
            }
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

async fn audit_count(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT COUNT(*) FROM mod_actions")
        .fetch_one(app.db.reader())
        .await
        .expect("count")
}
