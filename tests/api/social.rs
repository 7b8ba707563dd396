//! Votes, reputation, comments, mentions and notifications, and profiles. Posts are written through the
//! posts routes (`POST /questions`, `/questions/{id}/answers`, `/articles`); reputation and roles are
//! set directly in the database to reach the privilege thresholds quickly.
use reqwest::StatusCode;
use serde_json::Value;

use crate::helpers::{location, spawn_app_with, TestApp};

use crate::member::{id_after, Member};

async fn app() -> TestApp {
    spawn_app_with(&[("AGORA_REGISTRATIONS_PER_IP", "1000")]).await
}

async fn set_reputation(app: &TestApp, name: &str, reputation: i64) {
    sqlx::query("UPDATE users SET reputation = $1 WHERE username = $2")
        .bind(reputation)
        .bind(name)
        .execute(app.db.writer())
        .await
        .expect("set reputation");
}

async fn reputation(app: &TestApp, name: &str) -> i64 {
    sqlx::query_scalar("SELECT reputation FROM users WHERE username = $1")
        .bind(name)
        .fetch_one(app.db.reader())
        .await
        .expect("reputation")
}

/// max(1, 1 + the sum of the user's events): reputation is always explained by its events.
async fn explained_reputation(app: &TestApp, name: &str) -> i64 {
    let sum: i64 = sqlx::query_scalar(
        "SELECT CAST(COALESCE(SUM(e.delta), 0) AS BIGINT) FROM reputation_events e \
         JOIN users u ON u.id = e.user_id WHERE u.username = $1",
    )
    .bind(name)
    .fetch_one(app.db.reader())
    .await
    .expect("sum");
    (1 + sum).max(1)
}

async fn score(app: &TestApp, post_id: i64) -> i64 {
    sqlx::query_scalar("SELECT score FROM posts WHERE id = $1")
        .bind(post_id)
        .fetch_one(app.db.reader())
        .await
        .expect("score")
}

async fn unread_badge(member: &Member) -> Option<String> {
    let (_, html) = member.get("/").await;
    let marker = "data-unread";
    let start = html.find(marker)?;
    let rest = &html[start..];
    let open = rest.find('>')? + 1;
    let close = rest[open..].find('<')? + open;
    Some(rest[open..close].trim().to_string())
}

#[tokio::test]
async fn votes_can_be_changed_and_retracted_but_not_cast_on_your_own_post() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    set_reputation(&app, "alice", 100).await;
    set_reputation(&app, "bob", 200).await;
    let question = alice.ask("How do I fine-tune a small model?").await;

    let result = bob.vote("question", question, 1).await;
    assert_eq!(
        (result["score"].as_i64(), result["my_vote"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        reputation(&app, "alice").await,
        105,
        "+5 for a question upvote"
    );

    let result = bob.vote("question", question, -1).await;
    assert_eq!(
        (result["score"].as_i64(), result["my_vote"].as_i64()),
        (Some(-1), Some(-1))
    );
    assert_eq!(
        reputation(&app, "alice").await,
        98,
        "upvote reversed, -2 for the downvote"
    );
    assert_eq!(
        reputation(&app, "bob").await,
        200,
        "downvoting a question costs nothing"
    );

    let result = bob.vote("question", question, 0).await;
    assert_eq!(
        (result["score"].as_i64(), result["my_vote"].as_i64()),
        (Some(0), Some(0))
    );
    assert_eq!(
        reputation(&app, "alice").await,
        100,
        "retracting reverses everything"
    );
    assert_eq!(
        explained_reputation(&app, "alice").await - 1,
        0,
        "events cancel out"
    );

    // The same vote twice is one vote.
    bob.vote("question", question, 1).await;
    let result = bob.vote("question", question, 1).await;
    assert_eq!(result["score"].as_i64(), Some(1));

    let res = alice.vote_json("question", question, 1).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "no self-votes");
    let body: Value = res.json().await.expect("json");
    assert!(
        body["message"]
            .as_str()
            .unwrap_or_default()
            .contains("own post"),
        "{body}"
    );
    assert_eq!(score(&app, question).await, 1);

    // Without JavaScript: a plain form, redirected back to the post.
    let res = bob
        .post(
            "/votes",
            &[
                ("target_kind", "question"),
                ("target_id", &question.to_string()),
                ("value", "0"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), format!("/questions/{question}"));
    assert_eq!(score(&app, question).await, 0);

    let res = bob.vote_json("answer", question, 1).await;
    assert_eq!(
        res.status(),
        StatusCode::NOT_FOUND,
        "the kind must match the post"
    );
    let res = bob.vote_json("question", question, 2).await;
    assert_eq!(res.status(), StatusCode::BAD_REQUEST);
    let res = bob
        .client
        .post(app.url("/votes"))
        .header("Accept", "application/json")
        .form(&[
            ("target_kind", "question"),
            ("target_id", &question.to_string()),
            ("value", "1"),
        ])
        .send()
        .await
        .expect("vote");
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "no CSRF token, no vote"
    );
}

#[tokio::test]
async fn voting_up_needs_15_reputation_and_down_125() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let carol = Member::join(&app, "carol").await;
    let question = alice.ask("Why does my loss go to NaN?").await;

    let res = carol.vote_json("question", question, 1).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.expect("json");
    assert!(
        body["message"].as_str().unwrap_or_default().contains("15"),
        "{body}"
    );

    let res = carol
        .post(
            "/votes",
            &[
                ("target_kind", "question"),
                ("target_id", &question.to_string()),
                ("value", "1"),
            ],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "plain forms are refused too"
    );
    assert!(
        res.text().await.expect("body").contains("15 reputation"),
        "and told why"
    );

    set_reputation(&app, "carol", 15).await;
    carol.vote("question", question, 1).await;
    let res = carol.vote_json("question", question, -1).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let body: Value = res.json().await.expect("json");
    assert!(
        body["message"].as_str().unwrap_or_default().contains("125"),
        "{body}"
    );
    assert_eq!(
        score(&app, question).await,
        1,
        "the refused downvote changed nothing"
    );

    set_reputation(&app, "carol", 125).await;
    assert_eq!(
        carol.vote("question", question, -1).await["score"].as_i64(),
        Some(-1)
    );
    // Retracting needs no privilege.
    set_reputation(&app, "carol", 1).await;
    assert_eq!(
        carol.vote("question", question, 0).await["score"].as_i64(),
        Some(0)
    );
}

#[tokio::test]
async fn twenty_concurrent_voters_give_the_exact_score() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let question = alice.ask("Which optimizer for a 7B model?").await;
    let answer = Member::join(&app, "bob").await.answer(question).await;
    let other_answer = Member::join(&app, "carol").await.answer(question).await;
    let mut voters = Vec::new();
    for i in 0..20 {
        let name = format!("voter{i}");
        voters.push(Member::join(&app, &name).await);
    }
    sqlx::query("UPDATE users SET reputation = 500 WHERE username LIKE 'voter%'")
        .execute(app.db.writer())
        .await
        .expect("reputation");

    let ups = voters.iter().map(|v| v.vote_json("answer", answer, 1));
    for res in futures_util::future::join_all(ups).await {
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(score(&app, answer).await, 20);
    assert_eq!(reputation(&app, "bob").await, 1 + 20 * 10);

    // Everyone changes their mind at once: each change moves the score by 2.
    let downs = voters.iter().map(|v| v.vote_json("answer", answer, -1));
    for res in futures_util::future::join_all(downs).await {
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(score(&app, answer).await, -20);
    let tally: i64 = agora::db::votes::tally(&app.db, agora::db::votes::TargetKind::Answer, answer)
        .await
        .expect("tally");
    assert_eq!(tally, -20, "the stored score equals the sum of the votes");
    assert_eq!(reputation(&app, "bob").await, 1, "the floor holds");
    assert_eq!(
        reputation(&app, "voter0").await,
        499,
        "-1 for downvoting an answer"
    );
    assert_eq!(
        explained_reputation(&app, "bob").await,
        1,
        "bob's events add up"
    );

    // Forty votes at once across two answers, each touching its author's and its voter's reputation:
    // no deadlock, no lost update.
    let mixed = voters.iter().flat_map(|v| {
        [
            v.vote_json("answer", answer, 0),
            v.vote_json("answer", other_answer, -1),
        ]
    });
    for res in futures_util::future::join_all(mixed).await {
        assert_eq!(res.status(), StatusCode::OK);
    }
    assert_eq!(score(&app, answer).await, 0);
    assert_eq!(score(&app, other_answer).await, -20);
    for name in ["bob", "carol"] {
        assert_eq!(reputation(&app, name).await, 1, "{name} at the floor");
        assert_eq!(
            explained_reputation(&app, name).await,
            1,
            "{name}'s events add up"
        );
    }
    for i in [0, 9, 19] {
        assert_eq!(
            reputation(&app, &format!("voter{i}")).await,
            499,
            "one answer downvote each"
        );
    }
}

#[tokio::test]
async fn reputation_follows_every_event_and_never_drops_below_one() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let voter = Member::join(&app, "voter").await;
    set_reputation(&app, "voter", 1000).await;
    let question = alice.ask("How to quantize to int4?").await;
    let answer = bob.answer(question).await;
    let article = bob.write_article("Notes on KV caches", false).await;

    voter.vote("answer", answer, 1).await;
    assert_eq!(reputation(&app, "bob").await, 11, "+10 answer upvote");
    voter.vote("article", article, 1).await;
    assert_eq!(reputation(&app, "bob").await, 21, "+10 article upvote");
    voter.vote("question", question, 1).await;
    assert_eq!(reputation(&app, "alice").await, 6, "+5 question upvote");

    voter.vote("answer", answer, -1).await;
    assert_eq!(
        reputation(&app, "bob").await,
        9,
        "-10 reversed, -2 downvote"
    );
    assert_eq!(
        reputation(&app, "voter").await,
        999,
        "-1 for downvoting an answer"
    );
    voter.vote("answer", answer, 0).await;
    assert_eq!(reputation(&app, "bob").await, 11);
    assert_eq!(
        reputation(&app, "voter").await,
        1000,
        "retracting refunds the downvote"
    );

    // Floor: at 1, a downvote takes nothing, and retracting it gives nothing back.
    let question2 = alice.ask("Is RLHF worth it for small teams?").await;
    set_reputation(&app, "alice", 1).await;
    voter.vote("question", question2, -1).await;
    assert_eq!(reputation(&app, "alice").await, 1);
    voter.vote("question", question2, 0).await;
    assert_eq!(reputation(&app, "alice").await, 1);

    // Accepting: +15 to the answerer, +2 to the asker; moving or removing the mark reverses it.
    let carol = Member::join(&app, "carol").await;
    let answer2 = carol.answer(question).await;
    let accept = |answer: i64, accept: &'static str| {
        let alice = &alice;
        async move {
            let res = alice
                .post(&format!("/answers/{answer}/accept"), &[("accept", accept)])
                .await;
            assert_eq!(
                res.status(),
                StatusCode::SEE_OTHER,
                "accept {answer} ({accept})"
            );
        }
    };
    accept(answer, "1").await;
    assert_eq!(reputation(&app, "bob").await, 26, "+15 accepted");
    assert_eq!(reputation(&app, "alice").await, 3, "+2 for accepting");
    accept(answer2, "1").await;
    assert_eq!(reputation(&app, "bob").await, 11, "moved: bob loses the 15");
    assert_eq!(reputation(&app, "carol").await, 16);
    assert_eq!(reputation(&app, "alice").await, 3, "the asker keeps one +2");
    accept(answer2, "0").await;
    assert_eq!(reputation(&app, "carol").await, 1);
    assert_eq!(reputation(&app, "alice").await, 1);

    let (_, html) = alice.get("/notifications").await;
    assert!(
        html.contains("bob answered your question"),
        "the asker is told about answers"
    );
    let (_, html) = bob.get("/notifications").await;
    assert!(
        html.contains("accepted your answer"),
        "the answerer is told"
    );
    let (_, profile) = alice.get("/u/bob").await;
    assert!(
        profile.contains("Reputation history"),
        "the profile explains reputation"
    );
    assert!(profile.contains("+15") && profile.contains("answer accepted (undone)"));
    // (alice's and voter's reputations were set by hand above, so only these two are all events.)
    for name in ["bob", "carol"] {
        assert_eq!(
            reputation(&app, name).await,
            explained_reputation(&app, name).await,
            "{name}'s events add up"
        );
    }
}

#[tokio::test]
async fn bot_answers_never_earn_reputation() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let bot = Member::join(&app, "agora-bot").await;
    let voter = Member::join(&app, "voter").await;
    set_reputation(&app, "voter", 1000).await;
    sqlx::query("UPDATE users SET is_bot = 1 WHERE username = 'agora-bot'")
        .execute(app.db.writer())
        .await
        .expect("bot");
    let question = alice.ask("What is speculative decoding?").await;
    let answer = bot.answer(question).await;
    assert_eq!(
        voter.vote("answer", answer, 1).await["score"].as_i64(),
        Some(1)
    );
    assert_eq!(reputation(&app, "agora-bot").await, 1);
    voter.vote("answer", answer, -1).await;
    assert_eq!(
        reputation(&app, "voter").await,
        1000,
        "downvoting the bot costs nothing"
    );
}

#[tokio::test]
async fn comments_can_be_edited_for_five_minutes_and_deleted_by_author_or_staff() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let mallory = Member::join(&app, "mallory").await;
    set_reputation(&app, "bob", 50).await;
    let question = alice.ask("Why is my GPU memory fragmented?").await;

    let res = bob.comment(question, "Which *allocator* do you use?").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let comment = id_after(&location(&res), "#comment-");
    assert!(location(&res).starts_with(&format!("/questions/{question}")));
    let html: String = sqlx::query_scalar("SELECT body_html FROM comments WHERE id = $1")
        .bind(comment)
        .fetch_one(app.db.reader())
        .await
        .expect("comment");
    assert!(
        html.contains("<em>allocator</em>"),
        "inline Markdown: {html}"
    );
    let count: i64 = sqlx::query_scalar("SELECT comment_count FROM posts WHERE id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 1);
    let page = bob.page(&format!("/questions/{question}")).await;
    assert!(
        page.contains(&format!("id=\"comment-{comment}\"")),
        "the post page shows the comment"
    );
    assert!(page.contains("action=\"/votes\""), "and a vote widget");

    // Length limits, with the text kept.
    let res = bob.comment(question, " x ").await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res
        .text()
        .await
        .expect("body")
        .contains("at least 2 characters"));
    let long = format!("keep-this-text {}", "y".repeat(1000));
    let res = bob.comment(question, &long).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let page = res.text().await.expect("body");
    assert!(page.contains("at most 1000 characters"), "clear error");
    assert!(
        page.contains("keep-this-text"),
        "the rejected comment keeps its text"
    );

    // Editing: the author, within the window.
    let (status, form) = bob.get(&format!("/comments/{comment}/edit")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(form.contains("Which *allocator* do you use?"));
    let res = mallory
        .post(
            &format!("/comments/{comment}/edit"),
            &[("body", "hijacked")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = bob
        .post(
            &format!("/comments/{comment}/edit"),
            &[("body", "Which allocator, exactly?")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    sqlx::query("UPDATE comments SET created_at = created_at - 301 WHERE id = $1")
        .bind(comment)
        .execute(app.db.writer())
        .await
        .expect("age");
    let res = bob
        .post(
            &format!("/comments/{comment}/edit"),
            &[("body", "Too late to say this")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.expect("body");
    assert!(
        page.contains("5 minutes") && page.contains("Too late to say this"),
        "refused, text kept"
    );

    // Deleting: not others, yes the author; staff delete anyone's.
    let res = mallory
        .post(&format!("/comments/{comment}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = bob.post(&format!("/comments/{comment}/delete"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let status: String = sqlx::query_scalar("SELECT status FROM comments WHERE id = $1")
        .bind(comment)
        .fetch_one(app.db.reader())
        .await
        .expect("status");
    assert_eq!(status, "deleted", "soft delete");
    let res = bob.post(&format!("/comments/{comment}/delete"), &[]).await;
    assert_eq!(res.status(), StatusCode::NOT_FOUND, "gone");

    let second = id_after(
        &location(&bob.comment(question, "Try expandable segments.").await),
        "#comment-",
    );
    sqlx::query("UPDATE users SET role = 'moderator' WHERE username = 'mallory'")
        .execute(app.db.writer())
        .await
        .expect("role");
    let res = mallory
        .post(&format!("/comments/{second}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let count: i64 = sqlx::query_scalar("SELECT comment_count FROM posts WHERE id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(count, 0);
}

#[tokio::test]
async fn new_members_comment_only_on_their_own_threads() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let newbie = Member::join(&app, "newbie").await;
    let question = alice.ask("Best way to serve a 70B model?").await;
    let answer = bob.answer(question).await;

    let res = newbie.comment(question, "Did you try vLLM?").await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let page = res.text().await.expect("body");
    assert!(
        page.contains("50 reputation") && page.contains("Did you try vLLM?"),
        "refused with the text kept"
    );

    assert_eq!(
        alice.comment(question, "Edit: 4 GPUs.").await.status(),
        StatusCode::SEE_OTHER,
        "own post"
    );
    assert_eq!(
        alice.comment(answer, "Thanks, trying it.").await.status(),
        StatusCode::SEE_OTHER,
        "answer to own question"
    );
    assert_eq!(
        bob.comment(answer, "Glad to help.").await.status(),
        StatusCode::SEE_OTHER,
        "own answer"
    );
    assert_eq!(
        newbie.comment(999_999, "Anyone?").await.status(),
        StatusCode::NOT_FOUND
    );

    let threads = threads_of(&app, &[question, answer]).await;
    assert_eq!(
        threads.iter().map(|t| t.comments.len()).collect::<Vec<_>>(),
        [1, 2]
    );
}

#[tokio::test]
async fn mentions_notify_each_existing_user_once_and_notifications_can_be_read() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    let carol = Member::join(&app, "carol").await;
    let dave = Member::join(&app, "dave").await;
    set_reputation(&app, "bob", 50).await;
    let question = alice.ask("Tokenizer for mixed Chinese and English?").await;

    let res = bob
        .comment(
            question,
            "@carol @Carol @alice @bob @nobody see `@dave` and @carol again",
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let comment = id_after(&location(&res), "#comment-");

    let count = |name: &'static str, kind: &'static str| {
        let db = app.db.clone();
        async move {
            let n: i64 = sqlx::query_scalar(
                "SELECT COUNT(*) FROM notifications n JOIN users u ON u.id = n.user_id \
                 WHERE u.username = $1 AND n.kind = $2",
            )
            .bind(name)
            .bind(kind)
            .fetch_one(db.reader())
            .await
            .expect("count");
            n
        }
    };
    assert_eq!(
        count("carol", "mention").await,
        1,
        "once, whatever the case"
    );
    assert_eq!(
        count("alice", "comment").await,
        1,
        "the post's author hears about the comment"
    );
    assert_eq!(count("alice", "mention").await, 0, "...once");
    assert_eq!(count("bob", "mention").await, 0, "not yourself");
    assert_eq!(count("dave", "mention").await, 0, "not inside code");

    assert_eq!(
        unread_badge(&carol).await.as_deref(),
        Some("1"),
        "the header shows the unread count"
    );
    assert_eq!(unread_badge(&dave).await, None);
    let (_, page) = carol.get("/notifications").await;
    assert!(page.contains("bob mentioned you in"), "{page}");
    assert!(
        page.contains(&format!("/questions/{question}#comment-{comment}")),
        "links to the comment"
    );

    // An edit that adds a mention tells only the newcomer.
    bob.post(
        &format!("/comments/{comment}/edit"),
        &[("body", "@carol @dave have a look")],
    )
    .await;
    assert_eq!(count("carol", "mention").await, 1);
    assert_eq!(count("dave", "mention").await, 1);

    // Mark one read, then all.
    let second = id_after(
        &location(&bob.comment(question, "@carol one more").await),
        "#comment-",
    );
    assert!(second > comment);
    assert_eq!(unread_badge(&carol).await.as_deref(), Some("2"));
    let first_id: i64 = sqlx::query_scalar(
        "SELECT MIN(n.id) FROM notifications n JOIN users u ON u.id = n.user_id WHERE u.username = 'carol'",
    )
    .fetch_one(app.db.reader())
    .await
    .expect("id");
    let res = carol
        .post("/notifications/read", &[("id", &first_id.to_string())])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(unread_badge(&carol).await.as_deref(), Some("1"));
    // Someone else's notification cannot be marked.
    let res = dave
        .post(
            "/notifications/read",
            &[("id", &(first_id + 1).to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(unread_badge(&carol).await.as_deref(), Some("1"));
    carol.post("/notifications/read", &[]).await;
    assert_eq!(unread_badge(&carol).await, None);

    let res = app.get("/notifications").await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "visitors are sent to log in"
    );
}

#[tokio::test]
async fn profiles_show_posts_and_work_with_chinese_names() {
    let app = app().await;
    let lilei = Member::join(&app, "李雷").await;
    let other = Member::join(&app, "hanmeimei").await;
    let question = lilei.ask("如何微调一个中文大模型？").await;
    let article = lilei.write_article("注意力机制笔记 (notes)", false).await;
    let draft = lilei.write_article("A draft about MoE routing", true).await;
    set_reputation(&app, "李雷", 42).await;

    let (status, page) = other.get("/u/%E6%9D%8E%E9%9B%B7").await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        page.contains("李雷") && page.contains("42"),
        "name and reputation"
    );
    assert!(
        page.contains("如何微调一个中文大模型？")
            && page.contains(&format!("/questions/{question}"))
    );
    assert!(page.contains(&format!("/articles/{article}")));
    assert!(
        !page.contains(&format!("/articles/{draft}")),
        "others never see drafts"
    );
    assert!(
        !page.contains("name=\"bio\""),
        "only the owner edits the bio"
    );

    let (_, own) = lilei.get("/u/%E6%9D%8E%E9%9B%B7").await;
    assert!(
        own.contains(&format!("/articles/{draft}")),
        "the owner sees their drafts"
    );

    let res = lilei
        .post(
            "/u/%E6%9D%8E%E9%9B%B7/bio",
            &[("bio", "I work on *tokenizers*.")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(location(&res), "/u/%E6%9D%8E%E9%9B%B7");
    let (_, page) = other.get("/u/%E6%9D%8E%E9%9B%B7").await;
    assert!(page.contains("<em>tokenizers</em>"), "the bio is rendered");

    let res = other
        .post("/u/%E6%9D%8E%E9%9B%B7/bio", &[("bio", "defaced")])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let res = lilei
        .post("/u/%E6%9D%8E%E9%9B%B7/bio", &[("bio", &"长".repeat(2001))])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        res.text().await.expect("body").contains("长长长长"),
        "the rejected bio is kept"
    );

    assert_eq!(
        app.get("/u/nobody-here").await.status(),
        StatusCode::NOT_FOUND
    );
}

#[tokio::test]
async fn script_in_comments_and_bios_is_rendered_harmless() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let question = alice.ask("Is this safe to render?").await;
    let payload =
        "<script>alert(1)</script> <img src=x onerror=alert(2)> [click](javascript:alert(3)) \
                   <a href=\"javascript:alert(4)\">a</a> <svg onload=alert(5)>";

    let res = alice.comment(question, payload).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html: String = sqlx::query_scalar("SELECT body_html FROM comments WHERE post_id = $1")
        .bind(question)
        .fetch_one(app.db.reader())
        .await
        .expect("comment");
    assert_harmless(&html);
    let threads = threads_of(&app, &[question]).await;
    assert_eq!(threads[0].comments[0].body_html, html);

    let res = alice.post("/u/alice/bio", &[("bio", payload)]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, page) = app.get_html("/u/alice").await;
    let bio_start = page.find("class=\"bio\"").expect("bio shown");
    let bio = &page[bio_start..];
    let bio = &bio[..bio.find("</div>").unwrap_or(bio.len())];
    assert_harmless(bio);
}

/// No tag in `html` can run script: no script/img/svg/iframe elements, no `on*=` handlers, no
/// `javascript:` URLs. (Escaped text such as `&lt;script&gt;` is harmless and allowed.)
fn assert_harmless(html: &str) {
    let lower = html.to_lowercase();
    let handler = regex::Regex::new(r"\son[a-z]+\s*=").expect("pattern");
    for tag in lower
        .split('<')
        .skip(1)
        .map(|rest| rest.split('>').next().unwrap_or(rest))
    {
        let name = tag
            .trim_start_matches('/')
            .split_whitespace()
            .next()
            .unwrap_or("");
        assert!(
            !["script", "img", "svg", "iframe", "object", "embed"].contains(&name),
            "<{tag}> in {html}"
        );
        assert!(!handler.is_match(tag), "event handler in <{tag}>");
        assert!(!tag.contains("javascript:"), "script URL in <{tag}>");
    }
}

#[tokio::test]
async fn comments_take_upvotes_only_and_earn_no_reputation() {
    let app = app().await;
    let alice = Member::join(&app, "alice").await;
    let bob = Member::join(&app, "bob").await;
    set_reputation(&app, "bob", 200).await;
    let question = alice.ask("Does batch size change the optimum LR?").await;
    let res = alice.comment(question, "Edit: using AdamW.").await;
    let comment = id_after(&location(&res), "#comment-");

    let result = bob.vote("comment", comment, 1).await;
    assert_eq!(
        (result["score"].as_i64(), result["my_vote"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(
        reputation(&app, "alice").await,
        1,
        "comment votes earn nothing"
    );
    assert_eq!(
        bob.vote_json("comment", comment, -1).await.status(),
        StatusCode::BAD_REQUEST
    );
    assert_eq!(
        alice.vote_json("comment", comment, 1).await.status(),
        StatusCode::FORBIDDEN
    );
    let res = bob
        .post(
            "/votes",
            &[
                ("target_kind", "comment"),
                ("target_id", &comment.to_string()),
                ("value", "0"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        location(&res),
        format!("/questions/{question}#comment-{comment}")
    );
    let threads = threads_of(&app, &[question]).await;
    assert_eq!(threads[0].comments[0].score, 0);
    // A comment id that happens to equal a post id is still the comment.
    assert_eq!(
        bob.vote("question", question, 1).await["score"].as_i64(),
        Some(1)
    );
    assert_eq!(
        bob.vote("comment", comment, 1).await["score"].as_i64(),
        Some(1)
    );
}

/// The comment threads a visitor is shown under `posts`.
async fn threads_of(
    app: &TestApp,
    posts: &[i64],
) -> Vec<agora::web::social::comments::CommentThread> {
    use agora::web::social::comments::{threads, ThreadRows};
    let rows = ThreadRows::load(&app.db, posts, None)
        .await
        .expect("threads");
    threads(None, posts, &rows, &Default::default(), "?")
}
