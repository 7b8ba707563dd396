//! `/search`: full-text search over articles, questions and answers (resources later), ranked by
//! relevance, filtered by kind and tag, with highlighted snippets; published events the same index
//! finds (title, place, description) lead page one of the "All" tab.
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::context::{Ctx, Page};
use super::events::{reader_zone, EventView};
use crate::app::App;
use crate::error::AppError;
use crate::search::{self, SearchHit, SearchKind, SearchQuery};

/// Longer queries are cut: nobody types more, and every word costs index work.
const MAX_QUERY_CHARS: usize = 200;
const PER_PAGE: u32 = 20;
/// Deep pages are not useful and are bounded by the candidate limit anyway.
const MAX_PAGE: u32 = 50;
/// Resource listings shown above the posts on page one of the "All" tab.
const RESOURCES_ON_ALL: u32 = 3;
/// Events shown above the posts on page one of the "All" tab.
const EVENTS_ON_ALL: i64 = 5;

#[derive(Deserialize)]
pub struct SearchParams {
    q: Option<String>,
    kind: Option<String>,
    tag: Option<String>,
    page: Option<String>,
}

/// What the page shows above (or instead of) the results.
#[derive(PartialEq, Eq)]
enum Outcome {
    /// No query yet: an introduction.
    Blank,
    /// Only punctuation or symbols: nothing to search for.
    NoWords,
    NoResults,
    Results,
}

struct HitView {
    kind_label: &'static str,
    url: String,
    title_html: String,
    snippet_html: String,
    meta: String,
    accepted: bool,
}

struct KindTab {
    label: &'static str,
    url: String,
    active: bool,
}

#[derive(Template)]
#[template(path = "search/results.html")]
struct SearchPage {
    page: Page,
    q: String,
    kind: &'static str,
    tag: String,
    outcome: Outcome,
    heading: String,
    no_results: String,
    tag_note: String,
    clear_tag_url: String,
    relaxed: bool,
    tabs: Vec<KindTab>,
    hits: Vec<HitView>,
    events: Vec<EventView>,
    prev_url: Option<String>,
    next_url: Option<String>,
}

pub async fn show(
    ctx: Ctx,
    req: HttpRequest,
    state: web::Data<App>,
    params: web::Query<SearchParams>,
) -> Result<HttpResponse, AppError> {
    let params = params.into_inner();
    let q: String = params
        .q
        .unwrap_or_default()
        .trim()
        .chars()
        .take(MAX_QUERY_CHARS)
        .collect();
    let kind = params.kind.as_deref().and_then(SearchKind::parse);
    let tag = params
        .tag
        .map(|t| t.trim().to_lowercase())
        .filter(|t| !t.is_empty() && t.chars().count() <= 64);
    let page_number = params
        .page
        .and_then(|p| p.trim().parse::<u32>().ok())
        .unwrap_or(1)
        .clamp(1, MAX_PAGE);

    let query = SearchQuery {
        text: q.clone(),
        kind,
        tag: tag.clone(),
        page: page_number,
        per_page: PER_PAGE,
        combine: search::Combine::All,
    };
    let mut results = search::search_page(&state.db, &query).await?;
    // Page one of "All" leads with the best few resource listings, which are not posts.
    if kind.is_none() && page_number == 1 && !results.terms.is_empty() {
        let resources = SearchQuery {
            kind: Some(SearchKind::Resource),
            per_page: RESOURCES_ON_ALL,
            ..query.clone()
        };
        let mut found = search::search(&state.db, &resources).await?;
        found.append(&mut results.hits);
        results.hits = found;
    }

    let t = ctx.t();
    let events = if kind.is_none() && tag.is_none() && page_number == 1 && !q.is_empty() {
        let mut found = Vec::new();
        for id in search::search_events(&state.db, &q, EVENTS_ON_ALL).await? {
            found.extend(
                crate::db::events::by_id(&state.db, id)
                    .await?
                    .filter(|e| e.status == crate::domain::PostStatus::Published),
            );
        }
        found
    } else {
        Vec::new()
    };
    let events = match events.is_empty() {
        true => Vec::new(),
        false => EventView::list(&events, reader_zone(&ctx, &req, &state).await?.zone, t),
    };
    let outcome = if q.is_empty() {
        Outcome::Blank
    } else if results.terms.is_empty() && events.is_empty() {
        Outcome::NoWords
    } else if results.hits.is_empty() && events.is_empty() {
        Outcome::NoResults
    } else {
        Outcome::Results
    };
    let title = if q.is_empty() {
        t.get("search.title").to_string()
    } else {
        t.fill("search.results_for", &[("q", &q)])
    };
    let link =
        |kind: Option<SearchKind>, tag: Option<&str>, page: u32| search_url(&q, kind, tag, page);
    let tabs = std::iter::once(None)
        .chain(SearchKind::ALL.into_iter().map(Some))
        .map(|k| KindTab {
            label: t.get(kind_tab_key(k)),
            url: link(k, tag.as_deref(), 1),
            active: k == kind,
        })
        .collect();
    let hits = results
        .hits
        .into_iter()
        .map(|hit| hit_view(&ctx, hit))
        .collect();
    let page = ctx.page(title.clone());
    super::ok(&SearchPage {
        page,
        heading: title,
        no_results: t.fill("search.no_results", &[("q", &q)]),
        tag_note: tag
            .as_deref()
            .map(|tag| t.fill("search.tag_filter", &[("tag", tag)]))
            .unwrap_or_default(),
        clear_tag_url: link(kind, None, 1),
        relaxed: results.relaxed,
        tabs,
        hits,
        events,
        prev_url: (page_number > 1).then(|| link(kind, tag.as_deref(), page_number - 1)),
        next_url: (results.has_next && page_number < MAX_PAGE)
            .then(|| link(kind, tag.as_deref(), page_number + 1)),
        kind: kind.map_or("", SearchKind::as_str),
        tag: tag.unwrap_or_default(),
        outcome,
        q,
    })
}

fn kind_tab_key(kind: Option<SearchKind>) -> &'static str {
    match kind {
        None => "search.kind_all",
        Some(SearchKind::Article) => "search.kind_article",
        Some(SearchKind::Question) => "search.kind_question",
        Some(SearchKind::Answer) => "search.kind_answer",
        Some(SearchKind::Resource) => "search.kind_resource",
    }
}

fn hit_view(ctx: &Ctx, hit: SearchHit) -> HitView {
    let t = ctx.t();
    let kind_label = t.get(match hit.kind.as_str() {
        "article" => "search.label_article",
        "answer" => "search.label_answer",
        "resource" => "search.label_resource",
        _ => "search.label_question",
    });
    let date = crate::web::format::day(hit.created_at);
    let score = hit.score.to_string();
    let mut meta = vec![
        t.fill("search.by", &[("author", &hit.author)]),
        date,
        t.fill("search.votes", &[("n", &score)]),
    ];
    if hit.kind == "question" {
        let answers = hit.answer_count.to_string();
        meta.push(t.fill("search.answers", &[("n", &answers)]));
    }
    HitView {
        kind_label,
        url: hit.url,
        title_html: hit.title_html,
        snippet_html: hit.snippet_html,
        meta: meta.join(" · "),
        accepted: hit.accepted,
    }
}

/// `/search?q=…` with the filters that are set.
fn search_url(q: &str, kind: Option<SearchKind>, tag: Option<&str>, page: u32) -> String {
    let mut query = url::form_urlencoded::Serializer::new(String::new());
    query.append_pair("q", q);
    if let Some(kind) = kind {
        query.append_pair("kind", kind.as_str());
    }
    if let Some(tag) = tag {
        query.append_pair("tag", tag);
    }
    if page > 1 {
        query.append_pair("page", &page.to_string());
    }
    format!("/search?{}", query.finish())
}
