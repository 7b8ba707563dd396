//! Personal access tokens: made on `/settings/tokens` and shown once, stored as a hash, last use
//! shown, revocable; a read token cannot write; a token acts only as its own member.
use reqwest::StatusCode;
use serde_json::json;
use sha2::{Digest, Sha256};

use super::{make_token, problem, token_on, Curl};
use crate::helpers::spawn_app;
use crate::member::Member;

#[tokio::test]
async fn a_token_is_shown_once_and_only_its_hash_is_stored() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let token = make_token(&ada, "laptop script", "read").await;
    assert!(token.starts_with("agora_") && token.len() > 40, "{token}");

    let page = ada.page("/settings/tokens").await;
    assert!(page.contains("laptop script"));
    assert_eq!(token_on(&page), None, "the token is not shown again");
    assert!(!page.contains(&token));

    let stored: Vec<String> = sqlx::query_scalar("SELECT token_hash FROM api_tokens")
        .fetch_all(app.db.reader())
        .await
        .expect("tokens");
    assert_eq!(stored, vec![hex::encode(Sha256::digest(token.as_bytes()))]);
}

#[tokio::test]
async fn a_curl_style_client_reads_and_writes_with_a_token_and_its_last_use_shows() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let token = make_token(&ada, "ci bot", "write").await;
    assert!(ada.page("/settings/tokens").await.contains("never"));

    let curl = Curl::new(&app, Some(&token));
    let res = curl
        .post(
            "/api/v1/questions",
            &json!({
                "title": "How do I shard a 70B model over two GPUs?",
                "body": "Tensor parallel or pipeline parallel?",
                "tags": ["inference", "gpu"],
            }),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let created: serde_json::Value = res.json().await.expect("json");
    let id = created["id"].as_i64().expect("id");
    assert_eq!(created["status"], "published");

    let question: serde_json::Value = curl
        .get(&format!("/api/v1/questions/{id}"))
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(question["author"], "ada");
    assert_eq!(question["tags"], json!(["inference", "gpu"]));
    // The same question is on the HTML page, written through the form's own path.
    assert!(ada
        .page(&format!("/questions/{id}"))
        .await
        .contains("How do I shard a 70B model over two GPUs?"));

    let page = ada.page("/settings/tokens").await;
    assert!(!page.contains("never"), "last use is shown");
}

#[tokio::test]
async fn a_read_token_cannot_write() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let token = make_token(&ada, "reader", "read").await;
    let curl = Curl::new(&app, Some(&token));
    assert_eq!(curl.get("/api/v1/questions").await.status(), StatusCode::OK);
    let res = curl
        .post(
            "/api/v1/questions",
            &json!({"title": "A question from a read token", "body": "Should not land.", "tags": ["x"]}),
        )
        .await;
    let body = problem(res, StatusCode::FORBIDDEN).await;
    assert_eq!(body["type"], "urn:agora:problem:read-only-token");
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 0, "nothing stored");
}

#[tokio::test]
async fn a_revoked_or_unknown_token_is_refused_with_401() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let token = make_token(&ada, "old", "write").await;
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(app.db.reader())
        .await
        .expect("id");
    let res = ada
        .post(&format!("/settings/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(ada.page("/settings/tokens").await.contains("revoked"));

    let res = Curl::new(&app, Some(&token)).get("/api/v1/questions").await;
    assert_eq!(
        res.headers()
            .get("www-authenticate")
            .and_then(|v| v.to_str().ok()),
        Some("Bearer")
    );
    problem(res, StatusCode::UNAUTHORIZED).await;
    let made_up = Curl::new(&app, Some("agora_not-a-real-token"));
    problem(made_up.get("/api/v1/tags").await, StatusCode::UNAUTHORIZED).await;
}

#[tokio::test]
async fn a_token_acts_only_as_its_member_and_others_cannot_revoke_it() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let bob = Member::join(&app, "bob").await;
    let question = ada.ask("Which optimizer for small batches?").await;
    let ada_token = make_token(&ada, "ada's", "write").await;

    // Bob's browser sends Ada's token: the token alone decides, so it acts as Ada, who may not
    // vote on her own question; Bob's session is not borrowed.
    let res = bob
        .client
        .post(format!("{}/api/v1/votes", app.address))
        .bearer_auth(&ada_token)
        .json(&json!({"target_kind": "question", "target_id": question, "value": 1}))
        .send()
        .await
        .expect("vote");
    problem(res, StatusCode::FORBIDDEN).await;

    // Bob cannot revoke Ada's token.
    let id: i64 = sqlx::query_scalar("SELECT id FROM api_tokens")
        .fetch_one(app.db.reader())
        .await
        .expect("id");
    let res = bob
        .post(&format!("/settings/tokens/{id}/revoke"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
    let still = Curl::new(&app, Some(&ada_token))
        .get("/api/v1/questions")
        .await;
    assert_eq!(still.status(), StatusCode::OK);
    assert!(!bob.page("/settings/tokens").await.contains("ada&#x27;s"));
}

#[tokio::test]
async fn a_bad_token_form_keeps_the_name_and_says_why() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let res = ada
        .post(
            "/settings/tokens",
            &[("name", "my script"), ("scope", "admin")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("Choose read or write.") && html.contains("my script"));
    let long = "n".repeat(61);
    let res = ada
        .post("/settings/tokens", &[("name", &long), ("scope", "read")])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM api_tokens")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 0);
}

#[tokio::test]
async fn the_browser_session_works_with_the_csrf_header_and_not_without() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let body = json!({"title": "Session-written question about RAG", "body": "Chunk size?", "tags": ["rag"]});
    let res = ada
        .client
        .post(format!("{}/api/v1/questions", app.address))
        .json(&body)
        .send()
        .await
        .expect("post");
    let refused = problem(res, StatusCode::FORBIDDEN).await;
    assert_eq!(refused["type"], "urn:agora:problem:csrf");
    let res = ada
        .client
        .post(format!("{}/api/v1/questions", app.address))
        .header("X-CSRF-Token", ada.csrf())
        .json(&body)
        .send()
        .await
        .expect("post");
    assert_eq!(res.status(), StatusCode::CREATED);
    // Anonymous callers read, but cannot write.
    let anonymous = Curl::new(&app, None);
    assert_eq!(
        anonymous.get("/api/v1/questions").await.status(),
        StatusCode::OK
    );
    let res = anonymous.post("/api/v1/questions", &body).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "no session: the CSRF check refuses"
    );
}

#[tokio::test]
async fn a_suspended_members_token_stops_working() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let token = make_token(&ada, "w", "write").await;
    let curl = Curl::new(&app, Some(&token));
    assert_eq!(curl.get("/api/v1/tags").await.status(), StatusCode::OK);
    agora::db::users::suspend(&app.db, ada.id, agora::db::now() + 3600, "spam")
        .await
        .expect("suspend");
    problem(curl.get("/api/v1/tags").await, StatusCode::UNAUTHORIZED).await;
}
