//! Rendering cost is bounded: the measured macro formula through `/preview` and a post, the HTML
//! cap refusing a post with its text kept, and the preview rate limit.
use reqwest::StatusCode;

use crate::helpers::{spawn_app, spawn_app_with};

/// The input from the issue: 16 copies of a 688-character formula that defines a macro writing its
/// argument 32 times and applies it to itself (11 008 characters; 98 MB of HTML before the caps).
pub fn repeating_macro_post() -> String {
    let body = "#1".repeat(32);
    let argument = r"\frac{\alpha_{i}^{2}}{\beta_{j}+\gamma}\sqrt{x_{k}}".repeat(11);
    let formula = format!(r"\def\f#1{{{body}}}\f{{\f{{{argument}}}}}");
    let padding = 688 - 5 - formula.len();
    format!("$${formula}{}$$\n", " ".repeat(padding)).repeat(16)
}

#[tokio::test]
async fn repeating_macro_preview_stays_under_a_megabyte() {
    let app = spawn_app().await;
    app.sign_up("macro").await;
    let post = repeating_macro_post();
    assert_eq!(post.chars().count(), 11_008);
    let res = app
        .submit("/articles/new", "/preview", &[("body", &post)])
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.len() <= 1_000_000, "{} bytes", html.len());
    assert!(html.contains("math-error"));
}

#[tokio::test]
async fn repeating_macro_article_is_stored_small() {
    let app = spawn_app().await;
    app.sign_up("macro_author").await;
    let post = repeating_macro_post();
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "Sixteen exploding formulas"),
                ("body", &post),
                ("tags", "latex"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let stored: i64 = sqlx::query_scalar("SELECT MAX(LENGTH(body_html)) FROM posts")
        .fetch_one(app.db.reader())
        .await
        .expect("stored post");
    assert!(stored <= 1_000_000, "{stored} bytes stored");
}

#[tokio::test]
async fn post_over_the_html_cap_is_refused_with_its_text_kept() {
    let app = spawn_app_with(&[("AGORA_RENDER_MAX_HTML_KB", "2")]).await;
    app.sign_up("verbose").await;
    let body = format!("{} end-of-my-text", "many words here ".repeat(200));
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "A post too long to render"),
                ("body", &body),
                ("tags", "long"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("more than 2 KB of HTML"),
        "{}",
        &html[..html.len().min(3000)]
    );
    assert!(html.contains("end-of-my-text"), "the author's text is kept");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 0);

    // The live preview says the same.
    let res = app
        .submit("/articles/new", "/preview", &[("body", &body)])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("2 KB"));
}

#[tokio::test]
async fn previews_are_rate_limited_per_member() {
    let app = spawn_app_with(&[("AGORA_PREVIEWS_PER_MINUTE", "3")]).await;
    app.sign_up("fast_typist").await;
    for _ in 0..3 {
        let res = app
            .submit("/articles/new", "/preview", &[("body", "*typing*")])
            .await;
        assert_eq!(res.status(), StatusCode::OK);
    }
    let res = app
        .submit("/articles/new", "/preview", &[("body", "*typing*")])
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(res.headers().get("retry-after").is_some());
}

#[tokio::test]
async fn comments_and_bios_over_the_html_cap_are_refused_with_their_text_kept() {
    let app = spawn_app_with(&[("AGORA_RENDER_MAX_HTML_KB", "1")]).await;
    app.sign_up("ampersand").await;
    let res = app
        .submit(
            "/articles/new",
            "/articles",
            &[
                ("title", "A short article to comment on"),
                ("body", "Short."),
                ("tags", "short"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let article = crate::helpers::location(&res);
    let id = article
        .trim_start_matches("/articles/")
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    // Every `&` becomes `&amp;`: 300 characters write 1.5 KB.
    let text = format!("{}end-of-comment", "&".repeat(300));
    let res = app
        .submit(&article, "/comments", &[("post_id", &id), ("body", &text)])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("more than 1 KB of HTML"));
    assert!(
        html.contains("end-of-comment"),
        "the comment's text is kept"
    );

    let bio = format!("{}end-of-bio", "&".repeat(300));
    let res = app
        .submit("/u/ampersand", "/u/ampersand/bio", &[("bio", &bio)])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("more than 1 KB of HTML"));
    assert!(html.contains("end-of-bio"), "the bio's text is kept");
}
