//! `POST /bookmarks` toggles a bookmark (JSON for fetch, a redirect for the plain form) and
//! `/bookmarks` lists what the member saved and may still see.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app};
use crate::member::Member;

async fn toggle_json(member: &Member, kind: &str, id: i64) -> (StatusCode, serde_json::Value) {
    let id = id.to_string();
    let res = member
        .post_json("/bookmarks", &[("target_kind", kind), ("target_id", &id)])
        .await;
    let status = res.status();
    (status, res.json().await.unwrap_or_default())
}

#[tokio::test]
async fn a_member_bookmarks_a_question_an_answer_and_finds_them_on_bookmarks() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let question = alice.ask("How do I shard a tokenizer?").await;
    let answer = alice.answer(question).await;

    // The plain form: saved, and back to the question with the button pressed.
    let res = bob
        .post(
            "/bookmarks",
            &[
                ("target_kind", "question"),
                ("target_id", &question.to_string()),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with(&format!("/questions/{question}")));
    let page = bob.page(&format!("/questions/{question}")).await;
    assert!(
        page.contains("Remove bookmark"),
        "the question shows as saved"
    );

    // fetch: JSON says the new state.
    let (status, body) = toggle_json(&bob, "answer", answer).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bookmarked"], true);

    let (status, list) = bob.get("/bookmarks").await;
    assert_eq!(status, StatusCode::OK);
    assert!(list.contains("How do I shard a tokenizer?"), "{list}");
    assert!(list.contains(&format!("/questions/{question}#answer-{answer}")));

    // Pressing again removes it.
    let (_, body) = toggle_json(&bob, "answer", answer).await;
    assert_eq!(body["bookmarked"], false);
    let (_, list) = bob.get("/bookmarks").await;
    assert!(!list.contains(&format!("#answer-{answer}")));

    // Resources too, from their page.
    let trusted = Member::with(&app, "trusted", agora::domain::Role::Member, 500).await;
    let fields = crate::resources::paper("The LoRA paper", "https://arxiv.org/abs/2106.09685", &[]);
    let resource = crate::resources::submit_ok(&trusted, &fields).await;
    let (status, body) = toggle_json(&bob, "resource", resource).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(body["bookmarked"], true);
    assert!(bob
        .get(&format!("/resources/{resource}"))
        .await
        .1
        .contains("Remove bookmark"));
    let (_, list) = bob.get("/bookmarks").await;
    assert!(list.contains("The LoRA paper") && list.contains(&format!("/resources/{resource}")));

    // Bookmarks are private.
    let (_, theirs) = alice.get("/bookmarks").await;
    assert!(!theirs.contains("How do I shard a tokenizer?"));
}

#[tokio::test]
async fn bookmarks_of_deleted_posts_leave_the_list_and_bad_targets_are_refused() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let question = alice.ask("Which optimiser for tiny batches?").await;
    let (status, _) = toggle_json(&bob, "question", question).await;
    assert_eq!(status, StatusCode::OK);
    let res = alice
        .post(&format!("/questions/{question}/delete"), &[])
        .await;
    assert!(res.status().is_redirection(), "{}", res.status());
    let (_, list) = bob.get("/bookmarks").await;
    assert!(
        !list.contains("Which optimiser"),
        "a deleted post is not listed"
    );

    let (status, _) = toggle_json(&bob, "question", 999_999).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    let (status, _) = toggle_json(&bob, "comment", question).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    // Without a CSRF token nothing is stored.
    let qid = question.to_string();
    let res = bob
        .post_without_token(
            "/bookmarks",
            &[("target_kind", "question"), ("target_id", &qid)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    // Visitors are sent to log in.
    let res = app.get("/bookmarks").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with("/login"));
}

#[tokio::test]
async fn the_bookmark_list_pages_by_cursor() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let mut ids = Vec::new();
    for n in 0..32 {
        let id = alice
            .ask(&format!("Question number {n} about decoding"))
            .await;
        toggle_json(&bob, "question", id).await;
        ids.push(id);
    }
    let (_, first) = bob.get("/bookmarks").await;
    let next = first
        .split("href=\"/bookmarks?after=")
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("a next page link");
    let (status, second) = bob.get(&format!("/bookmarks?after={next}")).await;
    assert_eq!(status, StatusCode::OK);
    let all_shown = ids.iter().all(|id| {
        first.contains(&format!("/questions/{id}\""))
            || second.contains(&format!("/questions/{id}\""))
    });
    assert!(all_shown, "every bookmark is on one of the two pages");
    let (status, _) = bob.get("/bookmarks?after=nonsense").await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
