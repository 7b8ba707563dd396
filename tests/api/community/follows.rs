//! `POST /follows`: watching a topic or tag notifies about new activity; authors watch their own
//! topics; muting a tag takes its topics off the member's front page and lists.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app};
use crate::member::Member;
use agora::domain::Role;

async fn follow(member: &Member, kind: &str, target: &str, level: &str) -> StatusCode {
    member
        .post(
            "/follows",
            &[("target_kind", kind), ("target", target), ("level", level)],
        )
        .await
        .status()
}

async fn notifications(member: &Member) -> String {
    member.get("/notifications").await.1
}

#[tokio::test]
async fn watchers_of_a_question_hear_of_new_answers_and_comments() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    // Commenting on others' posts takes 50 reputation.
    let carol = Member::with(&app, "carol", Role::Member, 100).await;
    let question = alice.ask("Why does my loss spike at step 3000?").await;

    let res = bob
        .post(
            "/follows",
            &[
                ("target_kind", "post"),
                ("target", &question.to_string()),
                ("level", "watch"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(location(&res).starts_with(&format!("/questions/{question}")));
    assert!(bob
        .page(&format!("/questions/{question}"))
        .await
        .contains("Stop watching"));

    carol.answer(question).await;
    let bobs = notifications(&bob).await;
    assert!(
        bobs.contains("carol answered “Why does my loss spike at step 3000?”, which you watch"),
        "{bobs}"
    );
    // The asker watches their own topic but hears of the answer once, as the asker.
    let alices = notifications(&alice).await;
    assert_eq!(alices.matches("carol answered").count(), 1, "{alices}");
    assert!(!alices.contains("which you watch"));

    let res = carol
        .comment(question, "Lower the learning rate first.")
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(notifications(&bob).await.contains("carol commented in"));

    // Back to normal: nothing more.
    assert_eq!(
        follow(&bob, "post", &question.to_string(), "normal").await,
        StatusCode::SEE_OTHER
    );
    let before = notifications(&bob).await.matches("which you watch").count();
    carol.comment(question, "Or clip the gradients.").await;
    assert_eq!(
        notifications(&bob).await.matches("which you watch").count(),
        before
    );

    // Carol (an answerer, not watching) was told nothing about her own actions.
    assert!(!notifications(&carol).await.contains("which you watch"));
}

#[tokio::test]
async fn watchers_of_a_tag_hear_of_new_questions_in_it() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    alice
        .ask_with(
            "First question on quantisation",
            "int8 or int4?",
            "quantization",
        )
        .await;
    assert_eq!(
        follow(&bob, "tag", "quantization", "watch").await,
        StatusCode::SEE_OTHER
    );
    let tag_page = bob.get("/tags/quantization").await.1;
    assert!(tag_page.contains("watching"), "{tag_page}");
    alice
        .ask_with(
            "Second question on quantisation",
            "GPTQ or AWQ?",
            "quantization",
        )
        .await;
    alice
        .ask_with("Unrelated question on data", "How to dedupe?", "datasets")
        .await;
    let bobs = notifications(&bob).await;
    assert!(
        bobs.contains("alice posted “Second question on quantisation” in a tag you watch"),
        "{bobs}"
    );
    assert!(!bobs.contains("First question on quantisation"));
    assert!(!bobs.contains("Unrelated question"));

    assert_eq!(
        follow(&bob, "tag", "no-such-tag", "watch").await,
        StatusCode::NOT_FOUND
    );
    assert_eq!(
        follow(&bob, "tag", "quantization", "loud").await,
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        follow(&bob, "post", "1", "mute").await,
        StatusCode::BAD_REQUEST,
        "topics are not muted"
    );
}

#[tokio::test]
async fn a_muted_tag_leaves_the_members_home_page_and_lists_only() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    alice
        .ask_with("Crypto prices and transformers", "Off topic?", "crypto")
        .await;
    alice
        .ask_with("Attention heads pruning", "Which heads?", "transformers")
        .await;
    alice
        .write_article("Notes on crypto hype cycles", false)
        .await;

    assert_eq!(
        follow(&bob, "tag", "crypto", "mute").await,
        StatusCode::SEE_OTHER
    );
    for path in [
        "/",
        "/questions",
        "/questions?tab=active",
        "/questions?tab=unanswered",
    ] {
        let page = bob.get(path).await.1;
        assert!(
            !page.contains("Crypto prices and transformers"),
            "{path} for bob"
        );
        assert!(page.contains("Attention heads pruning"), "{path} for bob");
    }
    // Others still see it.
    let home = alice.get("/").await.1;
    assert!(home.contains("Crypto prices and transformers"));
    // Unmuting brings it back.
    assert_eq!(
        follow(&bob, "tag", "crypto", "normal").await,
        StatusCode::SEE_OTHER
    );
    assert!(bob
        .get("/questions")
        .await
        .1
        .contains("Crypto prices and transformers"));
}

#[tokio::test]
async fn publishing_a_draft_article_tells_the_tags_watchers_and_its_author_watches_it() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    alice
        .write_article("Seed article on transformers", false)
        .await;
    follow(&bob, "tag", "transformers", "watch").await;
    let draft = alice
        .write_article("Draft on rotary embeddings", true)
        .await;
    assert!(
        !notifications(&bob)
            .await
            .contains("Draft on rotary embeddings"),
        "a draft is private"
    );
    let res = alice
        .post(
            &format!("/articles/{draft}/edit"),
            &[
                ("title", "Draft on rotary embeddings"),
                ("body", "RoPE rotates query and key pairs."),
                ("tags", "transformers"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert!(notifications(&bob)
        .await
        .contains("alice posted “Draft on rotary embeddings” in a tag you watch"));
    let page = alice.page(&format!("/articles/{draft}")).await;
    assert!(page.contains("Stop watching"), "the author watches it");
}

#[tokio::test]
async fn a_muted_tag_wins_over_a_watched_one_for_new_topic_notices() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    alice.ask_with("Seed question", "seed", "llm, crypto").await;
    assert!(follow(&bob, "tag", "llm", "watch").await.is_redirection());
    assert!(follow(&bob, "tag", "crypto", "mute").await.is_redirection());
    alice
        .ask_with("LLM tokens as crypto tokens", "?", "llm, crypto")
        .await;
    alice
        .ask_with("Which LLM for long context?", "?", "llm")
        .await;
    let seen = notifications(&bob).await;
    assert!(!seen.contains("LLM tokens as crypto tokens"), "muted wins");
    assert!(
        seen.contains("Which LLM for long context?"),
        "the watch itself works"
    );
}
