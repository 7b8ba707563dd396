//! Sign-up, log-in, log-out, sessions and password changes.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, spawn_app_with, PASSWORD};

#[tokio::test]
async fn register_login_logout_and_old_cookie_is_anonymous() {
    let app = spawn_app().await;
    let res = app.register("alice", "alice@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_html("/").await;
    assert!(home.contains("alice"), "the header shows who is logged in");
    assert!(
        home.contains("Welcome to agora"),
        "a flash message greets the new member"
    );

    let res = app.logout().await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.login("alice", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/");
    let cookie = app.cookie_header().expect("session cookie");
    assert_eq!(app.get("/settings").await.status(), StatusCode::OK);

    app.logout().await;
    // Replaying the old cookie from another client: the server forgot the session.
    let replay = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let res = replay
        .get(app.url("/settings"))
        .header("cookie", cookie)
        .send()
        .await
        .expect("request");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "anonymous again: sent to log in"
    );
    assert!(location(&res).starts_with("/login?next="));
}

#[tokio::test]
async fn login_issues_a_new_session_id() {
    let app = spawn_app().await;
    app.get("/login").await;
    let before = app.cookie_header().expect("anonymous session for the form");
    app.register("bob", "bob@example.com", PASSWORD).await;
    let after = app.cookie_header().expect("session");
    assert_ne!(before, after);
}

#[tokio::test]
async fn weak_or_short_passwords_are_refused_and_the_form_keeps_the_input() {
    let app = spawn_app().await;
    let res = app.register("carol", "carol@example.com", "short").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("at least 10 characters"));
    assert!(html.contains("value=\"carol\""), "username kept");
    assert!(html.contains("value=\"carol@example.com\""), "email kept");

    let res = app
        .register("carol", "carol@example.com", "password123")
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("too easy to guess"));

    let res = app
        .register("carol", "carol@example.com", "carol@example.com")
        .await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "email as password"
    );
}

#[tokio::test]
async fn duplicate_usernames_are_refused_without_regard_to_case() {
    let app = spawn_app().await;
    app.sign_up("Dave").await;
    let (other, _) = app.new_browser();
    let (_, html) = {
        let res = other.get(app.url("/register")).send().await.expect("get");
        (res.status(), res.text().await.expect("body"))
    };
    let token = crate::helpers::csrf_token(&html);
    let res = other
        .post(app.url("/register"))
        .form(&[
            ("username", "dave"),
            ("email", "other@example.com"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("This username is taken"));

    let res = other
        .post(app.url("/register"))
        .form(&[
            ("username", "erin"),
            ("email", "DAVE@example.com"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("This email cannot be used to sign up"));
}

#[tokio::test]
async fn invalid_usernames_get_a_reason_and_cjk_names_work() {
    let app = spawn_app().await;
    let res = app.register("<b>x</b>", "x@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("Use only letters"));
    assert!(
        !html.contains("<b>x</b>"),
        "input is escaped when shown again"
    );

    let res = app.register("李雷", "lilei@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, home) = app.get_html("/").await;
    assert!(home.contains("李雷"));
}

#[tokio::test]
async fn passwords_are_stored_as_argon2id_with_owasp_parameters() {
    let app = spawn_app().await;
    app.sign_up("frank").await;
    let hash: String = sqlx::query_scalar("SELECT password_hash FROM users WHERE username = $1")
        .bind("frank")
        .fetch_one(app.db.reader())
        .await
        .expect("user row");
    assert!(
        hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{hash}"
    );
    assert!(!hash.contains(PASSWORD));
    let accepted: Option<i64> =
        sqlx::query_scalar("SELECT guidelines_accepted_at FROM users WHERE username = $1")
            .bind("frank")
            .fetch_one(app.db.reader())
            .await
            .expect("user row");
    assert!(
        accepted.is_some(),
        "sign-up records acceptance of the guidelines"
    );
}

#[tokio::test]
async fn wrong_password_is_a_clear_error() {
    let app = spawn_app().await;
    app.sign_up("gina").await;
    app.logout().await;
    let res = app.login("gina", "not the right one at all").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("Wrong username or password"));
    assert!(html.contains("value=\"gina\""));
    let res = app.login("nobody-here", PASSWORD).await;
    assert!(
        res.text()
            .await
            .expect("body")
            .contains("Wrong username or password"),
        "same message for unknown users"
    );
}

#[tokio::test]
async fn repeated_login_failures_are_rate_limited_per_account() {
    let app = spawn_app().await;
    app.sign_up("hank").await;
    app.logout().await;
    for _ in 0..5 {
        let res = app.login("hank", "wrong password guess").await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    }
    let res = app.login("hank", PASSWORD).await;
    assert_eq!(
        res.status(),
        StatusCode::TOO_MANY_REQUESTS,
        "even the right password waits"
    );
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After header");
    assert!(retry > 0 && retry <= 15 * 60);
    let html = res.text().await.expect("body");
    assert!(html.contains("Too many attempts"));
    assert!(html.contains("minute"));
}

#[tokio::test]
async fn registrations_are_rate_limited_per_ip() {
    let app = spawn_app_with(&[("AGORA_REGISTRATIONS_PER_IP", "2")]).await;
    for name in ["ivan", "judy"] {
        let (client, _) = app.new_browser();
        let email = format!("{name}@example.com");
        let res = app.register_in(&client, name, &email, PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
    let res = app.register("kate", "kate@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn changing_the_password_needs_the_current_one_and_ends_other_sessions() {
    let app = spawn_app().await;
    app.sign_up("liam").await;
    // A second browser logged in as the same user.
    let (other, _) = app.new_browser();
    let html = other
        .get(app.url("/login"))
        .send()
        .await
        .expect("get")
        .text()
        .await
        .expect("body");
    let token = crate::helpers::csrf_token(&html);
    let res = other
        .post(app.url("/login"))
        .form(&[
            ("username", "liam"),
            ("password", PASSWORD),
            ("csrf_token", &token),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let new_password = "granite otter violin harbour";
    let res = app
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", "wrong wrong wrong"),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("current password is wrong"));

    let res = app
        .submit(
            "/settings",
            "/settings/password",
            &[
                ("current_password", PASSWORD),
                ("new_password", new_password),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.get("/settings").await.status(),
        StatusCode::OK,
        "this session stays"
    );
    let res = other.get(app.url("/settings")).send().await.expect("get");
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "the other session ended"
    );

    app.logout().await;
    assert_eq!(
        app.login("liam", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
    assert_eq!(
        app.login("liam", new_password).await.status(),
        StatusCode::SEE_OTHER
    );
}

#[tokio::test]
async fn suspending_a_user_ends_their_sessions_and_login_says_why() {
    let app = spawn_app().await;
    app.sign_up("mia").await;
    assert_eq!(app.get("/settings").await.status(), StatusCode::OK);
    let user = agora::db::users::by_username(&app.db, "mia")
        .await
        .expect("query")
        .expect("user");
    let until = agora::db::now() + 86_400;
    agora::db::users::suspend(&app.db, user.id, until, "spam links")
        .await
        .expect("suspend");
    assert_eq!(
        app.get("/settings").await.status(),
        StatusCode::SEE_OTHER,
        "signed out"
    );
    let res = app.login("mia", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("suspended until"));
    assert!(html.contains("spam links"));
}

#[tokio::test]
async fn deleting_a_user_ends_their_sessions() {
    let app = spawn_app().await;
    app.sign_up("nora").await;
    let user = agora::db::users::by_username(&app.db, "nora")
        .await
        .expect("query")
        .expect("user");
    agora::db::users::mark_deleted(&app.db, user.id)
        .await
        .expect("delete");
    assert_eq!(app.get("/settings").await.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        app.login("nora", PASSWORD).await.status(),
        StatusCode::UNPROCESSABLE_ENTITY
    );
}

#[tokio::test]
async fn next_parameter_only_follows_local_paths() {
    let app = spawn_app().await;
    app.sign_up("olga").await;
    app.logout().await;
    for (next, expected) in [
        ("/settings", "/settings"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
    ] {
        let res = app
            .submit(
                "/login",
                "/login",
                &[("username", "olga"), ("password", PASSWORD), ("next", next)],
            )
            .await;
        assert_eq!(location(&res), expected, "next={next}");
        app.logout().await;
    }
}
