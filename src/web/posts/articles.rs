//! Articles: the list, writing (with drafts), the article page, editing, deleting.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::editor::{parse_topic, EditorKind, EditorPage, PostForm};
use super::lists::{next_url, parse_after};
use super::questions::moved_permanently;
use super::topic_edit::{self, Topic};
use super::views::{HeadMeta, PostView, SummaryView};
use super::{visible_post, PAGE_SIZE};
use crate::app::App;
use crate::db;
use crate::db::posts::lists::{Order, Scope};
use crate::domain::{PostKind, PostStatus};
use crate::error::AppError;
use crate::services::{self, Writer};
use crate::web::context::origin;
use crate::web::context::{Ctx, Page};
use crate::web::refusal;
use crate::web::social::comments::CommentThread;
use crate::web::social::votes::{Votable, VoteWidget};

#[derive(Template)]
#[template(path = "posts/articles.html")]
struct ArticleListPage {
    page: Page,
    /// Pinned articles, on top of the first page.
    pinned: Vec<SummaryView>,
    items: Vec<SummaryView>,
    drafts: Vec<SummaryView>,
    next_url: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    after: Option<String>,
}

/// `GET /articles[?after=cursor]`: newest first; the reader's own drafts on top of page one.
pub async fn list(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let after = parse_after(query.after.as_deref(), t)?;
    let viewer = ctx.user().map(|u| u.id);
    let mut page = db::posts::lists::page_for(
        &state.db,
        viewer,
        Scope::Articles,
        Order::Newest,
        after,
        PAGE_SIZE,
    )
    .await?;
    let pinned = match after {
        None => db::posts::lists::pinned(&state.db, PostKind::Article, 10).await?,
        Some(_) => Vec::new(),
    };
    page.items
        .retain(|p| !pinned.iter().any(|pin| pin.id == p.id));
    let drafts = match ctx.user() {
        Some(me) if after.is_none() => db::posts::lists::drafts_of(&state.db, me.id, 50).await?,
        _ => Vec::new(),
    };
    crate::web::ok(&ArticleListPage {
        page: ctx.page(t.get("post.articles_title")),
        pinned: SummaryView::list(&pinned),
        items: SummaryView::list(&page.items),
        drafts: SummaryView::list(&drafts),
        next_url: next_url("/articles", page.next),
    })
}

fn new_page(ctx: &Ctx, form: &PostForm) -> EditorPage {
    let page = ctx.page(ctx.t().get("post.new_article"));
    EditorPage::new(
        page,
        EditorKind::NewArticle,
        "/articles".into(),
        form,
        "/articles".into(),
    )
}

/// `GET /articles/new`
pub async fn new_form(ctx: Ctx, state: web::Data<App>) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    ctx.ensure_session(&state).await?;
    new_page(&ctx, &PostForm::default()).ok()
}

/// `POST /articles` (title, body, tags; `draft=1` keeps it private to its author)
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let form = form.into_inner();
    let input = match parse_topic(&form, ctx.t()) {
        Ok(input) => input,
        Err(errors) => return new_page(&ctx, &form).with_errors(errors).rejected(),
    };
    let ip = ctx.client_ip();
    let written = match services::posts::write_article(
        &state,
        Writer::new(&me, &ip),
        &input,
        form.wants_draft(),
    )
    .await
    {
        Ok(written) => written,
        Err(e) => {
            return refusal::form_again(e, ctx.t(), |errors| {
                new_page(&ctx, &form).with_errors(errors).rejected()
            })
        }
    };
    ctx.flash(if written.status == PostStatus::Draft {
        "post.flash.draft_saved"
    } else if written.held {
        "rules.flash.held"
    } else {
        "post.flash.article_published"
    });
    Ok(crate::web::see_other(&written.url))
}

#[derive(Template)]
#[template(path = "posts/article.html")]
struct ArticlePage {
    page: Page,
    head: HeadMeta,
    article: PostView,
    vote: VoteWidget,
    thread: CommentThread,
    summary: super::ai::SummaryBox,
}

/// `GET /articles/{id}`: redirects to the address with the slug.
pub async fn show_without_slug(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(
        &state,
        path.into_inner(),
        &[PostKind::Article],
        ctx.user().as_ref(),
    )
    .await?;
    Ok(moved_permanently(&crate::domain::paths::post_url(
        post.kind, post.id, &post.slug, None,
    )))
}

/// `GET /articles/{id}/{slug}`; a wrong slug redirects (301) to the right one. Drafts are shown to
/// their author only (others get 404).
pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, slug) = path.into_inner();
    let user = ctx.user();
    let mut article = visible_post(&state, id, &[PostKind::Article], user.as_ref()).await?;
    if slug != article.slug {
        return Ok(moved_permanently(&crate::domain::paths::post_url(
            article.kind,
            article.id,
            &article.slug,
            None,
        )));
    }
    if article.is_published() {
        state.views.count(article.id);
        article.view_count += 1;
        if let Some(me) = &user {
            crate::moderation::promotion::note_read(&state.db, me, article.id, article.author_id)
                .await;
        }
    }
    if user.is_some() {
        ctx.ensure_session(&state).await?;
    }
    let votable = Votable {
        kind: article.kind.as_str(),
        id: article.id,
        author_id: article.author_id,
        score: article.score,
    };
    let furniture = crate::web::social::on_posts(&state.db, user.as_ref(), &[votable], None, "?")
        .await?
        .pop();
    let Some((vote, thread)) = furniture else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "no vote widget or thread for the article"
        )));
    };
    let summary = super::ai::summary_box(&state, user.as_ref(), &article).await?;
    crate::web::ok(&ArticlePage {
        summary,
        vote,
        thread,
        page: ctx.page(article.title.clone()),
        head: HeadMeta::for_post(&article, &origin(&req, &state.settings)),
        article: PostView::new(&article, user.as_ref()),
    })
}

const ARTICLE: Topic = Topic {
    kind: PostKind::Article,
    editor: EditorKind::EditArticle,
    title_key: "post.edit_article",
    segment: "articles",
    drafts: true,
};

/// `GET /articles/{id}/edit`
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    topic_edit::edit_form(&ARTICLE, ctx, state, path.into_inner()).await
}

/// `POST /articles/{id}/edit` (title, body, tags; `draft=1` keeps or makes it a draft, otherwise a
/// draft is published)
pub async fn update(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    topic_edit::update(&ARTICLE, ctx, state, path.into_inner(), form.into_inner()).await
}

/// `POST /articles/{id}/delete`
pub async fn delete(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    topic_edit::delete(&ARTICLE, ctx, state, path.into_inner()).await
}
