//! The AI in the forum: summary drafts (hash caching, accept/edit/dismiss, readers see only accepted
//! text), the answer bot (citations only to visible posts, abstention, SSE streaming and
//! cancellation, labelled bot answers that are never accepted and earn nothing), AI-off messages,
//! limits, the admin page and the retrieval evaluation over the demo forum.
use std::time::Duration;

use agora::domain::Role;
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, spawn_app_with, spawn_app_with_ai, TestApp};
use crate::posts::{ask, user_id, write_article};

/// About 900 characters of prose on one subject, so it is long enough for a summary.
const LONG_BODY: &str = "Gradient checkpointing trades compute for memory during training. \
Instead of keeping every activation for the backward pass, the model keeps only some of them. \
The missing activations are recomputed when the backward pass needs them. \
This cuts activation memory roughly to the square root of the number of layers. \
The price is about one extra forward pass, so training runs around thirty percent slower. \
Checkpointing matters most for long sequences, where activations dominate memory. \
梯度检查点用计算换显存，反向传播时重新计算被丢弃的激活。\
它对长序列训练最有用，因为那时激活占用了大部分显存。\n\n\
In PyTorch the function torch.utils.checkpoint wraps a block of layers. \
Hugging Face models expose gradient_checkpointing_enable for the same purpose. \
Combine it with mixed precision and a smaller micro batch when memory is still short.";

async fn job_count(app: &TestApp, status: &str) -> i64 {
    agora::db::jobs::counts_by_status(&app.db)
        .await
        .expect("counts")
        .into_iter()
        .find(|(s, _)| s == status)
        .map_or(0, |(_, n)| n)
}

async fn set_status(app: &TestApp, post_id: i64, status: &str) {
    sqlx::query("UPDATE posts SET status = $1 WHERE id = $2")
        .bind(status)
        .bind(post_id)
        .execute(app.db.writer())
        .await
        .expect("status");
}

/// Asks the bot on /bot (as the streaming page does when `stream`); returns the answer page's URL.
async fn ask_bot(app: &TestApp, question: &str, stream: bool) -> String {
    let mut fields = vec![("question", question)];
    if stream {
        fields.push(("stream", "1"));
    }
    let res = app.submit("/bot", "/bot/ask", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "the question is taken");
    location(&res)
}

/// The bot question id at the end of an answer page's URL.
fn ask_id(answer_url: &str) -> i64 {
    answer_url
        .rsplit('/')
        .next()
        .and_then(|s| s.parse().ok())
        .expect("id")
}

/// Starts `count` long generations (400 tokens, end-of-text ignored) that keep the inference
/// thread busy.
fn occupy_inference(
    app: &TestApp,
    count: usize,
) -> Vec<tokio::task::JoinHandle<Result<agora::ai::Generation, agora::ai::AiError>>> {
    (0..count)
        .map(|_| {
            let ai = app.ai.clone().expect("ai");
            let mut long = agora::ai::GenerateRequest::new("The reactor");
            long.max_new_tokens = 400;
            long.stop_at_eos = false;
            tokio::spawn(async move { ai.generate(long, |_| {}).await })
        })
        .collect()
}

#[tokio::test]
async fn an_unchanged_post_is_never_summarised_again_and_an_edit_queues_one_job() {
    let app = spawn_app().await;
    app.sign_up("writer").await;
    let (short, _) =
        write_article(&app, "Short note", "Too short to summarise.", "misc", false).await;
    assert_eq!(job_count(&app, "queued").await, 0, "short posts get no job");
    let (id, url) =
        write_article(&app, "Gradient checkpointing", LONG_BODY, "training", false).await;
    assert_eq!(
        job_count(&app, "queued").await,
        1,
        "one job for the long post"
    );
    assert_eq!(app.run_jobs().await, 1);
    let summary = agora::db::ai::summary(&app.db, id)
        .await
        .expect("db")
        .expect("a draft");
    assert_eq!(summary.status, "draft");
    assert!(!summary.stale);
    let sentences = agora::ai::summarize::stored_sentences(&summary.extractive);
    assert!(!sentences.is_empty() && sentences.len() <= 3);
    let post = agora::db::ai::post_source(&app.db, id)
        .await
        .expect("db")
        .expect("post");
    assert_eq!(
        agora::ai::summarize::traceable_share(&sentences, &post.body_text),
        1.0,
        "every extractive sentence is in the post"
    );
    assert!(agora::db::ai::summary(&app.db, short)
        .await
        .expect("db")
        .is_none());

    // Saving the same text again queues nothing.
    let edit = format!("/articles/{id}/edit");
    let same = [
        ("title", "Gradient checkpointing"),
        ("body", LONG_BODY),
        ("tags", "training"),
    ];
    assert_eq!(
        app.submit(&edit, &edit, &same).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(job_count(&app, "queued").await, 0, "no edit, no job");
    // A real edit marks the summary stale and queues exactly one job, however often it is saved.
    let changed = format!("{LONG_BODY}\n\nActivation offloading to CPU memory is another option.");
    let edited = [
        ("title", "Gradient checkpointing"),
        ("body", changed.as_str()),
        ("tags", "training"),
    ];
    assert_eq!(
        app.submit(&edit, &edit, &edited).await.status(),
        StatusCode::SEE_OTHER
    );
    let more = format!("{changed} It is slower still.");
    let edited_again = [
        ("title", "Gradient checkpointing"),
        ("body", more.as_str()),
        ("tags", "training"),
    ];
    assert_eq!(
        app.submit(&edit, &edit, &edited_again).await.status(),
        StatusCode::SEE_OTHER
    );
    assert_eq!(
        job_count(&app, "queued").await,
        1,
        "one job per edited post"
    );
    let stale = agora::db::ai::summary(&app.db, id)
        .await
        .expect("db")
        .expect("row");
    assert!(stale.stale, "the old summary is marked stale");
    assert_eq!(app.run_jobs().await, 1);
    let fresh = agora::db::ai::summary(&app.db, id)
        .await
        .expect("db")
        .expect("row");
    assert!(!fresh.stale);
    assert_ne!(fresh.source_hash, summary.source_hash);
    // The job finding the same hash does nothing new.
    agora::services::summaries::enqueue(&app.db, id)
        .await
        .expect("queue");
    app.run_jobs().await;
    let again = agora::db::ai::summary(&app.db, id)
        .await
        .expect("db")
        .expect("row");
    assert_eq!(
        again.updated_at, fresh.updated_at,
        "unchanged post, no new summary"
    );
    let _ = url;
}

#[tokio::test]
async fn readers_see_a_summary_only_after_the_author_accepts_it() {
    let app = spawn_app().await;
    app.sign_up("author").await;
    let (id, url) = write_article(&app, "Checkpointing notes", LONG_BODY, "training", false).await;
    app.run_jobs().await;
    let (reader, _) = app.new_browser();
    let page = |client: reqwest::Client, url: String| async move {
        client
            .get(url)
            .send()
            .await
            .expect("get")
            .text()
            .await
            .expect("body")
    };
    let html = page(reader.clone(), app.url(&url)).await;
    assert!(
        !html.contains("class=\"ai-summary\""),
        "no unaccepted text for readers"
    );

    // The author's draft page: key sentences linked to their place in the post.
    let draft = format!("/posts/{id}/summary");
    let (status, html) = app.get_html(&draft).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("#:~:text="), "sentences link into the post");
    assert!(html.contains("Gradient checkpointing trades compute for memory"));

    // Someone else may not manage it.
    let other = reader.clone();
    app.register_in(&other, "nosy", "nosy@example.com", crate::helpers::PASSWORD)
        .await;
    let res = other.get(app.url(&draft)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    // A too-long edit is refused and the text comes back.
    let long = "x".repeat(2001);
    let accept = format!("{draft}/accept");
    let res = app
        .submit(&draft, &accept, &[("text", long.as_str())])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains(&long));

    let res = app
        .submit(
            &draft,
            &accept,
            &[("text", "Recompute activations to save memory.")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(reader.clone(), app.url(&url)).await;
    assert!(html.contains("class=\"ai-summary\""));
    assert!(html.contains("Recompute activations to save memory."));

    let res = app.submit(&draft, &format!("{draft}/dismiss"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let html = page(reader, app.url(&url)).await;
    assert!(!html.contains("class=\"ai-summary\""));
}

#[tokio::test]
async fn every_ai_surface_says_plainly_that_the_ai_is_off() {
    let app = spawn_app().await;
    app.sign_up("asker").await;
    let (status, html) = app.get_html("/bot").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("The AI is off:"), "{html}");
    assert!(html.contains("AGORA_AI=off"));
    let question = "How does gradient checkpointing save memory?";
    let res = app
        .submit("/bot", "/bot/ask", &[("question", question)])
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    let body = res.text().await.expect("body");
    assert!(body.contains("The AI is off:"));
    assert!(body.contains(question), "the question is kept");

    let (qid, qurl) = ask(
        &app,
        "Why is my loss NaN?",
        "It turns NaN after 100 steps in fp16.",
        "training",
    )
    .await;
    let res = app
        .submit(&qurl, &format!("/questions/{qid}/bot-answer"), &[])
        .await;
    let body = res.text().await.expect("body");
    assert!(body.contains("The AI is off:"), "{body}");

    app.make_role("asker", Role::Admin).await;
    let (_, html) = app.get_html("/admin/ai").await;
    assert!(html.contains("The AI is off:"));
    // Summaries still get their extractive core without the model, and say why there is no TL;DR.
    let (id, _) = write_article(&app, "Checkpointing", LONG_BODY, "training", false).await;
    app.run_jobs().await;
    let (_, html) = app.get_html(&format!("/posts/{id}/summary")).await;
    assert!(html.contains("the AI is off"), "{html}");
}

#[tokio::test]
async fn the_admin_ai_page_is_for_staff_and_settings_changes_are_audited() {
    let app = spawn_app().await;
    app.sign_up("member").await;
    assert_eq!(app.get("/admin/ai").await.status(), StatusCode::FORBIDDEN);
    app.make_role("member", Role::Moderator).await;
    let (status, html) = app.get_html("/admin/ai").await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("data-job-counts"));
    let fields = [
        ("summaries", "on"),
        ("summary_min_chars", "800"),
        ("bot", "on"),
        ("bot_name", "helper-bot"),
        ("bot_max_tokens", "64"),
    ];
    let res = app.submit("/admin/ai", "/admin/ai/settings", &fields).await;
    assert_eq!(
        res.status(),
        StatusCode::FORBIDDEN,
        "moderators see, admins change"
    );
    app.make_role("member", Role::Admin).await;
    let bad = [
        ("summary_min_chars", "800"),
        ("bot_name", "x"),
        ("bot_max_tokens", "64"),
    ];
    let res = app.submit("/admin/ai", "/admin/ai/settings", &bad).await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    assert!(res.text().await.expect("body").contains("valid user name"));
    let res = app.submit("/admin/ai", "/admin/ai/settings", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let settings = agora::services::settings::FeatureSettings::load(&app.db)
        .await
        .expect("load");
    assert_eq!(settings.bot_name, "helper-bot");
    assert_eq!(settings.summary_min_chars, 800);
    assert!(!settings.bot_auto_answer);
    let (_, log) = app.get_html("/admin/log").await;
    assert!(
        log.contains("ai.bot_name"),
        "the change is in the audit log"
    );
    // Regenerating a summary is queued and logged.
    let (id, _) = write_article(&app, "Checkpointing", LONG_BODY, "training", false).await;
    app.run_jobs().await;
    let res = app
        .submit(
            "/admin/ai",
            "/admin/ai/regenerate",
            &[("post_id", &id.to_string())],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(job_count(&app, "queued").await, 1);
    let (_, log) = app.get_html("/admin/log").await;
    assert!(log.contains("regenerate_summary"));
}

/// Publishes the posts the bot tests search: one visible answerable article, and the same subject
/// in a draft, a deleted, a hidden and a pending post that match even better.
async fn bot_corpus(app: &TestApp) -> i64 {
    app.sign_up("expert").await;
    let text = "The flux capacitor calibration needs a warm reactor. \
        Calibrate the flux capacitor after the reactor reaches operating temperature.";
    let (visible, _) = write_article(
        app,
        "Flux capacitor calibration guide",
        text,
        "hardware",
        false,
    )
    .await;
    let strong =
        "Flux capacitor calibration: calibrate the flux capacitor, flux capacitor calibration \
        steps, reactor temperature for flux capacitor calibration.";
    write_article(
        app,
        "Draft: flux capacitor calibration secrets",
        strong,
        "hardware",
        true,
    )
    .await;
    for status in ["deleted", "hidden", "pending"] {
        let (id, _) = write_article(
            app,
            &format!("{status} flux capacitor calibration notes"),
            strong,
            "hardware",
            false,
        )
        .await;
        set_status(app, id, status).await;
    }
    app.logout().await;
    visible
}

#[tokio::test]
async fn retrieval_never_offers_hidden_deleted_draft_or_pending_posts() {
    let app = spawn_app().await;
    let visible = bot_corpus(&app).await;
    let passages =
        agora::ai::answer::retrieve(&app.db, "How do I calibrate the flux capacitor?", None)
            .await
            .expect("search");
    let ids: Vec<i64> = passages.iter().map(|p| p.post_id).collect();
    assert_eq!(ids, vec![visible], "{passages:?}");
    let nothing = agora::ai::answer::retrieve(&app.db, "How do I bake sourdough bread?", None)
        .await
        .expect("search");
    assert!(nothing.is_empty(), "nothing relevant: abstain");
}

#[tokio::test]
async fn the_bot_answers_with_citations_only_to_posts_the_asker_may_see() {
    let Some(app) = spawn_app_with_ai(&[]).await else {
        return;
    };
    let visible = bot_corpus(&app).await;
    app.sign_up("curious").await;
    let answer_url = ask_bot(&app, "How do I calibrate the flux capacitor?", false).await;
    let (status, html) = app.get_html(&answer_url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("AI-generated draft"), "labelled");
    assert!(html.contains("agora-gpt2"), "names the model");
    assert!(
        html.contains("Flux capacitor calibration guide"),
        "cites the visible post"
    );
    assert!(html.contains(&format!("/articles/{visible}/")), "links it");
    for hidden in ["Draft: flux", "deleted flux", "hidden flux", "pending flux"] {
        assert!(!html.contains(hidden), "{hidden} must not be cited");
    }
    let stored = agora::db::ai::ask(&app.db, ask_id(&answer_url))
        .await
        .expect("db")
        .expect("ask");
    assert_eq!(stored.status.as_str(), "answered");
    let cited = agora::ai::bot::cited(&stored.answer_md);
    assert_eq!(
        cited,
        vec![1],
        "only the retrieved, visible passage is cited"
    );

    // Another member cannot read someone else's answer.
    let (other, _) = app.new_browser();
    app.register_in(
        &other,
        "stranger",
        "stranger@example.com",
        crate::helpers::PASSWORD,
    )
    .await;
    let res = other.get(app.url(&answer_url)).send().await.expect("get");
    assert_eq!(res.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn the_bot_says_it_found_nothing_instead_of_guessing() {
    let Some(app) = spawn_app_with_ai(&[]).await else {
        return;
    };
    bot_corpus(&app).await;
    app.sign_up("curious").await;
    let answer_url = ask_bot(&app, "How do I bake sourdough bread?", false).await;
    let (_, html) = app.get_html(&answer_url).await;
    assert!(html.contains("I found nothing in the forum"), "{html}");
    assert!(html.contains("/questions/ask?title=How+do+I+bake+sourdough+bread%3F"));
}

#[tokio::test]
async fn a_streamed_answer_ends_with_done_and_a_finished_one_replays() {
    let Some(app) = spawn_app_with_ai(&[]).await else {
        return;
    };
    bot_corpus(&app).await;
    app.sign_up("streamer").await;
    let answer_url = ask_bot(&app, "How do I calibrate the flux capacitor?", true).await;
    let (_, page) = app.get_html(&answer_url).await;
    assert!(
        page.contains("data-stream="),
        "the page streams a pending answer"
    );
    let res = app.get(&format!("{answer_url}/stream")).await;
    assert_eq!(res.status(), StatusCode::OK);
    assert_eq!(
        res.headers()
            .get("content-type")
            .and_then(|v| v.to_str().ok()),
        Some("text/event-stream")
    );
    let body = tokio::time::timeout(Duration::from_secs(60), res.text())
        .await
        .expect("the stream ends")
        .expect("body");
    let sources = body.find("event: sources").expect("sources first");
    let text = body.find("event: text").expect("text events");
    let done = body.rfind("event: done").expect("ends with done");
    assert!(sources < text && text < done, "{body}");
    assert!(body.trim_end().ends_with('}'), "done is the last event");
    assert!(body.contains("\"status\":\"answered\""));
    // Asking the stream again replays only the end.
    let again = app
        .get(&format!("{answer_url}/stream"))
        .await
        .text()
        .await
        .expect("body");
    assert!(!again.contains("event: text"));
    assert!(again.contains("event: done"));
}

#[tokio::test]
async fn closing_the_stream_cancels_the_generation() {
    let Some(app) = spawn_app_with_ai(&[("AGORA_AI_THREADS", "1")]).await else {
        return;
    };
    bot_corpus(&app).await;
    app.sign_up("leaver").await;
    let answer_url = ask_bot(&app, "How do I calibrate the flux capacitor?", true).await;
    let id = ask_id(&answer_url);
    // Keep the one inference thread busy so the bot's generation is still waiting (or running)
    // when the reader leaves.
    let blockers = occupy_inference(&app, 4);
    tokio::time::sleep(Duration::from_millis(50)).await;
    let mut res = app.get(&format!("{answer_url}/stream")).await;
    let mut seen = String::new();
    while !seen.contains("event: text") {
        let chunk = res.chunk().await.expect("chunk").expect("more");
        seen.push_str(&String::from_utf8_lossy(&chunk));
    }
    drop(res); // the tab is closed
    let mut status = String::new();
    for _ in 0..200 {
        tokio::time::sleep(Duration::from_millis(50)).await;
        status = agora::db::ai::ask(&app.db, id)
            .await
            .expect("db")
            .expect("ask")
            .status
            .as_str()
            .to_string();
        if status != "running" {
            break;
        }
    }
    assert_eq!(status, "cancelled");
    for blocker in blockers {
        let finished = blocker
            .await
            .expect("join")
            .expect("other generations are unaffected");
        assert_eq!(finished.tokens.len(), 400);
    }
}

#[tokio::test]
async fn bot_answers_are_labelled_never_accepted_and_earn_nothing() {
    let Some(app) = spawn_app_with_ai(&[]).await else {
        return;
    };
    bot_corpus(&app).await;
    app.sign_up("asker").await;
    let (qid, qurl) = ask(
        &app,
        "How do I calibrate the flux capacitor?",
        "What temperature should the reactor be at for flux capacitor calibration?",
        "hardware",
    )
    .await;
    let (_, html) = app.get_html(&qurl).await;
    assert!(html.contains("Ask the bot for a draft answer"));
    let res = app
        .submit(&qurl, &format!("/questions/{qid}/bot-answer"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(app.run_jobs().await, 1);
    let answers = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("q");
    assert_eq!(answers.answer_count, 1, "the bot answered");
    let (_, html) = app.get_html(&qurl).await;
    assert!(html.contains("AI-generated draft · agora-gpt2"), "{html}");
    assert!(
        html.contains("Flux capacitor calibration guide"),
        "sources listed"
    );
    let bot_answer: i64 = sqlx::query_scalar("SELECT id FROM posts WHERE kind = 'bot_answer'")
        .fetch_one(app.db.reader())
        .await
        .expect("bot answer");
    assert!(
        !html.contains(&format!("/answers/{bot_answer}/accept")),
        "no accept button"
    );
    let res = app
        .submit(&qurl, &format!("/answers/{bot_answer}/accept"), &[])
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
    let question = agora::db::posts::by_id(&app.db, qid)
        .await
        .expect("db")
        .expect("q");
    assert_eq!(question.accepted_answer_id, None);

    // An upvote earns the bot nothing.
    let bot_id: i64 = sqlx::query_scalar("SELECT id FROM users WHERE is_bot = 1")
        .fetch_one(app.db.reader())
        .await
        .expect("bot user");
    let voter = user_id(&app, "expert").await;
    sqlx::query("UPDATE users SET reputation = 600 WHERE id = $1")
        .bind(voter)
        .execute(app.db.writer())
        .await
        .expect("rep");
    app.logout().await;
    app.login("expert", crate::helpers::PASSWORD).await;
    let res = app
        .submit(
            &qurl,
            "/votes",
            &[
                ("target_kind", "answer"),
                ("target_id", &bot_answer.to_string()),
                ("value", "1"),
            ],
        )
        .await;
    assert!(res.status().is_success() || res.status() == StatusCode::SEE_OTHER);
    let rep: i64 = sqlx::query_scalar("SELECT reputation FROM users WHERE id = $1")
        .bind(bot_id)
        .fetch_one(app.db.reader())
        .await
        .expect("rep");
    assert_eq!(rep, 1, "bot answers earn no reputation");

    // Verification needs the privilege (500): the asker (1) cannot, the expert (600) can.
    let verify = format!("/answers/{bot_answer}/verify");
    let res = app.submit(&qurl, &verify, &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_html(&qurl).await;
    assert!(html.contains("Verified by expert"), "{html}");
    app.logout().await;
    app.login("asker", crate::helpers::PASSWORD).await;
    let res = app.submit(&qurl, &verify, &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn bot_questions_are_rate_limited_and_the_question_is_kept() {
    let Some(app) = spawn_app_with_ai(&[("AGORA_BOT_ASKS_PER_HOUR", "1")]).await else {
        return;
    };
    app.sign_up("eager").await;
    let first = app
        .submit(
            "/bot",
            "/bot/ask",
            &[("question", "What is a flux capacitor?")],
        )
        .await;
    assert_eq!(first.status(), StatusCode::SEE_OTHER);
    let question = "And how do I calibrate it?";
    let second = app
        .submit("/bot", "/bot/ask", &[("question", question)])
        .await;
    assert_eq!(second.status(), StatusCode::TOO_MANY_REQUESTS);
    assert!(second.headers().contains_key("retry-after"));
    let body = second.text().await.expect("body");
    assert!(body.contains(question), "the question is kept");
    let short = app.submit("/bot", "/bot/ask", &[("question", "Hi")]).await;
    assert_eq!(short.status(), StatusCode::UNPROCESSABLE_ENTITY);
}

#[tokio::test]
async fn retrieval_finds_the_answering_post_and_abstains_on_the_demo_forum() {
    let app = spawn_app_with(&[]).await;
    agora::seed::seed_demo(&app.db).await.expect("seed");
    let text = include_str!("../fixtures/demo/eval_questions.json");
    let questions: Vec<agora::ai::eval::EvalQuestion> = serde_json::from_str(text).expect("json");
    assert!(
        questions
            .iter()
            .filter(|q| q.answer_post_title.is_some())
            .count()
            >= 30
    );
    assert!(
        questions
            .iter()
            .filter(|q| q.answer_post_title.is_none())
            .count()
            >= 10
    );
    let report = agora::ai::eval::evaluate(&app.db, &questions)
        .await
        .expect("eval");
    eprintln!(
        "recall@3 {:.2}, abstention {:.2}, wrong abstentions {}, summaries traceable {:.2}; misses {:?}",
        report.recall_at_3(),
        report.abstention(),
        report.wrongly_abstained,
        report.summary_traceable,
        report.misses
    );
    assert!(
        report.recall_at_3() >= 0.8,
        "recall@3 {:.2}",
        report.recall_at_3()
    );
    assert!(
        report.abstention() >= 0.8,
        "abstention {:.2}",
        report.abstention()
    );
    assert_eq!(report.summary_traceable, 1.0);
    assert!(report.summaries >= 10);
}

/// The issue's example: the bot quoted the question's own body ("I'm trying to fine-tune a 7B
/// model on one RTX 4090…") as if it answered. A thread is answered from its accepted answer.
#[tokio::test]
async fn the_bot_quotes_the_accepted_answer_never_the_question_body() {
    let app = spawn_app_with(&[]).await;
    agora::seed::seed_demo(&app.db).await.expect("seed");
    let question = "How can I fine-tune a 7B model on a 24 GB GPU without running out of memory?";
    let passages = agora::ai::answer::retrieve(&app.db, question, None)
        .await
        .expect("retrieve");
    assert!(!passages.is_empty());
    for p in &passages {
        assert_ne!(p.kind, "question", "{p:?}");
        assert!(!p.text.contains("I'm trying to fine-tune"), "{p:?}");
    }
    let first = &passages[0];
    assert_eq!(
        first.title,
        "CUDA out of memory when fine-tuning a 7B model on a 24 GB GPU"
    );
    assert!(first.accepted && first.kind == "answer", "{first:?}");
    let grounded = agora::ai::bot::grounded_answer(question, &passages);
    assert!(grounded.contains("LoRA"), "{grounded}");
    // And across languages: an English question, a Chinese article.
    let kv = agora::ai::answer::retrieve(
        &app.db,
        "How much GPU memory does the KV cache take for each token?",
        None,
    )
    .await
    .expect("retrieve");
    assert_eq!(
        kv.first().map(|p| p.title.as_str()),
        Some("KV cache 原理：为什么生成越来越快，显存却越来越多")
    );
}

/// The fixed set written 2026-12-01 before any tuning (English questions answered only in Chinese
/// posts and the reverse, paraphrases, unanswerable ones) meets the targets through the
/// hybrid retrieval: the bot's recall@1 and @3, abstention, and the same queries on `/search`.
#[tokio::test]
async fn cross_language_and_paraphrased_questions_meet_the_retrieval_targets() {
    let app = spawn_app_with(&[]).await;
    agora::seed::seed_demo(&app.db).await.expect("seed");
    let text = include_str!("../fixtures/demo/eval_questions_2026-12-01.json");
    let set: agora::ai::eval::EvalSet = serde_json::from_str(text).expect("json");
    assert_eq!(set.written(), Some("2026-12-01"));
    let questions = set.questions();
    assert!(questions.len() >= 40);
    let report = agora::ai::eval::evaluate(&app.db, questions)
        .await
        .expect("eval");
    eprintln!(
        "recall@1 {:.2}, recall@3 {:.2}, abstention {:.2}, /search top-5 {:.2}; misses {:?}; false answers {:?}",
        report.recall_at_1(),
        report.recall_at_3(),
        report.abstention(),
        report.search_recall_at_5(),
        report.misses,
        report.false_answers
    );
    assert!(
        report.recall_at_3() >= 0.95,
        "recall@3 {:.2}",
        report.recall_at_3()
    );
    assert!(
        report.recall_at_1() >= 0.85,
        "recall@1 {:.2}",
        report.recall_at_1()
    );
    assert!(
        report.abstention() >= 0.9,
        "abstention {:.2}",
        report.abstention()
    );
    assert!(
        report.search_recall_at_5() >= 0.95,
        "/search top-5 {:.2}",
        report.search_recall_at_5()
    );
}

#[tokio::test]
async fn automatic_bot_answers_are_off_by_default_and_queued_when_switched_on() {
    let app = spawn_app().await;
    app.sign_up("asker").await;
    ask(
        &app,
        "Why is my loss NaN?",
        "It turns NaN after 100 steps in fp16.",
        "training",
    )
    .await;
    assert_eq!(job_count(&app, "queued").await, 0, "off by default");
    agora::db::settings::set(&app.db, agora::services::settings::AI_BOT_AUTO_ANSWER, "on")
        .await
        .expect("setting");
    let (qid, _) = ask(
        &app,
        "Why does bf16 not need loss scaling?",
        "Is it the exponent range?",
        "training",
    )
    .await;
    let job: (String, String) =
        sqlx::query_as("SELECT kind, payload FROM jobs WHERE status = 'queued'")
            .fetch_one(app.db.reader())
            .await
            .expect("a queued job");
    assert_eq!(job.0, "bot_answer");
    assert!(job.1.contains(&qid.to_string()));
}

#[tokio::test]
async fn a_full_inference_queue_answers_busy_with_the_question_kept() {
    let Some(app) = spawn_app_with_ai(&[("AGORA_AI_THREADS", "1"), ("AGORA_AI_QUEUE", "1")]).await
    else {
        return;
    };
    bot_corpus(&app).await;
    app.sign_up("patient").await;
    // One generation runs and one waits: the queue (capacity 1) is full.
    let mut blockers = occupy_inference(&app, 1);
    tokio::time::sleep(Duration::from_millis(50)).await;
    blockers.extend(occupy_inference(&app, 1));
    tokio::time::sleep(Duration::from_millis(50)).await;
    let question = "How do I calibrate the flux capacitor?";
    let res = app
        .submit("/bot", "/bot/ask", &[("question", question)])
        .await;
    assert_eq!(res.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(res.headers().contains_key("retry-after"));
    let body = res.text().await.expect("body");
    assert!(body.contains("The bot is busy"), "{body}");
    assert!(body.contains("Try again in"));
    assert!(body.contains(question), "the question is kept");
    for blocker in blockers {
        blocker
            .await
            .expect("join")
            .expect("the queued work still finishes");
    }
}

#[tokio::test]
async fn listed_resources_are_sources_and_pending_ones_are_not() {
    let app = spawn_app().await;
    app.sign_up("curator").await;
    app.make_role("curator", Role::Moderator).await;
    let mut ids = Vec::new();
    for (title, url) in [
        ("Quokka tuning handbook", "https://example.org/quokka"),
        (
            "Quokka tuning handbook draft",
            "https://example.org/quokka-draft",
        ),
    ] {
        let fields = [
            ("kind", "book"),
            ("title", title),
            ("url", url),
            ("authors", "A. Writer"),
            ("year", "2024"),
            ("identifier", ""),
            ("level", "beginner"),
            ("language", "en"),
            ("licence", "CC BY 4.0"),
            (
                "description",
                "How to tune quokka models: lower the quokka learning rate first.",
            ),
            ("tags", "tuning"),
        ];
        let res = app.submit("/resources/new", "/resources", &fields).await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER, "{title}");
        ids.push(
            location(&res)
                .rsplit('/')
                .next()
                .and_then(|s| s.parse::<i64>().ok())
                .expect("id"),
        );
    }
    sqlx::query("UPDATE resources SET status = 'pending' WHERE id = $1")
        .bind(ids[1])
        .execute(app.db.writer())
        .await
        .expect("pending");
    let passages = agora::ai::answer::retrieve(&app.db, "How do I tune quokka models?", None)
        .await
        .expect("search");
    let urls: Vec<&str> = passages.iter().map(|p| p.url.as_str()).collect();
    assert!(
        urls.contains(&format!("/resources/{}", ids[0]).as_str()),
        "{urls:?}"
    );
    assert!(
        !urls.contains(&format!("/resources/{}", ids[1]).as_str()),
        "{urls:?}"
    );
}
