//! Questions and answers: asking, answering, accepting, editing answers, bot answers, similar questions.
use reqwest::StatusCode;

use super::*;
use crate::helpers::spawn_app;

#[tokio::test]
async fn ask_answer_and_accept_only_by_the_asker() {
    let app = spawn_app().await;
    app.sign_up("asker").await;
    let (qid, url) = ask(
        &app,
        "How do I load a LoRA adapter?",
        "I have a **base model**.",
        "lora, PyTorch",
    )
    .await;
    assert!(
        url.starts_with(&format!("/questions/{qid}/how-do-i-load-a-lora-adapter")),
        "{url}"
    );
    let (status, html) = app.get_html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains("<strong>base model</strong>"),
        "body rendered"
    );
    assert!(
        html.contains("href=\"/tags/pytorch\""),
        "tags normalised and linked"
    );

    app.logout().await;
    app.sign_up("helper").await;
    let first = answer(&app, &url, qid, "Use `PeftModel.from_pretrained`.").await;
    let second = answer(&app, &url, qid, "Merge the weights first.").await;
    let (_, html) = app.get_html(&url).await;
    assert!(html.contains("PeftModel.from_pretrained"));
    assert!(html.contains("2 answers"), "answer count shown");

    // Only the asker may accept.
    let res = app
        .submit(&url, &format!("/answers/{first}/accept"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    app.logout().await;
    app.login("asker", crate::helpers::PASSWORD).await;
    let res = app
        .submit(&url, &format!("/answers/{second}/accept"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_html(&url).await;
    let accepted_pos = html
        .find(&format!("id=\"answer-{second}\""))
        .expect("second shown");
    let other_pos = html
        .find(&format!("id=\"answer-{first}\""))
        .expect("first shown");
    assert!(accepted_pos < other_pos, "the accepted answer comes first");
    assert!(html.contains("Accepted answer"), "marked accepted");

    // Changing the accepted answer, then taking it back.
    app.submit(&url, &format!("/answers/{first}/accept"), &[])
        .await;
    let question = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("question");
    assert_eq!(question.accepted_answer_id, Some(first));
    app.submit(
        &url,
        &format!("/answers/{first}/accept"),
        &[("accept", "0")],
    )
    .await;
    let question = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("question");
    assert_eq!(question.accepted_answer_id, None);
}

#[tokio::test]
async fn bot_answers_are_never_accepted() {
    let app = spawn_app().await;
    app.sign_up("human").await;
    let me = user_id(&app, "human").await;
    let (qid, url) = ask(&app, "Can the bot answer this one?", "Please.", "bot").await;
    let body = Markdown::parse("I think so.").expect("body");
    let bot = agora::db::posts::create(
        &app.db,
        NewPost {
            kind: PostKind::BotAnswer,
            parent_id: Some(qid),
            author_id: me,
            title: None,
            body: &body,
            rendered: &agora::render::render_post_or_source(
                body.as_str(),
                agora::render::Limits::default(),
            ),
            tags: None,
            status: PostStatus::Published,
        },
    )
    .await
    .expect("bot answer");
    let (_, html) = app.get_html(&url).await;
    assert!(html.contains("AI-generated draft"), "labelled");
    let res = app
        .submit(&url, &format!("/answers/{bot}/accept"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn answers_are_edited_by_their_author_and_deleting_the_accepted_one_unaccepts_it() {
    let app = spawn_app().await;
    app.sign_up("q_author").await;
    let (qid, url) = ask(
        &app,
        "Which optimiser for fine-tuning?",
        "AdamW or Lion?",
        "optimisation",
    )
    .await;
    app.logout().await;
    app.sign_up("a_author").await;
    let aid = answer(&app, &url, qid, "AdamW with weight decay.").await;
    let edit = format!("/answers/{aid}/edit");
    let res = app
        .submit(&edit, &edit, &[("body", "AdamW with weight decay 0.01.")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let res = app.get(&format!("/answers/{aid}")).await;
    assert_eq!(location(&res), format!("{url}#answer-{aid}"));
    let (_, html) = app.get_html(&url).await;
    assert!(html.contains("weight decay 0.01."));
    let (status, revisions) = app.get_html(&format!("/answers/{aid}/revisions")).await;
    assert_eq!(status, StatusCode::OK);
    assert!(revisions.contains("<ins>"), "answer revisions diff");

    app.logout().await;
    app.login("q_author", crate::helpers::PASSWORD).await;
    assert_eq!(
        app.get(&edit).await.status(),
        StatusCode::FORBIDDEN,
        "others may not edit"
    );
    let res = app
        .submit(&url, &format!("/answers/{aid}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN, "nor delete");
    app.submit(&url, &format!("/answers/{aid}/accept"), &[])
        .await;

    app.logout().await;
    app.login("a_author", crate::helpers::PASSWORD).await;
    let res = app
        .submit(&url, &format!("/answers/{aid}/delete"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let question = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("question");
    assert_eq!(
        question.accepted_answer_id, None,
        "a deleted answer is no longer accepted"
    );
    let answerer = agora::db::users::by_username(&app.db, "a_author")
        .await
        .expect("db")
        .expect("user");
    assert_eq!(answerer.reputation, 1, "the acceptance bonus is taken back");
    assert_eq!(question.answer_count, 0);
}

#[tokio::test]
async fn similar_questions_are_suggested_in_english_and_chinese() {
    let app = spawn_app().await;
    app.sign_up("curious").await;
    let me = user_id(&app, "curious").await;
    let quant = seed(
        &app,
        PostKind::Question,
        me,
        "How to quantize a llama model to 4 bit",
        "llama, quantization",
        None,
    )
    .await;
    let deploy = seed(
        &app,
        PostKind::Question,
        me,
        "如何在本地部署大语言模型",
        "部署",
        None,
    )
    .await;
    let vision = seed(
        &app,
        PostKind::Question,
        me,
        "Best data augmentation for image classification",
        "vision",
        None,
    )
    .await;
    // Asking through the site indexes a question; the seeded ones are indexed here.
    for id in [quant, deploy, vision] {
        agora::search::upsert_post(&app.db, id)
            .await
            .expect("indexed");
    }

    let res = app
        .client
        .get(app.url("/questions/similar?title=quantize%20llama%20weights"))
        .header("accept", "application/json")
        .send()
        .await
        .expect("get");
    assert_eq!(res.status(), StatusCode::OK);
    let found: serde_json::Value = res.json().await.expect("json");
    let ids: Vec<i64> = found
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|v| v["id"].as_i64())
        .collect();
    assert_eq!(ids, [quant]);

    let title = url::form_urlencoded::byte_serialize("本地部署大语言模型需要多少显存".as_bytes())
        .collect::<String>();
    let (status, html) = app
        .get_html(&format!("/questions/similar?title={title}"))
        .await;
    assert_eq!(status, StatusCode::OK);
    assert!(
        html.contains(&format!("/questions/{deploy}/")),
        "Chinese title matched: {html}"
    );
    assert!(!html.contains("<html"), "a fragment, not a page");

    // Without JavaScript: the ask form's check button lists them and keeps the input.
    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[
                ("title", "quantize llama to 4 bit?"),
                ("body", "My draft."),
                ("tags", ""),
                ("check_similar", "1"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::OK);
    let html = res.text().await.expect("body");
    assert!(html.contains("How to quantize a llama model to 4 bit"));
    assert!(html.contains(">My draft.</textarea>"));
    let (_, ask_page) = app.get_html("/questions/ask").await;
    assert!(ask_page.contains("/static/js/similar-questions.js"));
}

#[tokio::test]
async fn answers_show_the_accepted_one_first_then_by_score() {
    let app = spawn_app().await;
    app.sign_up("ranker").await;
    let me = user_id(&app, "ranker").await;
    let (qid, url) = ask(
        &app,
        "Which answer comes first here?",
        "Order test.",
        "ordering",
    )
    .await;
    let low = seed(
        &app,
        PostKind::Answer,
        me,
        "unused title text",
        "unused",
        Some(qid),
    )
    .await;
    let high = seed(
        &app,
        PostKind::Answer,
        me,
        "unused title text",
        "unused",
        Some(qid),
    )
    .await;
    let mid = seed(
        &app,
        PostKind::Answer,
        me,
        "unused title text",
        "unused",
        Some(qid),
    )
    .await;
    for (id, score) in [(low, 0), (high, 5), (mid, 2)] {
        sqlx::query("UPDATE posts SET score = $1 WHERE id = $2")
            .bind(score)
            .bind(id)
            .execute(app.db.writer())
            .await
            .expect("score");
    }
    app.submit(&url, &format!("/answers/{low}/accept"), &[])
        .await;
    let (_, html) = app.get_html(&url).await;
    let at = |id: i64| {
        html.find(&format!("id=\"answer-{id}\""))
            .expect("answer shown")
    };
    assert!(
        at(low) < at(high) && at(high) < at(mid),
        "accepted, then 5, then 2"
    );
}
