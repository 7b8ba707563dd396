//! Articles: writing, rendering, canonical addresses, previews, drafts, edit rights, revisions, deletion.
use reqwest::StatusCode;

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn articles_are_rendered_once_and_found_at_their_canonical_address() {
    let app = spawn_app().await;
    app.sign_up("writer").await;
    let body = "Intro with $E = mc^2$.\n\n```rust\nfn main() {}\n```\n\n```mermaid\ngraph TD; A-->B;\n```\n";
    let (id, url) = write_article(
        &app,
        "注意力机制 Attention explained",
        body,
        "transformers, 深度学习",
        false,
    )
    .await;
    assert_eq!(
        url,
        format!("/articles/{id}/%E6%B3%A8%E6%84%8F%E5%8A%9B%E6%9C%BA%E5%88%B6-attention-explained")
    );
    let (status, html) = app.get_html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<math"), "MathML rendered on the server");
    assert!(
        html.contains("mermaid"),
        "Mermaid diagram kept for the client"
    );
    assert!(html.contains("/static/css/agora.css") && html.contains("/static/js/mermaid-init.js"));
    assert!(
        html.contains("/static/js/editor-preview.js")
            && html.contains("/static/js/remote-images.js")
    );
    assert!(html.contains("property=\"og:title\" content=\"注意力机制 Attention explained\""));

    let stored = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("post");
    assert_eq!(stored.tags, ["transformers", "深度学习"]);
    assert!(
        stored.body_html.contains("<math"),
        "HTML stored at write time"
    );

    // Wrong or missing slug: a permanent redirect to the canonical address.
    for wrong in [
        format!("/articles/{id}"),
        format!("/articles/{id}/old-title"),
    ] {
        let res = app.get(&wrong).await;
        assert_eq!(res.status(), StatusCode::MOVED_PERMANENTLY, "{wrong}");
        assert_eq!(location(&res), url);
    }
    // Views are counted (in memory, written in a batch).
    app.get_html(&url).await;
    app.views.flush(&app.db).await.expect("views written");
    let stored = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("post");
    assert_eq!(stored.view_count, 2);

    let (_, list) = app.get_html("/articles").await;
    assert!(list.contains("注意力机制 Attention explained"));
    assert_eq!(
        app.get("/articles/999999/x").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn preview_renders_markdown_like_saving_does() {
    let app = spawn_app().await;
    app.sign_up("previewer").await;
    let res = app
        .submit(
            "/articles/new",
            "/preview",
            &[("body", "**bold** and $x^2$ <script>alert(1)</script>")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("<strong>bold</strong>"));
    assert!(html.contains("<math"));
    assert!(
        !html.contains("<script>"),
        "raw HTML is never passed through: {html}"
    );
    let (_, editor) = app.get_html("/articles/new").await;
    assert!(editor.contains("data-preview-target=\"preview\""));
}

#[tokio::test]
async fn anonymous_visitors_are_sent_to_log_in_from_write_pages() {
    let app = spawn_app().await;
    for path in ["/articles/new", "/questions/ask"] {
        let res = app.get(path).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{path}");
        assert!(location(&res).starts_with("/login?next="), "{path}");
    }
}

#[tokio::test]
async fn drafts_are_visible_only_to_their_author_until_published() {
    let app = spawn_app().await;
    app.sign_up("drafter").await;
    let (id, url) = write_article(
        &app,
        "A draft about diffusion models",
        "Not ready yet.",
        "diffusion",
        true,
    )
    .await;
    assert_eq!(
        app.get(&url).await.status(),
        StatusCode::OK,
        "the author sees the draft"
    );
    let (_, list) = app.get_html("/articles").await;
    assert!(list.contains("Your drafts") && list.contains("A draft about diffusion models"));

    let (other, _) = app.new_browser();
    let res = other.get(app.url(&url)).send().await.expect("get");
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "anonymous readers get 404"
    );
    let res = other.get(app.url("/articles")).send().await.expect("get");
    assert!(
        !res.text().await.expect("body").contains("diffusion models"),
        "not listed"
    );
    let res = other
        .get(app.url("/tags/diffusion"))
        .send()
        .await
        .expect("get");
    assert!(
        !res.text().await.expect("body").contains("diffusion models"),
        "not on the tag page"
    );
    app.logout().await;
    app.sign_up("snoop").await;
    assert_eq!(
        app.get(&url).await.status(),
        StatusCode::NOT_FOUND,
        "other members get 404"
    );
    assert_eq!(
        app.get(&format!("/articles/{id}/edit")).await.status(),
        StatusCode::NOT_FOUND
    );

    app.logout().await;
    app.login("drafter", crate::helpers::PASSWORD).await;
    let res = app
        .submit(
            &format!("/articles/{id}/edit"),
            &format!("/articles/{id}/edit"),
            &[
                ("title", "A draft about diffusion models"),
                ("body", "Ready now."),
                ("tags", "diffusion"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = other.get(app.url(&url)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::OK, "published for everyone");
}

#[tokio::test]
async fn only_authors_staff_and_2000_reputation_may_edit_and_revisions_show_a_diff() {
    let app = spawn_app().await;
    app.sign_up("author").await;
    let (id, url) = write_article(
        &app,
        "Tuning learning rates",
        "Start with 3e-4.\nUse warmup.",
        "optimisation",
        false,
    )
    .await;
    let edit = format!("/articles/{id}/edit");
    app.logout().await;
    app.sign_up("editor").await;
    assert_eq!(app.get(&edit).await.status(), StatusCode::FORBIDDEN);
    let res = app
        .submit(
            &url,
            &edit,
            &[
                ("title", "Vandalised title here"),
                ("body", "x"),
                ("tags", "spam"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    let editor = user_id(&app, "editor").await;
    sqlx::query("UPDATE users SET reputation = 2000 WHERE id = $1")
        .bind(editor)
        .execute(app.db.writer())
        .await
        .expect("grant reputation");
    assert_eq!(app.get(&edit).await.status(), StatusCode::OK);
    let res = app
        .submit(
            &edit,
            &edit,
            &[
                ("title", "Tuning learning rates well"),
                ("body", "Start with 1e-4.\nUse warmup."),
                ("tags", "optimisation, training"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);

    let (status, html) = app.get_html(&format!("/articles/{id}/revisions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<del>3e-4.</del>") || html.contains("<del>3e-4"),
        "old words struck out: {html}"
    );
    assert!(html.contains("<ins>1e-4"), "new words marked");
    assert!(
        html.contains("editor") && html.contains("author"),
        "who edited"
    );
    let (status, html) = app
        .get_html(&format!("/articles/{id}/revisions?from=2&to=1"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<ins>3e-4"), "any two revisions compare");
    assert_eq!(
        app.get(&format!("/articles/{id}/revisions?from=1&to=9"))
            .await
            .status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn soft_deleted_posts_disappear_but_stay_stored() {
    let app = spawn_app().await;
    app.sign_up("deleter").await;
    let (id, url) = ask(
        &app,
        "Why does my loss go to NaN?",
        "After epoch 3.",
        "training",
    )
    .await;
    let res = app
        .submit(&url, &format!("/questions/{id}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.get(&url).await.status(), StatusCode::NOT_FOUND);
    let (_, list) = app.get_html("/questions").await;
    assert!(!list.contains("loss go to NaN"));
    let stored = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("still stored");
    assert_eq!(stored.status, PostStatus::Deleted);
    let tag = agora::db::posts::tags::by_name(&app.db, "training")
        .await
        .expect("db")
        .expect("tag");
    assert_eq!(tag.post_count, 0, "deleted posts are not counted");
}

#[tokio::test]
async fn posts_from_an_older_renderer_are_rendered_again() {
    let app = spawn_app().await;
    app.sign_up("renderer").await;
    let me = user_id(&app, "renderer").await;
    let id = seed(
        &app,
        PostKind::Article,
        me,
        "Rendered by an old version",
        "render",
        None,
    )
    .await;
    sqlx::query("UPDATE posts SET body_html = 'stale', renderer_version = 0 WHERE id = $1")
        .bind(id)
        .execute(app.db.writer())
        .await
        .expect("age the post");
    let report = agora::search::reindex_all(&app.db).await.expect("reindex");
    assert_eq!(report.posts_rerendered, 1);
    let post = agora::db::posts::by_id(&app.db, id)
        .await
        .expect("db")
        .expect("post");
    assert!(
        post.body_html.contains("Seeded body text."),
        "{}",
        post.body_html
    );
    let report = agora::search::reindex_all(&app.db).await.expect("reindex");
    assert_eq!(report.posts_rerendered, 0, "nothing left");
}
