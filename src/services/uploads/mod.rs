//! Image uploads end to end: silence and the hourly budget, the image pipeline (sniffed, size checked
//! before decoding, re-encoded without metadata), the member's quota, storage by SHA-256, the
//! avatar, and the job that removes images no live content names any more. The bytes go to the
//! store the settings name (`crate::storage`: the folder or an S3-compatible bucket).
pub mod image;

use std::sync::Arc;
use std::time::Duration;

use futures_util::FutureExt;

use self::image::{ImageRefusal, Shape};
use super::gate::{self, WriteError, Writer};
use crate::app::App;
use crate::auth::rate_limit::{self, Budget};
use crate::db;
use crate::domain::{paths, UploadName, UploadPurpose};
use crate::error::AppError;
use crate::jobs::Registry;
use crate::storage::{Object, StoreError};

/// The clean-up job: removes stored images that nothing live names.
pub const SWEEP_JOB: &str = "uploads.sweep";

/// A stored image.
#[derive(Debug, Clone)]
pub struct Stored {
    pub name: UploadName,
    pub width: u32,
    pub height: u32,
    pub bytes: usize,
}

impl Stored {
    pub fn url(&self) -> String {
        paths::upload_url(&self.name)
    }

    /// The Markdown that shows it in a post (`alt` without brackets).
    pub fn markdown(&self, alt: &str) -> String {
        let alt: String = alt
            .chars()
            .filter(|c| !matches!(c, '[' | ']' | '\\' | '\n' | '\r'))
            .take(100)
            .collect();
        format!("![{}]({})", alt.trim(), self.url())
    }
}

/// Why an upload was not stored.
#[derive(Debug, thiserror::Error)]
pub enum UploadError {
    #[error(transparent)]
    Image(#[from] ImageRefusal),
    #[error("the file is over {max_bytes} bytes")]
    TooLarge { max_bytes: usize },
    #[error("the member's {quota_bytes} bytes of uploads are used up")]
    Quota { quota_bytes: u64 },
    #[error("no file in the form")]
    NoFile,
    #[error(transparent)]
    Write(#[from] WriteError),
}

impl From<AppError> for UploadError {
    fn from(e: AppError) -> Self {
        UploadError::Write(WriteError::Failed(e))
    }
}

impl From<StoreError> for UploadError {
    fn from(e: StoreError) -> Self {
        UploadError::Write(WriteError::Failed(stored_error(e)))
    }
}

fn stored_error(e: StoreError) -> AppError {
    AppError::Internal(anyhow::anyhow!("upload store: {e}"))
}

impl From<db::DbError> for UploadError {
    fn from(e: db::DbError) -> Self {
        UploadError::Write(WriteError::from(e))
    }
}

/// Stores an image a member sent: refused while they are silenced or over their hourly budget;
/// the bytes must be a PNG, JPEG, WebP or GIF within the size and pixel caps and their quota.
/// An avatar is thumbnailed and becomes the member's avatar.
pub async fn upload(
    app: &App,
    writer: Writer<'_>,
    bytes: Vec<u8>,
    purpose: UploadPurpose,
) -> Result<Stored, UploadError> {
    let settings = &app.settings.uploads;
    gate::refuse_if_silenced(app, writer.user).await?;
    if bytes.is_empty() {
        return Err(UploadError::NoFile);
    }
    if bytes.len() > settings.max_bytes {
        return Err(UploadError::TooLarge {
            max_bytes: settings.max_bytes,
        });
    }
    spend_budget(app, writer).await?;
    let shape = Shape {
        max_pixels: settings.max_pixels,
        max_side: settings.max_side,
        square: (purpose == UploadPurpose::Avatar).then_some(settings.avatar_side),
    };
    let processed = tokio::task::spawn_blocking(move || image::process(&bytes, &shape))
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("image pipeline: {e}")))??;
    let sha256 = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&processed.bytes));
    let (used, holds) = db::uploads::quota_used(&app.db, writer.user.id, &sha256).await?;
    let used = u64::try_from(used).unwrap_or(0);
    if !holds && used.saturating_add(processed.bytes.len() as u64) > settings.quota_bytes {
        return Err(UploadError::Quota {
            quota_bytes: settings.quota_bytes,
        });
    }
    let name = UploadName::new(sha256, processed.kind);
    let stored_bytes = processed.bytes.len();
    app.uploads.put(&name, processed.bytes).await?;
    db::uploads::record(
        &app.db,
        db::uploads::NewUpload {
            owner_id: writer.user.id,
            sha256: &name.sha256,
            ext: name.kind.ext(),
            bytes: stored_bytes as i64,
            width: i64::from(processed.width),
            height: i64::from(processed.height),
            purpose: purpose.as_str(),
        },
    )
    .await?;
    if purpose == UploadPurpose::Avatar {
        db::uploads::set_avatar(&app.db, writer.user.id, Some(&name.file_name())).await?;
    }
    Ok(Stored {
        name,
        width: processed.width,
        height: processed.height,
        bytes: stored_bytes,
    })
}

/// Every upload attempt counts, refused or not: decoding costs CPU whatever the outcome.
async fn spend_budget(app: &App, writer: Writer<'_>) -> Result<(), WriteError> {
    let bucket = format!("upload:user:{}", writer.user.id);
    let budget = Budget {
        bucket: &bucket,
        limit: app.settings.uploads.per_hour,
        window: Duration::from_secs(3600),
    };
    rate_limit::hit(&app.db, &budget)
        .await
        .map_err(|e| match e {
            AppError::RateLimited { retry_after_secs } => WriteError::OverBudget {
                key: "uploads.error.rate_limited",
                retry_after_secs,
            },
            other => WriteError::Failed(other),
        })
}

/// A stored image, streamed from the store, if one of that name is recorded and stored.
pub async fn read(app: &App, name: &UploadName) -> Result<Option<Object>, AppError> {
    if !db::uploads::is_stored(&app.db, &name.sha256, name.kind.ext()).await? {
        return Ok(None);
    }
    app.uploads.get(name).await.map_err(stored_error)
}

/// The stored bytes of a member's image for their export (`None` if the file is gone).
pub async fn read_for_export(app: &App, sha256: &str, ext: &str) -> Option<Vec<u8>> {
    let name = UploadName::new(sha256.to_string(), crate::domain::ImageKind::from_ext(ext)?);
    let object = app.uploads.get(&name).await.ok().flatten()?;
    object.collect().await.ok()
}

/// Queues the clean-up (one at a time: a queued sweep absorbs later requests).
pub async fn queue_sweep(app: &App) -> Result<(), db::DbError> {
    db::jobs::enqueue(&app.db, SWEEP_JOB, "{}", Some(SWEEP_JOB), 3).await?;
    Ok(())
}

/// Removes every stored image older than the grace period that no live content names; returns
/// how many files went.
pub async fn sweep(app: &App) -> Result<usize, AppError> {
    let before = db::now() - app.settings.uploads.grace.as_secs() as i64;
    let mut removed = 0;
    for (sha256, ext) in db::uploads::settled_before(&app.db, before).await? {
        let Some(kind) = crate::domain::ImageKind::from_ext(&ext) else {
            continue;
        };
        let name = UploadName::new(sha256, kind);
        if db::uploads::is_referenced(&app.db, &name.file_name()).await? {
            continue;
        }
        db::uploads::forget(&app.db, &name.sha256).await?;
        app.uploads.remove(&name).await.map_err(stored_error)?;
        removed += 1;
    }
    if removed > 0 {
        tracing::info!(removed, "removed unreferenced uploads");
    }
    Ok(removed)
}

pub fn register_jobs(registry: &mut Registry, app: &App) {
    let app = app.clone();
    registry.register(
        SWEEP_JOB,
        Arc::new(move |_payload: String| {
            let app = app.clone();
            async move { sweep(&app).await.map(|_| ()).map_err(|e| e.to_string()) }.boxed()
        }),
    );
}
