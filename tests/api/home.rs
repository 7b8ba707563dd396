//! The front page shows what is new.
use reqwest::StatusCode;

use crate::helpers::spawn_app;

#[tokio::test]
async fn the_front_page_lists_new_questions_and_their_tags() {
    let app = spawn_app().await;
    let (_, html) = app.get_html("/").await;
    assert!(html.contains("Nothing here yet"));
    app.sign_up("asker").await;
    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[
                ("title", "How do I shard a KV cache across two GPUs?"),
                ("body", "I run out of memory at 32k context. 显存不够。"),
                ("tags", "kv-cache, inference"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (status, html) = app.get_html("/").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("How do I shard a KV cache across two GPUs?"));
    assert!(html.contains("kv-cache"), "hot tags");
}
