//! Writing through the API goes through the forms' own service functions: the same field checks
//! (422 with errors per field), rules and rate limits (429 with Retry-After), privileges and audit.
use reqwest::StatusCode;
use serde_json::json;

use super::{make_token, problem, Curl};
use crate::helpers::spawn_app;
use crate::member::{set_reputation, Member};
use agora::domain::Role;

#[tokio::test]
async fn refused_input_names_every_bad_field_and_stores_nothing() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let curl = Curl::new(&app, Some(&make_token(&ada, "w", "write").await));
    let res = curl
        .post(
            "/api/v1/questions",
            &json!({"title": "short", "body": "", "tags": []}),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let fields: Vec<&str> = body["errors"]
        .as_array()
        .expect("errors")
        .iter()
        .filter_map(|e| e["field"].as_str())
        .collect();
    assert_eq!(fields, vec!["title", "body", "tags"]);
    assert!(body["errors"][0]["message"]
        .as_str()
        .is_some_and(|m| !m.is_empty()));
    // A body that is not JSON at all is a 400 problem.
    let res = reqwest::Client::new()
        .post(app.url("/api/v1/questions"))
        .bearer_auth(make_token(&ada, "w2", "write").await)
        .header("content-type", "application/json")
        .body("{not json")
        .send()
        .await
        .expect("post");
    problem(res, StatusCode::BAD_REQUEST).await;
    let count: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM posts")
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 0);
}

#[tokio::test]
async fn a_rate_limit_rule_refuses_api_writes_with_429_and_retry_after() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let ada = Member::join(&app, "ada").await;
    crate::rules::add_rule(
        &admin,
        &app,
        &[
            ("kind", "rate_limit"),
            ("description", "At most 1 post an hour."),
            ("max_count", "1"),
            ("window_secs", "3600"),
            ("applies_to", "post"),
            ("scope", "user"),
            ("action", "block"),
        ],
    )
    .await;
    let curl = Curl::new(&app, Some(&make_token(&ada, "w", "write").await));
    let ask = |title: &'static str| json!({"title": title, "body": "Which scheduler works best?", "tags": ["training"]});
    let res = curl
        .post("/api/v1/questions", &ask("First question about schedulers"))
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    // The form counts against the same budget.
    let res = curl
        .post(
            "/api/v1/questions",
            &ask("Second question about schedulers"),
        )
        .await;
    let retry: u64 = res
        .headers()
        .get("retry-after")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse().ok())
        .expect("Retry-After");
    assert!(retry > 0 && retry <= 3600);
    let body = problem(res, StatusCode::TOO_MANY_REQUESTS).await;
    assert_eq!(body["type"], "urn:agora:problem:rate-limited");
    assert_eq!(body["retry_after"], retry);
    assert!(body["detail"]
        .as_str()
        .is_some_and(|d| d.contains("At most 1 post an hour.")));
    let res = ada
        .post(
            "/questions",
            &[
                ("title", "Third question, through the form"),
                ("body", "b"),
                ("tags", "x"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
}

#[tokio::test]
async fn answer_comment_vote_and_flag_through_the_api() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let bob = Member::join(&app, "bob").await;
    set_reputation(&app, bob.id, 200).await;
    let question = ada.ask("How to pick a LoRA rank for 7B models?").await;
    let curl = Curl::new(&app, Some(&make_token(&bob, "w", "write").await));

    let res = curl
        .post(
            &format!("/api/v1/questions/{question}/answers"),
            &json!({"body": "Start with rank 16 and sweep."}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let answer: serde_json::Value = res.json().await.expect("json");
    let answer_id = answer["id"].as_i64().expect("id");
    assert!(ada
        .page(&format!("/questions/{question}"))
        .await
        .contains("Start with rank 16 and sweep."));

    let res = curl
        .post(
            "/api/v1/comments",
            &json!({"post_id": question, "body": "Which base model is this for?"}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = curl
        .post(
            "/api/v1/comments",
            &json!({"post_id": question, "body": "x"}),
        )
        .await;
    let body = problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "body");

    let res = curl
        .post(
            "/api/v1/votes",
            &json!({"target_kind": "question", "target_id": question, "value": 1}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let vote: serde_json::Value = res.json().await.expect("json");
    assert_eq!(vote["score"], 1);
    assert_eq!(vote["my_vote"], 1);
    // Own answer: refused as the vote button refuses it.
    let res = curl
        .post(
            "/api/v1/votes",
            &json!({"target_kind": "answer", "target_id": answer_id, "value": 1}),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN).await;
    let res = curl
        .post(
            "/api/v1/votes",
            &json!({"target_kind": "question", "target_id": question, "value": 7}),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;

    let flag = json!({"target_kind": "post", "target_id": question, "reason": "spam"});
    let res = curl.post("/api/v1/flags", &flag).await;
    assert_eq!(res.status(), StatusCode::CREATED);
    let res = curl.post("/api/v1/flags", &flag).await;
    problem(res, StatusCode::CONFLICT).await;
    let flags: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM flags")
        .fetch_one(app.db.reader())
        .await
        .expect("flags");
    assert_eq!(flags, 1);

    let res = curl
        .post(
            "/api/v1/questions/99999/answers",
            &json!({"body": "An answer to nothing."}),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
}

#[tokio::test]
async fn a_silenced_member_is_refused_with_403() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let token = make_token(&ada, "w", "write").await;
    sqlx::query("UPDATE users SET silenced_until = $1 WHERE id = $2")
        .bind(agora::db::now() + 3600)
        .bind(ada.id)
        .execute(app.db.writer())
        .await
        .expect("silence");
    let res = Curl::new(&app, Some(&token))
        .post(
            "/api/v1/questions",
            &json!({"title": "A question while silenced", "body": "Body.", "tags": ["x"]}),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN).await;
}

#[tokio::test]
async fn a_bookmark_toggled_through_the_api_shows_on_the_bookmarks_page() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let bob = Member::join(&app, "bob").await;
    let question = ada.ask("How should I shard a 70B checkpoint?").await;
    let curl = Curl::new(&app, Some(&make_token(&bob, "w", "write").await));

    let res = curl
        .post(
            "/api/v1/bookmarks",
            &json!({"target_kind": "question", "target_id": question}),
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["bookmarked"], true);
    assert!(bob
        .page("/bookmarks")
        .await
        .contains("How should I shard a 70B checkpoint?"));

    let res = curl
        .post(
            "/api/v1/bookmarks",
            &json!({"target_kind": "question", "target_id": question}),
        )
        .await;
    let body: serde_json::Value = res.json().await.expect("json");
    assert_eq!(body["bookmarked"], false, "the second call removes it");
    assert!(!bob
        .page("/bookmarks")
        .await
        .contains("How should I shard a 70B checkpoint?"));

    let res = curl
        .post(
            "/api/v1/bookmarks",
            &json!({"target_kind": "comment", "target_id": question}),
        )
        .await;
    problem(res, StatusCode::UNPROCESSABLE_ENTITY).await;
    let res = curl
        .post(
            "/api/v1/bookmarks",
            &json!({"target_kind": "question", "target_id": 999_999}),
        )
        .await;
    problem(res, StatusCode::NOT_FOUND).await;
    let read_only = Curl::new(&app, Some(&make_token(&bob, "r", "read").await));
    let res = read_only
        .post(
            "/api/v1/bookmarks",
            &json!({"target_kind": "question", "target_id": question}),
        )
        .await;
    problem(res, StatusCode::FORBIDDEN).await;
}
