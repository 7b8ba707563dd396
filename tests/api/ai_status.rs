//! The forum runs without the AI, and says plainly why the AI is off.
use reqwest::StatusCode;

use crate::helpers::spawn_app_with;

#[tokio::test]
async fn a_missing_runtime_library_leaves_the_forum_up_and_the_ai_off_with_a_reason() {
    let app = spawn_app_with(&[
        ("AGORA_AI", "on"),
        ("ORT_DYLIB_PATH", "/nonexistent/libonnxruntime.so"),
    ])
    .await;
    assert_eq!(app.get("/healthz").await.status(), StatusCode::OK);
    app.sign_up("ops").await;
    let user = agora::db::users::by_username(&app.db, "ops")
        .await
        .expect("query")
        .expect("user");
    agora::db::users::set_role(&app.db, user.id, agora::domain::Role::Admin)
        .await
        .expect("role");
    // Loading happens on the inference threads; poll the dashboard until it has an answer.
    let mut html = String::new();
    for _ in 0..50 {
        html = app.get_html("/admin").await.1;
        if !html.contains("Loading the model") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(html.contains("Off:"), "{html}");
    assert!(
        html.contains("/nonexistent/libonnxruntime.so"),
        "the reason names the path"
    );
}

#[tokio::test]
async fn ai_turned_off_in_settings_says_so() {
    let app = spawn_app_with(&[("AGORA_AI", "off")]).await;
    app.sign_up("ops2").await;
    let user = agora::db::users::by_username(&app.db, "ops2")
        .await
        .expect("query")
        .expect("user");
    agora::db::users::set_role(&app.db, user.id, agora::domain::Role::Moderator)
        .await
        .expect("role");
    let (_, html) = app.get_html("/admin").await;
    assert!(html.contains("AGORA_AI=off"));
}

#[tokio::test]
async fn metrics_report_the_database_and_the_ai_state() {
    let app = spawn_app_with(&[("AGORA_AI", "off")]).await;
    let res = app.get("/metrics").await;
    assert_eq!(res.status(), StatusCode::OK);
    let body = res.text().await.expect("body");
    assert!(body.contains("agora_database_up 1"), "{body}");
    assert!(body.contains("agora_ai_ready 0"), "{body}");
}
