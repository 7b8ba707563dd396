//! The render step of every write: Markdown to sanitised HTML, off the async workers (a crafted post
//! can take real CPU time, and the runtime's threads serve every other request).
use super::gate::WriteError;
use crate::error::AppError;
use crate::render::{render_comment, render_post, Rendered};

/// An article, question, answer or resource description.
pub async fn post(body: &str) -> Result<Rendered, WriteError> {
    off_the_runtime(body.to_string(), |md| render_post(&md)).await
}

/// A comment or a bio.
pub async fn comment(body: &str) -> Result<Rendered, WriteError> {
    off_the_runtime(body.to_string(), |md| render_comment(&md)).await
}

async fn off_the_runtime(
    markdown: String,
    render: fn(String) -> Rendered,
) -> Result<Rendered, WriteError> {
    tokio::task::spawn_blocking(move || render(markdown))
        .await
        .map_err(|e| WriteError::Failed(AppError::Internal(anyhow::anyhow!("render failed: {e}"))))
}
