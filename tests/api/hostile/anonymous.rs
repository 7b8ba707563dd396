//! Anonymous traffic writes nothing: a visitor reading every kind of page and opening the log-in
//! and sign-up forms leaves every table as it was (no session row, no per-request write: the
//! writer pool sees no statement); their forms work through a signed double-submit cookie, and
//! page views arrive in one batch when the counts are flushed.
use reqwest::StatusCode;

use crate::helpers::{csrf_token, location, spawn_app_with, TestApp, PASSWORD};
use crate::member::Member;

/// Every table's name.
async fn tables(app: &TestApp) -> Vec<String> {
    let sql = if app.db.backend() == agora::db::Backend::Sqlite {
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
         AND name NOT LIKE '%_fts%' ORDER BY name"
    } else {
        "SELECT CAST(table_name AS TEXT) FROM information_schema.tables \
         WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name"
    };
    sqlx::query_scalar(sql)
        .fetch_all(app.db.reader())
        .await
        .expect("tables")
}

/// Each table's row count, and the posts' total views.
async fn snapshot(app: &TestApp) -> Vec<(String, i64)> {
    let mut counts = Vec::new();
    for table in tables(app).await {
        let n: i64 = sqlx::query_scalar(&format!("SELECT COUNT(*) FROM \"{table}\""))
            .fetch_one(app.db.reader())
            .await
            .expect("count");
        counts.push((table, n));
    }
    counts
}

async fn total_views(app: &TestApp) -> i64 {
    sqlx::query_scalar("SELECT CAST(COALESCE(SUM(view_count), 0) AS BIGINT) FROM posts")
        .fetch_one(app.db.reader())
        .await
        .expect("views")
}

#[tokio::test]
async fn a_thousand_anonymous_page_views_leave_the_database_unchanged() {
    // The view-count flush would otherwise run every 30 s, in the middle of the count.
    let app = spawn_app_with(&[("AGORA_VIEW_FLUSH_SECS", "3600")]).await;
    let author = Member::join(&app, "author").await;
    let question = author
        .ask_with("How do I shard a 70B model?", "Across 8 GPUs.", "llm")
        .await;
    let answerer = Member::join(&app, "answerer").await;
    answerer.answer(question).await;
    let article = author
        .write_article("Notes on tensor parallelism", false)
        .await;
    let pages = [
        "/".to_string(),
        "/login".into(),
        "/register".into(),
        "/questions".into(),
        "/questions?tab=unanswered".into(),
        format!("/questions/{question}"),
        format!("/articles/{article}"),
        "/articles".into(),
        format!("/articles/{article}/revisions"),
        "/tags".into(),
        "/tags/llm".into(),
        "/search?q=shard".into(),
        "/questions/similar?title=shard+a+model".into(),
        "/feed.atom".into(),
        "/sitemap.xml".into(),
        "/u/author".into(),
        "/resources".into(),
        "/bot".into(),
        "/guidelines".into(),
        "/healthz".into(),
    ];
    let before = snapshot(&app).await;
    let views_before = total_views(&app).await;
    let writes_before = app.db.writes_run();

    // Half the visitors keep their cookies (one browser), half arrive fresh each time.
    let (browser, _) = app.new_browser();
    let mut viewed = 0;
    for round in 0..50 {
        for page in &pages {
            let client = if round % 2 == 0 {
                browser.clone()
            } else {
                app.new_browser().0
            };
            let res = client.get(app.url(page)).send().await.expect("get");
            assert!(
                res.status().is_success() || res.status().is_redirection(),
                "{page}: {}",
                res.status()
            );
            let posts = [
                format!("/questions/{question}"),
                format!("/articles/{article}"),
            ];
            if posts.contains(page) && res.status().is_redirection() {
                let res = client
                    .get(app.url(&location(&res)))
                    .send()
                    .await
                    .expect("get");
                assert_eq!(res.status(), StatusCode::OK);
                viewed += 1;
            }
        }
    }
    assert_eq!(viewed, 100, "every post page was opened");
    assert_eq!(
        app.db.writes_run(),
        writes_before,
        "no statement went through the writer"
    );
    assert_eq!(
        snapshot(&app).await,
        before,
        "every table has the rows it had"
    );
    assert_eq!(
        total_views(&app).await,
        views_before,
        "views wait in memory"
    );
    assert_eq!(app.views.pending(), 100);

    // One flush writes them in one batch.
    app.views.flush(&app.db).await.expect("flushed");
    assert_eq!(total_views(&app).await, views_before + 100);
    assert_eq!(app.views.pending(), 0);
}

#[tokio::test]
async fn a_visitors_forms_work_through_the_signed_cookie_and_forged_ones_do_not() {
    let app = spawn_app_with(&[]).await;
    app.sign_up("author").await;
    app.logout().await;
    let sessions = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            sqlx::query_scalar::<_, i64>("SELECT COUNT(*) FROM sessions")
                .fetch_one(db.reader())
                .await
                .expect("count")
        }
    };
    let before = sessions(&app).await;

    // A visitor opens the log-in form: a token in the form and the same one in a cookie, no row.
    let (browser, jar) = app.new_browser();
    let page = browser
        .get(app.url("/login"))
        .send()
        .await
        .expect("login page");
    let html = page.text().await.expect("body");
    let token = csrf_token(&html);
    assert!(!token.is_empty(), "the form carries a token");
    let url = app.address.parse().expect("url");
    let cookies = reqwest::cookie::CookieStore::cookies(&*jar, &url)
        .and_then(|h| h.to_str().ok().map(str::to_string))
        .unwrap_or_default();
    assert!(
        cookies.contains(&format!("agora_csrf={token}")),
        "{cookies}"
    );
    assert_eq!(sessions(&app).await, before, "no session row for a visitor");

    // Without the cookie, or with a token the server did not sign, the form is refused.
    let (stranger, _) = app.new_browser();
    let res = stranger
        .post(app.url("/login"))
        .form(&[
            ("username", "author"),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "token without its cookie"
    );
    let forged = "bm9uY2U.c2lnbmF0dXJl";
    let res = stranger
        .post(app.url("/login"))
        .header("cookie", format!("agora_csrf={forged}"))
        .form(&[
            ("username", "author"),
            ("password", PASSWORD),
            ("csrf_token", forged),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "a cookie planted unsigned"
    );

    // With both, the visitor signs in (and only now gets a session row).
    let res = browser
        .post(app.url("/login"))
        .form(&[
            ("username", "author"),
            ("password", PASSWORD),
            ("csrf_token", token.as_str()),
        ])
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "signed in");
    assert_eq!(sessions(&app).await, before + 1);
}
