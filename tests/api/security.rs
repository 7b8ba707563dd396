//! CSRF, headers, cookies, body limits, roles, error pages and languages.
use reqwest::StatusCode;

use crate::helpers::{csrf_token, location, spawn_app, spawn_app_with, PASSWORD};

#[tokio::test]
async fn post_without_csrf_token_is_refused_and_the_text_is_kept() {
    let app = spawn_app().await;
    app.get("/login").await;
    let res = app
        .client
        .post(app.url("/register"))
        .form(&[
            ("username", "pat"),
            ("email", "pat@example.com"),
            ("password", PASSWORD),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let html = res.text().await.expect("body");
    assert!(html.contains("This form has expired"));
    assert!(
        html.contains("pat@example.com"),
        "the user's input is shown again"
    );
    assert!(!html.contains(PASSWORD), "secrets are not echoed");
    assert!(
        html.contains("Send again"),
        "same-site requests may resubmit with a fresh token"
    );
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM users")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 0, "nothing was created");
}

#[tokio::test]
async fn a_wrong_token_or_a_cross_site_origin_is_refused() {
    let app = spawn_app().await;
    app.sign_up("quinn").await;
    let res = app
        .client
        .post(app.url("/logout"))
        .form(&[("csrf_token", "forged")])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let (_, html) = app.get_html("/settings").await;
    let token = csrf_token(&html);
    let res = app
        .client
        .post(app.url("/logout"))
        .header("origin", "https://evil.example")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "valid token from another site"
    );
    assert!(
        !res.text().await.expect("body").contains("Send again"),
        "no one-click resubmit for cross-site posts"
    );
    let res = app
        .client
        .post(app.url("/logout"))
        .header("sec-fetch-site", "cross-site")
        .form(&[("csrf_token", token.as_str())])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        app.get("/settings").await.status(),
        StatusCode::OK,
        "still logged in"
    );

    // The header form used by fetch calls works.
    let res = app
        .client
        .post(app.url("/logout"))
        .header("x-csrf-token", token.as_str())
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}

#[tokio::test]
async fn every_response_carries_security_headers() {
    let app = spawn_app().await;
    for path in [
        "/",
        "/login",
        "/no-such-page",
        "/static/css/agora.css",
        "/healthz",
    ] {
        let res = app.get(path).await;
        let h = res.headers();
        let csp = h
            .get("content-security-policy")
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default();
        assert!(csp.contains("script-src 'self'"), "{path}: {csp}");
        assert!(!csp.contains("script-src 'self' 'unsafe-inline'"), "{path}");
        for part in [
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(part), "{path} lacks {part}");
        }
        assert_eq!(
            h.get("x-content-type-options").map(|v| v.as_bytes()),
            Some(&b"nosniff"[..]),
            "{path}"
        );
        assert!(h.contains_key("referrer-policy"), "{path}");
        assert!(h.contains_key("x-request-id"), "{path}");
    }
}

fn set_cookies(res: &reqwest::Response) -> Vec<String> {
    res.headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect()
}

#[tokio::test]
async fn session_cookie_is_httponly_and_samesite_lax() {
    let app = spawn_app().await;
    // A visitor's form gets the signed CSRF cookie; signing up, the session cookie.
    let res = app.get("/login").await;
    let visitor = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("agora_csrf="))
        .expect("visitor CSRF cookie");
    let res = app
        .register("cookies", "cookies@example.com", crate::helpers::PASSWORD)
        .await;
    let session = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("agora_session="))
        .expect("session cookie");
    for cookie in [visitor, session] {
        assert!(cookie.contains("HttpOnly"), "{cookie}");
        assert!(cookie.contains("SameSite=Lax"), "{cookie}");
        assert!(cookie.contains("Path=/"), "{cookie}");
        assert!(!cookie.contains("Secure"), "plain http on loopback");
    }
}

#[tokio::test]
async fn secure_cookies_use_the_host_prefix() {
    let app = spawn_app_with(&[("AGORA_SECURE_COOKIES", "true")]).await;
    let res = app.get("/login").await;
    let cookie = set_cookies(&res)
        .into_iter()
        .find(|c| c.starts_with("__Host-agora_csrf="))
        .expect("__Host- cookie");
    assert!(cookie.contains("Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly"), "{cookie}");
    assert!(cookie.contains("Path=/"), "{cookie}");
    assert!(!cookie.contains("Domain="), "{cookie}");
}

#[tokio::test]
async fn oversized_bodies_get_413() {
    let app = spawn_app_with(&[("AGORA_BODY_LIMIT_KB", "1")]).await;
    app.get("/login").await;
    let (_, html) = app.get_html("/login").await;
    let token = csrf_token(&html);
    let big = "x".repeat(4096);
    let res = app
        .client
        .post(app.url("/login"))
        .form(&[
            ("username", big.as_str()),
            ("password", "p"),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
    assert!(res.text().await.expect("body").contains("Too large"));
}

#[tokio::test]
async fn admin_routes_need_staff() {
    let app = spawn_app().await;
    let res = app.get("/admin").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "anonymous: log in first"
    );
    assert_eq!(location(&res), "/login?next=%2Fadmin");

    app.sign_up("ruth").await;
    let res = app.get("/admin").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "members may not");
    assert!(res.text().await.expect("body").contains("Not allowed"));

    let user = agora::db::users::by_username(&app.db, "ruth")
        .await
        .expect("query")
        .expect("user");
    agora::db::users::set_role(&app.db, user.id, agora::domain::Role::Moderator)
        .await
        .expect("role");
    assert_eq!(
        app.get("/admin").await.status(),
        StatusCode::OK,
        "moderators may"
    );
}

#[tokio::test]
async fn unknown_pages_get_the_site_404_page() {
    let app = spawn_app().await;
    let (status, html) = app.get_html("/no/such/page").await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert!(html.contains("Page not found"));
    assert!(
        html.contains("href=\"/questions\""),
        "with the site navigation"
    );
}

#[tokio::test]
async fn fetch_calls_get_json_errors() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/nope"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["error"], "Page not found");
}

#[tokio::test]
async fn language_comes_from_query_cookie_or_accept_language() {
    let app = spawn_app().await;
    let res = app
        .client
        .get(app.url("/"))
        .header("accept-language", "zh-CN,zh;q=0.9")
        .send()
        .await
        .expect("get");
    let html = res.text().await.expect("body");
    assert!(html.contains("lang=\"zh-CN\""));
    assert!(html.contains("问答"));

    let (_, html) = app.get_html("/?lang=zh-CN").await;
    assert!(html.contains("登录"));
    let (_, html) = app.get_html("/login").await;
    assert!(
        html.contains("登录"),
        "the choice is remembered in a cookie"
    );
    let (_, html) = app.get_html("/?lang=en").await;
    assert!(html.contains("Log in"));
}

#[tokio::test]
async fn a_member_language_setting_follows_them() {
    let app = spawn_app().await;
    app.sign_up("sam").await;
    let res = app
        .submit("/settings", "/settings/language", &[("lang", "zh-CN")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_html("/settings").await;
    assert!(html.contains("账号设置"));
}
