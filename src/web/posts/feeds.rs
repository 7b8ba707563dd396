//! `GET /feed.atom` (latest articles and questions), `GET /tags/{name}/feed.atom` and
//! `GET /sitemap.xml`. Addresses in them are absolute, built from the request's host.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;

use crate::web::context::origin;

use crate::app::App;
use crate::db;
use crate::db::posts::lists::{Order, PostSummary, Scope};
use crate::error::AppError;
use crate::web::context::Ctx;

/// Entries per feed.
const FEED_ENTRIES: i64 = 30;
/// The sitemap protocol's cap on URLs per file.
const SITEMAP_URLS: i64 = 50_000;

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

fn entry(origin: &str, post: &PostSummary) -> Entry {
    Entry {
        url: format!(
            "{origin}{}",
            crate::domain::paths::post_url(post.kind, post.id, &post.slug, None)
        ),
        title: post.title.clone(),
        author: post.author_name.clone(),
        summary: post.excerpt.clone(),
        published: crate::web::format::rfc3339(post.created_at),
        updated: crate::web::format::rfc3339(post.edited_at.unwrap_or(post.created_at)),
        kind: post.kind.as_str(),
    }
}

fn xml(body: String, content_type: &str) -> HttpResponse {
    HttpResponse::Ok()
        .content_type(content_type.to_string())
        .body(body)
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
        title,
        self_url: format!("{origin}{path}"),
        site_url: format!("{origin}{site_path}"),
        updated: crate::web::format::rfc3339(updated),
        entries: page.items.iter().map(|p| entry(&origin, p)).collect(),
    })?;
    Ok(xml(body, "application/atom+xml; charset=utf-8"))
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

pub async fn sitemap(state: web::Data<App>, req: HttpRequest) -> Result<HttpResponse, AppError> {
    let origin = origin(&req, &state.settings);
    let mut urls: Vec<SitemapUrl> = ["/", "/articles", "/questions", "/tags"]
        .into_iter()
        .map(|path| SitemapUrl {
            loc: format!("{origin}{path}"),
            lastmod: String::new(),
        })
        .collect();
    for entry in
        db::posts::feeds::sitemap_entries(&state.db, SITEMAP_URLS - urls.len() as i64).await?
    {
        urls.push(SitemapUrl {
            loc: format!(
                "{origin}{}",
                crate::domain::paths::post_url(entry.kind, entry.id, &entry.slug, None)
            ),
            lastmod: crate::web::format::rfc3339(entry.last_modified),
        });
    }
    Ok(xml(
        render(&Sitemap { urls })?,
        "application/xml; charset=utf-8",
    ))
}
