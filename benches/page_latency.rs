//! Does the forum stay responsive while the model writes? Starts the real server in-process with
//! the AI on, then times page requests twice in one run: with the inference threads idle, and while
//! they generate without pause. Prints p50/p95 of both and their ratio (side by side, so a noisy
//! machine affects both halves alike).
//!
//! cargo bench --bench page_latency            (ORT_DYLIB_PATH or .ort/lib; AGORA_MODEL_DIR)
//! AGORA_BENCH_REQUESTS=2000 cargo bench --bench page_latency
use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use agora::ai::{AiStatus, GenerateRequest};
use agora::config::Settings;
use agora::Application;

fn percentile(sorted: &[Duration], p: f64) -> Duration {
    let index = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted[index.min(sorted.len() - 1)]
}

async fn time_pages(client: &reqwest::Client, base: &str, requests: usize) -> Vec<Duration> {
    let paths = ["/", "/questions", "/articles", "/search?q=cache"];
    let mut times = Vec::with_capacity(requests);
    for i in 0..requests {
        let started = Instant::now();
        let res = client
            .get(format!("{base}{}", paths[i % paths.len()]))
            .send()
            .await
            .expect("request");
        assert!(res.status().is_success());
        res.bytes().await.expect("body");
        times.push(started.elapsed());
    }
    times.sort();
    times
}

fn main() {
    let requests: usize = std::env::var("AGORA_BENCH_REQUESTS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(1000);
    let dir = std::env::temp_dir().join(format!("agora-latency-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("temp dir");
    let library =
        std::env::var("ORT_DYLIB_PATH").unwrap_or_else(|_| ".ort/lib/libonnxruntime.so".into());
    let env: HashMap<String, String> = HashMap::from([
        (
            "DATABASE_URL".into(),
            format!("sqlite://{}/agora.db", dir.display()),
        ),
        ("AGORA_BIND".into(), "127.0.0.1:0".into()),
        ("AGORA_LOG".into(), "off".into()),
        ("AGORA_AI".into(), "on".into()),
        ("AGORA_JOBS".into(), "off".into()),
        ("ORT_DYLIB_PATH".into(), library),
        (
            "AGORA_MODEL_DIR".into(),
            std::env::var("AGORA_MODEL_DIR").unwrap_or_else(|_| "models/agora-gpt2".into()),
        ),
    ]);
    let settings = Settings::from_lookup(|k| env.get(k).cloned()).expect("settings");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime");
    runtime.block_on(async move {
        let app = Application::build(settings).await.expect("app");
        agora::seed::seed_demo(&app.state().db).await.expect("seed");
        let base = format!("http://127.0.0.1:{}", app.port());
        let ai = app.state().ai.clone().expect("AI service");
        tokio::spawn(app.run_until_stopped());
        let waiting = ai.clone();
        let status =
            tokio::task::spawn_blocking(move || waiting.wait_until_loaded(Duration::from_secs(60)))
                .await
                .expect("join");
        if !matches!(status, AiStatus::Ready(_)) {
            eprintln!("the AI is not on ({status:?}); nothing to compare");
            return;
        }
        let client = reqwest::Client::new();
        time_pages(&client, &base, 20).await; // warm-up
        let idle = time_pages(&client, &base, requests).await;

        let busy = Arc::new(AtomicBool::new(true));
        let (generator, flag) = (ai.clone(), busy.clone());
        let load = tokio::spawn(async move {
            let mut tokens = 0usize;
            while flag.load(Ordering::Relaxed) {
                let mut request = GenerateRequest::new("The cache");
                request.max_new_tokens = 128;
                request.stop_at_eos = false;
                if let Ok(generation) = generator.generate(request, |_| {}).await {
                    tokens += generation.tokens.len();
                }
            }
            tokens
        });
        tokio::time::sleep(Duration::from_millis(200)).await;
        let started = Instant::now();
        let loaded = time_pages(&client, &base, requests).await;
        let elapsed = started.elapsed();
        busy.store(false, Ordering::Relaxed);
        let tokens = load.await.expect("join");
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{{\"requests\": {requests}, \"idle_p50_ms\": {:.2}, \"idle_p95_ms\": {:.2}, \
             \"generating_p50_ms\": {:.2}, \"generating_p95_ms\": {:.2}, \"p50_ratio\": {:.2}, \
             \"p95_ratio\": {:.2}, \"tokens_generated_meanwhile\": {tokens}, \"seconds\": {:.1}}}",
            ms(percentile(&idle, 0.5)),
            ms(percentile(&idle, 0.95)),
            ms(percentile(&loaded, 0.5)),
            ms(percentile(&loaded, 0.95)),
            ms(percentile(&loaded, 0.5)) / ms(percentile(&idle, 0.5)),
            ms(percentile(&loaded, 0.95)) / ms(percentile(&idle, 0.95)),
            elapsed.as_secs_f64()
        );
    });
    let _ = std::fs::remove_dir_all(&dir);
}
