//! Community-health reports at `/admin/reports`: a week of activity is seeded through the forms
//! members use (then moved back to the days it stands for), the rollup job runs, and every figure
//! on the page and in the CSVs is checked against a count made here from the seed plan.
use std::collections::HashMap;

use reqwest::StatusCode;

use crate::helpers::{spawn_app, TestApp};
use crate::member::Member;
use agora::domain::Role;

const DAY: i64 = 86_400;
const HOUR: i64 = 3_600;

async fn exec(app: &TestApp, sql: &str, binds: &[i64]) {
    let mut query = sqlx::query(sql);
    for b in binds {
        query = query.bind(*b);
    }
    query.execute(app.db.writer()).await.expect(sql);
}

/// The `data-figure` values of the report page.
fn figures(page: &str) -> HashMap<String, String> {
    page.split("data-figure=\"")
        .skip(1)
        .filter_map(|rest| {
            let (key, rest) = rest.split_once("\">")?;
            let (value, _) = rest.split_once("</strong>")?;
            Some((key.to_string(), value.to_string()))
        })
        .collect()
}

async fn csv(admin: &Member, query: &str) -> Vec<Vec<String>> {
    let (status, body) = admin.get(&format!("/admin/reports.csv?{query}")).await;
    assert_eq!(status, StatusCode::OK, "{query}");
    body.lines()
        .map(|l| l.split(',').map(str::to_string).collect())
        .collect()
}

struct Seed {
    members: Vec<Member>,
    /// Questions per member (member k asks k % 3 + 1 of them, k days ago).
    questions: Vec<Vec<i64>>,
    article: i64,
}

/// Member `k` (0..7) joins and asks `k % 3 + 1` questions `k` days ago; m0 and m2 write an
/// article; m1 answers m3's and m4's first questions, m2 answers m5's, and m3 accepts m1's answer;
/// m6 flags m0's article and an admin dismisses the flag three hours later; m7 joined ten days ago
/// and came back today, as did m1 and m3.
async fn seed_week(app: &TestApp, admin: &Member) -> Seed {
    let now = agora::db::now();
    let mut members = Vec::new();
    let mut questions = Vec::new();
    for k in 0..8 {
        members.push(Member::join(app, &format!("member{k}")).await);
    }
    for (k, member) in members.iter().enumerate().take(7) {
        let mut asked = Vec::new();
        for n in 0..(k % 3 + 1) {
            let tags = if k % 2 == 0 { "rust, llm" } else { "rust" };
            let id = member
                .ask_with(
                    &format!("Question {n} of member {k} about borrowing"),
                    "How do lifetimes work here?",
                    tags,
                )
                .await;
            asked.push(id);
        }
        questions.push(asked);
    }
    let article = members[0]
        .write_article("Notes on attention heads", false)
        .await;
    let second_article = members[2].write_article("Notes on tokenisers", false).await;
    let a3 = members[1].answer(questions[3][0]).await;
    let a4 = members[1].answer(questions[4][0]).await;
    let a5 = members[2].answer(questions[5][0]).await;
    let res = members[3].post(&format!("/answers/{a3}/accept"), &[]).await;
    assert!(res.status().is_redirection(), "accepted: {}", res.status());
    let res = members[6].flag("post", article, "spam", "").await;
    assert!(res.status().is_redirection(), "flagged: {}", res.status());
    let res = admin
        .post(
            &format!("/admin/posts/{article}/approve"),
            &[("reason", "not spam")],
        )
        .await;
    assert!(res.status().is_redirection(), "dismissed: {}", res.status());

    // Move everything back to the day it stands for.
    for (k, member) in members.iter().enumerate().take(7) {
        let at = now - k as i64 * DAY - 60;
        exec(
            app,
            "UPDATE users SET created_at = $1 WHERE id = $2",
            &[at, member.id],
        )
        .await;
        for (n, id) in questions[k].iter().enumerate() {
            exec(
                app,
                "UPDATE posts SET created_at = $1 WHERE id = $2",
                &[at + n as i64, *id],
            )
            .await;
        }
    }
    exec(
        app,
        "UPDATE users SET created_at = $1 WHERE id = $2",
        &[now - 10 * DAY, members[7].id],
    )
    .await;
    for (post, at) in [(article, now - 60), (second_article, now - 2 * DAY - 60)] {
        exec(
            app,
            "UPDATE posts SET created_at = $1 WHERE id = $2",
            &[at, post],
        )
        .await;
    }
    // Answers 2, 5 and 9 hours after their questions.
    for (answer, question, after) in [
        (a3, questions[3][0], 2 * HOUR),
        (a4, questions[4][0], 5 * HOUR),
        (a5, questions[5][0], 9 * HOUR),
    ] {
        exec(
            app,
            "UPDATE posts SET created_at = (SELECT created_at FROM posts WHERE id = $1) + $2 \
             WHERE id = $3",
            &[question, after, answer],
        )
        .await;
    }
    exec(
        app,
        "UPDATE flags SET created_at = resolved_at - $1",
        &[3 * HOUR],
    )
    .await;
    // Visits: each member on the day they joined; m1, m3 and m7 came back today.
    let today = now / DAY;
    exec(
        app,
        "DELETE FROM user_visits WHERE user_id <> $1",
        &[admin.id],
    )
    .await;
    for (k, member) in members.iter().enumerate().take(7) {
        exec(
            app,
            "INSERT INTO user_visits (user_id, day) VALUES ($1, $2)",
            &[member.id, today - k as i64],
        )
        .await;
    }
    for (member, day) in [
        (&members[1], today),
        (&members[3], today),
        (&members[7], today - 10),
        (&members[7], today),
        (admin, today),
    ] {
        exec(
            app,
            "INSERT INTO user_visits (user_id, day) VALUES ($1, $2) ON CONFLICT (user_id, day) DO NOTHING",
            &[member.id, day],
        )
        .await;
    }
    // The AI module is off in this suite: its records are written as the AI service writes them.
    for (status, at) in [("answered", now - DAY), ("abstained", now - 2 * DAY)] {
        sqlx::query(
            "INSERT INTO bot_asks (asker_id, question, status, created_at, finished_at) \
             VALUES ($1, 'What is RLHF?', $2, $3, $3)",
        )
        .bind(members[0].id)
        .bind(status)
        .bind(at)
        .execute(app.db.writer())
        .await
        .expect("bot ask");
    }
    sqlx::query(
        "INSERT INTO ai_summaries (post_id, status, created_at, updated_at) \
         VALUES ($1, 'accepted', $2, $2)",
    )
    .bind(second_article)
    .bind(now - DAY)
    .execute(app.db.writer())
    .await
    .expect("summary");
    Seed {
        members,
        questions,
        article,
    }
}

async fn roll_up(app: &TestApp) {
    agora::services::reports::queue_rollup(&app.db)
        .await
        .expect("queue");
    app.run_jobs().await;
}

#[tokio::test]
async fn every_figure_of_a_seeded_week_matches_a_count_made_by_hand() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let seed = seed_week(&app, &admin).await;
    roll_up(&app).await;
    // A second run finds nothing new to count: figures do not double.
    roll_up(&app).await;
    let rolled: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report_sums WHERE metric = 'posts'")
        .fetch_one(app.db.reader())
        .await
        .expect("rollups");
    assert!(rolled > 0, "closed days come from the rollup table");

    let (status, page) = admin.get("/admin/reports?days=7").await;
    assert_eq!(status, StatusCode::OK);
    let got = figures(&page);
    let questions: usize = seed.questions.iter().map(Vec::len).sum();
    assert_eq!(questions, 13);
    let expect = [
        // The admin, m0, m1, m3 and m7 visited today; all nine this week and this month.
        ("daily_active", "5"),
        ("weekly_active", "9"),
        ("monthly_active", "9"),
        // m0..m6 and the admin joined this week (m7 ten days ago).
        ("signups", "8"),
        ("posts_article", "2"),
        ("posts_question", "13"),
        ("posts_answer", "3"),
        ("posts_bot_answer", "0"),
        ("questions_asked", "13"),
        ("answered_share", "23.1 %"),
        ("accepted_share", "7.7 %"),
        ("median_first_answer", "5 h 0 min"),
        ("median_accepted", "2 h 0 min"),
        // Older than 48 hours without an answer: m2's 3, m4's second, m5's last 2, m6's 1.
        ("unanswered_48h", "7"),
        ("flags", "1"),
        // 1 flag over 18 posts.
        ("flags_per_1000_posts", "55.6"),
        ("median_flag_resolution", "3 h 0 min"),
        ("summaries_accepted", "1"),
        ("bot_asked", "2"),
        ("bot_abstained", "1"),
    ];
    for (key, value) in expect {
        assert_eq!(
            got.get(key).map(String::as_str),
            Some(value),
            "{key}: {got:?}"
        );
    }
    assert_eq!(
        page.matches("<svg class=\"chart\"").count(),
        2,
        "two server-drawn charts"
    );
    let charts: Vec<&str> = page
        .split("<svg class=\"chart\"")
        .skip(1)
        .filter_map(|svg| svg.split("</svg>").next())
        .collect();
    assert!(
        charts.iter().all(|svg| !svg.contains("<script")),
        "charts need no script"
    );
    assert!(
        charts[1].contains("Questions (13)"),
        "the posts chart's legend counts questions"
    );

    // Top contributors: m2 wrote 3 questions, an article and an answer; m1 2 questions and 2 answers.
    let contributors = csv(&admin, "table=contributors&days=7").await;
    assert_eq!(contributors[1], ["member2", "5"]);
    assert_eq!(contributors[2], ["member1", "4"]);
    assert_eq!(contributors[3], ["member5", "3"]);
    let tags = csv(&admin, "table=tags&days=7").await;
    assert_eq!(tags[1], ["rust", "13"]);
    assert_eq!(tags[2], ["llm", "7"]);
    assert_eq!(tags[3], ["transformers", "2"]);
    // Per day: member k's questions on the day k days ago, today last.
    let days = csv(&admin, "table=days&days=7").await;
    assert_eq!(days.len(), 8, "a header and seven days");
    let per_day: Vec<i64> = days[1..].iter().map(|r| r[2].parse().expect("n")).collect();
    assert_eq!(per_day, [1, 3, 2, 1, 3, 2, 1]);
    let unanswered = csv(&admin, "table=unanswered&days=7").await;
    assert_eq!(unanswered.len() - 1, 7);
    let summary = csv(&admin, "table=summary&days=7").await;
    let raw: HashMap<&str, &str> = summary[1..]
        .iter()
        .map(|r| (r[0].as_str(), r[1].as_str()))
        .collect();
    assert_eq!(raw["median_first_answer"], (5 * HOUR).to_string());
    assert_eq!(raw["median_flag_resolution"], (3 * HOUR).to_string());

    // 30 days: m7 joins the cohorts, and is the one member back 7 days after joining.
    let cohorts = csv(&admin, "table=cohorts&days=30").await;
    let sum = |col: usize| -> i64 {
        cohorts[1..]
            .iter()
            .map(|r| r[col].parse::<i64>().expect("n"))
            .sum()
    };
    assert_eq!((sum(1), sum(2), sum(3)), (9, 1, 0));
    // 30 days sum whole weeks from the week rows and the days around them from day rows: the
    // same contributors and tags as the week's.
    let month = csv(&admin, "table=contributors&days=30").await;
    assert_eq!(month[1..4], contributors[1..4]);
    let month = csv(&admin, "table=tags&days=30").await;
    assert_eq!(month[1..4], tags[1..4]);

    // An answer that arrives after its day was rolled up: the next run updates that day's
    // question figures (4 of 13 answered; first answers after 1, 2, 5 and 9 hours).
    let late = seed.members[1].answer(seed.questions[6][0]).await;
    exec(
        &app,
        "UPDATE posts SET created_at = (SELECT created_at FROM posts WHERE id = $1) + $2 \
         WHERE id = $3",
        &[seed.questions[6][0], HOUR, late],
    )
    .await;
    roll_up(&app).await;
    let (_, page) = admin.get("/admin/reports?days=7").await;
    let got = figures(&page);
    assert_eq!(got["answered_share"], "30.8 %");
    assert_eq!(got["median_first_answer"], "2 h 0 min");
    let _ = seed.article;
    let _ = &seed.members;
}

#[tokio::test]
async fn a_custom_period_and_bad_dates() {
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let seed = seed_week(&app, &admin).await;
    roll_up(&app).await;
    let today = agora::db::now() / DAY;
    let day = |d: i64| {
        chrono::DateTime::from_timestamp(d * DAY, 0)
            .expect("day")
            .format("%Y-%m-%d")
            .to_string()
    };
    // Three to five days ago: m3's 1, m4's 2 and m5's 3 questions.
    let (status, page) = admin
        .get(&format!(
            "/admin/reports?from={}&to={}",
            day(today - 5),
            day(today - 3)
        ))
        .await;
    assert_eq!(status, StatusCode::OK);
    let got = figures(&page);
    assert_eq!(got["posts_question"], "6");
    assert_eq!(got["answered_share"], "50.0 %");
    assert_eq!(got["signups"], "3");
    let (status, page) = admin
        .get(&format!(
            "/admin/reports?from={}&to={}",
            day(today),
            day(today - 3)
        ))
        .await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(page.contains("The end date must not come before the start date."));
    assert!(
        page.contains(&format!("value=\"{}\"", day(today - 3))),
        "the form is kept"
    );
    let (status, _) = admin.get("/admin/reports?days=12").await;
    assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY);
    // Staff only.
    let (status, _) = seed.members[1].get("/admin/reports").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    let (status, _) = seed.members[1]
        .get("/admin/reports.csv?table=summary")
        .await;
    assert_eq!(status, StatusCode::FORBIDDEN);
}

/// Timings of the rollup and of a 90-day report on a bulk forum (`seed::bulk`, its times moved to
/// the last year). Ignored by default; `AGORA_REPORT_SCALE=1000000 cargo test --test api -- --ignored
/// reports_at_scale --nocapture` prints them.
#[tokio::test]
#[ignore]
async fn reports_at_scale() {
    let questions: i64 = std::env::var("AGORA_REPORT_SCALE")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(100_000);
    let app = spawn_app().await;
    let started = std::time::Instant::now();
    let forum = agora::seed::bulk::fill(&app.db, agora::seed::bulk::BulkSize::questions(questions))
        .await
        .expect("bulk forum");
    println!(
        "bulk fill of {questions} questions: {:?}",
        started.elapsed()
    );
    // The bulk forum starts in 2023, one question every 30 s: end it an hour ago.
    let last: i64 = sqlx::query_scalar("SELECT MAX(created_at) FROM posts")
        .fetch_one(app.db.reader())
        .await
        .expect("last");
    let shift = agora::db::now() - HOUR - last;
    agora::seed::bulk::move_history(&app.db, shift)
        .await
        .expect("move the history");
    let started = std::time::Instant::now();
    roll_up(&app).await;
    println!(
        "first rollup (every day up to 400 back): {:?}",
        started.elapsed()
    );
    let started = std::time::Instant::now();
    roll_up(&app).await;
    println!("a later rollup (nothing new): {:?}", started.elapsed());
    let days: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report_sums WHERE metric = 'rolled'")
        .fetch_one(app.db.reader())
        .await
        .expect("days");
    let rows: i64 = sqlx::query_scalar("SELECT COUNT(*) FROM report_sums")
        .fetch_one(app.db.reader())
        .await
        .expect("rows");
    println!("{days} days rolled up into {rows} rows");
    for period in [7, 30, 90] {
        let started = std::time::Instant::now();
        let report = agora::services::reports::report(
            &app.db,
            agora::services::reports::Period::last(period),
        )
        .await
        .expect("report");
        println!(
            "{period}-day report: {:?} ({} questions, {} answers)",
            started.elapsed(),
            report.posts_by_kind[1],
            report.posts_by_kind[2]
        );
    }
    let admin = Member::with(&app, "report-admin", Role::Admin, 1).await;
    let started = std::time::Instant::now();
    let (status, _) = admin.get("/admin/reports?days=90").await;
    assert_eq!(status, StatusCode::OK);
    println!("GET /admin/reports?days=90: {:?}", started.elapsed());
    let _ = forum;
}

#[tokio::test]
async fn today_is_counted_live_while_quiet_and_read_from_the_jobs_count_when_busy() {
    use agora::services::reports::{report_with, Period, PARTIAL_FRESH_SECS};
    let app = spawn_app().await;
    let admin = Member::with(&app, "admin", Role::Admin, 1).await;
    let asker = Member::with(&app, "asker", Role::Member, 50).await;
    // Every question of this test is asked today.
    let on_page = |page: &str| -> i64 { figures(page)["posts_question"].parse().expect("count") };
    asker
        .ask("How warm should the learning rate warm-up be?")
        .await;
    roll_up(&app).await;
    // A quiet day is counted live: a question after the job's run is on the page at once.
    asker
        .ask("Why does my LoRA adapter not load after merging?")
        .await;
    let (status, page) = admin.get("/admin/reports?days=7").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(on_page(&page), 2);
    assert!(
        page.contains("data-counted"),
        "the page says when today was counted"
    );

    // A busy day (here: any post at all counts as busy) is read from the job's count, minutes
    // old, until the next run counts again.
    let busy = |app: &TestApp| {
        let db = app.db.clone();
        async move {
            report_with(&db, Period::last(7), 0)
                .await
                .expect("report")
                .posts_by_kind[1]
        }
    };
    assert_eq!(busy(&app).await, 1, "the job counted one question");
    roll_up(&app).await;
    assert_eq!(busy(&app).await, 2);
    // A count older than the janitor would leave it (the job stopped) gives way to a live one,
    // and its rows are not added to it.
    asker
        .ask("Which tokenizer does the bot use for Chinese text?")
        .await;
    assert_eq!(busy(&app).await, 2);
    exec(
        &app,
        "UPDATE report_sums SET value = value - $1 WHERE metric = 'partial'",
        &[PARTIAL_FRESH_SECS + 60],
    )
    .await;
    assert_eq!(busy(&app).await, 3, "a stale count gives way to a live one");
    let (_, csv_page) = admin.get("/admin/reports.csv?table=summary&days=7").await;
    assert!(csv_page.contains("posts_question,3"), "{csv_page}");

    // A period that ends before today shows no count time.
    let yesterday = agora::db::now() / DAY - 1;
    let day = agora::web::format::day(yesterday * DAY);
    let (_, page) = admin
        .get(&format!("/admin/reports?from={day}&to={day}"))
        .await;
    assert!(!page.contains("data-counted"));
}
