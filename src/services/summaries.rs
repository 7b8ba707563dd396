//! Summary drafts: queued after a write, asked for (or regenerated) by the author or staff, written by
//! the `summarize` job (extractive core, then the model's TL;DR through the quality gate), and accepted
//! or dismissed by the author. The sentence choice and the gate are pure steps in `ai::summarize`.
use std::time::Instant;

use super::gate::{Unavailable, WriteError};
use super::render;
use super::settings::FeatureSettings;
use crate::ai::answer::model_name;
use crate::ai::summarize;
use crate::ai::{AiError, AiStatus};
use crate::app::App;
use crate::auth::CurrentUser;
use crate::db::posts::PostRecord;
use crate::db::{self, Db, DbError};
use crate::domain::Markdown;
use crate::error::AppError;
use crate::jobs::post_payload;

pub const SUMMARY_JOB: &str = "summarize";
/// Longest summary an author may keep, in characters.
pub const SUMMARY_MAX_CHARS: usize = 2000;

/// Queues a summary job for a post; one already queued for it is not queued twice. Returns whether
/// a job was queued.
pub async fn enqueue(db: &Db, post_id: i64) -> Result<bool, DbError> {
    let key = format!("summary:{post_id}");
    Ok(
        db::jobs::enqueue(db, SUMMARY_JOB, &post_payload(post_id), Some(&key), 5)
            .await?
            .is_some(),
    )
}

/// After an article or question was written or edited: queue its summary draft when it needs one,
/// and on a new published question a bot answer when that setting is on. Failures are logged; the
/// post stands.
pub async fn queue_after_write(app: &App, post_id: i64, new_question: bool) {
    if let Err(e) = post_changed(&app.db, post_id).await {
        tracing::warn!(error = %e, post_id, "could not queue a summary");
    }
    if new_question {
        if let Err(e) = super::bot::question_posted(&app.db, post_id).await {
            tracing::warn!(error = %e, post_id, "could not queue a bot answer");
        }
    }
}

fn summarised(kind: &str) -> bool {
    matches!(kind, "article" | "question")
}

/// An unchanged text queues nothing; an edited one marks its summary stale and queues one job; a new
/// long post queues its first summary. Returns whether a job was queued (the demo seed counts them).
pub async fn post_changed(db: &Db, post_id: i64) -> Result<bool, DbError> {
    let settings = FeatureSettings::load(db).await?;
    if !settings.summaries {
        return Ok(false);
    }
    let Some(post) = db::ai::post_source(db, post_id).await? else {
        return Ok(false);
    };
    if !summarised(&post.kind) || post.status != "published" {
        return Ok(false);
    }
    let hash = summarize::source_hash(&post.title, &post.body_md);
    match db::ai::summary(db, post_id).await? {
        Some(existing) if existing.source_hash == hash => Ok(false),
        Some(existing) => {
            if existing.status != "queued" {
                db::ai::mark_stale(db, post_id).await?;
            }
            enqueue(db, post_id).await
        }
        None if post.body_md.chars().count() >= settings.summary_min_chars => {
            enqueue(db, post_id).await
        }
        None => Ok(false),
    }
}

/// The author or staff ask for a summary now (also of a short post): a new one is made even when
/// the text is unchanged. Refused while summaries are off.
pub async fn request(app: &App, post: &PostRecord) -> Result<(), WriteError> {
    if !FeatureSettings::load(&app.db).await?.summaries {
        return Err(WriteError::Unavailable(Unavailable::FeatureOff {
            key: "summary.feature_off",
        }));
    }
    queue_again(&app.db, post.id).await?;
    Ok(())
}

/// Staff regenerate a post's summary from `/admin/ai` (an article or question the caller found); the
/// action is in the moderation log.
pub async fn regenerate(
    app: &App,
    actor: &CurrentUser,
    post: &db::ai::PostSource,
) -> Result<(), WriteError> {
    queue_again(&app.db, post.id).await?;
    let mut tx = app.db.begin_write().await?;
    db::mod_log::record(
        &mut tx,
        db::mod_log::NewAction {
            actor_id: actor.id,
            action: "regenerate_summary",
            target_kind: "post",
            target_id: Some(post.id),
            reason: "",
            detail: &post.title,
        },
    )
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Forgets what the stored summary was made from, so the job writes a new one, and queues it.
async fn queue_again(db: &Db, post_id: i64) -> Result<bool, DbError> {
    db::ai::forget_source_hash(db, post_id).await?;
    enqueue(db, post_id).await
}

/// The author (or staff) accept `text` (the draft, or their edit of it) as the post's summary; it is
/// rendered like a comment and shown to readers from now on.
pub async fn accept(
    app: &App,
    by: &CurrentUser,
    post: &PostRecord,
    text: &str,
) -> Result<(), WriteError> {
    if db::ai::summary(&app.db, post.id).await?.is_none() {
        return Err(WriteError::Invalid {
            field: "text",
            key: "summary.error.no_draft",
        });
    }
    if text.trim().is_empty() || text.chars().count() > SUMMARY_MAX_CHARS {
        return Err(WriteError::Length {
            field: "text",
            key: "summary.error.length",
            min: 1,
            max: SUMMARY_MAX_CHARS,
        });
    }
    let markdown = Markdown::parse(text)
        .map_err(|_| WriteError::Failed(AppError::Invalid("summary".into())))?;
    let rendered = render::comment(app, markdown.as_str()).await?;
    db::ai::accept_summary(&app.db, post.id, by.id, markdown.as_str(), &rendered.html).await?;
    Ok(())
}

/// No summary on the post: the draft is dismissed and any shown summary taken down.
pub async fn dismiss(app: &App, post: &PostRecord) -> Result<(), WriteError> {
    db::ai::dismiss_summary(&app.db, post.id).await?;
    Ok(())
}

/// What one summary job did.
#[derive(Debug, Clone, PartialEq)]
pub enum SummaryOutcome {
    /// The stored summary was made from this very text and model.
    Unchanged,
    /// The post is gone or not public: nothing to summarise.
    Skipped,
    Drafted {
        generated: bool,
    },
}

/// The `summarize` job: the extractive core always, the generated TL;DR when the model is ready
/// and its text passes the quality gate. A busy or loading model fails the job, so it is retried.
pub async fn summarize_post(app: &App, post_id: i64) -> Result<SummaryOutcome, String> {
    let (db, ai) = (&app.db, app.ai.as_ref());
    let Some(source) = db::ai::post_source(db, post_id)
        .await
        .map_err(|e| e.to_string())?
    else {
        return Ok(SummaryOutcome::Skipped);
    };
    if source.status != "published" || !summarised(&source.kind) {
        return Ok(SummaryOutcome::Skipped);
    }
    if ai.is_some_and(|ai| ai.status() == AiStatus::Loading) {
        // Retried with back-off: the draft should have its TL;DR once the model is up.
        return Err("the model is still loading".into());
    }
    let hash = summarize::source_hash(&source.title, &source.body_md);
    let model = model_name(ai).unwrap_or_else(|| "extractive".to_string());
    let existing = db::ai::summary(db, post_id)
        .await
        .map_err(|e| e.to_string())?;
    if existing
        .as_ref()
        .is_some_and(|s| s.source_hash == hash && s.model == model)
    {
        return Ok(SummaryOutcome::Unchanged);
    }
    let core = summarize::extract(
        &source.title,
        &source.body_text,
        summarize::EXTRACTIVE_SENTENCES,
    );
    let started = Instant::now();
    let (generated, rejected, tokens) = match ai.filter(|_| !core.is_empty()) {
        Some(ai) if model != "extractive" => {
            match ai
                .generate(summarize::tldr_request(&source.title, &core), |_| {})
                .await
            {
                Ok(generation) => {
                    match summarize::tldr_from_drafts(
                        &generation.drafts,
                        &source.title,
                        &source.body_text,
                    ) {
                        Ok((text, _)) => (text, String::new(), generation.tokens.len()),
                        Err(why) => (
                            String::new(),
                            why.as_str().to_string(),
                            generation.tokens.len(),
                        ),
                    }
                }
                Err(AiError::Busy) => return Err("the AI is busy; retrying later".into()),
                Err(e) => (String::new(), e.to_string(), 0),
            }
        }
        _ => (String::new(), "the AI is off".to_string(), 0),
    };
    let extractive = serde_json::to_string(&core).map_err(|e| e.to_string())?;
    db::ai::store_draft(
        db,
        db::ai::NewDraft {
            post_id,
            source_hash: &hash,
            model: &model,
            extractive: &extractive,
            generated: &generated,
            rejected_reason: &rejected,
            tokens: tokens as i64,
            elapsed_ms: started.elapsed().as_millis() as i64,
        },
    )
    .await
    .map_err(|e| e.to_string())?;
    Ok(SummaryOutcome::Drafted {
        generated: !generated.is_empty(),
    })
}
