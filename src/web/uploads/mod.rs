//! Image uploads: `POST /uploads` (multipart field `file`) answers `201` with `{url, markdown}` for
//! the editor's script, or a page with the Markdown to copy for a browser without JavaScript;
//! `POST /settings/avatar` sets the member's avatar; `GET /uploads/{sha256}.{ext}` serves a stored
//! image with its sniffed type, a year of cache and a policy that runs nothing.
use actix_multipart::Multipart;
use actix_web::body::SizedStream;
use actix_web::http::{header, StatusCode};
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use futures_util::StreamExt;

use crate::app::App;
use crate::domain::{UploadName, UploadPurpose};
use crate::error::AppError;
use crate::i18n::Catalog;
use crate::services::uploads::image::ImageRefusal;
use crate::services::uploads::{self, UploadError};
use crate::services::Writer;
use crate::web::context::{Ctx, Page};
use crate::web::refusal::Refused;

/// What a served image may do: nothing (no script, no style, no frame).
pub const IMAGE_POLICY: &str = "default-src 'none'; frame-ancestors 'none'; sandbox";

#[derive(Template)]
#[template(path = "uploads/result.html")]
struct ResultPage {
    page: Page,
    stored: Option<(String, String)>,
    error: Option<String>,
}

/// The form as sent: the file's bytes (at most the size cap) and the name it had.
struct Sent {
    bytes: Vec<u8>,
    file_name: String,
}

pub async fn create(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let ip = ctx.client_ip();
    let outcome = match read_form(form, state.settings.uploads.max_bytes).await {
        Ok(sent) => {
            let writer = Writer::new(&me, &ip);
            uploads::upload(&state, writer, sent.bytes, UploadPurpose::Content)
                .await
                .map(|stored| (stored, sent.file_name))
        }
        Err(e) => Err(e),
    };
    let html = wants_html(&req);
    match outcome {
        Ok((stored, file_name)) => {
            let markdown = stored.markdown(alt_text(&file_name));
            if html {
                let page = ResultPage {
                    page: ctx.page(ctx.t().get("uploads.done_title")),
                    stored: Some((stored.url(), markdown)),
                    error: None,
                };
                crate::web::render(&page, StatusCode::CREATED)
            } else {
                Ok(HttpResponse::Created()
                    .insert_header((header::CACHE_CONTROL, "no-store"))
                    .json(serde_json::json!({
                        "url": stored.url(),
                        "markdown": markdown,
                        "width": stored.width,
                        "height": stored.height,
                        "bytes": stored.bytes,
                    })))
            }
        }
        Err(e) => {
            let refused = explain(e, ctx.t(), &state)?;
            if html {
                let page = ResultPage {
                    page: ctx.page(ctx.t().get("uploads.refused_title")),
                    stored: None,
                    error: Some(refused.message.clone()),
                };
                refused.respond(crate::web::render(&page, StatusCode::OK))
            } else {
                let body = serde_json::json!({ "error": refused.message });
                refused.respond(Ok(HttpResponse::Ok().json(body)))
            }
        }
    }
}

/// `POST /settings/avatar` (multipart `file`): thumbnailed and set; back to the settings page.
pub async fn set_avatar(
    ctx: Ctx,
    state: web::Data<App>,
    form: Multipart,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let ip = ctx.client_ip();
    let outcome = match read_form(form, state.settings.uploads.max_bytes).await {
        Ok(sent) => {
            uploads::upload(
                &state,
                Writer::new(&me, &ip),
                sent.bytes,
                UploadPurpose::Avatar,
            )
            .await
        }
        Err(e) => Err(e),
    };
    match outcome {
        Ok(_) => {
            ctx.flash("uploads.avatar_saved");
            Ok(crate::web::see_other("/settings"))
        }
        Err(e) => {
            let refused = explain(e, ctx.t(), &state)?;
            let page = ResultPage {
                page: ctx.page(ctx.t().get("uploads.refused_title")),
                stored: None,
                error: Some(refused.message.clone()),
            };
            refused.respond(crate::web::render(&page, StatusCode::OK))
        }
    }
}

/// `GET /uploads/{name}`: only `{sha256}.{ext}` names of stored images; anything else is 404.
pub async fn show(
    state: web::Data<App>,
    name: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let name = UploadName::parse(&name).ok_or(AppError::NotFound)?;
    let object = uploads::read(&state, &name)
        .await?
        .ok_or(AppError::NotFound)?;
    Ok(HttpResponse::Ok()
        .content_type(name.kind.mime())
        .insert_header((header::CACHE_CONTROL, crate::storage::CACHE_CONTROL))
        .insert_header((header::CONTENT_SECURITY_POLICY, IMAGE_POLICY))
        .insert_header((header::X_CONTENT_TYPE_OPTIONS, "nosniff"))
        // Already compressed: the compression middleware leaves an `identity` response alone.
        .insert_header((header::CONTENT_ENCODING, "identity"))
        .insert_header((
            header::CONTENT_DISPOSITION,
            format!("inline; filename=\"{}\"", name.file_name()),
        ))
        // Streamed from the folder or the bucket as it arrives, with its length up front.
        .body(SizedStream::new(object.len, object.bytes)))
}

/// A browser's form navigation asks for HTML; the editor's script asks for JSON.
fn wants_html(req: &HttpRequest) -> bool {
    req.headers()
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("text/html"))
}

/// The alt text: the file's name without its extension (`image` for a pasted screenshot).
fn alt_text(file_name: &str) -> &str {
    let stem = file_name
        .rsplit_once('.')
        .map_or(file_name, |(stem, _)| stem);
    if stem.trim().is_empty() {
        "image"
    } else {
        stem
    }
}

/// Reads the `file` field, keeping at most `max_bytes` of it; other fields (the CSRF token) are read
/// and dropped. A file past the cap is read on without being kept (up to [`DRAIN_FACTOR`] times the
/// cap), so the browser is still reading when the refusal comes and can show it.
async fn read_form(mut form: Multipart, max_bytes: usize) -> Result<Sent, UploadError> {
    let too_large = UploadError::TooLarge { max_bytes };
    let mut sent: Option<Sent> = None;
    let mut over = false;
    let mut drained = 0usize;
    while let Some(field) = form.next().await {
        let mut field = field.map_err(unreadable)?;
        let is_file = field.name() == Some("file");
        let limit = if is_file { max_bytes } else { 4096 };
        let file_name = field
            .content_disposition()
            .and_then(|d| d.get_filename())
            .unwrap_or("")
            .to_string();
        let mut bytes = Vec::new();
        while let Some(chunk) = field.next().await {
            let chunk = chunk.map_err(unreadable)?;
            if over || bytes.len() + chunk.len() > limit {
                over = true;
                drained += chunk.len();
                if drained > max_bytes.saturating_mul(DRAIN_FACTOR) {
                    return Err(too_large);
                }
                continue;
            }
            bytes.extend_from_slice(&chunk);
        }
        if is_file && sent.is_none() {
            sent = Some(Sent { bytes, file_name });
        }
    }
    if over {
        return Err(too_large);
    }
    sent.filter(|s| !s.bytes.is_empty())
        .ok_or(UploadError::NoFile)
}

/// A body that is not the multipart form it says (logged; the member is asked for a file).
fn unreadable(error: actix_multipart::MultipartError) -> UploadError {
    tracing::warn!(%error, "unreadable upload form");
    UploadError::NoFile
}

/// How far past the cap a refused file is still read (then the connection is dropped).
const DRAIN_FACTOR: usize = 4;

/// A refused upload as the member is told it.
fn explain(error: UploadError, t: &Catalog, state: &App) -> Result<Refused, AppError> {
    let invalid = |message: String| Ok(Refused::invalid("file", message));
    match error {
        UploadError::Write(e) => Refused::explain(e, t),
        UploadError::NoFile => invalid(t.get("uploads.error.no_file").to_string()),
        UploadError::TooLarge { max_bytes } => invalid(t.fill(
            "uploads.error.too_large",
            &[("max", &megabytes(max_bytes as u64))],
        )),
        UploadError::Quota { quota_bytes } => {
            invalid(t.fill("uploads.error.quota", &[("quota", &megabytes(quota_bytes))]))
        }
        UploadError::Image(ImageRefusal::Svg) => invalid(t.get("uploads.error.svg").to_string()),
        UploadError::Image(ImageRefusal::UnsupportedType) => {
            invalid(t.get("uploads.error.type").to_string())
        }
        UploadError::Image(ImageRefusal::Corrupt) => {
            invalid(t.get("uploads.error.corrupt").to_string())
        }
        UploadError::Image(ImageRefusal::TooManyPixels { width, height }) => invalid(t.fill(
            "uploads.error.pixels",
            &[
                ("width", &width.to_string()),
                ("height", &height.to_string()),
                (
                    "max",
                    &(state.settings.uploads.max_pixels / 1_000_000).to_string(),
                ),
            ],
        )),
    }
}

/// `5 MB`, `1.5 MB`, `64 KB`: a size as the messages state it.
fn megabytes(bytes: u64) -> String {
    if bytes < 1024 * 1024 {
        return format!("{} KB", bytes / 1024);
    }
    let tenths = bytes * 10 / (1024 * 1024);
    if tenths % 10 == 0 {
        format!("{} MB", tenths / 10)
    } else {
        format!("{}.{} MB", tenths / 10, tenths % 10)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alt_text_is_the_name_without_extension() {
        assert_eq!(alt_text("diagram.final.png"), "diagram.final");
        assert_eq!(alt_text(""), "image");
        assert_eq!(megabytes(5 * 1024 * 1024), "5 MB");
        assert_eq!(megabytes(512 * 1024), "512 KB");
        assert_eq!(megabytes(3 * 512 * 1024), "1.5 MB");
    }
}
