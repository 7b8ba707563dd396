//! Every job kind this forum runs, registered in one place: the worker loop (`jobs::Worker`) leases
//! jobs and calls what is registered here. The job bodies are the services' own functions.
use std::sync::Arc;

use futures_util::future::BoxFuture;
use futures_util::FutureExt;
use serde::Deserialize;

use super::{badges, bot, events, link_check, reports, summaries, votes, webhooks};
use crate::app::App;
use crate::jobs::Registry;

/// A job payload naming one post (summaries and bot answers).
#[derive(Deserialize)]
struct PostPayload {
    post_id: i64,
}

/// The registry a worker of this instance runs: summaries, bot answers, link checks, webhook
/// deliveries, badges, mail and the daily serial-vote reversal.
pub fn registry(app: &App) -> Registry {
    let mut registry = Registry::default();
    registry.register(
        summaries::SUMMARY_JOB,
        post_job(app, |app, post_id| {
            async move { summaries::summarize_post(&app, post_id).await.map(|_| ()) }.boxed()
        }),
    );
    registry.register(
        bot::BOT_ANSWER_JOB,
        post_job(app, |app, question_id| {
            async move { bot::answer_question(&app, question_id).await.map(|_| ()) }.boxed()
        }),
    );
    registry.register(
        events::REMINDER_JOB,
        app_job(app, |app| {
            async move { events::send_reminders(&app).await.map(|_| ()) }.boxed()
        }),
    );
    registry.register(
        reports::ROLLUP_JOB,
        app_job(app, |app| {
            async move { reports::roll_up(&app).await.map(|_| ()) }.boxed()
        }),
    );
    link_check::register_jobs(&mut registry, app.db.clone(), app.settings.outbound);
    let serial = app.clone();
    registry.register(
        votes::SERIAL_VOTES_JOB,
        Arc::new(move |_payload: String| {
            let app = serial.clone();
            async move {
                votes::reverse_serial_votes(&app)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            .boxed()
        }),
    );
    let db = app.db.clone();
    registry.register(
        badges::BADGE_JOB,
        Arc::new(move |_payload: String| {
            let db = db.clone();
            async move {
                badges::award_new(&db)
                    .await
                    .map(|_| ())
                    .map_err(|e| e.to_string())
            }
            .boxed()
        }),
    );
    super::mail::register_jobs(&mut registry, app);
    super::notification_mail::register_jobs(&mut registry, app);
    webhooks::register_jobs(&mut registry, app.db.clone(), app.settings.outbound);
    super::uploads::register_jobs(&mut registry, app);
    super::personal_data::register_jobs(&mut registry, app);
    registry
}

/// The periodic jobs (event reminders, the reports' rollup), queued by every instance's janitor;
/// the dedupe key keeps one of each waiting.
pub async fn queue_periodic(db: &crate::db::Db) -> Result<(), crate::db::DbError> {
    events::queue_reminders(db).await?;
    reports::queue_rollup(db).await
}

/// A handler for a job without a payload: runs `body` on its own copy of the app.
fn app_job(
    app: &App,
    body: fn(App) -> BoxFuture<'static, Result<(), String>>,
) -> crate::jobs::Handler {
    let app = app.clone();
    Arc::new(move |_payload: String| body(app.clone()))
}

/// A handler for a job about one post: reads the payload, then runs `body` on its own copy of the app.
fn post_job(
    app: &App,
    body: fn(App, i64) -> BoxFuture<'static, Result<(), String>>,
) -> crate::jobs::Handler {
    let app = app.clone();
    Arc::new(move |payload: String| {
        let app = app.clone();
        async move {
            let payload: PostPayload =
                serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
            body(app, payload.post_id).await
        }
        .boxed()
    })
}
