//! Bad input: refused with a clear message and nothing lost; script payloads rendered harmless.
use reqwest::StatusCode;

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn invalid_posts_come_back_with_every_field_kept() {
    let app = spawn_app().await;
    app.sign_up("typist").await;
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[("title", "short"), ("body", "  "), ("tags", "rust")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("at least 10 characters") && html.contains("Write something"));
    assert!(html.contains("value=\"short\"") && html.contains("value=\"rust\""));

    // A body over the size cap (but under the request limit): refused with the text kept.
    let huge = "word ".repeat(13_000);
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "A very long article"),
                ("body", &huge),
                ("tags", "long"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("too long"));
    assert!(html.contains(&huge[..500]), "the long body is given back");

    // An empty answer keeps the question page and says why.
    let (qid, url) = ask(
        &app,
        "What is a KV cache for?",
        "In transformers.",
        "inference",
    )
    .await;
    let res = app
        .submit(&url, &format!("/questions/{qid}/answers"), &[("body", "")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("What is a KV cache for?"));
}

#[tokio::test]
async fn requests_over_the_size_limit_get_413() {
    let app = crate::helpers::spawn_app_with(&[("AGORA_BODY_LIMIT_KB", "4")]).await;
    app.sign_up("bigwriter").await;
    let huge = "x".repeat(8 * 1024);
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "Too big to send"),
                ("body", &huge),
                ("tags", "big"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::PAYLOAD_TOO_LARGE);
}

#[tokio::test]
async fn script_payloads_stay_harmless_everywhere_they_appear() {
    let app = spawn_app().await;
    app.sign_up("mallory").await;
    let title = "<script>alert('t')</script> \"quoted\" title";
    let body = "<img src=x onerror=alert('b')>\n\n[click](javascript:alert('l'))\n\n<script>alert('s')</script>";
    let (id, _) = write_article(&app, title, body, "xss-test", false).await;
    let (qid, qurl) = ask(
        &app,
        "<img src=x onerror=alert(1)> question",
        body,
        "xss-test",
    )
    .await;
    answer(&app, &qurl, qid, body).await;
    let edit = format!("/articles/{id}/edit");
    app.submit(
        &edit,
        &edit,
        &[
            ("title", "<script>alert('t2')</script> edited"),
            ("body", body),
            ("tags", "xss-test"),
        ],
    )
    .await;
    let url = location(&app.get(&format!("/articles/{id}")).await);
    let pages = [
        url.clone(),
        qurl.clone(),
        "/articles".into(),
        "/questions".into(),
        "/tags/xss-test".into(),
        format!("/articles/{id}/revisions?from=1&to=2"),
        "/questions/similar?title=%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E%20question".into(),
        "/feed.atom".into(),
        "/tags/xss-test/feed.atom".into(),
        edit.clone(),
    ];
    for page in pages {
        let (status, html) = app.get_html(&page).await;
        assert_eq!(status, StatusCode::OK, "{page}");
        assert!(
            !html.contains("<script>alert"),
            "{page}: script tag passed through"
        );
        assert!(
            !html.contains("<img src=x onerror") && !html.contains("<img src=\"x\" onerror"),
            "{page}: event handler passed through"
        );
        assert!(
            !html.contains("href=\"javascript:"),
            "{page}: javascript link passed through"
        );
    }
    // A refused tag comes back escaped.
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "Tag injection attempt"),
                ("body", "b"),
                ("tags", "<script>x</script>"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(!html.contains("<script>x</script>"), "{html}");
    assert!(
        html.contains("&lt;script&gt;x") || html.contains("&#60;script&#62;x"),
        "{html}"
    );
}
