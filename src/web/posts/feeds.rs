//! `GET /feed.atom` (latest articles and questions), `GET /tags/{name}/feed.atom`, `GET /sitemap.xml`
//! (a sitemap index) and its parts `GET /sitemap-posts-{n}.xml`. Addresses in them are absolute,
//! built from the request's host. Each answers 304 to a reader that already has the same document
//! (`If-None-Match` / `If-Modified-Since`).
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use bytes::Bytes;

use crate::web::context::origin;

use crate::app::App;
use crate::db;
use crate::db::posts::lists::{Order, PostSummary, Scope};
use crate::error::AppError;
use crate::web::context::Ctx;
use crate::web::posts::sitemap_cache::{RenderedPart, SitemapCache};

/// Entries per feed.
const FEED_ENTRIES: i64 = 30;

struct Entry {
    url: String,
    title: String,
    author: String,
    summary: String,
    published: String,
    updated: String,
    kind: &'static str,
}

#[derive(Template)]
#[template(path = "posts/feed.xml", escape = "html")]
struct Feed {
    title: String,
    self_url: String,
    site_url: String,
    updated: String,
    entries: Vec<Entry>,
}

/// `text` without the characters XML 1.0 forbids (controls other than tab, newline and carriage
/// return, and U+FFFE/U+FFFF): one of them in a title would make the whole feed unreadable.
fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|c| matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..))
        .collect()
}

fn entry(origin: &str, post: &PostSummary) -> Entry {
    Entry {
        url: format!(
            "{origin}{}",
            crate::domain::paths::post_url(post.kind, post.id, &post.slug, None)
        ),
        title: xml_text(&post.title),
        author: xml_text(&post.author_name),
        summary: xml_text(&post.excerpt),
        published: crate::web::format::rfc3339(post.created_at),
        updated: crate::web::format::rfc3339(post.edited_at.unwrap_or(post.created_at)),
        kind: post.kind.as_str(),
    }
}

/// The document, or 304 when the reader's copy is current: its `If-None-Match` names this body's
/// tag, or (without one) its `If-Modified-Since` is not older than `last_modified`.
fn xml(
    req: &HttpRequest,
    body: String,
    content_type: &str,
    last_modified: Option<i64>,
) -> HttpResponse {
    let etag = tag_of(body.as_bytes());
    respond(req, Bytes::from(body), &etag, content_type, last_modified)
}

/// The entity tag of a document: a hash of its bytes.
fn tag_of(body: &[u8]) -> String {
    use std::hash::{Hash, Hasher};
    let mut hasher = std::collections::hash_map::DefaultHasher::new();
    body.hash(&mut hasher);
    format!("W/\"{:016x}\"", hasher.finish())
}

/// [`xml`] for a document whose tag is known already.
fn respond(
    req: &HttpRequest,
    body: Bytes,
    etag: &str,
    content_type: &str,
    last_modified: Option<i64>,
) -> HttpResponse {
    use actix_web::http::header;
    let modified = last_modified
        .and_then(|at| chrono::DateTime::from_timestamp(at, 0))
        .map(|at| at.format("%a, %d %b %Y %H:%M:%S GMT").to_string());
    let text = |name: header::HeaderName| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let fresh = match text(header::IF_NONE_MATCH) {
        Some(tags) => tags
            .split(',')
            .any(|tag| tag.trim() == etag || tag.trim() == "*"),
        None => match (text(header::IF_MODIFIED_SINCE), last_modified) {
            (Some(since), Some(at)) => chrono::DateTime::parse_from_rfc2822(&since)
                .is_ok_and(|since| since.timestamp() >= at),
            _ => false,
        },
    };
    let mut response = if fresh {
        HttpResponse::NotModified()
    } else {
        HttpResponse::Ok()
    };
    response.insert_header((header::ETAG, etag.to_string()));
    response.insert_header((header::CACHE_CONTROL, "public, max-age=300"));
    if let Some(modified) = modified {
        response.insert_header((header::LAST_MODIFIED, modified));
    }
    if fresh {
        return response.finish();
    }
    response.content_type(content_type.to_string()).body(body)
}

fn render(template: &impl Template) -> Result<String, AppError> {
    template
        .render()
        .map_err(|e| AppError::Internal(anyhow::anyhow!("template failed: {e}")))
}

async fn feed(
    state: &App,
    req: &HttpRequest,
    scope: Scope,
    title: String,
    path: String,
    site_path: String,
) -> Result<HttpResponse, AppError> {
    let origin = origin(req, &state.settings);
    let page = db::posts::lists::page(&state.db, scope, Order::Newest, None, FEED_ENTRIES).await?;
    let updated = page
        .items
        .iter()
        .map(|p| p.edited_at.unwrap_or(p.created_at))
        .max()
        .unwrap_or(0);
    let body = render(&Feed {
        title: xml_text(&title),
        self_url: format!("{origin}{path}"),
        site_url: format!("{origin}{site_path}"),
        updated: crate::web::format::rfc3339(updated),
        entries: page.items.iter().map(|p| entry(&origin, p)).collect(),
    })?;
    Ok(xml(
        req,
        body,
        "application/atom+xml; charset=utf-8",
        Some(updated),
    ))
}

pub async fn site_feed(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
) -> Result<HttpResponse, AppError> {
    let title = ctx.t().get("post.feed_title").to_string();
    feed(
        &state,
        &req,
        Scope::Topics,
        title,
        "/feed.atom".into(),
        "/".into(),
    )
    .await
}

pub async fn tag_feed(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    let tag = db::posts::tags::by_name(&state.db, &path.into_inner())
        .await?
        .ok_or(AppError::NotFound)?;
    let title = format!("{} · {}", ctx.t().get("post.feed_title"), tag.name);
    let self_path = format!(
        "/tags/{}/feed.atom",
        crate::domain::paths::encode_segment(&tag.name)
    );
    feed(
        &state,
        &req,
        Scope::Tagged(tag.id),
        title,
        self_path,
        crate::domain::paths::tag_url(&tag.name),
    )
    .await
}

struct SitemapUrl {
    loc: String,
    lastmod: String,
}

#[derive(Template)]
#[template(path = "posts/sitemap.xml", escape = "html")]
struct Sitemap {
    urls: Vec<SitemapUrl>,
}

#[derive(Template)]
#[template(path = "posts/sitemap_index.xml", escape = "html")]
struct SitemapIndex {
    parts: Vec<String>,
}

/// `GET /sitemap.xml`: the sitemap index, one part per range of post ids plus the fixed pages.
pub async fn sitemap(state: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let origin = origin(&req, &state.settings);
    let parts = db::posts::feeds::sitemap_parts(&state.db).await?;
    let body = render(&SitemapIndex {
        parts: (1..=parts)
            .map(|n| format!("{origin}/sitemap-posts-{n}.xml"))
            .collect(),
    })?;
    Ok(xml(&req, body, "application/xml; charset=utf-8", None))
}

/// `GET /sitemap-posts-{n}.xml`: part `n` of the sitemap (the first also lists the fixed pages).
/// A part past the last one is 404. A part is rendered once per change of its posts and served
/// from [`SitemapCache`] in between.
pub async fn sitemap_part(
    state: web::Data<App>,
    cache: web::Data<SitemapCache>,
    req: HttpRequest,
    path: web::Path<String>,
) -> Result<HttpResponse, AppError> {
    const CONTENT_TYPE: &str = "application/xml; charset=utf-8";
    let part: i64 = path
        .into_inner()
        .parse()
        .ok()
        .filter(|n| *n >= 1)
        .ok_or(AppError::NotFound)?;
    let stamp = db::posts::feeds::sitemap_part_stamp(&state.db, part).await?;
    if part > stamp.parts {
        return Err(AppError::NotFound);
    }
    let origin = origin(&req, &state.settings);
    if let Some(kept) = cache.get(part, &origin, stamp.changes) {
        return Ok(respond(
            &req,
            kept.body,
            &kept.etag,
            CONTENT_TYPE,
            kept.newest,
        ));
    }
    let fixed: &[&str] = if part == 1 {
        &["/", "/articles", "/questions", "/tags"]
    } else {
        &[]
    };
    let mut urls: Vec<SitemapUrl> = fixed
        .iter()
        .map(|path| SitemapUrl {
            loc: format!("{origin}{path}"),
            lastmod: String::new(),
        })
        .collect();
    let mut newest = None;
    for entry in db::posts::feeds::sitemap_part(&state.db, part).await? {
        newest = newest.max(Some(entry.last_modified));
        urls.push(SitemapUrl {
            loc: format!(
                "{origin}{}",
                crate::domain::paths::post_url(entry.kind, entry.id, &entry.slug, None)
            ),
            lastmod: crate::web::format::rfc3339(entry.last_modified),
        });
    }
    let body = Bytes::from(render(&Sitemap { urls })?);
    let rendered = RenderedPart {
        changes: stamp.changes,
        etag: tag_of(&body),
        body,
        newest,
    };
    cache.put(part, &origin, rendered.clone());
    Ok(respond(
        &req,
        rendered.body,
        &rendered.etag,
        CONTENT_TYPE,
        newest,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn characters_xml_forbids_are_dropped_and_the_rest_kept() {
        assert_eq!(xml_text("a\u{1}b\u{8}c\u{FFFE}"), "abc");
        assert_eq!(xml_text("tab\tline\n中文 😀"), "tab\tline\n中文 😀");
    }
}
