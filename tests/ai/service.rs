//! The inference service: off without a runtime, back-pressure, deadlines, cancellation, counters.
// The serial guard only keeps these tests from running beside the other model tests (other threads);
// no task of the same runtime ever waits for it, so holding it across awaits cannot deadlock.
#![allow(clippy::await_holding_lock)]
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::Duration;

use agora::ai::{AiError, AiService, AiStatus, GenerateRequest, SamplingParams};

use crate::helpers::{model_dir, model_present, runtime, serial, settings};

const LOAD: Duration = Duration::from_secs(60);

fn greedy(max_new_tokens: usize) -> GenerateRequest {
    GenerateRequest {
        max_new_tokens,
        sampling: SamplingParams::greedy(),
        stop_at_eos: false,
        ..GenerateRequest::new("Hello from the forum")
    }
}

/// A ready one-thread service with a queue of one, or `None` (skipped).
fn ready_service(test: &str) -> Option<AiService> {
    let runtime = runtime(test)?;
    if !model_present(test) {
        return None;
    }
    let service = AiService::start(&settings(Some(runtime.library()), &model_dir()));
    match service.wait_until_loaded(LOAD) {
        AiStatus::Ready(_) => Some(service),
        other => panic!("{test}: service did not get ready: {other:?}"),
    }
}

#[tokio::test]
async fn service_without_a_library_is_off_and_says_why() {
    let service = AiService::start(&settings(None, &model_dir()));
    let status = service.wait_until_loaded(LOAD);
    let AiStatus::Off { reason } = status else {
        panic!("expected Off, got {status:?}");
    };
    assert!(reason.contains("not configured"), "{reason}");
    let err = service.generate(greedy(4), |_| {}).await.unwrap_err();
    assert!(matches!(err, AiError::Off(_)));
    assert!(
        err.to_string()
            .starts_with("AI is off: ONNX Runtime library"),
        "{err}"
    );

    let missing = std::path::Path::new("/nonexistent/libonnxruntime.so");
    let service = AiService::start(&settings(Some(missing), &model_dir()));
    let AiStatus::Off { reason } = service.wait_until_loaded(LOAD) else {
        panic!("expected Off");
    };
    assert!(
        reason.contains("not found at /nonexistent/libonnxruntime.so"),
        "{reason}"
    );
    assert!(service.stream(greedy(4)).is_err());
}

#[tokio::test]
async fn service_generates_and_counts_tokens() {
    let _serial = serial();
    let Some(service) = ready_service("service_generates_and_counts_tokens") else {
        return;
    };
    let pieces = Arc::new(std::sync::Mutex::new(String::new()));
    let sink = pieces.clone();
    let generation = service
        .generate(greedy(12), move |piece| {
            sink.lock().unwrap().push_str(piece)
        })
        .await
        .unwrap();
    assert_eq!(generation.tokens.len(), 12);
    assert_eq!(*pieces.lock().unwrap(), generation.text);
    let stats = service.stats();
    assert_eq!(
        (stats.tokens_generated, stats.jobs_done, stats.queue_depth),
        (12, 1, 0)
    );
    assert!(stats.model_load_time.is_some());
    assert!(stats.recent_tokens_per_s > 0.0);

    let mut stream = service.stream(greedy(6)).unwrap();
    let mut streamed = String::new();
    while let Some(piece) = stream.next().await {
        streamed.push_str(&piece);
    }
    assert_eq!(stream.finish().await.unwrap().text, streamed);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_full_queue_answers_busy_at_once() {
    let _serial = serial();
    let Some(service) = ready_service("a_full_queue_answers_busy_at_once") else {
        return;
    };
    // Job A holds the only inference thread until released; job B fills the queue of one.
    let (started_tx, started) = mpsc::channel::<()>();
    let (release, release_rx) = mpsc::channel::<()>();
    let release_rx = std::sync::Mutex::new(release_rx);
    let mut first = true;
    let a = service.clone();
    let job_a = tokio::spawn(async move {
        a.generate(greedy(3), move |_| {
            if std::mem::take(&mut first) {
                let _ = started_tx.send(());
                let _ = release_rx
                    .lock()
                    .unwrap()
                    .recv_timeout(Duration::from_secs(30));
            }
        })
        .await
    });
    started
        .recv_timeout(Duration::from_secs(30))
        .expect("job A never started");
    let job_b = service
        .stream(greedy(3))
        .expect("the queue should take one job");
    assert_eq!(service.stats().queue_depth, 1);

    let begun = std::time::Instant::now();
    let err = service.generate(greedy(3), |_| {}).await.unwrap_err();
    assert_eq!(err, AiError::Busy);
    assert!(
        begun.elapsed() < Duration::from_millis(500),
        "Busy must not wait"
    );
    assert!(matches!(service.stream(greedy(3)), Err(AiError::Busy)));
    assert_eq!(service.stats().busy_rejections, 2);

    release.send(()).unwrap();
    assert_eq!(job_a.await.unwrap().unwrap().tokens.len(), 3);
    assert_eq!(job_b.finish().await.unwrap().tokens.len(), 3);
    assert_eq!(service.stats().queue_depth, 0);
}

#[tokio::test]
async fn a_request_past_its_deadline_is_stopped() {
    let _serial = serial();
    let Some(service) = ready_service("a_request_past_its_deadline_is_stopped") else {
        return;
    };
    let request = GenerateRequest {
        deadline: Some(Duration::from_millis(100)),
        ..greedy(400)
    };
    let err = service
        .generate(request, |_| std::thread::sleep(Duration::from_millis(10)))
        .await
        .unwrap_err();
    assert_eq!(err, AiError::DeadlineExceeded);
    assert_eq!(
        err.to_string(),
        "The AI took too long to answer and was stopped."
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dropping_the_request_stops_generation() {
    let _serial = serial();
    let Some(service) = ready_service("dropping_the_request_stops_generation") else {
        return;
    };
    let pieces = Arc::new(AtomicUsize::new(0));
    let counter = pieces.clone();
    let slow = move |_: &str| {
        counter.fetch_add(1, Ordering::Relaxed);
        std::thread::sleep(Duration::from_millis(5));
    };
    let waited = tokio::time::timeout(
        Duration::from_millis(100),
        service.generate(greedy(400), slow),
    )
    .await;
    assert!(waited.is_err(), "generation should still be running");
    tokio::time::sleep(Duration::from_millis(100)).await;
    let after_drop = pieces.load(Ordering::Relaxed);
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        pieces.load(Ordering::Relaxed),
        after_drop,
        "generation went on after the caller left"
    );
    assert!(after_drop < 200);

    // A dropped stream stops its generation too, and the thread is free for the next request.
    let stream = service.stream(greedy(400)).unwrap();
    drop(stream);
    // The dropped job leaves the queue when the thread takes it, and is then discarded unrun.
    let waited = std::time::Instant::now();
    while service.stats().queue_depth > 0 && waited.elapsed() < Duration::from_secs(10) {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let next =
        tokio::time::timeout(Duration::from_secs(10), service.generate(greedy(2), |_| {})).await;
    assert_eq!(
        next.expect("the thread stayed busy").unwrap().tokens.len(),
        2
    );
}
