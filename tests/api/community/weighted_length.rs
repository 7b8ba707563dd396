//! Titles, comments and bios count a CJK character as two (`domain::text::weighted_len`): a
//! seven-character Chinese title is long enough, the same limits hold in both languages.
use reqwest::StatusCode;

use crate::helpers::{location, spawn_app};
use crate::member::Member;

#[tokio::test]
async fn a_seven_character_chinese_title_is_accepted() {
    let app = spawn_app().await;
    let member = Member::join(&app, "李雷").await;
    let res = member
        .post(
            "/questions",
            &[
                ("title", "1. 背景介绍"),
                ("body", "这是背景介绍。"),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "accepted");
    let page = member.page(&location(&res)).await;
    assert!(page.contains("1. 背景介绍"));
}

#[tokio::test]
async fn short_titles_are_refused_with_the_text_kept_in_both_languages() {
    let app = spawn_app().await;
    let member = Member::join(&app, "hanmeimei").await;
    let res = member
        .post(
            "/questions?lang=zh-CN",
            &[
                ("title", "背景介绍"),
                ("body", "四个汉字只算八个字符。"),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(html.contains("四个汉字只算八个字符。"), "the body is kept");
    let res = member
        .post(
            "/questions",
            &[
                ("title", "Too short"),
                ("body", "Nine letters and a space."),
                ("tags", "llm"),
            ],
        )
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("counts as two"),
        "the message explains the count"
    );
}

#[tokio::test]
async fn comments_and_bios_count_chinese_characters_twice() {
    let app = spawn_app().await;
    let alice = Member::join(&app, "alice").await;
    let question = alice.ask("Why do comments have limits?").await;
    let res = alice.comment(question, &"好".repeat(500)).await;
    assert_eq!(
        res.status(),
        StatusCode::SEE_OTHER,
        "500 characters weigh 1000"
    );
    let res = alice.comment(question, &"好".repeat(501)).await;
    assert_eq!(
        res.status(),
        StatusCode::UNPROCESSABLE_ENTITY,
        "501 weigh 1002"
    );
    let res = alice
        .post("/u/alice/bio", &[("bio", &"简".repeat(1001))])
        .await;
    assert_eq!(res.status(), StatusCode::UNPROCESSABLE_ENTITY);
    let html = res.text().await.expect("body");
    assert!(
        html.contains("2002"),
        "the message gives the weighted count"
    );
    let res = alice
        .post("/u/alice/bio", &[("bio", &"简".repeat(1000))])
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
}
