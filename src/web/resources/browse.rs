//! `GET /resources` (approved entries filtered by kind, tag, level and language, sorted by score or
//! newest, links that keep the other filters) and `GET /resources/{id}` (one entry, with its vote
//! widget, flag link and comments; pending and rejected entries only for their submitter and staff).
use actix_web::http::StatusCode;
use actix_web::{web, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::thread::{CommentDraft, CommentThread};
use super::ResourceView;
use crate::app::App;
use crate::auth::privileges::{has_privilege, Privilege};
use crate::db;
use crate::db::resources::{ListFilter, ResourceRecord, Sort};
use crate::domain::ResourceStatus;
use crate::domain::{Level, ResourceKind, Tag};
use crate::error::AppError;
use crate::web::context::{Ctx, Page};
use crate::web::social::votes::VoteWidget;

const PER_PAGE: i64 = 20;
const MAX_PAGE: i64 = 500;

#[derive(Deserialize, Default, Clone)]
pub struct ListParams {
    kind: Option<String>,
    tag: Option<String>,
    level: Option<String>,
    language: Option<String>,
    sort: Option<String>,
    page: Option<String>,
}

/// The filters in effect, each already checked (unknown values are dropped).
#[derive(Clone, Default)]
struct Filters {
    kind: String,
    tag: String,
    level: String,
    language: String,
    newest: bool,
}

impl Filters {
    fn from_params(p: &ListParams) -> Self {
        let clean = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or("").to_string();
        Filters {
            kind: ResourceKind::parse(&clean(&p.kind))
                .map(|k| k.as_str().to_string())
                .unwrap_or_default(),
            tag: Tag::parse(&clean(&p.tag))
                .map(|t| t.as_str().to_string())
                .unwrap_or_default(),
            level: Level::parse(&clean(&p.level))
                .map(|l| l.as_str().to_string())
                .unwrap_or_default(),
            language: Some(clean(&p.language))
                .filter(|l| {
                    l.len() <= 16 && l.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
                })
                .unwrap_or_default(),
            newest: clean(&p.sort) == "newest",
        }
    }

    /// `/resources?…` with these filters, at `page`.
    fn url(&self, page: i64) -> String {
        let mut query = url::form_urlencoded::Serializer::new(String::new());
        for (name, value) in [
            ("kind", &self.kind),
            ("tag", &self.tag),
            ("level", &self.level),
            ("language", &self.language),
        ] {
            if !value.is_empty() {
                query.append_pair(name, value);
            }
        }
        if self.newest {
            query.append_pair("sort", "newest");
        }
        if page > 1 {
            query.append_pair("page", &page.to_string());
        }
        let query = query.finish();
        if query.is_empty() {
            "/resources".to_string()
        } else {
            format!("/resources?{query}")
        }
    }

    fn with(&self, change: impl FnOnce(&mut Filters)) -> String {
        let mut next = self.clone();
        change(&mut next);
        next.url(1)
    }
}

/// The list filtered by one tag.
pub fn filter_url_for_tag(tag: &str) -> String {
    Filters {
        tag: tag.to_string(),
        ..Filters::default()
    }
    .url(1)
}

/// A filter link: label, address, whether it is the one in effect.
pub struct FilterLink {
    pub label: String,
    pub url: String,
    pub active: bool,
}

#[derive(Template)]
#[template(path = "resources/list.html")]
struct ListPage {
    page: Page,
    items: Vec<ResourceView>,
    mine: Vec<ResourceView>,
    kinds: Vec<FilterLink>,
    levels: Vec<FilterLink>,
    sorts: Vec<FilterLink>,
    tag: String,
    clear_tag_url: String,
    language: String,
    clear_language_url: String,
    prev_url: Option<String>,
    next_url: Option<String>,
}

/// `GET /resources[?kind=&tag=&level=&language=&sort=score|newest&page=]`
pub async fn list(
    ctx: Ctx,
    state: web::Data<App>,
    params: web::Query<ListParams>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let params = params.into_inner();
    let filters = Filters::from_params(&params);
    let page_number = params
        .page
        .and_then(|p| p.trim().parse::<i64>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_PAGE);
    let sort = if filters.newest {
        Sort::Newest
    } else {
        Sort::Score
    };
    let (records, has_next) = db::resources::list_approved(
        &state.db,
        &ListFilter {
            kind: filters.kind.clone(),
            tag: filters.tag.clone(),
            level: filters.level.clone(),
            language: filters.language.clone(),
        },
        sort,
        (page_number - 1) * PER_PAGE,
        PER_PAGE,
    )
    .await?;
    let mine = match ctx.user() {
        Some(me) if page_number == 1 => db::resources::unlisted_of(&state.db, me.id).await?,
        _ => Vec::new(),
    };
    let kinds = std::iter::once(None)
        .chain(ResourceKind::ALL.into_iter().map(Some))
        .map(|k| FilterLink {
            label: k
                .map_or(t.get("resource.all_kinds"), |k| t.get(k.catalog_key()))
                .to_string(),
            url: filters.with(|f| f.kind = k.map(|k| k.as_str().to_string()).unwrap_or_default()),
            active: k.map(ResourceKind::as_str).unwrap_or("") == filters.kind,
        })
        .collect();
    let levels = std::iter::once(None)
        .chain(Level::ALL.into_iter().map(Some))
        .map(|l| FilterLink {
            label: l
                .map_or(t.get("resource.all_levels"), |l| t.get(l.catalog_key()))
                .to_string(),
            url: filters.with(|f| f.level = l.map(|l| l.as_str().to_string()).unwrap_or_default()),
            active: l.map(Level::as_str).unwrap_or("") == filters.level,
        })
        .collect();
    let sorts = [
        (false, "resource.sort_score"),
        (true, "resource.sort_newest"),
    ]
    .into_iter()
    .map(|(newest, key)| FilterLink {
        label: t.get(key).to_string(),
        url: filters.with(|f| f.newest = newest),
        active: newest == filters.newest,
    })
    .collect();
    crate::web::ok(&ListPage {
        page: ctx.page(t.get("resource.list_title")),
        items: ResourceView::list(&records, t),
        mine: ResourceView::list(&mine, t),
        kinds,
        levels,
        sorts,
        clear_tag_url: filters.with(|f| f.tag.clear()),
        clear_language_url: filters.with(|f| f.language.clear()),
        tag: filters.tag.clone(),
        language: filters.language.clone(),
        prev_url: (page_number > 1).then(|| filters.url(page_number - 1)),
        next_url: has_next.then(|| filters.url(page_number + 1)),
    })
}

#[derive(Template)]
#[template(path = "resources/show.html")]
struct ShowPage {
    page: Page,
    resource: ResourceView,
    vote: VoteWidget,
    /// The viewer may flag it (signed in, not the submitter, approved entry).
    can_flag: bool,
    comments: CommentThread,
    /// The submitter and staff may edit it ([`crate::auth::policy::may_edit_resource`]).
    edit_url: Option<String>,
    revisions: Vec<RevisionLine>,
}

/// One line of an entry's edit log: who, when, what.
pub struct RevisionLine {
    pub editor: String,
    pub when: String,
    pub changed: String,
    pub back_to_review: bool,
}

/// `GET /resources/{id}`
pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    show_page(ctx, state, path.into_inner()).await
}

/// `GET /resources/{id}/{slug}`: the slug is decoration; the id decides.
pub async fn show_with_slug(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    show_page(ctx, state, path.into_inner().0).await
}

async fn show_page(ctx: Ctx, state: web::Data<App>, id: i64) -> Result<HttpResponse, AppError> {
    let record = db::resources::by_id(&state.db, id)
        .await?
        .filter(|r| crate::auth::policy::resource_visible(r, ctx.user().as_ref()))
        .ok_or(AppError::NotFound)?;
    render_show(
        &ctx,
        &state,
        &record,
        CommentDraft::default(),
        StatusCode::OK,
    )
    .await
}

/// The resource page with `draft` in its comment form (a refused comment comes back here with its
/// text and the reason), answered with `status`.
pub async fn render_show(
    ctx: &Ctx,
    state: &App,
    record: &ResourceRecord,
    draft: CommentDraft,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let id = record.id;
    let user = ctx.user();
    if user.is_some() {
        ctx.ensure_session(state).await?;
    }
    let my_vote = match &user {
        Some(me) => db::votes::mine_on_resources(&state.db, me.id, &[id])
            .await?
            .get(&id)
            .copied()
            .unwrap_or(0),
        None => 0,
    };
    let bookmarked = match user.as_ref() {
        Some(u) => {
            let target = crate::db::bookmarks::Target::Resource(id);
            crate::db::bookmarks::is_saved(&state.db, u.id, target).await?
        }
        None => false,
    };
    let approved = record.status == ResourceStatus::Approved;
    let may = |privilege| {
        user.as_ref()
            .is_some_and(|u| approved && u.id != record.submitted_by && has_privilege(u, privilege))
    };
    let vote = VoteWidget {
        target_kind: "resource",
        target_id: id,
        score: record.score,
        my_vote,
        can_up: may(Privilege::VoteUp),
        can_down: may(Privilege::VoteDown),
        can_bookmark: user.is_some(),
        bookmarked,
        can_watch: false,
        watching: false,
    };
    let can_flag = approved && user.as_ref().is_some_and(|u| u.id != record.submitted_by);
    let comments = super::thread::thread(&state.db, user.as_ref(), record, draft).await?;
    let edit_url = user
        .as_ref()
        .filter(|u| crate::auth::policy::may_edit_resource(u, record))
        .map(|_| crate::domain::paths::resource_edit_url(id));
    let revisions = db::resource_revisions::of_resource(&state.db, id, 20)
        .await?
        .into_iter()
        .map(|r| RevisionLine {
            editor: r.editor,
            when: crate::web::format::time(r.at),
            changed: r.changed,
            back_to_review: r.status_after == ResourceStatus::Pending.as_str(),
        })
        .collect();
    crate::web::render(
        &ShowPage {
            page: ctx.page(record.title.clone()),
            resource: ResourceView::new(record, ctx.t()),
            vote,
            can_flag,
            comments,
            edit_url,
            revisions,
        },
        status,
    )
}
