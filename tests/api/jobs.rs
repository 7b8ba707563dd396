//! The database job queue: leases, retries with back-off, dead jobs, lease expiry, and workers that
//! never take the same job twice.
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use agora::db::jobs;
use agora::jobs::{Handler, Registry, Worker};

use crate::helpers::spawn_app;

#[tokio::test]
async fn a_queued_job_is_leased_once_and_completed() {
    let app = spawn_app().await;
    let id = jobs::enqueue(&app.db, "echo", "{}", None, 3)
        .await
        .expect("enqueue")
        .expect("id");
    let job = jobs::lease(&app.db, "w1", 60, &["echo"])
        .await
        .expect("lease")
        .expect("a job");
    assert_eq!(job.id, id);
    assert_eq!(job.attempts, 1);
    assert!(
        jobs::lease(&app.db, "w2", 60, &["echo"])
            .await
            .expect("lease")
            .is_none(),
        "held by w1"
    );
    assert!(jobs::complete(&app.db, id, "w1").await.expect("complete"));
    assert_eq!(
        jobs::by_id(&app.db, id)
            .await
            .expect("get")
            .expect("job")
            .status,
        "done"
    );
}

#[tokio::test]
async fn duplicate_pending_jobs_are_not_queued() {
    let app = spawn_app().await;
    let first = jobs::enqueue(&app.db, "summary", "{}", Some("summary:1"), 3)
        .await
        .expect("enqueue");
    let second = jobs::enqueue(&app.db, "summary", "{}", Some("summary:1"), 3)
        .await
        .expect("enqueue");
    assert!(first.is_some());
    assert!(second.is_none());
    let job = jobs::lease(&app.db, "w", 60, &["summary"])
        .await
        .expect("lease")
        .expect("job");
    jobs::complete(&app.db, job.id, "w")
        .await
        .expect("complete");
    let third = jobs::enqueue(&app.db, "summary", "{}", Some("summary:1"), 3)
        .await
        .expect("enqueue");
    assert!(third.is_some(), "a finished job does not block a new one");
}

#[tokio::test]
async fn failures_are_retried_with_backoff_then_kept_as_dead() {
    let app = spawn_app().await;
    let id = jobs::enqueue(&app.db, "flaky", "{}", None, 2)
        .await
        .expect("enqueue")
        .expect("id");
    let job = jobs::lease(&app.db, "w", 60, &["flaky"])
        .await
        .expect("lease")
        .expect("job");
    jobs::fail(&app.db, job.id, "w", "timeout talking to the model", 30)
        .await
        .expect("fail");
    let record = jobs::by_id(&app.db, id).await.expect("get").expect("job");
    assert_eq!(record.status, "queued");
    assert_eq!(record.last_error, "timeout talking to the model");
    assert!(
        jobs::lease(&app.db, "w", 60, &["flaky"])
            .await
            .expect("lease")
            .is_none(),
        "backing off"
    );

    // Pretend the back-off has passed.
    sqlx::query("UPDATE jobs SET run_after = 0 WHERE id = $1")
        .bind(id)
        .execute(app.db.writer())
        .await
        .expect("update");
    let job = jobs::lease(&app.db, "w", 60, &["flaky"])
        .await
        .expect("lease")
        .expect("job");
    assert_eq!(job.attempts, 2);
    jobs::fail(&app.db, job.id, "w", "still failing", 30)
        .await
        .expect("fail");
    let record = jobs::by_id(&app.db, id).await.expect("get").expect("job");
    assert_eq!(record.status, "dead", "out of attempts");
    assert_eq!(record.last_error, "still failing");
}

#[tokio::test]
async fn an_expired_lease_passes_the_job_to_another_worker() {
    let app = spawn_app().await;
    let id = jobs::enqueue(&app.db, "slow", "{}", None, 3)
        .await
        .expect("enqueue")
        .expect("id");
    // A worker that took the job and died: its lease has already run out.
    jobs::lease(&app.db, "dead-worker", -1, &["slow"])
        .await
        .expect("lease")
        .expect("job");
    let job = jobs::lease(&app.db, "w2", 60, &["slow"])
        .await
        .expect("lease")
        .expect("taken over");
    assert_eq!(job.id, id);
    assert!(
        !jobs::complete(&app.db, id, "dead-worker")
            .await
            .expect("complete"),
        "the old holder lost it"
    );
    assert!(jobs::complete(&app.db, id, "w2").await.expect("complete"));
}

#[tokio::test]
async fn concurrent_workers_never_take_the_same_job() {
    let app = spawn_app().await;
    for n in 0..12 {
        jobs::enqueue(&app.db, "work", &format!("{{\"n\":{n}}}"), None, 3)
            .await
            .expect("enqueue");
    }
    let mut tasks = Vec::new();
    for w in 0..4 {
        let db = app.db.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = Vec::new();
            while let Some(job) = jobs::lease(&db, &format!("w{w}"), 60, &["work"])
                .await
                .expect("lease")
            {
                mine.push(job.id);
            }
            mine
        }));
    }
    let mut all = Vec::new();
    for t in tasks {
        all.extend(t.await.expect("task"));
    }
    all.sort_unstable();
    let before = all.len();
    all.dedup();
    assert_eq!(before, 12, "every job leased");
    assert_eq!(all.len(), 12, "no job leased twice");
}

#[tokio::test]
async fn the_worker_runs_handlers_and_records_errors() {
    let app = spawn_app().await;
    let runs = Arc::new(AtomicUsize::new(0));
    let mut registry = Registry::default();
    let counter = runs.clone();
    let ok: Handler = Arc::new(move |_payload| {
        let counter = counter.clone();
        Box::pin(async move {
            counter.fetch_add(1, Ordering::SeqCst);
            Ok(())
        })
    });
    let broken: Handler =
        Arc::new(|payload| Box::pin(async move { Err(format!("cannot handle {payload}")) }));
    registry.register("ok", ok);
    registry.register("broken", broken);
    let good = jobs::enqueue(&app.db, "ok", "{}", None, 3)
        .await
        .expect("enqueue")
        .expect("id");
    let bad = jobs::enqueue(&app.db, "broken", "{\"x\":1}", None, 3)
        .await
        .expect("enqueue")
        .expect("id");
    let worker = Worker::new(app.db.clone(), registry, "w", 60);
    while worker.run_once().await.expect("run") {}
    assert_eq!(runs.load(Ordering::SeqCst), 1);
    assert_eq!(
        jobs::by_id(&app.db, good)
            .await
            .expect("get")
            .expect("job")
            .status,
        "done"
    );
    let failed = jobs::by_id(&app.db, bad).await.expect("get").expect("job");
    assert_eq!(failed.status, "queued", "retried later");
    assert!(failed.last_error.contains("cannot handle"));
    assert!(failed.run_after > agora::db::now(), "with back-off");
}
