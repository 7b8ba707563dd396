//! What hostile traffic costs the server: resident memory and time for (1) 50 `/preview` requests
//! of the issue's exploding-macro post (16 copies of a 688-character formula whose macro writes
//! its argument 32 times, applied to itself), and (2) 500 parallel log-ins with wrong passwords,
//! with the log-in rate limits raised so that every one of them reaches the password hash gate.
//! Starts the real server in-process (AI off, SQLite in a temporary folder) and prints one JSON
//! line per part, resident memory idle and after.
//!
//! cargo bench --bench hostile_load
//! AGORA_BENCH_PREVIEWS=50 AGORA_BENCH_LOGINS=500 cargo bench --bench hostile_load
use std::collections::HashMap;
use std::sync::Arc;
use std::time::Instant;

use agora::config::Settings;
use agora::Application;
use reqwest::cookie::Jar;

const PASSWORD: &str = "tidal quartz lantern mosaic";

fn repeating_macro_post() -> String {
    let body = "#1".repeat(32);
    let argument = r"\frac{\alpha_{i}^{2}}{\beta_{j}+\gamma}\sqrt{x_{k}}".repeat(11);
    let formula = format!(r"\def\f#1{{{body}}}\f{{\f{{{argument}}}}}");
    let padding = 688 - 5 - formula.len();
    format!("$${formula}{}$$\n", " ".repeat(padding)).repeat(16)
}

/// What pulldown-latex alone writes for one of the formulas (the renderer before its caps).
fn uncapped_formula_bytes(post: &str) -> usize {
    let formula = post.lines().next().unwrap_or("").trim().trim_matches('$');
    let storage = pulldown_latex::Storage::new();
    let parser = pulldown_latex::Parser::new(formula, &storage);
    let mut out = String::new();
    let _ = pulldown_latex::push_mathml(&mut out, parser, pulldown_latex::RenderConfig::default());
    out.len()
}

fn resident_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kib| kib / 1024.0)
}

fn csrf_token(html: &str) -> String {
    let marker = "name=\"csrf_token\" value=\"";
    let start = html.find(marker).map(|i| i + marker.len()).unwrap_or(0);
    let end = html[start..].find('"').map_or(start, |e| e + start);
    html[start..end].to_string()
}

fn env_number(name: &str, default: usize) -> usize {
    std::env::var(name)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

fn main() {
    let previews = env_number("AGORA_BENCH_PREVIEWS", 50);
    let logins = env_number("AGORA_BENCH_LOGINS", 500);
    let dir = std::env::temp_dir().join(format!("agora-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let env: HashMap<String, String> = HashMap::from([
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}/agora.db", dir.display()),
        ),
        ("AGORA_BIND".into(), "127.0.0.1:0".into()),
        ("AGORA_LOG".into(), "off".into()),
        ("AGORA_AI".into(), "off".into()),
        ("AGORA_JOBS".into(), "off".into()),
        ("AGORA_PREVIEWS_PER_MINUTE".into(), "100000".into()),
        ("AGORA_LOGIN_FAILURES_PER_IP".into(), "100000".into()),
        ("AGORA_LOGIN_FAILURES_PER_ACCOUNT".into(), "100000".into()),
        ("AGORA_REGISTRATIONS_PER_IP".into(), "100000".into()),
    ]);
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let app = Application::build(settings).await.expect("app");
        let base = format!("http://127.0.0.1:{}", app.port());
        tokio::spawn(app.run_until_stopped());
        let client = reqwest::Client::builder()
            .cookie_provider(Arc::new(Jar::default()))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let get = |path: &str| {
            let (client, url) = (client.clone(), format!("{base}{path}"));
            async move {
                let res = client.get(url).send().await.expect("get");
                res.text().await.expect("body")
            }
        };
        let token = csrf_token(&get("/register").await);
        let res = client
            .post(format!("{base}/register"))
            .form(&[
                ("username", "bench"),
                ("email", "bench@example.com"),
                ("password", PASSWORD),
                ("csrf_token", &token),
            ])
            .send()
            .await
            .expect("register");
        assert_eq!(res.status().as_u16(), 303, "sign-up works");
        let token = csrf_token(&get("/articles/new").await);

        // Part 1: the exploding-macro post through /preview.
        let post = repeating_macro_post();
        let preview = |body: String| {
            let (client, url, token) = (client.clone(), format!("{base}/preview"), token.clone());
            async move {
                let res = client
                    .post(url)
                    .form(&[("body", body.as_str()), ("csrf_token", token.as_str())])
                    .send()
                    .await
                    .expect("preview");
                let status = res.status().as_u16();
                (status, res.bytes().await.expect("body").len())
            }
        };
        preview("*warm-up*".into()).await;
        let idle = resident_mib();
        let started = Instant::now();
        let mut largest = 0;
        let mut slowest = 0.0_f64;
        for batch in 0..previews.div_ceil(5) {
            let count = 5.min(previews - batch * 5);
            let begun = Instant::now();
            let results = futures_util::future::join_all(
                (0..count).map(|_| preview(post.clone())),
            )
            .await;
            slowest = slowest.max(begun.elapsed().as_secs_f64());
            for (status, bytes) in results {
                assert_eq!(status, 200);
                largest = largest.max(bytes);
            }
        }
        let after = resident_mib();
        println!(
            "{{\"part\": \"preview\", \"requests\": {previews}, \"input_chars\": {}, \
             \"uncapped_mathml_one_formula_bytes\": {}, \"largest_response_bytes\": {largest}, \
             \"slowest_batch_of_5_s\": {slowest:.2}, \"seconds\": {:.1}, \"rss_idle_mib\": {idle:.0}, \
             \"rss_after_mib\": {after:.0}, \"rss_growth_mib\": {:.0}}}",
            post.chars().count(),
            uncapped_formula_bytes(&post),
            started.elapsed().as_secs_f64(),
            after - idle
        );

        // Part 2: a flood of wrong passwords, from a browser that is not signed in.
        // No idle connections kept: the figure is the server's, not 500 parked client sockets.
        let flood = reqwest::Client::builder()
            .pool_max_idle_per_host(0)
            .cookie_provider(Arc::new(Jar::default()))
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .expect("client");
        let login_page = flood
            .get(format!("{base}/login"))
            .send()
            .await
            .expect("login page");
        let login_token = csrf_token(&login_page.text().await.expect("body"));
        let idle = resident_mib();
        // Three rounds: the first shows the cost of one flood, the next two whether it grows.
        for round in 1..=3 {
        let started = Instant::now();
        let results = futures_util::future::join_all((0..logins).map(|i| {
            let (client, url, token) =
                (flood.clone(), format!("{base}/login"), login_token.clone());
            async move {
                let password = format!("wrong password {i}");
                client
                    .post(url)
                    .form(&[
                        ("username", "bench"),
                        ("password", password.as_str()),
                        ("csrf_token", token.as_str()),
                    ])
                    .send()
                    .await
                    .map(|r| r.status().as_u16())
                    .unwrap_or(0)
            }
        }))
        .await;
        // Let the server close its side of the connections (keep-alive) before measuring.
        tokio::time::sleep(std::time::Duration::from_secs(6)).await;
        let after = resident_mib();
        let count = |code: u16| results.iter().filter(|s| **s == code).count();
        let metrics = get("/metrics").await;
        let hashes = metrics
            .lines()
            .find_map(|l| l.strip_prefix("agora_password_hashes_total "))
            .unwrap_or("?")
            .to_string();
        println!(
            "{{\"part\": \"login_flood\", \"round\": {round}, \"requests\": {logins}, \
             \"wrong_password_422\": {}, \"busy_503\": {}, \"other\": {}, \
             \"hashes_total\": \"{hashes}\", \"seconds\": {:.1}, \"rss_idle_mib\": {idle:.0}, \
             \"rss_after_mib\": {after:.0}, \"rss_growth_mib\": {:.0}}}",
            count(422),
            count(503),
            logins - count(422) - count(503),
            started.elapsed().as_secs_f64(),
            after - idle
        );
        }
    });
    let _ = std::fs::remove_dir_all(&dir);
}
