//! A member's personal data: an export (a job gathers profile, posts with revisions, comments,
//! votes, resources and uploads into a zip of JSON files, kept until downloaded by whoever asked),
//! and account deletion, keeping the posts under an anonymised account or removing them. Members
//! do both for themselves, admins for a member; each is an audit-log row.
use std::io::{Cursor, Write};
use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;
use serde::Deserialize;
use serde_json::{json, Value};

use super::gate::WriteError;
use crate::app::App;
use crate::auth::rate_limit::{self, Budget};
use crate::auth::CurrentUser;
use crate::db::personal_data::{self as stored, ContentChoice};
use crate::db::{self, DbError};
use crate::error::AppError;
use crate::jobs::Registry;

pub use crate::db::personal_data::{ContentChoice as Content, ExportRecord};

/// The job that builds one export.
pub const EXPORT_JOB: &str = "personal_data.export";

/// Exports one member may ask for in a day (each gathers everything they wrote).
const EXPORTS_PER_DAY: u32 = 5;

#[derive(Deserialize)]
struct ExportPayload {
    export_id: i64,
}

/// Asks for an export of `user_id`'s data (the member themself, or an admin the caller authorised
/// with `policy::may_manage_account`); the job builds it. Returns the export's id.
pub async fn request_export(
    app: &App,
    actor: &CurrentUser,
    user_id: i64,
) -> Result<i64, WriteError> {
    let bucket = format!("data-export:user:{}", actor.id);
    rate_limit::hit(
        &app.db,
        &Budget {
            bucket: &bucket,
            limit: EXPORTS_PER_DAY,
            window: Duration::from_secs(86_400),
        },
    )
    .await
    .map_err(|e| match e {
        AppError::RateLimited { retry_after_secs } => WriteError::OverBudget {
            key: "data.error.export_rate",
            retry_after_secs,
        },
        other => WriteError::Failed(other),
    })?;
    let id = stored::create_export(&app.db, user_id, actor.id).await?;
    let payload = json!({ "export_id": id }).to_string();
    db::jobs::enqueue(&app.db, EXPORT_JOB, &payload, None, 3).await?;
    Ok(id)
}

/// The files of an export: name and JSON content.
async fn sections(app: &App, user_id: i64) -> Result<Vec<(&'static str, Value)>, DbError> {
    let db = &app.db;
    let revisions = stored::revisions(db, user_id).await?;
    let posts: Vec<Value> = stored::posts(db, user_id)
        .await?
        .into_iter()
        .map(|mut post| {
            let id = post["id"].clone();
            let own: Vec<Value> = revisions
                .iter()
                .filter(|r| r["post_id"] == id)
                .cloned()
                .collect();
            post["revisions"] = Value::from(own);
            post
        })
        .collect();
    let edits: Vec<Value> = revisions
        .iter()
        .filter(|r| r["editor_id"] == json!(user_id))
        .cloned()
        .collect();
    let uploads = db::uploads::by_owner(db, user_id).await?;
    Ok(vec![
        (
            "profile.json",
            json!(stored::profile(db, user_id).await?.pop()),
        ),
        ("posts.json", json!(posts)),
        ("edits.json", json!(edits)),
        ("comments.json", json!(stored::comments(db, user_id).await?)),
        ("votes.json", json!(stored::votes(db, user_id).await?)),
        (
            "resources.json",
            json!(stored::resources(db, user_id).await?),
        ),
        (
            "resource_comments.json",
            json!(stored::resource_comments(db, user_id).await?),
        ),
        ("uploads.json", json!(uploads)),
        (
            "bookmarks.json",
            json!(stored::bookmarks(db, user_id).await?),
        ),
        ("follows.json", json!(stored::follows(db, user_id).await?)),
        ("rsvps.json", json!(stored::rsvps(db, user_id).await?)),
    ])
}

const README: &str = "Your data from this forum, as JSON files:\n\
profile.json - your account (no password)\n\
posts.json - your questions, answers and articles, each with its revisions\n\
edits.json - revisions you made (of your posts and others')\n\
comments.json, resource_comments.json - your comments\n\
votes.json - your votes (1 up, -1 down)\n\
resources.json - resources you submitted\n\
uploads.json and uploads/ - the images you uploaded\n\
bookmarks.json, follows.json - what you saved, watched and muted\n\
rsvps.json - your answers to events\n\
Times are Unix seconds (UTC).\n";

/// The job: gathers the member's data and stores the zip. An export that is no longer pending
/// (the account was deleted since) is skipped.
pub async fn build_export(app: &App, export_id: i64) -> Result<(), String> {
    let fail = |e: DbError| e.to_string();
    let Some(user_id) = stored::pending_export_owner(&app.db, export_id)
        .await
        .map_err(fail)?
    else {
        return Ok(());
    };
    let files = sections(app, user_id).await.map_err(fail)?;
    let mut images = Vec::new();
    for upload in db::uploads::by_owner(&app.db, user_id)
        .await
        .map_err(fail)?
    {
        if let Some(bytes) = super::uploads::read_for_export(app, &upload.sha256, &upload.ext).await
        {
            images.push((format!("uploads/{}.{}", upload.sha256, upload.ext), bytes));
        }
    }
    let archive = tokio::task::spawn_blocking(move || zip_files(&files, &images))
        .await
        .map_err(|e| e.to_string())?
        .map_err(|e| e.to_string())?;
    stored::finish_export(&app.db, export_id, &archive)
        .await
        .map_err(fail)
}

fn zip_files(
    files: &[(&'static str, Value)],
    images: &[(String, Vec<u8>)],
) -> Result<Vec<u8>, zip::result::ZipError> {
    let mut zip = zip::ZipWriter::new(Cursor::new(Vec::new()));
    let deflated = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("README.txt", deflated)?;
    zip.write_all(README.as_bytes())?;
    for (name, value) in files {
        zip.start_file(*name, deflated)?;
        let text = serde_json::to_vec_pretty(value).map_err(std::io::Error::from)?;
        zip.write_all(&text)?;
    }
    // Images are compressed already.
    let stored =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    for (name, bytes) in images {
        zip.start_file(name.as_str(), stored)?;
        zip.write_all(bytes)?;
    }
    Ok(zip.finish()?.into_inner())
}

/// Deletes `user_id`'s account (the member, with their password checked by the caller, or an admin
/// authorised with `policy::may_manage_account`): posts kept under the anonymised account or
/// removed, sessions ended, the audit row written, and the images no longer named cleaned up.
pub async fn delete_account(
    app: &App,
    actor: &CurrentUser,
    user_id: i64,
    choice: ContentChoice,
) -> Result<(), WriteError> {
    if choice == ContentChoice::Remove {
        for post in stored::live_posts(&app.db, user_id).await? {
            db::posts::soft_delete(&app.db, post).await?;
        }
    }
    let erased = stored::delete_account(&app.db, actor.id, user_id, choice).await?;
    for post in &erased.posts {
        super::index::post_changed(app, *post).await;
    }
    for resource in &erased.resources {
        super::index::resource_changed(app, *resource).await;
    }
    super::uploads::queue_sweep(app).await?;
    Ok(())
}

pub fn register_jobs(registry: &mut Registry, app: &App) {
    let app = app.clone();
    registry.register(
        EXPORT_JOB,
        Arc::new(move |payload: String| {
            let app = app.clone();
            async move {
                let payload: ExportPayload =
                    serde_json::from_str(&payload).map_err(|e| format!("bad payload: {e}"))?;
                build_export(&app, payload.export_id).await
            }
            .boxed()
        }),
    );
}
