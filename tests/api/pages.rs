//! Snapshots of three key pages as a reader gets them — the home page, a question with an accepted
//! answer and a comment, and an article with code and math — so a change to what readers see is a
//! reviewed diff (`cargo insta review`, or `INSTA_UPDATE=always cargo test --test api pages`).
//! Times, CSRF tokens and asset fingerprints are redacted; ids are fixed by the fresh database.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app_with, TestApp};
use crate::member::Member;

/// The page's `<main>`: what differs between pages (the frame is the same everywhere).
fn main_of(html: &str) -> String {
    let start = html.find("<main").unwrap_or(0);
    let end = html
        .find("</main>")
        .map(|i| i + "</main>".len())
        .unwrap_or(html.len());
    html[start..end].to_string()
}

fn redacted(name: &str, html: &str) {
    insta::with_settings!({
        filters => vec![
            (r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?( UTC|Z)?", "[time]"),
            (r#"name="csrf_token" value="[^"]*""#, r#"name="csrf_token" value="[csrf]""#),
            (r#"datetime="[^"]*""#, r#"datetime="[time]""#),
            (r"\?v=[0-9a-f]+", "?v=[hash]"),
            (r"\.[0-9a-f]{8,}\.(css|js)", ".[hash].$1"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!(name, main_of(html));
    });
}

async fn community() -> (TestApp, Member, Member, i64, String) {
    let app = spawn_app_with(&[("AGORA_REGISTRATIONS_PER_IP", "1000")]).await;
    let asker = Member::join(&app, "asker").await;
    let helper = Member::join(&app, "helper").await;
    let question = asker
        .ask_with(
            "How much GPU memory does the KV cache take?",
            "For a 7B model with `n_layers = 32`, what is $2 \\cdot n_{layers} \\cdot d$ per token?",
            "llm, inference",
        )
        .await;
    let answer = helper.answer(question).await;
    let res = asker
        .post(&format!("/answers/{answer}/accept"), &[("accept", "1")])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "accepted");
    let res = asker.comment(answer, "Thanks, that **worked**.").await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "comment posted");
    let res = helper
        .post(
            "/articles",
            &[
                ("title", "缓存与注意力：KV cache notes"),
                (
                    "body",
                    "## Why\n\n每个 token 约 0.5 MB.\n\n```python\nimport torch\nx = torch.zeros(2)\n```\n\n$$E = mc^2$$",
                ),
                ("tags", "transformers"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "article posted");
    let article_url = location(&res);
    (app, asker, helper, question, article_url)
}

#[tokio::test]
async fn key_pages_match_their_snapshots() {
    let (app, _asker, _helper, question, article_url) = community().await;
    let visitor = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .expect("client");
    let get = |path: String| {
        let visitor = visitor.clone();
        let url = app.url(&path);
        async move {
            let res = visitor.get(url).send().await.expect("get");
            assert_eq!(res.status(), StatusCode::OK, "{path}");
            res.text().await.expect("body")
        }
    };
    redacted("home", &get("/".into()).await);
    redacted("question", &get(format!("/questions/{question}")).await);
    redacted("article", &get(article_url).await);
}
