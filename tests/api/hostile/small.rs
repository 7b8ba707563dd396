//! The small leaks: `/metrics` only from allowed addresses or with the token, a taken email at
//! sign-up answered like an unknown account at log-in, and backups that never migrate the live file.
use std::collections::HashMap;

use reqwest::StatusCode;

use crate::helpers::{spawn_app, spawn_app_with, PASSWORD};

const TOKEN: &str = "0123456789abcdef0123";

#[tokio::test]
async fn metrics_are_served_to_allowed_addresses_or_with_the_token_only() {
    let app = spawn_app_with(&[
        ("AGORA_METRICS_ALLOW", "203.0.113.0/24"),
        ("AGORA_METRICS_TOKEN", TOKEN),
    ])
    .await;
    let res = app.get("/metrics").await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "127.0.0.1 is not allowed here"
    );
    let with = |token: &str| {
        app.client
            .get(app.url("/metrics"))
            .header("authorization", format!("Bearer {token}"))
            .send()
    };
    let res = with("not-the-token-at-all").await.expect("request");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = with(TOKEN).await.expect("request");
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("agora_database_up"));

    // Loopback is allowed by default, but not for a request forwarded by an untrusted proxy.
    let app = spawn_app().await;
    assert_eq!(app.get("/metrics").await.status(), StatusCode::OK);
    let res = app
        .client
        .get(app.url("/metrics"))
        .header("x-forwarded-for", "198.51.100.4")
        .send()
        .await
        .expect("request");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn a_taken_email_at_sign_up_costs_like_a_failed_log_in_and_names_no_account() {
    let app = spawn_app_with(&[
        ("AGORA_LOGIN_FAILURES_PER_IP", "3"),
        ("AGORA_REGISTRATIONS_PER_IP", "1000"),
    ])
    .await;
    app.sign_up("owner").await;
    app.logout().await;
    for i in 0..3 {
        let res = app
            .register(&format!("prober{i}"), "owner@example.com", PASSWORD)
            .await;
        assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
        let html = res.text().await.expect("body");
        assert!(html.contains("This email cannot be used to sign up"), "{i}");
        assert!(!html.contains("exists"), "the answer names no account");
    }
    // The address's failed-log-in budget is spent: probing stops here, and at /login too.
    let res = app.register("prober9", "owner@example.com", PASSWORD).await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    let res = app.login("owner", "wrong password").await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn backup_copies_the_live_file_without_migrating_it() {
    if std::env::var("TEST_DATABASE_URL").is_ok_and(|u| u.starts_with("postgres")) {
        return; // `agora backup` copies SQLite files; PostgreSQL has pg_dump.
    }
    let dir = tempfile::tempdir().expect("temp dir");
    let live = dir.path().join("live.db");
    let url = format!("sqlite://{}", live.display());
    // A database from before the current schema: one table, no migrations recorded.
    {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn = sqlx::AnyConnection::connect(&format!("{url}?mode=rwc"))
            .await
            .expect("create");
        sqlx::query("CREATE TABLE old_data (x INTEGER)")
            .execute(&mut conn)
            .await
            .expect("table");
        conn.close().await.expect("close");
    }
    let env: HashMap<&str, String> = HashMap::from([("DATABASE_URL", url.clone())]);
    let settings = agora::config::Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    let target = dir.path().join("copy.db");
    agora::cli::backup(&settings, &target)
        .await
        .expect("backup");
    assert!(target.exists());

    use sqlx::Connection;
    let mut conn = sqlx::AnyConnection::connect(&url).await.expect("open live");
    let tables: Vec<(String,)> =
        sqlx::query_as("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .fetch_all(&mut conn)
            .await
            .expect("tables");
    let names: Vec<&str> = tables.iter().map(|(n,)| n.as_str()).collect();
    assert_eq!(names, vec!["old_data"], "the live file was not migrated");

    let missing = dir.path().join("nothing-here.db");
    let env: HashMap<&str, String> =
        HashMap::from([("DATABASE_URL", format!("sqlite://{}", missing.display()))]);
    let settings = agora::config::Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    assert!(agora::cli::backup(&settings, &dir.path().join("c2.db"))
        .await
        .is_err());
    assert!(!missing.exists(), "no empty database is created");
}
