//! The render step of every write: Markdown to sanitised HTML within the operator's limits
//! (`AGORA_RENDER_MAX_HTML_KB`, `AGORA_RENDER_CPU_MS`), off the async workers (a crafted post can take
//! real CPU time, and the runtime's threads serve every other request). Over a limit the write is
//! refused with [`WriteError::Render`] and the author keeps their text.
use super::write_error::WriteError;
use crate::app::App;
use crate::render::Rendered;

/// An article, question, answer, resource description or the guidelines.
pub async fn post(app: &App, body: &str) -> Result<Rendered, WriteError> {
    crate::render::post(body, app.settings.render)
        .await
        .map_err(WriteError::Render)
}

/// A comment or a bio.
pub async fn comment(app: &App, body: &str) -> Result<Rendered, WriteError> {
    crate::render::comment(body, app.settings.render)
        .await
        .map_err(WriteError::Render)
}
