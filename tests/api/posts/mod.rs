//! Articles, questions and answers: writing, drafts, editing, revisions, tags, lists, accepting,
//! similar questions, feeds, and keeping user input harmless and never lost. Helpers shared by the
//! modules below live here.
mod articles;
mod input;
mod lists;
mod questions;
mod scale;
use agora::db::posts::NewPost;
use agora::domain::{Markdown, PostKind, PostStatus, TagList, Title};
use reqwest::StatusCode;

use crate::helpers::{location, TestApp};

/// The id in a post URL such as `/questions/12/some-slug`.
pub fn id_in(url: &str) -> i64 {
    url.split('/')
        .nth(2)
        .and_then(|s| s.split('#').next())
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| panic!("no post id in {url}"))
}

pub async fn ask(app: &TestApp, title: &str, body: &str, tags: &str) -> (i64, String) {
    let res = app
        .submit(
            "/questions/ask",
            "/questions",
            &[("title", title), ("body", body), ("tags", tags)],
        )
        .await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "question {title:?} is accepted"
    );
    let url = location(&res);
    (id_in(&url), url)
}

pub async fn write_article(
    app: &TestApp,
    title: &str,
    body: &str,
    tags: &str,
    draft: bool,
) -> (i64, String) {
    let mut fields = vec![("title", title), ("body", body), ("tags", tags)];
    if draft {
        fields.push(("draft", "1"));
    }
    let res = app.submit("/articles/new", "/articles", &fields).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "article {title:?} is accepted"
    );
    let url = location(&res);
    (id_in(&url), url)
}

pub async fn answer(app: &TestApp, question_url: &str, question_id: i64, body: &str) -> i64 {
    let res = app
        .submit(
            question_url,
            &format!("/questions/{question_id}/answers"),
            &[("body", body)],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "answer is accepted");
    let url = location(&res);
    url.rsplit_once("#answer-")
        .and_then(|(_, id)| id.parse().ok())
        .unwrap_or_else(|| panic!("no answer id in {url}"))
}

pub async fn user_id(app: &TestApp, name: &str) -> i64 {
    agora::db::users::by_username(&app.db, name)
        .await
        .expect("db")
        .expect("user exists")
        .id
}

/// Stores a post straight through `db::posts::create` (fast set-up for list tests).
pub async fn seed(
    app: &TestApp,
    kind: PostKind,
    author: i64,
    title: &str,
    tags: &str,
    parent: Option<i64>,
) -> i64 {
    let title = Title::parse(title).expect("valid title");
    let body = Markdown::parse("Seeded body text.").expect("valid body");
    let tags = TagList::parse(tags).expect("valid tags");
    let topic = parent.is_none();
    agora::db::posts::create(
        &app.db,
        NewPost {
            kind,
            parent_id: parent,
            author_id: author,
            title: topic.then_some(&title),
            body: &body,
            rendered: &agora::render::render_post_or_source(
                body.as_str(),
                agora::render::Limits::default(),
            ),
            tags: topic.then_some(&tags),
            status: PostStatus::Published,
        },
    )
    .await
    .expect("seeded post")
}

/// Follows `rel="next"` links from `first`, collecting the post ids each page lists (in order).
pub async fn walk(app: &TestApp, first: &str, marker: &str) -> (Vec<i64>, usize) {
    let mut ids = Vec::new();
    let mut next = Some(first.to_string());
    let mut pages = 0;
    while let Some(url) = next.take() {
        let (status, html) = app.get_html(&url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
        pages += 1;
        for piece in html.split(marker).skip(1) {
            let digits: String = piece.chars().take_while(char::is_ascii_digit).collect();
            ids.push(digits.parse::<i64>().expect("id after marker"));
        }
        next = html
            .split("<a rel=\"next\" href=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .map(|href| href.replace("&amp;", "&").replace("&#38;", "&"));
        assert!(pages < 100, "pagination does not end: {url}");
    }
    (ids, pages)
}
