//! Questions: the list with its tabs, asking, the question page with its answers, editing, deleting.
use actix_web::http::StatusCode;
use actix_web::{web, HttpRequest, HttpResponse};
use askama::Template;
use serde::Deserialize;

use super::editor::{parse_topic, EditorKind, EditorPage, PostForm, SimilarItem};
use super::lists::{next_url, parse_after};
use super::topic_edit::{self, Topic};
use super::views::{HeadMeta, PostView, SummaryView};
use super::visitor_pages::{self, VisitorPages};
use super::{visible_post, PAGE_SIZE};
use crate::web::context::origin;

use crate::app::App;
use crate::db;
use crate::db::posts::answers::{AnswerSort, MAX_PAGE};
use crate::db::posts::lists::{Order, Scope};
use crate::db::posts::PostRecord;
use crate::domain::PostKind;
use crate::error::AppError;
use crate::services::{self, Writer};
use crate::web::context::{Ctx, Page};
use crate::web::form::FormErrors;
use crate::web::refusal;
use crate::web::social::comments::CommentThread;
use crate::web::social::votes::{Votable, VoteWidget};

#[derive(Template)]
#[template(path = "posts/questions.html")]
struct QuestionListPage {
    page: Page,
    tab: &'static str,
    tabs: Vec<(&'static str, String, String)>,
    /// Pinned questions, on top of the first page.
    pinned: Vec<SummaryView>,
    items: Vec<SummaryView>,
    next_url: Option<String>,
}

#[derive(Deserialize)]
pub struct ListQuery {
    tab: Option<String>,
    after: Option<String>,
}

/// `GET /questions[?tab=newest|active|unanswered|votes][&after=cursor]`
pub async fn list(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<ListQuery>,
) -> Result<HttpResponse, AppError> {
    let t = ctx.t();
    let tab = match query.tab.as_deref().map(str::trim) {
        Some("active") => "active",
        Some("unanswered") => "unanswered",
        Some("votes") => "votes",
        None | Some("" | "newest") => "newest",
        Some(_) => return Err(AppError::Invalid(t.get("post.error.bad_tab").to_string())),
    };
    let (scope, order) = match tab {
        "active" => (Scope::Questions, Order::Active),
        "unanswered" => (Scope::Unanswered, Order::Newest),
        "votes" => (Scope::Questions, Order::Votes),
        _ => (Scope::Questions, Order::Newest),
    };
    let after = parse_after(query.after.as_deref(), t)?;
    let viewer = ctx.user().map(|u| u.id);
    let mut page =
        db::posts::lists::page_for(&state.db, viewer, scope, order, after, PAGE_SIZE).await?;
    let pinned = match after {
        None => db::posts::lists::pinned(&state.db, PostKind::Question, 10).await?,
        Some(_) => Vec::new(),
    };
    page.items
        .retain(|p| !pinned.iter().any(|pin| pin.id == p.id));
    let tabs = ["newest", "active", "unanswered", "votes"]
        .into_iter()
        .map(|name| {
            let label = t.get(tab_label(name)).to_string();
            (name, format!("/questions?tab={name}"), label)
        })
        .collect();
    crate::web::ok(&QuestionListPage {
        page: ctx.page(t.get("post.questions_title")),
        tab,
        tabs,
        pinned: SummaryView::list(&pinned),
        items: SummaryView::list(&page.items),
        next_url: next_url(&format!("/questions?tab={tab}"), page.next),
    })
}

fn tab_label(tab: &str) -> &'static str {
    match tab {
        "active" => "post.tab_active",
        "unanswered" => "post.tab_unanswered",
        "votes" => "post.tab_votes",
        _ => "post.tab_newest",
    }
}

/// `GET /questions/ask`
#[derive(serde::Deserialize)]
pub struct AskQuery {
    #[serde(default)]
    title: String,
}

/// `GET /questions/ask[?title=…]`: the title can come prefilled (the answer bot links here when it
/// has no answer).
pub async fn ask_form(
    ctx: Ctx,
    state: web::Data<App>,
    query: web::Query<AskQuery>,
) -> Result<HttpResponse, AppError> {
    ctx.require_user()?;
    ctx.ensure_session(&state).await?;
    let form = PostForm {
        title: query.into_inner().title.chars().take(300).collect(),
        ..PostForm::default()
    };
    ask_page(&ctx, &form).ok()
}

fn ask_page(ctx: &Ctx, form: &PostForm) -> EditorPage {
    let page = ctx.page(ctx.t().get("post.ask_heading"));
    EditorPage::new(
        page,
        EditorKind::Ask,
        "/questions".into(),
        form,
        "/questions".into(),
    )
}

/// Possible duplicates of a title being asked, for the ask page.
async fn similar_items(state: &App, form: &PostForm) -> Result<Vec<SimilarItem>, AppError> {
    let tags = crate::domain::TagList::parse(&form.tags)
        .map(|l| l.names())
        .unwrap_or_default();
    let found =
        crate::search::similar::similar_questions(&state.db, &form.title, &tags, None, 5).await?;
    Ok(found
        .iter()
        .map(|s| SimilarItem::from_summary(&SummaryView::new(s)))
        .collect())
}

/// `POST /questions` (title, body, tags). `check_similar` only lists possible duplicates.
pub async fn create(
    ctx: Ctx,
    state: web::Data<App>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    let me = ctx.require_user()?;
    let form = form.into_inner();
    if form.wants_similar_check() {
        let similar = similar_items(&state, &form).await?;
        return ask_page(&ctx, &form).with_similar(similar).ok();
    }
    let input = match parse_topic(&form, ctx.t()) {
        Ok(input) => input,
        Err(errors) => {
            let similar = similar_items(&state, &form).await?;
            return ask_page(&ctx, &form)
                .with_errors(errors)
                .with_similar(similar)
                .rejected();
        }
    };
    let ip = ctx.client_ip();
    let written = match services::posts::ask(&state, Writer::new(&me, &ip), &input).await {
        Ok(written) => written,
        Err(e) => {
            return refusal::form_again(e, ctx.t(), |errors| {
                ask_page(&ctx, &form).with_errors(errors).rejected()
            })
        }
    };
    ctx.flash(if written.held {
        "rules.flash.held"
    } else {
        "post.flash.question_posted"
    });
    Ok(crate::web::see_other(&written.url))
}

#[derive(Template)]
#[template(path = "posts/question.html")]
struct QuestionPage {
    page: Page,
    head: HeadMeta,
    question: PostView,
    question_vote: VoteWidget,
    question_thread: CommentThread,
    answers: Vec<AnswerView>,
    /// Published answers in all (a page shows at most `answers::ANSWERS_PER_PAGE` of them).
    answer_total: i64,
    pager: AnswerPager,
    answer_action: String,
    answer_body: String,
    errors: FormErrors,
    signed_in: bool,
    login_url: String,
    summary: super::ai::SummaryBox,
    can_request_bot: bool,
    /// Why the question is closed (it takes no new answers), with its original if a duplicate.
    closed: Option<ClosedNote>,
}

/// What the topic's query string asks for: `?sort=votes|newest|oldest&page=N&comments=<post id>`.
struct TopicView {
    sort: AnswerSort,
    page: i64,
    /// The post whose every comment is shown.
    comments: Option<i64>,
}

#[derive(Deserialize)]
struct TopicQuery {
    sort: Option<String>,
    page: Option<String>,
    comments: Option<String>,
}

impl TopicView {
    /// A sort, page or post id that is not one is a bad request with its reason, never page one.
    fn parse(query: &str, t: &crate::i18n::Catalog) -> Result<Self, AppError> {
        let invalid = |key: &str| AppError::Invalid(t.get(key).to_string());
        let query = web::Query::<TopicQuery>::from_query(query)
            .map_err(|_| invalid("post.error.bad_page"))?
            .into_inner();
        let sort = match query.sort.as_deref().map(str::trim) {
            None | Some("") => AnswerSort::default(),
            Some(text) => AnswerSort::parse(text).ok_or_else(|| invalid("post.error.bad_sort"))?,
        };
        let page = match query.page.as_deref().map(str::trim) {
            None | Some("") => 1,
            Some(text) => text
                .parse::<i64>()
                .ok()
                .filter(|n| (1..=MAX_PAGE).contains(n))
                .ok_or_else(|| invalid("post.error.bad_page"))?,
        };
        let comments = match query.comments.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(text) => Some(
                text.parse::<i64>()
                    .map_err(|_| invalid("post.error.bad_page"))?,
            ),
        };
        Ok(Self {
            sort,
            page,
            comments,
        })
    }

    /// The query string that keeps this sort and page, ready for one more parameter.
    fn query_base(&self) -> String {
        format!("?sort={}&page={}&", self.sort.as_str(), self.page)
    }
}

/// The sort links and previous/next page links under a topic's answers.
struct AnswerPager {
    sorts: Vec<(String, String, bool)>,
    label: String,
    prev_url: Option<String>,
    next_url: Option<String>,
}

impl AnswerPager {
    fn new(
        question: &PostRecord,
        view: &TopicView,
        page: i64,
        pages: i64,
        t: &crate::i18n::Catalog,
    ) -> Self {
        let base = crate::domain::paths::post_url(question.kind, question.id, &question.slug, None);
        let url = |sort: AnswerSort, page: i64| {
            format!("{base}?sort={}&page={page}#answers-heading", sort.as_str())
        };
        let sorts = [
            (AnswerSort::Votes, "post.tab_votes"),
            (AnswerSort::Newest, "post.tab_newest"),
            (AnswerSort::Oldest, "post.sort_oldest"),
        ]
        .into_iter()
        .map(|(sort, key)| (url(sort, 1), t.get(key).to_string(), sort == view.sort))
        .collect();
        let page_text = page.to_string();
        let pages_text = pages.to_string();
        Self {
            sorts,
            label: t.fill(
                "post.answers_page",
                &[("page", page_text.as_str()), ("pages", pages_text.as_str())],
            ),
            prev_url: (page > 1).then(|| url(view.sort, page - 1)),
            next_url: (page < pages).then(|| url(view.sort, page + 1)),
        }
    }
}

/// A closed question's notice.
pub struct ClosedNote {
    pub message: String,
    pub original_url: Option<String>,
}

/// The notice for a closed question, or `None` while it is open.
pub async fn closed_note(
    state: &App,
    question_id: i64,
    t: &crate::i18n::Catalog,
) -> Result<Option<ClosedNote>, AppError> {
    let moderation = db::moderation::post_state(&state.db, question_id)
        .await?
        .unwrap_or_default();
    let Some(reason) = moderation.close_reason() else {
        return Ok(None);
    };
    let message = t.fill("close.notice", &[("reason", t.get(reason.catalog_key()))]);
    let original_url = moderation
        .duplicate_of
        .map(|id| crate::domain::paths::post_url(PostKind::Question, id, "", None));
    Ok(Some(ClosedNote {
        message,
        original_url,
    }))
}

pub struct AnswerView {
    pub post: PostView,
    pub accepted: bool,
    pub can_accept: bool,
    /// The AI label, model and verification of a bot answer.
    pub bot: Option<super::ai::BotAnswerMarks>,
    pub vote: VoteWidget,
    pub thread: CommentThread,
}

/// `GET /questions/{id}`: sends the reader to the canonical address with the slug.
pub async fn show_without_slug(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    let post = visible_post(
        &state,
        path.into_inner(),
        &[PostKind::Question],
        ctx.user().as_ref(),
    )
    .await?;
    Ok(moved_permanently(&crate::domain::paths::post_url(
        post.kind, post.id, &post.slug, None,
    )))
}

/// `GET /questions/{id}/{slug}`: the question, its answers (accepted first, then by score) and the
/// answer form. A wrong slug redirects (301) to the right one.
pub async fn show(
    ctx: Ctx,
    state: web::Data<App>,
    kept: web::Data<VisitorPages>,
    req: HttpRequest,
    path: web::Path<(i64, String)>,
) -> Result<HttpResponse, AppError> {
    let (id, slug) = path.into_inner();
    let mut question = visible_post(&state, id, &[PostKind::Question], ctx.user().as_ref()).await?;
    if slug != question.slug {
        return Ok(moved_permanently(&crate::domain::paths::post_url(
            question.kind,
            question.id,
            &question.slug,
            None,
        )));
    }
    if question.is_published() {
        state.views.count(question.id);
        question.view_count += 1;
        if let Some(me) = ctx.user() {
            crate::moderation::promotion::note_read(
                &state.db,
                &me,
                question.id,
                question.author_id,
            )
            .await;
        }
    }
    if ctx.user().is_some() {
        ctx.ensure_session(&state).await?;
    }
    // A plain visitor's page is everyone's: served from the kept copy while the topic is unchanged.
    let keep = ctx.is_plain_visitor().then(|| {
        (
            format!(
                "{}|{}|{}",
                origin(&req, &state.settings),
                ctx.lang().code(),
                req.uri()
            ),
            visitor_pages::stamp(&question),
        )
    });
    if let Some(body) = keep.as_ref().and_then(|(key, stamp)| kept.get(key, stamp)) {
        return Ok(HttpResponse::Ok()
            .content_type("text/html; charset=utf-8")
            .body(body));
    }
    let page = question_page(
        &ctx,
        &state,
        &req,
        &question,
        String::new(),
        FormErrors::default(),
        StatusCode::OK,
    )
    .await?;
    // Kept only if rendering it gave this visitor nothing of their own (a CSRF cookie, say).
    let Some((key, stamp)) =
        keep.filter(|_| page.status() == StatusCode::OK && ctx.is_plain_visitor())
    else {
        return Ok(page);
    };
    let (head, body) = page.into_parts();
    let body = actix_web::body::to_bytes(body)
        .await
        .map_err(|e| AppError::Internal(anyhow::anyhow!("page body: {e}")))?;
    kept.put(key, stamp, body.clone());
    Ok(head.set_body(body).map_into_boxed_body())
}

/// Renders a question page; also used to show the answer form again with the text kept.
pub async fn question_page(
    ctx: &Ctx,
    state: &App,
    req: &HttpRequest,
    question: &PostRecord,
    answer_body: String,
    errors: FormErrors,
    status: StatusCode,
) -> Result<HttpResponse, AppError> {
    let user = ctx.user();
    let view = TopicView::parse(req.query_string(), ctx.t())?;
    let answer_page = db::posts::answers::page(&state.db, question, view.sort, view.page).await?;
    if answer_page.page > answer_page.pages {
        return Err(AppError::NotFound);
    }
    let mut answers = answer_page.items;
    if let Some(viewer) = user.as_ref().filter(|_| answer_page.page == 1) {
        let under_review = db::posts::answers::under_review(&state.db, question.id).await?;
        answers.extend(
            under_review
                .into_iter()
                .filter(|a| crate::auth::policy::post_visible(a, Some(viewer))),
        );
    }
    let all: Vec<&PostRecord> = std::iter::once(question).chain(answers.iter()).collect();
    let votables: Vec<Votable> = all
        .iter()
        .map(|p| Votable {
            kind: p.kind.as_str(),
            id: p.id,
            author_id: p.author_id,
            score: p.score,
        })
        .collect();
    let mut furniture = crate::web::social::on_posts(
        &state.db,
        user.as_ref(),
        &votables,
        view.comments,
        &view.query_base(),
    )
    .await?
    .into_iter();
    let Some((question_vote, question_thread)) = furniture.next() else {
        return Err(AppError::Internal(anyhow::anyhow!(
            "no vote widget or thread for the question"
        )));
    };
    let marks = super::ai::bot_marks_for(state, user.as_ref(), &answers).await?;
    let answers = answers
        .iter()
        .zip(furniture)
        .zip(marks)
        .map(|((answer, (vote, thread)), bot)| AnswerView {
            bot,
            post: PostView::new(answer, user.as_ref()),
            accepted: question.accepted_answer_id == Some(answer.id),
            can_accept: user.as_ref().is_some_and(|u| {
                crate::auth::policy::may_accept_answer(
                    u,
                    question.author_id,
                    answer.kind == PostKind::BotAnswer,
                )
            }),
            vote,
            thread,
        })
        .collect();
    let pager = AnswerPager::new(
        question,
        &view,
        answer_page.page,
        answer_page.pages,
        ctx.t(),
    );
    let view = PostView::new(question, user.as_ref());
    let summary = super::ai::summary_box(state, user.as_ref(), question).await?;
    let can_request_bot = crate::auth::policy::may_request_bot_answer(user.as_ref(), question);
    let closed = closed_note(state, question.id, ctx.t()).await?;
    crate::web::render(
        &QuestionPage {
            closed,
            page: ctx.page(question.title.clone()),
            head: HeadMeta::for_post(question, &origin(req, &state.settings)),
            answer_action: format!("/questions/{}/answers", question.id),
            login_url: format!(
                "/login?next={}",
                crate::domain::paths::encode_segment(&view.url)
            ),
            question: view,
            question_vote,
            question_thread,
            answers,
            answer_total: question.answer_count,
            pager,
            answer_body,
            errors,
            signed_in: user.is_some(),
            summary,
            can_request_bot,
        },
        status,
    )
}

pub fn moved_permanently(location: &str) -> HttpResponse {
    HttpResponse::MovedPermanently()
        .insert_header((actix_web::http::header::LOCATION, location.to_string()))
        .finish()
}

const QUESTION: Topic = Topic {
    kind: PostKind::Question,
    editor: EditorKind::EditQuestion,
    title_key: "post.edit_question",
    segment: "questions",
    drafts: false,
};

/// `GET /questions/{id}/edit`
pub async fn edit_form(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    topic_edit::edit_form(&QUESTION, ctx, state, path.into_inner()).await
}

/// `POST /questions/{id}/edit` (title, body, tags)
pub async fn update(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
    form: web::Form<PostForm>,
) -> Result<HttpResponse, AppError> {
    topic_edit::update(&QUESTION, ctx, state, path.into_inner(), form.into_inner()).await
}

/// `POST /questions/{id}/delete`
pub async fn delete(
    ctx: Ctx,
    state: web::Data<App>,
    path: web::Path<i64>,
) -> Result<HttpResponse, AppError> {
    topic_edit::delete(&QUESTION, ctx, state, path.into_inner()).await
}
