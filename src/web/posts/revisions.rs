//! `GET /{articles|questions|answers}/{id}/revisions[?from=&to=]`: every saved version of a post and a
//! readable diff between any two of them (by default the latest against the one before).
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::visible_post;
use crate::app::App;
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
    from: i64,
    to: i64,
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
}

#[derive(Deserialize)]
pub struct RevisionQuery {
    from: Option<i64>,
    to: Option<i64>,
}

pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
    path: web::Path<i64>,
    query: web::Query<RevisionQuery>,
) -> Result<HttpResponse, AppError> {
    let kinds = kinds_for(req.path());
    let post = visible_post(&state, path.into_inner(), kinds, ctx.user().as_ref()).await?;
    let revisions = db::posts::revisions::for_post(&state.db, post.id).await?;
    let latest = revisions.last().map_or(1, |r| r.n);
    let to = query.to.unwrap_or(latest);
    let from = query.from.unwrap_or((to - 1).max(1));
    let find = |n: i64| {
        revisions
            .iter()
            .find(|r| r.n == n)
            .ok_or(AppError::NotFound)
    };
    let (old, new) = (find(from)?, find(to)?);
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
        base: req.path().to_string(),
        revisions: revisions.iter().map(row).collect(),
        from,
        to,
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
