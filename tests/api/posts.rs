//! Articles, questions and answers: writing, drafts, editing, revisions, tags, lists, accepting,
//! similar questions, feeds, and keeping user input harmless and never lost.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, TestApp};

/// The id in a post URL such as `/questions/12/some-slug`.
fn id_in(url: &str) -> i64 {
    url.split('/')
        .nth(2)
        .and_then(|s| s.split('#').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no post id in {url}"))
}

async fn ask(app: &TestApp, title: &str, body: &str, tags: &str) -> (i64, String) {
    let res = app
        .submit("/questions/ask", "/questions", &[("title", title), ("body", body), ("tags", tags)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "question {title:?} is accepted");
    let url = location(&res);
    (id_in(&url), url)
}

async fn write_article(app: &TestApp, title: &str, body: &str, tags: &str, draft: bool) -> (i64, String) {
    let mut fields = vec![("title", title), ("body", body), ("tags", tags)];
    if draft {
        fields.push(("draft", "1"));
    }
    let res = app.submit("/articles/new", "/articles", &fields).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "article {title:?} is accepted");
    let url = location(&res);
    (id_in(&url), url)
}

async fn answer(app: &TestApp, question_url: &str, question_id: i64, body: &str) -> i64 {
    let res = app
        .submit(question_url, &format!("/questions/{question_id}/answers"), &[("body", body)])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "answer is accepted");
    let url = location(&res);
    url.rsplit_once("#answer-")
        .and_then(|(_, id)| id.parse().ok())
        .unwrap_or_else(|| panic!("no answer id in {url}"))
}

#[tokio::test]
async fn ask_answer_and_accept_only_by_the_asker() {
    let app = spawn_app().await;
    app.sign_up("asker").await;
    let (qid, url) = ask(&app, "How do I load a LoRA adapter?", "I have a **base model**.", "lora, PyTorch").await;
    assert!(url.starts_with(&format!("/questions/{qid}/how-do-i-load-a-lora-adapter")), "{url}");
    let (status, html) = app.get_html(&url).await;
    assert_eq!(status, StatusCode::OK);
    assert!(html.contains("<strong>base model</strong>"), "body rendered");
    assert!(html.contains("href=\"/tags/pytorch\""), "tags normalised and linked");

    app.logout().await;
    app.sign_up("helper").await;
    let first = answer(&app, &url, qid, "Use `PeftModel.from_pretrained`.").await;
    let second = answer(&app, &url, qid, "Merge the weights first.").await;
    let (_, html) = app.get_html(&url).await;
    assert!(html.contains("PeftModel.from_pretrained"));
    assert!(html.contains("2 answers"), "answer count shown");

    // Only the asker may accept.
    let res = app.submit(&url, &format!("/answers/{first}/accept"), &[]).await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);

    app.logout().await;
    app.login("asker", crate::helpers::PASSWORD).await;
    let res = app.submit(&url, &format!("/answers/{second}/accept"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let (_, html) = app.get_html(&url).await;
    let accepted_pos = html.find(&format!("id=\"answer-{second}\"")).expect("second shown");
    let other_pos = html.find(&format!("id=\"answer-{first}\"")).expect("first shown");
    assert!(accepted_pos < other_pos, "the accepted answer comes first");
    assert!(html.contains("Accepted answer"), "marked accepted");

    // Changing the accepted answer, then taking it back.
    app.submit(&url, &format!("/answers/{first}/accept"), &[]).await;
    let question = agora::db::posts::by_id(&app.db, qid).await.expect("db").expect("question");
    assert_eq!(question.accepted_answer_id, Some(first));
    app.submit(&url, &format!("/answers/{first}/accept"), &[("accept", "0")]).await;
    let question = agora::db::posts::by_id(&app.db, qid).await.expect("db").expect("question");
    assert_eq!(question.accepted_answer_id, None);
}
