//! The scale bench: builds forums of 10k and 1M questions on SQLite and PostgreSQL by bulk SQL
//! (`agora::seed::bulk`, minutes rather than hours), serves each with the real application in this
//! process, and measures every page a visitor, member and moderator opens with `wrk` on the other
//! core. Prints requests/s, p50 and p99 per page at each size side by side with the ratio, as a
//! table and as JSON (also written to AGORA_BENCH_OUT, default target/scale-bench.json).
//!
//! tools/bench/scale.sh pins this process (the server) to core 0 and wrk to core 1. Settings:
//! AGORA_BENCH_SIZES=10000,1000000  AGORA_BENCH_BACKENDS=sqlite,postgres  AGORA_BENCH_SECONDS=5
//! AGORA_BENCH_CONNECTIONS=8  AGORA_BENCH_POSTGRES=postgres://postgres@127.0.0.1:5432
//! AGORA_BENCH_WRK="taskset -c 1 wrk"  AGORA_BENCH_DIR=/tmp/agora-scale
//! AGORA_BENCH_PAGES=search,hot (measure only pages whose name contains one of these words;
//! `write` selects the write phase: ask, answer, comment and vote as members, see scale/writes.rs)
//! AGORA_BENCH_CLIENT_PIN="taskset -c 1" (how the write phase's client process is pinned)
//! AGORA_BENCH_LOG=warn (the log filter; sqlx warns of statements slower than a second)
//! AGORA_BENCH_REUSE=1 (keep a forum an earlier run built at this size and backend; new migrations
//! still run on it)
//! Measuring `/admin/reports` first moves the forum's history to end an hour ago and runs the
//! report rollup once (printing how long it took), as the job would on a live forum; the jobs are
//! off in the bench, so the rollup runs again before a report page when the janitor (every five
//! minutes) would have queued it since, and the page reads today's count as on a live forum.
use std::collections::HashMap;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use agora::config::Settings;
use agora::db::{DatabaseUrl, Db};
use agora::seed::bulk::{fill, BulkForum, BulkSize};
use agora::Application;
use reqwest::cookie::{CookieStore, Jar};
use sqlx::Connection;

#[path = "scale/writes.rs"]
mod writes;

fn env(name: &str, default: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| default.to_string())
}

/// One page measured at one size.
#[derive(Debug, Clone)]
struct Measure {
    backend: String,
    size: i64,
    page: String,
    status: u16,
    rps: f64,
    p50_ms: f64,
    p99_ms: f64,
    errors: u64,
}

/// Who opens a page.
#[derive(Clone, Copy)]
enum As {
    Visitor,
    Member,
    Admin,
}

fn pages(forum: &BulkForum) -> Vec<(String, String, As)> {
    let q = |text: &str| url::form_urlencoded::byte_serialize(text.as_bytes()).collect::<String>();
    let hot = format!("/questions/{}/{}", forum.hot_topic_id, forum.hot_topic_slug);
    let tag = &forum.busiest_tag;
    let mut all: Vec<(String, String, As)> = [
        ("healthz", "/healthz".to_string()),
        ("home", "/".into()),
        ("questions newest", "/questions".into()),
        ("questions active", "/questions?tab=active".into()),
        ("questions unanswered", "/questions?tab=unanswered".into()),
        ("questions votes", "/questions?tab=votes".into()),
        (
            "questions deep page",
            format!("/questions?after={}", forum.deep_cursor),
        ),
        ("articles", "/articles".into()),
        ("tags", "/tags".into()),
        ("tag page", format!("/tags/{tag}")),
        ("tag feed", format!("/tags/{tag}/feed.atom")),
        ("hot topic (200 answers)", hot.clone()),
        ("hot topic page 2", format!("{hot}?sort=newest&page=2")),
        (
            "profile of 100k-post member",
            format!("/u/{}", forum.prolific_member),
        ),
        (
            "search english",
            format!("/search?q={}", q("attention sequence length")),
        ),
        (
            "search chinese",
            format!("/search?q={}", q("注意力机制 显存")),
        ),
        ("search code", format!("/search?q={}", q("torch.nn.Module"))),
        (
            "similar questions",
            format!("/questions/similar?title={}", q("how does attention scale")),
        ),
        ("resources", "/resources".into()),
        ("events", "/events".into()),
        (
            "resources filtered",
            "/resources?kind=paper&level=beginner".into(),
        ),
        ("site feed", "/feed.atom".into()),
        ("sitemap index", "/sitemap.xml".into()),
        ("sitemap part", "/sitemap-posts-1.xml".into()),
    ]
    .into_iter()
    .map(|(name, path)| (name.to_string(), path, As::Visitor))
    .collect();
    all.push(("notifications".into(), "/notifications".into(), As::Member));
    // Visitors are served a kept copy of a topic page; a member's is rendered every time.
    all.push(("hot topic, signed in".into(), hot.clone(), As::Member));
    for path in [
        "/admin",
        "/admin/users",
        "/admin/log",
        "/admin/queue",
        "/admin/ai",
        "/admin/reports",
    ] {
        all.push((path.trim_start_matches('/').into(), path.into(), As::Admin));
    }
    // The reports of the other presets and of a custom period: the 60 days before yesterday.
    let today = agora::services::reports::today();
    let day = |d: i64| {
        chrono::DateTime::from_timestamp(d * 86_400, 0)
            .map(|t| t.format("%Y-%m-%d").to_string())
            .unwrap_or_default()
    };
    for (name, path) in [
        ("admin/reports 7 days", "/admin/reports?days=7".to_string()),
        ("admin/reports 90 days", "/admin/reports?days=90".into()),
        (
            "admin/reports custom 60 days",
            format!(
                "/admin/reports?from={}&to={}",
                day(today - 61),
                day(today - 2)
            ),
        ),
    ] {
        all.push((name.into(), path, As::Admin));
    }
    all
}

/// Moves a bulk forum's history (built from 2023 on) to end an hour ago, so the reports' periods,
/// counted back from today, hold its busiest days: posts' and members' times shift together (the
/// `/questions` cursor follows in [`deep_cursor_of`]). A forum already current is left as it is.
/// Then runs the report rollup once, as the job would.
async fn bring_to_now(url: &str, forum: &BulkForum) {
    let db = Db::connect(&DatabaseUrl::parse(url).expect("bench database URL"))
        .await
        .expect("bench database");
    db.migrate().await.expect("migrations");
    // The hot topic, written a day after the rest, is left out of the reckoning (it lands a day
    // ahead, outside every period).
    let last: i64 =
        sqlx::query_scalar("SELECT COALESCE(MAX(created_at), 0) FROM posts WHERE id < $1")
            .bind(forum.hot_topic_id)
            .fetch_one(db.reader())
            .await
            .expect("last post");
    let shift = agora::db::now() - 3_600 - last;
    if shift > 86_400 {
        let started = Instant::now();
        agora::seed::bulk::move_history(&db, shift)
            .await
            .expect("move the history");
        eprintln!(
            "history moved {} days on, to end an hour ago, in {:.0} s",
            shift / 86_400,
            started.elapsed().as_secs_f64()
        );
    }
    // The rollup job is off in the bench (AGORA_JOBS=off): its first run, here, on the built forum.
    let started = Instant::now();
    let days = agora::services::reports::roll_up_db(&db)
        .await
        .expect("rollup");
    eprintln!(
        "first report rollup: {days} days in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let started = Instant::now();
    agora::services::reports::roll_up_db(&db)
        .await
        .expect("rollup");
    eprintln!(
        "a later rollup (nothing new): {:.2} s",
        started.elapsed().as_secs_f64()
    );
    db.close().await;
}

/// Points the deep `/questions` cursor at its question's current time, read from the forum on
/// every run (its history may have been moved since the description was written).
async fn deep_cursor_of(url: &str, forum: &mut BulkForum) {
    let Some((_, id)) = forum.deep_cursor.split_once(':') else {
        return;
    };
    let Ok(id) = id.parse::<i64>() else { return };
    let db = Db::connect(&DatabaseUrl::parse(url).expect("bench database URL"))
        .await
        .expect("bench database");
    let at: Option<i64> = sqlx::query_scalar("SELECT created_at FROM posts WHERE id = $1")
        .bind(id)
        .fetch_optional(db.reader())
        .await
        .expect("deep cursor");
    if let Some(at) = at {
        forum.deep_cursor = format!("{at}:{id}");
    }
    db.close().await;
}

/// One run of the report rollup, as the janitor's job would run it on a live forum.
async fn roll_up(url: &str) {
    let db = Db::connect(&DatabaseUrl::parse(url).expect("bench database URL"))
        .await
        .expect("bench database");
    agora::services::reports::roll_up_db(&db)
        .await
        .expect("rollup");
    db.close().await;
}

/// Where the description of the forum built at `backend` and `size` is kept for a reuse.
fn forum_file(backend: &str, size: i64) -> String {
    format!(
        "{}/forum-{backend}-{size}.json",
        env("AGORA_BENCH_DIR", "/tmp/agora-scale")
    )
}

/// The forum an earlier run built at `backend` and `size`, when AGORA_BENCH_REUSE=1 and it is there.
fn reusable_forum(backend: &str, size: i64) -> Option<BulkForum> {
    if env("AGORA_BENCH_REUSE", "0") != "1" {
        return None;
    }
    let text = std::fs::read_to_string(forum_file(backend, size)).ok()?;
    serde_json::from_str(&text).ok()
}

/// The database URL of the bench forum at `backend` and `size`, whether or not it exists.
fn database_url(backend: &str, size: i64) -> String {
    if backend == "postgres" {
        let base = env("AGORA_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432");
        format!("{base}/agora_bench_{size}")
    } else {
        let dir = env("AGORA_BENCH_DIR", "/tmp/agora-scale");
        format!("sqlite://{dir}/sqlite-{size}/agora.db")
    }
}

/// Whether page `name` is measured (AGORA_BENCH_PAGES: words, any of which the name contains).
fn wanted(name: &str) -> bool {
    let filter = env("AGORA_BENCH_PAGES", "");
    filter.trim().is_empty()
        || filter
            .split(',')
            .map(str::trim)
            .any(|word| !word.is_empty() && name.contains(word))
}

/// A fresh, empty database for `backend` at `size`.
async fn fresh_database(backend: &str, size: i64) -> String {
    let _ = std::fs::remove_file(forum_file(backend, size));
    if backend == "postgres" {
        let base = env("AGORA_BENCH_POSTGRES", "postgres://postgres@127.0.0.1:5432");
        let name = format!("agora_bench_{size}");
        let mut conn = sqlx::AnyConnection::connect(&format!("{base}/postgres"))
            .await
            .expect("PostgreSQL at AGORA_BENCH_POSTGRES");
        sqlx::query(&format!("DROP DATABASE IF EXISTS {name}"))
            .execute(&mut conn)
            .await
            .expect("drop the old bench database");
        sqlx::query(&format!("CREATE DATABASE {name}"))
            .execute(&mut conn)
            .await
            .expect("create the bench database");
        format!("{base}/{name}")
    } else {
        let dir = format!(
            "{}/sqlite-{size}",
            env("AGORA_BENCH_DIR", "/tmp/agora-scale")
        );
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).expect("bench folder");
        format!("sqlite://{dir}/agora.db")
    }
}

/// Signs `username` in and returns the Cookie header its browser would send.
async fn cookie_for(base: &str, username: &str, password: &str) -> String {
    let jar = Arc::new(Jar::default());
    let client = reqwest::Client::builder()
        .cookie_provider(jar.clone())
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("client");
    let html = client
        .get(format!("{base}/login"))
        .send()
        .await
        .expect("login page")
        .text()
        .await
        .expect("body");
    let marker = "name=\"csrf_token\" value=\"";
    let token = html
        .split(marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .expect("login form has a CSRF token");
    let res = client
        .post(format!("{base}/login"))
        .form(&[
            ("username", username),
            ("password", password),
            ("csrf_token", token),
        ])
        .send()
        .await
        .expect("log in");
    assert!(
        res.status().is_redirection(),
        "{username} logs in: {}",
        res.status()
    );
    let url = base.parse().expect("url");
    jar.cookies(&url)
        .and_then(|h| h.to_str().ok().map(str::to_string))
        .expect("session cookie")
}

/// Milliseconds from a wrk duration (`812.00us`, `1.25ms`, `2.01s`).
fn millis(text: &str) -> f64 {
    let text = text.trim();
    let split = text
        .find(|c: char| c.is_ascii_alphabetic())
        .unwrap_or(text.len());
    let value: f64 = text[..split].parse().unwrap_or(f64::NAN);
    match &text[split..] {
        "us" => value / 1000.0,
        "ms" => value,
        "s" => value * 1000.0,
        "m" => value * 60_000.0,
        _ => f64::NAN,
    }
}

fn wrk(url: &str, cookie: Option<&str>, seconds: u64, connections: u64) -> (f64, f64, f64, u64) {
    let command = env("AGORA_BENCH_WRK", "taskset -c 1 wrk");
    let mut parts = command.split_whitespace();
    let program = parts.next().expect("a wrk command");
    let mut cmd = Command::new(program);
    cmd.args(parts)
        .arg("-t1")
        .arg(format!("-c{connections}"))
        .arg(format!("-d{seconds}s"))
        .arg("--latency")
        .arg("--timeout")
        .arg("10s");
    if let Some(cookie) = cookie {
        cmd.arg("-H").arg(format!("Cookie: {cookie}"));
    }
    let output = cmd
        .arg(url)
        .output()
        .expect("wrk runs (apt-get install wrk)");
    let text = String::from_utf8_lossy(&output.stdout);
    let mut rps = 0.0;
    let (mut p50, mut p99) = (f64::NAN, f64::NAN);
    let mut errors = 0;
    for line in text.lines() {
        let words: Vec<&str> = line.split_whitespace().collect();
        match words.as_slice() {
            ["Requests/sec:", value] => rps = value.parse().unwrap_or(0.0),
            ["50%", value] => p50 = millis(value),
            ["99%", value] => p99 = millis(value),
            ["Non-2xx", "or", "3xx", "responses:", n] => errors += n.parse::<u64>().unwrap_or(0),
            ["Socket", "errors:", ..] => errors += 1,
            _ => {}
        }
    }
    (rps, p50, p99, errors)
}

/// Runs one write operation of the write phase in a client process of its own on the other core
/// (the way wrk runs for the pages) and returns what it measured.
fn write_client(spec: &writes::WriteSpec) -> writes::WriteResult {
    let exe = std::env::current_exe().expect("the bench's own path");
    let pin = env("AGORA_BENCH_CLIENT_PIN", "taskset -c 1");
    let mut words = pin.split_whitespace();
    let mut cmd = match words.next() {
        Some(program) => {
            let mut cmd = Command::new(program);
            cmd.args(words).arg(exe);
            cmd
        }
        None => Command::new(exe),
    };
    let output = cmd
        .arg("--write-client")
        .arg(serde_json::to_string(spec).expect("spec"))
        .output()
        .expect("the write client runs");
    let text = String::from_utf8_lossy(&output.stdout);
    text.lines()
        .rev()
        .find_map(|line| serde_json::from_str(line).ok())
        .unwrap_or_else(|| writes::WriteResult {
            first_error: format!(
                "the write client failed: {}",
                String::from_utf8_lossy(&output.stderr)
            ),
            ..Default::default()
        })
}

/// The write phase at one size: member2 asks, answers and comments, member3 votes.
async fn write_phase(
    base: &str,
    forum: &BulkForum,
    backend: &str,
    size: i64,
    seconds: u64,
    connections: u64,
) -> Vec<Measure> {
    let writer = cookie_for(base, "member2", &forum.password).await;
    let voter = cookie_for(base, "member3", &forum.password).await;
    let client = reqwest::Client::new();
    let token = |cookie: String| {
        let client = client.clone();
        async move {
            let html = client
                .get(format!("{base}/questions/ask"))
                .header("cookie", &cookie)
                .send()
                .await
                .expect("ask page")
                .text()
                .await
                .expect("body");
            (
                cookie,
                writes::csrf_in(&html).expect("the ask form has a CSRF token"),
            )
        }
    };
    let (writer, writer_csrf) = token(writer).await;
    let (voter, voter_csrf) = token(voter).await;
    let run = format!(
        "{size}-{}",
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs())
    );
    let (mut questions, mut answers) = (Vec::new(), Vec::new());
    let mut measured = Vec::new();
    for operation in writes::OPERATIONS {
        let (cookie, csrf, targets) = match operation {
            "ask" => (&writer, &writer_csrf, Vec::new()),
            "answer" | "comment" => (&writer, &writer_csrf, questions.clone()),
            _ => (&voter, &voter_csrf, answers.clone()),
        };
        let spec = writes::WriteSpec {
            base: base.to_string(),
            cookie: cookie.clone(),
            csrf: csrf.clone(),
            operation: operation.to_string(),
            targets,
            seconds,
            connections,
            run: run.clone(),
        };
        let result = tokio::task::spawn_blocking(move || write_client(&spec))
            .await
            .expect("join");
        eprintln!(
            "{backend} {size} write {operation}: {:.0} req/s p50 {:.2} ms p99 {:.2} ms ({} done, {} refused{})",
            result.rps,
            result.p50_ms,
            result.p99_ms,
            result.done,
            result.errors,
            if result.first_error.is_empty() {
                String::new()
            } else {
                format!(", first: {}", result.first_error)
            }
        );
        match operation {
            "ask" => questions = result.created.clone(),
            "answer" => answers = result.created.clone(),
            _ => {}
        }
        measured.push(Measure {
            backend: backend.to_string(),
            size,
            page: format!("write: {operation}"),
            status: if result.done > 0 { 303 } else { 0 },
            rps: result.rps,
            p50_ms: result.p50_ms,
            p99_ms: result.p99_ms,
            errors: result.errors,
        });
    }
    measured
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    if args.get(1).map(String::as_str) == Some("--write-client") {
        let spec: writes::WriteSpec =
            serde_json::from_str(args.get(2).expect("a write spec")).expect("write spec JSON");
        println!(
            "{}",
            serde_json::to_string(&writes::run(spec)).expect("result JSON")
        );
        return;
    }
    // Statements slower than a second (the forum's set-up, the rollup) are logged by sqlx with
    // their text; the server keeps this subscriber.
    agora::telemetry::init(&env("AGORA_BENCH_LOG", "warn"), false);
    sqlx::any::install_default_drivers();
    let sizes: Vec<i64> = env("AGORA_BENCH_SIZES", "10000,1000000")
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect();
    let backends: Vec<String> = env("AGORA_BENCH_BACKENDS", "sqlite,postgres")
        .split(',')
        .map(|s| s.trim().to_string())
        .collect();
    let seconds: u64 = env("AGORA_BENCH_SECONDS", "5").parse().unwrap_or(5);
    let connections: u64 = env("AGORA_BENCH_CONNECTIONS", "8").parse().unwrap_or(8);
    let mut results: Vec<Measure> = Vec::new();
    let mut builds: Vec<(String, i64, f64, i64)> = Vec::new();
    for backend in &backends {
        for &size in &sizes {
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async {
                let (url, mut forum) = match reusable_forum(backend, size) {
                    Some(forum) => {
                        eprintln!("{backend} {size}: reusing the forum an earlier run built");
                        (database_url(backend, size), forum)
                    }
                    None => {
                        let url = fresh_database(backend, size).await;
                        let database = DatabaseUrl::parse(&url).expect("bench database URL");
                        let db = Db::connect(&database).await.expect("bench database");
                        db.migrate().await.expect("migrations");
                        let started = Instant::now();
                        let forum = fill(&db, BulkSize::questions(size)).await.expect("bulk forum");
                        let build_secs = started.elapsed().as_secs_f64();
                        db.close().await;
                        eprintln!(
                            "{backend} {size}: {} posts built in {build_secs:.0} s",
                            forum.posts
                        );
                        builds.push((backend.clone(), size, build_secs, forum.posts));
                        let json = serde_json::to_string(&forum).unwrap_or_default();
                        let _ = std::fs::create_dir_all(env("AGORA_BENCH_DIR", "/tmp/agora-scale"));
                        if let Err(e) = std::fs::write(forum_file(backend, size), json) {
                            eprintln!("cannot keep the forum's description: {e}");
                        }
                        (url, forum)
                    }
                };
                if pages(&forum).iter().any(|(name, ..)| name.contains("reports") && wanted(name)) {
                    bring_to_now(&url, &forum).await;
                }
                deep_cursor_of(&url, &mut forum).await;
                let vars: HashMap<&str, String> = HashMap::from([
                    ("DATABASE_URL", url.clone()),
                    ("AGORA_BIND", "127.0.0.1:0".into()),
                    ("AGORA_LOG", "warn".into()),
                    ("AGORA_AI", "off".into()),
                    ("AGORA_JOBS", "off".into()),
                    ("AGORA_SECURE_COOKIES", "false".into()),
                ]);
                let settings =
                    Settings::from_lookup(|k| vars.get(k).cloned()).expect("bench settings");
                let app = Application::build(settings).await.expect("app starts");
                let base = format!("http://127.0.0.1:{}", app.port());
                let server = tokio::spawn(app.run_until_stopped());
                let member = cookie_for(&base, &forum.prolific_member, &forum.password).await;
                let admin = cookie_for(&base, &forum.admin, &forum.password).await;
                let probe = reqwest::Client::new();
                let mut rolled_at = Instant::now();
                for (name, path, who) in pages(&forum).into_iter().filter(|(n, ..)| wanted(n)) {
                    if name.contains("reports") && rolled_at.elapsed().as_secs() >= 300 {
                        roll_up(&url).await;
                        rolled_at = Instant::now();
                    }
                    let cookie = match who {
                        As::Visitor => None,
                        As::Member => Some(member.as_str()),
                        As::Admin => Some(admin.as_str()),
                    };
                    let target = format!("{base}{path}");
                    let mut request = probe.get(&target);
                    if let Some(cookie) = cookie {
                        request = request.header("cookie", cookie);
                    }
                    let status = request.send().await.map_or(0, |r| r.status().as_u16());
                    let (target_c, cookie_c) = (target.clone(), cookie.map(str::to_string));
                    let (rps, p50, p99, errors) = tokio::task::spawn_blocking(move || {
                        wrk(&target_c, cookie_c.as_deref(), seconds, connections)
                    })
                    .await
                    .expect("join");
                    eprintln!(
                        "{backend} {size} {name}: {status} {rps:.0} req/s p50 {p50:.2} ms p99 {p99:.2} ms"
                    );
                    results.push(Measure {
                        backend: backend.clone(),
                        size,
                        page: name,
                        status,
                        rps,
                        p50_ms: p50,
                        p99_ms: p99,
                        errors,
                    });
                }
                if wanted("write") {
                    results.extend(
                        write_phase(&base, &forum, backend, size, seconds, connections).await,
                    );
                }
                server.abort();
            });
            runtime.shutdown_background();
        }
    }
    report(&results, &builds, &sizes);
}

fn report(results: &[Measure], builds: &[(String, i64, f64, i64)], sizes: &[i64]) {
    let (small, large) = (
        sizes.first().copied().unwrap_or(0),
        sizes.last().copied().unwrap_or(0),
    );
    let find = |backend: &str, size: i64, page: &str| {
        results
            .iter()
            .find(|m| m.backend == backend && m.size == size && m.page == page)
    };
    let mut backends: Vec<&str> = results.iter().map(|m| m.backend.as_str()).collect();
    backends.dedup();
    let mut json_rows = Vec::new();
    for backend in backends {
        println!("\n### {backend}: {small} vs {large} questions (req/s, p50 / p99 ms)\n");
        println!("| page | {small} req/s | p50 / p99 | {large} req/s | p50 / p99 | ratio |");
        println!("|---|---:|---:|---:|---:|---:|");
        let mut seen = Vec::new();
        for m in results.iter().filter(|m| m.backend == backend) {
            if seen.contains(&m.page) {
                continue;
            }
            seen.push(m.page.clone());
            let a = find(backend, small, &m.page);
            let b = find(backend, large, &m.page);
            let cell = |x: Option<&Measure>| match x {
                Some(x) if matches!(x.status, 200 | 303) && x.errors == 0 => (
                    format!("{:.0}", x.rps),
                    format!("{:.1} / {:.1}", x.p50_ms, x.p99_ms),
                ),
                Some(x) => (
                    format!("{:.0} ({} {}err)", x.rps, x.status, x.errors),
                    format!("{:.1} / {:.1}", x.p50_ms, x.p99_ms),
                ),
                None => ("-".into(), "-".into()),
            };
            let ratio = match (a, b) {
                (Some(a), Some(b)) if b.rps > 0.0 && small != large => {
                    format!("{:.2}x", a.rps / b.rps)
                }
                _ => "-".into(),
            };
            let (ar, al) = cell(a);
            let (br, bl) = cell(b);
            println!("| `{}` | {ar} | {al} | {br} | {bl} | {ratio} |", m.page);
        }
    }
    for m in results {
        json_rows.push(serde_json::json!({
            "backend": m.backend, "questions": m.size, "page": m.page, "status": m.status,
            "rps": m.rps, "p50_ms": m.p50_ms, "p99_ms": m.p99_ms, "errors": m.errors,
        }));
    }
    let builds: Vec<_> = builds
        .iter()
        .map(|(backend, size, secs, posts)| {
            serde_json::json!({"backend": backend, "questions": size, "posts": posts, "build_seconds": secs})
        })
        .collect();
    let json = serde_json::json!({ "builds": builds, "pages": json_rows });
    let text = serde_json::to_string_pretty(&json).unwrap_or_default();
    println!("\n{text}");
    let out = env("AGORA_BENCH_OUT", "target/scale-bench.json");
    if let Err(e) = std::fs::write(&out, &text) {
        eprintln!("cannot write {out}: {e}");
    }
}
