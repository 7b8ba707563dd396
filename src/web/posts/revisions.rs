//! `GET /{articles|questions|answers}/{id}/revisions[?from=&to=&page=]`: a post's saved versions,
//! 50 a page, and a readable diff between any two of them (by default the latest against the one
//! before). A revision staff redacted shows as such, without its text.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::visible_post;
use crate::app::App;
use crate::auth::policy;
use crate::db;
use crate::db::posts::revisions::Revision;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::render::diff::revision_diff_html;
use crate::web::context::{Ctx, Page};

#[derive(Template)]
#[template(path = "posts/revisions.html")]
struct RevisionsPage {
    page: Page,
    post_title: String,
    post_url: String,
    base: String,
    revisions: Vec<RevisionRow>,
    latest: i64,
    from: i64,
    to: i64,
    /// Either compared revision was redacted by staff.
    redacted: bool,
    /// Staff see a redact button on each revision.
    staff: bool,
    redact_base: String,
    prev_url: Option<String>,
    next_url: Option<String>,
    /// Sanitised by `render::diff`; marked safe in the template.
    title_diff: Option<String>,
    tags_diff: Option<String>,
    body_diff: String,
}

struct RevisionRow {
    n: i64,
    editor_name: String,
    at: String,
    title: String,
    redacted: bool,
}

#[derive(Deserialize)]
pub struct RevisionQuery {
    from: Option<i64>,
    to: Option<i64>,
    /// The page of the list (50 revisions a page); by default the one holding `to`.
    page: Option<i64>,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
    path: web::Path<i64>,
    query: web::Query<RevisionQuery>,
) -> Result<HttpResponse, AppError> {
    let kinds = kinds_for(req.path());
    let user = ctx.user();
    let post = visible_post(&state, path.into_inner(), kinds, user.as_ref()).await?;
    let latest = db::posts::revisions::latest(&state.db, post.id)
        .await?
        .max(1);
    let to = query.to.unwrap_or(latest);
    let from = query.from.unwrap_or((to - 1).max(1));
    let load = |n: i64| db::posts::revisions::by_number(&state.db, post.id, n);
    let (Some(old), Some(new)) = (load(from).await?, load(to).await?) else {
        return Err(AppError::NotFound);
    };
    let per_page = db::posts::revisions::PER_PAGE;
    let pages = (latest + per_page - 1) / per_page;
    let page_no = query
        .page
        .unwrap_or((to + per_page - 1) / per_page)
        .clamp(1, pages.max(1));
    let revisions = db::posts::revisions::page(&state.db, post.id, page_no).await?;
    let base = req.path().to_string();
    let page_url = |n: i64| format!("{base}?page={n}");
    let changed = |a: &str, b: &str| (a != b).then(|| revision_diff_html(a, b));
    let title = if post.title.is_empty() {
        ctx.t().get("post.revisions_title").to_string()
    } else {
        post.title.clone()
    };
    crate::web::ok(&RevisionsPage {
        page: ctx.page(format!(
            "{} · {}",
            ctx.t().get("post.revisions_title"),
            title
        )),
        post_title: title,
        post_url: crate::domain::paths::post_url(post.kind, post.id, &post.slug, post.parent_id),
        revisions: revisions.iter().map(row).collect(),
        latest,
        from,
        to,
        redacted: old.redacted || new.redacted,
        staff: user.as_ref().is_some_and(policy::may_redact_revision),
        redact_base: format!("/admin/posts/{}/revisions", post.id),
        prev_url: (page_no > 1).then(|| page_url(page_no - 1)),
        next_url: (page_no < pages).then(|| page_url(page_no + 1)),
        base,
        title_diff: changed(&old.title, &new.title),
        tags_diff: changed(&old.tags, &new.tags),
        body_diff: revision_diff_html(&old.body_md, &new.body_md),
    })
}

fn row(r: &Revision) -> RevisionRow {
    RevisionRow {
        n: r.n,
        editor_name: r.editor_name.clone(),
        at: crate::web::format::time(r.at),
        title: r.title.clone(),
        redacted: r.redacted,
    }
}

/// The post kinds a revisions URL may name (`/articles/..` only articles, and so on).
fn kinds_for(path: &str) -> &'static [PostKind] {
    if path.starts_with("/articles/") {
        &[PostKind::Article]
    } else if path.starts_with("/questions/") {
        &[PostKind::Question]
    } else {
        &[PostKind::Answer, PostKind::BotAnswer]
    }
}
