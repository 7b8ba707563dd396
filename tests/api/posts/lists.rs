//! Tags, keyset-paged lists, feeds and the sitemap.
use reqwest::StatusCode;

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn tags_are_normalised_limited_and_listed() {
    let app = spawn_app().await;
    app.sign_up("tagger").await;
    let (_, url) = ask(
        &app,
        "Linking C++ code into a Python wheel",
        "With pybind11.",
        " C++ , Python Packaging,c++",
    )
    .await;
    let (_, html) = app.get_html(&url).await;
    assert!(
        html.contains("href=\"/tags/c%2B%2B\""),
        "c++ kept and linked"
    );
    assert!(
        html.contains("href=\"/tags/python-packaging\""),
        "spaces become dashes"
    );

    let (status, tag_page) = app.get_html("/tags/c%2B%2B").await;
    assert_eq!(status, StatusCode::OK);
    assert!(tag_page.contains("Linking C++ code into a Python wheel"));
    let (_, tags) = app.get_html("/tags").await;
    assert!(tags.contains("python-packaging"));

    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[
                ("title", "Too many tags on this one"),
                ("body", "Body stays."),
                ("tags", "a,b,c,d,e,f"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("at most 5 tags"));
    assert!(
        html.contains("value=\"Too many tags on this one\"")
            && html.contains(">Body stays.</textarea>")
    );
    assert!(html.contains("value=\"a,b,c,d,e,f\""), "tags kept");

    let long = "x".repeat(33);
    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[
                ("title", "A tag that is far too long"),
                ("body", "b"),
                ("tags", &long),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(
        app.get("/tags/no-such-tag").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn keyset_pagination_walks_every_question_exactly_once() {
    let app = spawn_app().await;
    app.sign_up("seeder").await;
    let me = user_id(&app, "seeder").await;
    let mut expected = Vec::new();
    for i in 0..45 {
        let id = seed(
            &app,
            PostKind::Question,
            me,
            &format!("Seeded question number {i}"),
            "seeded",
            None,
        )
        .await;
        expected.push(id);
    }
    // Ties on every sort key: scores repeat, times are equal within the second.
    sqlx::query("UPDATE posts SET score = id % 3")
        .execute(app.db.writer())
        .await
        .expect("scores");
    for tab in ["newest", "active", "votes", "unanswered"] {
        let (mut ids, pages) = walk(&app, &format!("/questions?tab={tab}"), "id=\"post-").await;
        assert_eq!(pages, 3, "{tab}: 45 items at 20 a page");
        assert_eq!(ids.len(), 45, "{tab}: every item listed");
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids, expected, "{tab}: each item exactly once");
    }
    let (ids, _) = walk(&app, "/tags/seeded", "id=\"post-").await;
    assert_eq!(ids.len(), 45, "tag pages walk too");
    let (ids, _) = walk(&app, "/questions?tab=newest", "id=\"post-").await;
    let mut sorted = ids.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(ids, sorted, "newest first");
    assert_eq!(
        app.get("/questions?after=nonsense").await.status(),
        StatusCode::BAD_REQUEST
    );

    // The unanswered tab drops answered questions.
    seed(
        &app,
        PostKind::Answer,
        me,
        "unused title for an answer",
        "unused",
        Some(expected[0]),
    )
    .await;
    let (ids, _) = walk(&app, "/questions?tab=unanswered", "id=\"post-").await;
    assert_eq!(ids.len(), 44);
    assert!(!ids.contains(&expected[0]));
}

#[tokio::test]
async fn tag_index_pages_by_popularity() {
    let app = spawn_app().await;
    app.sign_up("tagseeder").await;
    let me = user_id(&app, "tagseeder").await;
    for i in 0..70 {
        seed(
            &app,
            PostKind::Question,
            me,
            &format!("Question with its own tag {i}"),
            &format!("tag{i}, common"),
            None,
        )
        .await;
    }
    let (html, _) = (app.get_html("/tags").await.1, ());
    assert!(
        html.find("common").expect("common listed") < html.find("tag0").unwrap_or(usize::MAX),
        "most used first"
    );
    let (ids, pages) = walk(&app, "/tags", "rel=\"tag\">tag").await;
    assert_eq!(pages, 2);
    let mut ids = ids;
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), 70, "every tag once");
}

#[tokio::test]
async fn feeds_and_sitemap_list_published_posts() {
    let app = spawn_app().await;
    app.sign_up("publisher").await;
    let (id, _) = write_article(&app, "Scaling laws & you", "Chinchilla.", "scaling", false).await;
    write_article(&app, "Secret draft article", "Hidden.", "scaling", true).await;
    let (qid, _) = ask(&app, "Is RLHF still needed?", "Or DPO?", "alignment").await;

    let res = app.get("/feed.atom").await;
    assert_eq!(res.status(), StatusCode::OK);
    assert!(res.headers()["content-type"]
        .to_str()
        .expect("type")
        .starts_with("application/atom+xml"));
    let feed = res.text().await.expect("body");
    assert!(
        feed.contains("<title>Scaling laws &amp; you</title>")
            || feed.contains("<title>Scaling laws &#38; you</title>"),
        "escaped XML: {feed}"
    );
    assert!(feed.contains("Is RLHF still needed?"));
    assert!(!feed.contains("Secret draft"));

    let (_, tag_feed) = app.get_html("/tags/alignment/feed.atom").await;
    assert!(tag_feed.contains("Is RLHF still needed?") && !tag_feed.contains("Scaling laws"));

    let (status, sitemap) = app.get_html("/sitemap-posts-1.xml").await;
    assert_eq!(status, StatusCode::OK);
    assert!(sitemap.contains(&format!("/articles/{id}/scaling-laws-you</loc>")));
    assert!(sitemap.contains(&format!("/questions/{qid}/")));
    assert!(!sitemap.contains("secret-draft"));
}
