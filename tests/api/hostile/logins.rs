//! Log-in floods: attempts are counted before the password is hashed, in one statement, so a
//! parallel burst lets exactly the allowed number reach the hash; the hash gate answers busy past
//! its queue.
use reqwest::StatusCode;

use crate::helpers::{csrf_token, spawn_app, spawn_app_with, TestApp};

async fn hashes_performed(app: &TestApp) -> u64 {
    let (_, metrics) = app.get_html("/metrics").await;
    metrics
        .lines()
        .find_map(|l| l.strip_prefix("agora_password_hashes_total "))
        .and_then(|v| v.trim().parse::<f64>().ok())
        .expect("the hash counter is in /metrics") as u64
}

async fn parallel_wrong_logins(app: &TestApp, username: &str, n: usize) -> Vec<StatusCode> {
    let (_, page) = app.get_html("/login").await;
    let token = csrf_token(&page);
    let requests = (0..n).map(|i| {
        let (client, url, token) = (app.client.clone(), app.url("/login"), token.clone());
        let username = username.to_string();
        async move {
            let password = format!("not the password {i}");
            client
                .post(url)
                .form(&[
                    ("username", username.as_str()),
                    ("password", password.as_str()),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .expect("login request")
                .status()
        }
    });
    futures_util::future::join_all(requests).await
}

#[tokio::test]
async fn parallel_wrong_passwords_reach_the_hash_only_the_allowed_number_of_times() {
    let app = spawn_app().await;
    app.sign_up("target").await;
    app.logout().await;
    let before = hashes_performed(&app).await;
    let statuses = parallel_wrong_logins(&app, "target", 200).await;
    let hashed = hashes_performed(&app).await - before;
    let allowed = u64::from(app.settings.limits.login_failures_per_account);
    assert_eq!(hashed, allowed, "{statuses:?}");
    let wrong = statuses
        .iter()
        .filter(|s| **s == StatusCode::UNPROCESSABLE_ENTITY)
        .count();
    assert_eq!(wrong as u64, allowed);
    assert!(statuses
        .iter()
        .all(|s| *s == StatusCode::UNPROCESSABLE_ENTITY || *s == StatusCode::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn a_success_does_not_use_up_the_address_budget() {
    let app = spawn_app_with(&[("AGORA_LOGIN_FAILURES_PER_IP", "3")]).await;
    app.sign_up("regular").await;
    for _ in 0..5 {
        app.logout().await;
        let res = app.login("regular", crate::helpers::PASSWORD).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
    }
}

#[tokio::test]
async fn a_full_hashing_queue_answers_busy_with_retry_after() {
    // One hash at a time and a queue of eight: 60 parallel log-ins to different accounts.
    let app = spawn_app_with(&[
        ("AGORA_PASSWORD_HASHES", "1"),
        ("AGORA_LOGIN_FAILURES_PER_IP", "1000"),
    ])
    .await;
    let (_, page) = app.get_html("/login").await;
    let token = csrf_token(&page);
    let requests = (0..60).map(|i| {
        let (client, url, token) = (app.client.clone(), app.url("/login"), token.clone());
        async move {
            let username = format!("nobody{i}");
            let res = client
                .post(url)
                .form(&[
                    ("username", username.as_str()),
                    ("password", "wrong password"),
                    ("csrf_token", token.as_str()),
                ])
                .send()
                .await
                .expect("login request");
            (
                res.status(),
                res.headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .map(str::to_string),
            )
        }
    });
    let results = futures_util::future::join_all(requests).await;
    let busy: Vec<_> = results
        .iter()
        .filter(|(s, _)| *s == StatusCode::SERVICE_UNAVAILABLE)
        .collect();
    assert!(!busy.is_empty(), "{results:?}");
    assert!(busy.iter().all(|(_, retry)| retry.is_some()));
    let hashed = hashes_performed(&app).await;
    assert!(hashed <= 60 - busy.len() as u64, "{hashed}");
}
