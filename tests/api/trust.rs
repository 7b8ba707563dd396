//! Trust levels: members start at 0, rise with days visited and posts read, and a level staff set and
//! lock stays whatever the activity.
use reqwest::StatusCode;

use crate::helpers::{location, TestApp};
use crate::moderation::{app, moderation_notices, Member};
use agora::domain::Role;

async fn level(app: &TestApp, user_id: i64) -> i64 {
    sqlx::query_scalar("SELECT trust_level FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_one(app.db.reader())
        .await
        .expect("trust level")
}

/// Five published articles by `author`, returned as their addresses (with the slug).
async fn five_articles(author: &Member) -> Vec<String> {
    let mut urls = Vec::new();
    for n in 1..=5 {
        let title = format!("Field notes on inference, part {n}");
        let res = author
            .post(
                "/articles",
                &[
                    ("title", title.as_str()),
                    ("body", "KV caches and batching."),
                    ("tags", "llm"),
                ],
            )
            .await;
        assert_eq!(res.status(), StatusCode::SEE_OTHER);
        urls.push(location(&res));
    }
    urls
}

async fn read_all(reader: &Member, urls: &[String]) {
    for url in urls {
        let (status, _) = reader.get(url).await;
        assert_eq!(status, StatusCode::OK, "{url}");
    }
}

#[tokio::test]
async fn a_new_member_reaches_trust_level_1_after_a_visit_and_five_posts_read() {
    let app = app().await;
    let author = Member::join(&app, "author").await;
    let reader = Member::join(&app, "reader").await;
    assert_eq!(level(&app, reader.id).await, 0, "new members start at 0");
    let urls = five_articles(&author).await;

    read_all(&reader, &urls[..4]).await;
    assert_eq!(level(&app, reader.id).await, 0, "four reads are not enough");
    read_all(&reader, &urls[4..]).await;
    assert_eq!(level(&app, reader.id).await, 1);
    let visits: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM user_visits WHERE user_id = $1")
        .bind(reader.id)
        .fetch_one(app.db.reader())
        .await
        .expect("visits");
    assert_eq!(visits, 1, "one visit a day");
    // Reading the same post again counts once.
    read_all(&reader, &urls[..1]).await;
    let reads: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM post_reads WHERE user_id = $1")
        .bind(reader.id)
        .fetch_one(app.db.reader())
        .await
        .expect("reads");
    assert_eq!(reads, 5);
}

#[tokio::test]
async fn a_level_staff_lock_stays_whatever_the_activity() {
    let app = app().await;
    let moderator = Member::with(&app, "moddy", Role::Moderator, 1).await;
    let author = Member::join(&app, "author").await;
    let reader = Member::join(&app, "reader").await;
    let res = moderator
        .post(
            &format!("/admin/users/{}/trust", reader.id),
            &[("level", "0"), ("locked", "1"), ("reason", "spam wave")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    assert_eq!(
        crate::moderation::audit_rows(&app, "set_trust_level", "user", reader.id).await,
        1
    );
    assert_eq!(
        moderation_notices(&app, reader.id).await,
        1,
        "the member is told"
    );
    let (_, page) = moderator.get(&format!("/admin/users/{}", reader.id)).await;
    assert!(page.contains("class=\"trust-level\">0</strong>"));

    let urls = five_articles(&author).await;
    read_all(&reader, &urls).await;
    assert_eq!(level(&app, reader.id).await, 0, "locked at 0");

    // Unlocked, the next read recomputes the level from the activity.
    let res = moderator
        .post(
            &format!("/admin/users/{}/trust", reader.id),
            &[("level", "0")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER);
    let more = five_articles(&author).await;
    read_all(&reader, &more[..1]).await;
    assert_eq!(level(&app, reader.id).await, 1);

    // Members cannot set levels.
    let res = reader
        .post(
            &format!("/admin/users/{}/trust", reader.id),
            &[("level", "4"), ("locked", "1")],
        )
        .await;
    assert_eq!(res.status(), StatusCode::FORBIDDEN);
}
