//! A question with 40,000 answers still opens: its page shows 30 answers whatever the count, in
//! the same number of statements as a small topic, and its last page opens as fast a way.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app, TestApp};
use crate::member::Member;
use agora::db::Backend;

const ANSWERS: i64 = 40_000;

/// `count` answers to `question` by `author`, generated inside the database in one statement (on a
/// connection without the statement time-out, as bench databases are loaded).
async fn answers(app: &TestApp, question: i64, author: i64, count: i64) {
    let mut conn = app.db.unbounded().await.expect("connection");
    let series = match app.db.backend() {
        Backend::Sqlite => {
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)"
        }
        Backend::Postgres => "WITH n(i) AS (SELECT generate_series(1, $1::bigint))",
    };
    sqlx::query(&format!(
        "{series} INSERT INTO posts (kind, parent_id, author_id, title, slug, body_md, body_html, \
         body_text, excerpt, renderer_version, status, score, created_at, last_activity_at) \
         SELECT 'answer', $2, $3, '', '', 'Answer ' || i, '<p>Answer ' || i || '</p>', \
         'Answer ' || i, 'Answer ' || i, $4, 'published', i % 17, $5 + i, $5 + i FROM n"
    ))
    .bind(count)
    .bind(question)
    .bind(author)
    .bind(agora::render::RENDERER_VERSION)
    .bind(agora::db::now() - 86_400)
    .execute(&mut *conn)
    .await
    .expect("answers");
    sqlx::query(
        "UPDATE posts SET answer_count = (SELECT COUNT(*) FROM posts a \
         WHERE a.parent_id = $1 AND a.status = 'published') WHERE id = $1",
    )
    .bind(question)
    .execute(&mut *conn)
    .await
    .expect("answer count");
    app.db.release_unbounded(conn).await.expect("released");
}

fn answer_count_on(html: &str) -> usize {
    html.matches("id=\"answer-").count()
}

/// The page's HTML and how many statements it took (after one warm-up visit).
async fn open(app: &TestApp, path: &str) -> (String, u64) {
    let (status, _) = app.get_html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    let before = app.db.statements_run();
    let (status, html) = app.get_html(path).await;
    assert_eq!(status, StatusCode::OK, "{path}");
    (html, app.db.statements_run() - before)
}

async fn canonical(app: &TestApp, id: i64) -> String {
    let res = app.get(&format!("/questions/{id}")).await;
    location(&res)
}

#[tokio::test]
async fn a_question_with_40000_answers_opens_paged() {
    let app = spawn_app().await;
    let asker = Member::join(&app, "asker").await;
    let big = asker.ask("A question everyone answered?").await;
    let small = asker.ask("A question a few answered?").await;
    answers(&app, big, asker.id, ANSWERS).await;
    answers(&app, small, asker.id, 5).await;
    let big_url = canonical(&app, big).await;
    let small_url = canonical(&app, small).await;

    let (html, big_statements) = open(&app, &big_url).await;
    assert_eq!(answer_count_on(&html), 30, "one page of answers");
    assert!(html.len() < 256 * 1024, "{} bytes", html.len());
    assert!(
        html.contains("40000") || html.contains("40,000"),
        "the count is shown"
    );
    let (_, small_statements) = open(&app, &small_url).await;
    assert_eq!(big_statements, small_statements, "40,000 vs 5 answers");

    for query in [
        "?sort=newest",
        "?sort=oldest",
        "?sort=votes&page=700",
        "?page=1334",
    ] {
        let (html, statements) = open(&app, &format!("{big_url}{query}")).await;
        let shown = answer_count_on(&html);
        let want = if query == "?page=1334" { 10 } else { 30 };
        assert_eq!(shown, want, "{query}");
        assert!(html.len() < 256 * 1024, "{query}: {} bytes", html.len());
        assert!(
            statements <= small_statements + 1,
            "{query}: {statements} statements"
        );
    }
}
