//! Reading through the API: cursor pages that walk a whole list without repeats, and the same
//! visibility as the pages (drafts and held posts only for their author).
use reqwest::StatusCode;
use serde_json::Value;

use super::{make_token, problem, Curl};
use crate::helpers::spawn_app;
use crate::member::Member;

async fn json(res: reqwest::Response) -> Value {
    assert_eq!(res.status(), StatusCode::OK);
    res.json().await.expect("json")
}

#[tokio::test]
async fn cursor_pages_walk_every_question_once_newest_first() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let mut asked = Vec::new();
    for n in 0..7 {
        asked.push(
            ada.ask(&format!("Question number {n} about quantisation"))
                .await,
        );
    }
    let curl = Curl::new(&app, None);
    let mut seen = Vec::new();
    let mut path = "/api/v1/questions?limit=3".to_string();
    let mut pages = 0;
    loop {
        let page = json(curl.get(&path).await).await;
        pages += 1;
        let items = page["items"].as_array().expect("items");
        assert!(items.len() <= 3);
        seen.extend(items.iter().map(|q| q["id"].as_i64().expect("id")));
        match page["next_cursor"].as_str() {
            Some(cursor) => path = format!("/api/v1/questions?limit=3&cursor={cursor}"),
            None => break,
        }
    }
    asked.reverse();
    assert_eq!(seen, asked, "every question once, newest first");
    assert_eq!(pages, 3);

    let bad = curl.get("/api/v1/questions?cursor=5:42").await;
    let body = problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "cursor");
    let bad = curl.get("/api/v1/questions?limit=1000").await;
    let body = problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;
    assert_eq!(body["errors"][0]["field"], "limit");
}

#[tokio::test]
async fn drafts_are_seen_through_the_api_by_their_author_only() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let bob = Member::join(&app, "bob").await;
    let draft = ada
        .write_article("Draft notes on sparse attention", true)
        .await;
    let public = ada
        .write_article("Published notes on flash attention", false)
        .await;

    let anonymous = Curl::new(&app, None);
    let path = format!("/api/v1/articles/{draft}");
    problem(anonymous.get(&path).await, StatusCode::NOT_FOUND).await;
    let bob_token = make_token(&bob, "bob", "read").await;
    let bob_curl = Curl::new(&app, Some(&bob_token));
    problem(bob_curl.get(&path).await, StatusCode::NOT_FOUND).await;
    let ada_token = make_token(&ada, "ada", "read").await;
    let mine = json(Curl::new(&app, Some(&ada_token)).get(&path).await).await;
    assert_eq!(mine["status"], "draft");

    let list = json(anonymous.get("/api/v1/articles").await).await;
    let ids: Vec<i64> = list["items"]
        .as_array()
        .expect("items")
        .iter()
        .map(|a| a["id"].as_i64().expect("id"))
        .collect();
    assert_eq!(ids, vec![public]);
    let article = json(anonymous.get(&format!("/api/v1/articles/{public}")).await).await;
    assert_eq!(article["body_markdown"], "Long-form notes on attention.");
    assert!(article["body_html"]
        .as_str()
        .is_some_and(|h| h.contains("<p>")));
    // A question id is not an article.
    problem(
        anonymous.get(&format!("/api/v1/questions/{public}")).await,
        StatusCode::NOT_FOUND,
    )
    .await;
}

#[tokio::test]
async fn answers_comments_tags_users_resources_and_search_read_as_the_pages_show_them() {
    let app = spawn_app().await;
    let ada = Member::join(&app, "ada").await;
    let bob = Member::join(&app, "bob").await;
    let question = ada
        .ask_with(
            "Why does my LoRA adapter diverge?",
            "The loss explodes after 200 steps with rank 64.",
            "lora, fine-tuning",
        )
        .await;
    let first = bob.answer(question).await;
    let second = bob.answer(question).await;
    let res = ada
        .comment(question, "Which learning rate did you use for this run?")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let curl = Curl::new(&app, None);

    let page = json(
        curl.get(&format!("/api/v1/questions/{question}/answers?limit=1"))
            .await,
    )
    .await;
    assert_eq!(page["items"][0]["id"], first);
    assert_eq!(page["items"][0]["question_id"], question);
    let cursor = page["next_cursor"].as_str().expect("a second page");
    let page = json(
        curl.get(&format!(
            "/api/v1/questions/{question}/answers?limit=1&cursor={cursor}"
        ))
        .await,
    )
    .await;
    assert_eq!(page["items"][0]["id"], second);
    assert!(page["next_cursor"].is_null());
    let answer = json(curl.get(&format!("/api/v1/answers/{first}")).await).await;
    assert_eq!(answer["author"], "bob");

    let comments = json(
        curl.get(&format!("/api/v1/posts/{question}/comments"))
            .await,
    )
    .await;
    assert_eq!(
        comments["items"][0]["body_markdown"],
        "Which learning rate did you use for this run?"
    );

    let tags = json(curl.get("/api/v1/tags").await).await;
    let names: Vec<&str> = tags["items"]
        .as_array()
        .expect("items")
        .iter()
        .filter_map(|t| t["name"].as_str())
        .collect();
    assert!(
        names.contains(&"lora") && names.contains(&"fine-tuning"),
        "{names:?}"
    );

    let user = json(curl.get("/api/v1/users/ada").await).await;
    assert_eq!(user["username"], "ada");
    assert!(user.get("email").is_none(), "no address in a profile");
    problem(
        curl.get("/api/v1/users/nobody").await,
        StatusCode::NOT_FOUND,
    )
    .await;

    let resources = json(curl.get("/api/v1/resources?kind=book").await).await;
    assert!(resources["items"].as_array().is_some_and(Vec::is_empty));
    let bad = curl.get("/api/v1/resources?kind=spaceship").await;
    problem(bad, StatusCode::UNPROCESSABLE_ENTITY).await;

    let found = json(curl.get("/api/v1/search?q=LoRA%20adapter").await).await;
    let hits = found["items"].as_array().expect("items");
    assert!(hits.iter().any(|h| h["post_id"] == question), "{found}");
    problem(
        curl.get("/api/v1/search?q=").await,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
    .await;
}

#[tokio::test]
async fn an_unknown_api_address_is_a_problem_not_a_page() {
    let app = spawn_app().await;
    let curl = Curl::new(&app, None);
    let body = problem(
        curl.get("/api/v1/nothing-here").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["type"], "urn:agora:problem:no-such-route");
    let body = problem(
        curl.get("/api/v1/questions/99999").await,
        StatusCode::NOT_FOUND,
    )
    .await;
    assert_eq!(body["type"], "about:blank");
}
