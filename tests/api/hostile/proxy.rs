//! Behind a proxy: X-Forwarded-For counts only from `AGORA_TRUSTED_PROXIES`, and then its rightmost
//! untrusted hop is the client; `AGORA_PUBLIC_URL=https://…` makes cookies Secure and `__Host-` and
//! adds HSTS on a loopback bind.
use reqwest::StatusCode;

use crate::helpers::{csrf_token, spawn_app_with, TestApp};

/// One wrong log-in for `username`, sent with `forwarded` as X-Forwarded-For.
async fn wrong_login(app: &TestApp, username: &str, forwarded: &str) -> StatusCode {
    let (_, page) = app.get_html("/login").await;
    let token = csrf_token(&page);
    app.client
        .post(app.url("/login"))
        .header("x-forwarded-for", forwarded)
        .form(&[
            ("username", username),
            ("password", "wrong password"),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("login")
        .status()
}

#[tokio::test]
async fn forwarded_headers_are_ignored_without_trusted_proxies() {
    let app = spawn_app_with(&[("AGORA_LOGIN_FAILURES_PER_IP", "3")]).await;
    for i in 0..3 {
        let status = wrong_login(&app, &format!("u{i}"), &format!("203.0.113.{i}")).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    // A new forwarded address does not buy a new budget: the peer is the client.
    let status = wrong_login(&app, "u9", "198.51.100.77").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn behind_a_trusted_proxy_the_rightmost_untrusted_hop_is_the_client() {
    let app = spawn_app_with(&[
        ("AGORA_LOGIN_FAILURES_PER_IP", "3"),
        ("AGORA_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8"),
    ])
    .await;
    // The client varies what it writes on the left; the proxies append 203.0.113.9 and 10.0.0.2.
    for i in 0..3 {
        let forwarded = format!("198.51.100.{i}, 203.0.113.9, 10.0.0.2");
        let status = wrong_login(&app, &format!("u{i}"), &forwarded).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let status = wrong_login(&app, "u8", "198.51.100.200, 203.0.113.9, 10.0.0.2").await;
    assert_eq!(
        status,
        StatusCode::TOO_MANY_REQUESTS,
        "same client, same budget"
    );
    // Another client behind the same proxy has its own budget.
    let status = wrong_login(&app, "u9", "203.0.113.10, 10.0.0.2").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn an_https_public_url_makes_cookies_secure_and_sends_hsts_on_loopback() {
    let app = spawn_app_with(&[("AGORA_PUBLIC_URL", "https://forum.example.org")]).await;
    assert!(app.settings.bind.ip().is_loopback());
    let bare = reqwest::Client::new();
    let res = bare
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    assert_eq!(
        res.headers()
            .get("strict-transport-security")
            .and_then(|v| v.to_str().ok()),
        Some("max-age=31536000")
    );
    let cookies: Vec<String> = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok().map(str::to_string))
        .collect();
    // A visitor's form cookie (the session cookie is named and flagged the same way).
    let session = cookies
        .iter()
        .find(|c| c.contains("agora_csrf="))
        .expect("a visitor's CSRF cookie");
    assert!(session.starts_with("__Host-agora_csrf="), "{session}");
    assert!(session.contains("Secure"), "{session}");

    // Without it, a loopback bind serves plain cookies and no HSTS.
    let plain = spawn_app_with(&[]).await;
    let res = bare
        .get(plain.url("/login"))
        .send()
        .await
        .expect("login page");
    assert!(res.headers().get("strict-transport-security").is_none());
    let set_cookie = res
        .headers()
        .get_all("set-cookie")
        .iter()
        .filter_map(|v| v.to_str().ok())
        .find(|c| c.contains("agora_csrf="))
        .map(str::to_string)
        .unwrap_or_default();
    assert!(set_cookie.starts_with("agora_csrf="), "{set_cookie}");
    assert!(!set_cookie.contains("Secure"), "{set_cookie}");
}

#[tokio::test]
async fn ipv6_clients_share_one_budget_per_64() {
    let app = spawn_app_with(&[
        ("AGORA_LOGIN_FAILURES_PER_IP", "2"),
        ("AGORA_TRUSTED_PROXIES", "127.0.0.1"),
    ])
    .await;
    for (i, address) in ["2001:db8:1:2::1", "2001:db8:1:2:aaaa::2"]
        .iter()
        .enumerate()
    {
        let status = wrong_login(&app, &format!("v{i}"), address).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    }
    let status = wrong_login(&app, "v8", "2001:db8:1:2:ffff:ffff:ffff:ffff").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "same /64");
    let status = wrong_login(&app, "v9", "2001:db8:1:3::1").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "another /64");
}
