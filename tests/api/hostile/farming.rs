//! Reputation and flags that cannot be farmed: upvotes earn at most 200 a day, serial votes from one
//! voter to one author are taken back by the daily job, acceptance between related accounts (one
//! sign-up network) pays nothing, and only trusted members on distinct networks hide a post.
use reqwest::StatusCode;

use crate::helpers::{spawn_app_with, TestApp};
use crate::member::{set_reputation, Member};

async fn app() -> TestApp {
    spawn_app_with(&[("AGORA_TRUSTED_PROXIES", "127.0.0.1/32")]).await
}

async fn reputation(app: &TestApp, id: i64) -> i64 {
    sqlx::query_scalar("SELECT reputation FROM users WHERE id = $1")
        .bind(id)
        .fetch_one(app.db.reader())
        .await
        .expect("reputation")
}

async fn set_trust(app: &TestApp, id: i64, level: i64) {
    sqlx::query("UPDATE users SET trust_level = $1 WHERE id = $2")
        .bind(level)
        .bind(id)
        .execute(app.db.writer())
        .await
        .expect("trust level");
}

async fn accept(asker: &Member, answer: i64) {
    let res = asker.post(&format!("/answers/{answer}/accept"), &[]).await;
    assert_eq!(res.status(), StatusCode::SEE_OTHER, "accepted");
}

#[tokio::test]
async fn upvotes_earn_at_most_200_reputation_a_day_and_acceptance_is_exempt() {
    let app = app().await;
    let writer = Member::join_from(&app, "prolific", "203.0.113.10").await;
    let mut articles = Vec::new();
    for n in 0..23 {
        articles.push(
            writer
                .write_article(&format!("Notes on attention, part {n}"), false)
                .await,
        );
    }
    // Many voters, a few votes each (no serial run), from their own networks.
    for (i, chunk) in articles.chunks(3).enumerate() {
        let voter = Member::join_from(&app, &format!("voter{i}"), &format!("198.51.100.{i}")).await;
        set_reputation(&app, voter.id, 50).await;
        for article in chunk {
            voter.vote("article", *article, 1).await;
        }
    }
    assert_eq!(
        reputation(&app, writer.id).await,
        1 + 200,
        "23 upvotes x 10 are capped at 200"
    );

    // Acceptance is exempt from the cap.
    let asker = Member::join_from(&app, "asker", "192.0.2.50").await;
    let question = asker
        .ask("Which positional encoding for long contexts?")
        .await;
    let answer = writer.answer(question).await;
    accept(&asker, answer).await;
    assert_eq!(reputation(&app, writer.id).await, 1 + 200 + 15);
}

#[tokio::test]
async fn two_accounts_from_one_network_trading_accepts_gain_nothing() {
    let app = app().await;
    let alice = Member::join_from(&app, "alice", "203.0.113.7").await;
    let sock = Member::join_from(&app, "sockpuppet", "203.0.113.7").await;
    let stranger = Member::join_from(&app, "stranger", "2001:db8:5:6::1").await;
    let neighbour = Member::join_from(&app, "neighbour", "2001:db8:5:6::99").await;

    for round in 0..3 {
        let q = alice
            .ask(&format!("Trading question number {round}?"))
            .await;
        let a = sock.answer(q).await;
        accept(&alice, a).await;
        let q = sock.ask(&format!("Return favour number {round}?")).await;
        let a = alice.answer(q).await;
        accept(&sock, a).await;
    }
    assert_eq!(reputation(&app, alice.id).await, 1, "nothing for alice");
    assert_eq!(reputation(&app, sock.id).await, 1, "nothing for the sock");

    // One IPv6 /64 is one network too.
    let q = stranger.ask("Does a /64 count as one household?").await;
    let a = neighbour.answer(q).await;
    accept(&stranger, a).await;
    assert_eq!(reputation(&app, neighbour.id).await, 1);

    // Unrelated accounts are paid as before: +15 to the answerer, +2 to the asker.
    let q = alice.ask("A question a stranger answers?").await;
    let a = stranger.answer(q).await;
    accept(&alice, a).await;
    assert_eq!(reputation(&app, stranger.id).await, 1 + 15);
    assert_eq!(reputation(&app, alice.id).await, 1 + 2);
}

#[tokio::test]
async fn the_daily_job_takes_back_serial_votes_from_one_voter_to_one_author() {
    let app = app().await;
    let author = Member::join_from(&app, "author", "203.0.113.20").await;
    let fan = Member::join_from(&app, "fan", "198.51.100.20").await;
    let reader = Member::join_from(&app, "reader", "198.51.100.21").await;
    set_reputation(&app, fan.id, 50).await;
    set_reputation(&app, reader.id, 50).await;
    let mut questions = Vec::new();
    for n in 0..8 {
        questions.push(author.ask(&format!("Serial question number {n}?")).await);
    }
    for q in &questions {
        fan.vote("question", *q, 1).await;
    }
    // A reader's two votes are no run and stay.
    reader.vote("question", questions[0], 1).await;
    reader.vote("question", questions[1], 1).await;
    assert_eq!(reputation(&app, author.id).await, 1 + 10 * 5);

    agora::services::votes::queue_serial_votes(&app.state())
        .await
        .expect("queued");
    agora::services::votes::queue_serial_votes(&app.state())
        .await
        .expect("queued once a day");
    assert_eq!(app.run_jobs().await, 1, "one job for the day");

    assert_eq!(
        reputation(&app, author.id).await,
        1 + 2 * 5,
        "the reader's votes stay"
    );
    let fan_votes: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM votes WHERE user_id = $1")
        .bind(fan.id)
        .fetch_one(app.db.reader())
        .await
        .expect("count");
    assert_eq!(fan_votes, 0, "the fan's votes are gone");
    let score: i64 = sqlx::query_scalar("SELECT score FROM posts WHERE id = $1")
        .bind(questions[0])
        .fetch_one(app.db.reader())
        .await
        .expect("score");
    assert_eq!(score, 1, "only the reader's vote counts");
    let audited: i64 = sqlx::query_scalar(
        "SELECT COUNT(*) FROM mod_actions WHERE action = 'reverse_serial_votes' AND target_id = $1",
    )
    .bind(author.id)
    .fetch_one(app.db.reader())
    .await
    .expect("audit");
    assert_eq!(audited, 1);
}

#[tokio::test]
async fn three_fresh_accounts_cannot_hide_a_post_nor_three_trusted_ones_on_one_network() {
    let app = app().await;
    let author = Member::join_from(&app, "author", "203.0.113.30").await;
    let question = author.ask("Is this post going to be hidden?").await;
    let status = || async {
        sqlx::query_scalar::<_, String>("SELECT status FROM posts WHERE id = $1")
            .bind(question)
            .fetch_one(app.db.reader())
            .await
            .expect("status")
    };

    // Fresh accounts (trust level 0) with enough reputation, on three networks: no hiding.
    for n in 0..3 {
        let fresh = Member::join_from(&app, &format!("fresh{n}"), &format!("198.51.100.{n}")).await;
        set_reputation(&app, fresh.id, 100).await;
        let res = fresh.flag("post", question, "spam", "").await;
        assert!(res.status().is_redirection() || res.status().is_success());
    }
    assert_eq!(
        status().await,
        "published",
        "trust level 0 flags do not hide"
    );

    // Trusted members on one network count once.
    for n in 0..3 {
        let local = Member::join_from(&app, &format!("local{n}"), "192.0.2.77").await;
        set_reputation(&app, local.id, 100).await;
        set_trust(&app, local.id, 2).await;
        local.flag("post", question, "spam", "").await;
    }
    assert_eq!(status().await, "published", "one network is one flag");

    // Two more trusted members on their own networks make three distinct networks.
    for n in 0..2 {
        let far = Member::join_from(&app, &format!("far{n}"), &format!("2001:db8:{n}::1")).await;
        set_reputation(&app, far.id, 100).await;
        set_trust(&app, far.id, 2).await;
        far.flag("post", question, "spam", "").await;
    }
    assert_eq!(status().await, "hidden");
}
