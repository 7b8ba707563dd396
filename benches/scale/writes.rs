//! The write phase of the scale bench: a member asks, answers and comments and another member
//! votes, through the very forms a browser posts (session cookie and CSRF token), on as many
//! connections as wrk uses for the pages. Each operation runs for the bench's seconds in a client
//! process of its own pinned to the other core (`--write-client`, like wrk), which measures every
//! request's latency and reports requests/s, p50 and p99 as one JSON line.
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};

/// The four writes, in the order they run (answers, comments and votes go to what the earlier ones
/// wrote, so no measured write lands on the bulk forum's hot rows by accident).
pub const OPERATIONS: [&str; 4] = ["ask", "answer", "comment", "vote"];

/// What one client process is asked to do.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct WriteSpec {
    pub base: String,
    pub cookie: String,
    pub csrf: String,
    pub operation: String,
    /// Questions (answer, comment) or answers (vote) to write to, taken in turn.
    pub targets: Vec<i64>,
    pub seconds: u64,
    pub connections: u64,
    /// Makes titles unique across sizes and runs.
    pub run: String,
}

/// What it measured.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct WriteResult {
    pub rps: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub done: u64,
    pub errors: u64,
    /// The first refusal's status and where it pointed, to say why.
    pub first_error: String,
    /// Ids the writes made (questions asked, answers given), for the operations after.
    pub created: Vec<i64>,
}

/// The CSRF token in a page's form.
pub fn csrf_in(html: &str) -> Option<String> {
    let marker = "name=\"csrf_token\" value=\"";
    html.split(marker)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .map(str::to_string)
}

/// The id after `prefix` in a redirect's location (`/questions/12/slug`, `...#answer-40`).
fn id_after(location: &str, prefix: &str) -> Option<i64> {
    let rest = &location[location.find(prefix)? + prefix.len()..];
    rest.split(|c: char| !c.is_ascii_digit())
        .next()?
        .parse()
        .ok()
}

/// One request of `operation`, number `n`.
fn request(client: &reqwest::Client, spec: &WriteSpec, n: u64) -> reqwest::RequestBuilder {
    let target = |n: u64| {
        spec.targets
            .get((n as usize) % spec.targets.len().max(1))
            .copied()
            .unwrap_or(1)
    };
    let base = &spec.base;
    let run = &spec.run;
    let csrf = spec.csrf.as_str();
    let builder = match spec.operation.as_str() {
        "ask" => client.post(format!("{base}/questions")).form(&[
            (
                "title",
                format!("Bench question {run} {n}: how do I shard a model across two GPUs"),
            ),
            (
                "body",
                format!(
                    "Write phase question {n} of run {run}. Tensor parallel or pipeline parallel \
                     for a 70B model on two cards, and how much memory does the KV cache take?"
                ),
            ),
            ("tags", "bench-writes".to_string()),
            ("csrf_token", csrf.to_string()),
        ]),
        "answer" => client
            .post(format!("{base}/questions/{}/answers", target(n)))
            .form(&[
                (
                    "body",
                    format!(
                        "Answer {n} of run {run}: split the attention heads across the cards \
                         (tensor parallel) and keep the KV cache in bf16."
                    ),
                ),
                ("csrf_token", csrf.to_string()),
            ]),
        "comment" => client.post(format!("{base}/comments")).form(&[
            ("post_id", target(n).to_string()),
            (
                "body",
                format!("Comment {n} of run {run}: which interconnect?"),
            ),
            ("csrf_token", csrf.to_string()),
        ]),
        _ => {
            // Up on the first round over the targets, back to none on the next, and so on: every
            // request changes a vote.
            let round = n / (spec.targets.len().max(1) as u64);
            client.post(format!("{base}/votes")).form(&[
                ("target_kind", "answer".to_string()),
                ("target_id", target(n).to_string()),
                ("value", if round % 2 == 0 { "1" } else { "0" }.to_string()),
                ("csrf_token", csrf.to_string()),
            ])
        }
    };
    builder.header("cookie", &spec.cookie)
}

/// Runs `spec` for its seconds and measures it (the body of a `--write-client` process).
pub fn run(spec: WriteSpec) -> WriteResult {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("client runtime");
    runtime.block_on(async move {
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .pool_max_idle_per_host(spec.connections as usize)
            .build()
            .expect("client");
        let spec = Arc::new(spec);
        let next = Arc::new(AtomicU64::new(0));
        let latencies = Arc::new(Mutex::new(Vec::<f64>::new()));
        let created = Arc::new(Mutex::new(Vec::<(u64, i64)>::new()));
        let errors = Arc::new(AtomicU64::new(0));
        let first_error = Arc::new(Mutex::new(String::new()));
        let started = Instant::now();
        let deadline = started + Duration::from_secs(spec.seconds);
        let mut tasks = Vec::new();
        for _ in 0..spec.connections.max(1) {
            let (client, spec, next) = (client.clone(), spec.clone(), next.clone());
            let (latencies, created) = (latencies.clone(), created.clone());
            let (errors, first_error) = (errors.clone(), first_error.clone());
            tasks.push(tokio::spawn(async move {
                while Instant::now() < deadline {
                    let n = next.fetch_add(1, Ordering::Relaxed);
                    let sent = Instant::now();
                    let res = request(&client, &spec, n).send().await;
                    let ms = sent.elapsed().as_secs_f64() * 1000.0;
                    let (ok, location, status) = match res {
                        Ok(res) => {
                            let status = res.status();
                            let location = res
                                .headers()
                                .get("location")
                                .and_then(|l| l.to_str().ok())
                                .unwrap_or("")
                                .to_string();
                            // A form write answers 303 to the page it changed; a refusal is a page.
                            let ok = status.is_redirection() && !location.contains("/login");
                            let _ = res.bytes().await;
                            (ok, location, status.as_u16())
                        }
                        Err(e) => (false, e.to_string(), 0),
                    };
                    latencies.lock().expect("latencies").push(ms);
                    if !ok {
                        errors.fetch_add(1, Ordering::Relaxed);
                        let mut first = first_error.lock().expect("first error");
                        if first.is_empty() {
                            *first = format!("{status} {location}");
                        }
                        continue;
                    }
                    let id = match spec.operation.as_str() {
                        "ask" => id_after(&location, "/questions/"),
                        "answer" => id_after(&location, "#answer-"),
                        _ => None,
                    };
                    if let Some(id) = id {
                        created.lock().expect("created").push((n, id));
                    }
                }
            }));
        }
        for task in tasks {
            let _ = task.await;
        }
        let elapsed = started.elapsed().as_secs_f64();
        let mut latencies = latencies.lock().expect("latencies").clone();
        latencies.sort_by(f64::total_cmp);
        let at = |q: f64| {
            if latencies.is_empty() {
                f64::NAN
            } else {
                latencies[((latencies.len() - 1) as f64 * q).round() as usize]
            }
        };
        let errors = errors.load(Ordering::Relaxed);
        let done = latencies.len() as u64;
        let mut created = created.lock().expect("created").clone();
        created.sort();
        let first_error = first_error.lock().expect("first error").clone();
        WriteResult {
            rps: (done - errors.min(done)) as f64 / elapsed,
            p50_ms: at(0.50),
            p99_ms: at(0.99),
            done,
            errors,
            first_error,
            created: created.into_iter().map(|(_, id)| id).collect(),
        }
    })
}
